//! The monthly plan (预安): the month as a period, its calendar and phases, the life of a task
//! from proposal to arrangement, and the validated inputs of proposals, assigned items and
//! change requests. Pure rules: dates come in as arguments.

use std::fmt;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validate::{ValidationErrors, Validator};

/// A calendar month, the period of one cycle. Written `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        ((1..=12).contains(&month) && (2000..=2200).contains(&year))
            .then_some(YearMonth { year, month })
    }

    /// Parses `2026-11` (also `2026-1`).
    pub fn parse(s: &str) -> Option<YearMonth> {
        let (y, m) = s.trim().split_once('-')?;
        YearMonth::new(y.parse().ok()?, m.parse().ok()?)
    }

    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day() - Duration::days(1)
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        YearMonth::of(date) == self
    }

    /// A date of this month, clamped to its last day (day 31 of a 30-day month is the 30th).
    pub fn day(self, day: u32) -> NaiveDate {
        let last = self.last_day();
        NaiveDate::from_ymd_opt(self.year, self.month, day.clamp(1, last.day())).unwrap_or(last)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// When each step of a month's cycle happens. Defaults follow DOMAIN.md; each organization may
/// set its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// Day of the previous month on which proposals open (预, "about the 20th").
    pub proposal_open_day: u32,
    /// Last day of the month's first days on which the office meeting arranges (安).
    pub arrangement_day: u32,
    /// How many last days of the month form the sign-off window (销号).
    pub sign_off_days: u32,
    /// Last day of the next month's first days for the joint review (三部联审).
    pub review_end_day: u32,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            proposal_open_day: 20,
            arrangement_day: 3,
            sign_off_days: 5,
            review_end_day: 5,
        }
    }
}

impl Calendar {
    pub fn validate(self) -> Result<Calendar, ValidationErrors> {
        let mut v = Validator::new();
        if !(1..=28).contains(&self.proposal_open_day) {
            v.fail("proposal_open_day", "out_of_range");
        }
        if !(1..=10).contains(&self.arrangement_day) {
            v.fail("arrangement_day", "out_of_range");
        }
        if !(1..=10).contains(&self.sign_off_days) {
            v.fail("sign_off_days", "out_of_range");
        }
        if !(1..=15).contains(&self.review_end_day) {
            v.fail("review_end_day", "out_of_range");
        }
        v.finish().map(|()| self)
    }

    /// The day proposals for `m` open (in the previous month).
    pub fn proposals_open(self, m: YearMonth) -> NaiveDate {
        m.prev().day(self.proposal_open_day)
    }

    /// The last day on which proposals for `m` are due: the day before `m` begins.
    pub fn proposals_due(self, m: YearMonth) -> NaiveDate {
        m.first_day() - Duration::days(1)
    }

    /// The last day of the arrangement.
    pub fn arrangement_due(self, m: YearMonth) -> NaiveDate {
        m.day(self.arrangement_day)
    }

    pub fn sign_off_opens(self, m: YearMonth) -> NaiveDate {
        m.last_day() - Duration::days(i64::from(self.sign_off_days) - 1)
    }

    pub fn review_due(self, m: YearMonth) -> NaiveDate {
        m.next().day(self.review_end_day)
    }

    /// The phase the calendar puts month `m` in on `date`.
    pub fn phase_on(self, m: YearMonth, date: NaiveDate) -> Phase {
        if date < self.proposals_open(m) {
            Phase::Upcoming
        } else if date < m.first_day() {
            Phase::Proposing
        } else if date <= self.arrangement_due(m) {
            Phase::Arranging
        } else if date < self.sign_off_opens(m) {
            Phase::Executing
        } else if date <= m.last_day() {
            Phase::SigningOff
        } else {
            Phase::Reviewing
        }
    }

    /// The phase in force on `today`, given the stored phase, if a person moved it by hand
    /// the day they did, and whether the month is arranged. A manual move holds until the
    /// calendar crosses its next boundary; an arranged month is past proposing (its plan is
    /// the baseline, whatever the date); a closed month stays closed.
    pub fn effective_phase(
        self,
        m: YearMonth,
        today: NaiveDate,
        stored: Phase,
        manual_on: Option<NaiveDate>,
        arranged: bool,
    ) -> Phase {
        if stored == Phase::Closed {
            return Phase::Closed;
        }
        let phase = match manual_on {
            Some(d) if self.phase_on(m, d) == self.phase_on(m, today) => stored,
            _ => self.phase_on(m, today),
        };
        if arranged && phase < Phase::Arranging {
            Phase::Arranging
        } else {
            phase
        }
    }
}

/// The phases of a month's cycle (DOMAIN.md "The monthly cycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Upcoming,
    Proposing,
    Arranging,
    Executing,
    SigningOff,
    Reviewing,
    Closed,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::Upcoming,
        Phase::Proposing,
        Phase::Arranging,
        Phase::Executing,
        Phase::SigningOff,
        Phase::Reviewing,
        Phase::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Upcoming => "upcoming",
            Phase::Proposing => "proposing",
            Phase::Arranging => "arranging",
            Phase::Executing => "executing",
            Phase::SigningOff => "signing_off",
            Phase::Reviewing => "reviewing",
            Phase::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether units may propose, edit and submit drafts.
    pub fn accepts_proposals(self) -> bool {
        self == Phase::Proposing
    }

    /// Why a month in this phase takes no proposal, edit or submission, or `None` when it
    /// does: not open yet, arranged (new work enters only as a change request or an assigned
    /// item), or past its proposing.
    pub fn proposals_refused(self, arranged: bool) -> Option<&'static str> {
        match self {
            Phase::Proposing if !arranged => None,
            Phase::Upcoming => Some("proposals_not_open"),
            Phase::Closed => Some("month_closed"),
            _ if arranged => Some("month_arranged"),
            _ => Some("proposals_closed"),
        }
    }

    /// Whether leaders and the office meeting may decide on proposals.
    pub fn accepts_decisions(self) -> bool {
        matches!(self, Phase::Proposing | Phase::Arranging)
    }
}

/// Where a task is in its life (DOMAIN.md "A task's life"). A proposal and the task it becomes
/// are one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Being written by the unit; editable.
    Draft,
    /// Sent to the leader in charge and the office meeting.
    Submitted,
    /// Sent back (by the leader) with a reason; editable and resubmittable.
    Returned,
    /// Approved, possibly adjusted, by the leader in charge.
    LeaderApproved,
    /// Accepted by the office meeting; becomes a task when the month is arranged.
    Accepted,
    Rejected,
    /// Folded into another proposal.
    Merged,
    /// Part of the month's baseline plan.
    Arranged,
    /// In the plan, with progress reported (督).
    InProgress,
    /// The unit submitted its sign-off form (销号审批表); the joint review is under way.
    SignOffSubmitted,
    /// The leading group returned the sign-off; the unit may resubmit.
    SignOffReturned,
    /// The unit stated that it will not finish this month, why, and what comes next.
    DeclaredUnfinished,
    /// Struck off the ledger (销号) after the joint review.
    SignedOff,
    /// Unsigned when the month closed: a task of the next month continues it.
    CarriedOver,
    /// Dropped through an approved change request.
    Withdrawn,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 15] = [
        TaskStatus::Draft,
        TaskStatus::Submitted,
        TaskStatus::Returned,
        TaskStatus::LeaderApproved,
        TaskStatus::Accepted,
        TaskStatus::Rejected,
        TaskStatus::Merged,
        TaskStatus::Arranged,
        TaskStatus::InProgress,
        TaskStatus::SignOffSubmitted,
        TaskStatus::SignOffReturned,
        TaskStatus::DeclaredUnfinished,
        TaskStatus::SignedOff,
        TaskStatus::CarriedOver,
        TaskStatus::Withdrawn,
    ];

    /// The statuses of tasks in the month's plan (what tables and cards cover), from
    /// arrangement to sign-off or carry-over.
    pub const PLANNED: [TaskStatus; 7] = [
        TaskStatus::Arranged,
        TaskStatus::InProgress,
        TaskStatus::SignOffSubmitted,
        TaskStatus::SignOffReturned,
        TaskStatus::DeclaredUnfinished,
        TaskStatus::SignedOff,
        TaskStatus::CarriedOver,
    ];

    /// Proposals still in play before the month is arranged: what a unit's plan table lists
    /// until then.
    pub const PROPOSED: [TaskStatus; 5] = [
        TaskStatus::Draft,
        TaskStatus::Submitted,
        TaskStatus::Returned,
        TaskStatus::LeaderApproved,
        TaskStatus::Accepted,
    ];

    /// Planned and still being worked on: progress may be reported, a change requested, a
    /// sign-off form submitted.
    pub const OPEN: [TaskStatus; 4] = [
        TaskStatus::Arranged,
        TaskStatus::InProgress,
        TaskStatus::SignOffReturned,
        TaskStatus::DeclaredUnfinished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Draft => "draft",
            TaskStatus::Submitted => "submitted",
            TaskStatus::Returned => "returned",
            TaskStatus::LeaderApproved => "leader_approved",
            TaskStatus::Accepted => "accepted",
            TaskStatus::Rejected => "rejected",
            TaskStatus::Merged => "merged",
            TaskStatus::Arranged => "arranged",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::SignOffSubmitted => "sign_off_submitted",
            TaskStatus::SignOffReturned => "sign_off_returned",
            TaskStatus::DeclaredUnfinished => "declared_unfinished",
            TaskStatus::SignedOff => "signed_off",
            TaskStatus::CarriedOver => "carried_over",
            TaskStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the unit may still edit the proposal.
    pub fn editable_by_unit(self) -> bool {
        matches!(self, TaskStatus::Draft | TaskStatus::Returned)
    }

    /// Waiting for a decision of the leader in charge or the office meeting.
    pub fn awaiting_decision(self) -> bool {
        matches!(self, TaskStatus::Submitted | TaskStatus::LeaderApproved)
    }

    /// Part of the arranged plan: what the month's tables list.
    pub fn in_plan(self) -> bool {
        TaskStatus::PLANNED.contains(&self)
    }

    /// In the plan and still being worked on.
    pub fn is_open(self) -> bool {
        TaskStatus::OPEN.contains(&self)
    }
}

/// Something that happens to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskEvent {
    Submit,
    LeaderApprove,
    LeaderAdjust,
    LeaderReturn,
    Accept,
    Change,
    Reject,
    Merge,
    Arrange,
    /// The owner reported progress.
    Progress,
    /// The unit head submitted the sign-off form.
    SubmitSignOff,
    /// The unit stated the task unfinished this month.
    DeclareUnfinished,
    /// The leading group signed it off.
    SignOff,
    /// The leading group returned the sign-off.
    ReturnSignOff,
    /// The month closed with the task unsigned.
    CarryOver,
    Withdraw,
}

impl TaskEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskEvent::Submit => "submit",
            TaskEvent::LeaderApprove => "leader_approve",
            TaskEvent::LeaderAdjust => "leader_adjust",
            TaskEvent::LeaderReturn => "leader_return",
            TaskEvent::Accept => "accept",
            TaskEvent::Change => "change",
            TaskEvent::Reject => "reject",
            TaskEvent::Merge => "merge",
            TaskEvent::Arrange => "arrange",
            TaskEvent::Progress => "progress",
            TaskEvent::SubmitSignOff => "submit_sign_off",
            TaskEvent::DeclareUnfinished => "declare_unfinished",
            TaskEvent::SignOff => "sign_off",
            TaskEvent::ReturnSignOff => "return_sign_off",
            TaskEvent::CarryOver => "carry_over",
            TaskEvent::Withdraw => "withdraw",
        }
    }
}

/// The state machine: the status after `event`, or the error code that refuses it.
pub fn transition(from: TaskStatus, event: TaskEvent) -> Result<TaskStatus, &'static str> {
    use TaskEvent as E;
    use TaskStatus as S;
    match (from, event) {
        (S::Draft | S::Returned, E::Submit) => Ok(S::Submitted),
        (S::Submitted | S::LeaderApproved, E::LeaderApprove | E::LeaderAdjust) => {
            Ok(S::LeaderApproved)
        }
        (S::Submitted | S::LeaderApproved, E::LeaderReturn) => Ok(S::Returned),
        (S::Submitted | S::LeaderApproved, E::Accept) => Ok(S::Accepted),
        (S::Submitted | S::LeaderApproved | S::Accepted, E::Change) => Ok(S::Accepted),
        (S::Submitted | S::LeaderApproved | S::Accepted, E::Reject) => Ok(S::Rejected),
        (S::Submitted | S::LeaderApproved | S::Accepted, E::Merge) => Ok(S::Merged),
        (S::Accepted, E::Arrange) => Ok(S::Arranged),
        (S::Arranged | S::InProgress, E::Progress) => Ok(S::InProgress),
        // Reports go on after a return or an unfinished statement; the status stays.
        (s @ (S::SignOffReturned | S::DeclaredUnfinished), E::Progress) => Ok(s),
        (
            S::Arranged | S::InProgress | S::SignOffReturned | S::DeclaredUnfinished,
            E::SubmitSignOff,
        ) => Ok(S::SignOffSubmitted),
        (S::Arranged | S::InProgress | S::SignOffReturned, E::DeclareUnfinished) => {
            Ok(S::DeclaredUnfinished)
        }
        (S::SignOffSubmitted, E::SignOff) => Ok(S::SignedOff),
        (S::SignOffSubmitted, E::ReturnSignOff) => Ok(S::SignOffReturned),
        (
            S::Arranged
            | S::InProgress
            | S::SignOffSubmitted
            | S::SignOffReturned
            | S::DeclaredUnfinished,
            E::CarryOver,
        ) => Ok(S::CarriedOver),
        (S::Arranged | S::InProgress | S::SignOffReturned | S::DeclaredUnfinished, E::Withdraw) => {
            Ok(S::Withdrawn)
        }
        _ => Err("invalid_transition"),
    }
}

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 2000;

/// The fields of a proposal or assigned item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskInput {
    pub title: String,
    pub content: String,
    pub criterion: String,
    /// `YYYY-MM-DD`
    pub deadline: String,
    pub key_point_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub post_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub is_key_work: bool,
    /// The key project (重点在建项目) the task advances, if any.
    pub key_project_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskDraft {
    pub title: String,
    pub content: String,
    pub criterion: String,
    pub deadline: NaiveDate,
    pub key_point_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub post_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub is_key_work: bool,
    pub key_project_id: Option<i64>,
}

pub(crate) fn text(
    v: &mut Validator,
    field: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> String {
    let t = raw.trim();
    if required && t.is_empty() {
        v.fail(field, "required");
    } else if t.chars().count() > max {
        v.fail(field, "too_long");
    }
    t.to_owned()
}

/// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim().replace('/', "-");
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()
}

impl TaskInput {
    /// Validates a task of month `m`. Every planned task traces to a key point unless it is an
    /// assigned item; its deadline lies within the month.
    pub fn validate(&self, m: YearMonth, assigned: bool) -> Result<TaskDraft, ValidationErrors> {
        let mut v = Validator::new();
        let title = text(&mut v, "title", &self.title, TITLE_MAX, true);
        let content = text(&mut v, "content", &self.content, TEXT_MAX, false);
        let criterion = text(&mut v, "criterion", &self.criterion, TEXT_MAX, true);
        let deadline = match parse_date(&self.deadline) {
            _ if self.deadline.trim().is_empty() => {
                v.fail("deadline", "required");
                None
            }
            None => {
                v.fail("deadline", "invalid_date");
                None
            }
            Some(d) if !m.contains(d) => {
                v.fail("deadline", "deadline_outside_month");
                None
            }
            Some(d) => Some(d),
        };
        if !assigned && self.key_point_id.is_none() {
            v.fail("key_point_id", "required");
        }
        if self.owner_id.is_none() {
            v.fail("owner_id", "required");
        }
        v.finish()?;
        Ok(TaskDraft {
            title,
            content,
            criterion,
            deadline: deadline.unwrap_or_else(|| m.last_day()),
            key_point_id: self.key_point_id,
            owner_id: self.owner_id,
            post_id: self.post_id,
            leader_id: self.leader_id,
            is_key_work: self.is_key_work,
            key_project_id: self.key_project_id,
        })
    }
}

/// A reason given when returning, rejecting or deciding: required, at most 500 characters.
pub fn reason(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let mut v = Validator::new();
    let r = text(&mut v, field, raw, 500, true);
    v.finish().map(|()| r)
}

/// What a change request asks for, after arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Drop the task from the plan.
    Withdraw,
    /// New title, content or criterion.
    Rescope {
        title: String,
        content: String,
        criterion: String,
    },
    /// A new deadline within the month.
    Redate { deadline: NaiveDate },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Withdraw => "withdraw",
            Change::Rescope { .. } => "rescope",
            Change::Redate { .. } => "redate",
        }
    }

    /// Validates a change request typed as `kind` with its fields.
    pub fn parse(
        kind: &str,
        title: &str,
        content: &str,
        criterion: &str,
        deadline: &str,
        m: YearMonth,
    ) -> Result<Change, ValidationErrors> {
        let mut v = Validator::new();
        let change = match kind {
            "withdraw" => Some(Change::Withdraw),
            "rescope" => {
                let title = text(&mut v, "title", title, TITLE_MAX, true);
                let content = text(&mut v, "content", content, TEXT_MAX, false);
                let criterion = text(&mut v, "criterion", criterion, TEXT_MAX, true);
                Some(Change::Rescope {
                    title,
                    content,
                    criterion,
                })
            }
            "redate" => match parse_date(deadline) {
                Some(d) if m.contains(d) => Some(Change::Redate { deadline: d }),
                Some(_) => {
                    v.fail("deadline", "deadline_outside_month");
                    None
                }
                None => {
                    v.fail("deadline", "invalid_date");
                    None
                }
            },
            _ => {
                v.fail("kind", "invalid_change_kind");
                None
            }
        };
        v.finish()?;
        change.ok_or_else(|| ValidationErrors::single("kind", "invalid_change_kind"))
    }
}

/// Kinds of annual key points: a point of the year's 工作要点, or a leadership focus issue.
pub const KEY_POINT_KINDS: [&str; 2] = ["key_point", "focus_issue"];

/// An annual key point as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPointInput {
    pub year: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub sort_order: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPointDraft {
    pub year: i32,
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    pub sort_order: i32,
}

impl KeyPointInput {
    pub fn validate(&self) -> Result<KeyPointDraft, ValidationErrors> {
        let mut v = Validator::new();
        let year = match i32::try_from(self.year) {
            Ok(y) if (2000..=2200).contains(&y) => y,
            _ => {
                v.fail("year", "out_of_range");
                0
            }
        };
        let kind = KEY_POINT_KINDS
            .into_iter()
            .find(|k| *k == self.kind.trim())
            .unwrap_or_else(|| {
                v.fail("kind", "invalid_kind");
                KEY_POINT_KINDS[0]
            });
        let title = text(&mut v, "title", &self.title, TITLE_MAX, true);
        let description = text(&mut v, "description", &self.description, TEXT_MAX, false);
        let sort_order = v.sort_order("sort_order", self.sort_order);
        v.finish()?;
        Ok(KeyPointDraft {
            year,
            kind,
            title,
            description,
            sort_order,
        })
    }
}

// ---- repeats of carried work ----

/// The shortest title, in characters, that counts as repeated when another title contains it.
const REPEAT_MIN_CHARS: usize = 6;

/// A title as compared for repeats: its letters and digits (of any script), lower-cased, so
/// that spaces, brackets and punctuation do not tell two titles apart.
fn work_key(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether two task titles name the same piece of work: equal once spaces and punctuation
/// are set aside, or one holding the other whole (「万达广场周边地块征收（续）」 and
/// 「万达广场周边地块征收」) when the shorter is at least six characters.
pub fn same_work(a: &str, b: &str) -> bool {
    let (a, b) = (work_key(a), work_key(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let shorter = a.chars().count().min(b.chars().count());
    shorter >= REPEAT_MIN_CHARS && (a.contains(&b) || b.contains(&a))
}

/// Which proposals repeat work already carried into their month: each `(id, unit, title)` of
/// `proposals` paired with the first carried task `(id, unit, title)` of the same unit that
/// names the same work ([`same_work`]).
pub fn repeats_of_carried(
    proposals: &[(i64, i64, &str)],
    carried: &[(i64, i64, &str)],
) -> Vec<(i64, i64)> {
    proposals
        .iter()
        .filter_map(|(p, unit, title)| {
            carried
                .iter()
                .find(|(c, u, t)| u == unit && c != p && same_work(title, t))
                .map(|(c, ..)| (*p, *c))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    const NOV: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    #[test]
    fn months_parse_print_and_step() {
        assert_eq!(YearMonth::parse("2026-11"), Some(NOV));
        assert_eq!(YearMonth::parse("2026-13"), None);
        assert_eq!(YearMonth::parse("x"), None);
        assert_eq!(NOV.to_string(), "2026-11");
        assert_eq!(
            YearMonth::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(
            YearMonth::parse("2026-01").unwrap().prev().to_string(),
            "2025-12"
        );
        assert_eq!(
            YearMonth::parse("2024-02").unwrap().last_day(),
            d("2024-02-29")
        );
        assert_eq!(NOV.day(31), d("2026-11-30"));
    }

    #[test]
    fn the_default_calendar_walks_through_every_phase() {
        let c = Calendar::default();
        let cases = [
            ("2026-10-19", Phase::Upcoming),
            ("2026-10-20", Phase::Proposing),
            ("2026-10-31", Phase::Proposing),
            ("2026-11-01", Phase::Arranging),
            ("2026-11-03", Phase::Arranging),
            ("2026-11-04", Phase::Executing),
            ("2026-11-25", Phase::Executing),
            ("2026-11-26", Phase::SigningOff),
            ("2026-11-30", Phase::SigningOff),
            ("2026-12-01", Phase::Reviewing),
            ("2027-03-01", Phase::Reviewing),
        ];
        for (date, phase) in cases {
            assert_eq!(c.phase_on(NOV, d(date)), phase, "{date}");
        }
        assert_eq!(c.proposals_due(NOV), d("2026-10-31"));
        assert_eq!(c.review_due(NOV), d("2026-12-05"));
    }

    #[test]
    fn a_manual_move_holds_until_the_next_boundary() {
        let c = Calendar::default();
        // Reopened for proposals on 2 November (the calendar says arranging).
        let manual = Some(d("2026-11-02"));
        assert_eq!(
            c.effective_phase(NOV, d("2026-11-03"), Phase::Proposing, manual, false),
            Phase::Proposing
        );
        assert_eq!(
            c.effective_phase(NOV, d("2026-11-04"), Phase::Proposing, manual, false),
            Phase::Executing
        );
        assert_eq!(
            c.effective_phase(NOV, d("2026-11-10"), Phase::Arranging, None, false),
            Phase::Executing
        );
        assert_eq!(
            c.effective_phase(NOV, d("2027-01-10"), Phase::Closed, None, false),
            Phase::Closed
        );
    }

    #[test]
    fn an_arranged_month_is_past_proposing_whatever_the_date() {
        let c = Calendar::default();
        // Arranged on 28 October, in November's proposing window.
        assert_eq!(
            c.effective_phase(NOV, d("2026-10-28"), Phase::Proposing, None, true),
            Phase::Arranging
        );
        assert_eq!(
            c.effective_phase(NOV, d("2026-10-28"), Phase::Proposing, None, false),
            Phase::Proposing
        );
        // Later phases are the calendar's as before.
        assert_eq!(
            c.effective_phase(NOV, d("2026-11-10"), Phase::Arranging, None, true),
            Phase::Executing
        );
        // Why proposals are refused, phase by phase.
        assert_eq!(Phase::Proposing.proposals_refused(false), None);
        assert_eq!(
            Phase::Arranging.proposals_refused(true),
            Some("month_arranged")
        );
        assert_eq!(
            Phase::Upcoming.proposals_refused(false),
            Some("proposals_not_open")
        );
        assert_eq!(
            Phase::Executing.proposals_refused(false),
            Some("proposals_closed")
        );
    }

    #[test]
    fn calendars_are_validated() {
        assert!(Calendar::default().validate().is_ok());
        let e = Calendar {
            proposal_open_day: 30,
            sign_off_days: 0,
            ..Calendar::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("proposal_open_day"), Some("out_of_range"));
        assert_eq!(e.for_field("sign_off_days"), Some("out_of_range"));
    }

    #[test]
    fn the_task_state_machine() {
        use TaskEvent as E;
        use TaskStatus as S;
        let ok = [
            (S::Draft, E::Submit, S::Submitted),
            (S::Returned, E::Submit, S::Submitted),
            (S::Submitted, E::LeaderApprove, S::LeaderApproved),
            (S::Submitted, E::LeaderReturn, S::Returned),
            (S::LeaderApproved, E::Accept, S::Accepted),
            (S::Accepted, E::Change, S::Accepted),
            (S::Submitted, E::Reject, S::Rejected),
            (S::LeaderApproved, E::Merge, S::Merged),
            (S::Accepted, E::Arrange, S::Arranged),
            (S::Arranged, E::Withdraw, S::Withdrawn),
            (S::Arranged, E::Progress, S::InProgress),
            (S::InProgress, E::Progress, S::InProgress),
            (S::InProgress, E::Withdraw, S::Withdrawn),
            (S::InProgress, E::SubmitSignOff, S::SignOffSubmitted),
            (S::SignOffReturned, E::SubmitSignOff, S::SignOffSubmitted),
            (S::DeclaredUnfinished, E::SubmitSignOff, S::SignOffSubmitted),
            (S::Arranged, E::DeclareUnfinished, S::DeclaredUnfinished),
            (S::SignOffSubmitted, E::SignOff, S::SignedOff),
            (S::SignOffSubmitted, E::ReturnSignOff, S::SignOffReturned),
            (S::SignOffReturned, E::Progress, S::SignOffReturned),
            (S::DeclaredUnfinished, E::CarryOver, S::CarriedOver),
            (S::SignOffSubmitted, E::CarryOver, S::CarriedOver),
        ];
        for (from, e, to) in ok {
            assert_eq!(transition(from, e), Ok(to), "{from:?} --{e:?}");
        }
        let refused = [
            (S::Draft, E::Accept),
            (S::Arranged, E::Submit),
            (S::Rejected, E::Arrange),
            (S::Submitted, E::Arrange),
            (S::Returned, E::LeaderApprove),
            (S::Withdrawn, E::Withdraw),
            (S::Accepted, E::Progress),
            (S::Withdrawn, E::Progress),
            (S::SignedOff, E::CarryOver),
            (S::SignedOff, E::Progress),
            (S::SignedOff, E::Withdraw),
            (S::SignOffSubmitted, E::Progress),
            (S::SignOffSubmitted, E::SubmitSignOff),
            (S::Arranged, E::SignOff),
            (S::CarriedOver, E::Progress),
            (S::Draft, E::CarryOver),
        ];
        for (from, e) in refused {
            assert_eq!(
                transition(from, e),
                Err("invalid_transition"),
                "{from:?} --{e:?}"
            );
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn task_inputs_are_validated_against_the_month() {
        let good = TaskInput {
            title: "万达广场项目征地拆迁".into(),
            criterion: "完成签约 30 户".into(),
            deadline: "2026/11/28".into(),
            key_point_id: Some(1),
            owner_id: Some(7),
            ..Default::default()
        };
        assert_eq!(good.validate(NOV, false).unwrap().deadline, d("2026-11-28"));
        let late = TaskInput {
            deadline: "2026-12-01".into(),
            ..good.clone()
        };
        assert_eq!(
            late.validate(NOV, false).unwrap_err().for_field("deadline"),
            Some("deadline_outside_month")
        );
        let untraced = TaskInput {
            key_point_id: None,
            ..good.clone()
        };
        assert_eq!(
            untraced
                .validate(NOV, false)
                .unwrap_err()
                .for_field("key_point_id"),
            Some("required")
        );
        assert!(
            untraced.validate(NOV, true).is_ok(),
            "assigned items need no key point"
        );
        let empty = TaskInput::default().validate(NOV, false).unwrap_err();
        for f in ["title", "criterion", "deadline", "key_point_id", "owner_id"] {
            assert!(empty.for_field(f).is_some(), "{f}");
        }
    }

    #[test]
    fn change_requests_are_parsed() {
        assert_eq!(
            Change::parse("withdraw", "", "", "", "", NOV),
            Ok(Change::Withdraw)
        );
        assert_eq!(
            Change::parse("redate", "", "", "", "2026-11-20", NOV),
            Ok(Change::Redate {
                deadline: d("2026-11-20")
            })
        );
        assert_eq!(
            Change::parse("redate", "", "", "", "2026-12-20", NOV)
                .unwrap_err()
                .for_field("deadline"),
            Some("deadline_outside_month")
        );
        assert_eq!(
            Change::parse("rescope", "", "", "x", "", NOV)
                .unwrap_err()
                .for_field("title"),
            Some("required")
        );
        assert_eq!(
            Change::parse("grow", "", "", "", "", NOV)
                .unwrap_err()
                .for_field("kind"),
            Some("invalid_change_kind")
        );
        assert!(reason("reason", "  ").is_err());
    }

    #[test]
    fn a_proposal_that_repeats_carried_work_is_found_in_its_own_unit_only() {
        assert!(same_work("万达广场周边地块征收", " 万达广场周边地块征收。"));
        assert!(same_work(
            "万达广场周边地块征收（续）",
            "万达广场周边地块征收"
        ));
        assert!(same_work("Road Repair", "road repair"));
        assert!(
            !same_work("招商", "招商引资推介会"),
            "too short to count inside another"
        );
        assert!(!same_work("道路维修", "路灯更换"));
        assert!(!same_work("", "（）"));
        let carried = [(10, 1, "万达广场周边地块征收"), (11, 2, "园区道路维修改造")];
        let proposals = [
            (20, 1, "万达广场周边地块征收"),
            (21, 1, "园区道路维修改造"),
            (22, 2, "园区道路维修改造工程"),
            (23, 2, "新建污水管网"),
        ];
        assert_eq!(
            repeats_of_carried(&proposals, &carried),
            vec![(20, 10), (22, 11)]
        );
    }
}
