//! The cards (红黄绿牌) pages: a month's cards with their charts, the supervisor's
//! confirmation, override and concern, publication (公示); the publications; the warnings
//! (警示) of a year; the organization's card thresholds; the display screen's tokens.

use app::model::{CardFilter, WarningFilter};
use app::{AppError, CardsView, PublicationView, WarningsView};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::OrganizationId;
use domain::cards::CardRules;
use domain::page::PageRequest;
use domain::plan::YearMonth;
use domain::policy::Action;
use domain::validate::Validator;
use serde::Deserialize;

use super::charts::{cards_donut, units_bars};
use super::layout::{FormErrors, Layout, Pager, query, render};
use super::plan::{Notice, PlanText, allowed, month_of};
use super::{after_form, parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, int_or};
use crate::session::User;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CardQuery {
    pub page: String,
    pub ok: String,
    pub color: String,
    pub unit: String,
    pub kind: String,
    pub key: String,
    pub unjudged: String,
    pub year: String,
}

impl CardQuery {
    fn filter(&self) -> CardFilter {
        CardFilter {
            colors: match self.color.as_str() {
                c @ ("red" | "yellow" | "green") => vec![c.to_owned()],
                _ => vec![],
            },
            unit_id: self.unit.parse().ok(),
            kind: Some(self.kind.clone()).filter(|k| matches!(k.as_str(), "task" | "project")),
            key_only: self.key == "1",
            unconfirmed_only: self.unjudged == "1",
            unit_paths: None,
        }
    }

    fn base(&self, path: &str) -> String {
        query(
            path,
            &[
                ("color", &self.color),
                ("unit", &self.unit),
                ("kind", &self.kind),
                ("key", &self.key),
                ("unjudged", &self.unjudged),
            ],
        )
    }
}

fn org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

#[derive(Template)]
#[template(path = "supervision/cards.html")]
struct CardsPage {
    l: Layout,
    v: CardsView,
    m: String,
    q: CardQuery,
    pager: Pager,
    donut: String,
    bars: String,
    /// The query string of this page, to come back to after a judgement.
    back: String,
    error: Option<Notice>,
    colors: [&'static str; 3],
}

async fn render_cards(
    state: &AppState,
    user: &User,
    month: YearMonth,
    q: &CardQuery,
    error: Option<Notice>,
) -> Response {
    let m = month.to_string();
    let page = PageRequest::new(q.page.parse().ok(), Some(50));
    let v = match state
        .app
        .list_cards(user.caller(), org(user), &m, &q.filter(), page)
        .await
    {
        Ok(v) => v,
        Err(e) => return user.fail(e).into_response(),
    };
    let lang = user.lang;
    let path = format!("/months/{m}/cards");
    let base = q.base(&path);
    let donut = cards_donut(lang, lang.t("chart.by_color"), &v.totals);
    let bars = units_bars(lang, lang.t("chart.by_unit"), &v.by_unit, |u| {
        Some(format!("/months/{m}/cards?unit={u}"))
    });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut l = Layout::new(lang, Some(&user.identity), "card.page_title", &user.path)
        .with_notice(Some(q.ok.as_str()));
    l.title = format!("{m} {}", l.title);
    let back = user.path.clone();
    let page = CardsPage {
        l,
        pager: Pager::new(&v.cards, &base),
        v,
        m,
        q: q.clone(),
        donut,
        bars,
        back,
        error,
        colors: ["red", "yellow", "green"],
    };
    (status, render(&page)).into_response()
}

pub async fn cards(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    Query(q): Query<CardQuery>,
) -> Response {
    match month_of(&m) {
        Ok(month) => render_cards(&state, &user, month, &q, None).await,
        Err(e) => user.fail(e).into_response(),
    }
}

/// Where to go after a card action: back to the page it came from, if that is one of our
/// card pages (nothing else, so the field cannot send anyone elsewhere).
fn back(form: &FormData, fallback: &str) -> String {
    let b = form.get("back");
    let safe = b
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_?=&.%".contains(c));
    let ours = ["/months/", "/dashboard", "/tasks/", "/projects/"]
        .iter()
        .any(|p| b.starts_with(p));
    if safe && ours && !b.contains("//") {
        b.to_owned()
    } else {
        fallback.to_owned()
    }
}

fn with_ok(target: &str, ok: &str) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("ok="))
        .collect();
    let mut out = format!("{path}?ok={ok}");
    for kv in kept {
        out.push('&');
        out.push_str(kv);
    }
    out
}

async fn month_action(
    state: &AppState,
    user: &User,
    m: &str,
    ok: &str,
    result: Result<(), AppError>,
) -> Response {
    let month = match month_of(m) {
        Ok(x) => x,
        Err(e) => return user.fail(e).into_response(),
    };
    let done = format!("/months/{month}/cards?ok={ok}");
    let all = CardQuery::default();
    after_form(user, result, &done, |e| {
        let n = Notice::of(user.lang, &e);
        render_cards(state, user, month, &all, Some(n))
    })
    .await
}

pub async fn refresh(State(state): State<AppState>, user: User, Path(m): Path<String>) -> Response {
    let r = state
        .app
        .refresh_cards(user.caller(), org(&user), &m)
        .await
        .map(|_| ());
    month_action(&state, &user, &m, "card.refreshed", r).await
}

pub async fn confirm_all(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
) -> Response {
    let r = state
        .app
        .confirm_all_cards(user.caller(), org(&user), &m)
        .await
        .map(|_| ());
    month_action(&state, &user, &m, "card.confirmed_all", r).await
}

pub async fn publish(
    State(state): State<AppState>,
    user: User,
    Path(m): Path<String>,
    form: FormData,
) -> Response {
    match state
        .app
        .publish_cards(user.caller(), org(&user), &m, form.get("note"))
        .await
    {
        Ok(p) => see_other(&format!(
            "/publications/{}?ok=pub.published",
            p.publication_id
        )),
        Err(e) => month_action(&state, &user, &m, "", Err(e)).await,
    }
}

async fn card_action(
    state: &AppState,
    user: &User,
    form: &FormData,
    month: Option<String>,
    result: Result<(), AppError>,
) -> Response {
    let fallback = month.map_or_else(|| "/".to_owned(), |m| format!("/months/{m}/cards"));
    let target = back(form, &fallback);
    match result {
        Ok(()) => see_other(&with_ok(&target, "card.judged")),
        Err(e @ AppError::Invalid(_)) => {
            let n = Notice::of(user.lang, &e);
            match target
                .strip_prefix("/months/")
                .and_then(|rest| rest.split('/').next())
                .and_then(YearMonth::parse)
            {
                Some(month) => {
                    render_cards(state, user, month, &CardQuery::default(), Some(n)).await
                }
                None => user.fail(e).into_response(),
            }
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn judge(
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
        .judge_card(user.caller(), id, form.get("color"), form.get("reason"))
        .await;
    let month = r.as_ref().ok().map(|c| c.card.month.clone());
    card_action(&state, &user, &form, month, r.map(|_| ())).await
}

pub async fn concern(
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
        .set_card_concern(user.caller(), id, form.checked("concern"), form.get("note"))
        .await;
    let month = r.as_ref().ok().map(|c| c.card.month.clone());
    card_action(&state, &user, &form, month, r.map(|_| ())).await
}

// ---- publications ----

#[derive(Template)]
#[template(path = "supervision/publications.html")]
struct PublicationsPage {
    l: Layout,
    items: Vec<app::model::PublicationRow>,
    pager: Pager,
}

pub async fn publications(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<CardQuery>,
) -> Response {
    let page = PageRequest::new(q.page.parse().ok(), None);
    match state
        .app
        .list_publications(user.caller(), org(&user), None, page)
        .await
    {
        Ok(p) => render(&PublicationsPage {
            l: Layout::new(user.lang, Some(&user.identity), "pub.title", &user.path),
            pager: Pager::new(&p, "/publications"),
            items: p.items,
        }),
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "supervision/publication.html")]
struct PublicationPage {
    l: Layout,
    v: PublicationView,
    pager: Pager,
    color: String,
    bars: String,
    colors: [&'static str; 3],
}

pub async fn publication(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<CardQuery>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let colors: Vec<String> = q.filter().colors;
    let page = PageRequest::new(q.page.parse().ok(), Some(50));
    match state
        .app
        .get_publication(user.caller(), id, &colors, page)
        .await
    {
        Ok(v) => {
            let lang = user.lang;
            let bars = units_bars(lang, lang.t("chart.by_unit"), &v.by_unit, |_| None);
            let base = query(&format!("/publications/{id}"), &[("color", &q.color)]);
            let mut l = Layout::new(lang, Some(&user.identity), "pub.title", &user.path)
                .with_notice(Some(q.ok.as_str()));
            l.title = format!("{} {} #{}", v.publication.month, l.title, v.publication.seq);
            render(&PublicationPage {
                l,
                pager: Pager::new(&v.cards, &base),
                v,
                color: q.color.clone(),
                bars,
                colors: ["red", "yellow", "green"],
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- warnings ----

#[derive(Template)]
#[template(path = "supervision/warnings.html")]
struct WarningsPage {
    l: Layout,
    v: WarningsView,
    pager: Pager,
}

pub async fn warnings(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<CardQuery>,
) -> Response {
    let f = WarningFilter {
        year: q.year.parse().ok().filter(|y| (2000..=2200).contains(y)),
        ..Default::default()
    };
    let page = PageRequest::new(q.page.parse().ok(), None);
    match state
        .app
        .list_warnings(user.caller(), org(&user), &f, page)
        .await
    {
        Ok(v) => {
            let base = query("/warnings", &[("year", &v.year.to_string())]);
            render(&WarningsPage {
                l: Layout::new(user.lang, Some(&user.identity), "warning.title", &user.path),
                pager: Pager::new(&v.warnings, &base),
                v,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- settings ----

#[derive(Template)]
#[template(path = "supervision/card_rules.html")]
struct RulesPage {
    l: Layout,
    form: FormData,
    errors: FormErrors,
}

const RULE_FIELDS: [&str; 5] = [
    "lag_yellow_points",
    "lag_red_points",
    "near_deadline_days",
    "near_deadline_progress",
    "stale_days",
];

fn rules_form(r: &CardRules) -> FormData {
    let values = [
        r.lag_yellow_points,
        r.lag_red_points,
        r.near_deadline_days,
        r.near_deadline_progress,
        r.stale_days,
    ];
    FormData(
        RULE_FIELDS
            .iter()
            .zip(values)
            .map(|(k, v)| ((*k).to_owned(), v.to_string()))
            .collect(),
    )
}

fn may_set_rules(user: &User) -> bool {
    let o = OrganizationId(org(user));
    allowed(user, Action::Supervise { org: o }) || allowed(user, Action::ManagePlanning { org: o })
}

pub async fn rules(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<CardQuery>,
) -> Response {
    if !may_set_rules(&user) {
        return user.fail(AppError::Forbidden).into_response();
    }
    match state.app.card_rules(org(&user)).await {
        Ok(r) => render(&RulesPage {
            l: Layout::new(user.lang, Some(&user.identity), "rules.title", &user.path)
                .with_notice(Some(q.ok.as_str())),
            form: rules_form(&r),
            errors: FormErrors::new(user.lang),
        }),
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn set_rules(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let mut v = Validator::new();
    let mut n = |field: &str| {
        u32::try_from(int_or(&mut v, field, form.get(field), 0)).unwrap_or_else(|_| {
            v.fail(field, "out_of_range");
            0
        })
    };
    let rules = CardRules {
        lag_yellow_points: n("lag_yellow_points"),
        lag_red_points: n("lag_red_points"),
        near_deadline_days: n("near_deadline_days"),
        near_deadline_progress: n("near_deadline_progress"),
        stale_days: n("stale_days"),
    };
    let r = if v.is_ok() {
        state
            .app
            .set_card_rules(user.caller(), org(&user), rules)
            .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    match super::supervision::parsed(v, r) {
        Ok(()) => see_other("/settings/cards?ok=common.saved"),
        Err(e @ AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&RulesPage {
                l: Layout::new(user.lang, Some(&user.identity), "rules.title", &user.path),
                errors: FormErrors::from_app(user.lang, &e, &RULE_FIELDS),
                form,
            }),
        )
            .into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

// ---- display tokens ----

#[derive(Template)]
#[template(path = "supervision/displays.html")]
struct DisplaysPage {
    l: Layout,
    tokens: Vec<app::model::DisplayTokenRow>,
    /// A token just issued: shown once.
    issued: Option<String>,
    errors: FormErrors,
    name: String,
}

async fn render_displays(
    state: &AppState,
    user: &User,
    issued: Option<String>,
    failed: Option<(String, AppError)>,
    ok: Option<&str>,
) -> Response {
    let tokens = match state
        .app
        .list_display_tokens(user.caller(), org(user))
        .await
    {
        Ok(t) => t,
        Err(e) => return user.fail(e).into_response(),
    };
    let (name, errors, status) = match failed {
        Some((n, e)) => (
            n,
            FormErrors::from_app(user.lang, &e, &["name"]),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (String::new(), FormErrors::new(user.lang), StatusCode::OK),
    };
    (
        status,
        render(&DisplaysPage {
            l: Layout::new(user.lang, Some(&user.identity), "display.title", &user.path)
                .with_notice(ok),
            tokens,
            issued,
            errors,
            name,
        }),
    )
        .into_response()
}

pub async fn displays(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<CardQuery>,
) -> Response {
    render_displays(&state, &user, None, None, Some(q.ok.as_str())).await
}

pub async fn create_display(State(state): State<AppState>, user: User, form: FormData) -> Response {
    match state
        .app
        .create_display_token(user.caller(), org(&user), form.get("name"))
        .await
    {
        Ok((_, token)) => render_displays(&state, &user, Some(token), None, None).await,
        Err(e @ AppError::Invalid(_)) => {
            render_displays(
                &state,
                &user,
                None,
                Some((form.get("name").to_owned(), e)),
                None,
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn revoke_display(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state.app.revoke_display_token(user.caller(), id).await {
        Ok(()) => see_other("/displays?ok=display.revoked"),
        Err(e) => user.fail(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgements_go_back_only_to_our_own_pages() {
        let form = |b: &str| FormData(vec![("back".into(), b.into())]);
        let fallback = "/months/2026-11/cards";
        assert_eq!(
            back(&form("/months/2026-11/cards?color=red&page=2"), fallback),
            "/months/2026-11/cards?color=red&page=2"
        );
        assert_eq!(back(&form("/dashboard"), fallback), "/dashboard");
        for evil in [
            "//evil.example/",
            "/\\evil.example",
            "/\tevil",
            "https://evil.example/",
            "/months/../../x\r\nSet-Cookie: a=b",
            "/login",
            "",
        ] {
            assert_eq!(back(&form(evil), fallback), fallback, "{evil:?}");
        }
        assert_eq!(
            with_ok("/months/2026-11/cards?ok=x&color=red", "card.judged"),
            "/months/2026-11/cards?ok=card.judged&color=red"
        );
    }
}
