//! Sign-off (销号): the review rule, the units' forms by round, the offices' opinions and site
//! checks, the review meeting with its highlights, bulletins, and the month's close (carrying
//! unsigned tasks over in set-based statements, freezing the figures).

use chrono::{DateTime, NaiveDate, Utc};
use domain::page::PageRequest;
use serde::Serialize;

use crate::args::Args;
use crate::{Ex, Result, Tx};

// ---- the review rule ----

pub async fn required_approvals(ex: impl Into<Ex<'_>>, org: i64) -> Result<Option<u32>> {
    let v: Option<i32> = with_ex!(ex, c => sqlx::query_scalar(
        "SELECT required_approvals FROM review_rules WHERE organization_id = $1")
        .bind(org).fetch_optional(c).await)?;
    Ok(v.map(i32::unsigned_abs))
}

pub async fn put_required_approvals(
    tx: &mut Tx,
    org: i64,
    n: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO review_rules (organization_id, required_approvals, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (organization_id) DO UPDATE SET required_approvals = excluded.required_approvals, updated_at = excluded.updated_at")
        .bind(org).bind(i32::try_from(n).unwrap_or(3)).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- forms ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FormRow {
    pub id: i64,
    pub organization_id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub task_month: String,
    pub task_deadline: String,
    pub task_status: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub round: i32,
    pub kind: String,
    pub completion: String,
    pub report: String,
    pub reason: String,
    pub next_steps: String,
    pub completed_on: Option<String>,
    /// submitted, returned, signed_off or unfinished.
    pub status: String,
    pub submitted_by: Option<i64>,
    pub submitter_name: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub months_overdue: i32,
}

const FORM_SELECT: &str = "SELECT f.id, f.organization_id, f.task_id, t.title AS task_title, t.month AS task_month, \
    t.deadline AS task_deadline, t.status AS task_status, t.unit_id, u.name AS unit_name, u.path AS unit_path, f.round, f.kind, \
    f.completion, f.report, f.reason, f.next_steps, f.completed_on, f.status, f.submitted_by, p.display_name AS submitter_name, \
    f.submitted_at, f.decided_at, f.decision_reason, t.months_overdue \
    FROM sign_off_forms f JOIN tasks t ON t.id = f.task_id JOIN units u ON u.id = t.unit_id \
    LEFT JOIN persons p ON p.id = f.submitted_by";

pub struct NewForm<'a> {
    pub org: i64,
    pub task: i64,
    pub form: &'a domain::signoff::Form,
    pub status: &'a str,
    pub by: Option<i64>,
}

/// Adds the next round of a task's forms; returns its id.
pub async fn insert_form(tx: &mut Tx, n: &NewForm<'_>, now: DateTime<Utc>) -> Result<i64> {
    let round: i32 = with_tx!(tx, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(round), 0) + 1 AS INTEGER) FROM sign_off_forms WHERE task_id = $1")
        .bind(n.task).fetch_one(c).await)?;
    let f = n.form;
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO sign_off_forms (organization_id, task_id, round, kind, completion, report, reason, next_steps, completed_on, \
         status, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
        .bind(n.org).bind(n.task).bind(round).bind(f.kind.as_str()).bind(&f.completion).bind(&f.report).bind(&f.reason)
        .bind(&f.next_steps).bind(f.completed_on.map(|d| d.to_string())).bind(n.status).bind(n.by).bind(now)
        .fetch_one(c).await)?)
}

pub async fn get_form(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<FormRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{FORM_SELECT} WHERE f.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, FormRow>(sql).bind(id).fetch_optional(c).await)?)
}

/// Holds a form until the transaction ends, so that an opinion on it and the decision on it
/// are made one after the other (PostgreSQL; SQLite's single writer already serializes them).
pub async fn lock_form(tx: &mut Tx, id: i64) -> Result<()> {
    if let Tx::Postgres(t, _) = tx {
        sqlx::query("SELECT id FROM sign_off_forms WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// A task's forms, newest round first.
pub async fn forms_of_task(ex: impl Into<Ex<'_>>, task: i64) -> Result<Vec<FormRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{FORM_SELECT} WHERE f.task_id = $1 ORDER BY f.round DESC LIMIT 50"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, FormRow>(sql).bind(task).fetch_all(c).await)?)
}

/// The newest round of each of these tasks that has one.
pub async fn latest_forms(ex: impl Into<Ex<'_>>, tasks: &[i64]) -> Result<Vec<FormRow>> {
    if tasks.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    a.in_int("f.task_id", tasks);
    a.pred("f.round = (SELECT MAX(g.round) FROM sign_off_forms g WHERE g.task_id = f.task_id)");
    let sql = sqlx::AssertSqlSafe(format!("{FORM_SELECT} WHERE {}", a.where_()));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, FormRow>(sql), a).fetch_all(c).await)?)
}

/// The newest round of every task of a month in one of `statuses` that has one (one query).
pub async fn latest_forms_of_month(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    statuses: &[String],
) -> Result<Vec<FormRow>> {
    let mut a = Args::new();
    a.eq_int("t.organization_id", Some(org));
    a.eq_text("t.month", Some(month));
    a.in_text("t.status", statuses);
    a.pred("f.round = (SELECT MAX(g.round) FROM sign_off_forms g WHERE g.task_id = f.task_id)");
    let sql = sqlx::AssertSqlSafe(format!("{FORM_SELECT} WHERE {}", a.where_()));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, FormRow>(sql), a).fetch_all(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct FormFilter {
    pub month: Option<String>,
    pub statuses: Vec<String>,
    pub kind: Option<String>,
    pub unit_paths: Option<Vec<String>>,
}

/// Forms of an organization (latest rounds first), for the review queue and the briefing.
pub async fn list_forms(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &FormFilter,
    page: PageRequest,
) -> Result<(Vec<FormRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let mut a = Args::new();
    a.eq_int("f.organization_id", Some(org));
    a.eq_text("t.month", f.month.as_deref());
    a.in_text("f.status", &f.statuses);
    a.eq_text("f.kind", f.kind.as_deref());
    if let Some(paths) = &f.unit_paths {
        a.under_paths("u.path", paths);
    }
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM sign_off_forms f JOIN tasks t ON t.id = f.task_id JOIN units u ON u.id = t.unit_id WHERE {where_}"
    ));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{FORM_SELECT} WHERE {where_} ORDER BY t.unit_id, f.id DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, FormRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Decides a form (signed off or returned), only while it is still submitted: `false` when
/// another decision came first.
pub async fn decide_form(
    tx: &mut Tx,
    id: i64,
    status: &str,
    reason: Option<&str>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE sign_off_forms SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'submitted'")
        .bind(status).bind(reason).bind(by).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Moves a task between statuses, only from the status it was read in: `false` otherwise.
pub async fn move_task(
    tx: &mut Tx,
    task: i64,
    from: &str,
    to: &str,
    completed_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE tasks SET status = $1, completed_on = $2, updated_at = $3 WHERE id = $4 AND status = $5")
        .bind(to).bind(completed_on.map(|d| d.to_string())).bind(now).bind(task).bind(from)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---- opinions and site checks ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpinionRow {
    pub id: i64,
    pub form_id: i64,
    pub office: String,
    pub verdict: String,
    pub reason: String,
    pub given_by: Option<i64>,
    pub giver_name: Option<String>,
    pub given_at: DateTime<Utc>,
}

pub async fn insert_opinion(
    tx: &mut Tx,
    form: i64,
    office: &str,
    verdict: &str,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO sign_off_opinions (form_id, office, verdict, reason, given_by, given_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(form).bind(office).bind(verdict).bind(reason).bind(by).bind(now).fetch_one(c).await)?)
}

/// The opinions of many forms, oldest first (the latest of an office counts).
pub async fn opinions_of(ex: impl Into<Ex<'_>>, forms: &[i64]) -> Result<Vec<OpinionRow>> {
    if forms.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    a.in_int("o.form_id", forms);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT o.id, o.form_id, o.office, o.verdict, o.reason, o.given_by, p.display_name AS giver_name, o.given_at \
         FROM sign_off_opinions o LEFT JOIN persons p ON p.id = o.given_by WHERE {} ORDER BY o.form_id, o.id",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, OpinionRow>(sql), a).fetch_all(c).await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SiteCheckRow {
    pub id: i64,
    pub form_id: i64,
    pub office: String,
    pub checked_on: String,
    pub findings: String,
    pub recorder_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_site_check(
    tx: &mut Tx,
    form: i64,
    office: &str,
    checked_on: NaiveDate,
    findings: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO site_checks (form_id, office, checked_on, findings, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(form).bind(office).bind(checked_on.to_string()).bind(findings).bind(by).bind(now).fetch_one(c).await)?)
}

/// The form a site check belongs to.
pub async fn site_check_form(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<i64>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT form_id FROM site_checks WHERE id = $1")
        .bind(id).fetch_optional(c).await)?,
    )
}

pub async fn site_checks_of(ex: impl Into<Ex<'_>>, forms: &[i64]) -> Result<Vec<SiteCheckRow>> {
    if forms.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    a.in_int("s.form_id", forms);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT s.id, s.form_id, s.office, s.checked_on, s.findings, p.display_name AS recorder_name, s.recorded_at \
         FROM site_checks s LEFT JOIN persons p ON p.id = s.recorded_by WHERE {} ORDER BY s.form_id, s.id",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, SiteCheckRow>(sql), a).fetch_all(c).await)?)
}

// ---- the review meeting and highlights ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub month: String,
    pub held_on: String,
    pub analysis: String,
    pub dispatch: String,
    pub recorded_at: DateTime<Utc>,
}

pub async fn meeting(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<Option<MeetingRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, MeetingRow>(
        "SELECT id, month, held_on, analysis, dispatch, recorded_at FROM review_meetings WHERE organization_id = $1 AND month = $2")
        .bind(org).bind(month).fetch_optional(c).await)?)
}

#[allow(clippy::too_many_arguments)]
pub async fn put_meeting(
    tx: &mut Tx,
    org: i64,
    month: &str,
    held_on: NaiveDate,
    analysis: &str,
    dispatch: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO review_meetings (organization_id, month, held_on, analysis, dispatch, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organization_id, month) DO UPDATE SET held_on = excluded.held_on, \
         analysis = excluded.analysis, dispatch = excluded.dispatch, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at")
        .bind(org).bind(month).bind(held_on.to_string()).bind(analysis).bind(dispatch).bind(by).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HighlightRow {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub citation: String,
    pub selected_at: DateTime<Utc>,
}

pub async fn insert_highlight(
    tx: &mut Tx,
    org: i64,
    month: &str,
    task: i64,
    citation: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO highlights (organization_id, month, task_id, citation, selected_by, selected_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(org).bind(month).bind(task).bind(citation).bind(by).bind(now).fetch_one(c).await)?)
}

pub async fn delete_highlight(tx: &mut Tx, id: i64) -> Result<u64> {
    Ok(
        with_tx!(tx, c => sqlx::query("DELETE FROM highlights WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

pub async fn get_highlight(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<(i64, String)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT organization_id, month FROM highlights WHERE id = $1").bind(id).fetch_optional(c).await)?)
}

pub async fn highlights(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<Vec<HighlightRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, HighlightRow>(
        "SELECT h.id, h.task_id, t.title AS task_title, t.unit_id, u.name AS unit_name, h.citation, h.selected_at \
         FROM highlights h JOIN tasks t ON t.id = h.task_id JOIN units u ON u.id = t.unit_id \
         WHERE h.organization_id = $1 AND h.month = $2 ORDER BY h.id LIMIT 200")
        .bind(org).bind(month).fetch_all(c).await)?)
}

// ---- bulletins ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BulletinRow {
    pub id: i64,
    pub organization_id: i64,
    pub month: String,
    pub doc_number: String,
    pub title: String,
    /// The document's content as JSON (`domain::bulletin::Bulletin`).
    pub content: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// The ledger's checkpoint line for the organization's chain at publication.
    pub ledger_checkpoint: Option<String>,
}

const BULLETIN_SELECT: &str = "SELECT id, organization_id, month, doc_number, title, content, status, created_at, published_at, ledger_checkpoint FROM bulletins";

/// Writes the month's bulletin (a new draft replaces the old one; a published one stays).
/// Returns its id, or `None` when the month's bulletin is already published.
#[allow(clippy::too_many_arguments)]
pub async fn put_bulletin(
    tx: &mut Tx,
    org: i64,
    month: &str,
    doc_number: &str,
    title: &str,
    content: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO bulletins (organization_id, month, doc_number, title, content, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) ON CONFLICT (organization_id, month) DO UPDATE SET \
         doc_number = excluded.doc_number, title = excluded.title, content = excluded.content, created_by = excluded.created_by, \
         created_at = excluded.created_at WHERE bulletins.status = 'draft' RETURNING id")
        .bind(org).bind(month).bind(doc_number).bind(title).bind(content).bind(by).bind(now)
        .fetch_optional(c).await)?)
}

pub async fn publish_bulletin(
    tx: &mut Tx,
    id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE bulletins SET status = 'published', published_by = $1, published_at = $2 WHERE id = $3 AND status = 'draft'")
        .bind(by).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Writes the ledger's checkpoint into a bulletin being published.
pub async fn set_bulletin_checkpoint(tx: &mut Tx, id: i64, line: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE bulletins SET ledger_checkpoint = $1 WHERE id = $2")
        .bind(line).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The checkpoint lines of every published bulletin.
pub async fn bulletin_checkpoints(ex: impl Into<Ex<'_>>) -> Result<Vec<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT ledger_checkpoint FROM bulletins WHERE ledger_checkpoint IS NOT NULL ORDER BY id")
        .fetch_all(c).await)?)
}

pub async fn get_bulletin(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<BulletinRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{BULLETIN_SELECT} WHERE id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, BulletinRow>(sql).bind(id).fetch_optional(c).await)?)
}

pub async fn bulletin_of(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
) -> Result<Option<BulletinRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{BULLETIN_SELECT} WHERE organization_id = $1 AND month = $2"
    ));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, BulletinRow>(sql).bind(org).bind(month).fetch_optional(c).await)?,
    )
}

/// Bulletins of an organization, newest month first; `published_only` for most readers.
pub async fn list_bulletins(
    ex: impl Into<Ex<'_>>,
    org: i64,
    published_only: bool,
    page: PageRequest,
) -> Result<(Vec<BulletinRow>, u64)> {
    let mut ex = ex.into();
    let mut a = Args::new();
    a.eq_int("organization_id", Some(org));
    if published_only {
        a.pred("status = 'published'");
    }
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM bulletins WHERE {where_}"));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{BULLETIN_SELECT} WHERE {where_} ORDER BY month DESC, id DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, BulletinRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

// ---- the month's figures and its close ----

/// The month's tasks counted by unit, status, on time and carried in: what the month's
/// figures need (`domain::figures::OutcomeGroup`), counted by the database. `on_time` is
/// `TaskOutcome::on_time`: a completion day on or before the deadline.
pub async fn outcome_groups(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
) -> Result<Vec<(i64, String, bool, bool, i64)>> {
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, (i64, String, bool, bool, i64)>(
        "SELECT unit_id, status, on_time, carried_in, COUNT(*) FROM (SELECT unit_id, status, \
         (completed_on IS NOT NULL AND completed_on <= deadline) AS on_time, (months_overdue > 0) AS carried_in \
         FROM tasks WHERE organization_id = $1 AND month = $2) o GROUP BY unit_id, status, on_time, carried_in")
        .bind(org).bind(month).fetch_all(c).await)?,
    )
}

/// The figures frozen at a month's close, as JSON.
pub async fn month_result(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<Option<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT figures FROM month_results WHERE organization_id = $1 AND month = $2")
        .bind(org).bind(month).fetch_optional(c).await)?)
}

pub async fn insert_month_result(
    tx: &mut Tx,
    org: i64,
    month: &str,
    figures: &str,
    carried_over: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO month_results (organization_id, month, figures, carried_over, closed_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(org).bind(month).bind(figures).bind(carried_over).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Carries every unsigned task of `month` (in one of `statuses`) into `next`, in three
/// set-based statements: each gets a continuation in the next month (same unit, owner,
/// leader, criterion; the same day of the next month, clamped to `last_day`; one more month
/// overdue; `next_status`), a history row for both, and the old one becomes `carried_over`.
/// A task that already has a continuation is left alone. Returns how many were carried.
#[allow(clippy::too_many_arguments)]
pub async fn carry_over(
    tx: &mut Tx,
    org: i64,
    month: &str,
    next: &str,
    last_day: &str,
    statuses: &[String],
    next_status: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64> {
    if statuses.is_empty() {
        return Ok(0);
    }
    let mut a = Args::new();
    let o = a.int(org);
    let m = a.text(month);
    let nx = a.text(next);
    let ld = a.text(last_day);
    let ns = a.text(next_status);
    let at = a.push(crate::args::Arg::T(now));
    let by_ph = match by {
        Some(b) => a.int(b),
        None => "CAST(NULL AS BIGINT)".into(),
    };
    let st: Vec<String> = statuses.iter().map(|s| a.text(s)).collect();
    let st = st.join(", ");
    let insert = sqlx::AssertSqlSafe(format!(
        "INSERT INTO tasks (organization_id, month, unit_id, post_id, owner_id, leader_id, key_point_id, is_assigned, is_key_work, \
         title, content, criterion, deadline, status, version, carried_from_id, months_overdue, created_by, created_at, updated_at, \
         key_project_id, progress, last_progress_on) \
         SELECT t.organization_id, {nx}, t.unit_id, t.post_id, t.owner_id, t.leader_id, t.key_point_id, t.is_assigned, t.is_key_work, \
         t.title, t.content, t.criterion, \
         {nx} || '-' || CASE WHEN substr(t.deadline, 9, 2) > {ld} THEN {ld} ELSE substr(t.deadline, 9, 2) END, \
         {ns}, 1, t.id, t.months_overdue + 1, {by_ph}, {at}, {at}, t.key_project_id, t.progress, t.last_progress_on \
         FROM tasks t WHERE t.organization_id = {o} AND t.month = {m} AND t.status IN ({st}) \
         AND NOT EXISTS (SELECT 1 FROM tasks n WHERE n.carried_from_id = t.id)"
    ));
    let carried = with_tx!(tx, c => bind_args!(sqlx::query(insert), a).execute(c).await.map(|r| r.rows_affected()))?;
    // History: the continuation's first version, and the old task's last.
    let mut h = Args::new();
    let o = h.int(org);
    let m = h.text(month);
    let nx = h.text(next);
    let at = h.push(crate::args::Arg::T(now));
    let by_ph = match by {
        Some(b) => h.int(b),
        None => "CAST(NULL AS BIGINT)".into(),
    };
    let st: Vec<String> = statuses.iter().map(|s| h.text(s)).collect();
    let st = st.join(", ");
    let history = sqlx::AssertSqlSafe(format!(
        "INSERT INTO task_history (task_id, version, at, actor_id, event, status, reason, snapshot) \
         SELECT n.id, 1, {at}, {by_ph}, 'carried_in', n.status, NULL, '{{}}' FROM tasks n JOIN tasks t ON t.id = n.carried_from_id \
         WHERE n.organization_id = {o} AND n.month = {nx} AND n.created_at = {at} AND t.month = {m} AND t.status IN ({st}) \
         UNION ALL SELECT t.id, t.version, {at}, {by_ph}, 'carry_over', 'carried_over', NULL, '{{}}' FROM tasks t \
         WHERE t.organization_id = {o} AND t.month = {m} AND t.status IN ({st})"
    ));
    with_tx!(tx, c => bind_args!(sqlx::query(history), h).execute(c).await.map(|r| r.rows_affected()))?;
    let mut u = Args::new();
    let at = u.push(crate::args::Arg::T(now));
    let o = u.int(org);
    let m = u.text(month);
    let st: Vec<String> = statuses.iter().map(|s| u.text(s)).collect();
    let st = st.join(", ");
    let update = sqlx::AssertSqlSafe(format!(
        "UPDATE tasks SET status = 'carried_over', updated_at = {at} WHERE organization_id = {o} AND month = {m} AND status IN ({st})"
    ));
    with_tx!(tx, c => bind_args!(sqlx::query(update), u).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(carried)
}

/// Change requests still pending when their month closes are declined with `reason`.
pub async fn decline_pending_changes(
    tx: &mut Tx,
    org: i64,
    month: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "UPDATE change_requests SET status = 'rejected', decided_at = $1, decision_reason = $2 WHERE organization_id = $3 \
         AND status = 'pending' AND task_id IN (SELECT id FROM tasks WHERE organization_id = $3 AND month = $4)")
        .bind(now).bind(reason).bind(org).bind(month).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Submissions still in the review when their month closes lapse (their tasks carry over).
pub async fn lapse_forms(tx: &mut Tx, org: i64, month: &str, now: DateTime<Utc>) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "UPDATE sign_off_forms SET status = 'lapsed', decided_at = $1 WHERE organization_id = $2 AND status = 'submitted' \
         AND task_id IN (SELECT id FROM tasks WHERE organization_id = $2 AND month = $3)")
        .bind(now).bind(org).bind(month).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Marks a month closed.
pub async fn close_cycle(tx: &mut Tx, id: i64, by: Option<i64>, now: DateTime<Utc>) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE cycles SET phase = 'closed', manual_on = NULL, closed_at = $1, closed_by = $2, updated_at = $1 WHERE id = $3")
        .bind(now).bind(by).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every role grant of the organization's active people who hold one of `roles` (the offices),
/// with the paths of each person's own unit and of the grant's unit: (person, role, person's
/// unit path, grant's unit path).
pub async fn office_holders(
    ex: impl Into<Ex<'_>>,
    org: i64,
    roles: &[&str],
) -> Result<Vec<(i64, String, Option<String>, Option<String>)>> {
    if roles.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    let o = a.int(org);
    let rs: Vec<String> = roles.iter().map(|r| a.text(r)).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT p.id, r.role, pu.path, gu.path FROM role_assignments r JOIN persons p ON p.id = r.person_id \
         LEFT JOIN units pu ON pu.id = p.unit_id LEFT JOIN units gu ON gu.id = r.unit_id WHERE r.organization_id = {o} AND NOT p.disabled AND p.id IN \
         (SELECT person_id FROM role_assignments WHERE organization_id = {o} AND role IN ({})) ORDER BY p.id, r.id",
        rs.join(", ")
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (i64, String, Option<String>, Option<String>)>(sql), a).fetch_all(c).await)?,
    )
}
