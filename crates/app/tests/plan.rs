//! The monthly plan through the app layer, on both databases: phases, the proposal's life,
//! the office meeting, arrangement, plan tables, imports, change requests and scope.

use app::testing::TestApp;
use app::{AppError, Caller, Identity, LeaderDecision, MeetingDecision};
use chrono::Duration;
use domain::Role;
use domain::plan::{Change, KeyPointInput, Phase, TaskInput};
use domain::plan_table::PlanTableRow;

fn code(e: &AppError, field: &str) -> Option<&'static str> {
    match e {
        AppError::Invalid(v) => v.for_field(field),
        _ => None,
    }
}

struct Cast {
    unit_a: i64,
    unit_b: i64,
    kp: i64,
    staff_a: Identity,
    head_a: Identity,
    staff_b: Identity,
    leader_a: Identity,
    leader_b: Identity,
    director: Identity,
    admin: Identity,
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
    let leader_a = t
        .person("leader.a", None, &[(Role::LeaderInCharge, None)])
        .await;
    let leader_b = t
        .person("leader.b", None, &[(Role::LeaderInCharge, None)])
        .await;
    t.app
        .set_led_units(Caller::System, leader_a.actor.person_id.0, &[unit_a])
        .await
        .unwrap();
    t.app
        .set_led_units(Caller::System, leader_b.actor.person_id.0, &[unit_b])
        .await
        .unwrap();
    let leader_a = t.identity(leader_a.actor.person_id.0).await;
    let leader_b = t.identity(leader_b.actor.person_id.0).await;
    let director = t.person("director", None, &[(Role::Director, None)]).await;
    let admin = t.person("admin", None, &[(Role::Admin, None)]).await;
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
        .unwrap();
    Cast {
        unit_a,
        unit_b,
        kp,
        staff_a,
        head_a,
        staff_b,
        leader_a,
        leader_b,
        director,
        admin,
    }
}

fn input(c: &Cast, title: &str, deadline: &str) -> TaskInput {
    TaskInput {
        title: title.into(),
        content: "内容".into(),
        criterion: "完成签约".into(),
        deadline: deadline.into(),
        key_point_id: Some(c.kp),
        owner_id: Some(c.staff_a.actor.person_id.0),
        ..Default::default()
    }
}

// 2 November 2026 is the arranging phase of November; December's proposals open on the 20th.
app::app_test!(phases_follow_the_calendar_and_manual_moves_hold, |t| {
    let c = cast(&t).await;
    let nov = t
        .app
        .month_view(Caller::Person(&c.staff_a), t.org, "2026-11")
        .await
        .unwrap();
    assert_eq!(nov.phase, Phase::Arranging);
    let dec = t
        .app
        .month_view(Caller::Person(&c.staff_a), t.org, "2026-12")
        .await
        .unwrap();
    assert_eq!(dec.phase, Phase::Upcoming);
    assert!(!dec.can_arrange && !dec.can_manage);
    // Staff may not move phases; the director may, and the move holds until a boundary.
    let e = t
        .app
        .move_phase(
            Caller::Person(&c.staff_a),
            t.org,
            "2026-12",
            Some(Phase::Proposing),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden));
    t.app
        .move_phase(
            Caller::Person(&c.director),
            t.org,
            "2026-12",
            Some(Phase::Proposing),
        )
        .await
        .unwrap();
    t.clock.advance(Duration::days(3));
    assert_eq!(
        t.app
            .month_view(Caller::Person(&c.staff_a), t.org, "2026-12")
            .await
            .unwrap()
            .phase,
        Phase::Proposing
    );
    let e = t
        .app
        .move_phase(
            Caller::Person(&c.admin),
            t.org,
            "2026-12",
            Some(Phase::Closed),
        )
        .await
        .unwrap_err();
    assert_eq!(code(&e, "phase"), Some("close_is_separate"));
    // On the 20th the calendar takes over again (proposing), and on 1 December it arranges.
    t.clock.advance(Duration::days(26));
    assert_eq!(
        t.app
            .month_view(Caller::Person(&c.staff_a), t.org, "2026-12")
            .await
            .unwrap()
            .phase,
        Phase::Arranging
    );
    let audit = t
        .app
        .list_audit(
            Caller::Person(&c.admin),
            t.org,
            &app::model::AuditFilter {
                action: Some("cycle.phase_move".into()),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(audit.total, 1);
});

app::app_test!(a_proposal_goes_from_draft_to_the_arranged_plan, |t| {
    let c = cast(&t).await;
    t.clock.advance(Duration::days(19)); // 21 November: December is open for proposals
    let sa = Caller::Person(&c.staff_a);
    let one = t
        .app
        .propose(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            &input(&c, "重大项目签约", "2026-12-20"),
        )
        .await
        .unwrap();
    let two = t
        .app
        .propose(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            &input(&c, "产业链招商", "2026-12-25"),
        )
        .await
        .unwrap();
    let three = t
        .app
        .propose(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            &input(&c, "客商接待", "2026-12-28"),
        )
        .await
        .unwrap();
    for id in [one, two, three] {
        t.app.submit_proposal(sa, id).await.unwrap();
    }
    // The default leader is the unit's leader in charge.
    assert_eq!(
        t.app.get_task(sa, one).await.unwrap().task.leader_id,
        Some(c.leader_a.actor.person_id.0)
    );
    // Only the unit's own leader reviews.
    let e = t
        .app
        .leader_review(Caller::Person(&c.leader_b), one, &LeaderDecision::Approve)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden));
    let la = Caller::Person(&c.leader_a);
    t.app
        .leader_review(la, one, &LeaderDecision::Approve)
        .await
        .unwrap();
    t.app
        .leader_review(
            la,
            two,
            &LeaderDecision::Adjust(input(&c, "产业链精准招商", "2026-12-26")),
        )
        .await
        .unwrap();
    let e = t
        .app
        .leader_review(la, three, &LeaderDecision::Return { reason: " ".into() })
        .await
        .unwrap_err();
    assert_eq!(code(&e, "reason"), Some("required"));
    t.app
        .leader_review(
            la,
            three,
            &LeaderDecision::Return {
                reason: "标准需量化".into(),
            },
        )
        .await
        .unwrap();
    let d3 = t.app.get_task(sa, three).await.unwrap();
    assert_eq!(
        (
            d3.task.status.as_str(),
            d3.task.reason.as_deref(),
            d3.can_edit
        ),
        ("returned", Some("标准需量化"), true)
    );
    let d2 = t.app.get_task(sa, two).await.unwrap();
    assert_eq!(d2.task.title, "产业链精准招商");
    assert!(
        d2.history.iter().any(|h| h.snapshot.contains("产业链招商")),
        "the earlier version is kept"
    );

    // The office meeting: staff cannot decide; the director can.
    let e = t.app.arrange_month(sa, t.org, "2026-12").await.unwrap_err();
    assert!(matches!(e, AppError::Forbidden));
    let dir = Caller::Person(&c.director);
    t.app
        .meeting_decide(dir, one, &MeetingDecision::Accept)
        .await
        .unwrap();
    let e = t
        .app
        .arrange_month(dir, t.org, "2026-12")
        .await
        .unwrap_err();
    assert_eq!(
        code(&e, "month"),
        Some("undecided_proposals"),
        "two is still awaiting a decision"
    );
    t.app
        .meeting_decide(dir, two, &MeetingDecision::Accept)
        .await
        .unwrap();
    let assigned = TaskInput {
        key_point_id: None,
        owner_id: Some(c.head_a.actor.person_id.0),
        ..input(&c, "落实交办：客商座谈会", "2026-12-15")
    };
    let item = t
        .app
        .add_assigned_item(dir, t.org, "2026-12", c.unit_a, &assigned)
        .await
        .unwrap();
    assert_eq!(t.app.arrange_month(dir, t.org, "2026-12").await.unwrap(), 3);
    let e = t
        .app
        .arrange_month(dir, t.org, "2026-12")
        .await
        .unwrap_err();
    assert_eq!(code(&e, "month"), Some("already_arranged"));

    let table = t
        .app
        .plan_table(sa, t.org, "2026-12", c.unit_a, None)
        .await
        .unwrap();
    let titles: Vec<&str> = table.rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles.len(), 3);
    assert!(
        titles.contains(&"重大项目签约")
            && titles.contains(&"产业链精准招商")
            && titles.contains(&"落实交办：客商座谈会")
    );
    assert!(table.rows.iter().any(|r| r.category == "交办事项"));
    assert!(table.title().contains("招商合作局") && table.title().contains("2026年12月"));
    assert!(t.app.get_task(sa, item).await.unwrap().task.status == "arranged");
    // The returned proposal stays out of the plan.
    assert_eq!(
        t.app.get_task(sa, three).await.unwrap().task.status,
        "returned"
    );
    assert!(t.app.verify_audit().await.unwrap().ok());
});

app::app_test!(proposals_respect_the_window_and_the_scope, |t| {
    let c = cast(&t).await;
    let sa = Caller::Person(&c.staff_a);
    let e = t
        .app
        .propose(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            &input(&c, "太早", "2026-12-20"),
        )
        .await
        .unwrap_err();
    assert_eq!(code(&e, "month"), Some("proposals_not_open"));
    t.clock.advance(Duration::days(19));
    // Another unit's staff may neither propose for A nor see A's tasks.
    let sb = Caller::Person(&c.staff_b);
    assert!(matches!(
        t.app
            .propose(
                sb,
                t.org,
                "2026-12",
                c.unit_a,
                &input(&c, "越权", "2026-12-20")
            )
            .await,
        Err(AppError::Forbidden)
    ));
    let id = t
        .app
        .propose(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            &input(&c, "本单位事项", "2026-12-20"),
        )
        .await
        .unwrap();
    assert!(matches!(
        t.app.get_task(sb, id).await,
        Err(AppError::Forbidden)
    ));
    let visible = t
        .app
        .list_tasks(
            sb,
            t.org,
            &app::model::TaskFilter {
                month: Some("2026-12".into()),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(visible.total, 0);
    let visible = t
        .app
        .list_tasks(
            Caller::Person(&c.director),
            t.org,
            &Default::default(),
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(visible.total, 1);
    assert!(matches!(
        t.app.plan_table(sb, t.org, "2026-12", c.unit_a, None).await,
        Err(AppError::Forbidden)
    ));
    assert!(
        t.app
            .plan_table(sb, t.org, "2026-12", c.unit_b, None)
            .await
            .unwrap()
            .rows
            .is_empty()
    );
    // Every member may pick a leader in charge for a task, even without seeing their details.
    let leaders = t.app.list_leaders(sa, t.org).await.unwrap();
    assert_eq!(leaders.len(), 2);
    assert!(matches!(
        t.app.get_person(sa, c.leader_a.actor.person_id.0).await,
        Err(AppError::Forbidden)
    ));
    // Validation names the fields; an owner outside the unit is refused.
    let bad = TaskInput {
        owner_id: Some(c.staff_b.actor.person_id.0),
        ..input(&c, "", "2027-01-02")
    };
    let e = t
        .app
        .propose(sa, t.org, "2026-12", c.unit_a, &bad)
        .await
        .unwrap_err();
    assert_eq!(
        (code(&e, "title"), code(&e, "deadline")),
        (Some("required"), Some("deadline_outside_month"))
    );
    let e = t
        .app
        .propose(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            &TaskInput {
                owner_id: Some(c.staff_b.actor.person_id.0),
                ..input(&c, "他人负责", "2026-12-20")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(&e, "owner_id"), Some("owner_not_in_unit"));
    assert_eq!(
        t.app
            .list_tasks(
                Caller::System,
                t.org,
                &Default::default(),
                Default::default()
            )
            .await
            .unwrap()
            .total,
        1,
        "refusals store nothing"
    );
});

fn sheet(rows: &[PlanTableRow]) -> domain::plan_table::PlanSheet {
    domain::plan_table::PlanSheet {
        rows: rows.to_vec(),
        errors: Vec::new(),
    }
}

app::app_test!(imports_are_all_or_nothing_with_row_errors, |t| {
    let c = cast(&t).await;
    t.clock.advance(Duration::days(19));
    let sa = Caller::Person(&c.staff_a);
    let row = |title: &str, deadline: &str, owner: &str| PlanTableRow {
        seq: 1,
        title: title.into(),
        content: String::new(),
        criterion: "按期完成".into(),
        deadline: deadline.into(),
        owner: owner.into(),
        leader: String::new(),
        category: "重点工作".into(),
        ..Default::default()
    };
    let staff_name = "测试staff.a";
    let rows = vec![
        row("第一项", "2026-12-10", staff_name),
        row("", "2026-13-01", staff_name),
        row("第三项", "2026-12-10", "无此人"),
    ];
    let e = t
        .app
        .import_proposals(sa, t.org, "2026-12", c.unit_a, Some(c.kp), &sheet(&rows))
        .await
        .unwrap_err();
    let AppError::Rows(errors) = e else {
        panic!("row errors expected")
    };
    let got: Vec<(u32, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code))
        .collect();
    assert!(got.contains(&(4, "工作事项", "required")), "{got:?}");
    assert!(got.contains(&(4, "完成时限", "invalid_date")), "{got:?}");
    assert!(got.contains(&(5, "责任人", "unknown_person")), "{got:?}");
    assert_eq!(
        t.app
            .list_tasks(
                Caller::System,
                t.org,
                &Default::default(),
                Default::default()
            )
            .await
            .unwrap()
            .total,
        0
    );
    let n = t
        .app
        .import_proposals(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            Some(c.kp),
            &sheet(&rows[..1]),
        )
        .await
        .unwrap();
    assert_eq!(n.added, 1);
    let page = t
        .app
        .list_tasks(sa, t.org, &Default::default(), Default::default())
        .await
        .unwrap();
    assert_eq!(
        (page.items[0].status.as_str(), page.items[0].is_key_work),
        ("draft", true)
    );
});

app::app_test!(change_requests_keep_both_versions, |t| {
    let c = cast(&t).await;
    t.clock.advance(Duration::days(19));
    let sa = Caller::Person(&c.staff_a);
    let dir = Caller::Person(&c.director);
    let id = t
        .app
        .propose(
            sa,
            t.org,
            "2026-12",
            c.unit_a,
            &input(&c, "园区招商推介会", "2026-12-10"),
        )
        .await
        .unwrap();
    t.app.submit_proposal(sa, id).await.unwrap();
    t.app
        .meeting_decide(dir, id, &MeetingDecision::Accept)
        .await
        .unwrap();
    t.app.arrange_month(dir, t.org, "2026-12").await.unwrap();
    let redate = Change::Redate {
        deadline: domain::plan::parse_date("2026-12-30").unwrap(),
    };
    // Staff cannot ask; the head can, once at a time.
    assert!(matches!(
        t.app.request_change(sa, id, &redate, "推迟").await,
        Err(AppError::Forbidden)
    ));
    let head = Caller::Person(&c.head_a);
    let cr = t
        .app
        .request_change(head, id, &redate, "客商行程调整")
        .await
        .unwrap();
    let e = t
        .app
        .request_change(head, id, &Change::Withdraw, "再次")
        .await
        .unwrap_err();
    assert_eq!(code(&e, "kind"), Some("change_pending"));
    assert!(matches!(
        t.app.decide_change(head, cr, true, "").await,
        Err(AppError::Forbidden)
    ));
    t.app.decide_change(dir, cr, true, "同意").await.unwrap();
    let d = t.app.get_task(sa, id).await.unwrap();
    assert_eq!(d.task.deadline, "2026-12-30");
    assert!(
        d.history.iter().any(|h| h.snapshot.contains("2026-12-10"))
            && d.history.iter().any(|h| h.snapshot.contains("2026-12-30"))
    );
    assert_eq!(d.change_requests[0].status, "approved");
    let e = t
        .app
        .decide_change(dir, cr, false, "晚了")
        .await
        .unwrap_err();
    assert_eq!(code(&e, "status"), Some("already_decided"));
    // Withdrawing takes the task out of the plan table.
    let cr = t
        .app
        .request_change(head, id, &Change::Withdraw, "取消")
        .await
        .unwrap();
    t.app.decide_change(dir, cr, true, "").await.unwrap();
    assert!(
        t.app
            .plan_table(sa, t.org, "2026-12", c.unit_a, None)
            .await
            .unwrap()
            .rows
            .is_empty()
    );
    let _ = c.unit_b;
});

app::app_test!(
    reading_a_month_writes_nothing_and_shows_the_phase_its_calendar_gives,
    |t| {
        let db = t.app.db().clone();
        let count = |table: &'static str| {
            let db = db.clone();
            async move { store::testing::count_rows(&db, table).await.unwrap() }
        };
        // 2 November: December is open for proposals, November in execution; nobody has opened
        // either month yet.
        let (cycles, ledger) = (count("cycles").await, count("audit_log").await);
        let mut read = Vec::new();
        for month in ["2026-11", "2026-12", "2027-03"] {
            let v = t
                .app
                .month_view(Caller::System, t.org, month)
                .await
                .unwrap();
            t.app
                .proposals_refused(t.org, domain::plan::YearMonth::parse(month).unwrap())
                .await
                .unwrap();
            read.push((month, v.phase));
        }
        assert_eq!(
            (count("cycles").await, count("audit_log").await),
            (cycles, ledger),
            "a read opened no month and wrote no entry"
        );
        // The phases job stores what the pages showed.
        t.app.run_job_now("phases", "test").await.unwrap();
        for (month, phase) in &read[..2] {
            let v = t
                .app
                .month_view(Caller::System, t.org, month)
                .await
                .unwrap();
            assert_eq!(v.phase, *phase, "{month}");
            assert!(v.cycle.id > 0, "{month} is stored now");
        }
        // Past a boundary the page shows the new phase before the job has run, still writing
        // nothing.
        t.clock.advance(chrono::Duration::days(30));
        let before = count("audit_log").await;
        let v = t
            .app
            .month_view(Caller::System, t.org, "2026-12")
            .await
            .unwrap();
        assert_ne!(v.phase, read[1].1, "December moved on with the calendar");
        assert_eq!(count("audit_log").await, before);
    }
);
