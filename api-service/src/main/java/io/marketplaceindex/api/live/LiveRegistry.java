package io.marketplaceindex.api.live;

import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.registry.RegistryEndpoint;

/**
 * An enabled registry as the live path needs it, token included. The token goes to the registry
 * client only: it is left out of {@link #toString()}, of the cache key and of every answer.
 */
record LiveRegistry(String id, String name, String url, String authToken, boolean sendTokenToCards) {

    LiveRegistry(String id, String name, String url, String authToken) {
        this(id, name, url, authToken, false);
    }

    RegistryEndpoint endpoint() {
        return new RegistryEndpoint(id, url, authToken, sendTokenToCards);
    }

    RegistryRef ref() {
        return new RegistryRef(id, name, url);
    }

    @Override
    public String toString() {
        return "LiveRegistry[id=" + id + ", name=" + name + ", url=" + url + ", authToken="
                + (authToken == null ? "none" : "(redacted)") + "]";
    }
}
