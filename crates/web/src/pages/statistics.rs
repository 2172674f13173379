//! The statistics page (统计): any period, the organization (with its zones), a unit, a leader
//! or a person; the totals, the month-by-month table, a trend chart and a comparison chart
//! drawn on the server as SVG, and the same figures as XLSX.

use app::{AppError, StatsQuery, StatsView};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docs::charts::{BarRow, LineChart, LineSeries, Series, StackedBars, line_chart, stacked_bars};
use serde::Deserialize;

use super::layout::{Layout, query, render};
use super::plan::Notice;
use super::signoff::{XLSX, download};
use crate::AppState;
use crate::i18n::Lang;
use crate::session::User;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StatsParams {
    pub from: String,
    pub to: String,
    pub unit: String,
    pub leader: String,
    pub person: String,
    pub below: String,
}

/// How many units or organizations the comparison chart shows.
const COMPARED: usize = 30;

impl StatsParams {
    /// The query, with this year so far when no period is given.
    fn query(&self, today: chrono::NaiveDate) -> StatsQuery {
        let this = domain::plan::YearMonth::of(today);
        let or = |s: &str, d: String| {
            if s.trim().is_empty() {
                d
            } else {
                s.trim().to_owned()
            }
        };
        let id = |s: &str| s.trim().parse::<i64>().ok().filter(|n| *n > 0);
        StatsQuery {
            from: or(&self.from, format!("{}-01", this.year)),
            to: or(&self.to, this.to_string()),
            unit: id(&self.unit),
            leader: id(&self.leader),
            person: id(&self.person),
            below: self.below == "1",
        }
    }

    fn link(&self, q: &StatsQuery, base: &str) -> String {
        query(
            base,
            &[
                ("from", &q.from),
                ("to", &q.to),
                ("unit", &self.unit),
                ("leader", &self.leader),
                ("person", &self.person),
                ("below", &self.below),
            ],
        )
    }
}

fn org(user: &User) -> i64 {
    user.identity.actor.organization_id.0
}

fn trend(lang: Lang, v: &StatsView) -> String {
    let x: Vec<String> = v.lines.iter().map(|l| l.month.to_string()).collect();
    line_chart(&LineChart {
        title: lang.t("stats.trend").to_owned(),
        x_labels: x,
        series: vec![
            LineSeries {
                label: lang.t("stats.planned").to_owned(),
                color: "#1f5fa8".into(),
                values: v
                    .lines
                    .iter()
                    .map(|l| Some(f64::from(l.figures.planned)))
                    .collect(),
            },
            LineSeries {
                label: lang.t("stats.signed_off").to_owned(),
                color: "#2e7d32".into(),
                values: v
                    .lines
                    .iter()
                    .map(|l| Some(f64::from(l.figures.signed_off)))
                    .collect(),
            },
        ],
        y_max: None,
        y_suffix: String::new(),
        empty_text: lang.t("stats.empty").to_owned(),
    })
}

fn comparison(lang: Lang, v: &StatsView) -> String {
    stacked_bars(&StackedBars {
        title: lang
            .t(if v.by_org {
                "stats.by_org"
            } else {
                "stats.by_unit"
            })
            .to_owned(),
        series: vec![
            Series {
                label: lang.t("stats.signed_off").to_owned(),
                color: "#2e7d32".into(),
            },
            Series {
                label: lang.t("stats.unsigned").to_owned(),
                color: "#c0392b".into(),
            },
        ],
        rows: v
            .compared
            .iter()
            .take(COMPARED)
            .map(|c| BarRow {
                label: c.name.clone(),
                values: vec![
                    u64::from(c.figures.signed_off),
                    u64::from(c.figures.planned - c.figures.signed_off.min(c.figures.planned)),
                ],
                href: None,
            })
            .collect(),
        empty_text: lang.t("stats.empty").to_owned(),
    })
}

#[derive(Template)]
#[template(path = "statistics/statistics.html")]
struct StatsPage {
    l: Layout,
    p: StatsParams,
    from: String,
    to: String,
    v: Option<StatsView>,
    trend: String,
    bars: String,
    xlsx: String,
    notice: Option<Notice>,
    has_children: bool,
}

/// `GET /statistics`.
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<StatsParams>,
) -> Response {
    let q = p.query(state.app.today());
    let r = state.app.statistics(user.caller(), org(&user), &q).await;
    let (v, notice, status) = match r {
        Ok(v) => (Some(v), None, StatusCode::OK),
        Err(e @ AppError::Invalid(_)) => (
            None,
            Some(Notice::of(user.lang, &e)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return user.fail(e).into_response(),
    };
    let (trend, bars) = match &v {
        Some(v) => (trend(user.lang, v), comparison(user.lang, v)),
        None => (String::new(), String::new()),
    };
    let l = Layout::new(user.lang, Some(&user.identity), "stats.title", &user.path);
    (
        status,
        render(&StatsPage {
            l,
            xlsx: p.link(&q, "/statistics.xlsx"),
            from: q.from.clone(),
            to: q.to.clone(),
            has_children: !user.identity.actor.descendant_orgs.is_empty(),
            p,
            v,
            trend,
            bars,
            notice,
        }),
    )
        .into_response()
}

/// `GET /statistics.xlsx`: the same figures as a workbook.
pub async fn xlsx(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<StatsParams>,
) -> Response {
    let q = p.query(state.app.today());
    match state.app.statistics(user.caller(), org(&user), &q).await {
        Ok(v) => {
            let title = format!(
                "{}{}至{}预安销号统计",
                v.subject
                    .as_deref()
                    .unwrap_or(&user.identity.organization_name),
                v.period.from,
                v.period.to
            );
            match docs::write_statistics_xlsx(&title, &v.lines, &v.totals) {
                Ok(bytes) => download(&format!("{title}.xlsx"), XLSX, bytes),
                Err(e) => user.fail(AppError::Internal(e.to_string())).into_response(),
            }
        }
        Err(e) => user.fail(e).into_response(),
    }
}
