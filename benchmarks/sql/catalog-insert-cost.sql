-- What PostgreSQL spends on inserting catalog rows and sources, and which part costs what.
-- Run as a superuser, against a scratch database on a server on this machine (it creates its own
-- tables, never the service's, and reads its backend's CPU time from /proc/self/stat):
--
--   createdb insert_cost && psql -X -d insert_cost -f benchmarks/sql/catalog-insert-cost.sql
--
-- 1,000 registries x 100 agents, with their agent, record and card JSON, are generated once into an
-- unlogged table. Each variant then recreates the catalog tables (the columns and indexes of the
-- migrations, autovacuum off so that it does not run in the middle of a load), drops what the variant
-- leaves out, and loads the 100,000 agents registry by registry: one transaction per registry, one
-- multi-row INSERT per table, as the worker's rewritten JDBC batches are. The variants take turns for
-- three rounds; each line prints the load's wall time and its backend's CPU time. Compare medians:
-- one load varies by 10-15 % on a 2-core machine.
--
-- Variants:
--   now              as the worker writes since V7: catalog rows by plain INSERT (new rows), sources as
--                    text by upsert, no foreign key between them
--   before V7        sources as jsonb with a foreign key to their rows, both tables by upsert
--   rows only        "now" without the sources rows
--   no trigram       "now" without catalog_rows_search_trgm
--   no grams GIN     "now" without catalog_rows_search_grams (V19)
--   no tags GIN      "now" without catalog_rows_tags
--   no B-trees       "now" without the four secondary B-trees (by name, handle, registry and name, change)
--   no secondary     "now" without any secondary index

\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DROP TABLE IF EXISTS gen;
CREATE UNLOGGED TABLE gen AS
SELECT r, a, ('00000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid AS registry_id,
       'agent-' || lpad(a::text, 5, '0') || '.bench-' || r AS handle,
       (ARRAY['calm','rapid','bright','silent','swift','clever','bold','keen'])[1 + (r*7+a*13) % 8] || ' ' ||
       (ARRAY['sentinel','scout','helper','oracle','pilot','broker','clerk','muse'])[1 + (r*3+a*5) % 8] || ' ' || (a % 97) AS name,
       (ARRAY['rapid','precise','friendly','robust'])[1 + (r+a) % 4] || ' agent for ' ||
       (ARRAY['analytics','sales','support','legal','travel','finance','coding','research'])[1 + (r*5+a) % 8] || ', ' ||
       (ARRAY['analytics','sales','support','legal','travel','finance','coding','research'])[1 + (r+a*3) % 8] || '.' AS description,
       (ARRAY['wayne analytics','acme corp','globex','initech'])[1 + (r*11+a) % 4] AS author,
       ARRAY[(ARRAY['analytics','sales','support','legal','travel','finance','coding','research','hr','ops'])[1 + (r+a) % 10],
             (ARRAY['analytics','sales','support','legal','travel','finance','coding','research','hr','ops'])[1 + (r*3+a*7+1) % 10],
             (ARRAY['text','image','audio','file'])[1 + a % 4]] AS tags
FROM generate_series(1, 1000) r, generate_series(1, 100) a;
-- the documents as the worker sends them: the agent it built, the record and card as a registry serves them
ALTER TABLE gen ADD COLUMN agent_text text, ADD COLUMN search_text text, ADD COLUMN record_text text,
                ADD COLUMN card_url text, ADD COLUMN card_text text;
UPDATE gen SET
    agent_text = json_build_object('handle', handle, 'name', name, 'description', description,
        'author', author, 'tags', tags, 'version', '1.5.0', 'protocolVersion', '0.3.0',
        'skills', json_build_array(json_build_object('id', 's1', 'name', 'Support helper',
                                                     'description', 'Handles support and legal requests.', 'tags', tags)),
        'inputModalities', '["text"]'::json, 'outputModalities', '["text"]'::json,
        'url', 'http://registry.example/a2a/' || handle)::text,
    search_text = lower(name || ' ' || description || ' ' || handle || ' ' || author || ' ' || array_to_string(tags, ' ')),
    card_url = 'http://registry.example/cards/' || handle;
UPDATE gen SET
    record_text = json_build_object('schema', 'hive-registry-record-v1', 'handle', handle,
        'updatedAt', '2025-03-05T12:17:54Z', 'agentCardUrl', card_url, 'capabilities', tags, 'version', '1.2.0',
        'documentationUrl', 'http://registry.example/docs/' || handle, 'publishedAt', '2024-07-07T03:34:27Z',
        'inputModalities', '["text"]'::json, 'outputModalities', '["text"]'::json, 'ttlSecondsRecommended', 3600)::text,
    card_text = json_build_object('name', name, 'description', description,
        'url', 'http://registry.example/a2a/' || handle, 'iconUrl', 'http://registry.example/icons/' || handle,
        'provider', json_build_object('organization', author), 'version', '1.2.0', 'protocolVersion', '0.3.0',
        'capabilities', json_build_object('streaming', false), 'defaultInputModes', '["text"]'::json,
        'defaultOutputModes', '["text"]'::json,
        'skills', json_build_array(json_build_object('id', 'skill-0', 'name', 'Music desk',
                                                     'description', 'Handles music requests.', 'tags', tags)))::text;
-- the grams as the worker computes them in Java (SearchGrams): distinct code-point unigrams and bigrams,
-- never across a field separator (this generator joins fields with spaces, so none is crossed); the
-- SQL twin is used here only to generate the data, once
ALTER TABLE gen ADD COLUMN search_grams text[];
UPDATE gen SET search_grams = array(
    SELECT DISTINCT v FROM (SELECT c, lead(c) OVER (ORDER BY i) AS n
                            FROM unnest(string_to_array(search_text, NULL)) WITH ORDINALITY u(c, i)) x
    CROSS JOIN LATERAL (VALUES (c), (c || n)) w(v) WHERE v IS NOT NULL);
CREATE INDEX ON gen (r);
VACUUM ANALYZE gen;

CREATE OR REPLACE PROCEDURE reset_catalog(before_v7 boolean, drop_indexes text) LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS src_t;
    DROP TABLE IF EXISTS rows_t;
    CREATE TABLE rows_t (
        registry_id uuid NOT NULL, handle text COLLATE "C" NOT NULL, agent jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(), change_xid bigint NOT NULL,
        sort_name text COLLATE "C" NOT NULL, search_text text COLLATE "C" NOT NULL,
        tags text[] COLLATE "C" NOT NULL DEFAULT '{}', content_hash bytea NOT NULL, search_grams text[] COLLATE "C",
        PRIMARY KEY (registry_id, handle)) WITH (autovacuum_enabled = off);
    CREATE INDEX r_by_name ON rows_t (sort_name, handle, registry_id) INCLUDE (tags);
    CREATE INDEX r_by_handle ON rows_t (handle, registry_id);
    CREATE INDEX r_by_registry_name ON rows_t (registry_id, sort_name, handle);
    CREATE INDEX r_tags ON rows_t USING gin (tags);
    CREATE INDEX r_many_tags ON rows_t USING gin (tags) WHERE cardinality(tags) > 32;
    CREATE INDEX r_trgm ON rows_t USING gin (search_text gin_trgm_ops);
    CREATE INDEX r_by_change ON rows_t (change_xid, registry_id, handle);
    CREATE INDEX r_grams ON rows_t USING gin (search_grams);
    CREATE INDEX r_grams_missing ON rows_t (registry_id, handle) WHERE search_grams IS NULL;
    IF drop_indexes <> '' THEN
        EXECUTE 'DROP INDEX ' || drop_indexes;
    END IF;
    IF before_v7 THEN
        CREATE TABLE src_t (
            registry_id uuid NOT NULL, handle text COLLATE "C" NOT NULL, record jsonb, card jsonb,
            record_etag text, card_etag text, card_last_modified text, card_error text,
            fetched_at timestamptz NOT NULL DEFAULT now(), card_fresh_until timestamptz,
            PRIMARY KEY (registry_id, handle),
            FOREIGN KEY (registry_id, handle) REFERENCES rows_t (registry_id, handle) ON DELETE CASCADE)
            WITH (autovacuum_enabled = off);
    ELSE
        CREATE TABLE src_t (
            registry_id uuid NOT NULL, handle text COLLATE "C" NOT NULL, record text, card text, card_url text,
            record_etag text, card_etag text, card_last_modified text, card_error text,
            fetched_at timestamptz NOT NULL DEFAULT now(), card_fresh_until timestamptz,
            PRIMARY KEY (registry_id, handle)) WITH (autovacuum_enabled = off);
    END IF;
END $$;

CREATE OR REPLACE PROCEDURE load_catalog(before_v7 boolean, with_sources boolean) LANGUAGE plpgsql AS $$
BEGIN
  FOR reg IN 1..1000 LOOP
    IF before_v7 THEN
      INSERT INTO rows_t (registry_id, handle, agent, change_xid, sort_name, search_text, tags, content_hash, search_grams)
      SELECT registry_id, handle, agent_text::jsonb, pg_current_xact_id()::text::bigint, lower(name), search_text,
             tags, sha256(convert_to(agent_text, 'UTF8')), search_grams
      FROM gen WHERE r = reg
      ON CONFLICT (registry_id, handle) DO UPDATE
      SET agent = EXCLUDED.agent, change_xid = EXCLUDED.change_xid, sort_name = EXCLUDED.sort_name,
          search_text = EXCLUDED.search_text, tags = EXCLUDED.tags, content_hash = EXCLUDED.content_hash,
          search_grams = EXCLUDED.search_grams
      WHERE rows_t.content_hash <> EXCLUDED.content_hash;
      INSERT INTO src_t (registry_id, handle, record, card, record_etag, card_etag, card_last_modified, card_fresh_until)
      SELECT registry_id, handle, record_text::jsonb, card_text::jsonb, 'W/"1"', 'W/"2"',
             'Fri, 27 Nov 2026 05:00:00 GMT', now()
      FROM gen WHERE r = reg
      ON CONFLICT (registry_id, handle) DO UPDATE SET record = EXCLUDED.record, card = EXCLUDED.card;
    ELSE
      INSERT INTO rows_t (registry_id, handle, agent, change_xid, sort_name, search_text, tags, content_hash, search_grams)
      SELECT registry_id, handle, agent_text::jsonb, pg_current_xact_id()::text::bigint, lower(name), search_text,
             tags, sha256(convert_to(agent_text, 'UTF8')), search_grams
      FROM gen WHERE r = reg;
      IF with_sources THEN
        INSERT INTO src_t (registry_id, handle, record, card_url, card, record_etag, card_etag, card_last_modified,
                           card_fresh_until)
        SELECT registry_id, handle, record_text, card_url, card_text, 'W/"1"', 'W/"2"',
               'Fri, 27 Nov 2026 05:00:00 GMT', now()
        FROM gen WHERE r = reg
        ON CONFLICT (registry_id, handle) DO UPDATE
        SET record = EXCLUDED.record, card_url = EXCLUDED.card_url, card = EXCLUDED.card;
      END IF;
    END IF;
    COMMIT;
  END LOOP;
END $$;

-- this backend's CPU time (user + system) in seconds, from /proc
CREATE OR REPLACE FUNCTION backend_cpu_seconds() RETURNS numeric LANGUAGE sql AS $$
    SELECT ((f[12])::numeric + (f[13])::numeric) / 100
    FROM string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') AS f
$$;

CREATE TEMP TABLE variants (position int, name text, before_v7 boolean, with_sources boolean, drop_indexes text);
INSERT INTO variants VALUES
    (1, 'now', false, true, ''),
    (2, 'before V7', true, true, ''),
    (3, 'rows only', false, false, ''),
    (4, 'no trigram', false, true, 'r_trgm'),
    (8, 'no grams GIN', false, true, 'r_grams'),
    (5, 'no tags GIN', false, true, 'r_tags'),
    (6, 'no B-trees', false, true, 'r_by_name, r_by_handle, r_by_registry_name, r_by_change'),
    (7, 'no secondary', false, true, 'r_by_name, r_by_handle, r_by_registry_name, r_by_change, r_trgm, r_tags, r_many_tags, r_grams, r_grams_missing');
CREATE TEMP TABLE results (round int, position int, name text, wall_s numeric, cpu_s numeric);

CREATE OR REPLACE PROCEDURE measure(round int) LANGUAGE plpgsql AS $$
DECLARE v record; t0 timestamptz; c0 numeric;
BEGIN
  FOR v IN SELECT * FROM variants ORDER BY position LOOP
    CALL reset_catalog(v.before_v7, v.drop_indexes);
    COMMIT;
    CHECKPOINT;
    t0 := clock_timestamp();
    c0 := backend_cpu_seconds();
    CALL load_catalog(v.before_v7, v.with_sources);
    INSERT INTO results VALUES (round, v.position, v.name, extract(epoch FROM clock_timestamp() - t0),
                                backend_cpu_seconds() - c0);
    RAISE NOTICE 'round % %: % s wall', round, v.name, round(extract(epoch FROM clock_timestamp() - t0), 1);
    COMMIT;
  END LOOP;
END $$;

SET client_min_messages = notice;
CALL measure(1);
CALL measure(2);
CALL measure(3);

\set QUIET off
\echo 'median of three rounds, CPU of the loading backend; share: of the "now" load'
SELECT name AS variant, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_s)::numeric, 1) AS wall_s,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_s)::numeric, 1) AS cpu_s,
       round(100 * percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_s)::numeric
             / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_s) FROM results WHERE position = 1)::numeric)
           AS "% of now"
FROM results GROUP BY position, name ORDER BY position;

\set QUIET on
DROP TABLE src_t, rows_t, gen;
DROP PROCEDURE measure, load_catalog, reset_catalog;
DROP FUNCTION backend_cpu_seconds;
