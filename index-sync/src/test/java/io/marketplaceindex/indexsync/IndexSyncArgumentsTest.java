package io.marketplaceindex.indexsync;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Arguments the command refuses before it asks anything of the api-service: exit status 2 with a reason. */
class IndexSyncArgumentsTest {

    private static final Map<String, String> WITH_TOKEN = Map.of(IndexSync.TOKEN_ENV, "secret-token-value",
            // nothing listens there: a test that got past the arguments would fail with 1, not 2
            IndexSync.URL_ENV, "http://127.0.0.1:9");

    record Result(int code, String out, String err) {
    }

    private static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = IndexSync.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void aRegistryThatIsNotAnIdIsABadArgument() {
        Result result = run(WITH_TOKEN, "--registry", "north");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("--registry").contains("north");
    }

    @Test
    void oneBadIdAmongCommaSeparatedOnesIsABadArgument() {
        Result result = run(WITH_TOKEN, "--registry=6f1c2a52-4d3e-4a57-9a3b-0c2f2f0c7f11,nope");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("nope");
    }

    @Test
    void anUnknownOptionIsABadArgument() {
        Result result = run(WITH_TOKEN, "--frobnicate");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("Unknown option").contains("--frobnicate");
    }

    @Test
    void aTokenOnTheCommandLineIsNotAnOption() {
        Result result = run(Map.of(), "--token", "secret-token-value");
        assertThat(result.code()).isEqualTo(2);
    }

    @Test
    void aTimeoutThatIsNeitherIsoNorSecondsIsABadArgument() {
        assertThat(run(WITH_TOKEN, "--timeout", "ten minutes").code()).isEqualTo(2);
        assertThat(run(WITH_TOKEN, "--timeout", "0").code()).isEqualTo(2);
        assertThat(run(WITH_TOKEN, "--timeout", "-PT1M").code()).isEqualTo(2);
    }

    @Test
    void timeoutsAreIsoDurationsOrSeconds() {
        IndexSync.DurationConverter converter = new IndexSync.DurationConverter();
        assertThat(converter.convert("PT30M")).isEqualTo(Duration.ofMinutes(30));
        assertThat(converter.convert("90")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void withoutATokenNothingIsAsked() {
        Result result = run(Map.of(IndexSync.URL_ENV, "http://127.0.0.1:9"));
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("no API token").contains(IndexSync.TOKEN_ENV);
    }

    @Test
    void anEmptyOrMissingTokenFileIsABadArgument(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("token"), "\n");
        assertThat(run(WITH_TOKEN, "--token-file", empty.toString()).code()).isEqualTo(2);
        assertThat(run(WITH_TOKEN, "--token-file", dir.resolve("absent").toString()).code()).isEqualTo(2);
    }

    @Test
    void aTokenThatCannotBeAHeaderIsRefusedWithoutEchoingIt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "secret token value");
        Result result = run(WITH_TOKEN, "--token-file", file.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.out() + result.err()).doesNotContain("secret");
    }

    @Test
    void aUrlThatIsNotHttpIsABadArgument() {
        assertThat(run(WITH_TOKEN, "--url", "file:///etc/passwd").code()).isEqualTo(2);
        assertThat(run(Map.of(IndexSync.TOKEN_ENV, "t", IndexSync.URL_ENV, "localhost:8080")).code()).isEqualTo(2);
    }

    @Test
    void anApiServiceThatCannotBeReachedIsAFailureNotABadArgument() {
        Result result = run(WITH_TOKEN, "--timeout", "5");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("could not reach the api-service").doesNotContain("secret-token-value");
    }

    @Test
    void aRebuildTheApiServiceRefusesAsAClientErrorIsABadArgument() {
        // 409: no enabled registry to rebuild; 400: an unknown registry; 401/403: a token without the role
        for (int status : new int[]{400, 401, 403, 404, 409, 422}) {
            assertThat(IndexSync.refusedStatus(status)).as("HTTP %d", status).isEqualTo(2);
        }
        // not now, or the service's own trouble: a failure, worth trying again
        for (int status : new int[]{408, 429, 500, 502, 503}) {
            assertThat(IndexSync.refusedStatus(status)).as("HTTP %d", status).isEqualTo(1);
        }
    }

    @Test
    void aRegistryIdIsCheckedByTheApiServicesRule() {
        Result result = run(WITH_TOKEN, "--registry", " north ");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("--registry").contains("' north ' is not an id");
    }

    @Test
    void helpExitsZeroAndNamesTheExitStatuses() {
        Result result = run(Map.of(), "--help");
        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("--registry").contains("--no-wait").contains("--json").contains("Exit status");
    }
}
