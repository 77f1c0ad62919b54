package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.search.SearchWordsRefresh;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * sort=relevance against the relevance test set (src/test/resources/relevance: a fixed catalog and
 * queries with the agents a person expects, typos and word order included): nDCG@10 and MRR of
 * sort=relevance and of today's substring match in name order, printed, and relevance ahead by a
 * margin. With {@code -Drelevance.results=<file>} the figures are also written there
 * (benchmarks/results/relevance-*.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelevanceIT extends ApiTestSupport {

    private static final String URL = "https://relevance.example.org";
    /** How far ahead of name order relevance must be, in nDCG@10 and in MRR (both from 0 to 1). */
    private static final double MARGIN = 0.25;

    @Autowired
    CatalogGeneration generation;

    private record Judged(String q, Map<String, Integer> grades) {
    }

    private List<Judged> queries;

    @BeforeAll
    void seed() {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID registry = seeder.registry("Relevance", URL);
            AgentNormalizer normalizer = new AgentNormalizer();
            List<ObjectNode> agents = new ArrayList<>();
            for (JsonNode a : resource("catalog.json")) {
                ObjectNode record = JSON.createObjectNode().put("schema", "hive-registry-record-v1")
                        .put("handle", a.get("handle").stringValue()).put("updatedAt", "2026-11-01T00:00:00Z")
                        .put("agentCardUrl", URL + "/cards/" + a.get("handle").stringValue());
                record.set("capabilities", a.get("tags"));
                ObjectNode card = JSON.createObjectNode().put("name", a.get("name").stringValue())
                        .put("description", a.get("description").stringValue());
                card.putObject("provider").put("organization", a.get("author").stringValue());
                agents.add(normalizer.normalize(record, card, new RegistryRef(registry.toString(), "Relevance", URL))
                        .orElseThrow());
            }
            seeder.agents(registry, agents);
        }
        SearchWordsRefresh.STATEMENTS.forEach(ApiTestSupport::sql);
        generation.poll();
        queries = new ArrayList<>();
        for (JsonNode q : resource("queries.json")) {
            Map<String, Integer> grades = new LinkedHashMap<>();
            q.get("relevant").properties().forEach(e -> grades.put(e.getKey(), e.getValue().asInt()));
            queries.add(new Judged(q.get("q").stringValue(), grades));
        }
    }

    @Test
    void relevanceRanksTheExpectedAgentsFirstFarMoreOftenThanNameOrder() throws IOException {
        double[] relevance = new double[2];
        double[] byName = new double[2];
        StringBuilder perQuery = new StringBuilder();
        for (Judged judged : queries) {
            List<String> ranked = handles("relevance", judged.q());
            List<String> named = handles("name", judged.q());
            double n1 = RelevanceMetrics.ndcg(ranked, judged.grades());
            double n2 = RelevanceMetrics.ndcg(named, judged.grades());
            relevance[0] += n1;
            relevance[1] += RelevanceMetrics.reciprocalRank(ranked, judged.grades());
            byName[0] += n2;
            byName[1] += RelevanceMetrics.reciprocalRank(named, judged.grades());
            perQuery.append("| `%s` | %.3f | %.3f | %s |%n".formatted(judged.q(), n1, n2,
                    ranked.isEmpty() ? "—" : ranked.get(0)));
        }
        int n = queries.size();
        String summary = "relevance set: %d queries, nDCG@10 relevance %.3f vs name %.3f, MRR relevance %.3f vs name %.3f"
                .formatted(n, relevance[0] / n, byName[0] / n, relevance[1] / n, byName[1] / n);
        System.out.println("RelevanceIT " + summary);
        System.out.print(perQuery);
        String target = System.getProperty("relevance.results");
        if (target != null && !target.isBlank()) {
            Files.writeString(Path.of(target), "%s%n%n| q | nDCG@10 relevance | nDCG@10 name | first |%n| --- | --- | --- | --- |%n%s"
                    .formatted(summary, perQuery));
        }
        assertThat(relevance[0] / n).as(summary).isGreaterThanOrEqualTo(byName[0] / n + MARGIN);
        assertThat(relevance[1] / n).as(summary).isGreaterThanOrEqualTo(byName[1] / n + MARGIN);
    }

    @Test
    void relevanceNeedsQAndPagesByOffsetOnly() {
        assertThat(get("/api/marketplace?sort=relevance").status()).isEqualTo(400);
        assertThat(get("/api/marketplace?sort=relevance&q=%21%21").body().get("error").stringValue()).contains("no word");
        assertThat(get("/api/marketplace?q=web&match=words").status()).isEqualTo(400);
        assertThat(get("/api/marketplace?q=web&sort=relevance&match=substring").status()).isEqualTo(400);
        assertThat(get("/api/marketplace?q=web&sort=relevance&match=nearby").status()).isEqualTo(400);
        assertThat(get("/api/marketplace?q=a+b+c+d+e+f+g+h+i&sort=relevance").body().get("error").stringValue())
                .contains("more than 8 words");
        String cursor = get("/api/marketplace?limit=1&q=web").body().get("meta").get("nextCursor").stringValue();
        assertThat(get("/api/marketplace?q=web&sort=relevance&cursor=" + cursor).body().get("error").stringValue())
                .contains("offset");

        JsonNode all = get("/api/marketplace?q=search&sort=relevance&match=words&limit=200").body();
        assertThat(all.get("meta").get("nextCursor")).isNull();
        List<String> everything = new ArrayList<>();
        all.get("data").forEach(a -> everything.add(a.get("handle").stringValue()));
        List<String> paged = new ArrayList<>();
        for (int offset = 0; offset < everything.size() + 2; offset += 2) {
            JsonNode page = get("/api/marketplace?q=search&sort=relevance&limit=2&offset=" + offset).body();
            assertThat(page.get("total").asLong()).isEqualTo(everything.size());
            page.get("data").forEach(a -> paged.add(a.get("handle").stringValue()));
        }
        assertThat(paged).isEqualTo(everything);
        assertThat(everything).hasSizeGreaterThan(4);
    }

    private List<String> handles(String sort, String q) {
        Answer answer = get("/api/marketplace?limit=10&sort=" + sort + "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
        assertThat(answer.status()).as(q).isEqualTo(200);
        List<String> handles = new ArrayList<>();
        answer.body().get("data").forEach(a -> handles.add(a.get("handle").stringValue()));
        return handles;
    }

    private static JsonNode resource(String name) {
        try (InputStream in = RelevanceIT.class.getResourceAsStream("/relevance/" + name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
