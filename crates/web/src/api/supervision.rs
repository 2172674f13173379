//! API handlers of execution and supervision (督): progress with evidence, coordination
//! requests, inspections with findings and follow-ups, key projects, cards, publications,
//! warnings, the card rules, display tokens, the board and the dashboard. Each calls the same
//! use case as the page that does the same thing.

use app::AppError;
use app::model::{
    CardFilter, CoordinationFilter, FindingFilter, InspectionFilter, ProjectFilter, WarningFilter,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::page::PageRequest;
use domain::supervision::{
    CoordinationInput, DecisionInput, FindingInput, FollowUpInput, InspectionInput, MilestoneInput,
    ProgressInput,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::sup_dto::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::{ApiUser, Ctx};

fn own_org(user: &ApiUser, org: Option<i64>) -> i64 {
    org.unwrap_or(user.identity.actor.organization_id.0)
}

fn id(user: &ApiUser, raw: &str) -> Result<i64, ApiError> {
    crate::pages::parse_id(raw).map_err(|e| user.fail(e))
}

fn page(p: Option<u32>, per: Option<u32>) -> PageRequest {
    PageRequest::new(p, per)
}

/// Decodes the uploads; a bad base64 value names its file.
pub(super) fn uploads(
    user: &ApiUser,
    files: &[FileUpload],
) -> Result<Vec<app::EvidenceUpload>, ApiError> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map(|bytes| app::EvidenceUpload {
                    name: f.name.clone(),
                    bytes,
                })
                .map_err(|_| {
                    user.fail(AppError::field(
                        &format!("files[{i}].content_base64"),
                        "invalid_base64",
                    ))
                })
        })
        .collect()
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// A status of the listed records (coordination: open, decided, resolved; inspections:
    /// planned, done; findings: open, closed; projects: active, completed, suspended).
    pub status: Option<String>,
    pub organization_id: Option<i64>,
}

// ---- progress and files ----

#[utoipa::path(post, path = "/tasks/{id}/progress", tag = "supervision", params(("id" = i64, Path)),
    request_body = NewProgress,
    responses((status = 201, body = ProgressReport), (status = 403, body = ErrorBody),
        (status = 422, description = "invalid fields, `not_in_plan`, `month_closed`, a refused file", body = ErrorBody)))]
pub async fn report_progress(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewProgress>,
) -> Result<(StatusCode, Json<ProgressReport>), ApiError> {
    let task = id(&user, &raw)?;
    let files = uploads(&user, &b.files)?;
    let input = ProgressInput {
        percent: b.percent,
        narrative: b.narrative,
    };
    let pid = s
        .app
        .report_progress(user.caller(), task, &input, &files)
        .await
        .map_err(|e| user.fail(e))?;
    let d = s
        .app
        .get_task(user.caller(), task)
        .await
        .map_err(|e| user.fail(e))?;
    let files = d.progress_files.clone();
    let report = d
        .progress
        .into_iter()
        .find(|g| g.id == pid)
        .map(|g| ProgressReport::new(g, &files))
        .ok_or_else(|| user.fail(AppError::NotFound))?;
    Ok((StatusCode::CREATED, Json(report)))
}

#[utoipa::path(get, path = "/files/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, description = "the file's bytes", content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn file(State(s): State<AppState>, user: ApiUser, Path(raw): Path<String>) -> Response {
    let fid = match id(&user, &raw) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    match s.app.get_file(user.caller(), fid).await {
        Ok((meta, bytes)) => {
            let ct = domain::evidence::sniff(&bytes)
                .map_or("application/octet-stream", |k| k.content_type(&meta.name));
            (
                [
                    (header::CONTENT_TYPE, ct.to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename*=UTF-8''{}",
                            form_urlencoded::byte_serialize(meta.name.as_bytes())
                                .collect::<String>()
                                .replace('+', "%20")
                        ),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- coordination ----

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CoordinationParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// open, decided or resolved.
    pub status: Option<String>,
    pub task_id: Option<i64>,
    /// Raised by, involving or owned by this unit.
    pub unit_id: Option<i64>,
    pub organization_id: Option<i64>,
}

#[utoipa::path(get, path = "/coordination", tag = "supervision", params(CoordinationParams),
    responses((status = 200, body = CoordinationPage), (status = 403, body = ErrorBody)))]
pub async fn list_coordination(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<CoordinationParams>,
) -> ApiResult<CoordinationPage> {
    let f = CoordinationFilter {
        statuses: q.status.into_iter().collect(),
        task_id: q.task_id,
        unit_id: q.unit_id,
    };
    Ok(Json(
        s.app
            .list_coordination(
                user.caller(),
                own_org(&user, q.organization_id),
                &f,
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

async fn coordination(
    s: &AppState,
    user: &ApiUser,
    id: i64,
) -> Result<CoordinationDetail, ApiError> {
    s.app
        .get_coordination(user.caller(), id)
        .await
        .map(Into::into)
        .map_err(|e| user.fail(e))
}

#[utoipa::path(post, path = "/tasks/{id}/coordination", tag = "supervision", params(("id" = i64, Path)),
    request_body = NewCoordination,
    responses((status = 201, body = CoordinationDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise_coordination(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewCoordination>,
) -> Result<(StatusCode, Json<CoordinationDetail>), ApiError> {
    let task = id(&user, &raw)?;
    let input = CoordinationInput {
        title: b.title,
        description: b.description,
        involved_unit_ids: b.involved_unit_ids,
    };
    let rid = s
        .app
        .raise_coordination(user.caller(), task, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(coordination(&s, &user, rid).await?),
    ))
}

#[utoipa::path(get, path = "/coordination/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = CoordinationDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_coordination(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<CoordinationDetail> {
    let rid = id(&user, &raw)?;
    Ok(Json(coordination(&s, &user, rid).await?))
}

#[utoipa::path(post, path = "/coordination/{id}/solutions", tag = "supervision", params(("id" = i64, Path)),
    request_body = NewSolution,
    responses((status = 200, body = CoordinationDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose_solution(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewSolution>,
) -> ApiResult<CoordinationDetail> {
    let rid = id(&user, &raw)?;
    s.app
        .propose_solution(user.caller(), rid, &b.solution)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(coordination(&s, &user, rid).await?))
}

#[utoipa::path(post, path = "/coordination/{id}/decision", tag = "supervision", params(("id" = i64, Path)),
    request_body = CoordinationDecision,
    responses((status = 200, body = CoordinationDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_coordination(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<CoordinationDecision>,
) -> ApiResult<CoordinationDetail> {
    let rid = id(&user, &raw)?;
    let input = DecisionInput {
        decision: b.decision,
        owner_unit_id: b.owner_unit_id,
        deadline: b.deadline,
    };
    s.app
        .decide_coordination(user.caller(), rid, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(coordination(&s, &user, rid).await?))
}

#[utoipa::path(post, path = "/coordination/{id}/resolve", tag = "supervision", params(("id" = i64, Path)),
    request_body = Resolution,
    responses((status = 200, body = CoordinationDetail), (status = 403, body = ErrorBody),
        (status = 422, description = "`not_decided`, `already_resolved`", body = ErrorBody)))]
pub async fn resolve_coordination(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<Resolution>,
) -> ApiResult<CoordinationDetail> {
    let rid = id(&user, &raw)?;
    s.app
        .resolve_coordination(user.caller(), rid, &b.resolution)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(coordination(&s, &user, rid).await?))
}

// ---- inspections ----

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct InspectionParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// planned or done.
    pub status: Option<String>,
    /// open or covert.
    pub mode: Option<String>,
    pub organization_id: Option<i64>,
}

#[utoipa::path(get, path = "/inspections", tag = "supervision", params(InspectionParams),
    responses((status = 200, body = InspectionPage), (status = 403, body = ErrorBody)))]
pub async fn list_inspections(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<InspectionParams>,
) -> ApiResult<InspectionPage> {
    let f = InspectionFilter {
        status: q.status,
        mode: q.mode,
        ..Default::default()
    };
    Ok(Json(
        s.app
            .list_inspections(
                user.caller(),
                own_org(&user, q.organization_id),
                &f,
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

async fn inspection(s: &AppState, user: &ApiUser, id: i64) -> Result<InspectionDetail, ApiError> {
    s.app
        .get_inspection(user.caller(), id)
        .await
        .map(Into::into)
        .map_err(|e| user.fail(e))
}

#[utoipa::path(post, path = "/inspections", tag = "supervision", request_body = NewInspection,
    responses((status = 201, body = InspectionDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_inspection(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<NewInspection>,
) -> Result<(StatusCode, Json<InspectionDetail>), ApiError> {
    let input = InspectionInput {
        kind: b.kind,
        mode: b.mode,
        title: b.title,
        scope: b.scope,
        planned_on: b.planned_on,
        unit_ids: b.inspected_unit_ids,
    };
    let iid = s
        .app
        .create_inspection(user.caller(), own_org(&user, None), &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(inspection(&s, &user, iid).await?)))
}

#[utoipa::path(get, path = "/inspections/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown, or a covert inspection the caller may not see", body = ErrorBody)))]
pub async fn get_inspection(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<InspectionDetail> {
    let iid = id(&user, &raw)?;
    Ok(Json(inspection(&s, &user, iid).await?))
}

#[utoipa::path(post, path = "/inspections/{id}/complete", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn complete_inspection(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<InspectionDetail> {
    let iid = id(&user, &raw)?;
    s.app
        .complete_inspection(user.caller(), iid)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(inspection(&s, &user, iid).await?))
}

#[utoipa::path(post, path = "/inspections/{id}/publish", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 403, body = ErrorBody),
        (status = 422, description = "`not_covert`, `already_published`", body = ErrorBody)))]
pub async fn publish_inspection(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<InspectionDetail> {
    let iid = id(&user, &raw)?;
    s.app
        .publish_inspection(user.caller(), iid)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(inspection(&s, &user, iid).await?))
}

#[utoipa::path(post, path = "/inspections/{id}/findings", tag = "supervision", params(("id" = i64, Path)),
    request_body = NewFinding,
    responses((status = 201, body = InspectionDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_finding(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewFinding>,
) -> Result<(StatusCode, Json<InspectionDetail>), ApiError> {
    let iid = id(&user, &raw)?;
    let files = uploads(&user, &b.files)?;
    let input = FindingInput {
        unit_id: b.unit_id,
        task_id: b.task_id,
        key_project_id: b.key_project_id,
        severity: b.severity,
        description: b.description,
        found_on: b.found_on,
    };
    s.app
        .record_finding(user.caller(), iid, &input, &files)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(inspection(&s, &user, iid).await?)))
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct FindingParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// open or closed.
    pub status: Option<String>,
    pub task_id: Option<i64>,
    pub key_project_id: Option<i64>,
    pub inspection_id: Option<i64>,
}

#[utoipa::path(get, path = "/findings", tag = "supervision", params(FindingParams),
    responses((status = 200, body = FindingPage), (status = 403, body = ErrorBody)))]
pub async fn list_findings(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<FindingParams>,
) -> ApiResult<FindingPage> {
    let f = FindingFilter {
        inspection_id: q.inspection_id,
        task_id: q.task_id,
        key_project_id: q.key_project_id,
        status: q.status,
        ..Default::default()
    };
    Ok(Json(
        s.app
            .list_findings(
                user.caller(),
                own_org(&user, None),
                &f,
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/findings/{id}/close", tag = "supervision", params(("id" = i64, Path)),
    request_body = Note,
    responses((status = 200, body = crate::api::dto::Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close_finding(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<Note>,
) -> ApiResult<crate::api::dto::Done> {
    let fid = id(&user, &raw)?;
    s.app
        .close_finding(user.caller(), fid, &b.note)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(crate::api::dto::Done { ok: true }))
}

#[utoipa::path(post, path = "/findings/{id}/follow-ups", tag = "supervision", params(("id" = i64, Path)),
    request_body = NewFollowUp,
    responses((status = 201, body = FollowUp), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_follow_up(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewFollowUp>,
) -> Result<(StatusCode, Json<FollowUp>), ApiError> {
    let fid = id(&user, &raw)?;
    let input = FollowUpInput {
        action: b.required_action,
        due_on: b.due_on,
    };
    let row = s
        .app
        .add_follow_up(user.caller(), fid, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct FollowUpParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Only open follow-ups past their due day.
    pub overdue: Option<bool>,
}

#[utoipa::path(get, path = "/follow-ups", tag = "supervision", params(FollowUpParams),
    responses((status = 200, body = FollowUpPage), (status = 403, body = ErrorBody)))]
pub async fn list_follow_ups(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<FollowUpParams>,
) -> ApiResult<FollowUpPage> {
    Ok(Json(
        s.app
            .list_follow_ups(
                user.caller(),
                own_org(&user, None),
                q.overdue.unwrap_or(false),
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/follow-ups/{id}/respond", tag = "supervision", params(("id" = i64, Path)),
    request_body = FollowUpResponse,
    responses((status = 200, body = FollowUp), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn respond_follow_up(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<FollowUpResponse>,
) -> ApiResult<FollowUp> {
    let fid = id(&user, &raw)?;
    let files = uploads(&user, &b.files)?;
    Ok(Json(
        s.app
            .respond_follow_up(user.caller(), fid, &b.response, &files)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/follow-ups/{id}/verify", tag = "supervision", params(("id" = i64, Path)),
    request_body = FollowUpVerification,
    responses((status = 200, body = FollowUp), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn verify_follow_up(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<FollowUpVerification>,
) -> ApiResult<FollowUp> {
    let fid = id(&user, &raw)?;
    Ok(Json(
        s.app
            .verify_follow_up(user.caller(), fid, b.accept, &b.note)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/follow-ups/{id}/close", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = FollowUp), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close_follow_up(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<FollowUp> {
    let fid = id(&user, &raw)?;
    Ok(Json(
        s.app
            .close_follow_up(user.caller(), fid)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

// ---- key projects ----

#[utoipa::path(get, path = "/projects", tag = "supervision", params(ListParams),
    responses((status = 200, body = ProjectPage), (status = 403, body = ErrorBody)))]
pub async fn list_projects(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<ProjectPage> {
    let f = ProjectFilter {
        status: q.status,
        ..Default::default()
    };
    Ok(Json(
        s.app
            .list_projects(
                user.caller(),
                own_org(&user, q.organization_id),
                &f,
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

async fn project(s: &AppState, user: &ApiUser, id: i64) -> Result<ProjectDetail, ApiError> {
    s.app
        .get_project(user.caller(), id)
        .await
        .map(Into::into)
        .map_err(|e| user.fail(e))
}

#[utoipa::path(post, path = "/projects", tag = "supervision", request_body = ProjectBody,
    responses((status = 201, body = ProjectDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_project(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<ProjectBody>,
) -> Result<(StatusCode, Json<ProjectDetail>), ApiError> {
    let pid = s
        .app
        .create_project(user.caller(), own_org(&user, None), &b.input())
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(project(&s, &user, pid).await?)))
}

#[utoipa::path(get, path = "/projects/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_project(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<ProjectDetail> {
    let pid = id(&user, &raw)?;
    Ok(Json(project(&s, &user, pid).await?))
}

#[utoipa::path(put, path = "/projects/{id}", tag = "supervision", params(("id" = i64, Path)), request_body = ProjectBody,
    responses((status = 200, body = ProjectDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_project(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ProjectBody>,
) -> ApiResult<ProjectDetail> {
    let pid = id(&user, &raw)?;
    s.app
        .update_project(user.caller(), pid, &b.input())
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(project(&s, &user, pid).await?))
}

#[utoipa::path(post, path = "/projects/{id}/milestones", tag = "supervision", params(("id" = i64, Path)),
    request_body = NewMilestone,
    responses((status = 201, body = ProjectDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_milestone(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewMilestone>,
) -> Result<(StatusCode, Json<ProjectDetail>), ApiError> {
    let pid = id(&user, &raw)?;
    let input = MilestoneInput {
        title: b.title,
        due_on: b.due_on,
    };
    s.app
        .add_milestone(user.caller(), pid, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(project(&s, &user, pid).await?)))
}

#[utoipa::path(post, path = "/milestones/{id}", tag = "supervision", params(("id" = i64, Path)),
    request_body = MilestoneDone,
    responses((status = 200, body = crate::api::dto::Done), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_milestone(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<MilestoneDone>,
) -> ApiResult<crate::api::dto::Done> {
    let mid = id(&user, &raw)?;
    s.app
        .set_milestone_done(user.caller(), mid, b.done)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(crate::api::dto::Done { ok: true }))
}

#[utoipa::path(post, path = "/projects/{id}/progress", tag = "supervision", params(("id" = i64, Path)),
    request_body = NewProjectProgress,
    responses((status = 200, body = ProjectDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report_project_progress(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewProjectProgress>,
) -> ApiResult<ProjectDetail> {
    let pid = id(&user, &raw)?;
    let input = ProgressInput {
        percent: b.percent,
        narrative: b.narrative,
    };
    s.app
        .report_project_progress(user.caller(), pid, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(project(&s, &user, pid).await?))
}

// ---- cards ----

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CardParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// green, yellow or red.
    pub color: Option<String>,
    pub unit_id: Option<i64>,
    /// task or project.
    pub kind: Option<String>,
    /// Only key work, assigned items and key projects.
    pub key_only: Option<bool>,
    /// Only cards no supervisor has judged.
    pub unjudged: Option<bool>,
}

#[utoipa::path(get, path = "/months/{month}/cards", tag = "supervision",
    params(("month" = String, Path, description = "`YYYY-MM`"), CardParams),
    responses((status = 200, body = MonthCards), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_cards(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiQuery(q): ApiQuery<CardParams>,
) -> ApiResult<MonthCards> {
    let f = CardFilter {
        colors: q.color.into_iter().collect(),
        unit_id: q.unit_id,
        kind: q.kind,
        key_only: q.key_only.unwrap_or(false),
        unconfirmed_only: q.unjudged.unwrap_or(false),
        unit_paths: None,
    };
    Ok(Json(
        s.app
            .list_cards(
                user.caller(),
                own_org(&user, None),
                &month,
                &f,
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/months/{month}/cards/refresh", tag = "supervision",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = Refreshed), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refresh_cards(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<Refreshed> {
    let r = s
        .app
        .refresh_cards(user.caller(), own_org(&user, None), &month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Refreshed {
        computed: r.computed,
        changed: r.changed,
    }))
}

#[utoipa::path(post, path = "/months/{month}/cards/confirm-all", tag = "supervision",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = Confirmed), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm_all(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<Confirmed> {
    let n = s
        .app
        .confirm_all_cards(user.caller(), own_org(&user, None), &month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Confirmed { confirmed: n }))
}

#[utoipa::path(post, path = "/cards/{id}/judgement", tag = "supervision", params(("id" = i64, Path)),
    request_body = Judgement,
    responses((status = 200, body = Card), (status = 403, body = ErrorBody),
        (status = 422, description = "`color: invalid_color`, `reason: required`, `month_closed`", body = ErrorBody)))]
pub async fn judge_card(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<Judgement>,
) -> ApiResult<Card> {
    let cid = id(&user, &raw)?;
    Ok(Json(
        s.app
            .judge_card(user.caller(), cid, &b.color, &b.reason)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/cards/{id}/concern", tag = "supervision", params(("id" = i64, Path)),
    request_body = Concern,
    responses((status = 200, body = Card), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_concern(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<Concern>,
) -> ApiResult<Card> {
    let cid = id(&user, &raw)?;
    Ok(Json(
        s.app
            .set_card_concern(user.caller(), cid, b.concern, &b.note)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/months/{month}/publications", tag = "supervision",
    params(("month" = String, Path, description = "`YYYY-MM`")), request_body = NewPublication,
    responses((status = 201, body = Published), (status = 403, body = ErrorBody),
        (status = 422, description = "`unjudged_cards`, `month_not_arranged`, `month_closed`", body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiJson(b): ApiJson<NewPublication>,
) -> Result<(StatusCode, Json<Published>), ApiError> {
    let p = s
        .app
        .publish_cards(user.caller(), own_org(&user, None), &month, &b.note)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PublicationParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// `YYYY-MM`
    pub month: Option<String>,
    /// For one publication: only its cards of this colour.
    pub color: Option<String>,
}

#[utoipa::path(get, path = "/publications", tag = "supervision", params(PublicationParams),
    responses((status = 200, body = PublicationPage), (status = 403, body = ErrorBody)))]
pub async fn list_publications(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<PublicationParams>,
) -> ApiResult<PublicationPage> {
    Ok(Json(
        s.app
            .list_publications(
                user.caller(),
                own_org(&user, None),
                q.month.as_deref(),
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(get, path = "/publications/{id}", tag = "supervision", params(("id" = i64, Path), PublicationParams),
    responses((status = 200, body = PublicationDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_publication(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiQuery(q): ApiQuery<PublicationParams>,
) -> ApiResult<PublicationDetail> {
    let pid = id(&user, &raw)?;
    let colors: Vec<String> = q.color.into_iter().collect();
    Ok(Json(
        s.app
            .get_publication(user.caller(), pid, &colors, page(q.page, q.per_page))
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct WarningParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Default: this year.
    pub year: Option<i32>,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
}

#[utoipa::path(get, path = "/warnings", tag = "supervision", params(WarningParams),
    responses((status = 200, body = Warnings), (status = 403, body = ErrorBody)))]
pub async fn list_warnings(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<WarningParams>,
) -> ApiResult<Warnings> {
    let f = WarningFilter {
        year: q.year,
        person_id: q.person_id,
        unit_id: q.unit_id,
        ..Default::default()
    };
    Ok(Json(
        s.app
            .list_warnings(
                user.caller(),
                own_org(&user, None),
                &f,
                page(q.page, q.per_page),
            )
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(get, path = "/card-rules", tag = "supervision",
    responses((status = 200, body = CardRules), (status = 403, body = ErrorBody)))]
pub async fn get_card_rules(State(s): State<AppState>, user: ApiUser) -> ApiResult<CardRules> {
    let org = own_org(&user, None);
    let actor = &user.identity.actor;
    let o = domain::OrganizationId(org);
    let may = [
        domain::policy::Action::Supervise { org: o },
        domain::policy::Action::ManagePlanning { org: o },
        domain::policy::Action::ViewStructure { org: o },
    ]
    .iter()
    .any(|a| domain::policy::authorize(actor, *a).is_ok());
    if !may {
        return Err(user.fail(AppError::Forbidden));
    }
    Ok(Json(
        s.app
            .card_rules(org)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(put, path = "/card-rules", tag = "supervision", request_body = CardRules,
    responses((status = 200, body = CardRules), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_card_rules(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<CardRules>,
) -> ApiResult<CardRules> {
    let org = own_org(&user, None);
    s.app
        .set_card_rules(user.caller(), org, b.into())
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(
        s.app
            .card_rules(org)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

// ---- display tokens, board, dashboard ----

#[utoipa::path(get, path = "/display-tokens", tag = "supervision",
    responses((status = 200, body = Vec<DisplayToken>), (status = 403, body = ErrorBody)))]
pub async fn list_display_tokens(
    State(s): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<DisplayToken>> {
    Ok(Json(
        s.app
            .list_display_tokens(user.caller(), own_org(&user, None))
            .await
            .map_err(|e| user.fail(e))?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/display-tokens", tag = "supervision", request_body = NewDisplayToken,
    responses((status = 201, body = IssuedDisplayToken), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_display_token(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<NewDisplayToken>,
) -> Result<(StatusCode, Json<IssuedDisplayToken>), ApiError> {
    let (tid, token) = s
        .app
        .create_display_token(user.caller(), own_org(&user, None), &b.name)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedDisplayToken {
            id: tid,
            board_url: format!("/board/{token}"),
            token,
        }),
    ))
}

#[utoipa::path(post, path = "/display-tokens/{id}/revoke", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = crate::api::dto::Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke_display_token(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<crate::api::dto::Done> {
    let tid = id(&user, &raw)?;
    s.app
        .revoke_display_token(user.caller(), tid)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(crate::api::dto::Done { ok: true }))
}

/// The display screen's data, opened with its token (no sign-in).
#[utoipa::path(get, path = "/board/{token}", tag = "supervision", params(("token" = String, Path)),
    responses((status = 200, body = Board), (status = 404, description = "unknown or revoked token", body = ErrorBody)))]
pub async fn board(
    State(s): State<AppState>,
    Ctx(ctx): Ctx,
    Path(token): Path<String>,
) -> Result<Json<Board>, ApiError> {
    s.app
        .board(&token)
        .await
        .map(|b| Json(b.into()))
        .map_err(|_| ApiError::new(AppError::NotFound, ctx.lang))
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// `YYYY-MM`, default this month.
    pub month: Option<String>,
}

#[utoipa::path(get, path = "/dashboard", tag = "supervision", params(DashboardParams),
    responses((status = 200, body = Dashboard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<DashboardParams>,
) -> ApiResult<Dashboard> {
    let month = q
        .month
        .unwrap_or_else(|| domain::plan::YearMonth::of(s.app.today()).to_string());
    Ok(Json(
        s.app
            .dashboard(user.caller(), own_org(&user, None), &month)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}
