-- Reminders and notifications (提醒与催办): the inbox, each person's choices, the outbox of
-- deliveries to mail and group robots, the channels an administrator configured, the
-- scheduled jobs' runs and the urgings (催办) of tasks.

-- A person's notifications. `dedupe_key` makes a reminder that a job computes again land
-- once. A row the person keeps off the inbox but on another channel is not `shown` (it is
-- written read) and waits there for the day's digest.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    event TEXT NOT NULL,
    urgent BOOLEAN NOT NULL DEFAULT FALSE,
    shown BOOLEAN NOT NULL DEFAULT TRUE,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    dedupe_key TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE UNIQUE INDEX notifications_person_dedupe_key ON notifications (person_id, dedupe_key);
CREATE INDEX notifications_person_idx ON notifications (person_id, shown, id);
CREATE INDEX notifications_unread_idx ON notifications (person_id) WHERE read_at IS NULL;
CREATE INDEX notifications_digest_idx ON notifications (organization_id, urgent, id);

-- What a person chose for one event and channel; what is not here takes the default.
CREATE TABLE notification_preferences (
    person_id BIGINT NOT NULL REFERENCES persons (id),
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, event, channel)
);

-- The channels an organization sends through. None exists until an administrator adds one;
-- `config` is `domain::notify::ChannelConfig` as JSON and holds the secrets, never shown back.
CREATE TABLE notification_channels (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    channel TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    config TEXT NOT NULL,
    updated_by BIGINT REFERENCES persons (id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (organization_id, channel)
);

-- An organization's reminder settings (`domain::notify::Settings` as JSON).
CREATE TABLE notification_settings (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    settings TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One message to one recipient by one external channel, written in the event's
-- transaction and delivered by a worker. A worker claims a row by setting `locked_by` and
-- `locked_until`; `upto_id` is the last inbox row a digest covers.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    person_id BIGINT REFERENCES persons (id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    dedupe_key TEXT,
    upto_id BIGINT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_by TEXT,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE UNIQUE INDEX outbox_dedupe_key ON outbox (dedupe_key);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at, id);
CREATE INDEX outbox_org_status_idx ON outbox (organization_id, status, id);
CREATE INDEX outbox_person_channel_idx ON outbox (person_id, channel, upto_id);

-- A scheduled job's run: the unique key lets exactly one server take a run.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job TEXT NOT NULL,
    run_key TEXT NOT NULL,
    server TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE UNIQUE INDEX job_runs_job_key ON job_runs (job, run_key);
CREATE INDEX job_runs_started_idx ON job_runs (started_at);

-- 催办: a task urged by hand, by whom and with what words.
CREATE TABLE task_urges (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    by_id BIGINT REFERENCES persons (id),
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX task_urges_task_idx ON task_urges (task_id, id);
