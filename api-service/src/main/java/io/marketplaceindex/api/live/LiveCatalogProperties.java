package io.marketplaceindex.api.live;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The live path: the catalog built by asking every enabled registry directly, served when
 * {@code marketplace.catalog.source=live}, or with {@code db} while the index holds no row at all.
 *
 * @param ttl                    how long one live catalog is served (and kept in Redis) before the
 *                               next fan-out; across all replicas the fan-out runs at most once per ttl
 * @param staleTtl               how long the previous live catalog stays in Redis after it expired, so
 *                               replicas can keep answering with it while one replica rebuilds
 * @param maxRegistriesInFlight  registries fetched at the same time by one replica
 * @param maxRequestsInFlight    record and card requests in flight at the same time by one replica,
 *                               shared fairly among the registries being fetched
 * @param registryBudget         wall-clock budget of one registry (listing, records, cards); what did
 *                               not arrive in time is left out and the registry is reported ok=false
 * @param maxAgents              cap of the live catalog size; agents past it are not fetched and
 *                               meta.truncated says so
 * @param lockWait               how long a replica without any previous live catalog waits for the
 *                               replica holding the rebuild lock before building one itself
 */
@ConfigurationProperties("marketplace.catalog.live")
public record LiveCatalogProperties(@DefaultValue("60s") Duration ttl,
                                    @DefaultValue("1h") Duration staleTtl,
                                    @DefaultValue("4") int maxRegistriesInFlight,
                                    @DefaultValue("32") int maxRequestsInFlight,
                                    @DefaultValue("20s") Duration registryBudget,
                                    @DefaultValue("50000") int maxAgents,
                                    @DefaultValue("10s") Duration lockWait) {

    public LiveCatalogProperties {
        // Refuse a nonsensical setting at startup rather than misbehave on the first request.
        requirePositive("ttl", ttl);
        requirePositive("stale-ttl", staleTtl);
        requirePositive("registry-budget", registryBudget);
        if (lockWait == null || lockWait.isNegative()) {
            throw new IllegalArgumentException("marketplace.catalog.live.lock-wait must be 0 or more");
        }
        if (maxRegistriesInFlight < 1 || maxRequestsInFlight < 1 || maxAgents < 1) {
            throw new IllegalArgumentException("marketplace.catalog.live.max-registries-in-flight, "
                    + "max-requests-in-flight and max-agents must be at least 1");
        }
    }

    /** Requests one registry may have in flight, so that one huge registry cannot starve the others. */
    int requestsPerRegistry() {
        return Math.max(1, maxRequestsInFlight / maxRegistriesInFlight);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("marketplace.catalog.live." + name + " must be positive");
        }
    }
}
