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
        caller.authorize(Action::ViewAudit {
            org: OrganizationId(org),
        })?;
        let (rows, total) = store::audit::list(&self.db, org, filter, page).await?;
        Ok(Page::new(rows, page, total))
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
