//! Notifications: the inbox, preferences, the channels and settings of an organization, the
//! outbox that workers deliver from (claimed with row locks on PostgreSQL), the scheduled
//! jobs' runs, the urgings of tasks, and the set-based reads the reminder jobs start from.

use chrono::{DateTime, Utc};
use domain::page::PageRequest;
use serde::Serialize;

use crate::args::{Arg, Args};
use crate::{Db, Ex, Result, Tx};

/// Rows (or ids) one statement carries. Small on SQLite, whose binding looks each parameter up
/// among all of the statement's, so that its cost grows with the square of their number
/// (measured: half the reminders job's time at 400 rows); larger on PostgreSQL, where a
/// statement is a round trip.
fn batch(backend: crate::Backend) -> usize {
    match backend {
        crate::Backend::Sqlite => 50,
        crate::Backend::Postgres => 400,
    }
}

// ---- the inbox ----

/// One inbox row to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub person: i64,
    pub event: String,
    pub urgent: bool,
    /// False: kept off the inbox (written read), only for the digest of another channel.
    pub shown: bool,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub dedupe_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub person_id: i64,
    pub event: String,
    pub urgent: bool,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

const NOTIFICATION_COLS: &str =
    "id, person_id, event, urgent, subject, body, link, created_at, read_at";

/// Writes inbox rows; a row whose `(person, dedupe_key)` exists is skipped. Returns
/// `(person, dedupe_key)` of the rows written.
pub async fn insert_notifications(
    tx: &mut Tx,
    org: i64,
    rows: &[NewNotification],
    now: DateTime<Utc>,
) -> Result<Vec<(i64, Option<String>)>> {
    let mut written = Vec::new();
    for chunk in rows.chunks(batch(tx.backend())) {
        let mut a = Args::new();
        let (o, t) = (a.int(org), a.push(Arg::T(now)));
        let values: Vec<String> = chunk
            .iter()
            .map(|n| {
                let read = if n.shown {
                    "NULL".to_owned()
                } else {
                    t.clone()
                };
                format!(
                    "({o}, {}, {}, {}, {}, {}, {}, {}, {}, {t}, {read})",
                    a.int(n.person),
                    a.text(&n.event),
                    a.push(Arg::B(n.urgent)),
                    a.push(Arg::B(n.shown)),
                    a.text(&n.subject),
                    a.text(&n.body),
                    a.push(Arg::NS(n.link.clone())),
                    a.push(Arg::NS(n.dedupe_key.clone())),
                )
            })
            .collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO notifications (organization_id, person_id, event, urgent, shown, subject, body, link, dedupe_key, created_at, read_at) \
             VALUES {} ON CONFLICT (person_id, dedupe_key) DO NOTHING RETURNING person_id, dedupe_key",
            values.join(", ")
        ));
        let mut persons: Vec<(i64, Option<String>)> =
            with_tx!(tx, c => bind_args!(sqlx::query_as(sql), a).fetch_all(c).await)?;
        written.append(&mut persons);
    }
    Ok(written)
}

pub async fn unread_count(db: &Db, person: i64) -> Result<i64> {
    Ok(with_db!(db, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL")
        .bind(person).fetch_one(c).await)?)
}

/// A person's inbox, newest first.
pub async fn list_notifications(
    db: &Db,
    person: i64,
    unread_only: bool,
    page: PageRequest,
) -> Result<(Vec<NotificationRow>, i64)> {
    let filter = if unread_only {
        " AND shown = TRUE AND read_at IS NULL"
    } else {
        " AND shown = TRUE"
    };
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM notifications WHERE person_id = $1{filter}"
    ));
    let total: i64 = with_db!(db, c => sqlx::query_scalar(count_sql)
        .bind(person).fetch_one(c).await)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {NOTIFICATION_COLS} FROM notifications WHERE person_id = $1{filter} ORDER BY id DESC LIMIT $2 OFFSET $3"
    ));
    let rows = with_db!(db, c => sqlx::query_as::<_, NotificationRow>(sql)
        .bind(person).bind(page.limit()).bind(page.offset()).fetch_all(c).await)?;
    Ok((rows, total))
}

pub async fn get_notification(db: &Db, id: i64) -> Result<Option<NotificationRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {NOTIFICATION_COLS} FROM notifications WHERE id = $1 AND shown = TRUE"
    ));
    Ok(with_db!(db, c => sqlx::query_as::<_, NotificationRow>(sql)
        .bind(id).fetch_optional(c).await)?)
}

/// Marks one of the person's notifications read; false if it is not theirs or already read.
pub async fn mark_read(tx: &mut Tx, person: i64, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND person_id = $3 AND read_at IS NULL")
        .bind(now).bind(id).bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn mark_all_read(tx: &mut Tx, person: i64, now: DateTime<Utc>) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL")
        .bind(now).bind(person).execute(c).await.map(|r| r.rows_affected()))?)
}

// ---- preferences ----

/// `(person, event, channel, enabled)` of the persons given.
pub type PreferenceRow = (i64, String, String, bool);

pub async fn preferences_of(ex: impl Into<Ex<'_>>, persons: &[i64]) -> Result<Vec<PreferenceRow>> {
    let mut out = Vec::new();
    let mut ex: Ex<'_> = ex.into();
    let size = batch(ex.backend());
    for chunk in persons.chunks(size) {
        let mut a = Args::new();
        let ids: Vec<String> = chunk.iter().map(|p| a.int(*p)).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT person_id, event, channel, enabled FROM notification_preferences WHERE person_id IN ({}) ORDER BY person_id",
            ids.join(", ")
        ));
        let mut rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, PreferenceRow>(sql), a).fetch_all(c).await)?;
        out.append(&mut rows);
    }
    Ok(out)
}

/// Replaces a person's choices.
pub async fn replace_preferences(
    tx: &mut Tx,
    person: i64,
    choices: &[(&str, &str, bool)],
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM notification_preferences WHERE person_id = $1")
        .bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    if choices.is_empty() {
        return Ok(());
    }
    let mut a = Args::new();
    let p = a.int(person);
    let values: Vec<String> = choices
        .iter()
        .map(|(e, ch, on)| {
            format!(
                "({p}, {}, {}, {})",
                a.text(e),
                a.text(ch),
                a.push(Arg::B(*on))
            )
        })
        .collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO notification_preferences (person_id, event, channel, enabled) VALUES {}",
        values.join(", ")
    ));
    with_tx!(tx, c => bind_args!(sqlx::query(sql), a).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- recipients ----

/// A recipient's name and addresses.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Contact {
    pub id: i64,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The enabled persons among `persons`, with their addresses.
pub async fn contacts(ex: impl Into<Ex<'_>>, persons: &[i64]) -> Result<Vec<Contact>> {
    if persons.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut ex: Ex<'_> = ex.into();
    let size = batch(ex.backend());
    for chunk in persons.chunks(size) {
        let mut a = Args::new();
        let ids: Vec<String> = chunk.iter().map(|p| a.int(*p)).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, display_name, email, phone FROM persons WHERE id IN ({}) AND disabled = FALSE ORDER BY id",
            ids.join(", ")
        ));
        let mut rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, Contact>(sql), a).fetch_all(c).await)?;
        out.append(&mut rows);
    }
    Ok(out)
}

/// The persons holding one of `roles` on one of `units`, as `(unit, person)`.
pub async fn unit_members(
    ex: impl Into<Ex<'_>>,
    units: &[i64],
    roles: &[&str],
) -> Result<Vec<(i64, i64)>> {
    if units.is_empty() || roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut ex: Ex<'_> = ex.into();
    let size = batch(ex.backend());
    for chunk in units.chunks(size) {
        let mut a = Args::new();
        let rs: Vec<String> = roles.iter().map(|r| a.text(r)).collect();
        let us: Vec<String> = chunk.iter().map(|u| a.int(*u)).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT r.unit_id, r.person_id FROM role_assignments r JOIN persons p ON p.id = r.person_id \
             WHERE r.role IN ({}) AND r.unit_id IN ({}) AND p.disabled = FALSE ORDER BY r.unit_id, r.person_id",
            rs.join(", "),
            us.join(", ")
        ));
        let mut rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, (i64, i64)>(sql), a).fetch_all(c).await)?;
        out.append(&mut rows);
    }
    Ok(out)
}

/// The persons of an organization holding one of `roles` (with or without a unit).
pub async fn role_holders(ex: impl Into<Ex<'_>>, org: i64, roles: &[&str]) -> Result<Vec<i64>> {
    let mut a = Args::new();
    let o = a.int(org);
    let rs: Vec<String> = roles.iter().map(|r| a.text(r)).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT r.person_id FROM role_assignments r JOIN persons p ON p.id = r.person_id \
         WHERE r.organization_id = {o} AND r.role IN ({}) AND p.disabled = FALSE ORDER BY r.person_id",
        rs.join(", ")
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_scalar::<_, i64>(sql), a).fetch_all(c).await)?)
}

// ---- channels and settings ----

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChannelRow {
    pub channel: String,
    pub enabled: bool,
    /// `domain::notify::ChannelConfig` as JSON (holds secrets: never shown, never logged).
    pub config: String,
    pub updated_at: DateTime<Utc>,
}

pub async fn channels(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<ChannelRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, ChannelRow>(
        "SELECT channel, enabled, config, updated_at FROM notification_channels WHERE organization_id = $1 ORDER BY channel")
        .bind(org).fetch_all(c).await)?)
}

pub async fn upsert_channel(
    tx: &mut Tx,
    org: i64,
    channel: &str,
    enabled: bool,
    config: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO notification_channels (organization_id, channel, enabled, config, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (organization_id, channel) DO UPDATE SET enabled = excluded.enabled, config = excluded.config, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at")
        .bind(org).bind(channel).bind(enabled).bind(config).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_channel(tx: &mut Tx, org: i64, channel: &str) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "DELETE FROM notification_channels WHERE organization_id = $1 AND channel = $2")
        .bind(org).bind(channel).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The organizations with at least one enabled channel.
pub async fn organizations_with_channels(db: &Db) -> Result<Vec<i64>> {
    Ok(with_db!(db, c => sqlx::query_scalar::<_, i64>(
        "SELECT DISTINCT organization_id FROM notification_channels WHERE enabled = TRUE ORDER BY organization_id")
        .fetch_all(c).await)?)
}

pub async fn settings(ex: impl Into<Ex<'_>>, org: i64) -> Result<Option<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar::<_, String>(
        "SELECT settings FROM notification_settings WHERE organization_id = $1")
        .bind(org).fetch_optional(c).await)?)
}

pub async fn upsert_settings(
    tx: &mut Tx,
    org: i64,
    settings: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO notification_settings (organization_id, settings, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (organization_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at")
        .bind(org).bind(settings).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- the outbox ----

/// One delivery to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub person: Option<i64>,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub dedupe_key: Option<String>,
    pub upto_id: Option<i64>,
}

/// Queues deliveries, skipping those whose dedupe key exists. Returns how many were queued.
pub async fn insert_deliveries(
    tx: &mut Tx,
    org: i64,
    rows: &[NewDelivery],
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut n = 0;
    for chunk in rows.chunks(batch(tx.backend())) {
        let mut a = Args::new();
        let (o, t) = (a.int(org), a.push(Arg::T(now)));
        let values: Vec<String> = chunk
            .iter()
            .map(|d| {
                format!(
                    "({o}, {}, {}, {}, {}, {}, {}, {}, 'pending', 0, {t}, {t})",
                    a.push(Arg::N(d.person)),
                    a.text(&d.channel),
                    a.text(&d.recipient),
                    a.text(&d.subject),
                    a.text(&d.body),
                    a.push(Arg::NS(d.dedupe_key.clone())),
                    a.push(Arg::N(d.upto_id)),
                )
            })
            .collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO outbox (organization_id, person_id, channel, recipient, subject, body, dedupe_key, upto_id, status, attempts, next_attempt_at, created_at) \
             VALUES {} ON CONFLICT (dedupe_key) DO NOTHING",
            values.join(", ")
        ));
        n += with_tx!(tx, c => bind_args!(sqlx::query(sql), a).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(n)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub organization_id: i64,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

const DELIVERY_COLS: &str = "o.id, o.organization_id, o.person_id, p.display_name AS person_name, o.channel, o.recipient, o.subject, o.body, \
    o.status, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.sent_at";

/// Claims up to `limit` deliveries that are due and not held by a live lease, for `worker`
/// until `lease_until`, counting the attempt. On PostgreSQL the rows are locked with `SKIP
/// LOCKED`, so concurrent workers on several servers never claim the same row; SQLite's
/// single writer serializes the claims.
pub async fn claim_deliveries(
    db: &Db,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DeliveryRow>> {
    let lock = match db.backend() {
        crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        crate::Backend::Sqlite => "",
    };
    let claim = sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET locked_by = $1, locked_until = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
         AND (locked_until IS NULL OR locked_until < $3) ORDER BY next_attempt_at, id LIMIT $4{lock}) RETURNING id"
    ));
    let mut tx = db.begin().await?;
    let ids: Vec<i64> = with_tx!(&mut tx, c => sqlx::query_scalar(claim)
        .bind(worker).bind(lease_until).bind(now).bind(limit).fetch_all(c).await)?;
    tx.commit().await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let list: Vec<String> = ids.iter().map(|i| a.int(*i)).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLS} FROM outbox o LEFT JOIN persons p ON p.id = o.person_id WHERE o.id IN ({}) ORDER BY o.id",
        list.join(", ")
    ));
    Ok(with_db!(db, c => bind_args!(sqlx::query_as::<_, DeliveryRow>(sql), a).fetch_all(c).await)?)
}

/// Records a delivery as sent, if `worker` still holds it.
pub async fn mark_sent(db: &Db, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, c => sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, locked_by = NULL, locked_until = NULL, last_error = NULL \
         WHERE id = $2 AND locked_by = $3 AND status = 'pending'")
        .bind(now).bind(id).bind(worker).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Records a failed attempt: back in the queue at `retry_at`, or given up (`None`).
pub async fn mark_failed(
    db: &Db,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<bool> {
    let (status, next) = match retry_at {
        Some(t) => ("pending", Some(t)),
        None => ("failed", None),
    };
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, c => sqlx::query(
        "UPDATE outbox SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), locked_by = NULL, locked_until = NULL, last_error = $3 \
         WHERE id = $4 AND locked_by = $5 AND status = 'pending'")
        .bind(status).bind(next).bind(error).bind(id).bind(worker).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(n == 1)
}

/// The filter of the administrator's list of deliveries.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<String>,
    /// Only deliveries whose last attempt failed (given up, or pending with an error).
    pub with_errors: bool,
}

pub async fn list_deliveries(
    db: &Db,
    org: i64,
    f: &DeliveryFilter,
    page: PageRequest,
) -> Result<(Vec<DeliveryRow>, i64)> {
    let mut a = Args::new();
    let o = a.int(org);
    a.pred(format!("o.organization_id = {o}"));
    a.eq_text("o.status", f.status.as_deref());
    if f.with_errors {
        a.pred("o.last_error IS NOT NULL".to_owned());
    }
    let w = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM outbox o WHERE {w}"));
    let total: i64 =
        with_db!(db, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let (l, off) = (a.int(page.limit()), a.int(page.offset()));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLS} FROM outbox o LEFT JOIN persons p ON p.id = o.person_id WHERE {w} ORDER BY o.id DESC LIMIT {l} OFFSET {off}"
    ));
    let rows =
        with_db!(db, c => bind_args!(sqlx::query_as::<_, DeliveryRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, total))
}

/// Counts of an organization's deliveries by status.
pub async fn delivery_counts(db: &Db, org: i64) -> Result<Vec<(String, i64)>> {
    Ok(with_db!(db, c => sqlx::query_as::<_, (String, i64)>(
        "SELECT status, COUNT(*) FROM outbox WHERE organization_id = $1 GROUP BY status ORDER BY status")
        .bind(org).fetch_all(c).await)?)
}

/// Puts a given-up delivery back in the queue, with its attempts counted from zero.
pub async fn retry_delivery(tx: &mut Tx, org: i64, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1 WHERE id = $2 AND organization_id = $3 AND status = 'failed'")
        .bind(now).bind(id).bind(org).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---- digests ----

/// The last inbox row a digest of this organization and channel covered.
pub async fn digest_cursor(ex: impl Into<Ex<'_>>, org: i64, channel: &str) -> Result<i64> {
    Ok(with_ex!(ex, c => sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(upto_id) FROM outbox WHERE organization_id = $1 AND channel = $2 AND upto_id IS NOT NULL")
        .bind(org).bind(channel).fetch_one(c).await)?
    .unwrap_or(0))
}

/// `(id, person, event, subject, link)` of the non-urgent inbox rows after `after`.
pub type DigestItem = (i64, i64, String, String, Option<String>);

/// The non-urgent rows after `after` written between `from` and `until`. Bounding by time
/// keeps a channel switched on today from sending the whole past, and leaving out the last
/// minutes lets a transaction that took a lower id but commits later be in the next digest
/// rather than skipped.
pub async fn digest_items(
    ex: impl Into<Ex<'_>>,
    org: i64,
    after: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<DigestItem>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, DigestItem>(
        "SELECT id, person_id, event, subject, link FROM notifications \
         WHERE organization_id = $1 AND urgent = FALSE AND id > $2 AND created_at >= $3 AND created_at < $4 ORDER BY person_id, id")
        .bind(org).bind(after).bind(from).bind(until).fetch_all(c).await)?)
}

/// Whether this organization's digest on `channel` went out since `since` (today's start).
pub async fn digest_sent_since(
    ex: impl Into<Ex<'_>>,
    org: i64,
    channel: &str,
    since: DateTime<Utc>,
) -> Result<bool> {
    let n: i64 = with_ex!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE organization_id = $1 AND channel = $2 AND upto_id IS NOT NULL AND created_at >= $3")
        .bind(org).bind(channel).bind(since).fetch_one(c).await)?;
    Ok(n > 0)
}

// ---- jobs ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobRunRow {
    pub id: i64,
    pub job: String,
    pub run_key: String,
    pub server: String,
    pub status: String,
    pub detail: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Takes the run `(job, key)` for `server`: its id when this server won it. A run that failed,
/// or that has been running, since before `stale_before` (a failure waits that long before it
/// is tried again; a run still "running" then lost its server) may be taken again.
pub async fn claim_run(
    db: &Db,
    job: &str,
    key: &str,
    server: &str,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<Option<i64>> {
    let mut tx = db.begin().await?;
    let id: Option<i64> = with_tx!(&mut tx, c => sqlx::query_scalar(
        "INSERT INTO job_runs (job, run_key, server, status, started_at) VALUES ($1, $2, $3, 'running', $4) \
         ON CONFLICT (job, run_key) DO NOTHING RETURNING id")
        .bind(job).bind(key).bind(server).bind(now).fetch_optional(c).await)?;
    let id = match id {
        Some(id) => Some(id),
        None => with_tx!(&mut tx, c => sqlx::query_scalar(
            "UPDATE job_runs SET server = $1, status = 'running', started_at = $2, finished_at = NULL, detail = NULL \
             WHERE job = $3 AND run_key = $4 AND status IN ('failed', 'running') AND started_at < $5 RETURNING id")
            .bind(server).bind(now).bind(job).bind(key).bind(stale_before).fetch_optional(c).await)?,
    };
    tx.commit().await?;
    Ok(id)
}

/// Records how a run ended, if `server` still holds it.
pub async fn finish_run(
    db: &Db,
    id: i64,
    server: &str,
    status: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(
        "UPDATE job_runs SET status = $1, detail = $2, finished_at = $3 WHERE id = $4 AND server = $5")
        .bind(status).bind(detail).bind(now).bind(id).bind(server).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(())
}

pub async fn recent_runs(db: &Db, limit: i64) -> Result<Vec<JobRunRow>> {
    Ok(with_db!(db, c => sqlx::query_as::<_, JobRunRow>(
        "SELECT id, job, run_key, server, status, detail, started_at, finished_at FROM job_runs ORDER BY started_at DESC, id DESC LIMIT $1")
        .bind(limit).fetch_all(c).await)?)
}

// ---- urgings ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UrgeRow {
    pub id: i64,
    pub task_id: i64,
    pub by_id: Option<i64>,
    pub by_name: Option<String>,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_urge(
    tx: &mut Tx,
    org: i64,
    task: i64,
    by: Option<i64>,
    message: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO task_urges (organization_id, task_id, by_id, message, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(org).bind(task).bind(by).bind(message).bind(now).fetch_one(c).await)?)
}

/// A task's urgings, newest first (at most 50).
pub async fn urges_of_task(ex: impl Into<Ex<'_>>, task: i64) -> Result<Vec<UrgeRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, UrgeRow>(
        "SELECT u.id, u.task_id, u.by_id, p.display_name AS by_name, u.message, u.created_at \
         FROM task_urges u LEFT JOIN persons p ON p.id = u.by_id WHERE u.task_id = $1 ORDER BY u.id DESC LIMIT 50")
        .bind(task).fetch_all(c).await)?)
}

// ---- what the reminder jobs start from ----

/// `(task, title, deadline, unit, owner)` of an open task.
pub type OpenTask = (i64, String, String, i64, Option<i64>);

const OPEN_STATUSES: &str =
    "('arranged', 'in_progress', 'sign_off_returned', 'declared_unfinished')";

/// The month's open tasks whose deadline lies between `from` and `to` (days, inclusive).
pub async fn open_tasks_due(
    db: &Db,
    org: i64,
    month: &str,
    from: &str,
    to: &str,
) -> Result<Vec<OpenTask>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, title, deadline, unit_id, owner_id FROM tasks \
         WHERE organization_id = $1 AND month = $2 AND status IN {OPEN_STATUSES} AND deadline >= $3 AND deadline <= $4 ORDER BY id"
    ));
    Ok(with_db!(db, c => sqlx::query_as::<_, OpenTask>(sql)
        .bind(org).bind(month).bind(from).bind(to).fetch_all(c).await)?)
}

/// The month's open tasks whose last progress report (the month's first day for a task never
/// reported on) fell between `from` and `to` (days, inclusive), with that day:
/// `(task, title, last day, unit, owner)`.
pub async fn stagnant_tasks(
    db: &Db,
    org: i64,
    month: &str,
    from: &str,
    to: &str,
) -> Result<Vec<OpenTask>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, title, COALESCE(last_progress_on, $3) AS since, unit_id, owner_id FROM tasks \
         WHERE organization_id = $1 AND month = $2 AND status IN {OPEN_STATUSES} \
         AND COALESCE(last_progress_on, $3) >= $4 AND COALESCE(last_progress_on, $3) <= $5 ORDER BY id"
    ));
    let first = format!("{month}-01");
    Ok(with_db!(db, c => sqlx::query_as::<_, OpenTask>(sql)
        .bind(org).bind(month).bind(first).bind(from).bind(to).fetch_all(c).await)?)
}

/// `(follow-up, inspection, action, due, unit)` of open follow-ups due on or before `until`,
/// of published or open inspections.
pub type DueFollowUp = (i64, i64, String, String, i64);

pub async fn follow_ups_due(db: &Db, org: i64, until: &str) -> Result<Vec<DueFollowUp>> {
    Ok(with_db!(db, c => sqlx::query_as::<_, DueFollowUp>(
        "SELECT f.id, i.id, f.action, f.due_on, g.unit_id FROM follow_ups f \
         JOIN findings g ON g.id = f.finding_id JOIN inspections i ON i.id = g.inspection_id \
         WHERE f.organization_id = $1 AND f.status IN ('open', 'returned') AND f.due_on <= $2 \
         AND (i.mode = 'open' OR i.published_at IS NOT NULL) ORDER BY f.id")
        .bind(org).bind(until).fetch_all(c).await)?)
}

/// Every organization's id (the jobs run for each).
pub async fn organization_ids(db: &Db) -> Result<Vec<i64>> {
    Ok(with_db!(db, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM organizations WHERE disabled = FALSE ORDER BY id")
        .fetch_all(c).await)?)
}

/// The units of an organization (enabled).
pub async fn unit_ids(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<i64>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM units WHERE organization_id = $1 AND disabled = FALSE ORDER BY id")
        .bind(org).fetch_all(c).await)?)
}

/// `(warning, subject kind, subject, person, title)` of the warnings a publication issued.
pub async fn warnings_of_publication(
    tx: &mut Tx,
    publication: i64,
) -> Result<Vec<(i64, String, i64, i64, String)>> {
    Ok(
        with_tx!(tx, c => sqlx::query_as::<_, (i64, String, i64, i64, String)>(
        "SELECT id, subject_kind, subject_id, person_id, title FROM warnings WHERE publication_id = $1 ORDER BY id")
        .bind(publication).fetch_all(c).await)?,
    )
}
