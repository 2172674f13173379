//! An authorization matrix over every GET operation of the JSON API, through HTTP in-process.
//! The operations come from the OpenAPI document: each must have a row here (a GET added later
//! without one fails the test). A row fills the operation's path (and, for a list, its query)
//! with objects of unit A, or objects staff of unit B must not see, and says what staff_b and
//! head_b (unit B) are to get: refused (403 or 404), not found (404, for the covert
//! inspection), or allowed (200) where the thing is the whole organization's. Every row is
//! called as every role of the cast and as nobody: no answer is a 5xx, nobody signed in gets
//! 401, the row's rightful reader gets 200 with what the row hides from unit B, and no 2xx body
//! to a role shows the texts that are not that role's to read (unit A's task-level texts, the
//! covert inspection, the confidential case, the draft bulletin). Runs on SQLite and, when
//! enabled, PostgreSQL.

mod common;

use std::collections::BTreeSet;

use app::Caller;
use app::testing::TEST_PASSWORD;
use axum::http::StatusCode;
use common::http::{Session, Web, web_test};
use domain::Role;
use domain::plan::TaskInput;
use serde_json::{Value, json};

const MONTH: &str = "2026-11";
/// `%PDF-1.4\n%%EOF\n`, base64-encoded: evidence every upload check accepts.
const PDF_BASE64: &str = "JVBERi0xLjQKJSVFT0YK";

// Texts written into unit A's objects, each found nowhere else, so that a body shows whether
// it reveals the object.
const TASK_A: &str = "万达广场周边地块征收";
const PROGRESS: &str = "甲单位进度密文已签约十八户";
const PROGRESS_FILE: &str = "甲单位签约台账密件.pdf";
const URGE: &str = "甲单位催办密文请加快进度";
/// The name of staff_a's own API token.
const TOKEN_NAME: &str = "甲单位专用同步令牌";
const COMPLETION: &str = "甲单位销号说明密文";
const SIGN_OFF_FILE: &str = "甲单位交地确认书密件.pdf";
const CHANGE: &str = "甲单位变更理由密文";
const OPEN_TITLE: &str = "甲单位公开督查征拆现场";
const OPEN_FINDING: &str = "甲单位公开督查发现台账不全";
const OPEN_FOLLOW_UP: &str = "甲单位公开督办补齐台账";
const COVERT_TITLE: &str = "暗访甲单位征拆工地密查";
const COVERT_FINDING: &str = "暗访发现台账系事后补记";
const COVERT_FILE: &str = "暗访现场照片密件.pdf";
const COVERT_FOLLOW_UP: &str = "暗访督办补齐原始台账";
const CASE_REASONS: &str = "移送问责理由密文";
const DRAFT_DOC: &str = "测高预安〔2026〕草稿密号";

/// Who may not read which texts: for each group of texts, the roles any of whose 2xx bodies
/// must not contain one of them, on any GET.
fn secrets() -> Vec<(&'static str, Vec<&'static str>, &'static [&'static str])> {
    vec![
        (
            "unit A's task-level texts",
            vec![
                PROGRESS,
                PROGRESS_FILE,
                URGE,
                COMPLETION,
                SIGN_OFF_FILE,
                CHANGE,
            ],
            &["staff_b", "head_b"],
        ),
        (
            "the covert inspection",
            vec![COVERT_TITLE, COVERT_FINDING, COVERT_FILE, COVERT_FOLLOW_UP],
            &[
                "staff_a",
                "head_a",
                "staff_b",
                "head_b",
                "discipline",
                "admin",
            ],
        ),
        (
            "staff_a's confidential case",
            vec![CASE_REASONS],
            &[
                "head_a",
                "staff_b",
                "head_b",
                "supervisor",
                "performance",
                "admin",
            ],
        ),
        (
            "the draft bulletin",
            vec![DRAFT_DOC],
            &["staff_a", "head_a", "staff_b", "head_b"],
        ),
    ]
}

/// Every role of the cast, signed in with an API token.
const ROLES: [&str; 9] = [
    "staff_a",
    "head_a",
    "staff_b",
    "head_b",
    "director",
    "supervisor",
    "performance",
    "discipline",
    "admin",
];

/// What a caller is to get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 200.
    Allowed,
    /// 403 or 404.
    Refused,
    /// 404 exactly: the thing does not exist for the caller.
    Hidden,
}

impl Expect {
    fn accepts(self, s: StatusCode) -> bool {
        match self {
            Expect::Allowed => s == StatusCode::OK,
            Expect::Refused => s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            Expect::Hidden => s == StatusCode::NOT_FOUND,
        }
    }
}

/// Something a body shows: a text, or an object somewhere in its JSON with `key` equal to a
/// value.
#[derive(Debug, Clone)]
enum Shows {
    Text(&'static str),
    Field(&'static str, Value),
}

impl Shows {
    /// Where the body shows it: the text itself, or the JSON pointer of the field.
    fn found_in(&self, body: &str) -> Option<String> {
        match self {
            Shows::Text(t) => body.contains(t).then(|| (*t).to_owned()),
            Shows::Field(key, want) => serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| field_at(&v, key, want, "")),
        }
    }
}

/// The JSON pointer of an object's `key` equal to `want`, anywhere in `v`.
fn field_at(v: &Value, key: &str, want: &Value, at: &str) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let here = format!("{at}/{k}");
            if k == key && x == want {
                Some(here)
            } else {
                field_at(x, key, want, &here)
            }
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| field_at(x, key, want, &format!("{at}/{i}"))),
        _ => None,
    }
}

/// One GET operation of the document, filled in.
struct Row {
    /// The operation's path as the document writes it.
    op: &'static str,
    /// The path called, relative to `/api/v1`, with its placeholders (and query) filled.
    path: String,
    /// A role entitled to it: answered 200, with everything in `hides`.
    reader: &'static str,
    /// What staff_b gets, and head_b alike (unit B's staff and head).
    staff_b: Expect,
    /// What the reader's answer shows and staff_b's and head_b's must not.
    hides: Vec<Shows>,
}

fn row(op: &'static str, path: impl Into<String>, reader: &'static str, b: Expect) -> Row {
    Row {
        op,
        path: path.into(),
        reader,
        staff_b: b,
        hides: Vec::new(),
    }
}

impl Row {
    fn hiding(mut self, s: Shows) -> Row {
        self.hides.push(s);
        self
    }
}

/// Every GET path of the OpenAPI document, as the document writes it (relative to its
/// server, `/api/v1`).
fn documented_gets(doc: &Value) -> BTreeSet<String> {
    doc["paths"]
        .as_object()
        .expect("the document has paths")
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(path, _)| path.clone())
        .collect()
}

/// POSTs `body` to `/api/v1{path}` as `who`, which must create something; returns the answer.
async fn post(w: &Web, who: &Session, path: &str, body: Value) -> Value {
    let r = w
        .api(
            "POST",
            &format!("/api/v1{path}"),
            who,
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "POST {path}: {}", r.body);
    r.json()
}

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no integer at {pointer} in {v}"))
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

/// The objects the rows are filled with.
struct World {
    unit_a: i64,
    staff_a: i64,
    child_org: i64,
    task_a: i64,
    progress_file: i64,
    coordination: i64,
    open_inspection: i64,
    covert: i64,
    covert_file: i64,
    covert_finding: i64,
    project: i64,
    publication: i64,
    display_token: String,
    sign_off_file: i64,
    bulletin: i64,
    confidential_case: i64,
}

/// Units A and B with a head and a staff member each (the staff member owns the unit's one
/// November task), the director, a supervisor, a performance officer, a discipline officer and
/// an administrator; an organization below the test one; a key project of unit A, which A's
/// task advances. On 2 November (in execution) A's task gets a progress report with evidence, a
/// change request, a coordination request (involving B), an urging by the supervisor (into
/// staff_a's inbox), an open inspection with a finding and a follow-up, and a covert one with a
/// finding (with evidence) and a follow-up, not published (both findings on the task and the
/// project); a display token is issued. On 21 November A's head submits the sign-off (with
/// evidence), left under review. On 2 December November's cards are published, the month is
/// closed (each unit's unsigned task a rectification order) and its bulletin drafted; staff_a
/// gets a confidential case, a referral of a task of May.
async fn world(w: &Web) -> World {
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
    t.person("supervisor", None, &[(Role::Supervisor, None)])
        .await;
    t.person("performance", None, &[(Role::PerformanceOfficer, None)])
        .await;
    t.person("discipline", None, &[(Role::DisciplineOfficer, None)])
        .await;
    t.person("admin", None, &[(Role::Admin, None)]).await;
    let out = t.app.login("staff_a", TEST_PASSWORD).await.unwrap();
    let signed_in = t
        .app
        .identify_session(&out.session_token)
        .await
        .unwrap()
        .unwrap();
    t.app
        .create_own_api_token(&signed_in, TOKEN_NAME, Some(30))
        .await
        .unwrap();
    let staff_a = staff_a.actor.person_id.0;
    let admin = w.token("admin").await;
    let director = w.token("director").await;
    let supervisor = w.token("supervisor").await;
    let head_a = w.token("head_a").await;
    let staff_a_api = w.token("staff_a").await;

    // Unit A's key project, which its task advances.
    let project = post(
        w,
        &director,
        "/projects",
        json!({
            "name": "万达广场", "unit_id": unit_a,
            "start_on": "2026-03-01", "end_on": "2027-12-31"
        }),
    )
    .await;
    let project = int(&project, "/id");
    let item = |title: &str, owner: i64, project: Option<i64>| TaskInput {
        title: title.into(),
        content: "按周调度".into(),
        criterion: "完成签约并交地".into(),
        deadline: "2026-11-20".into(),
        owner_id: Some(owner),
        is_key_work: true,
        key_project_id: project,
        ..Default::default()
    };
    let task_a = t
        .app
        .add_assigned_item(
            Caller::System,
            t.org,
            MONTH,
            unit_a,
            &item(TASK_A, staff_a, Some(project)),
        )
        .await
        .unwrap();
    t.app
        .add_assigned_item(
            Caller::System,
            t.org,
            MONTH,
            unit_b,
            &item("重点项目融资落地", staff_b.actor.person_id.0, None),
        )
        .await
        .unwrap();
    t.app
        .arrange_month(Caller::System, t.org, MONTH)
        .await
        .unwrap();

    let child = post(
        w,
        &admin,
        "/organizations",
        json!({"name": "高新区", "code": "zone", "parent_id": t.org}),
    )
    .await;
    let report = post(
        w,
        &staff_a_api,
        &format!("/tasks/{task_a}/progress"),
        json!({
            "percent": 60, "narrative": PROGRESS,
            "files": [{"name": PROGRESS_FILE, "content_base64": PDF_BASE64}]
        }),
    )
    .await;
    post(
        w,
        &head_a,
        &format!("/tasks/{task_a}/change-requests"),
        json!({"kind": "redate", "deadline": "2026-11-27", "reason": CHANGE}),
    )
    .await;
    let coordination = post(
        w,
        &head_a,
        &format!("/tasks/{task_a}/coordination"),
        json!({
            "title": "征收资金拨付", "description": "需财政局协调拨付补偿资金",
            "involved_unit_ids": [unit_b]
        }),
    )
    .await;
    post(
        w,
        &supervisor,
        &format!("/tasks/{task_a}/urge"),
        json!({"message": URGE}),
    )
    .await;
    let open_inspection = post(
        w,
        &supervisor,
        "/inspections",
        json!({
            "kind": "scheduled", "mode": "open", "title": OPEN_TITLE,
            "planned_on": "2026-11-02", "inspected_unit_ids": [unit_a]
        }),
    )
    .await;
    let open_inspection = int(&open_inspection, "/id");
    let open_finding = post(
        w,
        &supervisor,
        &format!("/inspections/{open_inspection}/findings"),
        json!({
            "unit_id": unit_a, "task_id": task_a, "key_project_id": project,
            "severity": "general", "description": OPEN_FINDING
        }),
    )
    .await;
    let open_finding = int(&open_finding, "/finding_list/0/id");
    post(
        w,
        &supervisor,
        &format!("/findings/{open_finding}/follow-ups"),
        json!({"required_action": OPEN_FOLLOW_UP, "due_on": "2026-11-09"}),
    )
    .await;
    let covert = post(
        w,
        &supervisor,
        "/inspections",
        json!({
            "kind": "random", "mode": "covert", "title": COVERT_TITLE,
            "planned_on": "2026-11-02", "inspected_unit_ids": [unit_a]
        }),
    )
    .await;
    let covert = int(&covert, "/id");
    let finding = post(
        w,
        &supervisor,
        &format!("/inspections/{covert}/findings"),
        json!({
            "unit_id": unit_a, "task_id": task_a, "key_project_id": project,
            "severity": "serious", "description": COVERT_FINDING,
            "files": [{"name": COVERT_FILE, "content_base64": PDF_BASE64}]
        }),
    )
    .await;
    let covert_finding = int(&finding, "/finding_list/0/id");
    let covert_file = int(&finding, "/finding_list/0/files/0/id");
    post(
        w,
        &supervisor,
        &format!("/findings/{covert_finding}/follow-ups"),
        json!({"required_action": COVERT_FOLLOW_UP, "due_on": "2026-11-09"}),
    )
    .await;
    let token = post(w, &supervisor, "/display-tokens", json!({"name": "大厅屏"})).await;

    // ---- 21 November: A's head submits the sign-off ----
    go_to(w, "2026-11-21");
    let sign_off = post(
        w,
        &head_a,
        &format!("/tasks/{task_a}/sign-off"),
        json!({
            "kind": "complete", "completion": COMPLETION, "completed_on": "2026-11-19",
            "files": [{"name": SIGN_OFF_FILE, "content_base64": PDF_BASE64}]
        }),
    )
    .await;

    // ---- 2 December: November published, closed, its bulletin drafted ----
    go_to(w, "2026-12-02");
    let sys = Caller::System;
    t.app.confirm_all_cards(sys, t.org, MONTH).await.unwrap();
    let publication = t
        .app
        .publish_cards(sys, t.org, MONTH, "")
        .await
        .unwrap()
        .publication_id;
    t.app.close_month(sys, t.org, MONTH).await.unwrap();
    let director = w.token("director").await;
    let bulletin = post(
        w,
        &director,
        &format!("/months/{MONTH}/bulletin"),
        json!({"doc_number": DRAFT_DOC}),
    )
    .await;

    // staff_a's task of May, unfinished into June and beyond: referred, a confidential case.
    let draft = |month: &str| domain::plan::TaskDraft {
        title: format!("{month}的征收事项"),
        content: String::new(),
        criterion: "按期完成".into(),
        deadline: domain::plan::parse_date(&format!("{month}-20")).unwrap(),
        key_point_id: None,
        owner_id: Some(staff_a),
        post_id: None,
        leader_id: None,
        is_key_work: true,
        key_project_id: None,
    };
    let now = t.app.now();
    let mut tx = t.app.db().begin().await.unwrap();
    let mut ids = Vec::new();
    for (month, status) in [("2026-05", "carried_over"), ("2026-06", "carried_over")] {
        let d = draft(month);
        let new = store::plan::NewTask {
            org: t.org,
            month,
            unit_id: unit_a,
            draft: &d,
            is_assigned: false,
            status,
            carried_from_id: ids.first().copied(),
            months_overdue: i32::try_from(ids.len()).unwrap(),
            created_by: None,
        };
        ids.push(store::plan::insert_task(&mut tx, &new, now).await.unwrap());
    }
    store::history::insert_decided_case(
        &mut tx,
        ids[0],
        ids[1],
        "referral",
        3,
        "admonishment",
        CASE_REASONS,
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let discipline = w.token("discipline").await;
    let cases = w
        .api("GET", "/api/v1/cases?step=referral", &discipline, None)
        .await;
    assert_eq!(cases.status, StatusCode::OK, "{}", cases.body);
    let confidential_case = int(&cases.json(), "/items/0/id");

    World {
        unit_a,
        staff_a,
        child_org: int(&child, "/id"),
        task_a,
        progress_file: int(&report, "/files/0/id"),
        coordination: int(&coordination, "/id"),
        open_inspection,
        covert,
        covert_file,
        covert_finding,
        project,
        publication,
        display_token: token["token"]
            .as_str()
            .expect("the display token")
            .to_owned(),
        sign_off_file: int(&sign_off, "/files/0/id"),
        bulletin: int(&bulletin, "/id"),
        confidential_case,
    }
}

/// The matrix: one row per GET operation of the document.
fn rows(o: &World) -> Vec<Row> {
    use Expect::{Allowed, Hidden, Refused};
    let a = o.unit_a;
    let in_a = || Shows::Field("unit_id", json!(a));
    vec![
        // ---- the caller ----
        row("/me", "/me", "staff_a", Allowed),
        row(
            "/me/notification-preferences",
            "/me/notification-preferences",
            "staff_a",
            Allowed,
        ),
        row("/me/tokens", "/me/tokens", "staff_a", Allowed).hiding(Shows::Text(TOKEN_NAME)),
        row(
            "/people/{id}/tokens",
            format!("/people/{}/tokens", o.staff_a),
            "admin",
            Refused,
        )
        .hiding(Shows::Text(TOKEN_NAME)),
        row("/inbox", "/inbox?per_page=200", "staff_a", Allowed).hiding(Shows::Text(URGE)),
        row(
            "/inbox/unread-count",
            "/inbox/unread-count",
            "staff_a",
            Allowed,
        ),
        // ---- structure: the whole organization's ----
        // The list names only the organizations one may open: staff their own, the offices
        // and the leadership those below too (the next row refuses the one below to staff).
        row(
            "/organizations",
            "/organizations?per_page=200",
            "admin",
            Allowed,
        ),
        row(
            "/organizations/{id}",
            format!("/organizations/{}", o.child_org),
            "admin",
            Refused,
        ),
        row(
            "/organizations/{id}/password-policy",
            format!("/organizations/{}/password-policy", o.child_org),
            "admin",
            Refused,
        ),
        row("/units", "/units?per_page=200", "staff_b", Allowed),
        row("/units/{id}", format!("/units/{a}"), "head_a", Allowed),
        row(
            "/posts",
            format!("/posts?unit_id={a}&per_page=200"),
            "head_a",
            Allowed,
        ),
        row(
            "/people",
            format!("/people?unit_id={a}&per_page=200"),
            "head_a",
            Allowed,
        )
        .hiding(Shows::Field("username", json!("staff_a"))),
        row(
            "/people/{id}",
            format!("/people/{}", o.staff_a),
            "head_a",
            Refused,
        ),
        // The ledger is the administrator's, who is not to read the covert inspection (the
        // scan of every body holds it to that too).
        row("/audit", "/audit?per_page=200", "admin", Refused),
        // ---- the plan ----
        row(
            "/months/{month}",
            format!("/months/{MONTH}"),
            "director",
            Allowed,
        ),
        row(
            "/tasks",
            format!("/tasks?unit_id={a}&per_page=200"),
            "head_a",
            Allowed,
        )
        .hiding(in_a()),
        row(
            "/tasks/{id}",
            format!("/tasks/{}", o.task_a),
            "director",
            Refused,
        )
        .hiding(Shows::Text(PROGRESS)),
        row(
            "/plan-tables/{month}/units/{unit}",
            format!("/plan-tables/{MONTH}/units/{a}"),
            "head_a",
            Refused,
        )
        .hiding(Shows::Text(TASK_A)),
        row(
            "/key-points",
            "/key-points?per_page=200",
            "staff_b",
            Allowed,
        ),
        row(
            "/change-requests",
            "/change-requests?per_page=200",
            "director",
            Refused,
        )
        .hiding(Shows::Text(CHANGE)),
        // ---- supervision ----
        row(
            "/files/{id}",
            format!("/files/{}", o.progress_file),
            "staff_a",
            Refused,
        ),
        row(
            "/coordination",
            format!("/coordination?unit_id={a}&per_page=200"),
            "head_a",
            Allowed,
        ),
        // Coordination requests are the whole organization's ("everyone in the organization
        // sees it"); this one involves unit B.
        row(
            "/coordination/{id}",
            format!("/coordination/{}", o.coordination),
            "head_a",
            Allowed,
        ),
        row(
            "/inspections",
            "/inspections?per_page=200",
            "supervisor",
            Allowed,
        )
        .hiding(Shows::Text(OPEN_TITLE))
        .hiding(Shows::Text(COVERT_TITLE)),
        row(
            "/inspections/{id}",
            format!("/inspections/{}", o.covert),
            "supervisor",
            Hidden,
        )
        .hiding(Shows::Text(COVERT_FINDING)),
        row(
            "/findings",
            format!("/findings?task_id={}&per_page=200", o.task_a),
            "supervisor",
            Allowed,
        )
        .hiding(Shows::Text(OPEN_FINDING))
        .hiding(Shows::Text(COVERT_FINDING)),
        row(
            "/follow-ups",
            "/follow-ups?per_page=200",
            "supervisor",
            Allowed,
        )
        .hiding(Shows::Text(OPEN_FOLLOW_UP))
        .hiding(Shows::Text(COVERT_FOLLOW_UP))
        .hiding(Shows::Field("finding_id", json!(o.covert_finding))),
        // Key projects are public; their tasks and findings only as far as one sees units.
        row("/projects", "/projects?per_page=200", "staff_b", Allowed),
        row(
            "/projects/{id}",
            format!("/projects/{}", o.project),
            "supervisor",
            Allowed,
        )
        .hiding(Shows::Text(TASK_A))
        .hiding(Shows::Text(OPEN_FINDING))
        .hiding(Shows::Text(COVERT_FINDING)),
        row(
            "/months/{month}/cards",
            format!("/months/{MONTH}/cards?per_page=200"),
            "supervisor",
            Allowed,
        )
        .hiding(in_a()),
        // The publication (公示) is the whole organization's.
        row(
            "/publications",
            "/publications?per_page=200",
            "staff_b",
            Allowed,
        ),
        row(
            "/publications/{id}",
            format!("/publications/{}?per_page=200", o.publication),
            "staff_b",
            Allowed,
        ),
        row(
            "/warnings",
            format!("/warnings?person_id={}&year=2026&per_page=200", o.staff_a),
            "supervisor",
            Allowed,
        )
        .hiding(Shows::Field("person_id", json!(o.staff_a))),
        row("/card-rules", "/card-rules", "supervisor", Allowed),
        row("/display-tokens", "/display-tokens", "supervisor", Refused),
        // The display screen's data: opened with its token alone, no sign-in.
        row(
            "/board/{token}",
            format!("/board/{}", o.display_token),
            "director",
            Allowed,
        ),
        row(
            "/dashboard",
            format!("/dashboard?month={MONTH}"),
            "supervisor",
            Allowed,
        )
        .hiding(Shows::Field("subject_id", json!(o.task_a))),
        // ---- sign-off ----
        row(
            "/tasks/{id}/sign-off",
            format!("/tasks/{}/sign-off", o.task_a),
            "head_a",
            Refused,
        )
        .hiding(Shows::Text(COMPLETION)),
        row(
            "/months/{month}/review",
            format!("/months/{MONTH}/review?per_page=200"),
            "supervisor",
            Refused,
        )
        .hiding(Shows::Text(TASK_A)),
        row(
            "/months/{month}/figures",
            format!("/months/{MONTH}/figures"),
            "staff_b",
            Allowed,
        ),
        row("/bulletins", "/bulletins?per_page=200", "director", Allowed)
            .hiding(Shows::Text(DRAFT_DOC)),
        row(
            "/bulletins/{id}",
            format!("/bulletins/{}", o.bulletin),
            "director",
            Refused,
        )
        .hiding(Shows::Text(DRAFT_DOC)),
        row(
            "/settings/review-rule",
            "/settings/review-rule",
            "director",
            Refused,
        ),
        // ---- consequences ----
        row("/rules/{year}", "/rules/2026", "staff_b", Allowed),
        row(
            "/months/{month}/scores",
            format!("/months/{MONTH}/scores?per_page=200"),
            "supervisor",
            Refused,
        ),
        row(
            "/units/{id}/scores/{month}",
            format!("/units/{a}/scores/{MONTH}"),
            "head_a",
            Refused,
        ),
        row(
            "/scores/{year}",
            "/scores/2026?per_page=200",
            "supervisor",
            Refused,
        ),
        row(
            "/months/{month}/recompute",
            format!("/months/{MONTH}/recompute"),
            "performance",
            Refused,
        ),
        // The month's stars and the year's commendations are read by every member.
        row(
            "/months/{month}/awards",
            format!("/months/{MONTH}/awards"),
            "staff_b",
            Allowed,
        ),
        row("/awards/{year}", "/awards/2026", "staff_b", Allowed),
        row("/cases", "/cases?per_page=200", "discipline", Allowed)
            .hiding(in_a())
            .hiding(Shows::Text(CASE_REASONS)),
        row(
            "/cases/{id}",
            format!("/cases/{}", o.confidential_case),
            "discipline",
            Refused,
        )
        .hiding(Shows::Text(CASE_REASONS)),
        row(
            "/people/{id}/record",
            format!("/people/{}/record", o.staff_a),
            "staff_a",
            Refused,
        ),
        row(
            "/statistics",
            format!("/statistics?from={MONTH}&to={MONTH}&unit={a}"),
            "head_a",
            Refused,
        ),
        // ---- notifications ----
        row(
            "/tasks/{id}/urges",
            format!("/tasks/{}/urges", o.task_a),
            "staff_a",
            Refused,
        )
        .hiding(Shows::Text(URGE)),
        row(
            "/notification-channels",
            "/notification-channels",
            "admin",
            Refused,
        ),
        row("/deliveries", "/deliveries?per_page=200", "admin", Refused),
    ]
}

/// Further calls beyond unit B's column, on what is not even all of unit A's to read (the
/// covert inspection and its evidence, the referral, the record) and on what is: (caller,
/// path, expected).
fn extra_cases(o: &World) -> Vec<(&'static str, String, Expect)> {
    use Expect::{Allowed, Hidden, Refused};
    let covert = format!("/inspections/{}", o.covert);
    let covert_file = format!("/files/{}", o.covert_file);
    let case = format!("/cases/{}", o.confidential_case);
    let record = format!("/people/{}/record", o.staff_a);
    let person_stats = format!("/statistics?from={MONTH}&to={MONTH}&person={}", o.staff_a);
    let task = format!("/tasks/{}", o.task_a);
    let sign_off_file = format!("/files/{}", o.sign_off_file);
    let open = format!("/inspections/{}", o.open_inspection);
    vec![
        // The covert inspection does not exist for the inspected unit either, nor for anyone
        // outside the team and the director; its evidence neither.
        ("staff_a", covert.clone(), Hidden),
        ("head_a", covert.clone(), Hidden),
        ("discipline", covert.clone(), Hidden),
        ("admin", covert.clone(), Hidden),
        ("director", covert.clone(), Allowed),
        ("performance", covert, Allowed),
        ("staff_b", covert_file.clone(), Hidden),
        ("head_b", covert_file.clone(), Hidden),
        ("head_a", covert_file.clone(), Hidden),
        ("supervisor", covert_file, Allowed),
        // The open inspection of unit A is A's, not B's.
        ("head_a", open.clone(), Allowed),
        ("staff_b", open.clone(), Refused),
        ("head_b", open, Refused),
        // A referral is confidential: not even the unit's head reads it.
        ("head_a", case.clone(), Refused),
        ("supervisor", case.clone(), Refused),
        ("staff_a", case.clone(), Allowed),
        ("director", case, Allowed),
        // A person's record: the person and the director.
        ("head_a", record.clone(), Refused),
        ("discipline", record.clone(), Refused),
        ("director", record, Allowed),
        // A person's statistics: the person and the offices.
        ("staff_b", person_stats.clone(), Refused),
        ("head_b", person_stats.clone(), Refused),
        ("staff_a", person_stats, Allowed),
        // The task and its sign-off evidence: unit A and the offices.
        ("head_a", task.clone(), Allowed),
        ("staff_a", task.clone(), Allowed),
        ("supervisor", task, Allowed),
        ("staff_b", sign_off_file.clone(), Refused),
        ("head_b", sign_off_file.clone(), Refused),
        ("head_a", sign_off_file, Allowed),
    ]
}

fn shown(body: &str) -> String {
    body.chars().take(300).collect()
}

web_test!(every_get_refuses_unit_b_what_is_unit_a_s, |w| {
    let o = world(&w).await;
    let rows = rows(&o);
    let extras = extra_cases(&o);

    // The rows cover exactly the document's GET operations, once each.
    let doc = w.get("/api/openapi.json", &Session::default()).await;
    assert_eq!(doc.status, StatusCode::OK, "the OpenAPI document");
    let documented = documented_gets(&doc.json());
    let mut covered = BTreeSet::new();
    for r in &rows {
        assert!(covered.insert(r.op.to_owned()), "{} has two rows", r.op);
        assert!(
            r.path.starts_with('/') && !r.path.contains('{'),
            "{} is not filled in: {}",
            r.op,
            r.path
        );
    }
    let uncovered: Vec<_> = documented.difference(&covered).collect();
    let undocumented: Vec<_> = covered.difference(&documented).collect();
    assert!(
        uncovered.is_empty() && undocumented.is_empty(),
        "GET operations of the document without a row here: {uncovered:?}; \
         rows here for no GET of the document: {undocumented:?}"
    );
    assert!(documented.len() >= 50, "the document lists its GETs");

    let mut sessions = Vec::new();
    for who in ROLES {
        sessions.push((who, w.token(who).await));
    }
    let secrets = secrets();
    let mut problems: Vec<String> = Vec::new();
    let mut calls = 0usize;
    // Whatever a role gets, no body it is given shows what is not its to read.
    let scan = |who: &str, path: &str, status: StatusCode, body: &str, out: &mut Vec<String>| {
        if !status.is_success() {
            return;
        }
        for (what, texts, not_for) in &secrets {
            if !not_for.contains(&who) {
                continue;
            }
            for t in texts {
                if body.contains(t) {
                    out.push(format!(
                        "{who} GET {path}: {status} shows {what} ({t:?}): {}",
                        shown(body)
                    ));
                }
            }
        }
    };

    for r in &rows {
        let uri = format!("/api/v1{}", r.path);
        // Nobody signed in: 401, but for the display screen's board.
        let anon = w.api("GET", &uri, &Session::default(), None).await;
        calls += 1;
        let want_anon = if r.op == "/board/{token}" {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        if anon.status != want_anon {
            problems.push(format!(
                "nobody GET {}: {} instead of {want_anon}",
                r.path, anon.status
            ));
        }
        let mut line = format!("{:<34} nobody={}", r.op, anon.status.as_u16());
        for (who, session) in &sessions {
            let res = w.api("GET", &uri, session, None).await;
            calls += 1;
            let status = res.status;
            line.push_str(&format!(" {who}={}", status.as_u16()));
            if status.is_server_error() {
                problems.push(format!(
                    "{who} GET {}: {status}: {}",
                    r.path,
                    shown(&res.body)
                ));
                continue;
            }
            if *who == r.reader {
                if status != StatusCode::OK {
                    problems.push(format!(
                        "{who} (the row's reader) GET {}: {status} instead of 200: {}",
                        r.path,
                        shown(&res.body)
                    ));
                }
                for h in &r.hides {
                    if h.found_in(&res.body).is_none() {
                        problems.push(format!(
                            "{who} (the row's reader) GET {}: the answer does not show {h:?}, \
                             so the row proves nothing: {}",
                            r.path,
                            shown(&res.body)
                        ));
                    }
                }
            }
            if ["staff_b", "head_b"].contains(who) {
                let want = r.staff_b;
                if !want.accepts(status) {
                    problems.push(format!(
                        "{who} GET {}: {status}, expected {want:?}: {}",
                        r.path,
                        shown(&res.body)
                    ));
                }
                if status.is_success() {
                    for h in &r.hides {
                        if let Some(at) = h.found_in(&res.body) {
                            problems.push(format!(
                                "{who} GET {}: {status} shows {h:?} at {at}: {}",
                                r.path,
                                shown(&res.body)
                            ));
                        }
                    }
                }
            }
            scan(who, &r.path, status, &res.body, &mut problems);
        }
        eprintln!("{line}");
    }
    let matrix_calls = calls;

    let by_name = |who: &str| {
        sessions
            .iter()
            .find(|(n, _)| *n == who)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no session of {who}"))
    };
    for (who, path, want) in &extras {
        let res = w
            .api("GET", &format!("/api/v1{path}"), &by_name(who), None)
            .await;
        calls += 1;
        if !want.accepts(res.status) {
            problems.push(format!(
                "{who} GET {path}: {}, expected {want:?}: {}",
                res.status,
                shown(&res.body)
            ));
        }
        scan(who, path, res.status, &res.body, &mut problems);
    }

    // The organization's statistics are every member's, but the number held accountable is
    // confidential: the discipline office's and the director's (staff_a's referral counts).
    let period = "/api/v1/statistics?from=2026-05&to=2026-11";
    for who in [
        "staff_a",
        "head_a",
        "staff_b",
        "head_b",
        "supervisor",
        "admin",
    ] {
        let r = w.api("GET", period, &by_name(who), None).await;
        calls += 1;
        let accountable = serde_json::from_str::<Value>(&r.body).map(|j| j["accountable"].clone());
        if r.status != StatusCode::OK || !matches!(accountable, Ok(Value::Null)) {
            problems.push(format!(
                "{who} GET {period}: {}, accountable {accountable:?} (expected 200 without it)",
                r.status
            ));
        }
    }
    for who in ["director", "discipline"] {
        let r = w.api("GET", period, &by_name(who), None).await;
        calls += 1;
        let n = serde_json::from_str::<Value>(&r.body).map(|j| j["accountable"].as_i64());
        if r.status != StatusCode::OK || !matches!(n, Ok(Some(n)) if n >= 1) {
            problems.push(format!(
                "{who} GET {period}: {}, accountable {n:?} (expected 200 with at least 1)",
                r.status
            ));
        }
    }

    // The checks above must be able to fail: the scan sees a secret in a body it is shown.
    let mut probe = Vec::new();
    scan(
        "staff_b",
        "/probe",
        StatusCode::OK,
        &format!("{{\"x\":\"{PROGRESS}\"}}"),
        &mut probe,
    );
    assert_eq!(probe.len(), 1, "the scan finds a secret");
    assert_eq!(
        Shows::Field("unit_id", json!(o.unit_a))
            .found_in(&format!("{{\"items\":[{{\"unit_id\":{}}}]}}", o.unit_a))
            .as_deref(),
        Some("/items/0/unit_id")
    );
    assert!(
        !Expect::Refused.accepts(StatusCode::OK) && !Expect::Hidden.accepts(StatusCode::FORBIDDEN)
    );

    eprintln!(
        "authz matrix: {} GET operations, {} rows × {} callers ({} roles and nobody) = \
         {matrix_calls} cases, + {} further cases = {calls} cases",
        documented.len(),
        rows.len(),
        ROLES.len() + 1,
        ROLES.len(),
        calls - matrix_calls
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
});
