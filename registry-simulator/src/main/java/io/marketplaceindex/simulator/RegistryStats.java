package io.marketplaceindex.simulator;

/**
 * Request counters of one registry, for asserting what a client actually fetched (for example that
 * an unchanged catalog was re-read with 304s only).
 *
 * @param requests     every request routed to the registry, whatever the answer
 * @param notModified  304 answers to records and cards
 * @param faulted      answers shaped by a {@link Fault}
 * @param unauthorized 401 answers for a missing or wrong bearer token
 * @param maxInFlight  the most requests the registry held at once, from arrival until their answer
 *                     started (latency included): at most what the client had in flight
 */
public record RegistryStats(
        long requests, long health, long listings, long records, long cards,
        long notModified, long faulted, long unauthorized, int maxInFlight) {
}
