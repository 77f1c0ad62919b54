-- Chunked sync of very large registries. The worker that holds a registry's rebuild lists it, records
-- a run here and publishes one chunk command per slice of the listing; any replica fetches a chunk
-- into staging; the registry's own writer applies the whole run in one transaction once every chunk
-- is staged. Staging is never read by the API: readers keep seeing the registry's previous rows.

-- One sync run of one registry. At most one run per registry is active (publishing or running).
CREATE TABLE marketplace_sync_runs (
    run_id        uuid        PRIMARY KEY,
    registry_id   uuid        NOT NULL REFERENCES marketplace_registries (id) ON DELETE CASCADE,
    rebuild_id    uuid        NOT NULL,                        -- the rebuild (command id) the run serves
    reason        text        NOT NULL,
    force         boolean     NOT NULL,                        -- accept a listing the shrink guard would refuse
    status        text        NOT NULL
        -- publishing: chunk commands are being sent; running: all sent; done: applied;
        -- superseded: a newer sync of the registry started; failed: timed out or inconsistent;
        -- cancelled: the registry was disabled or removed
        CHECK (status IN ('publishing', 'running', 'done', 'superseded', 'failed', 'cancelled')),
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    listed        integer     NOT NULL,                        -- usable handles of the listing = staging rows when complete
    malformed     integer     NOT NULL,                        -- listing entries skipped as unusable
    chunks_total  integer     NOT NULL CHECK (chunks_total > 0),
    chunks_done   integer     NOT NULL DEFAULT 0,
    error         text,
    CHECK (chunks_done BETWEEN 0 AND chunks_total)
);
-- The single-writer rule in the schema: a second active run of a registry is a bug, not a race to win.
CREATE UNIQUE INDEX sync_runs_one_active_per_registry ON marketplace_sync_runs (registry_id)
    WHERE status IN ('publishing', 'running');
-- The timeout sweep walks active runs by age.
CREATE INDEX sync_runs_active_by_started_at ON marketplace_sync_runs (started_at)
    WHERE status IN ('publishing', 'running');
-- A redelivered rebuild finds its run.
CREATE INDEX sync_runs_by_rebuild ON marketplace_sync_runs (registry_id, rebuild_id);
-- Finished runs are purged after a retention period.
CREATE INDEX sync_runs_by_finished_at ON marketplace_sync_runs (finished_at) WHERE finished_at IS NOT NULL;

-- Chunks counted into a run's chunks_done: a redelivered chunk inserts nothing here and so counts once.
CREATE TABLE marketplace_sync_chunks (
    run_id       uuid        NOT NULL REFERENCES marketplace_sync_runs (run_id) ON DELETE CASCADE,
    chunk_index  integer     NOT NULL,
    handles      integer     NOT NULL,
    staged_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, chunk_index)
);

-- What fetching each listed handle produced, one row per handle of the run, until the run is applied
-- (then deleted). The JSON documents are kept as text: they are only parsed once, when applied.
CREATE TABLE marketplace_sync_staging (
    run_id              uuid    NOT NULL REFERENCES marketplace_sync_runs (run_id) ON DELETE CASCADE,
    handle              text    COLLATE "C" NOT NULL,
    chunk_index         integer NOT NULL,                      -- (chunk_index, position) is the listing order,
    position            integer NOT NULL,                      -- in which results are applied and errors reported
    kind                text    NOT NULL CHECK (kind IN ('not_modified', 'fetched', 'gone', 'failed')),
    -- fetched: the row as it would be written
    agent               text,
    sort_name           text    COLLATE "C",
    search_text         text    COLLATE "C",
    tags                text[]  COLLATE "C",
    content_hash        bytea,
    record              text,
    card                text,
    record_etag         text,
    card_etag           text,
    card_last_modified  text,
    card_error          text,
    -- gone: the record's HTTP status; failed: why the handle could not be used
    http_status         integer,
    error_kind          text,
    error               text,
    PRIMARY KEY (run_id, handle)
);
-- Applying a run pages through its results in listing order.
CREATE UNIQUE INDEX sync_staging_in_listing_order ON marketplace_sync_staging (run_id, chunk_index, position);
