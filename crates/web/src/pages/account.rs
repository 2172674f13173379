//! Signing in and out, the language switch, one's own password, and the home page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::layout::{FormErrors, Layout, render};
use super::see_other;
use crate::AppState;
use crate::form::FormData;
use crate::i18n::Lang;
use crate::session::{
    ClientAddr, Ctx, LANG_COOKIE, SESSION_COOKIE, User, clear_session_cookie, cookie,
    session_cookie,
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    username: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub ok: String,
}

/// Only local paths are followed after sign-in, never another site, and never one with a
/// control character (a CR/LF would split the `Location` header).
pub(crate) fn safe_next(next: &str) -> &str {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
    {
        next
    } else {
        "/"
    }
}

pub async fn login_form(Ctx(ctx): Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.identity.is_some() {
        return see_other(safe_next(&q.next));
    }
    render(&LoginPage {
        l: Layout::new(ctx.lang, None, "login.title", "/login"),
        username: String::new(),
        next: q.next,
        errors: FormErrors::new(ctx.lang),
    })
}

pub async fn login(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ClientAddr(client): ClientAddr,
    form: FormData,
) -> Response {
    let username = form.get("username").to_owned();
    let next = form.get("next").to_owned();
    // Refused before anything is written: no session is created for such a request.
    if next.chars().any(char::is_control) {
        let e = app::AppError::field("next", "invalid_characters");
        let page = LoginPage {
            l: Layout::new(ctx.lang, None, "login.title", "/login"),
            username,
            next: String::new(),
            errors: FormErrors::from_app(ctx.lang, &e, &["username", "password"]),
        };
        return (StatusCode::BAD_REQUEST, render(&page)).into_response();
    }
    match state
        .app
        .login_from(&username, form.get("password"), client.as_deref())
        .await
    {
        Ok(outcome) if outcome.challenge.is_some() => {
            // The password was right; the code comes next, on its own page.
            let token = outcome.challenge.map(|c| c.token).unwrap_or_default();
            let target = format!(
                "/login/totp?next={}",
                form_urlencoded::byte_serialize(safe_next(&next).as_bytes()).collect::<String>()
            );
            let mut res = see_other(&target);
            let c = super::totp::challenge_cookie(&token, state.secure_cookies);
            if let Ok(v) = c.parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Ok(outcome) => {
            let target = if outcome.must_change_password {
                "/account/password"
            } else {
                safe_next(&next)
            };
            let mut res = see_other(target);
            if let Ok(v) = session_cookie(&outcome.session_token, state.secure_cookies).parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            let errors = FormErrors::from_app(ctx.lang, &e, &["username", "password"]);
            let page = LoginPage {
                l: Layout::new(ctx.lang, None, "login.title", "/login"),
                username,
                next,
                errors,
            };
            (status, render(&page)).into_response()
        }
    }
}

pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(sid) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.app.logout(sid).await
    {
        tracing::error!(error = %e, "logout failed");
    }
    let mut res = see_other("/login");
    if let Ok(v) = clear_session_cookie().parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn set_lang(Path(lang): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::parse(&lang).unwrap_or_default();
    let mut res = see_other(safe_next(&q.next));
    let value = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        match lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    );
    if let Ok(v) = value.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    must_change: bool,
    /// What a new password must be, in words.
    rules: String,
    errors: FormErrors,
}

/// The organization's password policy in one sentence.
async fn rules(state: &AppState, user: &User) -> String {
    let org = user.identity.actor.organization_id.0;
    let p = state
        .app
        .password_policy(user.caller(), org)
        .await
        .unwrap_or_default();
    match user.lang {
        Lang::Zh => {
            let mut s = format!(
                "新密码至少 {} 位，须包含大写字母、小写字母、数字、其他字符中的至少 {} 类，不得包含用户名或姓名，不得使用常见密码",
                p.min_length, p.min_classes
            );
            if p.history > 0 {
                s.push_str(&format!("，不得与最近 {} 次的密码相同", p.history));
            }
            if let Some(d) = p.max_age_days {
                s.push_str(&format!("；每 {d} 天须更换一次"));
            }
            s + "。"
        }
        Lang::En => {
            let mut s = format!(
                "A new password has at least {} characters, uses at least {} of upper case, lower case, digits and other characters, contains neither the username nor the name, and is not a common one",
                p.min_length, p.min_classes
            );
            if p.history > 0 {
                s.push_str(&format!(", nor one of the last {}", p.history));
            }
            if let Some(d) = p.max_age_days {
                s.push_str(&format!("; it is changed every {d} days"));
            }
            s + "."
        }
    }
}

pub async fn password_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<NextQuery>,
) -> Response {
    let l = Layout::new(
        user.lang,
        Some(&user.identity),
        "password.title",
        "/account/password",
    )
    .with_notice(Some(q.ok.as_str()).filter(|s| !s.is_empty()));
    render(&PasswordPage {
        l,
        must_change: user.identity.must_change_password,
        rules: rules(&state, &user).await,
        errors: FormErrors::new(user.lang),
    })
}

pub async fn change_password(
    State(state): State<AppState>,
    user: User,
    form: FormData,
) -> Response {
    match state
        .app
        .change_password(
            &user.identity,
            form.get("current_password"),
            form.get("new_password"),
            form.get("confirm_password"),
        )
        .await
    {
        Ok(()) => see_other("/account/password?ok=password.changed"),
        Err(e) => {
            let errors = FormErrors::from_app(
                user.lang,
                &e,
                &["current_password", "new_password", "confirm_password"],
            );
            let page = PasswordPage {
                l: Layout::new(
                    user.lang,
                    Some(&user.identity),
                    "password.title",
                    "/account/password",
                ),
                must_change: user.identity.must_change_password,
                rules: rules(&state, &user).await,
                errors,
            };
            (crate::error::status_of(&e), render(&page)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    name: String,
    org: String,
    unit: Option<String>,
    roles: Vec<String>,
    led_units: Vec<(i64, String)>,
}

pub async fn home(State(state): State<AppState>, user: User) -> Response {
    let i = &user.identity;
    let led_units = match state
        .app
        .get_person(user.caller(), i.actor.person_id.0)
        .await
    {
        Ok(d) => d.led_units,
        Err(e) => return user.fail(e).into_response(),
    };
    let roles = i
        .actor
        .roles()
        .into_iter()
        .map(|r| r.as_str().to_owned())
        .collect();
    let page = HomePage {
        l: Layout::new(user.lang, Some(i), "nav.home", "/"),
        name: i.display_name.clone(),
        org: i.organization_name.clone(),
        unit: i.unit_name.clone(),
        roles,
        led_units,
    };
    render(&page)
}
