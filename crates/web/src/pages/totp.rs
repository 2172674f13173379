//! Two-factor sign-in pages: the code after the password (`/login/totp`, where a person whose
//! role requires a second factor also enrols), one's own second factor (`/account/totp`), the
//! roles that require it (on `/admin/security`) and a person's reset.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::account::{NextQuery, safe_next};
use super::layout::{FormErrors, Layout, render};
use super::{OkQuery, parse_id, see_other};
use crate::AppState;
use crate::form::FormData;
use crate::session::{ClientAddr, Ctx, User, cookie, session_cookie};

/// The cookie that carries a sign-in challenge between the password and the code.
pub const CHALLENGE_COOKIE: &str = "xh_challenge";

/// `Set-Cookie` for a challenge: only the sign-in pages see it, and only for its five minutes.
pub fn challenge_cookie(token: &str, secure: bool) -> String {
    format!(
        "{CHALLENGE_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=300{}",
        if secure { "; Secure" } else { "" }
    )
}

fn clear_challenge_cookie() -> String {
    format!("{CHALLENGE_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// An `otpauth://` address as a QR code, drawn here as SVG (nothing is fetched).
pub fn qr_svg(data: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

#[derive(Template)]
#[template(path = "account/login_totp.html")]
struct ChallengePage {
    l: Layout,
    enrol: bool,
    display_name: String,
    secret: String,
    qr: String,
    next: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "account/recovery_codes.html")]
struct RecoveryCodesPage {
    l: Layout,
    codes: Vec<String>,
    next: String,
}

fn challenge_page(
    ctx_lang: crate::i18n::Lang,
    view: app::ChallengeView,
    next: String,
    errors: FormErrors,
) -> ChallengePage {
    let (secret, qr) = view
        .enrolment
        .map(|e| (e.secret, qr_svg(&e.uri)))
        .unwrap_or_default();
    ChallengePage {
        l: Layout::new(ctx_lang, None, "totp.title", "/login/totp"),
        enrol: view.purpose == app::ChallengePurpose::Enrol,
        display_name: view.display_name,
        secret,
        qr,
        next,
        errors,
    }
}

/// Back to the password: the challenge is gone (expired, used up, or never there).
fn restart(next: &str) -> Response {
    let target = format!(
        "/login?next={}",
        form_urlencoded::byte_serialize(safe_next(next).as_bytes()).collect::<String>()
    );
    let mut res = see_other(&target);
    if let Ok(v) = clear_challenge_cookie().parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn challenge_form(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let Some(token) = cookie(&headers, CHALLENGE_COOKIE) else {
        return restart(&q.next);
    };
    match state.app.challenge(token).await {
        Ok(view) => render(&challenge_page(
            ctx.lang,
            view,
            q.next,
            FormErrors::new(ctx.lang),
        )),
        Err(app::AppError::Unauthenticated) => restart(&q.next),
        Err(e) => crate::error::PageError {
            err: e,
            lang: ctx.lang,
            identity: None,
            path: "/login/totp".into(),
        }
        .into_response(),
    }
}

pub async fn challenge_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let next = form.get("next").to_owned();
    let Some(token) = cookie(&headers, CHALLENGE_COOKIE) else {
        return restart(&next);
    };
    match state
        .app
        .complete_login(token, form.get("totp_code"), client.as_deref())
        .await
    {
        Ok(done) => {
            let target = if done.login.must_change_password {
                "/account/password"
            } else {
                safe_next(&next)
            };
            let mut res = match done.recovery_codes {
                Some(codes) => render(&RecoveryCodesPage {
                    l: Layout::new(ctx.lang, None, "totp.recovery_title", "/login/totp"),
                    codes,
                    next: target.to_owned(),
                }),
                None => see_other(target),
            };
            for c in [
                session_cookie(&done.login.session_token, state.secure_cookies),
                clear_challenge_cookie(),
            ] {
                if let Ok(v) = c.parse() {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(app::AppError::Unauthenticated) => restart(&next),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let errors = FormErrors::from_app(ctx.lang, &e, &["totp_code"]);
            match state.app.challenge(token).await {
                Ok(view) => (
                    status,
                    render(&challenge_page(ctx.lang, view, next, errors)),
                )
                    .into_response(),
                // The fifth wrong code ended it: start again from the password.
                Err(_) => restart(&next),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "account/totp.html")]
struct AccountPage {
    l: Layout,
    status: app::TotpStatus,
    secret: String,
    qr: String,
    codes: Vec<String>,
    errors: FormErrors,
}

async fn account_page(
    state: &AppState,
    user: &User,
    codes: Vec<String>,
    errors: FormErrors,
    notice: Option<&str>,
) -> Result<AccountPage, app::AppError> {
    let status = state.app.totp_status(&user.identity).await?;
    let (secret, qr) = status
        .pending
        .as_ref()
        .map(|e| (e.secret.clone(), qr_svg(&e.uri)))
        .unwrap_or_default();
    Ok(AccountPage {
        l: Layout::new(
            user.lang,
            Some(&user.identity),
            "totp.title",
            "/account/totp",
        )
        .with_notice(notice),
        status,
        secret,
        qr,
        codes,
        errors,
    })
}

pub async fn account(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<OkQuery>,
) -> Response {
    let notice = Some(q.ok.as_str()).filter(|s| !s.is_empty());
    match account_page(&state, &user, vec![], FormErrors::new(user.lang), notice).await {
        Ok(p) => render(&p),
        Err(e) => user.fail(e).into_response(),
    }
}

/// Shows the account page again with the error of `e` on the code field, or fails the page.
async fn account_error(state: &AppState, user: &User, e: app::AppError) -> Response {
    if !matches!(e, app::AppError::Invalid(_)) {
        return user.fail(e).into_response();
    }
    let errors = FormErrors::from_app(user.lang, &e, &["totp_code"]);
    match account_page(state, user, vec![], errors, None).await {
        Ok(p) => (crate::error::status_of(&e), render(&p)).into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn account_begin(State(state): State<AppState>, user: User) -> Response {
    match state.app.begin_totp(&user.identity).await {
        Ok(_) => see_other("/account/totp"),
        Err(e) => account_error(&state, &user, e).await,
    }
}

pub async fn account_confirm(
    State(state): State<AppState>,
    user: User,
    form: FormData,
) -> Response {
    match state
        .app
        .confirm_totp(&user.identity, form.get("totp_code"))
        .await
    {
        Ok(codes) => {
            match account_page(
                &state,
                &user,
                codes,
                FormErrors::new(user.lang),
                Some("totp.enabled"),
            )
            .await
            {
                Ok(p) => render(&p),
                Err(e) => user.fail(e).into_response(),
            }
        }
        Err(e) => account_error(&state, &user, e).await,
    }
}

pub async fn account_disable(
    State(state): State<AppState>,
    user: User,
    form: FormData,
) -> Response {
    match state
        .app
        .disable_totp(&user.identity, form.get("totp_code"))
        .await
    {
        Ok(()) => see_other("/account/totp?ok=totp.disabled"),
        Err(e) => account_error(&state, &user, e).await,
    }
}

/// `POST /admin/security/totp`: the roles that must sign in with a second factor.
pub async fn save_policy(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let org = user.identity.actor.organization_id.0;
    // Refused before the form is read, for whoever does not set the policy.
    if !state.app.can_manage_security(user.caller(), org) {
        return user.fail(app::AppError::Forbidden).into_response();
    }
    let roles: Vec<domain::Role> = form
        .all("role")
        .iter()
        .filter_map(|r| domain::Role::parse(r))
        .collect();
    if form.all("role").len() != roles.len() {
        return user
            .fail(app::AppError::field("role", "invalid_choice"))
            .into_response();
    }
    match state.app.set_totp_roles(user.caller(), org, &roles).await {
        Ok(_) => see_other("/admin/security?ok=totp.policy_saved"),
        Err(e) => user.fail(e).into_response(),
    }
}

/// `POST /people/{id}/totp/reset`: a person who lost their phone.
pub async fn reset(State(state): State<AppState>, user: User, Path(raw): Path<String>) -> Response {
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.reset_totp(user.caller(), id).await {
        Ok(_) => see_other(&format!("/people/{id}?ok=totp.reset_done")),
        Err(e) => user.fail(e).into_response(),
    }
}
