//! Cards (红黄绿牌): an organization's thresholds, the live card of every planned task and key
//! project of a month with the supervisor's judgement, publications (公示: numbered snapshots
//! that the database refuses to change), warnings (警示) and the display screen's tokens.

use chrono::{DateTime, Utc};
use domain::cards::CardRules;
use domain::page::PageRequest;
use serde::Serialize;

use crate::args::{Arg, Args};
use crate::{Ex, Result, Tx};

// ---- rules ----

pub async fn card_rules(ex: impl Into<Ex<'_>>, org: i64) -> Result<Option<CardRules>> {
    let row: Option<(i32, i32, i32, i32, i32)> = with_ex!(ex, c => sqlx::query_as(
        "SELECT lag_yellow_points, lag_red_points, near_deadline_days, near_deadline_progress, stale_days FROM card_rules WHERE organization_id = $1")
        .bind(org).fetch_optional(c).await)?;
    Ok(row.map(|(a, b, c, d, e)| CardRules {
        lag_yellow_points: a.unsigned_abs(),
        lag_red_points: b.unsigned_abs(),
        near_deadline_days: c.unsigned_abs(),
        near_deadline_progress: d.unsigned_abs(),
        stale_days: e.unsigned_abs(),
    }))
}

pub async fn put_card_rules(
    tx: &mut Tx,
    org: i64,
    r: &CardRules,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = |v: u32| i32::try_from(v).unwrap_or(0);
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO card_rules (organization_id, lag_yellow_points, lag_red_points, near_deadline_days, near_deadline_progress, stale_days, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organization_id) DO UPDATE SET lag_yellow_points = excluded.lag_yellow_points, \
         lag_red_points = excluded.lag_red_points, near_deadline_days = excluded.near_deadline_days, \
         near_deadline_progress = excluded.near_deadline_progress, stale_days = excluded.stale_days, updated_at = excluded.updated_at")
        .bind(org).bind(n(r.lag_yellow_points)).bind(n(r.lag_red_points)).bind(n(r.near_deadline_days))
        .bind(n(r.near_deadline_progress)).bind(n(r.stale_days)).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- what the rules look at ----

/// The facts of a planned task that its card is computed from.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskFacts {
    pub id: i64,
    pub unit_id: i64,
    pub is_key: bool,
    pub deadline: String,
    pub progress: i32,
    pub last_progress_on: Option<String>,
    pub months_overdue: i32,
    pub status: String,
}

/// Planned tasks of a month with id after `after`, in id order (keyset batches, so that a
/// province's month is computed in bounded memory).
pub async fn task_facts_after(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    statuses: &[String],
    after: i64,
    limit: i64,
) -> Result<Vec<TaskFacts>> {
    let mut a = Args::new();
    a.eq_int("organization_id", Some(org));
    a.eq_text("month", Some(month));
    a.in_text("status", statuses);
    let p = a.int(after);
    a.pred(format!("id > {p}"));
    let lim = a.int(limit);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, unit_id, (is_key_work OR is_assigned) AS is_key, deadline, progress, last_progress_on, months_overdue, status \
         FROM tasks WHERE {} ORDER BY id LIMIT {lim}",
        a.where_()
    ));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_as::<_, TaskFacts>(sql), a).fetch_all(c).await)?)
}

// ---- cards ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CardRow {
    pub id: i64,
    pub organization_id: i64,
    pub month: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub is_key: bool,
    pub computed_color: String,
    /// The rules that fired with their figures, as JSON.
    pub reasons: String,
    pub computed_on: String,
    pub color: String,
    pub confirmed_as: Option<String>,
    pub confirmed_by: Option<i64>,
    pub confirmer_name: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub overridden: bool,
    pub override_reason: Option<String>,
    pub concern: bool,
    pub concern_note: Option<String>,
    pub updated_at: DateTime<Utc>,
}

const CARD_SELECT: &str = "SELECT c.id, c.organization_id, c.month, c.subject_kind, c.subject_id, c.unit_id, u.name AS unit_name, \
    COALESCE(t.title, k.name, '') AS title, c.is_key, c.computed_color, c.reasons, c.computed_on, c.color, c.confirmed_as, \
    c.confirmed_by, p.display_name AS confirmer_name, c.confirmed_at, c.overridden, c.override_reason, c.concern, c.concern_note, c.updated_at \
    FROM cards c JOIN units u ON u.id = c.unit_id \
    LEFT JOIN tasks t ON c.subject_kind = 'task' AND t.id = c.subject_id \
    LEFT JOIN key_projects k ON c.subject_kind = 'project' AND k.id = c.subject_id \
    LEFT JOIN persons p ON p.id = c.confirmed_by";

/// The stored state of a card that a recomputation must keep or compare with.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CardState {
    pub subject_id: i64,
    pub computed_color: String,
    pub reasons: String,
    pub computed_on: String,
    pub color: String,
    pub confirmed_as: Option<String>,
    pub overridden: bool,
    pub concern: bool,
    pub unit_id: i64,
    pub is_key: bool,
}

/// The stored cards of the subjects with ids `from..=to` (a batch of ids in order: a range
/// scan of the unique index, which both planners take whatever their statistics say).
pub async fn card_states(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    kind: &str,
    from: i64,
    to: i64,
) -> Result<Vec<CardState>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, CardState>(
        "SELECT subject_id, computed_color, reasons, computed_on, color, confirmed_as, overridden, concern, unit_id, is_key FROM cards \
         WHERE organization_id = $1 AND month = $2 AND subject_kind = $3 AND subject_id >= $4 AND subject_id <= $5 ORDER BY subject_id")
        .bind(org).bind(month).bind(kind).bind(from).bind(to).fetch_all(c).await)?)
}

/// Serializes the writers of one organization's month of cards (computing, judging,
/// publishing, closing) across servers: a transaction-scoped advisory lock on PostgreSQL; on
/// SQLite the single writer already does.
pub async fn lock_month(tx: &mut Tx, org: i64, month: &str) -> Result<()> {
    if let Tx::Postgres(t, _) = tx {
        let ym: i64 = month.replace('-', "").parse().unwrap_or(0);
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(org.wrapping_mul(1_000_000).wrapping_add(ym))
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// A card as the rules computed it, with what remains of the supervisor's judgement.
#[derive(Debug, Clone)]
pub struct CardWrite {
    pub subject_kind: &'static str,
    pub subject_id: i64,
    pub unit_id: i64,
    pub is_key: bool,
    pub computed_color: String,
    pub reasons: String,
    pub computed_on: String,
    pub color: String,
    /// `false` clears a confirmation that no longer stands.
    pub keep_confirmation: bool,
}

/// Writes computed cards (new ones inserted, changed ones updated) in multi-row statements,
/// then clears the confirmations that no longer stand.
pub async fn write_cards(
    tx: &mut Tx,
    org: i64,
    month: &str,
    cards: &[CardWrite],
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut n = 0;
    for chunk in cards.chunks(200) {
        let mut a = Args::new();
        let o = a.int(org);
        let m = a.text(month);
        let ts = a.push(Arg::T(now));
        let rows: Vec<String> = chunk
            .iter()
            .map(|w| {
                let vals = [
                    a.text(w.subject_kind),
                    a.int(w.subject_id),
                    a.int(w.unit_id),
                    a.push(Arg::B(w.is_key)),
                    a.text(&w.computed_color),
                    a.text(&w.reasons),
                    a.text(&w.computed_on),
                    a.text(&w.color),
                ];
                format!("({o}, {m}, {}, FALSE, FALSE, {ts})", vals.join(", "))
            })
            .collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO cards (organization_id, month, subject_kind, subject_id, unit_id, is_key, computed_color, reasons, computed_on, \
             color, overridden, concern, updated_at) VALUES {} \
             ON CONFLICT (organization_id, month, subject_kind, subject_id) DO UPDATE SET unit_id = excluded.unit_id, \
             is_key = excluded.is_key, computed_color = excluded.computed_color, reasons = excluded.reasons, \
             computed_on = excluded.computed_on, \
             color = CASE WHEN cards.overridden THEN cards.color ELSE excluded.color END, updated_at = excluded.updated_at",
            rows.join(", ")
        ));
        n += with_tx!(tx, c => bind_args!(sqlx::query(sql), a).execute(c).await.map(|r| r.rows_affected()))?;
        let lapsed: Vec<i64> = chunk
            .iter()
            .filter(|w| !w.keep_confirmation)
            .map(|w| w.subject_id)
            .collect();
        if let (false, Some(first)) = (lapsed.is_empty(), chunk.first()) {
            let mut cl = Args::new();
            cl.eq_int("organization_id", Some(org));
            cl.eq_text("month", Some(month));
            cl.eq_text("subject_kind", Some(first.subject_kind));
            cl.in_int("subject_id", &lapsed);
            let sql = sqlx::AssertSqlSafe(format!(
                "UPDATE cards SET confirmed_as = NULL, confirmed_by = NULL, confirmed_at = NULL WHERE {} AND NOT overridden \
                 AND confirmed_as <> computed_color",
                cl.where_()
            ));
            with_tx!(tx, c => bind_args!(sqlx::query(sql), cl).execute(c).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(n)
}

pub async fn get_card(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<CardRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{CARD_SELECT} WHERE c.id = $1"));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, CardRow>(sql).bind(id).fetch_optional(c).await)?)
}

pub async fn card_of(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    kind: &str,
    subject: i64,
) -> Result<Option<CardRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{CARD_SELECT} WHERE c.organization_id = $1 AND c.month = $2 AND c.subject_kind = $3 AND c.subject_id = $4"
    ));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, CardRow>(sql).bind(org).bind(month).bind(kind).bind(subject).fetch_optional(c).await)?,
    )
}

#[derive(Debug, Clone, Default)]
pub struct CardFilter {
    pub colors: Vec<String>,
    pub unit_id: Option<i64>,
    pub kind: Option<String>,
    pub key_only: bool,
    pub unconfirmed_only: bool,
    pub unit_paths: Option<Vec<String>>,
}

fn card_where(a: &mut Args, org: i64, month: &str, f: &CardFilter) {
    a.eq_int("c.organization_id", Some(org));
    a.eq_text("c.month", Some(month));
    a.in_text("c.color", &f.colors);
    a.eq_int("c.unit_id", f.unit_id);
    a.eq_text("c.subject_kind", f.kind.as_deref());
    if f.key_only {
        a.pred("c.is_key");
    }
    if f.unconfirmed_only {
        a.pred("c.confirmed_as IS NULL AND NOT c.overridden");
    }
    if let Some(paths) = &f.unit_paths {
        a.under_paths("u.path", paths);
    }
}

/// A month's cards, worst first, then by unit.
pub async fn list_cards(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    f: &CardFilter,
    page: PageRequest,
) -> Result<(Vec<CardRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let mut a = Args::new();
    card_where(&mut a, org, month, f);
    let where_ = a.where_();
    // The units are joined only when the scope filters on their paths.
    let count_sql = sqlx::AssertSqlSafe(if f.unit_paths.is_some() {
        format!("SELECT COUNT(*) FROM cards c JOIN units u ON u.id = c.unit_id WHERE {where_}")
    } else {
        format!("SELECT COUNT(*) FROM cards c WHERE {where_}")
    });
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{CARD_SELECT} WHERE {where_} ORDER BY (CASE c.color WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END), c.unit_id, c.id \
         LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, CardRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Counts of a month's cards by unit and colour (units by name).
pub async fn card_counts(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    f: &CardFilter,
) -> Result<Vec<(i64, String, String, i64)>> {
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    card_where(&mut a, org, month, f);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT c.unit_id, u.name, c.color, COUNT(*) FROM cards c JOIN units u ON u.id = c.unit_id WHERE {} \
         GROUP BY c.unit_id, u.name, u.path, c.color ORDER BY u.path, c.color",
        a.where_()
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (i64, String, String, i64)>(sql), a).fetch_all(c).await)?,
    )
}

/// The supervisor's judgement: confirm (`overridden = false`, colour as computed) or override.
#[allow(clippy::too_many_arguments)]
pub async fn judge_card(
    tx: &mut Tx,
    id: i64,
    color: &str,
    confirmed_as: &str,
    overridden: bool,
    reason: Option<&str>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE cards SET color = $1, confirmed_as = $2, overridden = $3, override_reason = $4, confirmed_by = $5, confirmed_at = $6, \
         updated_at = $6 WHERE id = $7")
        .bind(color).bind(confirmed_as).bind(overridden).bind(reason).bind(by).bind(now).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Confirms as computed every card of a month in the filter that is not yet judged.
pub async fn confirm_all(
    tx: &mut Tx,
    org: i64,
    month: &str,
    key_only: bool,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "UPDATE cards SET confirmed_as = computed_color, color = computed_color, confirmed_by = $1, confirmed_at = $2, updated_at = $2 \
         WHERE organization_id = $3 AND month = $4 AND confirmed_as IS NULL AND NOT overridden AND ($5 = FALSE OR is_key)")
        .bind(by).bind(now).bind(org).bind(month).bind(key_only)
        .execute(c).await.map(|r| r.rows_affected()))?)
}

pub async fn set_concern(
    tx: &mut Tx,
    id: i64,
    concern: bool,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE cards SET concern = $1, concern_note = $2, updated_at = $3 WHERE id = $4")
        .bind(concern).bind(note).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Key cards of a month that no supervisor has judged yet.
pub async fn unjudged_key_cards(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<i64> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM cards WHERE organization_id = $1 AND month = $2 AND is_key AND confirmed_as IS NULL AND NOT overridden")
        .bind(org).bind(month).fetch_one(c).await)?)
}

// ---- publications ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PublicationRow {
    pub id: i64,
    pub organization_id: i64,
    pub month: String,
    pub seq: i32,
    pub note: String,
    pub green: i32,
    pub yellow: i32,
    pub red: i32,
    pub published_by: Option<i64>,
    pub publisher_name: Option<String>,
    pub published_at: DateTime<Utc>,
}

const PUB_SELECT: &str = "SELECT b.id, b.organization_id, b.month, b.seq, b.note, b.green, b.yellow, b.red, b.published_by, \
    p.display_name AS publisher_name, b.published_at FROM publications b LEFT JOIN persons p ON p.id = b.published_by";

/// Writes a publication: the month's key cards copied as they stand, in one statement.
/// Returns its id and number.
pub async fn publish(
    tx: &mut Tx,
    org: i64,
    month: &str,
    note: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, i32)> {
    let seq: i32 = with_tx!(tx, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS INTEGER) FROM publications WHERE organization_id = $1 AND month = $2")
        .bind(org).bind(month).fetch_one(c).await)?;
    let counts: Vec<(String, i64)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT color, COUNT(*) FROM cards WHERE organization_id = $1 AND month = $2 AND is_key GROUP BY color")
        .bind(org).bind(month).fetch_all(c).await)?;
    let count = |col: &str| {
        counts
            .iter()
            .find(|(c, _)| c == col)
            .map_or(0, |(_, n)| i32::try_from(*n).unwrap_or(i32::MAX))
    };
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO publications (organization_id, month, seq, note, green, yellow, red, published_by, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(org).bind(month).bind(seq).bind(note).bind(count("green")).bind(count("yellow")).bind(count("red")).bind(by).bind(now)
        .fetch_one(c).await)?;
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO publication_cards (publication_id, subject_kind, subject_id, unit_id, unit_name, title, color, reasons, \
         override_reason, progress, deadline) \
         SELECT $1, c.subject_kind, c.subject_id, c.unit_id, u.name, COALESCE(t.title, k.name, ''), c.color, c.reasons, \
         CASE WHEN c.overridden THEN c.override_reason END, COALESCE(t.progress, k.progress, 0), COALESCE(t.deadline, k.end_on, '') \
         FROM cards c JOIN units u ON u.id = c.unit_id \
         LEFT JOIN tasks t ON c.subject_kind = 'task' AND t.id = c.subject_id \
         LEFT JOIN key_projects k ON c.subject_kind = 'project' AND k.id = c.subject_id \
         WHERE c.organization_id = $2 AND c.month = $3 AND c.is_key ORDER BY c.id")
        .bind(id).bind(org).bind(month).execute(c).await.map(|r| r.rows_affected()))?;
    Ok((id, seq))
}

pub async fn get_publication(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<PublicationRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{PUB_SELECT} WHERE b.id = $1"));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, PublicationRow>(sql).bind(id).fetch_optional(c).await)?,
    )
}

/// The newest publication of an organization: of its latest month, the last numbered.
pub async fn latest_publication(ex: impl Into<Ex<'_>>, org: i64) -> Result<Option<PublicationRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PUB_SELECT} WHERE b.organization_id = $1 ORDER BY b.month DESC, b.seq DESC LIMIT 1"
    ));
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, PublicationRow>(sql).bind(org).fetch_optional(c).await)?,
    )
}

pub async fn list_publications(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: Option<&str>,
    page: PageRequest,
) -> Result<(Vec<PublicationRow>, u64)> {
    let mut ex = ex.into();
    let mut a = Args::new();
    a.eq_int("b.organization_id", Some(org));
    a.eq_text("b.month", month);
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM publications b WHERE {where_}"
    ));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "{PUB_SELECT} WHERE {where_} ORDER BY b.month DESC, b.seq DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, PublicationRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PublishedCard {
    pub id: i64,
    pub publication_id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub color: String,
    pub reasons: String,
    /// Why a supervisor set this colour instead of the computed one.
    pub override_reason: Option<String>,
    pub progress: i32,
    pub deadline: String,
}

/// A publication's cards (optionally of some colours or one kind), worst first.
pub async fn published_cards(
    ex: impl Into<Ex<'_>>,
    publication: i64,
    colors: &[String],
    kind: Option<&str>,
    page: PageRequest,
) -> Result<(Vec<PublishedCard>, u64)> {
    let mut ex = ex.into();
    let mut a = Args::new();
    a.eq_int("publication_id", Some(publication));
    a.in_text("color", colors);
    a.eq_text("subject_kind", kind);
    let where_ = a.where_();
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM publication_cards WHERE {where_}"
    ));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, publication_id, subject_kind, subject_id, unit_id, unit_name, title, color, reasons, override_reason, progress, deadline \
         FROM publication_cards WHERE {where_} ORDER BY CASE color WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, unit_id, id \
         LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, PublishedCard>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// A publication's counts by unit and colour.
pub async fn published_counts(
    ex: impl Into<Ex<'_>>,
    publication: i64,
) -> Result<Vec<(i64, String, String, i64)>> {
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, (i64, String, String, i64)>(
        "SELECT unit_id, unit_name, color, COUNT(*) FROM publication_cards WHERE publication_id = $1 \
         GROUP BY unit_id, unit_name, color ORDER BY unit_id, color")
        .bind(publication).fetch_all(c).await)?,
    )
}

// ---- warnings ----

/// Issues the warnings of a publication's red cards: one per person (the task's owner and its
/// leader in charge; a key project's leader), once per subject and month. Returns how many
/// were issued now.
pub async fn issue_warnings(
    tx: &mut Tx,
    org: i64,
    year: i32,
    month: &str,
    publication: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut n = 0;
    for (role, join) in [
        (
            "owner",
            "JOIN tasks t ON pc.subject_kind = 'task' AND t.id = pc.subject_id AND t.owner_id IS NOT NULL",
        ),
        (
            "leader",
            "JOIN tasks t ON pc.subject_kind = 'task' AND t.id = pc.subject_id AND t.leader_id IS NOT NULL",
        ),
        (
            "leader",
            "JOIN key_projects t ON pc.subject_kind = 'project' AND t.id = pc.subject_id AND t.leader_id IS NOT NULL",
        ),
    ] {
        let person = if role == "owner" {
            "t.owner_id"
        } else {
            "t.leader_id"
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO warnings (organization_id, year, month, publication_id, subject_kind, subject_id, unit_id, person_id, as_role, title, issued_at) \
             SELECT $1, $2, $3, pc.publication_id, pc.subject_kind, pc.subject_id, pc.unit_id, {person}, $4, pc.title, $5 \
             FROM publication_cards pc {join} WHERE pc.publication_id = $6 AND pc.color = 'red' \
             ON CONFLICT (organization_id, month, subject_kind, subject_id, person_id) DO NOTHING"
        ));
        n += with_tx!(tx, c => sqlx::query(sql).bind(org).bind(year).bind(month).bind(role).bind(now).bind(publication)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(n)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WarningRow {
    pub id: i64,
    pub organization_id: i64,
    pub year: i32,
    pub month: String,
    pub publication_id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub person_id: i64,
    pub person_name: String,
    pub as_role: String,
    pub title: String,
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct WarningFilter {
    pub year: Option<i32>,
    /// Only the warnings one publication issued.
    pub publication_id: Option<i64>,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub unit_paths: Option<Vec<String>>,
}

fn warning_where(a: &mut Args, org: i64, f: &WarningFilter) {
    a.eq_int("w.organization_id", Some(org));
    a.eq_int("w.year", f.year.map(i64::from));
    a.eq_int("w.publication_id", f.publication_id);
    a.eq_int("w.person_id", f.person_id);
    a.eq_int("w.unit_id", f.unit_id);
    if let Some(paths) = &f.unit_paths {
        a.under_paths("u.path", paths);
    }
}

pub async fn list_warnings(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &WarningFilter,
    page: PageRequest,
) -> Result<(Vec<WarningRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let mut a = Args::new();
    warning_where(&mut a, org, f);
    let where_ = a.where_();
    let from =
        "FROM warnings w JOIN units u ON u.id = w.unit_id JOIN persons p ON p.id = w.person_id";
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from} WHERE {where_}"));
    let total: i64 =
        with_ex!(&mut ex, c => bind_args!(sqlx::query_scalar(count_sql), a).fetch_one(c).await)?;
    let lim = a.int(page.limit());
    let off = a.int(page.offset());
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT w.id, w.organization_id, w.year, w.month, w.publication_id, w.subject_kind, w.subject_id, w.unit_id, u.name AS unit_name, \
         w.person_id, p.display_name AS person_name, w.as_role, w.title, w.issued_at {from} WHERE {where_} ORDER BY w.month DESC, w.id DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, WarningRow>(sql), a).fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Warnings (人次) counted by unit and by person for a filter: (id, name, count), most first.
pub async fn warning_counts(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &WarningFilter,
) -> Result<(Vec<(i64, String, i64)>, Vec<(i64, String, i64)>)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], vec![]));
    }
    let mut a = Args::new();
    warning_where(&mut a, org, f);
    let where_ = a.where_();
    let by_unit = sqlx::AssertSqlSafe(format!(
        "SELECT w.unit_id, u.name, COUNT(*) FROM warnings w JOIN units u ON u.id = w.unit_id WHERE {where_} \
         GROUP BY w.unit_id, u.name ORDER BY COUNT(*) DESC, w.unit_id LIMIT 200"
    ));
    let units = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, (i64, String, i64)>(by_unit), a).fetch_all(c).await)?;
    let by_person = sqlx::AssertSqlSafe(format!(
        "SELECT w.person_id, p.display_name, COUNT(*) FROM warnings w JOIN units u ON u.id = w.unit_id JOIN persons p ON p.id = w.person_id \
         WHERE {where_} GROUP BY w.person_id, p.display_name ORDER BY COUNT(*) DESC, w.person_id LIMIT 200"
    ));
    let people = with_ex!(&mut ex, c => bind_args!(sqlx::query_as::<_, (i64, String, i64)>(by_person), a).fetch_all(c).await)?;
    Ok((units, people))
}

// ---- display tokens ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DisplayTokenRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_display_token(
    tx: &mut Tx,
    org: i64,
    name: &str,
    hash: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO display_tokens (organization_id, name, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(org).bind(name).bind(hash).bind(by).bind(now).fetch_one(c).await)?)
}

pub async fn display_tokens(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<DisplayTokenRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, DisplayTokenRow>(
        "SELECT id, organization_id, name, created_at, revoked_at FROM display_tokens WHERE organization_id = $1 ORDER BY id DESC LIMIT 200")
        .bind(org).fetch_all(c).await)?)
}

pub async fn get_display_token(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<DisplayTokenRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, DisplayTokenRow>(
        "SELECT id, organization_id, name, created_at, revoked_at FROM display_tokens WHERE id = $1")
        .bind(id).fetch_optional(c).await)?)
}

/// The organization a live (not revoked) display token opens.
pub async fn display_token_org(ex: impl Into<Ex<'_>>, hash: &str) -> Result<Option<i64>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT organization_id FROM display_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(hash).fetch_optional(c).await)?)
}

pub async fn revoke_display_token(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE display_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- the month's refresh marker ----

/// The day a month's cards were last brought up to date.
pub async fn cards_computed_on(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
) -> Result<Option<String>> {
    let v: Option<Option<String>> = with_ex!(ex, c => sqlx::query_scalar(
        "SELECT cards_computed_on FROM cycles WHERE organization_id = $1 AND month = $2")
        .bind(org).bind(month).fetch_optional(c).await)?;
    Ok(v.flatten())
}

/// Claims the day's computation of a month's cards: true for the one caller (on any server)
/// that moved the marker to `on`.
pub async fn claim_cards_day(tx: &mut Tx, org: i64, month: &str, on: &str) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE cycles SET cards_computed_on = $1 WHERE organization_id = $2 AND month = $3 \
         AND (cards_computed_on IS NULL OR cards_computed_on <> $1)")
        .bind(on).bind(org).bind(month).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many tasks of a month are in the plan (to decide whether its cards are computed in
/// the request or in the background).
pub async fn planned_count(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    planned: &[String],
) -> Result<i64> {
    let mut a = Args::new();
    a.eq_int("organization_id", Some(org));
    a.eq_text("month", Some(month));
    a.in_text("status", planned);
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM tasks WHERE {}", a.where_()));
    Ok(with_ex!(ex, c => bind_args!(sqlx::query_scalar(sql), a).fetch_one(c).await)?)
}

pub async fn set_cards_computed_on(tx: &mut Tx, org: i64, month: &str, on: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE cycles SET cards_computed_on = $1 WHERE organization_id = $2 AND month = $3")
        .bind(on).bind(org).bind(month).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes one card (its subject left the plan).
pub async fn delete_card(
    tx: &mut Tx,
    org: i64,
    month: &str,
    kind: &str,
    subject: i64,
) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "DELETE FROM cards WHERE organization_id = $1 AND month = $2 AND subject_kind = $3 AND subject_id = $4")
        .bind(org).bind(month).bind(kind).bind(subject).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Marks every open month's cards of an organization for computing again (the thresholds
/// changed).
pub async fn invalidate_cards(tx: &mut Tx, org: i64) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "UPDATE cycles SET cards_computed_on = NULL WHERE organization_id = $1 AND phase <> 'closed'")
        .bind(org).execute(c).await.map(|r| r.rows_affected()))?)
}

/// The open findings that count against one task's or project's card.
pub async fn open_findings_of(
    ex: impl Into<Ex<'_>>,
    subject: crate::supervision::FindingSubject,
    id: i64,
) -> Result<i64> {
    let col = match subject {
        crate::supervision::FindingSubject::Task => "f.task_id",
        crate::supervision::FindingSubject::Project => "f.key_project_id",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM findings f JOIN inspections i ON i.id = f.inspection_id \
         WHERE {col} = $1 AND f.status = 'open' AND {}",
        crate::supervision::FINDING_VISIBLE
    ));
    Ok(with_ex!(ex, c => sqlx::query_scalar(sql).bind(id).fetch_one(c).await)?)
}

/// Removes the cards of a month's tasks that left the plan (withdrawn by a change request)
/// and of key projects suspended.
pub async fn drop_cards_outside_plan(
    tx: &mut Tx,
    org: i64,
    month: &str,
    planned: &[String],
) -> Result<u64> {
    let mut a = Args::new();
    let o = a.int(org);
    let m = a.text(month);
    let mut inner = vec![format!("t.organization_id = {o}"), format!("t.month = {m}")];
    let ps: Vec<String> = planned.iter().map(|s| a.text(s)).collect();
    if !ps.is_empty() {
        inner.push(format!("t.status NOT IN ({})", ps.join(", ")));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "DELETE FROM cards WHERE organization_id = {o} AND month = {m} AND ((subject_kind = 'task' AND subject_id IN \
         (SELECT t.id FROM tasks t WHERE {})) OR (subject_kind = 'project' AND subject_id IN \
         (SELECT k.id FROM key_projects k WHERE k.organization_id = {o} AND k.status = 'suspended')))",
        inner.join(" AND ")
    ));
    Ok(
        with_tx!(tx, c => bind_args!(sqlx::query(sql), a).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// The colors of a month's cards of some subjects of one kind, by subject id (one query).
pub async fn colors_of(
    ex: impl Into<Ex<'_>>,
    org: i64,
    month: &str,
    kind: &str,
    subjects: &[i64],
) -> Result<Vec<(i64, String)>> {
    if subjects.is_empty() {
        return Ok(vec![]);
    }
    let mut a = Args::new();
    a.eq_int("organization_id", Some(org));
    a.eq_text("month", Some(month));
    a.eq_text("subject_kind", Some(kind));
    a.in_int("subject_id", subjects);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT subject_id, color FROM cards WHERE {}",
        a.where_()
    ));
    Ok(
        with_ex!(ex, c => bind_args!(sqlx::query_as::<_, (i64, String)>(sql), a).fetch_all(c).await)?,
    )
}
