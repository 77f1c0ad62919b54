-- Rebuild control: what the api-service itself must record, and what the scheduled producer reads.
--
-- The api-service may not write the catalog (V11: its login is a member of marketplace_reader only).
-- Two things cannot wait for a worker, so they live in the schema marketplace_control, which only
-- marketplace_api may write:
--   rebuild_requests  one line per registry of every accepted rebuild, written before its commands are
--                     published: the progress shows a registry 'queued' until a worker writes its
--                     marketplace_rebuild_progress line (the progress read joins the two).
--   schedule_ticks    one row per tick of a scheduled task: the replica whose INSERT wins the tick
--                     publishes, the others see the conflict and skip, so a tick is published once
--                     however many replicas run and however late their timers fire.
--
-- marketplace_api is the deployment's login role (deploy/database-roles.sql). When it does not exist yet
-- it is created here NOLOGIN, as V11 does for the groups, and the deployment script gives it its password
-- and LOGIN later; when the migrating role may not create roles a NOTICE says so and nothing is granted.

CREATE SCHEMA IF NOT EXISTS marketplace_control;

CREATE TABLE marketplace_control.rebuild_requests (
    rebuild_id    uuid        NOT NULL,
    registry_id   uuid        NOT NULL,
    reason        text        NOT NULL,
    requested_at  timestamptz NOT NULL,
    PRIMARY KEY (rebuild_id, registry_id)
);
-- the scheduled producer's "when was this registry last asked for" (TTL re-syncs), and the purge
CREATE INDEX rebuild_requests_registry ON marketplace_control.rebuild_requests (registry_id, requested_at DESC);
CREATE INDEX rebuild_requests_age ON marketplace_control.rebuild_requests (requested_at);

CREATE TABLE marketplace_control.schedule_ticks (
    task        text        NOT NULL,
    tick_at     timestamptz NOT NULL,
    claimed_by  text        NOT NULL,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task, tick_at)
);

-- The smallest ttlSecondsRecommended among a registry's records, clamped by the worker to its
-- configured minimum (a registry cannot ask for constant syncs); NULL when no record recommends one.
ALTER TABLE marketplace_registries ADD COLUMN recommended_ttl_seconds integer
    CHECK (recommended_ttl_seconds > 0);

-- The worker reads that minimum after each commit that changed rows: the first entry of this index
-- for the registry, instead of every row's JSON. Partial: only rows whose record recommends a TTL,
-- and only JSON numbers, so the cast in the expression can never fail a row write.
CREATE INDEX catalog_rows_recommended_ttl ON marketplace_catalog_rows
    (registry_id, ((agent -> 'ttlSecondsRecommended')::numeric))
    WHERE jsonb_typeof(agent -> 'ttlSecondsRecommended') = 'number';

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_api') THEN
        IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            RAISE NOTICE 'role marketplace_api does not exist and % may not create roles: marketplace_control '
                'not granted; create it (deploy/database-roles.sql) and run this block again as %', current_user, current_user;
            RETURN;
        END IF;
        BEGIN
            CREATE ROLE marketplace_api NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a migration of another database of this server
        END;
    END IF;
    GRANT USAGE ON SCHEMA marketplace_control TO marketplace_api;
    GRANT SELECT, INSERT, DELETE ON marketplace_control.rebuild_requests TO marketplace_api;
    GRANT SELECT, INSERT, DELETE ON marketplace_control.schedule_ticks TO marketplace_api;
END $$;
