//! API handlers of the monthly plan (预安): months and their phases, tasks from proposal to
//! arrangement, assigned items, plan tables, the year's key points and change requests. Each
//! calls the same use case as the page that does the same thing.

use app::AppError;
use app::model::TaskFilter;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use domain::page::{Page, PageRequest};
use domain::plan::{Change, KeyPointInput, Phase, TaskStatus, YearMonth};
use serde::Deserialize;

use super::dto::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

fn own_org(user: &ApiUser, org: Option<i64>) -> i64 {
    org.unwrap_or(user.identity.actor.organization_id.0)
}

fn id(user: &ApiUser, raw: &str) -> Result<i64, ApiError> {
    crate::pages::parse_id(raw).map_err(|e| user.fail(e))
}

const DONE: Done = Done { ok: true };

async fn task(s: &AppState, user: &ApiUser, id: i64) -> Result<app::TaskDetail, ApiError> {
    s.app
        .get_task(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))
}

// ---- months ----

#[utoipa::path(get, path = "/months/{month}", tag = "plan",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = Month), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_month(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<Month> {
    Ok(Json(
        s.app
            .month_view(user.caller(), own_org(&user, None), &month)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/months/{month}/phase", tag = "plan",
    params(("month" = String, Path, description = "`YYYY-MM`")), request_body = MovePhase,
    responses((status = 200, body = Month), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_phase(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiJson(b): ApiJson<MovePhase>,
) -> ApiResult<Month> {
    let org = own_org(&user, None);
    s.app
        .move_phase(user.caller(), org, &month, Phase::parse(&b.phase))
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(
        s.app
            .month_view(user.caller(), org, &month)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/months/{month}/arrange", tag = "plan",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = Arranged), (status = 403, body = ErrorBody),
        (status = 422, description = "`undecided_proposals`, `already_arranged`, `nothing_to_arrange`, `decisions_closed`", body = ErrorBody)))]
pub async fn arrange_month(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<Arranged> {
    let arranged = s
        .app
        .arrange_month(user.caller(), own_org(&user, None), &month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Arranged { arranged }))
}

// ---- tasks ----

/// The query of `GET /tasks` without `status`, which may repeat.
#[derive(Debug, Deserialize, Default)]
struct TaskQuery {
    month: Option<String>,
    unit_id: Option<i64>,
    post_id: Option<i64>,
    leader_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
    organization_id: Option<i64>,
}

/// Splits the statuses (repeated or comma-separated) off the query and parses the rest.
fn task_query(
    user: &ApiUser,
    raw: Option<&str>,
) -> Result<(TaskQuery, Vec<String>), Box<Response>> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let mut statuses = Vec::new();
    for s in pairs
        .iter()
        .filter(|(k, _)| k == "status")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match TaskStatus::parse(s) {
            Some(st) => statuses.push(st.as_str().to_owned()),
            None => {
                let e = user.fail(AppError::field("status", "invalid_status"));
                return Err(Box::new(e.into_response()));
            }
        }
    }
    let rest: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(k, _)| k != "status"))
        .finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(rest.as_bytes()));
    let q = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { "query".into() } else { field };
        Box::new(ApiError::bad_request(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some((field, "invalid_type")),
            user.lang,
        ))
    })?;
    Ok((q, statuses))
}

#[utoipa::path(get, path = "/tasks", tag = "plan", params(TaskParams),
    responses((status = 200, body = TaskPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_tasks(
    State(s): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<TaskPage>, Response> {
    let (q, statuses) = task_query(&user, raw.as_deref()).map_err(|e| *e)?;
    let f = TaskFilter {
        month: q.month,
        unit_id: q.unit_id,
        post_id: q.post_id,
        leader_id: q.leader_id,
        statuses,
        ..Default::default()
    };
    let org = own_org(&user, q.organization_id);
    Ok(Json(
        s.app
            .list_tasks(user.caller(), org, &f, PageRequest::new(q.page, q.per_page))
            .await
            .map_err(|e| user.fail(e).into_response())?
            .into(),
    ))
}

#[utoipa::path(post, path = "/tasks", tag = "plan", request_body = NewTask,
    responses((status = 201, body = Task), (status = 403, body = ErrorBody),
        (status = 422, description = "invalid fields, or `proposals_closed`", body = ErrorBody)))]
pub async fn propose(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let id = s
        .app
        .propose(
            user.caller(),
            own_org(&user, None),
            &b.month,
            b.unit_id,
            &b.input(),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(task(&s, &user, id).await?.task.into()),
    ))
}

#[utoipa::path(get, path = "/tasks/{id}", tag = "plan", params(("id" = i64, Path)),
    responses((status = 200, body = TaskDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<TaskDetail> {
    let id = id(&user, &raw)?;
    Ok(Json(task(&s, &user, id).await?.into()))
}

#[utoipa::path(patch, path = "/tasks/{id}", tag = "plan", params(("id" = i64, Path)), request_body = TaskPatch,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_task(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<TaskPatch>,
) -> ApiResult<Task> {
    let id = id(&user, &raw)?;
    let cur = task(&s, &user, id).await?.task;
    s.app
        .update_proposal(user.caller(), id, &b.apply(&cur))
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(task(&s, &user, id).await?.task.into()))
}

#[utoipa::path(post, path = "/tasks/{id}/submit", tag = "plan", params(("id" = i64, Path)),
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_task(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Task> {
    let id = id(&user, &raw)?;
    s.app
        .submit_proposal(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(task(&s, &user, id).await?.task.into()))
}

#[utoipa::path(post, path = "/tasks/{id}/leader-review", tag = "plan", params(("id" = i64, Path)), request_body = LeaderReview,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn leader_review(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<LeaderReview>,
) -> ApiResult<Task> {
    let id = id(&user, &raw)?;
    let decision = match b.decision.as_str() {
        "approve" => app::LeaderDecision::Approve,
        "adjust" => {
            let cur = task(&s, &user, id).await?.task;
            app::LeaderDecision::Adjust(b.fields.unwrap_or_default().apply(&cur))
        }
        "return" => app::LeaderDecision::Return {
            reason: b.reason.unwrap_or_default(),
        },
        _ => {
            return Err(user.fail(AppError::field("decision", "invalid_decision")));
        }
    };
    s.app
        .leader_review(user.caller(), id, &decision)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(task(&s, &user, id).await?.task.into()))
}

#[utoipa::path(post, path = "/tasks/{id}/decision", tag = "plan", params(("id" = i64, Path)), request_body = MeetingDecision,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn meeting_decision(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<MeetingDecision>,
) -> ApiResult<Task> {
    let id = id(&user, &raw)?;
    let reason = b.reason.unwrap_or_default();
    let decision = match b.decision.as_str() {
        "accept" => app::MeetingDecision::Accept,
        "change" => {
            let cur = task(&s, &user, id).await?.task;
            app::MeetingDecision::Change(b.fields.unwrap_or_default().apply(&cur))
        }
        "reject" => app::MeetingDecision::Reject { reason },
        "merge" => match b.merge_into {
            Some(into) => app::MeetingDecision::Merge { into, reason },
            None => return Err(user.fail(AppError::field("merge_into", "required"))),
        },
        _ => {
            return Err(user.fail(AppError::field("decision", "invalid_decision")));
        }
    };
    s.app
        .meeting_decide(user.caller(), id, &decision)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(task(&s, &user, id).await?.task.into()))
}

#[utoipa::path(post, path = "/assigned-items", tag = "plan", request_body = NewTask,
    responses((status = 201, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_item(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let id = s
        .app
        .add_assigned_item(
            user.caller(),
            own_org(&user, None),
            &b.month,
            b.unit_id,
            &b.input(),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(task(&s, &user, id).await?.task.into()),
    ))
}

// ---- plan tables ----

#[utoipa::path(get, path = "/plan-tables/{month}/units/{unit}", tag = "plan",
    params(("month" = String, Path, description = "`YYYY-MM`"),
        ("unit" = String, Path, description = "The unit's id; `5.xlsx` answers the table as an XLSX file instead of JSON."),
        PlanTableParams),
    responses((status = 200, body = PlanTable), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn plan_table(
    State(s): State<AppState>,
    user: ApiUser,
    Path((month, unit)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PlanTableParams>,
) -> Result<Response, ApiError> {
    let (raw, xlsx) = match unit.strip_suffix(".xlsx") {
        Some(u) => (u, true),
        None => (unit.as_str(), false),
    };
    let unit = id(&user, raw)?;
    let t = s
        .app
        .plan_table(user.caller(), own_org(&user, None), &month, unit, q.post_id)
        .await
        .map_err(|e| user.fail(e))?;
    if xlsx {
        let m = YearMonth::parse(&month).ok_or_else(|| user.fail(AppError::NotFound))?;
        let name = crate::pages::plan::xlsx_name(m, unit, q.post_id);
        return crate::pages::plan::xlsx_response(&t, &name).map_err(|e| user.fail(e));
    }
    Ok(Json(PlanTable::from(t)).into_response())
}

// ---- key points ----

fn page_of<T>(all: Vec<T>, req: PageRequest) -> Page<T> {
    let total = all.len() as u64;
    let items = all
        .into_iter()
        .skip(usize::try_from(req.offset()).unwrap_or(0))
        .take(req.size as usize)
        .collect();
    Page::new(items, req, total)
}

#[utoipa::path(get, path = "/key-points", tag = "plan", params(KeyPointParams),
    responses((status = 200, body = KeyPointPage), (status = 403, body = ErrorBody)))]
pub async fn list_key_points(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<KeyPointParams>,
) -> ApiResult<KeyPointPage> {
    let year = q.year.unwrap_or_else(|| s.app.today().year());
    let all = s
        .app
        .list_key_points(
            user.caller(),
            own_org(&user, q.organization_id),
            year,
            q.include_disabled.unwrap_or(false),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(
        page_of(all, PageRequest::new(q.page, q.per_page)).into(),
    ))
}

async fn key_point(s: &AppState, user: &ApiUser, id: i64) -> Result<KeyPoint, ApiError> {
    s.app
        .get_key_point(user.caller(), id)
        .await
        .map(Into::into)
        .map_err(|e| user.fail(e))
}

#[utoipa::path(post, path = "/key-points", tag = "plan", request_body = CreateKeyPoint,
    responses((status = 201, body = KeyPoint), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_key_point(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<CreateKeyPoint>,
) -> Result<(StatusCode, Json<KeyPoint>), ApiError> {
    let org = own_org(&user, b.organization_id);
    let input = KeyPointInput {
        year: b.year,
        kind: b.kind.unwrap_or_else(|| "key_point".into()),
        title: b.title,
        description: b.description.unwrap_or_default(),
        sort_order: b.sort_order.unwrap_or(0),
    };
    let id = s
        .app
        .create_key_point(user.caller(), org, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(key_point(&s, &user, id).await?)))
}

#[utoipa::path(patch, path = "/key-points/{id}", tag = "plan", params(("id" = i64, Path)), request_body = UpdateKeyPoint,
    responses((status = 200, body = KeyPoint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_key_point(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<UpdateKeyPoint>,
) -> ApiResult<KeyPoint> {
    let id = id(&user, &raw)?;
    let cur = key_point(&s, &user, id).await?;
    let input = KeyPointInput {
        year: i64::from(cur.year),
        kind: b.kind.unwrap_or(cur.kind),
        title: b.title.unwrap_or(cur.title),
        description: b.description.unwrap_or(cur.description),
        sort_order: b.sort_order.unwrap_or(i64::from(cur.sort_order)),
    };
    s.app
        .update_key_point(
            user.caller(),
            id,
            &input,
            b.disabled.unwrap_or(cur.disabled),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(key_point(&s, &user, id).await?))
}

// ---- change requests ----

#[utoipa::path(post, path = "/tasks/{id}/change-requests", tag = "plan", params(("id" = i64, Path)), request_body = RequestChange,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_change(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<RequestChange>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = id(&user, &raw)?;
    let t = task(&s, &user, id).await?.task;
    let month = YearMonth::parse(&t.month)
        .ok_or_else(|| user.fail(AppError::Internal(format!("bad month {}", t.month))))?;
    let change = Change::parse(
        &b.kind,
        b.title.as_deref().unwrap_or(&t.title),
        b.content.as_deref().unwrap_or(&t.content),
        b.criterion.as_deref().unwrap_or(&t.criterion),
        b.deadline.as_deref().unwrap_or(""),
        month,
    )
    .map_err(|e| user.fail(e.into()))?;
    let cr = s
        .app
        .request_change(user.caller(), id, &change, &b.reason)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(Created { id: cr })))
}

#[utoipa::path(get, path = "/change-requests", tag = "plan", params(ChangeRequestParams),
    responses((status = 200, body = ChangeRequestPage), (status = 403, body = ErrorBody)))]
pub async fn list_change_requests(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ChangeRequestParams>,
) -> ApiResult<ChangeRequestPage> {
    Ok(Json(
        s.app
            .list_change_requests(
                user.caller(),
                own_org(&user, q.organization_id),
                q.status.as_deref().filter(|s| !s.is_empty()),
                PageRequest::new(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/change-requests/{id}/decision", tag = "plan", params(("id" = i64, Path)), request_body = ChangeDecision,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_change(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ChangeDecision>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .decide_change(
            user.caller(),
            id,
            b.approve,
            b.reason.as_deref().unwrap_or(""),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}
