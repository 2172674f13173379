//! `/account/tokens`: one's own API tokens (list, make one, revoke); the revoke form also
//! serves administrators on a person's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::account::safe_next;
use super::layout::{FormErrors, Layout, render};
use super::{OkQuery, parse_id, see_other};
use crate::AppState;
use crate::form::FormData;
use crate::session::User;

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    l: Layout,
    tokens: Vec<app::ApiToken>,
    /// The token just made, shown this once.
    created: Option<String>,
    validities: [i64; 4],
    errors: FormErrors,
}

async fn page(
    state: &AppState,
    user: &User,
    created: Option<String>,
    errors: FormErrors,
) -> Result<TokensPage, app::AppError> {
    let tokens = state
        .app
        .api_tokens(user.caller(), user.identity.actor.person_id.0)
        .await?;
    Ok(TokensPage {
        l: Layout::new(
            user.lang,
            Some(&user.identity),
            "tokens.title",
            "/account/tokens",
        ),
        tokens,
        created,
        validities: domain::session::TOKEN_VALIDITY_DAYS,
        errors,
    })
}

pub async fn tokens(
    State(state): State<AppState>,
    user: User,
    axum::extract::Query(q): axum::extract::Query<OkQuery>,
) -> Response {
    match page(&state, &user, None, FormErrors::new(user.lang)).await {
        Ok(mut p) => {
            p.l =
                p.l.with_notice(Some(q.ok.as_str()).filter(|s| !s.is_empty()));
            render(&p)
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn create(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let days = match form.get("expires_in_days").trim() {
        "" => Ok(None),
        d => d.parse::<i64>().map(Some),
    };
    let made = match days {
        Ok(days) => {
            state
                .app
                .create_own_api_token(&user.identity, form.get("name"), days)
                .await
        }
        Err(_) => Err(app::AppError::field("expires_in_days", "not_a_number")),
    };
    let (created, errors, status) = match made {
        Ok((_, token)) => (
            Some(token),
            FormErrors::new(user.lang),
            axum::http::StatusCode::CREATED,
        ),
        Err(e) => {
            let status = crate::error::status_of(&e);
            if !matches!(e, app::AppError::Invalid(_)) {
                return user.fail(e).into_response();
            }
            (
                None,
                FormErrors::from_app(user.lang, &e, &["name", "expires_in_days"]),
                status,
            )
        }
    };
    match page(&state, &user, created, errors).await {
        Ok(p) => (status, render(&p)).into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    user: User,
    Path(raw): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.revoke_api_token(user.caller(), id).await {
        Ok(_) => {
            let next = safe_next(form.get("next"));
            let sep = if next.contains('?') { '&' } else { '?' };
            see_other(&format!("{next}{sep}ok=tokens.revoked"))
        }
        Err(e) => user.fail(e).into_response(),
    }
}
