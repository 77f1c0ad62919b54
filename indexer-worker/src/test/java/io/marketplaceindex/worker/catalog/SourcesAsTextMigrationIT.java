package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.testsupport.TestServices;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** V7 on an index written under V6: the stored documents, and what the sync reads of them, survive. */
class SourcesAsTextMigrationIT extends MigrationTestSupport {

    @Test
    void recordsAndCardsBecomeTextWithTheSameValueAndTheCardUrlIsCopiedOut() throws SQLException {
        url = TestServices.databaseAtVersion("v7_sources", "6");
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO marketplace_registries (id, name, url)
                    VALUES ('00000000-0000-0000-0000-000000000001', 'One', 'https://one.example');
                    INSERT INTO marketplace_catalog_rows (registry_id, handle, agent, change_xid, sort_name, search_text,
                                                          content_hash)
                    SELECT '00000000-0000-0000-0000-000000000001', h, '{}', 1, h, h, '\\x00'
                    FROM unnest(ARRAY['with-card', 'card-failed', 'no-record']) AS h;
                    INSERT INTO marketplace_catalog_sources (registry_id, handle, record, card, card_error)
                    VALUES ('00000000-0000-0000-0000-000000000001', 'with-card',
                            '{"handle": "with-card", "agentCardUrl": "https://one.example/cards/with-card", "n": 1.5}',
                            '{"name": "Élan \\u00e9", "skills": [{"id": "s"}]}', NULL),
                           ('00000000-0000-0000-0000-000000000001', 'card-failed',
                            '{"handle": "card-failed", "agentCardUrl": "https://one.example/cards/card-failed"}', NULL,
                            'card answered 503'),
                           ('00000000-0000-0000-0000-000000000001', 'no-record', NULL, NULL, NULL);
                    """);
        }

        // up to V7 only: later migrations may rewrite stored values (V12 replaces detailed card errors)
        Flyway.configure().dataSource(url, TestServices.postgresUser(), TestServices.postgresPassword()).target("7")
                .load().migrate();

        try (Connection c = connection(); Statement st = c.createStatement()) {
            assertThat(column(st, "SELECT data_type FROM information_schema.columns WHERE table_name = "
                    + "'marketplace_catalog_sources' AND column_name IN ('record', 'card') ORDER BY column_name"))
                    .containsExactly("text", "text");
            assertThat(column(st, """
                    SELECT handle || ' ' || coalesce(card_url, '-') || ' ' || coalesce(record::jsonb::text, '-')
                           || ' ' || coalesce(card::jsonb::text, '-') || ' ' || coalesce(card_error, '-')
                    FROM marketplace_catalog_sources ORDER BY handle
                    """)).containsExactly(
                    "card-failed https://one.example/cards/card-failed "
                            + "{\"handle\": \"card-failed\", \"agentCardUrl\": \"https://one.example/cards/card-failed\"}"
                            + " - card answered 503",
                    "no-record - - - -",
                    "with-card https://one.example/cards/with-card "
                            + "{\"n\": 1.5, \"handle\": \"with-card\", \"agentCardUrl\": \"https://one.example/cards/with-card\"}"
                            + " {\"name\": \"Élan é\", \"skills\": [{\"id\": \"s\"}]} -");
            // the worker deletes a row's source itself now: no constraint ties the two tables
            assertThat(column(st, "SELECT conname FROM pg_constraint WHERE contype = 'f' "
                    + "AND conrelid = 'marketplace_catalog_sources'::regclass")).isEmpty();
            assertThat(column(st, "SELECT data_type FROM information_schema.columns WHERE table_name = "
                    + "'marketplace_sync_staging' AND column_name = 'card_url'")).containsExactly("text");
        }
    }
}
