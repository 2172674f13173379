//! The demo's sign-off (销号). Last month goes the whole way: the unit heads submit their forms
//! (a few state a task unfinished, a few never submit), the three offices review them (one asks
//! for a site check first, one returns a task that comes back in a second round), the leading
//! group signs off, the review meeting chooses highlights, the bulletin is published and the
//! month is closed, carrying what is left into this month. This month, once its work is under
//! way, has submissions in every state of the review.
//!
//! Like the supervision part it is written through the use cases, as the people who would do
//! each step.

use chrono::Duration;
use domain::page::PageRequest;
use domain::plan::{Phase, TaskStatus, YearMonth, parse_date};
use domain::signoff::{FormInput, Office};
use store::plan::{TaskFilter, TaskRow};

use crate::{App, Caller, EvidenceUpload, Identity, Result};

const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The reviewers of each office in the demo.
const REVIEWERS: [(Office, &str); 3] = [
    (Office::Supervision, "dcs.s1"),
    (Office::Efficiency, "xnjc.s1"),
    (Office::Performance, "jkb.s1"),
];

/// What the demo does with a task of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Submitted and approved by every office; signed off.
    SignOff,
    /// Like `SignOff`, after a site check by the supervision office.
    SiteCheckFirst,
    /// Returned by the efficiency office and the leading group, submitted again, signed off.
    SecondRound,
    /// Stated unfinished.
    Unfinished,
    /// Never submitted.
    Silent,
    /// Submitted with no opinion yet.
    Waiting,
    /// Submitted; one office approved.
    Partly,
    /// Submitted; an office asks for a site check.
    SiteCheckAsked,
    /// Submitted; an office returned it.
    ReturnedByOffice,
    /// Returned by the leading group, not yet submitted again.
    Returned,
}

fn last_month_plan(i: usize) -> Plan {
    match i % 11 {
        3 => Plan::Unfinished,
        5 => Plan::SiteCheckFirst,
        7 => Plan::SecondRound,
        9 if i % 2 == 1 => Plan::Silent,
        _ => Plan::SignOff,
    }
}

fn this_month_plan(i: usize) -> Option<Plan> {
    [
        Some(Plan::Waiting),
        None,
        Some(Plan::Partly),
        Some(Plan::SignOff),
        None,
        Some(Plan::SiteCheckAsked),
        Some(Plan::ReturnedByOffice),
        None,
        Some(Plan::Returned),
        Some(Plan::Unfinished),
        None,
    ][i % 11]
}

impl App {
    async fn demo_person(&self, org: i64, username: &str) -> Result<Identity> {
        self.demo_identity(org, username)
            .await?
            .ok_or(crate::AppError::NotFound)
    }

    /// Loads the sign-off part of the demo (after its plan and supervision parts).
    pub(crate) async fn load_demo_signoff(&self, org: i64) -> Result<()> {
        let this = YearMonth::of(self.today());
        let last = this.prev();
        let director = self.demo_person(org, "demo.director").await?;
        let mut reviewers = Vec::new();
        for (office, username) in REVIEWERS {
            reviewers.push((office, self.demo_person(org, username).await?));
        }
        let lead = Caller::Person(&director);

        let tasks = self.demo_month_tasks(org, last).await?;
        for (i, t) in tasks.iter().enumerate() {
            self.demo_sign_off(org, t, last_month_plan(i), &reviewers, &director)
                .await?;
        }

        // The review meeting, two highlights, the close and the bulletin.
        let m = last.to_string();
        let held_on = this.first_day().max(last.last_day()).min(self.today());
        self.record_meeting(
            lead,
            org,
            &m,
            &held_on.to_string(),
            "本月各单位按照“预安销号”工作要求，围绕年度工作要点扎实推进各项工作，重点项目建设、招商引资和征地拆迁总体有序。个别单位事项推进较慢，销号材料不够规范。",
            "各单位要对照未完成事项逐项制定整改措施，结转事项下月优先安排；督查室、效能监察室、绩考办继续加强跟踪督办和联审把关。",
        )
        .await?;
        let candidates = store::plan::highlight_candidates(&self.db, org, &m, 2).await?;
        for (t, citation) in candidates.iter().zip([
            "提前完成，成效明显，经验值得推广",
            "攻坚克难，按期完成重点任务",
        ]) {
            self.select_highlight(lead, t.id, citation).await?;
        }
        // The bulletin is generated and published once the month is closed.
        self.close_month(lead, org, &m).await?;
        let bulletin = self
            .generate_bulletin(
                lead,
                org,
                &m,
                &format!("湘高预安〔{}〕{}号", last.year, last.month),
            )
            .await?;
        self.publish_bulletin(lead, bulletin).await?;

        // This month: its plan is arranged, so in the first days of the month the work is under
        // way already; in its sign-off window, submissions in every state.
        let (cycle, _, mut phase) = self.sync_cycle(org, this).await?;
        if phase == Phase::Arranging && cycle.arranged_at.is_some() {
            self.move_phase(
                Caller::System,
                org,
                &this.to_string(),
                Some(Phase::Executing),
            )
            .await?;
            phase = Phase::Executing;
        }
        // Its sign-off begins in the window of its last days: before that nothing of it is
        // submitted, let alone signed off.
        if matches!(phase, Phase::SigningOff | Phase::Reviewing) {
            let tasks = self.demo_month_tasks(org, this).await?;
            for (i, t) in tasks.iter().enumerate() {
                if let Some(plan) = this_month_plan(i) {
                    self.demo_sign_off(org, t, plan, &reviewers, &director)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// The month's arranged or in-progress tasks of units that are not the review offices.
    async fn demo_month_tasks(&self, org: i64, month: YearMonth) -> Result<Vec<TaskRow>> {
        let (tasks, _) = store::plan::list_tasks(
            &self.db,
            org,
            &TaskFilter {
                month: Some(month.to_string()),
                statuses: vec![
                    TaskStatus::Arranged.as_str().into(),
                    TaskStatus::InProgress.as_str().into(),
                ],
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await?;
        Ok(tasks)
    }

    async fn demo_sign_off(
        &self,
        org: i64,
        t: &TaskRow,
        plan: Plan,
        reviewers: &[(Office, Identity)],
        director: &Identity,
    ) -> Result<()> {
        if plan == Plan::Silent {
            return Ok(());
        }
        let Some(code) = store::org::get_unit(&self.db, t.unit_id)
            .await?
            .and_then(|u| u.code)
        else {
            return Ok(());
        };
        let head = self.demo_person(org, &format!("{code}.head")).await?;
        let head = Caller::Person(&head);
        let lead = Caller::Person(director);
        let today = self.today();
        if plan == Plan::Unfinished {
            self.submit_sign_off(
                head,
                t.id,
                &FormInput {
                    kind: "unfinished".into(),
                    reason: "涉及多个部门协调，相关审批手续尚在办理".into(),
                    next_steps: "下月上旬完成审批，月中前全部完成".into(),
                    ..Default::default()
                },
                &[],
            )
            .await?;
            return Ok(());
        }
        // Done by the deadline, except now and then two days late.
        let deadline = parse_date(&t.deadline).unwrap_or(today);
        let done = if t.id % 5 == 3 {
            deadline + Duration::days(2)
        } else {
            deadline - Duration::days(1)
        }
        .min(today);
        let report = self.sign_off_view(head, t).await?.draft_report;
        let input = FormInput {
            kind: "complete".into(),
            completion: format!("已按“{}”的标准完成。", t.criterion),
            report,
            completed_on: done.to_string(),
            ..Default::default()
        };
        let evidence = [EvidenceUpload {
            name: format!("{}销号佐证.pdf", t.unit_name),
            bytes: DEMO_PDF.to_vec(),
        }];
        let form = self.submit_sign_off(head, t.id, &input, &evidence).await?;
        let may_review =
            |o: &Identity| crate::signoff::may_review(Caller::Person(o), org, &t.unit_path);
        let (sup, eff) = (&reviewers[0], &reviewers[1]);
        match plan {
            Plan::SignOff | Plan::SiteCheckFirst | Plan::SecondRound => {
                if plan == Plan::SiteCheckFirst && may_review(&sup.1).contains(&sup.0) {
                    let who = Caller::Person(&sup.1);
                    self.give_opinion(who, form, Some(sup.0), "site_check", "需现场核实完成情况")
                        .await?;
                    self.record_site_check(
                        who,
                        form,
                        Some(sup.0),
                        "现场查看，完成情况与报告一致",
                        &today.to_string(),
                        &evidence,
                    )
                    .await?;
                }
                let form = if plan == Plan::SecondRound && may_review(&eff.1).contains(&eff.0) {
                    self.give_opinion(
                        Caller::Person(&eff.1),
                        form,
                        Some(eff.0),
                        "return",
                        "佐证材料不全，请补充验收资料",
                    )
                    .await?;
                    self.decide_sign_off(lead, form, false, "请按效能监察室意见补充材料后重报")
                        .await?;
                    self.submit_sign_off(head, t.id, &input, &evidence).await?
                } else {
                    form
                };
                for (office, who) in reviewers {
                    if may_review(who).contains(office) {
                        self.give_opinion(Caller::Person(who), form, Some(*office), "approve", "")
                            .await?;
                    }
                }
                self.decide_sign_off(lead, form, true, "").await?;
            }
            Plan::Partly => {
                if may_review(&eff.1).contains(&eff.0) {
                    self.give_opinion(Caller::Person(&eff.1), form, Some(eff.0), "approve", "")
                        .await?;
                }
            }
            Plan::SiteCheckAsked => {
                if may_review(&sup.1).contains(&sup.0) {
                    self.give_opinion(
                        Caller::Person(&sup.1),
                        form,
                        Some(sup.0),
                        "site_check",
                        "需现场核实工程形象进度",
                    )
                    .await?;
                }
            }
            Plan::ReturnedByOffice => {
                if may_review(&eff.1).contains(&eff.0) {
                    self.give_opinion(
                        Caller::Person(&eff.1),
                        form,
                        Some(eff.0),
                        "return",
                        "完成情况与标准不符，请补充说明",
                    )
                    .await?;
                }
            }
            Plan::Returned => {
                self.decide_sign_off(lead, form, false, "销号报告过于简单，请补充佐证后重报")
                    .await?;
            }
            Plan::Waiting | Plan::Unfinished | Plan::Silent => {}
        }
        Ok(())
    }
}
