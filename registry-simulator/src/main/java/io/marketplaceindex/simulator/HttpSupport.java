package io.marketplaceindex.simulator;

import org.apache.hc.core5.net.PercentCodec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Percent-encoding, conditional-request and date rules, kept strict so client bugs show up. */
final class HttpSupport {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private HttpSupport() {
    }

    /**
     * Decodes one raw path segment or query value. '+' stays '+': handles may contain it, and a
     * client that encodes spaces as '+' (URLEncoder's form encoding) must get a 404, not a match.
     *
     * @return empty when the escapes are broken or the bytes are not UTF-8
     */
    static Optional<String> decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return Optional.of(raw);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
                    encoded = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * RFC 3986 path-segment encoding: everything but unreserved characters is escaped, with HttpCore's
     * codec, the one the index's registry client encodes handles with.
     */
    static String encodeSegment(String value) {
        return PercentCodec.RFC3986.encode(value);
    }

    /** Raw path split on '/', keeping empty segments so "//" and trailing slashes stay visible. */
    static List<String> rawSegments(String rawPath) {
        List<String> segments = new ArrayList<>();
        int start = rawPath.startsWith("/") ? 1 : 0;
        if (start == rawPath.length()) {
            return segments;
        }
        int i;
        while ((i = rawPath.indexOf('/', start)) >= 0) {
            segments.add(rawPath.substring(start, i));
            start = i + 1;
        }
        segments.add(rawPath.substring(start));
        return segments;
    }

    /** Query parameters, first value wins; a broken escape makes the value absent. */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            Optional<String> k = decode(key);
            Optional<String> v = decode(value);
            if (k.isPresent() && v.isPresent()) {
                params.putIfAbsent(k.get(), v.get());
            }
        }
        return params;
    }

    /** Weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored; '*' matches anything. */
    static boolean ifNoneMatchHits(String header, String etag) {
        if (header == null) {
            return false;
        }
        String ours = stripWeak(etag);
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || stripWeak(c).equals(ours)) {
                return true;
            }
        }
        return false;
    }

    private static String stripWeak(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    static String weakEtag(byte[] content) {
        return "W/\"" + Long.toHexString(AgentGenerator.hash(content)) + "\"";
    }

    /** IMF-fixdate (two-digit day), which strict clients require; RFC_1123_DATE_TIME may print one digit. */
    static String httpDate(Instant instant) {
        return IMF_FIXDATE.format(ZonedDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    static Optional<Instant> parseHttpDate(String header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
