-- What PostgreSQL spends on inserting catalog rows and sources, and which index costs what.
-- Run against a scratch database (it creates its own tables, never the service's):
--
--   createdb insert_cost && psql -d insert_cost -f benchmarks/sql/catalog-insert-cost.sql
--
-- 1,000 registries x 100 agents are generated once into an unlogged table; each variant then
-- recreates the catalog tables (same columns and indexes as the migrations), drops what it leaves
-- out, and loads the 100,000 agents registry by registry, one transaction per registry, one upsert
-- per row as a JDBC batch without rewriting would. psql's \timing prints each CALL; "generate only"
-- is the cost of building the agents' JSON, to subtract from the others.

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

CREATE OR REPLACE PROCEDURE reset_catalog() LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS src_t;
    DROP TABLE IF EXISTS rows_t;
    CREATE TABLE rows_t (
        registry_id uuid NOT NULL, handle text COLLATE "C" NOT NULL, agent jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(), change_xid bigint NOT NULL,
        sort_name text COLLATE "C" NOT NULL, search_text text COLLATE "C" NOT NULL,
        tags text[] COLLATE "C" NOT NULL DEFAULT '{}', content_hash bytea NOT NULL,
        PRIMARY KEY (registry_id, handle));
    CREATE INDEX r_by_name ON rows_t (sort_name, handle, registry_id) INCLUDE (tags);
    CREATE INDEX r_by_handle ON rows_t (handle, registry_id);
    CREATE INDEX r_by_registry_name ON rows_t (registry_id, sort_name, handle);
    CREATE INDEX r_tags ON rows_t USING gin (tags);
    CREATE INDEX r_many_tags ON rows_t USING gin (tags) WHERE cardinality(tags) > 32;
    CREATE INDEX r_trgm ON rows_t USING gin (search_text gin_trgm_ops);
    CREATE INDEX r_by_change ON rows_t (change_xid, registry_id, handle);
    CREATE TABLE src_t (
        registry_id uuid NOT NULL, handle text COLLATE "C" NOT NULL, record jsonb, card jsonb,
        record_etag text, card_etag text, card_last_modified text, card_error text,
        fetched_at timestamptz NOT NULL DEFAULT now(), card_fresh_until timestamptz,
        PRIMARY KEY (registry_id, handle),
        FOREIGN KEY (registry_id, handle) REFERENCES rows_t (registry_id, handle) ON DELETE CASCADE);
END $$;

-- insert_rows: false builds the JSON only; with_sources: also the sources row, as a sync does
CREATE OR REPLACE PROCEDURE load_catalog(insert_rows boolean, with_sources boolean) LANGUAGE plpgsql AS $$
DECLARE g record; agent_text text;
BEGIN
  FOR reg IN 1..1000 LOOP
    FOR g IN SELECT * FROM gen WHERE r = reg ORDER BY a LOOP
      agent_text := json_build_object('handle', g.handle, 'name', g.name, 'description', g.description,
          'author', g.author, 'tags', g.tags, 'version', '1.5.0', 'protocolVersion', '0.3.0',
          'skills', json_build_array(json_build_object('id', 's1', 'name', 'Support helper',
                                                       'description', 'Handles support and legal requests.', 'tags', g.tags)),
          'inputModalities', '["text"]'::json, 'outputModalities', '["text"]'::json,
          'url', 'http://registry.example/a2a/' || g.handle)::text;
      CONTINUE WHEN NOT insert_rows;
      INSERT INTO rows_t (registry_id, handle, agent, change_xid, sort_name, search_text, tags, content_hash)
      VALUES (g.registry_id, g.handle, agent_text::jsonb, pg_current_xact_id()::text::bigint, g.name,
              g.name || ' ' || g.description || ' ' || g.handle || ' ' || g.author || ' ' || array_to_string(g.tags, ' '),
              g.tags, sha256(convert_to(agent_text, 'UTF8')))
      ON CONFLICT (registry_id, handle) DO UPDATE
      SET agent = EXCLUDED.agent, change_xid = EXCLUDED.change_xid, sort_name = EXCLUDED.sort_name,
          search_text = EXCLUDED.search_text, tags = EXCLUDED.tags, content_hash = EXCLUDED.content_hash
      WHERE rows_t.content_hash <> EXCLUDED.content_hash;
      IF with_sources THEN
        INSERT INTO src_t (registry_id, handle, record, card, record_etag, card_etag, card_last_modified, card_fresh_until)
        VALUES (g.registry_id, g.handle, agent_text::jsonb, agent_text::jsonb, 'W/"1"', 'W/"2"',
                'Fri, 27 Nov 2026 05:00:00 GMT', now())
        ON CONFLICT (registry_id, handle) DO UPDATE SET record = EXCLUDED.record, card = EXCLUDED.card;
      END IF;
    END LOOP;
    COMMIT;
  END LOOP;
END $$;

\echo generate only
\timing on
CALL load_catalog(false, false);
\timing off
\echo all indexes, rows and sources
CALL reset_catalog(); CHECKPOINT;
\timing on
CALL load_catalog(true, true);
\timing off
\echo rows only
CALL reset_catalog(); CHECKPOINT;
\timing on
CALL load_catalog(true, false);
\timing off
\echo without the trigram index
CALL reset_catalog(); DROP INDEX r_trgm; CHECKPOINT;
\timing on
CALL load_catalog(true, true);
\timing off
\echo without the tags GIN index
CALL reset_catalog(); DROP INDEX r_tags; CHECKPOINT;
\timing on
CALL load_catalog(true, true);
\timing off
\echo without the four secondary B-trees
CALL reset_catalog(); DROP INDEX r_by_name, r_by_handle, r_by_registry_name, r_by_change; CHECKPOINT;
\timing on
CALL load_catalog(true, true);
\timing off
\echo without any secondary index
CALL reset_catalog(); DROP INDEX r_by_name, r_by_handle, r_by_registry_name, r_by_change, r_trgm, r_tags, r_many_tags;
CHECKPOINT;
\timing on
CALL load_catalog(true, true);
\timing off
DROP TABLE src_t, rows_t, gen;
DROP PROCEDURE load_catalog, reset_catalog;
