-- Handle order's deep offsets over the narrow table of the catalog's keys (V23), as name order's already
-- are. Without a filter, sort=handle skipped catalog_rows_by_handle's entries one by one and read each
-- one's row of marketplace_catalog_rows for its sort_name: at 5M rows the keys of offset=100000 read
-- 100,321 buffers in 68-75 ms (psql). This index covers the page's keys, and its entries point into
-- marketplace_catalog_name_order, whose visibility map is a few pages, so the scan is index-only: 6,042
-- buffers, 7.2 ms. 401 MB at 5M rows, about 80 bytes per agent. V23's trigger keeps the table; the index
-- adds one entry per written key.
CREATE INDEX catalog_name_order_by_handle ON marketplace_catalog_name_order (handle, registry_id) INCLUDE (sort_name);
