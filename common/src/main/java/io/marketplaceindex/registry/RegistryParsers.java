package io.marketplaceindex.registry;

import io.marketplaceindex.agent.Handles;
import io.marketplaceindex.registry.RegistryFetchException.Kind;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.marketplaceindex.registry.FetchFailures.malformedJson;
import static io.marketplaceindex.registry.FetchFailures.shortUrl;

/** Turns the 200 bodies of registries and card hosts into what the client answers, or a MALFORMED failure. */
final class RegistryParsers {

    private final JsonMapper json = JsonMapper.builder()
            // "{...} garbage" is not a record; Jackson would otherwise stop after the object
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** Reads one value out of a larger document, so what follows it is not "trailing". */
    private final ObjectReader subtreeReader =
            json.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A record or card body: a JSON object, or {@link RegistryFetchException} ({@code MALFORMED}). */
    JsonNode parseObject(byte[] raw, URI uri) {
        JsonNode node;
        try {
            node = json.readTree(raw);
        } catch (JacksonException e) {
            throw malformedJson(uri, e);
        }
        if (node == null || !node.isObject()) {
            throw new RegistryFetchException(Kind.MALFORMED, "expected a JSON object from " + shortUrl(uri)
                    + ", got " + (node == null || node.isMissingNode() ? "an empty body" : node.getNodeType()
                    .name().toLowerCase(Locale.ROOT)), uri.toString(), null, null);
        }
        return node;
    }

    /**
     * Streams the listing rather than building a tree: a 16 MiB body of tiny entries would
     * otherwise become millions of nodes. Only the first {@code handles} array counts (duplicate
     * keys are a registry bug; the first is as good as any), and only an object {@code catalogProof}.
     */
    Listing parseListing(byte[] raw, URI uri) {
        Set<String> handles = new LinkedHashSet<>();
        int malformed = 0;
        boolean sawHandles = false;
        JsonNode proof = null;
        try (JsonParser p = json.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RegistryFetchException(Kind.MALFORMED, "expected a JSON object from " + shortUrl(uri),
                        uri.toString(), null, null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!sawHandles && "handles".equals(name) && value == JsonToken.START_ARRAY) {
                    sawHandles = true;
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        if (t == JsonToken.VALUE_STRING && isUsableHandle(p.getString())) {
                            handles.add(p.getString());
                        } else {
                            malformed++;
                            p.skipChildren();
                        }
                    }
                } else if (proof == null && "catalogProof".equals(name) && value == JsonToken.START_OBJECT) {
                    proof = subtreeReader.readValue(p);
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new RegistryFetchException(Kind.MALFORMED, "trailing content after the listing from "
                        + shortUrl(uri), uri.toString(), null, null);
            }
        } catch (JacksonException e) {
            throw malformedJson(uri, e);
        }
        if (!sawHandles) {
            throw new RegistryFetchException(Kind.MALFORMED, "listing has no handles array from " + shortUrl(uri),
                    uri.toString(), null, null);
        }
        return new Listing(List.copyOf(handles), malformed, proof);
    }

    /** The index's own rule: a listing never drops a handle that the worker would index. */
    static boolean isUsableHandle(String handle) {
        return Handles.isValid(handle);
    }
}
