//! API of sign-off (销号): the unit's form, the offices' opinions and site checks, the leading
//! group's decision, the review queue, the month's figures, the review meeting, the bulletin
//! and the month's close. Each handler calls the same use case as the page that does the same
//! thing.

use app::{AppError, ReviewItem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::figures::Figures;
use domain::page::PageRequest;
use domain::signoff::{FormInput, Office, ReviewRule, ReviewState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::sup_dto::{EvidenceFile, FileUpload};
use super::supervision::uploads;
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

fn office(user: &ApiUser, raw: &Option<String>) -> Result<Option<Office>, ApiError> {
    match raw.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => Office::parse(s)
            .map(Some)
            .ok_or_else(|| user.fail(AppError::field("office", "invalid_choice"))),
    }
}

// ---- bodies ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSignOff {
    /// `complete` (a sign-off form with its report) or `unfinished` (why, and next steps).
    pub kind: String,
    /// For `complete`: completion against the criterion.
    #[serde(default)]
    pub completion: String,
    /// For `complete`: the report; empty takes the draft written from the progress log.
    #[serde(default)]
    pub report: Option<String>,
    /// For `complete`: `YYYY-MM-DD`, not after today (default today).
    #[serde(default)]
    pub completed_on: String,
    /// For `unfinished`.
    #[serde(default)]
    pub reason: String,
    /// For `unfinished`.
    #[serde(default)]
    pub next_steps: String,
    #[serde(default)]
    pub files: Vec<FileUpload>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOpinion {
    /// `supervision`, `efficiency` or `performance`; may be left out by one holding a single
    /// office.
    #[serde(default)]
    pub office: Option<String>,
    /// `approve`, `return` or `site_check`.
    pub verdict: String,
    /// Required to return or to ask for a site check.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSiteCheck {
    #[serde(default)]
    pub office: Option<String>,
    pub findings: String,
    /// `YYYY-MM-DD`, not after today (default today).
    #[serde(default)]
    pub checked_on: String,
    #[serde(default)]
    pub files: Vec<FileUpload>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// `sign_off` or `return`.
    pub decision: String,
    /// Required to return.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    /// `YYYY-MM-DD`, not after today.
    pub held_on: String,
    pub analysis: String,
    #[serde(default)]
    pub dispatch: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBulletin {
    /// 文号, e.g. `湘高预安〔2026〕11号`.
    pub doc_number: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// How many of the three offices must approve (1–3).
    pub required_approvals: u32,
}

// ---- responses ----

/// One round of a task's sign-off.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignOffForm {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub month: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub round: i32,
    /// complete, unfinished
    pub kind: String,
    /// submitted, returned, signed_off, unfinished, lapsed
    pub status: String,
    pub completion: String,
    pub report: String,
    pub completed_on: Option<String>,
    pub reason: String,
    pub next_steps: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

impl From<app::model::FormRow> for SignOffForm {
    fn from(f: app::model::FormRow) -> Self {
        SignOffForm {
            id: f.id,
            task_id: f.task_id,
            task_title: f.task_title,
            month: f.task_month,
            unit_id: f.unit_id,
            unit_name: f.unit_name,
            round: f.round,
            kind: f.kind,
            status: f.status,
            completion: f.completion,
            report: f.report,
            completed_on: f.completed_on,
            reason: f.reason,
            next_steps: f.next_steps,
            submitted_by: f.submitted_by,
            submitted_at: f.submitted_at,
            decided_at: f.decided_at,
            decision_reason: f.decision_reason,
        }
    }
}

/// Where a submission stands in the joint review (三部联审).
#[derive(Debug, Serialize, ToSchema)]
pub struct Review {
    /// approved, returned, site_check, reviewing
    pub label: String,
    pub approvals: u32,
    pub required: u32,
    pub returned_by: Vec<String>,
    pub site_check_by: Vec<String>,
    pub pending: Vec<String>,
    /// Offices that cannot review this unit (all their people belong to it).
    pub recused: Vec<String>,
}

fn names(os: &[Office]) -> Vec<String> {
    os.iter().map(|o| o.as_str().to_owned()).collect()
}

impl From<ReviewState> for Review {
    fn from(s: ReviewState) -> Self {
        Review {
            label: s.label().to_owned(),
            approvals: s.approvals,
            required: s.required,
            returned_by: names(&s.returned_by),
            site_check_by: names(&s.site_check_by),
            pending: names(&s.pending),
            recused: names(&s.recused),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Opinion {
    pub office: String,
    /// approve, return, site_check
    pub verdict: String,
    pub reason: String,
    pub given_by: Option<i64>,
    pub given_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteCheck {
    pub id: i64,
    pub office: String,
    pub checked_on: String,
    pub findings: String,
    pub recorded_at: DateTime<Utc>,
}

/// A task's sign-off: every round, and for the newest its evidence, its review and (for
/// those who may see them) the opinions and site checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignOff {
    pub forms: Vec<SignOffForm>,
    pub files: Vec<EvidenceFile>,
    /// Present while the newest round is under review, for those who see the opinions.
    pub review: Option<Review>,
    pub opinions_visible: bool,
    pub opinions: Vec<Opinion>,
    pub site_checks: Vec<SiteCheck>,
    /// The report drafted from the progress log.
    pub draft_report: String,
    pub can_submit: bool,
    pub review_offices: Vec<String>,
    pub can_decide: bool,
}

impl From<app::SignOffView> for SignOff {
    fn from(v: app::SignOffView) -> Self {
        SignOff {
            forms: v.forms.into_iter().map(Into::into).collect(),
            files: v.files.into_iter().map(Into::into).collect(),
            review: v.state.map(Into::into),
            opinions_visible: v.opinions_visible,
            opinions: v
                .opinions
                .into_iter()
                .map(|o| Opinion {
                    office: o.office,
                    verdict: o.verdict,
                    reason: o.reason,
                    given_by: o.given_by,
                    given_at: o.given_at,
                })
                .collect(),
            site_checks: v
                .site_checks
                .into_iter()
                .map(|c| SiteCheck {
                    id: c.id,
                    office: c.office,
                    checked_on: c.checked_on,
                    findings: c.findings,
                    recorded_at: c.recorded_at,
                })
                .collect(),
            draft_report: v.draft_report,
            can_submit: v.can_submit,
            review_offices: names(&v.review_offices),
            can_decide: v.can_decide,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItem {
    pub form: SignOffForm,
    pub review: Option<Review>,
}

impl From<ReviewItem> for QueueItem {
    fn from(i: ReviewItem) -> Self {
        QueueItem {
            form: i.form.into(),
            review: i.state.map(Into::into),
        }
    }
}

/// A month's (or a unit's) figures, as `domain::figures` defines them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    /// Arranged tasks of the month, with those carried in.
    pub planned: u32,
    pub signed_off: u32,
    /// Signed off with their work completed by the deadline.
    pub on_time: u32,
    /// Planned and not signed off.
    pub unfinished: u32,
    pub carried_in: u32,
    /// Signed off ÷ planned, in per mille (rounded half up); absent when nothing was planned.
    pub completion_permille: Option<u32>,
}

impl From<Figures> for Counts {
    fn from(f: Figures) -> Self {
        Counts {
            planned: f.planned,
            signed_off: f.signed_off,
            on_time: f.on_time,
            unfinished: f.unfinished,
            carried_in: f.carried_in,
            completion_permille: f.completion_permille(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitFiguresLine {
    pub unit_id: i64,
    pub unit_name: String,
    pub figures: Counts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthFigures {
    pub month: String,
    /// Frozen at the month's close.
    pub frozen: bool,
    pub total: Counts,
    pub by_unit: Vec<UnitFiguresLine>,
}

impl From<app::FiguresView> for MonthFigures {
    fn from(v: app::FiguresView) -> Self {
        MonthFigures {
            month: v.month.to_string(),
            frozen: v.frozen,
            total: v.total.into(),
            by_unit: v
                .by_unit
                .into_iter()
                .map(|u| UnitFiguresLine {
                    unit_id: u.unit_id,
                    unit_name: u.unit_name,
                    figures: u.figures.into(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulletinSummary {
    pub id: i64,
    pub month: String,
    pub doc_number: String,
    pub title: String,
    /// draft, published
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Once published: the audit ledger's signed checkpoint of the organization's chain at
    /// publication (`xiaohao audit verify --checkpoints` takes such lines).
    pub ledger_checkpoint: Option<String>,
    /// The document as Word (DOCX) and its figures as Excel (XLSX).
    pub docx_href: String,
    pub xlsx_href: String,
}

impl From<app::model::BulletinRow> for BulletinSummary {
    fn from(b: app::model::BulletinRow) -> Self {
        BulletinSummary {
            docx_href: format!("/bulletins/{}/docx", b.id),
            xlsx_href: format!("/bulletins/{}/xlsx", b.id),
            id: b.id,
            month: b.month,
            doc_number: b.doc_number,
            title: b.title,
            status: b.status,
            created_at: b.created_at,
            published_at: b.published_at,
            ledger_checkpoint: b.ledger_checkpoint,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulletinSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// The section's table: a header row, then the rows.
    pub table: Option<Vec<Vec<String>>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Bulletin {
    #[serde(flatten)]
    pub summary: BulletinSummary,
    pub issuer: String,
    pub addressees: String,
    /// The date as printed.
    pub date: String,
    pub opening: String,
    pub sections: Vec<BulletinSection>,
    pub total: Counts,
}

impl From<app::BulletinView> for Bulletin {
    fn from(v: app::BulletinView) -> Self {
        let b = v.issued.bulletin;
        Bulletin {
            summary: v.row.into(),
            issuer: b.issuer,
            addressees: b.addressees,
            date: b.date,
            opening: b.opening,
            sections: b
                .sections
                .into_iter()
                .map(|s| BulletinSection {
                    heading: s.heading,
                    paragraphs: s.paragraphs,
                    table: s.table.map(|t| {
                        let mut rows = vec![t.header];
                        rows.extend(t.rows);
                        rows
                    }),
                })
                .collect(),
            total: v.issued.total.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Closed {
    pub month: String,
    /// The month was closed before this call; nothing changed.
    pub already_closed: bool,
    /// Tasks carried into the next month by this close.
    pub carried_over: u64,
    pub figures: Counts,
}

page_type!(QueuePage => QueueItem, BulletinPage => BulletinSummary);

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// submitted, returned, signed_off, unfinished, lapsed
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

async fn sign_off_of(s: &AppState, user: &ApiUser, task: i64) -> Result<SignOff, ApiError> {
    s.app
        .get_task(user.caller(), task)
        .await
        .map(|d| d.sign_off.into())
        .map_err(|e| user.fail(e))
}

async fn sign_off_of_form(s: &AppState, user: &ApiUser, form: i64) -> ApiResult<SignOff> {
    let task = s
        .app
        .sign_off_form_task(user.caller(), form)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(sign_off_of(s, user, task).await?))
}

// ---- handlers ----

#[utoipa::path(post, path = "/tasks/{id}/sign-off", tag = "signoff", params(("id" = i64, Path)),
    request_body = NewSignOff,
    responses((status = 201, body = SignOff), (status = 403, body = ErrorBody),
        (status = 422, description = "invalid fields, `not_open`, `sign_off_not_open`, `month_closed`, a refused file", body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewSignOff>,
) -> Result<(StatusCode, Json<SignOff>), ApiError> {
    let task = id(&user, &raw)?;
    let files = uploads(&user, &b.files)?;
    let report = match b.report {
        Some(r) if !r.trim().is_empty() => r,
        _ if b.kind == "complete" => sign_off_of(&s, &user, task).await?.draft_report,
        _ => String::new(),
    };
    let input = FormInput {
        kind: b.kind,
        completion: b.completion,
        report,
        reason: b.reason,
        next_steps: b.next_steps,
        completed_on: b.completed_on,
    };
    s.app
        .submit_sign_off(user.caller(), task, &input, &files)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(sign_off_of(&s, &user, task).await?),
    ))
}

#[utoipa::path(get, path = "/tasks/{id}/sign-off", tag = "signoff", params(("id" = i64, Path)),
    responses((status = 200, body = SignOff), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_sign_off(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<SignOff> {
    let task = id(&user, &raw)?;
    Ok(Json(sign_off_of(&s, &user, task).await?))
}

#[utoipa::path(post, path = "/sign-off-forms/{id}/opinions", tag = "signoff", params(("id" = i64, Path)),
    request_body = NewOpinion,
    responses((status = 200, body = SignOff), (status = 403, body = ErrorBody),
        (status = 422, description = "invalid fields, `not_under_review`, `month_closed`", body = ErrorBody)))]
pub async fn give_opinion(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewOpinion>,
) -> ApiResult<SignOff> {
    let form = id(&user, &raw)?;
    let office = office(&user, &b.office)?;
    s.app
        .give_opinion(user.caller(), form, office, &b.verdict, &b.reason)
        .await
        .map_err(|e| user.fail(e))?;
    sign_off_of_form(&s, &user, form).await
}

#[utoipa::path(post, path = "/sign-off-forms/{id}/site-checks", tag = "signoff", params(("id" = i64, Path)),
    request_body = NewSiteCheck,
    responses((status = 201, body = SignOff), (status = 403, body = ErrorBody),
        (status = 422, description = "invalid fields, `not_under_review`, a refused file", body = ErrorBody)))]
pub async fn record_site_check(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewSiteCheck>,
) -> Result<(StatusCode, Json<SignOff>), ApiError> {
    let form = id(&user, &raw)?;
    let office = office(&user, &b.office)?;
    let files = uploads(&user, &b.files)?;
    s.app
        .record_site_check(
            user.caller(),
            form,
            office,
            &b.findings,
            &b.checked_on,
            &files,
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        sign_off_of_form(&s, &user, form).await?,
    ))
}

#[utoipa::path(post, path = "/sign-off-forms/{id}/decision", tag = "signoff", params(("id" = i64, Path)),
    request_body = NewDecision,
    responses((status = 200, body = SignOff), (status = 403, body = ErrorBody),
        (status = 422, description = "`not_enough_approvals`, `returned_by_office`, `site_check_pending`, `not_under_review`, `invalid_decision`", body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewDecision>,
) -> ApiResult<SignOff> {
    let form = id(&user, &raw)?;
    let sign_off = match b.decision.as_str() {
        "sign_off" => true,
        "return" => false,
        _ => {
            return Err(user.fail(AppError::field("decision", "invalid_decision")));
        }
    };
    s.app
        .decide_sign_off(user.caller(), form, sign_off, &b.reason)
        .await
        .map_err(|e| user.fail(e))?;
    sign_off_of_form(&s, &user, form).await
}

#[utoipa::path(get, path = "/months/{month}/review", tag = "signoff",
    params(("month" = String, Path, description = "`YYYY-MM`"), QueueParams),
    responses((status = 200, body = QueuePage), (status = 403, body = ErrorBody)))]
pub async fn review_queue(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiQuery(q): ApiQuery<QueueParams>,
) -> ApiResult<QueuePage> {
    let statuses: Vec<String> = q.status.into_iter().filter(|s| !s.is_empty()).collect();
    let p = s
        .app
        .review_queue(
            user.caller(),
            org(&user),
            &month,
            &statuses,
            PageRequest::new(q.page, q.per_page),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[utoipa::path(get, path = "/months/{month}/figures", tag = "signoff",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = MonthFigures), (status = 403, body = ErrorBody)))]
pub async fn figures(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<MonthFigures> {
    let v = s
        .app
        .month_figures(user.caller(), org(&user), &month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(v.into()))
}

#[utoipa::path(put, path = "/months/{month}/meeting", tag = "signoff",
    params(("month" = String, Path, description = "`YYYY-MM`")), request_body = NewMeeting,
    responses((status = 204), (status = 403, body = ErrorBody),
        (status = 422, description = "invalid fields, `month_closed`", body = ErrorBody)))]
pub async fn record_meeting(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiJson(b): ApiJson<NewMeeting>,
) -> Result<StatusCode, ApiError> {
    s.app
        .record_meeting(
            user.caller(),
            org(&user),
            &month,
            &b.held_on,
            &b.analysis,
            &b.dispatch,
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/months/{month}/bulletin", tag = "signoff",
    params(("month" = String, Path, description = "`YYYY-MM`")), request_body = NewBulletin,
    responses((status = 201, body = Bulletin), (status = 403, body = ErrorBody),
        (status = 422, description = "`doc_number` missing, `bulletin_published`", body = ErrorBody)))]
pub async fn generate_bulletin(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiJson(b): ApiJson<NewBulletin>,
) -> Result<(StatusCode, Json<Bulletin>), ApiError> {
    let bid = s
        .app
        .generate_bulletin(user.caller(), org(&user), &month, &b.doc_number)
        .await
        .map_err(|e| user.fail(e))?;
    let v = s
        .app
        .get_bulletin(user.caller(), bid)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[utoipa::path(post, path = "/months/{month}/close", tag = "signoff",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = Closed), (status = 403, body = ErrorBody),
        (status = 422, description = "`month_not_over`, `month_not_arranged`, `previous_month_open`, `next_month_closed`", body = ErrorBody)))]
pub async fn close_month(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<Closed> {
    let r = s
        .app
        .close_month(user.caller(), org(&user), &month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Closed {
        month: r.month.to_string(),
        already_closed: r.already_closed,
        carried_over: r.carried_over,
        figures: r.figures.into(),
    }))
}

#[utoipa::path(get, path = "/bulletins", tag = "signoff", params(PageParams),
    responses((status = 200, body = BulletinPage)))]
pub async fn list_bulletins(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<BulletinPage> {
    let p = s
        .app
        .list_bulletins(
            user.caller(),
            org(&user),
            PageRequest::new(q.page, q.per_page),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[utoipa::path(get, path = "/bulletins/{id}", tag = "signoff", params(("id" = i64, Path)),
    responses((status = 200, body = Bulletin), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_bulletin(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Bulletin> {
    let bid = id(&user, &raw)?;
    let v = s
        .app
        .get_bulletin(user.caller(), bid)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(v.into()))
}

#[utoipa::path(post, path = "/bulletins/{id}/publish", tag = "signoff", params(("id" = i64, Path)),
    responses((status = 200, body = Bulletin), (status = 403, body = ErrorBody),
        (status = 422, description = "`already_published`", body = ErrorBody)))]
pub async fn publish_bulletin(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Bulletin> {
    let bid = id(&user, &raw)?;
    s.app
        .publish_bulletin(user.caller(), bid)
        .await
        .map_err(|e| user.fail(e))?;
    let v = s
        .app
        .get_bulletin(user.caller(), bid)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(v.into()))
}

#[utoipa::path(get, path = "/settings/review-rule", tag = "signoff",
    responses((status = 200, body = Rule), (status = 403, body = ErrorBody)))]
pub async fn get_rule(State(s): State<AppState>, user: ApiUser) -> ApiResult<Rule> {
    let r = s
        .app
        .review_rule_of(user.caller(), org(&user))
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Rule {
        required_approvals: r.required_approvals,
    }))
}

#[utoipa::path(put, path = "/settings/review-rule", tag = "signoff", request_body = Rule,
    responses((status = 200, body = Rule), (status = 403, body = ErrorBody),
        (status = 422, description = "`required_approvals` out of range", body = ErrorBody)))]
pub async fn put_rule(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<Rule>,
) -> ApiResult<Rule> {
    s.app
        .set_review_rule(
            user.caller(),
            org(&user),
            ReviewRule {
                required_approvals: b.required_approvals,
            },
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(b))
}
