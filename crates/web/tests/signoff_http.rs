//! Sign-off (销号) through HTTP, in-process: the unit's form from the task page (with bad input
//! kept and named), the three offices' opinions and a site check, the leading group's
//! decision, the review queue, the briefing with the meeting and highlights, the bulletin as
//! a page, DOCX and XLSX, publishing it, closing the month from the page, the review rule and
//! the same steps through the API. Every test runs on SQLite and, when enabled, PostgreSQL.

mod common;

use std::io::Read;

use app::{Caller, Identity};
use axum::http::StatusCode;
use common::http::{Session, Web, web_test};
use domain::Role;
use domain::plan::TaskInput;

const MONTH: &str = "2026-11";
const PDF: &[u8] = b"%PDF-1.4\n% sign-off evidence\n%%EOF\n";

struct Cast {
    unit_a: i64,
    task_a: i64,
    task_b: i64,
}

fn id_of(i: &Identity) -> i64 {
    i.actor.person_id.0
}

/// Units A and B with heads and staff, the director, the leading group, one person for each
/// office and an administrator; one arranged key task of each unit (deadline 20 November).
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
    t.person("director", None, &[(Role::Director, None)]).await;
    t.person("leading", None, &[(Role::LeadingGroup, None)])
        .await;
    t.person("supervisor", None, &[(Role::Supervisor, None)])
        .await;
    t.person("efficiency", None, &[(Role::EfficiencyOfficer, None)])
        .await;
    t.person("performance", None, &[(Role::PerformanceOfficer, None)])
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
        task_a,
        task_b,
    }
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

fn first_id(body: &str, prefix: &str) -> i64 {
    body.split(prefix)
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in the page"))
}

/// The newest form id of a task, from its page.
async fn form_of(w: &Web, s: &Session, task: i64) -> i64 {
    let page = w.get(&format!("/tasks/{task}"), s).await;
    first_id(&page.body, "id=\"sign-off-current\" data-form=\"")
}

async fn opinion(w: &Web, who: &str, form: i64, task: i64, office: &str, verdict: &str) {
    let s = w.login(who).await;
    let r = w
        .post_form(
            &format!("/sign-off-forms/{form}/opinions"),
            &s,
            &[
                ("task_id", &task.to_string()),
                ("office", office),
                ("verdict", verdict),
                (
                    "reason",
                    if verdict == "approve" {
                        ""
                    } else {
                        "请补充"
                    },
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{who}: {}", r.body);
}

web_test!(a_task_is_signed_off_through_its_page, |w| {
    let c = cast(&w).await;
    go_to(&w, "2026-11-21");
    let head = w.login("head_a").await;
    let path = format!("/tasks/{}/sign-off", c.task_a);
    // The page offers the form with the report drafted from the progress log.
    let page = w.get(&format!("/tasks/{}", c.task_a), &head).await;
    assert!(page.body.contains("id=\"sign-off-submit-form\""));
    assert!(page.body.contains("万达广场周边地块征收"));
    // Staff of the unit may not submit; another unit's head may not either.
    let staff = w.login("staff_a").await;
    let r = w
        .post_multipart(&path, &staff, &[("kind", "complete")], &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Missing completion and a future day: 422, fields named, the typed report kept.
    let r = w
        .post_multipart(
            &path,
            &head,
            &[
                ("kind", "complete"),
                ("completion", ""),
                ("report", "已完成征收 32 户"),
                ("completed_on", "2026-12-30"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("完成情况"), "the field is named");
    assert!(r.body.contains("已完成征收 32 户"), "the report is kept");
    assert!(r.body.contains("id=\"sign-off-submit\" open"));
    let d = w.t.app.get_task(Caller::System, c.task_a).await.unwrap();
    assert!(d.sign_off.forms.is_empty(), "a refused form stores nothing");
    // A good form with evidence.
    let r = w
        .post_multipart(
            &path,
            &head,
            &[
                ("kind", "complete"),
                ("completion", "征收 32 户全部完成，地块已交付"),
                ("report", "已完成征收 32 户"),
                ("completed_on", "2026-11-19"),
            ],
            &[("files", "交地确认书.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(&format!("/tasks/{}", c.task_a), &head).await;
    assert!(page.body.contains("data-status=\"sign_off_submitted\""));
    assert!(page.body.contains("交地确认书.pdf"));
    assert!(!page.body.contains("id=\"sign-off-submit-form\""));
    assert!(
        !page.body.contains("id=\"review-state\""),
        "the unit does not see where the offices stand"
    );
    let form = form_of(&w, &head, c.task_a).await;

    // The supervisor sees the review form; a return without a reason is refused.
    let sup = w.login("supervisor").await;
    let page = w.get(&format!("/tasks/{}", c.task_a), &sup).await;
    assert!(page.body.contains("id=\"review-supervision\""));
    assert!(!page.body.contains("id=\"review-efficiency\""));
    let r = w
        .post_form(
            &format!("/sign-off-forms/{form}/opinions"),
            &sup,
            &[
                ("task_id", &c.task_a.to_string()),
                ("office", "supervision"),
                ("verdict", "return"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"review-supervision\" open"));
    // Speaking for an office one does not hold is forbidden.
    let r = w
        .post_form(
            &format!("/sign-off-forms/{form}/opinions"),
            &sup,
            &[("office", "efficiency"), ("verdict", "approve")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A site check is asked for and recorded, with its evidence.
    opinion(
        &w,
        "supervisor",
        form,
        c.task_a,
        "supervision",
        "site_check",
    )
    .await;
    let r = w
        .post_multipart(
            &format!("/sign-off-forms/{form}/site-checks"),
            &sup,
            &[
                ("task_id", &c.task_a.to_string()),
                ("office", "supervision"),
                ("findings", "现场查看，地块已平整"),
                ("checked_on", "2026-11-21"),
            ],
            &[("files", "现场照片.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The leading group is refused while the site check is pending, then after two approvals
    // still lacks the third.
    let lead = w.login("leading").await;
    let decide = format!("/sign-off-forms/{form}/decision");
    let sign_off = [
        ("task_id", c.task_a.to_string()),
        ("decision", "sign_off".into()),
    ];
    let sign_off: Vec<(&str, &str)> = sign_off.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = w.post_form(&decide, &lead, &sign_off).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("site_check_pending"), "{}", r.body);
    opinion(&w, "supervisor", form, c.task_a, "supervision", "approve").await;
    opinion(&w, "efficiency", form, c.task_a, "efficiency", "approve").await;
    let r = w.post_form(&decide, &lead, &sign_off).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("not_enough_approvals"));
    let page = w.get(&format!("/tasks/{}", c.task_a), &lead).await;
    assert!(page.body.contains("data-state=\"reviewing\""));
    assert!(page.body.contains("现场查看，地块已平整"));
    opinion(&w, "performance", form, c.task_a, "performance", "approve").await;
    let r = w.post_form(&decide, &lead, &sign_off).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(&format!("/tasks/{}", c.task_a), &head).await;
    assert!(page.body.contains("data-status=\"signed_off\""));
    // The director is not the leading group here: no decision form for them.
    let director = w.login("director").await;
    let r = w.post_form(&decide, &director, &sign_off).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Unit B states its task unfinished.
    let head_b = w.login("head_b").await;
    let r = w
        .post_multipart(
            &format!("/tasks/{}/sign-off", c.task_b),
            &head_b,
            &[
                ("kind", "unfinished"),
                ("reason", "银行审批未完成"),
                ("next_steps", "下月 10 日前放款"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The review queue shows both; a unit head may not open it.
    let q = w.get(&format!("/months/{MONTH}/review"), &sup).await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.body.contains("万达广场周边地块征收") && q.body.contains("重点项目融资落地"));
    let q = w
        .get(&format!("/months/{MONTH}/review?status=unfinished"), &sup)
        .await;
    assert!(!q.body.contains("万达广场周边地块征收") && q.body.contains("重点项目融资落地"));
    assert_eq!(
        w.get(&format!("/months/{MONTH}/review"), &head)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The evidence of the site check is for the reviewers until the bulletin is out.
    let page = w.get(&format!("/tasks/{}", c.task_a), &lead).await;
    let file = first_id(
        page.body.split("id=\"site-checks\"").nth(1).unwrap(),
        "href=\"/files/",
    );
    assert_eq!(
        w.get(&format!("/files/{file}"), &lead).await.status,
        StatusCode::OK
    );
    assert_eq!(
        w.get(&format!("/files/{file}"), &head).await.status,
        StatusCode::FORBIDDEN
    );
});

web_test!(
    the_month_is_reviewed_bulletined_and_closed_from_the_briefing,
    |w| {
        let c = cast(&w).await;
        go_to(&w, "2026-11-21");
        let head = w.login("head_a").await;
        let r = w
            .post_multipart(
                &format!("/tasks/{}/sign-off", c.task_a),
                &head,
                &[
                    ("kind", "complete"),
                    ("completion", "征收 32 户全部完成"),
                    ("report", "已完成征收 32 户"),
                    ("completed_on", "2026-11-19"),
                ],
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let form = form_of(&w, &head, c.task_a).await;
        for (who, office) in [
            ("supervisor", "supervision"),
            ("efficiency", "efficiency"),
            ("performance", "performance"),
        ] {
            opinion(&w, who, form, c.task_a, office, "approve").await;
        }
        let lead = w.login("leading").await;
        let r = w
            .post_form(
                &format!("/sign-off-forms/{form}/decision"),
                &lead,
                &[("task_id", &c.task_a.to_string()), ("decision", "sign_off")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // The briefing: 2 planned, 1 signed off, 50.0%; task B unfinished, not submitted.
        let director = w.login("director").await;
        let b = w.get(&format!("/months/{MONTH}/briefing"), &director).await;
        assert_eq!(b.status, StatusCode::OK, "{}", b.body);
        assert!(b.body.contains("id=\"fig-planned\">2<"), "{}", b.body);
        assert!(b.body.contains("id=\"fig-signed-off\">1<"));
        assert!(b.body.contains("id=\"fig-rate\">50.0%<"));
        assert!(b.body.contains("未报送销号"));
        assert_eq!(
            w.get(&format!("/months/{MONTH}/briefing"), &head)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Closing before the month is over is refused on the page.
        let r = w
            .post_form(&format!("/months/{MONTH}/close"), &director, &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("month_not_over"));

        go_to(&w, "2026-12-01");
        // Sessions idle that long have ended: sign in again.
        let director = w.login("director").await;
        let head = w.login("head_a").await;
        // The highlight: the signed-off key task is a candidate; a citation is required.
        let b = w.get(&format!("/months/{MONTH}/briefing"), &director).await;
        assert!(b.body.contains("id=\"highlight-candidates\""), "{}", b.body);
        let r = w
            .post_form(
                &format!("/months/{MONTH}/highlights"),
                &director,
                &[("task_id", &c.task_a.to_string()), ("citation", " ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = w
            .post_form(
                &format!("/months/{MONTH}/highlights"),
                &director,
                &[
                    ("task_id", &c.task_a.to_string()),
                    ("citation", "提前完成征收交地"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The meeting: a day in the future is refused and the typed analysis kept.
        let r = w
            .post_form(
                &format!("/months/{MONTH}/meeting"),
                &director,
                &[
                    ("held_on", "2026-12-09"),
                    ("analysis", "总体推进有序"),
                    ("dispatch", "结转事项优先安排"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(">总体推进有序</textarea>"));
        let r = w
            .post_form(
                &format!("/months/{MONTH}/meeting"),
                &director,
                &[
                    ("held_on", "2026-12-01"),
                    ("analysis", "总体推进有序"),
                    ("dispatch", "结转事项优先安排"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The bulletin: a document number is required.
        let r = w
            .post_form(
                &format!("/months/{MONTH}/bulletin"),
                &director,
                &[("doc_number", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = w
            .post_form(
                &format!("/months/{MONTH}/bulletin"),
                &director,
                &[("doc_number", "测高预安〔2026〕11号")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let bulletin = first_id(&r.location, "/bulletins/");
        let page = w.get(&format!("/bulletins/{bulletin}"), &director).await;
        assert!(page.body.contains("测高预安〔2026〕11号"));
        assert!(page.body.contains("提前完成征收交地"));
        assert!(page.body.contains("总体推进有序"));
        assert!(page.body.contains("银行") || page.body.contains("未报送销号"));
        // A draft is for the reviewers: the unit head neither lists nor opens it.
        assert_eq!(
            w.get(&format!("/bulletins/{bulletin}"), &head).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            !w.get("/bulletins", &head)
                .await
                .body
                .contains("测高预安〔2026〕11号")
        );
        // The DOCX is a Word document with the title; the XLSX a workbook.
        let docx = w
            .get(&format!("/bulletins/{bulletin}/docx"), &director)
            .await;
        assert_eq!(docx.status, StatusCode::OK);
        assert!(docx.content_type.contains("wordprocessingml"));
        assert!(docx.disposition.contains(".docx"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes.clone())).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("测高预安〔2026〕11号"));
        assert!(xml.contains("提前完成征收交地"));
        let xlsx = w
            .get(&format!("/bulletins/{bulletin}/xlsx"), &director)
            .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.content_type.contains("spreadsheetml"));
        assert_eq!(&xlsx.bytes[..2], b"PK");
        // Not before the month is closed: the page says so and the publication is refused.
        let page = w.get(&format!("/bulletins/{bulletin}"), &director).await;
        assert!(page.body.contains("id=\"bulletin-wait-close\""));
        assert!(!page.body.contains("id=\"publish-bulletin-form\""));
        let r = w
            .post_form(&format!("/bulletins/{bulletin}/publish"), &director, &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("本月尚未关账，通报不能印发"), "{}", r.body);
        assert_eq!(
            w.get(&format!("/bulletins/{bulletin}"), &head).await.status,
            StatusCode::FORBIDDEN
        );
        // The close: a unit head may not; the director does; the month page says so.
        assert_eq!(
            w.post_form(&format!("/months/{MONTH}/close"), &head, &[])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = w
            .post_form(&format!("/months/{MONTH}/close"), &director, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location.ends_with("ok=close.done"), "{}", r.location);
        let m = w.get(&r.location, &director).await;
        assert!(m.body.contains("data-phase=\"closed\""));
        assert!(m.body.contains("未完成事项已转入下月"));
        // Task B continues in December, one month overdue, with its chain.
        let d = w.t.app.get_task(Caller::System, c.task_b).await.unwrap();
        assert_eq!(d.task.status, "carried_over");
        let next =
            w.t.app
                .list_tasks(
                    Caller::System,
                    w.t.org,
                    &app::model::TaskFilter {
                        month: Some("2026-12".into()),
                        unit_id: None,
                        ..Default::default()
                    },
                    domain::page::PageRequest::new(Some(1), Some(50)),
                )
                .await
                .unwrap();
        let carried = next
            .items
            .iter()
            .find(|t| t.carried_from_id == Some(c.task_b))
            .expect("carried into December");
        assert_eq!(carried.months_overdue, 1);
        let page = w.get(&format!("/tasks/{}", carried.id), &director).await;
        assert!(page.body.contains("id=\"chain\""));
        // The briefing of a closed month shows frozen figures and no close button.
        let b = w.get(&format!("/months/{MONTH}/briefing"), &director).await;
        assert!(b.body.contains("id=\"figures-frozen\""));
        assert!(!b.body.contains("id=\"close-form\""));
        let again = w
            .post_form(&format!("/months/{MONTH}/close"), &director, &[])
            .await;
        assert!(again.location.ends_with("ok=close.already"));
        // After the close the draft is regenerated, then published.
        let b = w.get(&format!("/months/{MONTH}/briefing"), &director).await;
        assert!(b.body.contains("id=\"bulletin-form\""));
        let r = w
            .post_form(
                &format!("/months/{MONTH}/bulletin"),
                &director,
                &[("doc_number", "测高预安〔2026〕11号")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(first_id(&r.location, "/bulletins/"), bulletin);
        let page = w.get(&format!("/bulletins/{bulletin}"), &director).await;
        assert!(page.body.contains("id=\"publish-bulletin-form\""));
        assert!(!page.body.contains("id=\"bulletin-wait-close\""));
        // Published, it is everyone's; it cannot be generated again.
        let r = w
            .post_form(&format!("/bulletins/{bulletin}/publish"), &director, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            w.get(&format!("/bulletins/{bulletin}"), &head).await.status,
            StatusCode::OK
        );
        assert!(
            w.get("/bulletins", &head)
                .await
                .body
                .contains("测高预安〔2026〕11号")
        );
        // The published DOCX carries the ledger's checkpoint under the page number.
        let docx = w
            .get(&format!("/bulletins/{bulletin}/docx"), &director)
            .await;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes)).unwrap();
        let mut footer = String::new();
        zip.by_name("word/footer1.xml")
            .unwrap()
            .read_to_string(&mut footer)
            .unwrap();
        let line = footer
            .split("审计日志校验点：")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .expect("the checkpoint in the footer");
        let cp = domain::audit::Checkpoint::parse(line).expect("a checkpoint line");
        let key = domain::audit::AuditKey::from_hex(app::testing::TEST_AUDIT_KEY).unwrap();
        assert!(cp.genuine(&key), "{line}");
        let r = w
            .post_form(
                &format!("/months/{MONTH}/bulletin"),
                &director,
                &[("doc_number", "测高预安〔2026〕12号")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("bulletin_published"));
        // Now the unit sees the opinions on its task.
        let page = w.get(&format!("/tasks/{}", c.task_a), &head).await;
        assert!(page.body.contains("id=\"opinions\""));

        let _ = c.unit_a;
    }
);

web_test!(the_review_rule_is_set_on_its_page, |w| {
    cast(&w).await;
    let admin = w.login("admin").await;
    let page = w.get("/settings/review", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"3\""));
    for bad in ["0", "4", "abc"] {
        let r = w
            .post_form("/settings/review", &admin, &[("required_approvals", bad)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.body.contains("has-error"), "{bad}");
    }
    let r = w
        .post_form("/settings/review", &admin, &[("required_approvals", "2")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        w.get("/settings/review", &admin)
            .await
            .body
            .contains("value=\"2\"")
    );
    let head = w.login("head_a").await;
    assert_eq!(
        w.post_form("/settings/review", &head, &[("required_approvals", "1")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
});

web_test!(sign_off_through_the_api, |w| {
    let c = cast(&w).await;
    go_to(&w, "2026-11-21");
    let head = w.token("head_a").await;
    let path = format!("/api/v1/tasks/{}/sign-off", c.task_a);
    // Bad input names the field.
    let r = w
        .api("POST", &path, &head, Some(r#"{"kind": "sideways"}"#))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "kind");
    let r = w
        .api(
            "POST",
            &path,
            &head,
            Some(r#"{"kind": "complete", "completion": "完成", "files": [{"name": "a.pdf", "content_base64": "%%"}]}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "files[0].content_base64"
    );
    // Without a report, the draft from the progress log is taken.
    let r = w
        .api(
            "POST",
            &path,
            &head,
            Some(r#"{"kind": "complete", "completion": "征收全部完成", "completed_on": "2026-11-19", "files": [{"name": "交地.pdf", "content_base64": "JVBERi0xLjQKJSVFT0YK"}]}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let j = r.json();
    assert_eq!(j["forms"][0]["status"], "submitted");
    assert!(
        j["forms"][0]["report"]
            .as_str()
            .unwrap()
            .contains("万达广场周边地块征收")
    );
    assert_eq!(j["files"][0]["name"], "交地.pdf");
    assert!(j["review"].is_null(), "the unit does not see the review");
    let form = j["forms"][0]["id"].as_i64().unwrap();

    for who in ["supervisor", "efficiency"] {
        let s = w.token(who).await;
        let r = w
            .api(
                "POST",
                &format!("/api/v1/sign-off-forms/{form}/opinions"),
                &s,
                Some(r#"{"verdict": "approve"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
    }
    let lead = w.token("leading").await;
    let decision = format!("/api/v1/sign-off-forms/{form}/decision");
    let r = w
        .api("POST", &decision, &lead, Some(r#"{"decision": "maybe"}"#))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "decision");
    let r = w
        .api(
            "POST",
            &decision,
            &lead,
            Some(r#"{"decision": "sign_off"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["code"],
        "not_enough_approvals"
    );
    let q = w
        .api(
            "GET",
            &format!("/api/v1/months/{MONTH}/review?status=submitted"),
            &lead,
            None,
        )
        .await;
    assert_eq!(q.status, StatusCode::OK);
    assert_eq!(q.json()["total"], 1);
    assert_eq!(q.json()["items"][0]["review"]["approvals"], 2);
    // A rule of two approvals lets it through.
    let admin = w.token("admin").await;
    let r = w
        .api(
            "PUT",
            "/api/v1/settings/review-rule",
            &admin,
            Some(r#"{"required_approvals": 2}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = w
        .api(
            "POST",
            &decision,
            &lead,
            Some(r#"{"decision": "sign_off"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["forms"][0]["status"], "signed_off");

    // Figures, then the close and the bulletin after the month.
    let f = w
        .api(
            "GET",
            &format!("/api/v1/months/{MONTH}/figures"),
            &head,
            None,
        )
        .await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.json()["total"]["planned"], 2);
    assert_eq!(f.json()["total"]["completion_permille"], 500);
    let director = w.token("director").await;
    let r = w
        .api(
            "POST",
            &format!("/api/v1/months/{MONTH}/close"),
            &director,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["code"], "month_not_over");
    go_to(&w, "2026-12-01");
    let r = w
        .api(
            "POST",
            &format!("/api/v1/months/{MONTH}/bulletin"),
            &director,
            Some(r#"{"doc_number": "测高预安〔2026〕11号"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let b = r.json();
    assert_eq!(b["status"], "draft");
    assert_eq!(b["total"]["signed_off"], 1);
    let bid = b["id"].as_i64().unwrap();
    // Publishing waits for the close.
    let publish = format!("/api/v1/bulletins/{bid}/publish");
    let r = w.api("POST", &publish, &director, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "month");
    assert_eq!(
        r.json()["error"]["fields"][0]["code"],
        "bulletin_before_close"
    );
    let list = w.api("GET", "/api/v1/bulletins", &head, None).await;
    assert_eq!(list.json()["total"], 0);
    let r = w
        .api(
            "POST",
            &format!("/api/v1/months/{MONTH}/close"),
            &director,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["carried_over"], 1);
    assert_eq!(r.json()["already_closed"], false);
    let r = w.api("POST", &publish, &director, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = w.api("GET", "/api/v1/bulletins", &head, None).await;
    assert_eq!(list.json()["total"], 1);
    // The OpenAPI document describes the sign-off paths.
    let doc = w.get("/api/openapi.json", &Session::default()).await.json();
    for p in [
        "/tasks/{id}/sign-off",
        "/sign-off-forms/{id}/opinions",
        "/sign-off-forms/{id}/decision",
        "/months/{month}/close",
        "/bulletins/{id}",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
});
