//! Execution and supervision (督): progress reports, coordination requests (协调事项),
//! inspections (明察/暗访) with their findings and follow-ups (跟踪督办), and key projects
//! (重点在建项目) with milestones. Validated inputs and the pure rules about them (who may see a
//! covert finding, when a follow-up is overdue, what a key project's card looks at).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cards::CardInput;
use crate::plan::{TEXT_MAX, TITLE_MAX, parse_date, text};
use crate::validate::{ValidationErrors, Validator};

fn percent(v: &mut Validator, field: &str, raw: i64) -> u32 {
    match u32::try_from(raw) {
        Ok(p) if p <= 100 => p,
        _ => {
            v.fail(field, "out_of_range");
            0
        }
    }
}

fn date(v: &mut Validator, field: &str, raw: &str, required: bool) -> Option<NaiveDate> {
    if raw.trim().is_empty() {
        if required {
            v.fail(field, "required");
        }
        return None;
    }
    let d = parse_date(raw);
    if d.is_none() {
        v.fail(field, "invalid_date");
    }
    d
}

// ---- progress ----

/// A progress report on a task or a key project as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressInput {
    pub percent: i64,
    pub narrative: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub percent: u32,
    pub narrative: String,
}

impl ProgressInput {
    pub fn validate(&self) -> Result<Progress, ValidationErrors> {
        let mut v = Validator::new();
        let percent = percent(&mut v, "percent", self.percent);
        let narrative = text(&mut v, "narrative", &self.narrative, TEXT_MAX, true);
        v.finish()?;
        Ok(Progress { percent, narrative })
    }
}

// ---- coordination requests ----

/// The life of a coordination request: raised and open to proposed solutions, decided by the
/// office meeting (with an owner and a deadline), then resolved.
pub const COORDINATION_STATUSES: [&str; 3] = ["open", "decided", "resolved"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoordinationInput {
    pub title: String,
    pub description: String,
    /// The other units whose help is needed.
    pub involved_unit_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoordinationDraft {
    pub title: String,
    pub description: String,
    pub involved_unit_ids: Vec<i64>,
}

impl CoordinationInput {
    pub fn validate(&self) -> Result<CoordinationDraft, ValidationErrors> {
        let mut v = Validator::new();
        let title = text(&mut v, "title", &self.title, TITLE_MAX, true);
        let description = text(&mut v, "description", &self.description, TEXT_MAX, true);
        let mut involved = self.involved_unit_ids.clone();
        involved.sort_unstable();
        involved.dedup();
        if involved.len() > 20 {
            v.fail("involved_unit_ids", "too_many");
        }
        v.finish()?;
        Ok(CoordinationDraft {
            title,
            description,
            involved_unit_ids: involved,
        })
    }
}

/// A proposed solution or a resolution note: required, at most 2000 characters.
pub fn body(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let mut v = Validator::new();
    let b = text(&mut v, field, raw, TEXT_MAX, true);
    v.finish().map(|()| b)
}

/// The office meeting's decision on a coordination request as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionInput {
    pub decision: String,
    pub owner_unit_id: Option<i64>,
    pub deadline: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub decision: String,
    pub owner_unit_id: i64,
    pub deadline: NaiveDate,
}

impl DecisionInput {
    /// A decision names what is decided, the unit that carries it out and a deadline that is
    /// not in the past.
    pub fn validate(&self, today: NaiveDate) -> Result<Decision, ValidationErrors> {
        let mut v = Validator::new();
        let decision = text(&mut v, "decision", &self.decision, TEXT_MAX, true);
        if self.owner_unit_id.is_none() {
            v.fail("owner_unit_id", "required");
        }
        let deadline = date(&mut v, "deadline", &self.deadline, true);
        if deadline.is_some_and(|d| d < today) {
            v.fail("deadline", "date_in_past");
        }
        v.finish()?;
        Ok(Decision {
            decision,
            owner_unit_id: self.owner_unit_id.unwrap_or_default(),
            deadline: deadline.unwrap_or(today),
        })
    }
}

// ---- inspections ----

/// Scheduled (定期) or random (随机).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    Scheduled,
    Random,
}

/// Open (明察, announced) or covert (暗访, unannounced).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionMode {
    Open,
    Covert,
}

impl InspectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::Scheduled => "scheduled",
            InspectionKind::Random => "random",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [InspectionKind::Scheduled, InspectionKind::Random]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

impl InspectionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionMode::Open => "open",
            InspectionMode::Covert => "covert",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [InspectionMode::Open, InspectionMode::Covert]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

/// Whether an inspection (and its findings and follow-ups) is hidden from the units it
/// concerns: a covert inspection stays with the team until the team publishes it.
pub fn hidden_from_units(mode: InspectionMode, published: bool) -> bool {
    mode == InspectionMode::Covert && !published
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionInput {
    pub kind: String,
    pub mode: String,
    pub title: String,
    pub scope: String,
    pub planned_on: String,
    /// The units to be inspected.
    pub unit_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionDraft {
    pub kind: InspectionKind,
    pub mode: InspectionMode,
    pub title: String,
    pub scope: String,
    pub planned_on: NaiveDate,
    pub unit_ids: Vec<i64>,
}

impl InspectionInput {
    pub fn validate(&self) -> Result<InspectionDraft, ValidationErrors> {
        let mut v = Validator::new();
        let kind = InspectionKind::parse(&self.kind);
        if kind.is_none() {
            v.fail("kind", "invalid_choice");
        }
        let mode = InspectionMode::parse(&self.mode);
        if mode.is_none() {
            v.fail("mode", "invalid_choice");
        }
        let title = text(&mut v, "title", &self.title, TITLE_MAX, true);
        let scope = text(&mut v, "scope", &self.scope, TEXT_MAX, false);
        let planned_on = date(&mut v, "planned_on", &self.planned_on, true);
        let mut units = self.unit_ids.clone();
        units.sort_unstable();
        units.dedup();
        if units.is_empty() {
            v.fail("inspected_unit_ids", "required");
        } else if units.len() > 100 {
            v.fail("inspected_unit_ids", "too_many");
        }
        v.finish()?;
        Ok(InspectionDraft {
            kind: kind.unwrap_or(InspectionKind::Scheduled),
            mode: mode.unwrap_or(InspectionMode::Open),
            title,
            scope,
            planned_on: planned_on.unwrap_or_default(),
            unit_ids: units,
        })
    }
}

/// How serious a finding is.
pub const SEVERITIES: [&str; 2] = ["general", "serious"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingInput {
    pub unit_id: Option<i64>,
    pub task_id: Option<i64>,
    pub key_project_id: Option<i64>,
    pub severity: String,
    pub description: String,
    pub found_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingDraft {
    pub unit_id: i64,
    pub task_id: Option<i64>,
    pub key_project_id: Option<i64>,
    pub severity: &'static str,
    pub description: String,
    pub found_on: NaiveDate,
}

impl FindingInput {
    /// A finding concerns a unit (and optionally one of its tasks or a key project), was
    /// found on a day that has come, and says what was found.
    pub fn validate(&self, today: NaiveDate) -> Result<FindingDraft, ValidationErrors> {
        let mut v = Validator::new();
        if self.unit_id.is_none() {
            v.fail("unit_id", "required");
        }
        let severity = SEVERITIES
            .into_iter()
            .find(|s| *s == self.severity.trim())
            .unwrap_or_else(|| {
                v.fail("severity", "invalid_choice");
                SEVERITIES[0]
            });
        let description = text(&mut v, "description", &self.description, TEXT_MAX, true);
        let found_on = if self.found_on.trim().is_empty() {
            Some(today)
        } else {
            date(&mut v, "found_on", &self.found_on, true)
        };
        if found_on.is_some_and(|d| d > today) {
            v.fail("found_on", "date_in_future");
        }
        v.finish()?;
        Ok(FindingDraft {
            unit_id: self.unit_id.unwrap_or_default(),
            task_id: self.task_id,
            key_project_id: self.key_project_id,
            severity,
            description,
            found_on: found_on.unwrap_or(today),
        })
    }
}

/// A follow-up action (跟踪督办) on a finding as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUpInput {
    pub action: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpDraft {
    pub action: String,
    pub due_on: NaiveDate,
}

impl FollowUpInput {
    pub fn validate(&self, today: NaiveDate) -> Result<FollowUpDraft, ValidationErrors> {
        let mut v = Validator::new();
        let action = text(&mut v, "required_action", &self.action, TEXT_MAX, true);
        let due_on = date(&mut v, "due_on", &self.due_on, true);
        if due_on.is_some_and(|d| d < today) {
            v.fail("due_on", "date_in_past");
        }
        v.finish()?;
        Ok(FollowUpDraft {
            action,
            due_on: due_on.unwrap_or(today),
        })
    }
}

/// Where a follow-up (跟踪督办) is: 下发 (issued, waiting for the unit's 整改反馈), answered
/// (waiting for the team's 核验), sent back (the unit must answer again), or 办结 (the team
/// accepted the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    Issued,
    Answered,
    Returned,
    Closed,
}

/// What moves a follow-up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpEvent {
    /// The unit reports what it rectified, with its evidence.
    Answer,
    /// The team verifies the answer and accepts it.
    Accept,
    /// The team verifies the answer and sends it back, saying why.
    SendBack,
}

impl FollowUpStatus {
    pub const ALL: [FollowUpStatus; 4] = [
        FollowUpStatus::Issued,
        FollowUpStatus::Answered,
        FollowUpStatus::Returned,
        FollowUpStatus::Closed,
    ];

    /// The stored value (`open` for an issued follow-up, as it has always been stored).
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpStatus::Issued => "open",
            FollowUpStatus::Answered => "answered",
            FollowUpStatus::Returned => "returned",
            FollowUpStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpStatus> {
        FollowUpStatus::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the unit owes an answer: issued, or sent back.
    pub fn awaiting_unit(self) -> bool {
        matches!(self, FollowUpStatus::Issued | FollowUpStatus::Returned)
    }

    /// Where `event` takes a follow-up from here, or the code of why it cannot.
    pub fn after(self, event: FollowUpEvent) -> Result<FollowUpStatus, &'static str> {
        use FollowUpEvent::*;
        use FollowUpStatus::*;
        match (self, event) {
            (Closed, _) => Err("already_closed"),
            (Issued | Returned, Answer) => Ok(Answered),
            (Answered, Answer) => Err("already_answered"),
            (Answered, Accept) => Ok(Closed),
            (Answered, SendBack) => Ok(Returned),
            (Issued | Returned, Accept | SendBack) => Err("not_answered"),
        }
    }
}

/// A finding may be closed only when every one of its follow-ups is 办结.
pub fn finding_closable(follow_ups: impl IntoIterator<Item = FollowUpStatus>) -> bool {
    follow_ups.into_iter().all(|s| s == FollowUpStatus::Closed)
}

/// A follow-up is overdue when its due day has passed and the unit still owes an answer.
pub fn follow_up_overdue(due_on: NaiveDate, status: FollowUpStatus, today: NaiveDate) -> bool {
    status.awaiting_unit() && today > due_on
}

/// Days a follow-up is past due (0 when not yet due, or when the unit has answered).
pub fn days_overdue(due_on: NaiveDate, status: FollowUpStatus, today: NaiveDate) -> i64 {
    if follow_up_overdue(due_on, status, today) {
        (today - due_on).num_days()
    } else {
        0
    }
}

// ---- key projects ----

pub const PROJECT_STATUSES: [&str; 3] = ["active", "completed", "suspended"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyProjectInput {
    pub name: String,
    pub unit_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub description: String,
    /// Planned investment in 万元 (ten thousand yuan), as typed; empty means unknown.
    pub investment: String,
    pub start_on: String,
    pub end_on: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyProjectDraft {
    pub name: String,
    pub unit_id: i64,
    pub leader_id: Option<i64>,
    pub description: String,
    pub investment: Option<i64>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub status: &'static str,
}

impl KeyProjectInput {
    pub fn validate(&self) -> Result<KeyProjectDraft, ValidationErrors> {
        let mut v = Validator::new();
        let name = text(&mut v, "name", &self.name, TITLE_MAX, true);
        if self.unit_id.is_none() {
            v.fail("unit_id", "required");
        }
        let description = text(&mut v, "description", &self.description, TEXT_MAX, false);
        let investment = match self.investment.trim() {
            "" => None,
            raw => match raw.replace(',', "").parse::<i64>() {
                Ok(n) if (0..=1_000_000_000).contains(&n) => Some(n),
                Ok(_) => {
                    v.fail("investment", "out_of_range");
                    None
                }
                Err(_) => {
                    v.fail("investment", "not_a_number");
                    None
                }
            },
        };
        let start_on = date(&mut v, "start_on", &self.start_on, true);
        let end_on = date(&mut v, "end_on", &self.end_on, true);
        if let (Some(s), Some(e)) = (start_on, end_on)
            && e < s
        {
            v.fail("end_on", "end_before_start");
        }
        let status = match self.status.trim() {
            "" => PROJECT_STATUSES[0],
            s => PROJECT_STATUSES
                .into_iter()
                .find(|p| *p == s)
                .unwrap_or_else(|| {
                    v.fail("status", "invalid_choice");
                    PROJECT_STATUSES[0]
                }),
        };
        v.finish()?;
        Ok(KeyProjectDraft {
            name,
            unit_id: self.unit_id.unwrap_or_default(),
            leader_id: self.leader_id,
            description,
            investment,
            start_on: start_on.unwrap_or_default(),
            end_on: end_on.unwrap_or_default(),
            status,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneDraft {
    pub title: String,
    pub due_on: NaiveDate,
}

impl MilestoneInput {
    /// A milestone falls within its project's dates.
    pub fn validate(
        &self,
        start_on: NaiveDate,
        end_on: NaiveDate,
    ) -> Result<MilestoneDraft, ValidationErrors> {
        let mut v = Validator::new();
        let title = text(&mut v, "title", &self.title, TITLE_MAX, true);
        let due_on = date(&mut v, "due_on", &self.due_on, true);
        if due_on.is_some_and(|d| d < start_on || d > end_on) {
            v.fail("due_on", "outside_project");
        }
        v.finish()?;
        Ok(MilestoneDraft {
            title,
            due_on: due_on.unwrap_or(start_on),
        })
    }
}

/// What a key project's card is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub progress: u32,
    pub completed: bool,
    pub last_update: Option<NaiveDate>,
    /// Due dates of milestones not yet reached.
    pub open_milestones: Vec<NaiveDate>,
    pub open_findings: u32,
    pub supervisor_concern: bool,
}

/// The card input of a key project on `today`: its whole span against its overall progress,
/// with every milestone past due counted.
pub fn project_card_input(p: &ProjectFacts, today: NaiveDate) -> CardInput {
    CardInput {
        start: p.start_on,
        deadline: p.end_on,
        progress: p.progress,
        signed_off: p.completed,
        under_review: false,
        months_overdue: 0,
        last_update: p.last_update,
        open_findings: p.open_findings,
        overdue_milestones: u32::try_from(p.open_milestones.iter().filter(|d| **d < today).count())
            .unwrap_or(u32::MAX),
        supervisor_concern: p.supervisor_concern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::{CardColor, CardRules, compute};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn progress_is_a_percentage_with_a_narrative() {
        let ok = ProgressInput {
            percent: 60,
            narrative: " 已完成签约 18 户 ".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(
            (ok.percent, ok.narrative.as_str()),
            (60, "已完成签约 18 户")
        );
        let e = ProgressInput {
            percent: 101,
            narrative: String::new(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("percent"), Some("out_of_range"));
        assert_eq!(e.for_field("narrative"), Some("required"));
        assert!(
            ProgressInput {
                percent: -1,
                narrative: "x".into()
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn coordination_and_decisions() {
        let c = CoordinationInput {
            title: "万达广场项目用地红线内管线迁改".into(),
            description: "需供电、燃气单位配合".into(),
            involved_unit_ids: vec![5, 3, 5],
        }
        .validate()
        .unwrap();
        assert_eq!(c.involved_unit_ids, vec![3, 5]);
        let today = d("2026-11-10");
        let e = DecisionInput {
            decision: "".into(),
            owner_unit_id: None,
            deadline: "2026-11-01".into(),
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(e.for_field("decision"), Some("required"));
        assert_eq!(e.for_field("owner_unit_id"), Some("required"));
        assert_eq!(e.for_field("deadline"), Some("date_in_past"));
        let ok = DecisionInput {
            decision: "由规划建设局牵头".into(),
            owner_unit_id: Some(9),
            deadline: "2026-11-20".into(),
        }
        .validate(today)
        .unwrap();
        assert_eq!(ok.deadline, d("2026-11-20"));
        assert!(body("body", " ").is_err());
    }

    #[test]
    fn inspections_findings_and_follow_ups() {
        let e = InspectionInput::default().validate().unwrap_err();
        for f in ["kind", "mode", "title", "planned_on", "inspected_unit_ids"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let i = InspectionInput {
            kind: "random".into(),
            mode: "covert".into(),
            title: "重点项目工地暗访".into(),
            scope: String::new(),
            planned_on: "2026-11-12".into(),
            unit_ids: vec![4, 4],
        }
        .validate()
        .unwrap();
        assert_eq!(
            (i.kind, i.mode, i.unit_ids),
            (InspectionKind::Random, InspectionMode::Covert, vec![4])
        );
        assert!(hidden_from_units(InspectionMode::Covert, false));
        assert!(!hidden_from_units(InspectionMode::Covert, true));
        assert!(!hidden_from_units(InspectionMode::Open, false));

        let today = d("2026-11-10");
        let f = FindingInput {
            unit_id: Some(3),
            severity: "serious".into(),
            description: "现场无施工人员".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!((f.found_on, f.severity), (today, "serious"));
        let e = FindingInput {
            unit_id: Some(3),
            severity: "x".into(),
            description: "y".into(),
            found_on: "2026-11-11".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(e.for_field("severity"), Some("invalid_choice"));
        assert_eq!(e.for_field("found_on"), Some("date_in_future"));

        assert_eq!(
            FollowUpInput {
                action: "限期三日内整改".into(),
                due_on: "2026-11-09".into()
            }
            .validate(today)
            .unwrap_err()
            .for_field("due_on"),
            Some("date_in_past")
        );
        assert!(follow_up_overdue(
            d("2026-11-09"),
            FollowUpStatus::Issued,
            today
        ));
        assert!(follow_up_overdue(
            d("2026-11-09"),
            FollowUpStatus::Returned,
            today
        ));
        assert!(!follow_up_overdue(
            d("2026-11-10"),
            FollowUpStatus::Issued,
            today
        ));
        assert!(!follow_up_overdue(
            d("2026-11-01"),
            FollowUpStatus::Answered,
            today
        ));
        assert!(!follow_up_overdue(
            d("2026-11-01"),
            FollowUpStatus::Closed,
            today
        ));
        assert_eq!(
            days_overdue(d("2026-11-07"), FollowUpStatus::Issued, today),
            3
        );
    }

    #[test]
    fn key_projects_and_their_cards() {
        let e = KeyProjectInput {
            name: "万达广场".into(),
            unit_id: Some(1),
            investment: "很多".into(),
            start_on: "2026-03-01".into(),
            end_on: "2025-12-31".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("investment"), Some("not_a_number"));
        assert_eq!(e.for_field("end_on"), Some("end_before_start"));
        let p = KeyProjectInput {
            name: "万达广场".into(),
            unit_id: Some(1),
            investment: "1,200,000".into(),
            start_on: "2026-01-01".into(),
            end_on: "2027-12-31".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!((p.investment, p.status), (Some(1_200_000), "active"));
        assert_eq!(
            MilestoneInput {
                title: "主体封顶".into(),
                due_on: "2028-01-01".into()
            }
            .validate(p.start_on, p.end_on)
            .unwrap_err()
            .for_field("due_on"),
            Some("outside_project")
        );

        let facts = ProjectFacts {
            start_on: d("2026-01-01"),
            end_on: d("2027-12-31"),
            progress: 45,
            completed: false,
            last_update: Some(d("2026-11-05")),
            open_milestones: vec![d("2026-10-31"), d("2027-06-30")],
            open_findings: 0,
            supervisor_concern: false,
        };
        let today = d("2026-11-10");
        let x = project_card_input(&facts, today);
        assert_eq!(x.overdue_milestones, 1);
        let card = compute(&CardRules::default(), &x, today);
        assert_eq!(card.color, CardColor::Red);
        assert_eq!(card.reasons[0].rule, "milestone_overdue");
        let on_time = ProjectFacts {
            open_milestones: vec![d("2027-06-30")],
            ..facts
        };
        assert_eq!(
            compute(
                &CardRules::default(),
                &project_card_input(&on_time, today),
                today
            )
            .color,
            CardColor::Green
        );
    }

    #[test]
    fn a_follow_up_is_issued_answered_verified_and_closed_or_sent_back() {
        use FollowUpEvent::*;
        use FollowUpStatus::*;
        assert_eq!(Issued.after(Answer), Ok(Answered));
        assert_eq!(Answered.after(SendBack), Ok(Returned));
        assert_eq!(Returned.after(Answer), Ok(Answered));
        assert_eq!(Answered.after(Accept), Ok(Closed));
        assert_eq!(Issued.after(Accept), Err("not_answered"));
        assert_eq!(Returned.after(SendBack), Err("not_answered"));
        assert_eq!(Answered.after(Answer), Err("already_answered"));
        for e in [Answer, Accept, SendBack] {
            assert_eq!(Closed.after(e), Err("already_closed"));
        }
        for s in FollowUpStatus::ALL {
            assert_eq!(FollowUpStatus::parse(s.as_str()), Some(s));
        }
        assert!(finding_closable([]));
        assert!(finding_closable([Closed, Closed]));
        assert!(!finding_closable([Closed, Answered]));
    }
}
