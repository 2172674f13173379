//! The red/yellow/green cards (红黄绿牌): a signal for a task or key project computed by
//! explicit rules from its data. Every card carries each rule that fired and the figures that
//! made it fire, so that a supervisor confirming or overriding it sees why. Thresholds are an
//! organization's settings ([`CardRules`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validate::{ValidationErrors, Validator};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardColor {
    Green,
    Yellow,
    Red,
}

impl CardColor {
    pub fn as_str(self) -> &'static str {
        match self {
            CardColor::Green => "green",
            CardColor::Yellow => "yellow",
            CardColor::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<CardColor> {
        [CardColor::Green, CardColor::Yellow, CardColor::Red]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// An organization's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRules {
    /// Yellow when progress trails the time elapsed by more than this many points.
    pub lag_yellow_points: u32,
    /// Red when it trails by more than this many points.
    pub lag_red_points: u32,
    /// Yellow when the deadline is this many days away or fewer …
    pub near_deadline_days: u32,
    /// … and progress is below this percentage.
    pub near_deadline_progress: u32,
    /// Yellow when nothing was reported for this many days.
    pub stale_days: u32,
}

impl Default for CardRules {
    fn default() -> Self {
        CardRules {
            lag_yellow_points: 20,
            lag_red_points: 40,
            near_deadline_days: 3,
            near_deadline_progress: 50,
            stale_days: 14,
        }
    }
}

impl CardRules {
    pub fn validate(self) -> Result<CardRules, ValidationErrors> {
        let mut v = Validator::new();
        if !(1..=100).contains(&self.lag_yellow_points) {
            v.fail("lag_yellow_points", "out_of_range");
        }
        if !(self.lag_yellow_points..=100).contains(&self.lag_red_points) {
            v.fail("lag_red_points", "out_of_range");
        }
        if self.near_deadline_days > 31 {
            v.fail("near_deadline_days", "out_of_range");
        }
        if self.near_deadline_progress > 100 {
            v.fail("near_deadline_progress", "out_of_range");
        }
        if !(1..=366).contains(&self.stale_days) {
            v.fail("stale_days", "out_of_range");
        }
        v.finish().map(|()| self)
    }
}

/// What the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInput {
    /// When the work started (the first day of its month, or its arrangement).
    pub start: NaiveDate,
    pub deadline: NaiveDate,
    /// Reported progress, 0–100.
    pub progress: u32,
    /// Signed off (销号): done and verified.
    pub signed_off: bool,
    /// Submitted for sign-off and in the joint review: the unit has done its part, so time
    /// and silence no longer count against it (findings and carry-over still do).
    pub under_review: bool,
    /// Months the task has been carried over already.
    pub months_overdue: u32,
    /// The day of the last progress report, if any.
    pub last_update: Option<NaiveDate>,
    /// Inspection findings against it that are not closed (and that the unit may see: a
    /// covert inspection's findings count once the team publishes them).
    pub open_findings: u32,
    /// Milestones of a key project whose due date has passed without being reached (tasks: 0).
    pub overdue_milestones: u32,
    /// A supervisor flagged a concern.
    pub supervisor_concern: bool,
}

/// One rule that fired, with its figures (name, value) as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub rule: &'static str,
    pub color: CardColor,
    pub figures: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    pub color: CardColor,
    /// The rules that fired, worst first; a green card's single reason says why it is green.
    pub reasons: Vec<Reason>,
}

fn reason(rule: &'static str, color: CardColor, figures: Vec<(&'static str, String)>) -> Reason {
    Reason {
        rule,
        color,
        figures,
    }
}

/// Percentage of the time from `start` to `deadline` that has passed on `today`, 0–100.
pub fn elapsed_percent(start: NaiveDate, deadline: NaiveDate, today: NaiveDate) -> u32 {
    let total = (deadline - start).num_days().max(1);
    let gone = (today - start).num_days().clamp(0, total);
    u32::try_from(gone * 100 / total).unwrap_or(100)
}

/// The card of one task or key project on `today`.
pub fn compute(rules: &CardRules, x: &CardInput, today: NaiveDate) -> Card {
    if x.signed_off {
        return Card {
            color: CardColor::Green,
            reasons: vec![reason("signed_off", CardColor::Green, vec![])],
        };
    }
    let progress = x.progress.min(100);
    let mut reasons = Vec::new();
    if x.under_review {
        return review_card(x);
    }
    if today > x.deadline {
        let late = (today - x.deadline).num_days();
        reasons.push(reason(
            "deadline_passed",
            CardColor::Red,
            vec![
                ("deadline", x.deadline.to_string()),
                ("days_late", late.to_string()),
            ],
        ));
    }
    if x.months_overdue > 0 {
        reasons.push(reason(
            "carried_over",
            CardColor::Red,
            vec![("months_overdue", x.months_overdue.to_string())],
        ));
    }
    if x.overdue_milestones > 0 {
        reasons.push(reason(
            "milestone_overdue",
            CardColor::Red,
            vec![("overdue_milestones", x.overdue_milestones.to_string())],
        ));
    }
    if x.open_findings > 0 {
        reasons.push(reason(
            "inspection_finding",
            CardColor::Red,
            vec![("open_findings", x.open_findings.to_string())],
        ));
    }
    let elapsed = elapsed_percent(x.start, x.deadline, today);
    let lag = elapsed.saturating_sub(progress);
    let figures = || {
        vec![
            ("elapsed_percent", elapsed.to_string()),
            ("progress", progress.to_string()),
            ("lag_points", lag.to_string()),
        ]
    };
    if lag > rules.lag_red_points {
        reasons.push(reason("far_behind", CardColor::Red, figures()));
    } else if lag > rules.lag_yellow_points {
        reasons.push(reason("behind_schedule", CardColor::Yellow, figures()));
    }
    let days_left = (x.deadline - today).num_days();
    if (0..=i64::from(rules.near_deadline_days)).contains(&days_left)
        && progress < rules.near_deadline_progress
    {
        reasons.push(reason(
            "deadline_near",
            CardColor::Yellow,
            vec![
                ("days_left", days_left.to_string()),
                ("progress", progress.to_string()),
            ],
        ));
    }
    let quiet_since = x.last_update.unwrap_or(x.start);
    let quiet = (today - quiet_since).num_days();
    if quiet > i64::from(rules.stale_days) {
        reasons.push(reason(
            "no_update",
            CardColor::Yellow,
            vec![("days_without_update", quiet.to_string())],
        ));
    }
    if x.supervisor_concern {
        reasons.push(reason("supervisor_concern", CardColor::Yellow, vec![]));
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.color));
    match reasons.first().map(|r| r.color) {
        Some(color) => Card { color, reasons },
        None => Card {
            color: CardColor::Green,
            reasons: vec![reason("on_schedule", CardColor::Green, figures())],
        },
    }
}

/// What a card rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Task,
    Project,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Task => "task",
            Subject::Project => "project",
        }
    }

    pub fn parse(s: &str) -> Option<Subject> {
        [Subject::Task, Subject::Project]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A supervisor's judgement on a computed card (督查室确认): confirm it as computed, or set
/// another colour with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    Confirm,
    Override { color: CardColor, reason: String },
}

impl Judgement {
    /// Parses a judgement as typed: an empty or equal colour confirms; another colour is an
    /// override and needs a reason (at most 500 characters).
    pub fn parse(
        computed: CardColor,
        color: &str,
        reason: &str,
    ) -> Result<Judgement, ValidationErrors> {
        let color = match color.trim() {
            "" => computed,
            c => CardColor::parse(c)
                .ok_or_else(|| ValidationErrors::single("color", "invalid_color"))?,
        };
        if color == computed {
            return Ok(Judgement::Confirm);
        }
        let reason = crate::plan::reason("reason", reason)?;
        Ok(Judgement::Override { color, reason })
    }

    pub fn color(&self, computed: CardColor) -> CardColor {
        match self {
            Judgement::Confirm => computed,
            Judgement::Override { color, .. } => *color,
        }
    }
}

/// Whether a stored confirmation still stands after the card was computed again: an override
/// holds until a supervisor changes it; a plain confirmation lapses when the computed colour
/// moves, so that the new colour is looked at.
pub fn confirmation_stands(overridden: bool, confirmed_as: CardColor, computed: CardColor) -> bool {
    overridden || confirmed_as == computed
}

/// The card of a task in the joint review: red for carry-over or an open finding, else green.
fn review_card(x: &CardInput) -> Card {
    let mut reasons = Vec::new();
    if x.months_overdue > 0 {
        reasons.push(reason(
            "carried_over",
            CardColor::Red,
            vec![("months_overdue", x.months_overdue.to_string())],
        ));
    }
    if x.open_findings > 0 {
        reasons.push(reason(
            "inspection_finding",
            CardColor::Red,
            vec![("open_findings", x.open_findings.to_string())],
        ));
    }
    if reasons.is_empty() {
        return Card {
            color: CardColor::Green,
            reasons: vec![reason("under_review", CardColor::Green, vec![])],
        };
    }
    Card {
        color: CardColor::Red,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn task(progress: u32) -> CardInput {
        CardInput {
            start: d("2026-11-01"),
            deadline: d("2026-11-21"),
            progress,
            signed_off: false,
            under_review: false,
            months_overdue: 0,
            last_update: Some(d("2026-11-09")),
            open_findings: 0,
            overdue_milestones: 0,
            supervisor_concern: false,
        }
    }

    /// Runs the rules and returns the colour and the rules that fired, in order.
    fn check(x: &CardInput, today: &str) -> (CardColor, Vec<&'static str>) {
        let card = compute(&CardRules::default(), x, d(today));
        (card.color, card.reasons.iter().map(|r| r.rule).collect())
    }

    #[test]
    fn on_schedule_is_green_with_its_figures() {
        // Half the time gone (10 of 20 days), 45% done: 5 points behind is within the margin.
        let card = compute(&CardRules::default(), &task(45), d("2026-11-11"));
        assert_eq!(card.color, CardColor::Green);
        assert_eq!(card.reasons[0].rule, "on_schedule");
        assert!(
            card.reasons[0]
                .figures
                .contains(&("elapsed_percent", "50".into()))
        );
    }

    #[test]
    fn lagging_turns_yellow_then_red() {
        assert_eq!(
            check(&task(25), "2026-11-11"),
            (CardColor::Yellow, vec!["behind_schedule"])
        );
        assert_eq!(
            check(&task(5), "2026-11-11"),
            (CardColor::Red, vec!["far_behind"])
        );
        let card = compute(&CardRules::default(), &task(25), d("2026-11-11"));
        assert!(
            card.reasons[0]
                .figures
                .contains(&("lag_points", "25".into()))
        );
    }

    #[test]
    fn deadlines_near_and_passed() {
        // Two days left at 85% done: on schedule. At 45% on a task begun a month earlier: far
        // behind (red, listed first) and the deadline is near (yellow).
        let mut x = task(85);
        x.last_update = Some(d("2026-11-18"));
        assert_eq!(
            check(&x, "2026-11-19"),
            (CardColor::Green, vec!["on_schedule"])
        );
        let mut near = task(45);
        near.start = d("2026-10-20");
        near.last_update = Some(d("2026-11-18"));
        assert_eq!(
            check(&near, "2026-11-19").1,
            vec!["far_behind", "deadline_near"]
        );
        let mut late = task(90);
        late.last_update = Some(d("2026-11-20"));
        let card = compute(&CardRules::default(), &late, d("2026-11-23"));
        assert_eq!(
            (card.color, card.reasons[0].rule),
            (CardColor::Red, "deadline_passed")
        );
        assert!(card.reasons[0].figures.contains(&("days_late", "2".into())));
    }

    #[test]
    fn carry_over_findings_silence_and_concern() {
        let mut x = task(50);
        x.months_overdue = 2;
        assert_eq!(
            check(&x, "2026-11-11"),
            (CardColor::Red, vec!["carried_over"])
        );
        let mut x = task(50);
        x.open_findings = 1;
        assert_eq!(check(&x, "2026-11-11").0, CardColor::Red);
        let mut x = task(50);
        x.last_update = None;
        x.deadline = d("2026-11-30");
        assert_eq!(
            check(&x, "2026-11-16"),
            (CardColor::Yellow, vec!["no_update"])
        );
        let mut x = task(50);
        x.overdue_milestones = 1;
        assert_eq!(
            check(&x, "2026-11-11"),
            (CardColor::Red, vec!["milestone_overdue"])
        );
        let mut x = task(50);
        x.supervisor_concern = true;
        assert_eq!(
            check(&x, "2026-11-11"),
            (CardColor::Yellow, vec!["supervisor_concern"])
        );
    }

    #[test]
    fn a_task_under_review_is_no_longer_late() {
        let mut x = task(100);
        x.under_review = true;
        x.last_update = Some(d("2026-11-01"));
        assert_eq!(
            check(&x, "2026-12-03"),
            (CardColor::Green, vec!["under_review"])
        );
        x.open_findings = 1;
        assert_eq!(
            check(&x, "2026-12-03"),
            (CardColor::Red, vec!["inspection_finding"])
        );
    }

    #[test]
    fn signed_off_is_green_whatever_else() {
        let mut x = task(0);
        x.signed_off = true;
        x.months_overdue = 3;
        assert_eq!(
            check(&x, "2026-12-10"),
            (CardColor::Green, vec!["signed_off"])
        );
    }

    #[test]
    fn elapsed_percent_is_clamped() {
        assert_eq!(
            elapsed_percent(d("2026-11-01"), d("2026-11-21"), d("2026-10-01")),
            0
        );
        assert_eq!(
            elapsed_percent(d("2026-11-01"), d("2026-11-21"), d("2026-12-01")),
            100
        );
        assert_eq!(
            elapsed_percent(d("2026-11-01"), d("2026-11-01"), d("2026-11-01")),
            0
        );
    }

    #[test]
    fn judgements_confirm_or_override_with_a_reason() {
        use CardColor::*;
        assert_eq!(Judgement::parse(Yellow, "", ""), Ok(Judgement::Confirm));
        assert_eq!(
            Judgement::parse(Yellow, "yellow", ""),
            Ok(Judgement::Confirm)
        );
        assert_eq!(
            Judgement::parse(Yellow, "red", " 暗访发现进度不实 "),
            Ok(Judgement::Override {
                color: Red,
                reason: "暗访发现进度不实".into()
            })
        );
        assert_eq!(
            Judgement::parse(Yellow, "red", "")
                .unwrap_err()
                .for_field("reason"),
            Some("required")
        );
        assert_eq!(
            Judgement::parse(Green, "purple", "x")
                .unwrap_err()
                .for_field("color"),
            Some("invalid_color")
        );
        assert!(confirmation_stands(true, Red, Green));
        assert!(confirmation_stands(false, Yellow, Yellow));
        assert!(!confirmation_stands(false, Yellow, Red));
        assert_eq!(Subject::parse("project"), Some(Subject::Project));
    }

    #[test]
    fn rules_are_validated() {
        assert!(CardRules::default().validate().is_ok());
        let e = CardRules {
            lag_red_points: 10,
            stale_days: 0,
            ..CardRules::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("lag_red_points"), Some("out_of_range"));
        assert_eq!(e.for_field("stale_days"), Some("out_of_range"));
        assert_eq!(CardColor::parse("red"), Some(CardColor::Red));
    }
}
