-- Record proofs: the worker verifies each record's Ed25519 proof when it indexes the record
-- (RecordProofs, docs/record-proof.md) and writes the verdict into the agent it stores, as
-- agent.proof.status / reason / signingKid, so the content hash covers it and a changed verdict is a
-- changed row for the changes feed. The status alone is also kept as a column, for verified=true.
--
-- proof_status: 'valid', 'invalid' or 'unsigned'. Null on rows written before this migration: the API
-- serves them as 'none', and the worker fetches their record in full (not conditionally) on the next
-- sync to check it, which rewrites each such row once.
--
-- Cost on an existing index: the column is nullable without a default and its CHECK is NOT VALID
-- (it holds for every row written from now on; the existing rows are all null), so neither rewrites
-- nor scans the table under its lock. The two partial indexes below hold no entry yet; building them
-- reads the table once (seconds at 5M rows) and blocks writes meanwhile, reads go on.
ALTER TABLE marketplace_catalog_rows ADD COLUMN proof_status text;
ALTER TABLE marketplace_catalog_rows
    ADD CONSTRAINT catalog_rows_proof_status_check CHECK (proof_status IN ('valid', 'invalid', 'unsigned')) NOT VALID;

COMMENT ON COLUMN marketplace_catalog_rows.proof_status IS
    'verdict on the record''s Ed25519 proof (valid | invalid | unsigned), as in agent.proof.status; null: not checked yet';

-- verified=true walks these in output order, as the unfiltered catalog walks catalog_rows_by_name and
-- catalog_rows_by_handle; they hold only the verified agents, whatever share of the catalog they are.
-- The handle order includes sort_name, which a page reads for its cursor: an index-only walk. Measured
-- on 1M rows, 50k of them valid: first page 0.1 ms either order; sort=handle at offset 10,000 20 ms
-- (without sort_name in it the planner sorted the name index instead, 270 ms).
CREATE INDEX catalog_rows_verified_by_name ON marketplace_catalog_rows (sort_name, handle, registry_id) INCLUDE (tags)
    WHERE proof_status = 'valid';
CREATE INDEX catalog_rows_verified_by_handle ON marketplace_catalog_rows (handle, registry_id) INCLUDE (sort_name)
    WHERE proof_status = 'valid';

-- Chunked runs carry the verdict through staging with the rest of the row.
ALTER TABLE marketplace_sync_staging ADD COLUMN proof_status text;
