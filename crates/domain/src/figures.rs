//! The month's figures, defined once: what the briefing (预安简报), the bulletin (通报), the
//! pages and the API all show.
//!
//! - **planned** (计划数): the tasks in the month's plan, that is every task row of the month
//!   that was arranged, whatever became of it afterwards, except those withdrawn by an
//!   approved change request. A task carried over is a new row in the next month, so it counts
//!   once in every month it is planned. Proposals that were rejected, merged or never arranged
//!   are not planned.
//! - **signed off** (销号数): planned tasks signed off after the joint review; **on time** when
//!   the work was completed by the task's deadline.
//! - **unfinished** (未销号数): planned tasks not signed off: declared unfinished, returned, still
//!   under review, or never submitted. At the month's close each of them is carried over.
//! - **completion rate** (完成率): signed off ÷ planned, in per mille so that it rounds the same
//!   everywhere (952 ‰ is shown as 95.2%); a month with nothing planned has no rate.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::plan::TaskStatus;

/// What the figures look at, for one task row of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOutcome {
    pub unit_id: i64,
    pub status: TaskStatus,
    pub deadline: NaiveDate,
    /// When the unit completed it, for a task signed off.
    pub completed_on: Option<NaiveDate>,
    /// Months it has been carried over already (0 for a task of this month's own).
    pub months_overdue: u32,
}

impl TaskOutcome {
    /// Done by the deadline: completed on or before it (a task signed off without a completion
    /// day is not on time).
    pub fn on_time(&self) -> bool {
        self.completed_on.is_some_and(|d| d <= self.deadline)
    }

    /// The outcome as a group of one, for [`month_figures_of`].
    pub fn group(&self) -> OutcomeGroup {
        OutcomeGroup {
            unit_id: self.unit_id,
            status: self.status,
            on_time: self.on_time(),
            carried_in: self.months_overdue > 0,
            count: 1,
        }
    }
}

/// Tasks of one unit alike for the figures: the same status, on time or not, carried in or
/// not, and how many. A province's month of 250,000 tasks is a few thousand groups, so the
/// database counts them (its query computes `on_time` and `carried_in` as
/// [`TaskOutcome::on_time`] and [`TaskOutcome::group`] do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeGroup {
    pub unit_id: i64,
    pub status: TaskStatus,
    pub on_time: bool,
    pub carried_in: bool,
    pub count: u32,
}

/// Whether a task of this status was part of the month's plan.
pub fn planned(status: TaskStatus) -> bool {
    use TaskStatus as S;
    matches!(
        status,
        S::Arranged
            | S::InProgress
            | S::SignOffSubmitted
            | S::SignOffReturned
            | S::DeclaredUnfinished
            | S::SignedOff
            | S::CarriedOver
    )
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub planned: u32,
    pub signed_off: u32,
    pub on_time: u32,
    pub unfinished: u32,
    /// Planned tasks that came from an earlier month.
    pub carried_in: u32,
}

impl Figures {
    /// Signed off ÷ planned in per mille, rounded half up; `None` when nothing was planned.
    pub fn completion_permille(&self) -> Option<u32> {
        (self.planned > 0).then(|| (self.signed_off * 2000 + self.planned) / (self.planned * 2))
    }

    /// The rate as offices print it: `95.2%`, or `—`.
    pub fn completion_text(&self) -> String {
        match self.completion_permille() {
            Some(p) => format!("{}.{}%", p / 10, p % 10),
            None => "—".into(),
        }
    }

    fn add(&mut self, g: &OutcomeGroup) {
        if !planned(g.status) {
            return;
        }
        let n = g.count;
        self.planned += n;
        if g.carried_in {
            self.carried_in += n;
        }
        if g.status == TaskStatus::SignedOff {
            self.signed_off += n;
            if g.on_time {
                self.on_time += n;
            }
        } else {
            self.unfinished += n;
        }
    }
}

/// The month's figures in all and by unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigures {
    pub total: Figures,
    pub by_unit: BTreeMap<i64, Figures>,
}

pub fn month_figures(tasks: &[TaskOutcome]) -> MonthFigures {
    let groups: Vec<OutcomeGroup> = tasks.iter().map(TaskOutcome::group).collect();
    month_figures_of(&groups)
}

/// The same figures from counted groups of tasks.
pub fn month_figures_of(groups: &[OutcomeGroup]) -> MonthFigures {
    let mut m = MonthFigures::default();
    for g in groups {
        m.total.add(g);
        if planned(g.status) {
            m.by_unit.entry(g.unit_id).or_default().add(g);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_date;

    fn t(unit: i64, status: TaskStatus, completed: Option<&str>, overdue: u32) -> TaskOutcome {
        TaskOutcome {
            unit_id: unit,
            status,
            deadline: parse_date("2026-11-20").unwrap(),
            completed_on: completed.and_then(parse_date),
            months_overdue: overdue,
        }
    }

    #[test]
    fn the_denominator_is_the_plan() {
        use TaskStatus as S;
        let tasks = [
            t(1, S::SignedOff, Some("2026-11-18"), 0),
            t(1, S::SignedOff, Some("2026-11-25"), 0),
            t(1, S::DeclaredUnfinished, None, 0),
            t(2, S::SignedOff, Some("2026-11-20"), 1),
            t(2, S::CarriedOver, None, 0),
            // Not planned: withdrawn, rejected, merged, never arranged.
            t(2, S::Withdrawn, None, 0),
            t(2, S::Rejected, None, 0),
            t(2, S::Merged, None, 0),
            t(2, S::Accepted, None, 0),
        ];
        let m = month_figures(&tasks);
        assert_eq!(
            m.total,
            Figures {
                planned: 5,
                signed_off: 3,
                on_time: 2,
                unfinished: 2,
                carried_in: 1,
            }
        );
        assert_eq!(m.total.completion_permille(), Some(600));
        assert_eq!(m.total.completion_text(), "60.0%");
        assert_eq!(m.by_unit[&1].planned, 3);
        assert_eq!(m.by_unit[&2].signed_off, 1);
        assert_eq!(m.by_unit.len(), 2);
    }

    #[test]
    fn rates_round_half_up_and_an_empty_month_has_none() {
        let f = |planned, signed_off| Figures {
            planned,
            signed_off,
            ..Default::default()
        };
        // 2647 of 2790 (the article's figures): 94.87% → 94.9%.
        assert_eq!(f(2790, 2647).completion_text(), "94.9%");
        assert_eq!(f(3, 2).completion_permille(), Some(667));
        assert_eq!(f(8, 1).completion_permille(), Some(125));
        assert_eq!(f(0, 0).completion_permille(), None);
        assert_eq!(f(0, 0).completion_text(), "—");
        assert_eq!(f(78, 78).completion_text(), "100.0%");
    }
}
