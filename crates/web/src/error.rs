//! How use-case errors become HTTP responses: JSON for the API, HTML pages for the browser.
//! Internal errors are logged with their detail and shown without it.

use app::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::i18n::Lang;
use crate::pages::layout::ErrorPage;

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Rows(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::StorageFull(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn log_internal(e: &AppError) {
    match e {
        AppError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
        AppError::StorageFull(detail) => {
            tracing::error!(error = %detail, "a write failed: the database's disk is full")
        }
        _ => {}
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code.
    pub code: String,
    pub message: String,
    /// For validation errors: which fields are wrong and why.
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    pub err: AppError,
    pub lang: Lang,
}

impl ApiError {
    pub fn new(err: AppError, lang: Lang) -> Self {
        ApiError { err, lang }
    }

    /// A request that could not be parsed at all (bad JSON, wrong content type).
    pub fn bad_request(
        status: StatusCode,
        code: &str,
        field: Option<(String, &str)>,
        lang: Lang,
    ) -> Response {
        let fields = field
            .map(|(f, c)| {
                vec![FieldErrorBody {
                    message: format!("{}: {}", f, lang.err(c)),
                    field: f,
                    code: c.to_owned(),
                }]
            })
            .unwrap_or_default();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message: lang.err(code).to_owned(),
                fields,
            },
        };
        (status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.err);
        let lang = self.lang;
        let fields = match &self.err {
            AppError::Invalid(v) => {
                v.0.iter()
                    .map(|f| FieldErrorBody {
                        field: f.field.clone(),
                        code: f.code.to_owned(),
                        message: format!("{}: {}", lang.field(&f.field), lang.err(f.code)),
                    })
                    .collect()
            }
            AppError::Rows(cells) => cells
                .iter()
                .map(|c| FieldErrorBody {
                    field: format!("rows[{}].{}", c.row, c.column),
                    code: c.code.to_owned(),
                    message: format!(
                        "{} {} {}: {}",
                        lang.t("import.row"),
                        c.row,
                        c.column,
                        lang.err(c.code)
                    ),
                })
                .collect(),
            _ => vec![],
        };
        let message = match &self.err {
            AppError::Invalid(v) => {
                v.0.iter()
                    .map(|f| {
                        format!(
                            "{} ({}): {}",
                            lang.field(&f.field),
                            f.field,
                            lang.err(f.code)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            e => lang.err(e.code()).to_owned(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.err.code().to_owned(),
                message,
                fields,
            },
        };
        let mut res = (status_of(&self.err), axum::Json(body)).into_response();
        if let AppError::Throttled {
            retry_after_secs, ..
        } = &self.err
            && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res
    }
}

/// An error answered as an HTML page (or a redirect to sign in).
#[derive(Debug)]
pub struct PageError {
    pub err: AppError,
    pub lang: Lang,
    /// The signed-in person, if any, so that the error page keeps their navigation.
    pub identity: Option<std::sync::Arc<app::Identity>>,
    /// The requested path and query, for the language switch and the way back after sign-in.
    pub path: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_internal(&self.err);
        if matches!(self.err, AppError::Unauthenticated) {
            let next: String = form_urlencoded::byte_serialize(self.path.as_bytes()).collect();
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        let status = status_of(&self.err);
        let message_key = match status {
            StatusCode::NOT_FOUND => "error.not_found",
            StatusCode::FORBIDDEN => "error.forbidden",
            StatusCode::INTERNAL_SERVER_ERROR => "error.internal",
            _ => "error.title",
        };
        let message = match &self.err {
            // A refused action names why, in the words of each field's error.
            AppError::Invalid(errs) if !errs.0.is_empty() => errs
                .0
                .iter()
                .map(|e| self.lang.err(e.code))
                .collect::<Vec<_>>()
                .join(" "),
            _ if message_key == "error.title" => self.lang.err(self.err.code()).to_owned(),
            _ => self.lang.t(message_key).to_owned(),
        };
        ErrorPage::render_for(
            self.lang,
            self.identity.as_deref(),
            &self.path,
            status,
            &message,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rows_of_an_import_are_named_like_fields() {
        let err = AppError::Rows(vec![domain::plan_table::CellError {
            row: 3,
            column: "完成时限".into(),
            code: "deadline_outside_month",
        }]);
        let res = ApiError::new(err, Lang::Zh).into_response();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "invalid_rows");
        assert_eq!(v["error"]["fields"][0]["field"], "rows[3].完成时限");
        assert_eq!(v["error"]["fields"][0]["code"], "deadline_outside_month");
    }
}
