-- The catalog's keys in name order, in a table of their own. A deep offset of the unfiltered name order
-- (offset=100000) skips its entries one by one, and an index-only scan asks the visibility map about
-- each entry's table page. marketplace_catalog_rows is about 1.5 KB a row and written registry by
-- registry, so consecutive names lie on table pages far apart, under different map pages: at 1M rows
-- 59,000 of the 100,000 entries skipped switched map pages, and catalog_rows_by_name's entries carry
-- the tags as well. Skipping the same 100,000 keys of this narrow table (at 1M rows 90 bytes a row in
-- the table and 84 in its key; one map page per about 3M rows) took 4 ms in psql against 13 ms on
-- catalog_rows_by_name (benchmarks/results, docs/api.md "Deep offsets").
--
-- A trigger keeps it: every writer of the rows (the worker, a seeder, a hand-run statement) changes it
-- in the same transaction, so a reader's snapshot sees the two tables agree. An update writes it only
-- when a key column changed; an unchanged name costs nothing. The primary key is the name order
-- itself, which the trigger's delete probes with the old row's values.
CREATE TABLE marketplace_catalog_name_order (
    sort_name   text COLLATE "C" NOT NULL,
    handle      text COLLATE "C" NOT NULL,
    registry_id uuid             NOT NULL,
    PRIMARY KEY (sort_name, handle, registry_id)
)
-- index-only scans skip pages the last vacuum saw all-visible; others are read from the table. A small
-- table is cheap to vacuum, so after 1 % of it changed rather than PostgreSQL's 20 %.
WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);

CREATE FUNCTION marketplace_catalog_name_order_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM marketplace_catalog_name_order
        WHERE sort_name = OLD.sort_name AND handle = OLD.handle AND registry_id = OLD.registry_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO marketplace_catalog_name_order (sort_name, handle, registry_id)
        VALUES (NEW.sort_name, NEW.handle, NEW.registry_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_rows_name_order_insert_delete
    AFTER INSERT OR DELETE ON marketplace_catalog_rows
    FOR EACH ROW EXECUTE FUNCTION marketplace_catalog_name_order_sync();

CREATE TRIGGER catalog_rows_name_order_update
    AFTER UPDATE OF sort_name, handle, registry_id ON marketplace_catalog_rows
    FOR EACH ROW
    WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name OR OLD.handle IS DISTINCT FROM NEW.handle
          OR OLD.registry_id IS DISTINCT FROM NEW.registry_id)
    EXECUTE FUNCTION marketplace_catalog_name_order_sync();

-- TRUNCATE fires no row trigger
CREATE FUNCTION marketplace_catalog_name_order_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE marketplace_catalog_name_order;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_rows_name_order_truncate
    AFTER TRUNCATE ON marketplace_catalog_rows
    FOR EACH STATEMENT EXECUTE FUNCTION marketplace_catalog_name_order_truncate();

INSERT INTO marketplace_catalog_name_order (sort_name, handle, registry_id)
SELECT sort_name, handle, registry_id FROM marketplace_catalog_rows ORDER BY sort_name, handle, registry_id;

ANALYZE marketplace_catalog_name_order;
