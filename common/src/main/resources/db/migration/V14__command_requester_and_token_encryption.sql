-- Who asked for each command, shown in a registry's command history (GET /api/settings/registries/{id}).
-- Every operator command (connect, edit, enable/disable, remove, rebuild) now leaves a line here, not only
-- the refused ones. A rebuild shares one command id across its registries: the key becomes
-- (command_id, registry_id).
ALTER TABLE marketplace_command_results ADD COLUMN requested_by text;
ALTER TABLE marketplace_command_results DROP CONSTRAINT marketplace_command_results_pkey;
ALTER TABLE marketplace_command_results ADD PRIMARY KEY (command_id, registry_id);
-- a registry's history, newest first
CREATE INDEX command_results_by_registry ON marketplace_command_results (registry_id, recorded_at DESC);

-- auth_token now holds ciphertext (enc:v1:<keyId>:..., see TokenCipher); tokens stored before are
-- encrypted by the worker at its next start with a key configured (MARKETPLACE_TOKEN_ENCRYPTION_KEY).
COMMENT ON COLUMN marketplace_registries.auth_token IS
    'registry bearer token, AES-256-GCM ciphertext enc:v1:<keyId>:<base64url>; plain text only if stored before encryption and no key was configured since';
