//! Who is asking, in which language, and whether a state-changing request is genuine.
//!
//! One middleware runs before every handler. It resolves the identity from an API bearer token
//! or the session cookie, reads the language cookie, and enforces CSRF protection on every
//! POST/PUT/PATCH/DELETE that rides on a cookie: the request must come from our own origin
//! (Sec-Fetch-Site / Origin) and carry the session's CSRF token (form field `_csrf`, also the
//! first field of a multipart upload, or header `X-CSRF-Token`). Bearer-token requests carry
//! no ambient credentials and skip the token check.

use std::sync::Arc;

use app::{AppError, Identity};
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::form::FormData;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "xh_session";
pub const LANG_COOKIE: &str = "xh_lang";
/// Largest form body read for the CSRF check.
pub const FORM_LIMIT: usize = 1024 * 1024;
/// Largest file accepted by an upload form (the import of a plan table).
pub const UPLOAD_FILE_LIMIT: usize = 2 * 1024 * 1024;
/// Largest multipart body read for the CSRF check: the file plus the other fields.
pub const UPLOAD_LIMIT: usize = UPLOAD_FILE_LIMIT + 64 * 1024;
/// Largest body of a form with evidence files (a progress report, a finding).
pub const EVIDENCE_LIMIT: usize = domain::evidence::MAX_TOTAL_BYTES + 256 * 1024;
/// The same through the API, where files travel base64-encoded (4 bytes for every 3).
pub const EVIDENCE_JSON_LIMIT: usize = domain::evidence::MAX_TOTAL_BYTES / 3 * 4 + 256 * 1024;

/// How much of a multipart body the CSRF check may read on a path: the evidence forms take
/// larger bodies than the imports.
fn multipart_limit(path: &str) -> usize {
    if path.ends_with("/progress")
        || path.ends_with("/findings")
        || path.ends_with("/sign-off")
        || path.ends_with("/site-checks")
    {
        EVIDENCE_LIMIT
    } else {
        UPLOAD_LIMIT
    }
}

#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub lang: Lang,
    pub identity: Option<Arc<Identity>>,
    pub is_api: bool,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser tells us where a request comes from; anything cross-site is refused.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        return origin != "null" && origin_host == host;
    }
    true
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn refuse(is_api: bool, lang: Lang, err: AppError, path: &str) -> Response {
    if is_api {
        ApiError::new(err, lang).into_response()
    } else {
        PageError {
            err,
            lang,
            identity: None,
            path: path.to_owned(),
        }
        .into_response()
    }
}

fn csrf_refusal(is_api: bool, lang: Lang) -> Response {
    if is_api {
        ApiError::bad_request(StatusCode::FORBIDDEN, "csrf_failed", None, lang)
    } else {
        crate::pages::layout::ErrorPage::render(
            lang,
            StatusCode::FORBIDDEN,
            lang.err("csrf_failed"),
        )
    }
}

fn too_large(is_api: bool, lang: Lang) -> Response {
    if is_api {
        ApiError::bad_request(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", None, lang)
    } else {
        crate::pages::layout::ErrorPage::render(
            lang,
            StatusCode::PAYLOAD_TOO_LARGE,
            lang.err("body_too_large"),
        )
    }
}

/// The value of a small text field of a `multipart/form-data` body, found in the raw bytes:
/// the part whose headers name it, up to the end of its first line. Upload forms put `_csrf`
/// first, so it is found before the file.
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    let start = find(body, needle.as_bytes())? + needle.len();
    let rest = &body[start..];
    let value_start = find(rest, b"\r\n\r\n")? + 4;
    let value = &rest[value_start..];
    let end = find(value, b"\r\n").unwrap_or(value.len());
    std::str::from_utf8(&value[..end])
        .ok()
        .map(|v| v.trim().to_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub async fn context_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let headers = req.headers();
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_default();
    let is_api = req.uri().path().starts_with("/api/");
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let via_token = bearer.is_some();
    let identity = if let Some(token) = bearer {
        match state.app.identify_token(&token).await {
            Ok(Some(i)) => Some(i),
            Ok(None) => return refuse(is_api, lang, AppError::Unauthenticated, &path),
            Err(e) => return refuse(is_api, lang, e, &path),
        }
    } else if let Some(sid) = cookie(headers, SESSION_COOKIE) {
        match state.app.identify_session(sid).await {
            Ok(i) => i,
            Err(e) => return refuse(is_api, lang, e, &path),
        }
    } else {
        None
    };

    if unsafe_method(req.method()) && !via_token {
        if !same_origin(req.headers()) {
            return csrf_refusal(is_api, lang);
        }
        if let Some(i) = &identity {
            let mut provided = req
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let content_type = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let is_form = content_type.starts_with("application/x-www-form-urlencoded");
            let is_multipart = content_type.starts_with("multipart/form-data");
            if provided.is_none() && (is_form || is_multipart) {
                let limit = if is_multipart {
                    multipart_limit(req.uri().path())
                } else {
                    FORM_LIMIT
                };
                let (parts, body) = req.into_parts();
                let Ok(bytes) = to_bytes(body, limit).await else {
                    return too_large(is_api, lang);
                };
                provided = if is_multipart {
                    multipart_field(&bytes, "_csrf")
                } else {
                    Some(FormData::parse(&bytes).get("_csrf").to_owned())
                };
                req = Request::from_parts(parts, Body::from(bytes));
            }
            if !provided.is_some_and(|p| constant_time_eq(&p, i.csrf_token())) {
                return csrf_refusal(is_api, lang);
            }
        }
    }
    req.extensions_mut().insert(RequestCtx {
        lang,
        identity: identity.map(Arc::new),
        is_api,
    });
    next.run(req).await
}

fn ctx_of(parts: &Parts) -> RequestCtx {
    parts
        .extensions
        .get::<RequestCtx>()
        .cloned()
        .unwrap_or(RequestCtx {
            lang: Lang::default(),
            identity: None,
            is_api: false,
        })
}

/// The request context, for pages that anyone may open.
pub struct Ctx(pub RequestCtx);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx(ctx_of(parts)))
    }
}

/// The address of the client that sent the request, when the server knows it (it does when
/// it serves a socket; a request handed to the router in a test has none).
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

/// A signed-in person on an HTML page; others are sent to the sign-in page. A person who must
/// change their password is sent to that page first.
pub struct User {
    pub identity: Arc<Identity>,
    pub lang: Lang,
    /// The requested path and query.
    pub path: String,
}

impl User {
    pub fn caller(&self) -> app::Caller<'_> {
        app::Caller::Person(&self.identity)
    }

    pub fn fail(&self, err: AppError) -> PageError {
        PageError {
            err,
            lang: self.lang,
            identity: Some(self.identity.clone()),
            path: self.path.clone(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ctx = ctx_of(parts);
        let Some(identity) = ctx.identity else {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let target = format!(
                "/login?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return Err(Redirect::to(&target).into_response());
        };
        let path = parts.uri.path();
        if identity.must_change_password && path != "/account/password" && path != "/logout" {
            return Err(Redirect::to("/account/password").into_response());
        }
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        Ok(User {
            identity,
            lang: ctx.lang,
            path,
        })
    }
}

/// A caller of the JSON API: a bearer token or a browser session.
pub struct ApiUser {
    pub identity: Arc<Identity>,
    pub lang: Lang,
}

impl ApiUser {
    pub fn caller(&self) -> app::Caller<'_> {
        app::Caller::Person(&self.identity)
    }

    pub fn fail(&self, err: AppError) -> ApiError {
        ApiError::new(err, self.lang)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ctx = ctx_of(parts);
        match ctx.identity {
            Some(identity) => Ok(ApiUser {
                identity,
                lang: ctx.lang,
            }),
            None => Err(ApiError::new(AppError::Unauthenticated, ctx.lang)),
        }
    }
}

/// `Set-Cookie` for the session: HttpOnly, SameSite=Lax, Secure when served over TLS.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(same_origin(&headers(&[("host", "x.gov:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "x.gov:8080"),
            ("origin", "http://x.gov:8080"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "x.gov:8080"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "x.gov:8080"),
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "x.gov:8080"),
            ("origin", "null")
        ])));
    }

    #[test]
    fn the_csrf_field_is_found_in_a_multipart_body() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc123\r\n--XyZ\r\n\
            Content-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n\x00\x01\r\n--XyZ--\r\n";
        assert_eq!(multipart_field(body, "_csrf").as_deref(), Some("abc123"));
        assert_eq!(multipart_field(body, "other"), None);
        assert_eq!(multipart_field(b"name=\"_csrf\"", "_csrf"), None);
    }

    #[test]
    fn cookies_are_found_among_several() {
        let h = headers(&[("cookie", "a=1; xh_lang=en"), ("cookie", "xh_session=abc")]);
        assert_eq!(cookie(&h, LANG_COOKIE), Some("en"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "nope"), None);
        assert!(
            constant_time_eq("abc", "abc")
                && !constant_time_eq("abc", "abd")
                && !constant_time_eq("abc", "ab")
        );
    }
}
