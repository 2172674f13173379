-- Consequences (四个结合): the versioned rule sets of scores and bonus, the score ledger
-- written when a month closes, and the accountability ladder's records.

-- One organization's rules for one year, as JSON; a change is a new version.
CREATE TABLE rule_sets (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    rules TEXT NOT NULL,
    created_by BIGINT REFERENCES persons (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX rule_sets_org_year_version_key ON rule_sets (organization_id, year, version);

-- Every point gained or lost, tied to its rule and its event. A unit's score is the sum of
-- its entries; a person's, the sum of the entries that name them.
CREATE TABLE score_entries (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    person_id BIGINT REFERENCES persons (id),
    rule TEXT NOT NULL,
    points BIGINT NOT NULL,
    event_kind TEXT NOT NULL,
    event_id BIGINT,
    task_id BIGINT REFERENCES tasks (id),
    rule_set_id BIGINT REFERENCES rule_sets (id),
    created_at TEXT NOT NULL
);
CREATE INDEX score_entries_org_month_unit_idx ON score_entries (organization_id, month, unit_id, rule);
CREATE INDEX score_entries_org_month_rule_idx ON score_entries (organization_id, month, rule, unit_id);
CREATE INDEX score_entries_person_month_idx ON score_entries (person_id, month);
CREATE INDEX score_entries_task_idx ON score_entries (task_id);

-- 政令不畅督查问责: the step proposed at a close for a task still unfinished, and the
-- discipline office's verification and decision. The system never decides by itself.
CREATE TABLE accountability_cases (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    continuation_id BIGINT REFERENCES tasks (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    person_id BIGINT REFERENCES persons (id),
    step TEXT NOT NULL,
    months_unfinished INTEGER NOT NULL,
    deadline TEXT,
    status TEXT NOT NULL,
    verification TEXT,
    sanction TEXT,
    reasons TEXT,
    decided_by BIGINT REFERENCES persons (id),
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX accountability_cases_task_key ON accountability_cases (task_id);
CREATE INDEX accountability_cases_org_status_idx ON accountability_cases (organization_id, status, step, id);
CREATE INDEX accountability_cases_org_month_idx ON accountability_cases (organization_id, month, unit_id);
CREATE INDEX accountability_cases_person_idx ON accountability_cases (person_id, id);
CREATE INDEX accountability_cases_unit_idx ON accountability_cases (unit_id, id);

-- 明星部门 / 明星个人: the leadership's recorded selection from a closed month's ranking.
CREATE TABLE awards (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- The unit (star_unit) or the person (star_person).
    subject_id BIGINT NOT NULL,
    citation TEXT NOT NULL,
    selected_by BIGINT REFERENCES persons (id),
    selected_at TEXT NOT NULL
);
CREATE UNIQUE INDEX awards_subject_key ON awards (organization_id, month, kind, subject_id);
CREATE INDEX awards_org_month_idx ON awards (organization_id, month, kind, id);
CREATE INDEX awards_subject_idx ON awards (subject_id, kind);

-- A person's record reads their warnings by person.
CREATE INDEX warnings_person_idx ON warnings (person_id, month);
