//! Execution and supervision through the app layer, on both databases: progress with evidence,
//! cards and the supervisor's judgement, publication and warnings, open and covert inspections
//! with findings and follow-ups, coordination requests, key projects, the display board, change
//! notices, dashboards and the audit trail of these changes.

mod common;

use app::model::{
    AuditFilter, CardFilter, CoordinationFilter, FindingFilter, InspectionFilter, ProjectFilter,
    WarningFilter,
};
use app::testing::TestApp;
use app::{AppError, Caller, CardView, EvidenceUpload, Identity, MeetingDecision};
use chrono::Duration;
use common::{all, assert_field, assert_forbidden, audit_total, fields};
use domain::Role;
use domain::cards::CardRules;
use domain::plan::{KeyPointInput, Phase, TaskInput};
use domain::supervision::{
    CoordinationInput, DecisionInput, FindingInput, FollowUpInput, InspectionInput,
    KeyProjectInput, MilestoneInput, ProgressInput,
};

/// The month the tests plan: the clock starts on 2 November 2026.
const MONTH: &str = "2026-11";
/// Every task's deadline: 27 days after the month's first day.
const DEADLINE: &str = "2026-11-28";

// ---- builders ----

struct Cast {
    unit_a: i64,
    unit_b: i64,
    kp: i64,
    staff_a: Identity,
    head_a: Identity,
    staff_b: Identity,
    head_b: Identity,
    leader_a: Identity,
    leader_b: Identity,
    director: Identity,
    supervisor: Identity,
    efficiency: Identity,
    performance: Identity,
}

async fn leader(t: &TestApp, username: &str, unit: i64) -> Identity {
    let l = t
        .person(username, None, &[(Role::LeaderInCharge, None)])
        .await;
    t.app
        .set_led_units(Caller::System, l.actor.person_id.0, &[unit])
        .await
        .expect("led units");
    t.identity(l.actor.person_id.0).await
}

async fn cast(t: &TestApp) -> Cast {
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
    let leader_a = leader(t, "leader.a", unit_a).await;
    let leader_b = leader(t, "leader.b", unit_b).await;
    let director = t.person("director", None, &[(Role::Director, None)]).await;
    let supervisor = t
        .person("supervisor", None, &[(Role::Supervisor, None)])
        .await;
    let efficiency = t
        .person("efficiency", None, &[(Role::EfficiencyOfficer, None)])
        .await;
    let performance = t
        .person("performance", None, &[(Role::PerformanceOfficer, None)])
        .await;
    let kp = t
        .app
        .create_key_point(
            Caller::Person(&director),
            t.org,
            &KeyPointInput {
                year: 2026,
                kind: "key_point".into(),
                title: "招商引资".into(),
                ..Default::default()
            },
        )
        .await
        .expect("key point");
    Cast {
        unit_a,
        unit_b,
        kp,
        staff_a,
        head_a,
        staff_b,
        head_b,
        leader_a,
        leader_b,
        director,
        supervisor,
        efficiency,
        performance,
    }
}

/// One task to plan: its unit, owner (who also proposes it) and title.
#[derive(Clone, Copy)]
struct Spec<'a> {
    unit: i64,
    owner: &'a Identity,
    title: &'a str,
    key_work: bool,
    project: Option<i64>,
    draft: bool,
}

fn spec<'a>(unit: i64, owner: &'a Identity, title: &'a str) -> Spec<'a> {
    Spec {
        unit,
        owner,
        title,
        key_work: false,
        project: None,
        draft: false,
    }
}

impl Spec<'_> {
    fn key(self) -> Self {
        Spec {
            key_work: true,
            ..self
        }
    }

    /// Left as a draft: never submitted, so it stays out of the plan.
    fn draft(self) -> Self {
        Spec {
            draft: true,
            ..self
        }
    }

    fn project(self, id: i64) -> Self {
        Spec {
            project: Some(id),
            ..self
        }
    }
}

/// Plans November: opens proposals, proposes every task, submits and accepts all but the
/// drafts, arranges the month and moves it on to execution. Returns the task ids in order.
async fn plan_month(t: &TestApp, c: &Cast, specs: &[Spec<'_>]) -> Vec<i64> {
    t.app
        .move_phase(Caller::System, t.org, MONTH, Some(Phase::Proposing))
        .await
        .expect("open proposals");
    let director = Caller::Person(&c.director);
    let mut ids = Vec::new();
    for s in specs {
        let who = Caller::Person(s.owner);
        let input = TaskInput {
            title: s.title.into(),
            content: "按月推进".into(),
            criterion: "按期完成并提交佐证材料".into(),
            deadline: DEADLINE.into(),
            key_point_id: Some(c.kp),
            owner_id: Some(s.owner.actor.person_id.0),
            is_key_work: s.key_work,
            key_project_id: s.project,
            ..Default::default()
        };
        let id = t
            .app
            .propose(who, t.org, MONTH, s.unit, &input)
            .await
            .expect("propose");
        if !s.draft {
            t.app.submit_proposal(who, id).await.expect("submit");
            t.app
                .meeting_decide(director, id, &MeetingDecision::Accept)
                .await
                .expect("accept");
        }
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
async fn arranged_task(t: &TestApp, c: &Cast, key_work: bool) -> i64 {
    let s = spec(c.unit_a, &c.staff_a, "重大项目签约");
    let s = if key_work { s.key() } else { s };
    plan_month(t, c, &[s]).await[0]
}

/// Three tasks, and the clock 14 days on (16 November, 55% of the time gone): a key task of
/// unit A with no progress (red), a key task of unit B reported at 60% (green), and a plain
/// task of unit A with no progress (red, but not key).
async fn behind_month(t: &TestApp, c: &Cast) -> (i64, i64, i64) {
    let ids = plan_month(
        t,
        c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
            spec(c.unit_b, &c.staff_b, "预算执行分析").key(),
            spec(c.unit_a, &c.staff_a, "客商接待"),
        ],
    )
    .await;
    t.clock.advance(Duration::days(14));
    t.app
        .report_progress(
            Caller::Person(&c.staff_b),
            ids[1],
            &progress(60, "已完成三季度分析"),
            &[],
        )
        .await
        .expect("progress");
    (ids[0], ids[1], ids[2])
}

fn progress(percent: i64, narrative: &str) -> ProgressInput {
    ProgressInput {
        percent,
        narrative: narrative.into(),
    }
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn upload(name: &str, bytes: &[u8]) -> EvidenceUpload {
    EvidenceUpload {
        name: name.into(),
        bytes: bytes.to_vec(),
    }
}

/// The card of a task or project this month, as the supervisor lists it.
async fn card(t: &TestApp, c: &Cast, kind: &str, id: i64) -> CardView {
    t.app
        .list_cards(
            Caller::Person(&c.supervisor),
            t.org,
            MONTH,
            &CardFilter::default(),
            all(),
        )
        .await
        .expect("cards")
        .cards
        .items
        .into_iter()
        .find(|v| v.card.subject_kind == kind && v.card.subject_id == id)
        .unwrap_or_else(|| panic!("no card for {kind} {id}"))
}

fn rules(v: &CardView) -> Vec<&str> {
    v.reasons.iter().map(|r| r.rule.as_str()).collect()
}

fn figure<'a>(v: &'a CardView, rule: &str, name: &str) -> Option<&'a str> {
    v.reasons
        .iter()
        .find(|r| r.rule == rule)?
        .figures
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn has(got: &[(String, &'static str)], field: &str, code: &str) -> bool {
    got.iter().any(|(f, c)| f == field && *c == code)
}

fn inspection_input(mode: &str, units: &[i64]) -> InspectionInput {
    InspectionInput {
        kind: if mode == "covert" {
            "random"
        } else {
            "scheduled"
        }
        .into(),
        mode: mode.into(),
        title: format!("重点工作{mode}检查"),
        scope: "重点项目推进情况".into(),
        planned_on: "2026-11-02".into(),
        unit_ids: units.to_vec(),
    }
}

fn finding_input(unit: i64, task: Option<i64>) -> FindingInput {
    FindingInput {
        unit_id: Some(unit),
        task_id: task,
        severity: "serious".into(),
        description: "现场无施工人员，台账未更新".into(),
        ..Default::default()
    }
}

/// An inspection of unit A by the supervisor with one finding on `task` (and a photo).
async fn inspect(t: &TestApp, c: &Cast, mode: &str, task: i64) -> (i64, i64) {
    let sup = Caller::Person(&c.supervisor);
    let insp = t
        .app
        .create_inspection(sup, t.org, &inspection_input(mode, &[c.unit_a]))
        .await
        .expect("inspection");
    let finding = t
        .app
        .record_finding(
            sup,
            insp,
            &finding_input(c.unit_a, Some(task)),
            &[upload("现场照片.png", PNG)],
        )
        .await
        .expect("finding");
    (insp, finding)
}

fn follow_up(action: &str, due_on: &str) -> FollowUpInput {
    FollowUpInput {
        action: action.into(),
        due_on: due_on.into(),
    }
}

fn project_input(
    name: &str,
    unit: i64,
    leader: Option<i64>,
    start: &str,
    end: &str,
) -> KeyProjectInput {
    KeyProjectInput {
        name: name.into(),
        unit_id: Some(unit),
        leader_id: leader,
        description: "城市商业综合体".into(),
        investment: "120000".into(),
        start_on: start.into(),
        end_on: end.into(),
        status: String::new(),
    }
}

fn milestone(title: &str, due_on: &str) -> MilestoneInput {
    MilestoneInput {
        title: title.into(),
        due_on: due_on.into(),
    }
}

async fn audited(t: &TestApp, action: &str) -> u64 {
    t.app
        .list_audit(
            Caller::System,
            t.org,
            &AuditFilter {
                action: Some(action.into()),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .expect("audit")
        .total
}

fn person_id(i: &Identity) -> i64 {
    i.actor.person_id.0
}

// ---- progress ----

app::app_test!(
    progress_with_evidence_shows_on_the_task_and_its_file_opens_to_its_readers,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let sa = Caller::Person(&c.staff_a);
        let before = t.app.get_task(sa, task).await.unwrap();
        assert_eq!(
            (
                before.task.status.as_str(),
                before.progress.len(),
                before.can_report
            ),
            ("arranged", 0, true)
        );
        let pid = t
            .app
            .report_progress(
                sa,
                task,
                &progress(60, " 已完成签约 3 户 "),
                &[upload("材料/签约台账.pdf", PDF)],
            )
            .await
            .unwrap();
        let d = t.app.get_task(sa, task).await.unwrap();
        assert_eq!(d.task.status, "in_progress");
        assert_eq!(
            (d.task.progress, d.task.last_progress_on.as_deref()),
            (60, Some("2026-11-02"))
        );
        assert_eq!(d.progress.len(), 1);
        let r = &d.progress[0];
        assert_eq!(
            (r.id, r.percent, r.narrative.as_str(), r.reported_by),
            (pid, 60, "已完成签约 3 户", Some(person_id(&c.staff_a)))
        );
        assert_eq!(d.progress_files.len(), 1);
        let f = &d.progress_files[0];
        assert_eq!(
            (f.owner_id, f.name.as_str(), f.kind.as_str(), f.size),
            (pid, "签约台账.pdf", "pdf", PDF.len() as i64)
        );
        // The owner, a supervisor and the leader in charge open the file; another unit may not.
        for who in [&c.staff_a, &c.supervisor, &c.leader_a] {
            let (meta, bytes) = t.app.get_file(Caller::Person(who), f.id).await.unwrap();
            assert_eq!((meta.id, bytes.as_slice()), (f.id, PDF));
        }
        assert_forbidden(t.app.get_file(Caller::Person(&c.staff_b), f.id).await);
        assert!(matches!(
            t.app.get_file(sa, f.id + 1000).await,
            Err(AppError::NotFound)
        ));
        // A colleague's later report comes first and moves the task's figure.
        t.app
            .report_progress(
                Caller::Person(&c.head_a),
                task,
                &progress(80, "完成合同审查"),
                &[],
            )
            .await
            .unwrap();
        let d = t.app.get_task(sa, task).await.unwrap();
        let percents: Vec<i32> = d.progress.iter().map(|g| g.percent).collect();
        assert_eq!((percents, d.task.progress), (vec![80, 60], 80));
        assert_eq!(d.progress_files.len(), 1);
    }
);

app::app_test!(
    bad_progress_is_refused_field_by_field_and_stores_nothing,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_a, &c.staff_a, "未提交的草稿").draft(),
            ],
        )
        .await;
        let (task, draft) = (ids[0], ids[1]);
        let sa = Caller::Person(&c.staff_a);
        let ok = progress(50, "推进中");
        let audit_before = audit_total(&t, t.org).await;
        assert_field(
            t.app
                .report_progress(sa, task, &progress(120, "超额"), &[])
                .await,
            "percent",
            "out_of_range",
        );
        assert_field(
            t.app
                .report_progress(sa, task, &progress(50, "  "), &[])
                .await,
            "narrative",
            "required",
        );
        let got = fields(
            t.app
                .report_progress(sa, task, &progress(-1, ""), &[])
                .await,
        );
        assert!(
            has(&got, "percent", "out_of_range") && has(&got, "narrative", "required"),
            "{got:?}"
        );
        assert_field(
            t.app
                .report_progress(sa, task, &ok, &[upload("setup.exe", PDF)])
                .await,
            "files",
            "file_type_not_allowed",
        );
        assert_field(
            t.app
                .report_progress(sa, task, &ok, &[upload("说明.pdf", b"just some text")])
                .await,
            "files",
            "file_type_not_allowed",
        );
        assert_field(
            t.app
                .report_progress(sa, task, &ok, &[upload("空.pdf", b"")])
                .await,
            "files",
            "file_empty",
        );
        let six: Vec<EvidenceUpload> = (1..=6)
            .map(|i| upload(&format!("佐证{i}.pdf"), PDF))
            .collect();
        assert_field(
            t.app.report_progress(sa, task, &ok, &six).await,
            "files",
            "too_many_files",
        );
        // A draft is not in the plan; the leader in charge and another unit may not report.
        assert_field(
            t.app.report_progress(sa, draft, &ok, &[]).await,
            "status",
            "not_in_plan",
        );
        assert_forbidden(
            t.app
                .report_progress(Caller::Person(&c.leader_a), task, &ok, &[])
                .await,
        );
        assert_forbidden(
            t.app
                .report_progress(Caller::Person(&c.staff_b), task, &ok, &[])
                .await,
        );
        let d = t.app.get_task(sa, task).await.unwrap();
        assert!(d.progress.is_empty() && d.progress_files.is_empty());
        assert_eq!((d.task.status.as_str(), d.task.progress), ("arranged", 0));
        let d = t.app.get_task(sa, draft).await.unwrap();
        assert!(d.progress.is_empty() && !d.can_report && d.card.is_none());
        assert_eq!(
            audit_total(&t, t.org).await,
            audit_before,
            "refusals are not audited"
        );
        // The task page offers the report to the unit but not to the leader.
        let as_leader = t
            .app
            .get_task(Caller::Person(&c.leader_a), task)
            .await
            .unwrap();
        assert!(!as_leader.can_report && !as_leader.can_raise);
    }
);

// ---- cards ----

app::app_test!(arranged_tasks_get_cards_with_their_rules_and_figures, |t| {
    let c = cast(&t).await;
    let ids = plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
            spec(c.unit_b, &c.staff_b, "预算执行分析"),
        ],
    )
    .await;
    let view = t
        .app
        .list_cards(
            Caller::Person(&c.supervisor),
            t.org,
            MONTH,
            &CardFilter::default(),
            all(),
        )
        .await
        .unwrap();
    assert_eq!(view.cards.total, 2);
    assert_eq!(view.computed_on.as_deref(), Some("2026-11-02"));
    assert!(view.can_supervise);
    assert_eq!((view.totals.green, view.totals.total()), (2, 2));
    assert_eq!(
        view.unjudged_key, 1,
        "only the key task waits for a judgement"
    );
    for v in &view.cards.items {
        // 1 of 27 days gone, nothing reported: on schedule, with the figures shown.
        assert_eq!((v.card.color.as_str(), v.judged), ("green", false));
        assert_eq!(rules(v), vec!["on_schedule"]);
        assert_eq!(figure(v, "on_schedule", "elapsed_percent"), Some("3"));
        assert_eq!(figure(v, "on_schedule", "progress"), Some("0"));
        assert_eq!(figure(v, "on_schedule", "lag_points"), Some("3"));
    }
    let a = card(&t, &c, "task", ids[0]).await;
    assert_eq!(
        (
            a.card.title.as_str(),
            a.card.unit_name.as_str(),
            a.card.is_key
        ),
        ("重大项目签约", "招商合作局", true)
    );
    assert!(!card(&t, &c, "task", ids[1]).await.card.is_key);
    // A unit lists its own cards only.
    let b = t
        .app
        .list_cards(
            Caller::Person(&c.staff_b),
            t.org,
            MONTH,
            &CardFilter::default(),
            all(),
        )
        .await
        .unwrap();
    let subjects: Vec<i64> = b.cards.items.iter().map(|v| v.card.subject_id).collect();
    assert_eq!((subjects, b.can_supervise), (vec![ids[1]], false));
});

app::app_test!(
    a_task_behind_schedule_turns_yellow_or_red_and_full_progress_turns_it_green,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "产业链招商"),
                spec(c.unit_a, &c.staff_a, "园区推介会"),
            ],
        )
        .await;
        let sa = Caller::Person(&c.staff_a);
        t.clock.advance(Duration::days(14)); // 16 November: 15 of 27 days gone (55%)
        t.app
            .report_progress(sa, ids[1], &progress(30, "完成场地预订"), &[])
            .await
            .unwrap();
        let far = card(&t, &c, "task", ids[0]).await;
        assert_eq!(far.card.color, "red");
        assert_eq!(rules(&far), vec!["far_behind", "no_update"]);
        assert_eq!(figure(&far, "far_behind", "elapsed_percent"), Some("55"));
        assert_eq!(figure(&far, "far_behind", "lag_points"), Some("55"));
        assert_eq!(figure(&far, "no_update", "days_without_update"), Some("15"));
        let behind = card(&t, &c, "task", ids[1]).await;
        assert_eq!(behind.card.color, "yellow");
        assert_eq!(rules(&behind), vec!["behind_schedule"]);
        assert_eq!(figure(&behind, "behind_schedule", "lag_points"), Some("25"));
        // Done: green at once, on the task page and in the list.
        t.app
            .report_progress(sa, ids[0], &progress(100, "全部签约完成"), &[])
            .await
            .unwrap();
        let on_task = t.app.get_task(sa, ids[0]).await.unwrap().card.unwrap();
        assert_eq!(
            (on_task.card.color.as_str(), rules(&on_task)),
            ("green", vec!["on_schedule"])
        );
        let view = t
            .app
            .list_cards(
                Caller::Person(&c.supervisor),
                t.org,
                MONTH,
                &CardFilter::default(),
                all(),
            )
            .await
            .unwrap();
        assert_eq!(
            (view.totals.green, view.totals.yellow, view.totals.red),
            (1, 1, 0)
        );
    }
);

app::app_test!(
    card_thresholds_change_the_outcome_and_bad_ones_are_refused,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        t.clock.advance(Duration::days(14));
        t.app
            .report_progress(
                Caller::Person(&c.staff_a),
                task,
                &progress(30, "推进中"),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(card(&t, &c, "task", task).await.card.color, "yellow");
        let sup = Caller::Person(&c.supervisor);
        let strict = CardRules {
            lag_yellow_points: 10,
            lag_red_points: 20,
            ..CardRules::default()
        };
        assert_forbidden(
            t.app
                .set_card_rules(Caller::Person(&c.staff_a), t.org, strict)
                .await,
        );
        t.app.set_card_rules(sup, t.org, strict).await.unwrap();
        assert_eq!(t.app.card_rules(t.org).await.unwrap(), strict);
        let v = card(&t, &c, "task", task).await;
        assert_eq!(
            (v.card.color.as_str(), rules(&v)),
            ("red", vec!["far_behind"])
        );
        let loose = CardRules {
            lag_yellow_points: 30,
            lag_red_points: 60,
            ..CardRules::default()
        };
        t.app.set_card_rules(sup, t.org, loose).await.unwrap();
        let v = card(&t, &c, "task", task).await;
        assert_eq!(
            (v.card.color.as_str(), rules(&v)),
            ("green", vec!["on_schedule"])
        );
        // Invalid thresholds name their fields and change nothing.
        let got = fields(
            t.app
                .set_card_rules(
                    sup,
                    t.org,
                    CardRules {
                        lag_yellow_points: 50,
                        lag_red_points: 30,
                        near_deadline_days: 40,
                        near_deadline_progress: 101,
                        stale_days: 0,
                    },
                )
                .await,
        );
        for f in [
            "lag_red_points",
            "near_deadline_days",
            "near_deadline_progress",
            "stale_days",
        ] {
            assert!(has(&got, f, "out_of_range"), "{f}: {got:?}");
        }
        assert!(!has(&got, "lag_yellow_points", "out_of_range"), "{got:?}");
        assert_field(
            t.app
                .set_card_rules(
                    sup,
                    t.org,
                    CardRules {
                        lag_yellow_points: 0,
                        ..CardRules::default()
                    },
                )
                .await,
            "lag_yellow_points",
            "out_of_range",
        );
        assert_eq!(t.app.card_rules(t.org).await.unwrap(), loose);
    }
);

app::app_test!(
    a_supervisor_confirms_or_overrides_and_only_the_override_survives_recomputation,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
                spec(c.unit_a, &c.staff_a, "产业链招商").key(),
            ],
        )
        .await;
        let one = card(&t, &c, "task", ids[0]).await.card.id;
        let two = card(&t, &c, "task", ids[1]).await.card.id;
        for who in [&c.staff_a, &c.head_a, &c.director, &c.efficiency] {
            assert_forbidden(t.app.judge_card(Caller::Person(who), one, "", "").await);
        }
        let sup = Caller::Person(&c.supervisor);
        let v = t.app.judge_card(sup, one, "", "").await.unwrap();
        assert!(v.judged && !v.card.overridden);
        assert_eq!(
            (
                v.card.color.as_str(),
                v.card.confirmed_as.as_deref(),
                v.card.confirmed_by
            ),
            ("green", Some("green"), Some(person_id(&c.supervisor)))
        );
        assert_field(
            t.app.judge_card(sup, two, "red", "  ").await,
            "reason",
            "required",
        );
        assert_field(
            t.app.judge_card(sup, two, "purple", "颜色不对").await,
            "color",
            "invalid_color",
        );
        assert!(!card(&t, &c, "task", ids[1]).await.judged);
        let v = t
            .app
            .judge_card(sup, two, "yellow", "现场核查发现进度不实")
            .await
            .unwrap();
        assert!(v.judged && v.card.overridden);
        assert_eq!(
            (
                v.card.color.as_str(),
                v.card.computed_color.as_str(),
                v.card.override_reason.as_deref()
            ),
            ("yellow", "green", Some("现场核查发现进度不实"))
        );
        // Both fall far behind: the plain confirmation lapses, the override holds.
        t.clock.advance(Duration::days(14));
        let a = card(&t, &c, "task", ids[0]).await;
        assert_eq!(
            (
                a.card.computed_color.as_str(),
                a.card.color.as_str(),
                a.judged,
                a.card.confirmed_as.as_deref()
            ),
            ("red", "red", false, None)
        );
        let b = card(&t, &c, "task", ids[1]).await;
        assert_eq!(
            (
                b.card.computed_color.as_str(),
                b.card.color.as_str(),
                b.judged,
                b.card.overridden
            ),
            ("red", "yellow", true, true)
        );
        // Naming the computed colour is a plain confirmation, no reason needed.
        let v = t.app.judge_card(sup, one, "red", "").await.unwrap();
        assert_eq!(
            (v.card.overridden, v.card.confirmed_as.as_deref()),
            (false, Some("red"))
        );
        // A concern needs a note and turns a card at least yellow with its own rule.
        let v = card(&t, &c, "task", ids[0]).await;
        assert_field(
            t.app.set_card_concern(sup, v.card.id, true, " ").await,
            "note",
            "required",
        );
        let v = t
            .app
            .set_card_concern(sup, v.card.id, true, "多次催办无回应")
            .await
            .unwrap();
        assert!(v.card.concern && rules(&v).contains(&"supervisor_concern"));
    }
);

// ---- publication and warnings ----

app::app_test!(
    publication_waits_for_key_cards_then_warns_the_owner_and_the_leader_once,
    |t| {
        let c = cast(&t).await;
        let (red, green, plain) = behind_month(&t, &c).await;
        let sup = Caller::Person(&c.supervisor);
        assert_eq!(card(&t, &c, "task", plain).await.card.color, "red");
        assert_field(
            t.app.publish_cards(sup, t.org, MONTH, "十一月第一期").await,
            "month",
            "unjudged_cards",
        );
        assert_eq!(
            t.app
                .list_publications(sup, t.org, Some(MONTH), all())
                .await
                .unwrap()
                .total,
            0
        );
        for who in [&c.staff_a, &c.director] {
            assert_forbidden(
                t.app
                    .confirm_all_cards(Caller::Person(who), t.org, MONTH)
                    .await,
            );
            assert_forbidden(
                t.app
                    .publish_cards(Caller::Person(who), t.org, MONTH, "")
                    .await,
            );
        }
        assert_eq!(t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap(), 2);
        let p1 = t
            .app
            .publish_cards(sup, t.org, MONTH, "十一月第一期")
            .await
            .unwrap();
        assert_eq!((p1.seq, p1.cards, p1.warnings), (1, 2, 2));
        // The publication's counts are the key cards'.
        let key = t
            .app
            .list_cards(
                sup,
                t.org,
                MONTH,
                &CardFilter {
                    key_only: true,
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap();
        let v1 = t
            .app
            .get_publication(sup, p1.publication_id, &[], all())
            .await
            .unwrap();
        let pc = &v1.publication;
        assert_eq!(
            (i64::from(pc.green), i64::from(pc.yellow), i64::from(pc.red)),
            (key.totals.green, key.totals.yellow, key.totals.red)
        );
        assert_eq!((pc.green, pc.yellow, pc.red), (1, 0, 1));
        let mut published: Vec<(i64, String)> = v1
            .cards
            .items
            .iter()
            .map(|p| (p.card.subject_id, p.card.color.clone()))
            .collect();
        published.sort();
        assert_eq!(
            published,
            vec![(red, "red".to_owned()), (green, "green".to_owned())]
        );
        let red_card = v1
            .cards
            .items
            .iter()
            .find(|p| p.card.subject_id == red)
            .unwrap();
        assert_eq!(red_card.reasons[0].rule, "far_behind");
        // Warnings: the owner and the leader in charge of the red key card, not of the plain one.
        let w = t
            .app
            .list_warnings(sup, t.org, &WarningFilter::default(), all())
            .await
            .unwrap();
        assert_eq!((w.year, w.warnings.total), (2026, 2));
        let mut warned: Vec<(i64, &str, i64)> = w
            .warnings
            .items
            .iter()
            .map(|r| (r.person_id, r.as_role.as_str(), r.subject_id))
            .collect();
        warned.sort();
        let mut expected = vec![
            (person_id(&c.staff_a), "owner", red),
            (person_id(&c.leader_a), "leader", red),
        ];
        expected.sort();
        assert_eq!(warned, expected);
        // Each warned person is told at once, urgently, with a link to the task.
        for who in [&c.staff_a, &c.leader_a] {
            let inbox = t
                .app
                .inbox(Caller::Person(who), false, all())
                .await
                .unwrap();
            let told: Vec<_> = inbox
                .items
                .iter()
                .filter(|n| n.event == "warning_issued")
                .collect();
            assert_eq!(told.len(), 1);
            assert!(told[0].urgent);
            assert_eq!(
                told[0].link.as_deref(),
                Some(format!("/tasks/{red}").as_str())
            );
        }
        assert!(
            w.by_person
                .contains(&(person_id(&c.staff_a), "测试staff.a".into(), 1))
        );
        assert!(
            w.by_person
                .contains(&(person_id(&c.leader_a), "测试leader.a".into(), 1))
        );
        assert_eq!(w.by_unit, vec![(c.unit_a, "招商合作局".to_owned(), 2)]);
        let one = t
            .app
            .list_warnings(
                sup,
                t.org,
                &WarningFilter {
                    person_id: Some(person_id(&c.staff_a)),
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap();
        assert_eq!(one.warnings.total, 1);
        // Each unit sees its own warnings.
        let total_for = |who: &Identity| {
            let who = who.clone();
            let app = t.app.clone();
            let org = t.org;
            async move {
                app.list_warnings(Caller::Person(&who), org, &WarningFilter::default(), all())
                    .await
                    .unwrap()
                    .warnings
                    .total
            }
        };
        assert_eq!(total_for(&c.head_a).await, 2);
        assert_eq!(total_for(&c.staff_b).await, 0);
        // A second publication of the month: numbered 2, no second warning for the same card.
        t.app
            .judge_card(
                sup,
                card(&t, &c, "task", green).await.card.id,
                "yellow",
                "佐证材料不足",
            )
            .await
            .unwrap();
        let p2 = t
            .app
            .publish_cards(sup, t.org, MONTH, "十一月第二期")
            .await
            .unwrap();
        assert_eq!((p2.seq, p2.warnings), (2, 0));
        // No second warning, so no second notice.
        let again = t
            .app
            .inbox(Caller::Person(&c.staff_a), false, all())
            .await
            .unwrap();
        assert_eq!(
            again
                .items
                .iter()
                .filter(|n| n.event == "warning_issued")
                .count(),
            1
        );
        let v2 = t
            .app
            .get_publication(sup, p2.publication_id, &[], all())
            .await
            .unwrap();
        assert_eq!(
            (
                v2.publication.green,
                v2.publication.yellow,
                v2.publication.red
            ),
            (0, 1, 1)
        );
        assert_eq!(
            t.app
                .list_warnings(sup, t.org, &WarningFilter::default(), all())
                .await
                .unwrap()
                .warnings
                .total,
            2
        );
        // Cards change: a lapsed confirmation holds the next publication again …
        t.app
            .report_progress(
                Caller::Person(&c.staff_a),
                red,
                &progress(100, "全部签约完成"),
                &[],
            )
            .await
            .unwrap();
        assert_field(
            t.app.publish_cards(sup, t.org, MONTH, "").await,
            "month",
            "unjudged_cards",
        );
        assert_eq!(t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap(), 1);
        let p3 = t.app.publish_cards(sup, t.org, MONTH, "").await.unwrap();
        assert_eq!((p3.seq, p3.warnings), (3, 0));
        // … and the earlier publications stay as they were.
        let again = t
            .app
            .get_publication(sup, p1.publication_id, &[], all())
            .await
            .unwrap();
        assert_eq!(
            (
                again.publication.green,
                again.publication.yellow,
                again.publication.red
            ),
            (1, 0, 1)
        );
        let mut colours: Vec<(i64, String)> = again
            .cards
            .items
            .iter()
            .map(|p| (p.card.subject_id, p.card.color.clone()))
            .collect();
        colours.sort();
        assert_eq!(colours, published);
        let list = t
            .app
            .list_publications(Caller::Person(&c.staff_b), t.org, Some(MONTH), all())
            .await
            .unwrap();
        let seqs: Vec<i32> = list.items.iter().map(|p| p.seq).collect();
        assert_eq!(seqs, vec![3, 2, 1]);
    }
);

app::app_test!(a_publication_counts_only_the_warnings_it_issued, |t| {
    let c = cast(&t).await;
    behind_month(&t, &c).await;
    let sup = Caller::Person(&c.supervisor);
    t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap();
    let p1 = t
        .app
        .publish_cards(sup, t.org, MONTH, "第一期")
        .await
        .unwrap();
    let p2 = t
        .app
        .publish_cards(sup, t.org, MONTH, "第二期")
        .await
        .unwrap();
    assert_eq!((p1.warnings, p2.warnings), (2, 0));
    let v1 = t
        .app
        .get_publication(sup, p1.publication_id, &[], all())
        .await
        .unwrap();
    assert_eq!(v1.warnings, p1.warnings);
    let v2 = t
        .app
        .get_publication(sup, p2.publication_id, &[], all())
        .await
        .unwrap();
    assert_eq!(
        v2.warnings, p2.warnings,
        "the second publication issued no warning, yet its page counts the first one's"
    );
});

app::app_test!(a_published_override_keeps_its_reason, |t| {
    let c = cast(&t).await;
    let (_, green, _) = behind_month(&t, &c).await;
    let sup = Caller::Person(&c.supervisor);
    let id = card(&t, &c, "task", green).await.card.id;
    t.app
        .judge_card(sup, id, "yellow", "佐证材料不足")
        .await
        .unwrap();
    t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap();
    let p = t.app.publish_cards(sup, t.org, MONTH, "").await.unwrap();
    let v = t
        .app
        .get_publication(sup, p.publication_id, &[], all())
        .await
        .unwrap();
    let pc = v
        .cards
        .items
        .iter()
        .find(|x| x.card.subject_id == green)
        .unwrap();
    assert_eq!(pc.card.color, "yellow");
    assert_eq!(
        pc.card.override_reason.as_deref(),
        Some("佐证材料不足"),
        "the published card should say why its colour was set by hand"
    );
});

app::app_test!(
    key_projects_and_assigned_items_are_key_cards_that_hold_publication,
    |t| {
        let c = cast(&t).await;
        let dir = Caller::Person(&c.director);
        let project = t
            .app
            .create_project(
                dir,
                t.org,
                &project_input(
                    "万达广场",
                    c.unit_b,
                    Some(person_id(&c.leader_b)),
                    "2026-10-25",
                    "2027-06-30",
                ),
            )
            .await
            .unwrap();
        let ids = plan_month(&t, &c, &[spec(c.unit_a, &c.staff_a, "客商接待")]).await;
        let item = t
            .app
            .add_assigned_item(
                dir,
                t.org,
                MONTH,
                c.unit_a,
                &TaskInput {
                    title: "落实交办：客商座谈会".into(),
                    criterion: "召开座谈会".into(),
                    deadline: DEADLINE.into(),
                    owner_id: Some(person_id(&c.head_a)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let sup = Caller::Person(&c.supervisor);
        let key = t
            .app
            .list_cards(
                sup,
                t.org,
                MONTH,
                &CardFilter {
                    key_only: true,
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap();
        let mut subjects: Vec<(String, i64)> = key
            .cards
            .items
            .iter()
            .map(|v| (v.card.subject_kind.clone(), v.card.subject_id))
            .collect();
        subjects.sort();
        assert_eq!(
            subjects,
            vec![("project".to_owned(), project), ("task".to_owned(), item)]
        );
        assert_eq!(key.unjudged_key, 2);
        assert!(!card(&t, &c, "task", ids[0]).await.card.is_key);
        let project_card = card(&t, &c, "project", project).await.card.id;
        t.app.judge_card(sup, project_card, "", "").await.unwrap();
        assert_field(
            t.app.publish_cards(sup, t.org, MONTH, "").await,
            "month",
            "unjudged_cards",
        );
        let item_card = card(&t, &c, "task", item).await.card.id;
        t.app.judge_card(sup, item_card, "", "").await.unwrap();
        let p = t.app.publish_cards(sup, t.org, MONTH, "").await.unwrap();
        assert_eq!(p.cards, 2);
    }
);

app::app_test!(
    an_item_assigned_after_the_cards_were_computed_still_holds_publication,
    |t| {
        let c = cast(&t).await;
        plan_month(&t, &c, &[spec(c.unit_a, &c.staff_a, "重大项目签约").key()]).await;
        let sup = Caller::Person(&c.supervisor);
        // The supervisor looks at the cards (computed for the day) and confirms them.
        assert_eq!(t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap(), 1);
        // The leadership then assigns an item: key work by definition, and not judged by anyone.
        let item = t
            .app
            .add_assigned_item(
                Caller::Person(&c.director),
                t.org,
                MONTH,
                c.unit_a,
                &TaskInput {
                    title: "落实交办：安全生产检查".into(),
                    criterion: "完成检查并整改".into(),
                    deadline: DEADLINE.into(),
                    owner_id: Some(person_id(&c.head_a)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        // Publication must wait for the new, unjudged key item, which has its card.
        assert_field(
            t.app.publish_cards(sup, t.org, MONTH, "").await,
            "month",
            "unjudged_cards",
        );
        let view = t
            .app
            .list_cards(sup, t.org, MONTH, &CardFilter::default(), all())
            .await
            .unwrap();
        assert!(
            view.cards
                .items
                .iter()
                .any(|v| v.card.subject_kind == "task" && v.card.subject_id == item),
            "an item assigned after the day's computation should be carded at once"
        );
    }
);

// ---- inspections ----

app::app_test!(
    a_covert_inspection_stays_with_the_team_until_published,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        let (insp, finding) = inspect(&t, &c, "covert", task).await;
        let sup = Caller::Person(&c.supervisor);
        let detail = t.app.get_inspection(sup, insp).await.unwrap();
        assert!(detail.hidden && detail.can_publish && detail.can_record);
        let file = detail.findings[0].files[0].id;
        // Hidden from the inspected unit and its leader.
        for who in [&c.head_a, &c.staff_a, &c.leader_a] {
            let me = Caller::Person(who);
            assert!(
                matches!(
                    t.app.get_inspection(me, insp).await,
                    Err(AppError::NotFound)
                ),
                "{}",
                who.username
            );
            let list = t
                .app
                .list_inspections(me, t.org, &InspectionFilter::default(), all())
                .await
                .unwrap();
            assert_eq!(list.total, 0, "{}", who.username);
            let findings = t
                .app
                .list_findings(me, t.org, &FindingFilter::default(), all())
                .await
                .unwrap();
            assert_eq!(findings.total, 0, "{}", who.username);
            assert!(t.app.get_task(me, task).await.unwrap().findings.is_empty());
            assert!(matches!(
                t.app.get_file(me, file).await,
                Err(AppError::NotFound)
            ));
        }
        // The card does not count it, today or on a later day.
        let v = card(&t, &c, "task", task).await;
        assert!(
            !rules(&v).contains(&"inspection_finding"),
            "{:?}",
            rules(&v)
        );
        assert_eq!(v.card.color, "green");
        t.clock.advance(Duration::days(1));
        let v = card(&t, &c, "task", task).await;
        assert_eq!(
            (v.card.color.as_str(), rules(&v)),
            ("green", vec!["on_schedule"])
        );
        let head_dash = t
            .app
            .dashboard(Caller::Person(&c.head_a), t.org, MONTH)
            .await
            .unwrap();
        assert_eq!(head_dash.attention_total, 0);
        // The director and the team see it.
        for who in [&c.director, &c.efficiency, &c.supervisor] {
            let me = Caller::Person(who);
            let d = t.app.get_inspection(me, insp).await.unwrap();
            assert_eq!(
                d.findings.iter().map(|f| f.finding.id).collect::<Vec<_>>(),
                vec![finding]
            );
            let list = t
                .app
                .list_inspections(me, t.org, &InspectionFilter::default(), all())
                .await
                .unwrap();
            assert_eq!(list.total, 1, "{}", who.username);
            let findings = t
                .app
                .list_findings(me, t.org, &FindingFilter::default(), all())
                .await
                .unwrap();
            assert_eq!(findings.total, 1, "{}", who.username);
            assert_eq!(t.app.get_task(me, task).await.unwrap().findings.len(), 1);
            assert!(t.app.get_file(me, file).await.is_ok());
        }
        let as_director = t
            .app
            .get_inspection(Caller::Person(&c.director), insp)
            .await
            .unwrap();
        assert!(!as_director.can_record && !as_director.can_publish);
        assert_forbidden(
            t.app
                .publish_inspection(Caller::Person(&c.director), insp)
                .await,
        );
        // Published: the unit sees it and the card turns red.
        t.app.publish_inspection(sup, insp).await.unwrap();
        assert_field(
            t.app.publish_inspection(sup, insp).await,
            "status",
            "already_published",
        );
        let head = Caller::Person(&c.head_a);
        let d = t.app.get_inspection(head, insp).await.unwrap();
        assert!(!d.hidden && !d.can_record);
        assert_eq!(d.findings.len(), 1);
        assert_eq!(
            t.app
                .list_findings(head, t.org, &FindingFilter::default(), all())
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(t.app.get_task(head, task).await.unwrap().findings.len(), 1);
        assert!(t.app.get_file(head, file).await.is_ok());
        let v = card(&t, &c, "task", task).await;
        assert_eq!(v.card.color, "red");
        assert_eq!(v.reasons[0].rule, "inspection_finding");
        assert_eq!(figure(&v, "inspection_finding", "open_findings"), Some("1"));
        // Another unit never sees it.
        let sb = Caller::Person(&c.staff_b);
        assert!(t.app.get_inspection(sb, insp).await.is_err());
        assert_eq!(
            t.app
                .list_inspections(sb, t.org, &InspectionFilter::default(), all())
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            t.app
                .list_findings(sb, t.org, &FindingFilter::default(), all())
                .await
                .unwrap()
                .total,
            0
        );
        assert!(t.app.get_file(sb, file).await.is_err());
        // Closed, the finding stops counting.
        assert_forbidden(
            t.app
                .close_finding(Caller::Person(&c.director), finding, "已整改")
                .await,
        );
        t.app
            .close_finding(sup, finding, "已整改到位")
            .await
            .unwrap();
        let v = card(&t, &c, "task", task).await;
        assert!(
            !rules(&v).contains(&"inspection_finding"),
            "{:?}",
            rules(&v)
        );
        assert_field(
            t.app.close_finding(sup, finding, "再次").await,
            "status",
            "already_closed",
        );
    }
);

app::app_test!(
    an_open_inspection_is_seen_by_the_inspected_unit_at_once,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let (insp, finding) = inspect(&t, &c, "open", task).await;
        let head = Caller::Person(&c.head_a);
        let d = t.app.get_inspection(head, insp).await.unwrap();
        assert!(!d.hidden && !d.can_publish);
        assert_eq!(d.findings[0].finding.id, finding);
        assert!(d.findings[0].can_respond);
        assert_eq!(
            t.app
                .list_inspections(head, t.org, &InspectionFilter::default(), all())
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(t.app.get_task(head, task).await.unwrap().findings.len(), 1);
        let v = card(&t, &c, "task", task).await;
        assert_eq!(
            (v.card.color.as_str(), v.reasons[0].rule.as_str()),
            ("red", "inspection_finding")
        );
        let sb = Caller::Person(&c.staff_b);
        assert_eq!(
            t.app
                .list_inspections(sb, t.org, &InspectionFilter::default(), all())
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            t.app
                .list_findings(sb, t.org, &FindingFilter::default(), all())
                .await
                .unwrap()
                .total,
            0
        );
        assert_field(
            t.app
                .publish_inspection(Caller::Person(&c.supervisor), insp)
                .await,
            "mode",
            "not_covert",
        );
    }
);

app::app_test!(
    only_the_inspection_team_plans_inspections_and_records_findings,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let input = inspection_input("open", &[c.unit_a]);
        for who in [&c.director, &c.staff_a, &c.head_a, &c.leader_a] {
            assert_forbidden(
                t.app
                    .create_inspection(Caller::Person(who), t.org, &input)
                    .await,
            );
        }
        let got = fields(
            t.app
                .create_inspection(
                    Caller::Person(&c.supervisor),
                    t.org,
                    &InspectionInput {
                        kind: "surprise".into(),
                        unit_ids: vec![],
                        ..input.clone()
                    },
                )
                .await,
        );
        assert!(
            has(&got, "kind", "invalid_choice") && has(&got, "inspected_unit_ids", "required"),
            "{got:?}"
        );
        let by_eff = t
            .app
            .create_inspection(Caller::Person(&c.efficiency), t.org, &input)
            .await
            .unwrap();
        let by_perf = t
            .app
            .create_inspection(Caller::Person(&c.performance), t.org, &input)
            .await
            .unwrap();
        assert_ne!(by_eff, by_perf);
        let f = finding_input(c.unit_a, Some(task));
        for who in [&c.director, &c.staff_a, &c.head_a] {
            assert_forbidden(
                t.app
                    .record_finding(Caller::Person(who), by_eff, &f, &[])
                    .await,
            );
        }
        let perf = Caller::Person(&c.performance);
        assert_field(
            t.app
                .record_finding(perf, by_eff, &finding_input(c.unit_b, Some(task)), &[])
                .await,
            "task_id",
            "not_in_unit",
        );
        assert_field(
            t.app
                .record_finding(
                    perf,
                    by_eff,
                    &FindingInput {
                        found_on: "2026-11-03".into(),
                        ..f.clone()
                    },
                    &[],
                )
                .await,
            "found_on",
            "date_in_future",
        );
        assert_field(
            t.app
                .record_finding(perf, by_eff, &f, &[upload("a.pdf", b"MZ\x90\x00")])
                .await,
            "files",
            "file_type_not_allowed",
        );
        t.app.record_finding(perf, by_eff, &f, &[]).await.unwrap();
        let d = t.app.get_inspection(perf, by_eff).await.unwrap();
        assert_eq!((d.findings.len(), d.inspection.findings), (1, 1));
        assert_forbidden(
            t.app
                .complete_inspection(Caller::Person(&c.director), by_eff)
                .await,
        );
        t.app.complete_inspection(perf, by_eff).await.unwrap();
        assert_field(
            t.app.complete_inspection(perf, by_eff).await,
            "status",
            "already_done",
        );
        let d = t.app.get_inspection(perf, by_eff).await.unwrap();
        assert_eq!(
            (
                d.inspection.status.as_str(),
                d.inspection.done_on.as_deref()
            ),
            ("done", Some("2026-11-02"))
        );
    }
);

app::app_test!(
    findings_on_a_key_project_are_seen_only_within_their_unit,
    |t| {
        let c = cast(&t).await;
        let project = t
            .app
            .create_project(
                Caller::Person(&c.director),
                t.org,
                &project_input("高新产业园", c.unit_a, None, "2026-10-25", "2027-06-30"),
            )
            .await
            .unwrap();
        let sup = Caller::Person(&c.supervisor);
        let insp = t
            .app
            .create_inspection(sup, t.org, &inspection_input("open", &[c.unit_a]))
            .await
            .unwrap();
        t.app
            .record_finding(
                sup,
                insp,
                &FindingInput {
                    key_project_id: Some(project),
                    ..finding_input(c.unit_a, None)
                },
                &[],
            )
            .await
            .unwrap();
        // The project's lead unit sees the finding on the project's page.
        let own = t
            .app
            .get_project(Caller::Person(&c.staff_a), project)
            .await
            .unwrap();
        assert_eq!(own.findings.len(), 1);
        // Another unit sees the (public) project, but not the finding on unit A.
        let sb = Caller::Person(&c.staff_b);
        assert_eq!(
            t.app
                .list_findings(sb, t.org, &FindingFilter::default(), all())
                .await
                .unwrap()
                .total,
            0
        );
        let other = t.app.get_project(sb, project).await.unwrap();
        assert!(
            other.findings.is_empty(),
            "staff of another unit sees {} finding(s) on unit A through the project page",
            other.findings.len()
        );
    }
);

// ---- follow-ups ----

app::app_test!(
    follow_ups_are_answered_by_the_unit_closed_by_the_team_and_flagged_when_overdue,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let (insp, finding) = inspect(&t, &c, "open", task).await;
        let sup = Caller::Person(&c.supervisor);
        assert_field(
            t.app
                .add_follow_up(sup, finding, &follow_up("限期整改", "2026-11-01"))
                .await,
            "due_on",
            "date_in_past",
        );
        assert_forbidden(
            t.app
                .add_follow_up(
                    Caller::Person(&c.head_a),
                    finding,
                    &follow_up("自查", "2026-11-05"),
                )
                .await,
        );
        let first = t
            .app
            .add_follow_up(sup, finding, &follow_up("三日内提交整改报告", "2026-11-05"))
            .await
            .unwrap()
            .id;
        let later = t
            .app
            .add_follow_up(sup, finding, &follow_up("补充影像资料", "2026-11-20"))
            .await
            .unwrap()
            .id;
        let head = Caller::Person(&c.head_a);
        // The reminders reach the inspected unit's head for the one due within three days.
        t.app.run_job_now("reminders", "test").await.unwrap();
        let due: Vec<String> = t
            .app
            .inbox(head, false, all())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|n| n.event == "follow_up_due")
            .map(|n| n.subject)
            .collect();
        assert_eq!(due.len(), 1, "{due:?}");
        assert!(due[0].contains("三日内提交整改报告"), "{due:?}");
        assert_forbidden(
            t.app
                .respond_follow_up(Caller::Person(&c.staff_b), first, "越权答复", &[])
                .await,
        );
        assert_field(
            t.app.respond_follow_up(head, first, "  ", &[]).await,
            "response",
            "required",
        );
        t.app
            .respond_follow_up(head, first, "已提交整改报告", &[])
            .await
            .unwrap();
        assert_forbidden(t.app.close_follow_up(head, first).await);
        t.app.close_follow_up(sup, first).await.unwrap();
        assert_field(
            t.app.close_follow_up(sup, first).await,
            "status",
            "already_closed",
        );
        assert_field(
            t.app
                .respond_follow_up(Caller::Person(&c.staff_a), first, "再补充", &[])
                .await,
            "status",
            "already_closed",
        );
        let d = t.app.get_inspection(head, insp).await.unwrap();
        let fus = &d.findings[0].follow_ups;
        let closed = fus.iter().find(|f| f.id == first).unwrap();
        assert_eq!(
            (closed.status.as_str(), closed.response.as_deref()),
            ("closed", Some("已提交整改报告"))
        );
        assert_eq!(fus.len(), 2);
        // A third one, due on the 5th, is overdue from the 6th (not on the 5th itself).
        let chase = t
            .app
            .add_follow_up(sup, finding, &follow_up("约谈单位负责人", "2026-11-05"))
            .await
            .unwrap()
            .id;
        t.clock.advance(Duration::days(3));
        assert_eq!(
            t.app
                .list_follow_ups(sup, t.org, true, all())
                .await
                .unwrap()
                .total,
            0
        );
        t.clock.advance(Duration::days(1));
        let overdue = t
            .app
            .list_follow_ups(sup, t.org, true, all())
            .await
            .unwrap();
        assert_eq!(
            overdue.items.iter().map(|f| f.id).collect::<Vec<_>>(),
            vec![chase]
        );
        let everything = t
            .app
            .list_follow_ups(sup, t.org, false, all())
            .await
            .unwrap();
        assert_eq!(everything.total, 3);
        assert!(everything.items.iter().any(|f| f.id == later));
        let dash = t.app.dashboard(sup, t.org, MONTH).await.unwrap();
        assert_eq!(
            (
                dash.overdue_follow_ups
                    .iter()
                    .map(|f| f.id)
                    .collect::<Vec<_>>(),
                dash.overdue_total
            ),
            (vec![chase], 1)
        );
        assert_eq!(
            t.app
                .dashboard(head, t.org, MONTH)
                .await
                .unwrap()
                .overdue_total,
            1
        );
        let sb = Caller::Person(&c.staff_b);
        assert_eq!(
            t.app
                .list_follow_ups(sb, t.org, true, all())
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            t.app
                .dashboard(sb, t.org, MONTH)
                .await
                .unwrap()
                .overdue_total,
            0
        );
    }
);

app::app_test!(a_covert_follow_up_is_not_answerable_until_published, |t| {
    let c = cast(&t).await;
    let task = arranged_task(&t, &c, false).await;
    let (insp, finding) = inspect(&t, &c, "covert", task).await;
    let sup = Caller::Person(&c.supervisor);
    let fu = t
        .app
        .add_follow_up(sup, finding, &follow_up("暗访问题限期整改", "2026-11-04"))
        .await
        .unwrap()
        .id;
    let head = Caller::Person(&c.head_a);
    assert!(matches!(
        t.app.respond_follow_up(head, fu, "已整改", &[]).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(
        t.app
            .list_follow_ups(head, t.org, false, all())
            .await
            .unwrap()
            .total,
        0
    );
    t.clock.advance(Duration::days(3));
    assert_eq!(
        t.app
            .dashboard(head, t.org, MONTH)
            .await
            .unwrap()
            .overdue_total,
        0
    );
    assert_eq!(
        t.app
            .dashboard(sup, t.org, MONTH)
            .await
            .unwrap()
            .overdue_total,
        1
    );
    assert_eq!(
        t.app
            .dashboard(Caller::Person(&c.director), t.org, MONTH)
            .await
            .unwrap()
            .overdue_total,
        1
    );
    t.app.publish_inspection(sup, insp).await.unwrap();
    let d = t.app.dashboard(head, t.org, MONTH).await.unwrap();
    assert_eq!(d.overdue_total, 1, "published: the unit sees what it owes");
    t.app
        .respond_follow_up(head, fu, "已整改", &[])
        .await
        .unwrap();
    let d = t.app.dashboard(head, t.org, MONTH).await.unwrap();
    assert_eq!(
        d.overdue_total, 0,
        "answered: waiting for verification, not overdue"
    );
});

// ---- coordination requests ----

app::app_test!(
    a_coordination_request_is_discussed_in_the_open_decided_and_resolved,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let sa = Caller::Person(&c.staff_a);
        let id = t
            .app
            .raise_coordination(
                sa,
                task,
                &CoordinationInput {
                    title: "项目用地管线迁改".into(),
                    description: "需财政局协调迁改资金".into(),
                    involved_unit_ids: vec![c.unit_b, c.unit_b],
                },
            )
            .await
            .unwrap();
        let sb = Caller::Person(&c.staff_b);
        let d = t.app.get_coordination(sb, id).await.unwrap();
        assert_eq!(
            (
                d.request.status.as_str(),
                d.request.task_id,
                d.request.unit_id
            ),
            ("open", task, c.unit_a)
        );
        assert_eq!(d.involved, vec![(c.unit_b, "财政局".to_owned())]);
        assert!(d.can_propose && !d.can_decide && !d.can_resolve);
        assert_eq!(
            t.app
                .list_coordination(sb, t.org, &CoordinationFilter::default(), all())
                .await
                .unwrap()
                .total,
            1
        );
        let on_task = t.app.get_task(sa, task).await.unwrap().coordination;
        assert_eq!(on_task.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
        // Units and leaders propose solutions first.
        t.app
            .propose_solution(sb, id, "由财政局先行垫付迁改资金")
            .await
            .unwrap();
        t.app
            .propose_solution(Caller::Person(&c.leader_a), id, "协调供电公司同步施工")
            .await
            .unwrap();
        assert_field(
            t.app.propose_solution(sb, id, " ").await,
            "solution",
            "required",
        );
        let d = t.app.get_coordination(sa, id).await.unwrap();
        assert_eq!((d.solutions.len(), d.request.solutions), (2, 2));
        assert_eq!(d.solutions[0].unit_id, Some(c.unit_b));
        // Nothing to resolve before the office meeting decides; only it decides.
        let dir = Caller::Person(&c.director);
        assert_field(
            t.app.resolve_coordination(dir, id, "已解决").await,
            "status",
            "not_decided",
        );
        let decision = DecisionInput {
            decision: "财政局牵头，十日内拨付迁改资金".into(),
            owner_unit_id: Some(c.unit_b),
            deadline: "2026-11-12".into(),
        };
        for who in [&c.staff_b, &c.head_a, &c.leader_a, &c.supervisor] {
            assert_forbidden(
                t.app
                    .decide_coordination(Caller::Person(who), id, &decision)
                    .await,
            );
        }
        assert_field(
            t.app
                .decide_coordination(
                    dir,
                    id,
                    &DecisionInput {
                        deadline: "2026-11-01".into(),
                        ..decision.clone()
                    },
                )
                .await,
            "deadline",
            "date_in_past",
        );
        let got = fields(
            t.app
                .decide_coordination(dir, id, &DecisionInput::default())
                .await,
        );
        for f in ["decision", "owner_unit_id", "deadline"] {
            assert!(has(&got, f, "required"), "{f}: {got:?}");
        }
        assert!(t.app.get_coordination(dir, id).await.unwrap().can_decide);
        t.app.decide_coordination(dir, id, &decision).await.unwrap();
        let hb = Caller::Person(&c.head_b);
        let d = t.app.get_coordination(hb, id).await.unwrap();
        assert_eq!(
            (
                d.request.status.as_str(),
                d.request.owner_unit_id,
                d.request.deadline.as_deref()
            ),
            ("decided", Some(c.unit_b), Some("2026-11-12"))
        );
        assert!(d.can_resolve);
        assert!(!t.app.get_coordination(sb, id).await.unwrap().can_resolve);
        // The owner unit's head resolves it; neither its staff nor the raising unit's head may.
        assert_forbidden(t.app.resolve_coordination(sb, id, "资金已到位").await);
        assert_forbidden(
            t.app
                .resolve_coordination(Caller::Person(&c.head_a), id, "资金已到位")
                .await,
        );
        // The owner unit's head and the director at once: one resolution takes effect.
        let (by_head, by_director) = tokio::join!(
            t.app
                .resolve_coordination(hb, id, "资金已拨付，管线迁改完成"),
            t.app.resolve_coordination(dir, id, "主任确认已解决"),
        );
        let (text, by) = match (&by_head, &by_director) {
            (Ok(()), Err(_)) => ("资金已拨付，管线迁改完成", person_id(&c.head_b)),
            (Err(_), Ok(())) => ("主任确认已解决", person_id(&c.director)),
            other => panic!("exactly one resolution takes effect: {other:?}"),
        };
        for r in [by_head, by_director] {
            if r.is_err() {
                assert_field(r, "status", "already_resolved");
            }
        }
        let d = t.app.get_coordination(sa, id).await.unwrap();
        assert_eq!(
            (
                d.request.status.as_str(),
                d.request.resolution.as_deref(),
                d.request.resolved_by
            ),
            ("resolved", Some(text), Some(by))
        );
        assert!(!d.can_propose && !d.can_decide && !d.can_resolve);
        assert_field(
            t.app.propose_solution(sa, id, "再议").await,
            "status",
            "already_resolved",
        );
        assert_field(
            t.app.decide_coordination(dir, id, &decision).await,
            "status",
            "already_resolved",
        );
        assert_field(
            t.app.resolve_coordination(dir, id, "再次").await,
            "status",
            "already_resolved",
        );
        let open = t
            .app
            .list_coordination(
                sa,
                t.org,
                &CoordinationFilter {
                    statuses: vec!["open".into(), "decided".into()],
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap();
        assert_eq!(open.total, 0);
    }
);

app::app_test!(
    coordination_is_raised_only_by_the_unit_on_a_planned_task,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_a, &c.staff_a, "草稿").draft(),
            ],
        )
        .await;
        let sa = Caller::Person(&c.staff_a);
        let input = CoordinationInput {
            title: "审批流程卡顿".into(),
            description: "需多部门并联审批".into(),
            involved_unit_ids: vec![c.unit_b],
        };
        assert_field(
            t.app.raise_coordination(sa, ids[1], &input).await,
            "task_id",
            "not_in_plan",
        );
        for who in [&c.staff_b, &c.leader_a] {
            assert_forbidden(
                t.app
                    .raise_coordination(Caller::Person(who), ids[0], &input)
                    .await,
            );
        }
        assert_field(
            t.app
                .raise_coordination(
                    sa,
                    ids[0],
                    &CoordinationInput {
                        involved_unit_ids: vec![c.unit_b, 999_999],
                        ..input.clone()
                    },
                )
                .await,
            "involved_unit_ids",
            "not_found",
        );
        let got = fields(
            t.app
                .raise_coordination(sa, ids[0], &CoordinationInput::default())
                .await,
        );
        assert!(
            has(&got, "title", "required") && has(&got, "description", "required"),
            "{got:?}"
        );
        assert_eq!(
            t.app
                .list_coordination(
                    Caller::Person(&c.supervisor),
                    t.org,
                    &CoordinationFilter::default(),
                    all()
                )
                .await
                .unwrap()
                .total,
            0
        );
    }
);

// ---- key projects ----

app::app_test!(
    key_projects_are_validated_and_milestones_drive_their_card,
    |t| {
        let c = cast(&t).await;
        let dir = Caller::Person(&c.director);
        let input = project_input(
            "万达广场",
            c.unit_b,
            Some(person_id(&c.leader_b)),
            "2026-10-25",
            "2027-06-30",
        );
        for who in [&c.staff_b, &c.supervisor, &c.leader_b] {
            assert_forbidden(
                t.app
                    .create_project(Caller::Person(who), t.org, &input)
                    .await,
            );
        }
        let p = t.app.create_project(dir, t.org, &input).await.unwrap();
        assert_field(
            t.app.create_project(dir, t.org, &input).await,
            "name",
            "already_taken",
        );
        assert_field(
            t.app
                .create_project(
                    dir,
                    t.org,
                    &project_input("高新产业园", c.unit_b, None, "2026-10-25", "2026-10-01"),
                )
                .await,
            "end_on",
            "end_before_start",
        );
        assert_field(
            t.app
                .create_project(
                    dir,
                    t.org,
                    &KeyProjectInput {
                        leader_id: Some(person_id(&c.staff_b)),
                        ..project_input("高新产业园", c.unit_b, None, "2026-10-25", "2027-06-30")
                    },
                )
                .await,
            "leader_id",
            "not_a_leader",
        );
        let other = t
            .app
            .create_project(
                dir,
                t.org,
                &project_input("高新产业园", c.unit_b, None, "2026-10-25", "2027-06-30"),
            )
            .await
            .unwrap();
        assert_field(
            t.app.update_project(dir, other, &input).await,
            "name",
            "already_taken",
        );
        // Public within the organization.
        let listed = t
            .app
            .list_projects(
                Caller::Person(&c.staff_a),
                t.org,
                &ProjectFilter::default(),
                all(),
            )
            .await
            .unwrap();
        assert_eq!(listed.total, 2);
        // Milestones lie within the project's dates.
        for due in ["2027-07-01", "2026-10-24"] {
            assert_field(
                t.app
                    .add_milestone(dir, p, &milestone("主体封顶", due))
                    .await,
                "due_on",
                "outside_project",
            );
        }
        assert_forbidden(
            t.app
                .add_milestone(
                    Caller::Person(&c.head_b),
                    p,
                    &milestone("主体封顶", "2027-03-01"),
                )
                .await,
        );
        let d = t
            .app
            .get_project(Caller::Person(&c.staff_a), p)
            .await
            .unwrap();
        assert_eq!(
            d.card.as_ref().map(|v| v.card.color.as_str()),
            Some("green")
        );
        assert!(!d.can_report && !d.can_manage);
        // A milestone already past due turns the card red; reaching it turns it back.
        let ms = t
            .app
            .add_milestone(dir, p, &milestone("完成土方开挖", "2026-10-30"))
            .await
            .unwrap();
        let v = t.app.get_project(dir, p).await.unwrap().card.unwrap();
        assert_eq!(
            (v.card.color.as_str(), v.reasons[0].rule.as_str()),
            ("red", "milestone_overdue")
        );
        assert_eq!(
            figure(&v, "milestone_overdue", "overdue_milestones"),
            Some("1")
        );
        assert_forbidden(
            t.app
                .set_milestone_done(Caller::Person(&c.staff_a), ms, true)
                .await,
        );
        t.app
            .set_milestone_done(Caller::Person(&c.head_b), ms, true)
            .await
            .unwrap();
        let d = t.app.get_project(dir, p).await.unwrap();
        assert_eq!(d.milestones[0].done_on.as_deref(), Some("2026-11-02"));
        assert_eq!(
            d.card.as_ref().map(|v| v.card.color.as_str()),
            Some("green")
        );
        assert!(d.can_manage);
        t.app.set_milestone_done(dir, ms, false).await.unwrap();
        let v = card(&t, &c, "project", p).await;
        assert_eq!(v.card.color, "red");
    }
);

app::app_test!(
    the_lead_unit_reports_a_projects_monthly_progress_once_a_month,
    |t| {
        let c = cast(&t).await;
        let p = t
            .app
            .create_project(
                Caller::Person(&c.director),
                t.org,
                &project_input("万达广场", c.unit_b, None, "2026-10-25", "2027-06-30"),
            )
            .await
            .unwrap();
        let sb = Caller::Person(&c.staff_b);
        assert!(t.app.get_project(sb, p).await.unwrap().can_report);
        assert!(
            !t.app
                .get_project(Caller::Person(&c.staff_a), p)
                .await
                .unwrap()
                .can_report
        );
        for who in [&c.staff_a, &c.leader_b, &c.director] {
            assert_forbidden(
                t.app
                    .report_project_progress(Caller::Person(who), p, &progress(10, "越权"))
                    .await,
            );
        }
        assert_field(
            t.app
                .report_project_progress(sb, p, &progress(101, "超额"))
                .await,
            "percent",
            "out_of_range",
        );
        t.app
            .report_project_progress(sb, p, &progress(20, "完成桩基施工"))
            .await
            .unwrap();
        t.app
            .report_project_progress(
                Caller::Person(&c.head_b),
                p,
                &progress(35, "主体施工至三层"),
            )
            .await
            .unwrap();
        let d = t.app.get_project(sb, p).await.unwrap();
        let rows: Vec<(&str, i32, &str)> = d
            .progress
            .iter()
            .map(|g| (g.month.as_str(), g.percent, g.narrative.as_str()))
            .collect();
        assert_eq!(rows, vec![("2026-11", 35, "主体施工至三层")]);
        assert_eq!(
            (d.project.progress, d.project.last_progress_on.as_deref()),
            (35, Some("2026-11-02"))
        );
        // The next month gets its own report.
        t.clock.advance(Duration::days(30));
        t.app
            .report_project_progress(sb, p, &progress(45, "主体施工至五层"))
            .await
            .unwrap();
        let d = t.app.get_project(sb, p).await.unwrap();
        let months: Vec<&str> = d.progress.iter().map(|g| g.month.as_str()).collect();
        assert_eq!(
            (months, d.project.progress),
            (vec!["2026-12", "2026-11"], 45)
        );
    }
);

app::app_test!(a_task_proposed_for_a_key_project_links_to_it, |t| {
    let c = cast(&t).await;
    let p = t
        .app
        .create_project(
            Caller::Person(&c.director),
            t.org,
            &project_input("万达广场", c.unit_a, None, "2026-10-25", "2027-06-30"),
        )
        .await
        .unwrap();
    let ids = plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "万达广场招商签约").project(p),
            spec(c.unit_a, &c.staff_a, "客商接待"),
        ],
    )
    .await;
    let d = t
        .app
        .get_project(Caller::Person(&c.staff_a), p)
        .await
        .unwrap();
    assert_eq!(
        d.tasks.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    let task = t
        .app
        .get_task(Caller::Person(&c.staff_a), ids[0])
        .await
        .unwrap()
        .task;
    assert_eq!(
        (task.key_project_id, task.key_project_name.as_deref()),
        (Some(p), Some("万达广场"))
    );
});

// ---- the display board ----

app::app_test!(
    the_display_board_shows_only_the_latest_publication_and_no_names,
    |t| {
        let c = cast(&t).await;
        let (red, _, _) = behind_month(&t, &c).await;
        let sup = Caller::Person(&c.supervisor);
        assert_forbidden(
            t.app
                .create_display_token(Caller::Person(&c.staff_a), t.org, "大厅")
                .await,
        );
        let (token_id, token) = t
            .app
            .create_display_token(sup, t.org, "政务大厅电子屏")
            .await
            .unwrap();
        assert_eq!(token.len(), 48);
        t.app
            .raise_coordination(
                Caller::Person(&c.staff_a),
                red,
                &CoordinationInput {
                    title: "签约主体资质待确认".into(),
                    description: "需财政局出具意见".into(),
                    involved_unit_ids: vec![c.unit_b],
                },
            )
            .await
            .unwrap();
        // Nothing published yet: empty counts, but the open coordination request shows.
        let b = t.app.board(&token).await.unwrap();
        assert_eq!(b.organization_name, "测试工管委");
        assert!(b.publication.is_none() && b.red.is_empty() && b.by_unit.is_empty());
        assert_eq!(b.totals.total(), 0);
        assert_eq!(
            b.coordination
                .iter()
                .map(|x| x.title.as_str())
                .collect::<Vec<_>>(),
            vec!["签约主体资质待确认"]
        );
        t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap();
        let p = t.app.publish_cards(sup, t.org, MONTH, "").await.unwrap();
        // Live changes after the publication do not reach the screen.
        t.app
            .report_progress(
                Caller::Person(&c.staff_a),
                red,
                &progress(100, "全部签约完成"),
                &[],
            )
            .await
            .unwrap();
        let b = t.app.board(&token).await.unwrap();
        let bp = b.publication.as_ref().unwrap();
        assert_eq!(
            (bp.id, bp.seq, bp.month.as_str()),
            (p.publication_id, 1, MONTH)
        );
        assert_eq!((b.totals.green, b.totals.yellow, b.totals.red), (1, 0, 1));
        assert_eq!(
            b.red
                .iter()
                .map(|x| (x.title.as_str(), x.rule.as_deref()))
                .collect::<Vec<_>>(),
            vec![("重大项目签约", Some("far_behind"))]
        );
        assert_eq!(b.by_unit.len(), 2);
        let json = serde_json::to_string(&b).unwrap();
        for who in [&c.staff_a, &c.staff_b, &c.leader_a, &c.supervisor] {
            assert!(
                !json.contains(&who.display_name),
                "{} on the board",
                who.display_name
            );
        }
        // Unknown or revoked tokens open nothing.
        assert_forbidden(
            t.app
                .revoke_display_token(Caller::Person(&c.staff_a), token_id)
                .await,
        );
        t.app.revoke_display_token(sup, token_id).await.unwrap();
        assert!(matches!(t.app.board(&token).await, Err(AppError::NotFound)));
        assert_field(
            t.app.revoke_display_token(sup, token_id).await,
            "token",
            "already_revoked",
        );
        for bad in ["0".repeat(48), "nope".to_owned(), String::new()] {
            assert!(matches!(t.app.board(&bad).await, Err(AppError::NotFound)));
        }
    }
);

// ---- notices ----

async fn next_notice(
    rx: &mut tokio::sync::broadcast::Receiver<app::model::Notice>,
    topic: &str,
) -> app::model::Notice {
    let wait = async {
        loop {
            match rx.recv().await {
                Ok(n) if n.topic == topic => break n,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("notices ended: {e}"),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(2), wait)
        .await
        .unwrap_or_else(|_| panic!("no {topic} notice within 2 s"))
}

app::app_test!(
    publishing_and_coordinating_send_notices_to_subscribers,
    |t| {
        let c = cast(&t).await;
        let (red, _, _) = behind_month(&t, &c).await;
        let sup = Caller::Person(&c.supervisor);
        t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap();
        let mut rx = t.app.subscribe().await;
        t.app.publish_cards(sup, t.org, MONTH, "").await.unwrap();
        let n = next_notice(&mut rx, "publication").await;
        assert_eq!(n.organization_id, t.org);
        t.app
            .raise_coordination(
                Caller::Person(&c.staff_a),
                red,
                &CoordinationInput {
                    title: "用地指标".into(),
                    description: "需协调".into(),
                    involved_unit_ids: vec![c.unit_b],
                },
            )
            .await
            .unwrap();
        let n = next_notice(&mut rx, "coordination").await;
        assert_eq!(n.organization_id, t.org);
        // A process that listens must still be able to close its database (at shutdown, and
        // at the end of this test): the listener may not hold a connection forever.
        let closed =
            tokio::time::timeout(std::time::Duration::from_secs(5), t.app.db().close()).await;
        assert!(
            closed.is_ok(),
            "the database does not close within 5 s once someone subscribed to notices"
        );
    }
);

// ---- dashboards ----

app::app_test!(
    dashboards_are_scoped_to_the_unit_the_leaders_units_or_everything,
    |t| {
        let c = cast(&t).await;
        plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
                spec(c.unit_a, &c.head_a, "招商政策修订"),
                spec(c.unit_b, &c.staff_b, "预算执行分析").key(),
            ],
        )
        .await;
        let dash = |who: &Identity| {
            let who = who.clone();
            let app = t.app.clone();
            let org = t.org;
            async move {
                app.dashboard(Caller::Person(&who), org, MONTH)
                    .await
                    .unwrap()
            }
        };
        let units = |d: &app::Dashboard| d.by_unit.iter().map(|u| u.unit_id).collect::<Vec<_>>();
        let head = dash(&c.head_a).await;
        assert_eq!((head.scope, head.totals.total()), ("unit", 2));
        assert_eq!(units(&head), vec![c.unit_a]);
        assert_eq!((head.unjudged_key, head.can_supervise), (0, false));
        let staff_b = dash(&c.staff_b).await;
        assert_eq!((staff_b.scope, staff_b.totals.total()), ("unit", 1));
        let leader = dash(&c.leader_a).await;
        assert_eq!((leader.scope, leader.totals.total()), ("units", 2));
        assert_eq!(units(&leader), vec![c.unit_a]);
        let leader = dash(&c.leader_b).await;
        assert_eq!((leader.scope, units(&leader)), ("units", vec![c.unit_b]));
        let sup = dash(&c.supervisor).await;
        assert_eq!(
            (sup.scope, sup.totals.total(), sup.by_unit.len()),
            ("all", 3, 2)
        );
        assert_eq!((sup.unjudged_key, sup.can_supervise), (2, true));
        assert_eq!(dash(&c.director).await.scope, "all");
        t.app
            .confirm_all_cards(Caller::Person(&c.supervisor), t.org, MONTH)
            .await
            .unwrap();
        assert_eq!(dash(&c.supervisor).await.unjudged_key, 0);
        // Far behind: attention lists the red cards within the scope only.
        t.clock.advance(Duration::days(14));
        let head = dash(&c.head_a).await;
        assert_eq!(head.attention_total, 2);
        assert!(head.attention.iter().all(|v| v.card.unit_id == c.unit_a));
        assert_eq!(head.stale_total, 2);
        assert_eq!(dash(&c.supervisor).await.attention_total, 3);
    }
);

// ---- audit ----

app::app_test!(
    every_supervision_change_is_audited_and_the_ledger_verifies,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        let sup = Caller::Person(&c.supervisor);
        let sa = Caller::Person(&c.staff_a);
        let dir = Caller::Person(&c.director);
        // Let the month's cards be computed first, so that only the changes below are counted.
        let card_id = card(&t, &c, "task", task).await.card.id;

        let n = audit_total(&t, t.org).await;
        t.app
            .report_progress(sa, task, &progress(10, "启动"), &[upload("启动.pdf", PDF)])
            .await
            .unwrap();
        assert_eq!(audit_total(&t, t.org).await, n + 1);
        assert_eq!(audited(&t, "task.progress").await, 1);

        let n = audit_total(&t, t.org).await;
        let coordination = t
            .app
            .raise_coordination(
                sa,
                task,
                &CoordinationInput {
                    title: "用地指标".into(),
                    description: "需协调".into(),
                    involved_unit_ids: vec![c.unit_b],
                },
            )
            .await
            .unwrap();
        t.app
            .propose_solution(Caller::Person(&c.staff_b), coordination, "调剂指标")
            .await
            .unwrap();
        assert_eq!(audit_total(&t, t.org).await, n + 2);

        let n = audit_total(&t, t.org).await;
        let (insp, finding) = inspect(&t, &c, "covert", task).await;
        t.app
            .add_follow_up(sup, finding, &follow_up("限期整改", "2026-11-09"))
            .await
            .unwrap();
        t.app.publish_inspection(sup, insp).await.unwrap();
        assert_eq!(audit_total(&t, t.org).await, n + 4);
        assert_eq!(audited(&t, "finding.record").await, 1);
        assert_eq!(audited(&t, "inspection.publish").await, 1);

        let n = audit_total(&t, t.org).await;
        t.app
            .judge_card(sup, card_id, "yellow", "整改期内暂定黄牌")
            .await
            .unwrap();
        assert_eq!(audit_total(&t, t.org).await, n + 1);
        assert_eq!(audited(&t, "card.override").await, 1);

        let n = audit_total(&t, t.org).await;
        t.app
            .set_card_rules(sup, t.org, CardRules::default())
            .await
            .unwrap();
        t.app.publish_cards(sup, t.org, MONTH, "").await.unwrap();
        assert_eq!(audit_total(&t, t.org).await, n + 2);
        assert_eq!(audited(&t, "cards.publish").await, 1);

        let n = audit_total(&t, t.org).await;
        let p = t
            .app
            .create_project(
                dir,
                t.org,
                &project_input("万达广场", c.unit_b, None, "2026-10-25", "2027-06-30"),
            )
            .await
            .unwrap();
        t.app
            .add_milestone(dir, p, &milestone("主体封顶", "2027-03-01"))
            .await
            .unwrap();
        t.app
            .report_project_progress(Caller::Person(&c.staff_b), p, &progress(5, "开工"))
            .await
            .unwrap();
        t.app
            .create_display_token(sup, t.org, "电子屏")
            .await
            .unwrap();
        assert_eq!(audit_total(&t, t.org).await, n + 4);

        // Refusals leave no trace.
        let n = audit_total(&t, t.org).await;
        let _ = t
            .app
            .report_progress(sa, task, &progress(200, "x"), &[])
            .await;
        let _ = t
            .app
            .judge_card(Caller::Person(&c.staff_a), card_id, "", "")
            .await;
        let _ = t.app.publish_inspection(sup, insp).await;
        assert_eq!(audit_total(&t, t.org).await, n);

        let report = t.app.verify_audit().await.unwrap();
        assert!(report.ok(), "{:?}", report.breaks);
        assert!(report.entries >= n);
    }
);

// ---- what a review of the code found ----

app::app_test!(
    a_person_without_units_sees_no_findings_of_an_inspection,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        let (insp, _) = inspect(&t, &c, "open", task).await;
        // A person with no role at all, and a leader who leads no unit yet.
        let nobody = t.person("nobody", None, &[]).await;
        let idle = t
            .person("leader.idle", None, &[(Role::LeaderInCharge, None)])
            .await;
        for who in [&nobody, &idle] {
            assert_forbidden(t.app.get_inspection(Caller::Person(who), insp).await);
        }
        // Staff of the inspected unit see it, with its finding counted.
        let d = t
            .app
            .get_inspection(Caller::Person(&c.staff_a), insp)
            .await
            .unwrap();
        assert_eq!((d.findings.len(), d.inspection.findings), (1, 1));
    }
);

app::app_test!(
    other_units_do_not_learn_how_many_findings_an_inspection_has,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        let sup = Caller::Person(&c.supervisor);
        let insp = t
            .app
            .create_inspection(sup, t.org, &inspection_input("open", &[c.unit_a, c.unit_b]))
            .await
            .unwrap();
        t.app
            .record_finding(sup, insp, &finding_input(c.unit_a, Some(task)), &[])
            .await
            .unwrap();
        let listed = t
            .app
            .list_inspections(
                Caller::Person(&c.staff_b),
                t.org,
                &InspectionFilter::default(),
                all(),
            )
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1, "unit B was inspected too");
        assert_eq!(
            listed.items[0].findings, 0,
            "unit A's finding is not counted for unit B"
        );
        let d = t
            .app
            .get_inspection(Caller::Person(&c.staff_b), insp)
            .await
            .unwrap();
        assert_eq!((d.findings.len(), d.inspection.findings), (0, 0));
        let team = t
            .app
            .list_inspections(sup, t.org, &InspectionFilter::default(), all())
            .await
            .unwrap();
        assert_eq!(team.items[0].findings, 1);
    }
);

app::app_test!(the_audit_ledger_keeps_no_details_of_covert_work, |t| {
    let c = cast(&t).await;
    let task = arranged_task(&t, &c, true).await;
    let (insp, finding) = inspect(&t, &c, "covert", task).await;
    t.app
        .add_follow_up(
            Caller::Person(&c.supervisor),
            finding,
            &follow_up("暗访限期整改", "2026-11-10"),
        )
        .await
        .unwrap();
    let page = t
        .app
        .list_audit(Caller::System, t.org, &AuditFilter::default(), all())
        .await
        .unwrap();
    let text = serde_json::to_string(&page.items).unwrap();
    for secret in ["暗访限期整改", &finding_input(c.unit_a, None).description] {
        assert!(!text.contains(secret), "{secret} is in the ledger");
    }
    assert!(
        text.contains(r#"{\"covert\":true}"#),
        "the changes are recorded: {text}"
    );
    let _ = insp;
});

app::app_test!(
    the_owner_in_another_unit_sees_the_task_and_its_evidence,
    |t| {
        let c = cast(&t).await;
        // Unit A's task, owned by a member of unit A; then that person moves to unit B.
        let task = arranged_task(&t, &c, true).await;
        let id = t
            .app
            .report_progress(
                Caller::Person(&c.staff_a),
                task,
                &progress(30, "起步"),
                &[upload("a.pdf", b"%PDF-1.4\n%%EOF\n")],
            )
            .await
            .unwrap();
        assert!(id > 0);
        // The owner moves to unit B: their unit-A role goes, a unit-B one comes.
        let owner_id = person_id(&c.staff_a);
        for r in store::people::roles_of(t.app.db(), owner_id).await.unwrap() {
            t.app.revoke_role(Caller::System, r.id).await.unwrap();
        }
        t.app
            .grant_role(
                Caller::System,
                owner_id,
                Some(Role::Staff),
                Some(domain::UnitId(c.unit_b)),
            )
            .await
            .unwrap();
        t.app
            .update_person(
                Caller::System,
                owner_id,
                &domain::org::PersonInput {
                    username: "staff.a".into(),
                    display_name: "测试staff.a".into(),
                    unit_id: Some(domain::UnitId(c.unit_b)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let owner = t.identity(owner_id).await;
        // Unit A's plan is no longer theirs to see …
        assert_forbidden(
            t.app
                .plan_table(Caller::Person(&owner), t.org, MONTH, c.unit_a, None)
                .await,
        );
        // … but their own task and its evidence are, and they may go on reporting.
        let d = t.app.get_task(Caller::Person(&owner), task).await.unwrap();
        let file = d.progress_files[0].id;
        assert!(t.app.get_file(Caller::Person(&owner), file).await.is_ok());
        t.app
            .report_progress(Caller::Person(&owner), task, &progress(60, "继续推进"), &[])
            .await
            .unwrap();
        // Someone else of unit B is still refused.
        assert_forbidden(t.app.get_task(Caller::Person(&c.staff_b), task).await);
    }
);

app::app_test!(a_suspended_project_loses_its_card, |t| {
    let c = cast(&t).await;
    let director = Caller::Person(&c.director);
    let input = project_input("高新产业园", c.unit_a, None, "2026-10-25", "2027-06-30");
    let project = t.app.create_project(director, t.org, &input).await.unwrap();
    arranged_task(&t, &c, true).await;
    assert!(
        t.app
            .list_cards(
                Caller::System,
                t.org,
                MONTH,
                &CardFilter {
                    kind: Some("project".into()),
                    ..Default::default()
                },
                all()
            )
            .await
            .unwrap()
            .cards
            .total
            == 1
    );
    let suspended = KeyProjectInput {
        status: "suspended".into(),
        ..input
    };
    t.app
        .update_project(director, project, &suspended)
        .await
        .unwrap();
    t.app
        .refresh_cards(Caller::Person(&c.supervisor), t.org, MONTH)
        .await
        .unwrap();
    let v = t
        .app
        .list_cards(
            Caller::System,
            t.org,
            MONTH,
            &CardFilter {
                kind: Some("project".into()),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(v.cards.total, 0, "no card for a suspended project");
});

app::app_test!(cards_of_a_closed_month_do_not_change, |t| {
    let c = cast(&t).await;
    let task = arranged_task(&t, &c, true).await;
    let v = card(&t, &c, "task", task).await;
    let cycle = store::plan::cycle(t.app.db(), t.org, MONTH)
        .await
        .unwrap()
        .unwrap();
    let mut tx = t.app.db().begin().await.unwrap();
    store::plan::set_phase(&mut tx, cycle.id, "closed", None, t.app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let sup = Caller::Person(&c.supervisor);
    assert_field(
        t.app.set_card_concern(sup, v.card.id, true, "关注").await,
        "month",
        "month_closed",
    );
    assert_field(
        t.app.judge_card(sup, v.card.id, "red", "x").await,
        "month",
        "month_closed",
    );
    let after = store::cards::get_card(t.app.db(), v.card.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.color, v.card.color);
});

app::app_test!(
    a_follow_up_is_answered_with_evidence_verified_and_only_then_closes_its_finding,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let (insp, finding) = inspect(&t, &c, "open", task).await;
        let sup = Caller::Person(&c.supervisor);
        let head = Caller::Person(&c.head_a);
        let due = (t.app.today() + Duration::days(1)).to_string();
        let fu = t
            .app
            .add_follow_up(sup, finding, &follow_up("限期整改消防通道", &due))
            .await
            .unwrap()
            .id;
        let status = |row: &app::model::FollowUpRow| row.status.clone();

        // Nothing to verify before the unit answers; the finding stays open while its
        // follow-up is not done.
        assert_field(
            t.app.close_follow_up(sup, fu).await,
            "status",
            "not_answered",
        );
        assert_field(
            t.app.close_finding(sup, finding, "已整改").await,
            "status",
            "follow_ups_open",
        );

        // 整改反馈 with evidence: waiting for verification, no second answer meanwhile.
        let answered = t
            .app
            .respond_follow_up(
                head,
                fu,
                "已清理通道杂物并设置警示标识",
                &[upload("整改照片.png", PNG)],
            )
            .await
            .unwrap();
        assert_eq!(status(&answered), "answered");
        assert_field(
            t.app.respond_follow_up(head, fu, "再补充", &[]).await,
            "status",
            "already_answered",
        );
        assert_field(
            t.app.verify_follow_up(sup, fu, false, " ").await,
            "note",
            "required",
        );
        assert_forbidden(t.app.verify_follow_up(head, fu, true, "").await);

        // 核验 sends it back: the unit answers again; while it owes an answer past the due
        // day, the follow-up is overdue.
        let returned = t
            .app
            .verify_follow_up(sup, fu, false, "照片未显示警示标识")
            .await
            .unwrap();
        assert_eq!(
            (status(&returned), returned.verify_note.as_deref()),
            ("returned".to_owned(), Some("照片未显示警示标识"))
        );
        t.clock.advance(Duration::days(2));
        let overdue = t
            .app
            .list_follow_ups(sup, t.org, true, all())
            .await
            .unwrap();
        assert_eq!(overdue.items.iter().map(|f| f.id).collect::<Vec<_>>(), [fu]);
        assert_field(
            t.app.close_finding(sup, finding, "已整改").await,
            "status",
            "follow_ups_open",
        );
        t.app
            .respond_follow_up(head, fu, "补拍警示标识照片", &[upload("标识.png", PNG)])
            .await
            .unwrap();
        assert_eq!(
            t.app
                .list_follow_ups(sup, t.org, true, all())
                .await
                .unwrap()
                .total,
            0,
            "answered: the unit owes nothing now"
        );

        // Accepted: 办结, and then the finding can close.
        let closed = t.app.verify_follow_up(sup, fu, true, "").await.unwrap();
        assert_eq!(status(&closed), "closed");
        assert_field(
            t.app.verify_follow_up(sup, fu, false, "再看看").await,
            "status",
            "already_closed",
        );
        let d = t.app.get_inspection(sup, insp).await.unwrap();
        assert_eq!(
            d.findings[0]
                .follow_up_files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>(),
            ["整改照片.png", "标识.png"]
        );
        t.app
            .close_finding(sup, finding, "通道已畅通")
            .await
            .unwrap();
    }
);
