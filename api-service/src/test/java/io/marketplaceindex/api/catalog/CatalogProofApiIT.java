package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RecordProof;
import io.marketplaceindex.agent.RecordProofs;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.marketplaceindex.api.catalog.CatalogTagFacetsIT.counts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The record proof as the API serves it: every agent answers proof {status, reason, signingKid}, rows
 * without a verdict answer {@code none}, and {@code verified=true} returns exactly the valid ones, with
 * every other filter, offset and cursor. The verdicts come from records signed here with a real key and
 * checked by {@link RecordProofs}, as the worker does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogProofApiIT extends ApiTestSupport {

    private static final String ALPHA_URL = "https://alpha.proofs.example.org";
    private static final String BETA_URL = "https://beta.proofs.example.org";

    @Autowired
    CatalogGeneration generation;

    private UUID alpha;
    private UUID beta;
    /** handle → expected status */
    private final Map<String, String> expected = new HashMap<>();

    @BeforeAll
    void seed() throws GeneralSecurityException {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            alpha = seeder.registry("Alpha", ALPHA_URL);
            beta = seeder.registry("Beta", BETA_URL);
            List<ObjectNode> alphaAgents = new ArrayList<>();
            List<ObjectNode> betaAgents = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                boolean inAlpha = i % 2 == 0;
                String handle = "agent-%02d".formatted(i) + (inAlpha ? ".alpha" : ".beta");
                ObjectNode record = record(handle, (inAlpha ? ALPHA_URL : BETA_URL) + "/cards/" + handle,
                        i % 3 == 0 ? "finance" : "search");
                String kind = switch (i % 4) {
                    case 0, 1 -> "valid";
                    case 2 -> "invalid";
                    default -> i % 8 == 3 ? "unsigned" : "none";
                };
                if (!kind.equals("unsigned")) {
                    sign(record, key, kind.equals("invalid"));
                }
                ObjectNode card = JSON.createObjectNode().put("name", "Agent %02d".formatted(i))
                        .put("description", "agent number " + i);
                ObjectNode agent = normalizer.normalize(record, card, inAlpha
                        ? new RegistryRef(alpha.toString(), "Alpha", ALPHA_URL)
                        : new RegistryRef(beta.toString(), "Beta", BETA_URL)).orElseThrow();
                if (!kind.equals("none")) {
                    // "none": stored as before proofs were checked, with the registry's proof object only
                    RecordProof verdict = RecordProofs.verify(record);
                    assertThat(verdict.status().wire()).isEqualTo(kind);
                    verdict.writeTo(agent);
                }
                (inAlpha ? alphaAgents : betaAgents).add(agent);
                expected.put(handle, kind);
            }
            seeder.agents(alpha, alphaAgents);
            seeder.agents(beta, betaAgents);
        }
        generation.poll();
    }

    private static ObjectNode record(String handle, String cardUrl, String tag) {
        ObjectNode record = JSON.createObjectNode().put("schema", "pilox-registry-record-v1").put("handle", handle)
                .put("updatedAt", "2026-12-01T00:00:00Z").put("agentCardUrl", cardUrl);
        record.putArray("capabilities").add(tag);
        return record;
    }

    /** Signs as the compatible product; a tampered one is signed over another handle. */
    private static void sign(ObjectNode record, KeyPair key, boolean tampered) throws GeneralSecurityException {
        byte[] encoded = key.getPublic().getEncoded();
        String publicKeyHex = java.util.HexFormat.of().formatHex(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
        record.putObject("publicKeys").putArray("ed25519").addObject().put("kid", "k1").put("publicKeyHex", publicKeyHex);
        String message = "{\"agentCardUrl\":\"%s\",\"handle\":\"%s\",\"schema\":\"pilox-registry-record-v1\",\"updatedAt\":\"%s\"}"
                .formatted(record.get("agentCardUrl").stringValue(),
                        record.get("handle").stringValue() + (tampered ? "x" : ""), record.get("updatedAt").stringValue());
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key.getPrivate());
        signer.update(message.getBytes(StandardCharsets.UTF_8));
        record.putObject("proof").put("type", RecordProofs.PROOF_TYPE).put("signer", "did:web:proofs.example.org")
                .put("signingKid", "k1").put("sigHex", java.util.HexFormat.of().formatHex(signer.sign()))
                // a registry's own claim, never served
                .put("status", "valid");
    }

    @Test
    void everyAgentAnswersItsProof() {
        JsonNode body = get("/api/marketplace?limit=200").body();
        assertThat(body.get("data")).hasSize(40);
        Set<String> seen = new HashSet<>();
        for (JsonNode agent : body.get("data")) {
            String handle = agent.get("handle").asString();
            JsonNode proof = agent.get("proof");
            String status = expected.get(handle);
            assertThat(proof.get("status").asString()).as(handle).isEqualTo(status);
            switch (status) {
                case "valid" -> {
                    assertThat(proof.get("reason").isNull()).isTrue();
                    assertThat(proof.get("signingKid").asString()).isEqualTo("k1");
                    assertThat(proof.get("type").asString()).isEqualTo(RecordProofs.PROOF_TYPE);
                }
                case "invalid" -> {
                    assertThat(proof.get("reason").asString()).isEqualTo("signature does not verify");
                    assertThat(proof.get("signingKid").asString()).isEqualTo("k1");
                }
                case "unsigned" -> {
                    assertThat(proof.get("reason").isNull()).isTrue();
                    assertThat(proof.get("signingKid").isNull()).isTrue();
                }
                default -> {
                    // stored before proofs were checked, with a registry's claim of "valid": served as none
                    assertThat(proof.get("reason").asString()).isEqualTo(RecordProof.NOT_CHECKED);
                    assertThat(proof.get("signingKid").isNull()).isTrue();
                    assertThat(proof.get("sigHex").isString()).isTrue();
                }
            }
            seen.add(status);
        }
        assertThat(seen).containsExactlyInAnyOrder("valid", "invalid", "unsigned", "none");
    }

    @Test
    void verifiedTrueReturnsExactlyTheValidOnesWithEveryFilter() {
        assertThat(handles("/api/marketplace?limit=200&verified=true")).isEqualTo(expectedValid(h -> true));
        assertThat(get("/api/marketplace?limit=200&verified=true").body().get("total").asLong()).isEqualTo(20);
        assertThat(handles("/api/marketplace?limit=200&verified=false")).hasSize(40);
        assertThat(handles("/api/marketplace?limit=200&verified=true&sort=handle")).isEqualTo(expectedValid(h -> true));
        assertThat(handles("/api/marketplace?limit=200&verified=true&tags=finance"))
                .isEqualTo(expectedValid(h -> Integer.parseInt(h.substring(6, 8)) % 3 == 0));
        assertThat(handles("/api/marketplace?limit=200&verified=true&q=.alpha"))
                .isEqualTo(expectedValid(h -> h.endsWith(".alpha")));
        assertThat(handles("/api/marketplace?limit=200&verified=true&registryUrl=" + ALPHA_URL))
                .isEqualTo(expectedValid(h -> h.endsWith(".alpha")));
        JsonNode alphaVerified = get("/api/marketplace?limit=200&verified=true&registryUrl=" + ALPHA_URL).body();
        assertThat(alphaVerified.get("total").asLong()).isEqualTo(expectedValid(h -> h.endsWith(".alpha")).size());
    }

    @Test
    void verifiedPagesByOffsetAndByCursorWithoutOverlapOrGap() {
        List<String> all = handles("/api/marketplace?limit=200&verified=true&sort=handle");
        List<String> byOffset = new ArrayList<>();
        for (int offset = 0; offset < all.size(); offset += 6) {
            byOffset.addAll(handles("/api/marketplace?limit=6&verified=true&sort=handle&offset=" + offset));
        }
        assertThat(byOffset).isEqualTo(all);
        List<String> byCursor = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode body = get("/api/marketplace?limit=7&verified=true" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            body.get("data").forEach(a -> byCursor.add(a.get("handle").asString()));
            JsonNode next = body.get("meta").get("nextCursor");
            cursor = next == null || next.isNull() ? null : next.asString();
        } while (cursor != null);
        assertThat(byCursor).isEqualTo(handles("/api/marketplace?limit=200&verified=true"));
        // a cursor of the verified pages is not one of the unfiltered catalog
        String verifiedCursor = get("/api/marketplace?limit=7&verified=true").body().get("meta").get("nextCursor").asString();
        assertThat(get("/api/marketplace?limit=7&cursor=" + verifiedCursor).status()).isEqualTo(400);
    }

    @Test
    void aBadVerifiedValueIsA400WithItsReason() {
        // the tag facets take the same filter, validated the same way
        for (String path : List.of("/api/marketplace?verified=", "/api/marketplace/tags?verified=")) {
            for (String bad : List.of("yes", "1", "TRUE", "only")) {
                Answer answer = get(path + bad);
                assertThat(answer.status()).as(path + bad).isEqualTo(400);
                assertThat(answer.raw().body()).contains("verified must be 'true' or 'false'");
            }
        }
    }

    /**
     * The facets count what the catalog lists under the same filters, verified=true included, and an
     * answer cached without verified is never served for it (nor its ETag accepted).
     */
    @Test
    void tagFacetsUnderVerifiedTrueCountOnlyTheValidOnes() {
        newGeneration(generation); // nothing of this test cached yet
        Answer all = get("/api/marketplace/tags");
        assertThat(counts(all.body())).isEqualTo(Map.of("finance", 14L, "search", 26L));
        assertThat(counts(get("/api/marketplace/tags?verified=false").body())).isEqualTo(Map.of("finance", 14L, "search", 26L));
        Answer cached = get("/api/marketplace/tags");
        assertThat(cached.body().get("meta").get("cache").asString()).isEqualTo("hit");
        String unverifiedEtag = cached.raw().headers().firstValue("ETag").orElseThrow();

        Answer verified = get("/api/marketplace/tags?verified=true", "If-None-Match", unverifiedEtag);
        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.body().get("meta").get("cache").asString()).isEqualTo("miss");
        assertThat(counts(verified.body())).isEqualTo(Map.of("finance", 7L, "search", 13L));
        assertThat(counts(verified.body())).isEqualTo(Map.of(
                "finance", (long) expectedValid(h -> Integer.parseInt(h.substring(6, 8)) % 3 == 0).size(),
                "search", (long) expectedValid(h -> Integer.parseInt(h.substring(6, 8)) % 3 != 0).size()));
        assertThat(verified.body().get("meta").get("filtersApplied").get(0).asString()).isEqualTo("verified");
        assertThat(verified.body().get("meta").get("exact").asBoolean()).isTrue();
        assertThat(get("/api/marketplace/tags?verified=true").body().get("meta").get("cache").asString()).isEqualTo("hit");
        // each chip's count is the total the catalog answers when the chip is chosen
        for (String tag : List.of("finance", "search")) {
            assertThat(get("/api/marketplace?limit=1&verified=true&tags=" + tag).body().get("total").asLong()).as(tag)
                    .isEqualTo(counts(verified.body()).get(tag));
        }
        assertThat(counts(get("/api/marketplace/tags?verified=true&registryUrl=" + ALPHA_URL).body())).isEqualTo(Map.of(
                "finance", (long) expectedValid(h -> h.endsWith(".alpha") && Integer.parseInt(h.substring(6, 8)) % 3 == 0).size(),
                "search", (long) expectedValid(h -> h.endsWith(".alpha") && Integer.parseInt(h.substring(6, 8)) % 3 != 0).size()));
    }

    @Test
    void theDetailAndTheChangesFeedServeTheSameProof() {
        String valid = expected.entrySet().stream().filter(e -> e.getValue().equals("valid") && e.getKey().endsWith(".alpha"))
                .map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        // every "none" agent is in beta (odd numbers)
        String none = expected.entrySet().stream().filter(e -> e.getValue().equals("none"))
                .map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        JsonNode detail = get("/api/marketplace/" + alpha + "/" + valid).body();
        assertThat(detail.get("data").get("proof").get("status").asString()).isEqualTo("valid");
        assertThat(detail.get("data").get("proof").get("signingKid").asString()).isEqualTo("k1");
        assertThat(get("/api/marketplace/" + beta + "/" + none).body().get("data").get("proof").get("status").asString())
                .isEqualTo("none");

        Map<String, String> fed = new HashMap<>();
        for (JsonNode change : get("/api/marketplace/changes?limit=1000").body().get("data")) {
            if (!change.get("change").asString().equals("upsert")) {
                continue;
            }
            fed.put(change.get("handle").asString(), change.get("agent").get("proof").get("status").asString());
        }
        assertThat(fed).isEqualTo(expected);
    }

    private List<String> handles(String path) {
        Answer answer = get(path);
        assertThat(answer.status()).as(path).isEqualTo(200);
        List<String> handles = new ArrayList<>();
        answer.body().get("data").forEach(a -> handles.add(a.get("handle").asString()));
        return handles;
    }

    /** The valid handles matching a condition, in name order (names "Agent NN" sort as their handles do). */
    private List<String> expectedValid(java.util.function.Predicate<String> condition) {
        return expected.entrySet().stream()
                .filter(e -> e.getValue().equals("valid") && condition.test(e.getKey()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }
}
