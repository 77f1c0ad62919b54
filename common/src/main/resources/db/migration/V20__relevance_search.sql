-- sort=relevance (docs/search.md). The words of each agent, weighted by the field they come from:
-- A name, B tags, C description, D author and handle. The 'simple' configuration lower-cases without
-- stemming or stop words, so it treats every language alike. ASCII punctuation is made a space first,
-- so that the words are runs of letters and digits, as the API splits q (RelevanceTerms): the parser
-- would otherwise keep "example.com", "v1.2" or "a/b" as single tokens that no typed word equals.
-- The tags are taken as their JSON text, whose brackets, quotes and commas go the same way. A
-- generated column, so no writer changes: PostgreSQL computes it on every insert and update (the row
-- is rewritten anyway). Adding it rewrites the table once.
ALTER TABLE marketplace_catalog_rows ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', regexp_replace(coalesce(agent ->> 'name', ''),
        '[-!"#$%&''()*+,./:;<=>?@\[\\\]^_`{|}~]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple', regexp_replace(coalesce(agent ->> 'tags', ''),
        '[-!"#$%&''()*+,./:;<=>?@\[\\\]^_`{|}~]+', ' ', 'g')), 'B')
    || setweight(to_tsvector('simple', regexp_replace(coalesce(agent ->> 'description', ''),
        '[-!"#$%&''()*+,./:;<=>?@\[\\\]^_`{|}~]+', ' ', 'g')), 'C')
    || setweight(to_tsvector('simple', regexp_replace((coalesce(agent ->> 'author', '') || ' ' || handle) COLLATE "C",
        '[-!"#$%&''()*+,./:;<=>?@\[\\\]^_`{|}~]+', ' ', 'g')), 'D')
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
-- Only words without digits are corrections: identifiers, hashes and versions are most of a catalog's
-- distinct words, and a lookup over all of them took 0.6-3.3 s at 734,000 words; over the 3,184
-- without digits, about 1 ms (docs/search.md).
CREATE INDEX search_words_trgm ON marketplace_search_words USING gin (word gin_trgm_ops) WHERE word !~ '[0-9]';
-- the first fill; the same statement as SearchWordsRefresh
INSERT INTO marketplace_search_words (word, doc_count)
SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM marketplace_catalog_rows')
WHERE length(word) <= 40;
