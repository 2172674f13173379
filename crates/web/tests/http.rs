//! The web layer through HTTP, in-process: the role × action matrix through both the HTML
//! routes and the API, CSRF protection, bad input, error pages. Every test runs on SQLite and,
//! when enabled, on PostgreSQL.

mod common;

use app::testing::TEST_PASSWORD;
use app::{Caller, Identity};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::http::{Session, Web, web_test};
use domain::Role;

/// Every login of these tests checks that the session cookie is out of scripts' reach and not
/// sent along with cross-site requests.
fn protected_cookie(set: &str) {
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
}

/// The cast of the matrix: two units (A with sub-unit A1, and B) and one person per role.
struct Cast {
    unit_a: i64,
    unit_b: i64,
    people: Vec<(&'static str, Identity)>,
}

impl Cast {
    fn id(&self, name: &str) -> i64 {
        self.people
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, i)| i.actor.person_id.0)
            .expect(name)
    }
}

async fn cast(w: &Web) -> Cast {
    let t = &w.t;
    let unit_a = t.unit("经济发展局", None).await;
    let unit_a1 = t.unit("企业服务科", Some(unit_a)).await;
    let unit_b = t.unit("财政局", None).await;
    let mut people = vec![
        (
            "admin",
            t.person("admin", None, &[(Role::Admin, None)]).await,
        ),
        (
            "director",
            t.person("director", None, &[(Role::Director, None)]).await,
        ),
        (
            "supervisor",
            t.person("supervisor", None, &[(Role::Supervisor, None)])
                .await,
        ),
        (
            "discipline",
            t.person("discipline", None, &[(Role::DisciplineOfficer, None)])
                .await,
        ),
        (
            "leader",
            t.person("leader", None, &[(Role::LeaderInCharge, None)])
                .await,
        ),
        (
            "head_a",
            t.person("head_a", Some(unit_a), &[(Role::UnitHead, Some(unit_a))])
                .await,
        ),
        (
            "staff_a",
            t.person("staff_a", Some(unit_a), &[(Role::Staff, Some(unit_a))])
                .await,
        ),
        (
            "staff_a1",
            t.person("staff_a1", Some(unit_a1), &[(Role::Staff, Some(unit_a1))])
                .await,
        ),
        (
            "staff_b",
            t.person("staff_b", Some(unit_b), &[(Role::Staff, Some(unit_b))])
                .await,
        ),
        (
            "display",
            t.person("display", None, &[(Role::Display, None)]).await,
        ),
    ];
    let leader = people
        .iter()
        .find(|(n, _)| *n == "leader")
        .unwrap()
        .1
        .actor
        .person_id
        .0;
    t.app
        .set_led_units(Caller::System, leader, &[unit_b])
        .await
        .unwrap();
    // Reload the leader so that their identity carries the units in charge.
    let reloaded = t.identity(leader).await;
    people.iter_mut().find(|(n, _)| *n == "leader").unwrap().1 = reloaded;
    Cast {
        unit_a,
        unit_b,
        people,
    }
}

const ALL: &[&str] = &[
    "admin",
    "director",
    "supervisor",
    "discipline",
    "leader",
    "head_a",
    "staff_a",
    "staff_a1",
    "staff_b",
    "display",
];

// Reads: who gets which status on which page, through the HTML routes and the API alike.
web_test!(read_matrix_through_pages_and_api, |w| {
    let c = cast(&w).await;
    let staff_b = c.id("staff_b");
    let staff_a1 = c.id("staff_a1");
    // (path for pages, path for the API, roles allowed; everyone else is refused with 403)
    let rows: Vec<(String, String, &[&str])> = vec![
        (
            "/units".into(),
            "/api/v1/units".into(),
            &[
                "admin",
                "director",
                "supervisor",
                "discipline",
                "leader",
                "head_a",
                "staff_a",
                "staff_a1",
                "staff_b",
            ],
        ),
        (
            "/people".into(),
            "/api/v1/people".into(),
            &[
                "admin",
                "director",
                "supervisor",
                "discipline",
                "leader",
                "head_a",
                "staff_a",
                "staff_a1",
                "staff_b",
            ],
        ),
        (
            format!("/people/{staff_b}"),
            format!("/api/v1/people/{staff_b}"),
            &[
                "admin",
                "director",
                "supervisor",
                "discipline",
                "leader",
                "staff_b",
            ],
        ),
        (
            format!("/people/{staff_a1}"),
            format!("/api/v1/people/{staff_a1}"),
            &[
                "admin",
                "director",
                "supervisor",
                "discipline",
                "head_a",
                "staff_a",
                "staff_a1",
            ],
        ),
        // The discipline office: the cases' entries only.
        (
            "/audit".into(),
            "/api/v1/audit".into(),
            &["admin", "discipline"],
        ),
        (
            "/organizations".into(),
            "/api/v1/organizations/".into(),
            &["admin"],
        ),
    ];
    for who in ALL {
        let page_session = w.login_checking(who, protected_cookie).await;
        let api_session = w.token(who).await;
        for (page, api, allowed) in &rows {
            let expected = if allowed.contains(who) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            let got = w.get(page, &page_session).await.status;
            assert_eq!(got, expected, "page {page} as {who}");
            if api.ends_with('/') {
                continue; // organization listing is open to members; its page is for admins
            }
            let got = w.api("GET", api, &api_session, None).await.status;
            assert_eq!(got, expected, "API {api} as {who}");
        }
    }
    // Scoped lists: staff of A see A and A1, not B; the leader of B sees B only.
    let staff_a = w.login_checking("staff_a", protected_cookie).await;
    let body = w.get("/people", &staff_a).await.body;
    assert!(
        body.contains("data-username=\"staff_a1\"") && body.contains("data-username=\"head_a\"")
    );
    assert!(
        !body.contains("data-username=\"staff_b\"") && !body.contains("data-username=\"admin\"")
    );
    let leader = w.token("leader").await;
    let json = w.api("GET", "/api/v1/people", &leader, None).await.body;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["staff_b"]);
    // Unit pages show people only to those entitled.
    let b_page = w.get(&format!("/units/{}", c.unit_b), &staff_a).await;
    assert_eq!(b_page.status, StatusCode::OK);
    assert!(
        !b_page.body.contains("/people/") || !b_page.body.contains("staff_b"),
        "staff of A must not see B's people"
    );
});

// Writes: only administrators change the organization, through pages and API.
web_test!(write_matrix_through_pages_and_api, |w| {
    let c = cast(&w).await;
    let target = c.id("staff_b");
    for who in ALL {
        let s = w.login_checking(who, protected_cookie).await;
        let allowed = *who == "admin";
        let r = w
            .post_form(
                "/units",
                &s,
                &[("name", &format!("{who}的新单位")), ("parent_id", "")],
            )
            .await;
        assert_eq!(
            r.status,
            if allowed {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "create unit page as {who}"
        );
        let r = w
            .post_form(
                &format!("/people/{target}/roles"),
                &s,
                &[("role", "unit_head"), ("unit_id", &c.unit_b.to_string())],
            )
            .await;
        assert_eq!(
            r.status,
            if allowed {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "grant role page as {who}"
        );
        let api = w.token(who).await;
        let r = w
            .api(
                "POST",
                "/api/v1/units",
                &api,
                Some(&format!(r#"{{"name": "{who}的API单位"}}"#)),
            )
            .await;
        assert_eq!(
            r.status,
            if allowed {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            },
            "create unit API as {who}: {}",
            r.body
        );
        let r = w
            .api(
                "PATCH",
                &format!("/api/v1/units/{}", c.unit_a),
                &api,
                Some(r#"{"sort_order": 5}"#),
            )
            .await;
        assert_eq!(
            r.status,
            if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "edit unit API as {who}"
        );
    }
    // Exactly the admin's two units were added.
    let admin = w.token("admin").await;
    let v: serde_json::Value = serde_json::from_str(
        &w.api("GET", "/api/v1/units?per_page=200", &admin, None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(v["total"], 5, "3 units of the cast + 2 by the admin");
});

web_test!(csrf_is_required_for_cookie_sessions, |w| {
    cast(&w).await;
    let mut s = w.login_checking("admin", protected_cookie).await;
    let good = s.csrf.clone();
    s.csrf = String::new();
    assert_eq!(
        w.post_form("/units", &s, &[("name", "无令牌单位")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    s.csrf = "0".repeat(64);
    assert_eq!(
        w.post_form("/units", &s, &[("name", "错令牌单位")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.api("POST", "/api/v1/units", &s, Some(r#"{"name":"错令牌API"}"#))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A cross-site request is refused even with the right token.
    s.csrf = good.clone();
    let req = Web::request("POST", "/units", &s)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(format!("name=x&_csrf={good}")))
        .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::FORBIDDEN);
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::HOST, "xiaohao.local")
        .body(Body::from(format!(
            "username=admin&password={TEST_PASSWORD}"
        )))
        .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::FORBIDDEN);
    // Nothing was created by the refused requests; the genuine one works.
    let admin = w.token("admin").await;
    let v: serde_json::Value =
        serde_json::from_str(&w.api("GET", "/api/v1/units", &admin, None).await.body).unwrap();
    assert_eq!(v["total"], 3);
    assert_eq!(
        w.post_form("/units", &s, &[("name", "有令牌单位")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
});

web_test!(bad_input_is_a_clear_4xx_and_changes_nothing, |w| {
    let c = cast(&w).await;
    let s = w.login_checking("admin", protected_cookie).await;
    let r = w
        .post_form(
            "/units",
            &s,
            &[
                ("name", "  "),
                ("code", "中文"),
                ("parent_id", "abc"),
                ("sort_order", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in ["必填", "只能包含字母", "须为整数"] {
        assert!(r.body.contains(msg), "form shows {msg}");
    }
    let r = w
        .post_form(
            "/people",
            &s,
            &[
                ("username", "x"),
                ("display_name", "某人"),
                ("email", "bad"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("邮箱格式不正确") && r.body.contains("value=\"某人\""),
        "errors inline, input kept"
    );
    let r = w
        .post_form(
            &format!("/units/{}", c.unit_a),
            &s,
            &[("name", "经济发展局"), ("parent_id", &c.unit_a.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let api = w.token("admin").await;
    let r = w
        .api("POST", "/api/v1/units", &api, Some(r#"{"name": "#))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("\"invalid_json\""));
    let r = w
        .api(
            "POST",
            "/api/v1/units",
            &api,
            Some(r#"{"name": "好", "parent_id": "one"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("\"field\":\"parent_id\""), "{}", r.body);
    let r = w
        .api(
            "POST",
            "/api/v1/people",
            &api,
            Some(r#"{"display_name": "缺用户名"}"#),
        )
        .await;
    assert!(
        r.body.contains("\"field\":\"username\"") && r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.body
    );
    let r = w
        .api(
            "POST",
            "/api/v1/units",
            &api,
            Some(r#"{"name": "经济发展局"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("already_taken"));
    let req = Web::request("POST", "/api/v1/units", &api)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("name=x"))
        .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A wrong method and an oversized body are answered in the error envelope too.
    let r = w.api("DELETE", "/api/v1/units", &api, None).await;
    assert!(
        r.status == StatusCode::METHOD_NOT_ALLOWED && r.body.contains("\"method_not_allowed\""),
        "{}",
        r.body
    );
    let huge = format!(r#"{{"name": "{}"}}"#, "长".repeat(600_000));
    let r = w.api("POST", "/api/v1/units", &api, Some(&huge)).await;
    assert!(
        r.status == StatusCode::PAYLOAD_TOO_LARGE && r.body.contains("body_too_large"),
        "{}",
        r.status
    );
    let r = w.api("GET", "/api/v1/units?page=first", &api, None).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("\"field\":\"page\""));
    // Nothing of the above was stored.
    let v: serde_json::Value =
        serde_json::from_str(&w.api("GET", "/api/v1/units", &api, None).await.body).unwrap();
    assert_eq!(v["total"], 3);
    let unit: serde_json::Value = serde_json::from_str(
        &w.api("GET", &format!("/api/v1/units/{}", c.unit_a), &api, None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(unit["parent_id"], serde_json::Value::Null);
});

web_test!(error_pages_sessions_and_language, |w| {
    cast(&w).await;
    let anon = Session::default();
    let r = w.get("/units", &anon).await;
    assert_eq!(
        (r.status, r.location.starts_with("/login")),
        (StatusCode::SEE_OTHER, true)
    );
    assert_eq!(
        w.api("GET", "/api/v1/me", &anon, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bad = Session {
        bearer: "xh_nope".into(),
        ..Default::default()
    };
    assert_eq!(
        w.api("GET", "/api/v1/me", &bad, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let s = w.login_checking("admin", protected_cookie).await;
    let r = w.get("/no/such/page", &s).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在"));
    // The error page keeps the signed-in layout, and the language switch returns to the page.
    assert!(r.body.contains("action=\"/logout\"") && r.body.contains("href=\"/units\""));
    assert!(
        r.body.contains("?next=/no/such/page"),
        "language link keeps the path"
    );
    assert_eq!(w.get("/units/abc", &s).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.get("/units/999999", &s).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(w.get("/healthz", &anon).await.body.contains("\"ok\""));
    let doc: serde_json::Value =
        serde_json::from_str(&w.get("/api/openapi.json", &anon).await.body).unwrap();
    for path in [
        "/units",
        "/units/{id}",
        "/people",
        "/people/{id}/roles",
        "/audit",
        "/me",
    ] {
        assert!(doc["paths"][path].is_object(), "OpenAPI documents {path}");
    }
    // English on request, Chinese by default.
    let mut en = s.clone();
    en.cookie = format!("{}; xh_lang=en", s.cookie);
    assert!(w.get("/units", &en).await.body.contains(">Units<"));
    assert!(w.get("/units", &s).await.body.contains(">部门单位<"));
    // Wrong password: a 401 page naming the problem; logout ends the session.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("username=admin&password=wrong-password"))
        .unwrap();
    let r = w.send(req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("用户名或密码错误"));
    assert_eq!(
        w.post_form("/logout", &s, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(w.get("/units", &s).await.status, StatusCode::SEE_OTHER);
    // Every asset is served from the binary.
    assert!(
        w.get("/assets/app.css", &anon)
            .await
            .body
            .contains("--brand")
    );
});

/// Every text key a template or handler asks for exists in both languages.
#[test]
fn every_ui_text_key_is_translated() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let mut missing = Vec::new();
    let mut files = Vec::new();
    // Every template and page module, at any depth.
    let mut dirs = vec![
        std::path::PathBuf::from(format!("{root}templates")),
        std::path::PathBuf::from(format!("{root}src/pages")),
    ];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                files.push(p);
            }
        }
    }
    assert!(
        files.len() > 40,
        "the scan finds the templates ({})",
        files.len()
    );
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
    for (key, zh, en) in web::i18n::texts() {
        assert!(!zh.is_empty() && !en.is_empty(), "{key}");
    }
}

/// Every error code the use cases, the domain rules and the file readers can return has a
/// message in both languages.
#[test]
fn every_error_code_is_translated() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../");
    let mut files = Vec::new();
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    for krate in ["domain/src", "app/src", "docs/src", "web/src"] {
        walk(&std::path::Path::new(root).join(krate), &mut files);
    }
    // The second string literal of `field("f", "code")` and `fail("f", "code")`, and the
    // literal of `code: "code"`, `Err("code")` and `=> "code"` in code() methods.
    let mut missing = std::collections::BTreeSet::new();
    let mut seen = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut codes = Vec::new();
        for call in ["field(", "fail(", "single("] {
            for part in text.split(call).skip(1) {
                let mut lits = part.split('"').skip(1).step_by(2);
                let (Some(_field), Some(code)) = (lits.next(), lits.next()) else {
                    continue;
                };
                let inside_call = part
                    .find(')')
                    .is_some_and(|close| part.find(code).is_some_and(|at| at < close));
                if inside_call {
                    codes.push(code.to_owned());
                }
            }
        }
        for marker in ["code: \"", "Err(\"", "ErrorKind"] {
            for part in text.split(marker).skip(1) {
                if let Some(code) = part.split('"').next() {
                    codes.push(code.to_owned());
                }
            }
        }
        for code in codes {
            let plausible = code.starts_with(|c: char| c.is_ascii_lowercase())
                && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !f.ends_with("testing.rs");
            if plausible {
                seen += 1;
                if !web::i18n::has_key(&format!("err.{code}")) {
                    missing.insert(format!(
                        "{code} ({})",
                        f.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    assert!(seen > 50, "the scan finds the codes ({seen})");
    assert!(
        missing.is_empty(),
        "error codes without a message: {missing:?}"
    );
}

web_test!(a_city_adding_a_zone_gets_the_zone_it_created_once, |w| {
    w.t.person("city.admin", None, &[(Role::Admin, None)]).await;
    let token = w.token("city.admin").await;
    let count = || async {
        w.t.app
            .list_organizations(
                Caller::System,
                &app::model::ListFilter::default(),
                domain::page::PageRequest::new(Some(1), Some(100)),
            )
            .await
            .expect("organizations")
            .total
    };
    let before = count().await;
    let body = format!(
        r#"{{"name": "高新区", "code": "zone", "parent_id": {}}}"#,
        w.t.org
    );
    let r = w
        .api("POST", "/api/v1/organizations", &token, Some(&body))
        .await;
    // The answer is what was created, though the caller's identity was loaded before it
    // existed; a client has no reason to retry and create a second zone.
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let zone = r.json();
    assert_eq!(zone["name"], "高新区");
    assert_eq!(zone["parent_id"], w.t.org);
    let id = zone["id"].as_i64().expect("its id");
    assert_eq!(count().await, before + 1, "exactly one row written");
    // A second identical create is refused, not a second zone.
    let r = w
        .api("POST", "/api/v1/organizations", &token, Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(count().await, before + 1);
    let r = w
        .api("GET", &format!("/api/v1/organizations/{id}"), &token, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
});

/// Every action the use cases write to the audit ledger has a name on its page: each string
/// literal of the app and store crates that reads `kind.verb` for a kind of action the ledger
/// names (`task.…`, `person.…`) is one of the named actions. The demo's usernames
/// (`demo.admin`, …) read like that and are not actions.
#[test]
fn every_audit_action_has_a_name() {
    let named: std::collections::BTreeSet<&str> = web::i18n::audit_actions().collect();
    let kinds: std::collections::BTreeSet<&str> =
        named.iter().filter_map(|a| a.split('.').next()).collect();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../");
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    for krate in ["app/src", "store/src"] {
        walk(&std::path::Path::new(root).join(krate), &mut files);
    }
    let mut unnamed = std::collections::BTreeSet::new();
    let mut seen = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for lit in text.split('"').skip(1).step_by(2) {
            let Some((kind, verb)) = lit.split_once('.') else {
                continue;
            };
            let word =
                |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if !word(kind) || !word(verb) || !kinds.contains(kind) {
                continue;
            }
            if kind == "demo" && verb != "load" {
                continue;
            }
            seen += 1;
            if !named.contains(lit) {
                unnamed.insert(lit.to_owned());
            }
        }
    }
    assert!(seen > 60, "the scan found only {seen} actions");
    assert!(
        unnamed.is_empty(),
        "actions without a name on the audit page: {unnamed:?}"
    );
    // A task's events (every `domain::plan::TaskEvent`) are named by their history texts.
    for event in [
        "submit",
        "leader_approve",
        "leader_adjust",
        "leader_return",
        "accept",
        "change",
        "reject",
        "merge",
        "arrange",
        "progress",
        "submit_sign_off",
        "declare_unfinished",
        "sign_off",
        "return_sign_off",
        "carry_over",
        "withdraw",
    ] {
        let action = format!("task.{event}");
        let name = web::i18n::Lang::Zh.audit_action(&action);
        assert!(name != action && !name.contains('?'), "{event}: {name}");
    }
}
