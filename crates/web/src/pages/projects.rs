//! Key projects (重点在建项目): the list with the form to add one, and a project's page with
//! its card, milestones, monthly progress, linked tasks and findings.

use app::model::ProjectFilter;
use app::{AppError, ProjectDetail};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::OrganizationId;
use domain::page::PageRequest;
use domain::policy::Action;
use domain::supervision::{KeyProjectInput, MilestoneInput, PROJECT_STATUSES};
use domain::validate::Validator;

use super::inspections::InspectionQuery;
use super::layout::{FormErrors, Layout, Pager, query, render};
use super::plan::{Notice, Opt, PlanText, allowed, unit_options};
use super::supervision::{parsed, progress_input};
use super::tasks::Small;
use super::{after_form, parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, opt_id};
use crate::session::User;

fn org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

pub const PROJECT_FIELDS: &[&str] = &[
    "name",
    "unit_id",
    "leader_id",
    "description",
    "investment",
    "start_on",
    "end_on",
    "status",
];

fn project_input(form: &FormData) -> (KeyProjectInput, Validator) {
    let mut v = Validator::new();
    let unit_id = opt_id(&mut v, "unit_id", form.get("unit_id"));
    let leader_id = opt_id(&mut v, "leader_id", form.get("leader_id"));
    (
        KeyProjectInput {
            name: form.get("name").to_owned(),
            unit_id,
            leader_id,
            description: form.get("description").to_owned(),
            investment: form.get("investment").to_owned(),
            start_on: form.get("start_on").to_owned(),
            end_on: form.get("end_on").to_owned(),
            status: form.get("status").to_owned(),
        },
        v,
    )
}

/// The fields of the project form, as shown.
pub struct ProjectForm {
    pub action: String,
    pub form: FormData,
    pub errors: FormErrors,
    pub units: Vec<Opt>,
    pub leaders: Vec<Opt>,
    pub statuses: [&'static str; 3],
    pub open: bool,
}

impl ProjectForm {
    fn is(&self, field: &str, id: &i64) -> bool {
        self.form.get(field) == id.to_string()
    }
}

async fn project_form(
    state: &AppState,
    user: &User,
    action: String,
    form: FormData,
    err: Option<&AppError>,
) -> ProjectForm {
    let leaders = state
        .app
        .list_leaders(user.caller(), org(user))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, label)| Opt { id, label })
        .collect();
    ProjectForm {
        action,
        errors: match err {
            Some(e) => FormErrors::from_app(user.lang, e, PROJECT_FIELDS),
            None => FormErrors::new(user.lang),
        },
        open: err.is_some(),
        units: unit_options(state, user, org(user)).await,
        leaders,
        statuses: PROJECT_STATUSES,
        form,
    }
}

#[derive(Template)]
#[template(path = "supervision/projects.html")]
struct ListPage {
    l: Layout,
    items: Vec<app::model::ProjectRow>,
    pager: Pager,
    status: String,
    statuses: [&'static str; 3],
    pf: Option<ProjectForm>,
}

async fn render_list(
    state: &AppState,
    user: &User,
    q: &InspectionQuery,
    failed: Option<(FormData, AppError)>,
) -> Response {
    let f = ProjectFilter {
        status: Some(q.status.clone()).filter(|s| PROJECT_STATUSES.contains(&s.as_str())),
        ..Default::default()
    };
    let page = PageRequest::new(q.page.parse().ok(), None);
    let p = match state
        .app
        .list_projects(user.caller(), org(user), &f, page)
        .await
    {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let can_manage = allowed(
        user,
        Action::ManagePlanning {
            org: OrganizationId(org(user)),
        },
    );
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let pf = if can_manage {
        let (form, err) = match failed {
            Some((f, e)) => (f, Some(e)),
            None => (FormData::default(), None),
        };
        Some(project_form(state, user, "/projects".into(), form, err.as_ref()).await)
    } else {
        None
    };
    let base = query("/projects", &[("status", &q.status)]);
    let page = ListPage {
        l: Layout::new(user.lang, Some(&user.identity), "project.title", &user.path)
            .with_notice(Some(q.ok.as_str())),
        pager: Pager::new(&p, &base),
        items: p.items,
        status: q.status.clone(),
        statuses: PROJECT_STATUSES,
        pf,
    };
    (status, render(&page)).into_response()
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<InspectionQuery>,
) -> Response {
    render_list(&state, &user, &q, None).await
}

pub async fn create(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let (input, v) = project_input(&form);
    let r = if v.is_ok() {
        state
            .app
            .create_project(user.caller(), org(&user), &input)
            .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    match parsed(v, r) {
        Ok(id) => see_other(&format!("/projects/{id}?ok=project.created")),
        Err(e @ AppError::Invalid(_)) => {
            render_list(&state, &user, &InspectionQuery::default(), Some((form, e))).await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "supervision/project.html")]
struct DetailPage {
    l: Layout,
    d: ProjectDetail,
    pf: Option<ProjectForm>,
    small: Small,
    error: Option<Notice>,
    progress_percent: String,
    progress_narrative: String,
}

enum Failed {
    Edit(FormData, AppError),
    Small(&'static str, FormData, AppError),
}

async fn render_detail(
    state: &AppState,
    user: &User,
    id: i64,
    ok: Option<&str>,
    failed: Option<Failed>,
) -> Response {
    let d = match state.app.get_project(user.caller(), id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let p = &d.project;
    let current = FormData(vec![
        ("name".into(), p.name.clone()),
        ("unit_id".into(), p.unit_id.to_string()),
        (
            "leader_id".into(),
            p.leader_id.map(|l| l.to_string()).unwrap_or_default(),
        ),
        ("description".into(), p.description.clone()),
        (
            "investment".into(),
            p.investment.map(|i| i.to_string()).unwrap_or_default(),
        ),
        ("start_on".into(), p.start_on.clone()),
        ("end_on".into(), p.end_on.clone()),
        ("status".into(), p.status.clone()),
    ]);
    let (mut small, mut error, mut status) = (Small::default(), None, StatusCode::OK);
    let mut edit: Option<(FormData, AppError)> = None;
    match failed {
        Some(Failed::Edit(form, e)) => {
            error = Some(Notice::of(user.lang, &e));
            status = StatusCode::UNPROCESSABLE_ENTITY;
            edit = Some((form, e));
        }
        Some(Failed::Small(which, form, e)) => {
            error = Some(Notice::of(user.lang, &e));
            status = StatusCode::UNPROCESSABLE_ENTITY;
            small = Small::failed(user.lang, which, form, &e);
        }
        None => {}
    }
    let pf = if d.can_manage {
        let action = format!("/projects/{id}");
        Some(match edit {
            Some((form, e)) => project_form(state, user, action, form, Some(&e)).await,
            None => project_form(state, user, action, current, None).await,
        })
    } else {
        None
    };
    let (progress_percent, progress_narrative) = if small.which == "progress" {
        (
            small.form.get("percent").to_owned(),
            small.form.get("narrative").to_owned(),
        )
    } else {
        (
            d.project.progress.to_string(),
            d.progress
                .first()
                .map(|g| g.narrative.clone())
                .unwrap_or_default(),
        )
    };
    let mut l =
        Layout::new(user.lang, Some(&user.identity), "project.title", &user.path).with_notice(ok);
    l.title = d.project.name.clone();
    let page = DetailPage {
        l,
        d,
        pf,
        small,
        error,
        progress_percent,
        progress_narrative,
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
    id: i64,
    ok: &str,
    r: Result<(), AppError>,
    failed: impl FnOnce(AppError) -> Failed,
) -> Response {
    let done = format!("/projects/{id}?ok={ok}");
    after_form(user, r, &done, |e| {
        render_detail(state, user, id, None, Some(failed(e)))
    })
    .await
}

pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let (input, v) = project_input(&form);
    let r = if v.is_ok() {
        state.app.update_project(user.caller(), id, &input).await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    after(&state, &user, id, "common.saved", parsed(v, r), |e| {
        Failed::Edit(form, e)
    })
    .await
}

pub async fn add_milestone(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let input = MilestoneInput {
        title: form.get("title").to_owned(),
        due_on: form.get("due_on").to_owned(),
    };
    let r = state
        .app
        .add_milestone(user.caller(), id, &input)
        .await
        .map(|_| ());
    after(&state, &user, id, "milestone.added", r, |e| {
        Failed::Small("milestone", form, e)
    })
    .await
}

pub async fn set_milestone(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let project = form
        .get("project_id")
        .parse::<i64>()
        .ok()
        .filter(|p| *p > 0);
    let r = state
        .app
        .set_milestone_done(user.caller(), id, form.checked("done"))
        .await;
    match (r, project) {
        (Ok(()), Some(p)) => see_other(&format!("/projects/{p}?ok=common.saved")),
        (Ok(()), None) => see_other("/projects?ok=common.saved"),
        (Err(e), _) => user.fail(e).into_response(),
    }
}

pub async fn report_progress(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let (input, v) = progress_input(&form);
    let r = if v.is_ok() {
        state
            .app
            .report_project_progress(user.caller(), id, &input)
            .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    after(&state, &user, id, "progress.saved", parsed(v, r), |e| {
        Failed::Small("progress", form, e)
    })
    .await
}
