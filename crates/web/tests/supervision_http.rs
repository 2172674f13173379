//! Execution and supervision (督) through HTTP, in-process: progress with evidence from the
//! task page and the API, who may download a file, coordination from raising to resolution,
//! the covert-inspection rule through pages and API, cards and publication, the display
//! board with its live stream, dashboards, the OpenAPI document and bad input. Every test runs
//! on SQLite and, when enabled, on PostgreSQL.

mod common;

use std::time::Duration;

use app::{Caller, Identity};
use axum::http::StatusCode;
use common::http::{Session, Web, web_test};
use domain::Role;
use domain::plan::TaskInput;
use futures_util::StreamExt;

const MONTH: &str = "2026-11";
const PDF: &[u8] = b"%PDF-1.4\n% test evidence\n%%EOF\n";

/// Units A and B with heads and staff, a leader of A, the director, a supervisor, an
/// efficiency officer and an administrator; one arranged key task of unit A owned by its
/// staff member, and one of unit B. The clock stands on 2026-11-02, in November's
/// arrangement.
struct Cast {
    unit_a: i64,
    unit_b: i64,
    task_a: i64,
    task_b: i64,
}

fn id_of(i: &Identity) -> i64 {
    i.actor.person_id.0
}

async fn cast(w: &Web) -> Cast {
    let t = &w.t;
    let unit_a = t.unit("征拆办", None).await;
    let unit_b = t.unit("财政局", None).await;
    let staff_a = t
        .person("staff_a", Some(unit_a), &[(Role::Staff, Some(unit_a))])
        .await;
    t.person("head_a", Some(unit_a), &[(Role::UnitHead, Some(unit_a))])
        .await;
    let staff_b = t
        .person("staff_b", Some(unit_b), &[(Role::Staff, Some(unit_b))])
        .await;
    t.person("head_b", Some(unit_b), &[(Role::UnitHead, Some(unit_b))])
        .await;
    let leader = t
        .person("leader", None, &[(Role::LeaderInCharge, None)])
        .await;
    t.app
        .set_led_units(Caller::System, id_of(&leader), &[unit_a])
        .await
        .unwrap();
    t.person("director", None, &[(Role::Director, None)]).await;
    t.person("supervisor", None, &[(Role::Supervisor, None)])
        .await;
    t.person("efficiency", None, &[(Role::EfficiencyOfficer, None)])
        .await;
    t.person("admin", None, &[(Role::Admin, None)]).await;
    let item = |title: &str, owner: &Identity| TaskInput {
        title: title.into(),
        content: "按周调度".into(),
        criterion: "完成签约并交地".into(),
        deadline: "2026-11-20".into(),
        owner_id: Some(id_of(owner)),
        is_key_work: true,
        ..Default::default()
    };
    let task_a = t
        .app
        .add_assigned_item(
            Caller::System,
            t.org,
            MONTH,
            unit_a,
            &item("万达广场周边地块征收", &staff_a),
        )
        .await
        .unwrap();
    let task_b = t
        .app
        .add_assigned_item(
            Caller::System,
            t.org,
            MONTH,
            unit_b,
            &item("重点项目融资落地", &staff_b),
        )
        .await
        .unwrap();
    t.app
        .arrange_month(Caller::System, t.org, MONTH)
        .await
        .unwrap();
    Cast {
        unit_a,
        unit_b,
        task_a,
        task_b,
    }
}

fn first_id(body: &str, prefix: &str) -> i64 {
    body.split(prefix)
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in the page"))
}

web_test!(progress_with_evidence_through_the_task_page, |w| {
    let c = cast(&w).await;
    let staff = w.login("staff_a").await;
    let path = format!("/tasks/{}/progress", c.task_a);
    // Without the CSRF token the upload is refused before anything is read.
    let anonymous_form = Session {
        csrf: String::new(),
        ..staff.clone()
    };
    let r = w
        .post_multipart(
            &path,
            &anonymous_form,
            &[("percent", "50"), ("narrative", "x")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A wrong percentage and a renamed executable: 422, fields named, nothing stored.
    let r = w
        .post_multipart(
            &path,
            &staff,
            &[("percent", "abc"), ("narrative", "已签约 18 户")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("须为整数"), "{}", r.body);
    let r = w
        .post_multipart(
            &path,
            &staff,
            &[("percent", "60"), ("narrative", "已签约 18 户")],
            &[("files", "报告.pdf", b"MZ\x90\x00binary")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("只接受 PDF"), "{}", r.body);
    assert!(
        r.body.contains("已签约 18 户"),
        "the narrative typed is kept in the form"
    );
    let d = w.t.app.get_task(Caller::System, c.task_a).await.unwrap();
    assert!(d.progress.is_empty(), "a refused report stores nothing");

    // A good report: the task moves on and the page shows the report and its file.
    let r = w
        .post_multipart(
            &path,
            &staff,
            &[("percent", "60"), ("narrative", "已签约 18 户")],
            &[("files", "签约台账.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(&format!("/tasks/{}", c.task_a), &staff).await;
    assert!(page.body.contains("data-status=\"in_progress\""));
    assert!(page.body.contains("id=\"current-progress\">60%"));
    assert!(page.body.contains("签约台账.pdf"));
    // The form starts from the last report.
    assert!(page.body.contains(">已签约 18 户</textarea>"));
    let file = first_id(&page.body, "href=\"/files/");
    let r = w.get(&format!("/files/{file}"), &staff).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/pdf");
    assert_eq!(r.bytes, PDF);
    assert!(r.disposition.contains("filename*=UTF-8''"));
    // The supervisor may read it; staff of another unit may not.
    let supervisor = w.login("supervisor").await;
    assert_eq!(
        w.get(&format!("/files/{file}"), &supervisor).await.status,
        StatusCode::OK
    );
    let other = w.login("staff_b").await;
    assert_eq!(
        w.get(&format!("/files/{file}"), &other).await.status,
        StatusCode::FORBIDDEN
    );
    // Nor may they report on unit A's task.
    let r = w
        .post_multipart(&path, &other, &[("percent", "90"), ("narrative", "x")], &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

web_test!(progress_through_the_api_with_base64_files, |w| {
    let c = cast(&w).await;
    let api = w.token("staff_a").await;
    let path = format!("/api/v1/tasks/{}/progress", c.task_a);
    let r = w
        .api(
            "POST",
            &path,
            &api,
            Some(r#"{"percent": 40, "narrative": "签约 12 户", "files": [{"name": "a.pdf", "content_base64": "%%%"}]}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "files[0].content_base64"
    );
    let r = w
        .api(
            "POST",
            &path,
            &api,
            Some(r#"{"percent": 140, "narrative": ""}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, vec!["percent", "narrative"]);
    let encoded = base64_of(PDF);
    let body = format!(
        r#"{{"percent": 40, "narrative": "签约 12 户", "files": [{{"name": "台账.pdf", "content_base64": "{encoded}"}}]}}"#
    );
    let r = w.api("POST", &path, &api, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let report = r.json();
    assert_eq!(report["percent"], 40);
    let href = report["files"][0]["href"].as_str().unwrap().to_owned();
    let r = w.get(&href, &api).await;
    assert_eq!((r.status, r.bytes.as_slice()), (StatusCode::OK, PDF));
    let detail = w
        .api("GET", &format!("/api/v1/tasks/{}", c.task_a), &api, None)
        .await
        .json();
    assert_eq!(detail["progress"], 40);
    assert_eq!(detail["status"], "in_progress");
    assert_eq!(detail["progress_reports"][0]["narrative"], "签约 12 户");
    assert!(
        detail["card"]["color"].is_string(),
        "the task's card comes with it"
    );
    let other = w.token("staff_b").await;
    assert_eq!(w.get(&href, &other).await.status, StatusCode::FORBIDDEN);
    // Evidence larger than the rest of the API's 1 MiB bodies passes on these two routes.
    let mut big = PDF.to_vec();
    big.resize(3 << 20, b' ');
    let body = format!(
        r#"{{"percent": 50, "narrative": "扫描件", "files": [{{"name": "扫描件.pdf", "content_base64": "{}"}}]}}"#,
        base64_of(&big)
    );
    let r = w.api("POST", &path, &api, Some(&body)).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        &r.body[..r.body.len().min(300)]
    );
    assert_eq!(r.json()["files"][0]["size"], 3 << 20);
    // … while an ordinary endpoint still refuses a body that large.
    let r = w
        .api(
            "POST",
            &format!("/api/v1/tasks/{}/coordination", c.task_a),
            &api,
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
});

fn base64_of(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

web_test!(coordination_from_raising_to_resolution, |w| {
    let c = cast(&w).await;
    let head = w.login("head_a").await;
    let r = w
        .post_form(
            &format!("/tasks/{}/coordination", c.task_a),
            &head,
            &[
                ("title", "红线内管线迁改"),
                ("description", "需财政局先行拨付迁改费用"),
                ("involved_unit_ids", &c.unit_b.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location
        .strip_prefix("/coordination/")
        .and_then(|x| x.split('?').next())
        .and_then(|x| x.parse().ok())
        .unwrap();
    // Everyone sees it; another unit proposes a solution.
    let other = w.login("staff_b").await;
    let list = w.get("/coordination", &other).await;
    assert!(list.body.contains("红线内管线迁改"));
    let r = w
        .post_form(
            &format!("/coordination/{id}/solutions"),
            &other,
            &[("solution", "本周内拨付首期资金")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Only the office meeting decides; a past deadline is refused and named.
    let r = w
        .post_form(
            &format!("/coordination/{id}/decision"),
            &other,
            &[
                ("decision", "x"),
                ("owner_unit_id", &c.unit_b.to_string()),
                ("deadline", "2026-11-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let director = w.login("director").await;
    let r = w
        .post_form(
            &format!("/coordination/{id}/decision"),
            &director,
            &[
                ("decision", "由财政局牵头拨付"),
                ("owner_unit_id", &c.unit_b.to_string()),
                ("deadline", "2026-10-30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("日期不能早于今天"));
    assert!(r.body.contains("由财政局牵头拨付"), "the input is kept");
    let r = w
        .post_form(
            &format!("/coordination/{id}/decision"),
            &director,
            &[
                ("decision", "由财政局牵头拨付"),
                ("owner_unit_id", &c.unit_b.to_string()),
                ("deadline", "2026-11-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The owner unit's head resolves it; afterwards no more solutions.
    let head_b = w.login("head_b").await;
    let r = w
        .post_form(
            &format!("/coordination/{id}/resolve"),
            &head_b,
            &[("resolution", "资金已拨付，管线迁改完成")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(&format!("/coordination/{id}"), &head).await;
    assert!(page.body.contains("data-status=\"resolved\""));
    assert!(!page.body.contains("id=\"solution-form\""));
    let api = w.token("staff_b").await;
    let r = w
        .api(
            "POST",
            &format!("/api/v1/coordination/{id}/solutions"),
            &api,
            Some(r#"{"solution": "again"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["code"], "already_resolved");
});

web_test!(covert_inspections_stay_hidden_until_published, |w| {
    let c = cast(&w).await;
    let team = w.token("efficiency").await;
    let body = format!(
        r#"{{"kind": "random", "mode": "covert", "title": "工地暗访", "planned_on": "2026-11-02", "inspected_unit_ids": [{}]}}"#,
        c.unit_a
    );
    let r = w
        .api("POST", "/api/v1/inspections", &team, Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inspection = r.json()["id"].as_i64().unwrap();
    let finding = format!(
        r#"{{"unit_id": {}, "task_id": {}, "severity": "serious", "description": "现场无人施工"}}"#,
        c.unit_a, c.task_a
    );
    let r = w
        .api(
            "POST",
            &format!("/api/v1/inspections/{inspection}/findings"),
            &team,
            Some(&finding),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // The inspected unit sees nothing: not the inspection, not the finding, not on its card.
    let head = w.login("head_a").await;
    let head_api = w.token("head_a").await;
    assert_eq!(
        w.get(&format!("/inspections/{inspection}"), &head)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.api(
            "GET",
            &format!("/api/v1/inspections/{inspection}"),
            &head_api,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert!(!w.get("/inspections", &head).await.body.contains("工地暗访"));
    let task_page = w.get(&format!("/tasks/{}", c.task_a), &head).await;
    assert!(!task_page.body.contains("现场无人施工"));
    let detail = w
        .api(
            "GET",
            &format!("/api/v1/tasks/{}", c.task_a),
            &head_api,
            None,
        )
        .await
        .json();
    assert_eq!(detail["findings"].as_array().unwrap().len(), 0);
    assert_ne!(detail["card"]["reasons"][0]["rule"], "inspection_finding");
    let findings = w
        .api("GET", "/api/v1/findings", &head_api, None)
        .await
        .json();
    assert_eq!(findings["total"], 0);
    // The director and the team see it.
    let director = w.login("director").await;
    let page = w
        .get(&format!("/inspections/{inspection}"), &director)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("现场无人施工") && page.body.contains("id=\"hidden-notice\""));
    // A director may not record findings.
    let dir_api = w.token("director").await;
    assert_eq!(
        w.api(
            "POST",
            &format!("/api/v1/inspections/{inspection}/findings"),
            &dir_api,
            Some(&finding)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // Published: the unit sees it, and its card turns red for the open finding.
    let r = w
        .api(
            "POST",
            &format!("/api/v1/inspections/{inspection}/publish"),
            &team,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = w.get(&format!("/inspections/{inspection}"), &head).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("现场无人施工"));
    let detail = w
        .api(
            "GET",
            &format!("/api/v1/tasks/{}", c.task_a),
            &head_api,
            None,
        )
        .await
        .json();
    assert_eq!(detail["card"]["color"], "red");
    assert_eq!(detail["card"]["reasons"][0]["rule"], "inspection_finding");
    // Another unit still sees none of it.
    let other = w.login("staff_b").await;
    assert_eq!(
        w.get(&format!("/inspections/{inspection}"), &other)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let _ = c.task_b;
});

web_test!(
    cards_are_judged_and_published_and_the_board_shows_them_live,
    |w| {
        let c = cast(&w).await;
        let supervisor = w.login("supervisor").await;
        let page = w.get(&format!("/months/{MONTH}/cards"), &supervisor).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"supervisor-tools\"") && page.body.contains("<svg"));
        let card = first_id(&page.body, "data-card=\"");
        // An override needs a reason; a colour must exist.
        let r = w
            .post_form(
                &format!("/cards/{card}/judge"),
                &supervisor,
                &[("color", "red"), ("reason", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = w
            .post_form(
                &format!("/cards/{card}/judge"),
                &supervisor,
                &[("color", "purple"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Staff cannot judge or publish.
        let staff = w.login("staff_a").await;
        assert_eq!(
            w.post_form(&format!("/cards/{card}/judge"), &staff, &[("color", "red")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.post_form(&format!("/months/{MONTH}/publish"), &staff, &[])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Publishing waits for every key card to be judged.
        let r = w
            .post_form(&format!("/months/{MONTH}/publish"), &supervisor, &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("data-codes=\"unjudged_cards\""));

        // A display screen, issued by an administrator, opened without signing in.
        let admin = w.login("admin").await;
        let r = w
            .post_form("/displays", &admin, &[("name", "大厅电子屏")])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let token = r
            .body
            .split("/board/")
            .nth(1)
            .and_then(|x| x.split('"').next())
            .unwrap()
            .to_owned();
        let anon = Session::default();
        let board = w.get(&format!("/board/{token}"), &anon).await;
        assert_eq!(board.status, StatusCode::OK);
        assert!(board.body.contains("本月尚未公示"));
        assert_eq!(
            w.get(&format!("/board/{}", "0".repeat(48)), &anon)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // The live stream is open before the publication …
        let res = w.open(&format!("/board/{token}/events"), &anon).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .starts_with("text/event-stream")
        );
        let mut stream = res.into_body().into_data_stream();

        // … the supervisor overrides one card to red and publishes …
        let r = w
            .post_form(
                &format!("/cards/{card}/judge"),
                &supervisor,
                &[("color", "red"), ("reason", "明察发现进度不实")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = w
            .post_form(
                &format!("/months/{MONTH}/cards/confirm-all"),
                &supervisor,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = w
            .post_form(
                &format!("/months/{MONTH}/publish"),
                &supervisor,
                &[("note", "十一月公示")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location.starts_with("/publications/"));

        // … and the stream says so within two seconds.
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while !seen.contains("data: publication") {
            let chunk = tokio::time::timeout_at(deadline, stream.next())
                .await
                .expect("a change event within 2 s")
                .expect("the stream stays open")
                .expect("a chunk");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("event: change"));
        // The board now shows the red card, and no person's name.
        let panels = w.get(&format!("/board/{token}/panels"), &anon).await;
        assert!(panels.body.contains("data-red-title=\""));
        assert!(panels.body.contains("督查室认定"));
        assert!(
            !panels.body.contains("明察发现进度不实"),
            "a supervisor's words are not on the public board"
        );
        for name in ["测试staff_a", "测试staff_b", "测试leader", "测试supervisor"] {
            assert!(!panels.body.contains(name), "{name} on the board");
        }
        let json = w
            .api("GET", &format!("/api/v1/board/{token}"), &anon, None)
            .await;
        assert_eq!(json.status, StatusCode::OK);
        assert_eq!(json.json()["totals"]["red"], 1);
        // The warning went to the owner and the leader in charge (人次).
        let warnings = w
            .api(
                "GET",
                "/api/v1/warnings?year=2026",
                &w.token("supervisor").await,
                None,
            )
            .await
            .json();
        assert!(warnings["total"].as_u64().unwrap() >= 1, "{warnings}");

        // A revoked token: its open stream ends at the next notice, and it opens nothing more.
        let res = w.open(&format!("/board/{token}/events"), &anon).await;
        let mut second = res.into_body().into_data_stream();
        let admin_api = w.token("admin").await;
        let tokens = w
            .api("GET", "/api/v1/display-tokens", &admin_api, None)
            .await
            .json();
        let token_id = tokens[0]["id"].as_i64().unwrap();
        let r = w
            .api(
                "POST",
                &format!("/api/v1/display-tokens/{token_id}/revoke"),
                &admin_api,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // A change to a card of the month: a notice for the organization.
        let r = w
            .post_form(
                &format!("/cards/{card}/concern"),
                &supervisor,
                &[("concern", "1"), ("note", "再次关注")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let ended = tokio::time::timeout(Duration::from_secs(2), async {
            while let Some(Ok(_)) = second.next().await {}
        })
        .await;
        assert!(ended.is_ok(), "the stream of a revoked token ends");
        assert_eq!(
            w.get(&format!("/board/{token}/panels"), &anon).await.status,
            StatusCode::NOT_FOUND
        );
        let _ = (c.unit_a, c.unit_b, c.task_b);
    }
);

web_test!(dashboards_follow_the_callers_scope, |w| {
    let c = cast(&w).await;
    for (who, scope) in [
        ("supervisor", "all"),
        ("leader", "units"),
        ("head_a", "unit"),
    ] {
        let s = w.login(who).await;
        let page = w.get("/dashboard", &s).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        assert!(page.body.contains("<svg"), "{who}: charts on the page");
        let api = w.token(who).await;
        let d = w.api("GET", "/api/v1/dashboard", &api, None).await.json();
        assert_eq!(d["scope"], scope, "{who}");
        let total = d["totals"]["green"].as_i64().unwrap()
            + d["totals"]["yellow"].as_i64().unwrap()
            + d["totals"]["red"].as_i64().unwrap();
        let expected = if who == "supervisor" { 2 } else { 1 };
        assert_eq!(total, expected, "{who} counts the cards in scope");
    }
    let _ = c;
});

web_test!(the_api_refuses_what_a_role_may_not_do, |w| {
    let c = cast(&w).await;
    let staff = w.token("staff_a").await;
    let good = format!(
        r#"{{"kind": "scheduled", "mode": "open", "title": "x", "planned_on": "2026-11-05", "inspected_unit_ids": [{}]}}"#,
        c.unit_a
    );
    assert_eq!(
        w.api("POST", "/api/v1/inspections", &staff, Some(&good))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let body = r#"{"kind": "scheduled", "mode": "open", "title": "x", "planned_on": "2026-11-05", "inspected_unit_ids": []}"#;
    let supervisor = w.token("supervisor").await;
    let r = w
        .api("POST", "/api/v1/inspections", &supervisor, Some(body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "inspected_unit_ids"
    );
    let rules = r#"{"lag_yellow_points": 10, "lag_red_points": 30, "near_deadline_days": 3, "near_deadline_progress": 50, "stale_days": 7}"#;
    assert_eq!(
        w.api("PUT", "/api/v1/card-rules", &staff, Some(rules))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = w
        .api("PUT", "/api/v1/card-rules", &supervisor, Some(rules))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["stale_days"], 7);
    let bad = r#"{"lag_yellow_points": 50, "lag_red_points": 30, "near_deadline_days": 3, "near_deadline_progress": 50, "stale_days": 0}"#;
    let r = w
        .api("PUT", "/api/v1/card-rules", &supervisor, Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(fields, vec!["lag_red_points", "stale_days"]);
    // A key project needs managers; its dates are checked.
    let valid = format!(
        r#"{{"name": "万达广场", "unit_id": {}, "start_on": "2026-03-01", "end_on": "2027-12-31"}}"#,
        c.unit_a
    );
    assert_eq!(
        w.api("POST", "/api/v1/projects", &supervisor, Some(&valid))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let project =
        r#"{"name": "万达广场", "unit_id": 1, "start_on": "2026-03-01", "end_on": "2026-01-01"}"#;
    let director = w.token("director").await;
    let r = w
        .api("POST", "/api/v1/projects", &director, Some(project))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "end_on");
    let r = w
        .api("POST", "/api/v1/projects", &director, Some(&valid))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["unit_id"], c.unit_a);
    // Display tokens: administrators and supervisors only.
    assert_eq!(
        w.api(
            "POST",
            "/api/v1/display-tokens",
            &staff,
            Some(r#"{"name": "x"}"#)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
});

web_test!(the_openapi_document_describes_supervision, |w| {
    let doc = w.get("/api/openapi.json", &Session::default()).await.json();
    for path in [
        "/tasks/{id}/progress",
        "/files/{id}",
        "/coordination",
        "/coordination/{id}/decision",
        "/inspections",
        "/inspections/{id}/findings",
        "/follow-ups",
        "/projects",
        "/projects/{id}/milestones",
        "/months/{month}/cards",
        "/cards/{id}/judgement",
        "/months/{month}/publications",
        "/publications/{id}",
        "/warnings",
        "/card-rules",
        "/display-tokens",
        "/board/{token}",
        "/dashboard",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["Card"].is_object());
});

/// Every rule a card can carry, every status and kind a page labels, has its text.
#[test]
fn every_supervision_label_is_translated() {
    let src = include_str!("../../domain/src/cards.rs");
    let mut rules = Vec::new();
    for part in src.split("reason(").skip(1) {
        let lit = part
            .trim_start()
            .strip_prefix('"')
            .and_then(|r| r.split('"').next());
        if let Some(rule) =
            lit.filter(|r| *r != "reason" && r.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        {
            rules.push(rule.to_owned());
        }
    }
    assert!(rules.len() >= 10, "the scan finds the rules: {rules:?}");
    let mut keys: Vec<String> = rules.iter().map(|r| format!("rule.{r}")).collect();
    for (prefix, codes) in [
        ("color", &["green", "yellow", "red"][..]),
        ("coord.status", &["open", "decided", "resolved"][..]),
        ("mode", &["open", "covert"][..]),
        ("ikind", &["scheduled", "random"][..]),
        ("istatus", &["planned", "done"][..]),
        ("fstatus", &["open", "closed"][..]),
        (
            "fustatus",
            &domain::supervision::FollowUpStatus::ALL.map(|s| s.as_str())[..],
        ),
        ("severity", &domain::supervision::SEVERITIES[..]),
        ("pstatus", &domain::supervision::PROJECT_STATUSES[..]),
        ("dash.scope", &["all", "units", "unit"][..]),
        ("warning.role", &["owner", "leader"][..]),
        ("status", &["in_progress"][..]),
    ] {
        keys.extend(codes.iter().map(|c| format!("{prefix}.{c}")));
    }
    for k in keys {
        assert!(web::i18n::has_key(&k), "{k}");
    }
}

web_test!(
    a_follow_up_goes_from_issued_to_answered_to_verified_through_pages_and_api,
    |w| {
        let c = cast(&w).await;
        let team = w.token("supervisor").await;
        let body = format!(
            r#"{{"kind": "scheduled", "mode": "open", "title": "征拆现场督查", "planned_on": "2026-11-02", "inspected_unit_ids": [{}]}}"#,
            c.unit_a
        );
        let r = w
            .api("POST", "/api/v1/inspections", &team, Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let inspection = r.json()["id"].as_i64().unwrap();
        let finding = format!(
            r#"{{"unit_id": {}, "task_id": {}, "severity": "general", "description": "台账不全"}}"#,
            c.unit_a, c.task_a
        );
        let r = w
            .api(
                "POST",
                &format!("/api/v1/inspections/{inspection}/findings"),
                &team,
                Some(&finding),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let finding = r.json()["finding_list"][0]["id"]
            .as_i64()
            .expect("the finding");
        let r = w
            .api(
                "POST",
                &format!("/api/v1/findings/{finding}/follow-ups"),
                &team,
                Some(r#"{"required_action": "补齐征拆台账", "due_on": "2026-11-09"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let list = w.api("GET", "/api/v1/follow-ups", &team, None).await.json();
        let fu = list["items"][0]["id"].as_i64().unwrap();
        assert_eq!(list["items"][0]["status"], "open");

        // The unit answers on the page, with its evidence.
        let head = w.login("head_a").await;
        let inspection_id = inspection.to_string();
        let r = w
            .post_multipart(
                &format!("/follow-ups/{fu}/respond"),
                &head,
                &[
                    ("inspection_id", &inspection_id),
                    ("response", "已补齐台账并归档"),
                ],
                &[("files", "台账.pdf", PDF)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = w.get(&r.location, &head).await;
        assert!(
            page.body
                .contains(&format!("data-follow-up=\"{fu}\" data-status=\"answered\"")),
            "{}",
            page.body
        );
        assert!(page.body.contains("待核验") && page.body.contains("台账.pdf"));
        assert!(!page.body.contains("data-respond"), "no second answer");

        // Closing the finding now is refused, with the reason on the page.
        let sup = w.login("supervisor").await;
        let r = w
            .post_form(
                &format!("/findings/{finding}/close"),
                &sup,
                &[("inspection_id", &inspection_id), ("note", "已整改")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("该问题还有未办结的督办"), "{}", r.body);

        // 核验 on the page: sent back with a note the unit reads.
        let r = w
            .post_form(
                &format!("/follow-ups/{fu}/verify"),
                &sup,
                &[
                    ("inspection_id", &inspection_id),
                    ("verdict", "return"),
                    ("note", "缺少签字页"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = w.get(&format!("/inspections/{inspection}"), &head).await;
        assert!(page.body.contains("退回整改") && page.body.contains("缺少签字页"));
        assert!(page.body.contains("data-respond"), "the unit answers again");

        // Answered again through the API, accepted through the API: 办结, then the finding closes.
        let api = w.token("head_a").await;
        let r = w
        .api(
            "POST",
            &format!("/api/v1/follow-ups/{fu}/respond"),
            &api,
            Some(r#"{"response": "补充签字页", "files": [{"name": "签字页.pdf", "content_base64": "JVBERi0xLjQKJSB0ZXN0IGV2aWRlbmNlCiUlRU9GCg=="}]}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "answered");
        let r = w
            .api(
                "POST",
                &format!("/api/v1/follow-ups/{fu}/verify"),
                &api,
                Some(r#"{"accept": true}"#),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "the unit does not verify itself"
        );
        let r = w
            .api(
                "POST",
                &format!("/api/v1/follow-ups/{fu}/verify"),
                &team,
                Some(r#"{"accept": true}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "closed");
        let r = w
            .api(
                "POST",
                &format!("/api/v1/findings/{finding}/close"),
                &team,
                Some(r#"{"note": "台账齐全"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
);
