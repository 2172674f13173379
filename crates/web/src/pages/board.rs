//! The public display screen (电子屏): opened with a display token, no sign-in. One page laid
//! out for a 1920×1080 screen that rotates through its panels (cards by unit, the red list,
//! key projects, open coordination requests), an HTML fragment with the panels, and a stream
//! of server-sent events that tells the page to fetch the fragment again when something was
//! published or a card changed, on any server.

use std::convert::Infallible;
use std::time::Duration;

use app::Board;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::layout::render;
use crate::AppState;
use crate::i18n::Lang;
use crate::session::Ctx;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    /// Keep one panel on screen: `units`, `red`, `projects` or `coordination`.
    pub panel: String,
    /// Seconds per panel (10–300; default 20).
    pub every: String,
}

/// The board's labels: the board has no signed-in person, so it speaks the default language
/// unless the screen's browser chose another.
pub struct BoardText {
    pub lang: Lang,
}

impl BoardText {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn label(&self, prefix: &str, code: &str) -> &'static str {
        let key = format!("{prefix}.{code}");
        if crate::i18n::has_key(&key) {
            self.lang.t(&key)
        } else {
            ""
        }
    }
}

#[derive(Template)]
#[template(path = "board/board.html")]
struct BoardPage {
    l: BoardText,
    b: Board,
    token: String,
    panel: String,
    every: u32,
}

#[derive(Template)]
#[template(path = "board/panels.html")]
struct Panels {
    l: BoardText,
    b: Board,
}

fn not_found(lang: Lang) -> Response {
    (StatusCode::NOT_FOUND, lang.t("board.unknown_token")).into_response()
}

/// Pages of the board are shown in a kiosk browser: nothing is cached, nothing framed.
fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

pub async fn page(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(token): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Response {
    let lang = ctx.lang;
    match state.app.board(&token).await {
        Ok(b) => {
            let panel = match q.panel.as_str() {
                p @ ("units" | "red" | "projects" | "coordination") => p.to_owned(),
                _ => String::new(),
            };
            let every = q.every.parse::<u32>().unwrap_or(20).clamp(10, 300);
            no_store(render(&BoardPage {
                l: BoardText { lang },
                b,
                token,
                panel,
                every,
            }))
        }
        Err(_) => not_found(lang),
    }
}

pub async fn panels(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(token): Path<String>,
) -> Response {
    match state.app.board(&token).await {
        Ok(b) => no_store(render(&Panels {
            l: BoardText { lang: ctx.lang },
            b,
        })),
        Err(_) => not_found(ctx.lang),
    }
}

/// `GET /board/{token}/events`: an event `change` whenever the organization publishes or a
/// card or coordination request changes; a comment every 15 s keeps proxies from closing the
/// stream.
pub async fn events(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(token): Path<String>,
) -> Response {
    let org = match state.app.display_org(&token).await {
        Ok(org) => org,
        Err(_) => return not_found(ctx.lang),
    };
    let rx = state.app.subscribe().await;
    let core = state.app.clone();
    let stream = futures_util::stream::unfold(rx, move |mut rx| {
        let (core, token) = (core.clone(), token.clone());
        async move {
            loop {
                match rx.recv().await {
                    Ok(n) if n.topic == app::model::SHUTDOWN => return None,
                    // A revoked token's stream ends at its next notice.
                    Ok(n)
                        if n.organization_id == org && core.display_org(&token).await.is_err() =>
                    {
                        return None;
                    }
                    Ok(n) if n.organization_id == org => {
                        let ev = Event::default().event("change").data(n.topic);
                        return Some((Ok::<Event, Infallible>(ev), rx));
                    }
                    Ok(_) => {}
                    // Missed notices: tell the page to refresh anyway.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let ev = Event::default().event("change").data("lagged");
                        return Some((Ok(ev), rx));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    no_store(
        Sse::new(stream)
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
            .into_response(),
    )
}
