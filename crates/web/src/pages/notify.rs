//! Notification pages: one's inbox (消息) with mark-as-read, one's preferences, the
//! administrator's channels, settings and deliveries, and the urging form of a task.

use app::model::{DeliveryFilter, DeliveryRow, NotificationRow};
use app::{AppError, NotifyAdminView, PreferenceLine};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::notify::{ChannelInput, SettingsInput};
use domain::page::PageRequest;
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use super::{parse_id, see_other};
use crate::AppState;
use crate::form::FormData;
use crate::session::User;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    pub page: String,
    pub ok: String,
    pub unread: String,
    pub status: String,
    pub failed: String,
}

fn layout(user: &User, key: &str, ok: Option<&str>) -> Layout {
    Layout::new(user.lang, Some(&user.identity), key, &user.path).with_notice(ok)
}

fn org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

// ---- the inbox ----

#[derive(Template)]
#[template(path = "notify/inbox.html")]
struct InboxPage {
    l: Layout,
    items: Vec<NotificationRow>,
    pager: Pager,
    unread_only: bool,
}

impl InboxPage {
    fn event(&self, e: &str) -> &'static str {
        self.l.t(&format!("event.{e}"))
    }
}

/// `GET /inbox`: newest first, all or only the unread.
pub async fn inbox(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<InboxQuery>,
) -> Response {
    let unread_only = q.unread == "1";
    let page = PageRequest::new(q.page.parse().ok(), Some(30));
    match state.app.inbox(user.caller(), unread_only, page).await {
        Ok(p) => {
            let base = query("/inbox", &[("unread", if unread_only { "1" } else { "" })]);
            render(&InboxPage {
                l: layout(&user, "inbox.title", Some(q.ok.as_str())),
                pager: Pager::new(&p, &base),
                items: p.items,
                unread_only,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// `POST /inbox/{id}/open`: marks it read and follows its link.
pub async fn open(State(state): State<AppState>, user: User, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.read_notification(user.caller(), id).await {
        Ok(n) => {
            // Only a path of this site is followed (the sign-in's rule), never another site.
            let link = n.link.unwrap_or_default();
            let target = match super::account::safe_next(&link) {
                "/" => "/inbox",
                t => t,
            };
            see_other(target)
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// `POST /inbox/{id}/read`.
pub async fn read(State(state): State<AppState>, user: User, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.read_notification(user.caller(), id).await {
        Ok(_) => see_other("/inbox?ok=inbox.marked"),
        Err(e) => user.fail(e).into_response(),
    }
}

/// `POST /inbox/read-all`.
pub async fn read_all(State(state): State<AppState>, user: User) -> Response {
    match state.app.read_all_notifications(user.caller()).await {
        Ok(_) => see_other("/inbox?ok=inbox.marked"),
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- preferences ----

#[derive(Template)]
#[template(path = "notify/preferences.html")]
struct PreferencesPage {
    l: Layout,
    lines: Vec<PreferenceLine>,
    errors: FormErrors,
}

impl PreferencesPage {
    fn event(&self, e: &domain::notify::EventKind) -> &'static str {
        self.l.t(&format!("event.{}", e.as_str()))
    }

    fn channel(&self, c: &domain::notify::Channel) -> &'static str {
        self.l.t(&format!("channel.{}", c.as_str()))
    }
}

async fn preferences_page(
    state: &AppState,
    user: &User,
    ok: Option<&str>,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    match state.app.preferences(user.caller()).await {
        Ok(lines) => (
            status,
            render(&PreferencesPage {
                l: layout(user, "prefs.title", ok),
                lines,
                errors,
            }),
        )
            .into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn preferences(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<InboxQuery>,
) -> Response {
    preferences_page(
        &state,
        &user,
        Some(q.ok.as_str()),
        FormErrors::new(user.lang),
        StatusCode::OK,
    )
    .await
}

/// The checked `event:channel` pairs of the preferences form.
pub fn checked_pairs(values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| match v.split_once(':') {
            Some((e, c)) => (e.to_owned(), c.to_owned()),
            None => ((*v).to_owned(), String::new()),
        })
        .collect()
}

pub async fn save_preferences(
    State(state): State<AppState>,
    user: User,
    form: FormData,
) -> Response {
    let pairs = checked_pairs(&form.all("pref"));
    match state.app.set_preferences(user.caller(), &pairs).await {
        Ok(()) => see_other("/inbox/preferences?ok=prefs.saved"),
        Err(e @ AppError::Invalid(_)) => {
            let errors = FormErrors::from_app(user.lang, &e, &[]);
            preferences_page(
                &state,
                &user,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- administrators: channels, settings, deliveries ----

#[derive(Template)]
#[template(path = "notify/admin.html")]
struct AdminPage {
    l: Layout,
    v: NotifyAdminView,
    deliveries: Vec<DeliveryRow>,
    pager: Pager,
    status: String,
    failed: bool,
    /// The channel whose form failed, with its input and errors.
    failed_channel: String,
    form: FormData,
    errors: FormErrors,
}

impl AdminPage {
    fn channel(&self, c: &domain::notify::Channel) -> &'static str {
        self.l.t(&format!("channel.{}", c.as_str()))
    }

    fn err(&self, channel: &str, field: &str) -> &'static str {
        if self.failed_channel == channel {
            self.errors.get(field)
        } else {
            ""
        }
    }

    /// A field's value: the failed form's input, or what is stored.
    fn val(&self, channel: &str, field: &str, stored: &str) -> String {
        if self.failed_channel == channel {
            self.form.get(field).to_owned()
        } else {
            stored.to_owned()
        }
    }

    fn status_label(&self, s: &str) -> &'static str {
        self.l.t(&format!("delivery.{s}"))
    }
}

async fn admin_page(
    state: &AppState,
    user: &User,
    q: &InboxQuery,
    failed: Option<(String, FormData, AppError)>,
) -> Response {
    let org = org(user);
    let v = match state.app.notify_admin(user.caller(), org).await {
        Ok(v) => v,
        Err(e) => return user.fail(e).into_response(),
    };
    let status = Some(q.status.trim())
        .filter(|s| ["pending", "sent", "failed"].contains(s))
        .map(str::to_owned);
    let filter = DeliveryFilter {
        status: status.clone(),
        with_errors: q.failed == "1",
    };
    let page = PageRequest::new(q.page.parse().ok(), Some(30));
    let p = match state
        .app
        .deliveries(user.caller(), org, &filter, page)
        .await
    {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let base = query(
        "/admin/notifications",
        &[
            ("status", status.as_deref().unwrap_or("")),
            ("failed", if filter.with_errors { "1" } else { "" }),
        ],
    );
    let (code, failed_channel, form, errors) = match failed {
        Some((channel, form, e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            channel,
            form,
            FormErrors::from_app(
                user.lang,
                &e,
                &[
                    "host",
                    "port",
                    "security",
                    "username",
                    "password",
                    "sender",
                    "url",
                    "secret",
                    "digest_hour",
                    "remind_days_before",
                ],
            ),
        ),
        None => (
            StatusCode::OK,
            String::new(),
            FormData::default(),
            FormErrors::new(user.lang),
        ),
    };
    (
        code,
        render(&AdminPage {
            l: layout(user, "notify_admin.title", Some(q.ok.as_str())),
            v,
            pager: Pager::new(&p, &base),
            deliveries: p.items,
            status: status.unwrap_or_default(),
            failed: filter.with_errors,
            failed_channel,
            form,
            errors,
        }),
    )
        .into_response()
}

pub async fn admin(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<InboxQuery>,
) -> Response {
    admin_page(&state, &user, &q, None).await
}

/// After an administrator's form: back to the page with a notice, or the page again with
/// the failed form (422).
async fn after_admin(
    state: &AppState,
    user: &User,
    which: &str,
    form: FormData,
    result: Result<(), AppError>,
    ok: &str,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/admin/notifications?ok={ok}")),
        Err(e @ AppError::Invalid(_)) => {
            admin_page(
                state,
                user,
                &InboxQuery::default(),
                Some((which.to_owned(), form, e)),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn save_channel(
    State(state): State<AppState>,
    user: User,
    Path(channel): Path<String>,
    form: FormData,
) -> Response {
    let input = ChannelInput {
        host: form.get("host").to_owned(),
        port: form.get("port").to_owned(),
        security: form.get("security").to_owned(),
        username: form.get("username").to_owned(),
        password: form.get("password").to_owned(),
        sender: form.get("sender").to_owned(),
        url: form.get("url").to_owned(),
        secret: form.get("secret").to_owned(),
    };
    let r = state
        .app
        .set_channel(
            user.caller(),
            org(&user),
            &channel,
            form.checked("enabled"),
            &input,
        )
        .await;
    after_admin(&state, &user, &channel, form, r, "notify_admin.saved").await
}

pub async fn remove_channel(
    State(state): State<AppState>,
    user: User,
    Path(channel): Path<String>,
) -> Response {
    let r = state
        .app
        .remove_channel(user.caller(), org(&user), &channel)
        .await;
    after_admin(
        &state,
        &user,
        &channel,
        FormData::default(),
        r,
        "notify_admin.removed",
    )
    .await
}

pub async fn test_channel(
    State(state): State<AppState>,
    user: User,
    Path(channel): Path<String>,
) -> Response {
    let r = state
        .app
        .test_channel(user.caller(), org(&user), &channel)
        .await;
    after_admin(
        &state,
        &user,
        &channel,
        FormData::default(),
        r,
        "notify_admin.test_queued",
    )
    .await
}

pub async fn save_settings(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let input = SettingsInput {
        digest_enabled: form.checked("digest_enabled"),
        digest_hour: form.get("digest_hour").to_owned(),
        remind_days_before: form.get("remind_days_before").to_owned(),
    };
    let r = state
        .app
        .set_notify_settings(user.caller(), org(&user), &input)
        .await
        .map(|_| ());
    after_admin(&state, &user, "settings", form, r, "notify_admin.saved").await
}

pub async fn retry(State(state): State<AppState>, user: User, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let r = state
        .app
        .retry_delivery(user.caller(), org(&user), id)
        .await;
    after_admin(
        &state,
        &user,
        "delivery",
        FormData::default(),
        r,
        "notify_admin.retried",
    )
    .await
}

// ---- urging a task ----

/// `POST /tasks/{id}/urge`.
pub async fn urge(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let r = state
        .app
        .urge_task(user.caller(), id, form.get("message"))
        .await
        .map(|_| ());
    super::tasks::after_small(&state, &user, id, "urge.sent", "urge", form, r).await
}
