-- A registry's commit inserts a catalog row and a sources row per new agent. PostgreSQL spent over a
-- fifth of that insert on the three things this migration removes and on the upsert of rows that
-- cannot exist yet, which the worker now writes by plain INSERT (benchmarks/sql/catalog-insert-cost.sql:
-- the old write costs 128 % of the new one):
--
-- 1. Records and cards were jsonb, parsed by PostgreSQL on every write only to be printed as text again
--    on every read (agent detail, the worker's stored record). Nothing queries inside them. They are
--    now text; the worker still stores only text that jsonb reads to the same value (SourceJson), so
--    `record::jsonb` keeps working in an operator's query.
-- 2. The one field the worker read from inside a record, its agentCardUrl, is a column of its own.
-- 3. The foreign key to marketplace_catalog_rows checked, locked and logged the catalog row once per
--    inserted source. The worker is the only writer of both tables and deletes a row's source in the
--    same statement as the row (CatalogStore.deleteRows); the worker reads sources only joined to their
--    rows, and writes them with ON CONFLICT, so a source left behind by hand is never read and is
--    overwritten when its handle comes back.
--
-- Cost on an existing index: the UPDATE and the type change each rewrite the sources table once (24 s
-- for both at 1M agents on a 2-core machine, so about two minutes at 5M), holding its ACCESS EXCLUSIVE
-- lock: the worker waits meanwhile, the api-service's agent detail too; the catalog itself stays
-- readable.

ALTER TABLE marketplace_catalog_sources
    DROP CONSTRAINT marketplace_catalog_sources_registry_id_handle_fkey,
    ADD COLUMN card_url text;

UPDATE marketplace_catalog_sources SET card_url = record ->> 'agentCardUrl' WHERE record IS NOT NULL;

ALTER TABLE marketplace_catalog_sources
    ALTER COLUMN record TYPE text USING record::text,
    ALTER COLUMN card TYPE text USING card::text;

COMMENT ON COLUMN marketplace_catalog_sources.record IS
    'the registry record as fetched, JSON text that jsonb reads (see SourceJson)';
COMMENT ON COLUMN marketplace_catalog_sources.card IS
    'the Agent Card as fetched, JSON text that jsonb reads (see SourceJson)';
COMMENT ON COLUMN marketplace_catalog_sources.card_url IS
    'the record''s agentCardUrl: where a sync asks for the card while the record answers 304';

-- Chunked runs carry the card URL through staging. A run staged before this migration has none: its
-- agents' next sync reads the stored record once to find the card, as a sync did before card_url.
ALTER TABLE marketplace_sync_staging ADD COLUMN card_url text;
