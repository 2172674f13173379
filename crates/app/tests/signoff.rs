//! Sign-off (销号) through the app layer, on both databases: the unit head's form or
//! unfinished statement, the joint review by the three offices with site checks, the leading
//! group's decision, the month's figures, the review meeting and its bulletin, and the month's
//! close with its carry-over, its refusals afterwards, its concurrency and its crash safety.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use app::model::AuditFilter;
use app::testing::TestApp;
use app::{AppError, Caller, MeetingDecision};
use chrono::Duration;
use common::month::*;
use common::{all, assert_field, assert_forbidden, audit_total, fields};
use domain::Role;
use domain::close::Step;
use domain::figures::Figures;
use domain::plan::{Change, Phase, TaskInput, YearMonth, parse_date};
use domain::signoff::{FormInput, Office, ReviewRule};

// ---- submission ----

app::app_test!(
    the_unit_head_submits_a_complete_form_with_evidence_drafted_from_the_progress_log,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let sa = Caller::Person(&c.staff_a);
        let head = Caller::Person(&c.head_a);
        t.app
            .report_progress(
                sa,
                task,
                &progress(40, "完成客商对接"),
                &[upload("对接纪要.pdf", PDF)],
            )
            .await
            .unwrap();
        t.clock.advance(Duration::days(8));
        t.app
            .report_progress(sa, task, &progress(100, "签订投资协议"), &[])
            .await
            .unwrap();
        go_to(&t, SIGN_OFF_OPENS);

        let before = t.app.get_task(head, task).await.unwrap().sign_off;
        assert!(before.can_submit && before.forms.is_empty() && before.state.is_none());
        let draft = before.draft_report.clone();
        assert!(draft.contains("关于“重大项目签约”的销号报告"), "{draft}");
        assert!(
            draft.contains("完成标准：按期完成并提交佐证材料"),
            "{draft}"
        );
        assert!(draft.contains(&format!("完成时限：{DEADLINE}")), "{draft}");
        let first = draft
            .find("2026-11-02 完成40%：完成客商对接")
            .unwrap_or_else(|| panic!("{draft}"));
        let second = draft
            .find("2026-11-10 完成100%：签订投资协议")
            .unwrap_or_else(|| panic!("{draft}"));
        assert!(first < second, "the oldest report comes first: {draft}");
        assert!(
            draft.contains("截至目前完成100%") && draft.contains("推进过程材料1份"),
            "{draft}"
        );

        // Staff draft reports but do not submit them, nor does another unit's head.
        assert!(!t.app.get_task(sa, task).await.unwrap().sign_off.can_submit);
        let audit_before = audit_total(&t, t.org).await;
        assert_forbidden(
            t.app
                .submit_sign_off(sa, task, &complete("已完成"), &[])
                .await,
        );
        assert_forbidden(
            t.app
                .submit_sign_off(Caller::Person(&c.head_b), task, &complete("已完成"), &[])
                .await,
        );
        assert_eq!(audit_total(&t, t.org).await, audit_before);
        assert_eq!(status(&t, task).await, "in_progress");

        let form = t
            .app
            .submit_sign_off(
                head,
                task,
                &FormInput {
                    report: draft.clone(),
                    ..complete(" 签约项目 3 个，协议金额 12 亿元 ")
                },
                &[upload("佐证/销号佐证.pdf", PDF)],
            )
            .await
            .unwrap();
        let d = t.app.get_task(head, task).await.unwrap();
        assert_eq!(d.task.status, "sign_off_submitted");
        let s = &d.sign_off;
        assert_eq!(s.forms.len(), 1);
        let f = &s.forms[0];
        assert_eq!(
            (
                f.id,
                f.round,
                f.kind.as_str(),
                f.status.as_str(),
                f.completed_on.as_deref(),
                f.submitted_by
            ),
            (
                form,
                1,
                "complete",
                "submitted",
                Some(SIGN_OFF_OPENS),
                Some(person_id(&c.head_a))
            )
        );
        assert_eq!(f.completion, "签约项目 3 个，协议金额 12 亿元");
        assert_eq!(f.report, draft.trim());
        assert_eq!((f.task_id, f.unit_id), (task, c.unit_a));
        assert!(!s.can_submit, "submitted once, not again");
        assert_eq!(s.files.len(), 1);
        assert_eq!(
            (s.files[0].name.as_str(), s.files[0].kind.as_str()),
            ("销号佐证.pdf", "pdf")
        );
        assert!(
            s.state.is_none(),
            "the unit does not see the offices' positions"
        );
        let seen = t
            .app
            .get_task(Caller::Person(&c.supervisor), task)
            .await
            .unwrap();
        let state = seen.sign_off.state.as_ref().expect("under review");
        assert_eq!((state.approvals, state.required), (0, 3));
        assert_eq!(state.pending, Office::ALL.to_vec());
        assert_eq!(state.label(), "reviewing");

        // The unit, its owner and the reviewers open the evidence; another unit does not.
        let file = s.files[0].id;
        for who in [&c.head_a, &c.staff_a, &c.supervisor, &c.leading] {
            let (meta, bytes) = t.app.get_file(Caller::Person(who), file).await.unwrap();
            assert_eq!(
                (meta.owner_kind.as_str(), bytes.as_slice()),
                ("sign_off", PDF)
            );
        }
        assert_forbidden(t.app.get_file(Caller::Person(&c.staff_b), file).await);

        // A task under review is not submitted again.
        assert_field(
            t.app
                .submit_sign_off(head, task, &complete("再报一次"), &[])
                .await,
            "status",
            "not_open",
        );
        let last = d.history.last().unwrap();
        assert_eq!(
            (last.event.as_str(), last.status.as_str(), last.actor_id),
            (
                "submit_sign_off",
                "sign_off_submitted",
                Some(person_id(&c.head_a))
            )
        );
        assert_eq!(audited(&t, "task.submit_sign_off").await, 1);
    }
);

app::app_test!(
    a_form_needs_what_its_kind_needs_and_a_refused_one_stores_nothing,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, SIGN_OFF_OPENS);
        let head = Caller::Person(&c.head_a);
        // Reading brings the month's phase up to date (an audited system change) first.
        assert!(
            t.app
                .get_task(head, task)
                .await
                .unwrap()
                .sign_off
                .can_submit
        );
        let audit_before = audit_total(&t, t.org).await;
        let got = fields(
            t.app
                .submit_sign_off(
                    head,
                    task,
                    &FormInput {
                        kind: "complete".into(),
                        ..Default::default()
                    },
                    &[],
                )
                .await,
        );
        assert!(
            has(&got, "completion", "required") && has(&got, "report", "required"),
            "{got:?}"
        );
        assert_eq!(got.len(), 2, "{got:?}");
        let got = fields(
            t.app
                .submit_sign_off(head, task, &unfinished(" ", ""), &[])
                .await,
        );
        assert!(
            has(&got, "reason", "required") && has(&got, "next_steps", "required"),
            "{got:?}"
        );
        assert_eq!(got.len(), 2, "{got:?}");
        let got = fields(
            t.app
                .submit_sign_off(
                    head,
                    task,
                    &FormInput {
                        kind: "done".into(),
                        ..complete("已完成")
                    },
                    &[],
                )
                .await,
        );
        assert!(has(&got, "kind", "invalid_choice"), "{got:?}");
        assert_field(
            t.app
                .submit_sign_off(
                    head,
                    task,
                    &FormInput {
                        completed_on: "2026-11-27".into(),
                        ..complete("已完成")
                    },
                    &[],
                )
                .await,
            "completed_on",
            "date_in_future",
        );
        assert_field(
            t.app
                .submit_sign_off(
                    head,
                    task,
                    &FormInput {
                        completed_on: "上周".into(),
                        ..complete("已完成")
                    },
                    &[],
                )
                .await,
            "completed_on",
            "invalid_date",
        );
        assert_field(
            t.app
                .submit_sign_off(head, task, &complete("已完成"), &[upload("setup.exe", PDF)])
                .await,
            "files",
            "file_type_not_allowed",
        );
        let d = t.app.get_task(head, task).await.unwrap();
        assert_eq!(d.task.status, "arranged");
        assert!(d.sign_off.forms.is_empty() && d.sign_off.can_submit);
        assert_eq!(
            audit_total(&t, t.org).await,
            audit_before,
            "refusals are not audited"
        );
        // A completion day within the month is kept as given.
        let form = t
            .app
            .submit_sign_off(
                head,
                task,
                &FormInput {
                    completed_on: "2026-11-20".into(),
                    ..complete("已完成")
                },
                &[],
            )
            .await
            .unwrap();
        let f = &t.app.get_task(head, task).await.unwrap().sign_off.forms[0];
        assert_eq!(
            (f.id, f.completed_on.as_deref()),
            (form, Some("2026-11-20"))
        );
    }
);

app::app_test!(
    an_unfinished_statement_gives_its_reason_and_the_task_may_still_be_submitted,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, SIGN_OFF_OPENS);
        let head = Caller::Person(&c.head_a);
        let form = t
            .app
            .submit_sign_off(
                head,
                task,
                &unfinished("两户未签约", "依法启动征收程序"),
                &[],
            )
            .await
            .unwrap();
        let d = t.app.get_task(head, task).await.unwrap();
        assert_eq!(d.task.status, "declared_unfinished");
        let f = &d.sign_off.forms[0];
        assert_eq!(
            (
                f.id,
                f.kind.as_str(),
                f.status.as_str(),
                f.reason.as_str(),
                f.next_steps.as_str(),
                f.completed_on.as_deref()
            ),
            (
                form,
                "unfinished",
                "unfinished",
                "两户未签约",
                "依法启动征收程序",
                None
            )
        );
        assert!(d.sign_off.state.is_none(), "nothing to review");
        let last = d.history.last().unwrap();
        assert_eq!(
            (
                last.event.as_str(),
                last.status.as_str(),
                last.reason.as_deref()
            ),
            (
                "declare_unfinished",
                "declared_unfinished",
                Some("两户未签约")
            )
        );
        // There is nothing for the offices to review, and it is stated once.
        assert_field(
            t.app
                .give_opinion(Caller::Person(&c.supervisor), form, None, "approve", "")
                .await,
            "status",
            "not_under_review",
        );
        assert_field(
            t.app
                .submit_sign_off(head, task, &unfinished("再次说明", "继续推进"), &[])
                .await,
            "status",
            "not_open",
        );
        // Finished after all: the head submits the form, round 2.
        assert!(d.sign_off.can_submit);
        let second = submit(&t, &c.head_a, task).await;
        let d = t.app.get_task(head, task).await.unwrap();
        assert_eq!(d.task.status, "sign_off_submitted");
        assert_eq!(
            d.sign_off
                .forms
                .iter()
                .map(|f| (f.id, f.round))
                .collect::<Vec<_>>(),
            vec![(second, 2), (form, 1)]
        );
        assert_eq!(audited(&t, "task.declare_unfinished").await, 1);
    }
);

app::app_test!(sign_off_is_refused_before_the_month_executes, |t| {
    let c = cast(&t).await;
    let task = arranged_task(&t, &c, false).await;
    let head = Caller::Person(&c.head_a);
    for phase in [Phase::Arranging, Phase::Proposing] {
        t.app
            .move_phase(Caller::System, t.org, MONTH, Some(phase))
            .await
            .unwrap();
        assert_field(
            t.app
                .submit_sign_off(head, task, &complete("已完成"), &[])
                .await,
            "month",
            "sign_off_not_open",
        );
        assert_field(
            t.app
                .submit_sign_off(head, task, &unfinished("未完成", "下月推进"), &[])
                .await,
            "month",
            "sign_off_not_open",
        );
        assert!(
            !t.app
                .get_task(head, task)
                .await
                .unwrap()
                .sign_off
                .can_submit
        );
    }
    assert_eq!(status(&t, task).await, "arranged");
    // Once the work is under way, a task done early may be submitted.
    t.app
        .move_phase(Caller::System, t.org, MONTH, Some(Phase::Executing))
        .await
        .unwrap();
    assert!(
        t.app
            .get_task(head, task)
            .await
            .unwrap()
            .sign_off
            .can_submit
    );
    submit(&t, &c.head_a, task).await;
    assert_eq!(status(&t, task).await, "sign_off_submitted");
});

// ---- the joint review ----

app::app_test!(
    the_leading_group_signs_off_only_once_the_three_offices_approved,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, task).await;
        go_to(&t, REVIEW_DAY);
        let (sup, eff, perf, lg) = (
            Caller::Person(&c.supervisor),
            Caller::Person(&c.efficiency),
            Caller::Person(&c.performance),
            Caller::Person(&c.leading),
        );
        assert_field(
            t.app.decide_sign_off(lg, form, true, "").await,
            "form",
            "not_enough_approvals",
        );
        let s = t
            .app
            .give_opinion(sup, form, None, "approve", "")
            .await
            .unwrap();
        assert_eq!(
            (s.approvals, s.pending.clone()),
            (1, vec![Office::Efficiency, Office::Performance])
        );
        // Each office gives its own opinion only; others give none.
        assert_forbidden(
            t.app
                .give_opinion(eff, form, Some(Office::Supervision), "approve", "")
                .await,
        );
        for who in [&c.head_a, &c.staff_b, &c.director, &c.leading] {
            assert_forbidden(
                t.app
                    .give_opinion(Caller::Person(who), form, None, "approve", "")
                    .await,
            );
        }
        assert_eq!(
            t.app
                .get_task(eff, task)
                .await
                .unwrap()
                .sign_off
                .review_offices,
            vec![Office::Efficiency]
        );
        t.app
            .give_opinion(eff, form, Some(Office::Efficiency), "approve", "")
            .await
            .unwrap();
        assert_field(
            t.app.decide_sign_off(lg, form, true, "").await,
            "form",
            "not_enough_approvals",
        );
        assert_field(
            t.app
                .give_opinion(perf, form, None, "site_check", " ")
                .await,
            "reason",
            "required",
        );
        assert_field(
            t.app.give_opinion(perf, form, None, "maybe", "").await,
            "verdict",
            "invalid_choice",
        );
        let s = t
            .app
            .give_opinion(perf, form, None, "site_check", "需现场核实企业入驻情况")
            .await
            .unwrap();
        assert_eq!(
            (s.site_check_by.clone(), s.label()),
            (vec![Office::Performance], "site_check")
        );
        assert_field(
            t.app.decide_sign_off(lg, form, true, "").await,
            "form",
            "site_check_pending",
        );
        // An office that returns it blocks the sign-off until it changes its opinion.
        let s = t
            .app
            .give_opinion(eff, form, None, "return", "缺少合同文本")
            .await
            .unwrap();
        assert_eq!(s.returned_by, vec![Office::Efficiency]);
        assert_field(
            t.app.decide_sign_off(lg, form, true, "").await,
            "form",
            "returned_by_office",
        );
        t.app
            .give_opinion(eff, form, None, "approve", "已补充合同文本")
            .await
            .unwrap();
        assert_field(
            t.app.decide_sign_off(lg, form, true, "").await,
            "form",
            "site_check_pending",
        );
        let s = t
            .app
            .give_opinion(perf, form, None, "approve", "现场核实无误")
            .await
            .unwrap();
        assert_eq!((s.approvals, s.label()), (3, "approved"));
        assert!(s.returned_by.is_empty() && s.site_check_by.is_empty() && s.pending.is_empty());
        // Only the leading group decides.
        for who in [&c.director, &c.supervisor, &c.head_a] {
            assert_forbidden(
                t.app
                    .decide_sign_off(Caller::Person(who), form, true, "")
                    .await,
            );
        }
        assert!(t.app.get_task(lg, task).await.unwrap().sign_off.can_decide);
        assert!(
            !t.app
                .get_task(Caller::Person(&c.director), task)
                .await
                .unwrap()
                .sign_off
                .can_decide
        );
        t.app
            .decide_sign_off(lg, form, true, "同意销号")
            .await
            .unwrap();

        let d = t
            .app
            .get_task(Caller::Person(&c.head_a), task)
            .await
            .unwrap();
        assert_eq!(
            (d.task.status.as_str(), d.task.completed_on.as_deref()),
            ("signed_off", Some(SIGN_OFF_OPENS))
        );
        let on_card = d.card.as_ref().expect("card");
        assert_eq!(
            (on_card.card.color.as_str(), rules(on_card)),
            ("green", vec!["signed_off"])
        );
        let f = &d.sign_off.forms[0];
        assert_eq!(
            (f.status.as_str(), f.decision_reason.as_deref()),
            ("signed_off", Some("同意销号"))
        );
        assert!(f.decided_at.is_some());
        // The unit sees the decision, not the opinions, until the bulletin is out.
        assert!(!d.sign_off.opinions_visible);
        assert!(d.sign_off.opinions.is_empty() && d.sign_off.site_checks.is_empty());
        assert!(!d.sign_off.can_submit && !d.sign_off.can_decide);
        for who in [&c.supervisor, &c.director, &c.leading] {
            let v = t
                .app
                .get_task(Caller::Person(who), task)
                .await
                .unwrap()
                .sign_off;
            assert!(v.opinions_visible);
            let got: Vec<(&str, &str)> = v
                .opinions
                .iter()
                .map(|o| (o.office.as_str(), o.verdict.as_str()))
                .collect();
            assert_eq!(
                got,
                vec![
                    ("supervision", "approve"),
                    ("efficiency", "approve"),
                    ("performance", "site_check"),
                    ("efficiency", "return"),
                    ("efficiency", "approve"),
                    ("performance", "approve"),
                ]
            );
            assert_eq!(v.opinions[3].reason, "缺少合同文本");
            assert_eq!(v.opinions[0].given_by, Some(person_id(&c.supervisor)));
        }
        let last = d.history.last().unwrap();
        assert_eq!(
            (last.event.as_str(), last.status.as_str(), last.actor_id),
            ("sign_off", "signed_off", Some(person_id(&c.leading)))
        );
        // Decided once: no more opinions, no second decision.
        assert_field(
            t.app.give_opinion(sup, form, None, "return", "晚了").await,
            "status",
            "not_under_review",
        );
        assert_field(
            t.app.decide_sign_off(lg, form, false, "撤回").await,
            "status",
            "not_under_review",
        );
        assert_eq!(audited(&t, "sign_off.opinion").await, 6);
        assert_eq!(audited(&t, "task.sign_off").await, 1);
    }
);

app::app_test!(
    a_reviewer_who_works_in_the_unit_under_review_may_not_review_it,
    |t| {
        let c = cast(&t).await;
        let own = t
            .person("sup.a", Some(c.unit_a), &[(Role::Supervisor, None)])
            .await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_b, &c.staff_b, "预算执行分析"),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let form_a = submit(&t, &c.head_a, ids[0]).await;
        let form_b = submit(&t, &c.head_b, ids[1]).await;
        let me = Caller::Person(&own);
        assert!(
            t.app
                .get_task(me, ids[0])
                .await
                .unwrap()
                .sign_off
                .review_offices
                .is_empty()
        );
        assert_eq!(
            t.app
                .get_task(me, ids[1])
                .await
                .unwrap()
                .sign_off
                .review_offices,
            vec![Office::Supervision]
        );
        assert_forbidden(t.app.give_opinion(me, form_a, None, "approve", "").await);
        assert_forbidden(
            t.app
                .give_opinion(me, form_a, Some(Office::Supervision), "approve", "")
                .await,
        );
        assert_forbidden(
            t.app
                .record_site_check(me, form_a, None, "现场核实", "", &[])
                .await,
        );
        let s = t
            .app
            .give_opinion(me, form_b, None, "approve", "")
            .await
            .unwrap();
        assert_eq!(s.approvals, 1);
        // Unit A's review still waits for the supervision office.
        let a = t
            .app
            .get_task(Caller::Person(&c.supervisor), ids[0])
            .await
            .unwrap()
            .sign_off;
        assert_eq!(a.state.unwrap().pending, Office::ALL.to_vec());
        assert!(a.opinions.is_empty());
    }
);

app::app_test!(
    a_reviewer_holding_two_offices_names_the_one_they_speak_for,
    |t| {
        let c = cast(&t).await;
        let both = t
            .person(
                "sup.eff",
                None,
                &[(Role::Supervisor, None), (Role::EfficiencyOfficer, None)],
            )
            .await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, task).await;
        let me = Caller::Person(&both);
        assert_eq!(
            t.app
                .get_task(me, task)
                .await
                .unwrap()
                .sign_off
                .review_offices,
            vec![Office::Supervision, Office::Efficiency]
        );
        assert_field(
            t.app.give_opinion(me, form, None, "approve", "").await,
            "office",
            "required",
        );
        assert_forbidden(
            t.app
                .give_opinion(me, form, Some(Office::Performance), "approve", "")
                .await,
        );
        let s = t
            .app
            .give_opinion(me, form, Some(Office::Efficiency), "approve", "")
            .await
            .unwrap();
        assert_eq!(
            (s.approvals, s.pending.clone()),
            (1, vec![Office::Supervision, Office::Performance])
        );
    }
);

app::app_test!(
    a_reviewer_in_a_section_of_the_unit_under_review_may_not_review_it,
    |t| {
        let c = cast(&t).await;
        let section = t.unit("招商一科", Some(c.unit_a)).await;
        let own = t
            .person("sup.a1", Some(section), &[(Role::Supervisor, None)])
            .await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, task).await;
        let me = Caller::Person(&own);
        assert!(
            t.app
                .get_task(me, task)
                .await
                .unwrap()
                .sign_off
                .review_offices
                .is_empty(),
            "a supervisor working in a section of the unit is offered its review"
        );
        assert_forbidden(t.app.give_opinion(me, form, None, "approve", "").await);
    }
);

app::app_test!(
    the_unit_does_not_learn_the_offices_verdicts_before_the_bulletin,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, task).await;
        go_to(&t, REVIEW_DAY);
        t.app
            .give_opinion(Caller::Person(&c.supervisor), form, None, "approve", "")
            .await
            .unwrap();
        t.app
            .give_opinion(
                Caller::Person(&c.efficiency),
                form,
                None,
                "return",
                "数据与台账不符",
            )
            .await
            .unwrap();
        t.app
            .give_opinion(
                Caller::Person(&c.performance),
                form,
                None,
                "site_check",
                "需现场核实",
            )
            .await
            .unwrap();
        let v = t
            .app
            .get_task(Caller::Person(&c.head_a), task)
            .await
            .unwrap()
            .sign_off;
        assert!(!v.opinions_visible && v.opinions.is_empty());
        if let Some(s) = &v.state {
            assert!(
                s.approvals == 0 && s.returned_by.is_empty() && s.site_check_by.is_empty(),
                "the unit reads each office's verdict from the review state: {s:?}"
            );
        }
    }
);

app::app_test!(with_a_rule_of_one_approval_one_office_is_enough, |t| {
    let c = cast(&t).await;
    let one = ReviewRule {
        required_approvals: 1,
    };
    for who in [&c.staff_a, &c.head_a, &c.supervisor] {
        assert_forbidden(t.app.set_review_rule(Caller::Person(who), t.org, one).await);
    }
    let dir = Caller::Person(&c.director);
    for n in [0, 4] {
        assert_field(
            t.app
                .set_review_rule(
                    dir,
                    t.org,
                    ReviewRule {
                        required_approvals: n,
                    },
                )
                .await,
            "required_approvals",
            "out_of_range",
        );
    }
    assert_eq!(
        t.app.review_rule(t.org).await.unwrap(),
        ReviewRule::default()
    );
    t.app.set_review_rule(dir, t.org, one).await.unwrap();
    assert_eq!(t.app.review_rule(t.org).await.unwrap(), one);
    assert_eq!(audited(&t, "review_rule.update").await, 1);

    let ids = plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约"),
            spec(c.unit_a, &c.staff_a, "园区推介会"),
        ],
    )
    .await;
    go_to(&t, SIGN_OFF_OPENS);
    let first = submit(&t, &c.head_a, ids[0]).await;
    let second = submit(&t, &c.head_a, ids[1]).await;
    go_to(&t, REVIEW_DAY);
    let lg = Caller::Person(&c.leading);
    assert_field(
        t.app.decide_sign_off(lg, first, true, "").await,
        "form",
        "not_enough_approvals",
    );
    let s = t
        .app
        .give_opinion(Caller::Person(&c.efficiency), first, None, "approve", "")
        .await
        .unwrap();
    assert_eq!((s.approvals, s.required, s.label()), (1, 1, "approved"));
    t.app.decide_sign_off(lg, first, true, "").await.unwrap();
    assert_eq!(status(&t, ids[0]).await, "signed_off");
    // One approval is enough, but a return by another office still blocks.
    t.app
        .give_opinion(Caller::Person(&c.supervisor), second, None, "approve", "")
        .await
        .unwrap();
    t.app
        .give_opinion(
            Caller::Person(&c.performance),
            second,
            None,
            "return",
            "数据不实",
        )
        .await
        .unwrap();
    assert_field(
        t.app.decide_sign_off(lg, second, true, "").await,
        "form",
        "returned_by_office",
    );
    assert_eq!(status(&t, ids[1]).await, "sign_off_submitted");
});

app::app_test!(
    a_site_check_keeps_its_findings_and_evidence_for_the_reviewers_until_the_bulletin,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, task).await;
        go_to(&t, REVIEW_DAY);
        let perf = Caller::Person(&c.performance);
        t.app
            .give_opinion(perf, form, None, "site_check", "核实企业入驻")
            .await
            .unwrap();
        assert_field(
            t.app
                .record_site_check(perf, form, None, "  ", "", &[])
                .await,
            "findings",
            "required",
        );
        assert_field(
            t.app
                .record_site_check(perf, form, None, "现场核实", "2026-12-03", &[])
                .await,
            "checked_on",
            "date_in_future",
        );
        assert_field(
            t.app
                .record_site_check(perf, form, None, "现场核实", "", &[upload("a.exe", PDF)])
                .await,
            "files",
            "file_type_not_allowed",
        );
        assert_forbidden(
            t.app
                .record_site_check(Caller::Person(&c.head_a), form, None, "自查", "", &[])
                .await,
        );
        assert_forbidden(
            t.app
                .record_site_check(
                    Caller::Person(&c.efficiency),
                    form,
                    Some(Office::Performance),
                    "代为核查",
                    "",
                    &[],
                )
                .await,
        );
        let check = t
            .app
            .record_site_check(
                perf,
                form,
                None,
                " 现场核实：企业已入驻，设备已进场 ",
                "2026-12-01",
                &[upload("现场照片.png", PNG)],
            )
            .await
            .unwrap();
        let v = t
            .app
            .get_task(Caller::Person(&c.supervisor), task)
            .await
            .unwrap()
            .sign_off;
        assert_eq!(v.site_checks.len(), 1);
        let sc = &v.site_checks[0];
        assert_eq!(
            (
                sc.id,
                sc.form_id,
                sc.office.as_str(),
                sc.checked_on.as_str(),
                sc.findings.as_str(),
                sc.recorder_name.as_deref()
            ),
            (
                check,
                form,
                "performance",
                "2026-12-01",
                "现场核实：企业已入驻，设备已进场",
                Some("测试performance")
            )
        );
        // The record alone does not approve: the office still has to.
        assert_eq!(v.state.unwrap().label(), "site_check");
        let photo = file_of(&t, "site_check", check).await;
        for who in [&c.performance, &c.supervisor, &c.director] {
            let (meta, bytes) = t.app.get_file(Caller::Person(who), photo).await.unwrap();
            assert_eq!((meta.kind.as_str(), bytes.as_slice()), ("png", PNG));
        }
        for who in [&c.head_a, &c.staff_a, &c.staff_b] {
            assert_forbidden(t.app.get_file(Caller::Person(who), photo).await);
        }
        let h = t
            .app
            .get_task(Caller::Person(&c.head_a), task)
            .await
            .unwrap()
            .sign_off;
        assert!(!h.opinions_visible && h.site_checks.is_empty() && h.opinions.is_empty());

        t.app
            .give_opinion(perf, form, None, "approve", "现场核实无误")
            .await
            .unwrap();
        sign_off(&t, &c, form).await;
        publish_bulletin(&t, &c).await;
        // Once the bulletin is out, the unit reads the opinions and the site check.
        let h = t
            .app
            .get_task(Caller::Person(&c.head_a), task)
            .await
            .unwrap()
            .sign_off;
        assert!(h.opinions_visible);
        assert_eq!((h.opinions.len(), h.site_checks.len()), (5, 1));
        t.app
            .get_file(Caller::Person(&c.head_a), photo)
            .await
            .unwrap();
        assert_forbidden(t.app.get_file(Caller::Person(&c.staff_b), photo).await);
        assert_eq!(audited(&t, "sign_off.site_check").await, 1);
    }
);

app::app_test!(
    the_review_queue_shows_each_submission_and_where_it_stands,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_a, &c.staff_a, "园区推介会"),
                spec(c.unit_b, &c.staff_b, "预算执行分析"),
                spec(c.unit_b, &c.staff_b, "国库集中支付"),
                spec(c.unit_b, &c.staff_b, "财政专项检查"),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let approved = submit(&t, &c.head_a, ids[0]).await;
        let returned = submit(&t, &c.head_a, ids[1]).await;
        let checked = submit(&t, &c.head_b, ids[2]).await;
        let waiting = submit(&t, &c.head_b, ids[3]).await;
        let stated = t
            .app
            .submit_sign_off(
                Caller::Person(&c.head_b),
                ids[4],
                &unfinished("资金未到位", "下月拨付"),
                &[],
            )
            .await
            .unwrap();
        go_to(&t, REVIEW_DAY);
        approve_all(&t, &c, approved).await;
        t.app
            .give_opinion(
                Caller::Person(&c.supervisor),
                returned,
                None,
                "return",
                "不实",
            )
            .await
            .unwrap();
        t.app
            .give_opinion(
                Caller::Person(&c.performance),
                checked,
                None,
                "site_check",
                "现场核查",
            )
            .await
            .unwrap();
        for who in [&c.head_a, &c.staff_b] {
            assert_forbidden(
                t.app
                    .review_queue(Caller::Person(who), t.org, MONTH, &[], all())
                    .await,
            );
        }
        assert_field(
            t.app
                .review_queue(Caller::Person(&c.supervisor), t.org, "2026-13", &[], all())
                .await,
            "month",
            "invalid_month",
        );
        let q = t
            .app
            .review_queue(Caller::Person(&c.efficiency), t.org, MONTH, &[], all())
            .await
            .unwrap();
        assert_eq!(q.total, 5);
        let label = |form: i64| {
            q.items
                .iter()
                .find(|i| i.form.id == form)
                .map(|i| i.state.as_ref().map(|s| s.label()))
                .unwrap_or_else(|| panic!("form {form} not listed"))
        };
        assert_eq!(label(approved), Some("approved"));
        assert_eq!(label(returned), Some("returned"));
        assert_eq!(label(checked), Some("site_check"));
        assert_eq!(label(waiting), Some("reviewing"));
        assert_eq!(label(stated), None);
        let q = t
            .app
            .review_queue(
                Caller::Person(&c.director),
                t.org,
                MONTH,
                &["submitted".to_owned()],
                all(),
            )
            .await
            .unwrap();
        assert_eq!(q.total, 4);
        let q = t
            .app
            .review_queue(Caller::Person(&c.director), t.org, NEXT, &[], all())
            .await
            .unwrap();
        assert_eq!(q.total, 0, "another month's queue is empty");
    }
);

// ---- return and resubmission ----

app::app_test!(
    a_returned_sign_off_is_resubmitted_and_signed_off_in_round_two,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, SIGN_OFF_OPENS);
        let first = submit(&t, &c.head_a, task).await;
        go_to(&t, REVIEW_DAY);
        approve_all(&t, &c, first).await;
        let lg = Caller::Person(&c.leading);
        assert_field(
            t.app.decide_sign_off(lg, first, false, "  ").await,
            "reason",
            "required",
        );
        assert_forbidden(
            t.app
                .decide_sign_off(Caller::Person(&c.director), first, false, "退回")
                .await,
        );
        t.app
            .decide_sign_off(lg, first, false, "佐证材料不全，请补充合同文本")
            .await
            .unwrap();
        let head = Caller::Person(&c.head_a);
        // The unit hears why, in its inbox.
        let inbox = t.app.inbox(head, true, all()).await.unwrap();
        let returned = inbox
            .items
            .iter()
            .find(|n| n.event == "sign_off_returned")
            .expect("a notice of the return");
        assert!(returned.body.contains("佐证材料不全，请补充合同文本"));
        assert_eq!(
            returned.link.as_deref(),
            Some(format!("/tasks/{task}").as_str())
        );
        let d = t.app.get_task(head, task).await.unwrap();
        assert_eq!(d.task.status, "sign_off_returned");
        assert_eq!(d.task.completed_on, None);
        let f = &d.sign_off.forms[0];
        assert_eq!(
            (f.id, f.status.as_str(), f.decision_reason.as_deref()),
            (first, "returned", Some("佐证材料不全，请补充合同文本"))
        );
        assert!(d.sign_off.can_submit && d.sign_off.state.is_none());
        let last = d.history.last().unwrap();
        assert_eq!(
            (
                last.event.as_str(),
                last.status.as_str(),
                last.reason.as_deref()
            ),
            (
                "return_sign_off",
                "sign_off_returned",
                Some("佐证材料不全，请补充合同文本")
            )
        );
        // Work goes on after a return.
        t.app
            .report_progress(
                Caller::Person(&c.staff_a),
                task,
                &progress(100, "补充合同文本"),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(status(&t, task).await, "sign_off_returned");

        // Round 2 starts its review afresh.
        let second = t
            .app
            .submit_sign_off(
                head,
                task,
                &FormInput {
                    completed_on: "2026-11-27".into(),
                    ..complete("已补充合同文本")
                },
                &[upload("合同文本.pdf", PDF)],
            )
            .await
            .unwrap();
        let d = t.app.get_task(head, task).await.unwrap();
        assert_eq!(d.task.status, "sign_off_submitted");
        assert_eq!(
            d.sign_off
                .forms
                .iter()
                .map(|f| (f.id, f.round, f.status.as_str()))
                .collect::<Vec<_>>(),
            vec![(second, 2, "submitted"), (first, 1, "returned")]
        );
        assert_eq!(d.sign_off.files.len(), 1, "the newest round's evidence");
        assert_eq!(d.sign_off.files[0].name, "合同文本.pdf");
        let seen = t.app.get_task(lg, task).await.unwrap();
        assert_eq!(seen.sign_off.state.as_ref().unwrap().approvals, 0);
        assert_field(
            t.app.decide_sign_off(lg, second, true, "").await,
            "form",
            "not_enough_approvals",
        );
        assert_field(
            t.app.decide_sign_off(lg, first, true, "").await,
            "status",
            "not_under_review",
        );
        sign_off(&t, &c, second).await;
        let d = t.app.get_task(head, task).await.unwrap();
        assert_eq!(
            (d.task.status.as_str(), d.task.completed_on.as_deref()),
            ("signed_off", Some("2026-11-27"))
        );
        assert_eq!(d.sign_off.forms[0].status, "signed_off");
        assert_eq!(audited(&t, "task.return_sign_off").await, 1);
        assert_eq!(audited(&t, "task.submit_sign_off").await, 2);
    }
);

// ---- figures, briefing and bulletin ----

/// November of the figures tests: in unit A a key task signed off on time, a key task signed
/// off late, one stated unfinished and one withdrawn; in unit B a key task signed off on
/// time, a rejected proposal and a task nobody submitted. The clock ends on the review day.
struct Month {
    on_time_a: i64,
    late_a: i64,
    unfinished_a: i64,
    withdrawn_a: i64,
    on_time_b: i64,
    rejected_b: i64,
    silent_b: i64,
}

async fn reviewed_month(t: &TestApp, c: &Cast) -> Month {
    let ids = plan_month(
        t,
        c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
            spec(c.unit_a, &c.staff_a, "园区推介会").key(),
            spec(c.unit_a, &c.staff_a, "客商接待"),
            spec(c.unit_a, &c.staff_a, "产业链招商"),
            spec(c.unit_b, &c.staff_b, "预算执行分析").key(),
            spec(c.unit_b, &c.staff_b, "财政专项检查").rejected(),
            spec(c.unit_b, &c.staff_b, "国库集中支付"),
        ],
    )
    .await;
    let m = Month {
        on_time_a: ids[0],
        late_a: ids[1],
        unfinished_a: ids[2],
        withdrawn_a: ids[3],
        on_time_b: ids[4],
        rejected_b: ids[5],
        silent_b: ids[6],
    };
    let cr = t
        .app
        .request_change(
            Caller::Person(&c.head_a),
            m.withdrawn_a,
            &Change::Withdraw,
            "客商取消来访",
        )
        .await
        .expect("change request");
    t.app
        .decide_change(Caller::Person(&c.director), cr, true, "同意")
        .await
        .expect("withdraw");
    go_to(t, SIGN_OFF_OPENS);
    let f1 = submit(t, &c.head_a, m.on_time_a).await;
    let f5 = submit(t, &c.head_b, m.on_time_b).await;
    t.app
        .submit_sign_off(
            Caller::Person(&c.head_a),
            m.unfinished_a,
            &unfinished("两户未签约", "依法启动征收程序"),
            &[],
        )
        .await
        .expect("unfinished");
    go_to(t, "2026-11-29");
    let f2 = submit(t, &c.head_a, m.late_a).await;
    go_to(t, REVIEW_DAY);
    for f in [f1, f2, f5] {
        sign_off(t, c, f).await;
    }
    m
}

app::app_test!(
    the_figures_are_defined_once_and_the_briefing_and_bulletin_show_them,
    |t| {
        let c = cast(&t).await;
        let m = reviewed_month(&t, &c).await;
        assert_eq!(status(&t, m.withdrawn_a).await, "withdrawn");
        assert_eq!(status(&t, m.rejected_b).await, "rejected");
        let late = t.app.get_task(Caller::System, m.late_a).await.unwrap().task;
        assert_eq!(late.completed_on.as_deref(), Some("2026-11-29"));

        let f = t
            .app
            .month_figures(Caller::Person(&c.staff_b), t.org, MONTH)
            .await
            .unwrap();
        assert!(!f.frozen);
        assert_eq!(f.total, figures(5, 3, 2, 2));
        assert_eq!(f.total.completion_text(), "60.0%");
        assert_eq!(unit_figures(&f, c.unit_a), figures(3, 2, 1, 1));
        assert_eq!(unit_figures(&f, c.unit_b), figures(2, 1, 1, 1));
        assert_eq!(f.by_unit.len(), 2);
        assert_eq!(
            f.by_unit
                .iter()
                .find(|u| u.unit_id == c.unit_a)
                .unwrap()
                .unit_name,
            "招商合作局"
        );
        // Everyone reads the same figures.
        let as_head = t
            .app
            .month_figures(Caller::Person(&c.head_a), t.org, MONTH)
            .await
            .unwrap();
        assert_eq!((as_head.total, by_unit(&as_head)), (f.total, by_unit(&f)));

        // The briefing: the same totals, the unfinished items with their reasons, and the
        // key work signed off on time as proposed highlights.
        for who in [&c.staff_a, &c.head_a] {
            assert_forbidden(t.app.briefing(Caller::Person(who), t.org, MONTH).await);
        }
        let b = t
            .app
            .briefing(Caller::Person(&c.supervisor), t.org, MONTH)
            .await
            .unwrap();
        assert_eq!(
            (b.figures.total, by_unit(&b.figures)),
            (f.total, by_unit(&f))
        );
        assert_eq!(b.phase, Phase::Reviewing);
        assert!(
            !b.can_run_meeting,
            "the supervisor does not run the meeting"
        );
        assert_eq!(b.unfinished_total, u64::from(f.total.unfinished));
        let mut reasons: Vec<(i64, &str, &str)> = b
            .unfinished
            .iter()
            .map(|u| (u.task.id, u.reason.as_str(), u.next_steps.as_str()))
            .collect();
        reasons.sort();
        assert_eq!(
            reasons,
            vec![
                (m.unfinished_a, "两户未签约", "依法启动征收程序"),
                (m.silent_b, "未报送销号", ""),
            ]
        );
        let mut proposed: Vec<i64> = b.proposed_highlights.iter().map(|t| t.id).collect();
        proposed.sort();
        assert_eq!(
            proposed,
            vec![m.on_time_a, m.on_time_b],
            "late work is no highlight"
        );
        assert!(b.highlights.is_empty() && b.meeting.is_none() && b.bulletin.is_none());
        assert!(
            t.app
                .briefing(Caller::Person(&c.director), t.org, MONTH)
                .await
                .unwrap()
                .can_run_meeting
        );

        // The bulletin carries the same numbers.
        let id = t
            .app
            .generate_bulletin(
                Caller::Person(&c.director),
                t.org,
                MONTH,
                "测高预安〔2026〕11号",
            )
            .await
            .unwrap();
        let v = t
            .app
            .get_bulletin(Caller::Person(&c.director), id)
            .await
            .unwrap();
        let issued = &v.issued;
        assert_eq!(issued.total, f.total);
        assert_eq!(
            issued.bulletin.title,
            "关于2026年11月预安销号工作情况的通报"
        );
        assert_eq!(issued.bulletin.doc_number, "测高预安〔2026〕11号");
        assert_eq!(issued.bulletin.date, "2026年12月2日");
        assert_eq!(issued.bulletin.issuer, "测试工管委预安销号工作领导小组");
        let overall = &issued.bulletin.sections[0];
        let text = &overall.paragraphs[0];
        for part in [
            "2026年11月，全区共预安工作事项5项",
            "销号3项（按期完成2项）",
            "未销号2项",
            "完成率60.0%",
            "上月结转事项0项",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        let table = overall.table.as_ref().expect("results table");
        assert_eq!(
            table.header,
            vec!["序号", "单位", "计划数", "销号数", "未销号数", "完成率"]
        );
        assert_eq!(table.rows.len(), 3);
        let row = |unit: &str| {
            table
                .rows
                .iter()
                .find(|r| r[1] == unit)
                .map(|r| r[2..].to_vec())
                .unwrap_or_else(|| panic!("no row for {unit}"))
        };
        assert_eq!(row("招商合作局"), vec!["3", "2", "1", "66.7%"]);
        assert_eq!(row("财政局"), vec!["2", "1", "1", "50.0%"]);
        assert_eq!(
            table.rows.last().unwrap(),
            &vec!["", "合计", "5", "3", "2", "60.0%"]
        );
        let lines: Vec<(&str, Figures)> = issued
            .units
            .iter()
            .map(|u| (u.unit.as_str(), u.figures))
            .collect();
        assert!(
            lines.contains(&("招商合作局", figures(3, 2, 1, 1))),
            "{lines:?}"
        );
        assert!(
            lines.contains(&("财政局", figures(2, 1, 1, 1))),
            "{lines:?}"
        );
        let unfinished_table = issued.bulletin.sections[2].table.as_ref().unwrap();
        assert_eq!(unfinished_table.rows.len(), 2);
        assert!(
            unfinished_table
                .rows
                .iter()
                .any(|r| r[2] == "客商接待" && r[3] == "两户未签约" && r[4] == "依法启动征收程序"),
            "{:?}",
            unfinished_table.rows
        );
    }
);

app::app_test!(
    the_briefing_gives_a_returned_or_pending_submission_its_real_reason,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_a, &c.staff_a, "园区推介会"),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let returned = submit(&t, &c.head_a, ids[0]).await;
        submit(&t, &c.head_a, ids[1]).await;
        go_to(&t, REVIEW_DAY);
        t.app
            .decide_sign_off(Caller::Person(&c.leading), returned, false, "佐证材料不全")
            .await
            .unwrap();
        let b = t
            .app
            .briefing(Caller::Person(&c.director), t.org, MONTH)
            .await
            .unwrap();
        assert_eq!(b.unfinished_total, 2);
        let reason = |task: i64| {
            b.unfinished
                .iter()
                .find(|u| u.task.id == task)
                .map(|u| u.reason.clone())
                .unwrap_or_else(|| panic!("task {task} not listed"))
        };
        // Both were submitted: neither is "not submitted"; the returned one says why.
        let r0 = reason(ids[0]);
        assert!(
            r0.contains("佐证材料不全"),
            "returned task listed as {r0:?}"
        );
        let r1 = reason(ids[1]);
        assert_ne!(
            r1, "未报送销号",
            "a task under review listed as not submitted"
        );
    }
);

app::app_test!(
    a_bulletin_lists_every_unfinished_item_of_a_large_month,
    |t| {
        let c = cast(&t).await;
        t.app
            .move_phase(Caller::System, t.org, MONTH, Some(Phase::Proposing))
            .await
            .unwrap();
        let dir = Caller::Person(&c.director);
        let n = domain::page::MAX_PAGE_SIZE + 1;
        for i in 0..n {
            let input = TaskInput {
                key_point_id: None,
                ..task_input(c.kp, &c.staff_a, &format!("交办事项{i}"), DEADLINE, false)
            };
            t.app
                .add_assigned_item(dir, t.org, MONTH, c.unit_a, &input)
                .await
                .unwrap();
        }
        t.app.arrange_month(dir, t.org, MONTH).await.unwrap();
        go_to(&t, REVIEW_DAY);
        let id = t
            .app
            .generate_bulletin(dir, t.org, MONTH, "测高预安〔2026〕11号")
            .await
            .unwrap();
        let issued = t.app.get_bulletin(dir, id).await.unwrap().issued;
        assert_eq!(issued.total.unfinished, n);
        let section = &issued.bulletin.sections[2];
        assert!(
            section.paragraphs[0].contains(&format!("以下{n}项")),
            "{:?}",
            section.paragraphs
        );
        assert_eq!(section.table.as_ref().unwrap().rows.len(), n as usize);
    }
);

// ---- the review meeting and the bulletin ----

app::app_test!(
    only_the_director_and_the_leading_group_run_the_meeting_and_issue_the_bulletin,
    |t| {
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
        let (done, open) = (ids[0], ids[1]);
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, done).await;
        go_to(&t, REVIEW_DAY);
        sign_off(&t, &c, form).await;
        let (dir, lg) = (Caller::Person(&c.director), Caller::Person(&c.leading));

        // Highlights.
        for who in [&c.supervisor, &c.head_a, &c.staff_a] {
            assert_forbidden(
                t.app
                    .select_highlight(Caller::Person(who), done, "提前完成")
                    .await,
            );
        }
        assert_field(
            t.app.select_highlight(dir, open, "推进有力").await,
            "task_id",
            "not_signed_off",
        );
        assert_field(
            t.app.select_highlight(dir, done, "  ").await,
            "citation",
            "required",
        );
        let h = t
            .app
            .select_highlight(dir, done, "提前两天完成签约")
            .await
            .unwrap();
        assert_field(
            t.app.select_highlight(lg, done, "再选一次").await,
            "task_id",
            "already_taken",
        );
        let b = t.app.briefing(dir, t.org, MONTH).await.unwrap();
        assert_eq!(
            b.highlights
                .iter()
                .map(|x| (x.id, x.task_id, x.citation.as_str(), x.unit_name.as_str()))
                .collect::<Vec<_>>(),
            vec![(h, done, "提前两天完成签约", "招商合作局")]
        );
        assert!(b.proposed_highlights.is_empty(), "chosen already");
        assert_forbidden(t.app.remove_highlight(Caller::Person(&c.staff_a), h).await);
        t.app.remove_highlight(lg, h).await.unwrap();
        let b = t.app.briefing(dir, t.org, MONTH).await.unwrap();
        assert!(b.highlights.is_empty());
        assert_eq!(
            b.proposed_highlights
                .iter()
                .map(|x| x.id)
                .collect::<Vec<_>>(),
            vec![done]
        );
        t.app
            .select_highlight(lg, done, "提前两天完成签约")
            .await
            .unwrap();

        // The meeting's record.
        assert_field(
            t.app.record_meeting(dir, t.org, MONTH, "", " ", "").await,
            "analysis",
            "required",
        );
        assert_field(
            t.app
                .record_meeting(dir, t.org, MONTH, "2026-12-03", "分析", "")
                .await,
            "held_on",
            "date_in_future",
        );
        for who in [&c.supervisor, &c.head_a] {
            assert_forbidden(
                t.app
                    .record_meeting(Caller::Person(who), t.org, MONTH, "", "分析", "")
                    .await,
            );
        }
        t.app
            .record_meeting(
                dir,
                t.org,
                MONTH,
                "2026-12-02",
                "本月销号率有待提高。",
                "未销号事项由分管领导督办。",
            )
            .await
            .unwrap();
        let meeting = t
            .app
            .briefing(dir, t.org, MONTH)
            .await
            .unwrap()
            .meeting
            .expect("meeting");
        assert_eq!(
            (
                meeting.held_on.as_str(),
                meeting.analysis.as_str(),
                meeting.dispatch.as_str()
            ),
            (
                "2026-12-02",
                "本月销号率有待提高。",
                "未销号事项由分管领导督办。"
            )
        );

        // The bulletin: generated and published by the leadership.
        assert_field(
            t.app.generate_bulletin(dir, t.org, MONTH, "  ").await,
            "doc_number",
            "required",
        );
        for who in [&c.supervisor, &c.head_a] {
            assert_forbidden(
                t.app
                    .generate_bulletin(Caller::Person(who), t.org, MONTH, "测高预安〔2026〕11号")
                    .await,
            );
        }
        let id = t
            .app
            .generate_bulletin(dir, t.org, MONTH, "测高预安〔2026〕10号")
            .await
            .unwrap();
        // A draft is for the reviewers.
        for who in [&c.staff_a, &c.head_b] {
            assert_forbidden(t.app.get_bulletin(Caller::Person(who), id).await);
            assert_eq!(
                t.app
                    .list_bulletins(Caller::Person(who), t.org, all())
                    .await
                    .unwrap()
                    .total,
                0
            );
        }
        let as_sup = t
            .app
            .get_bulletin(Caller::Person(&c.supervisor), id)
            .await
            .unwrap();
        assert_eq!(
            (as_sup.row.status.as_str(), as_sup.can_publish),
            ("draft", false)
        );
        // Not before the month is closed.
        let v = t.app.get_bulletin(dir, id).await.unwrap();
        assert!(!v.month_closed && !v.can_publish);
        assert_eq!(
            t.app
                .list_bulletins(Caller::Person(&c.supervisor), t.org, all())
                .await
                .unwrap()
                .total,
            1
        );
        // A new draft replaces the old one.
        let again = t
            .app
            .generate_bulletin(lg, t.org, MONTH, "测高预安〔2026〕11号")
            .await
            .unwrap();
        assert_eq!(again, id);
        let v = t.app.get_bulletin(dir, id).await.unwrap();
        assert_eq!(v.row.doc_number, "测高预安〔2026〕11号");
        assert_eq!(v.issued.bulletin.doc_number, "测高预安〔2026〕11号");

        // Publishing before the close is refused, and nobody hears of it.
        assert_field(
            t.app.publish_bulletin(lg, id).await,
            "month",
            "bulletin_before_close",
        );
        assert_eq!(
            t.app.get_bulletin(dir, id).await.unwrap().row.status,
            "draft"
        );
        assert_eq!(audited(&t, "bulletin.publish").await, 0);
        assert!(
            t.app
                .inbox(Caller::Person(&c.head_a), false, all())
                .await
                .unwrap()
                .items
                .iter()
                .all(|n| n.event != "bulletin_published")
        );
        // After the close the draft is regenerated (the same bulletin) and published.
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        assert!(
            t.app
                .briefing(dir, t.org, MONTH)
                .await
                .unwrap()
                .can_generate_bulletin
        );
        let again = t
            .app
            .generate_bulletin(lg, t.org, MONTH, "测高预安〔2026〕11号")
            .await
            .unwrap();
        assert_eq!(again, id);
        assert!(t.app.get_bulletin(dir, id).await.unwrap().can_publish);
        assert_forbidden(
            t.app
                .publish_bulletin(Caller::Person(&c.supervisor), id)
                .await,
        );
        t.app.publish_bulletin(lg, id).await.unwrap();
        assert_field(
            t.app.publish_bulletin(dir, id).await,
            "status",
            "already_published",
        );
        // Every copy carries the ledger's signed head, publication included; the ledger is
        // then checked against it, and removing the publication's entry falls short of it.
        let row = t.app.get_bulletin(dir, id).await.unwrap().row;
        let cp = domain::audit::Checkpoint::parse(row.ledger_checkpoint.as_deref().unwrap())
            .expect("a checkpoint line");
        assert!(cp.genuine(&app::testing::test_config().audit_key));
        let (head, _) = store::audit::chain_head(t.app.db(), t.org)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((cp.chain, cp.seq), (t.org, head));
        let report = t.app.verify_audit().await.unwrap();
        assert!(report.ok() && report.checkpoints == 1, "{report:?}");
        store::testing::delete_newest_audit_entries(t.app.db(), t.org, 1)
            .await
            .unwrap();
        assert_eq!(
            t.app.verify_audit().await.unwrap().breaks,
            vec![domain::audit::ChainBreak::Truncated {
                chain: t.org,
                last_seq: head - 1,
                checkpoint_seq: head
            }]
        );
        // The units' heads and the leadership are told, once, with a link to it.
        for who in [&c.head_a, &c.head_b, &c.director] {
            let n: Vec<_> = t
                .app
                .inbox(Caller::Person(who), false, all())
                .await
                .unwrap()
                .items
                .into_iter()
                .filter(|n| n.event == "bulletin_published")
                .collect();
            assert_eq!(n.len(), 1);
            assert_eq!(
                n[0].link.as_deref(),
                Some(format!("/bulletins/{id}").as_str())
            );
        }
        // Published: every unit reads it.
        for who in [&c.staff_a, &c.staff_b, &c.head_b] {
            let v = t.app.get_bulletin(Caller::Person(who), id).await.unwrap();
            assert_eq!((v.row.status.as_str(), v.can_publish), ("published", false));
            assert!(v.row.published_at.is_some());
            let list = t
                .app
                .list_bulletins(Caller::Person(who), t.org, all())
                .await
                .unwrap();
            assert_eq!(
                list.items.iter().map(|b| b.id).collect::<Vec<_>>(),
                vec![id]
            );
        }
        let sections = &v.issued.bulletin.sections;
        assert!(
            sections[1].paragraphs[0].contains("招商合作局：重大项目签约。提前两天完成签约"),
            "{:?}",
            sections[1].paragraphs
        );
        assert_eq!(
            sections[3].paragraphs,
            vec!["本月销号率有待提高。", "未销号事项由分管领导督办。"]
        );
        assert_eq!(
            t.app
                .briefing(dir, t.org, MONTH)
                .await
                .unwrap()
                .bulletin
                .map(|b| b.status),
            Some("published".to_owned())
        );
        // Published once: it is not generated again.
        assert_field(
            t.app
                .generate_bulletin(dir, t.org, MONTH, "测高预安〔2026〕12号")
                .await,
            "month",
            "bulletin_published",
        );
        assert_eq!(
            t.app.get_bulletin(dir, id).await.unwrap().row.doc_number,
            "测高预安〔2026〕11号"
        );
        // And the unit now reads the opinions on its signed-off task.
        let h = t
            .app
            .get_task(Caller::Person(&c.head_a), done)
            .await
            .unwrap()
            .sign_off;
        assert!(h.opinions_visible);
        assert_eq!(h.opinions.len(), 3);
    }
);

// ---- the close ----

app::app_test!(
    a_month_closes_only_once_it_is_over_and_only_by_the_leadership,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        let dir = Caller::Person(&c.director);
        go_to(&t, "2026-11-30");
        assert_field(
            t.app.close_month(dir, t.org, MONTH).await,
            "month",
            "month_not_over",
        );
        go_to(&t, "2026-12-01");
        for who in [&c.supervisor, &c.head_a, &c.staff_a, &c.efficiency] {
            assert_forbidden(t.app.close_month(Caller::Person(who), t.org, MONTH).await);
        }
        assert_field(
            t.app.close_month(dir, t.org, "2026-10").await,
            "month",
            "month_not_arranged",
        );
        assert_field(
            t.app.close_month(dir, t.org, NEXT).await,
            "month",
            "month_not_over",
        );
        assert_field(
            t.app.close_month(dir, t.org, "2026-13").await,
            "month",
            "invalid_month",
        );
        assert_eq!(phase_of(&t, MONTH).await, Phase::Reviewing);
        assert_eq!(status(&t, task).await, "arranged");
        assert!(tasks_of(&t, NEXT).await.is_empty());
        assert_eq!(audited(&t, "cycle.close").await, 0);
    }
);

app::app_test!(
    closing_carries_every_unsigned_task_into_the_next_month_once,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
                spec(c.unit_a, &c.staff_a, "园区推介会"),
                spec(c.unit_a, &c.staff_a, "客商接待"),
                spec(c.unit_b, &c.staff_b, "预算执行分析"),
                spec(c.unit_b, &c.staff_b, "国库集中支付"),
            ],
        )
        .await;
        let (signed, pending, stated, silent, returned) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        t.app
            .report_progress(
                Caller::Person(&c.staff_b),
                silent,
                &progress(30, "完成初稿"),
                &[],
            )
            .await
            .unwrap();
        go_to(&t, SIGN_OFF_OPENS);
        let f_signed = submit(&t, &c.head_a, signed).await;
        submit(&t, &c.head_a, pending).await;
        t.app
            .submit_sign_off(
                Caller::Person(&c.head_a),
                stated,
                &unfinished("两户未签约", "依法启动征收程序"),
                &[],
            )
            .await
            .unwrap();
        let f_returned = submit(&t, &c.head_b, returned).await;
        go_to(&t, REVIEW_DAY);
        sign_off(&t, &c, f_signed).await;
        t.app
            .decide_sign_off(Caller::Person(&c.leading), f_returned, false, "佐证不足")
            .await
            .unwrap();
        let origins = [pending, stated, silent, returned];
        let before = t
            .app
            .month_figures(Caller::System, t.org, MONTH)
            .await
            .unwrap();
        assert_eq!(before.total, figures(5, 1, 1, 4));
        let history_before = t
            .app
            .get_task(Caller::System, pending)
            .await
            .unwrap()
            .history
            .len();

        let report = t
            .app
            .close_month(Caller::Person(&c.director), t.org, MONTH)
            .await
            .unwrap();
        assert_eq!(report.month, YearMonth::parse(MONTH).unwrap());
        assert!(!report.already_closed);
        assert_eq!(report.carried_over, 4);
        assert_eq!(report.figures, before.total);

        assert_eq!(phase_of(&t, MONTH).await, Phase::Closed);
        assert_eq!(
            counts(&t, MONTH).await,
            counted(&[("signed_off", 1), ("carried_over", 4)])
        );
        assert_eq!(counts(&t, NEXT).await, counted(&[("accepted", 4)]));
        let next = tasks_of(&t, NEXT).await;
        assert_eq!(next.len(), 4);
        let froms: BTreeSet<Option<i64>> = next.iter().map(|n| n.carried_from_id).collect();
        assert_eq!(froms, origins.iter().map(|o| Some(*o)).collect());
        for origin in origins {
            let o = t.app.get_task(Caller::System, origin).await.unwrap().task;
            assert_eq!(o.status, "carried_over");
            let n = continuation(&t, NEXT, origin).await;
            assert_eq!(
                (
                    n.unit_id,
                    n.owner_id,
                    n.title.as_str(),
                    n.criterion.as_str(),
                    n.is_key_work,
                    n.leader_id
                ),
                (
                    o.unit_id,
                    o.owner_id,
                    o.title.as_str(),
                    o.criterion.as_str(),
                    o.is_key_work,
                    o.leader_id
                )
            );
            assert_eq!(
                (
                    n.month.as_str(),
                    n.deadline.as_str(),
                    n.months_overdue,
                    n.status.as_str()
                ),
                (NEXT, NEXT_DEADLINE, o.months_overdue + 1, "accepted")
            );
            assert_eq!(n.completed_on, None);
        }
        assert_eq!(continuation(&t, NEXT, silent).await.progress, 30);
        assert_eq!(status(&t, signed).await, "signed_off");
        assert!(next.iter().all(|n| n.carried_from_id != Some(signed)));

        // The continuation's page shows where it comes from.
        let n = continuation(&t, NEXT, pending).await;
        let d = t
            .app
            .get_task(Caller::Person(&c.head_a), n.id)
            .await
            .unwrap();
        assert_eq!(
            d.chain.iter().map(|x| x.id).collect::<Vec<_>>(),
            vec![pending]
        );
        assert_eq!(
            d.history
                .iter()
                .map(|h| h.event.as_str())
                .collect::<Vec<_>>(),
            vec!["carried_in"]
        );
        let o = t.app.get_task(Caller::System, pending).await.unwrap();
        assert_eq!(o.history.len(), history_before + 1);
        let last = o.history.last().unwrap();
        assert_eq!(
            (last.event.as_str(), last.status.as_str(), last.actor_id),
            ("carry_over", "carried_over", Some(person_id(&c.director)))
        );
        // The submission still under review lapsed; the decided ones stay as they were.
        let forms_of = |d: &app::TaskDetail| d.sign_off.forms[0].status.clone();
        assert_eq!(forms_of(&o), "lapsed");
        assert_eq!(
            forms_of(&t.app.get_task(Caller::System, signed).await.unwrap()),
            "signed_off"
        );
        assert_eq!(
            forms_of(&t.app.get_task(Caller::System, returned).await.unwrap()),
            "returned"
        );

        // The figures are frozen as they stood.
        let after = t
            .app
            .month_figures(Caller::Person(&c.staff_a), t.org, MONTH)
            .await
            .unwrap();
        assert!(after.frozen);
        assert_eq!(
            (after.total, by_unit(&after)),
            (before.total, by_unit(&before))
        );

        // Closing again finds it closed and changes nothing.
        let snapshot = (
            counts(&t, MONTH).await,
            counts(&t, NEXT).await,
            audit_total(&t, t.org).await,
        );
        let again = t
            .app
            .close_month(Caller::Person(&c.leading), t.org, MONTH)
            .await
            .unwrap();
        assert!(again.already_closed);
        assert_eq!((again.carried_over, again.figures), (0, before.total));
        assert_eq!(
            (
                counts(&t, MONTH).await,
                counts(&t, NEXT).await,
                audit_total(&t, t.org).await
            ),
            snapshot
        );
        assert_eq!(tasks_of(&t, NEXT).await.len(), 4);
        assert_eq!(audited(&t, "cycle.close").await, 1);
    }
);

app::app_test!(
    a_closed_month_refuses_judgements_meeting_records_highlights_and_phase_moves,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
                spec(c.unit_a, &c.staff_a, "园区推介会").key(),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, ids[0]).await;
        go_to(&t, REVIEW_DAY);
        sign_off(&t, &c, form).await;
        let signed_card = card(&t, &c, MONTH, ids[0]).await.card.id;
        let open_card = card(&t, &c, MONTH, ids[1]).await.card.id;
        let dir = Caller::Person(&c.director);
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let audit_before = audit_total(&t, t.org).await;
        let sup = Caller::Person(&c.supervisor);
        for card_id in [signed_card, open_card] {
            assert_field(
                t.app.judge_card(sup, card_id, "", "").await,
                "month",
                "month_closed",
            );
            assert_field(
                t.app.judge_card(sup, card_id, "red", "未按期完成").await,
                "month",
                "month_closed",
            );
            assert_field(
                t.app.set_card_concern(sup, card_id, true, "关注").await,
                "month",
                "month_closed",
            );
        }
        assert_field(
            t.app
                .record_meeting(dir, t.org, MONTH, "", "本月分析", "")
                .await,
            "month",
            "month_closed",
        );
        assert_field(
            t.app.select_highlight(dir, ids[0], "提前完成").await,
            "month",
            "month_closed",
        );
        assert_field(
            t.app
                .move_phase(Caller::System, t.org, MONTH, Some(Phase::Reviewing))
                .await,
            "phase",
            "month_closed",
        );
        assert_field(
            t.app
                .add_assigned_item(
                    dir,
                    t.org,
                    MONTH,
                    c.unit_a,
                    &task_input(c.kp, &c.staff_a, "补充交办", DEADLINE, false),
                )
                .await,
            "month",
            "month_closed",
        );
        assert_eq!(audit_total(&t, t.org).await, audit_before);
        assert_eq!(phase_of(&t, MONTH).await, Phase::Closed);
    }
);

app::app_test!(
    progress_and_sign_off_on_a_closed_month_are_refused_as_month_closed,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, REVIEW_DAY);
        t.app
            .close_month(Caller::Person(&c.director), t.org, MONTH)
            .await
            .unwrap();
        let audit_before = audit_total(&t, t.org).await;
        assert_field(
            t.app
                .report_progress(
                    Caller::Person(&c.staff_a),
                    task,
                    &progress(50, "继续推进"),
                    &[],
                )
                .await,
            "month",
            "month_closed",
        );
        assert_field(
            t.app
                .submit_sign_off(Caller::Person(&c.head_a), task, &complete("已完成"), &[])
                .await,
            "month",
            "month_closed",
        );
        assert_field(
            t.app
                .submit_sign_off(
                    Caller::Person(&c.head_a),
                    task,
                    &unfinished("未完成", "下月推进"),
                    &[],
                )
                .await,
            "month",
            "month_closed",
        );
        assert_eq!(audit_total(&t, t.org).await, audit_before);
        assert_eq!(status(&t, task).await, "carried_over");
    }
);

app::app_test!(
    a_change_request_left_pending_cannot_alter_a_closed_month,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, false).await;
        go_to(&t, SIGN_OFF_OPENS);
        let cr = t
            .app
            .request_change(
                Caller::Person(&c.head_a),
                task,
                &Change::Redate {
                    deadline: parse_date("2026-11-30").unwrap(),
                },
                "客商行程调整",
            )
            .await
            .unwrap();
        go_to(&t, REVIEW_DAY);
        let dir = Caller::Person(&c.director);
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let audit_before = audit_total(&t, t.org).await;
        let r = t.app.decide_change(dir, cr, true, "同意").await;
        let after = t.app.get_task(Caller::System, task).await.unwrap().task;
        assert_eq!(
            (after.status.as_str(), after.deadline.as_str()),
            ("carried_over", DEADLINE),
            "a closed month's task was changed"
        );
        assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
        assert_eq!(audit_total(&t, t.org).await, audit_before);
    }
);

app::app_test!(
    months_close_in_order_so_that_no_task_is_carried_into_a_closed_month,
    |t| {
        let c = cast(&t).await;
        arranged_task(&t, &c, false).await;
        go_to(&t, REVIEW_DAY);
        t.app
            .move_phase(Caller::System, t.org, NEXT, Some(Phase::Proposing))
            .await
            .unwrap();
        let sa = Caller::Person(&c.staff_a);
        let dir = Caller::Person(&c.director);
        let own = t
            .app
            .propose(
                sa,
                t.org,
                NEXT,
                c.unit_a,
                &task_input(c.kp, &c.staff_a, "园区推介会", "2026-12-15", false),
            )
            .await
            .unwrap();
        t.app.submit_proposal(sa, own).await.unwrap();
        t.app
            .meeting_decide(dir, own, &MeetingDecision::Accept)
            .await
            .unwrap();
        t.app.arrange_month(dir, t.org, NEXT).await.unwrap();
        go_to(&t, "2027-01-01");
        // December first, while November is still open …
        let december = t.app.close_month(dir, t.org, NEXT).await;
        let december_rows = tasks_of(&t, NEXT).await.len();
        // … then November, whose unfinished task would land in a closed month.
        let november = t.app.close_month(dir, t.org, MONTH).await;
        assert!(
            december.is_err() || november.is_err(),
            "both closed out of order: {december:?} {november:?}"
        );
        if december.is_ok() {
            assert_eq!(
                tasks_of(&t, NEXT).await.len(),
                december_rows,
                "a task was carried into the closed December"
            );
        }
    }
);

app::app_test!(two_concurrent_closes_carry_the_tasks_once, |t| {
    let c = cast(&t).await;
    let ids = plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约"),
            spec(c.unit_a, &c.staff_a, "园区推介会"),
            spec(c.unit_b, &c.staff_b, "预算执行分析"),
        ],
    )
    .await;
    go_to(&t, REVIEW_DAY);
    let (one, two) = tokio::join!(
        t.app.close_month(Caller::Person(&c.director), t.org, MONTH),
        t.app.close_month(Caller::Person(&c.leading), t.org, MONTH),
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_ne!(
        one.already_closed, two.already_closed,
        "one closes, the other finds it closed: {one:?} {two:?}"
    );
    let carried = if one.already_closed { two } else { one };
    assert_eq!(carried.carried_over, 3);
    assert_eq!(one.figures, two.figures);
    let next = tasks_of(&t, NEXT).await;
    assert_eq!(next.len(), 3);
    let froms: BTreeSet<Option<i64>> = next.iter().map(|n| n.carried_from_id).collect();
    assert_eq!(froms, ids.iter().map(|o| Some(*o)).collect());
    assert_eq!(counts(&t, MONTH).await, counted(&[("carried_over", 3)]));
    assert_eq!(audited(&t, "cycle.close").await, 1);
    let report = t.app.verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.breaks);
});

app::app_test!(
    concurrent_openings_of_a_month_open_its_cycle_once_and_reads_open_none,
    |t| {
        let sys = Caller::System;
        let cycles = || async {
            store::testing::count_rows(t.app.db(), "cycles")
                .await
                .unwrap()
        };
        let before = cycles().await;
        // Readers of months nobody has opened open nothing.
        for m in ["2027-03", "2027-04", "2027-05"] {
            let (a, b, c, d) = tokio::join!(
                t.app.month_view(sys, t.org, m),
                t.app.month_view(sys, t.org, m),
                t.app.month_view(sys, t.org, m),
                t.app.month_view(sys, t.org, m),
            );
            for r in [a, b, c, d] {
                assert_eq!(r.unwrap().cycle.id, 0, "{m} is not opened by a read");
            }
        }
        assert_eq!(cycles().await, before);
        // Two servers' phases jobs at once open this month and the next, each once.
        let (one, two) = tokio::join!(
            t.app.run_job_now("phases", "server-1"),
            t.app.run_job_now("phases", "server-2"),
        );
        one.unwrap();
        two.unwrap();
        let mut opened = Vec::new();
        for m in ["2026-11", "2026-12"] {
            let cycle = t.app.month_view(sys, t.org, m).await.unwrap().cycle.id;
            assert!(cycle > 0, "{m} is opened by the job");
            let n = t
                .app
                .list_audit(
                    sys,
                    t.org,
                    &AuditFilter {
                        action: Some("cycle.open".into()),
                        entity: Some("cycle".into()),
                        entity_id: Some(cycle),
                        ..Default::default()
                    },
                    all(),
                )
                .await
                .unwrap()
                .total;
            opened.push((m, n));
        }
        assert!(
            opened.iter().all(|(_, n)| *n == 1),
            "each cycle is opened (and audited) once: {opened:?}"
        );
    }
);

app::app_test!(two_decisions_or_submissions_at_once_take_effect_once, |t| {
    let c = cast(&t).await;
    let second = t
        .person("leading.2", None, &[(Role::LeadingGroup, None)])
        .await;
    let ids = plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约"),
            spec(c.unit_a, &c.staff_a, "园区推介会"),
        ],
    )
    .await;
    go_to(&t, SIGN_OFF_OPENS);
    let head = Caller::Person(&c.head_a);
    let form = submit(&t, &c.head_a, ids[0]).await;
    // The head submits the other task twice at once.
    let done = complete("已完成");
    let (x, y) = tokio::join!(
        t.app.submit_sign_off(head, ids[1], &done, &[]),
        t.app.submit_sign_off(head, ids[1], &done, &[]),
    );
    let (ok, refused) = if x.is_ok() { (x, y) } else { (y, x) };
    ok.unwrap();
    assert_field(refused, "status", "not_open");
    let d = t.app.get_task(head, ids[1]).await.unwrap();
    assert_eq!(d.sign_off.forms.len(), 1);
    assert_eq!(audited(&t, "task.submit_sign_off").await, 2);

    go_to(&t, REVIEW_DAY);
    approve_all(&t, &c, form).await;
    let (yes, no) = tokio::join!(
        t.app
            .decide_sign_off(Caller::Person(&c.leading), form, true, ""),
        t.app
            .decide_sign_off(Caller::Person(&second), form, false, "证据不足"),
    );
    assert_ne!(yes.is_ok(), no.is_ok(), "{yes:?} {no:?}");
    let expected = if yes.is_ok() {
        assert_field(no, "status", "not_under_review");
        ("signed_off", "signed_off")
    } else {
        assert_field(yes, "status", "not_under_review");
        ("sign_off_returned", "returned")
    };
    let d = t.app.get_task(Caller::System, ids[0]).await.unwrap();
    assert_eq!(
        (d.task.status.as_str(), d.sign_off.forms[0].status.as_str()),
        expected
    );
    let decisions = d
        .history
        .iter()
        .filter(|h| matches!(h.event.as_str(), "sign_off" | "return_sign_off"))
        .count();
    assert_eq!(decisions, 1);
    assert_eq!(
        audited(&t, "task.sign_off").await + audited(&t, "task.return_sign_off").await,
        1
    );
});

/// What a close changes, read through the use cases.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    november: BTreeMap<String, i64>,
    december: BTreeMap<String, i64>,
    phase: Phase,
    frozen: bool,
    figures: Figures,
    audit: u64,
    history: usize,
    /// Submissions under review, and all forms of the month.
    queue: (u64, u64),
}

async fn snapshot(t: &TestApp, watched: i64) -> Snapshot {
    let queue = |statuses: Vec<String>| async move {
        t.app
            .review_queue(Caller::System, t.org, MONTH, &statuses, all())
            .await
            .expect("queue")
            .total
    };
    let figures = t
        .app
        .month_figures(Caller::System, t.org, MONTH)
        .await
        .expect("figures");
    Snapshot {
        november: counts(t, MONTH).await,
        december: counts(t, NEXT).await,
        phase: phase_of(t, MONTH).await,
        frozen: figures.frozen,
        figures: figures.total,
        audit: audit_total(t, t.org).await,
        history: t
            .app
            .get_task(Caller::System, watched)
            .await
            .expect("task")
            .history
            .len(),
        queue: (
            queue(vec!["submitted".to_owned()]).await,
            queue(vec![]).await,
        ),
    }
}

app::app_test!(
    a_close_that_fails_after_any_step_leaves_everything_as_it_was,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_a, &c.staff_a, "园区推介会"),
                spec(c.unit_b, &c.staff_b, "预算执行分析"),
                spec(c.unit_b, &c.staff_b, "国库集中支付"),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let f0 = submit(&t, &c.head_a, ids[0]).await;
        submit(&t, &c.head_a, ids[1]).await;
        t.app
            .submit_sign_off(
                Caller::Person(&c.head_b),
                ids[2],
                &unfinished("资金未到位", "下月拨付"),
                &[],
            )
            .await
            .unwrap();
        go_to(&t, REVIEW_DAY);
        sign_off(&t, &c, f0).await;
        let watched = ids[1];
        let before = snapshot(&t, watched).await;
        assert_eq!(
            before.november,
            counted(&[
                ("signed_off", 1),
                ("sign_off_submitted", 1),
                ("declared_unfinished", 1),
                ("arranged", 1)
            ])
        );
        assert_eq!((before.phase, before.frozen), (Phase::Reviewing, false));
        assert_eq!(before.queue, (1, 3));
        let dir = Caller::Person(&c.director);
        for step in Step::ALL {
            let r = t
                .app
                .close_month_failing_after(dir, t.org, MONTH, step)
                .await;
            assert!(
                matches!(r, Err(AppError::Internal(_))),
                "stopped after {}: {r:?}",
                step.as_str()
            );
            assert_eq!(
                snapshot(&t, watched).await,
                before,
                "a close stopped after {} left changes behind",
                step.as_str()
            );
            assert!(tasks_of(&t, NEXT).await.is_empty());
        }
        let report = t.app.close_month(dir, t.org, MONTH).await.unwrap();
        assert_eq!((report.already_closed, report.carried_over), (false, 3));
        let after = snapshot(&t, watched).await;
        let expected = Snapshot {
            november: counted(&[("signed_off", 1), ("carried_over", 3)]),
            december: counted(&[("accepted", 3)]),
            phase: Phase::Closed,
            frozen: true,
            audit: before.audit + 1,
            history: before.history + 1,
            queue: (0, 3),
            ..before.clone()
        };
        assert_eq!(after, expected);
    }
);

app::app_test!(
    carried_tasks_join_the_next_plan_red_and_carry_again_with_their_chain,
    |t| {
        let c = cast(&t).await;
        let origin = arranged_task(&t, &c, true).await;
        go_to(&t, REVIEW_DAY);
        let dir = Caller::Person(&c.director);
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let first = continuation(&t, NEXT, origin).await;
        assert_eq!(first.status, "accepted");
        // December is arranged with it.
        assert_eq!(t.app.arrange_month(dir, t.org, NEXT).await.unwrap(), 1);
        assert_eq!(status(&t, first.id).await, "arranged");
        let v = card(&t, &c, NEXT, first.id).await;
        assert_eq!(v.card.color, "red");
        assert!(rules(&v).contains(&"carried_over"), "{:?}", rules(&v));
        // Unfinished again: it moves on into January, two months overdue.
        go_to(&t, "2027-01-01");
        let r = t.app.close_month(dir, t.org, NEXT).await.unwrap();
        assert_eq!(r.carried_over, 1);
        assert_eq!(r.figures.carried_in, 1);
        let second = continuation(&t, "2027-01", first.id).await;
        assert_eq!(
            (
                second.deadline.as_str(),
                second.months_overdue,
                second.title.as_str()
            ),
            ("2027-01-28", 2, "重大项目签约")
        );
        let d = t
            .app
            .get_task(Caller::Person(&c.staff_a), second.id)
            .await
            .unwrap();
        assert_eq!(
            d.chain.iter().map(|x| x.id).collect::<Vec<_>>(),
            vec![first.id, origin]
        );
    }
);

app::app_test!(
    continuations_enter_a_next_month_already_arranged_as_arranged,
    |t| {
        let c = cast(&t).await;
        let origin = arranged_task(&t, &c, false).await;
        go_to(&t, REVIEW_DAY);
        // December is planned and arranged before November closes.
        t.app
            .move_phase(Caller::System, t.org, NEXT, Some(Phase::Proposing))
            .await
            .unwrap();
        let sa = Caller::Person(&c.staff_a);
        let dir = Caller::Person(&c.director);
        let own = t
            .app
            .propose(
                sa,
                t.org,
                NEXT,
                c.unit_a,
                &task_input(c.kp, &c.staff_a, "园区推介会", "2026-12-15", false),
            )
            .await
            .unwrap();
        t.app.submit_proposal(sa, own).await.unwrap();
        t.app
            .meeting_decide(dir, own, &MeetingDecision::Accept)
            .await
            .unwrap();
        t.app.arrange_month(dir, t.org, NEXT).await.unwrap();
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let n = continuation(&t, NEXT, origin).await;
        assert_eq!(n.status, "arranged");
        assert_eq!(
            counts(&t, NEXT).await,
            counted(&[("arranged", 2)]),
            "the December plan holds its own task and the continuation"
        );
        let f = t.app.month_figures(dir, t.org, NEXT).await.unwrap();
        assert_eq!((f.total.planned, f.total.carried_in), (2, 1));
    }
);

app::app_test!(
    a_continuation_keeps_its_day_clamped_to_a_shorter_month,
    |t| {
        let c = cast(&t).await;
        let kp = key_point(&t, &c.director, 2027).await;
        let january = "2027-01";
        t.app
            .move_phase(Caller::System, t.org, january, Some(Phase::Proposing))
            .await
            .unwrap();
        let sa = Caller::Person(&c.staff_a);
        let dir = Caller::Person(&c.director);
        let mut ids = Vec::new();
        for (title, deadline) in [("年初招商推介", "2027-01-31"), ("客商回访", "2027-01-15")]
        {
            let id = t
                .app
                .propose(
                    sa,
                    t.org,
                    january,
                    c.unit_a,
                    &task_input(kp, &c.staff_a, title, deadline, false),
                )
                .await
                .unwrap();
            t.app.submit_proposal(sa, id).await.unwrap();
            t.app
                .meeting_decide(dir, id, &MeetingDecision::Accept)
                .await
                .unwrap();
            ids.push(id);
        }
        t.app.arrange_month(dir, t.org, january).await.unwrap();
        go_to(&t, "2027-02-01");
        let r = t.app.close_month(dir, t.org, january).await.unwrap();
        assert_eq!(r.carried_over, 2);
        assert_eq!(
            continuation(&t, "2027-02", ids[0]).await.deadline,
            "2027-02-28"
        );
        assert_eq!(
            continuation(&t, "2027-02", ids[1]).await.deadline,
            "2027-02-15"
        );
    }
);

// ---- the audit trail ----

app::app_test!(
    every_step_of_sign_off_the_meeting_and_the_close_is_audited_and_the_ledger_verifies,
    |t| {
        let c = cast(&t).await;
        let dir = Caller::Person(&c.director);
        t.app
            .set_review_rule(dir, t.org, ReviewRule::default())
            .await
            .unwrap();
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
                spec(c.unit_a, &c.staff_a, "园区推介会"),
                spec(c.unit_b, &c.staff_b, "预算执行分析"),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let first = submit(&t, &c.head_a, ids[0]).await;
        let returned = submit(&t, &c.head_a, ids[1]).await;
        t.app
            .submit_sign_off(
                Caller::Person(&c.head_b),
                ids[2],
                &unfinished("资金未到位", "下月拨付"),
                &[],
            )
            .await
            .unwrap();
        go_to(&t, REVIEW_DAY);
        let perf = Caller::Person(&c.performance);
        t.app
            .give_opinion(perf, first, None, "site_check", "现场核查")
            .await
            .unwrap();
        t.app
            .record_site_check(
                perf,
                first,
                None,
                "现场核实无误",
                "",
                &[upload("现场.png", PNG)],
            )
            .await
            .unwrap();
        sign_off(&t, &c, first).await;
        t.app
            .decide_sign_off(Caller::Person(&c.leading), returned, false, "佐证不足")
            .await
            .unwrap();
        let h = t
            .app
            .select_highlight(dir, ids[0], "提前完成")
            .await
            .unwrap();
        t.app.remove_highlight(dir, h).await.unwrap();
        t.app
            .select_highlight(dir, ids[0], "提前完成")
            .await
            .unwrap();
        t.app
            .record_meeting(dir, t.org, MONTH, "", "本月分析", "督办未销号事项")
            .await
            .unwrap();
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let b = t
            .app
            .generate_bulletin(dir, t.org, MONTH, "测高预安〔2026〕11号")
            .await
            .unwrap();
        t.app
            .publish_bulletin(Caller::Person(&c.leading), b)
            .await
            .unwrap();

        for (action, n) in [
            ("review_rule.update", 1),
            ("task.submit_sign_off", 2),
            ("task.declare_unfinished", 1),
            ("sign_off.opinion", 4),
            ("sign_off.site_check", 1),
            ("task.sign_off", 1),
            ("task.return_sign_off", 1),
            ("highlight.select", 2),
            ("highlight.remove", 1),
            ("review_meeting.record", 1),
            ("bulletin.generate", 1),
            ("bulletin.publish", 1),
            ("cycle.close", 1),
        ] {
            assert_eq!(audited(&t, action).await, n, "{action}");
        }
        let entries = |action: &str| {
            let action = action.to_owned();
            let t = &t;
            async move {
                t.app
                    .list_audit(
                        Caller::System,
                        t.org,
                        &AuditFilter {
                            action: Some(action),
                            ..Default::default()
                        },
                        all(),
                    )
                    .await
                    .unwrap()
                    .items
            }
        };
        let signed = entries("task.sign_off").await;
        assert_eq!(
            (
                signed[0].entity.as_str(),
                signed[0].entity_id,
                signed[0].actor_id
            ),
            ("task", Some(ids[0]), Some(person_id(&c.leading)))
        );
        let closed = entries("cycle.close").await;
        assert_eq!(closed[0].actor_id, Some(person_id(&c.director)));
        let after = closed[0].after_json.as_deref().unwrap_or_default();
        assert!(after.contains("\"carried_over\":2"), "{after}");
        let published = entries("bulletin.publish").await;
        assert_eq!(
            (published[0].entity_id, published[0].actor_id),
            (Some(b), Some(person_id(&c.leading)))
        );
        let report = t.app.verify_audit().await.unwrap();
        assert!(report.ok(), "{:?}", report.breaks);
        assert_eq!(report.entries, audit_total(&t, t.org).await);
    }
);

app::app_test!(the_system_closes_a_month_as_the_command_line_does, |t| {
    let c = cast(&t).await;
    let ids = plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约"),
            spec(c.unit_b, &c.staff_b, "预算执行分析"),
        ],
    )
    .await;
    go_to(&t, SIGN_OFF_OPENS);
    let form = submit(&t, &c.head_a, ids[0]).await;
    go_to(&t, REVIEW_DAY);
    sign_off(&t, &c, form).await;
    // No person closes it: the actor of the history rows and the audit entry is the system.
    let r = t
        .app
        .close_month(Caller::System, t.org, MONTH)
        .await
        .unwrap();
    assert_eq!(
        (r.carried_over, r.figures.planned, r.figures.signed_off),
        (1, 2, 1)
    );
    let next = continuation(&t, NEXT, ids[1]).await;
    let d = t.app.get_task(Caller::System, next.id).await.unwrap();
    assert_eq!(
        d.history
            .iter()
            .map(|h| (h.event.as_str(), h.actor_name.is_none()))
            .collect::<Vec<_>>(),
        vec![("carried_in", true)]
    );
    assert_eq!(status(&t, ids[1]).await, "carried_over");
    // The frozen figures are the ones computed before the close.
    let v = t
        .app
        .month_figures(Caller::System, t.org, MONTH)
        .await
        .unwrap();
    assert!(v.frozen);
    assert_eq!(v.total, r.figures);
    assert!(t.app.verify_audit().await.unwrap().ok());
});
