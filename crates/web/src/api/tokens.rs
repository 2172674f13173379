//! API tokens: a person's own (list, create, revoke) and, for administrators, a person's.
//! The token itself is shown once, in the answer that creates it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiResult};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenBody {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// When it stops working; absent: until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// active, expired, revoked
    pub state: String,
}

impl From<app::ApiToken> for ApiTokenBody {
    fn from(t: app::ApiToken) -> Self {
        ApiTokenBody {
            state: t.state.as_str().to_owned(),
            id: t.row.id,
            person_id: t.row.person_id,
            name: t.row.name,
            created_at: t.row.created_at,
            expires_at: t.row.expires_at,
            revoked_at: t.row.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    /// What it is for, e.g. "企业微信同步".
    pub name: String,
    /// Days it works, 1 to 3650; absent: until revoked.
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub api_token: ApiTokenBody,
    /// For `Authorization: Bearer <token>`; shown only in this answer.
    pub token: String,
}

#[utoipa::path(get, path = "/me/tokens", tag = "me",
    responses((status = 200, body = Vec<ApiTokenBody>), (status = 401, body = ErrorBody)))]
pub async fn my_tokens(State(s): State<AppState>, user: ApiUser) -> ApiResult<Vec<ApiTokenBody>> {
    let me = user.identity.actor.person_id.0;
    list(&s, &user, me).await
}

#[utoipa::path(post, path = "/me/tokens", tag = "me", request_body = CreateApiToken,
    responses((status = 201, body = CreatedApiToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_my_token(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<CreateApiToken>,
) -> Result<(StatusCode, Json<CreatedApiToken>), ApiError> {
    let (t, token) = s
        .app
        .create_own_api_token(&user.identity, &b.name, b.expires_in_days)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiToken {
            api_token: t.into(),
            token,
        }),
    ))
}

#[utoipa::path(get, path = "/people/{id}/tokens", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ApiTokenBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn person_tokens(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Vec<ApiTokenBody>> {
    let id = crate::pages::parse_id(&raw).map_err(|e| user.fail(e))?;
    list(&s, &user, id).await
}

#[utoipa::path(post, path = "/api-tokens/{id}/revoke", tag = "me", params(("id" = i64, Path)),
    responses((status = 200, body = ApiTokenBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<ApiTokenBody> {
    let id = crate::pages::parse_id(&raw).map_err(|e| user.fail(e))?;
    let t = s
        .app
        .revoke_api_token(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(t.into()))
}

async fn list(s: &AppState, user: &ApiUser, person: i64) -> ApiResult<Vec<ApiTokenBody>> {
    let tokens = s
        .app
        .api_tokens(user.caller(), person)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}
