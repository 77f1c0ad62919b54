package io.marketplaceindex.bench.read;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RecordProofs;
import io.marketplaceindex.agent.RegistryRef;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Generates one agent the way the index gets it: a registry record and its Agent Card, merged by the
 * real {@link AgentNormalizer}, with the record proof's verdict ({@link RecordProofs#verify}) and the
 * extracted columns computed by {@link AgentIndexFields#of} exactly as the worker computes them.
 * Deterministic: (seed, registry, position) always gives the same agent, whichever thread generates it.
 */
final class AgentFactory {

    /** Tag ranks: the most frequent tag is in about 54 % of agents, the rarest in about 0.24 % (1–6 tags each). */
    static final Zipf TAG_RANKS = new Zipf(Vocabulary.TAGS.size(), 1.1);
    /** Description word ranks over 20,000 words: "data" is in about half the agents, a tail word in a few dozen per million. */
    static final Zipf WORD_RANKS = new Zipf(Vocabulary.WORDS.size(), 1.0);
    /** Zipf-drawn words per description. */
    static final int DESCRIPTION_WORDS = 6;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The worker writes the agent with Spring's default mapper; compact JSON is what that produces. */
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");
    private static final AgentNormalizer NORMALIZER = new AgentNormalizer();

    /** A registry of the generated catalog. */
    record Registry(int index, UUID id, String name, String url, String host, int size) {
        RegistryRef ref() {
            return new RegistryRef(id.toString(), name, url);
        }
    }

    /** One row of marketplace_catalog_rows, as the worker would write it. */
    record Row(String handle, String agentJson, AgentIndexFields fields) {
    }

    private final long seed;

    AgentFactory(long seed) {
        this.seed = seed;
    }

    /**
     * About 200 registries whose sizes fall off like 1/rank^0.9: the largest holds about 13 % of the
     * catalog, the smallest about 0.1 %.
     */
    static List<Registry> registries(long seed, int count, long totalRows) {
        double[] weights = new double[count];
        double sum = 0;
        for (int i = 0; i < count; i++) {
            weights[i] = 1.0 / Math.pow(i + 1, 0.9);
            sum += weights[i];
        }
        long assigned = 0;
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = (int) Math.floor(totalRows * weights[i] / sum);
            assigned += sizes[i];
        }
        for (int i = 0; assigned < totalRows; i = (i + 1) % count) {
            sizes[i]++;
            assigned++;
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Registry> registries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String org = Vocabulary.ORGANIZATIONS.get(i % Vocabulary.ORGANIZATIONS.size());
            String host = "r" + String.format(Locale.ROOT, "%03d", i) + "." + slug(org) + ".example";
            // some registries live under a path, as hosted registries do
            String url = "https://" + host + (random.nextInt(3) == 0 ? "/registry/v1" : "");
            UUID id = UUID.nameUUIDFromBytes(("mi-bench-read-registry-" + seed + "-" + i).getBytes());
            registries.add(new Registry(i, id, org + " registry " + (i + 1), url, host, sizes[i]));
        }
        return registries;
    }

    Row row(Registry registry, int position) {
        SplittableRandom random = new SplittableRandom(mix(seed, registry.index(), position));
        String name = name(random);
        String handle = handle(random, registry, name, position);
        List<String> tags = tags(random);

        int capabilityCount = (tags.size() + 1) / 2;
        ObjectNode record = record(random, registry, name, handle, tags, capabilityCount);
        ObjectNode card = card(random, registry, name, handle, tags, capabilityCount,
                (ArrayNode) record.get("capabilities"));

        ObjectNode agent = NORMALIZER.normalize(record, card, registry.ref())
                .orElseThrow(() -> new IllegalStateException("generated record was refused: " + handle));
        // the verdict on the record's proof, in the agent and its proof_status, as the worker writes every row
        // (a row without proof_status is served through a jsonb_set: only rows indexed before proofs were checked)
        RecordProofs.verify(record).writeTo(agent);
        return new Row(handle, JSON.writeValueAsString(agent), AgentIndexFields.of(agent));
    }

    /** The registry's record of the agent (what a record URL answers). */
    private static ObjectNode record(SplittableRandom random, Registry registry, String name, String handle,
                                     List<String> tags, int capabilityCount) {
        ObjectNode record = NODES.objectNode();
        record.put("schema", random.nextInt(4) == 0 ? "pilox-registry-record-v1" : "hive-registry-record-v1");
        record.put("handle", handle);
        Instant published = EPOCH.plusSeconds(random.nextLong(200L * 24 * 3600));
        Instant updated = published.plusSeconds(random.nextLong(70L * 24 * 3600));
        record.put("updatedAt", updated.toString());
        record.put("agentCardUrl", "https://cards." + registry.host() + "/a/" + handle + ".json");
        ArrayNode capabilities = record.putArray("capabilities");
        tags.subList(0, capabilityCount).forEach(capabilities::add);
        if (random.nextInt(10) < 7) {
            record.put("version", "1." + random.nextInt(20) + "." + random.nextInt(10));
        }
        if (random.nextInt(10) < 6) {
            record.put("publishedAt", published.toString());
        }
        if (random.nextInt(10) < 3) {
            record.put("documentationUrl", "https://docs." + registry.host() + "/" + handle);
        }
        if (random.nextInt(10) < 2) {
            record.put("sourceUrl", "https://git.example/" + slug(name) + "/" + handle);
        }
        if (random.nextInt(100) < 35) {
            ObjectNode pricing = record.putObject("pricing");
            pricing.put("currency", random.nextBoolean() ? "USD" : "EUR");
            pricing.put("label", random.nextBoolean() ? "pay as you go" : "per 1M tokens");
            pricing.put("inputTokensPerMillion", random.nextInt(1, 400) / 100.0);
            pricing.put("outputTokensPerMillion", random.nextInt(1, 1600) / 100.0);
        }
        if (random.nextBoolean()) {
            record.putArray("inputModalities").add("text");
            ArrayNode output = record.putArray("outputModalities").add("text");
            if (random.nextInt(4) == 0) {
                output.add("image");
            }
        }
        return record;
    }

    /** Its agent card, or null for the few whose card could not be fetched (their tags go to the record). */
    private ObjectNode card(SplittableRandom random, Registry registry, String name, String handle, List<String> tags,
                            int capabilityCount, ArrayNode capabilities) {
        if (random.nextInt(100) < 2) { // 2 % of cards could not be fetched: record-only agents
            // without a card, the skills' tags are lost: the record's capabilities are all the tags
            tags.subList(capabilityCount, tags.size()).forEach(capabilities::add);
            return null;
        }
        ObjectNode card = NODES.objectNode();
        card.put("name", random.nextInt(200) < 3 ? " " : name); // 1.5 %: blank name, falls back to the handle
        if (random.nextInt(100) >= 5) {
            card.put("description", description(random, name));
        }
        if (random.nextBoolean()) {
            card.put("iconUrl", "https://cdn." + registry.host() + "/icons/" + handle + ".png");
        }
        if (random.nextInt(100) < 85) {
            card.putObject("provider").put("organization",
                    Vocabulary.ORGANIZATIONS.get(random.nextInt(Vocabulary.ORGANIZATIONS.size())));
        }
        card.put("protocolVersion", "0.3.0");
        if (random.nextInt(10) < 8) {
            card.put("url", "https://rpc." + registry.host() + "/a/" + handle);
        }
        card.putObject("capabilities").put("streaming", random.nextBoolean());
        ArrayNode skills = card.putArray("skills");
        int skillCount = 1 + random.nextInt(3);
        for (int s = 0; s < skillCount; s++) {
            ObjectNode skill = skills.addObject();
            String skillTag = tags.get(random.nextInt(tags.size()));
            skill.put("id", slug(skillTag) + "-" + s);
            skill.put("name", capitalize(Vocabulary.VERBS.get(random.nextInt(Vocabulary.VERBS.size()))) + " " + skillTag);
            skill.put("description", "Handles " + word(random) + " " + skillTag + " requests.");
            ArrayNode skillTags = skill.putArray("tags");
            // the tags the record did not list come from the skills; a skill may repeat a capability
            for (int t = capabilityCount + s; t < tags.size(); t += skillCount) {
                skillTags.add(tags.get(t));
            }
            skillTags.add(skillTag);
        }
        return card;
    }

    private static String name(SplittableRandom random) {
        int kind = random.nextInt(100);
        String adjective = pick(random, Vocabulary.ADJECTIVES);
        String noun = pick(random, Vocabulary.NOUNS);
        if (kind < 33) {
            return adjective + " " + noun;
        } else if (kind < 48) {
            return pick(random, Vocabulary.ACCENTED) + " " + noun;
        } else if (kind < 58) {
            return adjective.toLowerCase(Locale.ROOT) + "-" + noun.toLowerCase(Locale.ROOT) + "-bot";
        } else if (kind < 68) {
            return noun.toUpperCase(Locale.ROOT) + " " + (1 + random.nextInt(99));
        } else if (kind < 84) {
            return pick(random, Vocabulary.ORGANIZATIONS) + " " + capitalize(Vocabulary.TAGS.get(TAG_RANKS.next(random)))
                    + " Agent";
        } else if (kind < 97) {
            return pick(random, Vocabulary.COMMON_NAMES);
        } else {
            return pick(random, Vocabulary.NON_LATIN);
        }
    }

    private static String handle(SplittableRandom random, Registry registry, String name, int position) {
        String serial = Integer.toString(position, 36);
        String slug = slug(name);
        if (slug.isEmpty()) {
            slug = "agent";
        }
        if (random.nextInt(100) < 12) {
            return "did:web:" + registry.host() + ":agents:" + slug + "-" + serial;
        }
        return slug + "-" + "0000".substring(Math.min(4, serial.length())) + serial;
    }

    /** 1 to 6 distinct tags, Zipf-distributed over the 200-tag vocabulary. */
    private static List<String> tags(SplittableRandom random) {
        int count = 1 + random.nextInt(6);
        Set<String> tags = new LinkedHashSet<>();
        for (int tries = 0; tags.size() < count && tries < 40; tries++) {
            tags.add(Vocabulary.TAGS.get(TAG_RANKS.next(random)));
        }
        return new ArrayList<>(tags);
    }

    private static String description(SplittableRandom random, String name) {
        return name + " " + pick(random, Vocabulary.VERBS) + " " + word(random) + " " + word(random) + " for "
                + pick(random, Vocabulary.AUDIENCES) + ". Handles " + word(random) + ", " + word(random) + " and "
                + word(random) + " " + word(random) + ".";
    }

    static String word(SplittableRandom random) {
        return Vocabulary.WORDS.get(WORD_RANKS.next(random));
    }

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    static String slug(String text) {
        String ascii = Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        return ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    }

    private static long mix(long seed, int registry, int position) {
        long z = seed * 0x9E3779B97F4A7C15L + registry * 0xC2B2AE3D27D4EB4FL + position * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
