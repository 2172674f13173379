//! Statistics (统计): tasks counted by month and status, published items, warnings and the
//! persons held accountable, over a run of months, for one or several organizations (a city
//! with its zones) and optionally one unit, leader or person. Every filter is a predicate only
//! when it is set, so that the planner can use the index that fits it.

use crate::args::Args;
use crate::{Ex, Result};

/// What a statistics query is about.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub orgs: Vec<i64>,
    pub from: String,
    pub to: String,
    pub unit: Option<i64>,
    pub leader: Option<i64>,
    pub person: Option<i64>,
}

fn base(a: &mut Args, s: &Scope, alias: &str) {
    a.in_int(&format!("{alias}organization_id"), &s.orgs);
    let (f, t) = (a.text(&s.from), a.text(&s.to));
    a.pred(format!("{alias}month >= {f} AND {alias}month <= {t}"));
}

/// Tasks by month and status.
pub async fn task_counts(ex: impl Into<Ex<'_>>, s: &Scope) -> Result<Vec<(String, String, i64)>> {
    let mut a = Args::new();
    base(&mut a, s, "");
    a.eq_int("unit_id", s.unit);
    a.eq_int("leader_id", s.leader);
    a.eq_int("owner_id", s.person);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT month, status, COUNT(*) FROM tasks WHERE {} GROUP BY month, status ORDER BY month",
        a.where_()
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (String, String, i64)>(sql), a).fetch_all(c).await)?,
    )
}

/// The publication items in scope: a unit's, or a leader's or person's tasks.
fn publication_filter(a: &mut Args, s: &Scope) -> &'static str {
    a.eq_int("pc.unit_id", s.unit);
    a.eq_int("t.leader_id", s.leader);
    a.eq_int("t.owner_id", s.person);
    if s.leader.is_some() || s.person.is_some() {
        "JOIN tasks t ON pc.subject_kind = 'task' AND t.id = pc.subject_id"
    } else {
        ""
    }
}

/// Distinct items published with a card, month by month, and over the whole period.
pub async fn published_counts(
    ex: impl Into<Ex<'_>> + Copy,
    s: &Scope,
) -> Result<(Vec<(String, i64)>, i64)> {
    let mut a = Args::new();
    base(&mut a, s, "p.");
    let join = publication_filter(&mut a, s);
    let from = format!(
        "FROM publication_cards pc JOIN publications p ON p.id = pc.publication_id {join} WHERE {}",
        a.where_()
    );
    let by_month = sqlx::AssertSqlSafe(format!(
        "SELECT month, COUNT(*) FROM (SELECT DISTINCT p.month, pc.subject_kind, pc.subject_id {from}) d GROUP BY month"
    ));
    let total = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT DISTINCT pc.subject_kind, pc.subject_id {from}) d"
    ));
    let rows = with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (String, i64)>(by_month), a).fetch_all(c).await)?;
    let n: i64 = with_ex!(ex, c => bind_args!(sqlx::query_scalar(total), a).fetch_one(c).await)?;
    Ok((rows, n))
}

/// Warnings issued, by month.
pub async fn warning_counts(ex: impl Into<Ex<'_>>, s: &Scope) -> Result<Vec<(String, i64)>> {
    let mut a = Args::new();
    base(&mut a, s, "");
    a.eq_int("unit_id", s.unit);
    a.eq_int("person_id", s.person.or(s.leader));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT month, COUNT(*) FROM warnings WHERE {} GROUP BY month",
        a.where_()
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (String, i64)>(sql), a).fetch_all(c).await)?,
    )
}

/// Distinct persons held accountable: a decided case with a sanction.
pub async fn accountable_count(ex: impl Into<Ex<'_>>, s: &Scope) -> Result<i64> {
    let mut a = Args::new();
    base(&mut a, s, "k.");
    a.eq_int("k.unit_id", s.unit);
    a.eq_int("k.person_id", s.person);
    a.eq_int("t.leader_id", s.leader);
    let join = if s.leader.is_some() {
        "JOIN tasks t ON t.id = k.task_id"
    } else {
        ""
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(DISTINCT k.person_id) FROM accountability_cases k {join} WHERE {} \
         AND k.status = 'decided' AND k.sanction <> 'none'",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_scalar(sql), a).fetch_one(c).await)?)
}

/// Tasks by unit (or, with `by_org`, by organization) and status over the period, for the
/// comparison between units or zones.
pub async fn task_counts_by(
    ex: impl Into<Ex<'_>>,
    s: &Scope,
    by_org: bool,
) -> Result<Vec<(i64, String, i64)>> {
    let mut a = Args::new();
    base(&mut a, s, "");
    a.eq_int("unit_id", s.unit);
    a.eq_int("leader_id", s.leader);
    a.eq_int("owner_id", s.person);
    let key = if by_org { "organization_id" } else { "unit_id" };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {key}, status, COUNT(*) FROM tasks WHERE {} GROUP BY {key}, status",
        a.where_()
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (i64, String, i64)>(sql), a).fetch_all(c).await)?,
    )
}

/// Names of organizations by id.
pub async fn organization_names(ex: impl Into<Ex<'_>>, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    a.in_int("id", ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, name FROM organizations WHERE {}",
        a.where_()
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (i64, String)>(sql), a).fetch_all(c).await)?,
    )
}
