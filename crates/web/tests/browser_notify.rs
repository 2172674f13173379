//! End to end through a real browser: a task urged by hand (催办) reaches its owner's inbox and
//! mailbox.
//!
//! The server runs in-process over a fresh SQLite database, with an SMTP server started by
//! the test. Unit A's staff member owns one arranged task of November 2026 and has a mail
//! address; a supervisor and an administrator are made through the app. In headless Chromium:
//! the administrator sets up the mail channel on the notifications page (a bad port first,
//! refused and named with the typed host kept), then the supervisor, at phone width, urges the
//! task from its page and sees the urging logged. The delivery worker sends it: the SMTP
//! server receives one mail with the Chinese subject. The owner signs in and finds the unread
//! count in the header of every page, opens the inbox, follows the urgent notice to the task
//! and finds the count gone. Screenshots land in `target/e2e-screenshots/` as `notify-*.png`.
//!
//! Without Chromium and chromedriver the test is skipped, except under `CI=true`, where it fails.

mod common;

use app::testing::{TEST_PASSWORD, TestApp};
use app::{App, Caller};
use common::browser::{Browser, Run};
use domain::Role;
use domain::org::PersonInput;
use domain::plan::TaskInput;
use outbound::testing::SmtpServer;

const MONTH: &str = "2026-11";
const UNIT_A: &str = "征拆办";
const STAFF: &str = "zc.staff";
const SUPERVISOR: &str = "supervisor";
const ADMIN: &str = "admin";
const TITLE: &str = "万达广场周边地块征收";
const WORDS: &str = "请于本周五前完成签约";
const MAIL: &str = "zc.staff@unit.example";

struct Setup {
    app: App,
    task: i64,
    smtp: SmtpServer,
}

async fn setup(t: &TestApp) -> Setup {
    let sys = Caller::System;
    let unit = t.unit(UNIT_A, None).await;
    let staff = t
        .person(STAFF, Some(unit), &[(Role::Staff, Some(unit))])
        .await;
    t.person(SUPERVISOR, None, &[(Role::Supervisor, None)])
        .await;
    t.person(ADMIN, None, &[(Role::Admin, None)]).await;
    t.app
        .update_person(
            sys,
            staff.actor.person_id.0,
            &PersonInput {
                username: STAFF.into(),
                display_name: "张三".into(),
                unit_id: Some(domain::UnitId(unit)),
                email: MAIL.into(),
                ..Default::default()
            },
        )
        .await
        .expect("mail address");
    let task = t
        .app
        .add_assigned_item(
            sys,
            t.org,
            MONTH,
            unit,
            &TaskInput {
                title: TITLE.into(),
                content: "按周调度".into(),
                criterion: "完成签约并交地".into(),
                deadline: "2026-11-20".into(),
                owner_id: Some(staff.actor.person_id.0),
                ..Default::default()
            },
        )
        .await
        .expect("task");
    t.app
        .arrange_month(sys, t.org, MONTH)
        .await
        .expect("arrange");
    Setup {
        app: t.app.clone(),
        task,
        smtp: SmtpServer::start().await,
    }
}

async fn flow(b: Browser, s: Setup) {
    // --- 1. The administrator sets up mail ------------------------------------------------
    b.login(ADMIN, TEST_PASSWORD).await;
    b.goto("/admin/notifications").await;
    b.wait("#channel-email").await;
    b.fill("#email-host", "127.0.0.1").await;
    b.fill("#email-port", "0").await;
    b.select("#email-security", "none").await;
    b.fill("#email-sender", "notice@gov.example").await;
    b.click_to("#channel-email button.primary", "#channel-email .has-error")
        .await;
    assert!(
        b.text("#channel-email").await.contains("端口应为"),
        "the port is named"
    );
    let host = b
        .find("#email-host")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert_eq!(host, "127.0.0.1", "the typed host is kept");
    b.fill("#email-port", &s.smtp.port.to_string()).await;
    b.click_to(
        "#channel-email button.primary",
        "#channel-email .badge.green",
    )
    .await;
    b.screenshot("notify-channels.png").await;
    b.logout().await;

    // --- 2. The supervisor urges the task, at phone width ---------------------------------
    b.login(SUPERVISOR, TEST_PASSWORD).await;
    b.viewport(390, 844).await;
    b.goto(&format!("/tasks/{}", s.task)).await;
    b.fill("#urge-message", WORDS).await;
    b.click_to("#urge-form button", "#urge-log").await;
    assert!(
        b.text("#urge-log").await.contains(WORDS),
        "the urging is logged"
    );
    b.screenshot("notify-urged.png").await;
    b.logout().await;

    // The delivery worker sends it by mail.
    let report = s.app.deliver_due("browser-test").await.expect("deliver");
    assert_eq!(report.sent, 1, "{report:?}");
    let mails = s.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec![MAIL.to_owned()]);
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some(format!("【预安销号】催办：{TITLE}").as_str())
    );

    // --- 3. The owner finds it in the header, the inbox, and the task ----------------------
    b.login(STAFF, TEST_PASSWORD).await;
    for path in ["/", "/key-points"] {
        b.goto(path).await;
        assert_eq!(
            b.text("header .inbox-link .badge").await.trim(),
            "1",
            "the unread count on {path}"
        );
    }
    b.click_to("header .inbox-link", "#inbox").await;
    let item = b.text("#inbox li[data-event='task_urged']").await;
    assert!(item.contains("紧急") && item.contains(WORDS), "{item}");
    b.screenshot("notify-inbox.png").await;
    b.click_to(
        "#inbox li[data-event='task_urged'] .inbox-subject",
        "#urges",
    )
    .await;
    assert_eq!(b.path().await, format!("/tasks/{}", s.task));
    assert!(
        b.absent("header .inbox-link .badge").await,
        "read: the count is gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_urging_reaches_the_owners_inbox_and_mailbox() {
    common::browser::run(
        Run {
            name: "browser notifications test",
            failure: "notify-failure",
            profile: "xiaohao-e2e-notify-chromium",
        },
        setup,
        flow,
    )
    .await;
}
