-- A registry's bearer token goes to its own endpoints (health, listing, records). Card URLs are
-- chosen by agent publishers and cards are served publicly, so cards get the token only when an
-- operator says this registry's cards need it.
ALTER TABLE marketplace_registries
    ADD COLUMN send_token_to_cards boolean NOT NULL DEFAULT false;

-- last_error is the operator's detail (addresses, timeouts, refusals); the public catalog shows
-- this text instead, built from a small fixed vocabulary so that it never tells the public what an
-- internal host answered. Rows written before it get the vocabulary's generic text.
ALTER TABLE marketplace_registries
    ADD COLUMN last_error_public text;
UPDATE marketplace_registries SET last_error_public = 'registry could not be read' WHERE last_error IS NOT NULL;
