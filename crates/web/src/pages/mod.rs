//! The HTML pages, one module per resource. Each handler parses its input, calls one `app` use
//! case and renders a template; validation errors re-render the form with inline messages.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::AppState;
use crate::session::Ctx;

pub mod account;
pub mod audit;
pub mod board;
pub mod cards;
pub mod charts;
pub mod consequences;
pub mod dashboard;
pub mod inspections;
pub mod key_points;
pub mod layout;
pub mod notify;
pub mod orgs;
pub mod people;
pub mod plan;
pub mod projects;
pub mod security;
pub mod signoff;
pub mod statistics;
pub mod supervision;
pub mod tasks;
pub mod tokens;
pub mod totp;
pub mod units;

/// The router of the pages, and the path of every route it has, as they were added (the
/// authorization matrix calls each, so a page added without a rule there fails its test).
struct Recorded {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Recorded {
    fn route(mut self, path: &'static str, m: MethodRouter<AppState>) -> Self {
        self.paths.push(path);
        self.router = self.router.route(path, m);
        self
    }
}

pub fn router() -> Router<AppState> {
    routes().router
}

/// Every page route's path, as the router writes it (`/tasks/{id}`).
pub fn paths() -> Vec<&'static str> {
    routes().paths
}

fn routes() -> Recorded {
    Recorded {
        router: Router::new(),
        paths: Vec::new(),
    }
    .route("/", get(account::home))
    .route("/healthz", get(healthz))
    .route("/login", get(account::login_form).post(account::login))
    .route(
        "/login/totp",
        get(totp::challenge_form).post(totp::challenge_submit),
    )
    .route("/account/totp", get(totp::account))
    .route("/account/totp/begin", post(totp::account_begin))
    .route("/account/totp/confirm", post(totp::account_confirm))
    .route("/account/totp/disable", post(totp::account_disable))
    .route("/admin/security/totp", post(totp::save_policy))
    .route("/people/{id}/totp/reset", post(totp::reset))
    .route("/logout", post(account::logout))
    .route("/lang/{lang}", get(account::set_lang))
    .route("/account/tokens", get(tokens::tokens).post(tokens::create))
    .route("/api-tokens/{id}/revoke", post(tokens::revoke))
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
    .route("/people/{id}/unlock", post(people::unlock_sign_in))
    .route("/people/{id}/roles", post(people::grant_role))
    .route("/people/{id}/leader-units", post(people::set_led_units))
    .route("/roles/{id}/delete", post(people::revoke_role))
    .route("/audit", get(audit::list))
    .route("/audit.xlsx", get(audit::export))
    .route("/inbox", get(notify::inbox))
    .route("/inbox/read-all", post(notify::read_all))
    .route(
        "/inbox/preferences",
        get(notify::preferences).post(notify::save_preferences),
    )
    .route("/inbox/{id}/open", post(notify::open))
    .route("/inbox/{id}/read", post(notify::read))
    .route("/admin/security", get(security::show).post(security::save))
    .route("/admin/notifications", get(notify::admin))
    .route("/admin/notifications/settings", post(notify::save_settings))
    .route(
        "/admin/notifications/channels/{channel}",
        post(notify::save_channel),
    )
    .route(
        "/admin/notifications/channels/{channel}/remove",
        post(notify::remove_channel),
    )
    .route(
        "/admin/notifications/channels/{channel}/test",
        post(notify::test_channel),
    )
    .route(
        "/admin/notifications/deliveries/{id}/retry",
        post(notify::retry),
    )
    .route("/tasks/{id}/urge", post(notify::urge))
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
        "/tasks/{id}/progress",
        post(supervision::report_progress)
            .layer(DefaultBodyLimit::max(crate::session::EVIDENCE_LIMIT)),
    )
    .route("/tasks/{id}/coordination", post(supervision::raise))
    .route("/files/{id}", get(supervision::file))
    .route("/coordination", get(supervision::list))
    .route("/coordination/{id}", get(supervision::show))
    .route("/coordination/{id}/solutions", post(supervision::propose))
    .route("/coordination/{id}/decision", post(supervision::decide))
    .route("/coordination/{id}/resolve", post(supervision::resolve))
    .route(
        "/inspections",
        get(inspections::list).post(inspections::create),
    )
    .route("/inspections/new", get(inspections::new_form))
    .route("/inspections/{id}", get(inspections::show))
    .route("/inspections/{id}/complete", post(inspections::complete))
    .route("/inspections/{id}/publish", post(inspections::publish))
    .route(
        "/inspections/{id}/findings",
        post(inspections::record_finding)
            .layer(DefaultBodyLimit::max(crate::session::EVIDENCE_LIMIT)),
    )
    .route("/findings/{id}/close", post(inspections::close_finding))
    .route(
        "/findings/{id}/follow-ups",
        post(inspections::add_follow_up),
    )
    .route(
        "/follow-ups/{id}/respond",
        post(inspections::respond_follow_up),
    )
    .route(
        "/follow-ups/{id}/verify",
        post(inspections::verify_follow_up),
    )
    .route("/follow-ups", get(inspections::follow_ups))
    .route("/projects", get(projects::list).post(projects::create))
    .route("/projects/{id}", get(projects::show).post(projects::update))
    .route("/projects/{id}/milestones", post(projects::add_milestone))
    .route("/projects/{id}/progress", post(projects::report_progress))
    .route("/milestones/{id}", post(projects::set_milestone))
    .route("/cards", get(current_cards))
    .route("/months/{month}/cards", get(cards::cards))
    .route("/months/{month}/cards/refresh", post(cards::refresh))
    .route(
        "/months/{month}/cards/confirm-all",
        post(cards::confirm_all),
    )
    .route("/months/{month}/publish", post(cards::publish))
    .route("/cards/{id}/judge", post(cards::judge))
    .route("/cards/{id}/concern", post(cards::concern))
    .route("/publications", get(cards::publications))
    .route("/publications/{id}", get(cards::publication))
    .route("/warnings", get(cards::warnings))
    .route("/settings/cards", get(cards::rules).post(cards::set_rules))
    .route(
        "/displays",
        get(cards::displays).post(cards::create_display),
    )
    .route("/displays/{id}/revoke", post(cards::revoke_display))
    .route("/board/{token}", get(board::page))
    .route("/board/{token}/panels", get(board::panels))
    .route("/board/{token}/events", get(board::events))
    .route("/dashboard", get(dashboard::dashboard))
    .route(
        "/key-points",
        get(key_points::list).post(key_points::create),
    )
    .route("/key-points/{id}", post(key_points::update))
    .route(
        "/tasks/{id}/sign-off",
        post(signoff::submit).layer(DefaultBodyLimit::max(crate::session::EVIDENCE_LIMIT)),
    )
    .route("/sign-off-forms/{id}/opinions", post(signoff::opinion))
    .route(
        "/sign-off-forms/{id}/site-checks",
        post(signoff::site_check).layer(DefaultBodyLimit::max(crate::session::EVIDENCE_LIMIT)),
    )
    .route("/sign-off-forms/{id}/decision", post(signoff::decide))
    .route("/review", get(signoff::current_review))
    .route("/months/{month}/review", get(signoff::review))
    .route("/months/{month}/briefing", get(signoff::briefing))
    .route("/months/{month}/highlights", post(signoff::highlight))
    .route(
        "/months/{month}/highlights/{id}/delete",
        post(signoff::remove_highlight),
    )
    .route("/months/{month}/meeting", post(signoff::meeting))
    .route("/months/{month}/bulletin", post(signoff::generate_bulletin))
    .route("/months/{month}/close", post(signoff::close))
    .route("/bulletins", get(signoff::bulletins))
    .route("/bulletins/{id}", get(signoff::bulletin))
    .route("/bulletins/{id}/publish", post(signoff::publish_bulletin))
    .route("/bulletins/{id}/docx", get(signoff::bulletin_docx))
    .route("/bulletins/{id}/xlsx", get(signoff::bulletin_xlsx))
    .route(
        "/settings/review",
        get(signoff::rule).post(signoff::set_rule),
    )
    .route("/scores", get(consequences::current))
    .route("/scores/{year}", get(consequences::year_scores))
    .route("/months/{month}/scores", get(consequences::month))
    .route("/units/{id}/scores/{month}", get(consequences::unit))
    .route(
        "/months/{month}/scores/recompute",
        get(consequences::recompute_preview).post(consequences::recompute),
    )
    .route(
        "/rules",
        get(consequences::rules).post(consequences::save_rules),
    )
    .route(
        "/months/{month}/awards",
        get(consequences::awards).post(consequences::select_award),
    )
    .route("/statistics", get(statistics::page))
    .route("/statistics.xlsx", get(statistics::xlsx))
    .route("/people/{id}/record", get(consequences::cadre))
    .route("/people/{id}/record/{ext}", get(consequences::cadre_file))
    .route(
        "/awards/{year}",
        get(consequences::awards).post(consequences::select_award),
    )
    .route("/cases", get(consequences::cases))
    .route("/cases/{id}", get(consequences::case))
    .route("/cases/{id}/decision", post(consequences::decide))
    .route(
        "/key-points/import",
        post(key_points::import).layer(DefaultBodyLimit::max(crate::session::UPLOAD_LIMIT)),
    )
}

/// A page's `?ok=` notice key, after a form that redirected back to it.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct OkQuery {
    pub ok: String,
}

/// `/cards`: this month's cards.
async fn current_cards(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let m = domain::plan::YearMonth::of(state.app.today());
    see_other(&format!("/months/{m}/cards"))
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let health = state.app.health().await;
    let status = if health == app::Health::Ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(serde_json::json!({ "status": health.code() })),
    )
        .into_response()
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
    // A target that is no valid header value (a control character) goes home instead of
    // failing the response.
    match axum::http::HeaderValue::try_from(target) {
        Ok(v) => (
            axum::http::StatusCode::SEE_OTHER,
            [(axum::http::header::LOCATION, v)],
        )
            .into_response(),
        Err(_) => axum::response::Redirect::to("/").into_response(),
    }
}

/// The answer to a form's POST: on success a redirect to `done` (which carries the notice); on
/// a validation error the form's page again from `again`, with the input and the errors named
/// by field; any other refusal as its own page (403, 404, 409).
pub async fn after_form<F: Future<Output = Response>>(
    user: &crate::session::User,
    result: Result<(), app::AppError>,
    done: &str,
    again: impl FnOnce(app::AppError) -> F,
) -> Response {
    match result {
        Ok(()) => see_other(done),
        Err(e @ app::AppError::Invalid(_)) => again(e).await,
        Err(e) => user.fail(e).into_response(),
    }
}
