//! Execution and supervision (督): progress reports and their evidence files, coordination
//! requests with proposed solutions and decisions, inspections with their findings and
//! follow-ups. Every list is paged and every list filter has an index (migration 0003).

use chrono::{DateTime, NaiveDate, Utc};
use domain::page::PageRequest;
use serde::Serialize;

use crate::args::Args;
use crate::{Ex, Result, Tx};

// ---- progress ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProgressRow {
    pub id: i64,
    pub task_id: i64,
    pub percent: i32,
    pub narrative: String,
    pub reported_on: String,
    pub reported_by: Option<i64>,
    pub reporter_name: Option<String>,
    pub reported_at: DateTime<Utc>,
}

/// Records a progress report and moves the task's current progress and status with it, but
/// only while the task is still in `from` (a change approved meanwhile wins): `None` then.
#[allow(clippy::too_many_arguments)]
pub async fn insert_progress(
    tx: &mut Tx,
    task: i64,
    percent: u32,
    narrative: &str,
    on: NaiveDate,
    from: &str,
    to: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let pct = i32::try_from(percent).unwrap_or(0);
    let moved = with_tx!(tx, c => sqlx::query(
        "UPDATE tasks SET progress = $1, last_progress_on = $2, status = $3, updated_at = $4 WHERE id = $5 AND status = $6")
        .bind(pct).bind(on.to_string()).bind(to).bind(now).bind(task).bind(from).execute(c).await.map(|r| r.rows_affected()))?;
    if moved == 0 {
        return Ok(None);
    }
    let id = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO task_progress (task_id, percent, narrative, reported_on, reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(task).bind(pct).bind(narrative).bind(on.to_string()).bind(by).bind(now).fetch_one(c).await)?;
    Ok(Some(id))
}

/// The newest progress reports of a task first.
pub async fn progress_log(
    ex: impl Into<Ex<'_>>,
    task: i64,
    limit: i64,
) -> Result<Vec<ProgressRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, ProgressRow>(
        "SELECT g.id, g.task_id, g.percent, g.narrative, g.reported_on, g.reported_by, p.display_name AS reporter_name, g.reported_at \
         FROM task_progress g LEFT JOIN persons p ON p.id = g.reported_by WHERE g.task_id = $1 ORDER BY g.id DESC LIMIT $2")
        .bind(task).bind(limit).fetch_all(c).await)?)
}

/// The task a progress report belongs to.
pub async fn progress_task(ex: impl Into<Ex<'_>>, progress: i64) -> Result<Option<i64>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT task_id FROM task_progress WHERE id = $1")
        .bind(progress).fetch_optional(c).await)?,
    )
}

// ---- files ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FileMeta {
    pub id: i64,
    pub organization_id: i64,
    pub owner_kind: String,
    pub owner_id: i64,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: DateTime<Utc>,
}

pub struct NewFile<'a> {
    pub org: i64,
    pub owner_kind: &'a str,
    pub owner_id: i64,
    pub name: &'a str,
    pub kind: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub by: Option<i64>,
}

pub async fn insert_file(tx: &mut Tx, f: &NewFile<'_>, now: DateTime<Utc>) -> Result<i64> {
    let size = i64::try_from(f.content.len()).unwrap_or(i64::MAX);
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO files (organization_id, owner_kind, owner_id, name, kind, size, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(f.org).bind(f.owner_kind).bind(f.owner_id).bind(f.name).bind(f.kind).bind(size).bind(f.sha256)
        .bind(f.content).bind(f.by).bind(now).fetch_one(c).await)?)
}

const FILE_META: &str = "SELECT id, organization_id, owner_kind, owner_id, name, kind, size, sha256, uploaded_by, uploaded_at FROM files";

/// The files of many owners of one kind at once (no N+1), oldest first.
pub async fn files_of(
    ex: impl Into<Ex<'_>>,
    owner_kind: &str,
    owners: &[i64],
) -> Result<Vec<FileMeta>> {
    if owners.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    a.eq_text("owner_kind", Some(owner_kind));
    a.in_int("owner_id", owners);
    let sql = sqlx::AssertSqlSafe(format!(
        "{FILE_META} WHERE {} ORDER BY owner_id, id LIMIT 1000",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, FileMeta>(sql), a).fetch_all(c).await)?)
}

pub async fn file_meta(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<FileMeta>> {
    let sql = sqlx::AssertSqlSafe(format!("{FILE_META} WHERE id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, FileMeta>(sql).bind(id).fetch_optional(c).await)?)
}

pub async fn file_content(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<Vec<u8>>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT content FROM files WHERE id = $1").bind(id).fetch_optional(c).await)?,
    )
}

// ---- coordination requests ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CoordinationRow {
    pub id: i64,
    pub organization_id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub month: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub raised_by: Option<i64>,
    pub raiser_name: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub decision: Option<String>,
    pub owner_unit_id: Option<i64>,
    pub owner_unit_name: Option<String>,
    pub owner_unit_path: Option<String>,
    pub deadline: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub solutions: i64,
}

const COORD_SELECT: &str = "SELECT r.id, r.organization_id, r.task_id, t.title AS task_title, r.unit_id, u.name AS unit_name, r.month, \
    r.title, r.description, r.status, r.raised_by, p.display_name AS raiser_name, r.raised_at, r.decision, r.owner_unit_id, \
    ou.name AS owner_unit_name, ou.path AS owner_unit_path, r.deadline, r.decided_by, r.decided_at, r.resolution, r.resolved_by, \
    r.resolved_at, (SELECT COUNT(*) FROM coordination_solutions s WHERE s.request_id = r.id) AS solutions \
    FROM coordination_requests r JOIN tasks t ON t.id = r.task_id JOIN units u ON u.id = r.unit_id \
    LEFT JOIN units ou ON ou.id = r.owner_unit_id LEFT JOIN persons p ON p.id = r.raised_by";

pub struct NewCoordination<'a> {
    pub org: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub month: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub involved: &'a [i64],
    pub by: Option<i64>,
}

pub async fn insert_coordination(
    tx: &mut Tx,
    n: &NewCoordination<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO coordination_requests (organization_id, task_id, unit_id, month, title, description, status, raised_by, raised_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id")
        .bind(n.org).bind(n.task_id).bind(n.unit_id).bind(n.month).bind(n.title).bind(n.description).bind(n.by).bind(now)
        .fetch_one(c).await)?;
    for u in n.involved {
        with_tx!(tx, c => sqlx::query("INSERT INTO coordination_units (request_id, unit_id) VALUES ($1, $2)")
            .bind(id).bind(*u).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

pub async fn get_coordination(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<CoordinationRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{COORD_SELECT} WHERE r.id = $1"));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, CoordinationRow>(sql).bind(id).fetch_optional(c).await)?,
    )
}

/// The other units a request needs: (id, name).
pub async fn involved_units(ex: impl Into<Ex<'_>>, request: i64) -> Result<Vec<(i64, String)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT u.id, u.name FROM coordination_units cu JOIN units u ON u.id = cu.unit_id WHERE cu.request_id = $1 ORDER BY u.id")
        .bind(request).fetch_all(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct CoordinationFilter {
    pub statuses: Vec<String>,
    pub task_id: Option<i64>,
    /// Requests raised by, involving or owned by this unit.
    pub unit_id: Option<i64>,
}

/// Coordination requests of an organization, newest first. They are open to every member.
pub async fn list_coordination(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &CoordinationFilter,
    page: PageRequest,
) -> Result<(Vec<CoordinationRow>, u64)> {
    let mut ex = ex.into();
    let mut a = Args::new();
    a.eq_int("r.organization_id", Some(org));
    a.in_text("r.status", &f.statuses);
    a.eq_int("r.task_id", f.task_id);
    if let Some(u) = f.unit_id {
        let p = a.int(u);
        a.pred(format!(
            "(r.unit_id = {p} OR r.owner_unit_id = {p} OR EXISTS (SELECT 1 FROM coordination_units cu WHERE cu.request_id = r.id AND cu.unit_id = {p}))"
        ));
    }
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM coordination_requests r WHERE {where_}"
    ));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{COORD_SELECT} WHERE {where_} ORDER BY r.id DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, CoordinationRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SolutionRow {
    pub id: i64,
    pub request_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn add_solution(
    tx: &mut Tx,
    request: i64,
    author: Option<i64>,
    unit: Option<i64>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO coordination_solutions (request_id, author_id, unit_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(request).bind(author).bind(unit).bind(body).bind(now).fetch_one(c).await)?)
}

pub async fn solutions(ex: impl Into<Ex<'_>>, request: i64) -> Result<Vec<SolutionRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, SolutionRow>(
        "SELECT s.id, s.request_id, s.author_id, p.display_name AS author_name, s.unit_id, u.name AS unit_name, s.body, s.created_at \
         FROM coordination_solutions s LEFT JOIN persons p ON p.id = s.author_id LEFT JOIN units u ON u.id = s.unit_id \
         WHERE s.request_id = $1 ORDER BY s.id LIMIT 500")
        .bind(request).fetch_all(c).await)?)
}

pub async fn decide_coordination(
    tx: &mut Tx,
    id: i64,
    decision: &str,
    owner_unit: i64,
    deadline: NaiveDate,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE coordination_requests SET status = 'decided', decision = $1, owner_unit_id = $2, deadline = $3, decided_by = $4, decided_at = $5 WHERE id = $6")
        .bind(decision).bind(owner_unit).bind(deadline.to_string()).bind(by).bind(now).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Resolves a decided coordination request; false if it is no longer decided.
pub async fn resolve_coordination(
    tx: &mut Tx,
    id: i64,
    resolution: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    // Only a decided request, checked by the write itself: of two resolutions at once, one.
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE coordination_requests SET status = 'resolved', resolution = $1, resolved_by = $2, resolved_at = $3 WHERE id = $4 AND status = 'decided'")
        .bind(resolution).bind(by).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---- inspections ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InspectionRow {
    pub id: i64,
    pub organization_id: i64,
    pub kind: String,
    pub mode: String,
    pub title: String,
    pub scope: String,
    pub planned_on: String,
    pub status: String,
    pub done_on: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
    pub creator_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub findings: i64,
}

const INSPECTION_SELECT: &str = "SELECT i.id, i.organization_id, i.kind, i.mode, i.title, i.scope, i.planned_on, i.status, i.done_on, \
    i.published_at, i.created_by, p.display_name AS creator_name, i.created_at, \
    (SELECT COUNT(*) FROM findings f WHERE f.inspection_id = i.id) AS findings \
    FROM inspections i LEFT JOIN persons p ON p.id = i.created_by";

/// [`INSPECTION_SELECT`] counting only the findings on units matching `cond` (a reader who
/// sees some units learns nothing of the others' findings).
fn inspection_select_scoped(cond: &str) -> String {
    format!(
        "SELECT i.id, i.organization_id, i.kind, i.mode, i.title, i.scope, i.planned_on, i.status, i.done_on, \
         i.published_at, i.created_by, p.display_name AS creator_name, i.created_at, \
         (SELECT COUNT(*) FROM findings f JOIN units u ON u.id = f.unit_id WHERE f.inspection_id = i.id AND ({cond})) AS findings \
         FROM inspections i LEFT JOIN persons p ON p.id = i.created_by"
    )
}

pub async fn insert_inspection(
    tx: &mut Tx,
    org: i64,
    d: &domain::supervision::InspectionDraft,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO inspections (organization_id, kind, mode, title, scope, planned_on, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, $8) RETURNING id")
        .bind(org).bind(d.kind.as_str()).bind(d.mode.as_str()).bind(&d.title).bind(&d.scope).bind(d.planned_on.to_string())
        .bind(by).bind(now).fetch_one(c).await)?;
    for u in &d.unit_ids {
        with_tx!(tx, c => sqlx::query("INSERT INTO inspection_units (inspection_id, unit_id) VALUES ($1, $2)")
            .bind(id).bind(*u).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

pub async fn get_inspection(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<InspectionRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{INSPECTION_SELECT} WHERE i.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, InspectionRow>(sql).bind(id).fetch_optional(c).await)?)
}

/// The inspected units: (id, name, path).
pub async fn inspection_units(
    ex: impl Into<Ex<'_>>,
    inspection: i64,
) -> Result<Vec<(i64, String, String)>> {
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, (i64, String, String)>(
        "SELECT u.id, u.name, u.path FROM inspection_units iu JOIN units u ON u.id = iu.unit_id WHERE iu.inspection_id = $1 ORDER BY u.id")
        .bind(inspection).fetch_all(c).await)?,
    )
}

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Include covert inspections not yet published (the team and the director).
    pub include_hidden: bool,
    /// Only inspections of (or with findings on) units under these paths.
    pub unit_paths: Option<Vec<String>>,
    pub status: Option<String>,
    pub mode: Option<String>,
}

/// Inspections, newest planned first.
pub async fn list_inspections(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &InspectionFilter,
    page: PageRequest,
) -> Result<(Vec<InspectionRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let mut a = Args::new();
    a.eq_int("i.organization_id", Some(org));
    a.eq_text("i.status", f.status.as_deref());
    a.eq_text("i.mode", f.mode.as_deref());
    if !f.include_hidden {
        a.pred("(i.mode = 'open' OR i.published_at IS NOT NULL)");
    }
    let mut select = INSPECTION_SELECT.to_owned();
    if let Some(paths) = &f.unit_paths {
        let terms: Vec<String> = paths
            .iter()
            .map(|p| {
                let ph = a.text(&format!("{p}%"));
                format!("u.path LIKE {ph}")
            })
            .collect();
        let cond = terms.join(" OR ");
        select = inspection_select_scoped(&cond);
        a.pred(format!(
            "(EXISTS (SELECT 1 FROM inspection_units iu JOIN units u ON u.id = iu.unit_id WHERE iu.inspection_id = i.id AND ({cond})) \
             OR EXISTS (SELECT 1 FROM findings f JOIN units u ON u.id = f.unit_id WHERE f.inspection_id = i.id AND ({cond})))"
        ));
    }
    let where_ = a.where_();
    let count_sql =
        sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM inspections i WHERE {where_}"));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{select} WHERE {where_} ORDER BY i.planned_on DESC, i.id DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, InspectionRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub async fn set_inspection_done(
    tx: &mut Tx,
    id: i64,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE inspections SET status = 'done', done_on = $1, updated_at = $2 WHERE id = $3")
        .bind(on.to_string()).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn publish_inspection(
    tx: &mut Tx,
    id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE inspections SET published_at = $1, published_by = $2, updated_at = $1 WHERE id = $3")
        .bind(now).bind(by).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- findings ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    pub id: i64,
    pub organization_id: i64,
    pub inspection_id: i64,
    pub inspection_title: String,
    pub inspection_mode: String,
    pub inspection_published: bool,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub key_project_id: Option<i64>,
    pub key_project_name: Option<String>,
    pub severity: String,
    pub description: String,
    pub found_on: String,
    pub status: String,
    pub recorded_by: Option<i64>,
    pub recorder_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_note: Option<String>,
}

const FINDING_SELECT: &str = "SELECT f.id, f.organization_id, f.inspection_id, i.title AS inspection_title, i.mode AS inspection_mode, \
    (i.published_at IS NOT NULL) AS inspection_published, f.unit_id, u.name AS unit_name, u.path AS unit_path, f.task_id, \
    t.title AS task_title, f.key_project_id, kp.name AS key_project_name, f.severity, f.description, f.found_on, f.status, \
    f.recorded_by, p.display_name AS recorder_name, f.recorded_at, f.closed_at, f.close_note \
    FROM findings f JOIN inspections i ON i.id = f.inspection_id JOIN units u ON u.id = f.unit_id \
    LEFT JOIN tasks t ON t.id = f.task_id LEFT JOIN key_projects kp ON kp.id = f.key_project_id \
    LEFT JOIN persons p ON p.id = f.recorded_by";

/// A finding is seen by the units it concerns once this holds: the inspection was open, or the
/// team published it.
pub const FINDING_VISIBLE: &str = "(i.mode = 'open' OR i.published_at IS NOT NULL)";

pub async fn insert_finding(
    tx: &mut Tx,
    org: i64,
    inspection: i64,
    d: &domain::supervision::FindingDraft,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO findings (organization_id, inspection_id, unit_id, task_id, key_project_id, severity, description, found_on, status, \
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10) RETURNING id")
        .bind(org).bind(inspection).bind(d.unit_id).bind(d.task_id).bind(d.key_project_id).bind(d.severity).bind(&d.description)
        .bind(d.found_on.to_string()).bind(by).bind(now).fetch_one(c).await)?)
}

pub async fn get_finding(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<FindingRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{FINDING_SELECT} WHERE f.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, FindingRow>(sql).bind(id).fetch_optional(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub inspection_id: Option<i64>,
    pub task_id: Option<i64>,
    pub key_project_id: Option<i64>,
    pub status: Option<String>,
    /// Only findings the inspected units may see (not those of unpublished covert
    /// inspections).
    pub visible_only: bool,
    pub unit_paths: Option<Vec<String>>,
}

pub async fn list_findings(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &FindingFilter,
    page: PageRequest,
) -> Result<(Vec<FindingRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let mut a = Args::new();
    a.eq_int("f.organization_id", Some(org));
    a.eq_int("f.inspection_id", f.inspection_id);
    a.eq_int("f.task_id", f.task_id);
    a.eq_int("f.key_project_id", f.key_project_id);
    a.eq_text("f.status", f.status.as_deref());
    if f.visible_only {
        a.pred(FINDING_VISIBLE);
    }
    if let Some(paths) = &f.unit_paths {
        a.under_paths("u.path", paths);
    }
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM findings f JOIN inspections i ON i.id = f.inspection_id JOIN units u ON u.id = f.unit_id WHERE {where_}"
    ));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{FINDING_SELECT} WHERE {where_} ORDER BY f.id DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, FindingRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub async fn close_finding(
    tx: &mut Tx,
    id: i64,
    note: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE findings SET status = 'closed', close_note = $1, closed_by = $2, closed_at = $3 WHERE id = $4")
        .bind(note).bind(by).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Open findings that count against cards, per task or key project (`subject_col` is
/// `task_id` or `key_project_id`): only those the inspected unit may see.
pub async fn open_finding_counts(
    ex: impl Into<Ex<'_>>,
    org: i64,
    subject_col: FindingSubject,
) -> Result<Vec<(i64, i64)>> {
    let col = match subject_col {
        FindingSubject::Task => "f.task_id",
        FindingSubject::Project => "f.key_project_id",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {col}, COUNT(*) FROM findings f JOIN inspections i ON i.id = f.inspection_id \
         WHERE f.organization_id = $1 AND f.status = 'open' AND {col} IS NOT NULL AND {FINDING_VISIBLE} GROUP BY {col}"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, i64)>(sql).bind(org).fetch_all(c).await)?)
}

#[derive(Debug, Clone, Copy)]
pub enum FindingSubject {
    Task,
    Project,
}

// ---- follow-ups ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FollowUpRow {
    pub id: i64,
    pub organization_id: i64,
    pub finding_id: i64,
    pub finding_description: String,
    pub inspection_id: i64,
    pub inspection_mode: String,
    pub inspection_published: bool,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub action: String,
    pub due_on: String,
    pub status: String,
    pub response: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
    /// The team's note when it verified the last answer (why it was sent back).
    pub verify_note: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const FOLLOW_UP_SELECT: &str = "SELECT fu.id, fu.organization_id, fu.finding_id, f.description AS finding_description, f.inspection_id, \
    i.mode AS inspection_mode, (i.published_at IS NOT NULL) AS inspection_published, f.unit_id, u.name AS unit_name, u.path AS unit_path, \
    fu.action, fu.due_on, fu.status, fu.response, fu.responded_at, fu.verify_note, fu.verified_at, fu.closed_at, fu.created_at \
    FROM follow_ups fu JOIN findings f ON f.id = fu.finding_id JOIN inspections i ON i.id = f.inspection_id JOIN units u ON u.id = f.unit_id";

pub async fn insert_follow_up(
    tx: &mut Tx,
    org: i64,
    finding: i64,
    d: &domain::supervision::FollowUpDraft,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO follow_ups (organization_id, finding_id, action, due_on, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id")
        .bind(org).bind(finding).bind(&d.action).bind(d.due_on.to_string()).bind(by).bind(now).fetch_one(c).await)?)
}

pub async fn get_follow_up(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<FollowUpRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{FOLLOW_UP_SELECT} WHERE fu.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, FollowUpRow>(sql).bind(id).fetch_optional(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub finding_ids: Vec<i64>,
    pub status: Option<String>,
    /// Only those the unit still owes an answer to (issued or sent back).
    pub awaiting_unit: bool,
    /// Only those due before this day (overdue when combined with `status = open`).
    pub due_before: Option<NaiveDate>,
    pub visible_only: bool,
    pub unit_paths: Option<Vec<String>>,
}

/// Follow-ups, earliest due first.
pub async fn list_follow_ups(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &FollowUpFilter,
    page: PageRequest,
) -> Result<(Vec<FollowUpRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let mut a = Args::new();
    a.eq_int("fu.organization_id", Some(org));
    a.in_int("fu.finding_id", &f.finding_ids);
    a.eq_text("fu.status", f.status.as_deref());
    if f.awaiting_unit {
        a.pred(AWAITING_UNIT.to_owned());
    }
    if let Some(d) = f.due_before {
        let p = a.text(&d.to_string());
        a.pred(format!("fu.due_on < {p}"));
    }
    if f.visible_only {
        a.pred(FINDING_VISIBLE);
    }
    if let Some(paths) = &f.unit_paths {
        a.under_paths("u.path", paths);
    }
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM follow_ups fu JOIN findings f ON f.id = fu.finding_id JOIN inspections i ON i.id = f.inspection_id \
         JOIN units u ON u.id = f.unit_id WHERE {where_}"
    ));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{FOLLOW_UP_SELECT} WHERE {where_} ORDER BY fu.due_on, fu.id LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, FollowUpRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Follow-ups the unit still owes an answer to.
const AWAITING_UNIT: &str = "fu.status IN ('open', 'returned')";

/// Records the unit's answer, moving the follow-up from `from` to answered; `false` when it
/// was no longer in `from` (someone else moved it first), and then nothing is written.
pub async fn respond_follow_up(
    tx: &mut Tx,
    id: i64,
    from: &str,
    response: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE follow_ups SET status = 'answered', response = $1, responded_by = $2, responded_at = $3 \
         WHERE id = $4 AND status = $5")
        .bind(response).bind(by).bind(now).bind(id).bind(from).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The team's verification of an answered follow-up: `to` is `closed` (accepted) or
/// `returned`; `false` when it was no longer answered, and then nothing is written.
pub async fn verify_follow_up(
    tx: &mut Tx,
    id: i64,
    to: &str,
    note: Option<&str>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE follow_ups SET status = $1, verify_note = $2, verified_by = $3, verified_at = $4, \
         closed_by = CASE WHEN $1 = 'closed' THEN $3 ELSE closed_by END, \
         closed_at = CASE WHEN $1 = 'closed' THEN $4 ELSE closed_at END \
         WHERE id = $5 AND status = 'answered'")
        .bind(to).bind(note).bind(by).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many follow-ups of a finding are not 办结 yet.
pub async fn unfinished_follow_ups(ex: impl Into<Ex<'_>>, finding: i64) -> Result<i64> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM follow_ups WHERE finding_id = $1 AND status <> 'closed'")
        .bind(finding).fetch_one(c).await)?)
}
