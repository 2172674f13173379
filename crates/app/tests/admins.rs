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
