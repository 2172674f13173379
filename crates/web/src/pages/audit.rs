//! The audit ledger page, readable by its users: each action by name, the person with their
//! unit, the object as a link, the change field by field (before → after); filtered by person,
//! unit, action, object and period; newest first, paginated, exported to XLSX. The audit
//! administrator reads all of it; the discipline office the entries of the cases.

use app::model::{AuditFilter, AuditRow};
use app::{FieldChange, UnitNode};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use domain::page::PageRequest;
use domain::validate::Validator;
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use crate::AppState;
use crate::form::opt_id;
use crate::i18n::Lang;
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
    pub person: String,
    #[serde(default)]
    pub unit: String,
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

fn text(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

impl AuditQuery {
    /// The filter, or the fields that could not be parsed.
    pub fn filter(&self) -> Result<AuditFilter, domain::validate::ValidationErrors> {
        let mut v = Validator::new();
        let f = AuditFilter {
            entity: text(&self.entity),
            entity_id: opt_id(&mut v, "entity_id", &self.entity_id),
            action: text(&self.action),
            actor_id: opt_id(&mut v, "actor_id", &self.actor),
            person: text(&self.person),
            unit_id: opt_id(&mut v, "unit_id", &self.unit),
            from: date(&mut v, "from", &self.from, false),
            to: date(&mut v, "to", &self.to, true),
        };
        v.finish().map(|()| f)
    }

    fn pairs(&self) -> [(&'static str, &str); 9] {
        [
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
            ("action", &self.action),
            ("actor", &self.actor),
            ("person", &self.person),
            ("unit", &self.unit),
            ("from", &self.from),
            ("to", &self.to),
            ("org", &self.org),
        ]
    }
}

/// One entry as the page shows it.
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub actor: Option<String>,
    pub unit: Option<String>,
    pub action: String,
    pub action_code: String,
    pub object: String,
    pub href: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// The page of an object of the ledger, where there is one.
fn href(entity: &str, id: i64) -> Option<String> {
    let base = match entity {
        "task" => "/tasks",
        "person" => "/people",
        "unit" => "/units",
        "post" => "/posts",
        "organization" => "/organizations",
        "accountability_case" => "/cases",
        "inspection" => "/inspections",
        "coordination_request" => "/coordination",
        "key_project" => "/projects",
        "key_point" => "/key-points",
        "publication" => "/publications",
        "bulletin" => "/bulletins",
        "milestone" => "/milestones",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

impl AuditLine {
    pub fn of(lang: Lang, r: &AuditRow) -> AuditLine {
        let entity = lang.audit_entity(&r.entity);
        AuditLine {
            seq: r.seq,
            at: r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: r.actor_name.clone(),
            unit: r.actor_unit.clone(),
            action: lang.audit_action(&r.action),
            action_code: r.action.clone(),
            object: match r.entity_id {
                Some(id) => format!("{entity} #{id}"),
                None => entity,
            },
            href: r.entity_id.and_then(|id| href(&r.entity, id)),
            changes: app::field_changes(r.before_json.as_deref(), r.after_json.as_deref())
                .into_iter()
                .map(|mut c| {
                    // A field the forms name is shown by that name.
                    let key = format!("field.{}", c.field);
                    if crate::i18n::has_key(&key) {
                        c.field = lang.t(&key).to_owned();
                    }
                    c
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditLine>,
    pager: Option<Pager>,
    q: AuditQuery,
    /// (code, name) of every action and every object, for the filters.
    actions: Vec<(&'static str, String)>,
    entities: Vec<(&'static str, String)>,
    units: Vec<UnitNode>,
    cases_only: bool,
    export: String,
    errors: FormErrors,
}

fn org_of(user: &User, q: &AuditQuery) -> i64 {
    q.org
        .parse()
        .unwrap_or(user.identity.actor.organization_id.0)
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<AuditQuery>,
) -> Response {
    let org = org_of(&user, &q);
    let lang = user.lang;
    let cases_only = state.app.audit_cases_only(user.caller(), org);
    let units = state
        .app
        .unit_tree(user.caller(), org)
        .await
        .unwrap_or_default();
    let mut page = AuditPage {
        l: Layout::new(lang, Some(&user.identity), "audit.title", "/audit"),
        rows: vec![],
        pager: None,
        actions: crate::i18n::audit_actions()
            .map(|code| (code, lang.audit_action(code)))
            .collect(),
        entities: crate::i18n::audit_entities()
            .map(|code| (code, lang.audit_entity(code)))
            .collect(),
        units,
        cases_only,
        export: query("/audit.xlsx", &q.pairs()),
        q: q.clone(),
        errors: FormErrors::new(lang),
    };
    let filter = match q.filter() {
        Ok(f) => f,
        Err(e) => {
            page.errors = FormErrors::from_app(
                lang,
                &app::AppError::Invalid(e),
                &["from", "to", "actor_id", "entity_id", "unit_id"],
            );
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
        }
    };
    let req = PageRequest::new(q.page.parse().ok(), q.per_page.parse().ok());
    match state.app.list_audit(user.caller(), org, &filter, req).await {
        Ok(found) => {
            page.pager = Some(Pager::new(&found, &query("/audit", &q.pairs())));
            page.rows = found.items.iter().map(|r| AuditLine::of(lang, r)).collect();
            render(&page)
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// `GET /audit.xlsx`: the entries the filter finds, newest first, as the page shows them.
pub async fn export(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<AuditQuery>,
) -> Response {
    let org = org_of(&user, &q);
    let lang = user.lang;
    let filter = match q.filter() {
        Ok(f) => f,
        Err(e) => return user.fail(app::AppError::Invalid(e)).into_response(),
    };
    let (rows, more) = match state.app.export_audit(user.caller(), org, &filter).await {
        Ok(r) => r,
        Err(e) => return user.fail(e).into_response(),
    };
    let t = |k: &str| lang.t(k).to_owned();
    let mut table = domain::bulletin::Table {
        header: vec![
            t("audit.seq"),
            t("audit.at"),
            t("audit.actor"),
            t("audit.unit"),
            t("audit.action"),
            t("audit.entity"),
            t("audit.change"),
        ],
        rows: Vec::with_capacity(rows.len()),
    };
    for r in &rows {
        let line = AuditLine::of(lang, r);
        let change: Vec<String> = line
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c.field,
                    c.before.as_deref().unwrap_or("—"),
                    c.after.as_deref().unwrap_or("—")
                )
            })
            .collect();
        table.rows.push(vec![
            line.seq.to_string(),
            line.at,
            line.actor.unwrap_or_else(|| t("audit.system")),
            line.unit.unwrap_or_default(),
            line.action,
            line.object,
            change.join("\n"),
        ]);
    }
    let sheet = lang.t("audit.title");
    let title = match (more, lang) {
        (false, _) => sheet.to_owned(),
        (true, Lang::Zh) => format!("{sheet}（{}）", lang.t("audit.export_capped")),
        (true, Lang::En) => format!("{sheet} ({})", lang.t("audit.export_capped")),
    };
    match docs::write_table_xlsx(&title, sheet, &table) {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit.xlsx\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => user
            .fail(app::AppError::Internal(e.to_string()))
            .into_response(),
    }
}
