package io.marketplaceindex.registry;

import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Duration;

/** What one attempt produced: a usable answer, already parsed when it is a 200. */
record Answer<T>(int status, T parsed, byte[] raw, String etag, String lastModified, Duration freshFor) {

    /** The answer as callers see it; only the statuses a conditional fetch may answer with get here. */
    static Fetched toFetched(Answer<JsonNode> a) {
        Fetched.Status status = switch (a.status()) {
            case 200 -> Fetched.Status.OK;
            case 304 -> Fetched.Status.NOT_MODIFIED;
            case 404 -> Fetched.Status.NOT_FOUND;
            case 410 -> Fetched.Status.GONE;
            default -> throw new IllegalStateException("unexpected answer status " + a.status());
        };
        return new Fetched(status, a.status(), a.parsed(), a.raw(), a.etag(), a.lastModified(), a.freshFor());
    }

    /** Turns a 200 body into what the caller wants; throws {@code MALFORMED} when it cannot. */
    @FunctionalInterface
    interface BodyParser<T> {
        T parse(byte[] raw, URI uri);
    }
}
