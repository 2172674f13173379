//! The organization's password policy: read by its members, set by its security
//! administrator.

use axum::Json;
use axum::extract::{Path, State};
use domain::password::PasswordPolicy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiResult};
use crate::AppState;
use crate::error::ErrorBody;
use crate::session::ApiUser;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicyBody {
    /// Characters at least, 8 to 64.
    pub min_length: u32,
    /// Of upper case, lower case, digits and other characters, how many a password uses, 1
    /// to 4.
    pub min_classes: u32,
    /// How many of the latest passwords a new one may not repeat, 0 to 24.
    pub history: u32,
    /// Days after which a password must be changed at the next sign-in, 1 to 3650; absent:
    /// never.
    pub max_age_days: Option<u32>,
}

impl From<PasswordPolicy> for PasswordPolicyBody {
    fn from(p: PasswordPolicy) -> Self {
        PasswordPolicyBody {
            min_length: p.min_length,
            min_classes: p.min_classes,
            history: p.history,
            max_age_days: p.max_age_days,
        }
    }
}

#[utoipa::path(get, path = "/organizations/{id}/password-policy", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = PasswordPolicyBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_password_policy(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<PasswordPolicyBody> {
    let org = crate::pages::parse_id(&raw).map_err(|e| user.fail(e))?;
    let p = s
        .app
        .password_policy(user.caller(), org)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[utoipa::path(put, path = "/organizations/{id}/password-policy", tag = "organizations", params(("id" = i64, Path)),
    request_body = PasswordPolicyBody,
    responses((status = 200, body = PasswordPolicyBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_password_policy(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<PasswordPolicyBody>,
) -> ApiResult<PasswordPolicyBody> {
    let org = crate::pages::parse_id(&raw).map_err(|e| user.fail(e))?;
    let policy = PasswordPolicy {
        min_length: b.min_length,
        min_classes: b.min_classes,
        history: b.history,
        max_age_days: b.max_age_days,
    };
    let p = s
        .app
        .set_password_policy(user.caller(), org, policy)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}
