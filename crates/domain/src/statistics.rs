//! Statistics over any period (统计): month by month and in total, the tasks planned, signed
//! off and carried over (counted as `crate::figures` defines them: a carried task once in each
//! month it is planned, a withdrawn one not at all), the monthly average, the completion rate,
//! the key items published with a card (公示), the warnings issued (警示), and the persons held
//! accountable (行政问责).

use serde::Serialize;

use crate::figures::{Figures, OutcomeGroup, month_figures_of};
use crate::plan::{TaskStatus, YearMonth};
use crate::validate::{ValidationErrors, Validator};

/// The longest period a query may span: twenty years.
pub const MAX_MONTHS: u32 = 240;

/// A run of whole months, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: YearMonth,
    pub to: YearMonth,
}

impl Period {
    /// Parses `YYYY-MM` ends; `from` not after `to`, at most [`MAX_MONTHS`] months.
    pub fn parse(from: &str, to: &str) -> Result<Period, ValidationErrors> {
        let mut v = Validator::new();
        let f = YearMonth::parse(from.trim());
        let t = YearMonth::parse(to.trim());
        if f.is_none() {
            v.fail("from", "invalid_month");
        }
        if t.is_none() {
            v.fail("to", "invalid_month");
        }
        if let (Some(f), Some(t)) = (f, t) {
            if f > t {
                v.fail("to", "before_from");
            } else if months_between(f, t) > MAX_MONTHS {
                v.fail("to", "period_too_long");
            }
        }
        v.finish()?;
        match (f, t) {
            (Some(from), Some(to)) => Ok(Period { from, to }),
            _ => Err(ValidationErrors::single("from", "invalid_month")),
        }
    }

    /// A calendar year.
    pub fn year(year: i32) -> Period {
        Period {
            from: YearMonth { year, month: 1 },
            to: YearMonth { year, month: 12 },
        }
    }

    pub fn months(&self) -> u32 {
        months_between(self.from, self.to)
    }

    pub fn each(&self) -> Vec<YearMonth> {
        let mut out = Vec::new();
        let mut m = self.from;
        while m <= self.to {
            out.push(m);
            m = m.next();
        }
        out
    }
}

fn months_between(from: YearMonth, to: YearMonth) -> u32 {
    let a = i64::from(from.year) * 12 + i64::from(from.month);
    let b = i64::from(to.year) * 12 + i64::from(to.month);
    u32::try_from(b - a + 1).unwrap_or(0)
}

/// One month of the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthLine {
    pub month: YearMonth,
    pub figures: Figures,
    /// Tasks of the month carried into the next.
    pub carried_over: u32,
    pub published: u32,
    pub warnings: u32,
}

/// The whole period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub months: u32,
    pub figures: Figures,
    pub carried_over: u32,
    /// Distinct items published with a card over the period.
    pub published: u32,
    pub warnings: u32,
    /// Distinct persons held accountable over the period; `None` where the caller may not
    /// see the confidential cases behind the number.
    pub accountable: Option<u32>,
}

impl Totals {
    /// Planned tasks a month, in tenths, rounded half up.
    pub fn monthly_average_tenths(&self) -> Option<u32> {
        (self.months > 0).then(|| (self.figures.planned * 20 + self.months) / (self.months * 2))
    }

    /// The monthly average as printed: `77.6`.
    pub fn monthly_average_text(&self) -> String {
        match self.monthly_average_tenths() {
            Some(t) => format!("{}.{}", t / 10, t % 10),
            None => "—".into(),
        }
    }
}

/// What the database counted: tasks by month and status, and the month's published items
/// and warnings.
#[derive(Debug, Clone, Default)]
pub struct Counted {
    pub tasks: Vec<(YearMonth, TaskStatus, u32)>,
    pub published: Vec<(YearMonth, u32)>,
    pub warnings: Vec<(YearMonth, u32)>,
    pub published_distinct: u32,
    pub accountable: u32,
}

/// The statistics of a period from what was counted: every month of the period has a line
/// (zeros where nothing happened).
pub fn summarize(period: Period, c: &Counted) -> (Vec<MonthLine>, Totals) {
    let lines: Vec<MonthLine> = period
        .each()
        .into_iter()
        .map(|m| {
            let groups: Vec<OutcomeGroup> = c
                .tasks
                .iter()
                .filter(|(tm, ..)| *tm == m)
                .map(|(_, status, n)| OutcomeGroup {
                    unit_id: 0,
                    status: *status,
                    on_time: false,
                    carried_in: false,
                    count: *n,
                })
                .collect();
            let sum = |v: &[(YearMonth, u32)]| -> u32 {
                v.iter().filter(|(x, _)| *x == m).map(|(_, n)| n).sum()
            };
            MonthLine {
                month: m,
                figures: month_figures_of(&groups).total,
                carried_over: c
                    .tasks
                    .iter()
                    .filter(|(tm, s, _)| *tm == m && *s == TaskStatus::CarriedOver)
                    .map(|(.., n)| n)
                    .sum(),
                published: sum(&c.published),
                warnings: sum(&c.warnings),
            }
        })
        .collect();
    let mut t = Totals {
        months: period.months(),
        published: c.published_distinct,
        accountable: Some(c.accountable),
        ..Totals::default()
    };
    for l in &lines {
        t.figures.planned += l.figures.planned;
        t.figures.signed_off += l.figures.signed_off;
        t.figures.on_time += l.figures.on_time;
        t.figures.unfinished += l.figures.unfinished;
        t.figures.carried_in += l.figures.carried_in;
        t.carried_over += l.carried_over;
        t.warnings += l.warnings;
    }
    (lines, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn a_period_is_checked_and_counted_in_months() {
        let p = Period::parse("2013-01", "2015-12").unwrap();
        assert_eq!(p.months(), 36);
        assert_eq!(p.each().len(), 36);
        assert_eq!(Period::year(2015).months(), 12);
        let e = Period::parse("2015-13", "x").unwrap_err();
        assert_eq!(e.for_field("from"), Some("invalid_month"));
        assert_eq!(e.for_field("to"), Some("invalid_month"));
        let e = Period::parse("2015-06", "2015-01").unwrap_err();
        assert_eq!(e.for_field("to"), Some("before_from"));
        let e = Period::parse("2001-01", "2025-01").unwrap_err();
        assert_eq!(e.for_field("to"), Some("period_too_long"));
    }

    #[test]
    fn months_are_summed_as_the_figures_define_them() {
        use TaskStatus as S;
        let p = Period::parse("2015-01", "2015-03").unwrap();
        let c = Counted {
            tasks: vec![
                (ym("2015-01"), S::SignedOff, 70),
                (ym("2015-01"), S::CarriedOver, 8),
                (ym("2015-01"), S::Withdrawn, 3),
                (ym("2015-02"), S::SignedOff, 75),
                (ym("2015-02"), S::CarriedOver, 2),
            ],
            published: vec![(ym("2015-01"), 3), (ym("2015-02"), 2)],
            warnings: vec![(ym("2015-02"), 1)],
            published_distinct: 4,
            accountable: 1,
        };
        let (lines, t) = summarize(p, &c);
        assert_eq!(lines.len(), 3, "a month without tasks still has its line");
        assert_eq!(
            lines[0].figures.planned, 78,
            "withdrawn tasks are not planned"
        );
        assert_eq!(lines[0].carried_over, 8);
        assert_eq!(lines[2].figures.planned, 0);
        assert_eq!(t.figures.planned, 155);
        assert_eq!(t.figures.signed_off, 145);
        assert_eq!(t.figures.completion_text(), "93.5%");
        assert_eq!(t.monthly_average_text(), "51.7");
        assert_eq!((t.published, t.warnings, t.accountable), (4, 1, Some(1)));
    }
}
