-- Execution and supervision (督): task progress with evidence files, coordination requests,
-- inspections with findings and follow-ups, key projects with milestones, the card rules and
-- cards, publications (immutable snapshots) and warnings, and the display screen's tokens.

-- Evidence files live in the database, so that every application server sees them.
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by BIGINT REFERENCES persons (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX files_owner_idx ON files (owner_kind, owner_id, id);

CREATE TABLE key_projects (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    leader_id BIGINT REFERENCES persons (id),
    description TEXT NOT NULL,
    investment BIGINT,
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    last_progress_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX key_projects_org_name_key ON key_projects (organization_id, name);
CREATE INDEX key_projects_org_status_idx ON key_projects (organization_id, status, id);
CREATE INDEX key_projects_unit_idx ON key_projects (unit_id);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    key_project_id BIGINT NOT NULL REFERENCES key_projects (id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX milestones_project_idx ON milestones (key_project_id, due_on);

CREATE TABLE project_progress (
    id INTEGER PRIMARY KEY,
    key_project_id BIGINT NOT NULL REFERENCES key_projects (id),
    month TEXT NOT NULL,
    percent INTEGER NOT NULL,
    narrative TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    reported_by BIGINT REFERENCES persons (id),
    reported_at TEXT NOT NULL
);
CREATE UNIQUE INDEX project_progress_month_key ON project_progress (key_project_id, month);

ALTER TABLE tasks ADD COLUMN key_project_id BIGINT REFERENCES key_projects (id);
ALTER TABLE tasks ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN last_progress_on TEXT;
CREATE INDEX tasks_key_project_idx ON tasks (key_project_id);
-- Cards are computed in keyset batches of a month's tasks.
CREATE INDEX tasks_org_month_id_idx ON tasks (organization_id, month, id);
-- Lists page through a month by unit, then planned before assigned items, by deadline.
DROP INDEX tasks_org_month_unit_idx;
CREATE INDEX tasks_org_month_unit_idx ON tasks (organization_id, month, unit_id, is_assigned, deadline, id);

CREATE TABLE task_progress (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    percent INTEGER NOT NULL,
    narrative TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    reported_by BIGINT REFERENCES persons (id),
    reported_at TEXT NOT NULL
);
CREATE INDEX task_progress_task_idx ON task_progress (task_id, id);

CREATE TABLE coordination_requests (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    month TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_by BIGINT REFERENCES persons (id),
    raised_at TEXT NOT NULL,
    decision TEXT,
    owner_unit_id BIGINT REFERENCES units (id),
    deadline TEXT,
    decided_by BIGINT REFERENCES persons (id),
    decided_at TEXT,
    resolution TEXT,
    resolved_by BIGINT REFERENCES persons (id),
    resolved_at TEXT
);
CREATE INDEX coordination_org_status_idx ON coordination_requests (organization_id, status, id);
CREATE INDEX coordination_task_idx ON coordination_requests (task_id);
CREATE INDEX coordination_owner_unit_idx ON coordination_requests (owner_unit_id, status);

CREATE TABLE coordination_units (
    request_id BIGINT NOT NULL REFERENCES coordination_requests (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (request_id, unit_id)
);
CREATE INDEX coordination_units_unit_idx ON coordination_units (unit_id);

CREATE TABLE coordination_solutions (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES coordination_requests (id),
    author_id BIGINT REFERENCES persons (id),
    unit_id BIGINT REFERENCES units (id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX coordination_solutions_request_idx ON coordination_solutions (request_id, id);

CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    status TEXT NOT NULL,
    done_on TEXT,
    published_at TEXT,
    published_by BIGINT REFERENCES persons (id),
    created_by BIGINT REFERENCES persons (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspections_org_planned_idx ON inspections (organization_id, planned_on, id);

CREATE TABLE inspection_units (
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (inspection_id, unit_id)
);
CREATE INDEX inspection_units_unit_idx ON inspection_units (unit_id);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    task_id BIGINT REFERENCES tasks (id),
    key_project_id BIGINT REFERENCES key_projects (id),
    severity TEXT NOT NULL,
    description TEXT NOT NULL,
    found_on TEXT NOT NULL,
    status TEXT NOT NULL,
    recorded_by BIGINT REFERENCES persons (id),
    recorded_at TEXT NOT NULL,
    closed_by BIGINT REFERENCES persons (id),
    closed_at TEXT,
    close_note TEXT
);
CREATE INDEX findings_inspection_idx ON findings (inspection_id, id);
CREATE INDEX findings_task_idx ON findings (task_id, status);
CREATE INDEX findings_project_idx ON findings (key_project_id, status);
CREATE INDEX findings_org_unit_idx ON findings (organization_id, unit_id, status);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    finding_id BIGINT NOT NULL REFERENCES findings (id),
    action TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    response TEXT,
    responded_by BIGINT REFERENCES persons (id),
    responded_at TEXT,
    closed_by BIGINT REFERENCES persons (id),
    closed_at TEXT,
    created_by BIGINT REFERENCES persons (id),
    created_at TEXT NOT NULL
);
CREATE INDEX follow_ups_org_status_due_idx ON follow_ups (organization_id, status, due_on);
CREATE INDEX follow_ups_finding_idx ON follow_ups (finding_id, id);

-- The day a month's cards were last computed (they are brought up to date once a day).
ALTER TABLE cycles ADD COLUMN cards_computed_on TEXT;

CREATE TABLE card_rules (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    lag_yellow_points INTEGER NOT NULL,
    lag_red_points INTEGER NOT NULL,
    near_deadline_days INTEGER NOT NULL,
    near_deadline_progress INTEGER NOT NULL,
    stale_days INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- The live card of a task or key project for a month: what the rules computed (with their
-- figures as JSON) and the supervisor's judgement.
CREATE TABLE cards (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    is_key BOOLEAN NOT NULL,
    computed_color TEXT NOT NULL,
    reasons TEXT NOT NULL,
    computed_on TEXT NOT NULL,
    color TEXT NOT NULL,
    confirmed_as TEXT,
    confirmed_by BIGINT REFERENCES persons (id),
    confirmed_at TEXT,
    overridden BOOLEAN NOT NULL DEFAULT FALSE,
    override_reason TEXT,
    concern BOOLEAN NOT NULL DEFAULT FALSE,
    concern_note TEXT,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cards_subject_key ON cards (organization_id, month, subject_kind, subject_id);
CREATE INDEX cards_org_month_color_idx ON cards (organization_id, month, color, unit_id);
-- Counts by unit and colour read the index alone; lists run worst first by this order.
CREATE INDEX cards_org_month_unit_idx ON cards (organization_id, month, unit_id, color);
CREATE INDEX cards_org_month_rank_idx ON cards (organization_id, month, (CASE color WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END), unit_id, id);

-- 公示: a numbered snapshot of a month's key cards. Never changed after it is written.
CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    seq INTEGER NOT NULL,
    note TEXT NOT NULL,
    green INTEGER NOT NULL,
    yellow INTEGER NOT NULL,
    red INTEGER NOT NULL,
    published_by BIGINT REFERENCES persons (id),
    published_at TEXT NOT NULL
);
CREATE UNIQUE INDEX publications_org_month_seq_key ON publications (organization_id, month, seq);
CREATE INDEX publications_org_id_idx ON publications (organization_id, id);

CREATE TABLE publication_cards (
    id INTEGER PRIMARY KEY,
    publication_id BIGINT NOT NULL REFERENCES publications (id),
    subject_kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    unit_name TEXT NOT NULL,
    title TEXT NOT NULL,
    color TEXT NOT NULL,
    reasons TEXT NOT NULL,
    override_reason TEXT,
    progress INTEGER NOT NULL,
    deadline TEXT NOT NULL
);
CREATE INDEX publication_cards_pub_idx ON publication_cards (publication_id, color, unit_id);

CREATE TRIGGER publications_immutable BEFORE UPDATE ON publications
BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END;
CREATE TRIGGER publications_undeletable BEFORE DELETE ON publications
BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END;
CREATE TRIGGER publication_cards_immutable BEFORE UPDATE ON publication_cards
BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END;
CREATE TRIGGER publication_cards_undeletable BEFORE DELETE ON publication_cards
BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END;

-- 警示: one row per person warned for a red card of a month (人次).
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    month TEXT NOT NULL,
    publication_id BIGINT NOT NULL REFERENCES publications (id),
    subject_kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    as_role TEXT NOT NULL,
    title TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE UNIQUE INDEX warnings_subject_person_key ON warnings (organization_id, month, subject_kind, subject_id, person_id);
CREATE INDEX warnings_org_year_person_idx ON warnings (organization_id, year, person_id);
CREATE INDEX warnings_org_year_unit_idx ON warnings (organization_id, year, unit_id);
CREATE INDEX warnings_publication_idx ON warnings (publication_id);

CREATE TABLE display_tokens (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_by BIGINT REFERENCES persons (id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE UNIQUE INDEX display_tokens_hash_key ON display_tokens (token_hash);
CREATE INDEX display_tokens_org_idx ON display_tokens (organization_id, id);
