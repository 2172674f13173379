//! One task of the monthly plan: its fields, history, carry-over chain and change requests,
//! with the forms its reader may use (edit and submit; the leader's review; the office
//! meeting's decision; a change request and its decision). Also the list of change requests.

use app::{AppError, LeaderDecision, MeetingDecision, TaskDetail};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::OrganizationId;
use domain::plan::{Change, TaskInput, YearMonth};
use domain::policy::Action;
use domain::validate::Validator;

use super::layout::{FormErrors, Layout, Pager, query, render};
use super::plan::{
    Notice, PlanQuery, PlanText, TaskFormView, TaskOptions, allowed, input_of, month_of,
    render_arrangement, task_input, task_options, when_parsed,
};
use super::see_other;
use super::{after_form, parse_id};
use crate::AppState;
use crate::form::{FormData, opt_id};
use crate::session::User;

/// A change request as listed: the row and what it asks for, in words.
pub struct CrView {
    pub row: app::model::ChangeRequestRow,
    pub summary: String,
}

fn cr_view(row: app::model::ChangeRequestRow) -> CrView {
    let summary = match serde_json::from_str::<Change>(&row.proposal) {
        Ok(Change::Withdraw) | Err(_) => String::new(),
        Ok(Change::Rescope {
            title, criterion, ..
        }) => format!("{title} / {criterion}"),
        Ok(Change::Redate { deadline }) => deadline.to_string(),
    };
    CrView { row, summary }
}

/// A small form (a reason, a merge target, a change request) that failed, with its input.
#[derive(Default)]
pub struct Small {
    pub which: String,
    pub form: FormData,
    pub errors: FormErrors,
}

impl Small {
    /// A failed small form, with its input kept and its errors by field.
    pub fn failed(lang: crate::i18n::Lang, which: &str, form: FormData, e: &AppError) -> Small {
        Small {
            which: which.to_owned(),
            form,
            errors: FormErrors::from_app(lang, e, &[]),
        }
    }

    /// A page's state after one of its small forms: that form with its input and errors, the
    /// notice above the page, and the page's status (422 after a failure).
    pub fn after(
        lang: crate::i18n::Lang,
        failed: Option<(&str, FormData, AppError)>,
    ) -> (Small, Option<Notice>, axum::http::StatusCode) {
        match failed {
            Some((which, form, e)) => (
                Small::failed(lang, which, form, &e),
                Some(Notice::of(lang, &e)),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ),
            None => (Small::default(), None, axum::http::StatusCode::OK),
        }
    }

    pub fn err(&self, which: &str, field: &str) -> &'static str {
        if self.which == which {
            self.errors.get(field)
        } else {
            ""
        }
    }

    pub fn value(&self, which: &str, field: &str) -> &str {
        if self.which == which {
            self.form.get(field)
        } else {
            ""
        }
    }
}

#[derive(Template)]
#[template(path = "plan/task.html")]
struct TaskPage {
    l: Layout,
    d: TaskDetail,
    edit: Option<TaskFormView>,
    adjust: Option<TaskFormView>,
    change: Option<TaskFormView>,
    opts: TaskOptions,
    can_decide_changes: bool,
    small: Small,
    cr_title: String,
    cr_content: String,
    cr_criterion: String,
    cr_deadline: String,
    change_requests: Vec<CrView>,
    cr_kinds: [&'static str; 3],
    min: String,
    max: String,
    error: Option<Notice>,
    /// The units a coordination request may name.
    units: Vec<super::plan::Opt>,
    /// The progress form starts from the last report: one update a month is enough.
    progress_percent: String,
    progress_narrative: String,
    accept: &'static str,
    verdicts: [&'static str; 3],
    today: String,
    /// The task's urgings (催办), and whether the caller may urge it.
    urges: Vec<app::model::UrgeRow>,
    can_urge: bool,
    /// The carried task this proposal repeats, if any.
    repeat: Option<(i64, String)>,
}

impl TaskPage {
    /// The name of an office's review form, to reopen it with its errors.
    fn which(&self, kind: &str, office: &domain::signoff::Office) -> String {
        format!("{kind}-{}", office.as_str())
    }

    /// The files of one site check.
    fn check_files_of(&self, check: &i64) -> Vec<&app::model::FileMeta> {
        self.d
            .sign_off
            .site_check_files
            .iter()
            .filter(|f| f.owner_id == *check)
            .collect()
    }

    /// The files of one progress report.
    fn files_of(&self, progress: &i64) -> Vec<&app::model::FileMeta> {
        self.d
            .progress_files
            .iter()
            .filter(|f| f.owner_id == *progress)
            .collect()
    }

    fn category(&self) -> &'static str {
        let t = &self.d.task;
        if t.is_assigned {
            "task.assigned"
        } else if t.is_key_work {
            "task.key_work"
        } else {
            "task.regular"
        }
    }
}

/// What failed on the task page.
enum Failure {
    /// One of the forms with the task's fields ("edit", "adjust", "change").
    Fields(&'static str, TaskInput, AppError),
    /// A small form, e.g. "return", "reject", "merge", "cr", "decide-7".
    Small(String, FormData, AppError),
}

async fn render_task(
    state: &AppState,
    user: &User,
    id: i64,
    ok: Option<&str>,
    failure: Option<Failure>,
) -> Response {
    let d = match state.app.get_task(user.caller(), id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let Some(month) = YearMonth::parse(&d.task.month) else {
        return user
            .fail(AppError::Internal(format!("bad month {}", d.task.month)))
            .into_response();
    };
    let org = d.task.organization_id;
    let lang = user.lang;
    let opts = if d.can_edit || d.can_review || d.can_decide {
        let mut o = task_options(state, user, org, Some(d.task.unit_id), month.year).await;
        o.include_task(&d.task);
        o
    } else {
        TaskOptions::default()
    };
    let current = input_of(&d.task);
    let form = |prefix, action: String, key, decision: Option<&str>| {
        let mut tf = TaskFormView::new(lang, prefix, action, key, month, current.clone());
        tf.assigned = d.task.is_assigned;
        if let Some(dec) = decision {
            tf.hidden.push(("decision", dec.to_owned()));
        }
        tf
    };
    let mut edit = d
        .can_edit
        .then(|| form("edit", format!("/tasks/{id}"), "common.save", None));
    let mut adjust = d.can_review.then(|| {
        form(
            "adjust",
            format!("/tasks/{id}/review"),
            "task.adjust",
            Some("adjust"),
        )
    });
    let mut change = d.can_decide.then(|| {
        form(
            "change",
            format!("/tasks/{id}/decision"),
            "task.change",
            Some("change"),
        )
    });
    let mut small = Small::default();
    let mut error = None;
    let mut failed = false;
    match failure {
        Some(Failure::Fields(which, input, e)) => {
            let slot = match which {
                "edit" => &mut edit,
                "adjust" => &mut adjust,
                _ => &mut change,
            };
            match slot.take() {
                Some(tf) => *slot = Some(tf.failed(lang, &e, input)),
                None => error = Some(Notice::of(lang, &e)),
            }
            failed = true;
        }
        Some(Failure::Small(which, form, e)) => {
            small = Small {
                which,
                form,
                errors: FormErrors::from_app(lang, &e, &[]),
            };
            error = Some(Notice::of(lang, &e));
        }
        None => {}
    }
    let can_decide_changes = allowed(
        user,
        Action::ArrangeMonth {
            org: OrganizationId(org),
        },
    );
    let mut l = Layout::new(lang, Some(&user.identity), "task.title", &user.path).with_notice(ok);
    l.title = d.task.title.clone();
    let status = if error.is_some() || failed {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let pick = |field: &str, default: &str| {
        if small.which == "cr" {
            small.form.get(field).to_owned()
        } else {
            default.to_owned()
        }
    };
    let units = if d.can_raise {
        super::plan::unit_options(state, user, org).await
    } else {
        vec![]
    };
    let (progress_percent, progress_narrative) = if small.which == "progress" {
        (
            small.form.get("percent").to_owned(),
            small.form.get("narrative").to_owned(),
        )
    } else {
        (
            d.task.progress.to_string(),
            d.progress
                .first()
                .map(|g| g.narrative.clone())
                .unwrap_or_default(),
        )
    };
    let urges = match state.app.task_urges(user.caller(), id).await {
        Ok(u) => u,
        Err(e) => return user.fail(e).into_response(),
    };
    let can_urge = state.app.may_urge(user.caller(), &d.task);
    let repeat = match state
        .app
        .carried_repeats(
            user.caller(),
            d.task.organization_id,
            std::slice::from_ref(&d.task),
        )
        .await
    {
        Ok(mut r) => r.remove(&d.task.id),
        Err(e) => return user.fail(e).into_response(),
    };
    let page = TaskPage {
        repeat,
        urges,
        can_urge,
        units,
        progress_percent,
        progress_narrative,
        accept: ACCEPT,
        verdicts: ["approve", "return", "site_check"],
        today: state.app.today().to_string(),
        cr_title: pick("title", &d.task.title),
        cr_content: pick("content", &d.task.content),
        cr_criterion: pick("criterion", &d.task.criterion),
        cr_deadline: pick("deadline", &d.task.deadline),
        change_requests: d.change_requests.iter().cloned().map(cr_view).collect(),
        cr_kinds: ["withdraw", "rescope", "redate"],
        min: month.first_day().to_string(),
        max: month.last_day().to_string(),
        l,
        d,
        edit,
        adjust,
        change,
        opts,
        can_decide_changes,
        small,
        error,
    };
    (status, render(&page)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => render_task(&state, &user, id, Some(q.ok.as_str()), None).await,
        Err(e) => user.fail(e).into_response(),
    }
}

/// The file kinds the evidence inputs offer (the server checks the content anyway).
pub const ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx,.pptx";

/// After a small form of the task page: on success back to the task with a notice, on a
/// validation error the task page with that form's input and errors.
pub async fn after_small(
    state: &AppState,
    user: &User,
    id: i64,
    ok: &str,
    which: &str,
    form: FormData,
    result: Result<(), AppError>,
) -> Response {
    act(state, user, id, ok, result, |e| {
        Failure::Small(which.to_owned(), form, e)
    })
    .await
}

/// Runs an action on a task: on success back to the task with a notice, on a validation error
/// the task page with the failed form.
async fn act(
    state: &AppState,
    user: &User,
    id: i64,
    ok: &str,
    result: Result<(), AppError>,
    failure: impl FnOnce(AppError) -> Failure,
) -> Response {
    let done = format!("/tasks/{id}?ok={ok}");
    after_form(user, result, &done, |e| {
        render_task(state, user, id, None, Some(failure(e)))
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
    let (input, v) = task_input(&form);
    let result = when_parsed(
        v,
        None,
        state.app.update_proposal(user.caller(), id, &input),
    )
    .await;
    act(&state, &user, id, "common.saved", result, |e| {
        Failure::Fields("edit", input, e)
    })
    .await
}

pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let result = state.app.submit_proposal(user.caller(), id).await;
    act(&state, &user, id, "task.submitted", result, |e| {
        Failure::Small("submit".into(), form, e)
    })
    .await
}

pub async fn review(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let which = form.get("decision").to_owned();
    let (input, v) = task_input(&form);
    let decision = match which.as_str() {
        "approve" => Ok(LeaderDecision::Approve),
        "adjust" => Ok(LeaderDecision::Adjust(input.clone())),
        "return" => Ok(LeaderDecision::Return {
            reason: form.get("reason").to_owned(),
        }),
        _ => Err(AppError::field("decision", "invalid_decision")),
    };
    // Only the adjusting form carries the task's fields (and their parse errors).
    let v = if which == "adjust" {
        v
    } else {
        Validator::new()
    };
    let result = match decision {
        Ok(dec) => when_parsed(v, None, state.app.leader_review(user.caller(), id, &dec)).await,
        Err(e) => Err(e),
    };
    act(&state, &user, id, "task.decided", result, |e| {
        if which == "adjust" {
            Failure::Fields("adjust", input, e)
        } else {
            Failure::Small(which, form, e)
        }
    })
    .await
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
    let which = form.get("decision").to_owned();
    let (input, mut v) = task_input(&form);
    let reason = form.get("reason").to_owned();
    let decision = match which.as_str() {
        "accept" => Ok(MeetingDecision::Accept),
        "change" => Ok(MeetingDecision::Change(input.clone())),
        "reject" => Ok(MeetingDecision::Reject { reason }),
        "merge" => {
            let mut mv = Validator::new();
            match opt_id(&mut mv, "merge_into", form.get("merge_into")) {
                Some(into) => Ok(MeetingDecision::Merge { into, reason }),
                None if mv.is_ok() => Err(AppError::field("merge_into", "required")),
                None => Err(AppError::field("merge_into", "not_a_number")),
            }
        }
        _ => Err(AppError::field("decision", "invalid_decision")),
    };
    if which != "change" {
        v = Validator::new();
    }
    let result = match decision {
        Ok(dec) => when_parsed(v, None, state.app.meeting_decide(user.caller(), id, &dec)).await,
        Err(e) => Err(e),
    };
    // From the arrangement page: back there.
    if form.get("from") == "arrangement"
        && let Ok(month) = month_of(form.get("month"))
    {
        return match result {
            Ok(()) => see_other(&format!("/months/{month}/arrangement?ok=task.decided")),
            Err(e @ AppError::Invalid(_)) => {
                let n = Notice::of(user.lang, &e);
                render_arrangement(&state, &user, month, &PlanQuery::default(), Some(n), None).await
            }
            Err(e) => user.fail(e).into_response(),
        };
    }
    act(&state, &user, id, "task.decided", result, |e| {
        if which == "change" {
            Failure::Fields("change", input, e)
        } else {
            Failure::Small(which, form, e)
        }
    })
    .await
}

pub async fn request_change(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let result = async {
        let d = state.app.get_task(user.caller(), id).await?;
        let month = YearMonth::parse(&d.task.month)
            .ok_or_else(|| AppError::Internal(format!("bad month {}", d.task.month)))?;
        let change = Change::parse(
            form.get("kind"),
            form.get("title"),
            form.get("content"),
            form.get("criterion"),
            form.get("deadline"),
            month,
        )?;
        state
            .app
            .request_change(user.caller(), id, &change, form.get("reason"))
            .await
            .map(|_| ())
    }
    .await;
    act(&state, &user, id, "cr.requested", result, |e| {
        Failure::Small("cr".into(), form, e)
    })
    .await
}

// ---- change requests ----

#[derive(Template)]
#[template(path = "plan/change_requests.html")]
struct CrListPage {
    l: Layout,
    items: Vec<CrView>,
    pager: Pager,
    status: String,
    statuses: [&'static str; 3],
    can_decide: bool,
    error: Option<Notice>,
}

async fn render_list(
    state: &AppState,
    user: &User,
    q: &PlanQuery,
    error: Option<Notice>,
) -> Response {
    let org = user.identity.actor.organization_id.0;
    let status = Some(q.status.trim()).filter(|s| !s.is_empty());
    let page = match state
        .app
        .list_change_requests(user.caller(), org, status, q.page())
        .await
    {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let base = query("/change-requests", &[("status", &q.status)]);
    let code = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = CrListPage {
        l: Layout::new(user.lang, Some(&user.identity), "cr.title", &user.path)
            .with_notice(Some(q.ok.as_str())),
        pager: Pager::new(&page, &base),
        items: page.items.into_iter().map(cr_view).collect(),
        status: q.status.clone(),
        statuses: ["pending", "approved", "rejected"],
        can_decide: allowed(
            user,
            Action::ArrangeMonth {
                org: OrganizationId(org),
            },
        ),
        error,
    };
    (code, render(&page)).into_response()
}

pub async fn list_change_requests(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PlanQuery>,
) -> Response {
    render_list(&state, &user, &q, None).await
}

pub async fn decide_change(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let result = match form.get("approve") {
        "1" | "true" => {
            state
                .app
                .decide_change(user.caller(), id, true, form.get("reason"))
                .await
        }
        "0" | "false" => {
            state
                .app
                .decide_change(user.caller(), id, false, form.get("reason"))
                .await
        }
        _ => Err(AppError::field("approve", "invalid_choice")),
    };
    let task = form.get("task_id").parse::<i64>().ok().filter(|t| *t > 0);
    match (result, task) {
        (Ok(()), Some(t)) => see_other(&format!("/tasks/{t}?ok=task.decided")),
        (Ok(()), None) => see_other("/change-requests?status=pending&ok=task.decided"),
        (Err(e @ AppError::Invalid(_)), Some(t)) => {
            render_task(
                &state,
                &user,
                t,
                None,
                Some(Failure::Small(format!("decide-{id}"), form, e)),
            )
            .await
        }
        (Err(e @ AppError::Invalid(_)), None) => {
            let n = Notice::of(user.lang, &e);
            let q = PlanQuery {
                status: "pending".into(),
                ..Default::default()
            };
            render_list(&state, &user, &q, Some(n)).await
        }
        (Err(e), _) => user.fail(e).into_response(),
    }
}
