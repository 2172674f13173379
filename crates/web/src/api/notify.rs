//! API of notifications: the caller's inbox and preferences, urging a task (催办), and for
//! administrators the channels and the deliveries. Each handler calls the same use case as
//! its page.

use app::model::{DeliveryFilter, DeliveryRow, NotificationRow, UrgeRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::notify::ChannelInput;
use domain::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{Created, Done};
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

fn org(user: &ApiUser) -> i64 {
    user.identity.actor.organization_id.0
}

fn id(user: &ApiUser, raw: &str) -> Result<i64, ApiError> {
    crate::pages::parse_id(raw).map_err(|e| user.fail(e))
}

// ---- the inbox ----

/// One notification in the caller's inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    /// window_opened, deadline_approaching, task_overdue, task_stagnant, proposal_returned,
    /// warning_issued, coordination_decided, follow_up_due, sign_off_returned,
    /// bulletin_published, accountability_proposed, task_urged
    pub event: String,
    pub urgent: bool,
    pub subject: String,
    pub body: String,
    /// A path of the application (`/tasks/7`).
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for Notification {
    fn from(n: NotificationRow) -> Self {
        Notification {
            id: n.id,
            event: n.event,
            urgent: n.urgent,
            subject: n.subject,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

page_type!(NotificationPage => Notification, DeliveryPage => Delivery);

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Only the unread ones.
    pub unread: Option<bool>,
}

#[utoipa::path(get, path = "/inbox", tag = "notifications", params(InboxParams),
    responses((status = 200, body = NotificationPage, description = "the caller's notifications, newest first")))]
pub async fn inbox(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<InboxParams>,
) -> ApiResult<NotificationPage> {
    let p = s
        .app
        .inbox(
            user.caller(),
            q.unread.unwrap_or(false),
            PageRequest::new(q.page, q.per_page),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

#[utoipa::path(get, path = "/inbox/unread-count", tag = "notifications",
    responses((status = 200, body = UnreadCount)))]
pub async fn unread_count(State(s): State<AppState>, user: ApiUser) -> ApiResult<UnreadCount> {
    let unread = s
        .app
        .unread_count(user.caller())
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(UnreadCount { unread }))
}

#[utoipa::path(post, path = "/inbox/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Notification), (status = 404, body = ErrorBody, description = "no such notification of the caller's")))]
pub async fn read(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Notification> {
    let n = id(&user, &raw)?;
    let mut row = s
        .app
        .read_notification(user.caller(), n)
        .await
        .map_err(|e| user.fail(e))?;
    // The row as it was before: it is read now.
    if row.read_at.is_none() {
        row.read_at = Some(s.app.now());
    }
    Ok(Json(row.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    /// How many were unread.
    pub marked: u64,
}

#[utoipa::path(post, path = "/inbox/read-all", tag = "notifications",
    responses((status = 200, body = Marked)))]
pub async fn read_all(State(s): State<AppState>, user: ApiUser) -> ApiResult<Marked> {
    let marked = s
        .app
        .read_all_notifications(user.caller())
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Marked { marked }))
}

// ---- preferences ----

/// One choice: whether `event` reaches the caller by `channel`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub event: String,
    /// inbox, email, wecom, dingtalk or feishu
    pub channel: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreferenceOut {
    pub event: String,
    pub channel: String,
    pub enabled: bool,
    /// False where the rules decide: urgent events stay in the inbox, accountability never
    /// goes to a group robot.
    pub changeable: bool,
    /// Whether the organization has the channel switched on.
    pub available: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Preferences {
    pub choices: Vec<PreferenceOut>,
}

async fn preferences_of(s: &AppState, user: &ApiUser) -> Result<Preferences, ApiError> {
    let lines = s
        .app
        .preferences(user.caller())
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Preferences {
        choices: lines
            .into_iter()
            .flat_map(|l| {
                l.choices.into_iter().map(move |c| PreferenceOut {
                    event: l.event.as_str().to_owned(),
                    channel: c.channel.as_str().to_owned(),
                    enabled: c.enabled,
                    changeable: c.changeable,
                    available: c.available,
                })
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/me/notification-preferences", tag = "notifications",
    responses((status = 200, body = Preferences)))]
pub async fn get_preferences(State(s): State<AppState>, user: ApiUser) -> ApiResult<Preferences> {
    Ok(Json(preferences_of(&s, &user).await?))
}

/// The choices switched on; every other changeable choice is switched off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPreferences {
    pub enabled: Vec<Choice>,
}

#[utoipa::path(put, path = "/me/notification-preferences", tag = "notifications", request_body = SetPreferences,
    responses((status = 200, body = Preferences), (status = 422, body = ErrorBody, description = "`preferences: invalid_choice`")))]
pub async fn put_preferences(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<SetPreferences>,
) -> ApiResult<Preferences> {
    let pairs: Vec<(String, String)> = b
        .enabled
        .into_iter()
        .map(|c| (c.event, c.channel))
        .collect();
    s.app
        .set_preferences(user.caller(), &pairs)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(preferences_of(&s, &user).await?))
}

// ---- urging ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUrge {
    /// At most 500 characters; may be empty.
    #[serde(default)]
    pub message: String,
}

#[utoipa::path(post, path = "/tasks/{id}/urge", tag = "notifications", params(("id" = i64, Path)), request_body = NewUrge,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`message: too_long`, `task: task_not_open`")))]
pub async fn urge(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewUrge>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let task = id(&user, &raw)?;
    let id = s
        .app
        .urge_task(user.caller(), task, &b.message)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Urge {
    pub id: i64,
    pub by_id: Option<i64>,
    pub by_name: Option<String>,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

impl From<UrgeRow> for Urge {
    fn from(u: UrgeRow) -> Self {
        Urge {
            id: u.id,
            by_id: u.by_id,
            by_name: u.by_name,
            message: u.message,
            created_at: u.created_at,
        }
    }
}

#[utoipa::path(get, path = "/tasks/{id}/urges", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Urge>, description = "newest first"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn urges(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Vec<Urge>> {
    let task = id(&user, &raw)?;
    let rows = s
        .app
        .task_urges(user.caller(), task)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

// ---- administrators ----

/// One channel of the organization, without its password, secret or address token.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelOut {
    /// email, wecom, dingtalk or feishu
    pub channel: String,
    pub configured: bool,
    pub enabled: bool,
    /// `host:port` of the mail server, the host of a robot's address.
    pub target: String,
    pub has_secret: bool,
}

#[utoipa::path(get, path = "/notification-channels", tag = "notifications",
    responses((status = 200, body = Vec<ChannelOut>), (status = 403, body = ErrorBody, description = "administrators only")))]
pub async fn channels(State(s): State<AppState>, user: ApiUser) -> ApiResult<Vec<ChannelOut>> {
    let v = s
        .app
        .notify_admin(user.caller(), org(&user))
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(
        v.channels
            .into_iter()
            .map(|c| ChannelOut {
                channel: c.channel.as_str().to_owned(),
                configured: c.configured,
                enabled: c.enabled,
                target: c.target,
                has_secret: c.has_secret,
            })
            .collect(),
    ))
}

/// A channel's settings: `host`, `port`, `security` (tls, starttls, none), `username`,
/// `password` and `sender` for email; `url` and `secret` for a robot. An empty password,
/// secret or (robot) url keeps the stored one.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ChannelBody {
    pub enabled: bool,
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    pub password: String,
    pub sender: String,
    pub url: String,
    pub secret: String,
}

#[utoipa::path(put, path = "/notification-channels/{channel}", tag = "notifications", params(("channel" = String, Path)),
    request_body = ChannelBody,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_channel(
    State(s): State<AppState>,
    user: ApiUser,
    Path(channel): Path<String>,
    ApiJson(b): ApiJson<ChannelBody>,
) -> ApiResult<Done> {
    let input = ChannelInput {
        host: b.host,
        port: b.port,
        security: b.security,
        username: b.username,
        password: b.password,
        sender: b.sender,
        url: b.url,
        secret: b.secret,
    };
    s.app
        .set_channel(user.caller(), org(&user), &channel, b.enabled, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Done { ok: true }))
}

/// One message to one recipient by one external channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub person_id: Option<i64>,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    /// pending, sent or failed (given up after the last attempt)
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRow> for Delivery {
    fn from(d: DeliveryRow) -> Self {
        Delivery {
            id: d.id,
            person_id: d.person_id,
            channel: d.channel,
            recipient: d.recipient,
            subject: d.subject,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            created_at: d.created_at,
            sent_at: d.sent_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// pending, sent or failed
    pub status: Option<String>,
    /// Only those whose last attempt failed.
    pub with_errors: Option<bool>,
}

#[utoipa::path(get, path = "/deliveries", tag = "notifications", params(DeliveryParams),
    responses((status = 200, body = DeliveryPage), (status = 403, body = ErrorBody, description = "administrators only"), (status = 422, body = ErrorBody)))]
pub async fn deliveries(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<DeliveryParams>,
) -> ApiResult<DeliveryPage> {
    let f = DeliveryFilter {
        status: q.status.filter(|v| !v.trim().is_empty()),
        with_errors: q.with_errors.unwrap_or(false),
    };
    let p = s
        .app
        .deliveries(
            user.caller(),
            org(&user),
            &f,
            PageRequest::new(q.page, q.per_page),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/deliveries/{id}/retry", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody, description = "`delivery: not_failed`")))]
pub async fn retry(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let d = id(&user, &raw)?;
    s.app
        .retry_delivery(user.caller(), org(&user), d)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Done { ok: true }))
}
