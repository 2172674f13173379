//! Every create endpoint of the JSON API through HTTP, in-process: each operation the OpenAPI
//! document answers with 201 is called once with a valid body, and answers 201 with JSON that
//! describes what it created, having added exactly one row to the resource's own table. The
//! operations run must be exactly the ones the document lists with a 201, so an endpoint added
//! later without a case here fails the test. Runs on SQLite and, when enabled, PostgreSQL.

mod common;

use std::collections::BTreeSet;
use std::fmt::Display;

use app::{Caller, Identity};
use axum::http::StatusCode;
use common::http::{Session, Web, web_test};
use domain::Role;
use domain::plan::TaskInput;
use serde_json::{Value, json};

const MONTH: &str = "2026-11";
/// `%PDF-1.4\n%%EOF\n`, base64-encoded: evidence every upload check accepts.
const PDF_BASE64: &str = "JVBERi0xLjQKJSVFT0YK";

fn id_of(i: &Identity) -> i64 {
    i.actor.person_id.0
}

/// Units A and B with a head and staff each, the director, a supervisor and an administrator;
/// three arranged November tasks (two of unit A, one of unit B). The clock stands on
/// 2026-11-02, in November's execution.
struct Cast {
    unit_a: i64,
    unit_b: i64,
    staff_a: i64,
    supervisor: Identity,
    /// Reported on, urged, coordinated and signed off.
    task_a: i64,
    /// Asked to change, and named in a finding.
    task_c: i64,
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
    t.person("director", None, &[(Role::Director, None)]).await;
    let supervisor = t
        .person("supervisor", None, &[(Role::Supervisor, None)])
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
    let mut tasks = Vec::new();
    for (unit, title, owner) in [
        (unit_a, "万达广场周边地块征收", &staff_a),
        (unit_b, "重点项目融资落地", &staff_b),
        (unit_a, "棚户区改造签约", &staff_a),
    ] {
        tasks.push(
            t.app
                .add_assigned_item(Caller::System, t.org, MONTH, unit, &item(title, owner))
                .await
                .unwrap(),
        );
    }
    t.app
        .arrange_month(Caller::System, t.org, MONTH)
        .await
        .unwrap();
    Cast {
        unit_a,
        unit_b,
        staff_a: id_of(&staff_a),
        supervisor,
        task_a: tasks[0],
        task_c: tasks[2],
    }
}

/// `template` with each `{…}` placeholder replaced by the next of `args`, in order.
fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = String::new();
    let mut rest = template;
    let mut args = args.iter();
    while let Some(start) = rest.find('{') {
        let end = start
            + rest[start..]
                .find('}')
                .unwrap_or_else(|| panic!("an unclosed placeholder in {template}"));
        out.push_str(&rest[..start]);
        let arg = args
            .next()
            .unwrap_or_else(|| panic!("no argument for a placeholder of {template}"));
        out.push_str(&arg.to_string());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    assert!(
        args.next().is_none(),
        "more arguments than placeholders for {template}"
    );
    out
}

/// Every `(METHOD, path)` of the OpenAPI document whose responses include a 201, with paths as
/// the document writes them (relative to its server, `/api/v1`).
fn documented_creates(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("the document has paths");
    let mut out = BTreeSet::new();
    for (path, item) in paths {
        let Some(ops) = item.as_object() else {
            continue;
        };
        for (method, op) in ops {
            if op["responses"].get("201").is_some() {
                out.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// The cases run so far, and what each found wrong.
struct Run<'a> {
    w: &'a Web,
    ran: BTreeSet<(String, String)>,
    problems: Vec<String>,
}

impl<'a> Run<'a> {
    fn new(w: &'a Web) -> Self {
        Run {
            w,
            ran: BTreeSet::new(),
            problems: Vec::new(),
        }
    }

    async fn rows(&self, table: &str) -> i64 {
        store::testing::count_rows(self.w.t.app.db(), table)
            .await
            .unwrap_or_else(|e| panic!("counting {table}: {e}"))
    }

    /// Calls `op` ("POST /path/{id}", as the OpenAPI document names it) with its placeholders
    /// filled from `args`, as `who`, with `body`. Notes a problem unless the answer is 201 with
    /// a JSON body holding an integer at `id_at` and each `expect`ed value at its JSON pointer,
    /// and `table` gained exactly one row. Returns the answer's JSON (null if it is none).
    #[allow(clippy::too_many_arguments)]
    async fn create(
        &mut self,
        who: &Session,
        op: &str,
        args: &[&dyn Display],
        table: &str,
        body: Value,
        id_at: &str,
        expect: &[(&str, Value)],
    ) -> Value {
        let (method, path) = op.split_once(' ').expect("METHOD /path");
        assert!(
            self.ran.insert((method.to_owned(), path.to_owned())),
            "{op} has two cases"
        );
        let uri = format!("/api/v1{}", fill(path, args));
        let before = self.rows(table).await;
        let r = self.w.api(method, &uri, who, Some(&body.to_string())).await;
        let after = self.rows(table).await;
        let mut wrong = Vec::new();
        if r.status != StatusCode::CREATED {
            wrong.push(format!("answered {} instead of 201 Created", r.status));
        }
        if !r.content_type.starts_with("application/json") {
            wrong.push(format!("content type {:?}, not JSON", r.content_type));
        }
        let answer: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        if !answer.is_object() {
            wrong.push("the body is not a JSON object".to_owned());
        }
        if answer.pointer(id_at).and_then(Value::as_i64).is_none() {
            wrong.push(format!("no integer id at {id_at}"));
        }
        for (pointer, want) in expect {
            match answer.pointer(pointer) {
                Some(got) if got == want => {}
                got => wrong.push(format!("{pointer} is {got:?}, expected {want}")),
            }
        }
        if after - before != 1 {
            wrong.push(format!(
                "{table} went from {before} to {after} rows ({:+}), expected exactly one more",
                after - before
            ));
        }
        if !wrong.is_empty() {
            let shown: String = r.body.chars().take(400).collect();
            self.problems
                .push(format!("{op} ({uri}): {}; body: {shown}", wrong.join("; ")));
        }
        answer
    }

    /// The integer at `pointer` of a create's answer, which later cases need; without it the
    /// test stops, saying what went wrong so far.
    fn id(&self, answer: &Value, pointer: &str) -> i64 {
        answer
            .pointer(pointer)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| {
                panic!(
                    "no id at {pointer} to go on with; problems so far:\n{}",
                    self.problems.join("\n")
                )
            })
    }
}

web_test!(
    every_create_answers_201_with_what_it_created_and_adds_one_row,
    |w| {
        let c = cast(&w).await;
        let org = w.t.org;
        let admin = w.token("admin").await;
        let director = w.token("director").await;
        let supervisor = w.token("supervisor").await;
        let head_a = w.token("head_a").await;
        let staff_a = w.token("staff_a").await;
        let mut run = Run::new(&w);
        // The row counter takes table names only, never SQL.
        assert!(
            store::testing::count_rows(w.t.app.db(), "units; DELETE FROM units")
                .await
                .is_err()
        );

        // ---- 2 November: November arranged and under way ----

        // The month's cards are judged before they are published.
        w.t.app
            .confirm_all_cards(Caller::Person(&c.supervisor), org, MONTH)
            .await
            .unwrap();
        run.create(
            &supervisor,
            "POST /months/{month}/publications",
            &[&MONTH],
            "publications",
            json!({"note": "十一月第一次公示"}),
            "/publication_id",
            &[("/seq", json!(1))],
        )
        .await;

        run.create(
            &admin,
            "POST /organizations",
            &[],
            "organizations",
            json!({"name": "高新区", "code": "zone", "parent_id": org}),
            "/id",
            &[("/name", json!("高新区")), ("/parent_id", json!(org))],
        )
        .await;
        let unit = run
            .create(
                &admin,
                "POST /units",
                &[],
                "units",
                json!({"name": "自然资源局"}),
                "/id",
                &[("/name", json!("自然资源局"))],
            )
            .await;
        let unit = run.id(&unit, "/id");
        let post = run
            .create(
                &admin,
                "POST /posts",
                &[],
                "posts",
                json!({"unit_id": unit, "name": "综合岗"}),
                "/id",
                &[("/name", json!("综合岗")), ("/unit_id", json!(unit))],
            )
            .await;
        let post = run.id(&post, "/id");
        let person = run
        .create(
            &admin,
            "POST /people",
            &[],
            "persons",
            json!({"username": "zhang.san", "display_name": "张三", "unit_id": unit, "post_id": post}),
            "/person/id",
            &[
                ("/person/username", json!("zhang.san")),
                ("/person/post_id", json!(post)),
            ],
        )
        .await;
        let person = run.id(&person, "/person/id");
        run.create(
            &admin,
            "POST /people/{id}/roles",
            &[&person],
            "role_assignments",
            json!({"role": "staff", "unit_id": unit}),
            "/id",
            &[],
        )
        .await;

        let key_point = run
            .create(
                &director,
                "POST /key-points",
                &[],
                "key_points",
                json!({"year": 2026, "title": "优化营商环境"}),
                "/id",
                &[("/title", json!("优化营商环境")), ("/year", json!(2026))],
            )
            .await;
        let key_point = run.id(&key_point, "/id");
        run.create(
            &director,
            "POST /assigned-items",
            &[],
            "tasks",
            json!({
                "month": MONTH, "unit_id": c.unit_a, "title": "迎接省级安全检查",
                "criterion": "检查通过", "deadline": "2026-11-25", "owner_id": c.staff_a
            }),
            "/id",
            &[
                ("/title", json!("迎接省级安全检查")),
                ("/is_assigned", json!(true)),
                ("/month", json!(MONTH)),
            ],
        )
        .await;
        run.create(
            &head_a,
            "POST /tasks/{id}/change-requests",
            &[&c.task_c],
            "change_requests",
            json!({"kind": "redate", "deadline": "2026-11-27", "reason": "签约户数增加"}),
            "/id",
            &[],
        )
        .await;
        run.create(
            &supervisor,
            "POST /tasks/{id}/urge",
            &[&c.task_a],
            "task_urges",
            json!({"message": "请加快征收进度"}),
            "/id",
            &[],
        )
        .await;

        run.create(
            &staff_a,
            "POST /tasks/{id}/progress",
            &[&c.task_a],
            "task_progress",
            json!({
                "percent": 60, "narrative": "已签约 18 户",
                "files": [{"name": "签约台账.pdf", "content_base64": PDF_BASE64}]
            }),
            "/id",
            &[
                ("/task_id", json!(c.task_a)),
                ("/percent", json!(60)),
                ("/narrative", json!("已签约 18 户")),
            ],
        )
        .await;
        run.create(
            &head_a,
            "POST /tasks/{id}/coordination",
            &[&c.task_a],
            "coordination_requests",
            json!({
                "title": "征收资金拨付", "description": "需财政局协调拨付补偿资金",
                "involved_unit_ids": [c.unit_b]
            }),
            "/id",
            &[
                ("/title", json!("征收资金拨付")),
                ("/task_id", json!(c.task_a)),
            ],
        )
        .await;

        let inspection = run
            .create(
                &supervisor,
                "POST /inspections",
                &[],
                "inspections",
                json!({
                    "kind": "scheduled", "mode": "open", "title": "征拆现场督查",
                    "planned_on": "2026-11-02", "inspected_unit_ids": [c.unit_a]
                }),
                "/id",
                &[("/title", json!("征拆现场督查"))],
            )
            .await;
        let inspection = run.id(&inspection, "/id");
        // The answer is the inspection, with the finding recorded in its list (its only one).
        let finding = run
            .create(
                &supervisor,
                "POST /inspections/{id}/findings",
                &[&inspection],
                "findings",
                json!({
                    "unit_id": c.unit_a, "task_id": c.task_c, "severity": "general",
                    "description": "台账不全"
                }),
                "/finding_list/0/id",
                &[
                    ("/id", json!(inspection)),
                    ("/finding_list/0/description", json!("台账不全")),
                ],
            )
            .await;
        let finding = run.id(&finding, "/finding_list/0/id");
        run.create(
            &supervisor,
            "POST /findings/{id}/follow-ups",
            &[&finding],
            "follow_ups",
            json!({"required_action": "补齐征拆台账", "due_on": "2026-11-09"}),
            "/id",
            &[
                ("/finding_id", json!(finding)),
                ("/action", json!("补齐征拆台账")),
            ],
        )
        .await;

        let project = run
            .create(
                &director,
                "POST /projects",
                &[],
                "key_projects",
                json!({
                    "name": "万达广场", "unit_id": c.unit_a,
                    "start_on": "2026-03-01", "end_on": "2027-12-31"
                }),
                "/id",
                &[("/name", json!("万达广场")), ("/unit_id", json!(c.unit_a))],
            )
            .await;
        let project = run.id(&project, "/id");
        // The answer is the project, with the milestone in its list (its only one).
        run.create(
            &director,
            "POST /projects/{id}/milestones",
            &[&project],
            "milestones",
            json!({"title": "主体封顶", "due_on": "2026-12-31"}),
            "/milestones/0/id",
            &[
                ("/id", json!(project)),
                ("/milestones/0/title", json!("主体封顶")),
            ],
        )
        .await;
        run.create(
            &supervisor,
            "POST /display-tokens",
            &[],
            "display_tokens",
            json!({"name": "大厅屏"}),
            "/id",
            &[],
        )
        .await;

        // ---- 21 November: December's proposals are open; November's sign-off ----
        w.t.clock.advance(chrono::Duration::days(19));
        run.create(
            &staff_a,
            "POST /tasks",
            &[],
            "tasks",
            json!({
                "month": "2026-12", "unit_id": c.unit_a, "title": "征收扫尾",
                "criterion": "完成交地", "deadline": "2026-12-20",
                "key_point_id": key_point, "owner_id": c.staff_a
            }),
            "/id",
            &[
                ("/title", json!("征收扫尾")),
                ("/month", json!("2026-12")),
                ("/is_assigned", json!(false)),
            ],
        )
        .await;
        // The answer is the task's sign-off, with the new form its only round.
        let sign_off = run
            .create(
                &head_a,
                "POST /tasks/{id}/sign-off",
                &[&c.task_a],
                "sign_off_forms",
                json!({
                    "kind": "complete", "completion": "征收全部完成", "completed_on": "2026-11-19",
                    "files": [{"name": "交地.pdf", "content_base64": PDF_BASE64}]
                }),
                "/forms/0/id",
                &[
                    ("/forms/0/task_id", json!(c.task_a)),
                    ("/forms/0/kind", json!("complete")),
                    ("/forms/0/status", json!("submitted")),
                ],
            )
            .await;
        let form = run.id(&sign_off, "/forms/0/id");
        // The answer is the sign-off again, with the site check its only one.
        run.create(
            &supervisor,
            "POST /sign-off-forms/{id}/site-checks",
            &[&form],
            "site_checks",
            json!({"findings": "现场已交地", "checked_on": "2026-11-21"}),
            "/site_checks/0/id",
            &[
                ("/forms/0/id", json!(form)),
                ("/site_checks/0/findings", json!("现场已交地")),
            ],
        )
        .await;

        // One's own API token, made from a signed-in session (a token makes no tokens): the
        // answer carries the token, once, and what it is.
        let signed_in = w.login("staff_a").await;
        assert_eq!(
            w.api(
                "POST",
                "/api/v1/me/tokens",
                &staff_a,
                Some(r#"{"name":"x"}"#)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let made = run
            .create(
                &signed_in,
                "POST /me/tokens",
                &[],
                "api_tokens",
                json!({"name": "企业微信同步", "expires_in_days": 90}),
                "/id",
                &[
                    ("/name", json!("企业微信同步")),
                    ("/state", json!("active")),
                    ("/person_id", json!(c.staff_a)),
                ],
            )
            .await;
        assert!(
            made["token"].as_str().is_some_and(|t| t.starts_with("xh_")),
            "{made}"
        );

        // ---- 1 December: November's bulletin ----
        w.t.clock.advance(chrono::Duration::days(10));
        run.create(
            &director,
            "POST /months/{month}/bulletin",
            &[&MONTH],
            "bulletins",
            json!({"doc_number": "测高预安〔2026〕11号"}),
            "/id",
            &[
                ("/month", json!(MONTH)),
                ("/doc_number", json!("测高预安〔2026〕11号")),
            ],
        )
        .await;

        // Every create the document lists has run above, and nothing else.
        let doc = w.get("/api/openapi.json", &Session::default()).await;
        assert_eq!(doc.status, StatusCode::OK, "the OpenAPI document");
        let documented = documented_creates(&doc.json());
        let uncovered: Vec<_> = documented.difference(&run.ran).collect();
        let undocumented: Vec<_> = run.ran.difference(&documented).collect();
        assert!(
            uncovered.is_empty() && undocumented.is_empty(),
            "documented with a 201 but without a case here: {uncovered:?}; \
         a case here but no 201 in the document: {undocumented:?}"
        );
        assert!(
            run.problems.is_empty(),
            "creates that did not behave:\n{}",
            run.problems.join("\n")
        );
    }
);
