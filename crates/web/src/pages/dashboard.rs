//! `/dashboard`: what needs the caller's attention this month — for the supervisor the whole
//! organization, for a leader the units they lead, for a unit head their unit: yellow and red
//! cards, tasks without an update, overdue follow-ups, open coordination requests, with the
//! charts drawn on the server.

use app::Dashboard;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::plan::YearMonth;
use serde::Deserialize;

use super::charts::{cards_donut, units_bars};
use super::layout::{Layout, render};
use super::plan::PlanText;
use crate::AppState;
use crate::session::User;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashQuery {
    pub month: String,
}

#[derive(Template)]
#[template(path = "supervision/dashboard.html")]
struct DashboardPage {
    l: Layout,
    d: Dashboard,
    m: String,
    prev: String,
    next: String,
    donut: String,
    bars: String,
}

pub async fn dashboard(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<DashQuery>,
) -> Response {
    let month = YearMonth::parse(&q.month).unwrap_or_else(|| YearMonth::of(state.app.today()));
    let org = user.identity.actor.organization_id.0;
    let d = match state
        .app
        .dashboard(user.caller(), org, &month.to_string())
        .await
    {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let lang = user.lang;
    let m = month.to_string();
    let donut = cards_donut(lang, lang.t("chart.by_color"), &d.totals);
    let bars = units_bars(lang, lang.t("chart.by_unit"), &d.by_unit, |u| {
        Some(format!("/months/{m}/cards?unit={u}"))
    });
    render(&DashboardPage {
        l: Layout::new(lang, Some(&user.identity), "dash.title", &user.path),
        prev: month.prev().to_string(),
        next: month.next().to_string(),
        m,
        d,
        donut,
        bars,
    })
}
