//! Inspections (督查: 明察 open, 暗访 covert): the list, planning one, its page with findings
//! (with evidence), follow-ups (跟踪督办) and their answers, and the list of follow-ups.

use app::model::{InspectionFilter, TaskFilter};
use app::{AppError, InspectionDetail};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::OrganizationId;
use domain::page::PageRequest;
use domain::plan::parse_date;
use domain::plan::{TaskStatus, YearMonth};
use domain::policy::Action;
use domain::supervision::{
    FindingInput, FollowUpInput, FollowUpStatus, InspectionInput, SEVERITIES, follow_up_overdue,
};
use domain::validate::Validator;
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use super::plan::{Notice, Opt, PlanText, allowed, unit_options};
use super::supervision::{parsed, read_evidence};
use super::tasks::{ACCEPT, Small};
use super::{after_form, parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, opt_id};
use crate::session::User;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InspectionQuery {
    pub page: String,
    pub ok: String,
    pub status: String,
    pub mode: String,
    pub overdue: String,
}

fn org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

#[derive(Template)]
#[template(path = "supervision/inspections.html")]
struct ListPage {
    l: Layout,
    items: Vec<app::model::InspectionRow>,
    pager: Pager,
    q: InspectionQuery,
    can_create: bool,
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<InspectionQuery>,
) -> Response {
    let f = InspectionFilter {
        status: Some(q.status.clone()).filter(|s| matches!(s.as_str(), "planned" | "done")),
        mode: Some(q.mode.clone()).filter(|s| matches!(s.as_str(), "open" | "covert")),
        ..Default::default()
    };
    let page = PageRequest::new(q.page.parse().ok(), None);
    match state
        .app
        .list_inspections(user.caller(), org(&user), &f, page)
        .await
    {
        Ok(p) => {
            let base = query("/inspections", &[("status", &q.status), ("mode", &q.mode)]);
            render(&ListPage {
                l: Layout::new(user.lang, Some(&user.identity), "insp.title", &user.path)
                    .with_notice(Some(q.ok.as_str())),
                pager: Pager::new(&p, &base),
                items: p.items,
                can_create: allowed(
                    &user,
                    Action::Inspect {
                        org: OrganizationId(org(&user)),
                    },
                ),
                q,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "supervision/inspection_new.html")]
struct NewPage {
    l: Layout,
    form: FormData,
    errors: FormErrors,
    units: Vec<Opt>,
    chosen: Vec<i64>,
    today: String,
}

async fn render_new(
    state: &AppState,
    user: &User,
    form: FormData,
    err: Option<AppError>,
) -> Response {
    let chosen = form
        .all("inspected_unit_ids")
        .into_iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let (errors, status) = match &err {
        Some(e) => (
            FormErrors::from_app(user.lang, e, INSPECTION_FIELDS),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (FormErrors::new(user.lang), StatusCode::OK),
    };
    let page = NewPage {
        l: Layout::new(user.lang, Some(&user.identity), "insp.new", &user.path),
        units: unit_options(state, user, org(user)).await,
        chosen,
        today: state.app.today().to_string(),
        form,
        errors,
    };
    (status, render(&page)).into_response()
}

const INSPECTION_FIELDS: &[&str] = &[
    "kind",
    "mode",
    "title",
    "scope",
    "planned_on",
    "inspected_unit_ids",
];

pub async fn new_form(State(state): State<AppState>, user: User) -> Response {
    if !allowed(
        &user,
        Action::Inspect {
            org: OrganizationId(org(&user)),
        },
    ) {
        return user.fail(AppError::Forbidden).into_response();
    }
    render_new(&state, &user, FormData::default(), None).await
}

pub async fn create(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let mut v = Validator::new();
    let unit_ids = form
        .all("inspected_unit_ids")
        .into_iter()
        .filter_map(|raw| opt_id(&mut v, "inspected_unit_ids", raw))
        .collect();
    let input = InspectionInput {
        kind: form.get("kind").to_owned(),
        mode: form.get("mode").to_owned(),
        title: form.get("title").to_owned(),
        scope: form.get("scope").to_owned(),
        planned_on: form.get("planned_on").to_owned(),
        unit_ids,
    };
    let r = if v.is_ok() {
        state
            .app
            .create_inspection(user.caller(), org(&user), &input)
            .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    match parsed(v, r) {
        Ok(id) => see_other(&format!("/inspections/{id}?ok=insp.created")),
        Err(e @ AppError::Invalid(_)) => render_new(&state, &user, form, Some(e)).await,
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "supervision/inspection.html")]
struct DetailPage {
    l: Layout,
    d: InspectionDetail,
    tasks: Vec<Opt>,
    projects: Vec<Opt>,
    severities: [&'static str; 2],
    small: Small,
    error: Option<Notice>,
    today: String,
    accept: &'static str,
}

impl DetailPage {
    /// The evidence of one follow-up's answer.
    fn files_of<'a>(&self, v: &'a app::FindingView, fu: &i64) -> Vec<&'a app::model::FileMeta> {
        v.follow_up_files
            .iter()
            .filter(|f| f.owner_id == *fu)
            .collect()
    }

    fn overdue(&self, due_on: &str, status: &str) -> bool {
        overdue_on(due_on, status, &self.today)
    }

    /// Whether the unit still owes this follow-up an answer (issued, or sent back).
    fn awaits_unit(&self, status: &str) -> bool {
        FollowUpStatus::parse(status).is_some_and(FollowUpStatus::awaiting_unit)
    }
}

async fn render_detail(
    state: &AppState,
    user: &User,
    id: i64,
    ok: Option<&str>,
    failed: Option<(&str, FormData, AppError)>,
) -> Response {
    let d = match state.app.get_inspection(user.caller(), id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let org = d.inspection.organization_id;
    let (mut tasks, mut projects) = (vec![], vec![]);
    if d.can_record {
        // This month's planned tasks of the inspected units, in one query.
        let ids: Vec<i64> = d.units.iter().map(|(id, _)| *id).collect();
        let f = TaskFilter {
            month: Some(YearMonth::of(state.app.today()).to_string()),
            statuses: TaskStatus::PLANNED
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            ..Default::default()
        };
        if let Ok(p) = state
            .app
            .list_tasks_of_units(
                user.caller(),
                org,
                &ids,
                &f,
                PageRequest::new(Some(1), Some(200)),
            )
            .await
        {
            tasks = p
                .items
                .into_iter()
                .map(|t| Opt {
                    id: t.id,
                    label: format!("{} · {}", t.unit_name, t.title),
                })
                .collect();
        }
        projects = state
            .app
            .project_choices(user.caller(), org)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(id, label)| Opt { id, label })
            .collect();
    }
    let (small, error, status) = Small::after(user.lang, failed);
    let mut l =
        Layout::new(user.lang, Some(&user.identity), "insp.title", &user.path).with_notice(ok);
    l.title = d.inspection.title.clone();
    let page = DetailPage {
        l,
        d,
        tasks,
        projects,
        severities: SEVERITIES,
        small,
        error,
        today: state.app.today().to_string(),
        accept: ACCEPT,
    };
    (status, render(&page)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<InspectionQuery>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => render_detail(&state, &user, id, Some(q.ok.as_str()), None).await,
        Err(e) => user.fail(e).into_response(),
    }
}

async fn after(
    state: &AppState,
    user: &User,
    inspection: i64,
    ok: &str,
    which: &str,
    form: FormData,
    result: Result<(), AppError>,
) -> Response {
    let done = format!("/inspections/{inspection}?ok={ok}");
    after_form(user, result, &done, |e| {
        render_detail(state, user, inspection, None, Some((which, form, e)))
    })
    .await
}

pub async fn complete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let r = state.app.complete_inspection(user.caller(), id).await;
    after(
        &state,
        &user,
        id,
        "insp.completed",
        "complete",
        FormData::default(),
        r,
    )
    .await
}

pub async fn publish(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let r = state.app.publish_inspection(user.caller(), id).await;
    after(
        &state,
        &user,
        id,
        "insp.published",
        "publish",
        FormData::default(),
        r,
    )
    .await
}

/// `POST /inspections/{id}/findings` (multipart, with evidence).
pub async fn record_finding(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let (form, r) = match read_evidence(multipart).await {
        Err(code) => (FormData::default(), Err(AppError::field("files", code))),
        Ok((form, files)) => {
            let mut v = Validator::new();
            let input = FindingInput {
                unit_id: opt_id(&mut v, "unit_id", form.get("unit_id")),
                task_id: opt_id(&mut v, "task_id", form.get("task_id")),
                key_project_id: opt_id(&mut v, "key_project_id", form.get("key_project_id")),
                severity: form.get("severity").to_owned(),
                description: form.get("description").to_owned(),
                found_on: form.get("found_on").to_owned(),
            };
            let r = if v.is_ok() {
                state
                    .app
                    .record_finding(user.caller(), id, &input, &files)
                    .await
                    .map(|_| ())
            } else {
                Err(AppError::Invalid(Default::default()))
            };
            (form, parsed(v, r))
        }
    };
    after(&state, &user, id, "finding.recorded", "finding", form, r).await
}

/// The inspection a finding or follow-up form came from (a hidden field), for the redirect.
fn back_to(form: &FormData) -> Option<i64> {
    form.get("inspection_id")
        .parse()
        .ok()
        .filter(|n: &i64| *n > 0)
}

async fn after_finding(
    state: &AppState,
    user: &User,
    form: FormData,
    ok: &str,
    which: String,
    r: Result<(), AppError>,
) -> Response {
    match back_to(&form) {
        Some(i) => after(state, user, i, ok, &which, form, r).await,
        None => match r {
            Ok(()) => see_other(&format!("/follow-ups?ok={ok}")),
            Err(e) => user.fail(e).into_response(),
        },
    }
}

pub async fn close_finding(
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
        .close_finding(user.caller(), id, form.get("note"))
        .await;
    after_finding(
        &state,
        &user,
        form,
        "finding.closed",
        format!("close-{id}"),
        r,
    )
    .await
}

pub async fn add_follow_up(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let input = FollowUpInput {
        action: form.get("required_action").to_owned(),
        due_on: form.get("due_on").to_owned(),
    };
    let r = state
        .app
        .add_follow_up(user.caller(), id, &input)
        .await
        .map(|_| ());
    after_finding(
        &state,
        &user,
        form,
        "followup.created",
        format!("fu-{id}"),
        r,
    )
    .await
}

pub async fn respond_follow_up(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let (form, r) = match read_evidence(multipart).await {
        Err(code) => (FormData::default(), Err(AppError::field("files", code))),
        Ok((form, files)) => {
            let r = state
                .app
                .respond_follow_up(user.caller(), id, form.get("response"), &files)
                .await
                .map(|_| ());
            (form, r)
        }
    };
    after_finding(
        &state,
        &user,
        form,
        "followup.responded",
        format!("resp-{id}"),
        r,
    )
    .await
}

/// The team's 核验: `verdict` = `accept` (办结) or `return` (sent back, with a note).
pub async fn verify_follow_up(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let (r, ok) = match form.get("verdict") {
        v @ ("accept" | "return") => {
            let accept = v == "accept";
            let r = state
                .app
                .verify_follow_up(user.caller(), id, accept, form.get("note"))
                .await
                .map(|_| ());
            (
                r,
                if accept {
                    "followup.closed"
                } else {
                    "followup.returned"
                },
            )
        }
        // Refused before the choice is read, for whoever may not verify.
        _ => (
            match state.app.may_verify_follow_up(user.caller(), id).await {
                Ok(()) => Err(AppError::field("verdict", "invalid_decision")),
                Err(e) => Err(e),
            },
            "followup.closed",
        ),
    };
    after_finding(&state, &user, form, ok, format!("fuv-{id}"), r).await
}

#[derive(Template)]
#[template(path = "supervision/follow_ups.html")]
struct FollowUpsPage {
    l: Layout,
    items: Vec<app::model::FollowUpRow>,
    pager: Pager,
    overdue: bool,
    today: String,
}

impl FollowUpsPage {
    fn is_overdue(&self, due_on: &str, status: &str) -> bool {
        overdue_on(due_on, status, &self.today)
    }
}

/// `domain::supervision::follow_up_overdue` for a stored follow-up, as the pages show it.
fn overdue_on(due_on: &str, status: &str, today: &str) -> bool {
    match (
        parse_date(due_on),
        parse_date(today),
        FollowUpStatus::parse(status),
    ) {
        (Some(due), Some(today), Some(s)) => follow_up_overdue(due, s, today),
        _ => false,
    }
}

pub async fn follow_ups(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<InspectionQuery>,
) -> Response {
    let overdue = q.overdue == "1";
    let page = PageRequest::new(q.page.parse().ok(), None);
    match state
        .app
        .list_follow_ups(user.caller(), org(&user), overdue, page)
        .await
    {
        Ok(p) => {
            let base = query("/follow-ups", &[("overdue", &q.overdue)]);
            render(&FollowUpsPage {
                l: Layout::new(
                    user.lang,
                    Some(&user.identity),
                    "followup.title",
                    &user.path,
                )
                .with_notice(Some(q.ok.as_str())),
                pager: Pager::new(&p, &base),
                items: p.items,
                overdue,
                today: state.app.today().to_string(),
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}
