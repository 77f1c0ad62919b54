package io.marketplaceindex.agent;

import java.util.Objects;

/** The registry an agent came from, as every normalized agent names it. */
public record RegistryRef(String id, String name, String url) {
    public RegistryRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
    }
}
