//! The audit ledger page (administrators): newest first, filtered by entity, action, actor and
//! date range, paginated.

use app::model::{AuditFilter, AuditRow};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use domain::page::PageRequest;
use domain::validate::Validator;
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use crate::AppState;
use crate::form::opt_id;
use crate::session::User;

#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
    #[serde(default)]
    pub org: String,
}

fn date(v: &mut Validator, field: &str, raw: &str, add_day: bool) -> Option<chrono::DateTime<Utc>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => {
            let d = if add_day {
                d.succ_opt().unwrap_or(d)
            } else {
                d
            };
            d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t))
        }
        Err(_) => {
            v.fail(field, "invalid_date");
            None
        }
    }
}

impl AuditQuery {
    /// The filter, or the fields that could not be parsed.
    pub fn filter(&self) -> Result<AuditFilter, domain::validate::ValidationErrors> {
        let mut v = Validator::new();
        let f = AuditFilter {
            entity: Some(self.entity.trim().to_owned()).filter(|s| !s.is_empty()),
            entity_id: opt_id(&mut v, "entity_id", &self.entity_id),
            action: Some(self.action.trim().to_owned()).filter(|s| !s.is_empty()),
            actor_id: opt_id(&mut v, "actor_id", &self.actor),
            from: date(&mut v, "from", &self.from, false),
            to: date(&mut v, "to", &self.to, true),
        };
        v.finish().map(|()| f)
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditRow>,
    pager: Option<Pager>,
    q: AuditQuery,
    errors: FormErrors,
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<AuditQuery>,
) -> Response {
    let org = q
        .org
        .parse()
        .unwrap_or(user.identity.actor.organization_id.0);
    let l = Layout::new(user.lang, Some(&user.identity), "audit.title", "/audit");
    let filter = match q.filter() {
        Ok(f) => f,
        Err(e) => {
            let errors = FormErrors::from_app(
                user.lang,
                &app::AppError::Invalid(e),
                &["from", "to", "actor_id", "entity_id"],
            );
            return (
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&AuditPage {
                    l,
                    rows: vec![],
                    pager: None,
                    q,
                    errors,
                }),
            )
                .into_response();
        }
    };
    match state
        .app
        .list_audit(
            user.caller(),
            org,
            &filter,
            PageRequest::new(q.page.parse().ok(), q.per_page.parse().ok()),
        )
        .await
    {
        Ok(page) => {
            let base = query(
                "/audit",
                &[
                    ("entity", &q.entity),
                    ("entity_id", &q.entity_id),
                    ("action", &q.action),
                    ("actor", &q.actor),
                    ("from", &q.from),
                    ("to", &q.to),
                    ("org", &q.org),
                ],
            );
            let pager = Some(Pager::new(&page, &base));
            render(&AuditPage {
                l,
                rows: page.items,
                pager,
                q,
                errors: FormErrors::new(user.lang),
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}
