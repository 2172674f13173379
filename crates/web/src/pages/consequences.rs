//! Consequences (四个结合) pages: the month's scores of every unit with the bonus withholding
//! list, one unit's score entry by entry (each deduction links to its task), the year's rule
//! set with its versions, and the accountability ladder's cases with the discipline office's
//! decision form.

use app::model::{CaseFilter, CaseRow, RuleSetRow, UnitScoreRow};
use app::{
    AppError, AwardsView, CadreView, CaseView, Place, RecomputePreview, UnitScoreView, YearScores,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::OrganizationId;
use domain::consequences::{DecisionInput, LadderStep, Points, RuleSetInput, Sanction};
use domain::page::PageRequest;
use domain::policy::Action;
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use super::plan::{Notice, PlanText, allowed, month_of};
use super::{after_form, parse_id, see_other};
use crate::AppState;
use crate::form::FormData;
use crate::session::User;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScoresQuery {
    pub page: String,
    pub ok: String,
    pub withheld: String,
    pub year: String,
    pub month: String,
    pub step: String,
    pub status: String,
}

fn org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

/// Hundredths of a point as text ("2.50").
pub fn pts(p: &i64) -> String {
    Points(*p).to_string()
}

fn layout(user: &User, key: &str, ok: Option<&str>) -> Layout {
    Layout::new(user.lang, Some(&user.identity), key, &user.path).with_notice(ok)
}

/// `GET /scores`: the offices to the newest closed month's scores; a unit to its own.
pub async fn current(State(state): State<AppState>, user: User) -> Response {
    let m = match state.app.scores_month(org(&user)).await {
        Ok(m) => m,
        Err(e) => return user.fail(e).into_response(),
    };
    let all = allowed(
        &user,
        Action::ViewAllScores {
            org: OrganizationId(org(&user)),
        },
    );
    match (all, user.identity.actor.unit_id) {
        (true, _) => see_other(&format!("/months/{m}/scores")),
        (false, Some(u)) => see_other(&format!("/units/{}/scores/{m}", u.0)),
        (false, None) => user.fail(AppError::Forbidden).into_response(),
    }
}

#[derive(Template)]
#[template(path = "consequences/scores.html")]
struct ScoresPage {
    l: Layout,
    m: String,
    prev: String,
    next: String,
    items: Vec<UnitScoreRow>,
    pager: Pager,
    withheld: bool,
    can_recompute: bool,
}

/// `GET /months/{month}/scores`: every unit's score of the month, best first.
pub async fn month(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Response {
    let month = match month_of(&m) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let withheld = q.withheld == "1";
    let page = PageRequest::new(q.page.parse().ok(), Some(50));
    match state
        .app
        .month_scores(
            user.caller(),
            org(&user),
            &month.to_string(),
            withheld,
            page,
        )
        .await
    {
        Ok(p) => {
            let base = query(
                &format!("/months/{month}/scores"),
                &[("withheld", if withheld { "1" } else { "" })],
            );
            let mut l = layout(&user, "scores.title", Some(q.ok.as_str()));
            l.title = format!("{month} {}", l.title);
            render(&ScoresPage {
                l,
                m: month.to_string(),
                prev: month.prev().to_string(),
                next: month.next().to_string(),
                pager: Pager::new(&p, &base),
                items: p.items,
                withheld,
                can_recompute: allowed(
                    &user,
                    Action::ManageRules {
                        org: OrganizationId(org(&user)),
                    },
                ),
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "consequences/unit_score.html")]
struct UnitScorePage {
    l: Layout,
    v: UnitScoreView,
    prev: String,
    next: String,
    all: bool,
}

/// `GET /units/{id}/scores/{month}`: one unit's score, entry by entry.
pub async fn unit(
    State(state): State<AppState>,
    user: User,
    Path((id, m)): Path<(String, String)>,
) -> Response {
    let (id, month) = match (parse_id(&id), month_of(&m)) {
        (Ok(id), Ok(m)) => (id, m),
        (Err(e), _) | (_, Err(e)) => return user.fail(e).into_response(),
    };
    match state
        .app
        .unit_score(user.caller(), id, &month.to_string())
        .await
    {
        Ok(v) => {
            let mut l = layout(&user, "scores.unit_title", None);
            l.title = format!("{} · {month} {}", v.unit_name, l.title);
            render(&UnitScorePage {
                l,
                prev: month.prev().to_string(),
                next: month.next().to_string(),
                all: allowed(
                    &user,
                    Action::ViewAllScores {
                        org: OrganizationId(org(&user)),
                    },
                ),
                v,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "consequences/rules.html")]
struct RulesPage {
    l: Layout,
    year: i32,
    version: Option<i32>,
    versions: Vec<RuleSetRow>,
    input: RuleSetInput,
    /// The number fields in order, with their values.
    fields: Vec<(&'static str, String)>,
    can_edit: bool,
    errors: FormErrors,
}

fn rule_fields(i: &RuleSetInput) -> Vec<(&'static str, String)> {
    let values = [
        &i.annual_weight,
        &i.month_points,
        &i.unsigned_deduction,
        &i.highlight_bonus,
        &i.red_card_deduction,
        &i.rectification_days,
        &i.excellent_percent,
        &i.good_percent,
        &i.pass_percent,
    ];
    RULE_FIELDS
        .iter()
        .zip(values)
        .map(|(n, v)| (*n, v.clone()))
        .collect()
}

const RULE_FIELDS: [&str; 9] = [
    "annual_weight",
    "month_points",
    "unsigned_deduction",
    "highlight_bonus",
    "red_card_deduction",
    "rectification_days",
    "excellent_percent",
    "good_percent",
    "pass_percent",
];

fn year_of(state: &AppState, raw: &str) -> i32 {
    raw.parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| chrono::Datelike::year(&state.app.today()))
}

async fn render_rules(
    state: &AppState,
    user: &User,
    year: i32,
    ok: Option<&str>,
    failed: Option<(RuleSetInput, AppError)>,
) -> Response {
    let v = match state.app.rules(user.caller(), org(user), year).await {
        Ok(v) => v,
        Err(e) => return user.fail(e).into_response(),
    };
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (input, errors) = match failed {
        Some((input, e)) => (input, FormErrors::from_app(user.lang, &e, &RULE_FIELDS)),
        None => (RuleSetInput::from(&v.rules), FormErrors::new(user.lang)),
    };
    let mut l = layout(user, "score_rules.title", ok);
    l.title = format!("{year}{}", l.title);
    (
        status,
        render(&RulesPage {
            l,
            year,
            version: v.version,
            versions: v.versions,
            fields: rule_fields(&input),
            input,
            can_edit: v.can_edit,
            errors,
        }),
    )
        .into_response()
}

/// `GET /rules?year=`: the year's rule set and its versions.
pub async fn rules(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ScoresQuery>,
) -> Response {
    let year = year_of(&state, &q.year);
    render_rules(&state, &user, year, Some(q.ok.as_str()), None).await
}

fn rules_input(form: &FormData) -> RuleSetInput {
    RuleSetInput {
        annual_weight: form.get("annual_weight").to_owned(),
        month_points: form.get("month_points").to_owned(),
        unsigned_deduction: form.get("unsigned_deduction").to_owned(),
        highlight_bonus: form.get("highlight_bonus").to_owned(),
        red_card_deduction: form.get("red_card_deduction").to_owned(),
        withhold_bonus_when_unsigned: !form.get("withhold_bonus_when_unsigned").is_empty(),
        rectification_days: form.get("rectification_days").to_owned(),
        excellent_percent: form.get("excellent_percent").to_owned(),
        good_percent: form.get("good_percent").to_owned(),
        pass_percent: form.get("pass_percent").to_owned(),
    }
}

/// `POST /rules?year=`: a new version of the year's rules.
pub async fn save_rules(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ScoresQuery>,
    form: FormData,
) -> Response {
    let year = year_of(&state, &q.year);
    let input = rules_input(&form);
    let r = state
        .app
        .save_rules(user.caller(), org(&user), year, &input)
        .await
        .map(|_| ());
    let done = format!("/rules?year={year}&ok=common.saved");
    after_form(&user, r, &done, |e| {
        render_rules(&state, &user, year, None, Some((input, e)))
    })
    .await
}

#[derive(Template)]
#[template(path = "consequences/cases.html")]
struct CasesPage {
    l: Layout,
    items: Vec<CaseRow>,
    pager: Pager,
    month: String,
    step: String,
    status: String,
    steps: [&'static str; 3],
}

/// `GET /cases`: the ladder's cases the caller may see.
pub async fn cases(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ScoresQuery>,
) -> Response {
    let keep = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let f = CaseFilter {
        month: keep(&q.month).filter(|m| month_of(m).is_ok()),
        step: keep(&q.step).filter(|s| LadderStep::parse(s).is_some()),
        status: keep(&q.status).filter(|s| s == "proposed" || s == "decided"),
    };
    let page = PageRequest::new(q.page.parse().ok(), Some(50));
    match state
        .app
        .list_cases(user.caller(), org(&user), &f, page)
        .await
    {
        Ok(p) => {
            let base = query(
                "/cases",
                &[
                    ("month", f.month.as_deref().unwrap_or("")),
                    ("step", f.step.as_deref().unwrap_or("")),
                    ("status", f.status.as_deref().unwrap_or("")),
                ],
            );
            render(&CasesPage {
                l: layout(&user, "cases.title", Some(q.ok.as_str())),
                pager: Pager::new(&p, &base),
                items: p.items,
                month: f.month.unwrap_or_default(),
                step: f.step.unwrap_or_default(),
                status: f.status.unwrap_or_default(),
                steps: LadderStep::ALL.map(LadderStep::as_str),
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "consequences/case.html")]
struct CasePage {
    l: Layout,
    v: CaseView,
    input: DecisionInput,
    errors: FormErrors,
    sanctions: [&'static str; 6],
}

async fn render_case(
    state: &AppState,
    user: &User,
    id: i64,
    ok: Option<&str>,
    failed: Option<(DecisionInput, AppError)>,
) -> Response {
    let v = match state.app.get_case(user.caller(), id).await {
        Ok(v) => v,
        Err(e) => return user.fail(e).into_response(),
    };
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (input, errors) = match failed {
        Some((input, e)) => (
            input,
            FormErrors::from_app(user.lang, &e, &["verification", "sanction", "reasons"]),
        ),
        None => (DecisionInput::default(), FormErrors::new(user.lang)),
    };
    (
        status,
        render(&CasePage {
            l: {
                let mut l = layout(user, "cases.case_title", ok);
                l.title = format!("{}：{}", l.title, v.case.task_title);
                l
            },
            v,
            input,
            errors,
            sanctions: Sanction::ALL.map(Sanction::as_str),
        }),
    )
        .into_response()
}

/// `GET /cases/{id}`.
pub async fn case(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => render_case(&state, &user, id, Some(q.ok.as_str()), None).await,
        Err(e) => user.fail(e).into_response(),
    }
}

/// `POST /cases/{id}/decision`: the discipline office's verification and decision.
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
    let input = DecisionInput {
        verification: form.get("verification").to_owned(),
        sanction: form.get("sanction").to_owned(),
        reasons: form.get("reasons").to_owned(),
    };
    let r = state.app.decide_case(user.caller(), id, &input).await;
    let done = format!("/cases/{id}?ok=cases.decided");
    after_form(&user, r, &done, |e| {
        render_case(&state, &user, id, None, Some((input, e)))
    })
    .await
}

/// One ranking of the awards page.
struct Section {
    kind: &'static str,
    table: &'static str,
    places: Vec<Place>,
    total: usize,
}

#[derive(Template)]
#[template(path = "consequences/awards.html")]
struct AwardsPage {
    l: Layout,
    v: AwardsView,
    sections: Vec<Section>,
    /// Links to the periods before and after, and where the choice is posted.
    prev: String,
    next: String,
    action: String,
    notice: Option<Notice>,
}

async fn render_awards(
    state: &AppState,
    user: &User,
    m: &str,
    ok: Option<&str>,
    failed: Option<AppError>,
) -> Response {
    let v = match state.app.awards(user.caller(), org(user), m).await {
        Ok(v) => v,
        // A path that is neither a month nor a year is no page.
        Err(AppError::Invalid(_)) => return user.fail(AppError::NotFound).into_response(),
        Err(e) => return user.fail(e).into_response(),
    };
    let (prev, next, base) = match month_of(&v.period) {
        Ok(month) => (
            month.prev().to_string(),
            month.next().to_string(),
            "/months/{}/awards",
        ),
        Err(_) => {
            let y: i32 = v.period.parse().unwrap_or(2026);
            ((y - 1).to_string(), (y + 1).to_string(), "/awards/{}")
        }
    };
    let link = |p: &str| base.replace("{}", p);
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut l = layout(
        user,
        if v.annual {
            "awards.annual_title"
        } else {
            "awards.title"
        },
        ok,
    );
    l.title = format!("{} {}", v.period, l.title);
    (
        status,
        render(&AwardsPage {
            l,
            prev: link(&prev),
            next: link(&next),
            action: link(&v.period),
            notice: failed.map(|e| Notice::of(user.lang, &e)),
            sections: vec![
                Section {
                    kind: v.unit_kind,
                    table: "award-units",
                    places: v.units.clone(),
                    total: v.units_total,
                },
                Section {
                    kind: v.person_kind,
                    table: "award-persons",
                    places: v.persons.clone(),
                    total: v.persons_total,
                },
            ],
            v,
        }),
    )
        .into_response()
}

/// `GET /months/{month}/awards`: the month's rankings and its stars.
pub async fn awards(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Response {
    render_awards(&state, &user, &m, Some(q.ok.as_str()), None).await
}

/// `POST /months/{month}/awards`: the leadership chooses a star from the ranking.
pub async fn select_award(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    let subject = form.get("subject_id").parse::<i64>().unwrap_or(0);
    let r = state
        .app
        .select_award(
            user.caller(),
            org(&user),
            &m,
            form.get("kind"),
            subject,
            form.get("citation"),
        )
        .await
        .map(|_| ());
    let done = if m.len() == 4 {
        format!("/awards/{m}?ok=awards.selected")
    } else {
        format!("/months/{m}/awards?ok=awards.selected")
    };
    after_form(&user, r, &done, |e| {
        render_awards(&state, &user, &m, None, Some(e))
    })
    .await
}

#[derive(Template)]
#[template(path = "consequences/cadre.html")]
struct CadrePage {
    l: Layout,
    v: CadreView,
    rows: Vec<Vec<String>>,
    header: Vec<String>,
}

/// `GET /people/{id}/record`: the person's record (干部实绩档案).
pub async fn cadre(State(state): State<AppState>, user: User, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.cadre_record(user.caller(), id).await {
        Ok(v) => {
            let t = domain::cadre::table(&v.years);
            let mut l = layout(&user, "cadre.title", None);
            l.title = format!("{} · {}", v.name, l.title);
            render(&CadrePage {
                l,
                rows: t.rows,
                header: t.header,
                v,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// `GET /people/{id}/record.docx` and `.xlsx`: the record for a competitive appointment.
pub async fn cadre_file(
    State(state): State<AppState>,
    user: User,
    Path((id, ext)): Path<(String, String)>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let v = match state.app.cadre_record(user.caller(), id).await {
        Ok(v) => v,
        Err(e) => return user.fail(e).into_response(),
    };
    let doc = v.document(&domain::bulletin::chinese_date(state.app.today()));
    let made = match ext.as_str() {
        "docx" => docs::write_bulletin_docx(&doc).map(|b| (b, super::signoff::DOCX)),
        "xlsx" => docs::write_table_xlsx(&doc.title, "实绩档案", &domain::cadre::table(&v.years))
            .map(|b| (b, super::signoff::XLSX)),
        _ => return user.fail(AppError::NotFound).into_response(),
    };
    match made {
        Ok((bytes, kind)) => super::signoff::download(&format!("{}.{ext}", doc.title), kind, bytes),
        Err(e) => user.fail(AppError::Internal(e.to_string())).into_response(),
    }
}

#[derive(Template)]
#[template(path = "consequences/recompute.html")]
struct RecomputePage {
    l: Layout,
    p: RecomputePreview,
    version: String,
}

/// `GET /months/{month}/scores/recompute`: what scoring the month again would change.
pub async fn recompute_preview(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
) -> Response {
    match state
        .app
        .recompute_preview(user.caller(), org(&user), &m)
        .await
    {
        Ok(p) => {
            let mut l = layout(&user, "recompute.title", None);
            l.title = format!("{} {}", p.month, l.title);
            render(&RecomputePage {
                l,
                version: p.version.map(|v| v.to_string()).unwrap_or_default(),
                p,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// `POST /months/{month}/scores/recompute`: applies exactly the previewed version.
pub async fn recompute(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    let version = form.get("version").parse::<i32>().ok();
    match state
        .app
        .recompute_month(user.caller(), org(&user), &m, version)
        .await
    {
        Ok(_) => see_other(&format!("/months/{m}/scores?ok=recompute.done")),
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "consequences/year_scores.html")]
struct YearScoresPage {
    l: Layout,
    v: YearScores,
    pager: Pager,
}

/// `GET /scores/{year}`: every unit's score of the year with its grade.
pub async fn year_scores(
    State(state): State<AppState>,
    user: User,
    Path(year): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Response {
    let Some(year) = year
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        return user.fail(AppError::NotFound).into_response();
    };
    let page = PageRequest::new(q.page.parse().ok(), Some(50));
    match state
        .app
        .year_scores(user.caller(), org(&user), year, page)
        .await
    {
        Ok(v) => {
            let mut l = layout(&user, "scores.year_title", None);
            l.title = format!("{year}{}", l.title);
            render(&YearScoresPage {
                l,
                pager: Pager::new(&v.page, &format!("/scores/{year}")),
                v,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}
