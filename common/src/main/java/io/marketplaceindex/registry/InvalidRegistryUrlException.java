package io.marketplaceindex.registry;

/** A registry URL that cannot be used; the message is safe to return to the client. */
public class InvalidRegistryUrlException extends IllegalArgumentException {
    public InvalidRegistryUrlException(String message) {
        super(message);
    }
}
