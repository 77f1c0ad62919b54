package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.indexsync.IndexSync;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index-sync command line against this api-service: a rebuild the API refuses is refused by the
 * command line with the API's reason and a non-zero exit status, and what the command line refuses
 * itself it refuses with the reason the API would give.
 */
class RebuildCommandLineIT extends ApiTestSupport {

    record Result(int code, String out, String err) {
    }

    private Result indexSync(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = IndexSync.run(args, Map.of(IndexSync.URL_ENV, "http://127.0.0.1:" + port,
                IndexSync.TOKEN_ENV, ADMIN_TOKEN), new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void withNoEnabledRegistryTheApiAnswers409AndTheCommandLineExitsWithItsReason() {
        // every registry other suites left enabled is disabled for this test, and enabled again after it
        String disabled = (String) sql("""
                WITH disabled AS (UPDATE marketplace_registries SET enabled = false WHERE enabled RETURNING id)
                SELECT string_agg(id::text, ',') FROM disabled
                """);
        try {
            Answer api = send("POST", "/api/marketplace/index-rebuild", null, admin());
            assertThat(api.status()).isEqualTo(409);
            String reason = api.body().get("error").asString();
            assertThat(reason).isEqualTo("no enabled registry to rebuild");

            Result cli = indexSync("--timeout=PT1M");
            assertThat(cli.code()).as(cli.err()).isEqualTo(2);
            assertThat(cli.err()).contains("(409)").contains(reason);
            assertThat(cli.out() + cli.err()).doesNotContain(ADMIN_TOKEN);

            assertThat(indexSync("--no-wait", "--json").code()).isEqualTo(2);
        } finally {
            if (disabled != null) {
                sql("UPDATE marketplace_registries SET enabled = true WHERE id = ANY (string_to_array(?, ',')::uuid[])",
                        disabled);
            }
        }
    }

    @Test
    void anUnknownRegistryIsRefusedByBothWithTheSameReason() {
        String unknown = UUID.randomUUID().toString();
        Answer api = send("POST", "/api/marketplace/index-rebuild", "{\"registryIds\":[\"" + unknown + "\"]}", admin());
        assertThat(api.status()).isEqualTo(400);

        Result cli = indexSync("--registry", unknown);
        assertThat(cli.code()).isEqualTo(2);
        assertThat(cli.err()).contains("(400)").contains(api.body().get("error").asString());
    }

    @Test
    void anIdThatIsNotOneIsRefusedByTheCommandLineAsTheApiRefusesIt() {
        Answer api = send("POST", "/api/marketplace/index-rebuild", "{\"registryIds\":[\"north\"]}", admin());
        assertThat(api.status()).isEqualTo(400);

        Result cli = indexSync("--registry", "north");
        assertThat(cli.code()).isEqualTo(2);
        assertThat(cli.err()).contains("--registry").contains(api.body().get("error").asString());
    }
}
