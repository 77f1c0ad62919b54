-- Rows and tombstones are stamped with the id of the transaction that wrote them (change_xid,
-- pg_current_xact_id() as bigint) instead of the catalog generation.
--
-- Why: a stamp that had to follow commit order was the catalog generation, taken under a row lock held
-- until COMMIT, so every registry commit of every worker replica waited for the one before it. A
-- transaction id costs no lock. It does not follow commit order, so the changes feed serves only stamps
-- below a watermark, the xmin of its snapshot (transactions of other databases left out): every
-- transaction with a smaller id that could write here has ended, so no change can later appear below a
-- position a reader has already passed. The catalog generation stays
-- (marketplace_catalog_state, catalog-change events, cache keys); the worker takes it last, right
-- before COMMIT, with the tag counters, so only that tail is serialized.
--
-- The values already stored stay valid stamps: every old generation came from a distinct committed
-- transaction of this cluster, so it is smaller than any transaction id assigned from now on (the
-- 64-bit id never wraps, and pg_upgrade and physical replicas keep the counter). The feed order
-- (change_xid, registry_id, handle) therefore stays monotonic across this migration, and a cursor
-- handed out before it still points at the same place.
--
-- Renames only: no table rewrite, no index rebuild.

ALTER TABLE marketplace_catalog_rows RENAME COLUMN generation TO change_xid;
ALTER INDEX catalog_rows_by_generation RENAME TO catalog_rows_by_change;

ALTER TABLE marketplace_catalog_tombstones RENAME COLUMN generation TO change_xid;
ALTER INDEX catalog_tombstones_by_generation RENAME TO catalog_tombstones_by_change;

COMMENT ON COLUMN marketplace_catalog_rows.change_xid IS
    'id of the transaction that last wrote the row (pg_current_xact_id); changes feed order';
COMMENT ON COLUMN marketplace_catalog_tombstones.change_xid IS
    'id of the transaction that removed the row (pg_current_xact_id); changes feed order';
