package io.marketplaceindex.registry;

import java.net.URI;

/**
 * One logical GET as the client was asked for it: where it starts, how large its body may be, the
 * validators of a conditional fetch (null when none) and how a 200 body is read.
 */
record FetchRequest<T>(RegistryEndpoint registry, FetchTarget target, URI start, long maxBytes,
                       String ifNoneMatch, String ifModifiedSince, Answer.BodyParser<T> parser) {

    /** Records and cards are fetched conditionally; the health answer and the listing never are. */
    boolean conditional() {
        return target == FetchTarget.RECORD || target == FetchTarget.CARD;
    }
}
