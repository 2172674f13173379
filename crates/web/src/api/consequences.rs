//! API of the consequences (四个结合): the year's rule set, the month's scores and withholding
//! list, one unit's score entry by entry, and the accountability ladder's cases with the
//! discipline office's decision. Each handler calls the same use case as its page.

use app::model::{CaseFilter, CaseRow, EntryRow, UnitScoreRow};
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use domain::consequences::{DecisionInput, Points, RuleSet, RuleSetInput};
use domain::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

fn org(user: &ApiUser) -> i64 {
    user.identity.actor.organization_id.0
}

fn id(user: &ApiUser, raw: &str) -> Result<i64, ApiError> {
    crate::pages::parse_id(raw).map_err(|e| user.fail(e))
}

fn pts(p: i64) -> String {
    Points(p).to_string()
}

// ---- rules ----

/// A year's rules. Points are decimal strings with at most two decimals ("2.50").
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub annual_weight: String,
    pub month_points: String,
    pub unsigned_deduction: String,
    pub highlight_bonus: String,
    pub red_card_deduction: String,
    pub withhold_bonus_when_unsigned: bool,
    pub rectification_days: String,
    pub excellent_percent: String,
    pub good_percent: String,
    pub pass_percent: String,
}

impl From<&RuleSet> for Rules {
    fn from(r: &RuleSet) -> Self {
        let i = RuleSetInput::from(r);
        Rules {
            annual_weight: i.annual_weight,
            month_points: i.month_points,
            unsigned_deduction: i.unsigned_deduction,
            highlight_bonus: i.highlight_bonus,
            red_card_deduction: i.red_card_deduction,
            withhold_bonus_when_unsigned: i.withhold_bonus_when_unsigned,
            rectification_days: i.rectification_days,
            excellent_percent: i.excellent_percent,
            good_percent: i.good_percent,
            pass_percent: i.pass_percent,
        }
    }
}

impl From<Rules> for RuleSetInput {
    fn from(r: Rules) -> Self {
        RuleSetInput {
            annual_weight: r.annual_weight,
            month_points: r.month_points,
            unsigned_deduction: r.unsigned_deduction,
            highlight_bonus: r.highlight_bonus,
            red_card_deduction: r.red_card_deduction,
            withhold_bonus_when_unsigned: r.withhold_bonus_when_unsigned,
            rectification_days: r.rectification_days,
            excellent_percent: r.excellent_percent,
            good_percent: r.good_percent,
            pass_percent: r.pass_percent,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleSetOut {
    pub year: i32,
    /// `null` while the defaults apply.
    pub version: Option<i32>,
    pub rules: Rules,
    /// Every saved version, newest first.
    pub versions: Vec<RuleVersion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleVersion {
    pub version: i32,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

async fn rules_out(s: &AppState, user: &ApiUser, year: i32) -> ApiResult<RuleSetOut> {
    let v = s
        .app
        .rules(user.caller(), org(user), year)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(RuleSetOut {
        year,
        version: v.version,
        rules: Rules::from(&v.rules),
        versions: v
            .versions
            .into_iter()
            .map(|r| RuleVersion {
                version: r.version,
                created_by: r.creator_name,
                created_at: r.created_at,
            })
            .collect(),
    }))
}

fn year(user: &ApiUser, raw: &str) -> Result<i32, ApiError> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| user.fail(app::AppError::field("year", "out_of_range")))
}

#[utoipa::path(get, path = "/rules/{year}", tag = "consequences", params(("year" = i32, Path)),
    responses((status = 200, body = RuleSetOut), (status = 403, body = ErrorBody)))]
pub async fn get_rules(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<RuleSetOut> {
    let y = year(&user, &raw)?;
    rules_out(&s, &user, y).await
}

#[utoipa::path(put, path = "/rules/{year}", tag = "consequences", params(("year" = i32, Path)),
    request_body = Rules,
    responses((status = 200, body = RuleSetOut), (status = 403, body = ErrorBody),
        (status = 422, description = "a field not a number, out of range, `exceeds_annual_weight`, `thresholds_out_of_order`", body = ErrorBody)))]
pub async fn put_rules(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<Rules>,
) -> ApiResult<RuleSetOut> {
    let y = year(&user, &raw)?;
    s.app
        .save_rules(user.caller(), org(&user), y, &b.into())
        .await
        .map_err(|e| user.fail(e))?;
    rules_out(&s, &user, y).await
}

// ---- scores ----

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitScore {
    pub unit_id: i64,
    pub unit_name: String,
    /// The month's score ("2.30").
    pub points: String,
    pub deductions: String,
    pub bonuses: String,
    /// Tasks left unsigned.
    pub unsigned: i64,
    /// The month's target bonus is withheld (扣发).
    pub withheld: bool,
}

impl From<UnitScoreRow> for UnitScore {
    fn from(r: UnitScoreRow) -> Self {
        UnitScore {
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            points: pts(r.points),
            deductions: pts(r.deductions),
            bonuses: pts(r.bonuses),
            unsigned: r.unsigned,
            withheld: r.withheld,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreEntry {
    pub id: i64,
    /// month_points, unsigned_task, red_card, highlight, floor, bonus_withheld
    pub rule: String,
    pub points: String,
    /// month, task, card or highlight
    pub event_kind: String,
    pub event_id: Option<i64>,
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
}

impl From<EntryRow> for ScoreEntry {
    fn from(e: EntryRow) -> Self {
        ScoreEntry {
            id: e.id,
            rule: e.rule,
            points: pts(e.points),
            event_kind: e.event_kind,
            event_id: e.event_id,
            task_id: e.task_id,
            task_title: e.task_title,
            person_id: e.person_id,
            person_name: e.person_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitMonthScore {
    pub unit_id: i64,
    pub unit_name: String,
    pub month: String,
    /// Whether the month has been closed and scored.
    pub scored: bool,
    pub total: String,
    pub withheld: bool,
    pub rule_set_version: Option<i32>,
    pub entries: Vec<ScoreEntry>,
}

page_type!(ScorePage => UnitScore, CasePage => Case);

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ScoreParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Only the units whose target bonus is withheld (the performance office's list).
    pub withheld: Option<bool>,
}

#[utoipa::path(get, path = "/months/{month}/scores", tag = "consequences",
    params(("month" = String, Path, description = "`YYYY-MM`"), ScoreParams),
    responses((status = 200, body = ScorePage), (status = 403, body = ErrorBody),
        (status = 422, description = "`invalid_month`", body = ErrorBody)))]
pub async fn month_scores(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiQuery(q): ApiQuery<ScoreParams>,
) -> ApiResult<ScorePage> {
    let p = s
        .app
        .month_scores(
            user.caller(),
            org(&user),
            &month,
            q.withheld.unwrap_or(false),
            PageRequest::new(q.page, q.per_page),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[utoipa::path(get, path = "/units/{id}/scores/{month}", tag = "consequences",
    params(("id" = i64, Path), ("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = UnitMonthScore), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unit_score(
    State(s): State<AppState>,
    user: ApiUser,
    Path((raw, month)): Path<(String, String)>,
) -> ApiResult<UnitMonthScore> {
    let unit = id(&user, &raw)?;
    let v = s
        .app
        .unit_score(user.caller(), unit, &month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(UnitMonthScore {
        unit_id: v.unit_id,
        unit_name: v.unit_name,
        month: v.month.to_string(),
        scored: v.scored,
        total: v.total.to_string(),
        withheld: v.withheld,
        rule_set_version: v.rule_set_version,
        entries: v.entries.into_iter().map(Into::into).collect(),
    }))
}

// ---- cases ----

#[derive(Debug, Serialize, ToSchema)]
pub struct Case {
    pub id: i64,
    /// The month whose close proposed it.
    pub month: String,
    pub task_id: i64,
    pub task_title: String,
    pub continuation_id: Option<i64>,
    pub unit_id: i64,
    pub unit_name: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    /// rectification_order, admonishment or referral
    pub step: String,
    pub months_unfinished: i32,
    /// The rectification order's deadline.
    pub deadline: Option<String>,
    /// proposed or decided
    pub status: String,
    pub verification: Option<String>,
    /// none, admonishment, reassignment, suspension, ordered_resignation, dismissal
    pub sanction: Option<String>,
    pub reasons: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<CaseRow> for Case {
    fn from(k: CaseRow) -> Self {
        Case {
            id: k.id,
            month: k.month,
            task_id: k.task_id,
            task_title: k.task_title,
            continuation_id: k.continuation_id,
            unit_id: k.unit_id,
            unit_name: k.unit_name,
            person_id: k.person_id,
            person_name: k.person_name,
            step: k.step,
            months_unfinished: k.months_unfinished,
            deadline: k.deadline,
            status: k.status,
            verification: k.verification,
            sanction: k.sanction,
            reasons: k.reasons,
            decided_at: k.decided_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CaseParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// `YYYY-MM`: the month whose close proposed it.
    pub month: Option<String>,
    /// rectification_order, admonishment or referral
    pub step: Option<String>,
    /// proposed or decided
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/cases", tag = "consequences", params(CaseParams),
    responses((status = 200, body = CasePage, description = "only the cases the caller is entitled to"), (status = 422, body = ErrorBody)))]
pub async fn list_cases(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<CaseParams>,
) -> ApiResult<CasePage> {
    let keep = |v: Option<String>| v.filter(|x| !x.trim().is_empty());
    let f = CaseFilter {
        month: keep(q.month),
        step: keep(q.step),
        status: keep(q.status),
    };
    let p = s
        .app
        .list_cases(
            user.caller(),
            org(&user),
            &f,
            PageRequest::new(q.page, q.per_page),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[utoipa::path(get, path = "/cases/{id}", tag = "consequences", params(("id" = i64, Path)),
    responses((status = 200, body = Case), (status = 404, body = ErrorBody, description = "no such case, or not one the caller is entitled to")))]
pub async fn get_case(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Case> {
    let k = id(&user, &raw)?;
    let v = s
        .app
        .get_case(user.caller(), k)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(v.case.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    pub verification: String,
    /// none, admonishment, reassignment, suspension, ordered_resignation, dismissal
    pub sanction: String,
    pub reasons: String,
}

#[utoipa::path(post, path = "/cases/{id}/decision", tag = "consequences", params(("id" = i64, Path)),
    request_body = NewDecision,
    responses((status = 200, body = Case), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "a field missing or invalid, `case_decided`", body = ErrorBody)))]
pub async fn decide_case(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewDecision>,
) -> ApiResult<Case> {
    let k = id(&user, &raw)?;
    let input = DecisionInput {
        verification: b.verification,
        sanction: b.sanction,
        reasons: b.reasons,
    };
    s.app
        .decide_case(user.caller(), k, &input)
        .await
        .map_err(|e| user.fail(e))?;
    let v = s
        .app
        .get_case(user.caller(), k)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(v.case.into()))
}

// ---- awards ----

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardPlace {
    /// The unit's or the person's id.
    pub id: i64,
    pub name: String,
    /// 1-based among the eligible; `null` when not eligible.
    pub rank: Option<u32>,
    /// first, second (late completion) or disqualified (a task left unsigned)
    pub tier: String,
    pub planned: u32,
    pub signed_off: u32,
    pub on_time: u32,
    pub highlights: u32,
    pub red_cards: u32,
    pub points: String,
    /// Codes: all_on_time, late, unsigned, nothing_planned, highlights, red_cards.
    pub reasons: Vec<String>,
    pub selected: bool,
}

impl From<app::Place> for AwardPlace {
    fn from(p: app::Place) -> Self {
        AwardPlace {
            id: p.id,
            name: p.name,
            rank: p.rank,
            tier: p.tier.as_str().to_owned(),
            planned: p.record.planned,
            signed_off: p.record.signed_off,
            on_time: p.record.on_time,
            highlights: p.record.highlights,
            red_cards: p.record.red_cards,
            points: p.record.points.to_string(),
            reasons: p.reasons.iter().map(|r| r.code().to_owned()).collect(),
            selected: p.selected,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Award {
    pub id: i64,
    /// star_unit or star_person
    pub kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub citation: String,
    pub selected_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Awards {
    pub month: String,
    pub closed: bool,
    /// The last month counted (`YYYY-MM`): the month itself, or a year's last closed month.
    pub through: Option<String>,
    /// The first 50 places.
    pub units: Vec<AwardPlace>,
    pub units_total: usize,
    pub persons: Vec<AwardPlace>,
    pub persons_total: usize,
    pub awards: Vec<Award>,
}

async fn awards_of(s: &AppState, user: &ApiUser, month: &str) -> ApiResult<Awards> {
    let v = s
        .app
        .awards(user.caller(), org(user), month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Awards {
        month: v.period,
        closed: v.closed,
        through: v.through,
        units: v.units.into_iter().map(Into::into).collect(),
        units_total: v.units_total,
        persons: v.persons.into_iter().map(Into::into).collect(),
        persons_total: v.persons_total,
        awards: v
            .awards
            .into_iter()
            .map(|a| Award {
                id: a.id,
                kind: a.kind,
                subject_id: a.subject_id,
                subject_name: a.subject_name,
                citation: a.citation,
                selected_at: a.selected_at,
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/months/{month}/awards", tag = "consequences",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = Awards), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_awards(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<Awards> {
    awards_of(&s, &user, &month).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAward {
    /// star_unit or star_person for a month; annual_unit or annual_person for a year
    pub kind: String,
    pub subject_id: i64,
    pub citation: String,
}

#[utoipa::path(post, path = "/months/{month}/awards", tag = "consequences",
    params(("month" = String, Path, description = "`YYYY-MM`")), request_body = NewAward,
    responses((status = 200, body = Awards), (status = 403, body = ErrorBody),
        (status = 422, description = "`month_not_closed`, `disqualified`, `not_ranked`, `already_taken`, a missing citation", body = ErrorBody)))]
pub async fn select_award(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiJson(b): ApiJson<NewAward>,
) -> ApiResult<Awards> {
    s.app
        .select_award(
            user.caller(),
            org(&user),
            &month,
            &b.kind,
            b.subject_id,
            &b.citation,
        )
        .await
        .map_err(|e| user.fail(e))?;
    awards_of(&s, &user, &month).await
}

// ---- statistics ----

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// `YYYY-MM`, the first month.
    pub from: String,
    /// `YYYY-MM`, the last month.
    pub to: String,
    pub unit: Option<i64>,
    pub leader: Option<i64>,
    pub person: Option<i64>,
    /// Include the organizations below the caller's (a city's zones).
    pub below: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsLine {
    /// `YYYY-MM`, or empty for the total.
    pub month: String,
    pub planned: u32,
    pub signed_off: u32,
    /// "95.0%", or "—" with nothing planned.
    pub completion: String,
    pub carried_over: u32,
    pub published: u32,
    pub warnings: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    pub from: String,
    pub to: String,
    pub months: u32,
    pub organizations: usize,
    pub subject: Option<String>,
    pub planned: u32,
    /// Planned a month ("77.6").
    pub monthly_average: String,
    pub signed_off: u32,
    pub completion: String,
    pub carried_over: u32,
    /// Distinct items published with a card over the period.
    pub published: u32,
    pub warnings: u32,
    /// Distinct persons held accountable; null for a caller who may not see the confidential
    /// cases behind the number.
    pub accountable: Option<u32>,
    pub by_month: Vec<StatsLine>,
}

#[utoipa::path(get, path = "/statistics", tag = "consequences", params(StatsParams),
    responses((status = 200, body = Statistics), (status = 403, body = ErrorBody),
        (status = 422, description = "`invalid_month`, `before_from`, `period_too_long`, `one_subject_only`", body = ErrorBody)))]
pub async fn statistics(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<StatsParams>,
) -> ApiResult<Statistics> {
    let v = s
        .app
        .statistics(
            user.caller(),
            org(&user),
            &app::StatsQuery {
                from: q.from,
                to: q.to,
                unit: q.unit,
                leader: q.leader,
                person: q.person,
                below: q.below.unwrap_or(false),
            },
        )
        .await
        .map_err(|e| user.fail(e))?;
    let t = v.totals;
    Ok(Json(Statistics {
        from: v.period.from.to_string(),
        to: v.period.to.to_string(),
        months: t.months,
        organizations: v.organizations,
        subject: v.subject,
        planned: t.figures.planned,
        monthly_average: t.monthly_average_text(),
        signed_off: t.figures.signed_off,
        completion: t.figures.completion_text(),
        carried_over: t.carried_over,
        published: t.published,
        warnings: t.warnings,
        accountable: t.accountable,
        by_month: v
            .lines
            .iter()
            .map(|l| StatsLine {
                month: l.month.to_string(),
                planned: l.figures.planned,
                signed_off: l.figures.signed_off,
                completion: l.figures.completion_text(),
                carried_over: l.carried_over,
                published: l.published,
                warnings: l.warnings,
            })
            .collect(),
    }))
}

// ---- a person's record ----

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordYear {
    pub year: i32,
    pub planned: u32,
    pub signed_off: u32,
    pub on_time: u32,
    pub carried_over: u32,
    pub key_done: u32,
    pub highlights: u32,
    pub stars: u32,
    pub red_cards: u32,
    pub warnings: u32,
    pub sanctions: u32,
    pub completion: String,
    pub on_time_rate: String,
}

impl From<domain::cadre::YearRecord> for RecordYear {
    fn from(y: domain::cadre::YearRecord) -> Self {
        RecordYear {
            completion: y.completion_text(),
            on_time_rate: y.on_time_text(),
            year: y.year,
            planned: y.planned,
            signed_off: y.signed_off,
            on_time: y.on_time,
            carried_over: y.carried_over,
            key_done: y.key_done,
            highlights: y.highlights,
            stars: y.stars,
            red_cards: y.red_cards,
            warnings: y.warnings,
            sanctions: y.sanctions,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CadreRecord {
    pub person_id: i64,
    pub name: String,
    pub unit_name: Option<String>,
    /// Oldest first.
    pub years: Vec<RecordYear>,
    /// The years summed (its `year` is 0).
    pub total: RecordYear,
}

#[utoipa::path(get, path = "/people/{id}/record", tag = "consequences", params(("id" = i64, Path)),
    responses((status = 200, body = CadreRecord), (status = 403, body = ErrorBody, description = "only the person, the director and the leading group"), (status = 404, body = ErrorBody)))]
pub async fn cadre_record(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<CadreRecord> {
    let p = id(&user, &raw)?;
    let v = s
        .app
        .cadre_record(user.caller(), p)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(CadreRecord {
        person_id: v.person_id,
        name: v.name,
        unit_name: v.unit_name,
        years: v.years.into_iter().map(Into::into).collect(),
        total: v.total.into(),
    }))
}

// ---- scoring a closed month again ----

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreChangeOut {
    pub unit_id: i64,
    pub unit_name: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recompute {
    pub month: String,
    /// The rules' version it applies (`null`: the defaults); send it back to apply.
    pub version: Option<i32>,
    /// The month was scored with these very rules.
    pub same_rules: bool,
    pub changes: Vec<ScoreChangeOut>,
}

impl From<app::RecomputePreview> for Recompute {
    fn from(p: app::RecomputePreview) -> Self {
        Recompute {
            month: p.month.to_string(),
            version: p.version,
            same_rules: p.same_rules,
            changes: p
                .changes
                .into_iter()
                .map(|c| ScoreChangeOut {
                    unit_id: c.unit_id,
                    unit_name: c.unit_name,
                    before: c.before.to_string(),
                    after: c.after.to_string(),
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/months/{month}/recompute", tag = "consequences",
    params(("month" = String, Path, description = "`YYYY-MM`, a closed month")),
    responses((status = 200, body = Recompute, description = "what scoring the month again would change; nothing is applied"),
        (status = 403, body = ErrorBody), (status = 422, description = "`month_not_closed`", body = ErrorBody)))]
pub async fn recompute_preview(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
) -> ApiResult<Recompute> {
    let p = s
        .app
        .recompute_preview(user.caller(), org(&user), &month)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRecompute {
    /// The version the preview showed (`null` for the defaults).
    pub version: Option<i32>,
}

#[utoipa::path(post, path = "/months/{month}/recompute", tag = "consequences",
    params(("month" = String, Path, description = "`YYYY-MM`")), request_body = ApplyRecompute,
    responses((status = 200, body = Recompute, description = "applied, audited"), (status = 403, body = ErrorBody),
        (status = 422, description = "`rules_changed` since the preview, `month_not_closed`", body = ErrorBody)))]
pub async fn recompute(
    State(s): State<AppState>,
    user: ApiUser,
    Path(month): Path<String>,
    ApiJson(b): ApiJson<ApplyRecompute>,
) -> ApiResult<Recompute> {
    let p = s
        .app
        .recompute_month(user.caller(), org(&user), &month, b.version)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(p.into()))
}

// ---- the year's scores ----

#[derive(Debug, Serialize, ToSchema)]
pub struct YearScoreOut {
    pub unit_id: i64,
    pub unit_name: String,
    pub points: String,
    pub months: i64,
    /// excellent, good, pass or fail, against what the closed months were worth
    pub grade: String,
}

impl From<app::YearScore> for YearScoreOut {
    fn from(r: app::YearScore) -> Self {
        YearScoreOut {
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            points: r.points.to_string(),
            months: r.months,
            grade: r.grade.as_str().to_owned(),
        }
    }
}

page_type!(YearScorePage => YearScoreOut);

#[utoipa::path(get, path = "/scores/{year}", tag = "consequences",
    params(("year" = i32, Path), ("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, body = YearScorePage), (status = 403, body = ErrorBody)))]
pub async fn year_scores(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiQuery(q): ApiQuery<PageOnly>,
) -> ApiResult<YearScorePage> {
    let y = year(&user, &raw)?;
    let v = s
        .app
        .year_scores(
            user.caller(),
            org(&user),
            y,
            PageRequest::new(q.page, q.per_page),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(v.page.into()))
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PageOnly {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[utoipa::path(get, path = "/awards/{year}", tag = "consequences",
    params(("year" = String, Path, description = "`YYYY`")),
    responses((status = 200, body = Awards, description = "the year's ranking and its commendations"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_annual_awards(
    State(s): State<AppState>,
    user: ApiUser,
    Path(year): Path<String>,
) -> ApiResult<Awards> {
    awards_of(&s, &user, &year).await
}

#[utoipa::path(post, path = "/awards/{year}", tag = "consequences",
    params(("year" = String, Path, description = "`YYYY`")), request_body = NewAward,
    responses((status = 200, body = Awards), (status = 403, body = ErrorBody),
        (status = 422, description = "`month_not_closed` (no closed month in the year), `disqualified`, `not_ranked`, `already_taken`, a kind that is not annual", body = ErrorBody)))]
pub async fn select_annual_award(
    State(s): State<AppState>,
    user: ApiUser,
    Path(year): Path<String>,
    ApiJson(b): ApiJson<NewAward>,
) -> ApiResult<Awards> {
    s.app
        .select_award(
            user.caller(),
            org(&user),
            &year,
            &b.kind,
            b.subject_id,
            &b.citation,
        )
        .await
        .map_err(|e| user.fail(e))?;
    awards_of(&s, &user, &year).await
}
