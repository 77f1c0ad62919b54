-- Bounds the pending lists of the catalog's GIN indexes at 512 kB (64 pages) instead of the server's
-- gin_pending_list_limit (4 MB by default). With fast update a written entry waits in the index's
-- unsorted pending list, and every search through the index scans the whole list: at 1M agents a
-- nearly full 4 MB list added 3-4 ms to a trigram query and 7 ms to a word query
-- (benchmarks/results/gin-pending-2026-12-07-1m.md), and the workers' writes keep the lists anywhere
-- between empty and full. An eighth of the list costs a read an eighth of that. The price is more
-- frequent, smaller merges in the writes that overflow a list: the indexer benchmark could not tell it
-- from its runs' noise (PostgreSQL's CPU in a full rebuild of 200,000 agents 79.7 and 84.3 s with this,
-- 81.7 and 79.8 s without; benchmarks/results/indexer-2026-12-07-gin-*.md).
-- A storage parameter: taken at once (SHARE UPDATE EXCLUSIVE), no rebuild, lists already longer are
-- merged by the next write that finds them over the limit, or by the next vacuum.
ALTER INDEX catalog_rows_search_trgm SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_search_grams SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_search_vector SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_tags SET (gin_pending_list_limit = 512);
ALTER INDEX catalog_rows_many_tags SET (gin_pending_list_limit = 512);
