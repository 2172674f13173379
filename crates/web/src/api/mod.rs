//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.
//! See docs/API-DESIGN.md for URL shapes, envelopes, errors and pagination. Every handler
//! calls the same `app` use case as the page that does the same thing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ApiError;
use crate::session::RequestCtx;

/// A page of a list in the API's envelope, for each named item type.
macro_rules! page_type {
    ($($name:ident => $item:ty),* $(,)?) => {$(
        /// One page of a list.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// 1-based.
            pub page: u32,
            pub per_page: u32,
            pub total: u64,
        }

        impl<T: Into<$item>> From<domain::page::Page<T>> for $name {
            fn from(p: domain::page::Page<T>) -> Self {
                $name { page: p.page, per_page: p.per_page, total: p.total, items: p.items.into_iter().map(Into::into).collect() }
            }
        }
    )*};
}

mod consequences;
pub mod dto;
mod handlers;
mod notify;
mod plan;
mod security;
mod signoff;
pub mod sup_dto;
mod supervision;
mod tokens;
mod totp;

#[derive(OpenApi)]
#[openapi(
    info(title = "Xiaohao API", description = "预安销号 — plan, supervise, sign off. Authenticate with `Authorization: Bearer <token>` (see `xiaohao user token`).", version = "1"),
    servers((url = "/api/v1")),
    tags(
        (name = "me", description = "The caller"),
        (name = "organizations"), (name = "units"), (name = "posts"), (name = "people"), (name = "audit"),
        (name = "plan", description = "The monthly plan (预安): months, tasks, decisions, plan tables, key points, change requests"),
        (name = "supervision", description = "Execution and supervision (督): progress and evidence, coordination requests, inspections, findings and follow-ups, key projects, cards, publications, warnings, display screens, dashboards"),
        (name = "signoff", description = "Sign-off (销号): the unit's form, the joint review of the three offices, site checks, the leading group's decision, the month's figures, the review meeting, the bulletin and the month's close"),
        (name = "consequences", description = "Consequences (四个结合): the year's rule set, the score ledger of each closed month and the bonus withholding list, the accountability ladder's cases and the discipline office's decisions"),
        (name = "notifications", description = "Reminders and notifications (提醒与催办): the caller's inbox and preferences, urging a task, and for administrators the channels (mail, WeCom, DingTalk, Feishu) and their deliveries")
    ),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(tokens::my_tokens, tokens::create_my_token))
        .routes(routes!(tokens::person_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(
            security::get_password_policy,
            security::set_password_policy
        ))
        .routes(routes!(totp::my_totp, totp::begin_totp))
        .routes(routes!(totp::confirm_totp))
        .routes(routes!(totp::disable_totp))
        .routes(routes!(totp::get_totp_policy, totp::set_totp_policy))
        .routes(routes!(totp::reset_totp))
        .routes(routes!(list_organizations, create_organization))
        .routes(routes!(get_organization, update_organization))
        .routes(routes!(disable_organization))
        .routes(routes!(enable_organization))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit))
        .routes(routes!(disable_unit))
        .routes(routes!(enable_unit))
        .routes(routes!(list_posts, create_post))
        .routes(routes!(update_post))
        .routes(routes!(disable_post))
        .routes(routes!(enable_post))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person))
        .routes(routes!(disable_person))
        .routes(routes!(enable_person))
        .routes(routes!(reset_password))
        .routes(routes!(unlock_sign_in))
        .routes(routes!(grant_role))
        .routes(routes!(revoke_role))
        .routes(routes!(set_leader_units))
        .routes(routes!(list_audit))
        .routes(routes!(plan::get_month))
        .routes(routes!(plan::move_phase))
        .routes(routes!(plan::arrange_month))
        .routes(routes!(plan::list_tasks, plan::propose))
        .routes(routes!(plan::get_task, plan::update_task))
        .routes(routes!(plan::submit_task))
        .routes(routes!(plan::leader_review))
        .routes(routes!(plan::meeting_decision))
        .routes(routes!(plan::assign_item))
        .routes(routes!(plan::plan_table))
        .routes(routes!(plan::list_key_points, plan::create_key_point))
        .routes(routes!(plan::update_key_point))
        .routes(routes!(plan::request_change))
        .routes(routes!(plan::list_change_requests))
        .routes(routes!(plan::decide_change))
        .routes(routes!(supervision::file))
        .routes(routes!(supervision::list_coordination))
        .routes(routes!(supervision::raise_coordination))
        .routes(routes!(supervision::get_coordination))
        .routes(routes!(supervision::propose_solution))
        .routes(routes!(supervision::decide_coordination))
        .routes(routes!(supervision::resolve_coordination))
        .routes(routes!(
            supervision::list_inspections,
            supervision::create_inspection
        ))
        .routes(routes!(supervision::get_inspection))
        .routes(routes!(supervision::complete_inspection))
        .routes(routes!(supervision::publish_inspection))
        .routes(routes!(supervision::list_findings))
        .routes(routes!(supervision::close_finding))
        .routes(routes!(supervision::add_follow_up))
        .routes(routes!(supervision::list_follow_ups))
        .routes(routes!(supervision::respond_follow_up))
        .routes(routes!(supervision::verify_follow_up))
        .routes(routes!(supervision::close_follow_up))
        .routes(routes!(
            supervision::list_projects,
            supervision::create_project
        ))
        .routes(routes!(
            supervision::get_project,
            supervision::update_project
        ))
        .routes(routes!(supervision::add_milestone))
        .routes(routes!(supervision::set_milestone))
        .routes(routes!(supervision::report_project_progress))
        .routes(routes!(supervision::list_cards))
        .routes(routes!(supervision::refresh_cards))
        .routes(routes!(supervision::confirm_all))
        .routes(routes!(supervision::judge_card))
        .routes(routes!(supervision::set_concern))
        .routes(routes!(supervision::publish))
        .routes(routes!(supervision::list_publications))
        .routes(routes!(supervision::get_publication))
        .routes(routes!(supervision::list_warnings))
        .routes(routes!(
            supervision::get_card_rules,
            supervision::put_card_rules
        ))
        .routes(routes!(
            supervision::list_display_tokens,
            supervision::create_display_token
        ))
        .routes(routes!(supervision::revoke_display_token))
        .routes(routes!(supervision::board))
        .routes(routes!(supervision::dashboard))
        .routes(routes!(signoff::get_sign_off))
        .routes(routes!(signoff::give_opinion))
        .routes(routes!(signoff::decide))
        .routes(routes!(signoff::review_queue))
        .routes(routes!(signoff::figures))
        .routes(routes!(signoff::record_meeting))
        .routes(routes!(signoff::generate_bulletin))
        .routes(routes!(signoff::close_month))
        .routes(routes!(signoff::list_bulletins))
        .routes(routes!(signoff::get_bulletin))
        .routes(routes!(signoff::publish_bulletin))
        .routes(routes!(signoff::get_rule, signoff::put_rule))
        .routes(routes!(consequences::get_rules, consequences::put_rules))
        .routes(routes!(consequences::month_scores))
        .routes(routes!(consequences::statistics))
        .routes(routes!(consequences::year_scores))
        .routes(routes!(
            consequences::get_annual_awards,
            consequences::select_annual_award
        ))
        .routes(routes!(
            consequences::recompute_preview,
            consequences::recompute
        ))
        .routes(routes!(consequences::cadre_record))
        .routes(routes!(
            consequences::get_awards,
            consequences::select_award
        ))
        .routes(routes!(consequences::unit_score))
        .routes(routes!(consequences::list_cases))
        .routes(routes!(consequences::get_case))
        .routes(routes!(consequences::decide_case))
        .routes(routes!(notify::inbox))
        .routes(routes!(notify::unread_count))
        .routes(routes!(notify::read))
        .routes(routes!(notify::read_all))
        .routes(routes!(notify::get_preferences, notify::put_preferences))
        .routes(routes!(notify::urge))
        .routes(routes!(notify::urges))
        .routes(routes!(notify::channels))
        .routes(routes!(notify::put_channel))
        .routes(routes!(notify::deliveries))
        .routes(routes!(notify::retry))
        .merge(evidence_routes())
}

/// The two actions that carry evidence files (base64 in JSON) take larger bodies than the
/// rest of the API; the innermost body limit is the one that counts.
fn evidence_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(supervision::report_progress))
        .routes(routes!(supervision::record_finding))
        .routes(routes!(signoff::submit))
        .routes(routes!(signoff::record_site_check))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::session::EVIDENCE_JSON_LIMIT,
        ))
}

/// The OpenAPI document, built once from the same router that serves the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

/// The document as served: the operations' own answers, and on every operation the error
/// answers any of them can give in the error envelope (a parameter or body that does not
/// parse, sign-in, rights, a missing object, invalid fields, a full disk; for a body also its
/// size and type), with the formats the server enforces on parameters (a month is `YYYY-MM`,
/// a page size at most [`domain::page::MAX_PAGE_SIZE`]).
pub fn openapi_document() -> serde_json::Value {
    use serde_json::{Value, json};
    let mut doc = serde_json::to_value(openapi()).unwrap_or_default();
    let error = |what: &str| {
        json!({
            "description": what,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        })
    };
    let common = [
        (
            "400",
            "A parameter or the body does not parse (`bad_request`).",
        ),
        (
            "401",
            "Not signed in, or the token has expired or was revoked (`unauthenticated`).",
        ),
        (
            "403",
            "The caller's role or scope does not allow it (`forbidden`).",
        ),
        (
            "404",
            "No such object, or one the caller may not know of (`not_found`).",
        ),
        (
            "422",
            "Invalid input: `fields` names each field and why (`validation_failed`).",
        ),
        (
            "503",
            "The server's disk is full; nothing was kept (`storage_full`).",
        ),
    ];
    let with_body = [
        (
            "413",
            "The body is larger than the server takes (`body_too_large`).",
        ),
        (
            "415",
            "The body is not `application/json` (`unsupported_media_type`).",
        ),
    ];
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return doc;
    };
    for item in paths.values_mut() {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get_mut(method) else {
                continue;
            };
            let has_body = op.get("requestBody").is_some();
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                let extra = common.iter().chain(with_body.iter().filter(|_| has_body));
                for (status, what) in extra {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(what));
                }
            }
            for p in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                let schema = match name {
                    "month" | "from" | "to" => Some(json!({"pattern": "^\\d{4}-\\d{2}$"})),
                    "per_page" => Some(json!({
                        "minimum": 1, "maximum": domain::page::MAX_PAGE_SIZE
                    })),
                    "page" => Some(json!({"minimum": 1})),
                    _ => None,
                };
                if let (Some(extra), Some(Value::Object(s))) = (schema, p.get_mut("schema")) {
                    // A pattern only on a plain string (not a date-time `from`).
                    let is_string =
                        s.get("type") == Some(&json!("string")) && s.get("format").is_none();
                    for (k, v) in extra.as_object().into_iter().flatten() {
                        if k != "pattern" || is_string {
                            s.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
        }
    }
    doc
}

/// 405 in the API's error envelope.
pub async fn method_not_allowed(parts: Parts) -> Response {
    ApiError::bad_request(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        None,
        lang_of(&parts),
    )
}

pub async fn openapi_json() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body =
        DOC.get_or_init(|| serde_json::to_string_pretty(&openapi_document()).unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response()
}

fn lang_of(parts: &Parts) -> crate::i18n::Lang {
    parts
        .extensions
        .get::<RequestCtx>()
        .map(|c| c.lang)
        .unwrap_or_default()
}

/// A JSON body. Wrong content type, malformed JSON and wrong field types are answered in the
/// API's error envelope, naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let is_json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::bad_request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                None,
                lang,
            ));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| {
                ApiError::bad_request(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", None, lang)
            })?;
        parse_json(&bytes)
            .map(ApiJson)
            .map_err(|(status, code, field, field_code)| {
                ApiError::bad_request(status, code, Some((field, field_code)), lang)
            })
    }
}

type JsonFailure = (StatusCode, &'static str, String, &'static str);

/// Parses JSON and says which field is wrong: syntax errors are 400 (`invalid_json`, field
/// `body`), shape errors 422 (`validation_failed`, with the field's path).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonFailure> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return (
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "body".to_owned(),
                "invalid_json",
            );
        }
        let path = e.path().to_string();
        let msg = inner.to_string();
        if let Some(missing) = msg
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            let field = if path == "." {
                missing.to_owned()
            } else {
                format!("{path}.{missing}")
            };
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                field,
                "required",
            );
        }
        let field = if path == "." { "body".to_owned() } else { path };
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            field,
            "invalid_type",
        )
    })
}

/// A query string, parsed with the same field-naming errors as [`ApiJson`].
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let q = parts.uri.query().unwrap_or("");
        // A page beyond what the document allows is refused, not silently clamped.
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            let limit = match k.as_ref() {
                "per_page" => domain::page::MAX_PAGE_SIZE,
                "page" => u32::MAX,
                _ => continue,
            };
            if v.parse::<u32>().is_ok_and(|n| n == 0 || n > limit) {
                return Err(ApiError::bad_request(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    Some((k.into_owned(), "out_of_range")),
                    lang,
                ));
            }
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                let field = if field == "." {
                    "query".to_owned()
                } else {
                    field
                };
                ApiError::bad_request(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    Some((field, "invalid_type")),
                    lang,
                )
            })
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Probe {
        name: String,
        parent_id: Option<i64>,
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<Probe>(br#"{"name": "x", "parent_id": "abc"}"#).unwrap_err();
        assert_eq!(
            (e.0, e.2.as_str(), e.3),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "parent_id",
                "invalid_type"
            )
        );
        let e = parse_json::<Probe>(br#"{"parent_id": 1}"#).unwrap_err();
        assert_eq!((e.2.as_str(), e.3), ("name", "required"));
        let e = parse_json::<Probe>(br#"{"name": "#).unwrap_err();
        assert_eq!((e.0, e.1), (StatusCode::BAD_REQUEST, "invalid_json"));
        assert!(parse_json::<Probe>(r#"{"name": "财政局"}"#.as_bytes()).is_ok());
    }
}
