-- Schema of the marketplace index. Owned by Flyway, applied by the indexer worker (the only writer).
-- Text that is sorted or compared uses COLLATE "C": byte order is deterministic on every server,
-- and keyset paging, the btree order and the API's documented order are the same thing.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per connected registry, with its sync state.
CREATE TABLE marketplace_registries (
    id                       uuid PRIMARY KEY,
    name                     text        NOT NULL,
    url                      text        COLLATE "C" NOT NULL,  -- normalized: scheme and host lower-case, no trailing slash
    auth_token               text,                              -- never returned, never logged
    enabled                  boolean     NOT NULL DEFAULT true,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    sync_status              text        NOT NULL DEFAULT 'pending'
        CHECK (sync_status IN ('pending', 'syncing', 'ok', 'stale', 'failed', 'disabled')),
    last_sync_status         text,                              -- compatible: ok | http_<status> | error
    last_attempt_at          timestamptz,                       -- start of the latest attempt
    last_finished_at         timestamptz,
    last_success_at          timestamptz,                       -- end of the latest successful sync
    last_success_started_at  timestamptz,                       -- its start: a rebuild requested before it is already satisfied
    last_duration_ms         bigint,
    record_count             integer     NOT NULL DEFAULT 0,    -- rows of this registry in the index
    consecutive_failures     integer     NOT NULL DEFAULT 0,
    last_error               text,
    last_counts              jsonb       NOT NULL DEFAULT '{}',
    recent_errors            jsonb       NOT NULL DEFAULT '[]'  -- at most 100, newest first
);
CREATE UNIQUE INDEX marketplace_registries_url_key ON marketplace_registries (url);

-- The index itself. Name and key are the compatible ones; the extracted columns below are written
-- by the worker from the normalized agent so that every search runs in SQL.
CREATE TABLE marketplace_catalog_rows (
    registry_id   uuid        NOT NULL REFERENCES marketplace_registries (id) ON DELETE CASCADE,
    handle        text        COLLATE "C" NOT NULL,
    agent         jsonb       NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),          -- when this row last changed in the index
    generation    bigint      NOT NULL,                        -- catalog generation of that change
    sort_name     text        COLLATE "C" NOT NULL,            -- lower(name, falling back to handle)
    search_text   text        COLLATE "C" NOT NULL,            -- lower-cased name, description, handle, author, tags
    tags          text[]      COLLATE "C" NOT NULL DEFAULT '{}',
    content_hash  bytea       NOT NULL,                        -- SHA-256 of the normalized agent: equal hash, no write
    PRIMARY KEY (registry_id, handle)
);
-- sort=name and sort=handle, each with its deterministic tie-breakers (the keyset order).
CREATE INDEX catalog_rows_by_name ON marketplace_catalog_rows (sort_name, handle, registry_id);
CREATE INDEX catalog_rows_by_handle ON marketplace_catalog_rows (handle, registry_id);
-- registryUrl filter resolves to registry ids; then the page walks this index in output order.
CREATE INDEX catalog_rows_by_registry_name ON marketplace_catalog_rows (registry_id, sort_name, handle);
-- tags any-of: tags && ARRAY[...]
CREATE INDEX catalog_rows_tags ON marketplace_catalog_rows USING gin (tags);
-- q: case-insensitive substring, search_text LIKE '%…%'
CREATE INDEX catalog_rows_search_trgm ON marketplace_catalog_rows USING gin (search_text gin_trgm_ops);
-- changes feed: (generation, registry_id, handle) keyset
CREATE INDEX catalog_rows_by_generation ON marketplace_catalog_rows (generation, registry_id, handle);

-- What each row was built from, as last fetched, with the validators for conditional requests.
-- Kept apart so the hot table stays narrow.
CREATE TABLE marketplace_catalog_sources (
    registry_id        uuid        NOT NULL,
    handle             text        COLLATE "C" NOT NULL,
    record             jsonb,
    card               jsonb,
    record_etag        text,
    card_etag          text,
    card_last_modified text,
    card_error         text,
    fetched_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registry_id, handle),
    FOREIGN KEY (registry_id, handle) REFERENCES marketplace_catalog_rows (registry_id, handle) ON DELETE CASCADE
);

-- Rows removed from the index, for the changes feed; purged after a retention period.
CREATE TABLE marketplace_catalog_tombstones (
    registry_id  uuid        NOT NULL,
    handle       text        COLLATE "C" NOT NULL,
    removed_at   timestamptz NOT NULL DEFAULT now(),
    generation   bigint      NOT NULL,
    PRIMARY KEY (registry_id, handle)
);
CREATE INDEX catalog_tombstones_by_generation ON marketplace_catalog_tombstones (generation, registry_id, handle);
CREATE INDEX catalog_tombstones_by_removed_at ON marketplace_catalog_tombstones (removed_at);

-- The catalog generation: bumped once per committed change, inside that commit.
CREATE TABLE marketplace_catalog_state (
    id          smallint    PRIMARY KEY CHECK (id = 1),
    generation  bigint      NOT NULL,
    built_at    timestamptz
);
INSERT INTO marketplace_catalog_state (id, generation, built_at) VALUES (1, 0, NULL);

-- Rows per tag over the whole catalog, maintained in the same transaction as the rows:
-- meta.tags and single-tag totals without scanning the index.
CREATE TABLE marketplace_tag_counts (
    tag          text   COLLATE "C" PRIMARY KEY,
    -- no CHECK here: a negative delta is a valid insert proposal in ON CONFLICT DO UPDATE, and rows
    -- that reach zero are deleted in the same transaction
    agent_count  bigint NOT NULL
);

-- Progress of each rebuild, one line per registry it touched.
CREATE TABLE marketplace_rebuild_progress (
    rebuild_id   uuid        NOT NULL,
    registry_id  uuid        NOT NULL,
    reason       text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('syncing', 'ok', 'unchanged', 'coalesced', 'failed', 'skipped')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    detail       jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (rebuild_id, registry_id)
);

-- Outcome of registry commands that the worker refused (e.g. a duplicate URL raced past the API's check).
CREATE TABLE marketplace_command_results (
    command_id   uuid        PRIMARY KEY,
    registry_id  uuid        NOT NULL,
    command      text        NOT NULL,
    status       text        NOT NULL,
    error        text,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
