//! Key projects (重点在建项目): their lead unit and leader, dates, milestones and monthly
//! progress.

use chrono::{DateTime, NaiveDate, Utc};
use domain::page::PageRequest;
use domain::supervision::{KeyProjectDraft, MilestoneDraft};
use serde::Serialize;

use crate::args::Args;
use crate::{Ex, Result, Tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub description: String,
    pub investment: Option<i64>,
    pub start_on: String,
    pub end_on: String,
    pub status: String,
    pub progress: i32,
    pub last_progress_on: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const PROJECT_SELECT: &str = "SELECT k.id, k.organization_id, k.name, k.unit_id, u.name AS unit_name, u.path AS unit_path, k.leader_id, \
    l.display_name AS leader_name, k.description, k.investment, k.start_on, k.end_on, k.status, k.progress, k.last_progress_on, \
    k.created_at, k.updated_at FROM key_projects k JOIN units u ON u.id = k.unit_id LEFT JOIN persons l ON l.id = k.leader_id";

pub async fn insert_project(
    tx: &mut Tx,
    org: i64,
    d: &KeyProjectDraft,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO key_projects (organization_id, name, unit_id, leader_id, description, investment, start_on, end_on, status, progress, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id")
        .bind(org).bind(&d.name).bind(d.unit_id).bind(d.leader_id).bind(&d.description).bind(d.investment)
        .bind(d.start_on.to_string()).bind(d.end_on.to_string()).bind(d.status).bind(now).fetch_one(c).await)?)
}

pub async fn update_project(
    tx: &mut Tx,
    id: i64,
    d: &KeyProjectDraft,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE key_projects SET name = $1, unit_id = $2, leader_id = $3, description = $4, investment = $5, start_on = $6, end_on = $7, \
         status = $8, updated_at = $9 WHERE id = $10")
        .bind(&d.name).bind(d.unit_id).bind(d.leader_id).bind(&d.description).bind(d.investment).bind(d.start_on.to_string())
        .bind(d.end_on.to_string()).bind(d.status).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get_project(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<ProjectRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{PROJECT_SELECT} WHERE k.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, ProjectRow>(sql).bind(id).fetch_optional(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub status: Option<String>,
    pub unit_paths: Option<Vec<String>>,
}

pub async fn list_projects(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &ProjectFilter,
    page: PageRequest,
) -> Result<(Vec<ProjectRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let mut a = Args::new();
    a.eq_int("k.organization_id", Some(org));
    a.eq_text("k.status", f.status.as_deref());
    if let Some(paths) = &f.unit_paths {
        a.under_paths("u.path", paths);
    }
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM key_projects k JOIN units u ON u.id = k.unit_id WHERE {where_}"
    ));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{PROJECT_SELECT} WHERE {where_} ORDER BY k.id LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, ProjectRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Active projects of an organization, id after `after`, for computing cards in batches.
pub async fn active_projects_after(
    ex: impl Into<Ex<'_>>,
    org: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<ProjectRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PROJECT_SELECT} WHERE k.organization_id = $1 AND k.status <> 'suspended' AND k.id > $2 ORDER BY k.id LIMIT $3"
    ));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, ProjectRow>(sql).bind(org).bind(after).bind(limit).fetch_all(c).await)?,
    )
}

// ---- milestones ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MilestoneRow {
    pub id: i64,
    pub key_project_id: i64,
    pub title: String,
    pub due_on: String,
    pub done_on: Option<String>,
}

pub async fn insert_milestone(
    tx: &mut Tx,
    project: i64,
    d: &MilestoneDraft,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO milestones (key_project_id, title, due_on, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(project).bind(&d.title).bind(d.due_on.to_string()).bind(now).fetch_one(c).await)?)
}

pub async fn get_milestone(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<MilestoneRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, MilestoneRow>(
        "SELECT id, key_project_id, title, due_on, done_on FROM milestones WHERE id = $1")
        .bind(id).fetch_optional(c).await)?)
}

/// The milestones of many projects at once, by due date.
pub async fn milestones_of(ex: impl Into<Ex<'_>>, projects: &[i64]) -> Result<Vec<MilestoneRow>> {
    if projects.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    a.in_int("key_project_id", projects);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, key_project_id, title, due_on, done_on FROM milestones WHERE {} ORDER BY key_project_id, due_on, id",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, MilestoneRow>(sql), a).fetch_all(c).await)?)
}

pub async fn set_milestone_done(tx: &mut Tx, id: i64, done_on: Option<NaiveDate>) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE milestones SET done_on = $1 WHERE id = $2")
        .bind(done_on.map(|d| d.to_string())).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- monthly progress ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProjectProgressRow {
    pub id: i64,
    pub key_project_id: i64,
    pub month: String,
    pub percent: i32,
    pub narrative: String,
    pub reported_on: String,
    pub reporter_name: Option<String>,
    pub reported_at: DateTime<Utc>,
}

/// The month's progress of a project (one per month; a second report replaces the first,
/// the audit ledger keeps both), and the project's current figure.
#[allow(clippy::too_many_arguments)]
pub async fn put_project_progress(
    tx: &mut Tx,
    project: i64,
    month: &str,
    percent: u32,
    narrative: &str,
    on: NaiveDate,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let pct = i32::try_from(percent).unwrap_or(0);
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO project_progress (key_project_id, month, percent, narrative, reported_on, reported_by, reported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key_project_id, month) DO UPDATE SET percent = excluded.percent, \
         narrative = excluded.narrative, reported_on = excluded.reported_on, reported_by = excluded.reported_by, reported_at = excluded.reported_at")
        .bind(project).bind(month).bind(pct).bind(narrative).bind(on.to_string()).bind(by).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query("UPDATE key_projects SET progress = $1, last_progress_on = $2, updated_at = $3 WHERE id = $4")
        .bind(pct).bind(on.to_string()).bind(now).bind(project).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A project's monthly progress, newest month first.
pub async fn project_progress(
    ex: impl Into<Ex<'_>>,
    project: i64,
) -> Result<Vec<ProjectProgressRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, ProjectProgressRow>(
        "SELECT g.id, g.key_project_id, g.month, g.percent, g.narrative, g.reported_on, p.display_name AS reporter_name, g.reported_at \
         FROM project_progress g LEFT JOIN persons p ON p.id = g.reported_by WHERE g.key_project_id = $1 ORDER BY g.month DESC LIMIT 240")
        .bind(project).fetch_all(c).await)?)
}

/// Every project of an organization as (id, name), for choosing one on a task.
pub async fn project_names(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<(i64, String)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM key_projects WHERE organization_id = $1 AND status <> 'completed' ORDER BY id LIMIT 1000")
        .bind(org).fetch_all(c).await)?)
}
