-- PostgreSQL settings for the catalog's database server, applied once with ALTER SYSTEM (they land in
-- postgresql.auto.conf; a restart makes shared_buffers take effect). docker-compose.yml runs this file
-- when it creates the database; scripts/bench-indexer applies it to the server it starts for a run.
--
-- Sized for about 1 million agents on a host with 8 GiB or more; scale shared_buffers with the
-- catalog (a quarter of the host's memory is the usual ceiling).

-- The catalog's indexes (about 1 GiB at 1 million agents) and the pages being filled should stay in
-- PostgreSQL's buffers. With the stock 128 MB, a full rebuild past half a million agents spends about
-- an eighth of PostgreSQL's CPU reading evicted index pages back from the OS and writing dirty ones
-- out; reads of a large catalog want its indexes in memory as well.
ALTER SYSTEM SET shared_buffers = '2GB';

-- A full rebuild writes at least as much WAL as the catalog holds (about 4 GB at 1 million agents).
-- A checkpoint every 1 GB of it (the default) would make the WAL carry every index page touched after
-- each checkpoint in full once more (full-page writes); fewer checkpoints write fewer of them.
ALTER SYSTEM SET max_wal_size = '8GB';
ALTER SYSTEM SET checkpoint_timeout = '15min';

-- VACUUM after a bulk load (and autovacuum) merges the GIN indexes' pending lists in this memory.
ALTER SYSTEM SET maintenance_work_mem = '512MB';

-- A new WAL segment is filled with 16 MB of zeros before its first record (wal_init_zero). A server
-- that was idle before a full rebuild has few segments to recycle, so it creates most of the 4 GB
-- anew: in a profile of a rebuild, zeroing them was a tenth of PostgreSQL's CPU. Without it a segment
-- is created by writing its last byte and its blocks are allocated as WAL reaches them; what that costs
-- is a little more work per WAL flush, and the catalog's only writer flushes once per registry.
ALTER SYSTEM SET wal_init_zero = off;
