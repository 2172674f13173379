//! An organization always keeps at least one enabled administrator.

use app::{AppError, Caller};
use domain::Role;

fn field_code(e: &AppError, field: &str) -> Option<&'static str> {
    match e {
        AppError::Invalid(v) => v.for_field(field),
        _ => None,
    }
}

app::app_test!(the_last_admin_cannot_be_removed_or_disabled, |t| {
    let first = t.person("first.admin", None, &[(Role::Admin, None)]).await;
    let first_id = first.actor.person_id.0;
    let role = t
        .app
        .get_person(Caller::System, first_id)
        .await
        .unwrap()
        .roles[0]
        .id;
    let e = t.app.revoke_role(Caller::System, role).await.unwrap_err();
    assert_eq!(field_code(&e, "role"), Some("last_admin"));
    let e = t
        .app
        .set_person_disabled(Caller::System, first_id, true)
        .await
        .unwrap_err();
    assert_eq!(field_code(&e, "disabled"), Some("last_admin"));

    // With a second administrator, the first may go.
    let second = t.person("second.admin", None, &[(Role::Admin, None)]).await;
    t.app
        .set_person_disabled(Caller::Person(&second), first_id, true)
        .await
        .unwrap();
    let e = t
        .app
        .set_person_disabled(Caller::Person(&second), second.actor.person_id.0, true)
        .await
        .unwrap_err();
    assert_eq!(field_code(&e, "disabled"), Some("cannot_disable_self"));
});

/// The app over the same database with the three administrators kept apart, as a deployment
/// runs by default, and a person's identity as that app loads it.
async fn strict(t: &app::testing::TestApp) -> app::App {
    app::App::new(
        t.app.db().clone(),
        t.clock.clone(),
        app::testing::strict_config(),
    )
}

async fn signed_in(app: &app::App, username: &str) -> app::Identity {
    let out = app
        .login(username, app::testing::TEST_PASSWORD)
        .await
        .unwrap();
    app.identify_session(&out.session_token)
        .await
        .unwrap()
        .unwrap()
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) {
    assert!(matches!(r, Err(AppError::Forbidden)), "{what}: {r:?}");
}

app::app_test!(three_administrators_each_do_their_own_work_only, |t| {
    let app = strict(&t).await;
    // A fresh installation gets the three, each with a password of its own.
    let first = app.ensure_first_admin("初始组织").await.unwrap();
    assert_eq!(
        first.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
        vec!["admin", "security", "auditor"]
    );
    let unit = t.unit("财政局", None).await;
    t.person("sys", None, &[(Role::Admin, None)]).await;
    t.person("sec", None, &[(Role::SecurityAdmin, None)]).await;
    t.person("aud", None, &[(Role::AuditAdmin, None)]).await;
    let staff = t
        .person("clerk", Some(unit), &[(Role::Staff, Some(unit))])
        .await
        .actor
        .person_id
        .0;
    let (sys, sec, aud) = (
        signed_in(&app, "sys").await,
        signed_in(&app, "sec").await,
        signed_in(&app, "aud").await,
    );
    let unit_input = |name: &str| domain::org::UnitInput {
        name: name.into(),
        code: String::new(),
        parent_id: None,
        sort_order: 0,
    };

    // 系统管理员: the organization and its people, not roles, passwords or the ledger.
    let s = Caller::Person(&sys);
    app.create_unit(s, t.org, &unit_input("督查室"))
        .await
        .unwrap();
    forbidden(
        app.grant_role(s, staff, Some(Role::UnitHead), Some(domain::UnitId(unit)))
            .await,
        "sys grants",
    );
    forbidden(app.reset_password(s, staff).await, "sys resets");
    forbidden(app.unlock_sign_in(s, staff).await, "sys unlocks");
    forbidden(app.api_tokens(s, staff).await, "sys lists tokens");
    forbidden(
        app.list_audit(s, t.org, &Default::default(), all()).await,
        "sys reads the ledger",
    );

    // 安全管理员: roles, passwords, locks and tokens, not the structure or the ledger.
    let c = Caller::Person(&sec);
    app.grant_role(c, staff, Some(Role::UnitHead), Some(domain::UnitId(unit)))
        .await
        .unwrap();
    app.reset_password(c, staff).await.unwrap();
    app.unlock_sign_in(c, staff).await.unwrap();
    app.api_tokens(c, staff).await.unwrap();
    forbidden(
        app.create_unit(c, t.org, &unit_input("效能室")).await,
        "sec creates a unit",
    );
    forbidden(
        app.set_person_disabled(c, staff, true).await,
        "sec disables a person",
    );
    forbidden(
        app.list_audit(c, t.org, &Default::default(), all()).await,
        "sec reads the ledger",
    );

    // 审计管理员: reads the ledger, changes nothing.
    let a = Caller::Person(&aud);
    let ledger = app
        .list_audit(a, t.org, &Default::default(), all())
        .await
        .unwrap();
    assert!(
        ledger.items.iter().any(|e| e.action == "role.grant"),
        "the grant is on record"
    );
    forbidden(
        app.create_unit(a, t.org, &unit_input("绩考办")).await,
        "aud creates a unit",
    );
    forbidden(
        app.grant_role(a, staff, Some(Role::Staff), Some(domain::UnitId(unit)))
            .await,
        "aud grants",
    );
    forbidden(app.reset_password(a, staff).await, "aud resets");

    // Nobody holds two of them: the security administrator cannot make it so.
    let sys_id = sys.actor.person_id.0;
    for (person, role) in [
        (sys_id, Role::AuditAdmin),
        (aud.actor.person_id.0, Role::Admin),
        (aud.actor.person_id.0, Role::SecurityAdmin),
    ] {
        let e = app
            .grant_role(c, person, Some(role), None)
            .await
            .unwrap_err();
        assert_eq!(
            field_code(&e, "role"),
            Some("separation_of_duties"),
            "{role}"
        );
    }
    // Nor does the security administrator take another administrator's account (their
    // password is reset by the operator, on the server), or widen their own rights.
    for who in [sys_id, aud.actor.person_id.0] {
        let e = app.reset_password(c, who).await.unwrap_err();
        assert_eq!(field_code(&e, "person"), Some("administrator_account"));
    }
    app.reset_password(Caller::System, sys_id).await.unwrap();
    let e = app
        .grant_role(c, sec.actor.person_id.0, Some(Role::Director), None)
        .await
        .unwrap_err();
    assert_eq!(field_code(&e, "role"), Some("cannot_grant_self"));
    // The only audit administrator is neither disabled nor stripped of the role.
    let e = app
        .set_person_disabled(s, aud.actor.person_id.0, true)
        .await
        .unwrap_err();
    assert_eq!(field_code(&e, "disabled"), Some("last_admin"));
    let aud_role = app
        .get_person(c, aud.actor.person_id.0)
        .await
        .unwrap()
        .roles[0]
        .id;
    let e = app.revoke_role(c, aud_role).await.unwrap_err();
    assert_eq!(field_code(&e, "role"), Some("last_admin"));
    assert!(app.missing_administrators().await.unwrap().is_empty());
    // Nor does the security administrator remove their own office.
    let own = app
        .get_person(c, sec.actor.person_id.0)
        .await
        .unwrap()
        .roles;
    let own = own.iter().find(|r| r.role == "security_admin").unwrap().id;
    let e = app.revoke_role(c, own).await.unwrap_err();
    assert_eq!(field_code(&e, "role"), Some("cannot_remove_own_admin"));

    // A single administrator is an explicit setting: then admin holds all three offices.
    let single = t.identity(sys_id).await;
    assert!(single.has(Role::SecurityAdmin) && single.has(Role::AuditAdmin));
    t.app
        .list_audit(Caller::Person(&single), t.org, &Default::default(), all())
        .await
        .unwrap();
    assert!(app.verify_audit().await.unwrap().ok());
});

fn all() -> domain::page::PageRequest {
    domain::page::PageRequest::new(Some(1), Some(200))
}
