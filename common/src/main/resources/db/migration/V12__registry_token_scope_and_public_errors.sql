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

-- card_error is served publicly (an agent's sync.cardError) and now holds public text only. Earlier
-- rows may hold the detail (host, address, refused or timed out); a card that keeps failing would
-- not rewrite it, so it is replaced here. The worker's own texts ("agent card answered HTTP 404",
-- "agent card is not a JSON object") name nothing internal and stay.
UPDATE marketplace_catalog_sources
SET card_error = 'agent card: could not be read'
WHERE card_error IS NOT NULL
  AND card_error NOT LIKE 'agent card answered %'
  AND card_error <> 'agent card is not a JSON object';
