//! Reading, verifying and checkpointing the audit ledger.

use std::collections::BTreeSet;
use std::io::Write;

use domain::OrganizationId;
use domain::audit::{AuditKey, ChainBreak, ChainVerifier, Checkpoint};
use domain::page::{Page, PageRequest};
use domain::policy::Action;
use store::audit::{AuditFilter, AuditRow};

use crate::{App, AppError, Caller, Result};

pub type AuditPage = Page<AuditRow>;

/// How long the ledger is kept at least (等保2.0 asks for six months).
pub const AUDIT_RETENTION_DAYS: i64 = 180;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    pub oldest: Option<chrono::DateTime<chrono::Utc>>,
    pub deployed: Option<chrono::DateTime<chrono::Utc>>,
    /// The oldest entry is younger than the deployment: entries were removed.
    pub missing: bool,
}

/// The most entries one export holds (the newest that match).
pub const AUDIT_EXPORT_MAX: i64 = 50_000;

/// One field of an entry's change: what it was, what it became (as the ledger wrote them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields an entry changed, read from its before and after JSON: every key of either
/// object, in the order they first appear, each with its two values (a value that is the same
/// on both sides is left out). A side that is not an object shows as the field `value`.
pub fn field_changes(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    use serde_json::Value;
    let read = |s: Option<&str>| -> Vec<(String, Value)> {
        match s.map(serde_json::from_str::<Value>) {
            Some(Ok(Value::Object(m))) => m.into_iter().collect(),
            Some(Ok(Value::Null)) | None => vec![],
            Some(Ok(v)) => vec![("value".to_owned(), v)],
            Some(Err(_)) => vec![(
                "value".to_owned(),
                Value::String(s.unwrap_or("").to_owned()),
            )],
        }
    };
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let (b, a) = (read(before), read(after));
    let mut keys: Vec<&String> = Vec::new();
    for (k, _) in b.iter().chain(a.iter()) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let find = |side: &[(String, Value)], k: &str| {
        side.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone())
    };
    keys.into_iter()
        .filter_map(|k| {
            let (bv, av) = (find(&b, k), find(&a, k));
            if bv.is_some() && bv == av {
                return None;
            }
            Some(FieldChange {
                field: k.clone(),
                before: bv.as_ref().map(show),
                after: av.as_ref().map(show),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub chains: usize,
    pub entries: u64,
    /// Genuine checkpoints the chains were compared with.
    pub checkpoints: usize,
    /// Every break of every chain, and every forged checkpoint.
    pub breaks: Vec<ChainBreak>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.breaks.is_empty()
    }
}

const BATCH: i64 = 2_000;
/// The ledger's name for an accountability case.
const CASE_ENTITY: &str = "accountability_case";

/// A fresh random key, for a ledger that has none yet.
pub fn new_audit_key() -> AuditKey {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    AuditKey::from_bytes(bytes)
}

impl App {
    pub async fn list_audit(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<AuditPage> {
        self.organization(org).await?;
        let filter = self.audit_scope(caller, org, filter)?;
        let (rows, total) = store::audit::list(&self.db, org, &filter, page).await?;
        Ok(Page::new(rows, page, total))
    }

    /// The newest entries that match, at most [`AUDIT_EXPORT_MAX`], for the XLSX export; and
    /// whether more matched.
    pub async fn export_audit(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &AuditFilter,
    ) -> Result<(Vec<AuditRow>, bool)> {
        self.organization(org).await?;
        let filter = self.audit_scope(caller, org, filter)?;
        let mut rows = store::audit::newest(&self.db, org, &filter, AUDIT_EXPORT_MAX + 1).await?;
        let more = rows.len() as i64 > AUDIT_EXPORT_MAX;
        rows.truncate(AUDIT_EXPORT_MAX as usize);
        Ok((rows, more))
    }

    /// Whether the caller reads only the cases' part of the ledger (the discipline office).
    pub fn audit_cases_only(&self, caller: Caller<'_>, org: i64) -> bool {
        caller
            .authorize(Action::ViewAudit {
                org: OrganizationId(org),
            })
            .is_err()
    }

    /// The filter as the caller may apply it: the audit administrator reads everything, the
    /// discipline office only the entries of the accountability cases.
    fn audit_scope(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &AuditFilter,
    ) -> Result<AuditFilter> {
        let org_id = OrganizationId(org);
        if caller.authorize(Action::ViewAudit { org: org_id }).is_ok() {
            return Ok(filter.clone());
        }
        caller.authorize(Action::ViewCaseAudit { org: org_id })?;
        let mut f = filter.clone();
        if f.entity.as_deref().is_some_and(|e| e != CASE_ENTITY) {
            // Another kind of object: nothing of it is shown to this office.
            f.entity_id = Some(-1);
        }
        f.entity = Some(CASE_ENTITY.to_owned());
        Ok(f)
    }

    /// Walks every chain from its first entry and reports every break: entries altered (by
    /// their hash or their MAC), removed, or removed from the end (against the checkpoint
    /// file), and checkpoint lines the key did not write.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        self.verify_audit_against("").await
    }

    /// [`App::verify_audit`], also against checkpoint lines kept elsewhere (an operator's copy
    /// of `xiaohao audit head`, a bulletin's footer).
    pub async fn verify_audit_against(&self, more_checkpoints: &str) -> Result<VerifyReport> {
        let key = &self.config.audit_key;
        let mut report = VerifyReport::default();
        let mut text = self.checkpoint_file_text()?;
        text.push('\n');
        text.push_str(more_checkpoints);
        for line in store::signoff::bulletin_checkpoints(&self.db).await? {
            text.push('\n');
            text.push_str(&line);
        }
        let mut checkpoints = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match Checkpoint::parse(line) {
                Some(c) if c.genuine(key) => checkpoints.push(c),
                _ => report.breaks.push(ChainBreak::ForgedCheckpoint {
                    line: line.to_owned(),
                }),
            }
        }
        report.checkpoints = checkpoints.len();
        // A chain removed whole is still walked: its checkpoints name it.
        let chains: BTreeSet<i64> = store::audit::chains(&self.db)
            .await?
            .into_iter()
            .chain(checkpoints.iter().map(|c| c.chain))
            .collect();
        for chain in chains {
            report.chains += 1;
            let mut verifier = ChainVerifier::new(key, chain, &checkpoints);
            let mut after = 0;
            loop {
                let batch = store::audit::chain_batch(&self.db, chain, after, BATCH).await?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for row in &batch {
                    report.entries += 1;
                    verifier.check(&row.record());
                }
            }
            report.breaks.extend(verifier.finish());
        }
        Ok(report)
    }

    /// The head of every chain now, signed; appended to the checkpoint file when there is
    /// one. Run daily by the scheduler, after every close, and by `xiaohao audit head`.
    pub async fn checkpoint_audit(&self) -> Result<Vec<Checkpoint>> {
        let now = self.now();
        let heads = store::audit::heads(&self.db).await?;
        let checkpoints: Vec<Checkpoint> = heads
            .iter()
            .map(|(chain, seq, hash)| {
                Checkpoint::new(&self.config.audit_key, now, *chain, *seq, hash)
            })
            .collect();
        if let Some(path) = &self.config.audit_checkpoints {
            let lines: String = checkpoints.iter().map(|c| c.line() + "\n").collect();
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| {
                    f.write_all(lines.as_bytes())?;
                    f.sync_all()
                });
            written.map_err(|e| {
                AppError::Internal(format!("cannot append to {}: {e}", path.display()))
            })?;
        }
        Ok(checkpoints)
    }

    /// Whether the ledger still holds its history from the deployment's start (a ledger is
    /// kept at least [`AUDIT_RETENTION_DAYS`] days, and nothing in the product deletes its
    /// rows): the oldest entry, the deployment's start, and whether entries are missing.
    pub async fn audit_retention(&self) -> Result<Retention> {
        let (oldest, deployed) = store::audit::retention(&self.db).await?;
        let missing = match (oldest, deployed) {
            // A day's grace: the first organization is made just before its first entry.
            (Some(o), Some(d)) => o > d + chrono::Duration::days(1),
            (None, Some(_)) => true,
            _ => false,
        };
        Ok(Retention {
            oldest,
            deployed,
            missing,
        })
    }

    /// Whether any entry of the ledger carries a MAC (the ledger has had a key).
    pub async fn audit_ledger_signed(&self) -> Result<bool> {
        Ok(store::audit::any_signed(&self.db).await?)
    }

    /// Signs the entries of a ledger that was never signed (written before there was a key),
    /// then checkpoints it; returns how many. Once a ledger is signed, or the checkpoint file
    /// holds a genuine line, nothing is signed again: an entry without a MAC is then one that
    /// was tampered with, and signing it would launder the change.
    pub async fn seal_audit_ledger(&self) -> Result<u64> {
        if self.audit_ledger_signed().await? {
            return Ok(0);
        }
        let text = self.checkpoint_file_text()?;
        let key = &self.config.audit_key;
        if text
            .lines()
            .filter_map(Checkpoint::parse)
            .any(|c| c.genuine(key))
        {
            tracing::error!(
                "the audit ledger has lost every MAC although it was checkpointed before: not signing it again"
            );
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        let n = store::audit::seal(&mut tx, key).await?;
        tx.commit().await?;
        if n > 0 {
            self.checkpoint_audit().await?;
        }
        Ok(n)
    }

    fn checkpoint_file_text(&self) -> Result<String> {
        let Some(path) = &self.config.audit_checkpoints else {
            return Ok(String::new());
        };
        match std::fs::read_to_string(path) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(AppError::Internal(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.into(),
            before: before.map(Into::into),
            after: after.map(Into::into),
        }
    }

    #[test]
    fn a_change_reads_as_fields_before_and_after() {
        assert_eq!(
            field_changes(
                Some(r#"{"status":"draft","title":"修路","version":3}"#),
                Some(r#"{"status":"submitted","title":"修路","version":4,"reason":null}"#)
            ),
            vec![
                change("status", Some("draft"), Some("submitted")),
                change("version", Some("3"), Some("4")),
                change("reason", None, Some("")),
            ]
        );
        assert_eq!(
            field_changes(None, Some(r#"{"name":"办公室"}"#)),
            vec![change("name", None, Some("办公室"))]
        );
        assert_eq!(field_changes(None, None), vec![]);
        assert_eq!(
            field_changes(Some("[1,2]"), Some("not json")),
            vec![change("value", Some("[1,2]"), Some("not json"))]
        );
    }
}
