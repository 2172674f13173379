//! The one error type of the use cases. Every variant has a stable snake_case code that the
//! web layer translates; internal errors carry detail only for the log.

use chrono::{DateTime, Utc};
use domain::validate::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    Unauthenticated,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many failed sign-ins; locked until {until}")]
    Throttled {
        until: DateTime<Utc>,
        retry_after_secs: i64,
    },
    /// Rows of an imported file that cannot be taken, each with its row, column and reason.
    #[error("{} rows of the file are invalid", .0.len())]
    Rows(Vec<domain::plan_table::CellError>),
    /// The server's disk is full: the change was not kept (nothing of it), and can be made
    /// again once an operator frees space.
    #[error("storage full: {0}")]
    StorageFull(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "validation_failed",
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Throttled { .. } => "login_throttled",
            AppError::Rows(_) => "invalid_rows",
            AppError::StorageFull(_) => "storage_full",
            AppError::Internal(_) => "internal",
        }
    }

    /// Sign-in refused until `until`, with the wait counted from `now`.
    pub fn throttled(until: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        AppError::Throttled {
            until,
            retry_after_secs: (until - now).num_seconds().max(1),
        }
    }

    pub fn field(field: &str, code: &'static str) -> Self {
        AppError::Invalid(ValidationErrors::single(field, code))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::StorageFull(m) => AppError::StorageFull(m),
            e => AppError::Internal(e.to_string()),
        }
    }
}

/// Maps a unique violation on `index`/`columns` to a field error; anything else stays internal.
pub(crate) fn unique_as_field(
    e: store::StoreError,
    index: &str,
    columns: &str,
    field: &str,
) -> AppError {
    if e.is_unique(index, columns) {
        AppError::field(field, "already_taken")
    } else {
        e.into()
    }
}
