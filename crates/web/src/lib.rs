//! HTTP for Xiaohao: the HTML pages, the JSON API under `/api/v1` with its OpenAPI document,
//! sessions and CSRF, and the static assets, all embedded in the binary.
//!
//! Handlers are thin: they parse input, call one `app` use case and render what it returns.
//! The page handler and the API handler of one action call the same use case.
#![forbid(unsafe_code)]

use std::net::SocketAddr;

use axum::Router;
use axum::middleware;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub mod api;
mod assets;
pub mod error;
pub mod form;
pub mod i18n;
pub mod pages;
pub mod session;

#[derive(Clone)]
pub struct AppState {
    pub app: app::App,
    /// Mark cookies `Secure` (when served behind TLS).
    pub secure_cookies: bool,
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    // JSON bodies are capped like form bodies; a wrong method gets the error envelope too.
    let api = api
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(session::FORM_LIMIT));
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api)
        .route("/api/openapi.json", axum::routing::get(api::openapi_json))
        .merge(assets::router())
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::context_layer,
        ))
        .layer(CatchPanicLayer::custom(on_panic))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// A bug that panics in a handler is logged and answered with the 500 page, never a dropped
/// connection.
fn on_panic(err: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "handler panicked");
    let lang = i18n::Lang::default();
    pages::layout::ErrorPage::render(
        lang,
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        lang.t("error.internal"),
    )
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let core = state.app.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let stop = async move {
        shutdown.await;
        // Live streams never end by themselves: end them so the shutdown can finish.
        core.end_streams();
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}
