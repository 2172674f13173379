//! Consequences (四个结合) through HTTP, in-process: the month's scores and the withholding
//! list, a unit's score with each deduction linked to its task, the rule set's form with bad
//! input kept and named, the cases with the discipline office's decision, and the same through
//! the API; a unit never reads another's score or case. Every test runs on SQLite and, when
//! enabled, PostgreSQL.

mod common;

use app::{Caller, Identity};
use axum::http::StatusCode;
use common::http::{Web, web_test};
use domain::Role;
use domain::plan::TaskInput;
use domain::signoff::{FormInput, Office};

const MONTH: &str = "2026-11";

struct Cast {
    unit_a: i64,
    unit_b: i64,
    task_a: i64,
    task_b: i64,
    staff_b: i64,
}

fn go_to(w: &Web, day: &str) {
    let target = domain::plan::parse_date(day)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    let now = w.t.app.now();
    w.t.clock.advance(target - now);
}

/// Units A and B, each with a head and a staff member who owns its one task; the offices, the
/// discipline office. A's task is signed off, B's is left unfinished; November is closed.
async fn closed_month(w: &Web) -> Cast {
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
    t.person("performance", None, &[(Role::PerformanceOfficer, None)])
        .await;
    t.person("discipline", None, &[(Role::DisciplineOfficer, None)])
        .await;
    t.person("director", None, &[(Role::Director, None)]).await;
    let item = |title: &str, owner: &Identity| TaskInput {
        title: title.into(),
        content: "按周调度".into(),
        criterion: "完成签约并交地".into(),
        deadline: "2026-11-20".into(),
        owner_id: Some(owner.actor.person_id.0),
        is_key_work: true,
        ..Default::default()
    };
    let sys = Caller::System;
    let task_a = t
        .app
        .add_assigned_item(
            sys,
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
            sys,
            t.org,
            MONTH,
            unit_b,
            &item("重点项目融资落地", &staff_b),
        )
        .await
        .unwrap();
    t.app.arrange_month(sys, t.org, MONTH).await.unwrap();
    go_to(w, "2026-11-19");
    let form = FormInput {
        kind: "complete".into(),
        completion: "征收完成".into(),
        report: "销号报告".into(),
        ..Default::default()
    };
    let f = t
        .app
        .submit_sign_off(sys, task_a, &form, &[])
        .await
        .unwrap();
    for o in [Office::Supervision, Office::Efficiency, Office::Performance] {
        t.app
            .give_opinion(sys, f, Some(o), "approve", "")
            .await
            .unwrap();
    }
    t.app.decide_sign_off(sys, f, true, "").await.unwrap();
    go_to(w, "2026-12-02");
    // The cards are published (B's unsigned key task red): the red cards that count.
    t.app.confirm_all_cards(sys, t.org, MONTH).await.unwrap();
    t.app.publish_cards(sys, t.org, MONTH, "").await.unwrap();
    t.app.close_month(sys, t.org, MONTH).await.unwrap();
    Cast {
        unit_a,
        unit_b,
        task_a,
        task_b,
        staff_b: staff_b.actor.person_id.0,
    }
}

web_test!(scores_pages_show_each_point_and_keep_units_apart, |w| {
    let c = closed_month(&w).await;
    let perf = w.login("performance").await;
    // The offices go to the newest closed month; a unit to its own score.
    let r = w.get("/scores", &perf).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/months/2026-11/scores")
    );
    let head_b = w.login("head_b").await;
    let r = w.get("/scores", &head_b).await;
    assert_eq!(r.location, format!("/units/{}/scores/2026-11", c.unit_b));

    let page = w.get("/months/2026-11/scores", &perf).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("征拆办") && page.body.contains("财政局"));
    // A: 2.50 in full; B: 2.50 − 0.50 (unsigned) − 0.20 (its red card) = 1.80, bonus withheld.
    assert!(page.body.contains("<strong>2.50</strong>"), "{}", page.body);
    assert!(page.body.contains("<strong>1.80</strong>"));
    let year = w.get("/scores/2026", &perf).await;
    assert!(
        year.body
            .contains(&format!("data-unit=\"{}\" data-grade=\"pass\"", c.unit_b))
    );
    assert_eq!(
        w.get("/scores/2026", &head_b).await.status,
        StatusCode::FORBIDDEN
    );
    let withheld = w.get("/months/2026-11/scores?withheld=1", &perf).await;
    assert!(withheld.body.contains("财政局") && !withheld.body.contains("征拆办"));
    let empty = w.get("/months/2026-10/scores", &perf).await;
    assert!(empty.body.contains("id=\"scores-empty\""));
    assert_eq!(
        w.get("/months/2026-11/scores", &head_b).await.status,
        StatusCode::FORBIDDEN
    );

    // The unit follows its deduction to the task that caused it.
    let mine = w
        .get(&format!("/units/{}/scores/2026-11", c.unit_b), &head_b)
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains(&format!(
        "data-rule=\"unsigned_task\" data-task=\"{}\"",
        c.task_b
    )));
    assert!(mine.body.contains(&format!("href=\"/tasks/{}\"", c.task_b)));
    assert!(mine.body.contains("扣发"));
    let head_a = w.login("head_a").await;
    assert_eq!(
        w.get(&format!("/units/{}/scores/2026-11", c.unit_b), &head_a)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let a = w
        .get(&format!("/units/{}/scores/2026-11", c.unit_a), &head_a)
        .await;
    assert!(
        !a.body.contains(&format!("data-task=\"{}\"", c.task_a)),
        "no deduction for A"
    );
    assert_eq!(
        w.get(&format!("/units/{}/scores/2026-13", c.unit_a), &head_a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The same through the API.
    let tok = w.token("performance").await;
    let r = w
        .api(
            "GET",
            "/api/v1/months/2026-11/scores?withheld=true",
            &tok,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["total"], 1);
    assert_eq!(j["items"][0]["unit_name"], "财政局");
    assert_eq!(j["items"][0]["points"], "1.80");
    let tb = w.token("head_b").await;
    let r = w
        .api(
            "GET",
            &format!("/api/v1/units/{}/scores/2026-11", c.unit_b),
            &tb,
            None,
        )
        .await;
    let j = r.json();
    assert_eq!(j["total"], "1.80");
    let rules: Vec<&str> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "month_points",
            "unsigned_task",
            "red_card",
            "bonus_withheld"
        ]
    );
    let r = w
        .api("GET", "/api/v1/months/2026-11/scores", &tb, None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

web_test!(the_rules_form_names_bad_fields_and_saves_versions, |w| {
    closed_month(&w).await;
    let perf = w.login("performance").await;
    let page = w.get("/rules?year=2026", &perf).await;
    assert!(page.body.contains("id=\"rules-form\"") && page.body.contains("value=\"0.50\""));
    let mut fields = vec![
        ("annual_weight", "30"),
        ("month_points", "2.5x"),
        ("unsigned_deduction", "1"),
        ("highlight_bonus", "0.5"),
        ("red_card_deduction", "0.2"),
        ("withhold_bonus_when_unsigned", "1"),
        ("rectification_days", "10"),
        ("excellent_percent", "90"),
        ("good_percent", "80"),
        ("pass_percent", "60"),
    ];
    let r = w.post_form("/rules?year=2026", &perf, &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("invalid_number") && r.body.contains("value=\"2.5x\""));
    fields[1] = ("month_points", "2.5");
    let r = w.post_form("/rules?year=2026", &perf, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get("/rules?year=2026", &perf).await;
    assert!(page.body.contains("id=\"rule-versions\"") && page.body.contains("value=\"1.00\""));
    // Everyone may read the rules; only the performance office saves them.
    let head = w.login("head_a").await;
    let page = w.get("/rules?year=2026", &head).await;
    assert!(page.body.contains("disabled") && !page.body.contains("type=\"submit\">保存"));
    let r = w.post_form("/rules?year=2026", &head, &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The API: bad input named, good input versioned.
    let tok = w.token("performance").await;
    let body = r#"{"annual_weight":"30","month_points":"3","unsigned_deduction":"1","highlight_bonus":"0.5","red_card_deduction":"0.2","withhold_bonus_when_unsigned":true,"rectification_days":"10","excellent_percent":"90","good_percent":"80","pass_percent":"60"}"#;
    let r = w.api("PUT", "/api/v1/rules/2026", &tok, Some(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("exceeds_annual_weight") && r.body.contains("month_points"));
    let r = w
        .api(
            "PUT",
            "/api/v1/rules/2026",
            &tok,
            Some(&body.replace("\"3\"", "\"2.5\"")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    let r = w.api("GET", "/api/v1/rules/1999", &tok, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});

web_test!(cases_are_decided_by_the_discipline_office_alone, |w| {
    let c = closed_month(&w).await;
    let disc = w.login("discipline").await;
    let list = w.get("/cases", &disc).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("重点项目融资落地") && list.body.contains("限期整改"));
    let case = list
        .body
        .split("data-case=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|n| n.parse::<i64>().ok())
        .expect("a case");
    let path = format!("/cases/{case}");
    let page = w.get(&path, &disc).await;
    assert!(page.body.contains("id=\"decision-form\""));
    assert!(page.body.contains("id=\"case-deadline\">2026-12-12"));
    // Everything missing: 422, each field named, nothing recorded.
    let r = w
        .post_form(
            &format!("{path}/decision"),
            &disc,
            &[
                ("verification", "已核实"),
                ("sanction", ""),
                ("reasons", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("已核实"), "typed text kept");
    assert!(r.body.contains("处理决定") && r.body.contains("理由"));
    let head_b = w.login("head_b").await;
    let r = w
        .post_form(
            &format!("{path}/decision"),
            &head_b,
            &[
                ("verification", "x"),
                ("sanction", "none"),
                ("reasons", "y"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .post_form(
            &format!("{path}/decision"),
            &disc,
            &[
                ("verification", "经核实，银行审批流程延误"),
                ("sanction", "none"),
                ("reasons", "客观原因，限期整改"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(&path, &disc).await;
    assert!(
        page.body.contains("data-status=\"decided\"")
            && !page.body.contains("id=\"decision-form\"")
    );
    // The unit's head sees its rectification order; to another unit's staff it does not
    // exist.
    let page = w.get(&path, &head_b).await;
    assert_eq!(page.status, StatusCode::OK);
    let staff_a = w.login("staff_a").await;
    assert_eq!(w.get(&path, &staff_a).await.status, StatusCode::NOT_FOUND);
    let list = w.get("/cases", &staff_a).await;
    assert!(list.body.contains("id=\"cases-empty\""));
    // The API.
    let tok = w.token("discipline").await;
    let r = w
        .api(
            "GET",
            "/api/v1/cases?month=2026-11&step=rectification_order",
            &tok,
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 1);
    assert_eq!(r.json()["items"][0]["task_id"], c.task_b);
    let r = w
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/decision"),
            &tok,
            Some(r#"{"verification":"再核","sanction":"dismissal","reasons":"重复"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("case_decided"));
    let ta = w.token("staff_a").await;
    let r = w
        .api("GET", &format!("/api/v1/cases/{case}"), &ta, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "as the document says");
    let r = w.api("GET", "/api/v1/cases", &ta, None).await;
    assert_eq!(r.json()["total"], 0);
    let _ = c.unit_a;
});

web_test!(the_month_s_stars_are_chosen_on_the_awards_page, |w| {
    let c = closed_month(&w).await;
    let head_b = w.login("head_b").await;
    let page = w.get("/months/2026-11/awards", &head_b).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("data-id=\"{}\" data-tier=\"first\"", c.unit_a))
    );
    assert!(page.body.contains(&format!(
        "data-id=\"{}\" data-tier=\"disqualified\"",
        c.unit_b
    )));
    assert!(
        !page.body.contains("name=\"citation\""),
        "a unit does not choose"
    );
    let r = w
        .post_form(
            "/months/2026-11/awards",
            &head_b,
            &[
                ("kind", "star_unit"),
                ("subject_id", &c.unit_b.to_string()),
                ("citation", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let dir = w.login("director").await;
    let page = w.get("/months/2026-11/awards", &dir).await;
    assert!(page.body.contains("name=\"citation\""));
    let r = w
        .post_form(
            "/months/2026-11/awards",
            &dir,
            &[
                ("kind", "star_unit"),
                ("subject_id", &c.unit_b.to_string()),
                ("citation", "推进有力"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("disqualified"));
    let r = w
        .post_form(
            "/months/2026-11/awards",
            &dir,
            &[
                ("kind", "star_unit"),
                ("subject_id", &c.unit_a.to_string()),
                ("citation", "按期销号"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get("/months/2026-11/awards", &dir).await;
    assert!(page.body.contains("id=\"awards-chosen\"") && page.body.contains("按期销号"));
    let empty = w.get("/months/2026-12/awards", &dir).await;
    assert!(empty.body.contains("id=\"awards-empty\""));
    // The year's commendations.
    let year = w.get("/awards/2026", &dir).await;
    assert_eq!(year.status, StatusCode::OK);
    assert!(year.body.contains("年度表彰") && year.body.contains("value=\"annual_unit\""));
    assert!(
        year.body
            .contains(&format!("data-id=\"{}\" data-tier=\"first\"", c.unit_a))
    );
    let r = w
        .post_form(
            "/awards/2026",
            &dir,
            &[
                ("kind", "annual_unit"),
                ("subject_id", &c.unit_a.to_string()),
                ("citation", "全年按期销号"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/awards/2026?ok=awards.selected")
    );
    assert_eq!(
        w.get("/awards/20x6", &dir).await.status,
        StatusCode::NOT_FOUND
    );
    // The API.
    let tok = w.token("director").await;
    let r = w
        .api("GET", "/api/v1/months/2026-11/awards", &tok, None)
        .await;
    let j = r.json();
    assert_eq!(j["units"][0]["id"], c.unit_a);
    assert_eq!(j["units"][0]["rank"], 1);
    assert_eq!(j["units"][1]["reasons"][0], "unsigned");
    let body = format!(
        r#"{{"kind":"star_unit","subject_id":{},"citation":"再选"}}"#,
        c.unit_a
    );
    let r = w
        .api("POST", "/api/v1/months/2026-11/awards", &tok, Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("already_taken"));
});

web_test!(statistics_are_a_page_a_workbook_and_an_api, |w| {
    let org =
        w.t.app
            .load_demo("demo-pass-123")
            .await
            .unwrap()
            .organization_id;
    assert!(org > 0);
    // The demo's history through the API, as the article reports it.
    let tok = w.token("demo.admin").await;
    let r = w
        .api(
            "GET",
            "/api/v1/statistics?from=2013-01&to=2015-12",
            &tok,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["planned"], 2793);
    assert_eq!(j["signed_off"], 2647);
    assert_eq!(j["monthly_average"], "77.6");
    assert_eq!(
        j["accountable"],
        serde_json::Value::Null,
        "the cases behind it are confidential"
    );
    let director = w.token("demo.director").await;
    let r = w
        .api(
            "GET",
            "/api/v1/statistics?from=2013-01&to=2015-12",
            &director,
            None,
        )
        .await;
    assert_eq!(r.json()["accountable"], 8);
    assert_eq!(j["by_month"].as_array().unwrap().len(), 36);
    let r = w
        .api(
            "GET",
            "/api/v1/statistics?from=2015-12&to=2015-01",
            &tok,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("before_from"));
    // The page and the workbook, over the test organization's closed month.
    let c = closed_month(&w).await;
    let head = w.login("head_a").await;
    let page = w.get("/statistics?from=2026-11&to=2026-11", &head).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-k=\"planned\">2<"), "{}", page.body);
    assert!(page.body.contains("data-k=\"signed_off\">1<"));
    assert!(page.body.contains("data-k=\"rate\">50.0%<"));
    assert!(
        page.body.contains("<svg"),
        "the charts are drawn on the server"
    );
    // Another unit's figures, or a person's of another unit, are not a unit head's to see:
    // not on the page, not in the workbook, not through the API.
    let of_b = format!("from=2026-11&to=2026-11&unit={}", c.unit_b);
    let of_staff_b = format!("from=2026-11&to=2026-11&person={}", c.staff_b);
    for q in [&of_b, &of_staff_b] {
        assert_eq!(
            w.get(&format!("/statistics?{q}"), &head).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.get(&format!("/statistics.xlsx?{q}"), &head).await.status,
            StatusCode::FORBIDDEN
        );
        let api = w.token("head_a").await;
        let r = w
            .api("GET", &format!("/api/v1/statistics?{q}"), &api, None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    let head_b = w.login("head_b").await;
    let unit = w.get(&format!("/statistics?{of_b}"), &head_b).await;
    assert!(unit.body.contains("data-k=\"planned\">1<") && unit.body.contains("财政局"));
    assert!(
        unit.body.contains("data-k=\"accountable\">—<"),
        "the confidential count is not a unit head's"
    );
    let staff_b = w.token("staff_b").await;
    let r = w
        .api(
            "GET",
            &format!("/api/v1/statistics?{of_staff_b}"),
            &staff_b,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "one's own figures");
    assert_eq!(r.json()["accountable"], 0, "and one's own cases");
    let bad = w.get("/statistics?from=2026-11&to=2026-01", &head).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("before_from"));
    let x = w
        .get("/statistics.xlsx?from=2026-11&to=2026-11", &head)
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.content_type.contains("spreadsheetml"));
    assert!(x.disposition.contains("attachment"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(x.bytes)).unwrap();
    assert!(zip.by_name("xl/workbook.xml").is_ok());
});

web_test!(a_person_s_record_is_for_the_person_and_the_director, |w| {
    let c = closed_month(&w).await;
    let path = format!("/people/{}/record", c.staff_b);
    let me = w.login("staff_b").await;
    let page = w.get(&path, &me).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"cadre-years\"") && page.body.contains("财政局"));
    assert!(
        page.body.contains("data-month=\"2026-11\""),
        "the month's own score"
    );
    let docx = w.get(&format!("{path}/docx"), &me).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.content_type.contains("wordprocessingml"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains("实绩档案") && xml.contains("2026"));
    let xlsx = w.get(&format!("{path}/xlsx"), &me).await;
    assert!(xlsx.content_type.contains("spreadsheetml"));
    assert_eq!(
        w.get(&format!("{path}/pdf"), &me).await.status,
        StatusCode::NOT_FOUND
    );
    for who in ["head_a", "head_b", "performance", "discipline"] {
        let s = w.login(who).await;
        assert_eq!(
            w.get(&path, &s).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            w.get(&format!("{path}/docx"), &s).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    let tok = w.token("director").await;
    let r = w
        .api(
            "GET",
            &format!("/api/v1/people/{}/record", c.staff_b),
            &tok,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["total"]["planned"], 1);
    assert_eq!(j["total"]["carried_over"], 1);
    let ta = w.token("staff_a").await;
    let r = w
        .api(
            "GET",
            &format!("/api/v1/people/{}/record", c.staff_b),
            &ta,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

web_test!(a_closed_month_is_scored_again_after_its_preview, |w| {
    let c = closed_month(&w).await;
    let perf = w.login("performance").await;
    let page = w.get("/months/2026-11/scores", &perf).await;
    assert!(page.body.contains("id=\"recompute-link\""));
    let head = w.login("head_b").await;
    assert_eq!(
        w.get("/months/2026-11/scores/recompute", &head)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let p = w.get("/months/2026-11/scores/recompute", &perf).await;
    assert!(
        p.body.contains("id=\"recompute-empty\""),
        "the same rules change nothing"
    );
    let tok = w.token("performance").await;
    let body = r#"{"annual_weight":"30","month_points":"2.5","unsigned_deduction":"1","highlight_bonus":"0.5","red_card_deduction":"0.2","withhold_bonus_when_unsigned":true,"rectification_days":"10","excellent_percent":"90","good_percent":"80","pass_percent":"60"}"#;
    let r = w.api("PUT", "/api/v1/rules/2026", &tok, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = w.get("/months/2026-11/scores/recompute", &perf).await;
    assert!(p.body.contains(&format!("data-unit=\"{}\"", c.unit_b)) && p.body.contains("1.30"));
    assert!(p.body.contains("name=\"version\" value=\"1\""));
    let r = w
        .post_form(
            "/months/2026-11/scores/recompute",
            &perf,
            &[("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get("/months/2026-11/scores", &perf).await;
    assert!(page.body.contains("<strong>1.30</strong>"));
    // The API: a stale version is refused.
    let r = w
        .api(
            "POST",
            "/api/v1/months/2026-11/recompute",
            &tok,
            Some(r#"{"version":null}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("rules_changed"));
    let r = w
        .api("GET", "/api/v1/months/2026-11/recompute", &tok, None)
        .await;
    assert_eq!(r.json()["same_rules"], true);
});

web_test!(
    publications_and_cases_read_newest_month_first_in_pages_and_api,
    |w| {
        let c = closed_month(&w).await;
        // An older month written afterwards, as the demo's history is: its publication and a case.
        let t = &w.t;
        let draft = |month: &str| domain::plan::TaskDraft {
            title: format!("{month}的事项"),
            content: String::new(),
            criterion: "按期完成".into(),
            deadline: domain::plan::parse_date(&format!("{month}-20")).unwrap(),
            key_point_id: None,
            owner_id: Some(c.staff_b),
            post_id: None,
            leader_id: None,
            is_key_work: true,
            key_project_id: None,
        };
        let (may, june) = (draft("2026-05"), draft("2026-06"));
        let now = t.app.now();
        let mut tx = t.app.db().begin().await.unwrap();
        let mut ids = Vec::new();
        for (month, d, status) in [
            ("2026-05", &may, "carried_over"),
            ("2026-06", &june, "signed_off"),
        ] {
            let new = store::plan::NewTask {
                org: t.org,
                month,
                unit_id: c.unit_b,
                draft: d,
                is_assigned: false,
                status,
                carried_from_id: ids.first().copied(),
                months_overdue: i32::try_from(ids.len()).unwrap(),
                created_by: None,
            };
            ids.push(store::plan::insert_task(&mut tx, &new, now).await.unwrap());
        }
        let old = store::history::insert_publication(&mut tx, t.org, "2026-05", 0, 1, now)
            .await
            .unwrap();
        store::history::insert_publication_card(&mut tx, old, ids[0], "red")
            .await
            .unwrap();
        store::history::insert_decided_case(
            &mut tx,
            ids[0],
            ids[1],
            "rectification_order",
            1,
            "none",
            "已整改",
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let director = w.token("director").await;
        let r = w.api("GET", "/api/v1/publications", &director, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let months: Vec<String> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["month"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(months, vec!["2026-11", "2026-05"]);
        let disc = w.token("discipline").await;
        let r = w.api("GET", "/api/v1/cases", &disc, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let items = r.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.first().unwrap()["month"], "2026-11");
        assert_eq!(items.last().unwrap()["month"], "2026-05");
        // The page of publications reads the same way.
        let page = w.get("/publications", &w.login("director").await).await;
        let (nov, may) = (
            page.body.find("2026-11").expect("November listed"),
            page.body.find("2026-05").expect("May listed"),
        );
        assert!(nov < may, "newest month first on the page");
    }
);

web_test!(
    the_demo_s_history_months_are_scored_graded_and_awarded_like_any_closed_month,
    |w| {
        w.t.app
            .load_demo(app::testing::TEST_PASSWORD)
            .await
            .unwrap();
        let tok = w.token("demo.director").await;
        let r = w
            .api("GET", "/api/v1/months/2014-06/scores", &tok, None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let items = j["items"].as_array().expect("items");
        assert!(items.len() >= 10, "every unit with work is scored: {j}");
        let r = w.api("GET", "/api/v1/scores/2014", &tok, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert!(
            j["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["grade"].is_string()),
            "{j}"
        );
        let r = w.api("GET", "/api/v1/awards/2014", &tok, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(
            (j["closed"].as_bool(), j["through"].as_str()),
            (Some(true), Some("2014-12")),
            "{j}"
        );
        assert!(!j["units"].as_array().unwrap().is_empty(), "{j}");
        // The pages of a closed month never say it is not closed.
        let director = w.login("demo.director").await;
        for page in [
            "/months/2014-06/scores",
            "/scores/2014",
            "/months/2014-06/awards",
            "/awards/2014",
        ] {
            let r = w.get(page, &director).await;
            assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
            assert!(!r.body.contains("尚未关账"), "{page}");
        }
        let r = w.get("/scores/2014", &director).await;
        assert!(r.body.contains("id=\"year-scores-through\"") && r.body.contains("2014-12"));
    }
);
