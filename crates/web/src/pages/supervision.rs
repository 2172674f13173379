//! Execution on a task (督): the progress report with its evidence files, the files
//! themselves, and coordination requests (协调事项): the list, one request with its proposed
//! solutions, the office meeting's decision and the resolution.

use app::model::CoordinationFilter;
use app::{AppError, CoordinationDetail, EvidenceUpload};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::supervision::{COORDINATION_STATUSES, CoordinationInput, DecisionInput, ProgressInput};
use domain::validate::Validator;

use super::layout::{Layout, Pager, query, render};
use super::plan::{Notice, PlanQuery, PlanText};
use super::tasks::Small;
use super::{after_form, parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, int_or, opt_id};
use crate::session::User;

/// Reads a multipart form with evidence files: its text fields, and every non-empty part
/// named `files`. The error is a code for the field `files`.
pub async fn read_evidence(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(FormData, Vec<EvidenceUpload>), &'static str> {
    let mut m = multipart.map_err(|_| "unreadable_file")?;
    let mut fields = Vec::new();
    let mut files = Vec::new();
    loop {
        match m.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                if name == "files" {
                    let file_name = field.file_name().unwrap_or("").to_owned();
                    let bytes = field.bytes().await.map_err(|_| "evidence_too_large")?;
                    if !bytes.is_empty() || !file_name.is_empty() {
                        if bytes.is_empty() {
                            return Err("file_empty");
                        }
                        files.push(EvidenceUpload {
                            name: file_name,
                            bytes: bytes.to_vec(),
                        });
                    }
                } else {
                    let text = field.text().await.map_err(|_| "unreadable_file")?;
                    fields.push((name, text));
                }
            }
            Ok(None) => break,
            Err(_) => return Err("evidence_too_large"),
        }
    }
    Ok((FormData(fields), files))
}

/// The fields of a progress report from a form.
pub fn progress_input(form: &FormData) -> (ProgressInput, Validator) {
    let mut v = Validator::new();
    let percent = int_or(&mut v, "percent", form.get("percent"), -1);
    (
        ProgressInput {
            percent,
            narrative: form.get("narrative").to_owned(),
        },
        v,
    )
}

/// Merges the form's own parse errors into a use case's result.
pub fn parsed<T>(v: Validator, r: Result<T, AppError>) -> Result<T, AppError> {
    super::units::merge_parse_errors(v, r)
}

/// `POST /tasks/{id}/progress` (multipart): percent, narrative, files.
pub async fn report_progress(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let (form, result) = match read_evidence(multipart).await {
        Err(code) => (FormData::default(), Err(AppError::field("files", code))),
        Ok((form, files)) => {
            let (input, v) = progress_input(&form);
            let r = if v.is_ok() {
                state
                    .app
                    .report_progress(user.caller(), id, &input, &files)
                    .await
                    .map(|_| ())
            } else {
                Err(AppError::Invalid(Default::default()))
            };
            (form, parsed(v, r))
        }
    };
    super::tasks::after_small(
        &state,
        &user,
        id,
        "progress.saved",
        "progress",
        form,
        result,
    )
    .await
}

/// `GET /files/{id}`: an evidence file, for those who may see what it belongs to.
pub async fn file(State(state): State<AppState>, user: User, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.get_file(user.caller(), id).await {
        Ok((meta, bytes)) => {
            let kind = domain::evidence::sniff(&bytes);
            let content_type =
                kind.map_or("application/octet-stream", |k| k.content_type(&meta.name));
            let disposition = if kind.is_some_and(|k| k.inline()) {
                "inline"
            } else {
                "attachment"
            };
            let encoded: String = form_urlencoded::byte_serialize(meta.name.as_bytes())
                .collect::<String>()
                .replace('+', "%20");
            (
                [
                    (header::CONTENT_TYPE, content_type.to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("{disposition}; filename*=UTF-8''{encoded}"),
                    ),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
                            .to_owned(),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- coordination requests ----

/// `POST /tasks/{id}/coordination`: a unit raises an obstacle on its task.
pub async fn raise(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let mut v = Validator::new();
    let involved: Vec<i64> = form
        .all("involved_unit_ids")
        .into_iter()
        .filter_map(|raw| opt_id(&mut v, "involved_unit_ids", raw))
        .collect();
    let input = CoordinationInput {
        title: form.get("title").to_owned(),
        description: form.get("description").to_owned(),
        involved_unit_ids: involved,
    };
    let result = if v.is_ok() {
        state
            .app
            .raise_coordination(user.caller(), id, &input)
            .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    match parsed(v, result) {
        Ok(rid) => see_other(&format!("/coordination/{rid}?ok=coord.raised")),
        Err(e) => super::tasks::after_small(&state, &user, id, "", "coord", form, Err(e)).await,
    }
}

#[derive(Template)]
#[template(path = "supervision/coordination_list.html")]
struct ListPage {
    l: Layout,
    items: Vec<app::model::CoordinationRow>,
    pager: Pager,
    status: String,
    statuses: [&'static str; 3],
    today: String,
}

impl ListPage {
    /// A decision whose deadline passed without the request being resolved.
    fn overdue(&self, c: &app::model::CoordinationRow) -> bool {
        c.status == "decided"
            && c.deadline
                .as_deref()
                .is_some_and(|d| d < self.today.as_str())
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PlanQuery>,
) -> Response {
    let org = user.identity.actor.organization_id.0;
    let status = q.status.trim().to_owned();
    let f = CoordinationFilter {
        statuses: if COORDINATION_STATUSES.contains(&status.as_str()) {
            vec![status.clone()]
        } else {
            vec![]
        },
        ..Default::default()
    };
    match state
        .app
        .list_coordination(user.caller(), org, &f, q.page())
        .await
    {
        Ok(page) => {
            let base = query("/coordination", &[("status", &status)]);
            render(&ListPage {
                l: Layout::new(user.lang, Some(&user.identity), "coord.title", &user.path)
                    .with_notice(Some(q.ok.as_str())),
                pager: Pager::new(&page, &base),
                items: page.items,
                status,
                statuses: COORDINATION_STATUSES,
                today: state.app.today().to_string(),
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "supervision/coordination.html")]
struct DetailPage {
    l: Layout,
    d: CoordinationDetail,
    units: Vec<super::plan::Opt>,
    small: Small,
    error: Option<Notice>,
    today: String,
}

async fn render_detail(
    state: &AppState,
    user: &User,
    id: i64,
    ok: Option<&str>,
    failed: Option<(&str, FormData, AppError)>,
) -> Response {
    let d = match state.app.get_coordination(user.caller(), id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let units = if d.can_decide {
        super::plan::unit_options(state, user, d.request.organization_id).await
    } else {
        vec![]
    };
    let (small, error, status) = Small::after(user.lang, failed);
    let mut l =
        Layout::new(user.lang, Some(&user.identity), "coord.title", &user.path).with_notice(ok);
    l.title = d.request.title.clone();
    (
        status,
        render(&DetailPage {
            l,
            d,
            units,
            small,
            error,
            today: state.app.today().to_string(),
        }),
    )
        .into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
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
    which: &str,
    form: FormData,
    result: Result<(), AppError>,
) -> Response {
    let done = format!("/coordination/{id}?ok={ok}");
    after_form(user, result, &done, |e| {
        render_detail(state, user, id, None, Some((which, form, e)))
    })
    .await
}

pub async fn propose(
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
        .propose_solution(user.caller(), id, form.get("solution"))
        .await
        .map(|_| ());
    after(&state, &user, id, "coord.proposed", "solution", form, r).await
}

pub async fn decide(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let mut v = Validator::new();
    let input = DecisionInput {
        decision: form.get("decision").to_owned(),
        owner_unit_id: opt_id(&mut v, "owner_unit_id", form.get("owner_unit_id")),
        deadline: form.get("deadline").to_owned(),
    };
    let r = if v.is_ok() {
        state
            .app
            .decide_coordination(user.caller(), id, &input)
            .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    after(
        &state,
        &user,
        id,
        "coord.decided",
        "decision",
        form,
        parsed(v, r),
    )
    .await
}

pub async fn resolve(
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
        .resolve_coordination(user.caller(), id, form.get("resolution"))
        .await;
    after(&state, &user, id, "coord.resolved", "resolve", form, r).await
}
