-- The login roles the services connect as, created or updated; safe to run on every start.
--
--   psql -X -v ON_ERROR_STOP=1 -v api_password=... -v worker_password=... -d marketplace -f deploy/database-roles.sql
--
-- Run it as a role that may create roles (the server's administrator), before the indexer-worker
-- starts: the worker's migrations (V11__database_roles.sql) grant the tables to the two group roles,
-- which must exist by then, and these login roles are members of them.
--
--   marketplace_api     member of marketplace_reader: SELECT on the index's tables; and the only role that may
--                       write the schema marketplace_control (accounts, API tokens, sessions: V13; rebuild
--                       requests, schedule ticks: V15). The api-service's main pool is read-only at the
--                       server besides; its writes, all to that schema, go through its small control pool.
--   marketplace_worker  member of marketplace_writer: SELECT, INSERT, UPDATE, DELETE on them; no TRUNCATE,
--                       no DDL (the worker applies migrations as the schema owner, SPRING_FLYWAY_USER)
--
-- Roles belong to the whole server: several databases of one server share them.

SELECT 'CREATE ROLE marketplace_reader NOLOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_reader') \gexec
SELECT 'CREATE ROLE marketplace_writer NOLOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_writer') \gexec

SELECT 'CREATE ROLE marketplace_api'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_api') \gexec
SELECT 'CREATE ROLE marketplace_worker'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_worker') \gexec

-- every attribute spelled out, so that a role that existed before gets exactly these
ALTER ROLE marketplace_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT
    PASSWORD :'api_password';
ALTER ROLE marketplace_worker LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT
    PASSWORD :'worker_password';

SELECT 'GRANT marketplace_reader TO marketplace_api'
WHERE NOT pg_has_role('marketplace_api', 'marketplace_reader', 'MEMBER') \gexec
SELECT 'GRANT marketplace_writer TO marketplace_worker'
WHERE NOT pg_has_role('marketplace_worker', 'marketplace_writer', 'MEMBER') \gexec
