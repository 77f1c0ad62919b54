package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differential test of the catalog query: hundreds of random parameter combinations against an
 * in-memory reference that implements the compatible semantics the plain way (filter a list, sort
 * it, slice it). The catalog is generated to hit what SQL tends to get wrong: case collisions,
 * accents and other non-ASCII text (byte order, not UTF-16 order), LIKE wildcards and escapes,
 * duplicate names and handles, names falling back to handles, shared and rare tags. The needles include
 * what the trigram index cannot narrow: one or two characters, spaces and punctuation, Cyrillic, CJK,
 * accents (precomposed and combining) and emoji.
 *
 * <p>The seed is random per run and printed in every failure; rerun one with
 * {@code -Dcatalog.oracle.seed=<seed>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogOracleIT extends ApiTestSupport {

    static final int COMBINATIONS = 400;
    static final int WALK_EVERY = 8;

    private static final List<String> REGISTRY_URLS = List.of(
            "https://reg-a.example.org",
            "https://reg-b.example.org/registry",
            "http://reg-c.example.org:8080/v2/hub",
            "https://reg-d.example.org/a%20b",
            "https://reg-e.example.org/under_score");

    /** Name parts: case collisions, accents, scripts whose UTF-8 and UTF-16 orders differ, wildcards. */
    private static final List<String> NAME_WORDS = List.of(
            "alpha", "Alpha", "ALPHA", "Café", "café", "CAFÉ", "cafe", "naïve", "Ångström", "Straße", "STRASSE",
            "İstanbul", "istanbul", "ΟΔΟΣ", "οδος", "Ωmega", "日本語エージェント", "😀 Smiley", "\uFF21 fullwidth",
            "\uE000 private", "100% Safe", "100 percent", "safe_agent", "safeXagent", "back\\slash", "back/slash",
            "a%b_c\\d", "  padded  ", "Zeta", "zeta", "_underscore first", "%percent first", "comma, name",
            "quote \" name", "O'Brien", "tab\tname", "unit\u001fseparator", "zz", "Zz", "ZZ",
            // other scripts and symbols that short and multi-word needles aim at
            "Привет агент", "ПРИВЕТ", "ёж Ёлка", "搜索代理", "翻译助手", "Ça va", "Ñandú", "🚀 Rocket", "👍🏽 thumbs",
            "dot.name", "hyphen-ated", "x.y-z", "Cafe\u0301 decomposed");

    private static final List<String> DESCRIPTIONS = List.of(
            "Handles 100% of cases", "uses snake_case names", "path C:\\temp\\x", "Ünïcödé text",
            "Translates ALPHA to omega", "a_b%c", "nothing special", "Straße und Café", "\\%_ literal",
            "emoji 😀 inside", "plain", "поиск по каталогу", "代理搜索 工具", "searches the web for you",
            "Crème brûlée recipes", "rocket 🚀🚀 launch");

    private static final List<String> AUTHORS = List.of("Acme", "ACME", "acme", "Bêta Labs", "100% Co", "_Under Co",
            "Back\\Slash Inc");

    private static final List<String> SHARED_TAGS = List.of("search", "Search", "SEARCH", "translation", "finance",
            "code-review", "ml_ops", "100%", "back\\tag", "a,b", "café", "naïve", " spaced ", "日本",
            "поиск", "搜索", "émoji-😀");

    @Autowired
    CatalogGeneration generation;

    @Autowired
    SubstringNarrowing narrowing;

    private long seed;
    private final List<Ref> reference = new ArrayList<>();
    private final List<String> searchPool = new ArrayList<>();
    private final List<String> tagPool = new ArrayList<>();

    /** One agent as the reference sees it. */
    private record Ref(String registryId, String registryUrl, String handle, String name, String description,
                       String author, List<String> tags) {
        String key() {
            return registryId + "/" + handle;
        }

        String sortName() {
            return (name == null ? handle : name).toLowerCase(Locale.ROOT);
        }
    }

    @BeforeAll
    void seed() {
        String fixed = System.getProperty("catalog.oracle.seed");
        seed = fixed == null || fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed.trim());
        System.out.println("CatalogOracleIT seed: " + seed);
        Random random = new Random(seed);
        AgentNormalizer normalizer = new AgentNormalizer();
        // Handles that recur in several registries (the same agent listed twice, or a name clash).
        List<String> sharedHandles = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            sharedHandles.add(handle(random, i));
        }
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            int rare = 0;
            for (int r = 0; r < REGISTRY_URLS.size(); r++) {
                String url = REGISTRY_URLS.get(r);
                String registryName = "Registry " + (char) ('A' + r);
                UUID registryId = seeder.registry(registryName, url);
                RegistryRef ref = new RegistryRef(registryId.toString(), registryName, url);
                int count = 400 + random.nextInt(400);
                Set<String> handles = new LinkedHashSet<>();
                while (handles.size() < count) {
                    handles.add(random.nextInt(5) == 0 ? sharedHandles.get(random.nextInt(sharedHandles.size()))
                            : handle(random, 1000 + random.nextInt(1_000_000)));
                }
                List<ObjectNode> agents = new ArrayList<>();
                for (String handle : handles) {
                    ObjectNode record = JSON.createObjectNode()
                            .put("schema", "hive-registry-record-v1").put("handle", handle)
                            .put("updatedAt", "2026-11-01T00:00:00Z")
                            .put("agentCardUrl", url + "/cards/" + URLEncoder.encode(handle, StandardCharsets.UTF_8));
                    ArrayNode capabilities = record.putArray("capabilities");
                    for (int t = random.nextInt(3); t > 0; t--) {
                        capabilities.add(pick(random, SHARED_TAGS));
                    }
                    if (random.nextInt(10) == 0) {
                        capabilities.add("rare-" + (rare++));
                    }
                    ObjectNode card = card(random);
                    ObjectNode agent = normalizer.normalize(record, card, ref).orElseThrow();
                    agents.add(agent);
                    reference.add(toRef(agent));
                }
                seeder.agents(registryId, agents);
            }
        }
        generation.poll();
        // trigram frequencies of these rows, so that long needles are searched by their rarest window
        narrowing.refresh();
        for (Ref ref : reference) {
            ref.tags().forEach(tagPool::add);
            searchPool.add(ref.handle());
            if (ref.name() != null) {
                searchPool.add(ref.name());
            }
            if (ref.description() != null) {
                searchPool.add(ref.description());
            }
            if (ref.author() != null) {
                searchPool.add(ref.author());
            }
        }
    }

    private static String handle(Random random, int n) {
        switch (random.nextInt(8)) {
            case 0:
                return "org/agent-" + n;
            case 1:
                return "café-bot-" + n;
            case 2:
                return "Agent_" + n + "%x";
            case 3:
                return "back\\slash-" + n;
            case 4:
                return "ALPHA-" + n;
            case 5:
                return "alpha " + n;
            default:
                return "agent-" + n;
        }
    }

    /** A card, or null (the record-only agent whose name is its handle). */
    private ObjectNode card(Random random) {
        if (random.nextInt(20) == 0) {
            return null;
        }
        ObjectNode card = JSON.createObjectNode();
        int nameKind = random.nextInt(20);
        if (nameKind == 0) {
            card.put("name", random.nextBoolean() ? "" : "\u00a0 ");
        } else if (nameKind > 2) {
            String name = pick(random, NAME_WORDS);
            if (random.nextBoolean()) {
                name = name + " " + pick(random, NAME_WORDS);
            }
            if (random.nextInt(3) == 0) {
                name = name + " " + random.nextInt(50);
            }
            card.put("name", name);
        }
        if (random.nextInt(4) != 0) {
            card.put("description", pick(random, DESCRIPTIONS) + (random.nextBoolean() ? "" : " #" + random.nextInt(100)));
        }
        if (random.nextInt(3) != 0) {
            card.putObject("provider").put("organization", pick(random, AUTHORS));
        }
        if (random.nextInt(3) == 0) {
            ObjectNode skill = card.putArray("skills").addObject().put("id", "s1").put("name", "Skill");
            ArrayNode tags = skill.putArray("tags");
            for (int t = 1 + random.nextInt(2); t > 0; t--) {
                tags.add(pick(random, SHARED_TAGS));
            }
        }
        return card;
    }

    private static Ref toRef(JsonNode agent) {
        List<String> tags = new ArrayList<>();
        agent.get("tags").forEach(t -> tags.add(t.stringValue()));
        return new Ref(agent.get("registryId").stringValue(), agent.get("registryUrl").stringValue(),
                agent.get("handle").stringValue(), text(agent, "name"), text(agent, "description"),
                text(agent, "author"), tags);
    }

    private static String text(JsonNode agent, String field) {
        JsonNode value = agent.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    // ---------------------------------------------------------------- the reference implementation

    /** Request parameters exactly as sent; null means absent. */
    /** The filter's total once counted: asked with other limits, so that no cached estimate answers. */
    private long exactTotalLater(Params params, String context) throws InterruptedException {
        for (int limit = 1; limit <= 40; limit++) {
            JsonNode body = get("/api/marketplace?" + new Params(String.valueOf(limit), params.offset(), params.sort(),
                    params.q(), params.tags(), params.registryUrl()).query()).body();
            if (body.get("meta").get("totalExact").asBoolean()) {
                return body.get("total").asLong();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(context + ": no exact total after 10 s");
    }

    private record Params(String limit, String offset, String sort, String q, String tags, String registryUrl) {
        String query() {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("limit", limit);
            values.put("offset", offset);
            values.put("sort", sort);
            values.put("q", q);
            values.put("tags", tags);
            values.put("registryUrl", registryUrl);
            return values.entrySet().stream().filter(e -> e.getValue() != null)
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
        }
    }

    private record Expected(List<String> keys, int limit, int offset, List<String> all) {
    }

    private Expected expect(Params p) {
        int limit = p.limit() == null ? 50 : (int) Math.min(200, Long.parseLong(p.limit()));
        int offset = p.offset() == null ? 0 : Integer.parseInt(p.offset());
        boolean byHandle = "handle".equals(p.sort());
        String q = p.q() == null ? "" : p.q().trim();
        String needle = AgentIndexFields.searchNeedle(q);
        Set<String> tags = p.tags() == null ? Set.of() : Arrays.stream(p.tags().split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).collect(Collectors.toSet());
        String url = p.registryUrl() == null ? null : stripSlashes(p.registryUrl());

        List<Ref> matching = new ArrayList<>();
        for (Ref ref : reference) {
            if (!needle.isEmpty() && !matchesText(ref, needle)) {
                continue;
            }
            if (!tags.isEmpty() && ref.tags().stream().noneMatch(tags::contains)) {
                continue;
            }
            if (url != null && !stripSlashes(ref.registryUrl()).equals(url)) {
                continue;
            }
            matching.add(ref);
        }
        Comparator<Ref> byHandleThenRegistry = Comparator.comparing(Ref::handle, CatalogOracleIT::compareUtf8)
                .thenComparing(Ref::registryId, CatalogOracleIT::compareUtf8);
        matching.sort(byHandle ? byHandleThenRegistry
                : Comparator.comparing(Ref::sortName, CatalogOracleIT::compareUtf8).thenComparing(byHandleThenRegistry));
        List<String> all = matching.stream().map(Ref::key).toList();
        int from = Math.min(offset, all.size());
        List<String> page = all.subList(from, (int) Math.min(all.size(), (long) from + limit));
        return new Expected(page, limit, offset, all);
    }

    /** The compatible q: a case-insensitive substring of any one of these fields (never across two). */
    private static boolean matchesText(Ref ref, String needle) {
        List<String> fields = new ArrayList<>(Arrays.asList(ref.name(), ref.description(), ref.handle(), ref.author()));
        fields.addAll(ref.tags());
        return fields.stream().anyMatch(f -> f != null && AgentIndexFields.searchNeedle(f).contains(needle));
    }

    /** PostgreSQL's COLLATE "C": unsigned byte order of the UTF-8 encoding (a uuid's text sorts like its bytes). */
    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String stripSlashes(String url) {
        int end = url.length();
        while (end > 0 && url.charAt(end - 1) == '/') {
            end--;
        }
        return url.substring(0, end);
    }

    // ---------------------------------------------------------------- random parameters

    private Params randomParams(Random random) {
        String limit = null;
        if (random.nextInt(10) >= 3) {
            limit = pick(random, List.of("1", "2", "3", "5", "7", "10", "13", "50", "199", "200", "201", "1000",
                    "1000000000000", String.valueOf(1 + random.nextInt(200))));
        }
        String offset = null;
        if (random.nextInt(10) >= 4) {
            offset = String.valueOf(random.nextInt(4) == 0 ? random.nextInt(5000) : random.nextInt(300));
        }
        String sort = pick(random, Arrays.asList(null, "name", "handle"));
        String q = random.nextInt(10) < 4 ? null : randomQ(random);
        String tags = random.nextInt(10) < 6 ? null : randomTags(random);
        String registryUrl = null;
        if (random.nextInt(10) >= 6) {
            registryUrl = random.nextInt(8) == 0 ? "https://unknown.example.org/" : pick(random, REGISTRY_URLS)
                    + pick(random, List.of("", "", "/", "///"));
        }
        return new Params(limit, offset, sort, q, tags, registryUrl);
    }

    private String randomQ(Random random) {
        switch (random.nextInt(9)) {
            case 7:
                // one or two characters (code points: an emoji or a combining mark counts as one)
                return substring(random, pick(random, searchPool), 1 + random.nextInt(2));
            case 8:
                return multiWord(random);
            case 0:
                return pick(random, List.of("%", "_", "\\", "%%", "a_b", "100%", "\\%", "_%", "alpha", "ALPHA",
                        "é", "É", "ß", "SS", "ς", "Σ", "i̇", "İ", "😀", "\uFF21", " café ", "   ", "zz", "agent-1",
                        "org/", "/", ",", "\"", "'", "zzzz-not-there", "\u001f", "a\u001fb", "separator"));
            case 1: {
                // a substring of some field, in a random case
                String source = pick(random, searchPool);
                int[] cps = source.codePoints().toArray();
                int from = random.nextInt(cps.length);
                int to = Math.min(cps.length, from + 1 + random.nextInt(6));
                String s = new String(cps, from, to - from);
                return random.nextBoolean() ? s.toUpperCase(Locale.ROOT) : s;
            }
            case 2:
                return pick(random, tagPool);
            case 3: {
                // a long substring: searched by its rarest trigram window, then checked whole
                String source = pick(random, searchPool);
                int[] cps = source.codePoints().toArray();
                int from = cps.length <= 8 ? 0 : random.nextInt(cps.length - 8);
                int to = Math.min(cps.length, from + 8 + random.nextInt(12));
                return new String(cps, from, to - from);
            }
            default: {
                String source = pick(random, searchPool);
                int[] cps = source.codePoints().toArray();
                int from = random.nextInt(cps.length);
                int to = Math.min(cps.length, from + 2 + random.nextInt(3));
                return new String(cps, from, to - from);
            }
        }
    }

    /** Up to {@code length} code points of {@code source} from a random start, in a random case. */
    private static String substring(Random random, String source, int length) {
        int[] cps = source.codePoints().toArray();
        int from = random.nextInt(cps.length);
        String s = new String(cps, from, Math.min(length, cps.length - from));
        return random.nextBoolean() ? s.toUpperCase(Locale.ROOT) : s;
    }

    /** Two or three consecutive words of some field, spaces included, or the end of one word and the start of the next. */
    private String multiWord(Random random) {
        for (int attempt = 0; attempt < 20; attempt++) {
            String source = pick(random, searchPool);
            String[] words = source.split(" ", -1);
            if (words.length < 2) {
                continue;
            }
            int from = random.nextInt(words.length - 1);
            int to = Math.min(words.length, from + 2 + random.nextInt(2));
            String joined = String.join(" ", Arrays.asList(words).subList(from, to));
            if (random.nextBoolean()) {
                // cut into the first and the last word: "ha ag" out of "alpha agent", at code points, so
                // that an emoji is never split into a lone surrogate no request could carry
                int[] cps = joined.codePoints().toArray();
                int firstLength = (int) words[from].codePoints().count();
                int lastLength = (int) words[to - 1].codePoints().count();
                int start = firstLength == 0 ? 0 : random.nextInt(firstLength);
                int end = cps.length - (lastLength == 0 ? 0 : random.nextInt(lastLength));
                joined = new String(cps, start, Math.max(start + 1, end) - start);
            }
            return random.nextBoolean() ? joined.toUpperCase(Locale.ROOT) : joined;
        }
        return "web for";
    }

    private String randomTags(Random random) {
        List<String> chosen = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            switch (random.nextInt(5)) {
                case 0:
                    chosen.add("no-such-tag");
                    break;
                case 1:
                    chosen.add(pick(random, SHARED_TAGS).toUpperCase(Locale.ROOT));
                    break;
                default:
                    chosen.add(pick(random, tagPool));
            }
        }
        String joined = String.join(pick(random, List.of(",", ", ", " ,", ",,")), chosen);
        return random.nextInt(6) == 0 ? "," + joined + "," : joined;
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    // ---------------------------------------------------------------- the test

    @Test
    void everyRandomQueryAnswersLikeTheReference() throws InterruptedException {
        Random random = new Random(seed ^ 0x5DEECE66DL);
        int walked = 0;
        int nonEmpty = 0;
        int narrowed = 0;
        for (int i = 0; i < COMBINATIONS; i++) {
            Params params = randomParams(random);
            if (params.q() != null && narrowing.window(AgentIndexFields.searchNeedle(params.q().trim())).isPresent()) {
                narrowed++;
            }
            String path = "/api/marketplace?" + params.query();
            String context = "seed " + seed + ", combination " + i + ": GET " + path;
            Expected expected = expect(params);
            Answer answer = get(path);
            assertThat(answer.status()).as(context + " -> " + answer.raw().body()).isEqualTo(200);
            JsonNode body = answer.body();
            assertThat(keys(body.get("data"))).as(context).containsExactlyElementsOf(expected.keys());
            assertThat(body.get("total").asLong()).as(context + " (total)").isEqualTo(expected.all().size());
            if (!body.get("meta").get("totalExact").asBoolean()) {
                // a page walked in name order over many matches answers with the sample's estimate and
                // counts in the background (NameWalk): the exact total follows
                assertThat(exactTotalLater(params, context)).as(context + " (exact total)").isEqualTo(expected.all().size());
            }
            assertThat(body.get("limit").asInt()).as(context).isEqualTo(expected.limit());
            assertThat(body.get("offset").asInt()).as(context).isEqualTo(expected.offset());
            if (!expected.all().isEmpty()) {
                nonEmpty++;
            }
            if (i % WALK_EVERY == 0) {
                walk(params, expected.all(), context);
                walked++;
            }
        }
        System.out.printf("CatalogOracleIT: %d combinations (%d non-empty, %d q narrowed), %d paging walks, seed %d%n",
                COMBINATIONS, nonEmpty, narrowed, walked, seed);
        assertThat(narrowed).as("some long needles should be searched by a trigram window").isGreaterThan(0);
        assertThat(nonEmpty).as("the generator should mostly ask for things that exist").isGreaterThan(COMBINATIONS / 3);
    }

    /**
     * Needles the trigram index cannot narrow (one or two characters), needles with spaces and
     * punctuation, and needles in other scripts, each alone and with every filter, in both sorts, at an
     * offset and walked page by page by offset and by cursor.
     */
    @Test
    void shortMultiWordAndNonLatinNeedlesWithEveryFilterAndSort() {
        List<String> needles = List.of("a", "Z", "1", "é", "É", "ß", "ё", "Ё", "п", "пр", "搜", "代理", "🚀", "😀",
                "👍🏽", "\u0301", "zz", "-", ".", ",", "'", "%", "_", "\\", "i̇", "a b", "alpha 1", "web for",
                "ÇA VA", "привет агент", "straße und", "s the w", "x.y-z", "🚀🚀", "100% ", " #1");
        List<String> filterTags = Arrays.asList(null, "search,поиск", "搜索");
        List<String> urls = Arrays.asList(null, REGISTRY_URLS.get(1), REGISTRY_URLS.get(3) + "/");
        Random random = new Random(seed ^ 0x2545F491L);
        int nonEmpty = 0;
        int shortNonEmpty = 0;
        for (String q : needles) {
            // each needle is walked alone in both sorts, and with one filter combination chosen at random
            int walkedCombination = random.nextInt(2 * filterTags.size() * urls.size());
            int combination = 0;
            for (String sort : List.of("name", "handle")) {
                for (String tags : filterTags) {
                    for (String url : urls) {
                        Params params = new Params(String.valueOf(1 + random.nextInt(30)), null, sort, q, tags, url);
                        Expected all = expect(params);
                        String offset = String.valueOf(all.all().isEmpty() ? 0 : random.nextInt(all.all().size()));
                        Params atOffset = new Params(params.limit(), offset, sort, q, tags, url);
                        String path = "/api/marketplace?" + atOffset.query();
                        String context = "seed " + seed + ": GET " + path;
                        Answer answer = get(path);
                        assertThat(answer.status()).as(context + " -> " + answer.raw().body()).isEqualTo(200);
                        assertThat(keys(answer.body().get("data"))).as(context)
                                .containsExactlyElementsOf(expect(atOffset).keys());
                        assertThat(answer.body().get("total").asLong()).as(context + " (total)").isEqualTo(all.all().size());
                        if ((tags == null && url == null) || combination == walkedCombination) {
                            // in a few large pages: the short needles match most of the catalog
                            walk(params, all.all(), context, 5);
                        }
                        combination++;
                        if (!all.all().isEmpty()) {
                            nonEmpty++;
                            if (q.codePointCount(0, q.length()) <= 2) {
                                shortNonEmpty++;
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("CatalogOracleIT: %d fixed needles x filters x sorts, %d non-empty (%d short), seed %d%n",
                needles.size(), nonEmpty, shortNonEmpty, seed);
        assertThat(shortNonEmpty).as("the catalog should hold what the short needles look for").isGreaterThan(needles.size());
    }

    /** Every page by offset, then every page by cursor: each visits all matches once, in order. */
    private void walk(Params params, List<String> all, String context) {
        walk(params, all, context, 20);
    }

    /** @param pageCount about how many pages a large answer is walked in (a small one takes pages of up to 9) */
    private void walk(Params params, List<String> all, String context, int pageCount) {
        int pageSize = Math.min(200, Math.max(1 + all.size() / pageCount, 1 + (int) (Math.abs(seed + all.size()) % 9)));
        Params base = new Params(String.valueOf(pageSize), null, params.sort(), params.q(), params.tags(),
                params.registryUrl());
        List<String> byOffset = new ArrayList<>();
        for (int offset = 0; offset <= all.size(); offset += pageSize) {
            Params page = new Params(base.limit(), String.valueOf(offset), base.sort(), base.q(), base.tags(),
                    base.registryUrl());
            byOffset.addAll(keys(get("/api/marketplace?" + page.query()).body().get("data")));
        }
        assertThat(byOffset).as(context + " walked by offset, " + pageSize + " per page").containsExactlyElementsOf(all);

        List<String> byCursor = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String path = "/api/marketplace?" + base.query()
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            Answer answer = get(path);
            assertThat(answer.status()).as(context + " walked by cursor, page " + pages + " -> " + answer.raw().body())
                    .isEqualTo(200);
            byCursor.addAll(keys(answer.body().get("data")));
            JsonNode next = answer.body().get("meta").get("nextCursor");
            cursor = next == null || next.isNull() ? null : next.asString();
            pages++;
        } while (cursor != null && pages <= all.size() / pageSize + 2);
        assertThat(cursor).as(context + " cursor walk should end").isNull();
        assertThat(byCursor).as(context + " walked by cursor, " + pageSize + " per page").containsExactlyElementsOf(all);
        assertThat(new HashSet<>(byCursor)).hasSize(all.size());
    }

    /** The most frequent tags (ties in byte order) up to the cap of 200, listed in byte order, with the flag. */
    @Test
    void metaTagsAreTheMostFrequentTagsInByteOrder() {
        Map<String, Long> counts = new HashMap<>();
        reference.forEach(r -> r.tags().forEach(t -> counts.merge(t, 1L, Long::sum)));
        List<String> byFrequency = new ArrayList<>(counts.keySet());
        byFrequency.sort(Comparator.<String>comparingLong(counts::get).reversed().thenComparing(CatalogOracleIT::compareUtf8));
        Set<String> expected = new TreeSet<>(CatalogOracleIT::compareUtf8);
        expected.addAll(byFrequency.subList(0, Math.min(200, byFrequency.size())));
        JsonNode meta = get("/api/marketplace?limit=1").body().get("meta");
        List<String> tags = new ArrayList<>();
        meta.get("tags").forEach(t -> tags.add(t.asString()));
        assertThat(tags).as("seed " + seed).containsExactlyElementsOf(expected);
        assertThat(meta.get("tagsTruncated").asBoolean()).as("seed " + seed).isEqualTo(counts.size() > 200);
    }

    private static List<String> keys(JsonNode data) {
        List<String> keys = new ArrayList<>();
        data.forEach(a -> keys.add(a.get("registryId").asString() + "/" + a.get("handle").asString()));
        return keys;
    }
}
