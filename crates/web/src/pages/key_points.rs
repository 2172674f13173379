//! The year's key points (工作要点) and leadership focus issues: every planned task traces to
//! one. Listed by year, paginated; created, edited and disabled by the planning roles.

use app::AppError;
use app::model::KeyPointRow;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use domain::OrganizationId;
use domain::page::Page;
use domain::plan::{KEY_POINT_KINDS, KeyPointInput};
use domain::policy::Action;
use domain::validate::Validator;

use super::layout::{FormErrors, Layout, Pager, render};
use super::plan::{PlanQuery, PlanText, allowed, when_parsed};
use super::{parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, int_or};
use crate::session::User;

/// The create form's state.
#[derive(Default)]
struct KpForm {
    kind: String,
    title: String,
    description: String,
    sort_order: String,
}

#[derive(Template)]
#[template(path = "plan/key_points.html")]
struct ListPage {
    l: Layout,
    year: i32,
    items: Vec<KeyPointRow>,
    pager: Pager,
    kinds: [&'static str; 2],
    can_manage: bool,
    f: KpForm,
    errors: FormErrors,
    /// The row whose edit failed, with its message.
    row_error: Option<(i64, String)>,
}

const FIELDS: &[&str] = &["kind", "title", "description", "sort_order"];

fn year_of(state: &AppState, raw: &str) -> i32 {
    raw.trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2200).contains(y))
        .unwrap_or_else(|| state.app.today().year())
}

async fn render_list(
    state: &AppState,
    user: &User,
    year: i32,
    q: &PlanQuery,
    f: KpForm,
    errors: FormErrors,
    row_error: Option<(i64, String)>,
) -> Response {
    let org = user.identity.actor.organization_id.0;
    let can_manage = allowed(
        user,
        Action::ManagePlanning {
            org: OrganizationId(org),
        },
    );
    let all = match state
        .app
        .list_key_points(user.caller(), org, year, can_manage)
        .await
    {
        Ok(k) => k,
        Err(e) => return user.fail(e).into_response(),
    };
    // The year's list is short and comes whole; it is shown a page at a time.
    let req = q.page();
    let total = all.len() as u64;
    let items: Vec<KeyPointRow> = all
        .into_iter()
        .skip(usize::try_from(req.offset()).unwrap_or(0))
        .take(req.size as usize)
        .collect();
    let page = Page::new(items, req, total);
    let status = if errors.any() || row_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut l = Layout::new(user.lang, Some(&user.identity), "kp.title", &user.path)
        .with_notice(Some(q.ok.as_str()));
    l.title = format!("{year} {}", l.title);
    let page = ListPage {
        l,
        year,
        pager: Pager::new(&page, &format!("/key-points?year={year}")),
        items: page.items,
        kinds: KEY_POINT_KINDS,
        can_manage,
        f,
        errors,
        row_error,
    };
    (status, render(&page)).into_response()
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PlanQuery>,
) -> Response {
    let year = year_of(&state, &q.year);
    render_list(
        &state,
        &user,
        year,
        &q,
        KpForm::default(),
        FormErrors::new(user.lang),
        None,
    )
    .await
}

fn kp_input(form: &FormData, year: i32) -> (KeyPointInput, Validator) {
    let mut v = Validator::new();
    let sort_order = int_or(&mut v, "sort_order", form.get("sort_order"), 0);
    (
        KeyPointInput {
            year: i64::from(year),
            kind: form.get("kind").into(),
            title: form.get("title").into(),
            description: form.get("description").into(),
            sort_order,
        },
        v,
    )
}

fn form_of(form: &FormData) -> KpForm {
    KpForm {
        kind: form.get("kind").into(),
        title: form.get("title").into(),
        description: form.get("description").into(),
        sort_order: form.get("sort_order").into(),
    }
}

pub async fn create(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let year = year_of(&state, form.get("year"));
    let org = user.identity.actor.organization_id.0;
    let (input, v) = kp_input(&form, year);
    let checked = input.validate().err();
    let result = when_parsed(
        v,
        checked,
        state.app.create_key_point(user.caller(), org, &input),
    )
    .await;
    match result {
        Ok(_) => see_other(&format!("/key-points?year={year}&ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            let errors = FormErrors::from_app(user.lang, &e, FIELDS);
            let q = PlanQuery::default();
            render_list(&state, &user, year, &q, form_of(&form), errors, None).await
        }
        Err(e) => user.fail(e).into_response(),
    }
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
    let year = year_of(&state, form.get("year"));
    let (input, v) = kp_input(&form, year);
    let disabled = form.checked("disabled");
    let checked = input.validate().err();
    let result = when_parsed(
        v,
        checked,
        state
            .app
            .update_key_point(user.caller(), id, &input, disabled),
    )
    .await;
    match result {
        Ok(()) => see_other(&format!("/key-points?year={year}&ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            let message = super::plan::Notice::of(user.lang, &e).text;
            let q = PlanQuery::default();
            let errors = FormErrors::new(user.lang);
            render_list(
                &state,
                &user,
                year,
                &q,
                KpForm::default(),
                errors,
                Some((id, message)),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// Imports the year's key points from a sheet (类别, 要点, 说明): all rows or none. Problems are
/// listed by row and column above the form.
pub async fn import(
    State(state): State<AppState>,
    user: User,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = user.lang;
    // Refused before the upload is read, for whoever does not plan the year.
    if !state
        .app
        .can_manage_planning(user.caller(), user.identity.actor.organization_id.0)
    {
        return user.fail(AppError::Forbidden).into_response();
    }
    let mut year_raw = String::new();
    let mut file = None;
    let mut unreadable = multipart.is_err();
    if let Ok(mut m) = multipart {
        loop {
            match m.next_field().await {
                Ok(Some(field)) => match field.name() {
                    Some("year") => year_raw = field.text().await.unwrap_or_default(),
                    Some("file") => file = field.bytes().await.ok().filter(|b| !b.is_empty()),
                    _ => {}
                },
                Ok(None) => break,
                Err(_) => {
                    unreadable = true;
                    break;
                }
            }
        }
    }
    let year = year_of(&state, &year_raw);
    let org = user.identity.actor.organization_id.0;
    let cells = |cells: &[domain::plan_table::CellError]| {
        cells
            .iter()
            .map(|c| format!("{} {}：{}", c.row, c.column, lang.err(c.code)))
            .collect::<Vec<_>>()
            .join("；")
    };
    let problem = match (unreadable, file) {
        (true, _) => lang.err("unreadable_file").to_owned(),
        (false, None) => format!("{}：{}", lang.field("file"), lang.err("required")),
        (false, Some(bytes)) => {
            match docs::read_key_point_rows(&bytes, docs::ImportLimits::default()) {
                Err(docs::ImportError::Cells(c)) => cells(&c),
                Err(e) => lang.err(e.code()).to_owned(),
                Ok(rows) => match state
                    .app
                    .import_key_points(user.caller(), org, year, &rows)
                    .await
                {
                    Ok(_) => return see_other(&format!("/key-points?year={year}&ok=kp.imported")),
                    Err(AppError::Rows(c)) => cells(&c),
                    Err(e @ AppError::Invalid(_)) => FormErrors::from_app(lang, &e, &[])
                        .general
                        .unwrap_or_default(),
                    Err(e) => return user.fail(e).into_response(),
                },
            }
        }
    };
    let mut errors = FormErrors::new(lang);
    errors.general = Some(problem);
    render_list(
        &state,
        &user,
        year,
        &PlanQuery::default(),
        KpForm::default(),
        errors,
        None,
    )
    .await
}
