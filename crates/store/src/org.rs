//! Organizations, units and posts. Trees are kept with a materialized path (`/1/5/9/`) so that
//! a subtree is one indexed `LIKE 'prefix%'` and never a recursive query.

use chrono::{DateTime, Utc};
use domain::org::{OrganizationDraft, PostDraft, UnitDraft};
use domain::page::PageRequest;
use serde::Serialize;

use crate::{Ex, Result, Tx, like_contains};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: Option<String>,
    pub name: String,
    pub path: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub organization_id: i64,
    pub parent_id: Option<i64>,
    pub code: Option<String>,
    pub name: String,
    pub path: String,
    pub sort_order: i32,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UnitRow {
    /// The unit followed by its ancestors, from the stored path.
    pub fn path_ids(&self) -> Vec<i64> {
        path_ids(&self.path)
    }

    /// How deep the unit sits: 0 for a top-level unit.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    pub organization_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// `/1/5/9/` → `[9, 5, 1]`.
pub fn path_ids(path: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = path.split('/').filter_map(|s| s.parse().ok()).collect();
    ids.reverse();
    ids
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub search: Option<String>,
    pub include_disabled: bool,
}

impl ListFilter {
    fn pattern(&self) -> String {
        like_contains(self.search.as_deref().unwrap_or("").trim())
    }
}

// ---- organizations ----

pub async fn insert_organization(
    tx: &mut Tx,
    d: &OrganizationDraft,
    parent_path: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO organizations (parent_id, code, name, path, disabled, created_at, updated_at) VALUES ($1, $2, $3, '', FALSE, $4, $4) RETURNING id")
        .bind(d.parent_id.map(|p| p.0)).bind(&d.code).bind(&d.name).bind(now)
        .fetch_one(c).await)?;
    let path = format!("{}{id}/", parent_path.unwrap_or("/"));
    with_tx!(tx, c => sqlx::query("UPDATE organizations SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

pub async fn get_organization(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<OrganizationRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, OrganizationRow>(
        "SELECT id, parent_id, code, name, path, disabled, created_at, updated_at FROM organizations WHERE id = $1")
        .bind(id).fetch_optional(c).await)?)
}

/// Organizations whose path starts with `root_path` (an organization and everything below it).
pub async fn list_organizations(
    ex: impl Into<Ex<'_>>,
    root_path: &str,
    f: &ListFilter,
    page: PageRequest,
) -> Result<(Vec<OrganizationRow>, u64)> {
    let mut ex = ex.into();
    let prefix = format!("{root_path}%");
    let pattern = f.pattern();
    let total: i64 = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM organizations WHERE path LIKE $1 AND (name LIKE $2 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\') AND ($3 OR NOT disabled)")
        .bind(&prefix).bind(&pattern).bind(f.include_disabled).fetch_one(c).await)?;
    let rows = with_ex!(&mut ex, c => sqlx::query_as::<_, OrganizationRow>(
        "SELECT id, parent_id, code, name, path, disabled, created_at, updated_at FROM organizations \
         WHERE path LIKE $1 AND (name LIKE $2 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\') AND ($3 OR NOT disabled) \
         ORDER BY path LIMIT $4 OFFSET $5")
        .bind(&prefix).bind(&pattern).bind(f.include_disabled).bind(page.limit()).bind(page.offset())
        .fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Every organization strictly below `org_path`.
pub async fn descendant_organization_ids(
    ex: impl Into<Ex<'_>>,
    org_path: &str,
) -> Result<Vec<i64>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT id FROM organizations WHERE path LIKE $1 AND path <> $2 ORDER BY id")
        .bind(format!("{org_path}%")).bind(org_path).fetch_all(c).await)?,
    )
}

pub async fn update_organization(
    tx: &mut Tx,
    id: i64,
    name: &str,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE organizations SET name = $1, code = $2, updated_at = $3 WHERE id = $4")
        .bind(name).bind(code).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves an organization (with everything below it) under `new_parent`.
pub async fn move_organization(
    tx: &mut Tx,
    id: i64,
    old_path: &str,
    new_parent: Option<(i64, &str)>,
    now: DateTime<Utc>,
) -> Result<()> {
    let new_path = format!("{}{id}/", new_parent.map_or("/", |p| p.1));
    with_tx!(tx, c => sqlx::query("UPDATE organizations SET parent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(new_parent.map(|p| p.0)).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query("UPDATE organizations SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path LIKE $3")
        .bind(&new_path).bind(old_path.len() as i64 + 1).bind(format!("{old_path}%")).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_organization_disabled(
    tx: &mut Tx,
    id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE organizations SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- units ----

pub async fn insert_unit(
    tx: &mut Tx,
    org: i64,
    d: &UnitDraft,
    parent_path: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO units (organization_id, parent_id, code, name, path, sort_order, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '', $5, FALSE, $6, $6) RETURNING id")
        .bind(org).bind(d.parent_id.map(|p| p.0)).bind(&d.code).bind(&d.name).bind(d.sort_order).bind(now)
        .fetch_one(c).await)?;
    let path = format!("{}{id}/", parent_path.unwrap_or("/"));
    with_tx!(tx, c => sqlx::query("UPDATE units SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

pub async fn get_unit(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<UnitRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, UnitRow>(
        "SELECT id, organization_id, parent_id, code, name, path, sort_order, disabled, created_at, updated_at FROM units WHERE id = $1")
        .bind(id).fetch_optional(c).await)?)
}

/// One page of an organization's units in tree order, optionally searched.
pub async fn list_units(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &ListFilter,
    page: PageRequest,
) -> Result<(Vec<UnitRow>, u64)> {
    let mut ex = ex.into();
    let pattern = f.pattern();
    let total: i64 = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM units WHERE organization_id = $1 AND (name LIKE $2 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\') AND ($3 OR NOT disabled)")
        .bind(org).bind(&pattern).bind(f.include_disabled).fetch_one(c).await)?;
    let rows = with_ex!(&mut ex, c => sqlx::query_as::<_, UnitRow>(
        "SELECT id, organization_id, parent_id, code, name, path, sort_order, disabled, created_at, updated_at FROM units \
         WHERE organization_id = $1 AND (name LIKE $2 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\') AND ($3 OR NOT disabled) \
         ORDER BY path LIMIT $4 OFFSET $5")
        .bind(org).bind(&pattern).bind(f.include_disabled).bind(page.limit()).bind(page.offset())
        .fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Several units at once.
pub async fn units_by_ids(ex: impl Into<Ex<'_>>, ids: &[i64]) -> Result<Vec<UnitRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut a = crate::args::Args::new();
    a.in_int("id", ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, organization_id, parent_id, code, name, path, sort_order, disabled, created_at, updated_at FROM units \
         WHERE {} ORDER BY path",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, UnitRow>(sql), a).fetch_all(c).await)?)
}

/// Every unit of an organization, ordered for a tree (for pickers and tree views).
pub async fn all_units(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<UnitRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, UnitRow>(
        "SELECT id, organization_id, parent_id, code, name, path, sort_order, disabled, created_at, updated_at FROM units \
         WHERE organization_id = $1 ORDER BY sort_order, id")
        .bind(org).fetch_all(c).await)?)
}

pub async fn update_unit(
    tx: &mut Tx,
    id: i64,
    name: &str,
    code: Option<&str>,
    sort_order: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE units SET name = $1, code = $2, sort_order = $3, updated_at = $4 WHERE id = $5")
        .bind(name).bind(code).bind(sort_order).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves a unit (and its subtree) under `new_parent` (`None`: to the top level).
pub async fn move_unit(
    tx: &mut Tx,
    unit: &UnitRow,
    new_parent: Option<&UnitRow>,
    now: DateTime<Utc>,
) -> Result<()> {
    let new_path = format!(
        "{}{}/",
        new_parent.map_or("/", |p| p.path.as_str()),
        unit.id
    );
    with_tx!(tx, c => sqlx::query("UPDATE units SET parent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(new_parent.map(|p| p.id)).bind(now).bind(unit.id).execute(c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query(
        "UPDATE units SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE organization_id = $3 AND path LIKE $4")
        .bind(&new_path).bind(unit.path.len() as i64 + 1).bind(unit.organization_id).bind(format!("{}%", unit.path))
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_unit_disabled(
    tx: &mut Tx,
    id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE units SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many enabled units and people sit below or in a unit; a unit with either cannot be
/// disabled.
pub async fn unit_dependents(ex: impl Into<Ex<'_>>, unit: &UnitRow) -> Result<(i64, i64)> {
    let mut ex = ex.into();
    let units: i64 = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM units WHERE organization_id = $1 AND path LIKE $2 AND id <> $3 AND NOT disabled")
        .bind(unit.organization_id).bind(format!("{}%", unit.path)).bind(unit.id).fetch_one(c).await)?;
    let people: i64 = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM persons WHERE unit_id = $1 AND NOT disabled")
        .bind(unit.id).fetch_one(c).await)?;
    Ok((units, people))
}

// ---- posts ----

pub async fn insert_post(tx: &mut Tx, org: i64, d: &PostDraft, now: DateTime<Utc>) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO posts (organization_id, unit_id, name, disabled, created_at, updated_at) VALUES ($1, $2, $3, FALSE, $4, $4) RETURNING id")
        .bind(org).bind(d.unit_id.0).bind(&d.name).bind(now).fetch_one(c).await)?)
}

pub async fn get_post(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<PostRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, PostRow>(
        "SELECT p.id, p.organization_id, p.unit_id, u.name AS unit_name, p.name, p.disabled, p.created_at \
         FROM posts p JOIN units u ON u.id = p.unit_id WHERE p.id = $1")
        .bind(id).fetch_optional(c).await)?)
}

/// Posts of an organization, or of one unit.
pub async fn list_posts(
    ex: impl Into<Ex<'_>>,
    org: i64,
    unit: Option<i64>,
    f: &ListFilter,
    page: PageRequest,
) -> Result<(Vec<PostRow>, u64)> {
    let mut ex = ex.into();
    let pattern = f.pattern();
    let total: i64 = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts p WHERE p.organization_id = $1 AND ($2 IS NULL OR p.unit_id = $2) \
         AND p.name LIKE $3 ESCAPE '\\' AND ($4 OR NOT p.disabled)")
        .bind(org).bind(unit).bind(&pattern).bind(f.include_disabled).fetch_one(c).await)?;
    let rows = with_ex!(&mut ex, c => sqlx::query_as::<_, PostRow>(
        "SELECT p.id, p.organization_id, p.unit_id, u.name AS unit_name, p.name, p.disabled, p.created_at \
         FROM posts p JOIN units u ON u.id = p.unit_id WHERE p.organization_id = $1 AND ($2 IS NULL OR p.unit_id = $2) \
         AND p.name LIKE $3 ESCAPE '\\' AND ($4 OR NOT p.disabled) ORDER BY u.path, p.id LIMIT $5 OFFSET $6")
        .bind(org).bind(unit).bind(&pattern).bind(f.include_disabled).bind(page.limit()).bind(page.offset())
        .fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub async fn update_post(
    tx: &mut Tx,
    id: i64,
    name: &str,
    unit_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE posts SET name = $1, unit_id = $2, updated_at = $3 WHERE id = $4")
        .bind(name).bind(unit_id).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_post_disabled(
    tx: &mut Tx,
    id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE posts SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn organization_id_by_code(ex: impl Into<Ex<'_>>, code: &str) -> Result<Option<i64>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT id FROM organizations WHERE code = $1").bind(code).fetch_optional(c).await)?,
    )
}
