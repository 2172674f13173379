//! Notifications through HTTP, in-process: the unread count in every page's header, the inbox
//! with mark-as-read, preferences, urging from the task page, the administrator's channels
//! (bad input named by field, secrets never shown back) and deliveries, and the same through
//! the API. Every test runs on SQLite and, when enabled, PostgreSQL.

mod common;

use app::Caller;
use axum::http::StatusCode;
use common::http::{Web, web_test};
use domain::Role;
use domain::plan::TaskInput;

const MONTH: &str = "2026-11";

/// Unit A with a staff member who owns its one arranged task and a head; a supervisor, an
/// administrator and another unit's head.
async fn setup(w: &Web) -> i64 {
    let t = &w.t;
    let unit_a = t.unit("征拆办", None).await;
    let unit_b = t.unit("财政局", None).await;
    let staff_a = t
        .person("staff_a", Some(unit_a), &[(Role::Staff, Some(unit_a))])
        .await;
    t.person("head_a", Some(unit_a), &[(Role::UnitHead, Some(unit_a))])
        .await;
    t.person("head_b", Some(unit_b), &[(Role::UnitHead, Some(unit_b))])
        .await;
    t.person("supervisor", None, &[(Role::Supervisor, None)])
        .await;
    t.person("admin", None, &[(Role::Admin, None)]).await;
    let task = t
        .app
        .add_assigned_item(
            Caller::System,
            t.org,
            MONTH,
            unit_a,
            &TaskInput {
                title: "万达广场周边地块征收".into(),
                content: "按周调度".into(),
                criterion: "完成签约并交地".into(),
                deadline: "2026-11-20".into(),
                owner_id: Some(staff_a.actor.person_id.0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    t.app
        .arrange_month(Caller::System, t.org, MONTH)
        .await
        .unwrap();
    task
}

web_test!(
    urging_from_the_task_page_reaches_the_inbox_and_the_header,
    |w| {
        let task = setup(&w).await;
        let sup = w.login("supervisor").await;
        let page = w.get(&format!("/tasks/{task}"), &sup).await;
        assert!(
            page.body.contains("id=\"urge-form\""),
            "a supervisor may urge"
        );
        let staff = w.login("staff_a").await;
        let mine = w.get(&format!("/tasks/{task}"), &staff).await;
        assert!(!mine.body.contains("id=\"urge-form\""), "the owner may not");
        // Too long: the form again, the words kept, the field named.
        let long = "快".repeat(501);
        let r = w
            .post_form(&format!("/tasks/{task}/urge"), &sup, &[("message", &long)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("过长"), "{}", r.body);
        let r = w
            .post_form(
                &format!("/tasks/{task}/urge"),
                &sup,
                &[("message", "请本周内完成签约")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location.starts_with(&format!("/tasks/{task}")));
        let back = w.get(&r.location, &sup).await;
        assert!(
            back.body.contains("请本周内完成签约"),
            "the urging is logged on the task"
        );
        // Someone else's head may not urge.
        let head_b = w.login("head_b").await;
        let r = w
            .post_form(&format!("/tasks/{task}/urge"), &head_b, &[("message", "")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The owner's header counts it on every page.
        let home = w.get("/key-points", &staff).await;
        assert!(
            home.body
                .contains("<span class=\"badge\" aria-label=\"未读消息\">1</span>"),
            "{}",
            home.body
        );
        let inbox = w.get("/inbox", &staff).await;
        assert_eq!(inbox.status, StatusCode::OK);
        assert!(inbox.body.contains("data-event=\"task_urged\""));
        assert!(inbox.body.contains("请本周内完成签约"));
        let id: String = inbox
            .body
            .split("data-notification=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        // Another person cannot open it.
        let r = w
            .post_form(&format!("/inbox/{id}/open"), &head_b, &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Opening it marks it read and follows its link.
        let r = w.post_form(&format!("/inbox/{id}/open"), &staff, &[]).await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, format!("/tasks/{task}").as_str())
        );
        let home = w.get("/key-points", &staff).await;
        assert!(!home.body.contains("aria-label=\"未读消息\""));
        let unread = w.get("/inbox?unread=1", &staff).await;
        assert!(unread.body.contains("id=\"inbox-empty\""));
        let r = w.post_form("/inbox/abc/read", &staff, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

web_test!(preferences_keep_urgent_notices_in_the_inbox, |w| {
    setup(&w).await;
    let staff = w.login("staff_a").await;
    let page = w.get("/inbox/preferences", &staff).await;
    assert_eq!(page.status, StatusCode::OK);
    // The urgent inbox choice is fixed and checked.
    assert!(
        page.body
            .contains("value=\"task_urged:inbox\" aria-label=\"催办 · 站内消息\" checked disabled")
    );
    let r = w
        .post_form(
            "/inbox/preferences",
            &staff,
            &[
                ("pref", "bulletin_published:inbox"),
                ("pref", "task_urged:email"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = w.get(&r.location, &staff).await;
    assert!(page.body.contains("提醒设置已保存"));
    assert!(page.body.contains(
        "value=\"bulletin_published:inbox\" aria-label=\"通报发布 · 站内消息\" checked>"
    ));
    assert!(
        page.body
            .contains("value=\"deadline_approaching:inbox\" aria-label=\"即将到期 · 站内消息\">")
    );
    let bad = w
        .post_form("/inbox/preferences", &staff, &[("pref", "nope:inbox")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The same through the API.
    let tok = w.token("staff_a").await;
    let r = w
        .api(
            "PUT",
            "/api/v1/me/notification-preferences",
            &tok,
            Some(r#"{"enabled":[{"event":"task_overdue","channel":"inbox"}]}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    let find = |e: &str, c: &str| {
        j["choices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["event"] == e && x["channel"] == c)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("task_overdue", "inbox")["enabled"], true);
    assert_eq!(find("bulletin_published", "inbox")["enabled"], false);
    assert_eq!(find("warning_issued", "inbox")["changeable"], false);
    assert_eq!(find("accountability_proposed", "wecom")["enabled"], false);
    let r = w
        .api(
            "PUT",
            "/api/v1/me/notification-preferences",
            &tok,
            Some(r#"{"enabled":[{"event":"x","channel":"inbox"}]}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("preferences"), "{}", r.body);
});

web_test!(the_inbox_through_the_api, |w| {
    let task = setup(&w).await;
    let sup = w.token("supervisor").await;
    let r = w
        .api(
            "POST",
            &format!("/api/v1/tasks/{task}/urge"),
            &sup,
            Some(r#"{"message":"加快进度"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = w
        .api(
            "POST",
            &format!("/api/v1/tasks/{task}/urge"),
            &sup,
            Some(r#"{"words":"x"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let urges = w
        .api("GET", &format!("/api/v1/tasks/{task}/urges"), &sup, None)
        .await
        .json();
    assert_eq!(urges[0]["message"], "加快进度");

    let tok = w.token("staff_a").await;
    let count = w.api("GET", "/api/v1/inbox/unread-count", &tok, None).await;
    assert_eq!(count.json()["unread"], 1);
    let list = w
        .api("GET", "/api/v1/inbox?unread=true", &tok, None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    let n = &list["items"][0];
    assert_eq!(n["event"], "task_urged");
    assert_eq!(n["urgent"], true);
    assert_eq!(n["link"], format!("/tasks/{task}"));
    let id = n["id"].as_i64().unwrap();
    let other = w.token("head_b").await;
    let r = w
        .api("POST", &format!("/api/v1/inbox/{id}/read"), &other, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .api("POST", &format!("/api/v1/inbox/{id}/read"), &tok, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["read_at"].is_string());
    let count = w.api("GET", "/api/v1/inbox/unread-count", &tok, None).await;
    assert_eq!(count.json()["unread"], 0);
    let head = w.token("head_a").await;
    let r = w.api("POST", "/api/v1/inbox/read-all", &head, None).await;
    assert_eq!(r.json()["marked"], 1);
    // The OpenAPI document describes them.
    let doc = w.api("GET", "/api/openapi.json", &tok, None).await;
    let doc = doc.body;
    for path in [
        "/inbox",
        "/inbox/unread-count",
        "/inbox/{id}/read",
        "/inbox/read-all",
        "/me/notification-preferences",
        "/tasks/{id}/urge",
        "/notification-channels/{channel}",
        "/deliveries",
    ] {
        assert!(
            doc.contains(&format!("\"{path}\"")),
            "{path} in the OpenAPI document"
        );
    }
});

web_test!(
    administrators_configure_channels_without_seeing_secrets,
    |w| {
        setup(&w).await;
        let admin = w.login("admin").await;
        let page = w.get("/admin/notifications", &admin).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"deliveries-empty\""));
        assert!(page.body.contains("未配置"));
        // Bad input: named by field, the input kept.
        let r = w
            .post_form(
                "/admin/notifications/channels/email",
                &admin,
                &[
                    ("host", "mail.gov.example"),
                    ("port", "99999"),
                    ("security", "tls"),
                    ("sender", "not-mail"),
                    ("enabled", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("端口应为"), "{}", r.body);
        assert!(r.body.contains("value=\"mail.gov.example\""));
        let r = w
            .post_form(
                "/admin/notifications/channels/dingtalk",
                &admin,
                &[
                    (
                        "url",
                        "https://oapi.example/robot/send?access_token=TOKEN-1",
                    ),
                    ("secret", "SEC-SECRET"),
                    ("enabled", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = w.get("/admin/notifications", &admin).await;
        assert!(page.body.contains("oapi.example"));
        assert!(!page.body.contains("TOKEN-1") && !page.body.contains("SEC-SECRET"));
        // Saving again with the fields empty keeps them.
        let r = w
            .post_form(
                "/admin/notifications/channels/dingtalk",
                &admin,
                &[("url", ""), ("secret", ""), ("enabled", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let tok = w.token("admin").await;
        let ch = w
            .api("GET", "/api/v1/notification-channels", &tok, None)
            .await;
        assert_eq!(ch.status, StatusCode::OK);
        let ding = ch
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "dingtalk")
            .cloned()
            .unwrap();
        assert_eq!(
            (ding["enabled"].clone(), ding["has_secret"].clone()),
            (true.into(), true.into())
        );
        assert!(!ch.body.contains("TOKEN-1"));
        // Settings: bad values named.
        let r = w
            .post_form(
                "/admin/notifications/settings",
                &admin,
                &[("digest_hour", "25"), ("remind_days_before", "3")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("超出允许范围"));
        // Removal.
        let r = w
            .post_form("/admin/notifications/channels/dingtalk/remove", &admin, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = w
            .post_form("/admin/notifications/channels/dingtalk/remove", &admin, &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Nobody else gets in.
        let sup = w.login("supervisor").await;
        assert_eq!(
            w.get("/admin/notifications", &sup).await.status,
            StatusCode::FORBIDDEN
        );
        let stok = w.token("supervisor").await;
        assert_eq!(
            w.api("GET", "/api/v1/deliveries", &stok, None).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.api("GET", "/api/v1/deliveries?status=lost", &tok, None)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
);
