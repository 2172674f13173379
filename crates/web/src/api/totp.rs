//! Two-factor sign-in (TOTP) through the API: one's own enrolment from a browser session, and
//! for the security administrator the roles that require it and a person's reset.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiResult};
use crate::AppState;
use crate::error::ErrorBody;
use crate::session::ApiUser;

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpStatusBody {
    pub enabled: bool,
    /// One of the person's roles requires it: it cannot be removed.
    pub required: bool,
    /// An enrolment begun and not yet confirmed.
    pub pending: Option<TotpEnrolmentBody>,
    pub recovery_codes_left: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolmentBody {
    /// Base32, for typing into an authenticator app.
    pub secret: String,
    /// The `otpauth://` address.
    pub uri: String,
    /// The same address as a QR code, an SVG image drawn by the server.
    pub qr_svg: String,
}

impl From<app::Enrolment> for TotpEnrolmentBody {
    fn from(e: app::Enrolment) -> Self {
        TotpEnrolmentBody {
            qr_svg: crate::pages::totp::qr_svg(&e.uri),
            secret: e.secret,
            uri: e.uri,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// The six digits the app shows (to remove it, a recovery code also does).
    pub totp_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesBody {
    /// Each works once in place of a code; shown only in this answer.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpPolicyBody {
    /// The roles whose holders must sign in with a second factor, e.g. `["discipline"]`.
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpResetBody {
    /// Whether the person had a second factor.
    pub removed: bool,
}

#[utoipa::path(get, path = "/me/totp", tag = "me",
    responses((status = 200, body = TotpStatusBody), (status = 401, body = ErrorBody)))]
pub async fn my_totp(State(s): State<AppState>, user: ApiUser) -> ApiResult<TotpStatusBody> {
    let st = s
        .app
        .totp_status(&user.identity)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(TotpStatusBody {
        enabled: st.enabled,
        required: st.required,
        pending: st.pending.map(Into::into),
        recovery_codes_left: st.recovery_codes_left,
    }))
}

#[utoipa::path(post, path = "/me/totp", tag = "me",
    responses((status = 200, body = TotpEnrolmentBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn begin_totp(State(s): State<AppState>, user: ApiUser) -> ApiResult<TotpEnrolmentBody> {
    let e = s
        .app
        .begin_totp(&user.identity)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(e.into()))
}

#[utoipa::path(post, path = "/me/totp/confirm", tag = "me", request_body = TotpCode,
    responses((status = 200, body = RecoveryCodesBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm_totp(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<TotpCode>,
) -> ApiResult<RecoveryCodesBody> {
    let recovery_codes = s
        .app
        .confirm_totp(&user.identity, &b.totp_code)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(RecoveryCodesBody { recovery_codes }))
}

#[utoipa::path(post, path = "/me/totp/disable", tag = "me", request_body = TotpCode,
    responses((status = 200, body = TotpStatusBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disable_totp(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<TotpCode>,
) -> ApiResult<TotpStatusBody> {
    s.app
        .disable_totp(&user.identity, &b.totp_code)
        .await
        .map_err(|e| user.fail(e))?;
    my_totp(State(s), user).await
}

#[utoipa::path(get, path = "/organizations/{id}/totp-policy", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = TotpPolicyBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_totp_policy(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<TotpPolicyBody> {
    let org = crate::pages::parse_id(&raw).map_err(|e| user.fail(e))?;
    let roles = s
        .app
        .totp_roles(user.caller(), org)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(TotpPolicyBody {
        roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
    }))
}

#[utoipa::path(put, path = "/organizations/{id}/totp-policy", tag = "organizations", params(("id" = i64, Path)),
    request_body = TotpPolicyBody,
    responses((status = 200, body = TotpPolicyBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_totp_policy(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<TotpPolicyBody>,
) -> ApiResult<TotpPolicyBody> {
    let org = crate::pages::parse_id(&raw).map_err(|e| user.fail(e))?;
    // Refused before the body is read, for whoever does not set the policy (the roles of
    // another organization answer as their policy does: not found or forbidden).
    s.app
        .totp_roles(user.caller(), org)
        .await
        .map_err(|e| user.fail(e))?;
    let mut roles = Vec::new();
    for r in &b.roles {
        match domain::Role::parse(r) {
            Some(role) => roles.push(role),
            None => return Err(user.fail(app::AppError::field("roles", "invalid_choice"))),
        }
    }
    let roles = s
        .app
        .set_totp_roles(user.caller(), org, &roles)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(TotpPolicyBody {
        roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
    }))
}

#[utoipa::path(post, path = "/people/{id}/totp/reset", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = TotpResetBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_totp(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<TotpResetBody> {
    let person = crate::pages::parse_id(&raw).map_err(|e| user.fail(e))?;
    let removed = s
        .app
        .reset_totp(user.caller(), person)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(TotpResetBody { removed }))
}
