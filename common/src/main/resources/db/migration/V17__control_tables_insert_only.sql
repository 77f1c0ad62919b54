-- V13's default privileges on the schema marketplace_control grant UPDATE on every later table of it
-- to marketplace_api, V15's tables too, whatever V15 granted itself. Rebuild requests and schedule
-- ticks are only inserted and deleted: a claimed tick rewritten in place would let a second replica
-- claim it again, so UPDATE is taken back.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_api') THEN
        REVOKE UPDATE ON marketplace_control.rebuild_requests, marketplace_control.schedule_ticks
            FROM marketplace_api;
    END IF;
END $$;
