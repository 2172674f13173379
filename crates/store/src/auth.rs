//! Server-side sessions, API tokens and the login throttle. Session ids and API tokens are
//! stored only as SHA-256 hashes, so a copy of the database opens no account.

use chrono::{DateTime, Utc};
use domain::throttle::ThrottleState;
use serde::Serialize;

use crate::{Ex, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub person_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn insert_session(
    tx: &mut Tx,
    id_hash: &str,
    person: i64,
    csrf: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO sessions (id, person_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)")
        .bind(id_hash).bind(person).bind(csrf).bind(now).bind(expires).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A live (unexpired) session.
pub async fn find_session(
    ex: impl Into<Ex<'_>>,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, SessionRow>(
        "SELECT id, person_id, csrf_token, created_at, expires_at, last_seen_at FROM sessions WHERE id = $1 AND expires_at > $2")
        .bind(id_hash).bind(now).fetch_optional(c).await)?)
}

pub async fn touch_session(
    tx: &mut Tx,
    id_hash: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
        .bind(now).bind(expires).bind(id_hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_session(tx: &mut Tx, id_hash: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id_hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a person except `keep` (after a password change or when disabled),
/// and every sign-in of theirs still waiting for its second factor.
pub async fn delete_sessions_of(tx: &mut Tx, person: i64, keep: Option<&str>) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id <> $2")
        .bind(person).bind(keep.unwrap_or("")).execute(c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query("DELETE FROM login_challenges WHERE person_id = $1")
        .bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn purge_expired_sessions(tx: &mut Tx, now: DateTime<Utc>) -> Result<u64> {
    Ok(
        with_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

// ---- API tokens ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const TOKEN_COLUMNS: &str = "id, person_id, name, created_at, expires_at, revoked_at";

pub async fn insert_token(
    tx: &mut Tx,
    person: i64,
    name: &str,
    hash: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<ApiTokenRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO api_tokens (person_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING {TOKEN_COLUMNS}"
    ));
    Ok(with_tx!(tx, c => sqlx::query_as::<_, ApiTokenRow>(sql)
        .bind(person).bind(name).bind(hash).bind(now).bind(expires_at).fetch_one(c).await)?)
}

/// The token and person behind a token that is neither revoked nor expired at `now`.
pub async fn find_token(
    ex: impl Into<Ex<'_>>,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, i64)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT id, person_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2)")
        .bind(hash).bind(now).fetch_optional(c).await)?)
}

/// A person's tokens, newest first.
pub async fn tokens_of(ex: impl Into<Ex<'_>>, person: i64) -> Result<Vec<ApiTokenRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE person_id = $1 ORDER BY id DESC"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, ApiTokenRow>(sql)
        .bind(person).fetch_all(c).await)?)
}

pub async fn get_token(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<ApiTokenRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, ApiTokenRow>(sql)
        .bind(id).fetch_optional(c).await)?)
}

/// Revokes one token; false when it was revoked already.
pub async fn revoke_token(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn revoke_tokens(
    tx: &mut Tx,
    person: i64,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(with_tx!(tx, c => sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR name = $3)")
        .bind(now).bind(person).bind(name).execute(c).await.map(|r| r.rows_affected()))?)
}

// ---- login throttle ----

#[derive(sqlx::FromRow)]
struct ThrottleRow {
    failures: i32,
    window_start: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

pub async fn get_throttle(ex: impl Into<Ex<'_>>, key: &str) -> Result<Option<ThrottleState>> {
    let row = with_ex!(ex, c => sqlx::query_as::<_, ThrottleRow>(
        "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1")
        .bind(key).fetch_optional(c).await)?;
    Ok(row.map(|r| ThrottleState {
        failures: u32::try_from(r.failures).unwrap_or(0),
        window_start: r.window_start,
        locked_until: r.locked_until,
    }))
}

pub async fn put_throttle(tx: &mut Tx, key: &str, s: &ThrottleState) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until")
        .bind(key).bind(i32::try_from(s.failures).unwrap_or(i32::MAX)).bind(s.window_start).bind(s.locked_until)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn clear_throttle(tx: &mut Tx, key: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets every failure counted against an account: from anywhere, and from each client.
pub async fn clear_account_throttle(tx: &mut Tx, username: &str) -> Result<u64> {
    let n = with_tx!(tx, c => sqlx::query("DELETE FROM login_throttle WHERE key = $1 OR key LIKE $2 ESCAPE '\\'")
        .bind(format!("user:{username}"))
        .bind(format!("user:{}@%", username.replace('%', "\\%").replace('_', "\\_")))
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Serializes sign-in bookkeeping for one key until the transaction ends, so that parallel
/// failures are all counted: an advisory lock on PostgreSQL; on SQLite the single writer
/// already serializes write transactions.
pub async fn lock_throttle_key(tx: &mut Tx, key: &str) -> Result<()> {
    if let Tx::Postgres(t, _) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(7202, hashtext($1))")
            .bind(key)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}
