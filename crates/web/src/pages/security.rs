//! `/admin/security`: the organization's password policy, for its security administrator.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::password::PasswordPolicy;
use domain::validate::Validator;

use super::layout::{FormErrors, Layout, render};
use super::{OkQuery, see_other};
use crate::AppState;
use crate::form::FormData;
use crate::session::User;

#[derive(Template)]
#[template(path = "admin/security.html")]
struct SecurityPage {
    l: Layout,
    /// (field, value, min, max) of each input.
    fields: Vec<(&'static str, String, u32, u32)>,
    /// Every role, and whether it must sign in with a second factor.
    totp_roles: Vec<(&'static str, bool)>,
    errors: FormErrors,
}

fn page(
    user: &User,
    p: &PasswordPolicy,
    totp: &[domain::Role],
    errors: FormErrors,
) -> SecurityPage {
    SecurityPage {
        l: Layout::new(
            user.lang,
            Some(&user.identity),
            "security.title",
            "/admin/security",
        ),
        fields: vec![
            ("min_length", p.min_length.to_string(), 8, 64),
            ("min_classes", p.min_classes.to_string(), 1, 4),
            ("history", p.history.to_string(), 0, 24),
            (
                "max_age_days",
                p.max_age_days.map(|d| d.to_string()).unwrap_or_default(),
                1,
                3650,
            ),
        ],
        totp_roles: domain::Role::ALL
            .iter()
            .map(|r| (r.as_str(), totp.contains(r)))
            .collect(),
        errors,
    }
}

pub async fn show(State(state): State<AppState>, user: User, Query(q): Query<OkQuery>) -> Response {
    let org = user.identity.actor.organization_id.0;
    if !state.app.can_manage_security(user.caller(), org) {
        return user.fail(app::AppError::Forbidden).into_response();
    }
    let read = async {
        let p = state.app.password_policy(user.caller(), org).await?;
        let totp = state.app.totp_roles(user.caller(), org).await?;
        Ok::<_, app::AppError>((p, totp))
    };
    match read.await {
        Ok((p, totp)) => {
            let mut pg = page(&user, &p, &totp, FormErrors::new(user.lang));
            pg.l =
                pg.l.with_notice(Some(q.ok.as_str()).filter(|s| !s.is_empty()));
            render(&pg)
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// Reads a whole number; an empty field is `None` (and `required` when `required`), anything
/// else that is not a number names the field.
fn number(v: &mut Validator, form: &FormData, field: &str, required: bool) -> Option<u32> {
    match form.get(field).trim() {
        "" => {
            if required {
                v.fail(field, "required");
            }
            None
        }
        raw => raw.parse::<u32>().map_or_else(
            |_| {
                v.fail(field, "not_a_number");
                None
            },
            Some,
        ),
    }
}

pub async fn save(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let org = user.identity.actor.organization_id.0;
    // Refused before the form is read, for whoever does not set the policy.
    if !state.app.can_manage_security(user.caller(), org) {
        return user.fail(app::AppError::Forbidden).into_response();
    }
    // What was typed, as far as it reads (for showing the form again), and what does not.
    let mut v = Validator::new();
    let typed = PasswordPolicy {
        min_length: number(&mut v, &form, "min_length", true).unwrap_or(0),
        min_classes: number(&mut v, &form, "min_classes", true).unwrap_or(0),
        history: number(&mut v, &form, "history", true).unwrap_or(0),
        max_age_days: number(&mut v, &form, "max_age_days", false),
    };
    let result = match v.finish() {
        Ok(()) => state
            .app
            .set_password_policy(user.caller(), org, typed)
            .await
            .map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => see_other("/admin/security?ok=security.saved"),
        Err(e @ app::AppError::Invalid(_)) => {
            let errors = FormErrors::from_app(
                user.lang,
                &e,
                &["min_length", "min_classes", "history", "max_age_days"],
            );
            let totp = state
                .app
                .totp_roles(user.caller(), org)
                .await
                .unwrap_or_default();
            (
                crate::error::status_of(&e),
                render(&page(&user, &typed, &totp, errors)),
            )
                .into_response()
        }
        Err(e) => user.fail(e).into_response(),
    }
}
