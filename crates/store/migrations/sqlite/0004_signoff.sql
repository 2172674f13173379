-- Sign-off (销号): the unit's forms, the joint review's opinions and site checks, the
-- review rule, the review meeting with its highlights, the bulletins, and the month's close
-- (its frozen figures).

CREATE TABLE review_rules (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    required_approvals INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per submission round of a task: a sign-off form (complete) or a statement that it
-- is unfinished.
CREATE TABLE sign_off_forms (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    round INTEGER NOT NULL,
    kind TEXT NOT NULL,
    completion TEXT NOT NULL,
    report TEXT NOT NULL,
    reason TEXT NOT NULL,
    next_steps TEXT NOT NULL,
    completed_on TEXT,
    status TEXT NOT NULL,
    submitted_by BIGINT REFERENCES persons (id),
    submitted_at TEXT NOT NULL,
    decided_by BIGINT REFERENCES persons (id),
    decided_at TEXT,
    decision_reason TEXT
);
CREATE UNIQUE INDEX sign_off_forms_task_round_key ON sign_off_forms (task_id, round);
CREATE INDEX sign_off_forms_org_status_idx ON sign_off_forms (organization_id, status, id);

CREATE TABLE sign_off_opinions (
    id INTEGER PRIMARY KEY,
    form_id BIGINT NOT NULL REFERENCES sign_off_forms (id),
    office TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    given_by BIGINT REFERENCES persons (id),
    given_at TEXT NOT NULL
);
CREATE INDEX sign_off_opinions_form_idx ON sign_off_opinions (form_id, id);

CREATE TABLE site_checks (
    id INTEGER PRIMARY KEY,
    form_id BIGINT NOT NULL REFERENCES sign_off_forms (id),
    office TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    findings TEXT NOT NULL,
    recorded_by BIGINT REFERENCES persons (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX site_checks_form_idx ON site_checks (form_id, id);

-- The completion day of a signed-off task (for the on-time figure).
ALTER TABLE tasks ADD COLUMN completed_on TEXT;

CREATE TABLE review_meetings (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    held_on TEXT NOT NULL,
    analysis TEXT NOT NULL,
    dispatch TEXT NOT NULL,
    recorded_by BIGINT REFERENCES persons (id),
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX review_meetings_org_month_key ON review_meetings (organization_id, month);

CREATE TABLE highlights (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    citation TEXT NOT NULL,
    selected_by BIGINT REFERENCES persons (id),
    selected_at TEXT NOT NULL
);
CREATE UNIQUE INDEX highlights_task_key ON highlights (task_id);
CREATE INDEX highlights_org_month_idx ON highlights (organization_id, month, id);

-- 通报: the content as JSON (the document's sections), a draft until published.
CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT REFERENCES persons (id),
    created_at TEXT NOT NULL,
    published_by BIGINT REFERENCES persons (id),
    published_at TEXT
);
CREATE UNIQUE INDEX bulletins_org_month_key ON bulletins (organization_id, month);
CREATE INDEX bulletins_org_status_idx ON bulletins (organization_id, status, id);

-- The month's figures as they stood at its close.
CREATE TABLE month_results (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    month TEXT NOT NULL,
    figures TEXT NOT NULL,
    carried_over INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    PRIMARY KEY (organization_id, month)
);

ALTER TABLE cycles ADD COLUMN closed_at TEXT;
ALTER TABLE cycles ADD COLUMN closed_by BIGINT REFERENCES persons (id);
