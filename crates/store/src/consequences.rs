//! Consequences (四个结合): the versioned rule sets, the score ledger written at a month's
//! close (in batches, not a statement an entry), and the accountability ladder's cases.

use chrono::{DateTime, Utc};
use domain::page::PageRequest;
use serde::Serialize;

use crate::args::{Arg, Args};
use crate::{Ex, Result, Tx};

/// Rows a multi-row INSERT carries: well under both backends' limits on bound values.
const BATCH: usize = 500;

// ---- rule sets ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RuleSetRow {
    pub id: i64,
    pub year: i32,
    pub version: i32,
    /// `domain::consequences::RuleSet` as JSON.
    pub rules: String,
    pub created_by: Option<i64>,
    pub creator_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

const RULE_SET_SELECT: &str = "SELECT r.id, r.year, r.version, r.rules, r.created_by, p.display_name AS creator_name, r.created_at \
    FROM rule_sets r LEFT JOIN persons p ON p.id = r.created_by";

/// The newest version of an organization's rules for a year.
pub async fn rule_set(ex: impl Into<Ex<'_>>, org: i64, year: i32) -> Result<Option<RuleSetRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{RULE_SET_SELECT} WHERE r.organization_id = $1 AND r.year = $2 ORDER BY r.version DESC LIMIT 1"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, RuleSetRow>(sql)
        .bind(org).bind(year).fetch_optional(c).await)?)
}

pub async fn rule_set_by_id(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<RuleSetRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{RULE_SET_SELECT} WHERE r.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, RuleSetRow>(sql)
        .bind(id).fetch_optional(c).await)?)
}

/// Every version of a year's rules, newest first.
pub async fn rule_set_versions(
    ex: impl Into<Ex<'_>>,
    org: i64,
    year: i32,
) -> Result<Vec<RuleSetRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{RULE_SET_SELECT} WHERE r.organization_id = $1 AND r.year = $2 ORDER BY r.version DESC"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, RuleSetRow>(sql)
        .bind(org).bind(year).fetch_all(c).await)?)
}

/// Writes a new version of a year's rules; returns its id and version.
pub async fn insert_rule_set(
    tx: &mut Tx,
    org: i64,
    year: i32,
    rules: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, i32)> {
    Ok(with_tx!(tx, c => sqlx::query_as::<_, (i64, i32)>(
        "INSERT INTO rule_sets (organization_id, year, version, rules, created_by, created_at) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(version), 0) + 1 FROM rule_sets WHERE organization_id = $1 AND year = $2), $3, $4, $5) \
         RETURNING id, version")
        .bind(org).bind(year).bind(rules).bind(by).bind(now).fetch_one(c).await)?)
}

// ---- what a close knows of the month ----

/// `(event id, task, unit, owner)` of a task-related event.
pub type EventRow = (i64, i64, i64, Option<i64>);

/// The month's tasks left unsigned by the close (carried over), with the months in a row
/// they have stayed unfinished (their continuation's months overdue) and the continuation.
pub async fn unsigned_tasks(
    tx: &mut Tx,
    org: i64,
    month: &str,
) -> Result<Vec<(i64, i64, Option<i64>, Option<i64>, i32)>> {
    // Two reads joined here rather than a self-join on `carried_from_id`: that column is
    // empty for most tasks, and a planner that believes it unselective scans the table once
    // per unsigned task.
    let unsigned = with_tx!(tx, c => sqlx::query_as::<_, (i64, i64, Option<i64>, i32)>(
        "SELECT id, unit_id, owner_id, months_overdue FROM tasks \
         WHERE organization_id = $1 AND month = $2 AND status = 'carried_over' ORDER BY id")
        .bind(org).bind(month).fetch_all(c).await)?;
    // Continuations are made in the next month.
    let next = domain::plan::YearMonth::parse(month)
        .map(|m| m.next().to_string())
        .unwrap_or_default();
    let continuations: std::collections::HashMap<i64, (i64, i32)> =
        with_tx!(tx, c => sqlx::query_as::<_, (i64, i64, i32)>(
            "SELECT carried_from_id, id, months_overdue FROM tasks \
             WHERE organization_id = $1 AND month = $2 AND carried_from_id IS NOT NULL")
            .bind(org).bind(&next).fetch_all(c).await)?
        .into_iter()
        .map(|(from, id, months)| (from, (id, months)))
        .collect();
    Ok(unsigned
        .into_iter()
        .map(|(id, unit, owner, overdue)| match continuations.get(&id) {
            Some(&(next, months)) => (id, unit, owner, Some(next), months),
            None => (id, unit, owner, None, overdue + 1),
        })
        .collect())
}

/// The red cards that count for a month: the red task cards of its last publication (公示),
/// each with its task. A card nobody published costs nothing.
pub async fn red_task_cards(tx: &mut Tx, org: i64, month: &str) -> Result<Vec<EventRow>> {
    Ok(with_tx!(tx, c => sqlx::query_as::<_, EventRow>(
        "SELECT pc.id, t.id, t.unit_id, t.owner_id FROM publication_cards pc JOIN tasks t ON t.id = pc.subject_id \
         WHERE pc.publication_id = (SELECT b.id FROM publications b WHERE b.organization_id = $1 AND b.month = $2 ORDER BY b.seq DESC LIMIT 1) \
         AND pc.subject_kind = 'task' AND pc.color = 'red' ORDER BY pc.id")
        .bind(org).bind(month).fetch_all(c).await)?)
}

/// The month's highlights.
pub async fn month_highlights(tx: &mut Tx, org: i64, month: &str) -> Result<Vec<EventRow>> {
    Ok(with_tx!(tx, c => sqlx::query_as::<_, EventRow>(
        "SELECT h.id, t.id, t.unit_id, t.owner_id FROM highlights h JOIN tasks t ON t.id = h.task_id \
         WHERE h.organization_id = $1 AND h.month = $2 ORDER BY h.id")
        .bind(org).bind(month).fetch_all(c).await)?)
}

// ---- the ledger ----

/// One entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry<'a> {
    pub unit: i64,
    pub person: Option<i64>,
    pub rule: &'a str,
    pub points: i64,
    pub event_kind: &'a str,
    pub event_id: Option<i64>,
    pub task: Option<i64>,
}

pub async fn insert_entries(
    tx: &mut Tx,
    org: i64,
    month: &str,
    rule_set: Option<i64>,
    entries: &[NewEntry<'_>],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in entries.chunks(BATCH) {
        let mut a = Args::new();
        let (o, m, r, t) = (
            a.int(org),
            a.text(month),
            a.push(Arg::N(rule_set)),
            a.push(Arg::T(now)),
        );
        let rows: Vec<String> = chunk
            .iter()
            .map(|e| {
                format!(
                    "({o}, {m}, {}, {}, {}, {}, {}, {}, {}, {r}, {t})",
                    a.int(e.unit),
                    a.push(Arg::N(e.person)),
                    a.text(e.rule),
                    a.int(e.points),
                    a.text(e.event_kind),
                    a.push(Arg::N(e.event_id)),
                    a.push(Arg::N(e.task)),
                )
            })
            .collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO score_entries (organization_id, month, unit_id, person_id, rule, points, event_kind, event_id, task_id, rule_set_id, created_at) VALUES {}",
            rows.join(", ")
        ));
        with_tx!(tx, c => bind_args!(sqlx::query(sql), a).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A unit's month score: the sum of its entries, and whether its bonus is withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnitScoreRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub points: i64,
    pub deductions: i64,
    pub bonuses: i64,
    pub unsigned: i64,
    pub withheld: bool,
}

/// Every unit's score of a closed month, best first, a page at a time; and how many units.
pub async fn unit_scores(
    ex: impl Into<Ex<'_>> + Copy,
    org: i64,
    month: &str,
    withheld_only: bool,
    page: PageRequest,
) -> Result<(Vec<UnitScoreRow>, i64)> {
    let having = if withheld_only {
        "HAVING SUM(CASE WHEN e.rule = 'bonus_withheld' THEN 1 ELSE 0 END) > 0"
    } else {
        ""
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT e.unit_id, u.name AS unit_name, CAST(SUM(e.points) AS BIGINT) AS points, \
         CAST(SUM(CASE WHEN e.points < 0 THEN e.points ELSE 0 END) AS BIGINT) AS deductions, \
         CAST(SUM(CASE WHEN e.points > 0 AND e.rule <> 'month_points' THEN e.points ELSE 0 END) AS BIGINT) AS bonuses, \
         CAST(SUM(CASE WHEN e.rule = 'unsigned_task' THEN 1 ELSE 0 END) AS BIGINT) AS unsigned, \
         SUM(CASE WHEN e.rule = 'bonus_withheld' THEN 1 ELSE 0 END) > 0 AS withheld \
         FROM score_entries e JOIN units u ON u.id = e.unit_id \
         WHERE e.organization_id = $1 AND e.month = $2 GROUP BY e.unit_id, u.name {having} \
         ORDER BY points DESC, u.name, e.unit_id LIMIT $3 OFFSET $4"
    ));
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT e.unit_id FROM score_entries e \
         WHERE e.organization_id = $1 AND e.month = $2 GROUP BY e.unit_id {having}) s"
    ));
    let rows = with_ex!(ex, c => sqlx::query_as::<_, UnitScoreRow>(sql)
        .bind(org).bind(month).bind(page.limit()).bind(page.offset()).fetch_all(c).await)?;
    let total: i64 = with_ex!(ex, c => sqlx::query_scalar(count_sql)
        .bind(org).bind(month).fetch_one(c).await)?;
    Ok((rows, total))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub month: String,
    pub unit_id: i64,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub rule: String,
    pub points: i64,
    pub event_kind: String,
    pub event_id: Option<i64>,
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub rule_set_id: Option<i64>,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.month, e.unit_id, e.person_id, p.display_name AS person_name, e.rule, e.points, \
    e.event_kind, e.event_id, e.task_id, t.title AS task_title, e.rule_set_id FROM score_entries e \
    LEFT JOIN persons p ON p.id = e.person_id LEFT JOIN tasks t ON t.id = e.task_id";

/// One unit's entries of a month, in the order they were written.
pub async fn unit_entries(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    unit: i64,
) -> Result<Vec<EntryRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE e.organization_id = $1 AND e.month = $2 AND e.unit_id = $3 ORDER BY e.id"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, EntryRow>(sql)
        .bind(org).bind(month).bind(unit).fetch_all(c).await)?)
}

/// A unit's score of each closed month of a year, by month.
pub async fn unit_year(
    ex: impl Into<Ex<'_>>,
    org: i64,
    unit: i64,
    year: i32,
) -> Result<Vec<(String, i64)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (String, i64)>(
        "SELECT month, CAST(SUM(points) AS BIGINT) FROM score_entries WHERE organization_id = $1 AND unit_id = $2 \
         AND month >= $3 AND month <= $4 GROUP BY month ORDER BY month")
        .bind(org).bind(unit).bind(format!("{year}-01")).bind(format!("{year}-12")).fetch_all(c).await)?)
}

/// Whether the month has a ledger.
pub async fn month_scored(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<bool> {
    let n: i64 = with_ex!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM score_entries WHERE organization_id = $1 AND month = $2 LIMIT 1) s")
        .bind(org).bind(month).fetch_one(c).await)?;
    Ok(n > 0)
}

// ---- accountability cases ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase<'a> {
    pub task: i64,
    pub continuation: Option<i64>,
    pub unit: i64,
    pub person: Option<i64>,
    pub step: &'a str,
    pub months: i32,
    pub deadline: Option<String>,
}

pub async fn insert_cases(
    tx: &mut Tx,
    org: i64,
    month: &str,
    cases: &[NewCase<'_>],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in cases.chunks(BATCH) {
        let mut a = Args::new();
        let (o, m, t) = (a.int(org), a.text(month), a.push(Arg::T(now)));
        let rows: Vec<String> = chunk
            .iter()
            .map(|k| {
                let deadline = match &k.deadline {
                    Some(d) => a.text(d),
                    None => "CAST(NULL AS TEXT)".to_owned(),
                };
                format!(
                    "({o}, {m}, {}, {}, {}, {}, {}, {}, {deadline}, 'proposed', {t})",
                    a.int(k.task),
                    a.push(Arg::N(k.continuation)),
                    a.int(k.unit),
                    a.push(Arg::N(k.person)),
                    a.text(k.step),
                    a.int(i64::from(k.months)),
                )
            })
            .collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO accountability_cases (organization_id, month, task_id, continuation_id, unit_id, person_id, step, months_unfinished, deadline, status, created_at) VALUES {}",
            rows.join(", ")
        ));
        with_tx!(tx, c => bind_args!(sqlx::query(sql), a).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub organization_id: i64,
    pub month: String,
    pub task_id: i64,
    pub task_title: String,
    pub continuation_id: Option<i64>,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub step: String,
    pub months_unfinished: i32,
    pub deadline: Option<String>,
    pub status: String,
    pub verification: Option<String>,
    pub sanction: Option<String>,
    pub reasons: Option<String>,
    pub decided_by: Option<i64>,
    pub decider_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const CASE_SELECT: &str = "SELECT k.id, k.organization_id, k.month, k.task_id, t.title AS task_title, k.continuation_id, \
    k.unit_id, u.name AS unit_name, u.path AS unit_path, k.person_id, p.display_name AS person_name, k.step, k.months_unfinished, \
    k.deadline, k.status, k.verification, k.sanction, k.reasons, k.decided_by, d.display_name AS decider_name, k.decided_at, k.created_at \
    FROM accountability_cases k JOIN tasks t ON t.id = k.task_id JOIN units u ON u.id = k.unit_id \
    LEFT JOIN persons p ON p.id = k.person_id LEFT JOIN persons d ON d.id = k.decided_by";

pub async fn case(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<CaseRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{CASE_SELECT} WHERE k.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, CaseRow>(sql)
        .bind(id).fetch_optional(c).await)?)
}

/// Which cases a list may show: all of them (the discipline office, the director), or only
/// those of a person plus the non-confidential ones (rectification orders) of some units.
#[derive(Debug, Clone, Default)]
pub struct CaseScope {
    pub all: bool,
    pub person: Option<i64>,
    /// Unit paths whose open cases (and those of the units below) are visible; `None` for
    /// every unit's.
    pub open_paths: Option<Vec<String>>,
    pub open_steps: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub month: Option<String>,
    pub step: Option<String>,
    pub status: Option<String>,
}

/// Cases newest first, a page at a time, with the total.
pub async fn list_cases(
    ex: impl Into<Ex<'_>> + Copy,
    org: i64,
    scope: &CaseScope,
    f: &CaseFilter,
    page: PageRequest,
) -> Result<(Vec<CaseRow>, i64)> {
    let mut a = Args::new();
    let o = a.int(org);
    a.pred(format!("k.organization_id = {o}"));
    a.eq_text("k.month", f.month.as_deref());
    a.eq_text("k.step", f.step.as_deref());
    a.eq_text("k.status", f.status.as_deref());
    if !scope.all {
        let mut terms = Vec::new();
        if let Some(p) = scope.person {
            terms.push(format!("k.person_id = {}", a.int(p)));
        }
        if !scope.open_steps.is_empty() {
            let steps: Vec<String> = scope.open_steps.iter().map(|s| a.text(s)).collect();
            let mut t = format!("k.step IN ({})", steps.join(", "));
            if let Some(paths) = &scope.open_paths {
                if paths.is_empty() {
                    t = "FALSE".into();
                } else {
                    t = format!("({t} AND {})", a.under_paths_term("u.path", paths));
                }
            }
            terms.push(t);
        }
        if terms.is_empty() {
            terms.push("FALSE".into());
        }
        a.pred(format!("({})", terms.join(" OR ")));
    }
    let w = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM accountability_cases k JOIN units u ON u.id = k.unit_id WHERE {w}"
    ));
    let total: i64 =
        with_ex!(ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let (l, off) = (a.int(page.limit()), a.int(page.offset()));
    let sql = sqlx::AssertSqlSafe(format!(
        "{CASE_SELECT} WHERE {w} ORDER BY k.month DESC, k.id DESC LIMIT {l} OFFSET {off}"
    ));
    let rows =
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, CaseRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, total))
}

/// Records the discipline office's decision on a proposed case; false if it was decided.
#[allow(clippy::too_many_arguments)]
pub async fn decide_case(
    tx: &mut Tx,
    id: i64,
    verification: &str,
    sanction: &str,
    reasons: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE accountability_cases SET status = 'decided', verification = $2, sanction = $3, reasons = $4, decided_by = $5, decided_at = $6 \
         WHERE id = $1 AND status = 'proposed'")
        .bind(id).bind(verification).bind(sanction).bind(reasons).bind(by).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The newest month of an organization that has been closed.
pub async fn last_closed_month(ex: impl Into<Ex<'_>>, org: i64) -> Result<Option<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar::<_, Option<String>>(
        "SELECT MAX(month) FROM month_results WHERE organization_id = $1")
        .bind(org).fetch_one(c).await)?)
}

/// The last closed month of an organization between `from` and `to` (inclusive).
pub async fn last_closed_between(
    ex: impl Into<Ex<'_>>,
    org: i64,
    from: &str,
    to: &str,
) -> Result<Option<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar::<_, Option<String>>(
        "SELECT MAX(month) FROM month_results WHERE organization_id = $1 AND month >= $2 AND month <= $3")
        .bind(org).bind(from).bind(to).fetch_one(c).await)?)
}

// ---- awards ----

/// The ledger of a month counted by unit, person and rule: `(unit, person, rule, entries,
/// points)`. What the ranking needs of scores, highlights and red cards, in one query.
pub async fn ledger_counts(
    ex: impl Into<Ex<'_>>,
    org: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, Option<i64>, String, i64, i64)>> {
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, (i64, Option<i64>, String, i64, i64)>(
        "SELECT unit_id, person_id, rule, COUNT(*), CAST(SUM(points) AS BIGINT) FROM score_entries \
         WHERE organization_id = $1 AND month >= $2 AND month <= $3 GROUP BY unit_id, person_id, rule")
        .bind(org).bind(from).bind(to).fetch_all(c).await)?,
    )
}

/// The planned tasks of a run of months (both ends included) counted by owner, status and
/// whether done on time.
pub async fn owner_outcomes(
    ex: impl Into<Ex<'_>>,
    org: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, String, bool, i64)>> {
    outcomes_by(ex, org, from, to, "owner_id").await
}

/// The planned tasks of a run of months counted by unit, status and on time.
pub async fn unit_outcomes(
    ex: impl Into<Ex<'_>>,
    org: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, String, bool, i64)>> {
    outcomes_by(ex, org, from, to, "unit_id").await
}

async fn outcomes_by(
    ex: impl Into<Ex<'_>>,
    org: i64,
    from: &str,
    to: &str,
    key: &'static str,
) -> Result<Vec<(i64, String, bool, i64)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT k, status, on_time, COUNT(*) FROM (SELECT {key} AS k, status, \
         (completed_on IS NOT NULL AND completed_on <= deadline) AS on_time \
         FROM tasks WHERE organization_id = $1 AND month >= $2 AND month <= $3 AND {key} IS NOT NULL) o \
         GROUP BY k, status, on_time"
    ));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, (i64, String, bool, i64)>(sql)
        .bind(org).bind(from).bind(to).fetch_all(c).await)?,
    )
}

/// Names of persons (`persons`) or units by id.
pub async fn names(
    ex: impl Into<Ex<'_>>,
    persons: bool,
    ids: &[i64],
) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    a.in_int("id", ids);
    let sql = sqlx::AssertSqlSafe(if persons {
        format!("SELECT id, display_name FROM persons WHERE {}", a.where_())
    } else {
        format!("SELECT id, name FROM units WHERE {}", a.where_())
    });
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (i64, String)>(sql), a).fetch_all(c).await)?,
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AwardRow {
    pub id: i64,
    pub month: String,
    pub kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub citation: String,
    pub selected_by: Option<i64>,
    pub selector_name: Option<String>,
    pub selected_at: DateTime<Utc>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_award(
    tx: &mut Tx,
    org: i64,
    month: &str,
    kind: &str,
    subject: i64,
    citation: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO awards (organization_id, month, kind, subject_id, citation, selected_by, selected_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(org).bind(month).bind(kind).bind(subject).bind(citation).bind(by).bind(now)
        .fetch_one(c).await)?)
}

/// The month's awards (or a year's commendations, with `month` as `YYYY`), in the order chosen.
pub async fn list_awards(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<Vec<AwardRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, AwardRow>(
        "SELECT a.id, a.month, a.kind, a.subject_id, \
         COALESCE(CASE WHEN a.kind = 'star_unit' THEN u.name ELSE p.display_name END, '') AS subject_name, \
         a.citation, a.selected_by, s.display_name AS selector_name, a.selected_at FROM awards a \
         LEFT JOIN units u ON a.kind = 'star_unit' AND u.id = a.subject_id \
         LEFT JOIN persons p ON a.kind = 'star_person' AND p.id = a.subject_id \
         LEFT JOIN persons s ON s.id = a.selected_by \
         WHERE a.organization_id = $1 AND a.month = $2 ORDER BY a.month, a.id")
        .bind(org).bind(month).fetch_all(c).await)?)
}

/// The rule sets a month's entries were written with (`None` for the defaults).
pub async fn month_rule_sets(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
) -> Result<Vec<Option<i64>>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar::<_, Option<i64>>(
        "SELECT DISTINCT rule_set_id FROM score_entries WHERE organization_id = $1 AND month = $2")
        .bind(org).bind(month).fetch_all(c).await)?)
}

/// Removes a month's entries (before they are written again under new rules).
pub async fn delete_entries(tx: &mut Tx, org: i64, month: &str) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "DELETE FROM score_entries WHERE organization_id = $1 AND month = $2")
        .bind(org).bind(month).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Every unit's score summed over a year's closed months, best first, a page at a time:
/// `(unit, name, points, months scored)`, and how many units.
pub async fn year_scores(
    ex: impl Into<Ex<'_>> + Copy,
    org: i64,
    year: i32,
    page: PageRequest,
) -> Result<(Vec<(i64, String, i64, i64)>, i64)> {
    let (from, to) = (format!("{year}-01"), format!("{year}-12"));
    let rows = with_ex!(ex, c => sqlx::query_as::<_, (i64, String, i64, i64)>(
        "SELECT e.unit_id, u.name, CAST(SUM(e.points) AS BIGINT) AS points, COUNT(DISTINCT e.month) \
         FROM score_entries e JOIN units u ON u.id = e.unit_id \
         WHERE e.organization_id = $1 AND e.month >= $2 AND e.month <= $3 \
         GROUP BY e.unit_id, u.name ORDER BY points DESC, u.name, e.unit_id LIMIT $4 OFFSET $5")
        .bind(org).bind(&from).bind(&to).bind(page.limit()).bind(page.offset()).fetch_all(c).await)?;
    let total: i64 = with_ex!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT unit_id) FROM score_entries WHERE organization_id = $1 AND month >= $2 AND month <= $3")
        .bind(org).bind(&from).bind(&to).fetch_one(c).await)?;
    Ok((rows, total))
}
