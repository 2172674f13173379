//! Closing a month (月末关账): which tasks are carried over and how their continuation in the
//! next month looks. The steps of a close and their order are fixed here too, so that the
//! application runs them in one transaction and a test can stop it after any of them.

use chrono::{Datelike, NaiveDate};

use crate::plan::{TaskStatus, YearMonth};

/// The steps of a close, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Take the month's lock and check it is not closed yet.
    Lock,
    /// Compute the month's cards as of the close, in the close's transaction: the cards it
    /// freezes.
    Cards,
    /// Every unsigned task continues in the next month.
    CarryOver,
    /// The month's figures are written down as they stand.
    Figures,
    /// The consequences: the score ledger and the accountability ladder's proposals.
    Consequences,
    /// The cycle becomes read-only, with the audit entry.
    Freeze,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Lock,
        Step::Cards,
        Step::CarryOver,
        Step::Figures,
        Step::Consequences,
        Step::Freeze,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Lock => "lock",
            Step::Cards => "cards",
            Step::CarryOver => "carry_over",
            Step::Figures => "figures",
            Step::Consequences => "consequences",
            Step::Freeze => "freeze",
        }
    }
}

/// Whether a task of this status is carried over when its month closes: planned and not
/// signed off.
pub fn carries_over(status: TaskStatus) -> bool {
    status.in_plan() && !matches!(status, TaskStatus::SignedOff | TaskStatus::CarriedOver)
}

/// The deadline of the continuation: the same day of the next month (clamped to its length).
pub fn next_deadline(deadline: NaiveDate, next: YearMonth) -> NaiveDate {
    next.day(deadline.day())
}

/// When a month may be closed: once its last day has passed.
pub fn may_close(month: YearMonth, today: NaiveDate) -> Result<(), &'static str> {
    if today > month.last_day() {
        Ok(())
    } else {
        Err("month_not_over")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_date;

    #[test]
    fn what_carries_over_and_when() {
        use TaskStatus as S;
        for s in [
            S::Arranged,
            S::InProgress,
            S::SignOffSubmitted,
            S::SignOffReturned,
            S::DeclaredUnfinished,
        ] {
            assert!(carries_over(s), "{s:?}");
        }
        for s in [
            S::SignedOff,
            S::CarriedOver,
            S::Withdrawn,
            S::Rejected,
            S::Draft,
            S::Accepted,
        ] {
            assert!(!carries_over(s), "{s:?}");
        }
        let dec = YearMonth::parse("2026-12").unwrap();
        assert_eq!(
            next_deadline(parse_date("2026-11-20").unwrap(), dec),
            parse_date("2026-12-20").unwrap()
        );
        let feb = YearMonth::parse("2027-02").unwrap();
        assert_eq!(
            next_deadline(parse_date("2027-01-31").unwrap(), feb),
            parse_date("2027-02-28").unwrap()
        );
        let nov = YearMonth::parse("2026-11").unwrap();
        assert_eq!(
            may_close(nov, parse_date("2026-11-30").unwrap()),
            Err("month_not_over")
        );
        assert_eq!(may_close(nov, parse_date("2026-12-01").unwrap()), Ok(()));
        assert_eq!(
            Step::ALL.map(Step::as_str),
            [
                "lock",
                "cards",
                "carry_over",
                "figures",
                "consequences",
                "freeze"
            ]
        );
    }
}
