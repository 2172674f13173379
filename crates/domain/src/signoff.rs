//! Sign-off (销号): the unit's self-check and sign-off form (销号审批表) or its statement that a
//! task is unfinished, the joint review by the three offices (三部联审) with site checks
//! (实地考察), and the leading group's decision. Pure rules: which office a role reviews for,
//! when enough offices approved, the report drafted from the progress log.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Role;
use crate::plan::{TEXT_MAX, parse_date, text};
use crate::validate::{ValidationErrors, Validator};

/// The three offices of the joint review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Office {
    /// 督查室
    Supervision,
    /// 效能监察室
    Efficiency,
    /// 绩考办
    Performance,
}

impl Office {
    pub const ALL: [Office; 3] = [Office::Supervision, Office::Efficiency, Office::Performance];

    pub fn as_str(self) -> &'static str {
        match self {
            Office::Supervision => "supervision",
            Office::Efficiency => "efficiency",
            Office::Performance => "performance",
        }
    }

    pub fn parse(s: &str) -> Option<Office> {
        Office::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }

    /// The role that reviews for this office.
    pub fn role(self) -> Role {
        match self {
            Office::Supervision => Role::Supervisor,
            Office::Efficiency => Role::EfficiencyOfficer,
            Office::Performance => Role::PerformanceOfficer,
        }
    }

    /// The office a role reviews for, if any.
    pub fn of_role(role: Role) -> Option<Office> {
        Office::ALL.into_iter().find(|o| o.role() == role)
    }
}

/// What the unit submits for a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// Done: a sign-off form with the report, asking to be struck off.
    Complete,
    /// Not done this month: why, and what happens next month.
    Unfinished,
}

impl FormKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Complete => "complete",
            FormKind::Unfinished => "unfinished",
        }
    }

    pub fn parse(s: &str) -> Option<FormKind> {
        [FormKind::Complete, FormKind::Unfinished]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

/// The sign-off form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormInput {
    pub kind: String,
    /// Completion against the task's criterion (完成情况), for a complete task.
    pub completion: String,
    /// The sign-off report (销号报告), drafted from the progress log and edited.
    pub report: String,
    /// For an unfinished task: why.
    pub reason: String,
    /// For an unfinished task: what it will do next month.
    pub next_steps: String,
    /// The day the work was completed (default today), for a complete task.
    pub completed_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    pub kind: FormKind,
    pub completion: String,
    pub report: String,
    pub reason: String,
    pub next_steps: String,
    pub completed_on: Option<NaiveDate>,
}

impl FormInput {
    /// A complete task needs its completion and report and a completion day that has come; an
    /// unfinished one needs its reason and next steps.
    pub fn validate(&self, today: NaiveDate) -> Result<Form, ValidationErrors> {
        let mut v = Validator::new();
        let kind = FormKind::parse(&self.kind);
        if kind.is_none() {
            v.fail("kind", "invalid_choice");
        }
        let complete = kind == Some(FormKind::Complete);
        let completion = text(&mut v, "completion", &self.completion, TEXT_MAX, complete);
        let report = text(&mut v, "report", &self.report, 8000, complete);
        let reason = text(&mut v, "reason", &self.reason, TEXT_MAX, !complete);
        let next_steps = text(&mut v, "next_steps", &self.next_steps, TEXT_MAX, !complete);
        let completed_on = if complete {
            match self.completed_on.trim() {
                "" => Some(today),
                raw => match parse_date(raw) {
                    Some(d) if d > today => {
                        v.fail("completed_on", "date_in_future");
                        None
                    }
                    Some(d) => Some(d),
                    None => {
                        v.fail("completed_on", "invalid_date");
                        None
                    }
                },
            }
        } else {
            None
        };
        v.finish()?;
        Ok(Form {
            kind: kind.unwrap_or(FormKind::Complete),
            completion,
            report,
            reason,
            next_steps,
            completed_on,
        })
    }
}

/// An office's opinion on a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Return,
    /// A site check (实地考察) is needed before the office can approve.
    SiteCheck,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Return => "return",
            Verdict::SiteCheck => "site_check",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [Verdict::Approve, Verdict::Return, Verdict::SiteCheck]
            .into_iter()
            .find(|v| v.as_str() == s.trim())
    }
}

/// An opinion as typed: a return needs its reason.
pub fn opinion(verdict: &str, reason: &str) -> Result<(Verdict, String), ValidationErrors> {
    let mut v = Validator::new();
    let verdict = Verdict::parse(verdict);
    if verdict.is_none() {
        v.fail("verdict", "invalid_choice");
    }
    let needs_reason = matches!(verdict, Some(Verdict::Return | Verdict::SiteCheck));
    let reason = text(&mut v, "reason", reason, TEXT_MAX, needs_reason);
    v.finish()?;
    Ok((verdict.unwrap_or(Verdict::Approve), reason))
}

/// How many of the three offices must approve before the leading group may sign off
/// (default: all three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRule {
    pub required_approvals: u32,
}

impl Default for ReviewRule {
    fn default() -> Self {
        ReviewRule {
            required_approvals: 3,
        }
    }
}

impl ReviewRule {
    pub fn validate(self) -> Result<ReviewRule, ValidationErrors> {
        if (1..=3).contains(&self.required_approvals) {
            Ok(self)
        } else {
            Err(ValidationErrors::single(
                "required_approvals",
                "out_of_range",
            ))
        }
    }
}

/// Where a submission stands in the joint review, from the offices' current opinions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewState {
    pub approvals: u32,
    pub required: u32,
    /// Offices that returned it (the leading group will return it).
    pub returned_by: Vec<Office>,
    /// Offices waiting for a site check.
    pub site_check_by: Vec<Office>,
    /// Offices that have not given an opinion.
    pub pending: Vec<Office>,
    /// Offices that cannot review this unit: every one of their people belongs to it.
    pub recused: Vec<Office>,
}

/// A person holding one or more office roles, with the units they belong to (their own unit
/// and the units of their unit-scoped grants) and those units' ancestors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reviewer {
    pub offices: Vec<Office>,
    pub units: Vec<crate::UnitId>,
    pub within: Vec<crate::UnitId>,
}

impl Reviewer {
    /// As `Actor::belongs_to`: in the unit of `unit_path` (the unit, then its ancestors), above
    /// it or below it.
    fn belongs_to(&self, unit_path: &[crate::UnitId]) -> bool {
        self.units.iter().any(|u| unit_path.contains(u))
            || unit_path.first().is_some_and(|u| self.within.contains(u))
    }
}

/// The offices that cannot review a unit's submission: no one holding the office stands
/// outside the unit (the policy lets nobody review their own unit).
pub fn recused_offices(reviewers: &[Reviewer], unit_path: &[crate::UnitId]) -> Vec<Office> {
    Office::ALL
        .into_iter()
        .filter(|o| {
            !reviewers
                .iter()
                .any(|r| r.offices.contains(o) && !r.belongs_to(unit_path))
        })
        .collect()
}

impl ReviewState {
    /// The state when every office may review the unit.
    pub fn of(rule: ReviewRule, opinions: &[(Office, Verdict)]) -> ReviewState {
        ReviewState::for_unit(rule, opinions, &[])
    }

    /// The state when some offices are recused: they are not waited for, and the approvals
    /// required are at most the offices that remain (at least one). An opinion a recused
    /// office gave anyway (the system, or a reviewer who moved since) still counts.
    pub fn for_unit(
        rule: ReviewRule,
        opinions: &[(Office, Verdict)],
        recused: &[Office],
    ) -> ReviewState {
        let eligible =
            u32::try_from(Office::ALL.len() - recused.len().min(Office::ALL.len())).unwrap_or(0);
        let verdict_of = |o: Office| {
            opinions
                .iter()
                .rev()
                .find(|(x, _)| *x == o)
                .map(|(_, v)| *v)
        };
        let mut s = ReviewState {
            approvals: 0,
            required: rule.required_approvals.min(eligible).max(1),
            returned_by: vec![],
            site_check_by: vec![],
            pending: vec![],
            recused: recused.to_vec(),
        };
        for o in Office::ALL {
            match verdict_of(o) {
                Some(Verdict::Approve) => s.approvals += 1,
                Some(Verdict::Return) => s.returned_by.push(o),
                Some(Verdict::SiteCheck) => s.site_check_by.push(o),
                None if recused.contains(&o) => {}
                None => s.pending.push(o),
            }
        }
        s
    }

    /// Whether the leading group may sign off now; else the code that refuses it. Nothing is
    /// signed off without enough approvals, and not while an office returned it or waits for
    /// a site check.
    pub fn sign_off_allowed(&self) -> Result<(), &'static str> {
        if !self.returned_by.is_empty() {
            Err("returned_by_office")
        } else if !self.site_check_by.is_empty() {
            Err("site_check_pending")
        } else if self.approvals < self.required {
            Err("not_enough_approvals")
        } else {
            Ok(())
        }
    }

    /// Short state for lists: `approved`, `returned`, `site_check`, `reviewing`.
    pub fn label(&self) -> &'static str {
        if !self.returned_by.is_empty() {
            "returned"
        } else if !self.site_check_by.is_empty() {
            "site_check"
        } else if self.approvals >= self.required {
            "approved"
        } else {
            "reviewing"
        }
    }
}

/// A site check's record as typed.
pub fn site_check(
    findings: &str,
    checked_on: &str,
    today: NaiveDate,
) -> Result<(String, NaiveDate), ValidationErrors> {
    let mut v = Validator::new();
    let findings = text(&mut v, "findings", findings, TEXT_MAX, true);
    let day = match checked_on.trim() {
        "" => Some(today),
        raw => parse_date(raw),
    };
    match day {
        None => v.fail("checked_on", "invalid_date"),
        Some(d) if d > today => v.fail("checked_on", "date_in_future"),
        _ => {}
    }
    v.finish()?;
    Ok((findings, day.unwrap_or(today)))
}

/// One progress report, as the draft of the sign-off report quotes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressLine {
    pub reported_on: String,
    pub percent: i32,
    pub narrative: String,
}

/// The sign-off report (销号报告) drafted from the task and its progress log, oldest report
/// first; the unit edits it before submitting.
pub fn draft_report(
    title: &str,
    criterion: &str,
    deadline: &str,
    progress: &[ProgressLine],
    files: usize,
) -> String {
    let mut out = format!(
        "关于“{title}”的销号报告\n\n一、工作事项：{title}\n二、完成标准：{criterion}\n三、完成时限：{deadline}\n四、推进情况：\n"
    );
    if progress.is_empty() {
        out.push_str("（本月未报送进度）\n");
    }
    for p in progress {
        out.push_str(&format!(
            "{} 完成{}%：{}\n",
            p.reported_on, p.percent, p.narrative
        ));
    }
    let last = progress.last().map_or(0, |p| p.percent);
    out.push_str(&format!(
        "五、完成情况：截至目前完成{last}%，对照完成标准逐项自查。\n六、佐证材料：推进过程材料{files}份，销号佐证材料见本表附件。\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn forms_need_what_their_kind_needs() {
        let today = d("2026-11-27");
        let e = FormInput {
            kind: "complete".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(e.for_field("completion"), Some("required"));
        assert_eq!(e.for_field("report"), Some("required"));
        assert_eq!(e.for_field("reason"), None);
        let e = FormInput {
            kind: "unfinished".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(e.for_field("reason"), Some("required"));
        assert_eq!(e.for_field("next_steps"), Some("required"));
        assert_eq!(e.for_field("completion"), None);
        let ok = FormInput {
            kind: "complete".into(),
            completion: "签约 30 户".into(),
            report: "报告".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!(ok.completed_on, Some(today));
        let e = FormInput {
            kind: "complete".into(),
            completion: "x".into(),
            report: "y".into(),
            completed_on: "2026-11-28".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(e.for_field("completed_on"), Some("date_in_future"));
        assert_eq!(
            FormInput::default()
                .validate(today)
                .unwrap_err()
                .for_field("kind"),
            Some("invalid_choice")
        );
    }

    #[test]
    fn an_office_is_recused_only_when_all_its_people_belong_to_the_unit() {
        use crate::UnitId;
        // Units: 1 at the top, 2 under it, 6 a section of 2; 3, 4 and 5 elsewhere.
        let reviewer = |office, path: &[i64]| Reviewer {
            offices: vec![office],
            units: path.first().map(|u| UnitId(*u)).into_iter().collect(),
            within: path.iter().map(|u| UnitId(*u)).collect(),
        };
        let sup_in_2 = reviewer(Office::Supervision, &[2, 1]);
        let all = [
            sup_in_2.clone(),
            reviewer(Office::Efficiency, &[3]),
            reviewer(Office::Performance, &[]),
        ];
        let unit_2 = [UnitId(2), UnitId(1)];
        assert_eq!(recused_offices(&all, &unit_2), vec![Office::Supervision]);
        assert_eq!(recused_offices(&all, &[UnitId(4)]), vec![]);
        // Unit 1 contains unit 2, and so its supervisors.
        assert_eq!(
            recused_offices(&all, &[UnitId(1)]),
            vec![Office::Supervision]
        );
        // A supervisor in section 6 of unit 2 is inside unit 2 too.
        let in_section = [reviewer(Office::Supervision, &[6, 2, 1])];
        assert_eq!(
            recused_offices(&in_section, &unit_2)[0],
            Office::Supervision
        );
        // A second supervisor elsewhere lifts the recusal.
        let mut more = all.to_vec();
        more.push(reviewer(Office::Supervision, &[5]));
        assert_eq!(recused_offices(&more, &unit_2), vec![]);
        // No holder at all: the office cannot review anything.
        assert_eq!(
            recused_offices(&[sup_in_2], &[UnitId(9)]),
            vec![Office::Efficiency, Office::Performance]
        );
    }

    #[test]
    fn the_joint_review_needs_its_approvals() {
        use Office::*;
        use Verdict::*;
        let all = ReviewRule::default();
        let s = ReviewState::of(all, &[(Supervision, Approve), (Efficiency, Approve)]);
        assert_eq!((s.approvals, s.pending.clone()), (2, vec![Performance]));
        assert_eq!(s.sign_off_allowed(), Err("not_enough_approvals"));
        let s = ReviewState::of(
            all,
            &[
                (Supervision, Approve),
                (Efficiency, Approve),
                (Performance, Approve),
            ],
        );
        assert_eq!(s.sign_off_allowed(), Ok(()));
        assert_eq!(s.label(), "approved");
        // The latest opinion of an office counts: a return after an approval returns.
        let s = ReviewState::of(
            all,
            &[
                (Supervision, Approve),
                (Efficiency, Approve),
                (Performance, Approve),
                (Efficiency, Return),
            ],
        );
        assert_eq!(s.sign_off_allowed(), Err("returned_by_office"));
        assert_eq!(s.label(), "returned");
        let two = ReviewRule {
            required_approvals: 2,
        };
        let s = ReviewState::of(two, &[(Supervision, Approve), (Performance, SiteCheck)]);
        assert_eq!(s.sign_off_allowed(), Err("site_check_pending"));
        let s = ReviewState::of(two, &[(Supervision, Approve), (Performance, Approve)]);
        assert_eq!(s.sign_off_allowed(), Ok(()));
        // The supervision office's own task: it cannot review it, so two approvals do.
        let s = ReviewState::for_unit(
            all,
            &[(Efficiency, Approve), (Performance, Approve)],
            &[Supervision],
        );
        assert_eq!((s.required, s.pending.clone()), (2, vec![]));
        assert_eq!(s.sign_off_allowed(), Ok(()));
        let s = ReviewState::for_unit(all, &[(Efficiency, Approve)], &[Supervision]);
        assert_eq!(s.pending, vec![Performance]);
        assert_eq!(s.sign_off_allowed(), Err("not_enough_approvals"));
        assert!(
            ReviewRule {
                required_approvals: 0
            }
            .validate()
            .is_err()
        );
        assert!(
            ReviewRule {
                required_approvals: 4
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn opinions_offices_and_site_checks() {
        assert_eq!(
            opinion("return", "").unwrap_err().for_field("reason"),
            Some("required")
        );
        assert_eq!(opinion("approve", "").unwrap().0, Verdict::Approve);
        assert!(opinion("maybe", "x").is_err());
        assert_eq!(
            Office::of_role(Role::EfficiencyOfficer),
            Some(Office::Efficiency)
        );
        assert_eq!(Office::of_role(Role::Director), None);
        let today = d("2026-12-02");
        assert_eq!(
            site_check("现场核实签约 30 户", "", today).unwrap().1,
            today
        );
        assert_eq!(site_check("", "2026-12-03", today).unwrap_err().0.len(), 2);
    }

    #[test]
    fn the_report_is_drafted_from_the_progress_log() {
        let r = draft_report(
            "万达广场周边地块征收",
            "完成签约 30 户",
            "2026-11-20",
            &[
                ProgressLine {
                    reported_on: "2026-11-10".into(),
                    percent: 40,
                    narrative: "签约 12 户".into(),
                },
                ProgressLine {
                    reported_on: "2026-11-25".into(),
                    percent: 100,
                    narrative: "签约 30 户".into(),
                },
            ],
            2,
        );
        assert!(r.contains("2026-11-10 完成40%：签约 12 户"));
        assert!(r.contains("截至目前完成100%"));
        assert!(r.contains("推进过程材料2份"));
        assert!(draft_report("x", "y", "z", &[], 0).contains("本月未报送进度"));
    }
}
