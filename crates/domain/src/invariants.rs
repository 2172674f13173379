//! The invariants of the monthly cycle, written down once and checked from facts read back
//! out of the store: by the stateful test that drives random sequences of actions, and by the
//! test that loads the demo. Each is enforced elsewhere (ARCHITECTURE.md, "Guards of the
//! month"); this module only says what must hold, so that a test can find any state that
//! breaks one.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::figures::Figures;
use crate::plan::{TaskStatus, YearMonth, same_work};

/// A task as the invariants see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFact {
    pub id: i64,
    pub month: YearMonth,
    pub unit: i64,
    pub title: String,
    pub status: TaskStatus,
    pub carried_from: Option<i64>,
}

/// A month of one organization as the invariants see it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MonthFact {
    pub closed: bool,
    /// The figures frozen at the close (`None` when none were written).
    pub frozen: Option<Figures>,
    /// A bulletin of the month has been published (印发).
    pub bulletin_published: bool,
    /// The red-card deductions of the month's ledger, and the red task cards of its last
    /// publication as of the close: the cards that count.
    pub red_deductions: usize,
    pub counted_red_cards: usize,
}

/// What broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "invariant", rename_all = "snake_case")]
pub enum Violation {
    /// A task of a closed month is neither signed off, carried over, nor out of the plan.
    OpenInClosedMonth { task: i64 },
    /// A carried-over task without exactly one continuation.
    Continuations { task: i64, count: usize },
    /// A continuation of a task that was not carried over (signed off, say).
    ContinuesUncarried { task: i64, origin: i64 },
    /// A continuation not in the month right after its origin's.
    ContinuationMonth { task: i64, origin: i64 },
    /// A published bulletin of a month not closed.
    BulletinBeforeClose { month: YearMonth },
    /// A closed month without frozen figures, or whose frozen figures differ from its tasks.
    Figures { month: YearMonth },
    /// Red-card deductions that are not the counted red cards.
    RedCards {
        month: YearMonth,
        deductions: usize,
        cards: usize,
    },
    /// A proposal (or task) of a month that repeats work carried into it in the same unit.
    RepeatsCarried { task: i64, carried: i64 },
}

/// The statuses a task of a closed month may have.
fn final_status(s: TaskStatus) -> bool {
    matches!(
        s,
        TaskStatus::SignedOff
            | TaskStatus::CarriedOver
            | TaskStatus::Rejected
            | TaskStatus::Merged
            | TaskStatus::Withdrawn
    )
}

/// The figures a month's tasks give: what the close must have frozen.
pub fn figures_of_tasks<'a>(tasks: impl IntoIterator<Item = &'a TaskFact>) -> (u32, u32, u32) {
    let (mut planned, mut signed_off, mut carried_in) = (0, 0, 0);
    for t in tasks {
        if t.status.in_plan() {
            planned += 1;
            if t.status == TaskStatus::SignedOff {
                signed_off += 1;
            }
            if t.carried_from.is_some() {
                carried_in += 1;
            }
        }
    }
    (planned, signed_off, carried_in)
}

/// Every invariant that `months` and `tasks` break, in a stable order.
pub fn check(months: &BTreeMap<YearMonth, MonthFact>, tasks: &[TaskFact]) -> Vec<Violation> {
    let mut out = Vec::new();
    let by_id: BTreeMap<i64, &TaskFact> = tasks.iter().map(|t| (t.id, t)).collect();
    let mut continuations: BTreeMap<i64, usize> = BTreeMap::new();
    for t in tasks {
        if let Some(origin) = t.carried_from {
            *continuations.entry(origin).or_default() += 1;
            match by_id.get(&origin) {
                Some(o) if o.status != TaskStatus::CarriedOver => {
                    out.push(Violation::ContinuesUncarried { task: t.id, origin })
                }
                Some(o) if o.month.next() != t.month => {
                    out.push(Violation::ContinuationMonth { task: t.id, origin })
                }
                _ => {}
            }
        }
    }
    let closed = |m: &YearMonth| months.get(m).is_some_and(|f| f.closed);
    for t in tasks {
        if closed(&t.month) && !final_status(t.status) {
            out.push(Violation::OpenInClosedMonth { task: t.id });
        }
        let count = continuations.get(&t.id).copied().unwrap_or(0);
        if t.status == TaskStatus::CarriedOver && count != 1 {
            out.push(Violation::Continuations { task: t.id, count });
        }
    }
    for (m, f) in months {
        if f.bulletin_published && !f.closed {
            out.push(Violation::BulletinBeforeClose { month: *m });
        }
        if f.closed {
            let (planned, signed_off, carried_in) =
                figures_of_tasks(tasks.iter().filter(|t| t.month == *m));
            let agrees = f.frozen.as_ref().is_some_and(|fr| {
                (fr.planned, fr.signed_off, fr.carried_in) == (planned, signed_off, carried_in)
            });
            if !agrees {
                out.push(Violation::Figures { month: *m });
            }
            if f.red_deductions != f.counted_red_cards {
                out.push(Violation::RedCards {
                    month: *m,
                    deductions: f.red_deductions,
                    cards: f.counted_red_cards,
                });
            }
        }
    }
    // Carried work is not proposed again beside itself.
    for t in tasks.iter().filter(|t| {
        t.carried_from.is_none()
            && !matches!(
                t.status,
                TaskStatus::Rejected | TaskStatus::Merged | TaskStatus::Withdrawn
            )
    }) {
        if let Some(c) = tasks.iter().find(|c| {
            c.carried_from.is_some()
                && c.month == t.month
                && c.unit == t.unit
                && c.status != TaskStatus::Withdrawn
                && same_work(&c.title, &t.title)
        }) {
            out.push(Violation::RepeatsCarried {
                task: t.id,
                carried: c.id,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    fn task(id: i64, month: &str, status: TaskStatus, from: Option<i64>) -> TaskFact {
        TaskFact {
            id,
            month: ym(month),
            unit: 1,
            title: format!("事项{id}"),
            status,
            carried_from: from,
        }
    }

    fn closed_with(planned: u32, signed_off: u32, carried_in: u32) -> MonthFact {
        MonthFact {
            closed: true,
            frozen: Some(Figures {
                planned,
                signed_off,
                carried_in,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_consistent_pair_of_months_breaks_nothing() {
        use TaskStatus as S;
        let tasks = [
            task(1, "2026-11", S::SignedOff, None),
            task(2, "2026-11", S::CarriedOver, None),
            task(3, "2026-12", S::Arranged, Some(2)),
            task(4, "2026-12", S::Draft, None),
        ];
        let months = BTreeMap::from([
            (ym("2026-11"), closed_with(2, 1, 0)),
            (ym("2026-12"), MonthFact::default()),
        ]);
        assert_eq!(check(&months, &tasks), vec![]);
    }

    #[test]
    fn each_broken_invariant_is_named() {
        use TaskStatus as S;
        let mut repeat = task(7, "2026-12", S::Submitted, None);
        repeat.title = "事项3".into();
        let tasks = [
            task(1, "2026-11", S::SignedOff, None),
            task(2, "2026-11", S::CarriedOver, None),
            task(3, "2026-12", S::Arranged, Some(1)),
            task(5, "2026-11", S::InProgress, None),
            task(6, "2027-01", S::Arranged, Some(5)),
            repeat,
        ];
        let months = BTreeMap::from([
            (
                ym("2026-11"),
                MonthFact {
                    red_deductions: 2,
                    counted_red_cards: 1,
                    ..closed_with(3, 1, 0)
                },
            ),
            (
                ym("2026-12"),
                MonthFact {
                    bulletin_published: true,
                    ..Default::default()
                },
            ),
        ]);
        let v = check(&months, &tasks);
        for expected in [
            Violation::ContinuesUncarried { task: 3, origin: 1 },
            Violation::ContinuesUncarried { task: 6, origin: 5 },
            Violation::OpenInClosedMonth { task: 5 },
            Violation::Continuations { task: 2, count: 0 },
            Violation::BulletinBeforeClose {
                month: ym("2026-12"),
            },
            Violation::RedCards {
                month: ym("2026-11"),
                deductions: 2,
                cards: 1,
            },
            Violation::RepeatsCarried {
                task: 7,
                carried: 3,
            },
        ] {
            assert!(v.contains(&expected), "{expected:?} in {v:?}");
        }
        // The frozen figures agree with November's tasks (3 planned, 1 signed off).
        assert!(!v.contains(&Violation::Figures {
            month: ym("2026-11")
        }));
        let mut wrong = months.clone();
        wrong.insert(ym("2026-11"), closed_with(3, 2, 0));
        assert!(check(&wrong, &tasks).contains(&Violation::Figures {
            month: ym("2026-11")
        }));
    }
}
