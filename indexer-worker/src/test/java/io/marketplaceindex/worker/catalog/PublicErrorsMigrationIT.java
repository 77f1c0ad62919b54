package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.testsupport.TestServices;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V12 on an index written before it: no registry sends its token to cards, registries that failed get
 * a public error, and stored card errors that may name internal hosts are replaced by public text.
 */
class PublicErrorsMigrationIT extends MigrationTestSupport {

    @Test
    void detailedErrorsWrittenBeforeV12AreNotServedPublicly() throws SQLException {
        url = TestServices.databaseAtVersion("v12_public_errors", "8");
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO marketplace_registries (id, name, url, auth_token, last_error)
                    VALUES ('00000000-0000-0000-0000-000000000001', 'One', 'https://one.example', 'tok',
                            'refused to connect to cards.one.example (10.0.0.5): private addresses are not allowed'),
                           ('00000000-0000-0000-0000-000000000002', 'Two', 'https://two.example', NULL, NULL);
                    INSERT INTO marketplace_catalog_rows (registry_id, handle, agent, change_xid, sort_name, search_text,
                                                          content_hash)
                    SELECT '00000000-0000-0000-0000-000000000001', h, '{}', 1, h, h, '\\x00'
                    FROM unnest(ARRAY['a-refused', 'b-timeout', 'c-404', 'd-not-object', 'e-ok']) AS h;
                    INSERT INTO marketplace_catalog_sources (registry_id, handle, card_error)
                    VALUES ('00000000-0000-0000-0000-000000000001', 'a-refused',
                            'refused to connect to 169.254.169.254 (169.254.169.254): cloud-metadata addresses are not allowed'),
                           ('00000000-0000-0000-0000-000000000001', 'b-timeout', 'connect timed out: http://10.0.0.5:8080/card'),
                           ('00000000-0000-0000-0000-000000000001', 'c-404', 'agent card answered HTTP 404'),
                           ('00000000-0000-0000-0000-000000000001', 'd-not-object', 'agent card is not a JSON object'),
                           ('00000000-0000-0000-0000-000000000001', 'e-ok', NULL);
                    """);
        }

        Flyway.configure().dataSource(url, TestServices.postgresUser(), TestServices.postgresPassword()).target("12")
                .load().migrate();

        try (Connection c = connection(); Statement st = c.createStatement()) {
            assertThat(column(st, "SELECT name || ' ' || send_token_to_cards || ' ' || coalesce(last_error_public, '-') "
                    + "FROM marketplace_registries ORDER BY name")).containsExactly(
                    "One false registry could not be read", "Two false -");
            assertThat(column(st, "SELECT handle || ': ' || coalesce(card_error, '-') FROM marketplace_catalog_sources "
                    + "ORDER BY handle")).containsExactly(
                    "a-refused: agent card: could not be read",
                    "b-timeout: agent card: could not be read",
                    "c-404: agent card answered HTTP 404",
                    "d-not-object: agent card is not a JSON object",
                    "e-ok: -");
        }
    }
}
