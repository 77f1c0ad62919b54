package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The columns the worker extracts from a normalized agent so that every catalog search runs in SQL
 * ({@code marketplace_catalog_rows.sort_name, search_text, tags, content_hash}).
 *
 * <p><b>The API relies on {@link #searchText} and {@link #searchNeedle(String)} agreeing:</b> {@code q}
 * matches an agent exactly when {@code searchText.contains(searchNeedle(q))}. Both lower-case with
 * {@link Locale#ROOT} (never the server's locale, which would make "I" match differently on a Turkish
 * host) and both strip {@link #SEPARATOR}; the fields in {@code searchText} are joined with that
 * separator, so a needle can never match across two fields. Changing one without the other, or without
 * re-extracting every row, silently breaks search. The API still has to escape LIKE wildcards
 * ({@code % _ \}) in the needle; deciding whether a blank {@code q} filters at all is also the API's.
 *
 * @param sortName    lower-cased name, or handle when the name is missing or blank, cut to
 *                    {@link AgentBudgets#SORT_NAME_UTF8_BYTES}
 * @param searchText  lower-cased name, description, handle, author and tags, joined with {@link #SEPARATOR}
 * @param tags        the agent's tags, in the agent's order
 * @param contentHash SHA-256 of {@link #canonicalBytes(JsonNode) the agent's canonical JSON}
 * @param proofStatus the wire name of the agent's {@code proof.status} ({@link RecordProof.Status}) as the worker
 *                    wrote it ({@link RecordProof#writeTo}); null when the agent has none (the API serves
 *                    such rows as {@code none})
 */
public record AgentIndexFields(String sortName, String searchText, List<String> tags, byte[] contentHash,
                               String proofStatus) {

    /** U+001F (unit separator): between the fields of {@link #searchText}, and stripped from all of them. */
    public static final char SEPARATOR = '\u001f';

    /**
     * A mapper of our own rather than the caller's: the hash must not change because some application
     * mapper was configured to indent or escape differently. Keys are written sorted at every level so
     * the hash does not depend on property order either (PostgreSQL's jsonb, for one, reorders keys).
     * Jackson 3 mappers are immutable, so sharing one is safe.
     */
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    /** Never updated, only copied ({@link #sha256}). */
    private static final MessageDigest SHA_256 = sha256Prototype();

    public AgentIndexFields {
        Objects.requireNonNull(sortName, "sortName");
        Objects.requireNonNull(searchText, "searchText");
        tags = List.copyOf(tags);
        contentHash = contentHash.clone();
    }

    /** Fields of an agent without a checked proof. */
    public AgentIndexFields(String sortName, String searchText, List<String> tags, byte[] contentHash) {
        this(sortName, searchText, tags, contentHash, null);
    }

    /**
     * @param normalizedAgent an agent as {@link AgentNormalizer#normalize} built it
     * @throws IllegalArgumentException when it has no string {@code handle}, i.e. is not a normalized agent
     */
    public static AgentIndexFields of(ObjectNode normalizedAgent) {
        return of(normalizedAgent, canonicalBytes(normalizedAgent));
    }

    /** @param canonicalBytes {@link #canonicalBytes(JsonNode)} of {@code normalizedAgent}, already written by the caller */
    static AgentIndexFields of(ObjectNode normalizedAgent, byte[] canonicalBytes) {
        String handle = stringField(normalizedAgent, "handle");
        if (handle == null) {
            throw new IllegalArgumentException("not a normalized agent: no string 'handle'");
        }
        String name = stringField(normalizedAgent, "name");
        // bounded in bytes: it is a key of the name-order index, beside the handle and the tags
        String sortName = Text.truncateUtf8((name == null || Text.isBlank(name) ? handle : name).toLowerCase(Locale.ROOT),
                AgentBudgets.SORT_NAME_UTF8_BYTES);

        List<String> tags = new ArrayList<>();
        JsonNode tagArray = normalizedAgent.get("tags");
        if (tagArray != null && tagArray.isArray()) {
            for (JsonNode tag : tagArray) {
                if (tag.isString()) {
                    tags.add(tag.stringValue());
                }
            }
        }

        StringJoiner search = new StringJoiner(String.valueOf(SEPARATOR));
        for (String field : List.of("name", "description", "handle", "author")) {
            addSearchable(search, stringField(normalizedAgent, field));
        }
        tags.forEach(tag -> addSearchable(search, tag));

        return new AgentIndexFields(sortName, search.toString(), tags, sha256(canonicalBytes),
                proofStatus(normalizedAgent.get("proof")));
    }

    /**
     * A user's {@code q} in the form {@link #searchText} is stored in; see the class comment for why the
     * two must agree. Not trimmed: whether surrounding spaces are meant is the API's decision.
     */
    public static String searchNeedle(String q) {
        return searchable(Objects.requireNonNull(q, "q"));
    }

    /**
     * The agent as compact UTF-8 JSON with object keys sorted at every level: what {@link #contentHash}
     * is computed over, so equal agents hash equally whichever way their properties were ordered.
     */
    public static byte[] canonicalBytes(JsonNode agent) {
        return CANONICAL.writeValueAsBytes(agent);
    }

    /**
     * The distinct unigrams and bigrams of {@link #searchText} ({@link SearchGrams#of}), or null over their
     * budget. Derived, not stored: every writer (and a staged row read back) gets them from the text.
     */
    public List<String> searchGrams() {
        return SearchGrams.of(searchText);
    }

    @Override
    public byte[] contentHash() {
        return contentHash.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AgentIndexFields that
                && sortName.equals(that.sortName)
                && searchText.equals(that.searchText)
                && tags.equals(that.tags)
                && Arrays.equals(contentHash, that.contentHash)
                && Objects.equals(proofStatus, that.proofStatus);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sortName, searchText, tags, Arrays.hashCode(contentHash), proofStatus);
    }

    @Override
    public String toString() {
        return "AgentIndexFields[sortName=" + sortName + ", tags=" + tags
                + ", contentHash=" + HexFormat.of().formatHex(contentHash) + ", proofStatus=" + proofStatus + "]";
    }

    private static String proofStatus(JsonNode proof) {
        JsonNode status = proof != null && proof.isObject() ? proof.get("status") : null;
        if (status == null || !status.isString()) {
            return null;
        }
        for (RecordProof.Status known : RecordProof.Status.values()) {
            if (known.wire().equals(status.stringValue())) {
                return known.wire();
            }
        }
        return null;
    }

    private static void addSearchable(StringJoiner search, String value) {
        if (value != null) {
            String searchable = searchable(value);
            if (!searchable.isEmpty()) {
                search.add(searchable);
            }
        }
    }

    private static String searchable(String value) {
        return value.replace(String.valueOf(SEPARATOR), "").toLowerCase(Locale.ROOT);
    }

    private static String stringField(JsonNode agent, String field) {
        JsonNode value = agent.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            // a copy of an unused digest: cheaper than looking the algorithm up among the providers each time
            return ((MessageDigest) SHA_256.clone()).digest(bytes);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests cannot be copied", e);
        }
    }

    private static MessageDigest sha256Prototype() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.clone(); // fail here, at start-up, rather than on the first row if a provider cannot copy
            return digest;
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256; without it no row could ever be compared
            throw new IllegalStateException("SHA-256 is not available", e);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests cannot be copied", e);
        }
    }
}
