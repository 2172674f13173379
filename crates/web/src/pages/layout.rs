//! What every page shares: the layout (language, navigation by role, the signed-in person,
//! the CSRF token for forms), pagination links, form errors, and the error page.

use app::Identity;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::Role;
use domain::page::Page;
use domain::validate::ValidationErrors;

use crate::i18n::Lang;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct Layout {
    pub lang: Lang,
    pub title: String,
    pub user_name: Option<String>,
    pub org_name: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub notice: Option<String>,
    pub path: String,
    /// Unread notifications of the signed-in person, for the header's inbox link.
    pub unread: i64,
}

impl Layout {
    pub fn new(lang: Lang, identity: Option<&Identity>, title_key: &str, path: &str) -> Layout {
        let mut nav = Vec::new();
        // A month's cards belong to the cards section, not to the month's plan.
        let section = if path.starts_with("/months/") && path.contains("/cards") {
            "/cards"
        } else if path.starts_with("/months/")
            && (path.contains("/review") || path.contains("/briefing"))
        {
            "/review"
        } else if (path.starts_with("/months/") || path.starts_with("/units/"))
            && path.contains("/scores")
            || path.starts_with("/rules")
        {
            "/scores"
        } else {
            path
        };
        if let Some(i) = identity {
            let mut add = |href: &'static str, key: &str| {
                nav.push(NavItem {
                    href,
                    label: lang.t(key),
                    active: section == href || (href != "/" && section.starts_with(href)),
                })
            };
            add("/", "nav.home");
            let only_display = i.actor.grants.iter().all(|g| g.role == Role::Display)
                && !i.actor.grants.is_empty();
            if !only_display {
                add("/dashboard", "nav.dashboard");
                add("/months", "nav.months");
                add("/cards", "nav.cards");
                if i.actor.grants.iter().any(|g| g.role.is_office()) {
                    add("/review", "nav.review");
                }
                add("/bulletins", "nav.bulletins");
                add("/scores", "nav.scores");
                add("/statistics", "nav.statistics");
                if i.actor
                    .grants
                    .iter()
                    .any(|g| g.role.is_office() || matches!(g.role, Role::UnitHead | Role::Staff))
                {
                    add("/cases", "nav.cases");
                }
                add("/inspections", "nav.inspections");
                add("/coordination", "nav.coordination");
                add("/projects", "nav.projects");
                add("/publications", "nav.publications");
                add("/key-points", "nav.key_points");
                add("/units", "nav.units");
                add("/people", "nav.people");
            }
            if i.actor.is_admin() {
                add("/organizations", "nav.organizations");
                add("/admin/notifications", "nav.notifications");
                add("/displays", "nav.displays");
            }
            if i.actor.has(Role::SecurityAdmin) {
                add("/admin/security", "nav.security");
            }
            if i.actor.has(Role::AuditAdmin) || i.actor.has(Role::DisciplineOfficer) {
                add("/audit", "nav.audit");
            }
        }
        Layout {
            lang,
            title: lang.t(title_key).to_owned(),
            user_name: identity.map(|i| i.display_name.clone()),
            org_name: identity
                .map(|i| i.organization_name.clone())
                .unwrap_or_default(),
            csrf: identity
                .map(|i| i.csrf_token().to_owned())
                .unwrap_or_default(),
            nav,
            notice: None,
            path: path.to_owned(),
            unread: identity.map_or(0, |i| i.unread),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn role(&self, role: &str) -> &'static str {
        self.lang.role(role)
    }

    /// The badge of the inbox link: the count, or "99+".
    pub fn unread_badge(&self) -> String {
        if self.unread > 99 {
            "99+".to_owned()
        } else {
            self.unread.to_string()
        }
    }

    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        }
    }

    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }

    pub fn with_notice(mut self, key: Option<&str>) -> Self {
        self.notice = key
            .filter(|k| crate::i18n::has_key(k))
            .map(|k| self.lang.t(k).to_owned());
        self
    }
}

/// Inline form errors, looked up by field name in templates.
#[derive(Default)]
pub struct FormErrors {
    pub lang: Lang,
    pub errors: ValidationErrors,
    /// An error that belongs to no field (or to a field the form does not show).
    pub general: Option<String>,
}

impl FormErrors {
    pub fn new(lang: Lang) -> Self {
        FormErrors {
            lang,
            ..Default::default()
        }
    }

    pub fn from_app(lang: Lang, err: &app::AppError, shown_fields: &[&str]) -> Self {
        let mut f = FormErrors::new(lang);
        match err {
            app::AppError::Invalid(v) => {
                let hidden: Vec<String> =
                    v.0.iter()
                        .filter(|e| !shown_fields.contains(&e.field.as_str()))
                        .map(|e| format!("{}: {}", lang.field(&e.field), lang.err(e.code)))
                        .collect();
                if !hidden.is_empty() {
                    f.general = Some(hidden.join("；"));
                }
                f.errors = v.clone();
            }
            other => f.general = Some(lang.err(other.code()).to_owned()),
        }
        f
    }

    pub fn any(&self) -> bool {
        !self.errors.0.is_empty() || self.general.is_some()
    }

    pub fn has(&self, field: &str) -> bool {
        self.errors.for_field(field).is_some()
    }

    pub fn get(&self, field: &str) -> &'static str {
        self.errors
            .for_field(field)
            .map_or("", |c| self.lang.err(c))
    }
}

pub struct Pager {
    pub page: u32,
    pub total_pages: u32,
    pub total: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Links keep the current query (`base` holds it without `page`).
    pub fn new<T>(p: &Page<T>, base: &str) -> Pager {
        let sep = if base.contains('?') { '&' } else { '?' };
        let link = |n: u32| format!("{base}{sep}page={n}");
        Pager {
            page: p.page,
            total_pages: p.total_pages(),
            total: p.total,
            prev: p.has_prev().then(|| link(p.page - 1)),
            next: p.has_next().then(|| link(p.page + 1)),
        }
    }
}

/// Builds a query string from the non-empty pairs.
pub fn query(base: &str, pairs: &[(&str, &str)]) -> String {
    let qs: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect();
    if qs.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", qs.join("&"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub l: Layout,
    pub status: u16,
    pub message: String,
}

impl ErrorPage {
    /// The error page for an anonymous request.
    pub fn render(lang: Lang, status: StatusCode, message: &str) -> Response {
        Self::render_for(lang, None, "/", status, message)
    }

    /// The error page inside the usual layout: a signed-in person keeps their navigation, and
    /// the language switch returns to `path`.
    pub fn render_for(
        lang: Lang,
        identity: Option<&Identity>,
        path: &str,
        status: StatusCode,
        message: &str,
    ) -> Response {
        let page = ErrorPage {
            l: Layout::new(lang, identity, "error.title", path),
            status: status.as_u16(),
            message: message.to_owned(),
        };
        (status, render(&page)).into_response()
    }
}

/// Renders a template; a rendering failure is logged and answered with a plain 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "500").into_response()
        }
    }
}
