-- Two-factor sign-in (TOTP): each person's secret, sealed under the server's key, and whether
-- it is confirmed; their recovery codes, hashed, each used once; the roles an organization
-- requires it of; and the short-lived challenge between a correct password and the code.
CREATE TABLE person_totp (
    person_id BIGINT PRIMARY KEY REFERENCES persons (id),
    secret TEXT NOT NULL,
    enabled_at TEXT,
    last_step BIGINT,
    created_at TEXT NOT NULL
);
CREATE TABLE totp_recovery_codes (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX totp_recovery_codes_person_idx ON totp_recovery_codes (person_id);
CREATE TABLE totp_required_roles (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES persons (id),
    PRIMARY KEY (organization_id, role)
);
CREATE TABLE login_challenges (
    id TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX login_challenges_expires_idx ON login_challenges (expires_at);
