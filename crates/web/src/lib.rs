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
        .layer(middleware::from_fn(security_headers))
        .layer(CatchPanicLayer::custom(on_panic))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// The policy of every HTML page: scripts and styles from this server only (no inline
/// script anywhere), no framing, forms posting here only.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'; object-src 'none'";

/// The display board's: the same, except that a kiosk page of this server may frame it.
pub const BOARD_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'self'; \
    base-uri 'none'; object-src 'none'";

/// Security headers on every answer: `nosniff` everywhere; on HTML pages a content security
/// policy, no referrer beyond this server (none at all from the board, whose address carries
/// its token), and no caching (pages are personal; a handler that sets its own keeps it).
async fn security_headers(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let board = req.uri().path().starts_with("/board/");
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = res.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if html {
        let (policy, referrer) = if board {
            (BOARD_POLICY, "no-referrer")
        } else {
            (PAGE_POLICY, "same-origin")
        };
        h.entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(policy));
        h.entry(header::REFERRER_POLICY)
            .or_insert(HeaderValue::from_static(referrer));
        h.entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static(if board {
                "SAMEORIGIN"
            } else {
                "DENY"
            }));
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    res
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
