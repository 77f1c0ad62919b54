package io.marketplaceindex.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ControlApiTest {

    static RegistrySimulator sim;
    final Http http = new Http();

    @BeforeAll
    static void start() {
        sim = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(4));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private String control(String path) {
        return sim.baseUrl() + "/control" + path;
    }

    @Test
    void addListMutateRemove() {
        HttpResponse<String> created = http.post(control("/registries?name=ctl&agents=40&seed=4"), "");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(http.json(created).get("baseUrl").asString()).isEqualTo(sim.baseUrl() + "/registries/ctl");
        assertThat(http.post(control("/registries?name=ctl&agents=1"), "").statusCode()).isEqualTo(409);
        assertThat(http.post(control("/registries?agents=1"), "").statusCode()).isEqualTo(400);
        assertThat(http.post(control("/registries?name=x&agents=many"), "").statusCode()).isEqualTo(400);

        JsonNode list = http.json(http.get(control("/registries")));
        JsonNode ctl = null;
        for (JsonNode r : list.get("registries")) {
            if (r.get("name").asString().equals("ctl")) {
                ctl = r;
            }
        }
        assertThat(ctl).isNotNull();
        assertThat(ctl.get("agents").asInt()).isEqualTo(40);

        SimulatedRegistry registry = sim.registry("ctl");
        SimulatedAgent before = registry.agent("agent-00000.ctl").orElseThrow();
        JsonNode mutated = http.json(http.post(control("/registries/ctl/mutate?count=40"), ""));
        assertThat(mutated.get("mutated").size()).isEqualTo(40);
        assertThat(registry.agent("agent-00000.ctl").orElseThrow()).isNotEqualTo(before);

        String hostile = registry.hostileHandles().get(4);
        JsonNode removed = http.json(http.post(control("/registries/ctl/remove?handle=" + Http.enc(hostile)), ""));
        assertThat(removed.get("removed").asBoolean()).isTrue();
        assertThat(registry.handles()).doesNotContain(hostile).hasSize(39);

        JsonNode added = http.json(http.post(control("/registries/ctl/add?handle=extra-1.ctl&name=Extra%20One"), ""));
        assertThat(added.get("name").asString()).isEqualTo("Extra One");
        assertThat(registry.size()).isEqualTo(40);

        JsonNode updated = http.json(http.post(control("/registries/ctl/update?handle=extra-1.ctl&name=Renamed"), ""));
        assertThat(updated.get("name").asString()).isEqualTo("Renamed");

        assertThat(http.json(http.get(control("/registries/ctl/agents"))).get("agents").size()).isEqualTo(40);

        http.post(control("/registries/ctl/latency?ms=25"), "");
        assertThat(registry.latency()).isEqualTo(Duration.ofMillis(25));
        http.post(control("/registries/ctl/latency?ms=0"), "");

        String card = registry.cardUrl(registry.handles().get(0));
        assertThat(http.get(card).headers().firstValue("Cache-Control")).isEmpty();
        JsonNode maxAge = http.json(http.post(control("/registries/ctl/card-max-age?seconds=600"), ""));
        assertThat(maxAge.get("cardMaxAgeSeconds").asLong()).isEqualTo(600);
        assertThat(http.get(card).headers().firstValue("Cache-Control")).hasValue("max-age=600");
        assertThat(http.post(control("/registries/ctl/card-max-age?seconds=-1"), "").statusCode()).isEqualTo(400);
        assertThat(http.json(http.post(control("/registries/ctl/card-max-age"), "")).get("cardMaxAgeSeconds").isNull())
                .isTrue();
        assertThat(http.get(card).headers().firstValue("Cache-Control")).isEmpty();

        http.post(control("/registries/ctl/auth?token=abc"), "");
        assertThat(http.get(registry.baseUrl() + "/v1/health").statusCode()).isEqualTo(401);
        http.post(control("/registries/ctl/auth"), "");
        assertThat(http.get(registry.baseUrl() + "/v1/health").statusCode()).isEqualTo(200);

        assertThat(http.delete(control("/registries/ctl")).statusCode()).isEqualTo(200);
        assertThat(http.get(registry.baseUrl() + "/v1/health").statusCode()).isEqualTo(404);
        assertThat(http.post(control("/registries/ctl/mutate?count=1"), "").statusCode()).isEqualTo(404);
    }

    @Test
    void faultsOverHttp() {
        SimulatedRegistry r = sim.addRegistry("ctl-faults", 20, 1L);
        String base = control("/registries/ctl-faults/faults");
        assertThat(http.post(base, "{\"kind\":\"status\",\"target\":\"listing\",\"status\":503,\"times\":1}")
                .statusCode()).isEqualTo(200);
        assertThat(http.post(base, "{\"kind\":\"rateLimited\",\"target\":\"records\",\"retryAfterSeconds\":3}")
                .statusCode()).isEqualTo(200);
        assertThat(http.post(base, "{\"kind\":\"redirect\",\"target\":\"card\",\"handle\":\"agent-00001.ctl-faults\","
                + "\"location\":\"http://127.0.0.1:1/\"}").statusCode()).isEqualTo(200);
        assertThat(http.post(base, "{\"kind\":\"shrinkListing\",\"fraction\":0.5}").statusCode()).isEqualTo(200);
        assertThat(http.post(base, "{\"kind\":\"nope\"}").statusCode()).isEqualTo(400);
        assertThat(http.post(base, "{\"kind\":\"status\",\"target\":\"card\"}").statusCode()).isEqualTo(400);
        assertThat(http.post(base, "not json").statusCode()).isEqualTo(400);
        assertThat(r.faults()).hasSize(4);

        assertThat(http.get(r.baseUrl() + "/v1/records").statusCode()).isEqualTo(503);
        assertThat(http.json(http.get(r.baseUrl() + "/v1/records")).get("handles").size()).isEqualTo(10);
        HttpResponse<String> limited = http.get(r.recordUrl("agent-00002.ctl-faults"));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(http.get(r.cardUrl("agent-00001.ctl-faults")).statusCode()).isEqualTo(302);

        assertThat(http.delete(base).statusCode()).isEqualTo(200);
        assertThat(r.faults()).isEmpty();
    }

    @Test
    void stats() {
        SimulatedRegistry r = sim.addRegistry("ctl-stats", 5, 1L);
        http.get(r.baseUrl() + "/v1/health");
        http.get(r.baseUrl() + "/v1/records");
        String etag = http.get(r.recordUrl("agent-00000.ctl-stats")).headers().firstValue("ETag").orElseThrow();
        http.get(r.recordUrl("agent-00000.ctl-stats"), "If-None-Match", etag);
        JsonNode stats = http.json(http.get(control("/stats")));
        assertThat(stats.get("requests").asLong()).isPositive();
        JsonNode mine = stats.get("registries").get("ctl-stats");
        assertThat(mine.get("requests").asLong()).isEqualTo(4);
        assertThat(mine.get("health").asLong()).isEqualTo(1);
        assertThat(mine.get("listings").asLong()).isEqualTo(1);
        assertThat(mine.get("records").asLong()).isEqualTo(2);
        assertThat(mine.get("notModified").asLong()).isEqualTo(1);
    }
}
