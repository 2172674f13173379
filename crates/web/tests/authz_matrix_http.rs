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
        row("/me/totp", "/me/totp", "staff_a", Allowed),
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
        row(
            "/organizations/{id}/totp-policy",
            format!("/organizations/{}/totp-policy", o.child_org),
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
    // Every answer of the matrix is held to the document: its status documented for the
    // operation, its body of the documented shape.
    let contract = common::openapi::Contract::new(doc.json());
    let mut off_contract: Vec<String> = Vec::new();
    let mut checked = 0usize;
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
        checked += 1;
        off_contract.extend(contract.violations("get", r.op, anon.status.as_u16(), &anon.body));
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
            checked += 1;
            off_contract.extend(contract.violations("get", r.op, status.as_u16(), &res.body));
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
        if let Some(op) = contract.template_of("get", path) {
            checked += 1;
            off_contract.extend(contract.violations("get", &op, res.status.as_u16(), &res.body));
        }
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
    // The contract check can fail: a body with a property the document does not name.
    assert!(
        !contract
            .violations("get", "/me", 200, r#"{"undocumented_field": 1}"#)
            .is_empty()
    );
    off_contract.sort();
    off_contract.dedup();
    eprintln!(
        "openapi contract: {checked} answers checked, {} violations",
        off_contract.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        off_contract.is_empty(),
        "{} answers the document does not describe:\n{}",
        off_contract.len(),
        off_contract.join("\n")
    );
});

// ---- the pages and the writes -------------------------------------------------------------

/// How a page or a write is called in the pages' matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// A page: 200 for its reader; unit B gets what the row says.
    Read(Expect),
    /// A page for everyone, or the caller's own (sign-in, language, the account): any answer
    /// but a 5xx, and the scan for what the caller may not read.
    Open,
    /// A write of unit A's objects (or of what unit B's staff and head may not do): refused to
    /// them (403 or 404) whatever the form holds, before any validation (never 422).
    Write,
    /// A write of the caller's own things: any answer but a 5xx.
    OwnWrite,
    /// An event stream: its status only.
    Stream,
}

/// One route of the pages' router, filled in: (route as the router writes it, GET or POST,
/// path called, reader, expectation, texts the reader's page shows and unit B's must not).
struct PageRow {
    route: &'static str,
    post: bool,
    path: String,
    reader: &'static str,
    expect: Page,
    hides: Vec<&'static str>,
    /// A multipart form (the uploads and the evidence forms).
    multipart: bool,
}

fn get_row(route: &'static str, path: impl Into<String>, reader: &'static str, e: Page) -> PageRow {
    PageRow {
        route,
        post: false,
        path: path.into(),
        reader,
        expect: e,
        hides: vec![],
        multipart: false,
    }
}

fn post_row(route: &'static str, path: impl Into<String>, e: Page) -> PageRow {
    PageRow {
        route,
        post: true,
        path: path.into(),
        reader: "",
        expect: e,
        hides: vec![],
        multipart: false,
    }
}

impl PageRow {
    fn hiding(mut self, t: &'static str) -> PageRow {
        self.hides.push(t);
        self
    }
    fn multipart(mut self) -> PageRow {
        self.multipart = true;
        self
    }
}

/// Objects of the world the API gives no handle to, found by their parent.
struct More {
    open_finding: i64,
    open_follow_up: i64,
    covert_follow_up: i64,
    sign_off_form: i64,
    card: i64,
    change_request: i64,
    notification: i64,
    role: i64,
    api_token: i64,
    display: i64,
    post: i64,
    milestone: i64,
    key_point: i64,
}

async fn more(w: &Web, o: &World) -> More {
    let db = w.t.app.db();
    let first = |v: Vec<i64>, what: &str| *v.first().unwrap_or_else(|| panic!("no {what}"));
    let ids = |table: &'static str, column: &'static str, value: i64| async move {
        store::testing::ids_where(db, table, column, value)
            .await
            .unwrap()
    };
    let open_finding = first(
        ids("findings", "inspection_id", o.open_inspection).await,
        "open finding",
    );
    let director = w.token("director").await;
    let milestone = post(
        w,
        &director,
        &format!("/projects/{}/milestones", o.project),
        json!({"title": "完成征收", "due_on": "2026-12-20"}),
    )
    .await;
    let key_point = post(
        w,
        &director,
        "/key-points",
        json!({"year": 2026, "title": "征拆攻坚"}),
    )
    .await;
    let post_id =
        w.t.app
            .create_post(
                Caller::System,
                w.t.org,
                &domain::org::PostInput {
                    unit_id: Some(domain::UnitId(o.unit_a)),
                    name: "征收专员".into(),
                },
            )
            .await
            .unwrap();
    More {
        open_finding,
        open_follow_up: first(
            ids("follow_ups", "finding_id", open_finding).await,
            "open follow-up",
        ),
        covert_follow_up: first(
            ids("follow_ups", "finding_id", o.covert_finding).await,
            "covert follow-up",
        ),
        sign_off_form: first(
            ids("sign_off_forms", "task_id", o.task_a).await,
            "sign-off form",
        ),
        card: first(ids("cards", "unit_id", o.unit_a).await, "card"),
        change_request: first(
            ids("change_requests", "task_id", o.task_a).await,
            "change request",
        ),
        notification: first(
            ids("notifications", "person_id", o.staff_a).await,
            "notification",
        ),
        role: first(
            ids("role_assignments", "person_id", o.staff_a).await,
            "role",
        ),
        api_token: first(ids("api_tokens", "person_id", o.staff_a).await, "api token"),
        display: first(
            ids("display_tokens", "organization_id", w.t.org).await,
            "display",
        ),
        post: post_id,
        milestone: int(&milestone, "/milestones/0/id"),
        key_point: int(&key_point, "/id"),
    }
}

/// The pages' matrix: every route of the pages' router, as a page (GET) or a write (POST).
fn page_rows(o: &World, m: &More) -> Vec<PageRow> {
    use Expect::{Allowed, Refused};
    use Page::{Open, OwnWrite, Read, Stream, Write};
    let (a, task, month) = (o.unit_a, o.task_a, MONTH);
    vec![
        // ---- the caller's own ----
        get_row("/", "/", "staff_a", Open),
        get_row("/healthz", "/healthz", "staff_a", Open),
        get_row("/login", "/login", "staff_a", Open),
        post_row("/login", "/login", OwnWrite),
        get_row("/login/totp", "/login/totp", "staff_a", Open),
        post_row("/login/totp", "/login/totp", OwnWrite),
        post_row("/logout", "/logout", OwnWrite),
        get_row("/lang/{lang}", "/lang/en?next=%2F", "staff_a", Open),
        get_row("/account/totp", "/account/totp", "staff_a", Read(Allowed)),
        post_row("/account/totp/begin", "/account/totp/begin", OwnWrite),
        post_row("/account/totp/confirm", "/account/totp/confirm", OwnWrite),
        post_row("/account/totp/disable", "/account/totp/disable", OwnWrite),
        get_row(
            "/account/tokens",
            "/account/tokens",
            "staff_a",
            Read(Allowed),
        )
        .hiding(TOKEN_NAME),
        post_row("/account/tokens", "/account/tokens", OwnWrite),
        post_row(
            "/api-tokens/{id}/revoke",
            format!("/api-tokens/{}/revoke", m.api_token),
            Write,
        ),
        get_row(
            "/account/password",
            "/account/password",
            "staff_a",
            Read(Allowed),
        ),
        post_row("/account/password", "/account/password", OwnWrite),
        get_row("/inbox", "/inbox", "staff_a", Read(Allowed)).hiding(URGE),
        post_row("/inbox/read-all", "/inbox/read-all", OwnWrite),
        get_row(
            "/inbox/preferences",
            "/inbox/preferences",
            "staff_a",
            Read(Allowed),
        ),
        post_row("/inbox/preferences", "/inbox/preferences", OwnWrite),
        post_row(
            "/inbox/{id}/open",
            format!("/inbox/{}/open", m.notification),
            Write,
        ),
        post_row(
            "/inbox/{id}/read",
            format!("/inbox/{}/read", m.notification),
            Write,
        ),
        // ---- structure and administration ----
        get_row("/organizations", "/organizations", "admin", Read(Refused)),
        post_row("/organizations", "/organizations", Write),
        get_row(
            "/organizations/{id}",
            format!("/organizations/{}", o.child_org),
            "admin",
            Read(Refused),
        ),
        post_row(
            "/organizations/{id}",
            format!("/organizations/{}", o.child_org),
            Write,
        ),
        post_row(
            "/organizations/{id}/disable",
            format!("/organizations/{}/disable", o.child_org),
            Write,
        ),
        post_row(
            "/organizations/{id}/enable",
            format!("/organizations/{}/enable", o.child_org),
            Write,
        ),
        get_row("/units", "/units", "staff_b", Read(Allowed)),
        post_row("/units", "/units", Write),
        get_row("/units/new", "/units/new", "admin", Read(Refused)),
        get_row(
            "/units/{id}",
            format!("/units/{a}"),
            "head_a",
            Read(Allowed),
        ),
        post_row("/units/{id}", format!("/units/{a}"), Write),
        get_row(
            "/units/{id}/edit",
            format!("/units/{a}/edit"),
            "admin",
            Read(Refused),
        ),
        post_row("/units/{id}/disable", format!("/units/{a}/disable"), Write),
        post_row("/units/{id}/enable", format!("/units/{a}/enable"), Write),
        post_row("/units/{id}/posts", format!("/units/{a}/posts"), Write),
        post_row("/posts/{id}", format!("/posts/{}", m.post), Write),
        post_row(
            "/posts/{id}/disable",
            format!("/posts/{}/disable", m.post),
            Write,
        ),
        post_row(
            "/posts/{id}/enable",
            format!("/posts/{}/enable", m.post),
            Write,
        ),
        get_row(
            "/people",
            format!("/people?unit={a}"),
            "head_a",
            Read(Allowed),
        ),
        post_row("/people", "/people", Write),
        get_row("/people/new", "/people/new", "admin", Read(Refused)),
        get_row(
            "/people/{id}",
            format!("/people/{}", o.staff_a),
            "head_a",
            Read(Refused),
        ),
        post_row("/people/{id}", format!("/people/{}", o.staff_a), Write),
        get_row(
            "/people/{id}/edit",
            format!("/people/{}/edit", o.staff_a),
            "admin",
            Read(Refused),
        ),
        post_row(
            "/people/{id}/disable",
            format!("/people/{}/disable", o.staff_a),
            Write,
        ),
        post_row(
            "/people/{id}/enable",
            format!("/people/{}/enable", o.staff_a),
            Write,
        ),
        post_row(
            "/people/{id}/reset-password",
            format!("/people/{}/reset-password", o.staff_a),
            Write,
        ),
        post_row(
            "/people/{id}/unlock",
            format!("/people/{}/unlock", o.staff_a),
            Write,
        ),
        post_row(
            "/people/{id}/roles",
            format!("/people/{}/roles", o.staff_a),
            Write,
        ),
        post_row(
            "/people/{id}/leader-units",
            format!("/people/{}/leader-units", o.staff_a),
            Write,
        ),
        post_row(
            "/people/{id}/totp/reset",
            format!("/people/{}/totp/reset", o.staff_a),
            Write,
        ),
        post_row(
            "/roles/{id}/delete",
            format!("/roles/{}/delete", m.role),
            Write,
        ),
        get_row("/audit", "/audit", "admin", Read(Refused)),
        get_row("/audit.xlsx", "/audit.xlsx", "admin", Read(Refused)),
        get_row("/admin/security", "/admin/security", "admin", Read(Refused)),
        post_row("/admin/security", "/admin/security", Write),
        post_row("/admin/security/totp", "/admin/security/totp", Write),
        get_row(
            "/admin/notifications",
            "/admin/notifications",
            "admin",
            Read(Refused),
        ),
        post_row(
            "/admin/notifications/settings",
            "/admin/notifications/settings",
            Write,
        ),
        post_row(
            "/admin/notifications/channels/{channel}",
            "/admin/notifications/channels/email",
            Write,
        ),
        post_row(
            "/admin/notifications/channels/{channel}/remove",
            "/admin/notifications/channels/email/remove",
            Write,
        ),
        post_row(
            "/admin/notifications/channels/{channel}/test",
            "/admin/notifications/channels/email/test",
            Write,
        ),
        post_row(
            "/admin/notifications/deliveries/{id}/retry",
            "/admin/notifications/deliveries/1/retry",
            Write,
        ),
        // ---- the plan ----
        get_row("/months", "/months", "staff_b", Open),
        get_row(
            "/months/{month}",
            format!("/months/{month}"),
            "staff_b",
            Read(Allowed),
        ),
        post_row(
            "/months/{month}/phase",
            format!("/months/{month}/phase"),
            Write,
        ),
        post_row(
            "/months/{month}/arrange",
            format!("/months/{month}/arrange"),
            Write,
        ),
        get_row(
            "/months/{month}/arrangement",
            format!("/months/{month}/arrangement"),
            "director",
            Read(Refused),
        ),
        post_row(
            "/months/{month}/assigned-items",
            format!("/months/{month}/assigned-items"),
            Write,
        ),
        get_row(
            "/months/{month}/units/{unit}",
            format!("/months/{month}/units/{a}"),
            "head_a",
            Read(Refused),
        )
        .hiding(TASK_A),
        post_row(
            "/months/{month}/units/{unit}/tasks",
            format!("/months/{month}/units/{a}/tasks"),
            Write,
        ),
        post_row(
            "/months/{month}/units/{unit}/import",
            format!("/months/{month}/units/{a}/import"),
            Write,
        )
        .multipart(),
        get_row(
            "/months/{month}/units/{unit}/table",
            format!("/months/{month}/units/{a}/table"),
            "head_a",
            Read(Refused),
        )
        .hiding(TASK_A),
        get_row(
            "/months/{month}/units/{unit}/table.xlsx",
            format!("/months/{month}/units/{a}/table.xlsx"),
            "head_a",
            Read(Refused),
        ),
        get_row(
            "/tasks/{id}",
            format!("/tasks/{task}"),
            "head_a",
            Read(Refused),
        )
        .hiding(PROGRESS),
        post_row("/tasks/{id}", format!("/tasks/{task}"), Write),
        post_row("/tasks/{id}/submit", format!("/tasks/{task}/submit"), Write),
        post_row("/tasks/{id}/review", format!("/tasks/{task}/review"), Write),
        post_row(
            "/tasks/{id}/decision",
            format!("/tasks/{task}/decision"),
            Write,
        ),
        post_row(
            "/tasks/{id}/change-requests",
            format!("/tasks/{task}/change-requests"),
            Write,
        ),
        get_row(
            "/change-requests",
            "/change-requests",
            "director",
            Read(Refused),
        ),
        post_row(
            "/change-requests/{id}/decision",
            format!("/change-requests/{}/decision", m.change_request),
            Write,
        ),
        post_row("/tasks/{id}/urge", format!("/tasks/{task}/urge"), Write),
        // ---- supervision ----
        post_row(
            "/tasks/{id}/progress",
            format!("/tasks/{task}/progress"),
            Write,
        )
        .multipart(),
        post_row(
            "/tasks/{id}/coordination",
            format!("/tasks/{task}/coordination"),
            Write,
        ),
        get_row(
            "/files/{id}",
            format!("/files/{}", o.progress_file),
            "head_a",
            Read(Refused),
        ),
        get_row("/coordination", "/coordination", "director", Read(Allowed)),
        get_row(
            "/coordination/{id}",
            format!("/coordination/{}", o.coordination),
            "head_a",
            Read(Allowed),
        ),
        // Unit B is named in the coordination request: it may propose (an empty form then
        // answers which field is missing).
        post_row(
            "/coordination/{id}/solutions",
            format!("/coordination/{}/solutions", o.coordination),
            OwnWrite,
        ),
        post_row(
            "/coordination/{id}/decision",
            format!("/coordination/{}/decision", o.coordination),
            Write,
        ),
        post_row(
            "/coordination/{id}/resolve",
            format!("/coordination/{}/resolve", o.coordination),
            Write,
        ),
        get_row("/inspections", "/inspections", "supervisor", Read(Allowed)),
        post_row("/inspections", "/inspections", Write),
        get_row(
            "/inspections/new",
            "/inspections/new",
            "supervisor",
            Read(Refused),
        ),
        get_row(
            "/inspections/{id}",
            format!("/inspections/{}", o.open_inspection),
            "head_a",
            Read(Refused),
        )
        .hiding(OPEN_FINDING),
        post_row(
            "/inspections/{id}/complete",
            format!("/inspections/{}/complete", o.open_inspection),
            Write,
        ),
        post_row(
            "/inspections/{id}/publish",
            format!("/inspections/{}/publish", o.open_inspection),
            Write,
        ),
        post_row(
            "/inspections/{id}/findings",
            format!("/inspections/{}/findings", o.open_inspection),
            Write,
        )
        .multipart(),
        post_row(
            "/findings/{id}/close",
            format!("/findings/{}/close", m.open_finding),
            Write,
        ),
        post_row(
            "/findings/{id}/follow-ups",
            format!("/findings/{}/follow-ups", m.open_finding),
            Write,
        ),
        post_row(
            "/follow-ups/{id}/respond",
            format!("/follow-ups/{}/respond", m.open_follow_up),
            Write,
        )
        .multipart(),
        post_row(
            "/follow-ups/{id}/verify",
            format!("/follow-ups/{}/verify", m.open_follow_up),
            Write,
        ),
        get_row("/follow-ups", "/follow-ups", "supervisor", Read(Allowed)),
        get_row("/projects", "/projects", "staff_b", Read(Allowed)),
        post_row("/projects", "/projects", Write),
        get_row(
            "/projects/{id}",
            format!("/projects/{}", o.project),
            "head_a",
            Read(Allowed),
        ),
        post_row("/projects/{id}", format!("/projects/{}", o.project), Write),
        post_row(
            "/projects/{id}/milestones",
            format!("/projects/{}/milestones", o.project),
            Write,
        ),
        post_row(
            "/projects/{id}/progress",
            format!("/projects/{}/progress", o.project),
            Write,
        ),
        post_row(
            "/milestones/{id}",
            format!("/milestones/{}", m.milestone),
            Write,
        ),
        get_row("/cards", "/cards", "staff_b", Open),
        get_row(
            "/months/{month}/cards",
            format!("/months/{month}/cards"),
            "staff_b",
            Read(Allowed),
        ),
        post_row(
            "/months/{month}/cards/refresh",
            format!("/months/{month}/cards/refresh"),
            Write,
        ),
        post_row(
            "/months/{month}/cards/confirm-all",
            format!("/months/{month}/cards/confirm-all"),
            Write,
        ),
        post_row(
            "/months/{month}/publish",
            format!("/months/{month}/publish"),
            Write,
        ),
        post_row(
            "/cards/{id}/judge",
            format!("/cards/{}/judge", m.card),
            Write,
        ),
        post_row(
            "/cards/{id}/concern",
            format!("/cards/{}/concern", m.card),
            Write,
        ),
        get_row("/publications", "/publications", "staff_b", Read(Allowed)),
        get_row(
            "/publications/{id}",
            format!("/publications/{}", o.publication),
            "staff_b",
            Read(Allowed),
        ),
        get_row("/warnings", "/warnings", "supervisor", Read(Allowed)),
        get_row(
            "/settings/cards",
            "/settings/cards",
            "supervisor",
            Read(Refused),
        ),
        post_row("/settings/cards", "/settings/cards", Write),
        get_row("/displays", "/displays", "supervisor", Read(Refused)),
        post_row("/displays", "/displays", Write),
        post_row(
            "/displays/{id}/revoke",
            format!("/displays/{}/revoke", m.display),
            Write,
        ),
        get_row(
            "/board/{token}",
            format!("/board/{}", o.display_token),
            "staff_b",
            Open,
        ),
        get_row(
            "/board/{token}/panels",
            format!("/board/{}/panels", o.display_token),
            "staff_b",
            Open,
        ),
        get_row(
            "/board/{token}/events",
            format!("/board/{}/events", o.display_token),
            "staff_b",
            Stream,
        ),
        get_row("/dashboard", "/dashboard", "supervisor", Read(Allowed)),
        get_row("/key-points", "/key-points", "staff_b", Read(Allowed)),
        post_row("/key-points", "/key-points", Write),
        post_row(
            "/key-points/{id}",
            format!("/key-points/{}", m.key_point),
            Write,
        ),
        post_row("/key-points/import", "/key-points/import", Write).multipart(),
        // ---- sign-off ----
        post_row(
            "/tasks/{id}/sign-off",
            format!("/tasks/{task}/sign-off"),
            Write,
        )
        .multipart(),
        post_row(
            "/sign-off-forms/{id}/opinions",
            format!("/sign-off-forms/{}/opinions", m.sign_off_form),
            Write,
        ),
        post_row(
            "/sign-off-forms/{id}/site-checks",
            format!("/sign-off-forms/{}/site-checks", m.sign_off_form),
            Write,
        )
        .multipart(),
        post_row(
            "/sign-off-forms/{id}/decision",
            format!("/sign-off-forms/{}/decision", m.sign_off_form),
            Write,
        ),
        get_row("/review", "/review", "supervisor", Open),
        get_row(
            "/months/{month}/review",
            format!("/months/{month}/review"),
            "supervisor",
            Read(Refused),
        ),
        get_row(
            "/months/{month}/briefing",
            format!("/months/{month}/briefing"),
            "director",
            Read(Refused),
        ),
        post_row(
            "/months/{month}/highlights",
            format!("/months/{month}/highlights"),
            Write,
        ),
        post_row(
            "/months/{month}/highlights/{id}/delete",
            format!("/months/{month}/highlights/1/delete"),
            Write,
        ),
        post_row(
            "/months/{month}/meeting",
            format!("/months/{month}/meeting"),
            Write,
        ),
        post_row(
            "/months/{month}/bulletin",
            format!("/months/{month}/bulletin"),
            Write,
        ),
        post_row(
            "/months/{month}/close",
            format!("/months/{month}/close"),
            Write,
        ),
        get_row("/bulletins", "/bulletins", "director", Read(Allowed)).hiding(DRAFT_DOC),
        get_row(
            "/bulletins/{id}",
            format!("/bulletins/{}", o.bulletin),
            "director",
            Read(Refused),
        )
        .hiding(DRAFT_DOC),
        post_row(
            "/bulletins/{id}/publish",
            format!("/bulletins/{}/publish", o.bulletin),
            Write,
        ),
        get_row(
            "/bulletins/{id}/docx",
            format!("/bulletins/{}/docx", o.bulletin),
            "director",
            Read(Refused),
        ),
        get_row(
            "/bulletins/{id}/xlsx",
            format!("/bulletins/{}/xlsx", o.bulletin),
            "director",
            Read(Refused),
        ),
        get_row(
            "/settings/review",
            "/settings/review",
            "director",
            Read(Refused),
        ),
        post_row("/settings/review", "/settings/review", Write),
        // ---- consequences ----
        get_row("/scores", "/scores", "staff_b", Open),
        get_row(
            "/scores/{year}",
            "/scores/2026",
            "performance",
            Read(Refused),
        ),
        get_row(
            "/months/{month}/scores",
            format!("/months/{month}/scores"),
            "performance",
            Read(Refused),
        ),
        get_row(
            "/units/{id}/scores/{month}",
            format!("/units/{a}/scores/{month}"),
            "head_a",
            Read(Refused),
        ),
        get_row(
            "/months/{month}/scores/recompute",
            format!("/months/{month}/scores/recompute"),
            "performance",
            Read(Refused),
        ),
        post_row(
            "/months/{month}/scores/recompute",
            format!("/months/{month}/scores/recompute"),
            Write,
        ),
        get_row("/rules", "/rules", "performance", Read(Allowed)),
        post_row("/rules", "/rules", Write),
        get_row(
            "/months/{month}/awards",
            format!("/months/{month}/awards"),
            "staff_b",
            Read(Allowed),
        ),
        post_row(
            "/months/{month}/awards",
            format!("/months/{month}/awards"),
            Write,
        ),
        get_row("/statistics", "/statistics", "staff_b", Read(Allowed)),
        get_row(
            "/statistics.xlsx",
            "/statistics.xlsx",
            "staff_b",
            Read(Allowed),
        ),
        get_row(
            "/people/{id}/record",
            format!("/people/{}/record", o.staff_a),
            "director",
            Read(Refused),
        ),
        get_row(
            "/people/{id}/record/{ext}",
            format!("/people/{}/record/xlsx", o.staff_a),
            "director",
            Read(Refused),
        ),
        get_row("/awards/{year}", "/awards/2026", "staff_b", Read(Allowed)),
        post_row("/awards/{year}", "/awards/2026", Write),
        get_row("/cases", "/cases", "discipline", Read(Allowed)),
        get_row(
            "/cases/{id}",
            format!("/cases/{}", o.confidential_case),
            "discipline",
            Read(Refused),
        )
        .hiding(CASE_REASONS),
        post_row(
            "/cases/{id}/decision",
            format!("/cases/{}/decision", o.confidential_case),
            Write,
        ),
    ]
}

/// The covert inspection does not exist for the inspected unit, to writes as to reads: (path,
/// multipart).
fn covert_writes(o: &World, m: &More) -> Vec<(String, bool)> {
    vec![
        (format!("/inspections/{}/complete", o.covert), false),
        (format!("/inspections/{}/publish", o.covert), false),
        (format!("/inspections/{}/findings", o.covert), true),
        (format!("/findings/{}/close", o.covert_finding), false),
        (format!("/findings/{}/follow-ups", o.covert_finding), false),
        (format!("/follow-ups/{}/respond", m.covert_follow_up), true),
        (format!("/follow-ups/{}/verify", m.covert_follow_up), false),
    ]
}

web_test!(
    every_page_and_every_write_refuses_unit_b_what_is_unit_a_s,
    |w| {
        let o = world(&w).await;
        let m = more(&w, &o).await;
        let rows = page_rows(&o, &m);

        // The rows cover exactly the pages' routes: each route once for GET or POST or both.
        let routes: BTreeSet<&str> = web::pages::paths().into_iter().collect();
        let covered: BTreeSet<&str> = rows.iter().map(|r| r.route).collect();
        let mut seen = BTreeSet::new();
        for r in &rows {
            assert!(
                seen.insert((r.route, r.post)),
                "{} {} has two rows",
                if r.post { "POST" } else { "GET" },
                r.route
            );
            assert!(
                !r.path.contains('{'),
                "{} is not filled in: {}",
                r.route,
                r.path
            );
        }
        let uncovered: Vec<_> = routes.difference(&covered).collect();
        let unrouted: Vec<_> = covered.difference(&routes).collect();
        assert!(
            uncovered.is_empty() && unrouted.is_empty(),
            "page routes without a row here: {uncovered:?}; rows here for no route: {unrouted:?}"
        );
        assert!(
            routes.len() >= 120,
            "the router lists its routes: {}",
            routes.len()
        );

        let mut sessions = Vec::new();
        for who in ROLES {
            sessions.push((who, w.login(who).await));
        }
        let by_name = |who: &str| {
            sessions
                .iter()
                .find(|(n, _)| *n == who)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| panic!("no session of {who}"))
        };
        let secrets = secrets();
        let mut problems: Vec<String> = Vec::new();
        let mut calls = 0usize;
        let scan =
            |who: &str, path: &str, status: StatusCode, body: &str, out: &mut Vec<String>| {
                if !status.is_success() {
                    return;
                }
                for (what, texts, not_for) in &secrets {
                    if !not_for.contains(&who) {
                        continue;
                    }
                    for t in texts {
                        if body.contains(t) {
                            out.push(format!("{who} GET {path}: {status} shows {what} ({t:?})"));
                        }
                    }
                }
            };

        // Every page as every role (a page is read, never written: the order does not matter).
        for r in rows.iter().filter(|r| !r.post) {
            let mut line = format!("{:<44}", r.route);
            for (who, s) in &sessions {
                calls += 1;
                let (status, body) = if r.expect == Page::Stream {
                    (w.open(&r.path, s).await.status(), String::new())
                } else {
                    let res = w.get(&r.path, s).await;
                    (res.status, res.body)
                };
                line.push_str(&format!(" {who}={}", status.as_u16()));
                if status.is_server_error() {
                    problems.push(format!("{who} GET {}: {status}", r.path));
                    continue;
                }
                if let Page::Read(b) = r.expect {
                    if *who == r.reader {
                        if status != StatusCode::OK {
                            problems.push(format!("{who} (the reader) GET {}: {status}", r.path));
                        }
                        for h in &r.hides {
                            if !body.contains(h) {
                                problems.push(format!(
                                "{who} (the reader) GET {}: the page does not show {h:?}, so the row proves nothing",
                                r.path
                            ));
                            }
                        }
                    }
                    if ["staff_b", "head_b"].contains(who) {
                        if !b.accepts(status) {
                            problems
                                .push(format!("{who} GET {}: {status}, expected {b:?}", r.path));
                        }
                        for h in r.hides.iter().filter(|_| status.is_success()) {
                            if body.contains(h) {
                                problems
                                    .push(format!("{who} GET {}: {status} shows {h:?}", r.path));
                            }
                        }
                    }
                }
                scan(who, &r.path, status, &body, &mut problems);
            }
            eprintln!("{line}");
        }
        let page_calls = calls;

        let before =
            w.t.app
                .get_task(Caller::System, o.task_a)
                .await
                .unwrap()
                .task;
        // Every write of unit A's objects as unit B's staff and head, with an empty form:
        // refused, never validated first. The caller's own writes answer no 5xx.
        let form = |path: &str, s: &Session, multipart: bool| {
            let path = path.to_owned();
            let s = s.clone();
            let w = &w;
            async move {
                if multipart {
                    w.post_multipart(&path, &s, &[], &[]).await
                } else {
                    w.post_form(&path, &s, &[]).await
                }
            }
        };
        // The caller's own writes come last: one of them signs the caller out.
        let mut writes: Vec<&PageRow> = rows.iter().filter(|r| r.post).collect();
        writes.sort_by_key(|r| r.expect == Page::OwnWrite);
        for r in writes {
            for who in ["staff_b", "head_b"] {
                let res = form(&r.path, &by_name(who), r.multipart).await;
                calls += 1;
                match r.expect {
                    Page::Write if !Expect::Refused.accepts(res.status) => problems.push(format!(
                        "{who} POST {}: {} (expected 403 or 404, before any validation): {}",
                        r.path,
                        res.status,
                        shown(&res.body)
                    )),
                    _ if res.status.is_server_error() => {
                        problems.push(format!("{who} POST {}: {}", r.path, res.status))
                    }
                    _ => {}
                }
            }
        }
        // The covert inspection answers 404 to the inspected unit's writes as to its reads.
        for (path, multipart) in covert_writes(&o, &m) {
            for who in ["staff_a", "head_a"] {
                let res = form(&path, &by_name(who), multipart).await;
                calls += 1;
                if res.status != StatusCode::NOT_FOUND {
                    problems.push(format!(
                        "{who} POST {path}: {} (expected 404: covert)",
                        res.status
                    ));
                }
            }
        }
        // The refusals left unit A's task as it was.
        let after =
            w.t.app
                .get_task(Caller::System, o.task_a)
                .await
                .unwrap()
                .task;
        assert_eq!(
            (after.status, after.version),
            (before.status, before.version),
            "no write of unit B's went through"
        );

        eprintln!(
            "authz matrix (pages): {} routes; {} page rows × {} roles = {page_calls} reads, \
         {} writes = {calls} cases",
            routes.len(),
            rows.iter().filter(|r| !r.post).count(),
            ROLES.len(),
            calls - page_calls
        );
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
);

// ---- a schema-driven fuzz of the whole API ------------------------------------------------

/// A small deterministic generator (xorshift64*): the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TEXTS: [&str; 8] = [
    "",
    " ",
    "征收",
    "2026-11",
    "2026-13",
    "'; DROP TABLE tasks; --",
    "<script>alert(1)</script>",
    "\u{0}\r\n",
];

/// A value for `schema`, mostly of its shape and sometimes not (a wrong type, a required
/// property left out, a value outside an enumeration), with ids from `ids`.
fn instance(
    c: &common::openapi::Contract,
    schema: &Value,
    rng: &mut Rng,
    ids: &[i64],
    depth: u32,
) -> Value {
    let mut s = schema;
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        match c.doc.pointer(r.trim_start_matches('#')) {
            Some(t) => s = t,
            None => return Value::Null,
        }
    }
    if rng.chance(4) {
        // The wrong type altogether.
        return rng
            .pick(&[
                json!(null),
                json!("x"),
                json!(-1),
                json!([]),
                json!({}),
                json!(true),
            ])
            .clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s
            .get(key)
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        {
            let alt = rng.pick(alts).clone();
            return instance(c, &alt, rng, ids, depth);
        }
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        let mut out = serde_json::Map::new();
        for p in parts {
            if let Value::Object(m) = instance(c, p, rng, ids, depth) {
                out.extend(m);
            }
        }
        return Value::Object(out);
    }
    if let Some(options) = s
        .get("enum")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    {
        return if rng.chance(10) {
            json!("not_an_option")
        } else {
            rng.pick(options).clone()
        };
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .get(rng.below(a.len()))
            .cloned()
            .unwrap_or_default(),
        _ if s.get("properties").is_some() => "object".into(),
        _ => String::new(),
    };
    match ty.as_str() {
        "object" if depth < 4 => {
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut out = serde_json::Map::new();
            for (k, ps) in s
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let need = required.contains(&k.as_str());
                if (need && !rng.chance(8)) || (!need && rng.chance(50)) {
                    out.insert(k.clone(), instance(c, ps, rng, ids, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" if depth < 4 => {
            let item = s.get("items").cloned().unwrap_or(json!({}));
            (0..rng.below(3))
                .map(|_| instance(c, &item, rng, ids, depth + 1))
                .collect()
        }
        "integer" | "number" => {
            let id = *rng.pick(ids);
            rng.pick(&[
                json!(id),
                json!(0),
                json!(1),
                json!(-1),
                json!(60),
                json!(101),
                json!(i64::MAX),
            ])
            .clone()
        }
        "boolean" => json!(rng.chance(50)),
        "string" => match s.get("format").and_then(Value::as_str) {
            Some("date") => rng
                .pick(&[
                    json!("2026-11-20"),
                    json!("2026-12-31"),
                    json!("2026-02-30"),
                    json!("x"),
                ])
                .clone(),
            Some("date-time") => rng
                .pick(&[json!("2026-11-02T09:00:00Z"), json!("yesterday")])
                .clone(),
            _ => {
                if rng.chance(10) {
                    json!("长".repeat(300))
                } else {
                    json!(rng.pick(&TEXTS))
                }
            }
        },
        "null" => Value::Null,
        _ => json!("x"),
    }
}

/// A path or query value for a parameter.
fn param_value(name: &str, schema: &Value, rng: &mut Rng, ids: &[i64], token: &str) -> String {
    if name == "token" && rng.chance(60) {
        return token.to_owned();
    }
    let ty = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string");
    let good = match (name, ty) {
        ("month" | "from" | "to", _) => rng.pick(&["2026-11", "2026-12", "2026-05"]).to_string(),
        ("year", _) => "2026".into(),
        ("per_page", _) => rng.pick(&["1", "50", "200"]).to_string(),
        (_, "integer") => rng.pick(ids).to_string(),
        (_, "boolean") => "true".into(),
        _ => rng.pick(&["x", "2026-11", "email", "red"]).to_string(),
    };
    if rng.chance(35) {
        rng.pick(&[
            "0",
            "-1",
            "abc",
            "99999999",
            "9223372036854775807",
            "2026-13",
            "%00",
            "1.5",
            "",
            "201",
        ])
        .to_string()
    } else {
        good
    }
}

web_test!(
    a_schema_driven_fuzz_of_the_api_finds_no_5xx_and_nothing_off_the_document,
    |w| {
        let o = world(&w).await;
        let doc = w.get("/api/openapi.json", &Session::default()).await.json();
        let contract = common::openapi::Contract::new(doc);
        let ids = [
            o.unit_a,
            o.staff_a,
            o.child_org,
            o.task_a,
            o.coordination,
            o.open_inspection,
            o.covert,
            o.covert_finding,
            o.project,
            o.publication,
            o.bulletin,
            o.confidential_case,
            o.progress_file,
            1,
            2,
            3,
        ];
        let mut person_of = std::collections::BTreeMap::new();
        for who in ["admin", "staff_b"] {
            let me = w
                .api("GET", "/api/v1/me", &w.token(who).await, None)
                .await
                .json();
            person_of.insert(who, me["id"].as_i64().expect("the caller's id"));
        }
        let mut callers = [
            ("admin", w.token("admin").await),
            ("staff_b", w.token("staff_b").await),
        ];
        // Cases per operation and caller; more with XIAOHAO_FUZZ_CASES for a longer hunt.
        let per_op: usize = std::env::var("XIAOHAO_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(6);
        let mut rng = Rng(0x5EED_CAFE_F00D_u64);
        let mut problems = Vec::new();
        let mut cases = 0usize;
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        let operations = contract.operations();
        assert!(
            operations.len() >= 140,
            "the document's operations: {}",
            operations.len()
        );
        for (method, template) in &operations {
            let op = contract
                .operation(method, template)
                .cloned()
                .unwrap_or_default();
            let params: Vec<Value> = op["parameters"].as_array().cloned().unwrap_or_default();
            let body_schema = op
                .pointer("/requestBody/content/application~1json/schema")
                .cloned();
            for (who, session) in callers.iter_mut() {
                for _ in 0..per_op {
                    let mut path = template.clone();
                    let mut query = Vec::new();
                    for p in &params {
                        let name = p["name"].as_str().unwrap_or_default();
                        let v = param_value(name, &p["schema"], &mut rng, &ids, &o.display_token);
                        match p["in"].as_str() {
                            Some("path") => {
                                let v = if v.is_empty() { "x".into() } else { v };
                                path = path
                                    .replace(&format!("{{{name}}}"), &common::http::url_encode(&v));
                            }
                            Some("query") if rng.chance(60) => {
                                query.push(format!("{name}={}", common::http::url_encode(&v)));
                            }
                            _ => {}
                        }
                    }
                    let uri = if query.is_empty() {
                        format!("/api/v1{path}")
                    } else {
                        format!("/api/v1{path}?{}", query.join("&"))
                    };
                    let body = body_schema.as_ref().map(|s| {
                        if rng.chance(5) {
                            "{not json".to_owned()
                        } else {
                            instance(&contract, s, &mut rng, &ids, 0).to_string()
                        }
                    });
                    let m = method.to_uppercase();
                    let res = w.api(&m, &uri, session, body.as_deref()).await;
                    cases += 1;
                    // A case that reset the caller's password or revoked their tokens: a new
                    // token, so that the next cases still reach past sign-in.
                    if res.status == StatusCode::UNAUTHORIZED {
                        // (A case may also have disabled the caller, or their organization.)
                        let _ =
                            w.t.app
                                .set_organization_disabled(Caller::System, w.t.org, false)
                                .await;
                        if let Some(id) = person_of.get(*who) {
                            let _ =
                                w.t.app
                                    .set_person_disabled(Caller::System, *id, false)
                                    .await;
                        }
                        *session = w.token(who).await;
                    }
                    *statuses.entry(res.status.as_u16()).or_default() += 1;
                    if res.status.is_server_error() {
                        problems.push(format!(
                            "{who} {m} {uri}: {}: {}",
                            res.status,
                            shown(&res.body)
                        ));
                        continue;
                    }
                    // No answer carries the database's own words (its message, its source
                    // file and line, the driver's name).
                    for marker in [
                        "SQLSTATE",
                        "sqlx",
                        "postgres",
                        "sqlite",
                        ".c:",
                        "syntax error",
                        "violates",
                    ] {
                        if res.body.to_lowercase().contains(&marker.to_lowercase()) {
                            problems.push(format!(
                                "{who} {m} {uri}: the answer shows {marker:?}: {}",
                                shown(&res.body)
                            ));
                        }
                    }
                    // The board's event stream is not JSON and not described as such.
                    if template.ends_with("/events") {
                        continue;
                    }
                    for v in contract.violations(method, template, res.status.as_u16(), &res.body) {
                        problems.push(format!("{who} {m} {uri}: {v}"));
                    }
                }
            }
        }
        eprintln!(
            "openapi fuzz: {} operations × {} callers × {per_op} = {cases} cases; statuses {statuses:?}",
            operations.len(),
            callers.len()
        );
        assert!(cases >= operations.len() * callers.len() * per_op);
        problems.sort();
        problems.dedup();
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
);
