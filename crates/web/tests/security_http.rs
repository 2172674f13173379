//! What an attacker tries at the front door, on both databases: header injection through the
//! address followed after sign-in or a language switch, and the headers that keep pages from
//! being framed, sniffed, cached or leaking their address.

mod common;

use app::testing::TEST_PASSWORD;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::http::{Session, Web, web_test};
use domain::Role;

async fn sessions(w: &Web) -> i64 {
    store::testing::count_rows(w.t.app.db(), "sessions")
        .await
        .expect("count")
}

web_test!(
    a_control_character_in_next_is_refused_before_a_session_exists,
    |w| {
        let unit = w.t.unit("财政局", None).await;
        w.t.person("staff", Some(unit), &[(Role::Staff, Some(unit))])
            .await;
        let before = sessions(&w).await;
        for next in ["%2Fx%0D%0ASet-Cookie%3A%20a%3Db", "%2Fx%0Ab", "%2F%00"] {
            let req = Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=staff&password={TEST_PASSWORD}&next={next}"
                )))
                .unwrap();
            let r = w.send(req).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{next}: {}", r.body);
            assert!(r.body.contains("包含无效字符"), "{}", r.body);
            assert_eq!(sessions(&w).await, before, "{next}: no session was created");
        }
        // A plain next still works.
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username=staff&password={TEST_PASSWORD}&next=%2Fmonths"
            )))
            .unwrap();
        let r = w.send(req).await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/months")
        );

        // A language switch, or the sign-in page of someone signed in, goes home instead.
        let anyone = Session::default();
        let r = w
            .get("/lang/en?next=%2Fa%0D%0ASet-Cookie%3A%20x%3D1", &anyone)
            .await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/")
        );
        let staff = w.login("staff").await;
        let r = w.get("/login?next=%2Fa%0D%0Ab", &staff).await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/")
        );
    }
);

web_test!(pages_carry_a_content_security_policy_and_no_caching, |w| {
    let unit = w.t.unit("财政局", None).await;
    w.t.person("staff", Some(unit), &[(Role::Staff, Some(unit))])
        .await;
    let sup = w.t.person("sup", None, &[(Role::Supervisor, None)]).await;
    let header = |res: &axum::response::Response, name: header::HeaderName| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let anyone = Session::default();
    let staff = w.login("staff").await;
    for (path, who) in [
        ("/login", &anyone),
        ("/", &staff),
        ("/inbox", &staff),
        ("/nowhere", &staff),
    ] {
        let res = w.open(path, who).await;
        let csp = header(&res, header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {csp}"
        );
        assert_eq!(
            header(&res, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            header(&res, header::REFERRER_POLICY),
            "same-origin",
            "{path}"
        );
        assert_eq!(header(&res, header::CACHE_CONTROL), "no-store", "{path}");
        assert_eq!(header(&res, header::X_FRAME_OPTIONS), "DENY", "{path}");
    }
    // The API's JSON is not sniffed either.
    let api = w.token("staff").await;
    let res = w.open("/api/v1/months", &api).await;
    assert_eq!(header(&res, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    // The board has its own: framed by this server only, and its address (with its token)
    // never sent on as a referrer.
    let token =
        w.t.app
            .create_display_token(app::Caller::Person(&sup), w.t.org, "大厅屏幕")
            .await
            .unwrap()
            .1;
    let res = w.open(&format!("/board/{token}"), &anyone).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = header(&res, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(header(&res, header::REFERRER_POLICY), "no-referrer");
    // No page has an inline script for the policy to refuse.
    let page = w.get("/", &staff).await;
    assert!(
        page.body.matches("<script").count() == page.body.matches("<script src=").count(),
        "{}",
        page.body
    );
});

web_test!(
    an_administrator_lifts_sign_in_locks_through_the_page_and_the_api,
    |w| {
        let unit = w.t.unit("财政局", None).await;
        let staff =
            w.t.person("staff", Some(unit), &[(Role::Staff, Some(unit))])
                .await;
        w.t.person("admin", None, &[(Role::Admin, None)]).await;
        let id = staff.actor.person_id.0;
        for _ in 0..5 {
            let req = Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("username=staff&password=wrong-password"))
                .unwrap();
            assert_eq!(w.send(req).await.status, StatusCode::UNAUTHORIZED);
        }
        let req = || {
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=staff&password={TEST_PASSWORD}"
                )))
                .unwrap()
        };
        assert_eq!(w.send(req()).await.status, StatusCode::TOO_MANY_REQUESTS);
        // Not the person's own to lift, nor anyone's but an administrator's.
        let own = w.token("staff").await;
        let r = w
            .api("POST", &format!("/api/v1/people/{id}/unlock"), &own, None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let admin = w.login("admin").await;
        let page = w.get(&format!("/people/{id}"), &admin).await;
        assert!(page.body.contains("id=\"unlock-sign-in\""), "{}", page.body);
        let r = w
            .post_form(&format!("/people/{id}/unlock"), &admin, &[])
            .await;
        assert!(
            r.status.is_redirection() || r.status == StatusCode::OK,
            "{}",
            r.body
        );
        assert_eq!(w.send(req()).await.status, StatusCode::SEE_OTHER);
        let api = w.token("admin").await;
        let r = w
            .api("POST", &format!("/api/v1/people/{id}/unlock"), &api, None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json()["lifted"].is_u64());
    }
);

web_test!(
    a_person_makes_lists_and_revokes_their_own_api_tokens_in_the_pages,
    |w| {
        let unit = w.t.unit("财政局", None).await;
        w.t.person("tok.staff", Some(unit), &[(Role::Staff, Some(unit))])
            .await;
        w.t.person("tok.other", Some(unit), &[(Role::Staff, Some(unit))])
            .await;
        w.t.person("tok.admin", None, &[(Role::Admin, None)]).await;
        let s = w.login("tok.staff").await;
        let page = w.get("/account/tokens", &s).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"no-tokens\""), "an empty state");

        // A validity that is not a number is named, and nothing is made.
        let bad = w
            .post_form(
                "/account/tokens",
                &s,
                &[("name", "同步"), ("expires_in_days", "abc")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("须为整数"), "{}", bad.body);
        assert!(bad.body.contains("id=\"no-tokens\""));

        // Made for 30 days: shown once, and it works as its owner.
        let made = w
            .post_form(
                "/account/tokens",
                &s,
                &[("name", "企业微信同步"), ("expires_in_days", "30")],
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let token = made
            .body
            .split("<code id=\"new-token\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .expect("the token, shown once")
            .to_owned();
        let bearer = Session {
            bearer: token.clone(),
            ..Default::default()
        };
        let me = w.get("/api/v1/me", &bearer).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["username"], "tok.staff");
        let page = w.get("/account/tokens", &s).await;
        assert!(!page.body.contains(&token), "never shown again");
        assert!(page.body.contains("企业微信同步") && page.body.contains("有效"));
        let id = w.get("/api/v1/me/tokens", &bearer).await.json()[0]["id"]
            .as_i64()
            .expect("listed");

        // Another person cannot revoke it (it does not exist for them); its owner can.
        let other = w.login("tok.other").await;
        let r = w
            .post_form(
                &format!("/api-tokens/{id}/revoke"),
                &other,
                &[("next", "/account/tokens")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(w.get("/api/v1/me", &bearer).await.status, StatusCode::OK);
        let r = w
            .post_form(
                &format!("/api-tokens/{id}/revoke"),
                &s,
                &[("next", "/account/tokens")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location, "/account/tokens?ok=tokens.revoked");
        assert_eq!(
            w.get("/api/v1/me", &bearer).await.status,
            StatusCode::UNAUTHORIZED
        );
        let page = w.get("/account/tokens?ok=tokens.revoked", &s).await;
        assert!(page.body.contains("令牌已撤销") && page.body.contains("已撤销"));

        // The administrator sees it on the person's page, with its state.
        let admin = w.login("tok.admin").await;
        let person = w.t.app.person_id("tok.staff").await.unwrap();
        let shown = w.get(&format!("/people/{person}"), &admin).await;
        assert!(shown.body.contains("企业微信同步"), "{}", shown.body);
    }
);

web_test!(
    the_security_administrator_sets_the_password_policy_that_the_password_page_states,
    |w| {
        let unit = w.t.unit("财政局", None).await;
        w.t.person("pol.staff", Some(unit), &[(Role::Staff, Some(unit))])
            .await;
        w.t.person("pol.security", None, &[(Role::SecurityAdmin, None)])
            .await;
        let staff = w.login("pol.staff").await;
        let sec = w.login("pol.security").await;
        let page = w.get("/account/password", &staff).await;
        assert!(
            page.body.contains("新密码至少 10 位"),
            "the defaults are stated"
        );
        assert_eq!(
            w.get("/admin/security", &staff).await.status,
            StatusCode::FORBIDDEN
        );
        let form = w.get("/admin/security", &sec).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("href=\"/admin/security\""),
            "in the navigation"
        );

        let bad = w
            .post_form(
                "/admin/security",
                &sec,
                &[
                    ("min_length", "十二"),
                    ("min_classes", "3"),
                    ("history", "5"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("须为整数"));
        let saved = w
            .post_form(
                "/admin/security",
                &sec,
                &[
                    ("min_length", "12"),
                    ("min_classes", "4"),
                    ("history", "3"),
                    ("max_age_days", "90"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = w.get("/account/password", &staff).await;
        assert!(
            page.body.contains("新密码至少 12 位") && page.body.contains("每 90 天须更换一次"),
            "{}",
            page.body
        );

        // The API reads it for every member and lets only the security administrator set it.
        let path = format!("/api/v1/organizations/{}/password-policy", w.t.org);
        let token = w.token("pol.staff").await;
        let r = w.get(&path, &token).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["min_length"], 12);
        let body = r#"{"min_length":8,"min_classes":1,"history":0}"#;
        assert_eq!(
            w.api("PUT", &path, &token, Some(body)).await.status,
            StatusCode::FORBIDDEN
        );
        let sec_token = w.token("pol.security").await;
        let r = w.api("PUT", &path, &sec_token, Some(body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["max_age_days"], serde_json::Value::Null);
    }
);

web_test!(
    the_second_factor_through_the_api_and_the_readable_audit_export,
    |w| {
        let unit = w.t.unit("纪工委", None).await;
        w.t.person("sec", None, &[(Role::SecurityAdmin, None)])
            .await;
        w.t.person("aud", None, &[(Role::AuditAdmin, None)]).await;
        w.t.person("ji.wei", Some(unit), &[(Role::DisciplineOfficer, None)])
            .await;
        let person =
            w.t.person("staff", Some(unit), &[(Role::Staff, Some(unit))])
                .await
                .actor
                .person_id
                .0;
        let org = w.t.org;
        let policy = format!("/api/v1/organizations/{org}/totp-policy");
        let sec = w.login("sec").await;
        let staff = w.login("staff").await;
        // Only the security administrator sets the roles; an unknown role names the field.
        let r = w
            .api(
                "PUT",
                &policy,
                &staff,
                Some(r#"{"roles":["discipline_officer"]}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = w
            .api("PUT", &policy, &sec, Some(r#"{"roles":["nobody"]}"#))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("\"roles\""), "{}", r.body);
        let r = w
            .api(
                "PUT",
                &policy,
                &sec,
                Some(r#"{"roles":["discipline_officer"]}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["roles"], serde_json::json!(["discipline_officer"]));

        // The officer's password now leads to the code page, with a challenge cookie only.
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username=ji.wei&password={TEST_PASSWORD}"
            )))
            .unwrap();
        let r = w.send(req).await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/login/totp?next=%2F")
        );
        // Without the challenge the code page goes back to the password.
        let r = w.get("/login/totp", &Session::default()).await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/login?next=%2F")
        );

        // One's own second factor through the API: read with a token, changed only from a session.
        let token = w.token("staff").await;
        let r = w.api("GET", "/api/v1/me/totp", &token, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["enabled"], false);
        let r = w.api("POST", "/api/v1/me/totp", &token, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = w.api("POST", "/api/v1/me/totp", &staff, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = r.json();
        assert!(
            body["qr_svg"].as_str().unwrap().starts_with("<?xml"),
            "{body}"
        );
        let secret =
            domain::totp::TotpSecret::from_base32(body["secret"].as_str().unwrap()).unwrap();
        let r = w
            .api(
                "POST",
                "/api/v1/me/totp/confirm",
                &staff,
                Some(r#"{"totp_code":"12"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("totp_code"), "{}", r.body);
        use app::Clock;
        let code = secret.code_now(w.t.clock.now());
        let r = w
            .api(
                "POST",
                "/api/v1/me/totp/confirm",
                &staff,
                Some(&format!(r#"{{"totp_code":"{code}"}}"#)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["recovery_codes"].as_array().unwrap().len(), 10);
        let me = w.api("GET", "/api/v1/me/totp", &staff, None).await.json();
        assert_eq!(
            (me["enabled"].clone(), me["recovery_codes_left"].clone()),
            (true.into(), 10.into())
        );
        // The security administrator resets it (a lost phone).
        let reset = format!("/api/v1/people/{person}/totp/reset");
        assert_eq!(
            w.api("POST", &reset, &staff, None).await.status,
            StatusCode::FORBIDDEN
        );
        let r = w.api("POST", &reset, &sec, None).await;
        assert_eq!(
            (r.status, r.json()["removed"].clone()),
            (StatusCode::OK, true.into())
        );

        // The ledger page and its export: the audit administrator; the discipline office the
        // cases; nobody else.
        let aud = w.login("aud").await;
        let r = w.get("/audit?action=totp.policy", &aud).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("修改双因素认证要求"), "the action by name");
        assert!(
            r.body.contains("discipline_officer"),
            "the change, field by field"
        );
        let r = w.get("/audit.xlsx?action=totp.reset", &aud).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.content_type.contains("spreadsheetml"),
            "{}",
            r.content_type
        );
        let xlsx = String::from_utf8_lossy(&r.bytes).to_string();
        assert!(xlsx.starts_with("PK"), "an OOXML zip");
        // The reset ended the staff member's sessions; the security administrator reads no
        // ledger either.
        assert_eq!(w.get("/audit", &staff).await.status, StatusCode::SEE_OTHER);
        assert_eq!(w.get("/audit", &sec).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            w.get("/audit.xlsx", &sec).await.status,
            StatusCode::FORBIDDEN
        );
    }
);
