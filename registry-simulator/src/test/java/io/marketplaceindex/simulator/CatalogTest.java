package io.marketplaceindex.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CatalogTest {

    static RegistrySimulator sim;
    static RegistrySimulator other;
    final Http http = new Http();

    @BeforeAll
    static void start() {
        sim = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(4));
        other = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(4));
    }

    @AfterAll
    static void stop() {
        sim.close();
        other.close();
    }

    /** Agents without the port-dependent card URL, to compare two simulators. */
    private static List<List<Object>> portFree(List<SimulatedAgent> agents) {
        return agents.stream()
                .map(a -> List.<Object>of(a.handle(), a.name(), a.description(), a.tags(), a.author(), a.version(),
                        a.updatedAt()))
                .toList();
    }

    @Test
    void sameSeedSameCatalog() {
        SimulatedRegistry a = sim.addRegistry("det", 200, 7L);
        SimulatedRegistry b = other.addRegistry("det", 200, 7L);
        assertThat(portFree(a.agents())).isEqualTo(portFree(b.agents()));
        // The same over HTTP, record bodies included (modulo the port in URLs).
        String handle = a.handles().get(17);
        String ra = http.get(a.recordUrl(handle)).body().replace(":" + sim.port() + "/", ":PORT/");
        String rb = http.get(b.recordUrl(handle)).body().replace(":" + other.port() + "/", ":PORT/");
        assertThat(ra).isEqualTo(rb);
        // Mutation rounds are deterministic too.
        assertThat(a.mutate(5)).isEqualTo(b.mutate(5));
        assertThat(portFree(a.agents())).isEqualTo(portFree(b.agents()));
    }

    @Test
    void differentRegistriesOrSeedsDiffer() {
        SimulatedRegistry one = sim.addRegistry("one", 200, 1L);
        SimulatedRegistry two = sim.addRegistry("two", 200, 1L);
        SimulatedRegistry three = other.addRegistry("one", 200, 2L);
        List<String> names1 = one.agents().stream().map(SimulatedAgent::name).toList();
        List<String> names2 = two.agents().stream().map(SimulatedAgent::name).toList();
        List<String> names3 = three.agents().stream().map(SimulatedAgent::name).toList();
        assertThat(names1).isNotEqualTo(names2).isNotEqualTo(names3);
        assertThat(Set.copyOf(one.handles())).doesNotContainAnyElementsOf(two.handles());
        // Some names recur across registries (the index must not treat names as keys).
        Set<String> shared = new HashSet<>(names1);
        shared.retainAll(new HashSet<>(names2));
        assertThat(shared).isNotEmpty();
    }

    @Test
    void namesAreVaried() {
        List<String> names = sim.addRegistry("names", 1000, 3L).agents().stream().map(SimulatedAgent::name).toList();
        assertThat(names).anyMatch(n -> n.contains("%")).anyMatch(n -> n.contains("_"))
                .anyMatch(n -> n.chars().anyMatch(c -> c > 127))
                .anyMatch(n -> n.equals(n.toLowerCase()) && !n.equals(n.toUpperCase()))
                .anyMatch(n -> n.equals(n.toUpperCase()) && !n.equals(n.toLowerCase()))
                .contains("Café Agent");
        assertThat(Set.copyOf(names).size()).isLessThan(names.size());
        Set<String> tags = sim.registry("names").agents().stream().flatMap(a -> a.tags().stream()).collect(Collectors.toSet());
        assertThat(AgentGenerator.VOCABULARY).containsAll(tags);
        assertThat(tags.size()).isGreaterThan(30);
    }

    @Test
    void updateChangesContentAndEtags() {
        SimulatedRegistry r = sim.addRegistry("upd", 50, 1L);
        String handle = "agent-00003.upd";
        SimulatedAgent before = r.agent(handle).orElseThrow();
        HttpResponse<String> rec = http.get(r.recordUrl(handle));
        HttpResponse<String> card = http.get(r.cardUrl(handle));
        String recordEtag = rec.headers().firstValue("ETag").orElseThrow();
        String cardEtag = card.headers().firstValue("ETag").orElseThrow();
        String lastModified = card.headers().firstValue("Last-Modified").orElseThrow();

        SimulatedAgent after = r.updateAgent(handle);
        assertThat(after.updatedAt()).isAfter(before.updatedAt());
        assertThat(after.description()).isNotEqualTo(before.description());
        assertThat(after.version()).isNotEqualTo(before.version());
        assertThat(after.name()).isEqualTo(before.name());

        HttpResponse<String> rec2 = http.get(r.recordUrl(handle), "If-None-Match", recordEtag);
        assertThat(rec2.statusCode()).isEqualTo(200);
        assertThat(rec2.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(recordEtag);
        assertThat(http.json(rec2).get("updatedAt").asString()).isEqualTo(after.updatedAt().toString());
        assertThat(http.get(r.cardUrl(handle), "If-None-Match", cardEtag).statusCode()).isEqualTo(200);
        assertThat(http.get(r.cardUrl(handle), "If-Modified-Since", lastModified).statusCode()).isEqualTo(200);

        SimulatedAgent renamed = r.updateAgent(handle, "Renamed Ägent");
        assertThat(renamed.name()).isEqualTo("Renamed Ägent");
        assertThat(http.json(http.get(r.cardUrl(handle))).get("name").asString()).isEqualTo("Renamed Ägent");
        // A later plain update keeps the new name.
        assertThat(r.updateAgent(handle).name()).isEqualTo("Renamed Ägent");
        assertThatThrownBy(() -> r.updateAgent("agent-99999.upd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mutateChangesExactlyCountAgents() {
        SimulatedRegistry r = sim.addRegistry("mut", 100, 9L);
        List<SimulatedAgent> before = r.agents();
        List<String> changed = r.mutate(10);
        assertThat(changed).hasSize(10).doesNotHaveDuplicates();
        List<SimulatedAgent> after = r.agents();
        assertThat(after).hasSize(100);
        int differing = 0;
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals(after.get(i))) {
                differing++;
                assertThat(changed).contains(after.get(i).handle());
            }
        }
        assertThat(differing).isEqualTo(10);
        assertThat(r.mutate(1000)).hasSize(100);
    }

    @Test
    void removeAndAddChangeTheListing() {
        SimulatedRegistry r = sim.addRegistry("edit", 20, 1L);
        String victim = "agent-00002.edit";
        String hostile = r.hostileHandles().get(0);
        assertThat(r.removeAgent(victim)).isTrue();
        assertThat(r.removeAgent(victim)).isFalse();
        assertThat(r.removeAgent(hostile)).isTrue();
        assertThat(r.handles()).doesNotContain(victim, hostile).hasSize(18);
        assertThat(r.agents()).hasSize(18);
        assertThat(http.get(r.recordUrl(victim)).statusCode()).isEqualTo(404);
        assertThat(http.get(r.cardUrl(victim)).statusCode()).isEqualTo(404);

        SimulatedAgent added = r.addAgent("new agent/1.edit", "Brand New");
        assertThat(added.name()).isEqualTo("Brand New");
        assertThat(r.handles()).endsWith("new agent/1.edit").hasSize(19);
        JsonNode listing = http.json(http.get(r.baseUrl() + "/v1/records"));
        assertThat(listing.get("handles").size()).isEqualTo(19);
        assertThat(listing.get("handles").get(18).asString()).isEqualTo("new agent/1.edit");
        HttpResponse<String> rec = http.get(r.baseUrl() + "/v1/records/" + Http.enc("new agent/1.edit"));
        assertThat(rec.statusCode()).isEqualTo(200);
        assertThat(http.json(http.get(http.json(rec).get("agentCardUrl").asString())).get("name").asString())
                .isEqualTo("Brand New");
        assertThatThrownBy(() -> r.addAgent("new agent/1.edit", null)).isInstanceOf(IllegalArgumentException.class);

        // A removed generated handle can come back as an addition.
        assertThat(r.addAgent(victim, null).handle()).isEqualTo(victim);
        assertThat(http.get(r.recordUrl(victim)).statusCode()).isEqualTo(200);
        assertThat(r.removeAgent("new agent/1.edit")).isTrue();
        assertThat(r.size()).isEqualTo(19);
    }

    @Test
    void smallRegistriesHaveNoHostileHandles() {
        SimulatedRegistry tiny = sim.addRegistry("tiny", 3, 1L);
        assertThat(tiny.handles()).containsExactly("agent-00000.tiny", "agent-00001.tiny", "agent-00002.tiny");
        assertThat(sim.addRegistry("empty", 0, 1L).agents()).isEmpty();
    }

    @Test
    void registryNamesMustBeUrlSafeAndUnique() {
        assertThatThrownBy(() -> sim.addRegistry("a/b", 1, 1L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sim.addRegistry("", 1, 1L)).isInstanceOf(IllegalArgumentException.class);
        sim.addRegistry("uniq", 1, 1L);
        assertThatThrownBy(() -> sim.addRegistry("uniq", 1, 1L)).isInstanceOf(IllegalArgumentException.class);
        assertThat(sim.removeRegistry("uniq")).isTrue();
        assertThat(http.get(sim.baseUrl() + "/registries/uniq/v1/health").statusCode()).isEqualTo(404);
    }
}
