package io.marketplaceindex.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Derives an agent's content from (registry seed, agent key, revision) alone, so a million agents
 * cost no memory until asked for and the same seed always yields the same catalog.
 */
final class AgentGenerator {

    /** Tags of both record capabilities and card skills; small enough that facets have real counts. */
    static final List<String> VOCABULARY = List.of(
            "search", "translation", "finance", "code-review", "summarization", "legal", "medical",
            "travel", "weather", "scheduling", "email", "sales", "support", "analytics",
            "data-extraction", "image-generation", "speech", "music", "education", "research",
            "security", "devops", "testing", "documentation", "marketing", "seo", "recruiting",
            "accounting", "compliance", "logistics", "shopping", "news", "sports", "gaming",
            "chemistry", "math", "writing", "planning", "crm", "monitoring");

    /** Shared by every registry: gives exact duplicate names within and across registries. */
    private static final List<String> COMMON_NAMES = List.of(
            "Café Agent", "Search Agent", "Translator", "Research Assistant", "Code Reviewer",
            "Support Bot", "Data Wrangler", "Travel Planner");

    private static final List<String> ADJECTIVES = List.of(
            "Swift", "Quiet", "Bright", "Clever", "Nimble", "Lucid", "Brave", "Calm", "Eager",
            "Gentle", "Jolly", "Keen", "Lively", "Mighty", "Noble", "Proud", "Rapid", "Sharp",
            "Silent", "Witty", "Amber", "Cobalt", "Crimson", "Golden", "Silver", "Azure");

    private static final List<String> NOUNS = List.of(
            "Falcon", "Otter", "Scout", "Pilot", "Scribe", "Oracle", "Navigator", "Analyst",
            "Courier", "Ranger", "Sage", "Harbor", "Beacon", "Compass", "Lantern", "Atlas", "Quill",
            "Sentinel", "Weaver", "Tinker");

    private static final List<String> ACCENTED = List.of(
            "Café", "Élan", "Señor", "Zoë", "Müller", "Ångström", "Crème", "Naïve", "Façade",
            "Jalapeño", "Smørrebrød", "Déjà Vu");

    private static final List<String> ORGANIZATIONS = List.of(
            "Acme Labs", "Globex", "Initech", "Umbrella AI", "Stark Industries", "Wayne Analytics",
            "Hooli", "Pied Piper", "Vandelay Industries", "Soylent", "Cyberdyne", "Tyrell Corp",
            "Wonka Data", "Aperture Science", "Black Mesa", "Oscorp", "Massive Dynamic",
            "Gringotts Fintech", "Łódź Software", "Société Générale d'Agents");

    private static final List<List<String>> MODALITIES = List.of(
            List.of("text"), List.of("text"), List.of("text", "image"), List.of("text", "audio"),
            List.of("text", "file"));

    private static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");
    private static final long SPREAD_SECONDS = 270L * 24 * 3600;
    /** Each revision moves updatedAt a full hour, so Last-Modified never repeats within a second. */
    private static final long REVISION_STEP_SECONDS = 3600;

    private AgentGenerator() {
    }

    record Skill(String id, String name, String description, List<String> tags) {
    }

    record Pricing(String currency, String label, double inputTokensPerMillion, double outputTokensPerMillion) {
    }

    /**
     * @param pricing     null for agents without pricing
     * @param aliasFields publish documentationUrl/version under their aliases docsUrl/revision
     */
    record Content(
            String name, String description, List<String> capabilities, List<Skill> skills,
            String author, String version, Instant updatedAt, Instant publishedAt, Pricing pricing,
            List<String> inputModalities, List<String> outputModalities, boolean streaming,
            boolean aliasFields) {

        List<String> tags() {
            LinkedHashSet<String> all = new LinkedHashSet<>(capabilities);
            skills.forEach(s -> all.addAll(s.tags()));
            return List.copyOf(all);
        }

        Content withExtraCapabilities(List<String> extra) {
            List<String> all = new java.util.ArrayList<>(capabilities);
            all.addAll(extra);
            return new Content(name, description, List.copyOf(all), skills, author, version, updatedAt,
                    publishedAt, pricing, inputModalities, outputModalities, streaming, aliasFields);
        }

        Content withName(String newName) {
            return new Content(newName, description, capabilities, skills, author, version, updatedAt,
                    publishedAt, pricing, inputModalities, outputModalities, streaming, aliasFields);
        }
    }

    /** Registries with the same seed but different names must not publish the same catalog. */
    static long registrySeed(long seed, String registryName) {
        return mix(seed ^ mix(hash(registryName)));
    }

    /** Keys of added agents live far above generated indexes so the two never collide. */
    static long keyForAddedHandle(String handle) {
        return (1L << 62) | (hash(handle) >>> 2);
    }

    static Content content(long registrySeed, long key, int revision) {
        long h = mix(registrySeed + mix(key));
        // Name, author and dates are stable across revisions; tags, text and version move.
        String name = name(h);
        String author = pick(ORGANIZATIONS, mix(h + 1));
        Instant base = EPOCH.plusSeconds(Math.floorMod(mix(h + 2), SPREAD_SECONDS));
        Instant publishedAt = base.minusSeconds(Math.floorMod(mix(h + 3), 365L * 24 * 3600));
        Instant updatedAt = base.plusSeconds(REVISION_STEP_SECONDS * revision);

        long r = mix(h + 1000L * (revision + 1));
        List<String> capabilities = distinctTags(r, 1 + (int) Math.floorMod(mix(r + 1), 3L));
        int skillCount = 1 + (int) Math.floorMod(mix(r + 2), 2L);
        List<Skill> skills = new ArrayList<>(skillCount);
        for (int i = 0; i < skillCount; i++) {
            long s = mix(r + 10 + i);
            List<String> skillTags = distinctTags(s, 1 + (int) Math.floorMod(mix(s + 1), 2L));
            String main = skillTags.get(0);
            skills.add(new Skill(
                    "skill-" + i + "-" + main,
                    capitalize(main.replace('-', ' ')) + " " + pick(List.of("helper", "expert", "pipeline", "desk"), s),
                    "Handles " + String.join(" and ", skillTags) + " requests.",
                    skillTags));
        }
        String description = pick(ADJECTIVES, r + 20) + " agent for " + String.join(", ", capabilities)
                + (revision == 0 ? "." : " (revision " + revision + ").");
        String version = "1." + Math.floorMod(mix(h + 4), 20L) + "." + revision;
        Pricing pricing = Math.floorMod(mix(h + 5), 3L) == 0
                ? new Pricing("USD", pick(List.of("pay-as-you-go", "standard", "pro"), mix(h + 6)),
                        Math.floorMod(mix(h + 7), 2000L) / 100.0, Math.floorMod(mix(h + 8), 6000L) / 100.0)
                : null;
        return new Content(name, description, capabilities, List.copyOf(skills), author, version,
                updatedAt, publishedAt, pricing,
                pick(MODALITIES, mix(h + 9)), pick(MODALITIES, mix(h + 10)),
                Math.floorMod(mix(h + 11), 2L) == 0,
                Math.floorMod(mix(h + 12), 10L) == 0);
    }

    /** Varied on purpose: case, accents, '%' and '_' (LIKE wildcards), exact duplicates. */
    private static String name(long h) {
        int bucket = (int) Math.floorMod(h, 100L);
        String adj = pick(ADJECTIVES, mix(h + 100));
        String noun = pick(NOUNS, mix(h + 101));
        int n = 1 + (int) Math.floorMod(mix(h + 102), 999L);
        if (bucket < 10) {
            return pick(COMMON_NAMES, mix(h + 103));
        } else if (bucket < 15) {
            return (bucket % 2 == 0) ? n % 100 + "% " + adj + " " + noun : noun + " 100% Uptime";
        } else if (bucket < 20) {
            return (adj + "_" + noun + "_" + n).toLowerCase(Locale.ROOT);
        } else if (bucket < 30) {
            return pick(ACCENTED, mix(h + 104)) + " " + noun;
        } else if (bucket < 40) {
            return (adj + " " + noun + " " + n).toLowerCase(Locale.ROOT);
        } else if (bucket < 45) {
            return (adj + "-" + noun).toUpperCase(Locale.ROOT);
        }
        return adj + " " + noun + " " + n;
    }

    private static List<String> distinctTags(long seed, int count) {
        LinkedHashSet<String> tags = new LinkedHashSet<>();
        for (int i = 0; tags.size() < count; i++) {
            tags.add(pick(VOCABULARY, mix(seed + 31L * i)));
        }
        return List.copyOf(tags);
    }

    private static <T> T pick(List<T> values, long h) {
        return values.get((int) Math.floorMod(h, (long) values.size()));
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** SplitMix64's finalizer: cheap, and neighbouring inputs give unrelated outputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** FNV-1a over UTF-8: stable across JVMs, unlike String.hashCode's spread. */
    static long hash(String s) {
        return hash(s.getBytes(StandardCharsets.UTF_8));
    }

    static long hash(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }
}
