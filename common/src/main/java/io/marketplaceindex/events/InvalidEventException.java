package io.marketplaceindex.events;

/** A payload that parses as JSON but is not a usable event; it belongs in the dead-letter topic. */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }
}
