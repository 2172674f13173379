-- Foundation: organizations, units, posts, people, roles, sessions, tokens, throttle, audit.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES organizations (id),
    code TEXT,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX organizations_code_key ON organizations (code);
CREATE UNIQUE INDEX organizations_name_key ON organizations (name);
CREATE INDEX organizations_parent_idx ON organizations (parent_id);
CREATE INDEX organizations_path_idx ON organizations (path);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    parent_id BIGINT REFERENCES units (id),
    code TEXT,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX units_org_code_key ON units (organization_id, code);
CREATE UNIQUE INDEX units_org_name_key ON units (organization_id, name);
CREATE INDEX units_org_path_idx ON units (organization_id, path);
CREATE INDEX units_parent_idx ON units (parent_id);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX posts_unit_name_key ON posts (unit_id, name);
CREATE INDEX posts_org_idx ON posts (organization_id);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    unit_id BIGINT REFERENCES units (id),
    post_id BIGINT REFERENCES posts (id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX persons_username_key ON persons (username);
CREATE INDEX persons_org_unit_idx ON persons (organization_id, unit_id);
CREATE INDEX persons_post_idx ON persons (post_id);

CREATE TABLE role_assignments (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX role_assignments_key ON role_assignments (person_id, role, COALESCE(unit_id, 0));
CREATE INDEX role_assignments_org_role_idx ON role_assignments (organization_id, role);
CREATE INDEX role_assignments_unit_idx ON role_assignments (unit_id);

CREATE TABLE leader_units (
    leader_id BIGINT NOT NULL REFERENCES persons (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (leader_id, unit_id)
);
CREATE INDEX leader_units_unit_idx ON leader_units (unit_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_person_idx ON sessions (person_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_person_idx ON api_tokens (person_id);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);

-- Append-only ledger; before/after are JSON kept as text so that their bytes, which the hash
-- covers, never change.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    chain_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_log_chain_seq_key ON audit_log (chain_id, seq);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id);
CREATE INDEX audit_log_action_idx ON audit_log (chain_id, action);
CREATE INDEX audit_log_chain_at_idx ON audit_log (chain_id, at);
