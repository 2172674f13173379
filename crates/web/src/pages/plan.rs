//! The monthly plan (预安) pages: the month with its phase, calendar and counts by unit; a
//! unit's tasks of the month with the proposal form and the XLSX import; the office meeting's
//! arrangement page with assigned items; the plan table as a page, a print layout and an XLSX
//! file. Task pages are in `tasks.rs`, the year's key points in `key_points.rs`.

use app::model::{ListFilter, PeopleFilter, TaskFilter, TaskRow, UnitRow};
use app::{AppError, MonthView};
use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::page::{MAX_PAGE_SIZE, PageRequest};
use domain::plan::{Phase, TaskInput, TaskStatus, YearMonth};
use domain::plan_table::{CellError, PRINTED_COLUMNS, PlanTable};
use domain::policy::{Action, authorize};
use domain::validate::{ValidationErrors, Validator};
use domain::{OrganizationId, UnitId};
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, render};
use super::units::merge_parse_errors;
use super::{parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, opt_id};
use crate::i18n::Lang;
use crate::session::User;

/// Query parameters of the plan pages; every one is read leniently.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanQuery {
    pub page: String,
    pub ok: String,
    pub post: String,
    pub print: String,
    pub year: String,
    pub status: String,
    /// After an import: added.updated.change_requests.unchanged.
    pub imported: String,
}

impl PlanQuery {
    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.page.parse().ok(), None)
    }
}

/// Labels of the plan's codes (phases, statuses, history events, kinds) in the page's
/// language. Templates call these on the layout.
pub trait PlanText {
    fn lang(&self) -> Lang;

    fn label(&self, prefix: &str, code: &str) -> &'static str {
        let key = format!("{prefix}.{code}");
        if crate::i18n::has_key(&key) {
            self.lang().t(&key)
        } else {
            self.lang().t("field.unknown")
        }
    }

    /// A label that may be absent (an empty string then), such as a figure's unit.
    fn suffix(&self, prefix: &str, code: &str) -> &'static str {
        let key = format!("{prefix}.{code}");
        if crate::i18n::has_key(&key) {
            self.lang().t(&key)
        } else {
            ""
        }
    }

    fn phase(&self, code: &str) -> &'static str {
        self.label("phase", code)
    }

    fn status(&self, code: &str) -> &'static str {
        self.label("status", code)
    }

    fn event(&self, code: &str) -> &'static str {
        self.label("event", code)
    }

    fn cr_kind(&self, code: &str) -> &'static str {
        self.label("cr.kind", code)
    }

    fn cr_status(&self, code: &str) -> &'static str {
        self.label("cr.status", code)
    }

    fn kp_kind(&self, code: &str) -> &'static str {
        self.label("kp.kind", code)
    }
}

impl PlanText for Layout {
    fn lang(&self) -> Lang {
        self.lang
    }
}

/// An error shown as a notice above a page, with the stable codes in a `data-codes`
/// attribute.
pub struct Notice {
    pub text: String,
    pub codes: String,
}

impl Notice {
    pub fn of(lang: Lang, e: &AppError) -> Notice {
        match e {
            AppError::Invalid(v) => Notice {
                text: v
                    .0
                    .iter()
                    .map(|f| {
                        if matches!(f.field.as_str(), "month" | "status" | "form") {
                            lang.err(f.code).to_owned()
                        } else {
                            format!("{}：{}", lang.field(&f.field), lang.err(f.code))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
                codes: v.0.iter().map(|f| f.code).collect::<Vec<_>>().join(" "),
            },
            other => Notice {
                text: lang.err(other.code()).to_owned(),
                codes: other.code().to_owned(),
            },
        }
    }

    fn text(lang: Lang, code: &'static str) -> Notice {
        Notice {
            text: lang.err(code).to_owned(),
            codes: code.to_owned(),
        }
    }
}

/// An option of a select.
#[derive(Debug, Clone)]
/// Proposals that repeat work carried into their month: proposal id → (carried id, title).
#[derive(Default)]
pub struct Repeats(pub std::collections::BTreeMap<i64, (i64, String)>);

impl Repeats {
    pub fn of(&self, id: &i64) -> Option<&(i64, String)> {
        self.0.get(id)
    }
}

pub struct Opt {
    pub id: i64,
    pub label: String,
}

fn push_missing(list: &mut Vec<Opt>, id: Option<i64>, label: Option<&str>) {
    if let Some(id) = id
        && !list.iter().any(|o| o.id == id)
    {
        list.push(Opt {
            id,
            label: label.unwrap_or("?").to_owned(),
        });
    }
}

/// What the task forms offer to choose from.
#[derive(Default)]
pub struct TaskOptions {
    pub key_points: Vec<Opt>,
    pub people: Vec<Opt>,
    pub posts: Vec<Opt>,
    pub leaders: Vec<Opt>,
    pub projects: Vec<Opt>,
}

/// The enabled units of an organization as options, in tree order.
pub async fn unit_options(state: &AppState, user: &User, org: i64) -> Vec<Opt> {
    state
        .app
        .unit_tree(user.caller(), org)
        .await
        .map(|tree| {
            tree.into_iter()
                .filter(|n| !n.unit.disabled)
                .map(|n| Opt {
                    id: n.unit.id,
                    label: n.unit.name,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl TaskOptions {
    /// Keeps a task's current references selectable even when the caller's lists do not
    /// include them (a unit's staff do not see the leaders in charge).
    pub fn include_task(&mut self, t: &TaskRow) {
        push_missing(
            &mut self.key_points,
            t.key_point_id,
            t.key_point_title.as_deref(),
        );
        push_missing(&mut self.people, t.owner_id, t.owner_name.as_deref());
        push_missing(&mut self.posts, t.post_id, t.post_name.as_deref());
        push_missing(&mut self.leaders, t.leader_id, t.leader_name.as_deref());
        push_missing(
            &mut self.projects,
            t.key_project_id,
            t.key_project_name.as_deref(),
        );
    }
}

/// The options of the task forms for a unit (or, without a unit, the whole organization,
/// labelled with unit names). Lists the caller may not read come back empty.
pub async fn task_options(
    state: &AppState,
    user: &User,
    org: i64,
    unit: Option<i64>,
    year: i32,
) -> TaskOptions {
    let caller = user.caller();
    let all = PageRequest::new(Some(1), Some(MAX_PAGE_SIZE));
    let key_points = state
        .app
        .list_key_points(caller, org, year, false)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|k| Opt {
            id: k.id,
            label: k.title,
        })
        .collect();
    let scoped = PeopleFilter {
        unit_id: unit,
        ..Default::default()
    };
    let people_page = state
        .app
        .list_people(caller, org, &scoped, all)
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let people = people_page
        .iter()
        .map(|p| Opt {
            id: p.person.id,
            label: match (&p.person.unit_name, unit) {
                (Some(u), None) => format!("{u} · {}", p.person.display_name),
                _ => p.person.display_name.clone(),
            },
        })
        .collect();
    let leaders = state
        .app
        .list_leaders(caller, org)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, label)| Opt { id, label })
        .collect();
    let posts = state
        .app
        .list_posts(caller, org, unit, &ListFilter::default(), all)
        .await
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.disabled)
        .map(|p| Opt {
            id: p.id,
            label: if unit.is_some() {
                p.name
            } else {
                format!("{} · {}", p.unit_name, p.name)
            },
        })
        .collect();
    let projects = state
        .app
        .project_choices(caller, org)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, label)| Opt { id, label })
        .collect();
    TaskOptions {
        key_points,
        people,
        posts,
        leaders,
        projects,
    }
}

/// One form with the fields of a task, as shown on a page.
pub struct TaskFormView {
    /// Prefix of element ids, unique on the page.
    pub prefix: &'static str,
    pub action: String,
    pub hidden: Vec<(&'static str, String)>,
    pub submit_key: &'static str,
    pub f: TaskInput,
    pub errors: FormErrors,
    /// Assigned items need no key point.
    pub assigned: bool,
    /// For assigned items: the unit to choose.
    pub units: Vec<Opt>,
    pub unit_id: Option<i64>,
    /// The month's first and last day, to bound the date input.
    pub min: String,
    pub max: String,
    /// Shown expanded (after a failed submission).
    pub open: bool,
}

impl TaskFormView {
    pub fn new(
        lang: Lang,
        prefix: &'static str,
        action: String,
        submit_key: &'static str,
        month: YearMonth,
        f: TaskInput,
    ) -> TaskFormView {
        TaskFormView {
            prefix,
            action,
            hidden: vec![],
            submit_key,
            f,
            errors: FormErrors::new(lang),
            assigned: false,
            units: vec![],
            unit_id: None,
            min: month.first_day().to_string(),
            max: month.last_day().to_string(),
            open: false,
        }
    }

    /// After a failed submission: the input kept, the errors beside their fields.
    pub fn failed(mut self, lang: Lang, err: &AppError, input: TaskInput) -> TaskFormView {
        self.errors = FormErrors::from_app(lang, err, TASK_FIELDS);
        self.f = input;
        self.open = true;
        self
    }
}

pub const TASK_FIELDS: &[&str] = &[
    "unit_id",
    "title",
    "content",
    "criterion",
    "deadline",
    "key_point_id",
    "owner_id",
    "post_id",
    "leader_id",
    "is_key_work",
    "key_project_id",
];

/// The fields of a task from a form; bad ids become field errors in the validator.
pub fn task_input(form: &FormData) -> (TaskInput, Validator) {
    let mut v = Validator::new();
    let key_point_id = opt_id(&mut v, "key_point_id", form.get("key_point_id"));
    let owner_id = opt_id(&mut v, "owner_id", form.get("owner_id"));
    let post_id = opt_id(&mut v, "post_id", form.get("post_id"));
    let leader_id = opt_id(&mut v, "leader_id", form.get("leader_id"));
    let key_project_id = opt_id(&mut v, "key_project_id", form.get("key_project_id"));
    (
        TaskInput {
            title: form.get("title").into(),
            content: form.get("content").into(),
            criterion: form.get("criterion").into(),
            deadline: form.get("deadline").into(),
            key_point_id,
            owner_id,
            post_id,
            leader_id,
            is_key_work: form.checked("is_key_work"),
            key_project_id,
        },
        v,
    )
}

/// The form's fields filled from a task.
pub fn input_of(t: &TaskRow) -> TaskInput {
    TaskInput {
        title: t.title.clone(),
        content: t.content.clone(),
        criterion: t.criterion.clone(),
        deadline: t.deadline.clone(),
        key_point_id: t.key_point_id,
        owner_id: t.owner_id,
        post_id: t.post_id,
        leader_id: t.leader_id,
        is_key_work: t.is_key_work,
        key_project_id: t.key_project_id,
    }
}

/// Runs a use case only when the form's own parsing found nothing wrong; otherwise reports the
/// parse errors (together with the input's validation, when it can be checked here).
pub async fn when_parsed<T>(
    v: Validator,
    checked: Option<ValidationErrors>,
    f: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = if v.is_ok() {
        f.await
    } else {
        Err(AppError::Invalid(checked.unwrap_or_default()))
    };
    merge_parse_errors(v, result)
}

/// A month in a path: anything that is not `YYYY-MM` is "not found".
pub fn month_of(raw: &str) -> Result<YearMonth, AppError> {
    YearMonth::parse(raw).ok_or(AppError::NotFound)
}

fn own_org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

pub fn allowed(user: &User, action: Action<'_>) -> bool {
    authorize(&user.identity.actor, action).is_ok()
}

fn unit_path(u: &UnitRow) -> Vec<UnitId> {
    u.path_ids().into_iter().map(UnitId).collect()
}

fn status_code(e: &Option<Notice>, extra: bool) -> StatusCode {
    if e.is_some() || extra {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

// ---- the month ----

/// `/months`: the month being planned once its proposals are open, else the current month.
pub async fn months(State(state): State<AppState>, user: User) -> Response {
    let cal = match state.app.calendar(own_org(&user)).await {
        Ok(c) => c,
        Err(e) => return user.fail(e).into_response(),
    };
    let today = state.app.today();
    let this = YearMonth::of(today);
    let target = if today >= cal.proposals_open(this.next()) {
        this.next()
    } else {
        this
    };
    see_other(&format!("/months/{target}"))
}

const COUNT_COLUMNS: [(&str, bool); 13] = [
    ("draft", false),
    ("submitted", false),
    ("returned", true),
    ("leader_approved", true),
    ("accepted", false),
    ("rejected", true),
    ("arranged", false),
    ("in_progress", false),
    ("sign_off_submitted", true),
    ("sign_off_returned", true),
    ("signed_off", false),
    ("declared_unfinished", true),
    ("carried_over", true),
];

#[derive(Template)]
#[template(path = "plan/month.html")]
struct MonthPage {
    l: Layout,
    v: MonthView,
    m: String,
    prev: String,
    next: String,
    dates: Vec<(&'static str, String)>,
    phases: Vec<&'static str>,
    columns: Vec<(&'static str, bool)>,
    /// The director and the offices see the change requests.
    can_list_changes: bool,
    /// The offices, the leading group and the director see the review and the briefing.
    can_review: bool,
    error: Option<Notice>,
}

impl MonthPage {
    fn total(&self, status: &str) -> i64 {
        self.v.totals.get(status).copied().unwrap_or(0)
    }

    fn grand_total(&self) -> i64 {
        self.v.totals.values().sum()
    }

    fn is_phase(&self, p: &str) -> bool {
        self.v.phase.as_str() == p
    }
}

async fn render_month(
    state: &AppState,
    user: &User,
    month: YearMonth,
    ok: Option<&str>,
    error: Option<Notice>,
) -> Response {
    let v = match state
        .app
        .month_view(user.caller(), own_org(user), &month.to_string())
        .await
    {
        Ok(v) => v,
        Err(e) => return user.fail(e).into_response(),
    };
    let c = v.calendar;
    let dates = vec![
        ("month.proposals_open", c.proposals_open(month).to_string()),
        ("month.proposals_due", c.proposals_due(month).to_string()),
        (
            "month.arrangement_due",
            c.arrangement_due(month).to_string(),
        ),
        ("month.sign_off_opens", c.sign_off_opens(month).to_string()),
        ("month.review_due", c.review_due(month).to_string()),
    ];
    let mut l =
        Layout::new(user.lang, Some(&user.identity), "month.title", &user.path).with_notice(ok);
    l.title = format!("{month} {}", l.title);
    let status = status_code(&error, false);
    let page = MonthPage {
        l,
        m: month.to_string(),
        prev: month.prev().to_string(),
        next: month.next().to_string(),
        dates,
        phases: Phase::ALL
            .iter()
            .filter(|p| **p != Phase::Closed)
            .map(|p| p.as_str())
            .collect(),
        columns: COUNT_COLUMNS.to_vec(),
        can_list_changes: user
            .identity
            .actor
            .people_visibility(OrganizationId(own_org(user)))
            == domain::policy::Visibility::All,
        can_review: allowed(
            user,
            Action::ViewReview {
                org: OrganizationId(own_org(user)),
            },
        ),
        v,
        error,
    };
    (status, render(&page)).into_response()
}

pub async fn month(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Response {
    match month_of(&m) {
        Ok(month) => render_month(&state, &user, month, Some(q.ok.as_str()), None).await,
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn move_phase(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    let month = match month_of(&m) {
        Ok(m) => m,
        Err(e) => return user.fail(e).into_response(),
    };
    match state
        .app
        .move_phase(
            user.caller(),
            own_org(&user),
            &month.to_string(),
            Phase::parse(form.get("phase")),
        )
        .await
    {
        Ok(()) => see_other(&format!("/months/{month}?ok=month.phase_moved")),
        Err(e @ AppError::Invalid(_)) => {
            let n = Notice::of(user.lang, &e);
            render_month(&state, &user, month, None, Some(n)).await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn arrange(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    let month = match month_of(&m) {
        Ok(m) => m,
        Err(e) => return user.fail(e).into_response(),
    };
    let from_arrangement = form.get("from") == "arrangement";
    match state
        .app
        .arrange_month(user.caller(), own_org(&user), &month.to_string())
        .await
    {
        Ok(_) => see_other(&format!("/months/{month}?ok=month.arranged")),
        Err(e @ AppError::Invalid(_)) => {
            let n = Notice::of(user.lang, &e);
            if from_arrangement {
                render_arrangement(&state, &user, month, &PlanQuery::default(), Some(n), None).await
            } else {
                render_month(&state, &user, month, None, Some(n)).await
            }
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- a unit's month ----

/// One row of an import's error table.
pub struct CellRow {
    pub row: u32,
    pub column: String,
    pub code: &'static str,
    pub message: &'static str,
}

fn cell_rows(lang: Lang, cells: &[CellError]) -> Vec<CellRow> {
    cells
        .iter()
        .map(|c| CellRow {
            row: c.row,
            column: c.column.clone(),
            code: c.code,
            message: lang.err(c.code),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "plan/unit_month.html")]
struct UnitMonthPage {
    l: Layout,
    m: String,
    unit: UnitRow,
    tasks: Vec<TaskRow>,
    pager: Pager,
    /// Why the month takes no proposal now (`(code, text)`): the forms give way to it.
    refused: Option<(&'static str, &'static str)>,
    /// The forms are shown: the month takes proposals, or one just failed (its input kept).
    show_forms: bool,
    tf: TaskFormView,
    opts: TaskOptions,
    import_key_point: Option<i64>,
    import_errors: Vec<CellRow>,
    error: Option<Notice>,
    repeats: Repeats,
}

/// What went wrong on the unit page, to show beside the form that failed.
enum UnitFailure {
    Propose(TaskInput, AppError),
    Import(Option<i64>, Notice, Vec<CellRow>),
}

async fn render_unit_month(
    state: &AppState,
    user: &User,
    month: YearMonth,
    unit: i64,
    q: &PlanQuery,
    failure: Option<UnitFailure>,
) -> Response {
    let org = own_org(user);
    let u = match state.app.get_unit(user.caller(), unit).await {
        Ok(d) => d.unit,
        Err(e) => return user.fail(e).into_response(),
    };
    let path = unit_path(&u);
    if u.organization_id != org
        || !allowed(
            user,
            Action::ViewUnitPlan {
                org: OrganizationId(org),
                unit_path: &path,
            },
        )
    {
        return user.fail(AppError::Forbidden).into_response();
    }
    let filter = TaskFilter {
        month: Some(month.to_string()),
        unit_id: Some(unit),
        ..Default::default()
    };
    let tasks = match state
        .app
        .list_tasks(user.caller(), org, &filter, q.page())
        .await
    {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let repeats = match state
        .app
        .carried_repeats(user.caller(), org, &tasks.items)
        .await
    {
        Ok(r) => Repeats(r),
        Err(e) => return user.fail(e).into_response(),
    };
    let can_propose = allowed(
        user,
        Action::ProposeForUnit {
            org: OrganizationId(org),
            unit_path: &path,
        },
    );
    let refused = if can_propose {
        match state.app.proposals_refused(org, month).await {
            Ok(r) => r.map(|code| (code, user.lang.t(&format!("err.{code}")))),
            Err(e) => return user.fail(e).into_response(),
        }
    } else {
        None
    };
    let opts = if can_propose && refused.is_none() {
        task_options(state, user, org, Some(unit), month.year).await
    } else {
        TaskOptions::default()
    };
    let base = format!("/months/{month}/units/{unit}");
    let mut tf = TaskFormView::new(
        user.lang,
        "propose",
        format!("{base}/tasks"),
        "unit_month.propose",
        month,
        TaskInput {
            deadline: month.last_day().to_string(),
            ..Default::default()
        },
    );
    let (mut error, mut import_errors, mut import_key_point) = (None, vec![], None);
    let mut failed = false;
    match failure {
        Some(UnitFailure::Propose(input, e)) => {
            tf = tf.failed(user.lang, &e, input);
            failed = true;
        }
        Some(UnitFailure::Import(kp, n, cells)) => {
            error = Some(n);
            import_errors = cells;
            import_key_point = kp;
        }
        None => {}
    }
    let mut l = Layout::new(user.lang, Some(&user.identity), "month.title", &user.path)
        .with_notice(Some(q.ok.as_str()));
    if q.ok == "unit_month.imported" {
        l.notice = import_notice(user.lang, &q.imported);
    }
    l.title = format!("{} {month}", u.name);
    let status = status_code(&error, failed);
    let page = UnitMonthPage {
        l,
        m: month.to_string(),
        pager: Pager::new(&tasks, &base),
        tasks: tasks.items,
        unit: u,
        show_forms: can_propose && (refused.is_none() || failed),
        refused,
        tf,
        opts,
        import_key_point,
        import_errors,
        error,
        repeats,
    };
    (status, render(&page)).into_response()
}

/// What an import did, in words, from the `imported` query (`added.updated.requested.unchanged`).
fn import_notice(lang: Lang, imported: &str) -> Option<String> {
    let n: Vec<usize> = imported
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [added, updated, requested, unchanged] = n.as_slice() else {
        return None;
    };
    Some(
        lang.t("unit_month.imported")
            .replace("{added}", &added.to_string())
            .replace("{updated}", &updated.to_string())
            .replace("{requested}", &requested.to_string())
            .replace("{unchanged}", &unchanged.to_string()),
    )
}

fn month_and_unit(m: &str, unit: &str) -> Result<(YearMonth, i64), AppError> {
    Ok((month_of(m)?, parse_id(unit)?))
}

pub async fn unit_month(
    State(state): State<AppState>,
    user: User,
    Path((m, unit)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
) -> Response {
    match month_and_unit(&m, &unit) {
        Ok((month, unit)) => render_unit_month(&state, &user, month, unit, &q, None).await,
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn propose(
    State(state): State<AppState>,
    user: User,
    Path((m, unit)): Path<(String, String)>,
    form: FormData,
) -> Response {
    let (month, unit) = match month_and_unit(&m, &unit) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let (input, v) = task_input(&form);
    let checked = input.validate(month, false).err();
    let result = when_parsed(
        v,
        checked,
        state.app.propose(
            user.caller(),
            own_org(&user),
            &month.to_string(),
            unit,
            &input,
        ),
    )
    .await;
    match result {
        Ok(id) => see_other(&format!("/tasks/{id}?ok=unit_month.proposed")),
        Err(e @ AppError::Invalid(_)) => {
            let failure = UnitFailure::Propose(input, e);
            render_unit_month(
                &state,
                &user,
                month,
                unit,
                &PlanQuery::default(),
                Some(failure),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// The parts of the import form: the key point and the file.
async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(String, Option<Bytes>), &'static str> {
    let mut m = multipart.map_err(|_| "unreadable_file")?;
    let (mut key_point, mut file) = (String::new(), None);
    loop {
        match m.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("key_point_id") => key_point = field.text().await.unwrap_or_default(),
                Some("file") => {
                    file = Some(field.bytes().await.map_err(|_| "file_too_large")?);
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return Err("unreadable_file"),
        }
    }
    Ok((key_point, file.filter(|f| !f.is_empty())))
}

pub async fn import(
    State(state): State<AppState>,
    user: User,
    Path((m, unit)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (month, unit) = match month_and_unit(&m, &unit) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let lang = user.lang;
    let refuse =
        |kp: Option<i64>, n: Notice, cells: Vec<CellRow>| Some(UnitFailure::Import(kp, n, cells));
    let failure = match read_upload(multipart).await {
        Err(code) => refuse(None, Notice::text(lang, code), vec![]),
        Ok((kp, file)) => {
            let mut v = Validator::new();
            let kp = opt_id(&mut v, "key_point_id", &kp);
            match file {
                None => {
                    let e = AppError::field("file", "required");
                    refuse(kp, Notice::of(lang, &e), vec![])
                }
                Some(bytes) => match docs::read_plan_sheet(&bytes, docs::ImportLimits::default()) {
                    Err(e) => {
                        let mut n = Notice::text(lang, e.code());
                        if let docs::ImportError::MissingColumn { column } = e {
                            n.text = format!("{}（{column}）", n.text);
                        }
                        refuse(kp, n, vec![])
                    }
                    Ok(sheet) => {
                        let result = when_parsed(
                            v,
                            None,
                            state.app.import_proposals(
                                user.caller(),
                                own_org(&user),
                                &month.to_string(),
                                unit,
                                kp,
                                &sheet,
                            ),
                        )
                        .await;
                        match result {
                            Ok(s) => {
                                return see_other(&format!(
                                    "/months/{month}/units/{unit}?ok=unit_month.imported&imported={}.{}.{}.{}",
                                    s.added, s.updated, s.change_requests, s.unchanged
                                ));
                            }
                            Err(AppError::Rows(cells)) => refuse(
                                kp,
                                Notice::text(lang, "invalid_rows"),
                                cell_rows(lang, &cells),
                            ),
                            Err(e @ AppError::Invalid(_)) => {
                                refuse(kp, Notice::of(lang, &e), vec![])
                            }
                            Err(e) => return user.fail(e).into_response(),
                        }
                    }
                },
            }
        }
    };
    render_unit_month(&state, &user, month, unit, &PlanQuery::default(), failure).await
}

// ---- the arrangement ----

/// Tasks of one unit or one leader on the arrangement page.
pub struct Group {
    pub name: String,
    pub tasks: Vec<TaskRow>,
    pub awaiting: usize,
    pub accepted: usize,
}

fn group_by(tasks: &[TaskRow], key: impl Fn(&TaskRow) -> String) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for t in tasks {
        let name = key(t);
        let i = match groups.iter().position(|g| g.name == name) {
            Some(i) => i,
            None => {
                groups.push(Group {
                    name,
                    tasks: vec![],
                    awaiting: 0,
                    accepted: 0,
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        if t.status == TaskStatus::Accepted.as_str() {
            g.accepted += 1;
        } else {
            g.awaiting += 1;
        }
        g.tasks.push(t.clone());
    }
    groups
}

#[derive(Template)]
#[template(path = "plan/arrangement.html")]
struct ArrangementPage {
    l: Layout,
    m: String,
    by_unit: Vec<Group>,
    by_leader: Vec<Group>,
    pager: Pager,
    tf: TaskFormView,
    opts: TaskOptions,
    error: Option<Notice>,
    /// The month is arranged (or closed): the plan is its baseline and is not arranged again.
    arranged: bool,
    repeats: Repeats,
}

pub async fn render_arrangement(
    state: &AppState,
    user: &User,
    month: YearMonth,
    q: &PlanQuery,
    error: Option<Notice>,
    assign_failure: Option<(Option<i64>, TaskInput, AppError)>,
) -> Response {
    let org = own_org(user);
    if !allowed(
        user,
        Action::ArrangeMonth {
            org: OrganizationId(org),
        },
    ) {
        return user.fail(AppError::Forbidden).into_response();
    }
    let filter = TaskFilter {
        month: Some(month.to_string()),
        statuses: [
            TaskStatus::Submitted,
            TaskStatus::LeaderApproved,
            TaskStatus::Accepted,
        ]
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect(),
        ..Default::default()
    };
    let page = PageRequest::new(q.page.parse().ok(), Some(MAX_PAGE_SIZE));
    let tasks = match state
        .app
        .list_tasks(user.caller(), org, &filter, page)
        .await
    {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let repeats = match state
        .app
        .carried_repeats(user.caller(), org, &tasks.items)
        .await
    {
        Ok(r) => Repeats(r),
        Err(e) => return user.fail(e).into_response(),
    };
    let none = user.lang.t("arrangement.no_leader");
    let by_unit = group_by(&tasks.items, |t| t.unit_name.clone());
    let mut by_leader = group_by(&tasks.items, |t| {
        t.leader_name.clone().unwrap_or_else(|| none.to_owned())
    });
    by_leader.sort_by(|a, b| a.name.cmp(&b.name));
    let opts = task_options(state, user, org, None, month.year).await;
    let units = state
        .app
        .unit_tree(user.caller(), org)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.unit.disabled)
        .map(|n| Opt {
            id: n.unit.id,
            label: format!("{}{}", "　".repeat(n.depth), n.unit.name),
        })
        .collect();
    let mut tf = TaskFormView::new(
        user.lang,
        "assign",
        format!("/months/{month}/assigned-items"),
        "arrangement.assign",
        month,
        TaskInput {
            deadline: month.last_day().to_string(),
            ..Default::default()
        },
    );
    tf.assigned = true;
    tf.units = units;
    let failed = assign_failure.is_some();
    if let Some((unit, input, e)) = assign_failure {
        tf = tf.failed(user.lang, &e, input);
        tf.unit_id = unit;
    }
    let mut l = Layout::new(
        user.lang,
        Some(&user.identity),
        "arrangement.title",
        &user.path,
    )
    .with_notice(Some(q.ok.as_str()));
    l.title = format!("{month} {}", l.title);
    let status = status_code(&error, failed);
    let arranged = matches!(
        state.app.proposals_refused(org, month).await,
        Ok(Some("month_arranged" | "month_closed"))
    );
    let page = ArrangementPage {
        arranged,
        repeats,
        l,
        m: month.to_string(),
        pager: Pager::new(&tasks, &format!("/months/{month}/arrangement")),
        by_unit,
        by_leader,
        tf,
        opts,
        error,
    };
    (status, render(&page)).into_response()
}

pub async fn arrangement(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Response {
    match month_of(&m) {
        Ok(month) => render_arrangement(&state, &user, month, &q, None, None).await,
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn assign(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    let month = match month_of(&m) {
        Ok(m) => m,
        Err(e) => return user.fail(e).into_response(),
    };
    let (input, mut v) = task_input(&form);
    let unit = opt_id(&mut v, "unit_id", form.get("unit_id"));
    let result = match unit {
        Some(unit) => {
            let checked = input.validate(month, true).err();
            when_parsed(
                v,
                checked,
                state.app.add_assigned_item(
                    user.caller(),
                    own_org(&user),
                    &month.to_string(),
                    unit,
                    &input,
                ),
            )
            .await
        }
        None => {
            let mut e = input.validate(month, true).err().unwrap_or_default();
            e.0.insert(
                0,
                domain::validate::FieldError {
                    field: "unit_id".into(),
                    code: "required",
                },
            );
            merge_parse_errors(v, Err(AppError::Invalid(e)))
        }
    };
    match result {
        Ok(_) => see_other(&format!(
            "/months/{month}/arrangement?ok=arrangement.assigned"
        )),
        Err(e @ AppError::Invalid(_)) => {
            render_arrangement(
                &state,
                &user,
                month,
                &PlanQuery::default(),
                None,
                Some((unit, input, e)),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- plan tables ----

#[derive(Template)]
#[template(path = "plan/table.html")]
struct TablePage {
    l: Layout,
    m: String,
    unit_id: i64,
    post: Option<i64>,
    posts: Vec<Opt>,
    t: PlanTable,
    columns: [&'static str; 9],
}

#[derive(Template)]
#[template(path = "plan/table_print.html")]
struct TablePrint {
    l: Layout,
    t: PlanTable,
    columns: [&'static str; 9],
    printed: String,
}

fn table_args(
    m: &str,
    unit: &str,
    q: &PlanQuery,
) -> Result<(YearMonth, i64, Option<i64>), AppError> {
    let (month, unit) = month_and_unit(m, unit)?;
    let post = match q.post.trim() {
        "" => None,
        p => Some(parse_id(p)?),
    };
    Ok((month, unit, post))
}

pub async fn table(
    State(state): State<AppState>,
    user: User,
    Path((m, unit)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
) -> Response {
    let (month, unit, post) = match table_args(&m, &unit, &q) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let org = own_org(&user);
    let t = match state
        .app
        .plan_table(user.caller(), org, &month.to_string(), unit, post)
        .await
    {
        Ok(t) => t,
        Err(e) => return user.fail(e).into_response(),
    };
    let mut l = Layout::new(user.lang, Some(&user.identity), "table.title", &user.path);
    l.title = t.title();
    if q.print == "1" {
        return render(&TablePrint {
            l,
            t,
            columns: PRINTED_COLUMNS,
            printed: state.app.today().to_string(),
        });
    }
    let posts = state
        .app
        .list_posts(
            user.caller(),
            org,
            Some(unit),
            &ListFilter::default(),
            PageRequest::new(Some(1), Some(MAX_PAGE_SIZE)),
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|p| Opt {
            id: p.id,
            label: p.name,
        })
        .collect();
    render(&TablePage {
        l,
        m: month.to_string(),
        unit_id: unit,
        post,
        posts,
        t,
        columns: PRINTED_COLUMNS,
    })
}

/// A `Content-Disposition` for a download: an ASCII name for old clients and the real
/// (UTF-8) name for the others (RFC 6266 / RFC 5987).
pub fn attachment(ascii: &str, utf8: &str) -> String {
    let encoded: String = utf8
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The XLSX file of a plan table as a download.
pub fn xlsx_response(t: &PlanTable, ascii_name: &str) -> Result<Response, AppError> {
    let bytes = docs::write_plan_table(t).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_TYPE.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                attachment(ascii_name, &format!("{}.xlsx", t.title())),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub fn xlsx_name(month: YearMonth, unit: i64, post: Option<i64>) -> String {
    match post {
        Some(p) => format!("plan-{month}-unit{unit}-post{p}.xlsx"),
        None => format!("plan-{month}-unit{unit}.xlsx"),
    }
}

pub async fn table_xlsx(
    State(state): State<AppState>,
    user: User,
    Path((m, unit)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
) -> Response {
    let result = async {
        let (month, unit, post) = table_args(&m, &unit, &q)?;
        let t = state
            .app
            .plan_table(
                user.caller(),
                own_org(&user),
                &month.to_string(),
                unit,
                post,
            )
            .await?;
        xlsx_response(&t, &xlsx_name(month, unit, post))
    }
    .await;
    result.unwrap_or_else(|e| user.fail(e).into_response())
}
