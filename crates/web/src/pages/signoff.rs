//! Sign-off (销号) pages: the forms on a task's page (the unit's submission, the offices'
//! opinions and site checks, the leading group's decision), the month's review queue, the
//! briefing with the review meeting, the bulletins (page, DOCX, XLSX), the month's close and
//! the review rule.

use app::{AppError, Briefing, BulletinView, ReviewItem};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::OrganizationId;
use domain::page::PageRequest;
use domain::policy::Action;
use domain::signoff::{FormInput, Office, ReviewRule};
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use super::plan::{Notice, PlanText, allowed, month_of};
use super::supervision::read_evidence;
use super::tasks::{Small, after_small};
use super::{after_form, parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, int_or};
use crate::session::User;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignOffQuery {
    pub page: String,
    pub ok: String,
    pub status: String,
}

fn org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

fn office_of(raw: &str) -> Option<Office> {
    Office::parse(raw)
}

/// `POST /tasks/{id}/sign-off` (multipart): the unit head's form or unfinished statement.
pub async fn submit(
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
            let input = FormInput {
                kind: form.get("kind").to_owned(),
                completion: form.get("completion").to_owned(),
                report: form.get("report").to_owned(),
                reason: form.get("reason").to_owned(),
                next_steps: form.get("next_steps").to_owned(),
                completed_on: form.get("completed_on").to_owned(),
            };
            let r = state
                .app
                .submit_sign_off(user.caller(), id, &input, &files)
                .await
                .map(|_| ());
            (form, r)
        }
    };
    let which = match form.get("kind") {
        "unfinished" => "signoff-unfinished",
        _ => "signoff-complete",
    };
    after_small(&state, &user, id, "signoff.submitted", which, form, result).await
}

/// The task a review form came from (a hidden field), for the way back.
fn task_of(form: &FormData) -> Option<i64> {
    form.get("task_id").parse().ok().filter(|n: &i64| *n > 0)
}

async fn back(
    state: &AppState,
    user: &User,
    form: FormData,
    ok: &str,
    which: &str,
    r: Result<(), AppError>,
) -> Response {
    match task_of(&form) {
        Some(task) => after_small(state, user, task, ok, which, form, r).await,
        None => match r {
            Ok(()) => see_other("/"),
            Err(e) => user.fail(e).into_response(),
        },
    }
}

/// `POST /sign-off-forms/{id}/opinions`: an office's opinion.
pub async fn opinion(
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
        .give_opinion(
            user.caller(),
            id,
            office_of(form.get("office")),
            form.get("verdict"),
            form.get("reason"),
        )
        .await
        .map(|_| ());
    let which = format!("opinion-{}", form.get("office"));
    back(&state, &user, form, "signoff.opinion_saved", &which, r).await
}

/// `POST /sign-off-forms/{id}/site-checks` (multipart): a site check's record.
pub async fn site_check(
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
                .record_site_check(
                    user.caller(),
                    id,
                    office_of(form.get("office")),
                    form.get("findings"),
                    form.get("checked_on"),
                    &files,
                )
                .await
                .map(|_| ());
            (form, r)
        }
    };
    let which = format!("site_check-{}", form.get("office"));
    back(&state, &user, form, "signoff.site_checked", &which, r).await
}

/// `POST /sign-off-forms/{id}/decision`: the leading group signs off or returns.
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
    let r = match form.get("decision") {
        "sign_off" => {
            state
                .app
                .decide_sign_off(user.caller(), id, true, form.get("reason"))
                .await
        }
        "return" => {
            state
                .app
                .decide_sign_off(user.caller(), id, false, form.get("reason"))
                .await
        }
        // Refused before the choice is read, for whoever may not decide.
        _ => match state.app.may_decide_sign_off(user.caller(), id).await {
            Ok(()) => Err(AppError::field("decision", "invalid_decision")),
            Err(e) => Err(e),
        },
    };
    back(&state, &user, form, "signoff.decided", "decide", r).await
}

// ---- the review queue ----

/// `/review`: the queue of the month whose sign-off is under way.
pub async fn current_review(State(state): State<AppState>, user: User) -> Response {
    match state.app.review_month(org(&user)).await {
        Ok(m) => see_other(&format!("/months/{m}/review")),
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "signoff/review.html")]
struct ReviewPage {
    l: Layout,
    m: String,
    items: Vec<ReviewItem>,
    pager: Pager,
    status: String,
    statuses: [&'static str; 5],
}

pub async fn review(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    Query(q): Query<SignOffQuery>,
) -> Response {
    let month = match month_of(&m) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    const STATUSES: [&str; 5] = [
        "submitted",
        "returned",
        "signed_off",
        "unfinished",
        "lapsed",
    ];
    let statuses: Vec<String> = STATUSES
        .iter()
        .filter(|s| **s == q.status)
        .map(|s| (*s).to_owned())
        .collect();
    let page = PageRequest::new(q.page.parse().ok(), Some(50));
    match state
        .app
        .review_queue(
            user.caller(),
            org(&user),
            &month.to_string(),
            &statuses,
            page,
        )
        .await
    {
        Ok(p) => {
            let base = query(&format!("/months/{month}/review"), &[("status", &q.status)]);
            let mut l = Layout::new(
                user.lang,
                Some(&user.identity),
                "signoff.review_title",
                &user.path,
            )
            .with_notice(Some(q.ok.as_str()));
            l.title = format!("{month} {}", l.title);
            render(&ReviewPage {
                l,
                m: month.to_string(),
                pager: Pager::new(&p, &base),
                items: p.items,
                status: q.status.clone(),
                statuses: STATUSES,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- the briefing and the meeting ----

#[derive(Template)]
#[template(path = "signoff/briefing.html")]
struct BriefingPage {
    l: Layout,
    b: Briefing,
    m: String,
    small: Small,
    error: Option<Notice>,
    today: String,
    doc_number: String,
    can_close: bool,
}

impl BriefingPage {
    fn hl(&self, task: &i64) -> String {
        format!("hl-{task}")
    }

    /// The meeting form's value: what was typed after a failure, else what was saved.
    fn meeting_value(&self, field: &str) -> String {
        if self.small.which == "meeting" {
            return self.small.form.get(field).to_owned();
        }
        let Some(m) = &self.b.meeting else {
            return if field == "held_on" {
                self.today.clone()
            } else {
                String::new()
            };
        };
        match field {
            "held_on" => m.held_on.clone(),
            "analysis" => m.analysis.clone(),
            _ => m.dispatch.clone(),
        }
    }
}

async fn render_briefing(
    state: &AppState,
    user: &User,
    m: &str,
    ok: Option<&str>,
    failed: Option<(&str, FormData, AppError)>,
) -> Response {
    let month = match month_of(m) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let b = match state
        .app
        .briefing(user.caller(), org(user), &month.to_string())
        .await
    {
        Ok(b) => b,
        Err(e) => return user.fail(e).into_response(),
    };
    let (small, error, status) = Small::after(user.lang, failed);
    let mut l = Layout::new(
        user.lang,
        Some(&user.identity),
        "briefing.title",
        &user.path,
    )
    .with_notice(ok);
    l.title = format!(
        "{} {}",
        domain::bulletin::month_name(month.year, month.month),
        l.title
    );
    let doc_number = if small.which == "bulletin" {
        small.form.get("doc_number").to_owned()
    } else {
        b.bulletin.as_ref().map_or_else(
            || format!("预安〔{}〕{}号", month.year, month.month),
            |x| x.doc_number.clone(),
        )
    };
    let can_close = b.phase != domain::plan::Phase::Closed
        && allowed(
            user,
            Action::ArrangeMonth {
                org: OrganizationId(org(user)),
            },
        )
        && state.app.today() > month.last_day();
    (
        status,
        render(&BriefingPage {
            m: month.to_string(),
            today: state.app.today().to_string(),
            l,
            b,
            small,
            error,
            doc_number,
            can_close,
        }),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BriefingQuery {
    pub ok: String,
}

pub async fn briefing(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    Query(q): Query<BriefingQuery>,
) -> Response {
    render_briefing(&state, &user, &m, Some(q.ok.as_str()), None).await
}

async fn after_briefing(
    state: &AppState,
    user: &User,
    m: &str,
    ok: &str,
    which: &str,
    form: FormData,
    r: Result<(), AppError>,
) -> Response {
    let done = format!("/months/{m}/briefing?ok={ok}");
    after_form(user, r, &done, |e| {
        render_briefing(state, user, m, None, Some((which, form, e)))
    })
    .await
}

pub async fn highlight(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    let r = match parse_id(form.get("task_id")) {
        Ok(task) => state
            .app
            .select_highlight(user.caller(), task, form.get("citation"))
            .await
            .map(|_| ()),
        Err(_) => Err(AppError::field("task_id", "required")),
    };
    let which = format!("hl-{}", form.get("task_id"));
    after_briefing(&state, &user, &m, "briefing.highlighted", &which, form, r).await
}

pub async fn remove_highlight(
    State(state): State<AppState>,
    user: User,
    Path((m, id)): Path<(String, String)>,
) -> Response {
    let r = match parse_id(&id) {
        Ok(id) => state.app.remove_highlight(user.caller(), id).await,
        Err(e) => Err(e),
    };
    after_briefing(
        &state,
        &user,
        &m,
        "briefing.unhighlighted",
        "",
        FormData::default(),
        r,
    )
    .await
}

pub async fn meeting(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    let r = state
        .app
        .record_meeting(
            user.caller(),
            org(&user),
            &m,
            form.get("held_on"),
            form.get("analysis"),
            form.get("dispatch"),
        )
        .await;
    after_briefing(
        &state,
        &user,
        &m,
        "briefing.meeting_saved",
        "meeting",
        form,
        r,
    )
    .await
}

pub async fn generate_bulletin(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    match state
        .app
        .generate_bulletin(user.caller(), org(&user), &m, form.get("doc_number"))
        .await
    {
        Ok(id) => see_other(&format!("/bulletins/{id}?ok=bulletin.generated")),
        Err(e) => after_briefing(&state, &user, &m, "", "bulletin", form, Err(e)).await,
    }
}

pub async fn close(State(state): State<AppState>, user: User, Path(m): Path<String>) -> Response {
    match state.app.close_month(user.caller(), org(&user), &m).await {
        Ok(r) if r.already_closed => see_other(&format!("/months/{m}?ok=close.already")),
        Ok(_) => see_other(&format!("/months/{m}?ok=close.done")),
        Err(e) => after_briefing(&state, &user, &m, "", "close", FormData::default(), Err(e)).await,
    }
}

// ---- bulletins ----

#[derive(Template)]
#[template(path = "signoff/bulletins.html")]
struct BulletinsPage {
    l: Layout,
    items: Vec<app::model::BulletinRow>,
    pager: Pager,
}

pub async fn bulletins(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<SignOffQuery>,
) -> Response {
    let page = PageRequest::new(q.page.parse().ok(), None);
    match state
        .app
        .list_bulletins(user.caller(), org(&user), page)
        .await
    {
        Ok(p) => render(&BulletinsPage {
            l: Layout::new(
                user.lang,
                Some(&user.identity),
                "bulletin.list_title",
                &user.path,
            ),
            pager: Pager::new(&p, "/bulletins"),
            items: p.items,
        }),
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "signoff/bulletin.html")]
struct BulletinPage {
    l: Layout,
    v: BulletinView,
}

pub async fn bulletin(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<BriefingQuery>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.get_bulletin(user.caller(), id).await {
        Ok(v) => {
            let mut l = Layout::new(
                user.lang,
                Some(&user.identity),
                "bulletin.title",
                &user.path,
            )
            .with_notice(Some(q.ok.as_str()));
            l.title = v.issued.bulletin.title.clone();
            render(&BulletinPage { l, v })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn publish_bulletin(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.publish_bulletin(user.caller(), id).await {
        Ok(()) => see_other(&format!("/bulletins/{id}?ok=bulletin.published")),
        Err(e) => user.fail(e).into_response(),
    }
}

pub fn download(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub async fn bulletin_docx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.get_bulletin(user.caller(), id).await {
        Ok(v) => match docs::write_bulletin_docx_anchored(
            &v.issued.bulletin,
            v.row.ledger_checkpoint.as_deref(),
        ) {
            Ok(bytes) => download(&format!("{}.docx", v.issued.bulletin.title), DOCX, bytes),
            Err(e) => user.fail(AppError::Internal(e.to_string())).into_response(),
        },
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn bulletin_xlsx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.get_bulletin(user.caller(), id).await {
        Ok(v) => match docs::write_results_xlsx(
            &v.issued.bulletin.title,
            &v.issued.units,
            &v.issued.total,
        ) {
            Ok(bytes) => download(&format!("{}.xlsx", v.issued.bulletin.title), XLSX, bytes),
            Err(e) => user.fail(AppError::Internal(e.to_string())).into_response(),
        },
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- the review rule ----

#[derive(Template)]
#[template(path = "signoff/review_rule.html")]
struct RulePage {
    l: Layout,
    value: String,
    errors: FormErrors,
}

pub async fn rule(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<SignOffQuery>,
) -> Response {
    if !allowed(
        &user,
        Action::ManagePlanning {
            org: OrganizationId(org(&user)),
        },
    ) {
        return user.fail(AppError::Forbidden).into_response();
    }
    match state.app.review_rule_of(user.caller(), org(&user)).await {
        Ok(r) => render(&RulePage {
            l: Layout::new(
                user.lang,
                Some(&user.identity),
                "review_rule.title",
                &user.path,
            )
            .with_notice(Some(q.ok.as_str())),
            value: r.required_approvals.to_string(),
            errors: FormErrors::new(user.lang),
        }),
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn set_rule(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let mut v = domain::validate::Validator::new();
    let n = int_or(
        &mut v,
        "required_approvals",
        form.get("required_approvals"),
        0,
    );
    let r = if v.is_ok() {
        state
            .app
            .set_review_rule(
                user.caller(),
                org(&user),
                ReviewRule {
                    required_approvals: u32::try_from(n).unwrap_or(0),
                },
            )
            .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    match super::supervision::parsed(v, r) {
        Ok(()) => see_other("/settings/review?ok=common.saved"),
        Err(e @ AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&RulePage {
                l: Layout::new(
                    user.lang,
                    Some(&user.identity),
                    "review_rule.title",
                    &user.path,
                ),
                value: form.get("required_approvals").to_owned(),
                errors: FormErrors::from_app(user.lang, &e, &["required_approvals"]),
            }),
        )
            .into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}
