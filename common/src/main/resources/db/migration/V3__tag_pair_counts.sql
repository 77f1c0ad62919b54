-- Rows per pair of tags, maintained by the worker in the same transaction as the rows, so that a
-- two-tag filter (any of a, b) has an exact total without scanning: |a| + |b| - |a and b|.
-- Pairs are kept for rows with at most 32 tags (496 pairs a row at most); the few rows with more
-- are counted directly through catalog_rows_many_tags.
CREATE TABLE marketplace_tag_pair_counts (
    tag_a        text   COLLATE "C" NOT NULL,   -- tag_a < tag_b in byte order
    tag_b        text   COLLATE "C" NOT NULL,
    -- no CHECK: a negative delta is a valid insert proposal in ON CONFLICT DO UPDATE; zero rows are deleted
    agent_count  bigint NOT NULL,
    PRIMARY KEY (tag_a, tag_b)
);

CREATE INDEX catalog_rows_many_tags ON marketplace_catalog_rows USING gin (tags) WHERE cardinality(tags) > 32;

INSERT INTO marketplace_tag_pair_counts (tag_a, tag_b, agent_count)
SELECT a, b, count(*)
FROM marketplace_catalog_rows r, unnest(r.tags) AS a, unnest(r.tags) AS b
WHERE a < b AND cardinality(r.tags) <= 32
GROUP BY a, b;
