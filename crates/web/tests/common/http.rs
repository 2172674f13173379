//! The web layer in-process: a router over a `TestApp`, sessions by login form or API token,
//! and requests as a browser or an API client sends them.

use app::Caller;
use app::testing::{TEST_PASSWORD, TestApp};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

pub struct Web {
    pub t: TestApp,
    router: Router,
}

#[derive(Clone, Default)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub bearer: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub location: String,
    pub content_type: String,
    pub disposition: String,
    pub bytes: Vec<u8>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Web {
    pub fn new(t: TestApp) -> Web {
        let router = web::router(web::AppState {
            app: t.app.clone(),
            secure_cookies: false,
        });
        Web { t, router }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let h = |name: header::HeaderName| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let (location, content_type, disposition) = (
            h(header::LOCATION),
            h(header::CONTENT_TYPE),
            h(header::CONTENT_DISPOSITION),
        );
        let bytes = to_bytes(res.into_body(), 10 << 20)
            .await
            .expect("body")
            .to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            location,
            content_type,
            disposition,
            bytes,
            body,
        }
    }

    /// Signs in through the login form and picks the CSRF token off a page, as a browser does.
    pub async fn login(&self, username: &str) -> Session {
        self.login_checking(username, |_| {}).await
    }

    /// [`Web::login`], with `check` run on the `Set-Cookie` header of the login's answer before
    /// the page with the CSRF token is fetched.
    pub async fn login_checking(&self, username: &str, check: impl FnOnce(&str)) -> Session {
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username={username}&password={TEST_PASSWORD}"
            )))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username}");
        let set = res
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("session cookie")
            .to_owned();
        check(&set);
        let cookie = set.split(';').next().unwrap().to_owned();
        let mut s = Session {
            cookie,
            ..Default::default()
        };
        let page = self.get("/account/password", &s).await;
        s.csrf = page
            .body
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("csrf field")
            .to_owned();
        s
    }

    pub async fn token(&self, username: &str) -> Session {
        let token = self
            .t
            .app
            .create_api_token(Caller::System, username, "test")
            .await
            .unwrap();
        Session {
            bearer: token,
            ..Default::default()
        }
    }

    pub fn request(method: &str, path: &str, s: &Session) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if !s.cookie.is_empty() {
            b = b.header(header::COOKIE, &s.cookie);
        }
        if !s.bearer.is_empty() {
            b = b.header(header::AUTHORIZATION, format!("Bearer {}", s.bearer));
        }
        b
    }

    pub async fn get(&self, path: &str, s: &Session) -> Reply {
        self.send(Self::request("GET", path, s).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_form(&self, path: &str, s: &Session, fields: &[(&str, &str)]) -> Reply {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        if !s.csrf.is_empty() {
            pairs.push(("_csrf", &s.csrf));
        }
        let body: String = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Self::request("POST", path, s)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Posts a `multipart/form-data` upload with `_csrf` as its first field, as the form does.
    pub async fn post_file(
        &self,
        path: &str,
        s: &Session,
        fields: &[(&str, &str)],
        file: &[u8],
    ) -> Reply {
        self.post_multipart(path, s, fields, &[("file", "plan.xlsx", file)])
            .await
    }

    /// A multipart form with text fields (after `_csrf`) and files as (field, file name,
    /// bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        s: &Session,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        const B: &str = "----xiaohao-test-boundary-7MA4YWxk";
        let mut body = Vec::new();
        let mut all: Vec<(&str, &str)> = Vec::new();
        if !s.csrf.is_empty() {
            all.push(("_csrf", &s.csrf));
        }
        all.extend_from_slice(fields);
        for (k, v) in all {
            body.extend_from_slice(
                format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{B}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        let req = Self::request("POST", path, s)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={B}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// The raw response, for a stream (server-sent events) read as it arrives.
    pub async fn open(&self, path: &str, s: &Session) -> axum::response::Response {
        self.router
            .clone()
            .oneshot(Self::request("GET", path, s).body(Body::empty()).unwrap())
            .await
            .expect("infallible")
    }

    pub async fn api(&self, method: &str, path: &str, s: &Session, json: Option<&str>) -> Reply {
        let mut b = Self::request(method, path, s);
        if json.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        if !s.csrf.is_empty() {
            b = b.header("x-csrf-token", &s.csrf);
        }
        self.send(b.body(Body::from(json.unwrap_or("").to_owned())).unwrap())
            .await
    }
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A test run twice: on SQLite, and on PostgreSQL when `XIAOHAO_TEST_POSTGRES` names one. The
/// body sees the test file's items through `use super::*`.
#[allow(unused_macros)] // the browser tests compile this module too
macro_rules! web_test {
    ($name:ident, |$w:ident| $body:block) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $w = $crate::common::http::Web::new(
                    ::app::testing::TestApp::new(::store::testing::TestDb::sqlite().await).await,
                );
                $body;
                $w.t.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = ::store::testing::TestDb::postgres().await else {
                    return;
                };
                let $w = $crate::common::http::Web::new(::app::testing::TestApp::new(db).await);
                $body;
                $w.t.cleanup().await;
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use web_test;
