//! Monthly awards (明星部门 / 明星个人): a ranking computed from a closed month's record.
//! Excellent execution is favoured: a record with every task signed off on time is in the
//! first tier, late completion lowers the tier, and a task left unsigned (a failed sign-off)
//! disqualifies for that month. Within a tier the score, then completion, highlights and red
//! cards decide. The ranking only proposes; the selection is the leadership's recorded decision.

use serde::Serialize;

use crate::consequences::Points;

/// What one unit or person did in a month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    pub planned: u32,
    pub signed_off: u32,
    pub on_time: u32,
    pub highlights: u32,
    pub red_cards: u32,
    /// The month's score (a person's: the net of the entries that name them).
    pub points: Points,
}

impl Record {
    pub fn unsigned(&self) -> u32 {
        self.planned.saturating_sub(self.signed_off)
    }

    pub fn late(&self) -> u32 {
        self.signed_off.saturating_sub(self.on_time)
    }

    /// Per mille of the planned tasks signed off.
    fn completion(&self) -> u32 {
        (self.signed_off * 1000)
            .checked_div(self.planned)
            .unwrap_or(0)
    }
}

/// Where a record stands for the month's award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Every task signed off, and on time.
    First,
    /// Every task signed off, some late.
    Second,
    /// A task left unsigned, or nothing planned: not eligible this month.
    Disqualified,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::First => "first",
            Tier::Second => "second",
            Tier::Disqualified => "disqualified",
        }
    }

    pub fn of(r: &Record) -> Tier {
        if r.planned == 0 || r.unsigned() > 0 {
            Tier::Disqualified
        } else if r.late() > 0 {
            Tier::Second
        } else {
            Tier::First
        }
    }

    /// The year's tiers, for the annual commendation (年度表彰): every task signed off on time
    /// is the first tier; completion of 95% or more the second; below that, or with nothing
    /// planned, not eligible.
    pub fn of_year(r: &Record) -> Tier {
        if r.planned == 0 {
            Tier::Disqualified
        } else if r.unsigned() == 0 && r.late() == 0 {
            Tier::First
        } else if r.completion() >= 950 {
            Tier::Second
        } else {
            Tier::Disqualified
        }
    }

    pub fn eligible(self) -> bool {
        self != Tier::Disqualified
    }
}

/// Why a record is placed where it is, as stable codes the UI translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "code", content = "n")]
pub enum Reason {
    AllOnTime,
    Late(u32),
    Unsigned(u32),
    NothingPlanned,
    Highlights(u32),
    RedCards(u32),
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::AllOnTime => "all_on_time",
            Reason::Late(_) => "late",
            Reason::Unsigned(_) => "unsigned",
            Reason::NothingPlanned => "nothing_planned",
            Reason::Highlights(_) => "highlights",
            Reason::RedCards(_) => "red_cards",
        }
    }

    /// The count the reason speaks of, if any.
    pub fn n(self) -> Option<u32> {
        match self {
            Reason::Late(n) | Reason::Unsigned(n) | Reason::Highlights(n) | Reason::RedCards(n) => {
                Some(n)
            }
            Reason::AllOnTime | Reason::NothingPlanned => None,
        }
    }
}

pub fn reasons(r: &Record) -> Vec<Reason> {
    let mut out = Vec::new();
    if r.planned == 0 {
        out.push(Reason::NothingPlanned);
    } else if r.unsigned() > 0 {
        out.push(Reason::Unsigned(r.unsigned()));
    }
    if r.late() > 0 {
        out.push(Reason::Late(r.late()));
    } else if r.planned > 0 && r.unsigned() == 0 {
        out.push(Reason::AllOnTime);
    }
    if r.highlights > 0 {
        out.push(Reason::Highlights(r.highlights));
    }
    if r.red_cards > 0 {
        out.push(Reason::RedCards(r.red_cards));
    }
    out
}

/// One place of the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked<K> {
    pub subject: K,
    /// 1-based among the eligible; `None` when disqualified.
    pub rank: Option<u32>,
    pub tier: Tier,
    pub record: Record,
    pub reasons: Vec<Reason>,
}

/// Ranks a month's records: the first tier, then the second, then the disqualified; within a
/// tier by score, completion, highlights (more first) and red cards (fewer first), then by
/// subject.
pub fn rank<K: Ord + Clone>(records: &[(K, Record)]) -> Vec<Ranked<K>> {
    rank_with(records, Tier::of)
}

/// Ranks with another rule of tiers (the year's: [`Tier::of_year`]).
pub fn rank_with<K: Ord + Clone>(
    records: &[(K, Record)],
    tier: fn(&Record) -> Tier,
) -> Vec<Ranked<K>> {
    let mut v: Vec<Ranked<K>> = records
        .iter()
        .map(|(k, r)| Ranked {
            subject: k.clone(),
            rank: None,
            tier: tier(r),
            record: *r,
            reasons: reasons(r),
        })
        .collect();
    v.sort_by(|a, b| {
        a.tier
            .cmp(&b.tier)
            .then(b.record.points.cmp(&a.record.points))
            .then(b.record.completion().cmp(&a.record.completion()))
            .then(b.record.highlights.cmp(&a.record.highlights))
            .then(a.record.red_cards.cmp(&b.record.red_cards))
            .then(a.subject.cmp(&b.subject))
    });
    let mut n = 0;
    for r in &mut v {
        if r.tier.eligible() {
            n += 1;
            r.rank = Some(n);
        }
    }
    v
}

/// The kinds of award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardKind {
    StarUnit,
    StarPerson,
    /// 年度先进单位, from the year's record.
    AnnualUnit,
    /// 年度先进个人.
    AnnualPerson,
}

impl AwardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AwardKind::StarUnit => "star_unit",
            AwardKind::StarPerson => "star_person",
            AwardKind::AnnualUnit => "annual_unit",
            AwardKind::AnnualPerson => "annual_person",
        }
    }

    pub fn parse(s: &str) -> Option<AwardKind> {
        [
            AwardKind::StarUnit,
            AwardKind::StarPerson,
            AwardKind::AnnualUnit,
            AwardKind::AnnualPerson,
        ]
        .into_iter()
        .find(|k| k.as_str() == s.trim())
    }

    /// Whether it is the year's commendation rather than the month's star.
    pub fn annual(self) -> bool {
        matches!(self, AwardKind::AnnualUnit | AwardKind::AnnualPerson)
    }

    /// Whether it goes to a unit.
    pub fn for_unit(self) -> bool {
        matches!(self, AwardKind::StarUnit | AwardKind::AnnualUnit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(planned: u32, signed_off: u32, on_time: u32, points: i64) -> Record {
        Record {
            planned,
            signed_off,
            on_time,
            points: Points(points),
            ..Record::default()
        }
    }

    #[test]
    fn tiers_favour_on_time_and_disqualify_an_unsigned_task() {
        assert_eq!(Tier::of(&rec(3, 3, 3, 250)), Tier::First);
        assert_eq!(Tier::of(&rec(3, 3, 2, 250)), Tier::Second);
        assert_eq!(Tier::of(&rec(3, 2, 2, 200)), Tier::Disqualified);
        assert_eq!(Tier::of(&rec(0, 0, 0, 0)), Tier::Disqualified);
        assert_eq!(reasons(&rec(3, 3, 3, 250)), vec![Reason::AllOnTime]);
        assert_eq!(
            reasons(&rec(4, 3, 2, 200)),
            vec![Reason::Unsigned(1), Reason::Late(1)]
        );
        assert_eq!(reasons(&rec(0, 0, 0, 0)), vec![Reason::NothingPlanned]);
    }

    #[test]
    fn the_ranking_puts_tier_before_score() {
        let highlighted = Record {
            highlights: 2,
            ..rec(2, 2, 1, 350)
        };
        let r = rank(&[
            ("late but highlighted", highlighted),
            ("unsigned", rec(5, 4, 4, 200)),
            ("clean", rec(2, 2, 2, 250)),
            (
                "clean, red card",
                Record {
                    red_cards: 1,
                    ..rec(2, 2, 2, 250)
                },
            ),
            ("clean, more done", rec(4, 4, 4, 250)),
        ]);
        let order: Vec<(&str, Option<u32>)> = r.iter().map(|x| (x.subject, x.rank)).collect();
        assert_eq!(
            order,
            vec![
                ("clean", Some(1)),
                ("clean, more done", Some(2)),
                ("clean, red card", Some(3)),
                ("late but highlighted", Some(4)),
                ("unsigned", None),
            ]
        );
        assert_eq!(r[3].tier, Tier::Second);
        assert!(r[3].reasons.contains(&Reason::Highlights(2)));
        assert_eq!(r[4].reasons, vec![Reason::Unsigned(1)]);
        // The year forgives a task left unsigned while completion stays at 95%.
        assert_eq!(Tier::of_year(&rec(40, 40, 40, 3000)), Tier::First);
        assert_eq!(Tier::of_year(&rec(40, 38, 38, 2900)), Tier::Second);
        assert_eq!(Tier::of_year(&rec(40, 37, 37, 2800)), Tier::Disqualified);
        assert_eq!(AwardKind::parse("annual_unit"), Some(AwardKind::AnnualUnit));
        assert!(AwardKind::AnnualUnit.annual() && AwardKind::AnnualUnit.for_unit());
    }
}
