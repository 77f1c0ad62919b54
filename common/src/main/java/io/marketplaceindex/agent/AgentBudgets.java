package io.marketplaceindex.agent;

/**
 * How much of each registry-supplied value one normalized agent may carry. Every path that builds an
 * agent (the worker's sync, the api-service's live catalog) goes through {@link AgentNormalizer}, which
 * applies these; docs/budgets.md lists them with the reasons.
 *
 * <p>Why they exist: PostgreSQL refuses a b-tree entry over 2,704 bytes, and the index keeps the sort
 * name, the handle and the whole tag array in one entry ({@code catalog_rows_by_name}), each tag in the
 * tag counters' keys. One agent whose card had a 3,000-character name made its registry's every commit
 * fail. The other budgets bound what one agent adds to a page of 200 or a changes batch of 1,000.
 *
 * <p>Units: <em>code points</em> for text a person reads (truncated at a code-point boundary, so a
 * surrogate pair is never split); <em>JSON bytes</em> for everything else, counted as the value's UTF-8
 * JSON with every control character taken as a six-byte escape (an upper bound of what is written).
 * Text is truncated, because a shortened name or description is still that agent's; identifiers, URLs,
 * dates and versions are dropped when over, because a cut one is wrong, not short.
 */
public final class AgentBudgets {

    private AgentBudgets() {
    }

    /** The card's name; truncated. */
    public static final int NAME_CODE_POINTS = 256;
    /** The card's description; truncated. */
    public static final int DESCRIPTION_CODE_POINTS = 2_048;
    /** The card's {@code provider.organization}; truncated. */
    public static final int AUTHOR_CODE_POINTS = 256;

    /** One tag (a record capability or a skill tag); truncated. */
    public static final int TAG_CODE_POINTS = 64;
    /** Tags of one agent: capabilities first, then its skills' distinct tags. */
    public static final int TAGS = 64;
    /** At most this many of the tags come from {@code record.capabilities}. */
    public static final int CAPABILITIES = 64;
    /**
     * All tags of one agent together, as JSON bytes: the tag array sits in the name-order index entry
     * beside the sort name and the handle. A tag that would pass it is left out; later, smaller ones may still fit.
     */
    public static final int TAGS_JSON_BYTES = 1_024;

    /** Skills of one agent. */
    public static final int SKILLS = 64;
    /** Per skill. */
    public static final int SKILL_ID_CODE_POINTS = 128;
    public static final int SKILL_NAME_CODE_POINTS = 256;
    public static final int SKILL_DESCRIPTION_CODE_POINTS = 1_024;
    /** Tags listed by one skill (each within {@link #TAG_CODE_POINTS}). */
    public static final int SKILL_TAGS = 16;
    /** All skills together; a skill that would pass it is left out, with its tags. */
    public static final int SKILLS_JSON_BYTES = 12_288;

    /** Input and output modalities, each. */
    public static final int MODALITIES = 16;
    /** One modality (a media type or a word); dropped when over. */
    public static final int MODALITY_JSON_BYTES = 64;

    /**
     * Any URL (icon, documentation, source, JSON-RPC, card, DID document, mesh descriptor); dropped when
     * over. The usual request-line limit of HTTP servers: a card URL often carries the handle
     * percent-encoded, up to 6 KB for a handle of 512 four-byte code points.
     */
    public static final int URL_JSON_BYTES = 8_192;
    /** Versions, dates, schema and protocol names, the controller DID; dropped when over. */
    public static final int SHORT_TEXT_JSON_BYTES = 256;
    /** {@code ttlSecondsRecommended}: a number, dropped when its JSON is longer. */
    public static final int NUMBER_JSON_BYTES = 32;

    /** Values passed through without a schema: the merged pricing object. */
    public static final int PRICING_JSON_BYTES = 4_096;
    public static final int BUYER_INPUTS = 32;
    /** All buyer inputs together. */
    public static final int BUYER_INPUTS_JSON_BYTES = 8_192;
    public static final int PUBLIC_KEYS_JSON_BYTES = 4_096;
    public static final int PROOF_JSON_BYTES = 4_096;
    /**
     * Record proof verification ({@link RecordProofs}): key entries of {@code publicKeys.ed25519} searched for
     * the signing kid; the kid itself (stored and served, so a longer one makes the proof invalid); and the
     * signed message (the canonical JSON of four record fields), beyond which nothing is hashed.
     */
    public static final int PROOF_KEYS = 64;
    public static final int PROOF_KID_CODE_POINTS = 256;
    public static final int PROOF_SIGNED_JSON_BYTES = 16_384;
    /** Nesting and width of those pass-through values. */
    public static final int COPY_DEPTH = 16;
    public static final int COPY_ENTRIES = 256;

    /**
     * The whole normalized agent as canonical JSON. An agent over it after every field budget is refused
     * (recorded as that agent's error), never cut: 200 agents a page and 1,000 a changes batch stay
     * within 6.4 MB and 32 MB.
     */
    public static final int AGENT_JSON_BYTES = 32_768;

    /**
     * The extracted sort name ({@code sort_name}, the lower-cased name or handle), as UTF-8 bytes; cut at
     * a code-point boundary. Lower-casing can lengthen a string, and the handle it falls back to may be
     * 512 four-byte code points, so the name budget alone does not bound it.
     */
    public static final int SORT_NAME_UTF8_BYTES = 512;

    /**
     * Distinct one- and two-code-point grams of the search text ({@code search_grams}, {@link SearchGrams}).
     * The text's budgets bound them at about 8,200; an ordinary agent has 100–300. A text with more gets
     * none: its row is read and rechecked for every short needle instead of being found through the gram
     * index, so this only bounds what one row costs the index, never what a search finds.
     */
    public static final int SEARCH_GRAMS = 4_096;
}
