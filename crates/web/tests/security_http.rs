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
