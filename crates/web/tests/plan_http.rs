//! The monthly plan through HTTP, in-process: proposals from the unit page, the leader's
//! review, the office meeting's decisions and arrangement through the API, plan tables as a
//! page, a print layout and XLSX, imports with per-row errors, the proposal window, and bad API
//! input. Every test runs on SQLite and, when enabled, on PostgreSQL.

mod common;

use app::{Caller, Identity};
use axum::http::StatusCode;
use common::http::{Session, Web, web_test};
use domain::Role;
use domain::plan::KeyPointInput;
use domain::plan_table::{PlanTable, PlanTableRow};

/// Unit A (with its staff, head and leader in charge), unit B with its staff, a director, and
/// one key point of 2026. The clock stands on 2026-11-21, when December takes proposals.
struct Cast {
    unit_a: i64,
    unit_b: i64,
    key_point: i64,
    staff_a: i64,
    head_a: i64,
}

fn id_of(i: &Identity) -> i64 {
    i.actor.person_id.0
}

async fn cast(w: &Web) -> Cast {
    let t = &w.t;
    let unit_a = t.unit("经济发展局", None).await;
    let unit_b = t.unit("财政局", None).await;
    let staff_a = t
        .person("staff_a", Some(unit_a), &[(Role::Staff, Some(unit_a))])
        .await;
    let head_a = t
        .person("head_a", Some(unit_a), &[(Role::UnitHead, Some(unit_a))])
        .await;
    t.person("staff_b", Some(unit_b), &[(Role::Staff, Some(unit_b))])
        .await;
    t.person("director", None, &[(Role::Director, None)]).await;
    let leader = t
        .person("leader", None, &[(Role::LeaderInCharge, None)])
        .await;
    t.app
        .set_led_units(Caller::System, id_of(&leader), &[unit_a])
        .await
        .unwrap();
    let key_point = t
        .app
        .create_key_point(
            Caller::System,
            t.org,
            &KeyPointInput {
                year: 2026,
                kind: "key_point".into(),
                title: "优化营商环境".into(),
                description: String::new(),
                sort_order: 0,
            },
        )
        .await
        .unwrap();
    // From 2026-11-02 to 2026-11-21: December's proposals opened on the 20th.
    t.clock.advance(chrono::Duration::days(19));
    Cast {
        unit_a,
        unit_b,
        key_point,
        staff_a: id_of(&staff_a),
        head_a: id_of(&head_a),
    }
}

const MONTH: &str = "2026-12";

/// The proposal form's fields.
fn proposal(c: &Cast, title: &'static str, deadline: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_owned()),
        ("content", "按计划推进".to_owned()),
        ("criterion", "完成并验收".to_owned()),
        ("deadline", deadline.to_owned()),
        ("key_point_id", c.key_point.to_string()),
        ("owner_id", c.staff_a.to_string()),
        ("post_id", String::new()),
        ("leader_id", String::new()),
        ("is_key_work", "1".to_owned()),
    ]
}

fn fields<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn task_id(location: &str) -> i64 {
    location
        .strip_prefix("/tasks/")
        .and_then(|r| r.split('?').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a task location: {location}"))
}

async fn propose(w: &Web, s: &Session, c: &Cast, title: &'static str) -> i64 {
    let r = w
        .post_form(
            &format!("/months/{MONTH}/units/{}/tasks", c.unit_a),
            s,
            &fields(&proposal(c, title, "2026-12-20")),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "propose {title}: {}",
        r.body
    );
    task_id(&r.location)
}

web_test!(a_month_from_proposal_to_plan_table, |w| {
    let c = cast(&w).await;
    let staff = w.login("staff_a").await;
    // /months opens the month being planned: proposals for December opened on 20 November.
    let r = w.get("/months", &staff).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/months/2026-12")
    );
    let r = w.get("/months/2026-12", &staff).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("data-phase=\"proposing\"") && r.body.contains("预安提报"));
    assert!(
        r.body.contains("href=\"/months\""),
        "navigation offers 月度预安"
    );
    // Only units the staff member may open are links.
    assert!(
        r.body
            .contains(&format!("href=\"/months/2026-12/units/{}\"", c.unit_a))
    );
    assert!(
        !r.body
            .contains(&format!("href=\"/months/2026-12/units/{}\"", c.unit_b))
    );
    let unit_page = format!("/months/{MONTH}/units/{}", c.unit_a);
    let r = w.get(&unit_page, &staff).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"propose-form\"") && r.body.contains("优化营商环境"));

    // Staff propose two tasks and submit them.
    let road = propose(&w, &staff, &c, "园区道路改造").await;
    let deal = propose(&w, &staff, &c, "招商项目签约").await;
    let page = w.get(&format!("/tasks/{road}"), &staff).await;
    assert!(page.body.contains("data-status=\"draft\"") && page.body.contains("测试leader"));
    for id in [road, deal] {
        let r = w
            .post_form(&format!("/tasks/{id}/submit"), &staff, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "submit {id}: {}", r.body);
    }

    // The unit's leader approves one and returns the other with a reason.
    let leader = w.login("leader").await;
    let r = w
        .post_form(
            &format!("/tasks/{deal}/review"),
            &leader,
            &[("decision", "return"), ("reason", " ")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs a reason"
    );
    assert!(r.body.contains("必填"));
    let r = w
        .post_form(
            &format!("/tasks/{road}/review"),
            &leader,
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = w
        .post_form(
            &format!("/tasks/{deal}/review"),
            &leader,
            &[("decision", "return"), ("reason", "完成标准不够具体")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(&format!("/tasks/{deal}"), &staff).await;
    assert!(
        page.body.contains("data-status=\"returned\"") && page.body.contains("完成标准不够具体")
    );
    assert!(
        page.body.contains("data-event=\"leader_return\""),
        "history shows the return"
    );

    // Staff of another unit may neither propose for unit A nor read its tasks.
    let other = w.login("staff_b").await;
    let r = w
        .post_form(
            &format!("/months/{MONTH}/units/{}/tasks", c.unit_a),
            &other,
            &fields(&proposal(&c, "越权提报", "2026-12-20")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.get(&format!("/tasks/{road}"), &other).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.get(&unit_page, &other).await.status,
        StatusCode::FORBIDDEN
    );
    let other_api = w.token("staff_b").await;
    assert_eq!(
        w.api("GET", &format!("/api/v1/tasks/{road}"), &other_api, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let own = w
        .get(&format!("/months/{MONTH}/units/{}", c.unit_b), &other)
        .await;
    assert!(own.status == StatusCode::OK && !own.body.contains("园区道路改造"));

    // The director accepts, assigns an item and arranges the month through the API.
    let director = w.token("director").await;
    let r = w
        .api(
            "POST",
            &format!("/api/v1/tasks/{road}/decision"),
            &director,
            Some(r#"{"decision": "accept"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "accepted");
    let item = format!(
        r#"{{"month": "{MONTH}", "unit_id": {}, "title": "迎接省级检查", "criterion": "检查通过", "deadline": "2026-12-10", "owner_id": {}}}"#,
        c.unit_a, c.head_a
    );
    let r = w
        .api("POST", "/api/v1/assigned-items", &director, Some(&item))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["is_assigned"], true);
    let r = w
        .api(
            "POST",
            &format!("/api/v1/months/{MONTH}/arrange"),
            &director,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["arranged"], 2);
    let r = w
        .api(
            "POST",
            &format!("/api/v1/months/{MONTH}/arrange"),
            &director,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("already_arranged"));
    let r = w
        .api(
            "GET",
            &format!(
                "/api/v1/tasks?month={MONTH}&unit_id={}&status=arranged",
                c.unit_a
            ),
            &director,
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 2, "{}", r.body);
    let month = w
        .api("GET", &format!("/api/v1/months/{MONTH}"), &director, None)
        .await;
    assert!(month.json()["arranged_at"].is_string(), "{}", month.body);

    // The plan table lists the arranged tasks, not the returned proposal.
    let table = format!("/months/{MONTH}/units/{}/table", c.unit_a);
    let r = w.get(&table, &staff).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("园区道路改造") && r.body.contains("迎接省级检查"));
    assert!(!r.body.contains("招商项目签约"));
    assert!(r.body.contains("测试工管委 经济发展局 2026年12月预安表"));
    for col in [
        "序号",
        "工作事项",
        "工作内容",
        "完成标准",
        "完成时限",
        "责任人",
        "分管领导",
        "类别",
    ] {
        assert!(r.body.contains(&format!(">{col}<")), "column {col}");
    }
    let r = w.get(&format!("{table}?print=1"), &staff).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("size: A4 landscape") && r.body.contains("table-header-group"));
    assert!(r.body.contains("page-break-inside: avoid") && !r.body.contains("<nav"));
    let r = w.get(&format!("{table}.xlsx"), &staff).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.bytes.len() > 1000 && r.bytes.starts_with(b"PK"));
    assert!(
        r.disposition
            .starts_with("attachment; filename=\"plan-2026-12-unit")
            && r.disposition.contains("filename*=UTF-8''"),
        "{}",
        r.disposition
    );
    let back = docs::read_plan_rows(&r.bytes, docs::ImportLimits::default()).unwrap();
    assert_eq!(back.len(), 2);
    let staff_api = w.token("staff_a").await;
    let r = w
        .api(
            "GET",
            &format!("/api/v1/plan-tables/{MONTH}/units/{}", c.unit_a),
            &staff_api,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 2);
    let r = w
        .api(
            "GET",
            &format!("/api/v1/plan-tables/{MONTH}/units/{}.xlsx", c.unit_a),
            &staff_api,
            None,
        )
        .await;
    assert!(r.status == StatusCode::OK && r.bytes.starts_with(b"PK"));
    assert_eq!(
        w.get(&format!("/months/{MONTH}/units/{}/table", c.unit_a), &other)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The arrangement page is the office meeting's; the month page shows the arranged month.
    let dir_page = w.login("director").await;
    assert_eq!(
        w.get(&format!("/months/{MONTH}/arrangement"), &dir_page)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        w.get(&format!("/months/{MONTH}/arrangement"), &staff)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = w.get(&format!("/months/{MONTH}"), &dir_page).await;
    assert!(r.body.contains("id=\"arrangement-link\"") && !r.body.contains("id=\"arrange-form\""));
});

web_test!(the_arrangement_page_and_change_requests, |w| {
    let c = cast(&w).await;
    let staff = w.login("staff_a").await;
    let a = propose(&w, &staff, &c, "标准厂房建设").await;
    let b = propose(&w, &staff, &c, "标准厂房招商").await;
    for id in [a, b] {
        w.post_form(&format!("/tasks/{id}/submit"), &staff, &[])
            .await;
    }
    let director = w.login("director").await;
    // Arranging while proposals await a decision is refused with a notice.
    let r = w
        .post_form(&format!("/months/{MONTH}/arrange"), &director, &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("data-codes=\"undecided_proposals\""));
    let page = w
        .get(&format!("/months/{MONTH}/arrangement"), &director)
        .await;
    assert!(page.body.contains("id=\"by-unit\"") && page.body.contains("id=\"by-leader\""));
    assert!(
        page.body.contains("测试leader"),
        "grouped by the unit's leader"
    );
    // Accept one from the arrangement page, merge the other into it from the task page.
    let r = w
        .post_form(
            &format!("/tasks/{a}/decision"),
            &director,
            &[
                ("decision", "accept"),
                ("from", "arrangement"),
                ("month", MONTH),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/months/2026-12/arrangement?ok=task.decided"
        )
    );
    let r = w
        .post_form(
            &format!("/tasks/{b}/decision"),
            &director,
            &[
                ("decision", "merge"),
                ("merge_into", &a.to_string()),
                ("reason", "同一项目"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // An assigned item from the page form needs a unit.
    let r = w
        .post_form(
            &format!("/months/{MONTH}/assigned-items"),
            &director,
            &[
                ("title", "交办一"),
                ("criterion", "完成"),
                ("deadline", "2026-12-09"),
                ("owner_id", &c.head_a.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"交办一\""), "input kept");
    let r = w
        .post_form(
            &format!("/months/{MONTH}/assigned-items"),
            &director,
            &[
                ("unit_id", &c.unit_a.to_string()),
                ("title", "交办一"),
                ("criterion", "完成"),
                ("deadline", "2026-12-09"),
                ("owner_id", &c.head_a.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = w
        .post_form(
            &format!("/months/{MONTH}/arrange"),
            &director,
            &[("from", "arrangement")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The unit head asks to re-date the arranged task; the director approves.
    let head = w.login("head_a").await;
    let r = w
        .post_form(
            &format!("/tasks/{a}/change-requests"),
            &head,
            &[
                ("kind", "redate"),
                ("deadline", "2027-01-02"),
                ("reason", "设备延期"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("完成时限须在本月内"));
    let r = w
        .post_form(
            &format!("/tasks/{a}/change-requests"),
            &head,
            &[
                ("kind", "redate"),
                ("deadline", "2026-12-28"),
                ("reason", "设备延期"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = w.get("/change-requests?status=pending", &director).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("标准厂房建设") && list.body.contains("2026-12-28"));
    assert_eq!(
        w.get("/change-requests", &staff).await.status,
        StatusCode::FORBIDDEN
    );
    let api = w.token("director").await;
    let v = w
        .api("GET", "/api/v1/change-requests?status=pending", &api, None)
        .await
        .json();
    let cr = v["items"][0]["id"].as_i64().unwrap();
    let r = w
        .post_form(
            &format!("/change-requests/{cr}/decision"),
            &director,
            &[("approve", "1"), ("task_id", &a.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let t = w
        .api("GET", &format!("/api/v1/tasks/{a}"), &api, None)
        .await
        .json();
    assert_eq!(t["deadline"], "2026-12-28");
    assert_eq!(t["change_requests"][0]["status"], "approved");
});

web_test!(an_import_with_bad_rows_shows_them_and_takes_nothing, |w| {
    let c = cast(&w).await;
    let staff = w.login("staff_a").await;
    let path = format!("/months/{MONTH}/units/{}/import", c.unit_a);
    let kp = c.key_point.to_string();
    let row = |title: &str, deadline: &str, owner: &str| PlanTableRow {
        seq: 1,
        title: title.into(),
        content: "内容".into(),
        criterion: "标准".into(),
        deadline: deadline.into(),
        owner: owner.into(),
        leader: String::new(),
        category: "一般工作".into(),
        ..Default::default()
    };
    let table = |rows: Vec<PlanTableRow>| {
        docs::write_plan_table(&PlanTable {
            organization: "测试工管委".into(),
            unit: "经济发展局".into(),
            year: 2026,
            month: 12,
            rows,
        })
        .unwrap()
    };
    let bad = table(vec![
        row("道路维修", "2026-12-15", "查无此人"),
        row("路灯更换", "2027-01-05", "测试staff_a"),
    ]);
    let r = w
        .post_file(&path, &staff, &[("key_point_id", &kp)], &bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"import-errors\""));
    assert!(r.body.contains("data-code=\"unknown_person\"") && r.body.contains("责任人"));
    assert!(r.body.contains("data-code=\"deadline_outside_month\"") && r.body.contains("完成时限"));
    let api = w.token("staff_a").await;
    let count = |v: serde_json::Value| v["total"].as_u64().unwrap();
    let list = format!("/api/v1/tasks?month={MONTH}&unit_id={}", c.unit_a);
    assert_eq!(
        count(w.api("GET", &list, &api, None).await.json()),
        0,
        "nothing imported"
    );
    // Not a workbook at all; no CSRF token; then a good file.
    let r = w
        .post_file(
            &path,
            &staff,
            &[("key_point_id", &kp)],
            b"this is not a spreadsheet",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("data-codes=\"unreadable_file\""));
    let mut no_token = staff.clone();
    no_token.csrf.clear();
    let good = table(vec![
        row("道路维修", "2026-12-15", "测试staff_a"),
        row("路灯更换", "2026-12-20", "测试staff_a"),
    ]);
    let r = w
        .post_file(&path, &no_token, &[("key_point_id", &kp)], &good)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let other = w.login("staff_b").await;
    let r = w
        .post_file(&path, &other, &[("key_point_id", &kp)], &good)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count(w.api("GET", &list, &api, None).await.json()), 0);
    let r = w
        .post_file(&path, &staff, &[("key_point_id", &kp)], &good)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = w
        .api("GET", &format!("{list}&status=draft"), &api, None)
        .await
        .json();
    assert_eq!(count(v), 2);
});

web_test!(
    a_downloaded_plan_table_goes_back_up_without_duplicating_anything,
    |w| {
        let c = cast(&w).await;
        let staff = w.login("staff_a").await;
        propose(&w, &staff, &c, "道路维修").await;
        propose(&w, &staff, &c, "路灯更换").await;
        let table = format!("/months/{MONTH}/units/{}/table", c.unit_a);
        let r = w.get(&table, &staff).await;
        assert!(
            r.body.contains(">对应要点<") && r.body.contains("道路维修"),
            "the proposals are listed with their key point before the arrangement"
        );
        let r = w.get(&format!("{table}.xlsx"), &staff).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut rows = docs::read_plan_rows(&r.bytes, docs::ImportLimits::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|r| r.task_id.is_some() && !r.key_point.is_empty())
        );
        // Edited as in WPS: a criterion changed, a row added under the others.
        rows[1].criterion = "更换路灯五十盏".into();
        rows.push(PlanTableRow {
            title: "绿化补植".into(),
            task_id: None,
            ..rows[0].clone()
        });
        let edited = docs::write_plan_table(&PlanTable {
            organization: "测试工管委".into(),
            unit: "经济发展局".into(),
            year: 2026,
            month: 12,
            rows,
        })
        .unwrap();
        let path = format!("/months/{MONTH}/units/{}/import", c.unit_a);
        let r = w.post_file(&path, &staff, &[], &edited).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = w.get(&r.location, &staff).await;
        assert!(
            r.body
                .contains("导入完成：新增 1 项（草稿），修改 1 项，提出变更申请 0 项，未变 1 项。"),
            "{}",
            r.body
        );
        // The same file once more changes nothing.
        let r = w.post_file(&path, &staff, &[], &edited).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location.ends_with("imported=0.0.0.3"), "{}", r.location);
        let api = w.token("staff_a").await;
        let v = w
            .api(
                "GET",
                &format!("/api/v1/tasks?month={MONTH}&unit_id={}", c.unit_a),
                &api,
                None,
            )
            .await
            .json();
        assert_eq!(v["total"], 3, "{v}");
        let titles: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles.iter().filter(|t| **t == "路灯更换").count(), 1);
    }
);

/// A task of unit A carried from November into December (written through the store, as the
/// close writes it).
async fn carried_into_december(w: &Web, c: &Cast, title: &str) -> i64 {
    let draft = domain::plan::TaskDraft {
        title: title.into(),
        content: "按周调度".into(),
        criterion: "完成交地".into(),
        deadline: domain::plan::parse_date("2026-11-28").unwrap(),
        key_point_id: Some(c.key_point),
        owner_id: Some(c.staff_a),
        post_id: None,
        leader_id: None,
        is_key_work: true,
        key_project_id: None,
    };
    let mut tx = w.t.app.db().begin().await.unwrap();
    let mut ids = Vec::new();
    for (month, from) in [("2026-11", None), (MONTH, Some(0))] {
        let new = store::plan::NewTask {
            org: w.t.org,
            month,
            unit_id: c.unit_a,
            draft: &draft,
            is_assigned: false,
            status: "arranged",
            carried_from_id: from.map(|_: i64| ids[0]),
            months_overdue: i32::from(from.is_some()),
            created_by: None,
        };
        ids.push(
            store::plan::insert_task(&mut tx, &new, w.t.app.now())
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    ids[1]
}

web_test!(
    the_meeting_merges_a_proposal_that_repeats_carried_work_in_one_click,
    |w| {
        let c = cast(&w).await;
        let carried = carried_into_december(&w, &c, "万达广场周边地块征收").await;
        let staff = w.login("staff_a").await;
        let repeat = propose(&w, &staff, &c, "万达广场周边地块征收").await;
        let other = propose(&w, &staff, &c, "园区推介会").await;
        for id in [repeat, other] {
            let r = w
                .post_form(&format!("/tasks/{id}/submit"), &staff, &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // The unit and the leader see the warning where they work.
        let page = w
            .get(&format!("/months/{MONTH}/units/{}", c.unit_a), &staff)
            .await;
        assert!(page.body.contains(&format!("data-repeats=\"{carried}\"")));
        let leader = w.login("leader").await;
        let page = w.get(&format!("/tasks/{repeat}"), &leader).await;
        assert!(
            page.body.contains("id=\"repeats-carried\""),
            "{}",
            page.body
        );
        let page = w.get(&format!("/tasks/{other}"), &leader).await;
        assert!(!page.body.contains("id=\"repeats-carried\""));

        // The meeting: flagged, with one button that merges it.
        let director = w.login("director").await;
        let page = w
            .get(&format!("/months/{MONTH}/arrangement"), &director)
            .await;
        assert_eq!(
            page.body.matches("data-merge-carried").count(),
            2,
            "one row under each grouping"
        );
        let r = w
            .post_form(
                &format!("/tasks/{repeat}/decision"),
                &director,
                &[
                    ("decision", "merge"),
                    ("merge_into", &carried.to_string()),
                    ("from", "arrangement"),
                    ("month", MONTH),
                    ("reason", "与上月结转事项重复，并入结转事项"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let api = w.token("director").await;
        let v = w
            .api("GET", &format!("/api/v1/tasks/{repeat}"), &api, None)
            .await
            .json();
        assert_eq!(v["status"], "merged", "{v}");
        let page = w
            .get(&format!("/months/{MONTH}/arrangement"), &director)
            .await;
        assert!(!page.body.contains("data-merge-carried"));
    }
);

web_test!(proposals_after_the_window_are_refused, |w| {
    let c = cast(&w).await;
    let staff = w.login("staff_a").await;
    let early = propose(&w, &staff, &c, "窗口内提报").await;
    // Into December's execution: the proposal window has closed.
    w.t.clock.advance(chrono::Duration::days(14));
    let r = w.get("/months", &staff).await;
    assert!(
        r.location.starts_with("/login"),
        "the idle session has ended"
    );
    let staff = w.login("staff_a").await;
    let r = w
        .post_form(
            &format!("/months/{MONTH}/units/{}/tasks", c.unit_a),
            &staff,
            &fields(&proposal(&c, "逾期提报", "2026-12-20")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("proposals_closed") && r.body.contains("提报已截止"));
    assert!(r.body.contains("value=\"逾期提报\""), "input kept");
    let r = w
        .post_form(&format!("/tasks/{early}/submit"), &staff, &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("proposals_closed"));
    let api = w.token("staff_a").await;
    let body = format!(
        r#"{{"month": "{MONTH}", "unit_id": {}, "title": "API 逾期提报", "criterion": "完成", "deadline": "2026-12-20", "key_point_id": {}, "owner_id": {}}}"#,
        c.unit_a, c.key_point, c.staff_a
    );
    let r = w.api("POST", "/api/v1/tasks", &api, Some(&body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("\"code\":\"proposals_closed\""),
        "{}",
        r.body
    );
    let r = w.get("/months", &staff).await;
    assert_eq!(
        r.location, "/months/2026-12",
        "before the 20th: the current month"
    );
});

web_test!(an_arranged_month_takes_no_more_proposals_and_says_so, |w| {
    let c = cast(&w).await;
    let staff = w.login("staff_a").await;
    let id = propose(&w, &staff, &c, "窗口内提报").await;
    let sys = Caller::System;
    w.t.app.submit_proposal(sys, id).await.unwrap();
    w.t.app
        .meeting_decide(sys, id, &app::MeetingDecision::Accept)
        .await
        .unwrap();
    w.t.app.arrange_month(sys, w.t.org, MONTH).await.unwrap();
    // Still within December's proposal dates, the month reads as arranged, not proposing.
    let m = w.get(&format!("/months/{MONTH}"), &staff).await;
    assert!(m.body.contains("data-phase=\"arranging\""), "{}", m.body);
    let page = w
        .get(&format!("/months/{MONTH}/units/{}", c.unit_a), &staff)
        .await;
    assert!(page.body.contains("data-code=\"month_arranged\""));
    assert!(page.body.contains("变更申请"));
    assert!(!page.body.contains("id=\"propose\""), "no proposal form");
    let r = w
        .post_form(
            &format!("/months/{MONTH}/units/{}/tasks", c.unit_a),
            &staff,
            &fields(&proposal(&c, "安排后提报", "2026-12-20")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("month_arranged"), "{}", r.body);
    let api = w.token("staff_a").await;
    let body = format!(
        r#"{{"month": "{MONTH}", "unit_id": {}, "title": "API 安排后提报", "criterion": "完成", "deadline": "2026-12-20", "key_point_id": {}, "owner_id": {}}}"#,
        c.unit_a, c.key_point, c.staff_a
    );
    let r = w.api("POST", "/api/v1/tasks", &api, Some(&body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("\"code\":\"month_arranged\""), "{}", r.body);
    // The meeting's page no longer offers to arrange it again.
    let director = w.login("director").await;
    let a = w
        .get(&format!("/months/{MONTH}/arrangement"), &director)
        .await;
    assert!(a.body.contains("id=\"month-arranged\""));
    assert!(!a.body.contains("id=\"arrange-form\""));
    // A month whose proposals have not opened says so.
    let page = w
        .get(&format!("/months/2027-01/units/{}", c.unit_a), &staff)
        .await;
    assert!(page.body.contains("data-code=\"proposals_not_open\""));
    assert!(page.body.contains("尚未开始"));
    assert!(!page.body.contains("提报已截止"));
});

web_test!(bad_api_input_names_the_fields, |w| {
    let c = cast(&w).await;
    let api = w.token("staff_a").await;
    let body = format!(
        r#"{{"month": "{MONTH}", "unit_id": {}, "criterion": "完成", "deadline": "2027-01-15", "key_point_id": {}, "owner_id": {}}}"#,
        c.unit_a, c.key_point, c.staff_a
    );
    let r = w.api("POST", "/api/v1/tasks", &api, Some(&body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = r.json();
    let named: Vec<(&str, &str)> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert!(named.contains(&("title", "required")), "{named:?}");
    assert!(
        named.contains(&("deadline", "deadline_outside_month")),
        "{named:?}"
    );
    let r = w
        .api(
            "POST",
            "/api/v1/tasks",
            &api,
            Some(r#"{"unit_id": 1, "title": "x"}"#),
        )
        .await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("\"field\":\"month\""));
    let r = w.api("GET", "/api/v1/tasks?status=bogus", &api, None).await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("\"field\":\"status\"")
    );
    let r = w.api("GET", "/api/v1/tasks?unit_id=abc", &api, None).await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("\"field\":\"unit_id\"")
    );
    let r = w
        .api(
            "GET",
            &format!("/api/v1/tasks?month={MONTH}&status=draft,submitted&status=returned"),
            &api,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = w.api("GET", "/api/v1/months/2026-13", &api, None).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("invalid_month"));
    let id = {
        let ok = format!(
            r#"{{"month": "{MONTH}", "unit_id": {}, "title": "好提报", "criterion": "完成", "deadline": "2026-12-20", "key_point_id": {}, "owner_id": {}}}"#,
            c.unit_a, c.key_point, c.staff_a
        );
        let r = w.api("POST", "/api/v1/tasks", &api, Some(&ok)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let r = w
        .api(
            "PATCH",
            &format!("/api/v1/tasks/{id}"),
            &api,
            Some(r#"{"deadline": "2026-11-30", "title": "改过的提报"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("\"field\":\"deadline\""));
    let r = w
        .api(
            "PATCH",
            &format!("/api/v1/tasks/{id}"),
            &api,
            Some(r#"{"title": "改过的提报"}"#),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["title"].as_str()),
        (StatusCode::OK, Some("改过的提报"))
    );
    let leader = w.token("leader").await;
    w.api("POST", &format!("/api/v1/tasks/{id}/submit"), &api, None)
        .await;
    let r = w
        .api(
            "POST",
            &format!("/api/v1/tasks/{id}/leader-review"),
            &leader,
            Some(r#"{"decision": "maybe"}"#),
        )
        .await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("invalid_decision"));
    let r = w
        .api(
            "POST",
            &format!("/api/v1/tasks/{id}/leader-review"),
            &leader,
            Some(r#"{"decision": "adjust", "fields": {"criterion": "完成并公示"}}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["criterion"], "完成并公示");
    assert_eq!(r.json()["status"], "leader_approved");
    // Key points: only the planning roles create them.
    let body = r#"{"year": 2026, "title": "重点项目建设"}"#;
    assert_eq!(
        w.api("POST", "/api/v1/key-points", &api, Some(body))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let director = w.token("director").await;
    let r = w
        .api("POST", "/api/v1/key-points", &director, Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let kp = r.json()["id"].as_i64().unwrap();
    let r = w
        .api(
            "PATCH",
            &format!("/api/v1/key-points/{kp}"),
            &director,
            Some(r#"{"disabled": true}"#),
        )
        .await;
    assert_eq!(r.json()["disabled"], true, "{}", r.body);
    let v = w
        .api("GET", "/api/v1/key-points?year=2026", &api, None)
        .await
        .json();
    assert_eq!(v["total"], 1, "the disabled one is hidden");
    let doc = w.get("/api/openapi.json", &Session::default()).await.json();
    for p in [
        "/months/{month}",
        "/months/{month}/arrange",
        "/tasks",
        "/tasks/{id}/leader-review",
        "/tasks/{id}/decision",
        "/assigned-items",
        "/plan-tables/{month}/units/{unit}",
        "/key-points",
        "/change-requests/{id}/decision",
    ] {
        assert!(doc["paths"][p].is_object(), "OpenAPI documents {p}");
    }
});

web_test!(key_point_pages_for_planners, |w| {
    cast(&w).await;
    let director = w.login("director").await;
    let r = w.get("/key-points?year=2026", &director).await;
    assert!(r.status == StatusCode::OK && r.body.contains("优化营商环境"));
    assert!(r.body.contains("id=\"key-point-form\""));
    let r = w
        .post_form(
            "/key-points",
            &director,
            &[("year", "2026"), ("kind", "focus_issue"), ("title", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("必填"));
    let r = w
        .post_form(
            "/key-points",
            &director,
            &[
                ("year", "2026"),
                ("kind", "focus_issue"),
                ("title", "群众反映的停车难"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let staff = w.login("staff_a").await;
    let r = w.get("/key-points?year=2026", &staff).await;
    assert!(r.status == StatusCode::OK && r.body.contains("群众反映的停车难"));
    assert!(
        !r.body.contains("id=\"key-point-form\""),
        "no form for staff"
    );
    let r = w
        .post_form(
            "/key-points",
            &staff,
            &[
                ("year", "2026"),
                ("kind", "key_point"),
                ("title", "越权要点"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Importing a sheet: every row or none.
    let sheet = |rows: &[(&str, &str)]| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "类别").unwrap();
        ws.write_string(0, 1, "要点").unwrap();
        for (i, (kind, title)) in rows.iter().enumerate() {
            let r = u32::try_from(i + 1).unwrap();
            ws.write_string(r, 0, *kind).unwrap();
            if !title.is_empty() {
                ws.write_string(r, 1, *title).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    };
    let bad = sheet(&[("工作要点", "园区道路建设"), ("重点热点问题", "")]);
    let r = w
        .post_file("/key-points/import", &director, &[("year", "2027")], &bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("3 要点"), "names the row and column");
    let none = w.get("/key-points?year=2027", &director).await;
    assert!(!none.body.contains("园区道路建设"), "nothing imported");
    let good = sheet(&[("工作要点", "园区道路建设"), ("重点热点问题", "停车难")]);
    let r = w
        .post_file("/key-points/import", &director, &[("year", "2027")], &good)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = w.get("/key-points?year=2027", &director).await;
    assert!(list.body.contains("园区道路建设") && list.body.contains("停车难"));
    let r = w
        .post_file("/key-points/import", &staff, &[("year", "2027")], &good)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

/// Every text key the plan's templates and handlers ask for exists in both languages.
#[test]
fn every_plan_text_key_is_translated() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let mut missing = Vec::new();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(format!("{root}templates/plan"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(format!("{root}src/api/plan.rs").into());
    files.push(format!("{root}src/error.rs").into());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for part in text.split("t(\"").skip(1) {
            let key = part.split('"').next().unwrap();
            if key.contains('.') && !web::i18n::has_key(key) {
                missing.push(format!("{}: {key}", f.display()));
            }
        }
    }
    assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    // Every status, phase, event and import code has a label.
    let codes = domain::plan::TaskStatus::ALL
        .iter()
        .map(|s| format!("status.{}", s.as_str()))
        .chain(
            domain::plan::Phase::ALL
                .iter()
                .map(|p| format!("phase.{}", p.as_str())),
        )
        .chain(
            [
                "required",
                "invalid_date",
                "deadline_outside_month",
                "unknown_person",
                "unknown_leader",
                "too_long",
                "invalid_category",
                "file_too_large",
                "too_many_rows",
                "unreadable_file",
                "empty_file",
                "missing_column",
                "proposals_closed",
                "undecided_proposals",
                "already_arranged",
                "nothing_to_arrange",
            ]
            .iter()
            .map(|c| format!("err.{c}")),
        );
    for key in codes {
        assert!(web::i18n::has_key(&key), "{key}");
    }
}
