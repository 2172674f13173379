//! Consequences of the record (四个结合): the rule set of scores and bonus, the score ledger
//! written when a month closes, and the accountability ladder (政令不畅督查问责).
//!
//! Points are kept in hundredths ([`Points`]) so that sums are exact. A unit's month score is
//! the sum of its ledger entries; a person's, the sum of the entries of the tasks they own.
//! The system proposes the ladder's next step; it never applies a sanction by itself.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::plan::text;
use crate::validate::{ValidationErrors, Validator};

/// Points in hundredths: `Points(250)` is 2.50 points.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    /// Parses "2.5", "2.50", "-1" or "3"; at most two decimals.
    pub fn parse(raw: &str) -> Option<Points> {
        let t = raw.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = format!("{frac:0<2}").parse().ok()?;
        let v = whole.checked_mul(100)?.checked_add(frac)?;
        Some(Points(if neg { -v } else { v }))
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0.saturating_add(o.0))
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(it: I) -> Points {
        it.fold(Points(0), |a, b| a + b)
    }
}

/// Grades of an annual score, by its share of the annual weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Excellent,
    Good,
    Pass,
    Fail,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }
}

/// One organization's rules for one year. Versioned: a change is a new version, and a closed
/// month keeps the version it was scored with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// The plan-and-sign-off share of a unit's annual performance score (30 points).
    pub annual_weight: Points,
    /// What a month is worth before deductions and bonuses (the weight over twelve months).
    pub month_points: Points,
    /// Deducted for each task of the month left unsigned (未销号).
    pub unsigned_deduction: Points,
    /// Added for each highlight (亮点工作) the review meeting chose.
    pub highlight_bonus: Points,
    /// Deducted for each red card of the month.
    pub red_card_deduction: Points,
    /// A unit with any unsigned task loses that month's target bonus (扣发当月目标绩效奖金).
    pub withhold_bonus_when_unsigned: bool,
    /// Days a rectification order (限期整改) gives, from the close.
    pub rectification_days: u32,
    /// Shares of the annual weight, in percent, for 优秀, 良好 and 合格.
    pub excellent_percent: u32,
    pub good_percent: u32,
    pub pass_percent: u32,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            annual_weight: Points(3000),
            month_points: Points(250),
            unsigned_deduction: Points(50),
            highlight_bonus: Points(50),
            red_card_deduction: Points(20),
            withhold_bonus_when_unsigned: true,
            rectification_days: 10,
            excellent_percent: 90,
            good_percent: 80,
            pass_percent: 60,
        }
    }
}

impl RuleSet {
    /// The grade of an annual score.
    pub fn grade(&self, annual: Points) -> Grade {
        self.grade_of(annual, self.annual_weight)
    }

    /// The grade of a year's score so far, over `months` closed months: measured against what
    /// those months were worth, so that a year under way is not graded against all twelve.
    pub fn grade_so_far(&self, points: Points, months: u32) -> Grade {
        let possible = (self.month_points.0 * i64::from(months)).min(self.annual_weight.0);
        self.grade_of(points, Points(possible))
    }

    fn grade_of(&self, points: Points, out_of: Points) -> Grade {
        let annual = points;
        let share = |p: u32| Points(out_of.0 * i64::from(p) / 100);
        if annual >= share(self.excellent_percent) {
            Grade::Excellent
        } else if annual >= share(self.good_percent) {
            Grade::Good
        } else if annual >= share(self.pass_percent) {
            Grade::Pass
        } else {
            Grade::Fail
        }
    }
}

/// The rule set as typed into the performance office's form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleSetInput {
    pub annual_weight: String,
    pub month_points: String,
    pub unsigned_deduction: String,
    pub highlight_bonus: String,
    pub red_card_deduction: String,
    pub withhold_bonus_when_unsigned: bool,
    pub rectification_days: String,
    pub excellent_percent: String,
    pub good_percent: String,
    pub pass_percent: String,
}

impl From<&RuleSet> for RuleSetInput {
    fn from(r: &RuleSet) -> Self {
        RuleSetInput {
            annual_weight: r.annual_weight.to_string(),
            month_points: r.month_points.to_string(),
            unsigned_deduction: r.unsigned_deduction.to_string(),
            highlight_bonus: r.highlight_bonus.to_string(),
            red_card_deduction: r.red_card_deduction.to_string(),
            withhold_bonus_when_unsigned: r.withhold_bonus_when_unsigned,
            rectification_days: r.rectification_days.to_string(),
            excellent_percent: r.excellent_percent.to_string(),
            good_percent: r.good_percent.to_string(),
            pass_percent: r.pass_percent.to_string(),
        }
    }
}

/// Points a rule may be set to: 0 to 100.
const POINTS_MAX: Points = Points(10_000);

fn points(v: &mut Validator, field: &str, raw: &str) -> Points {
    match Points::parse(raw) {
        _ if raw.trim().is_empty() => {
            v.fail(field, "required");
            Points(0)
        }
        Some(p) if (Points(0)..=POINTS_MAX).contains(&p) => p,
        Some(_) => {
            v.fail(field, "out_of_range");
            Points(0)
        }
        None => {
            v.fail(field, "invalid_number");
            Points(0)
        }
    }
}

fn whole(v: &mut Validator, field: &str, raw: &str, range: std::ops::RangeInclusive<u32>) -> u32 {
    match raw.trim().parse::<u32>() {
        _ if raw.trim().is_empty() => {
            v.fail(field, "required");
            0
        }
        Ok(n) if range.contains(&n) => n,
        Ok(_) => {
            v.fail(field, "out_of_range");
            0
        }
        Err(_) => {
            v.fail(field, "invalid_number");
            0
        }
    }
}

impl RuleSetInput {
    pub fn validate(&self) -> Result<RuleSet, ValidationErrors> {
        let mut v = Validator::new();
        let r = RuleSet {
            annual_weight: points(&mut v, "annual_weight", &self.annual_weight),
            month_points: points(&mut v, "month_points", &self.month_points),
            unsigned_deduction: points(&mut v, "unsigned_deduction", &self.unsigned_deduction),
            highlight_bonus: points(&mut v, "highlight_bonus", &self.highlight_bonus),
            red_card_deduction: points(&mut v, "red_card_deduction", &self.red_card_deduction),
            withhold_bonus_when_unsigned: self.withhold_bonus_when_unsigned,
            rectification_days: whole(
                &mut v,
                "rectification_days",
                &self.rectification_days,
                1..=90,
            ),
            excellent_percent: whole(
                &mut v,
                "excellent_percent",
                &self.excellent_percent,
                1..=100,
            ),
            good_percent: whole(&mut v, "good_percent", &self.good_percent, 1..=100),
            pass_percent: whole(&mut v, "pass_percent", &self.pass_percent, 0..=100),
        };
        if v.is_ok() {
            if r.month_points.0 * 12 > r.annual_weight.0 {
                v.fail("month_points", "exceeds_annual_weight");
            }
            if !(r.excellent_percent > r.good_percent && r.good_percent > r.pass_percent) {
                v.fail("good_percent", "thresholds_out_of_order");
            }
        }
        v.finish().map(|()| r)
    }
}

/// Why a ledger entry was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The month's points, for a unit with planned tasks.
    MonthPoints,
    /// A task of the month left unsigned.
    UnsignedTask,
    /// A red card of the month.
    RedCard,
    /// A highlight of the month.
    Highlight,
    /// Deductions never take a unit's month below zero.
    Floor,
    /// The month's target bonus is withheld (no points; the performance office's list).
    BonusWithheld,
}

impl Rule {
    pub const ALL: [Rule; 6] = [
        Rule::MonthPoints,
        Rule::UnsignedTask,
        Rule::RedCard,
        Rule::Highlight,
        Rule::Floor,
        Rule::BonusWithheld,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::MonthPoints => "month_points",
            Rule::UnsignedTask => "unsigned_task",
            Rule::RedCard => "red_card",
            Rule::Highlight => "highlight",
            Rule::Floor => "floor",
            Rule::BonusWithheld => "bonus_withheld",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What a task did in the month that counts for its consequences: left unsigned, a red card,
/// a highlight (not a task's state change, which is `plan::TaskEvent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthOccurrence {
    /// The event's own id: the task, the card or the highlight.
    pub id: i64,
    pub task: i64,
    pub unit: i64,
    pub owner: Option<i64>,
}

/// What a month's close knows of the month, for its consequences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthRecord {
    /// Units with planned tasks in the month.
    pub units: Vec<i64>,
    /// Tasks left unsigned (their `id` is the task's).
    pub unsigned: Vec<MonthOccurrence>,
    pub red_cards: Vec<MonthOccurrence>,
    pub highlights: Vec<MonthOccurrence>,
}

/// What a score entry points to (not a notification's event, which is `notify::EventKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceKind {
    Month,
    Task,
    Card,
    Highlight,
}

impl OccurrenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OccurrenceKind::Month => "month",
            OccurrenceKind::Task => "task",
            OccurrenceKind::Card => "card",
            OccurrenceKind::Highlight => "highlight",
        }
    }
}

/// One line of the score ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub unit: i64,
    /// The person the entry also counts for (the task's owner); `None` for the unit alone.
    pub person: Option<i64>,
    pub rule: Rule,
    pub points: Points,
    pub event: OccurrenceKind,
    pub event_id: Option<i64>,
    pub task: Option<i64>,
}

/// The ledger entries of a closed month, unit by unit: the month's points, a deduction for
/// each unsigned task and each red card, a bonus for each highlight, a floor entry where the
/// deductions would take the unit below zero, and the bonus withholding where the rule says so.
pub fn month_ledger(rules: &RuleSet, record: &MonthRecord) -> Vec<Entry> {
    let mut by_unit: BTreeMap<i64, Vec<Entry>> = BTreeMap::new();
    for &u in &record.units {
        by_unit.entry(u).or_default();
    }
    let mut push = |e: &MonthOccurrence, rule: Rule, points: Points, event: OccurrenceKind| {
        by_unit.entry(e.unit).or_default().push(Entry {
            unit: e.unit,
            person: e.owner,
            rule,
            points,
            event,
            event_id: Some(e.id),
            task: Some(e.task),
        });
    };
    let minus = |p: Points| Points(-p.0);
    for e in &record.unsigned {
        push(
            e,
            Rule::UnsignedTask,
            minus(rules.unsigned_deduction),
            OccurrenceKind::Task,
        );
    }
    for e in &record.red_cards {
        push(
            e,
            Rule::RedCard,
            minus(rules.red_card_deduction),
            OccurrenceKind::Card,
        );
    }
    for e in &record.highlights {
        push(
            e,
            Rule::Highlight,
            rules.highlight_bonus,
            OccurrenceKind::Highlight,
        );
    }
    let mut out = Vec::new();
    for (unit, events) in by_unit {
        let unit_entry = |rule: Rule, points: Points| Entry {
            unit,
            person: None,
            rule,
            points,
            event: OccurrenceKind::Month,
            event_id: None,
            task: None,
        };
        let base = unit_entry(Rule::MonthPoints, rules.month_points);
        let total: Points = std::iter::once(base.points)
            .chain(events.iter().map(|e| e.points))
            .sum();
        let unsigned = events.iter().any(|e| e.rule == Rule::UnsignedTask);
        out.push(base);
        out.extend(events);
        if total.0 < 0 {
            out.push(unit_entry(Rule::Floor, Points(-total.0)));
        }
        if unsigned && rules.withhold_bonus_when_unsigned {
            out.push(unit_entry(Rule::BonusWithheld, Points(0)));
        }
    }
    out
}

/// The steps of the accountability ladder (政令不畅督查问责), by how many months a task has
/// stayed unfinished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LadderStep {
    /// First month: an order to fix it within a deadline (限期整改), with the score deduction.
    RectificationOrder,
    /// Second month: an admonishment talk by the discipline office (诫勉谈话) and a public notice.
    Admonishment,
    /// Third month and after: a referral to the discipline office (移交纪检监察机关).
    Referral,
}

impl LadderStep {
    pub const ALL: [LadderStep; 3] = [
        LadderStep::RectificationOrder,
        LadderStep::Admonishment,
        LadderStep::Referral,
    ];

    /// The step for a task unfinished for the `months`th month in a row (1 for the first).
    pub fn for_months(months: u32) -> LadderStep {
        match months {
            0 | 1 => LadderStep::RectificationOrder,
            2 => LadderStep::Admonishment,
            _ => LadderStep::Referral,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LadderStep::RectificationOrder => "rectification_order",
            LadderStep::Admonishment => "admonishment",
            LadderStep::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<LadderStep> {
        LadderStep::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the step's record is the discipline office's, confidential to it, the director
    /// and the person concerned. A rectification order goes to the unit.
    pub fn confidential(self) -> bool {
        !matches!(self, LadderStep::RectificationOrder)
    }
}

/// A task still unfinished at a close, with how many months in a row it has been so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfinished {
    pub task: MonthOccurrence,
    pub months: u32,
}

/// The ladder's proposal for one unfinished task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    pub task: MonthOccurrence,
    pub months: u32,
    pub step: LadderStep,
    /// The rectification order's deadline.
    pub deadline: Option<NaiveDate>,
}

/// What the system proposes at a close for each unfinished task.
pub fn ladder(rules: &RuleSet, unfinished: &[Unfinished], closed_on: NaiveDate) -> Vec<Proposal> {
    unfinished
        .iter()
        .map(|u| {
            let step = LadderStep::for_months(u.months);
            Proposal {
                task: u.task,
                months: u.months,
                step,
                deadline: (step == LadderStep::RectificationOrder)
                    .then(|| closed_on + Duration::days(i64::from(rules.rectification_days))),
            }
        })
        .collect()
}

/// What the discipline office decides (the system never decides for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    None,
    Admonishment,
    Reassignment,
    Suspension,
    OrderedResignation,
    Dismissal,
}

impl Sanction {
    pub const ALL: [Sanction; 6] = [
        Sanction::None,
        Sanction::Admonishment,
        Sanction::Reassignment,
        Sanction::Suspension,
        Sanction::OrderedResignation,
        Sanction::Dismissal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sanction::None => "none",
            Sanction::Admonishment => "admonishment",
            Sanction::Reassignment => "reassignment",
            Sanction::Suspension => "suspension",
            Sanction::OrderedResignation => "ordered_resignation",
            Sanction::Dismissal => "dismissal",
        }
    }

    pub fn parse(s: &str) -> Option<Sanction> {
        Sanction::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// Whether the person is held accountable (问责) by this decision.
    pub fn holds_accountable(self) -> bool {
        self != Sanction::None
    }
}

pub const CASE_TEXT_MAX: usize = 2000;

/// The discipline office's decision on a case, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionInput {
    pub verification: String,
    pub sanction: String,
    pub reasons: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub verification: String,
    pub sanction: Sanction,
    pub reasons: String,
}

impl DecisionInput {
    /// A decision names its verification, a sanction (or none) and the reasons, all required.
    pub fn validate(&self) -> Result<Decision, ValidationErrors> {
        let mut v = Validator::new();
        let verification = text(
            &mut v,
            "verification",
            &self.verification,
            CASE_TEXT_MAX,
            true,
        );
        let sanction = match Sanction::parse(&self.sanction) {
            Some(s) => s,
            None => {
                v.fail(
                    "sanction",
                    if self.sanction.trim().is_empty() {
                        "required"
                    } else {
                        "invalid_choice"
                    },
                );
                Sanction::None
            }
        };
        let reasons = text(&mut v, "reasons", &self.reasons, CASE_TEXT_MAX, true);
        v.finish().map(|()| Decision {
            verification,
            sanction,
            reasons,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: i64, unit: i64, owner: Option<i64>) -> MonthOccurrence {
        MonthOccurrence {
            id,
            task: id,
            unit,
            owner,
        }
    }

    fn sum_for_unit(entries: &[Entry], unit: i64) -> Points {
        entries
            .iter()
            .filter(|e| e.unit == unit)
            .map(|e| e.points)
            .sum()
    }

    fn sum_for_person(entries: &[Entry], person: i64) -> Points {
        entries
            .iter()
            .filter(|e| e.person == Some(person))
            .map(|e| e.points)
            .sum()
    }

    #[test]
    fn points_parse_and_print_in_hundredths() {
        assert_eq!(Points::parse("2.5"), Some(Points(250)));
        assert_eq!(Points::parse("2.50"), Some(Points(250)));
        assert_eq!(Points::parse(" 30 "), Some(Points(3000)));
        assert_eq!(Points::parse("-0.2"), Some(Points(-20)));
        assert_eq!(Points::parse("0.05"), Some(Points(5)));
        for bad in ["", "2.555", "a", "1.x", ".5", "--1", "1e3"] {
            assert_eq!(Points::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Points(250).to_string(), "2.50");
        assert_eq!(Points(-20).to_string(), "-0.20");
        assert_eq!(Points(3000).to_string(), "30.00");
    }

    #[test]
    fn a_clean_month_earns_its_points_and_each_event_moves_them() {
        let r = RuleSet::default();
        let record = MonthRecord {
            units: vec![1, 2, 3],
            unsigned: vec![ev(10, 2, Some(7)), ev(11, 2, None)],
            red_cards: vec![MonthOccurrence {
                id: 500,
                task: 10,
                unit: 2,
                owner: Some(7),
            }],
            highlights: vec![MonthOccurrence {
                id: 900,
                task: 20,
                unit: 3,
                owner: Some(8),
            }],
        };
        let l = month_ledger(&r, &record);
        assert_eq!(sum_for_unit(&l, 1), Points(250));
        // 2.50 − 2 × 0.50 − 0.20
        assert_eq!(sum_for_unit(&l, 2), Points(130));
        assert_eq!(sum_for_unit(&l, 3), Points(300));
        assert_eq!(sum_for_person(&l, 7), Points(-70));
        assert_eq!(sum_for_person(&l, 8), Points(50));
        // The bonus is withheld from unit 2 only, and the withholding carries no points.
        let withheld: Vec<i64> = l
            .iter()
            .filter(|e| e.rule == Rule::BonusWithheld)
            .map(|e| e.unit)
            .collect();
        assert_eq!(withheld, vec![2]);
        // Every task entry points to its task and its event.
        let card = l.iter().find(|e| e.rule == Rule::RedCard).unwrap();
        assert_eq!(
            (card.event, card.event_id, card.task),
            (OccurrenceKind::Card, Some(500), Some(10))
        );
    }

    #[test]
    fn deductions_stop_at_zero_and_withholding_follows_the_rule() {
        let r = RuleSet {
            withhold_bonus_when_unsigned: false,
            ..RuleSet::default()
        };
        let record = MonthRecord {
            units: vec![1],
            unsigned: (0..8).map(|i| ev(i, 1, None)).collect(),
            ..MonthRecord::default()
        };
        let l = month_ledger(&r, &record);
        assert_eq!(sum_for_unit(&l, 1), Points(0));
        let floor = l.iter().find(|e| e.rule == Rule::Floor).unwrap();
        assert_eq!(floor.points, Points(150));
        assert!(!l.iter().any(|e| e.rule == Rule::BonusWithheld));
    }

    #[test]
    fn a_unit_with_events_but_no_planned_row_still_gets_its_month() {
        let r = RuleSet::default();
        let record = MonthRecord {
            units: vec![],
            highlights: vec![ev(1, 4, None)],
            ..MonthRecord::default()
        };
        let l = month_ledger(&r, &record);
        assert_eq!(sum_for_unit(&l, 4), Points(300));
    }

    #[test]
    fn the_ladder_climbs_by_months_unfinished() {
        assert_eq!(LadderStep::for_months(1), LadderStep::RectificationOrder);
        assert_eq!(LadderStep::for_months(2), LadderStep::Admonishment);
        assert_eq!(LadderStep::for_months(3), LadderStep::Referral);
        assert_eq!(LadderStep::for_months(7), LadderStep::Referral);
        let closed = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = ladder(
            &RuleSet::default(),
            &[
                Unfinished {
                    task: ev(1, 1, Some(5)),
                    months: 1,
                },
                Unfinished {
                    task: ev(2, 1, Some(5)),
                    months: 3,
                },
            ],
            closed,
        );
        assert_eq!(p[0].step, LadderStep::RectificationOrder);
        assert_eq!(p[0].deadline, NaiveDate::from_ymd_opt(2026, 12, 11));
        assert_eq!(p[1].step, LadderStep::Referral);
        assert_eq!(p[1].deadline, None);
        assert!(!LadderStep::RectificationOrder.confidential());
        assert!(LadderStep::Referral.confidential());
    }

    #[test]
    fn grades_follow_the_thresholds() {
        let r = RuleSet::default();
        assert_eq!(r.grade(Points(2700)), Grade::Excellent);
        assert_eq!(r.grade(Points(2699)), Grade::Good);
        assert_eq!(r.grade(Points(2400)), Grade::Good);
        assert_eq!(r.grade(Points(1800)), Grade::Pass);
        assert_eq!(r.grade(Points(1799)), Grade::Fail);
        // Two months so far, worth 5.00: 4.60 is 92%.
        assert_eq!(r.grade_so_far(Points(460), 2), Grade::Excellent);
        assert_eq!(r.grade_so_far(Points(210), 1), Grade::Good);
        assert_eq!(r.grade_so_far(Points(140), 1), Grade::Fail);
        assert_eq!(
            r.grade_so_far(Points(2700), 14),
            Grade::Excellent,
            "never above the weight"
        );
    }

    #[test]
    fn the_rule_form_names_each_bad_field() {
        let ok = RuleSetInput::from(&RuleSet::default());
        assert_eq!(ok.validate().unwrap(), RuleSet::default());
        let bad = RuleSetInput {
            annual_weight: "30".into(),
            month_points: "abc".into(),
            unsigned_deduction: "".into(),
            highlight_bonus: "200".into(),
            rectification_days: "0".into(),
            ..ok.clone()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.for_field("month_points"), Some("invalid_number"));
        assert_eq!(e.for_field("unsigned_deduction"), Some("required"));
        assert_eq!(e.for_field("highlight_bonus"), Some("out_of_range"));
        assert_eq!(e.for_field("rectification_days"), Some("out_of_range"));
        let over = RuleSetInput {
            month_points: "3".into(),
            ..ok.clone()
        };
        assert_eq!(
            over.validate().unwrap_err().for_field("month_points"),
            Some("exceeds_annual_weight")
        );
        let order = RuleSetInput {
            good_percent: "95".into(),
            ..ok
        };
        assert_eq!(
            order.validate().unwrap_err().for_field("good_percent"),
            Some("thresholds_out_of_order")
        );
    }

    #[test]
    fn a_decision_needs_its_verification_sanction_and_reasons() {
        let e = DecisionInput::default().validate().unwrap_err();
        for f in ["verification", "sanction", "reasons"] {
            assert_eq!(e.for_field(f), Some("required"), "{f}");
        }
        let e = DecisionInput {
            verification: "核实".into(),
            sanction: "jail".into(),
            reasons: "理由".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("sanction"), Some("invalid_choice"));
        let d = DecisionInput {
            verification: " 已核实 ".into(),
            sanction: "reassignment".into(),
            reasons: "连续三个月未完成".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(d.sanction, Sanction::Reassignment);
        assert_eq!(d.verification, "已核实");
        assert!(d.sanction.holds_accountable());
        assert!(!Sanction::None.holds_accountable());
    }
}
