package io.marketplaceindex.worker.registry;

import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.registry.InvalidRegistryUrlException;
import io.marketplaceindex.registry.RegistryUrls;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.sync.chunked.ChunkedSync;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Changes a registry's name, URL, token or card-token choice in place: its rows, sync state and
 * history stay. The caller then syncs it with the new settings.
 */
@Service
public class RegistryEdit {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final CatalogStore catalog;
    private final ChunkedSync chunked;
    private final RegistryStore registries;

    public RegistryEdit(JdbcClient jdbc, TransactionTemplate tx, CatalogStore catalog, ChunkedSync chunked,
                        RegistryStore registries) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.catalog = catalog;
        this.chunked = chunked;
        this.registries = registries;
    }

    /** What became of an edit: applied (and whether the registry is enabled, so wants a sync), or why not. */
    public record Outcome(boolean applied, boolean enabled, String rejection) {

        static Outcome rejected(String why) {
            return new Outcome(false, false, why);
        }
    }

    private record Current(String name, String url, String authToken, boolean sendTokenToCards, boolean enabled) {
    }

    public Outcome apply(RegistryCommand.Edit edit) {
        String url;
        try {
            url = edit.url() == null ? null : RegistryUrls.normalize(edit.url());
        } catch (InvalidRegistryUrlException e) {
            return Outcome.rejected(e.getMessage());
        }
        try {
            return tx.execute(status -> applyLocked(edit, url));
        } catch (DuplicateKeyException e) {
            // Another registry took this URL after the API checked it.
            return Outcome.rejected("a registry with url " + url + " is already connected");
        }
    }

    private Outcome applyLocked(RegistryCommand.Edit edit, String newUrl) {
        UUID id = edit.registryId();
        // The lock a sync's commit and a removal take: no commit of this registry's rows runs meanwhile.
        catalog.lockRegistry(id);
        Optional<Current> found = jdbc.sql("""
                        SELECT name, url, auth_token, send_token_to_cards, enabled
                        FROM marketplace_registries WHERE id = ? FOR UPDATE
                        """)
                .param(id)
                .query((rs, n) -> new Current(rs.getString("name"), rs.getString("url"), rs.getString("auth_token"),
                        rs.getBoolean("send_token_to_cards"), rs.getBoolean("enabled")))
                .optional();
        if (found.isEmpty()) {
            return Outcome.rejected("unknown registry");
        }
        Current current = found.get();
        String name = edit.name() != null ? edit.name() : current.name();
        String url = newUrl != null ? newUrl : current.url();
        String token = edit.authToken() != null ? registries.storable(edit.authToken(), id)
                : edit.clearsToken() ? null : current.authToken();
        boolean toCards = edit.sendTokenToCards() != null ? edit.sendTokenToCards() : current.sendTokenToCards();
        boolean moved = !url.equals(current.url());
        if (moved || !Objects.equals(token, current.authToken()) || toCards != current.sendTokenToCards()) {
            // A chunked run in flight fetches with the old settings: its result must not be applied.
            chunked.cancelRuns(id, "registry edited");
        }
        if (moved || !name.equals(current.name())) {
            // Every row carries the registry's name and URL, and validators from the old URL say nothing
            // about the new one: without them the next sync fetches every record and card again, and
            // rewrites each row whose agent (now with the new name or URL) differs.
            jdbc.sql("""
                            UPDATE marketplace_catalog_sources
                            SET record_etag = NULL, card_etag = NULL, card_last_modified = NULL, card_fresh_until = NULL
                            WHERE registry_id = ?
                            """) // primary key (registry_id, handle)
                    .param(id).update();
        }
        jdbc.sql("""
                        UPDATE marketplace_registries
                        SET name = ?, url = ?, auth_token = ?, send_token_to_cards = ?, updated_at = now()
                        WHERE id = ?
                        """)
                .params(name, url, token, toCards, id)
                .update();
        return new Outcome(true, current.enabled(), null);
    }
}
