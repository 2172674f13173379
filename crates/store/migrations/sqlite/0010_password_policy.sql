-- The password policy the security administrator sets for an organization (none: the
-- defaults), the hashes of each person's earlier passwords (for "not one of the last N"), and
-- when a person's password was last set (for its maximum age).
CREATE TABLE password_policies (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    min_length INTEGER NOT NULL,
    min_classes INTEGER NOT NULL,
    history INTEGER NOT NULL,
    max_age_days INTEGER,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES persons (id)
);
CREATE TABLE password_history (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX password_history_person_idx ON password_history (person_id, id);
ALTER TABLE persons ADD COLUMN password_changed_at TEXT;
-- Existing people: their password counts from when the account was made (the last change is
-- not known), so that a maximum age applies to them too.
UPDATE persons SET password_changed_at = created_at WHERE password_changed_at IS NULL;
