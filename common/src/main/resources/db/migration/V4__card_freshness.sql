-- HTTP freshness of Agent Cards (RFC 9111): until when the card of each row may be used without asking
-- its host again. A sync whose record answers 304 skips the card request while the card is fresh, so a
-- no-op rebuild costs one conditional request per agent instead of two. Null: not fresh (no freshness
-- headers, no-store / no-cache, feature disabled, card failed), i.e. revalidate as before.
--
-- Nullable and without a default: ADD COLUMN then only changes the catalog, it rewrites no row and holds
-- its ACCESS EXCLUSIVE lock for an instant, whatever the size of the table. Existing rows read as null,
-- which is the safe value: their cards are revalidated once, as they were before this column.
ALTER TABLE marketplace_catalog_sources ADD COLUMN card_fresh_until timestamptz;

-- Chunked runs carry the same through staging. A handle whose record and card both answered 304 but
-- whose card came with new freshness is staged as 'card_revalidated': only that timestamp is written
-- when the run is applied, not the row. Staging only holds runs in flight, so re-checking the
-- constraint scans next to nothing.
ALTER TABLE marketplace_sync_staging ADD COLUMN card_fresh_until timestamptz;
ALTER TABLE marketplace_sync_staging
    DROP CONSTRAINT marketplace_sync_staging_kind_check,
    ADD CONSTRAINT marketplace_sync_staging_kind_check
        CHECK (kind IN ('not_modified', 'card_revalidated', 'fetched', 'gone', 'failed'));
