//! The audit ledger: append an entry inside the caller's transaction, list with filters, and
//! walk every chain for verification. Appends to one chain are serialized (an advisory lock on
//! PostgreSQL, the single writer on SQLite) so that each entry links to its true predecessor.

use chrono::{DateTime, Utc};
use domain::audit::{AuditKey, AuditRecord, GENESIS, entry_hash};
use domain::page::PageRequest;
use serde::Serialize;

use crate::{Ex, Result, Tx};

/// What a use case records.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// The organization the change belongs to; 0 for system-wide changes.
    pub chain: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub chain_id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// The unit the actor belongs to now.
    pub actor_unit: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub mac: Option<String>,
}

impl AuditRow {
    pub fn record(&self) -> AuditRecord {
        AuditRecord {
            id: self.id,
            chain: self.chain_id,
            seq: self.seq,
            at: self.at,
            actor_id: self.actor_id,
            action: self.action.clone(),
            entity: self.entity.clone(),
            entity_id: self.entity_id,
            before: self.before_json.clone(),
            after: self.after_json.clone(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
            mac: self.mac.clone(),
        }
    }
}

/// Appends `e` to its chain, linked to the chain's newest entry and signed with `key`.
pub async fn append(tx: &mut Tx, key: &AuditKey, e: NewEntry<'_>) -> Result<i64> {
    if let Tx::Postgres(t, _) = tx {
        // One lock per chain; the key space is offset so it never meets other advisory locks.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(1_000_000_000_i64 + e.chain)
            .execute(&mut **t)
            .await?;
    }
    let last: Option<(i64, String)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT seq, hash FROM audit_log WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1")
        .bind(e.chain).fetch_optional(c).await)?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let hash = entry_hash(
        e.chain,
        seq,
        e.at,
        e.actor_id,
        e.action,
        e.entity,
        e.entity_id,
        e.before.as_deref(),
        e.after.as_deref(),
        &prev,
    );
    let mac = key.entry_mac(&hash);
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO audit_log (chain_id, seq, at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash, mac) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
        .bind(e.chain).bind(seq).bind(e.at).bind(e.actor_id).bind(e.action).bind(e.entity).bind(e.entity_id)
        .bind(&e.before).bind(&e.after).bind(&prev).bind(&hash).bind(&mac)
        .fetch_one(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<String>,
    pub actor_id: Option<i64>,
    /// The actor by username or name, exactly.
    pub person: Option<String>,
    /// The actor's unit.
    pub unit_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

const AUDIT_COLUMNS: &str = "a.id, a.chain_id, a.seq, a.at, a.actor_id, p.display_name AS actor_name, u.name AS actor_unit, \
    a.action, a.entity, a.entity_id, a.before_json, a.after_json, a.prev_hash, a.hash, a.mac";
const AUDIT_FROM: &str = "FROM audit_log a LEFT JOIN persons p ON p.id = a.actor_id LEFT JOIN units u ON u.id = p.unit_id";
const AUDIT_WHERE: &str = "WHERE a.chain_id = $1 AND ($2 IS NULL OR a.entity = $2) AND ($3 IS NULL OR a.entity_id = $3) \
    AND ($4 IS NULL OR a.action = $4) AND ($5 IS NULL OR a.actor_id = $5) AND ($6 IS NULL OR a.at >= $6) AND ($7 IS NULL OR a.at < $7) \
    AND ($8 IS NULL OR p.username = $8 OR p.display_name = $8) AND ($9 IS NULL OR p.unit_id = $9)";

/// One page of a chain's entries, newest first.
pub async fn list(
    ex: impl Into<Ex<'_>>,
    chain: i64,
    f: &AuditFilter,
    page: PageRequest,
) -> Result<(Vec<AuditRow>, u64)> {
    let mut ex = ex.into();
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {AUDIT_FROM} {AUDIT_WHERE}"));
    let total: i64 = with_ex!(&mut ex, c => sqlx::query_scalar(count_sql)
        .bind(chain).bind(&f.entity).bind(f.entity_id).bind(&f.action).bind(f.actor_id).bind(f.from).bind(f.to)
        .bind(&f.person).bind(f.unit_id)
        .fetch_one(c).await)?;
    let list_sql = sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} {AUDIT_FROM} {AUDIT_WHERE} ORDER BY a.seq DESC LIMIT $10 OFFSET $11"
    ));
    let rows = with_ex!(&mut ex, c => sqlx::query_as::<_, AuditRow>(list_sql)
        .bind(chain).bind(&f.entity).bind(f.entity_id).bind(&f.action).bind(f.actor_id).bind(f.from).bind(f.to)
        .bind(&f.person).bind(f.unit_id)
        .bind(page.limit()).bind(page.offset())
        .fetch_all(c).await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// The newest `limit` entries of a chain that match, for an export.
pub async fn newest(
    ex: impl Into<Ex<'_>>,
    chain: i64,
    f: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} {AUDIT_FROM} {AUDIT_WHERE} ORDER BY a.seq DESC LIMIT $10"
    ));
    Ok(with_ex!(ex, c => sqlx::query_as::<_, AuditRow>(sql)
        .bind(chain).bind(&f.entity).bind(f.entity_id).bind(&f.action).bind(f.actor_id).bind(f.from).bind(f.to)
        .bind(&f.person).bind(f.unit_id).bind(limit)
        .fetch_all(c).await)?)
}

/// When the ledger's oldest entry was written, and when the first organization was made (the
/// deployment's start): for the retention check.
pub async fn retention(
    ex: impl Into<Ex<'_>>,
) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    let mut ex = ex.into();
    let oldest: Option<DateTime<Utc>> = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT at FROM audit_log ORDER BY id LIMIT 1").fetch_optional(c).await)?;
    let deployed: Option<DateTime<Utc>> = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT created_at FROM organizations ORDER BY id LIMIT 1").fetch_optional(c).await)?;
    Ok((oldest, deployed))
}

pub async fn chains(ex: impl Into<Ex<'_>>) -> Result<Vec<i64>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT DISTINCT chain_id FROM audit_log ORDER BY chain_id").fetch_all(c).await)?,
    )
}

/// The next `limit` entries of a chain after sequence number `after_seq`, in order (keyset
/// paging, so that verifying millions of entries needs constant memory).
pub async fn chain_batch(
    ex: impl Into<Ex<'_>>,
    chain: i64,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, AuditRow>(
        "SELECT a.id, a.chain_id, a.seq, a.at, a.actor_id, NULL AS actor_name, NULL AS actor_unit, a.action, a.entity, a.entity_id, \
         a.before_json, a.after_json, a.prev_hash, a.hash, a.mac FROM audit_log a WHERE a.chain_id = $1 AND a.seq > $2 ORDER BY a.seq LIMIT $3")
        .bind(chain).bind(after_seq).bind(limit).fetch_all(c).await)?)
}

/// The newest entry of every chain that has one: (chain, seq, hash). One indexed point read
/// per chain (chain 0 and one per organization), however long the chains are.
pub async fn heads(ex: impl Into<Ex<'_>>) -> Result<Vec<(i64, i64, String)>> {
    let mut ex = ex.into();
    let mut chains: Vec<i64> = with_ex!(&mut ex, c => sqlx::query_scalar(
        "SELECT id FROM organizations ORDER BY id").fetch_all(c).await)?;
    chains.insert(0, 0);
    let mut heads = Vec::new();
    for chain in chains {
        if let Some((seq, hash)) = chain_head(&mut ex, chain).await? {
            heads.push((chain, seq, hash));
        }
    }
    Ok(heads)
}

/// The newest entry of one chain: (seq, hash).
pub async fn chain_head(ex: impl Into<Ex<'_>>, chain: i64) -> Result<Option<(i64, String)>> {
    Ok(with_ex!(ex, c => sqlx::query_as(
        "SELECT seq, hash FROM audit_log WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1")
        .bind(chain).fetch_optional(c).await)?)
}

/// Whether any entry carries a MAC.
pub async fn any_signed(ex: impl Into<Ex<'_>>) -> Result<bool> {
    let one: Option<i64> = with_ex!(ex, c => sqlx::query_scalar(
        "SELECT id FROM audit_log WHERE mac IS NOT NULL LIMIT 1").fetch_optional(c).await)?;
    Ok(one.is_some())
}

/// Signs every entry written before the ledger had a key (those without a MAC) with `key`;
/// returns how many. Only for the moment the key is made.
pub async fn seal(tx: &mut Tx, key: &AuditKey) -> Result<u64> {
    let unsigned: Vec<(i64, String)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT id, hash FROM audit_log WHERE mac IS NULL ORDER BY id").fetch_all(c).await)?;
    for (id, hash) in &unsigned {
        with_tx!(tx, c => sqlx::query("UPDATE audit_log SET mac = $1 WHERE id = $2")
            .bind(key.entry_mac(hash)).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(unsigned.len() as u64)
}
