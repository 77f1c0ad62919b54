-- Bounds the pending lists of the catalog's GIN indexes at 512 kB (64 pages) instead of the server's
-- gin_pending_list_limit (4 MB by default). With fast update a written entry waits in the index's
-- unsorted pending list, and every search through the index scans the whole list; the workers' writes
-- keep the lists anywhere between empty and full. At 5M agents a full 4 MB list cost a count through
-- the trigram, gram or word index 6-12 ms more, a 512 kB one stayed within 2 ms of a vacuumed index
-- (benchmarks/results/gin-pending-2026-12-07-5m.md). The price is more frequent, smaller merges in the
-- writes that overflow a list: batches of random updates of that catalog took 5-17 % longer; the
-- indexer benchmark's full rebuilds could not tell it from their noise (PostgreSQL's CPU for 200,000
-- agents 79.7 and 84.3 s with this, 81.7 and 79.8 s without; benchmarks/results/indexer-2026-12-07-gin-*.md).
-- A storage parameter: taken at once (SHARE UPDATE EXCLUSIVE), no rebuild; a list already longer is
-- merged by the next write that finds it over the bound, or by the next vacuum.
ALTER INDEX catalog_rows_search_trgm SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_search_grams SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_search_vector SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_tags SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_many_tags SET (gin_pending_list_limit = 512);
