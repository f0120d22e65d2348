-- Organisations, accounts, sessions, invitations, API tokens and the audit log.
-- Timestamps are UTC, stored as TIMESTAMP (without time zone).
CREATE TABLE organisations (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('platform', 'customs', 'right_holder')),
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    website TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected', 'suspended')),
    status_reason TEXT,
    -- users reference organisations, so this side is checked by the application.
    verified_by BIGINT,
    verified_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_status ON organisations (status, kind);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    -- stored lower-cased, so uniqueness ignores case
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'trainer', 'customs_manager', 'owner', 'editor', 'responder')),
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en',
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_signins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_signin_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invitations (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX invitations_organisation ON invitations (organisation_id);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    actor_user_id BIGINT REFERENCES users (id),
    organisation_id BIGINT REFERENCES organisations (id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
