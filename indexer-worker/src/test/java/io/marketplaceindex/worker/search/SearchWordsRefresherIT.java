package io.marketplaceindex.worker.search;

import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The dictionary of sort=relevance follows the catalog, rebuilt by the worker's own (writer) login. */
class SearchWordsRefresherIT extends WorkerTestSupport {

    @Autowired
    SearchWordsRefresher refresher;

    @Test
    void theDictionaryHoldsEachWordOfTheCatalogWithTheAgentsHoldingIt() {
        UUID registry = UUID.randomUUID();
        jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, 'Words', ?)")
                .params(registry, "https://words.example.org/" + registry).update();
        for (String[] agent : new String[][]{{"words-one", "Zanzibar Weather"}, {"words-two", "Zanzibar Tides"}}) {
            jdbc.sql("""
                            INSERT INTO marketplace_catalog_rows (registry_id, handle, agent, change_xid, sort_name,
                                                                  search_text, tags, content_hash)
                            VALUES (?, ?, jsonb_build_object('name', ?::text, 'tags', jsonb_build_array('quokka-care')),
                                    1, lower(?), lower(?), ARRAY['quokka-care'], '\\x00')
                            """)
                    .params(registry, agent[0], agent[1], agent[1], agent[1]).update();
        }
        jdbc.sql("INSERT INTO marketplace_search_words (word, doc_count) VALUES ('stalewordxyz', 3)").update();

        refresher.refresh();

        assertThat(count("zanzibar")).isEqualTo(2);
        assertThat(count("tides")).isEqualTo(1);
        // a tag's parts are words of their own
        assertThat(count("quokka")).isEqualTo(2);
        assertThat(count("stalewordxyz")).isZero();
        jdbc.sql("DELETE FROM marketplace_registries WHERE id = ?").param(registry).update();
    }

    private long count(String word) {
        return jdbc.sql("SELECT coalesce(max(doc_count), 0) FROM marketplace_search_words WHERE word = ?").param(word)
                .query(Long.class).single();
    }
}
