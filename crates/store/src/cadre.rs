//! A person's record (干部实绩档案) by year: each query reads one person's rows through an
//! index on the person (tasks by owner and month, warnings, cases, awards).

use crate::{Ex, Result};

/// The person's tasks by year, status, on time and key work: `(year, status, on_time, key, n)`.
pub async fn task_counts(
    ex: impl Into<Ex<'_>>,
    person: i64,
) -> Result<Vec<(String, String, bool, bool, i64)>> {
    Ok(
        with_ex!(ex, c => sqlx::query_as::<_, (String, String, bool, bool, i64)>(
        "SELECT y, status, on_time, is_key_work, COUNT(*) FROM (SELECT SUBSTR(month, 1, 4) AS y, status, \
         (completed_on IS NOT NULL AND completed_on <= deadline) AS on_time, is_key_work \
         FROM tasks WHERE owner_id = $1) o GROUP BY y, status, on_time, is_key_work ORDER BY y")
        .bind(person).fetch_all(c).await)?,
    )
}

/// By year: highlights of the person's tasks, their red cards (those of each month's last
/// publication: the ones that count), the person's warnings, cases
/// decided with a sanction, stars, and the points of the ledger entries that name the person:
/// `(kind, year, n)`.
pub async fn event_counts(
    ex: impl Into<Ex<'_>> + Copy,
    person: i64,
) -> Result<Vec<(String, String, i64)>> {
    let queries = [
        "SELECT 'highlight', SUBSTR(h.month, 1, 4) AS y, COUNT(*) FROM highlights h JOIN tasks t ON t.id = h.task_id \
         WHERE t.owner_id = $1 GROUP BY y",
        "SELECT 'red_card', SUBSTR(b.month, 1, 4) AS y, COUNT(*) FROM tasks t \
         JOIN publication_cards pc ON pc.subject_kind = 'task' AND pc.subject_id = t.id \
         JOIN publications b ON b.id = pc.publication_id \
         WHERE t.owner_id = $1 AND pc.color = 'red' \
         AND b.seq = (SELECT MAX(b2.seq) FROM publications b2 WHERE b2.organization_id = b.organization_id AND b2.month = b.month) GROUP BY y",
        "SELECT 'warning', SUBSTR(month, 1, 4) AS y, COUNT(*) FROM warnings WHERE person_id = $1 GROUP BY y",
        "SELECT 'sanction', SUBSTR(month, 1, 4) AS y, COUNT(*) FROM accountability_cases \
         WHERE person_id = $1 AND status = 'decided' AND sanction <> 'none' GROUP BY y",
        "SELECT 'star', SUBSTR(month, 1, 4) AS y, COUNT(*) FROM awards WHERE kind = 'star_person' AND subject_id = $1 GROUP BY y",
        "SELECT 'points', SUBSTR(month, 1, 4) AS y, CAST(SUM(points) AS BIGINT) FROM score_entries WHERE person_id = $1 GROUP BY y",
    ];
    let mut out = Vec::new();
    for q in queries {
        out.extend(
            with_ex!(ex, c => sqlx::query_as::<_, (String, String, i64)>(q)
            .bind(person).fetch_all(c).await)?,
        );
    }
    Ok(out)
}

/// The person's score of each of their last `n` scored months, newest first.
pub async fn month_points(
    ex: impl Into<Ex<'_>>,
    person: i64,
    n: i64,
) -> Result<Vec<(String, i64)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (String, i64)>(
        "SELECT month, CAST(SUM(points) AS BIGINT) FROM score_entries WHERE person_id = $1 \
         GROUP BY month ORDER BY month DESC LIMIT $2")
        .bind(person).bind(n).fetch_all(c).await)?)
}
