-- The exact total of a two-tag filter subtracts the rare rows with more than 32 tags, which
-- catalog_rows_many_tags (V3) holds. Without statistics on cardinality(tags) the planner guesses that
-- a third of the rows match, prices the small partial index as a big one, and walks the whole of
-- catalog_rows_by_name instead: 4.6 s at 5M rows, past the read budget, so the page's two-tag filter
-- answered 503. With these statistics it reads the partial index: about 1 ms.
CREATE STATISTICS catalog_rows_tag_count ON (cardinality(tags)) FROM marketplace_catalog_rows;
ANALYZE marketplace_catalog_rows;
