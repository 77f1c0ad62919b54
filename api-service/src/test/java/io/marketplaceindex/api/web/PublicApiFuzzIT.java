package io.marketplaceindex.api.web;

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
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of random and malformed requests against the running service over raw sockets (so that
 * invalid bytes reach it as sent): not one may answer 5xx; every 4xx of the JSON API says why in
 * JSON; every 2xx is a well-formed answer of its endpoint; anonymous operator requests are refused.
 *
 * <p>The requests come from one seed, printed at the start; {@code -Dfuzz.seed=N} replays a run and
 * {@code -Dfuzz.requests=N} changes how many. A failure names the request's number and its bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublicApiFuzzIT extends ApiTestSupport {

    private static final String REGISTRY_URL = "https://fuzz.example.org/reg";
    private static final int THREADS = 4;
    /** Stands for the status of an HTTP/0.9 answer, which has none. */
    private static final int HTTP_09 = 9;

    @Autowired
    CatalogGeneration generation;

    private UUID registry;
    private final List<String> handles = new ArrayList<>();

    /** What a request must get: anything but 5xx, or (operator paths, anonymously) a refusal. */
    enum Expect { NO_5XX, REFUSED }

    /** One generated request: its raw bytes, what it exercises, and what must come back. */
    record Probe(int index, String kind, byte[] bytes, String path, Expect expect) {
        String shown() {
            String text = new String(bytes, 0, Math.min(bytes.length, 600), StandardCharsets.ISO_8859_1);
            StringBuilder sb = new StringBuilder();
            for (char c : text.toCharArray()) {
                sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : c == '\r' ? "\\r" : c == '\n' ? "\\n\n"
                        : String.format("\\x%02x", (int) c));
            }
            return sb + (bytes.length > 600 ? "... (" + bytes.length + " bytes)" : "");
        }
    }

    record Reply(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            registry = seeder.registry("Fuzz", REGISTRY_URL);
            List<ObjectNode> agents = new ArrayList<>();
            List<String> odd = List.of("plain-agent", "with/slash", "with space", "100%_like\\escape", "ünïcödé",
                    "a.b..c", "quote'\"", "semi;colon", "../dots", "emoji-\uD83D\uDE00", "tab\tin", "x");
            for (int i = 0; i < 40; i++) {
                String handle = i < odd.size() ? odd.get(i) : "fuzz-agent-%02d".formatted(i);
                handles.add(handle);
                ObjectNode record = JSON.createObjectNode()
                        .put("schema", "hive-registry-record-v1").put("handle", handle)
                        .put("updatedAt", "2026-11-01T00:00:00Z").put("agentCardUrl", REGISTRY_URL + "/cards/" + i);
                record.putArray("capabilities").add(i % 2 == 0 ? "search" : "translation").add("tag-" + (i % 5));
                ObjectNode card = JSON.createObjectNode().put("name", "Fuzz Agent " + i + (i % 3 == 0 ? " 50%_off" : ""))
                        .put("description", "Agent number " + i);
                card.putObject("provider").put("organization", "Org " + (i % 4));
                normalizer.normalize(record, card, new RegistryRef(registry.toString(), "Fuzz", REGISTRY_URL))
                        .ifPresent(agents::add);
            }
            seeder.agents(registry, agents);
        }
        generation.poll();
        // the first catalog answer builds caches and compiles code: not part of what is measured here
        assertThat(get("/api/marketplace").status()).isEqualTo(200);
    }

    @Test
    void noRequestAnswersA5xx() throws Exception {
        long seed = Long.getLong("fuzz.seed", 20261206L);
        int count = Integer.getInteger("fuzz.requests", 10_000);
        System.out.println("PublicApiFuzzIT: seed " + seed + " (-Dfuzz.seed=" + seed + " replays it), " + count
                + " requests");
        Generator generator = new Generator(new Random(seed));
        List<Probe> probes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            probes.add(generator.next(i));
        }

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Integer> headClosed = Collections.synchronizedList(new ArrayList<>());
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < probes.size(); i = next.getAndIncrement()) {
                        Probe probe = probes.get(i);
                        String problem;
                        try {
                            Reply reply = exchange(probe.bytes());
                            statuses.computeIfAbsent(probe.kind() + " " + reply.status(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            problem = judge(probe, reply);
                        } catch (java.io.EOFException e) {
                            // Open finding: a HEAD with Accept-Encoding: gzip that the application refuses
                            // (405 on /api/auth/login, 401 on /api/auth/logout) is sometimes closed without
                            // an answer. Not a 5xx and no body is due, so it is counted and printed, not failed.
                            problem = probe.bytes()[0] == 'H' ? null : "no answer: " + e;
                            if (problem == null) {
                                headClosed.add(probe.index());
                            }
                        } catch (IOException e) {
                            problem = "no answer: " + e;
                        }
                        if (problem != null && failures.size() < 50) {
                            failures.add("#" + probe.index() + " [" + probe.kind() + "] " + problem + "\n" + probe.shown());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> summary = new TreeMap<>();
        statuses.forEach((k, v) -> summary.put(k, v.get()));
        System.out.println("PublicApiFuzzIT: kind and status -> requests: " + summary);
        System.out.println("PublicApiFuzzIT: HEAD requests closed without an answer: " + headClosed);
        assertThat(failures).as("seed " + seed + ": requests that answered wrongly").isEmpty();
    }

    // ------------------------------------------------------------------------------------ judging

    private String judge(Probe probe, Reply reply) {
        int status = reply.status();
        String method = new String(probe.bytes(), StandardCharsets.ISO_8859_1).split(" ", 2)[0];
        if (status == 501 && method.equals("CONNECT")) {
            // Tomcat answers a proxy tunnel request itself, before any filter or servlet (not configurable):
            // the protocol's answer for a method an origin server does not implement
            return null;
        }
        if (status >= 500) {
            return "answered " + status + ": " + text(reply.body(), 300);
        }
        boolean containerPage = text(reply.body(), 300).contains("<title>HTTP Status " + status);
        if (probe.expect() == Expect.REFUSED && status != 401 && status != 403 && !(status == 400 && containerPage)) {
            // (Tomcat refuses a request it cannot read, e.g. headers over its limit, before any filter runs)
            return "an anonymous operator request answered " + status + " (expected 401 or 403)";
        }
        String type = reply.header("content-type");
        boolean json = type != null && type.startsWith("application/json");
        if (status == HTTP_09) {
            String body = text(reply.body(), 2000);
            return body.contains("HTTP Status 5") || body.contains("internal error") ? "HTTP/0.9 answer of an error: "
                    + text(reply.body(), 300) : null;
        }
        if (method.equals("HEAD")) {
            return null; // no body to judge
        }
        if (status >= 400) {
            // The JSON API says why in JSON; the container's own refusals of unparseable requests
            // (before any application code) may come without a body.
            if (json) {
                JsonNode body = parse(reply.body());
                if (body == null || !body.path("error").isString() || body.path("error").asString().isBlank()) {
                    return status + " without a JSON reason: " + text(reply.body(), 300);
                }
            } else if (probe.path().startsWith("/api/") && reply.body().length > 0 && !containerPage
                    && acceptsJson(probe)) {
                // the container's own page is its refusal before any application code; a client whose Accept
                // header excludes JSON gets the error page it asked for; anything else is the API's
                return status + " from the API with a body that is not JSON (" + type + "): " + text(reply.body(), 300);
            }
            return null;
        }
        if (status >= 200 && status < 300 && probe.path().startsWith("/api/marketplace") && reply.body().length > 0
                && method.equals("GET")) {
            if (!json) {
                return status + " from the catalog API that is not JSON (" + type + ")";
            }
            JsonNode body = parse(reply.body());
            if (body == null) {
                return status + " with a body that is not JSON: " + text(reply.body(), 300);
            }
            String bare = probe.path().split("\\?", 2)[0];
            if ((bare.equals("/api/marketplace") || bare.equals("/api/marketplace/") || bare.endsWith("/tags")
                    || bare.endsWith("/changes")) && !body.path("data").isArray()) {
                return status + " list answer without a data array: " + text(reply.body(), 300);
            }
        }
        return null;
    }

    private static boolean acceptsJson(Probe probe) {
        String head = new String(probe.bytes(), StandardCharsets.ISO_8859_1);
        int at = head.indexOf("\r\nAccept: ");
        if (at < 0) {
            return true;
        }
        String accept = head.substring(at + 10, head.indexOf("\r\n", at + 2));
        return accept.isBlank() || accept.contains("json") || accept.contains("*/*") || accept.contains("application/*");
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(byte[] body, int max) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() > max ? s.substring(0, max) + "..." : s;
    }

    // ------------------------------------------------------------------------------------ the wire

    /** One request on its own connection ({@code Connection: close}); reads the answer to the end. */
    private Reply exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server may answer and close before it has read a huge request: read what it said
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new IOException("timed out after " + all.size() + " bytes", e);
            } catch (IOException e) {
                if (all.size() == 0) {
                    throw e;
                }
            }
            return parseReply(request, all.toByteArray());
        }
    }

    private static Reply parseReply(byte[] request, byte[] raw) throws IOException {
        if (raw.length > 0 && !new String(raw, 0, Math.min(raw.length, 5), StandardCharsets.ISO_8859_1).equals("HTTP/")) {
            // A request line without a version, or one Tomcat cannot read (raw CR/LF or invalid bytes
            // in it), is answered as HTTP/0.9: the body alone, without a status line
            return new Reply(HTTP_09, Map.of(), raw);
        }
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            throw new IOException("no complete HTTP answer (" + raw.length + " bytes): "
                    + new String(raw, 0, Math.min(raw.length, 200), StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer: " + lines[0]);
        }
        if (statusLine[1].equals("100")) {
            // an interim answer to Expect: 100-continue; the final one follows
            return parseReply(request, java.util.Arrays.copyOfRange(raw, end + 4, raw.length));
        }
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        if ("gzip".equalsIgnoreCase(headers.get("content-encoding"))) {
            body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
        }
        return new Reply(Integer.parseInt(statusLine[1]), headers, body);
    }

    private static byte[] dechunk(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < body.length) {
            int lineEnd = indexOf(java.util.Arrays.copyOfRange(body, pos, body.length), "\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (lineEnd < 0) {
                throw new IOException("broken chunked body");
            }
            String sizeText = new String(body, pos, lineEnd, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size = Integer.parseInt(sizeText, 16);
            pos += lineEnd + 2;
            if (size == 0) {
                break;
            }
            out.write(body, pos, size);
            pos += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------ requests

    /** Builds the requests; everything random comes from the one {@link Random}. */
    private final class Generator {

        private static final List<String> NUMBERS = List.of("-1", "0", "1", "2", "50", "199", "200", "201", "1000",
                "1001", "-0", "+5", " 5", "5 ", "1e3", "1.5", "0x10", "NaN", "Infinity", "-Infinity", "", "2147483647",
                "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
                "-9223372036854775809", "99999999999999999999999999999999", "000000000000000000001", "１２",
                "\u0661\u0662", "10000000", "1000000000", "true", "null", "[]", "{}");
        private static final List<String> INJECTIONS = List.of("' OR 1=1 --", "'; DROP TABLE marketplace_catalog_rows; --",
                "\" OR \"\"=\"", "1; SELECT pg_sleep(10)", "') UNION SELECT * FROM pg_user --", "%", "_", "\\", "%%",
                "__", "\\%", "\\_", "a%b_c\\d", "%_\\%_\\", "\\\\", "{\"$ne\":null}", "{\"a\":", "]}[{", "\"", "'",
                "\u0000", "\\u0000", "(.*)*", "(a+)+$", "[[:alpha:]]", "^$", ".*", "\\d+", "[", "(", "*", "+?",
                "${jndi:ldap://x/a}", "<script>alert(1)</script>", "../../etc/passwd", "%00", "\r\nX-Injected: 1",
                "SELECT", "NULL", "null", "undefined", "true", "[]", "{}", "$1", "?", "&", "=", "#", ";", ",", ",,,",
                "ünïcödé", "\uD83D\uDE00", "\u202E", "\uFEFF", " ", "   ", "\t", "a".repeat(300), "fuzz", "agent",
                "Fuzz Agent", "search", "50%_off", "tag-1");
        private static final List<String> METHODS = List.of("GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE",
                "PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT", "MKCOL", "FOO", "get", "G E T", "GET\u00ff");
        private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
                "application/json; charset=latin1", "application/json; charset=nonsense", "text/plain",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "multipart/form-data",
                "application/xml", "text/html", "*/*", "application/*", "garbage", ";;;", "application/json;;;",
                "application/vnd.api+json", "application/octet-stream", "");
        private static final List<String> ACCEPTS = List.of("*/*", "application/json", "text/html", "application/xml",
                "text/plain", "image/png", "garbage", ";q=0", "application/json;q=0", "*/*;q=abc", "");

        private final Random random;

        Generator(Random random) {
            this.random = random;
        }

        private <T> T pick(List<T> list) {
            return list.get(random.nextInt(list.size()));
        }

        private boolean chance(int percent) {
            return random.nextInt(100) < percent;
        }

        Probe next(int index) {
            List<Supplier<Probe>> kinds = List.of(
                    () -> catalog(index), () -> catalog(index), () -> catalog(index),
                    () -> tags(index), () -> changes(index), () -> changes(index),
                    () -> detail(index), () -> detail(index), () -> detailByQuery(index),
                    () -> badEncoding(index), () -> badEncoding(index),
                    () -> oddMethod(index), () -> login(index), () -> login(index), () -> auth(index),
                    () -> operator(index), () -> operator(index), () -> hugeHeaders(index), () -> paths(index),
                    () -> staticPage(index), () -> protocol(index));
            return pick(kinds).get();
        }

        // ---- values

        private String number() {
            return pick(NUMBERS);
        }

        private String word() {
            return switch (random.nextInt(7)) {
                case 0 -> pick(INJECTIONS);
                case 1 -> randomText(random.nextInt(40));
                case 2 -> "x".repeat(chance(50) ? 1000 + random.nextInt(3000) : 5000 + random.nextInt(20000));
                case 3 -> pick(INJECTIONS) + randomText(5) + pick(INJECTIONS);
                case 4 -> pick(handles);
                case 5 -> Base64Ish.any(random);
                default -> pick(List.of("fuzz", "agent", "search", "translation", "tag-1", "Org 1", "50%"));
            };
        }

        /** Unicode text of any plane, lone surrogates and controls included. */
        private String randomText(int length) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                int kind = random.nextInt(10);
                if (kind < 5) {
                    sb.append((char) (0x20 + random.nextInt(0x5f)));
                } else if (kind < 7) {
                    sb.append((char) random.nextInt(0x20));
                } else if (kind < 8) {
                    sb.append((char) (0xD800 + random.nextInt(0x800))); // a lone surrogate
                } else {
                    sb.appendCodePoint(0x80 + random.nextInt(0x10FF80 - 0x800));
                }
            }
            return sb.toString();
        }

        /** Valid percent-encoding of anything (lone surrogates become '?', as the JDK encodes them). */
        private String enc(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }

        /** A query value: encoded properly, raw, or broken on purpose. */
        private String value(String raw) {
            return switch (random.nextInt(8)) {
                case 0 -> brokenPercent();
                case 1 -> raw.replace(" ", "+").replace("&", "%26").replace("#", "%23"); // mostly raw bytes
                default -> enc(raw);
            };
        }

        private String brokenPercent() {
            return pick(List.of("%", "%G1", "%zz", "%4", "%C3%28", "%FF%FE", "%C0%AF", "%E2%82", "%ED%A0%80",
                    "%F4%90%80%80", "%00", "%0A%0D", "abc%", "%%41", "%u0041", "%25%", "%C3", "%80", "%F8%88%80%80%80",
                    "%2F..%2F", "%5C", "%EF%BB%BF", "%7F"));
        }

        private String query(List<String> names) {
            StringBuilder q = new StringBuilder();
            int params = random.nextInt(5);
            for (int i = 0; i < params; i++) {
                String name = chance(90) ? pick(names) : value(word());
                int repeat = chance(10) ? 2 + random.nextInt(chance(20) ? 2000 : 5) : 1;
                for (int r = 0; r < repeat; r++) {
                    q.append(q.length() == 0 ? "" : "&").append(name);
                    if (chance(95)) {
                        boolean numeric = name.equals("limit") || name.equals("offset");
                        q.append('=').append(value(numeric && chance(80) ? number() : word()));
                    }
                }
            }
            if (chance(3)) {
                q.append(pick(List.of("&", "&&", "=", "==", "&=", "?", "#frag", ";a=b")));
            }
            return q.length() == 0 ? "" : "?" + q;
        }

        private Probe get(int index, String kind, String path) {
            return request(index, kind, "GET", path, List.of(), null, Expect.NO_5XX);
        }

        private Probe request(int index, String kind, String method, String path, List<String> headers, byte[] body,
                              Expect expect) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // paths are written as ISO-8859-1 except where chars above 0xff are meant as UTF-8
            byte[] target = path.chars().anyMatch(c -> c > 0xff) ? path.getBytes(StandardCharsets.UTF_8)
                    : path.getBytes(StandardCharsets.ISO_8859_1);
            out.writeBytes(method.getBytes(StandardCharsets.UTF_8));
            out.write(' ');
            out.writeBytes(target);
            out.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (chance(30)) {
                out.writeBytes(("Accept: " + pick(ACCEPTS) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            if (chance(10)) {
                out.writeBytes("Accept-Encoding: gzip\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            for (String header : headers) {
                out.writeBytes((header + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (body != null) {
                out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.writeBytes(body);
            }
            return new Probe(index, kind, out.toByteArray(), path, expect);
        }

        // ---- the endpoints

        private Probe catalog(int index) {
            String base = pick(List.of("/api/marketplace", "/api/marketplace", "/api/marketplace/"));
            return get(index, "catalog", base + query(List.of("limit", "offset", "sort", "q", "tags", "registryUrl",
                    "cursor", "limit", "offset", "q", "tags")));
        }

        private Probe tags(int index) {
            return get(index, "tags", "/api/marketplace/tags" + query(List.of("q", "registryUrl", "limit", "tags")));
        }

        private Probe changes(int index) {
            if (chance(25)) {
                return get(index, "changes", "/api/marketplace/changes/head" + query(List.of("cursor", "limit")));
            }
            List<String> since = List.of("2026-11-01T00:00:00Z", "2026-11-01T00:00:00", "2026-13-45T99:99:99Z",
                    "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "+999999999-12-31T23:59:59Z",
                    "-999999999-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "yesterday", "1700000000", "-1",
                    "2026-11-01", "2026-11-01T00:00:00.123456789+14:00", "2026-11-01T00:00:00-18:00",
                    "2026-11-01T00:00:00+25:00");
            StringBuilder q = new StringBuilder(query(List.of("cursor", "limit", "updatedSince", "registryId")));
            if (chance(50)) {
                q.append(q.length() == 0 ? "?" : "&").append("updatedSince=")
                        .append(chance(80) ? enc(pick(since)) : value(word()));
            }
            return get(index, "changes", "/api/marketplace/changes" + q);
        }

        private String registryIdText() {
            return switch (random.nextInt(6)) {
                case 0, 1 -> registry.toString();
                case 2 -> UUID.randomUUID().toString();
                case 3 -> registry.toString().toUpperCase(Locale.ROOT);
                case 4 -> pick(List.of("not-a-uuid", "00000000-0000-0000-0000-000000000000", "0", "-1",
                        registry.toString().replace("-", ""), "{" + registry + "}", registry + "0", "%00", "..", "."));
                default -> value(word());
            };
        }

        private Probe detail(int index) {
            String handle = switch (random.nextInt(5)) {
                case 0, 1 -> enc(pick(handles)).replace("+", "%20");
                case 2 -> pick(handles).replace(" ", "%20"); // slashes unencoded, other bytes raw
                case 3 -> pick(List.of("", "/", "//", "%2F", "%2f%2f", "..", "../..", "%2e%2e", "%2e%2e%2f", "a%00b",
                        ";jsessionid=1", "a;b=c", "%3B", "%5C..%5C", "x/../../..", "~", "%7E", "*", "%2A"));
                default -> value(word());
            };
            return get(index, "detail", "/api/marketplace/" + registryIdText() + "/" + handle
                    + (chance(10) ? query(List.of("limit", "x")) : ""));
        }

        private Probe detailByQuery(int index) {
            StringBuilder q = new StringBuilder("?");
            if (chance(80)) {
                q.append("registryId=").append(value(registryIdText()));
            }
            if (chance(80)) {
                q.append("&handle=").append(chance(60) ? enc(pick(handles)) : value(word()));
            }
            return get(index, "detail", "/api/marketplace/agent" + q);
        }

        private Probe badEncoding(int index) {
            String base = pick(List.of("/api/marketplace", "/api/marketplace/tags", "/api/marketplace/changes",
                    "/api/marketplace/" + registry + "/", "/api/marketplace/agent", "/"));
            StringBuilder target = new StringBuilder(base);
            int kind = random.nextInt(4);
            if (kind == 0) {
                target.append(brokenPercent());
            } else if (kind == 1) {
                target.append("?q=").append(brokenPercent()).append("&limit=").append(brokenPercent());
            } else if (kind == 2) {
                target.append(chance(50) ? "?q=" : "");
            }
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.writeBytes(target.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (kind >= 2) {
                // raw bytes that are not UTF-8 (or not allowed in a request target at all)
                for (int i = 0; i < 1 + random.nextInt(8); i++) {
                    raw.write(chance(70) ? 0x80 + random.nextInt(0x80) : random.nextInt(0x20));
                }
            }
            byte[] head = ("GET ").getBytes(StandardCharsets.ISO_8859_1);
            byte[] tail = " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(head);
            all.writeBytes(raw.toByteArray());
            all.writeBytes(tail);
            return new Probe(index, "encoding", all.toByteArray(), base, Expect.NO_5XX);
        }

        private byte[] body() {
            String text = switch (random.nextInt(12)) {
                case 0 -> "";
                case 1 -> "{";
                case 2 -> "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"wrong\"}";
                case 3 -> "{\"email\":" + number() + ",\"password\":[]}";
                case 4 -> "[" + "[".repeat(random.nextInt(5000)) ;
                case 5 -> "{\"a\":".repeat(1 + random.nextInt(3000)) + "1" + "}".repeat(random.nextInt(3000));
                case 6 -> "email=a&password=b";
                case 7 -> "--xyz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na\r\n--xyz--\r\n";
                case 8 -> "<login><email>a</email></login>";
                case 9 -> "{\"email\":\"" + "e".repeat(100_000 + random.nextInt(200_000)) + "\",\"password\":\"p\"}";
                case 10 -> "{\"email\":\"" + pick(INJECTIONS).replace("\\", "\\\\").replace("\"", "\\\"")
                        + "\",\"password\":\"" + "\\ud800" + "\",\"extra\":{\"nested\":[1,2,{}]}}";
                default -> "null";
            };
            if (chance(10)) {
                byte[] bytes = new byte[random.nextInt(2000)];
                random.nextBytes(bytes);
                return bytes;
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }

        private Probe login(int index) {
            List<String> headers = new ArrayList<>();
            if (chance(90)) {
                headers.add("Content-Type: " + pick(CONTENT_TYPES));
            }
            String method = chance(80) ? "POST" : pick(METHODS);
            return request(index, "login", method, "/api/auth/login" + (chance(10) ? query(List.of("email")) : ""),
                    headers, body(), Expect.NO_5XX);
        }

        private Probe auth(int index) {
            String path = pick(List.of("/api/auth/me", "/api/auth/logout", "/api/auth/", "/api/auth/x",
                    "/api/auth/login/..", "/api/auth/me/"));
            List<String> headers = new ArrayList<>();
            if (chance(40)) {
                headers.add(pick(List.of("Cookie: SESSION=" + value(word()), "Cookie: " + "a=b; ".repeat(200),
                        "Authorization: Bearer " + value(word()), "Authorization: Basic " + Base64Ish.any(random),
                        "Authorization: Bearer", "Authorization: " + value(word()), "X-CSRF-TOKEN: x")));
            }
            String method = pick(METHODS);
            return request(index, "auth", method, path, headers, chance(30) ? body() : null, Expect.NO_5XX);
        }

        private Probe oddMethod(int index) {
            String path = pick(List.of("/api/marketplace", "/api/marketplace/tags", "/api/marketplace/changes",
                    "/api/marketplace/changes/head", "/api/marketplace/" + registry + "/plain-agent",
                    "/api/marketplace/agent?registryId=" + registry + "&handle=x", "/", "/index.html", "/api/auth/login",
                    "/api/auth/me", "/v3/api-docs", "/actuator/health"));
            List<String> headers = new ArrayList<>();
            if (chance(50)) {
                headers.add("Content-Type: " + pick(CONTENT_TYPES));
            }
            if (chance(10)) {
                headers.add("X-HTTP-Method-Override: " + pick(METHODS));
            }
            String method = pick(METHODS.subList(3, METHODS.size()));
            return request(index, "method", method, path, headers, chance(50) ? body() : null, Expect.NO_5XX);
        }

        /** Operator endpoints without credentials (or with wrong ones): refused, whatever the request. */
        private Probe operator(int index) {
            String id = chance(50) ? UUID.randomUUID().toString() : pick(List.of("1", "abc", "-1", "x.y", "%20", "~"));
            String path = pick(List.of("/api/settings/registries", "/api/settings/registries/" + id,
                    "/api/settings/registries/commands/" + id, "/api/marketplace/index-rebuild",
                    "/api/marketplace/index-rebuild/" + id, "/actuator/env", "/actuator/metrics",
                    "/actuator/prometheus", "/actuator/loggers", "/actuator/heapdump", "/actuator/shutdown",
                    "/actuator/metrics/jvm.memory.used"));
            List<String> headers = new ArrayList<>();
            headers.add("Content-Type: application/json");
            if (chance(50)) {
                headers.add(pick(List.of("Authorization: Bearer wrong-" + random.nextInt(), "Authorization: Bearer ",
                        "Authorization: Basic b3BzOnB3", "Authorization: Bearer " + "t".repeat(5000),
                        "Cookie: SESSION=" + UUID.randomUUID(), "Authorization: bearer " + enc(word()),
                        "X-Forwarded-For: 127.0.0.1", "X-Forwarded-User: admin")));
            }
            String method = pick(List.of("GET", "POST", "PATCH", "DELETE", "PUT"));
            byte[] body = method.equals("GET") ? null : pick(List.of("{\"url\":\"http://169.254.169.254/\"}",
                    "{\"registryIds\":[]}", "{}", "[", "")).getBytes(StandardCharsets.UTF_8);
            return request(index, "operator", method, path, headers, body, Expect.REFUSED);
        }

        private Probe hugeHeaders(int index) {
            List<String> headers = new ArrayList<>();
            switch (random.nextInt(6)) {
                case 0 -> headers.add("X-Pad: " + "p".repeat(1000 + random.nextInt(12_000)));
                case 1 -> {
                    for (int i = 0; i < 50 + random.nextInt(150); i++) {
                        headers.add("X-Many-" + i + ": " + i);
                    }
                }
                case 2 -> headers.add("Cookie: " + ("c" + random.nextInt() + "=v; ").repeat(300 + random.nextInt(600)));
                case 3 -> headers.add("If-None-Match: " + pick(List.of("*", "\"x\"", "W/\"x\"", "\"" + "e".repeat(8000)
                        + "\"", ",,,,", "\"a\", \"b\"", value(word()))));
                case 4 -> headers.add("Range: " + pick(List.of("bytes=0-0", "bytes=-1", "bytes=999999999-", "bytes=5-1",
                        "bytes=0-1,2-3,4-5," + "6-7,".repeat(500), "lines=1-2", "bytes=abc")));
                default -> headers.add(pick(List.of("X-Forwarded-For: " + "1.2.3.4, ".repeat(500), "Forwarded: for=\"[::1]\"",
                        "X-Forwarded-For: garbage", "Forwarded: " + value(word()), "X-Forwarded-Proto: gopher",
                        "X-Forwarded-Host: evil.example", "X-Forwarded-Port: -1", "X-Forwarded-Prefix: /../..",
                        "Origin: https://evil.example", "Accept-Language: " + value(word()),
                        "Accept-Charset: nonsense", "Accept-Encoding: " + value(word()), "Expect: 100-continue",
                        "Expect: garbage", "Content-Length: -1", "Content-Length: abc",
                        "Transfer-Encoding: chunked, identity", "Upgrade: h2c", "Upgrade: websocket")));
            }
            String path = pick(List.of("/api/marketplace", "/api/marketplace/tags", "/api/marketplace/changes",
                    "/api/marketplace/" + registry + "/plain-agent", "/", "/api/auth/me"));
            return request(index, "headers", "GET", path, headers, null, Expect.NO_5XX);
        }

        private Probe paths(int index) {
            String path = pick(List.of("/api/marketplace/../settings/registries", "/api/marketplace/%2e%2e/settings/registries",
                    "/api/marketplace/..%2Fsettings%2Fregistries", "/api/marketplace%2Ftags", "/api/marketplace%2ftags",
                    "//api/marketplace", "/api//marketplace", "/api/marketplace//tags", "/./api/marketplace",
                    "/api/./marketplace/tags", "/api/marketplace/;x=y/tags", "/api/marketplace;jsessionid=abc",
                    "/api/marketplace/tags;a=b", "/api/marketplace/%5C..%5Csettings", "/api/marketplace\\tags",
                    "/api/marketplace/tags/..", "/api/marketplace/tags/../../..", "/../../../../etc/passwd",
                    "/%2e%2e/%2e%2e/etc/passwd", "/api/marketplace/%00", "/api/marketplace/%c0%ae%c0%ae/",
                    "/api/MARKETPLACE", "/API/marketplace", "/api/marketplace.json", "/api/marketplace/tags.json",
                    "/assets/../index.html", "/assets/%2e%2e/index.html", "/index.html/..", "/assets/",
                    "/assets/" + enc(word()), "/actuator/health/../env", "/actuator;/env", "/actuator/health;/../env",
                    "/swagger-ui/../../api/settings/registries", "/v3/api-docs/../../api/settings/registries",
                    "/api/marketplace/changes/head/..", "/api/marketplace/changes/" + enc(word()),
                    "/api/marketplace/" + "x/".repeat(200), "/" + "a".repeat(5000 + random.nextInt(10_000)),
                    "*", "http://evil.example/api/marketplace", "http://127.0.0.1/api/marketplace",
                    "/api/marketplace?" + "q=x&".repeat(3000), "/api/settings/registries/a%25b",
                    "/api/marketplace/index-rebuild/%2F..%2F", "/api/settings/registries/%2e%2e"));
            return get(index, "paths", path);
        }

        private Probe staticPage(int index) {
            String path = pick(List.of("/", "/index.html", "/favicon.ico", "/assets/app.js", "/assets/" + enc(word()),
                    "/?" + query(List.of("q", "x")).replace("?", ""), "/index.html" + query(List.of("q")),
                    "/robots.txt", "/.env", "/.git/config", "/WEB-INF/web.xml", "/META-INF/MANIFEST.MF"));
            List<String> headers = new ArrayList<>();
            if (chance(40)) {
                headers.add(pick(List.of("If-Modified-Since: garbage", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
                        "Range: bytes=" + number() + "-" + number(), "If-None-Match: " + value(word()),
                        "If-Range: garbage", "Range: bytes=0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0")));
            }
            return request(index, "static", chance(85) ? "GET" : pick(METHODS), path, headers, null, Expect.NO_5XX);
        }

        /** Requests that are broken as HTTP messages. */
        private Probe protocol(int index) {
            String target = pick(List.of("/api/marketplace", "/api/marketplace/tags", "/"));
            String text = switch (random.nextInt(12)) {
                case 0 -> "GET " + target + " HTTP/1.0\r\n\r\n";
                case 1 -> "GET " + target + "\r\n\r\n";
                case 2 -> "GET " + target + " HTTP/1.1\r\n\r\n"; // no Host
                case 3 -> "GET " + target + " HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n";
                case 4 -> "GET " + target + " HTTP/1.1\r\nHost: " + value(word()) + "\r\nConnection: close\r\n\r\n";
                case 5 -> "GET  " + target + "  HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
                case 6 -> "GET " + target + " HTTP/1.1\nHost: a\nConnection: close\n\n";
                case 7 -> "GET " + target + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\nBad Header: x\r\n\r\n";
                case 8 -> "GET " + target + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n folded: x\r\n\r\n";
                case 9 -> "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
                case 10 -> "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
                default -> "GET " + target + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Null: a\u0000b\r\n\r\n";
            };
            return new Probe(index, "protocol", text.getBytes(StandardCharsets.ISO_8859_1), target, Expect.NO_5XX);
        }
    }

    /** Strings that look like cursors and tokens: base64 of random bytes, sometimes mangled. */
    private static final class Base64Ish {
        static String any(Random random) {
            byte[] bytes = new byte[random.nextInt(120)];
            random.nextBytes(bytes);
            String s = random.nextBoolean() ? java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)
                    : java.util.Base64.getEncoder().encodeToString(bytes);
            return random.nextInt(4) == 0 ? s + "!!" : s;
        }
    }
}
