//! Two-factor sign-in: each person's sealed TOTP secret, their hashed recovery codes, the
//! roles an organization requires it of, and the sign-in challenges between the password and
//! the code (stored, like sessions, only as the SHA-256 of their id).

use chrono::{DateTime, Utc};

use crate::{Ex, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpRow {
    pub person_id: i64,
    /// Sealed under the server's key (`domain::totp::TotpSecret::seal`).
    pub secret: String,
    /// When enrolment was confirmed with a code; `None` while it is only begun.
    pub enabled_at: Option<DateTime<Utc>>,
    pub last_step: Option<i64>,
    pub created_at: DateTime<Utc>,
}

pub async fn get(ex: impl Into<Ex<'_>>, person: i64) -> Result<Option<TotpRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, TotpRow>(
        "SELECT person_id, secret, enabled_at, last_step, created_at FROM person_totp WHERE person_id = $1")
        .bind(person).fetch_optional(c).await)?)
}

/// Begins (or begins again) an enrolment with a new secret, not yet confirmed.
pub async fn begin(tx: &mut Tx, person: i64, sealed: &str, now: DateTime<Utc>) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO person_totp (person_id, secret, enabled_at, last_step, created_at) VALUES ($1, $2, NULL, NULL, $3) \
         ON CONFLICT (person_id) DO UPDATE SET secret = excluded.secret, enabled_at = NULL, last_step = NULL, created_at = excluded.created_at")
        .bind(person).bind(sealed).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Confirms the enrolment begun with the secret `sealed` (the one the code was checked
/// against); false if there is none, or it was begun again with another secret.
pub async fn enable(
    tx: &mut Tx,
    person: i64,
    sealed: &str,
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE person_totp SET enabled_at = $1, last_step = $2 WHERE person_id = $3 AND enabled_at IS NULL AND secret = $4")
        .bind(now).bind(step).bind(person).bind(sealed).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Records the step of a code just accepted; false if that step (or a later one) was used
/// already, by a request that got there first.
pub async fn use_step(tx: &mut Tx, person: i64, step: i64) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE person_totp SET last_step = $1 WHERE person_id = $2 AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < $1)")
        .bind(step).bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Removes a person's second factor and recovery codes; false if they had none.
pub async fn remove(tx: &mut Tx, person: i64) -> Result<bool> {
    with_tx!(tx, c => sqlx::query("DELETE FROM totp_recovery_codes WHERE person_id = $1")
        .bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    let n = with_tx!(tx, c => sqlx::query("DELETE FROM person_totp WHERE person_id = $1")
        .bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Replaces a person's recovery codes with these hashes.
pub async fn set_recovery_codes(tx: &mut Tx, person: i64, hashes: &[String]) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM totp_recovery_codes WHERE person_id = $1")
        .bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    for h in hashes {
        with_tx!(tx, c => sqlx::query("INSERT INTO totp_recovery_codes (person_id, code_hash, used_at) VALUES ($1, $2, NULL)")
            .bind(person).bind(h).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Uses one unused recovery code; false if it is not one of the person's or was used.
pub async fn use_recovery_code(
    tx: &mut Tx,
    person: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE totp_recovery_codes SET used_at = $1 WHERE person_id = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(now).bind(person).bind(hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Recovery codes not used yet.
pub async fn recovery_codes_left(ex: impl Into<Ex<'_>>, person: i64) -> Result<i64> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM totp_recovery_codes WHERE person_id = $1 AND used_at IS NULL")
        .bind(person).fetch_one(c).await)?)
}

// ---- the roles that must use it ----

pub async fn required_roles(ex: impl Into<Ex<'_>>, org: i64) -> Result<Vec<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT role FROM totp_required_roles WHERE organization_id = $1 ORDER BY role")
        .bind(org).fetch_all(c).await)?)
}

pub async fn set_required_roles(
    tx: &mut Tx,
    org: i64,
    roles: &[&str],
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM totp_required_roles WHERE organization_id = $1")
        .bind(org).execute(c).await.map(|r| r.rows_affected()))?;
    for role in roles {
        with_tx!(tx, c => sqlx::query(
            "INSERT INTO totp_required_roles (organization_id, role, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
            .bind(org).bind(*role).bind(now).bind(by).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

// ---- sign-in challenges ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChallengeRow {
    pub id: String,
    pub person_id: i64,
    /// `verify` (the person has a second factor) or `enrol` (their role requires one).
    pub purpose: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_challenge(
    tx: &mut Tx,
    id_hash: &str,
    person: i64,
    purpose: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO login_challenges (id, person_id, purpose, attempts, created_at, expires_at) VALUES ($1, $2, $3, 0, $4, $5)")
        .bind(id_hash).bind(person).bind(purpose).bind(now).bind(expires).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A live challenge.
pub async fn find_challenge(
    ex: impl Into<Ex<'_>>,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<ChallengeRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, ChallengeRow>(
        "SELECT id, person_id, purpose, attempts, created_at, expires_at FROM login_challenges WHERE id = $1 AND expires_at > $2")
        .bind(id_hash).bind(now).fetch_optional(c).await)?)
}

/// Counts a wrong code; returns the attempts made so far.
pub async fn count_attempt(tx: &mut Tx, id_hash: &str) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "UPDATE login_challenges SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts")
        .bind(id_hash).fetch_optional(c).await)?
    .unwrap_or(i64::MAX))
}

pub async fn delete_challenge(tx: &mut Tx, id_hash: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM login_challenges WHERE id = $1")
        .bind(id_hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn purge_expired_challenges(tx: &mut Tx, now: DateTime<Utc>) -> Result<u64> {
    Ok(
        with_tx!(tx, c => sqlx::query("DELETE FROM login_challenges WHERE expires_at <= $1")
        .bind(now).execute(c).await.map(|r| r.rows_affected()))?,
    )
}
