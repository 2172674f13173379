//! Reminders and notifications on both databases: the inbox, preferences, urgent deliveries
//! through a real SMTP server and a robot receiver started here, retries when the mail
//! server is down, exactly-once delivery with two workers, and the scheduled jobs.

mod common;

use app::model::DeliveryFilter;
use app::testing::TestApp;
use app::{App, AppError, Caller, Identity, app_test};
use common::month::{Cast, MONTH, arranged_task, cast, go_to, plan_month, spec};
use common::{all, assert_field};
use domain::Role;
use domain::notify::ChannelInput;
use domain::org::PersonInput;
use outbound::testing::{Receiver, SmtpServer};
use serde_json::json;

async fn admin(t: &TestApp) -> Identity {
    t.person("admin", None, &[(Role::Admin, None)]).await
}

/// Gives a person a mail address and a mobile number.
async fn reachable(t: &TestApp, who: &Identity, email: &str, phone: &str) {
    let p = t
        .app
        .get_person(Caller::System, who.actor.person_id.0)
        .await
        .expect("person");
    t.app
        .update_person(
            Caller::System,
            who.actor.person_id.0,
            &PersonInput {
                username: p.person.username.clone(),
                display_name: p.person.display_name.clone(),
                unit_id: p.person.unit_id.map(domain::UnitId),
                post_id: p.person.post_id.map(domain::PostId),
                email: email.into(),
                phone: phone.into(),
            },
        )
        .await
        .expect("update person");
}

async fn mail_channel(t: &TestApp, admin: &Identity, port: u16) {
    t.app
        .set_channel(
            Caller::Person(admin),
            t.org,
            "email",
            true,
            &ChannelInput {
                host: "127.0.0.1".into(),
                port: port.to_string(),
                security: "none".into(),
                sender: "notice@gov.example".into(),
                ..Default::default()
            },
        )
        .await
        .expect("mail channel");
}

async fn robot_channel(t: &TestApp, admin: &Identity, channel: &str, url: &str) {
    t.app
        .set_channel(
            Caller::Person(admin),
            t.org,
            channel,
            true,
            &ChannelInput {
                url: url.into(),
                secret: "SEC-test".into(),
                ..Default::default()
            },
        )
        .await
        .expect("robot channel");
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

async fn events(t: &TestApp, who: &Identity) -> Vec<String> {
    events_of(&t.app, who).await
}

async fn events_of(app: &App, who: &Identity) -> Vec<String> {
    app.inbox(Caller::Person(who), false, all())
        .await
        .expect("inbox")
        .items
        .into_iter()
        .map(|n| n.event)
        .collect()
}

async fn setup(t: &TestApp) -> (Cast, i64) {
    let c = cast(t).await;
    let task = arranged_task(t, &c, false).await;
    (c, task)
}

app_test!(urging_reaches_the_owner_and_the_head_and_is_logged, |t| {
    let (c, task) = setup(&t).await;
    let id = t
        .app
        .urge_task(Caller::Person(&c.supervisor), task, "请于本周五前报送进展")
        .await
        .expect("urge");
    for who in [&c.staff_a, &c.head_a] {
        let inbox = t
            .app
            .inbox(Caller::Person(who), true, all())
            .await
            .expect("inbox");
        assert_eq!(inbox.total, 1);
        let n = &inbox.items[0];
        assert_eq!(n.event, "task_urged");
        assert!(n.urgent);
        assert_eq!(n.link.as_deref(), Some(format!("/tasks/{task}").as_str()));
        assert!(n.body.contains("请于本周五前报送进展"), "{}", n.body);
        assert!(n.body.starts_with("测试supervisor"));
    }
    // Nobody else is told.
    assert!(events(&t, &c.staff_b).await.is_empty());
    let urges = t
        .app
        .task_urges(Caller::Person(&c.head_a), task)
        .await
        .expect("urges");
    assert_eq!(urges.len(), 1);
    assert_eq!(urges[0].id, id);
    assert_eq!(urges[0].by_name.as_deref(), Some("测试supervisor"));
    let admin = admin(&t).await;
    let audit = t
        .app
        .list_audit(
            Caller::Person(&admin),
            t.org,
            &store::audit::AuditFilter {
                action: Some("task.urge".into()),
                ..Default::default()
            },
            all(),
        )
        .await
        .expect("audit");
    assert_eq!(audit.items.len(), 1);

    // Only those who supervise may urge; the words are bounded.
    let r = t.app.urge_task(Caller::Person(&c.head_b), task, "").await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
    assert_field(
        t.app
            .urge_task(Caller::Person(&c.supervisor), task, &"催".repeat(501))
            .await,
        "message",
        "too_long",
    );
    // With no channel configured, nothing is queued to leave the system.
    let d = t
        .app
        .deliveries(
            Caller::Person(&admin),
            t.org,
            &DeliveryFilter::default(),
            all(),
        )
        .await
        .expect("deliveries");
    assert_eq!(d.total, 0);
});

app_test!(reading_marks_one_or_all_and_only_ones_own, |t| {
    let (c, task) = setup(&t).await;
    for _ in 0..3 {
        t.app
            .urge_task(Caller::Person(&c.supervisor), task, "")
            .await
            .expect("urge");
    }
    let me = Caller::Person(&c.staff_a);
    assert_eq!(t.app.unread_count(me).await.unwrap(), 3);
    let first = t.app.inbox(me, false, all()).await.unwrap().items[0].id;
    // Another person's notification is not found.
    let r = t
        .app
        .read_notification(Caller::Person(&c.head_b), first)
        .await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    let n = t.app.read_notification(me, first).await.expect("read");
    assert_eq!(n.id, first);
    assert_eq!(t.app.unread_count(me).await.unwrap(), 2);
    assert_eq!(t.app.inbox(me, true, all()).await.unwrap().total, 2);
    assert_eq!(t.app.read_all_notifications(me).await.unwrap(), 2);
    assert_eq!(t.app.unread_count(me).await.unwrap(), 0);
    assert_eq!(t.app.inbox(me, false, all()).await.unwrap().total, 3);
    // The head's inbox is untouched.
    assert_eq!(
        t.app.unread_count(Caller::Person(&c.head_a)).await.unwrap(),
        3
    );
});

app_test!(preferences_switch_off_all_but_urgent_inbox_notices, |t| {
    let (c, _) = setup(&t).await;
    let me = Caller::Person(&c.staff_a);
    // Everything unchecked.
    t.app.set_preferences(me, &[]).await.expect("save");
    let lines = t.app.preferences(me).await.expect("prefs");
    let urged = lines
        .iter()
        .find(|l| l.event == domain::notify::EventKind::TaskUrged)
        .unwrap();
    let inbox = &urged.choices[0];
    assert!(inbox.enabled && !inbox.changeable && inbox.available);
    let returned = lines
        .iter()
        .find(|l| l.event == domain::notify::EventKind::ProposalReturned)
        .unwrap();
    assert!(!returned.choices[0].enabled && returned.choices[0].changeable);
    // Email is not offered until the organization configures it.
    assert!(!returned.choices[1].available);

    // A returned proposal no longer reaches the inbox; an urging still does.
    let month = common::month::NEXT;
    let input = common::month::task_input(c.kp, &c.staff_a, "新申报", "2026-12-20", false);
    go_to(&t, "2026-11-21");
    let p = t
        .app
        .propose(me, t.org, month, c.unit_a, &input)
        .await
        .expect("propose");
    t.app.submit_proposal(me, p).await.expect("submit");
    t.app
        .meeting_decide(
            Caller::Person(&c.director),
            p,
            &app::MeetingDecision::Reject {
                reason: "与年度要点不符".into(),
            },
        )
        .await
        .expect("reject");
    assert!(
        !events(&t, &c.staff_a)
            .await
            .contains(&"proposal_returned".to_owned())
    );
    // The head, who kept the defaults and wrote nothing, is not the owner either.
    let bad = t
        .app
        .set_preferences(me, &[("nope".into(), "inbox".into())])
        .await;
    assert_field(bad, "preferences", "invalid_choice");
    t.app
        .set_preferences(me, &[("proposal_returned".into(), "inbox".into())])
        .await
        .expect("save");
    let p2 = t
        .app
        .propose(me, t.org, month, c.unit_a, &input)
        .await
        .expect("propose");
    t.app.submit_proposal(me, p2).await.expect("submit");
    t.app
        .meeting_decide(
            Caller::Person(&c.director),
            p2,
            &app::MeetingDecision::Reject {
                reason: "重复申报".into(),
            },
        )
        .await
        .expect("reject");
    let inbox = t.app.inbox(me, false, all()).await.unwrap();
    assert_eq!(inbox.items[0].event, "proposal_returned");
    assert!(inbox.items[0].body.contains("重复申报"));
});

app_test!(urgent_notices_go_out_by_mail_and_robot_exactly_once, |t| {
    let (c, task) = setup(&t).await;
    let admin = admin(&t).await;
    let smtp = SmtpServer::start().await;
    let robot = Receiver::start(json!({"errcode": 0, "errmsg": "ok"})).await;
    mail_channel(&t, &admin, smtp.port).await;
    robot_channel(
        &t,
        &admin,
        "dingtalk",
        &format!("{}/robot/send?access_token=tok", robot.base),
    )
    .await;
    reachable(&t, &c.staff_a, "staff.a@unit.example", "13800000001").await;

    t.app
        .urge_task(Caller::Person(&c.supervisor), task, "加快进度")
        .await
        .expect("urge");
    // Queued with the event, not sent by it.
    assert!(smtp.received().is_empty());
    let report = t.app.deliver_due("w1").await.expect("deliver");
    // The owner by mail and robot; the head (no mail address) by robot only.
    assert_eq!(report.sent, 3, "{report:?}");
    assert_eq!(report.retrying + report.failed, 0);
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["staff.a@unit.example".to_owned()]);
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some("【预安销号】催办：重大项目签约")
    );
    let posts = robot.received();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|p| p.path_and_query.contains("&sign=")));
    let mentioned: Vec<serde_json::Value> = posts
        .iter()
        .map(|p| p.body["at"]["atMobiles"].clone())
        .collect();
    assert!(mentioned.contains(&json!(["13800000001"])));
    assert!(mentioned.contains(&json!([])));
    assert!(posts.iter().any(|p| {
        p.body["text"]["content"]
            .as_str()
            .unwrap()
            .contains("致：测试staff.a")
    }));
    // Nothing is sent twice.
    assert_eq!(t.app.deliver_due("w2").await.unwrap().sent, 0);
    assert_eq!(smtp.received().len(), 1);
    let sent = t
        .app
        .deliveries(
            Caller::Person(&admin),
            t.org,
            &DeliveryFilter {
                status: Some("sent".into()),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(sent.total, 3);
    // The channel page never shows a secret.
    let view = t
        .app
        .notify_admin(Caller::Person(&admin), t.org)
        .await
        .unwrap();
    let ding = view
        .channels
        .iter()
        .find(|ch| ch.channel == domain::notify::Channel::Dingtalk)
        .unwrap();
    assert!(ding.enabled && ding.has_secret);
    assert_eq!(ding.target, robot.base.trim_start_matches("http://"));
    assert!(!serde_json::to_string(&view).unwrap().contains("SEC-test"));
    assert!(!serde_json::to_string(&view).unwrap().contains("tok"));
    // Only an administrator configures channels.
    let r = t
        .app
        .notify_admin(Caller::Person(&c.supervisor), t.org)
        .await;
    assert!(matches!(r, Err(AppError::Forbidden)));
});

app_test!(
    a_mail_server_that_is_down_fails_nothing_and_is_retried,
    |t| {
        let (c, task) = setup(&t).await;
        let admin = admin(&t).await;
        let port = closed_port();
        mail_channel(&t, &admin, port).await;
        reachable(&t, &c.staff_a, "staff.a@unit.example", "").await;

        // The user's action succeeds while the server is down.
        t.app
            .urge_task(Caller::Person(&c.supervisor), task, "")
            .await
            .expect("the action does not depend on the mail server");
        let r = t
            .app
            .deliver_due("w1")
            .await
            .expect("a failure is not an error");
        assert_eq!((r.sent, r.retrying, r.failed), (0, 1, 0));
        let failing = t
            .app
            .deliveries(
                Caller::Person(&admin),
                t.org,
                &DeliveryFilter {
                    with_errors: true,
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap();
        assert_eq!(failing.total, 1);
        let d = &failing.items[0];
        assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
        assert!(d.last_error.as_deref().unwrap().starts_with("smtp"));
        // Not due again before its back-off.
        assert_eq!(t.app.deliver_due("w1").await.unwrap().retrying, 0);

        // The server comes up; after the back-off the mail goes.
        let smtp = SmtpServer::start_on(port).await;
        t.clock.advance(chrono::Duration::seconds(31));
        let r = t.app.deliver_due("w1").await.unwrap();
        assert_eq!(r.sent, 1, "{r:?}");
        assert_eq!(smtp.received().len(), 1);
        smtp.stop();

        // Down for good: after the last attempt it shows as failed, and can be put back.
        t.app
            .urge_task(Caller::Person(&c.supervisor), task, "")
            .await
            .unwrap();
        for _ in 0..domain::notify::MAX_ATTEMPTS {
            t.app.deliver_due("w1").await.unwrap();
            t.clock.advance(chrono::Duration::hours(2));
        }
        let failed = t
            .app
            .deliveries(
                Caller::Person(&admin),
                t.org,
                &DeliveryFilter {
                    status: Some("failed".into()),
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap();
        assert_eq!(failed.total, 1);
        assert_eq!(failed.items[0].attempts, domain::notify::MAX_ATTEMPTS);
        let id = failed.items[0].id;
        t.app
            .retry_delivery(Caller::Person(&admin), t.org, id)
            .await
            .expect("retry");
        assert_field(
            t.app
                .retry_delivery(Caller::Person(&admin), t.org, id)
                .await,
            "delivery",
            "not_failed",
        );
    }
);

app_test!(two_workers_deliver_each_message_exactly_once, |t| {
    let (c, task) = setup(&t).await;
    let admin = admin(&t).await;
    let robot = Receiver::start(json!({"errcode": 0})).await;
    robot_channel(&t, &admin, "wecom", &format!("{}/send?key=k", robot.base)).await;
    for i in 0..40 {
        t.app
            .urge_task(Caller::Person(&c.supervisor), task, &format!("第{i}次"))
            .await
            .unwrap();
    }
    // A second server: its own pool on PostgreSQL; on SQLite the one file's writer.
    let second = match t.app.db().backend() {
        app::Backend::Postgres => {
            let db = app::Db::connect(t.db_url(), &app::DbOptions::default())
                .await
                .expect("second pool");
            App::new(db, t.clock.clone(), app::testing::test_config())
        }
        app::Backend::Sqlite => t.app.clone(),
    };
    let run = |app: App, name: &'static str| async move {
        let mut sent = 0;
        loop {
            let r = app.deliver_due(name).await.expect("deliver");
            if r.sent + r.retrying + r.failed == 0 {
                break sent;
            }
            sent += r.sent;
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(run(t.app.clone(), "server-a")),
        tokio::spawn(run(second.clone(), "server-b"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    // 40 urgings, each to the owner and the head.
    assert_eq!(a + b, 80, "a {a}, b {b}");
    let posts = robot.received();
    assert_eq!(posts.len(), 80);
    let mut texts: Vec<String> = posts
        .iter()
        .map(|p| p.body["text"]["content"].as_str().unwrap().to_owned())
        .collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 80, "every message once");
    if matches!(t.app.db().backend(), app::Backend::Postgres) {
        second.close().await;
    }
});

app_test!(jobs_remind_once_and_each_run_is_taken_by_one_server, |t| {
    let c = cast(&t).await;
    plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "甲任务"),
            spec(c.unit_b, &c.staff_b, "乙任务"),
        ],
    )
    .await;
    // Fourteen days (the card rules' stale days) without a report: reminded once per silence.
    let stagnant = |t: &TestApp| {
        let who = c.staff_a.clone();
        let app = t.app.clone();
        async move {
            events_of(&app, &who)
                .await
                .into_iter()
                .filter(|e| e == "task_stagnant")
                .count()
        }
    };
    go_to(&t, "2026-11-14");
    t.app.run_job_now("reminders", "operator").await.unwrap();
    assert_eq!(stagnant(&t).await, 0, "not yet fourteen days");
    go_to(&t, "2026-11-15");
    t.app.run_job_now("reminders", "operator").await.unwrap();
    assert_eq!(stagnant(&t).await, 1);
    go_to(&t, "2026-11-16");
    t.app.run_job_now("reminders", "operator").await.unwrap();
    assert_eq!(stagnant(&t).await, 1, "not again the next day");
    // Three days before the deadline (28 November), at 09:00 local time.
    go_to(&t, "2026-11-25");
    t.clock
        .advance(chrono::Duration::hours(-8) + chrono::Duration::minutes(1));
    let second = t.app.clone();
    let (a, b) = tokio::join!(
        t.app.run_due_jobs("server-a"),
        second.run_due_jobs("server-b")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut jobs: Vec<&str> = a.iter().chain(&b).map(|o| o.job).collect();
    jobs.sort();
    assert_eq!(
        jobs,
        vec!["audit_checkpoint", "digest", "phases", "reminders"],
        "each run once"
    );
    assert!(a.iter().chain(&b).all(|o| o.ok), "{a:?} {b:?}");
    assert!(
        events(&t, &c.staff_a)
            .await
            .contains(&"deadline_approaching".to_owned())
    );
    assert!(
        events(&t, &c.staff_b)
            .await
            .contains(&"deadline_approaching".to_owned())
    );
    // Proposals for December are open (from the 20th): heads and staff hear it once.
    assert!(
        events(&t, &c.head_a)
            .await
            .contains(&"window_opened".to_owned())
    );
    // Nothing is due again this hour.
    assert!(t.app.run_due_jobs("server-a").await.unwrap().is_empty());
    // Running a job again by hand adds nothing twice.
    let before = t
        .app
        .inbox(Caller::Person(&c.staff_a), false, all())
        .await
        .unwrap()
        .total;
    let again = t.app.run_job_now("reminders", "operator").await.unwrap();
    assert!(again.ok);
    t.app.run_job_now("phases", "operator").await.unwrap();
    assert_eq!(
        t.app
            .inbox(Caller::Person(&c.staff_a), false, all())
            .await
            .unwrap()
            .total,
        before
    );
    assert_field(
        t.app.run_job_now("nope", "operator").await,
        "job",
        "invalid_choice",
    );

    // After the deadline: overdue, once.
    go_to(&t, "2026-11-29");
    t.app.run_due_jobs("server-b").await.unwrap();
    t.app.run_job_now("reminders", "operator").await.unwrap();
    let overdue = events(&t, &c.staff_a)
        .await
        .into_iter()
        .filter(|e| e == "task_overdue")
        .count();
    assert_eq!(overdue, 1);
    let runs = t.app.recent_job_runs(20).await.unwrap();
    assert!(
        runs.iter()
            .any(|r| r.server == "operator" && r.status == "done")
    );
    assert!(runs.iter().all(|r| r.finished_at.is_some()));
    let _ = MONTH;
});

app_test!(the_digest_gathers_a_day_of_notices_in_one_mail, |t| {
    let c = cast(&t).await;
    plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "甲任务"),
            spec(c.unit_a, &c.staff_a, "乙任务"),
        ],
    )
    .await;
    let admin = admin(&t).await;
    let smtp = SmtpServer::start().await;
    mail_channel(&t, &admin, smtp.port).await;
    reachable(&t, &c.staff_a, "staff.a@unit.example", "").await;
    // Two deadlines approaching: non-urgent, so no mail at once.
    go_to(&t, "2026-11-25");
    t.app.run_job_now("reminders", "op").await.unwrap();
    assert_eq!(t.app.deliver_due("w").await.unwrap().sent, 0);
    // At the digest hour (08:00 local, 00:00 UTC) one mail lists both.
    go_to(&t, "2026-11-26");
    t.clock
        .advance(chrono::Duration::hours(-9) + chrono::Duration::minutes(2));
    let outcomes = t.app.run_due_jobs("s").await.unwrap();
    assert!(
        outcomes
            .iter()
            .any(|o| o.job == "digest" && o.detail == "queued 1"),
        "{outcomes:?}"
    );
    assert_eq!(t.app.deliver_due("w").await.unwrap().sent, 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    // Both deadlines of the day before. The phases job of the same minute announced the
    // windows just now: those wait for tomorrow's digest, which no late commit can overtake.
    let inbox = t
        .app
        .inbox(Caller::Person(&c.staff_a), false, all())
        .await
        .unwrap();
    assert!(inbox.items.iter().all(|n| !n.urgent));
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some("【预安销号】11月26日提醒汇总（2条）")
    );
    let body = mails[0].body();
    assert!(body.contains("任务还有3天到期：甲任务"), "{body}");
    assert!(body.contains("任务还有3天到期：乙任务"), "{body}");
    // Another run the same day sends no second digest.
    t.app.run_job_now("digest", "op").await.unwrap();
    assert_eq!(t.app.deliver_due("w").await.unwrap().sent, 0);
    // The next day's digest has what came since, and only that.
    t.clock.advance(chrono::Duration::days(1));
    t.app.run_due_jobs("s").await.unwrap();
    assert_eq!(t.app.deliver_due("w").await.unwrap().sent, 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 2);
    let body = mails[1].body();
    assert!(
        body.contains("窗口已开启") && !body.contains("甲任务"),
        "{body}"
    );
    assert_eq!(inbox.total, 4, "two deadlines and two windows in all");
});

app_test!(a_coordination_decision_reaches_the_units_it_names, |t| {
    let (c, task) = setup(&t).await;
    let id = t
        .app
        .raise_coordination(
            Caller::Person(&c.head_a),
            task,
            &domain::supervision::CoordinationInput {
                title: "用地指标".into(),
                description: "需要财政局配合".into(),
                involved_unit_ids: vec![c.unit_b],
            },
        )
        .await
        .expect("raise");
    t.app
        .decide_coordination(
            Caller::Person(&c.director),
            id,
            &domain::supervision::DecisionInput {
                decision: "由财政局牵头办理".into(),
                owner_unit_id: Some(c.unit_b),
                deadline: "2026-11-20".into(),
            },
        )
        .await
        .expect("decide");
    let link = format!("/coordination/{id}");
    for who in [&c.head_a, &c.head_b] {
        let inbox = t
            .app
            .inbox(Caller::Person(who), false, all())
            .await
            .unwrap();
        let n = inbox
            .items
            .iter()
            .find(|n| n.event == "coordination_decided")
            .expect("told");
        assert_eq!(n.link.as_deref(), Some(link.as_str()));
        assert!(n.body.contains("由财政局牵头办理"));
    }
    assert!(
        !events(&t, &c.staff_b)
            .await
            .contains(&"coordination_decided".to_owned())
    );
});
