//! The month the sign-off and consequences suites plan, and the builders they share: the
//! people of two units and the offices, planning a month, moving the clock, submitting,
//! reviewing and signing off.
#![allow(dead_code)]

use std::collections::BTreeMap;

use app::model::{CardFilter, TaskFilter, TaskRow};
use app::testing::TestApp;
use app::{Caller, CardView, EvidenceUpload, FiguresView, Identity, MeetingDecision};
use domain::Role;
use domain::figures::Figures;
use domain::plan::{KeyPointInput, Phase, TaskInput, parse_date};
use domain::signoff::FormInput;
use domain::supervision::ProgressInput;
use store::audit::AuditFilter;

use super::all;

/// The month the tests plan: the clock starts on 2 November 2026.
pub const MONTH: &str = "2026-11";
/// The month its unfinished work is carried into.
pub const NEXT: &str = "2026-12";
/// Every task's deadline.
pub const DEADLINE: &str = "2026-11-28";
/// Its continuation's deadline: the same day of December.
pub const NEXT_DEADLINE: &str = "2026-12-28";

/// The first day of November's sign-off window (its last five days).
pub const SIGN_OFF_OPENS: &str = "2026-11-26";
/// A day of November's joint review, once the month is over.
pub const REVIEW_DAY: &str = "2026-12-02";

// ---- builders ----

pub struct Cast {
    pub unit_a: i64,
    pub unit_b: i64,
    pub kp: i64,
    pub staff_a: Identity,
    pub head_a: Identity,
    pub staff_b: Identity,
    pub head_b: Identity,
    pub director: Identity,
    pub leading: Identity,
    pub supervisor: Identity,
    pub efficiency: Identity,
    pub performance: Identity,
}

pub async fn cast(t: &TestApp) -> Cast {
    let unit_a = t.unit("招商合作局", None).await;
    let unit_b = t.unit("财政局", None).await;
    let staff_a = t
        .person("staff.a", Some(unit_a), &[(Role::Staff, Some(unit_a))])
        .await;
    let head_a = t
        .person("head.a", Some(unit_a), &[(Role::UnitHead, Some(unit_a))])
        .await;
    let staff_b = t
        .person("staff.b", Some(unit_b), &[(Role::Staff, Some(unit_b))])
        .await;
    let head_b = t
        .person("head.b", Some(unit_b), &[(Role::UnitHead, Some(unit_b))])
        .await;
    let director = t.person("director", None, &[(Role::Director, None)]).await;
    let leading = t
        .person("leading", None, &[(Role::LeadingGroup, None)])
        .await;
    let supervisor = t
        .person("supervisor", None, &[(Role::Supervisor, None)])
        .await;
    let efficiency = t
        .person("efficiency", None, &[(Role::EfficiencyOfficer, None)])
        .await;
    let performance = t
        .person("performance", None, &[(Role::PerformanceOfficer, None)])
        .await;
    let kp = key_point(t, &director, 2026).await;
    Cast {
        unit_a,
        unit_b,
        kp,
        staff_a,
        head_a,
        staff_b,
        head_b,
        director,
        leading,
        supervisor,
        efficiency,
        performance,
    }
}

pub async fn key_point(t: &TestApp, director: &Identity, year: i64) -> i64 {
    t.app
        .create_key_point(
            Caller::Person(director),
            t.org,
            &KeyPointInput {
                year,
                kind: "key_point".into(),
                title: format!("{year}年招商引资"),
                ..Default::default()
            },
        )
        .await
        .expect("key point")
}

/// What the office meeting does with a proposal.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Accept,
    Reject,
}

/// One task to plan: its unit, owner (who also proposes it) and title.
#[derive(Clone, Copy)]
pub struct Spec<'a> {
    pub unit: i64,
    pub owner: &'a Identity,
    pub title: &'a str,
    pub key_work: bool,
    pub fate: Fate,
}

pub fn spec<'a>(unit: i64, owner: &'a Identity, title: &'a str) -> Spec<'a> {
    Spec {
        unit,
        owner,
        title,
        key_work: false,
        fate: Fate::Accept,
    }
}

impl Spec<'_> {
    pub fn key(self) -> Self {
        Spec {
            key_work: true,
            ..self
        }
    }

    /// Rejected by the office meeting: never part of the plan.
    pub fn rejected(self) -> Self {
        Spec {
            fate: Fate::Reject,
            ..self
        }
    }
}

pub fn task_input(kp: i64, owner: &Identity, title: &str, deadline: &str, key: bool) -> TaskInput {
    TaskInput {
        title: title.into(),
        content: "按月推进".into(),
        criterion: "按期完成并提交佐证材料".into(),
        deadline: deadline.into(),
        key_point_id: Some(kp),
        owner_id: Some(owner.actor.person_id.0),
        is_key_work: key,
        ..Default::default()
    }
}

/// Plans November: opens proposals, proposes every task, submits each and lets the office
/// meeting accept or reject it, arranges the month and moves it on to execution. Returns the
/// task ids in order.
pub async fn plan_month(t: &TestApp, c: &Cast, specs: &[Spec<'_>]) -> Vec<i64> {
    t.app
        .move_phase(Caller::System, t.org, MONTH, Some(Phase::Proposing))
        .await
        .expect("open proposals");
    let director = Caller::Person(&c.director);
    let mut ids = Vec::new();
    for s in specs {
        let who = Caller::Person(s.owner);
        let input = task_input(c.kp, s.owner, s.title, DEADLINE, s.key_work);
        let id = t
            .app
            .propose(who, t.org, MONTH, s.unit, &input)
            .await
            .expect("propose");
        t.app.submit_proposal(who, id).await.expect("submit");
        let decision = match s.fate {
            Fate::Accept => MeetingDecision::Accept,
            Fate::Reject => MeetingDecision::Reject {
                reason: "与年度要点不符".into(),
            },
        };
        t.app
            .meeting_decide(director, id, &decision)
            .await
            .expect("decide");
        ids.push(id);
    }
    t.app
        .arrange_month(director, t.org, MONTH)
        .await
        .expect("arrange");
    t.app
        .move_phase(Caller::System, t.org, MONTH, Some(Phase::Executing))
        .await
        .expect("execute");
    ids
}

/// One arranged task of unit A owned by its staff member.
pub async fn arranged_task(t: &TestApp, c: &Cast, key_work: bool) -> i64 {
    let s = spec(c.unit_a, &c.staff_a, "重大项目签约");
    let s = if key_work { s.key() } else { s };
    plan_month(t, c, &[s]).await[0]
}

/// Moves the clock on to 09:00 UTC of `day`.
pub fn go_to(t: &TestApp, day: &str) {
    let target = parse_date(day)
        .expect("day")
        .and_hms_opt(9, 0, 0)
        .expect("time")
        .and_utc();
    let now = t.app.now();
    assert!(target >= now, "the clock only moves forward");
    t.clock.advance(target - now);
}

pub fn progress(percent: i64, narrative: &str) -> ProgressInput {
    ProgressInput {
        percent,
        narrative: narrative.into(),
    }
}

pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

pub fn upload(name: &str, bytes: &[u8]) -> EvidenceUpload {
    EvidenceUpload {
        name: name.into(),
        bytes: bytes.to_vec(),
    }
}

/// A complete sign-off form (completion day: today).
pub fn complete(completion: &str) -> FormInput {
    FormInput {
        kind: "complete".into(),
        completion: completion.into(),
        report: "销号报告：对照完成标准逐项自查，已全部完成。".into(),
        ..Default::default()
    }
}

/// A statement that the task will not be finished this month.
pub fn unfinished(reason: &str, next_steps: &str) -> FormInput {
    FormInput {
        kind: "unfinished".into(),
        reason: reason.into(),
        next_steps: next_steps.into(),
        ..Default::default()
    }
}

/// The unit head submits a complete form with one PDF; returns the form.
pub async fn submit(t: &TestApp, head: &Identity, task: i64) -> i64 {
    t.app
        .submit_sign_off(
            Caller::Person(head),
            task,
            &complete("已按完成标准全部完成"),
            &[upload("销号佐证.pdf", PDF)],
        )
        .await
        .expect("submit sign-off")
}

pub async fn approve_all(t: &TestApp, c: &Cast, form: i64) {
    for who in [&c.supervisor, &c.efficiency, &c.performance] {
        t.app
            .give_opinion(Caller::Person(who), form, None, "approve", "")
            .await
            .expect("approve");
    }
}

/// The three offices approve and the leading group signs off.
pub async fn sign_off(t: &TestApp, c: &Cast, form: i64) {
    approve_all(t, c, form).await;
    t.app
        .decide_sign_off(Caller::Person(&c.leading), form, true, "")
        .await
        .expect("sign off");
}

pub async fn status(t: &TestApp, task: i64) -> String {
    t.app
        .get_task(Caller::System, task)
        .await
        .expect("task")
        .task
        .status
}

/// Every task row of a month.
pub async fn tasks_of(t: &TestApp, month: &str) -> Vec<TaskRow> {
    let page = t
        .app
        .list_tasks(
            Caller::System,
            t.org,
            &TaskFilter {
                month: Some(month.into()),
                ..Default::default()
            },
            all(),
        )
        .await
        .expect("tasks");
    assert_eq!(page.total, page.items.len() as u64);
    page.items
}

/// The one continuation of `origin` in `month`.
pub async fn continuation(t: &TestApp, month: &str, origin: i64) -> TaskRow {
    let mut found: Vec<TaskRow> = tasks_of(t, month)
        .await
        .into_iter()
        .filter(|n| n.carried_from_id == Some(origin))
        .collect();
    assert_eq!(found.len(), 1, "exactly one continuation of task {origin}");
    found.remove(0)
}

/// Counts of a month's tasks by status.
pub async fn counts(t: &TestApp, month: &str) -> BTreeMap<String, i64> {
    t.app
        .month_view(Caller::System, t.org, month)
        .await
        .expect("month")
        .totals
}

pub fn counted(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect()
}

pub async fn phase_of(t: &TestApp, month: &str) -> Phase {
    t.app
        .month_view(Caller::System, t.org, month)
        .await
        .expect("month")
        .phase
}

pub async fn audited(t: &TestApp, action: &str) -> u64 {
    t.app
        .list_audit(
            Caller::System,
            t.org,
            &AuditFilter {
                action: Some(action.into()),
                ..Default::default()
            },
            all(),
        )
        .await
        .expect("audit")
        .total
}

pub fn person_id(i: &Identity) -> i64 {
    i.actor.person_id.0
}

pub fn has(got: &[(String, &'static str)], field: &str, code: &str) -> bool {
    got.iter().any(|(f, c)| f == field && *c == code)
}

pub fn figures(planned: u32, signed_off: u32, on_time: u32, unfinished: u32) -> Figures {
    Figures {
        planned,
        signed_off,
        on_time,
        unfinished,
        carried_in: 0,
    }
}

pub fn unit_figures(v: &FiguresView, unit: i64) -> Figures {
    v.by_unit
        .iter()
        .find(|u| u.unit_id == unit)
        .map(|u| u.figures)
        .unwrap_or_else(|| panic!("no figures for unit {unit}"))
}

pub fn by_unit(v: &FiguresView) -> Vec<(i64, Figures)> {
    v.by_unit.iter().map(|u| (u.unit_id, u.figures)).collect()
}

/// The card of a task in a month, as the supervisor lists it.
pub async fn card(t: &TestApp, c: &Cast, month: &str, task: i64) -> CardView {
    t.app
        .list_cards(
            Caller::Person(&c.supervisor),
            t.org,
            month,
            &CardFilter::default(),
            all(),
        )
        .await
        .expect("cards")
        .cards
        .items
        .into_iter()
        .find(|v| v.card.subject_kind == "task" && v.card.subject_id == task)
        .unwrap_or_else(|| panic!("no card for task {task} in {month}"))
}

pub fn rules(v: &CardView) -> Vec<&str> {
    v.reasons.iter().map(|r| r.rule.as_str()).collect()
}

/// The evidence file attached to `owner` of `kind` (the system reads every file).
pub async fn file_of(t: &TestApp, kind: &str, owner: i64) -> i64 {
    for id in 1..=200 {
        if let Ok((meta, _)) = t.app.get_file(Caller::System, id).await
            && meta.owner_kind == kind
            && meta.owner_id == owner
        {
            return id;
        }
    }
    panic!("no {kind} file of {owner}")
}

/// Closes the month, generates its bulletin as the director and publishes it as the leading
/// group (a bulletin is published only for a closed month).
pub async fn publish_bulletin(t: &TestApp, c: &Cast) -> i64 {
    t.app
        .close_month(Caller::Person(&c.director), t.org, MONTH)
        .await
        .expect("close");
    let id = t
        .app
        .generate_bulletin(
            Caller::Person(&c.director),
            t.org,
            MONTH,
            "测高预安〔2026〕11号",
        )
        .await
        .expect("generate");
    t.app
        .publish_bulletin(Caller::Person(&c.leading), id)
        .await
        .expect("publish");
    id
}

/// The supervisor confirms the month's key cards as they stand and publishes them (公示): the
/// red cards of the month's last publication are the ones that cost points.
pub async fn publish_cards(t: &TestApp, c: &Cast, month: &str) -> i64 {
    let sup = Caller::Person(&c.supervisor);
    t.app
        .confirm_all_cards(sup, t.org, month)
        .await
        .expect("confirm the cards");
    t.app
        .publish_cards(sup, t.org, month, "")
        .await
        .expect("publish the cards")
        .publication_id
}
