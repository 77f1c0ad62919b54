-- A substring filter (q) found through the trigram or grams index reads every match from the table to
-- sort it by name: 4-9 µs a row once the table outgrows memory, so at 5M rows q=flat (26,281 matches)
-- took 140 ms for a page of 50, and with a tag and its registry as well, as long. When matches are
-- common, walking the name order until a page has matched is cheaper, but only if the walk need not
-- read the table: these indexes carry what the filter checks (search_text, tags), so the walk is
-- index-only, about 0.6 µs a row. The service chooses between the walk and the index from its sample
-- of the catalog (NameWalk); PostgreSQL cannot, as it estimates LIKE '%needle%' with a constant.
--
-- catalog_rows_name_search is new rather than a wider catalog_rows_by_name: a deep offset skips its
-- entries, and wider entries made offset=100000 take 24 ms instead of 14 ms at 1M rows. The registry
-- order is widened in place (built under the same name, as V6 did), since its walks are short. Each
-- costs about 370 bytes a row (search_text is about 190 bytes): docs/search.md.
CREATE INDEX catalog_rows_name_search ON marketplace_catalog_rows (sort_name, handle, registry_id) INCLUDE (tags, search_text);
CREATE INDEX catalog_rows_by_registry_name_covering ON marketplace_catalog_rows (registry_id, sort_name, handle) INCLUDE (tags, search_text);
DROP INDEX catalog_rows_by_registry_name;
ALTER INDEX catalog_rows_by_registry_name_covering RENAME TO catalog_rows_by_registry_name;
