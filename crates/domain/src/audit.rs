//! The audit ledger's hash chain.
//!
//! Every state change writes an append-only entry. Entries form one chain per organization
//! (chain 0 holds system-wide entries); each entry stores the hash of its predecessor and its own
//! hash over all its fields, so altering or removing an entry breaks the chain at that point.
//! This module only computes and checks hashes; storing them is the store's job.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One ledger entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub chain: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over every field, each length-prefixed so that no two
/// different entries serialize to the same bytes. Time counts to the microsecond, which both
/// databases store exactly.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    chain: i64,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(&chain.to_be_bytes());
    field(&seq.to_be_bytes());
    field(&at.timestamp_micros().to_be_bytes());
    field(
        actor_id
            .map(|a| a.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(action.as_bytes());
    field(entity.as_bytes());
    field(
        entity_id
            .map(|a| a.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(before.unwrap_or("\u{0}").as_bytes());
    field(after.unwrap_or("\u{0}").as_bytes());
    field(prev_hash.as_bytes());
    hex::encode(h.finalize())
}

impl AuditRecord {
    pub fn computed_hash(&self) -> String {
        entry_hash(
            self.chain,
            self.seq,
            self.at,
            self.actor_id,
            &self.action,
            &self.entity,
            self.entity_id,
            self.before.as_deref(),
            self.after.as_deref(),
            &self.prev_hash,
        )
    }
}

/// Where a chain stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash: it was altered.
    Altered { id: i64, chain: i64, seq: i64 },
    /// One or more entries before this one are missing: the sequence has a gap.
    Removed {
        before_id: i64,
        chain: i64,
        expected_seq: i64,
    },
}

/// Walks the entries of one chain in sequence order and keeps the running state.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    chain: i64,
    next_seq: i64,
    prev_hash: String,
    prev: Option<(i64, i64)>,
}

impl ChainVerifier {
    pub fn new(chain: i64) -> Self {
        ChainVerifier {
            chain,
            next_seq: 1,
            prev_hash: GENESIS.to_owned(),
            prev: None,
        }
    }

    pub fn check(&mut self, rec: &AuditRecord) -> Result<(), ChainBreak> {
        if rec.computed_hash() != rec.hash {
            return Err(ChainBreak::Altered {
                id: rec.id,
                chain: rec.chain,
                seq: rec.seq,
            });
        }
        if rec.seq != self.next_seq {
            return Err(ChainBreak::Removed {
                before_id: rec.id,
                chain: self.chain,
                expected_seq: self.next_seq,
            });
        }
        if rec.prev_hash != self.prev_hash {
            // The predecessor was rewritten together with its own hash.
            let (id, seq) = self.prev.unwrap_or((rec.id, rec.seq));
            return Err(ChainBreak::Altered {
                id,
                chain: self.chain,
                seq,
            });
        }
        self.prev = Some((rec.id, rec.seq));
        self.next_seq += 1;
        self.prev_hash.clone_from(&rec.hash);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let at = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap()
                    + chrono::Duration::seconds(seq);
                let after = Some(format!("{{\"n\":{seq}}}"));
                let hash = entry_hash(
                    7,
                    seq,
                    at,
                    Some(1),
                    "unit.create",
                    "unit",
                    Some(seq),
                    None,
                    after.as_deref(),
                    &prev,
                );
                let rec = AuditRecord {
                    id: seq * 10,
                    chain: 7,
                    seq,
                    at,
                    actor_id: Some(1),
                    action: "unit.create".into(),
                    entity: "unit".into(),
                    entity_id: Some(seq),
                    before: None,
                    after,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                rec
            })
            .collect()
    }

    fn verify(recs: &[AuditRecord]) -> Result<(), ChainBreak> {
        let mut v = ChainVerifier::new(7);
        recs.iter().try_for_each(|r| v.check(r))
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
    }

    #[test]
    fn an_altered_entry_is_found() {
        let mut c = chain(5);
        c[2].after = Some("{\"n\":99}".into());
        assert_eq!(
            verify(&c),
            Err(ChainBreak::Altered {
                id: 30,
                chain: 7,
                seq: 3
            })
        );
    }

    #[test]
    fn a_removed_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c),
            Err(ChainBreak::Removed {
                before_id: 30,
                chain: 7,
                expected_seq: 2
            })
        );
    }

    #[test]
    fn rehashing_an_altered_entry_still_breaks_the_link() {
        let mut c = chain(4);
        c[1].after = Some("{}".into());
        c[1].hash = c[1].computed_hash();
        assert_eq!(
            verify(&c),
            Err(ChainBreak::Altered {
                id: 20,
                chain: 7,
                seq: 2
            })
        );
    }
}
