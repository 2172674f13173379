//! `/admin/security`: the organization's password policy, for its security administrator.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::password::PasswordPolicy;

use super::layout::{FormErrors, Layout, render};
use super::see_other;
use crate::AppState;
use crate::form::FormData;
use crate::session::User;

#[derive(serde::Deserialize)]
pub struct OkQuery {
    #[serde(default)]
    ok: String,
}

#[derive(Template)]
#[template(path = "admin/security.html")]
struct SecurityPage {
    l: Layout,
    /// (field, value, min, max) of each input.
    fields: Vec<(&'static str, String, u32, u32)>,
    errors: FormErrors,
}

fn page(user: &User, p: &PasswordPolicy, errors: FormErrors) -> SecurityPage {
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
        errors,
    }
}

pub async fn show(State(state): State<AppState>, user: User, Query(q): Query<OkQuery>) -> Response {
    let org = user.identity.actor.organization_id.0;
    if !state.app.can_manage_security(user.caller(), org) {
        return user.fail(app::AppError::Forbidden).into_response();
    }
    match state.app.password_policy(user.caller(), org).await {
        Ok(p) => {
            let mut pg = page(&user, &p, FormErrors::new(user.lang));
            pg.l =
                pg.l.with_notice(Some(q.ok.as_str()).filter(|s| !s.is_empty()));
            render(&pg)
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// Reads a whole number, or names the field.
fn number(form: &FormData, field: &'static str) -> Result<Option<u32>, app::AppError> {
    match form.get(field).trim() {
        "" => Ok(None),
        v => v
            .parse::<u32>()
            .map(Some)
            .map_err(|_| app::AppError::field(field, "not_a_number")),
    }
}

pub async fn save(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let org = user.identity.actor.organization_id.0;
    let read = || -> Result<PasswordPolicy, app::AppError> {
        let required =
            |f: &'static str| number(&form, f)?.ok_or_else(|| app::AppError::field(f, "required"));
        Ok(PasswordPolicy {
            min_length: required("min_length")?,
            min_classes: required("min_classes")?,
            history: required("history")?,
            max_age_days: number(&form, "max_age_days")?,
        })
    };
    let result = match read() {
        Ok(p) => state.app.set_password_policy(user.caller(), org, p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other("/admin/security?ok=security.saved"),
        Err(e @ app::AppError::Invalid(_)) => {
            let shown = PasswordPolicy {
                min_length: number(&form, "min_length").ok().flatten().unwrap_or(0),
                min_classes: number(&form, "min_classes").ok().flatten().unwrap_or(0),
                history: number(&form, "history").ok().flatten().unwrap_or(0),
                max_age_days: number(&form, "max_age_days").ok().flatten(),
            };
            let errors = FormErrors::from_app(
                user.lang,
                &e,
                &["min_length", "min_classes", "history", "max_age_days"],
            );
            (
                crate::error::status_of(&e),
                render(&page(&user, &shown, errors)),
            )
                .into_response()
        }
        Err(e) => user.fail(e).into_response(),
    }
}
