-- The monthly plan: calendars, annual key points, month cycles, tasks (a proposal and the task
-- it becomes are one row), their history, and change requests.
CREATE TABLE org_calendars (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    proposal_open_day INTEGER NOT NULL,
    arrangement_day INTEGER NOT NULL,
    sign_off_days INTEGER NOT NULL,
    review_end_day INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE key_points (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX key_points_org_year_title_key ON key_points (organization_id, year, title);
CREATE INDEX key_points_org_year_idx ON key_points (organization_id, year, sort_order);

CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    phase TEXT NOT NULL,
    manual_on TEXT,
    arranged_at TEXT,
    arranged_by BIGINT REFERENCES persons (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cycles_org_month_key ON cycles (organization_id, month);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    post_id BIGINT REFERENCES posts (id),
    owner_id BIGINT REFERENCES persons (id),
    leader_id BIGINT REFERENCES persons (id),
    key_point_id BIGINT REFERENCES key_points (id),
    is_assigned BOOLEAN NOT NULL DEFAULT FALSE,
    is_key_work BOOLEAN NOT NULL DEFAULT FALSE,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    criterion TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    reason TEXT,
    merged_into_id BIGINT REFERENCES tasks (id),
    carried_from_id BIGINT REFERENCES tasks (id),
    months_overdue INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES persons (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tasks_org_month_status_idx ON tasks (organization_id, month, status);
CREATE INDEX tasks_org_month_unit_idx ON tasks (organization_id, month, unit_id);
CREATE INDEX tasks_org_month_leader_idx ON tasks (organization_id, month, leader_id);
CREATE INDEX tasks_owner_month_idx ON tasks (owner_id, month);
CREATE INDEX tasks_post_month_idx ON tasks (post_id, month);
CREATE INDEX tasks_carried_from_idx ON tasks (carried_from_id);
CREATE INDEX tasks_key_point_idx ON tasks (key_point_id);
CREATE INDEX tasks_merged_into_idx ON tasks (merged_into_id);

CREATE TABLE task_history (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor_id BIGINT REFERENCES persons (id),
    event TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    snapshot TEXT NOT NULL
);
CREATE INDEX task_history_task_idx ON task_history (task_id, id);

CREATE TABLE change_requests (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    kind TEXT NOT NULL,
    proposal TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by BIGINT REFERENCES persons (id),
    requested_at TEXT NOT NULL,
    decided_by BIGINT REFERENCES persons (id),
    decided_at TEXT,
    decision_reason TEXT
);
CREATE INDEX change_requests_org_status_idx ON change_requests (organization_id, status);
CREATE INDEX change_requests_task_idx ON change_requests (task_id);
