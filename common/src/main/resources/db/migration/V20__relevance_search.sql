-- sort=relevance (docs/search.md). The words of each agent, weighted by the field they come from:
-- A name, B tags, C description, D author. The 'simple' configuration lower-cases and splits without
-- stemming or stop words, so it treats every language alike. A generated column, so no writer
-- changes: PostgreSQL computes it from the agent on every insert and update (the row is rewritten
-- anyway). Adding it rewrites the table once.
ALTER TABLE marketplace_catalog_rows ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(agent ->> 'name', '')), 'A')
    || setweight(jsonb_to_tsvector('simple', coalesce(agent -> 'tags', '[]'), '["string"]'), 'B')
    || setweight(to_tsvector('simple', coalesce(agent ->> 'description', '')), 'C')
    || setweight(to_tsvector('simple', coalesce(agent ->> 'author', '')), 'D')
) STORED;
-- match=words: search_vector @@ tsquery
CREATE INDEX catalog_rows_search_vector ON marketplace_catalog_rows USING gin (search_vector);

-- The words of the catalog with the number of agents holding each: the dictionary a misspelt query
-- word is corrected against (trigram similarity, search_words_trgm) and the document frequencies that
-- weigh a rare word above a common one. Refreshed by the worker on a schedule
-- (marketplace.search.words-refresh-interval), so a new word is corrected only after the next refresh.
CREATE TABLE marketplace_search_words (
    word       text   COLLATE "C" PRIMARY KEY,  -- also serves prefix lookups: word LIKE 'abc%'
    doc_count  bigint NOT NULL
);
CREATE INDEX search_words_trgm ON marketplace_search_words USING gin (word gin_trgm_ops);
-- the first fill; the same statement as SearchWordsRefresh
INSERT INTO marketplace_search_words (word, doc_count)
SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM marketplace_catalog_rows')
WHERE word !~ '[-./@:_]' AND length(word) <= 40;
