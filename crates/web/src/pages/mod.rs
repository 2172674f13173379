//! The HTML pages, one module per resource. Each handler parses its input, calls one `app` use
//! case and renders a template; validation errors re-render the form with inline messages.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::session::Ctx;

pub mod account;
pub mod audit;
pub mod key_points;
pub mod layout;
pub mod orgs;
pub mod people;
pub mod plan;
pub mod tasks;
pub mod units;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(account::home))
        .route("/healthz", get(healthz))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/lang/{lang}", get(account::set_lang))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/organizations", get(orgs::list).post(orgs::create))
        .route("/organizations/{id}", get(orgs::show).post(orgs::update))
        .route("/organizations/{id}/disable", post(orgs::disable))
        .route("/organizations/{id}/enable", post(orgs::enable))
        .route("/units", get(units::list).post(units::create))
        .route("/units/new", get(units::new_form))
        .route("/units/{id}", get(units::show).post(units::update))
        .route("/units/{id}/edit", get(units::edit_form))
        .route("/units/{id}/disable", post(units::disable))
        .route("/units/{id}/enable", post(units::enable))
        .route("/units/{id}/posts", post(units::create_post))
        .route("/posts/{id}", post(units::update_post))
        .route("/posts/{id}/disable", post(units::disable_post))
        .route("/posts/{id}/enable", post(units::enable_post))
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new_form))
        .route("/people/{id}", get(people::show).post(people::update))
        .route("/people/{id}/edit", get(people::edit_form))
        .route("/people/{id}/disable", post(people::disable))
        .route("/people/{id}/enable", post(people::enable))
        .route("/people/{id}/reset-password", post(people::reset_password))
        .route("/people/{id}/roles", post(people::grant_role))
        .route("/people/{id}/leader-units", post(people::set_led_units))
        .route("/roles/{id}/delete", post(people::revoke_role))
        .route("/audit", get(audit::list))
        .route("/months", get(plan::months))
        .route("/months/{month}", get(plan::month))
        .route("/months/{month}/phase", post(plan::move_phase))
        .route("/months/{month}/arrange", post(plan::arrange))
        .route("/months/{month}/arrangement", get(plan::arrangement))
        .route("/months/{month}/assigned-items", post(plan::assign))
        .route("/months/{month}/units/{unit}", get(plan::unit_month))
        .route("/months/{month}/units/{unit}/tasks", post(plan::propose))
        .route(
            "/months/{month}/units/{unit}/import",
            post(plan::import).layer(DefaultBodyLimit::max(crate::session::UPLOAD_LIMIT)),
        )
        .route("/months/{month}/units/{unit}/table", get(plan::table))
        .route(
            "/months/{month}/units/{unit}/table.xlsx",
            get(plan::table_xlsx),
        )
        .route("/tasks/{id}", get(tasks::show).post(tasks::update))
        .route("/tasks/{id}/submit", post(tasks::submit))
        .route("/tasks/{id}/review", post(tasks::review))
        .route("/tasks/{id}/decision", post(tasks::decide))
        .route("/tasks/{id}/change-requests", post(tasks::request_change))
        .route("/change-requests", get(tasks::list_change_requests))
        .route("/change-requests/{id}/decision", post(tasks::decide_change))
        .route(
            "/key-points",
            get(key_points::list).post(key_points::create),
        )
        .route("/key-points/{id}", post(key_points::update))
        .route(
            "/key-points/import",
            post(key_points::import).layer(DefaultBodyLimit::max(crate::session::UPLOAD_LIMIT)),
        )
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    if state.app.healthy().await {
        (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ok" })),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "database_unreachable" })),
        )
            .into_response()
    }
}

pub async fn not_found(Ctx(ctx): Ctx, uri: axum::http::Uri) -> Response {
    if ctx.is_api {
        crate::error::ApiError::new(app::AppError::NotFound, ctx.lang).into_response()
    } else {
        layout::ErrorPage::render_for(
            ctx.lang,
            ctx.identity.as_deref(),
            uri.path_and_query().map_or("/", |p| p.as_str()),
            StatusCode::NOT_FOUND,
            ctx.lang.t("error.not_found"),
        )
    }
}

/// Parses a path or query id leniently: anything that is not a positive integer is "not found".
pub fn parse_id(raw: &str) -> Result<i64, app::AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(app::AppError::NotFound)
}

/// A redirect after a successful POST (303, so the browser GETs the target).
pub fn see_other(target: &str) -> Response {
    axum::response::Redirect::to(target).into_response()
}
