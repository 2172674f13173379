//! Signing in and out, sessions, throttling, passwords and API tokens, on both databases.

mod common;

use app::testing::TEST_PASSWORD;
use app::{AppError, Caller, Clock, app_test};
use chrono::{Duration, TimeZone, Utc};
use common::*;
use domain::Role;

app_test!(login_opens_a_session_that_identifies_the_person, |t| {
    let u = t.unit("督查室", None).await;
    let me = t
        .person("li.si", Some(u), &[(Role::Supervisor, None)])
        .await;

    let first = t.app.login("li.si", TEST_PASSWORD).await.unwrap();
    assert!(
        !first.must_change_password,
        "a password set by the admin at creation need not be changed"
    );
    assert_eq!(
        first.session_token.len(),
        64,
        "32 random bytes, hex-encoded"
    );
    let who = t
        .app
        .identify_session(&first.session_token)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(who.username, "li.si");
    assert_eq!(who.actor.person_id, me.actor.person_id);
    assert!(who.has(Role::Supervisor));
    assert!(!who.has(Role::Admin));
    assert_eq!(who.unit_name.as_deref(), Some("督查室"));
    assert_eq!(who.csrf_token().len(), 64);

    // Usernames are case-insensitive and trimmed; every login is a fresh session.
    let second = t.app.login("  Li.Si ", TEST_PASSWORD).await.unwrap();
    assert_ne!(first.session_token, second.session_token);
    let who2 = t
        .app
        .identify_session(&second.session_token)
        .await
        .unwrap()
        .expect("second session");
    assert_ne!(
        who.csrf_token(),
        who2.csrf_token(),
        "each session has its own CSRF token"
    );

    assert!(
        t.app
            .identify_session("not-a-session")
            .await
            .unwrap()
            .is_none()
    );
    assert!(t.app.identify_session("").await.unwrap().is_none());
    // A session id is not an API token.
    assert!(
        t.app
            .identify_token(&first.session_token)
            .await
            .unwrap()
            .is_none()
    );

    // Logout ends that session only.
    t.app.logout(&first.session_token).await.unwrap();
    assert!(
        t.app
            .identify_session(&first.session_token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        t.app
            .identify_session(&second.session_token)
            .await
            .unwrap()
            .is_some()
    );
    // Logging out twice, or with garbage, is harmless.
    t.app.logout(&first.session_token).await.unwrap();
    t.app.logout("garbage").await.unwrap();
});

app_test!(sessions_expire_after_the_idle_time_unless_used, |t| {
    t.person("idle.user", None, &[]).await;
    let s = t
        .app
        .login("idle.user", TEST_PASSWORD)
        .await
        .unwrap()
        .session_token;
    // Activity extends the session: five hours, then five more, still alive (within the
    // twelve hours a session lasts at most).
    t.clock.advance(Duration::hours(5));
    assert!(t.app.identify_session(&s).await.unwrap().is_some());
    t.clock.advance(Duration::hours(5));
    assert!(
        t.app.identify_session(&s).await.unwrap().is_some(),
        "use extends the idle expiry"
    );
    // Nine idle hours end it.
    t.clock.advance(Duration::hours(9));
    assert!(t.app.identify_session(&s).await.unwrap().is_none());
});

app_test!(wrong_passwords_and_unknown_users_are_refused_alike, |t| {
    t.person("wang.wu", None, &[]).await;
    assert!(matches!(
        t.app.login("wang.wu", "wrong-password").await,
        Err(AppError::InvalidCredentials)
    ));
    assert!(matches!(
        t.app.login("nobody.here", TEST_PASSWORD).await,
        Err(AppError::InvalidCredentials)
    ));
    let missing = fields(t.app.login("  ", "").await);
    assert_eq!(
        missing,
        vec![
            ("username".to_owned(), "required"),
            ("password".to_owned(), "required")
        ]
    );
    // Failures are audited (chain of the person's organization).
    let page = t
        .app
        .list_audit(
            Caller::System,
            t.org,
            &store::audit::AuditFilter {
                action: Some("auth.login_failed".into()),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert!(t.app.login("wang.wu", TEST_PASSWORD).await.is_ok());
});

app_test!(five_failures_lock_the_account_for_fifteen_minutes, |t| {
    t.person("zhao.liu", None, &[]).await;
    t.person("bystander", None, &[]).await;
    for i in 0..5 {
        let r = t.app.login("zhao.liu", "wrong-password").await;
        assert!(
            matches!(r, Err(AppError::InvalidCredentials)),
            "failure {i}: {r:?}"
        );
    }
    // The sixth attempt is refused even with the right password.
    match t.app.login("zhao.liu", TEST_PASSWORD).await {
        Err(AppError::Throttled { until, .. }) => {
            assert_eq!(until, Utc.with_ymd_and_hms(2026, 11, 2, 9, 15, 0).unwrap())
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
    // The lock is per username, and case-folding cannot dodge it.
    assert!(matches!(
        t.app.login("ZHAO.LIU", TEST_PASSWORD).await,
        Err(AppError::Throttled { .. })
    ));
    assert!(t.app.login("bystander", TEST_PASSWORD).await.is_ok());

    t.clock.advance(Duration::minutes(14));
    assert!(
        matches!(
            t.app.login("zhao.liu", TEST_PASSWORD).await,
            Err(AppError::Throttled { .. })
        ),
        "still locked after 14 minutes"
    );
    t.clock.advance(Duration::minutes(2));
    let ok = t
        .app
        .login("zhao.liu", TEST_PASSWORD)
        .await
        .expect("unlocked after 16 minutes");
    assert!(
        t.app
            .identify_session(&ok.session_token)
            .await
            .unwrap()
            .is_some()
    );

    // A success clears the count: four more failures do not lock.
    for _ in 0..4 {
        assert!(matches!(
            t.app.login("zhao.liu", "wrong-password").await,
            Err(AppError::InvalidCredentials)
        ));
    }
    assert!(t.app.login("zhao.liu", TEST_PASSWORD).await.is_ok());
});

app_test!(an_admin_reset_lifts_a_lock, |t| {
    let id = t.person("locked.out", None, &[]).await.actor.person_id.0;
    for _ in 0..5 {
        let _ = t.app.login("locked.out", "wrong-password").await;
    }
    assert!(matches!(
        t.app.login("locked.out", TEST_PASSWORD).await,
        Err(AppError::Throttled { .. })
    ));
    let fresh = t.app.reset_password(Caller::System, id).await.unwrap();
    assert!(t.app.login("locked.out", &fresh).await.is_ok());
});

app_test!(
    a_disabled_person_cannot_sign_in_and_loses_their_sessions,
    |t| {
        let id = t
            .person("chen.qi", None, &[(Role::Director, None)])
            .await
            .actor
            .person_id
            .0;
        let s = t
            .app
            .login("chen.qi", TEST_PASSWORD)
            .await
            .unwrap()
            .session_token;
        let token = t
            .app
            .create_api_token(Caller::System, "chen.qi", "script")
            .await
            .unwrap();
        assert!(t.app.identify_token(&token).await.unwrap().is_some());

        t.app
            .set_person_disabled(Caller::System, id, true)
            .await
            .unwrap();
        assert!(
            t.app.identify_session(&s).await.unwrap().is_none(),
            "disabling ends the session"
        );
        assert!(
            t.app.identify_token(&token).await.unwrap().is_none(),
            "a disabled person's token identifies no one"
        );
        assert!(matches!(
            t.app.login("chen.qi", TEST_PASSWORD).await,
            Err(AppError::InvalidCredentials)
        ));

        t.app
            .set_person_disabled(Caller::System, id, false)
            .await
            .unwrap();
        // The old session stays ended; signing in again works.
        assert!(t.app.identify_session(&s).await.unwrap().is_none());
        let again = t.app.login("chen.qi", TEST_PASSWORD).await.unwrap();
        assert!(
            t.app
                .identify_session(&again.session_token)
                .await
                .unwrap()
                .is_some()
        );
    }
);

app_test!(an_admin_cannot_disable_themselves, |t| {
    let admin = t.person("self.admin", None, &[(Role::Admin, None)]).await;
    let id = admin.actor.person_id.0;
    assert_field(
        t.app
            .set_person_disabled(Caller::Person(&admin), id, true)
            .await,
        "disabled",
        "cannot_disable_self",
    );
    assert!(t.app.login("self.admin", TEST_PASSWORD).await.is_ok());
});

app_test!(people_of_a_disabled_organization_cannot_sign_in, |t| {
    let org2 = t
        .app
        .create_organization(
            Caller::System,
            &domain::org::OrganizationInput {
                name: "停用组织".into(),
                code: String::new(),
                parent_id: None,
            },
        )
        .await
        .unwrap()
        .id;
    let input = app::NewPerson {
        profile: person_input("org2.user", None),
        password: Some(TEST_PASSWORD.into()),
    };
    t.app
        .create_person(Caller::System, org2, &input)
        .await
        .unwrap();
    let s = t
        .app
        .login("org2.user", TEST_PASSWORD)
        .await
        .unwrap()
        .session_token;
    t.app
        .set_organization_disabled(Caller::System, org2, true)
        .await
        .unwrap();
    assert!(t.app.identify_session(&s).await.unwrap().is_none());
    assert!(matches!(
        t.app.login("org2.user", TEST_PASSWORD).await,
        Err(AppError::InvalidCredentials)
    ));
    t.app
        .set_organization_disabled(Caller::System, org2, false)
        .await
        .unwrap();
    assert!(t.app.login("org2.user", TEST_PASSWORD).await.is_ok());
});

app_test!(
    change_password_checks_its_input_and_ends_other_sessions,
    |t| {
        t.person("sun.ba", None, &[]).await;
        let here = t
            .app
            .login("sun.ba", TEST_PASSWORD)
            .await
            .unwrap()
            .session_token;
        let elsewhere = t
            .app
            .login("sun.ba", TEST_PASSWORD)
            .await
            .unwrap()
            .session_token;
        let me = t.app.identify_session(&here).await.unwrap().unwrap();
        let audit_before = audit_total(&t, t.org).await;

        assert_field(
            t.app
                .change_password(&me, "not-my-password", "new-password-2", "new-password-2")
                .await,
            "current_password",
            "wrong_password",
        );
        assert_field(
            t.app
                .change_password(&me, TEST_PASSWORD, "new-password-2", "new-password-3")
                .await,
            "confirm_password",
            "passwords_differ",
        );
        assert_field(
            t.app
                .change_password(&me, TEST_PASSWORD, "short", "short")
                .await,
            "new_password",
            "password_too_short",
        );
        assert_field(
            t.app
                .change_password(&me, "", "new-password-2", "new-password-2")
                .await,
            "current_password",
            "required",
        );
        assert_field(
            t.app
                .change_password(&me, TEST_PASSWORD, TEST_PASSWORD, TEST_PASSWORD)
                .await,
            "new_password",
            "password_unchanged",
        );
        // None of that changed anything.
        assert_eq!(audit_total(&t, t.org).await, audit_before);
        assert!(t.app.identify_session(&elsewhere).await.unwrap().is_some());

        t.app
            .change_password(&me, TEST_PASSWORD, "new-password-2", "new-password-2")
            .await
            .unwrap();
        assert_eq!(audit_total(&t, t.org).await, audit_before + 1);
        assert!(
            t.app.identify_session(&here).await.unwrap().is_some(),
            "the session that changed the password stays"
        );
        assert!(
            t.app.identify_session(&elsewhere).await.unwrap().is_none(),
            "other sessions end"
        );
        assert!(matches!(
            t.app.login("sun.ba", TEST_PASSWORD).await,
            Err(AppError::InvalidCredentials)
        ));
        assert!(t.app.login("sun.ba", "new-password-2").await.is_ok());
    }
);

app_test!(reset_password_forces_a_change_at_next_sign_in, |t| {
    let id = t.person("zhou.jiu", None, &[]).await.actor.person_id.0;
    let old = t
        .app
        .login("zhou.jiu", TEST_PASSWORD)
        .await
        .unwrap()
        .session_token;
    let staff = t.person("plain.staff", None, &[]).await;
    assert_forbidden(t.app.reset_password(Caller::Person(&staff), id).await);
    assert!(
        t.app.identify_session(&old).await.unwrap().is_some(),
        "a refused reset ends nothing"
    );

    let fresh = t.app.reset_password(Caller::System, id).await.unwrap();
    assert_eq!(fresh.len(), 16);
    assert!(
        t.app.identify_session(&old).await.unwrap().is_none(),
        "a reset ends the sessions"
    );
    assert!(matches!(
        t.app.login("zhou.jiu", TEST_PASSWORD).await,
        Err(AppError::InvalidCredentials)
    ));
    let out = t.app.login("zhou.jiu", &fresh).await.unwrap();
    assert!(out.must_change_password);
    let me = t
        .app
        .identify_session(&out.session_token)
        .await
        .unwrap()
        .unwrap();
    assert!(me.must_change_password);

    t.app
        .change_password(&me, &fresh, "My-own-password-7", "My-own-password-7")
        .await
        .unwrap();
    let out = t.app.login("zhou.jiu", "My-own-password-7").await.unwrap();
    assert!(
        !out.must_change_password,
        "changing the password clears the flag"
    );
    assert!(
        !t.app
            .identify_session(&out.session_token)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
});

app_test!(a_generated_first_password_must_be_changed, |t| {
    let input = app::NewPerson {
        profile: person_input("new.hire", None),
        password: None,
    };
    let (_, generated) = t
        .app
        .create_person(Caller::System, t.org, &input)
        .await
        .unwrap();
    let generated = generated.expect("a generated password is returned");
    assert!(
        t.app
            .login("new.hire", &generated)
            .await
            .unwrap()
            .must_change_password
    );
});

app_test!(api_tokens_identify_until_revoked, |t| {
    let admin = t.person("tok.admin", None, &[(Role::Admin, None)]).await;
    let director = t
        .person("tok.director", None, &[(Role::Director, None)])
        .await;
    t.person(
        "tok.user",
        None,
        &[(Role::Staff, Some(t.unit("财政局", None).await))],
    )
    .await;

    // Only admins issue and revoke tokens.
    assert_forbidden(
        t.app
            .create_api_token(Caller::Person(&director), "tok.user", "ci")
            .await,
    );
    assert_forbidden(
        t.app
            .revoke_api_tokens(Caller::Person(&director), "tok.user", None)
            .await,
    );
    assert_field(
        t.app
            .create_api_token(Caller::Person(&admin), "tok.user", "  ")
            .await,
        "name",
        "required",
    );
    assert!(matches!(
        t.app
            .create_api_token(Caller::Person(&admin), "no.such.user", "ci")
            .await,
        Err(AppError::NotFound)
    ));

    let ci = t
        .app
        .create_api_token(Caller::Person(&admin), "tok.user", "ci")
        .await
        .unwrap();
    let report = t
        .app
        .create_api_token(Caller::Person(&admin), "TOK.USER", "report")
        .await
        .unwrap();
    assert!(ci.starts_with("xh_"));
    assert_ne!(ci, report);
    let who = t
        .app
        .identify_token(&ci)
        .await
        .unwrap()
        .expect("token identifies");
    assert_eq!(who.username, "tok.user");
    assert!(who.session.is_none(), "a token is not a browser session");
    assert!(who.has(Role::Staff));
    assert!(t.app.identify_token("xh_0000").await.unwrap().is_none());
    assert!(
        t.app.identify_session(&ci).await.unwrap().is_none(),
        "a token is not a session id"
    );

    // The admin sees the tokens (not their secrets) on the person; others don't.
    let uid = who.actor.person_id.0;
    assert_eq!(
        t.app
            .get_person(Caller::Person(&admin), uid)
            .await
            .unwrap()
            .api_tokens
            .len(),
        2
    );
    assert!(
        t.app
            .get_person(Caller::Person(&director), uid)
            .await
            .unwrap()
            .api_tokens
            .is_empty()
    );

    // Revoking by name leaves the others.
    assert_eq!(
        t.app
            .revoke_api_tokens(Caller::Person(&admin), "tok.user", Some("ci"))
            .await
            .unwrap(),
        1
    );
    assert!(t.app.identify_token(&ci).await.unwrap().is_none());
    assert!(t.app.identify_token(&report).await.unwrap().is_some());
    assert_eq!(
        t.app
            .revoke_api_tokens(Caller::Person(&admin), "tok.user", None)
            .await
            .unwrap(),
        1
    );
    assert!(t.app.identify_token(&report).await.unwrap().is_none());
    assert_eq!(
        t.app
            .revoke_api_tokens(Caller::Person(&admin), "tok.user", None)
            .await
            .unwrap(),
        0
    );
});

app_test!(first_start_creates_the_administrators_once, |t| {
    // The harness creates no person, so the database counts as fresh. The test apps keep a
    // single administrator.
    let made = t.app.ensure_first_admin("初始组织").await.unwrap();
    assert_eq!(made.len(), 1);
    let (username, password) = made[0].clone();
    assert_eq!(username, "admin");
    assert!(
        t.app
            .ensure_first_admin("初始组织")
            .await
            .unwrap()
            .is_empty(),
        "only once"
    );
    let out = t.app.login("admin", &password).await.unwrap();
    assert!(out.must_change_password);
    let me = t
        .app
        .identify_session(&out.session_token)
        .await
        .unwrap()
        .unwrap();
    assert!(me.has(Role::Admin));
    assert_eq!(me.organization_name, "初始组织");
    assert!(t.app.verify_audit().await.unwrap().ok());
});

app_test!(
    a_person_keeps_their_own_tokens_which_expire_and_are_revoked,
    |t| {
        let unit = t.unit("财政局", None).await;
        let unsigned = t
            .person("self.tok", Some(unit), &[(Role::Staff, Some(unit))])
            .await;
        t.person("other.tok", Some(unit), &[(Role::Staff, Some(unit))])
            .await;
        let admin = t.person("tok.admin", None, &[(Role::Admin, None)]).await;
        let me_id = unsigned.actor.person_id.0;
        // Tokens are made from a signed-in session, never by a token.
        assert!(matches!(
            t.app.create_own_api_token(&unsigned, "x", None).await,
            Err(AppError::Forbidden)
        ));
        let signed_in = async |username: &str| {
            let out = t.app.login(username, TEST_PASSWORD).await.unwrap();
            t.app
                .identify_session(&out.session_token)
                .await
                .unwrap()
                .unwrap()
        };
        let me = signed_in("self.tok").await;
        let other = signed_in("other.tok").await;

        // Made by the person, for a month or until revoked; a validity out of range is named.
        let (month, month_token) = t
            .app
            .create_own_api_token(&me, "企业微信", Some(30))
            .await
            .unwrap();
        assert_eq!(month.row.expires_at, Some(t.app.now() + Duration::days(30)));
        assert_eq!(month.state, domain::session::TokenState::Active);
        let (lasting, lasting_token) = t
            .app
            .create_own_api_token(&me, "通讯录", None)
            .await
            .unwrap();
        assert_eq!(lasting.row.expires_at, None);
        for days in [0, -5, 3651] {
            assert_field(
                t.app.create_own_api_token(&me, "x", Some(days)).await,
                "expires_in_days",
                "out_of_range",
            );
        }
        let who = t
            .app
            .identify_token(&month_token)
            .await
            .unwrap()
            .expect("works");
        assert_eq!(who.actor.person_id.0, me_id, "it acts as its owner");

        // Listed, newest first, to the owner and an administrator; to nobody else.
        let mine = t.app.api_tokens(Caller::Person(&me), me_id).await.unwrap();
        assert_eq!(
            mine.iter().map(|t| t.row.id).collect::<Vec<_>>(),
            vec![lasting.row.id, month.row.id]
        );
        assert_eq!(
            t.app
                .api_tokens(Caller::Person(&admin), me_id)
                .await
                .unwrap(),
            mine
        );
        assert_forbidden(t.app.api_tokens(Caller::Person(&other), me_id).await);

        // After its thirty days it no longer works, and says so.
        t.clock.advance(Duration::days(30));
        assert!(t.app.identify_token(&month_token).await.unwrap().is_none());
        assert!(
            t.app
                .identify_token(&lasting_token)
                .await
                .unwrap()
                .is_some()
        );
        let mine = t.app.api_tokens(Caller::Person(&me), me_id).await.unwrap();
        assert_eq!(mine[1].state, domain::session::TokenState::Expired);

        // Someone else cannot revoke it, nor learn that it exists; its owner can, once.
        assert!(matches!(
            t.app
                .revoke_api_token(Caller::Person(&other), lasting.row.id)
                .await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            t.app.revoke_api_token(Caller::Person(&me), 999_999).await,
            Err(AppError::NotFound)
        ));
        let revoked = t
            .app
            .revoke_api_token(Caller::Person(&me), lasting.row.id)
            .await
            .unwrap();
        assert_eq!(revoked.state, domain::session::TokenState::Revoked);
        assert!(
            t.app
                .identify_token(&lasting_token)
                .await
                .unwrap()
                .is_none()
        );
        assert_field(
            t.app
                .revoke_api_token(Caller::Person(&me), lasting.row.id)
                .await,
            "status",
            "already_revoked",
        );

        // An administrator revokes a person's token too.
        let (theirs, theirs_token) = t
            .app
            .create_own_api_token(&other, "脚本", Some(90))
            .await
            .unwrap();
        t.app
            .revoke_api_token(Caller::Person(&admin), theirs.row.id)
            .await
            .unwrap();
        assert!(t.app.identify_token(&theirs_token).await.unwrap().is_none());
        assert!(t.app.verify_audit().await.unwrap().ok());
    }
);

app_test!(
    the_password_policy_is_applied_to_every_new_password_and_its_age,
    |t| {
        let unit = t.unit("财政局", None).await;
        let staff = t
            .person("zhao.liu", Some(unit), &[(Role::Staff, Some(unit))])
            .await;
        let security = t
            .person("pw.security", None, &[(Role::SecurityAdmin, None)])
            .await;
        let new_person = |username: &str, password: &str| app::NewPerson {
            profile: domain::org::PersonInput {
                username: username.into(),
                display_name: "钱七".into(),
                unit_id: Some(domain::UnitId(unit)),
                ..Default::default()
            },
            password: Some(password.into()),
        };
        // The defaults: 10 characters, three classes, no name, nothing common (the demo
        // password included).
        for (password, code) in [
            ("Ab1-x", "password_too_short"),
            ("abcdefghijkl", "password_too_simple"),
            ("Qian.Qi.2026x", "password_contains_name"),
            ("xx钱七Ab12xx", "password_contains_name"),
            ("Admin@2026", "password_common"),
            ("xiaohao-demo", "password_too_simple"),
        ] {
            assert_field(
                t.app
                    .create_person(Caller::System, t.org, &new_person("qian.qi", password))
                    .await,
                "password",
                code,
            );
        }

        // Not one of the last five.
        let me = t.identity(staff.actor.person_id.0).await;
        let passwords = ["Second-pass-2", "Third-pass-3", "Fourth-pass-4"];
        let mut current = TEST_PASSWORD.to_owned();
        for p in passwords {
            t.app.change_password(&me, &current, p, p).await.unwrap();
            current = p.to_owned();
        }
        for old in [TEST_PASSWORD, "Second-pass-2"] {
            assert_field(
                t.app.change_password(&me, &current, old, old).await,
                "new_password",
                "password_reused",
            );
        }

        // The security administrator tightens it; nobody else may.
        let stricter = domain::password::PasswordPolicy {
            min_length: 12,
            min_classes: 3,
            history: 2,
            max_age_days: Some(30),
        };
        assert_forbidden(
            t.app
                .set_password_policy(Caller::Person(&me), t.org, stricter)
                .await,
        );
        assert_field(
            t.app
                .set_password_policy(
                    Caller::Person(&security),
                    t.org,
                    domain::password::PasswordPolicy {
                        min_length: 4,
                        ..stricter
                    },
                )
                .await,
            "min_length",
            "out_of_range",
        );
        t.app
            .set_password_policy(Caller::Person(&security), t.org, stricter)
            .await
            .unwrap();
        assert_eq!(
            t.app
                .password_policy(Caller::Person(&me), t.org)
                .await
                .unwrap(),
            stricter
        );
        assert_field(
            t.app
                .change_password(&me, &current, "Fifth-pas-5", "Fifth-pas-5")
                .await,
            "new_password",
            "password_too_short",
        );
        // With a history of two, the third-latest may come back.
        t.app
            .change_password(&me, &current, "Second-pass-2", "Second-pass-2")
            .await
            .unwrap();

        // Thirty days on, the next sign-in must change it first.
        t.clock.advance(Duration::days(29));
        assert!(
            !t.app
                .login("zhao.liu", "Second-pass-2")
                .await
                .unwrap()
                .must_change_password
        );
        t.clock.advance(Duration::days(1));
        assert!(
            t.app
                .login("zhao.liu", "Second-pass-2")
                .await
                .unwrap()
                .must_change_password
        );
        assert!(t.app.verify_audit().await.unwrap().ok());
    }
);

/// The base32 secret of a challenge's enrolment, as the page shows it.
async fn enrolment_secret(t: &app::testing::TestApp, token: &str) -> domain::totp::TotpSecret {
    let view = t.app.challenge(token).await.expect("challenge");
    assert_eq!(view.purpose, app::ChallengePurpose::Enrol);
    let e = view.enrolment.expect("an enrolment to show");
    assert!(e.uri.starts_with("otpauth://totp/"), "{}", e.uri);
    domain::totp::TotpSecret::from_base32(&e.secret).expect("base32 secret")
}

fn wrong_code(r: &Result<app::SecondFactorLogin, AppError>) -> Option<&'static str> {
    match r {
        Err(AppError::Invalid(e)) => e.0.first().map(|f| f.code),
        _ => None,
    }
}

app_test!(
    a_role_that_requires_a_second_factor_enrols_at_sign_in_and_uses_each_code_once,
    |t| {
        let security = t.person("sec", None, &[(Role::SecurityAdmin, None)]).await;
        let officer = t
            .person("ji.wei", None, &[(Role::DisciplineOfficer, None)])
            .await;
        let staff = t.unit("办公室", None).await;
        t.person("xiao.li", Some(staff), &[(Role::Staff, Some(staff))])
            .await;
        // Nobody else may set it.
        assert!(matches!(
            t.app
                .set_totp_roles(Caller::Person(&officer), t.org, &[Role::DisciplineOfficer])
                .await,
            Err(AppError::Forbidden)
        ));
        t.app
            .set_totp_roles(Caller::Person(&security), t.org, &[Role::DisciplineOfficer])
            .await
            .unwrap();
        assert_eq!(
            t.app
                .totp_roles(Caller::Person(&security), t.org)
                .await
                .unwrap(),
            vec![Role::DisciplineOfficer]
        );
        // A role not named signs in with the password alone.
        let plain = t.app.login("xiao.li", TEST_PASSWORD).await.unwrap();
        assert!(plain.challenge.is_none() && !plain.session_token.is_empty());

        // The officer's password opens no session, only a challenge to enrol.
        let first = t.app.login("ji.wei", TEST_PASSWORD).await.unwrap();
        let challenge = first
            .challenge
            .clone()
            .expect("a second factor is required");
        assert_eq!(challenge.purpose, app::ChallengePurpose::Enrol);
        assert!(first.session_token.is_empty());
        assert!(
            t.app
                .identify_session(&challenge.token)
                .await
                .unwrap()
                .is_none()
        );
        let secret = enrolment_secret(&t, &challenge.token).await;
        let r = t.app.complete_login(&challenge.token, "000000", None).await;
        let now = t.clock.now();
        if secret.verify("000000", now, None).is_none() {
            assert_eq!(wrong_code(&r), Some("wrong_code"));
        }
        let done = t
            .app
            .complete_login(&challenge.token, &secret.code_now(now), None)
            .await
            .expect("enrolled and signed in");
        let codes = done.recovery_codes.expect("recovery codes after enrolment");
        assert_eq!(codes.len(), domain::totp::RECOVERY_CODES);
        let who = t
            .app
            .identify_session(&done.login.session_token)
            .await
            .unwrap()
            .expect("a live session");
        assert_eq!(who.username, "ji.wei");
        // The challenge is spent.
        assert!(matches!(
            t.app.challenge(&challenge.token).await,
            Err(AppError::Unauthenticated)
        ));

        // Next time: the code, and the same code (the same step) is not taken twice.
        let second = t.app.login("ji.wei", TEST_PASSWORD).await.unwrap();
        let c2 = second.challenge.expect("a code is asked");
        assert_eq!(c2.purpose, app::ChallengePurpose::Verify);
        let replay = t
            .app
            .complete_login(&c2.token, &secret.code_now(now), None)
            .await;
        assert_eq!(
            wrong_code(&replay),
            Some("wrong_code"),
            "a code is used once"
        );
        t.clock.advance(Duration::seconds(30));
        let ok = t
            .app
            .complete_login(&c2.token, &secret.code_now(t.clock.now()), None)
            .await
            .expect("the next step's code");
        assert!(ok.recovery_codes.is_none());

        // A recovery code, typed however, works once.
        let typed = codes[0].to_uppercase().replace('-', " ");
        let c3 = t
            .app
            .login("ji.wei", TEST_PASSWORD)
            .await
            .unwrap()
            .challenge
            .unwrap();
        t.app
            .complete_login(&c3.token, &typed, None)
            .await
            .expect("a recovery code");
        let c4 = t
            .app
            .login("ji.wei", TEST_PASSWORD)
            .await
            .unwrap()
            .challenge
            .unwrap();
        assert_eq!(
            wrong_code(&t.app.complete_login(&c4.token, &codes[0], None).await),
            Some("wrong_code")
        );
        // Five wrong codes end the challenge: back to the password.
        for i in 1..5 {
            let r = t.app.complete_login(&c4.token, "abcdef", None).await;
            let want = if i == 4 {
                "challenge_expired"
            } else {
                "wrong_code"
            };
            assert_eq!(wrong_code(&r), Some(want), "attempt {}", i + 1);
        }
        assert!(matches!(
            t.app
                .complete_login(&c4.token, &secret.code_now(t.clock.now()), None)
                .await,
            Err(AppError::Unauthenticated)
        ));
        // Wrong codes count against the account like wrong passwords.
        assert!(matches!(
            t.app.login("ji.wei", TEST_PASSWORD).await,
            Err(AppError::Throttled { .. })
        ));
        t.clock.advance(Duration::hours(1));

        // The officer cannot turn it off; the security administrator can reset it (a lost
        // phone), which ends their sessions, and the next sign-in enrols again.
        let page = t
            .app
            .identify_session(&ok.login.session_token)
            .await
            .unwrap()
            .unwrap();
        let status = t.app.totp_status(&page).await.unwrap();
        assert!(status.enabled && status.required);
        assert_eq!(status.recovery_codes_left, 9);
        let off = t.app.disable_totp(&page, &codes[1]).await;
        assert!(matches!(off, Err(AppError::Invalid(ref e)) if e.0[0].code == "totp_required"));
        assert!(matches!(
            t.app
                .reset_totp(Caller::Person(&page), page.actor.person_id.0)
                .await,
            Err(AppError::Forbidden)
        ));
        assert!(
            t.app
                .reset_totp(Caller::Person(&security), page.actor.person_id.0)
                .await
                .unwrap()
        );
        assert!(
            t.app
                .identify_session(&ok.login.session_token)
                .await
                .unwrap()
                .is_none()
        );
        let again = t.app.login("ji.wei", TEST_PASSWORD).await.unwrap();
        assert_eq!(
            again.challenge.unwrap().purpose,
            app::ChallengePurpose::Enrol
        );

        // The ledger names each sign-in with the factor used.
        let auditor = t.person("auditor", None, &[(Role::AuditAdmin, None)]).await;
        let entries = t
            .app
            .list_audit(
                Caller::Person(&auditor),
                t.org,
                &app::model::AuditFilter {
                    actor_id: Some(page.actor.person_id.0),
                    action: Some("auth.login".into()),
                    ..Default::default()
                },
                domain::page::PageRequest::new(None, None),
            )
            .await
            .unwrap();
        let factors: Vec<String> = entries
            .items
            .iter()
            .map(|e| e.after_json.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            factors,
            [
                r#"{"second_factor":"recovery_code"}"#,
                r#"{"second_factor":"totp"}"#,
                r#"{"second_factor":"totp"}"#
            ]
        );
    }
);

app_test!(
    one_adds_and_removes_a_second_factor_from_a_session_with_a_code,
    |t| {
        t.person("wang.wu", None, &[(Role::Supervisor, None)]).await;
        let s = t.app.login("wang.wu", TEST_PASSWORD).await.unwrap();
        let me = t
            .app
            .identify_session(&s.session_token)
            .await
            .unwrap()
            .unwrap();
        // Not through a token: one that leaked could lock the owner out.
        let (_, token) = t.app.create_own_api_token(&me, "同步", None).await.unwrap();
        let by_token = t.app.identify_token(&token).await.unwrap().unwrap();
        assert!(matches!(
            t.app.begin_totp(&by_token).await,
            Err(AppError::Forbidden)
        ));

        let e = t.app.begin_totp(&me).await.unwrap();
        assert_eq!(
            t.app.totp_status(&me).await.unwrap().pending,
            Some(e.clone()),
            "the page shows the enrolment begun"
        );
        let secret = domain::totp::TotpSecret::from_base32(&e.secret).unwrap();
        // Until confirmed, sign-in takes the password alone.
        assert!(
            t.app
                .login("wang.wu", TEST_PASSWORD)
                .await
                .unwrap()
                .challenge
                .is_none()
        );
        let now = t.clock.now();
        let wrong = secret.code_at(domain::totp::step_of(now) + 5);
        assert!(matches!(
            t.app.confirm_totp(&me, &wrong).await,
            Err(AppError::Invalid(_))
        ));
        let codes = t
            .app
            .confirm_totp(&me, &secret.code_now(now))
            .await
            .unwrap();
        assert_eq!(codes.len(), 10);
        assert!(matches!(
            t.app.begin_totp(&me).await,
            Err(AppError::Invalid(ref e)) if e.0[0].code == "totp_already_enabled"
        ));
        let c = t
            .app
            .login("wang.wu", TEST_PASSWORD)
            .await
            .unwrap()
            .challenge;
        assert_eq!(c.map(|c| c.purpose), Some(app::ChallengePurpose::Verify));
        // Removing it takes a code (a recovery code does); then the password alone again.
        assert!(matches!(
            t.app.disable_totp(&me, "123").await,
            Err(AppError::Invalid(_))
        ));
        t.app.disable_totp(&me, &codes[3]).await.unwrap();
        let st = t.app.totp_status(&me).await.unwrap();
        assert!(!st.enabled && st.pending.is_none() && st.recovery_codes_left == 0);
        assert!(
            t.app
                .login("wang.wu", TEST_PASSWORD)
                .await
                .unwrap()
                .challenge
                .is_none()
        );
    }
);

app_test!(the_second_factor_holds_at_its_edges, |t| {
    let security = t.person("sec", None, &[(Role::SecurityAdmin, None)]).await;
    t.person("zhao.liu", None, &[(Role::Supervisor, None)])
        .await;
    let s = t.app.login("zhao.liu", TEST_PASSWORD).await.unwrap();
    let me = t
        .app
        .identify_session(&s.session_token)
        .await
        .unwrap()
        .unwrap();
    let (_, token) = t.app.create_own_api_token(&me, "同步", None).await.unwrap();
    let by_token = t.app.identify_token(&token).await.unwrap().unwrap();
    // An enrolment under way shows its secret to the session only, never to a token.
    let e = t.app.begin_totp(&me).await.unwrap();
    assert_eq!(
        t.app.totp_status(&me).await.unwrap().pending,
        Some(e.clone())
    );
    assert_eq!(t.app.totp_status(&by_token).await.unwrap().pending, None);
    // Begun again (another tab), the first secret's code confirms nothing.
    let first = domain::totp::TotpSecret::from_base32(&e.secret).unwrap();
    let e2 = t.app.begin_totp(&me).await.unwrap();
    assert_ne!(e.secret, e2.secret);
    let now = t.clock.now();
    assert!(t.app.confirm_totp(&me, &first.code_now(now)).await.is_err());
    let second = domain::totp::TotpSecret::from_base32(&e2.secret).unwrap();
    t.clock.advance(Duration::seconds(30));
    let codes = t
        .app
        .confirm_totp(&me, &second.code_now(t.clock.now()))
        .await
        .unwrap();
    // Wrong codes to remove it count against the account like wrong passwords.
    let mut throttled = false;
    for _ in 0..12 {
        match t.app.disable_totp(&me, "000000").await {
            Err(AppError::Throttled { .. }) => {
                throttled = true;
                break;
            }
            Err(AppError::Invalid(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(
        throttled,
        "guessing the code to remove the factor is slowed down"
    );
    t.clock.advance(Duration::hours(1));

    // The security administrator does not reset their own factor around its code.
    assert!(matches!(
        t.app.reset_totp(Caller::Person(&security), security.actor.person_id.0).await,
        Err(AppError::Invalid(ref e)) if e.0[0].code == "cannot_reset_self"
    ));

    // A sign-in waiting for its code ends when the person is disabled, or reset.
    let c = t
        .app
        .login("zhao.liu", TEST_PASSWORD)
        .await
        .unwrap()
        .challenge
        .unwrap();
    let person = me.actor.person_id.0;
    t.app
        .set_person_disabled(Caller::System, person, true)
        .await
        .unwrap();
    t.app
        .set_person_disabled(Caller::System, person, false)
        .await
        .unwrap();
    assert!(matches!(
        t.app.complete_login(&c.token, &codes[0], None).await,
        Err(AppError::Unauthenticated)
    ));
    let c = t
        .app
        .login("zhao.liu", TEST_PASSWORD)
        .await
        .unwrap()
        .challenge
        .unwrap();
    t.app
        .reset_totp(Caller::Person(&security), person)
        .await
        .unwrap();
    assert!(matches!(
        t.app.complete_login(&c.token, &codes[0], None).await,
        Err(AppError::Unauthenticated)
    ));
});
