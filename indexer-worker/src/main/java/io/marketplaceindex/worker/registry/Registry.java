package io.marketplaceindex.worker.registry;

import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.registry.RegistryEndpoint;

import java.time.Instant;
import java.util.UUID;

/**
 * A registry as the worker needs it for a sync, its token decrypted for the requests of this sync only.
 *
 * @param sendTokenToCards the operator let the token go to this registry's cards (on its origin)
 * @param tokenError       why the stored token could not be decrypted (its key is not configured, or it
 *                         does not decrypt); null when there is none or it decrypted. Such a registry is not
 *                         fetched without its token: its sync fails with this reason.
 */
public record Registry(UUID id, String name, String url, String authToken, boolean enabled,
                       Instant lastSuccessStartedAt, int recordCount, boolean sendTokenToCards, String tokenError) {

    public RegistryEndpoint endpoint() {
        return new RegistryEndpoint(id.toString(), url, authToken, sendTokenToCards);
    }

    public RegistryRef ref() {
        return new RegistryRef(id.toString(), name, url);
    }

    @Override
    public String toString() {
        return "Registry[id=" + id + ", name=" + name + ", url=" + url + ", enabled=" + enabled + "]";
    }
}
