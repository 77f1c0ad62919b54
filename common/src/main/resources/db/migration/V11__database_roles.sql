-- Database roles: the database itself enforces that the api-service only reads and that neither
-- service can change the schema.
--
--   marketplace_reader  SELECT on every marketplace_* table. The api-service (and scripts/index-sync)
--                       log in as a member of it: it writes nothing to PostgreSQL (its sessions live
--                       in memory, its caches and counters in Redis, its commands go to Kafka).
--   marketplace_writer  SELECT, INSERT, UPDATE, DELETE on them, and the sequences of later migrations.
--                       The indexer-worker's pool logs in as a member of it. No TRUNCATE, no DDL.
--
-- Both are NOLOGIN group roles; the deployment creates the login roles that are members of them, with
-- passwords of its own (deploy/database-roles.sql: marketplace_api and marketplace_worker, run by
-- scripts/local-stack and docker-compose.yml before the services start). The tables stay owned by the
-- role that runs these migrations: the worker applies them over a connection of their own as that
-- owner (SPRING_FLYWAY_USER / SPRING_FLYWAY_PASSWORD), while its pool connects as its writer login.
-- flyway_schema_history is granted to neither group.
--
-- Roles belong to the server, not to this database. So the groups are created here only when absent
-- (other databases of the server may share them) and only when the migrating role may create roles;
-- otherwise a NOTICE says so and nothing is granted, and the services keep connecting as before.
-- This whole file is idempotent: after creating the groups (deploy/database-roles.sql does), run it
-- again as the owner with psql to grant what was skipped.
--
-- Default privileges give the tables (and sequences) that the owner creates in later migrations the
-- same grants, so no later migration has to remember them.

DO $$
DECLARE
    group_role text;
    may_create boolean;
    table_name text;
BEGIN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    FOREACH group_role IN ARRAY ARRAY['marketplace_reader', 'marketplace_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = group_role) THEN
            IF NOT may_create THEN
                RAISE NOTICE 'role % does not exist and % may not create roles: no grants made; create it '
                    '(deploy/database-roles.sql) and run this migration again as %', group_role, current_user, current_user;
                RETURN;
            END IF;
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', group_role);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by a migration of another database of this server
            END;
        END IF;
    END LOOP;

    EXECUTE format('GRANT USAGE ON SCHEMA %I TO marketplace_reader, marketplace_writer', current_schema());
    FOR table_name IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p')
          AND c.relname LIKE 'marketplace\_%'
    LOOP
        EXECUTE format('GRANT SELECT ON %I TO marketplace_reader', table_name);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO marketplace_writer', table_name);
    END LOOP;
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO marketplace_reader',
                   current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO marketplace_writer',
                   current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO marketplace_writer',
                   current_schema());
END $$;
