//! Reading and verifying the audit ledger.

use domain::OrganizationId;
use domain::audit::{ChainBreak, ChainVerifier};
use domain::page::{Page, PageRequest};
use domain::policy::Action;
use store::audit::{AuditFilter, AuditRow};

use crate::{App, Caller, Result};

pub type AuditPage = Page<AuditRow>;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub chains: usize,
    pub entries: u64,
    /// The first break of each broken chain.
    pub breaks: Vec<ChainBreak>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.breaks.is_empty()
    }
}

const BATCH: i64 = 2_000;

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

    /// Walks every chain from its first entry and reports where each one breaks.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        for chain in store::audit::chains(&self.db).await? {
            report.chains += 1;
            let mut verifier = ChainVerifier::new(chain);
            let mut after = 0;
            'chain: loop {
                let batch = store::audit::chain_batch(&self.db, chain, after, BATCH).await?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for row in &batch {
                    report.entries += 1;
                    if let Err(b) = verifier.check(&row.record()) {
                        report.breaks.push(b);
                        break 'chain;
                    }
                }
            }
        }
        Ok(report)
    }
}
