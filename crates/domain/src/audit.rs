//! The audit ledger's hash chain.
//!
//! Every state change writes an append-only entry. Entries form one chain per organization
//! (chain 0 holds system-wide entries); each entry stores the hash of its predecessor and its own
//! hash over all its fields, so altering or removing an entry breaks the chain at that point.
//!
//! The chain alone proves nothing against someone who can write the database: they could
//! rewrite an entry and re-hash every entry after it. So each entry also carries a MAC of its
//! hash under a key kept outside the database ([`AuditKey`]), and the head of every chain is
//! written from time to time into places the database cannot rewrite ([`Checkpoint`]): a
//! rewritten entry fails its MAC, and entries removed from the end fall short of a checkpoint.
//! This module only computes and checks; storing entries and checkpoints is for others.

use std::collections::BTreeMap;

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
    /// HMAC of `hash` under the ledger's key; `None` for an entry written before there was one
    /// and not sealed since.
    pub mac: Option<String>,
}

/// The ledger's secret: 32 bytes, kept outside the database (a file in the data directory or
/// an environment variable). Never printed: its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// 64 hexadecimal digits (surrounding whitespace ignored).
    pub fn from_hex(s: &str) -> Option<AuditKey> {
        let bytes = hex::decode(s.trim()).ok()?;
        Some(AuditKey(bytes.try_into().ok()?))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// HMAC-SHA256 (RFC 2104) of `message` under this key, hex-encoded.
    pub fn hmac(&self, message: &[u8]) -> String {
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        let pad = |byte: u8| block.map(|b| b ^ byte);
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(message)
            .finalize();
        hex::encode(
            Sha256::new()
                .chain_update(pad(0x5c))
                .chain_update(inner)
                .finalize(),
        )
    }

    /// The MAC an entry with this hash carries.
    pub fn entry_mac(&self, hash: &str) -> String {
        self.hmac(format!("xiaohao-audit-entry\0{hash}").as_bytes())
    }

    fn checkpoint_mac(&self, at: DateTime<Utc>, chain: i64, seq: i64, hash: &str) -> String {
        self.hmac(
            format!(
                "xiaohao-audit-checkpoint\0{}\0{chain}\0{seq}\0{hash}",
                at.timestamp_micros()
            )
            .as_bytes(),
        )
    }
}

/// The head of one chain at a moment, as written to the checkpoint file, the month's bulletin
/// and the operator's copy: one line, `at chain=N seq=N hash=H mac=M`, whose MAC proves it was
/// written by a holder of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub at: DateTime<Utc>,
    pub chain: i64,
    pub seq: i64,
    pub hash: String,
    pub mac: String,
}

impl Checkpoint {
    pub fn new(key: &AuditKey, at: DateTime<Utc>, chain: i64, seq: i64, hash: &str) -> Self {
        Checkpoint {
            at,
            chain,
            seq,
            hash: hash.to_owned(),
            mac: key.checkpoint_mac(at, chain, seq, hash),
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{} chain={} seq={} hash={} mac={}",
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.chain,
            self.seq,
            self.hash,
            self.mac
        )
    }

    /// Reads a line written by [`Checkpoint::line`]; `None` for anything else.
    pub fn parse(line: &str) -> Option<Checkpoint> {
        let mut parts = line.split_whitespace();
        let at = DateTime::parse_from_rfc3339(parts.next()?)
            .ok()?
            .with_timezone(&Utc);
        let mut field = |name: &str| {
            parts
                .next()
                .and_then(|p| p.strip_prefix(name))
                .and_then(|p| p.strip_prefix('='))
                .map(str::to_owned)
        };
        let chain = field("chain")?.parse().ok()?;
        let seq = field("seq")?.parse().ok()?;
        let hash = field("hash")?;
        let mac = field("mac")?;
        if parts.next().is_some() {
            return None;
        }
        Some(Checkpoint {
            at,
            chain,
            seq,
            hash,
            mac,
        })
    }

    /// Whether the line was written by a holder of `key` and not changed since.
    pub fn genuine(&self, key: &AuditKey) -> bool {
        key.checkpoint_mac(self.at, self.chain, self.seq, &self.hash) == self.mac
    }
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

/// What is wrong with a chain. A verification reports every one it finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash, or its hash no longer matches its MAC
    /// (rewritten and re-hashed without the key), or it has no MAC: it was altered.
    Altered { id: i64, chain: i64, seq: i64 },
    /// Entries `expected_seq` up to the one before `found_seq` are missing.
    Removed {
        before_id: i64,
        chain: i64,
        expected_seq: i64,
        found_seq: i64,
    },
    /// The chain ends at `last_seq` (0: it is gone) but a checkpoint saw it reach
    /// `checkpoint_seq`: its newest entries were removed.
    Truncated {
        chain: i64,
        last_seq: i64,
        checkpoint_seq: i64,
    },
    /// The entry at `seq` is not the one a checkpoint saw there: the chain was rebuilt from
    /// that point (by someone holding the key).
    Diverged { id: i64, chain: i64, seq: i64 },
    /// A checkpoint line that the key did not write (or that was changed since).
    ForgedCheckpoint { line: String },
}

/// Walks the entries of one chain in sequence order, keeps the running state and collects
/// every break; [`ChainVerifier::finish`] then compares the end with the checkpoints.
#[derive(Debug, Clone)]
pub struct ChainVerifier<'k> {
    key: &'k AuditKey,
    chain: i64,
    next_seq: i64,
    prev_hash: String,
    /// The previous entry, and whether it was already reported.
    prev: Option<(i64, i64, bool)>,
    /// What the checkpoints say of this chain: the hash at each checkpointed seq.
    seen: BTreeMap<i64, String>,
    breaks: Vec<ChainBreak>,
}

impl<'k> ChainVerifier<'k> {
    /// A verifier for `chain`, with the genuine checkpoints of all chains (others are
    /// ignored).
    pub fn new(key: &'k AuditKey, chain: i64, checkpoints: &[Checkpoint]) -> Self {
        ChainVerifier {
            key,
            chain,
            next_seq: 1,
            prev_hash: GENESIS.to_owned(),
            prev: None,
            seen: checkpoints
                .iter()
                .filter(|c| c.chain == chain)
                .map(|c| (c.seq, c.hash.clone()))
                .collect(),
            breaks: Vec::new(),
        }
    }

    pub fn check(&mut self, rec: &AuditRecord) {
        let gap = rec.seq > self.next_seq;
        if gap {
            self.breaks.push(ChainBreak::Removed {
                before_id: rec.id,
                chain: self.chain,
                expected_seq: self.next_seq,
                found_seq: rec.seq,
            });
        }
        let sound = rec.computed_hash() == rec.hash
            && rec.mac.as_deref() == Some(self.key.entry_mac(&rec.hash).as_str());
        let altered = ChainBreak::Altered {
            id: rec.id,
            chain: self.chain,
            seq: rec.seq,
        };
        if !sound {
            self.breaks.push(altered);
        } else if !gap && rec.prev_hash != self.prev_hash {
            // Sound in itself, but its predecessor was rewritten together with its own hash.
            if let Some((id, seq, false)) = self.prev {
                self.breaks.push(ChainBreak::Altered {
                    id,
                    chain: self.chain,
                    seq,
                });
            }
        }
        if let Some(h) = self.seen.get(&rec.seq)
            && *h != rec.hash
            && sound
        {
            self.breaks.push(ChainBreak::Diverged {
                id: rec.id,
                chain: self.chain,
                seq: rec.seq,
            });
        }
        self.prev = Some((rec.id, rec.seq, !sound));
        self.next_seq = rec.seq + 1;
        self.prev_hash.clone_from(&rec.hash);
    }

    /// Every break found, with the chain's end compared to the newest checkpoint.
    pub fn finish(mut self) -> Vec<ChainBreak> {
        let last_seq = self.next_seq - 1;
        if let Some((&checkpoint_seq, _)) = self.seen.last_key_value()
            && checkpoint_seq > last_seq
        {
            self.breaks.push(ChainBreak::Truncated {
                chain: self.chain,
                last_seq,
                checkpoint_seq,
            });
        }
        self.breaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn key() -> AuditKey {
        AuditKey::from_bytes([7; 32])
    }

    fn at(seq: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap() + chrono::Duration::seconds(seq)
    }

    /// Entries `seq..` re-linked and re-hashed after `recs[from - 1]`, as an intruder would;
    /// with `key`, re-signed too.
    fn rehash(recs: &mut [AuditRecord], from: usize, key: Option<&AuditKey>) {
        for i in from..recs.len() {
            recs[i].prev_hash = if i == 0 {
                GENESIS.to_owned()
            } else {
                recs[i - 1].hash.clone()
            };
            recs[i].hash = recs[i].computed_hash();
            if let Some(k) = key {
                recs[i].mac = Some(k.entry_mac(&recs[i].hash));
            }
        }
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut recs: Vec<AuditRecord> = (1..=n)
            .map(|seq| AuditRecord {
                id: seq * 10,
                chain: 7,
                seq,
                at: at(seq),
                actor_id: Some(1),
                action: "unit.create".into(),
                entity: "unit".into(),
                entity_id: Some(seq),
                before: None,
                after: Some(format!("{{\"n\":{seq}}}")),
                prev_hash: String::new(),
                hash: String::new(),
                mac: None,
            })
            .collect();
        rehash(&mut recs, 0, Some(&key()));
        recs
    }

    fn verify(recs: &[AuditRecord], checkpoints: &[Checkpoint]) -> Vec<ChainBreak> {
        let k = key();
        let mut v = ChainVerifier::new(&k, 7, checkpoints);
        recs.iter().for_each(|r| v.check(r));
        v.finish()
    }

    fn altered(seqs: &[i64]) -> Vec<ChainBreak> {
        seqs.iter()
            .map(|&seq| ChainBreak::Altered {
                id: seq * 10,
                chain: 7,
                seq,
            })
            .collect()
    }

    fn head(recs: &[AuditRecord]) -> Checkpoint {
        let last = recs.last().unwrap();
        Checkpoint::new(&key(), at(100), 7, last.seq, &last.hash)
    }

    #[test]
    fn the_mac_is_rfc_4231_hmac_sha256() {
        // RFC 4231 test case 2: a short key is padded with zeros, as this one is.
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            AuditKey::from_bytes(k).hmac(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_key_reads_back_and_never_prints() {
        let k = key();
        assert_eq!(
            AuditKey::from_hex(&format!(" {}\n", k.to_hex())),
            Some(k.clone())
        );
        assert_eq!(AuditKey::from_hex("abcd"), None);
        assert_eq!(format!("{k:?}"), "AuditKey(…)");
    }

    #[test]
    fn an_intact_chain_verifies_against_its_checkpoint() {
        let c = chain(5);
        assert_eq!(verify(&c, &[head(&c)]), vec![]);
        assert_eq!(verify(&c, &[]), vec![]);
    }

    #[test]
    fn an_altered_entry_is_found_and_so_is_every_other() {
        let mut c = chain(6);
        c[1].after = Some("{\"n\":99}".into());
        c[4].actor_id = Some(2);
        assert_eq!(verify(&c, &[]), altered(&[2, 5]));
    }

    #[test]
    fn removed_entries_are_found_with_the_gap_they_leave() {
        let mut c = chain(8);
        c.remove(1);
        c.remove(4);
        c.remove(4);
        assert_eq!(
            verify(&c, &[]),
            vec![
                ChainBreak::Removed {
                    before_id: 30,
                    chain: 7,
                    expected_seq: 2,
                    found_seq: 3
                },
                ChainBreak::Removed {
                    before_id: 80,
                    chain: 7,
                    expected_seq: 6,
                    found_seq: 8
                },
            ]
        );
    }

    #[test]
    fn rewriting_and_rehashing_the_chain_without_the_key_fails_every_mac() {
        let mut c = chain(5);
        c[2].after = Some("{}".into());
        rehash(&mut c, 2, None);
        assert_eq!(verify(&c, &[]), altered(&[3, 4, 5]));
    }

    #[test]
    fn an_entry_without_a_mac_is_altered() {
        let mut c = chain(3);
        c[1].mac = None;
        assert_eq!(verify(&c, &[]), altered(&[2]));
    }

    #[test]
    fn a_predecessor_rehashed_in_place_is_named() {
        // Entry 2 changed and re-hashed (and, with the key, re-signed) but entry 3 still links
        // to its old hash.
        let mut c = chain(4);
        c[1].after = Some("{}".into());
        c[1].hash = c[1].computed_hash();
        c[1].mac = Some(key().entry_mac(&c[1].hash));
        assert_eq!(verify(&c, &[]), altered(&[2]));
    }

    #[test]
    fn removing_the_newest_entries_falls_short_of_the_checkpoint() {
        let c = chain(6);
        let cp = head(&c);
        assert_eq!(
            verify(&c[..4], std::slice::from_ref(&cp)),
            vec![ChainBreak::Truncated {
                chain: 7,
                last_seq: 4,
                checkpoint_seq: 6
            }]
        );
        assert_eq!(
            verify(&[], &[cp]),
            vec![ChainBreak::Truncated {
                chain: 7,
                last_seq: 0,
                checkpoint_seq: 6
            }]
        );
    }

    #[test]
    fn a_chain_rebuilt_with_the_key_diverges_from_its_checkpoint() {
        let mut c = chain(5);
        let cp = head(&c);
        c[1].after = Some("{}".into());
        rehash(&mut c, 1, Some(&key()));
        assert_eq!(
            verify(&c, &[]),
            vec![],
            "the key holder can rebuild a chain"
        );
        assert_eq!(
            verify(&c, &[cp]),
            vec![ChainBreak::Diverged {
                id: 50,
                chain: 7,
                seq: 5
            }]
        );
    }

    #[test]
    fn checkpoints_read_back_and_a_forged_one_is_known() {
        let cp = head(&chain(3));
        let line = cp.line();
        assert_eq!(Checkpoint::parse(&line), Some(cp.clone()));
        assert!(cp.genuine(&key()));
        assert!(!cp.genuine(&AuditKey::from_bytes([8; 32])));
        let mut forged = cp.clone();
        forged.seq = 2;
        assert!(!forged.genuine(&key()));
        assert_eq!(Checkpoint::parse("not a checkpoint"), None);
        assert_eq!(Checkpoint::parse(&format!("{line} extra")), None);
    }
}
