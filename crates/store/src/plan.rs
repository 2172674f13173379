//! The monthly plan: calendars, key points, cycles, tasks with their history, change requests.
//! Months are stored as `YYYY-MM` text and dates as `YYYY-MM-DD` text, computed in Rust, so
//! both backends compare and index them the same way.

use chrono::{DateTime, NaiveDate, Utc};
use domain::page::PageRequest;
use domain::plan::{Calendar, TaskDraft};
use serde::Serialize;

use crate::args::Args;
use crate::{Ex, Result, Tx};

// ---- calendars ----

pub async fn calendar(ex: impl Into<Ex<'_>>, org: i64) -> Result<Option<Calendar>> {
    let row: Option<(i32, i32, i32, i32)> = with_ex!(ex, c => sqlx::query_as(
        "SELECT proposal_open_day, arrangement_day, sign_off_days, review_end_day FROM org_calendars WHERE organization_id = $1")
        .bind(org).fetch_optional(c).await)?;
    Ok(row.map(|(a, b, c, d)| Calendar {
        proposal_open_day: a.unsigned_abs(),
        arrangement_day: b.unsigned_abs(),
        sign_off_days: c.unsigned_abs(),
        review_end_day: d.unsigned_abs(),
    }))
}

pub async fn put_calendar(tx: &mut Tx, org: i64, cal: &Calendar, now: DateTime<Utc>) -> Result<()> {
    let n = |v: u32| i32::try_from(v).unwrap_or(0);
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO org_calendars (organization_id, proposal_open_day, arrangement_day, sign_off_days, review_end_day, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organization_id) DO UPDATE SET proposal_open_day = excluded.proposal_open_day, \
         arrangement_day = excluded.arrangement_day, sign_off_days = excluded.sign_off_days, review_end_day = excluded.review_end_day, \
         updated_at = excluded.updated_at")
        .bind(org).bind(n(cal.proposal_open_day)).bind(n(cal.arrangement_day)).bind(n(cal.sign_off_days)).bind(n(cal.review_end_day)).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- key points ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct KeyPointRow {
    pub id: i64,
    pub organization_id: i64,
    pub year: i32,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub sort_order: i32,
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewKeyPoint {
    pub year: i32,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub sort_order: i32,
}

pub async fn insert_key_point(
    tx: &mut Tx,
    org: i64,
    k: &NewKeyPoint,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO key_points (organization_id, year, kind, title, description, sort_order, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $7) RETURNING id")
        .bind(org).bind(k.year).bind(&k.kind).bind(&k.title).bind(&k.description).bind(k.sort_order).bind(now)
        .fetch_one(c).await)?)
}

pub async fn get_key_point(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<KeyPointRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, KeyPointRow>(
        "SELECT id, organization_id, year, kind, title, description, sort_order, disabled FROM key_points WHERE id = $1")
        .bind(id).fetch_optional(c).await)?)
}

/// The key points of a year (at most a few hundred, so not paged).
pub async fn key_points(
    ex: impl Into<Ex<'_>>,
    org: i64,
    year: i32,
    include_disabled: bool,
) -> Result<Vec<KeyPointRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, KeyPointRow>(
        "SELECT id, organization_id, year, kind, title, description, sort_order, disabled FROM key_points \
         WHERE organization_id = $1 AND year = $2 AND ($3 OR NOT disabled) ORDER BY sort_order, id LIMIT 1000")
        .bind(org).bind(year).bind(include_disabled).fetch_all(c).await)?)
}

pub async fn update_key_point(
    tx: &mut Tx,
    id: i64,
    k: &NewKeyPoint,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE key_points SET kind = $1, title = $2, description = $3, sort_order = $4, disabled = $5, updated_at = $6 WHERE id = $7")
        .bind(&k.kind).bind(&k.title).bind(&k.description).bind(k.sort_order).bind(disabled).bind(now).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- cycles ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CycleRow {
    pub id: i64,
    pub organization_id: i64,
    pub month: String,
    pub phase: String,
    pub manual_on: Option<String>,
    pub arranged_at: Option<DateTime<Utc>>,
    pub arranged_by: Option<i64>,
}

pub async fn cycle(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<Option<CycleRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, CycleRow>(
        "SELECT id, organization_id, month, phase, manual_on, arranged_at, arranged_by FROM cycles WHERE organization_id = $1 AND month = $2")
        .bind(org).bind(month).fetch_optional(c).await)?)
}

/// Creates the cycle if it does not exist yet (safe when two requests race).
pub async fn ensure_cycle(
    tx: &mut Tx,
    org: i64,
    month: &str,
    phase: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "INSERT INTO cycles (organization_id, month, phase, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (organization_id, month) DO NOTHING")
        .bind(org).bind(month).bind(phase).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Moves a cycle from phase `from` to `to` as the calendar says, unless someone else moved
/// it meanwhile; whether this call moved it.
pub async fn advance_phase(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE cycles SET phase = $1, manual_on = NULL, updated_at = $2 WHERE id = $3 AND phase = $4 AND phase <> 'closed'")
        .bind(to).bind(now).bind(id).bind(from).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn set_phase(
    tx: &mut Tx,
    id: i64,
    phase: &str,
    manual_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE cycles SET phase = $1, manual_on = $2, updated_at = $3 WHERE id = $4")
        .bind(phase).bind(manual_on.map(|d| d.to_string())).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_arranged(tx: &mut Tx, id: i64, by: Option<i64>, now: DateTime<Utc>) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE cycles SET arranged_at = $1, arranged_by = $2, updated_at = $1 WHERE id = $3")
        .bind(now).bind(by).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- tasks ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub organization_id: i64,
    pub month: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub post_id: Option<i64>,
    pub post_name: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub key_point_id: Option<i64>,
    pub key_point_title: Option<String>,
    pub is_assigned: bool,
    pub is_key_work: bool,
    pub title: String,
    pub content: String,
    pub criterion: String,
    pub deadline: String,
    pub status: String,
    pub version: i32,
    pub reason: Option<String>,
    pub merged_into_id: Option<i64>,
    pub carried_from_id: Option<i64>,
    pub months_overdue: i32,
    pub key_project_id: Option<i64>,
    pub key_project_name: Option<String>,
    /// The last reported progress, 0–100.
    pub progress: i32,
    /// The day of the last progress report (`YYYY-MM-DD`).
    pub last_progress_on: Option<String>,
    /// When the work was completed, for a task signed off.
    pub completed_on: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const TASK_SELECT: &str = "SELECT t.id, t.organization_id, t.month, t.unit_id, u.name AS unit_name, u.path AS unit_path, t.post_id, \
    po.name AS post_name, t.owner_id, o.display_name AS owner_name, t.leader_id, l.display_name AS leader_name, t.key_point_id, \
    k.title AS key_point_title, t.is_assigned, t.is_key_work, t.title, t.content, t.criterion, t.deadline, t.status, t.version, \
    t.reason, t.merged_into_id, t.carried_from_id, t.months_overdue, t.key_project_id, kp.name AS key_project_name, t.progress, \
    t.last_progress_on, t.completed_on, t.created_at, t.updated_at \
    FROM tasks t JOIN units u ON u.id = t.unit_id LEFT JOIN posts po ON po.id = t.post_id \
    LEFT JOIN persons o ON o.id = t.owner_id LEFT JOIN persons l ON l.id = t.leader_id LEFT JOIN key_points k ON k.id = t.key_point_id \
    LEFT JOIN key_projects kp ON kp.id = t.key_project_id";

/// A new task row.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub org: i64,
    pub month: &'a str,
    pub unit_id: i64,
    pub draft: &'a TaskDraft,
    pub is_assigned: bool,
    pub status: &'a str,
    pub carried_from_id: Option<i64>,
    pub months_overdue: i32,
    pub created_by: Option<i64>,
}

pub async fn insert_task(tx: &mut Tx, t: &NewTask<'_>, now: DateTime<Utc>) -> Result<i64> {
    let d = t.draft;
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO tasks (organization_id, month, unit_id, post_id, owner_id, leader_id, key_point_id, is_assigned, is_key_work, \
         title, content, criterion, deadline, status, version, carried_from_id, months_overdue, created_by, created_at, updated_at, key_project_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $17, $18, $18, $19) RETURNING id")
        .bind(t.org).bind(t.month).bind(t.unit_id).bind(d.post_id).bind(d.owner_id).bind(d.leader_id).bind(d.key_point_id)
        .bind(t.is_assigned).bind(d.is_key_work).bind(&d.title).bind(&d.content).bind(&d.criterion).bind(d.deadline.to_string())
        .bind(t.status).bind(t.carried_from_id).bind(t.months_overdue).bind(t.created_by).bind(now).bind(d.key_project_id)
        .fetch_one(c).await)?)
}

pub async fn get_task(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<TaskRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{TASK_SELECT} WHERE t.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, TaskRow>(sql).bind(id).fetch_optional(c).await)?)
}

/// Replaces a task's fields and bumps its version.
pub async fn update_task(tx: &mut Tx, id: i64, d: &TaskDraft, now: DateTime<Utc>) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE tasks SET post_id = $1, owner_id = $2, leader_id = $3, key_point_id = $4, is_key_work = $5, title = $6, content = $7, \
         criterion = $8, deadline = $9, version = version + 1, updated_at = $10, key_project_id = $12 WHERE id = $11")
        .bind(d.post_id).bind(d.owner_id).bind(d.leader_id).bind(d.key_point_id).bind(d.is_key_work).bind(&d.title).bind(&d.content)
        .bind(&d.criterion).bind(d.deadline.to_string()).bind(now).bind(id).bind(d.key_project_id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_task_status(
    tx: &mut Tx,
    id: i64,
    status: &str,
    reason: Option<&str>,
    merged_into: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE tasks SET status = $1, reason = $2, merged_into_id = $3, updated_at = $4 WHERE id = $5")
        .bind(status).bind(reason).bind(merged_into).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ids of a month's tasks in one status (for arranging them together).
pub async fn task_ids_with_status(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    status: &str,
) -> Result<Vec<i64>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT id FROM tasks WHERE organization_id = $1 AND month = $2 AND status = $3 ORDER BY id")
        .bind(org).bind(month).bind(status).fetch_all(c).await)?,
    )
}

/// Moves every task of a month from one status to another; returns how many.
pub async fn move_status(
    tx: &mut Tx,
    org: i64,
    month: &str,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(
        with_tx!(tx, c => sqlx::query("UPDATE tasks SET status = $1, updated_at = $2 WHERE organization_id = $3 AND month = $4 AND status = $5")
        .bind(to).bind(now).bind(org).bind(month).bind(from).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub month: Option<String>,
    pub unit_id: Option<i64>,
    pub post_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub key_project_id: Option<i64>,
    pub statuses: Vec<String>,
    /// Only tasks without a progress report since this day (`YYYY-MM-DD`) …
    pub stale_before: Option<String>,
    /// … counting those never reported (once the month has run that long).
    pub never_reported_is_stale: bool,
    /// Only tasks of units whose path starts with one of these (a visibility scope); `None`
    /// means the whole organization.
    pub unit_paths: Option<Vec<String>>,
}

/// One page of an organization's tasks, joined with names (no N+1): by month, unit, then
/// planned before assigned items, by deadline. The order follows an index, so that a page of a
/// province's month needs no sort of the whole month.
pub async fn list_tasks(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &TaskFilter,
    page: PageRequest,
) -> Result<(Vec<TaskRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    // Only the filters that are set become predicates, so that each backend's planner can use
    // the matching index (an `$n IS NULL OR …` term hides it).
    enum Arg {
        I(i64),
        S(String),
    }
    let mut args = vec![Arg::I(org)];
    let mut preds = vec!["t.organization_id = $1".to_owned()];
    let mut eq = |col: &str, arg: Option<Arg>| {
        if let Some(a) = arg {
            args.push(a);
            preds.push(format!("{col} = ${}", args.len()));
        }
    };
    eq("t.month", f.month.clone().map(Arg::S));
    eq("t.unit_id", f.unit_id.map(Arg::I));
    eq("t.post_id", f.post_id.map(Arg::I));
    eq("t.leader_id", f.leader_id.map(Arg::I));
    eq("t.key_project_id", f.key_project_id.map(Arg::I));
    if !f.statuses.is_empty() {
        let terms: Vec<String> = f
            .statuses
            .iter()
            .map(|st| {
                args.push(Arg::S(st.clone()));
                format!("${}", args.len())
            })
            .collect();
        preds.push(format!("t.status IN ({})", terms.join(", ")));
    }
    if let Some(day) = &f.stale_before {
        args.push(Arg::S(day.clone()));
        preds.push(if f.never_reported_is_stale {
            format!(
                "(t.last_progress_on IS NULL OR t.last_progress_on < ${})",
                args.len()
            )
        } else {
            format!("t.last_progress_on < ${}", args.len())
        });
    }
    let scoped = f.unit_paths.is_some();
    if let Some(paths) = &f.unit_paths {
        let terms: Vec<String> = paths
            .iter()
            .map(|p| {
                args.push(Arg::S(format!("{p}%")));
                format!("u.path LIKE ${}", args.len())
            })
            .collect();
        preds.push(format!("({})", terms.join(" OR ")));
    }
    let where_ = preds.join(" AND ");
    let count_sql = sqlx::AssertSqlSafe(if scoped {
        format!("SELECT COUNT(*) FROM tasks t JOIN units u ON u.id = t.unit_id WHERE {where_}")
    } else {
        format!("SELECT COUNT(*) FROM tasks t WHERE {where_}")
    });
    let n = args.len();
    let list_sql = sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE {where_} ORDER BY t.month, t.unit_id, t.is_assigned, t.deadline, t.id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    ));
    let total: i64 = with_ex!(&mut ex, c => {
        let mut q = sqlx::query_scalar(count_sql);
        for a in &args {
            q = match a { Arg::I(v) => q.bind(*v), Arg::S(v) => q.bind(v.as_str()) };
        }
        q.fetch_one(c).await
    })?;
    let rows = with_ex!(&mut ex, c => {
        let mut q = sqlx::query_as::<_, TaskRow>(list_sql);
        for a in &args {
            q = match a { Arg::I(v) => q.bind(*v), Arg::S(v) => q.bind(v.as_str()) };
        }
        q.bind(page.limit()).bind(page.offset()).fetch_all(c).await
    })?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Counts of a month's tasks by unit and status, for the month page.
pub async fn status_counts(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
) -> Result<Vec<(i64, String, i64)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT unit_id, status, COUNT(*) FROM tasks WHERE organization_id = $1 AND month = $2 GROUP BY unit_id, status ORDER BY unit_id, status")
        .bind(org).bind(month).fetch_all(c).await)?)
}

// ---- history ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: i64,
    pub task_id: i64,
    pub version: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub event: String,
    pub status: String,
    pub reason: Option<String>,
    pub snapshot: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_history(
    tx: &mut Tx,
    task: i64,
    version: i32,
    at: DateTime<Utc>,
    actor: Option<i64>,
    event: &str,
    status: &str,
    reason: Option<&str>,
    snapshot: &str,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO task_history (task_id, version, at, actor_id, event, status, reason, snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(task).bind(version).bind(at).bind(actor).bind(event).bind(status).bind(reason).bind(snapshot)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn history(ex: impl Into<Ex<'_>>, task: i64) -> Result<Vec<HistoryRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, HistoryRow>(
        "SELECT h.id, h.task_id, h.version, h.at, h.actor_id, p.display_name AS actor_name, h.event, h.status, h.reason, h.snapshot \
         FROM task_history h LEFT JOIN persons p ON p.id = h.actor_id WHERE h.task_id = $1 ORDER BY h.id LIMIT 500")
        .bind(task).fetch_all(c).await)?)
}

// ---- change requests ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ChangeRequestRow {
    pub id: i64,
    pub organization_id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub unit_name: String,
    pub kind: String,
    pub proposal: String,
    pub reason: String,
    pub status: String,
    pub requested_by: Option<i64>,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

const CR_SELECT: &str = "SELECT r.id, r.organization_id, r.task_id, t.title AS task_title, u.name AS unit_name, r.kind, r.proposal, r.reason, \
    r.status, r.requested_by, r.requested_at, r.decided_by, r.decided_at, r.decision_reason \
    FROM change_requests r JOIN tasks t ON t.id = r.task_id JOIN units u ON u.id = t.unit_id";

#[allow(clippy::too_many_arguments)]
pub async fn insert_change_request(
    tx: &mut Tx,
    org: i64,
    task: i64,
    kind: &str,
    proposal: &str,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO change_requests (organization_id, task_id, kind, proposal, reason, status, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING id")
        .bind(org).bind(task).bind(kind).bind(proposal).bind(reason).bind(by).bind(now).fetch_one(c).await)?)
}

pub async fn get_change_request(
    ex: impl Into<Ex<'_>>,
    id: i64,
) -> Result<Option<ChangeRequestRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{CR_SELECT} WHERE r.id = $1"));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, ChangeRequestRow>(sql).bind(id).fetch_optional(c).await)?,
    )
}

/// Change requests of an organization (optionally one status or one task), newest first.
pub async fn list_change_requests(
    ex: impl Into<Ex<'_>>,
    org: i64,
    status: Option<&str>,
    task: Option<i64>,
    page: PageRequest,
) -> Result<(Vec<ChangeRequestRow>, u64)> {
    let mut ex = ex.into();
    let total: i64 = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM change_requests r WHERE r.organization_id = $1 AND ($2 IS NULL OR r.status = $2) AND ($3 IS NULL OR r.task_id = $3)")
        .bind(org).bind(status).bind(task).fetch_one(c).await)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "{CR_SELECT} WHERE r.organization_id = $1 AND ($2 IS NULL OR r.status = $2) AND ($3 IS NULL OR r.task_id = $3) ORDER BY r.id DESC LIMIT $4 OFFSET $5"
    ));
    let rows = with_ex!(&mut ex, c => sqlx::query_as::<_, ChangeRequestRow>(sql)
        .bind(org).bind(status).bind(task).bind(page.limit()).bind(page.offset()).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub async fn decide_change_request(
    tx: &mut Tx,
    id: i64,
    status: &str,
    by: Option<i64>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE change_requests SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5")
        .bind(status).bind(by).bind(now).bind(reason).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_task_deadline(
    tx: &mut Tx,
    id: i64,
    deadline: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE tasks SET deadline = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(deadline.to_string()).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_task_scope(
    tx: &mut Tx,
    id: i64,
    title: &str,
    content: &str,
    criterion: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE tasks SET title = $1, content = $2, criterion = $3, version = version + 1, updated_at = $4 WHERE id = $5")
        .bind(title).bind(content).bind(criterion).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A leader in charge of the unit at `unit_path` or of a unit above it, if any.
pub async fn leader_of_unit(ex: impl Into<Ex<'_>>, unit_path: &str) -> Result<Option<i64>> {
    let ids = crate::org::path_ids(unit_path);
    let mut ex = ex.into();
    for unit in ids {
        let leader: Option<i64> = with_ex!(&mut ex, c => sqlx::query_scalar(
            "SELECT leader_id FROM leader_units WHERE unit_id = $1 ORDER BY leader_id LIMIT 1")
            .bind(unit).fetch_optional(c).await)?;
        if leader.is_some() {
            return Ok(leader);
        }
    }
    Ok(None)
}

/// The enabled leaders in charge of an organization: (id, display name).
pub async fn leaders(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<(i64, String)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT DISTINCT p.id, p.display_name FROM persons p JOIN role_assignments r ON r.person_id = p.id \
         WHERE p.organization_id = $1 AND r.role = 'leader_in_charge' AND NOT p.disabled ORDER BY p.id LIMIT 1000")
        .bind(org).fetch_all(c).await)?)
}

/// Every task of a month in one of `statuses`, by unit and id, in one query (for documents
/// that list them all, such as the bulletin's unfinished tasks).
pub async fn month_tasks_in(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    statuses: &[String],
) -> Result<Vec<TaskRow>> {
    let mut a = Args::new();
    a.eq_int("t.organization_id", Some(org));
    a.eq_text("t.month", Some(month));
    a.in_text("t.status", statuses);
    let sql = sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE {} ORDER BY t.unit_id, t.id",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, TaskRow>(sql), a).fetch_all(c).await)?)
}

/// The month's signed-off key or assigned tasks done by their deadline and not yet chosen as
/// highlights: what the review meeting may cite (at most `limit`).
pub async fn highlight_candidates(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    limit: u32,
) -> Result<Vec<TaskRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.organization_id = $1 AND t.month = $2 AND t.status = 'signed_off' \
         AND (t.is_key_work OR t.is_assigned) AND t.completed_on IS NOT NULL AND t.completed_on <= t.deadline \
         AND NOT EXISTS (SELECT 1 FROM highlights h WHERE h.task_id = t.id) \
         ORDER BY t.unit_id, t.id LIMIT $3"
    ));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, TaskRow>(sql).bind(org).bind(month).bind(i64::from(limit)).fetch_all(c).await)?,
    )
}

/// The tasks carried into `month` (continuations) of these units: `(id, unit, title)`, for
/// finding proposals that repeat them. Withdrawn ones are left out.
pub async fn carried_into(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    units: &[i64],
) -> Result<Vec<(i64, i64, String)>> {
    if units.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    a.eq_int("organization_id", Some(org));
    a.eq_text("month", Some(month));
    a.in_int("unit_id", units);
    a.pred("carried_from_id IS NOT NULL AND status <> 'withdrawn'".to_owned());
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, unit_id, title FROM tasks WHERE {} ORDER BY id LIMIT 10000",
        a.where_()
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (i64, i64, String)>(sql), a).fetch_all(c).await)?,
    )
}
