-- V24 gave catalog_name_order_by_handle sort_name as an included column, because an unfiltered page in
-- handle order took its keys' sort_name from the index. The page now reads sort_name from its own 50
-- rows, so the index need only hold the handle order (handle, registry_id): a quarter smaller (79 bytes
-- per written agent against 107 in the indexer benchmark), and a deep offset skips its entries over
-- that many fewer index pages. In psql at 1M synthetic keys inserted in random order, as the worker's
-- trigger writes them, the keys of offset=100000 took 21.8 ms on this index against 44.6 ms with
-- sort_name included (15.9 against 25.8 when built in one pass); in the read benchmark,
-- handle_offset_100k (benchmarks/results, docs/api.md "Deep offsets").
DROP INDEX catalog_name_order_by_handle;
CREATE INDEX catalog_name_order_by_handle ON marketplace_catalog_name_order (handle, registry_id);
