-- Accounts, API tokens and web sessions: the control plane's own state, written by the api-service.
--
-- They live in a schema of their own, marketplace_control, so that the database keeps enforcing what
-- V11 set up: the api-service may write here and nowhere else, the indexer-worker (marketplace_writer)
-- and scripts that read the index (marketplace_reader) get nothing here, not even SELECT (password
-- hashes, token hashes and sessions are nobody else's business). Grants go to marketplace_api itself,
-- the api-service's login role (deploy/database-roles.sql makes it a login with a password; created
-- here as NOLOGIN when it does not exist yet and the migrating role may create roles).
-- Tables of later migrations in this schema get the same grants through the default privileges below.

CREATE SCHEMA IF NOT EXISTS marketplace_control;

CREATE TABLE marketplace_control.users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    -- Spring Security's delegating format: {bcrypt}$2a$..., so that the algorithm can change later
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- sign-in looks a user up by its email, case-insensitively; one account per address
CREATE UNIQUE INDEX users_email_key ON marketplace_control.users (lower(email));

CREATE TABLE marketplace_control.api_tokens (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- SHA-256 of the secret; the secret itself is shown once and stored nowhere
    secret_hash  bytea       NOT NULL CHECK (length(secret_hash) = 32),
    role         text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    -- the account it acts for: disabling the account (or lowering its role) reaches its tokens.
    -- NULL for tokens issued with the environment's bootstrap token, which has no account.
    owner_id     bigint      REFERENCES marketplace_control.users (id) ON DELETE CASCADE,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
-- every bearer request looks its token up by this hash
CREATE UNIQUE INDEX api_tokens_secret_hash_key ON marketplace_control.api_tokens (secret_hash);
CREATE INDEX api_tokens_owner_idx ON marketplace_control.api_tokens (owner_id);

-- Spring Session JDBC's tables (its schema-postgresql.sql), so that a session signed in on one replica
-- is known to every other one and survives a restart.
CREATE TABLE marketplace_control.spring_session (
    primary_id            char(36)     NOT NULL,
    session_id            char(36)     NOT NULL,
    creation_time         bigint       NOT NULL,
    last_access_time      bigint       NOT NULL,
    max_inactive_interval int          NOT NULL,
    expiry_time           bigint       NOT NULL,
    principal_name        varchar(100),
    CONSTRAINT spring_session_pk PRIMARY KEY (primary_id)
);
CREATE UNIQUE INDEX spring_session_ix1 ON marketplace_control.spring_session (session_id);
-- the minutely clean-up deletes expired sessions by this
CREATE INDEX spring_session_ix2 ON marketplace_control.spring_session (expiry_time);
-- disabling or re-roling an account ends its sessions by this
CREATE INDEX spring_session_ix3 ON marketplace_control.spring_session (principal_name);

CREATE TABLE marketplace_control.spring_session_attributes (
    session_primary_id char(36)     NOT NULL,
    attribute_name     varchar(200) NOT NULL,
    attribute_bytes    bytea        NOT NULL,
    CONSTRAINT spring_session_attributes_pk PRIMARY KEY (session_primary_id, attribute_name),
    CONSTRAINT spring_session_attributes_fk FOREIGN KEY (session_primary_id)
        REFERENCES marketplace_control.spring_session (primary_id) ON DELETE CASCADE
);

DO $$
DECLARE
    may_create boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_api') THEN
        SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
        IF NOT may_create THEN
            RAISE NOTICE 'role marketplace_api does not exist and % may not create roles: marketplace_control is '
                'granted to nobody; create it (deploy/database-roles.sql) and run this block again as %',
                current_user, current_user;
            RETURN;
        END IF;
        BEGIN
            CREATE ROLE marketplace_api NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a migration of another database of this server
        END;
    END IF;
    GRANT USAGE ON SCHEMA marketplace_control TO marketplace_api;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA marketplace_control TO marketplace_api;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA marketplace_control TO marketplace_api;
    ALTER DEFAULT PRIVILEGES IN SCHEMA marketplace_control
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO marketplace_api;
    ALTER DEFAULT PRIVILEGES IN SCHEMA marketplace_control GRANT USAGE, SELECT ON SEQUENCES TO marketplace_api;
END $$;
