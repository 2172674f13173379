//! Closing a month (月末关账), in one transaction: every unsigned task continues in the next
//! month (linked to its origin, one more month overdue), the month's figures are frozen as
//! `domain::figures` computes them, and the cycle becomes read-only. The steps are those of
//! `domain::close::Step`, in that order.
//!
//! Safe to run twice (the second run finds the month closed and changes nothing) and from
//! several servers at once: the month's lock (an advisory lock on PostgreSQL, the single
//! writer on SQLite) makes a second close wait, then find the month closed.
//!
//! The consequences of the record (`crate::consequences`: the score ledger and the
//! accountability ladder's proposals) are the step between `Figures` and `Freeze`: they see the
//! month's tasks with their final statuses and the continuations just created, inside the same
//! transaction. Awards will hook in at the same step.

use domain::OrganizationId;
use domain::close::{Step, carries_over, may_close};
use domain::figures::Figures;
use domain::plan::{Phase, TaskStatus, YearMonth};
use domain::policy::Action;
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, Result};

/// What a close did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CloseReport {
    pub month: YearMonth,
    /// The month was closed already; nothing changed.
    pub already_closed: bool,
    pub carried_over: u64,
    pub figures: Figures,
}

impl App {
    /// Closes a month (the director or the leading group; the CLI as the system).
    pub async fn close_month(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
    ) -> Result<CloseReport> {
        self.close_month_until(caller, org, month, None).await
    }

    /// The close, stopped with an error right after `step` (so that its transaction rolls
    /// back): what a crash at that point leaves behind.
    #[cfg(feature = "testing")]
    pub async fn close_month_failing_after(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        step: Step,
    ) -> Result<CloseReport> {
        self.close_month_until(caller, org, month, Some(step)).await
    }

    async fn close_month_until(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        fail_after: Option<Step>,
    ) -> Result<CloseReport> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::ArrangeMonth {
            org: OrganizationId(org),
        })?;
        let stop = |step: Step| -> Result<()> {
            if fail_after == Some(step) {
                Err(AppError::Internal(format!(
                    "close stopped after {}",
                    step.as_str()
                )))
            } else {
                Ok(())
            }
        };
        let m = ym.to_string();
        // Read only: a close that stops before its commit leaves nothing behind, not even a
        // month opened or a phase brought up to the calendar.
        let (cycle, _, phase) = self.cycle_now(org, ym).await?;
        if phase == Phase::Closed {
            return self.closed_report(org, ym).await;
        }
        may_close(ym, self.today()).map_err(|code| AppError::field("month", code))?;
        if cycle.arranged_at.is_none() {
            return Err(AppError::field("month", "month_not_arranged"));
        }
        // Months close in order: an earlier month still open would carry into a closed one.
        if store::plan::cycle(&self.db, org, &ym.prev().to_string())
            .await?
            .is_some_and(|c| c.arranged_at.is_some() && c.phase != Phase::Closed.as_str())
        {
            return Err(AppError::field("month", "previous_month_open"));
        }
        let next = ym.next();
        let (next_cycle, _, next_phase) = self.cycle_now(org, next).await?;
        if next_phase == Phase::Closed {
            return Err(AppError::field("month", "next_month_closed"));
        }

        let mut tx = self.db.begin().await?;
        // Lock: one close at a time, and no card of the month changes meanwhile.
        store::cards::lock_month(&mut tx, org, &m).await?;
        let current = store::plan::cycle(&mut tx, org, &m)
            .await?
            .ok_or(AppError::NotFound)?;
        if current.phase == Phase::Closed.as_str() {
            drop(tx);
            return self.closed_report(org, ym).await;
        }
        stop(Step::Lock)?;

        // Cards: computed as of the close, here, under the lock; nothing changes them after
        // the freeze.
        self.compute_cards_in(&mut tx, org, ym).await?;
        stop(Step::Cards)?;

        // Carry over: every planned task not signed off continues next month.
        let statuses: Vec<String> = TaskStatus::ALL
            .into_iter()
            .filter(|s| carries_over(*s))
            .map(|s| s.as_str().to_owned())
            .collect();
        let next_status = if next_cycle.arranged_at.is_some() {
            TaskStatus::Arranged
        } else {
            TaskStatus::Accepted
        };
        let last_day = format!("{:02}", chrono::Datelike::day(&next.last_day()));
        store::signoff::lapse_forms(&mut tx, org, &m, self.now()).await?;
        store::signoff::decline_pending_changes(
            &mut tx,
            org,
            &m,
            "月度已关账，申请自动失效",
            self.now(),
        )
        .await?;
        let carried = store::signoff::carry_over(
            &mut tx,
            org,
            &m,
            &next.to_string(),
            &last_day,
            &statuses,
            next_status.as_str(),
            caller.actor_id(),
            self.now(),
        )
        .await?;
        // The next month's cards are computed again on its next view.
        store::cards::set_cards_computed_on(&mut tx, org, &next.to_string(), "").await?;
        stop(Step::CarryOver)?;

        // Figures: the month as it stands now, frozen.
        let rows = store::signoff::outcome_groups(&mut tx, org, &m).await?;
        let figures = crate::meeting::figures_of(&rows);
        let json =
            serde_json::to_string(&figures).map_err(|e| AppError::Internal(e.to_string()))?;
        store::signoff::insert_month_result(
            &mut tx,
            org,
            &m,
            &json,
            i64::try_from(carried).unwrap_or(i64::MAX),
            self.now(),
        )
        .await?;
        stop(Step::Figures)?;

        // Consequences: the score ledger and the accountability ladder's proposals, in this
        // same transaction, so that a month is never closed without them nor are they written
        // for a month left open.
        let (entries, cases) = self
            .score_month(&mut tx, org, ym, crate::consequences::planned_units(&rows))
            .await?;
        stop(Step::Consequences)?;

        // Freeze.
        store::signoff::close_cycle(&mut tx, current.id, caller.actor_id(), self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "cycle.close",
                entity: "cycle",
                entity_id: Some(current.id),
                before: Some(json!({ "phase": current.phase })),
                after: Some(json!({
                    "month": m, "carried_over": carried, "figures": figures.total,
                    "score_entries": entries, "accountability_cases": cases,
                })),
            },
        )
        .await?;
        stop(Step::Freeze)?;
        tx.commit().await?;
        // The ledger's heads, checkpointed with the month: the close is then on record outside
        // the database. The close stands if the file cannot be written; the log says so.
        if let Err(e) = self.checkpoint_audit().await {
            tracing::error!(error = %e, "cannot checkpoint the audit ledger after a close");
        }
        self.outbox_wake.notify_one();
        self.bus.announce(org, "close").await;
        Ok(CloseReport {
            month: ym,
            already_closed: false,
            carried_over: carried,
            figures: figures.total,
        })
    }

    async fn closed_report(&self, org: i64, ym: YearMonth) -> Result<CloseReport> {
        let m = ym.to_string();
        let figures = match store::signoff::month_result(&self.db, org, &m).await? {
            Some(json) => {
                serde_json::from_str::<domain::figures::MonthFigures>(&json)
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .total
            }
            None => self.compute_figures(org, &m).await?.total,
        };
        Ok(CloseReport {
            month: ym,
            already_closed: true,
            carried_over: 0,
            figures,
        })
    }
}
