//! Rows of a closed past: what `domain::history` shapes, written as the record of months that
//! were planned, reviewed, published and closed (the demo's history). Each row is what the
//! use cases would have left; nothing here is read back differently from live data.

use chrono::{DateTime, Utc};

use crate::{Ex, Result, Tx};

/// The people who own tasks: `(person, unit)` of every person with a unit, in id order.
pub async fn owners(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<(i64, i64)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT id, unit_id FROM persons WHERE organization_id = $1 AND unit_id IS NOT NULL AND NOT disabled ORDER BY id")
        .bind(org).fetch_all(c).await)?)
}

/// A month arranged and closed at `at`.
pub async fn insert_closed_cycle(
    tx: &mut Tx,
    org: i64,
    month: &str,
    at: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO cycles (organization_id, month, phase, arranged_at, created_at, updated_at, closed_at) \
         VALUES ($1, $2, 'closed', $3, $3, $3, $3) RETURNING id")
        .bind(org).bind(month).bind(at).fetch_one(c).await)?)
}

/// Marks a task done on `day` (a signed-off task's completion day).
pub async fn set_completed_on(tx: &mut Tx, task: i64, day: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE tasks SET completed_on = $2, progress = 100 WHERE id = $1")
        .bind(task).bind(day).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A publication of the month's key items; returns its id.
pub async fn insert_publication(
    tx: &mut Tx,
    org: i64,
    month: &str,
    green: i32,
    red: i32,
    at: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO publications (organization_id, month, seq, note, green, yellow, red, published_at) \
         VALUES ($1, $2, 1, '', $3, 0, $4, $5) RETURNING id")
        .bind(org).bind(month).bind(green).bind(red).bind(at).fetch_one(c).await)?)
}

/// One published card of a task, as the publication copied it.
pub async fn insert_publication_card(
    tx: &mut Tx,
    publication: i64,
    task: i64,
    color: &str,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO publication_cards (publication_id, subject_kind, subject_id, unit_id, unit_name, title, color, reasons, progress, deadline) \
         SELECT $1, 'task', t.id, t.unit_id, u.name, t.title, $3, '[]', t.progress, t.deadline \
         FROM tasks t JOIN units u ON u.id = t.unit_id WHERE t.id = $2")
        .bind(publication).bind(task).bind(color).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The warning of a red card's owner.
pub async fn insert_warning(
    tx: &mut Tx,
    org: i64,
    publication: i64,
    task: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO warnings (organization_id, year, month, publication_id, subject_kind, subject_id, unit_id, person_id, as_role, title, issued_at) \
         SELECT t.organization_id, CAST(SUBSTR(t.month, 1, 4) AS INTEGER), t.month, $2, 'task', t.id, t.unit_id, t.owner_id, 'owner', t.title, $4 \
         FROM tasks t WHERE t.id = $3 AND t.owner_id IS NOT NULL AND t.organization_id = $1")
        .bind(org).bind(publication).bind(task).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Decides a history month's proposed cases as the discipline office did: `light` (sanction,
/// reasons) for a case at step `light_step`, `heavy` for the others.
pub async fn decide_cases(
    tx: &mut Tx,
    org: i64,
    month: &str,
    light_step: &str,
    light: (&str, &str),
    heavy: (&str, &str),
    at: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE accountability_cases SET status = 'decided', verification = '经核实', \
         sanction = CASE WHEN step = $3 THEN $4 ELSE $6 END, \
         reasons = CASE WHEN step = $3 THEN $5 ELSE $7 END, decided_at = $8 \
         WHERE organization_id = $1 AND month = $2 AND status = 'proposed'")
        .bind(org).bind(month).bind(light_step).bind(light.0).bind(light.1).bind(heavy.0).bind(heavy.1).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A case of the ladder as the discipline office left it.
#[allow(clippy::too_many_arguments)]
pub async fn insert_decided_case(
    tx: &mut Tx,
    task: i64,
    continuation: i64,
    step: &str,
    months: i32,
    sanction: &str,
    reasons: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO accountability_cases (organization_id, month, task_id, continuation_id, unit_id, person_id, step, months_unfinished, \
         status, verification, sanction, reasons, decided_at, created_at) \
         SELECT t.organization_id, t.month, t.id, $2, t.unit_id, t.owner_id, $3, $4, 'decided', '经核实', $5, $6, $7, $7 \
         FROM tasks t WHERE t.id = $1")
        .bind(task).bind(continuation).bind(step).bind(months).bind(sanction).bind(reasons).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
