//! What an attacker tries at the front door, on both databases: header injection through the
//! address followed after sign-in or a language switch.

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
