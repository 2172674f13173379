//! Use cases of the cards (红黄绿牌): the organization's thresholds, bringing a month's cards up
//! to date (once a day on first view, or on demand), the supervisor's confirmation or override,
//! publication (公示) with its warnings (警示), the display screen (电子屏) and the dashboards.
//!
//! A card's colour comes from `domain::cards::compute`; this module only gathers the facts,
//! keeps the supervisor's judgement and writes the result.

use std::collections::HashMap;

use domain::cards::{
    Card, CardColor, CardInput, CardRules, Judgement, Subject, compute, confirmation_stands,
};
use domain::page::{Page, PageRequest};
use domain::plan::{Phase, TaskStatus, YearMonth, parse_date};
use domain::policy::{Action, Visibility};
use domain::supervision::{ProjectFacts, project_card_input};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::Ex;
use store::cards::{
    CardFilter, CardRow, CardState, CardWrite, DisplayTokenRow, PublicationRow, PublishedCard,
    WarningFilter, WarningRow,
};
use store::supervision::{CoordinationFilter, FindingSubject, FollowUpFilter, FollowUpRow};

use crate::org_id;
use crate::{App, AppError, Caller, Result};

/// One rule that fired, as stored with the card and shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardReason {
    pub rule: String,
    pub color: String,
    pub figures: Vec<(String, String)>,
}

fn reasons_json(card: &Card) -> String {
    let v: Vec<CardReason> = card
        .reasons
        .iter()
        .map(|r| CardReason {
            rule: r.rule.to_owned(),
            color: r.color.as_str().to_owned(),
            figures: r
                .figures
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        })
        .collect();
    serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())
}

/// The reasons of a stored card (an unreadable value reads as none).
pub fn parse_reasons(raw: &str) -> Vec<CardReason> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// A card as listed: the row and its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    pub card: CardRow,
    pub reasons: Vec<CardReason>,
    /// Judged by a supervisor (confirmed as it stands, or overridden).
    pub judged: bool,
}

impl From<CardRow> for CardView {
    fn from(card: CardRow) -> Self {
        CardView {
            reasons: parse_reasons(&card.reasons),
            judged: card.overridden || card.confirmed_as.is_some(),
            card,
        }
    }
}

/// Counts by colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ColorCounts {
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
}

impl ColorCounts {
    fn add(&mut self, color: &str, n: i64) {
        match color {
            "red" => self.red += n,
            "yellow" => self.yellow += n,
            _ => self.green += n,
        }
    }

    pub fn total(&self) -> i64 {
        self.green + self.yellow + self.red
    }
}

/// One unit's counts by colour.
#[derive(Debug, Clone, Serialize)]
pub struct UnitCounts {
    pub unit_id: i64,
    pub unit_name: String,
    pub counts: ColorCounts,
}

fn by_unit(rows: &[(i64, String, String, i64)]) -> (Vec<UnitCounts>, ColorCounts) {
    let mut out: Vec<UnitCounts> = Vec::new();
    let mut total = ColorCounts::default();
    for (unit, name, color, n) in rows {
        total.add(color, *n);
        match out.iter_mut().find(|u| u.unit_id == *unit) {
            Some(u) => u.counts.add(color, *n),
            None => {
                let mut c = ColorCounts::default();
                c.add(color, *n);
                out.push(UnitCounts {
                    unit_id: *unit,
                    unit_name: name.clone(),
                    counts: c,
                });
            }
        }
    }
    (out, total)
}

/// The cards page: the month's cards and what the caller may do with them.
#[derive(Debug, Clone, Serialize)]
pub struct CardsView {
    pub month: YearMonth,
    pub phase: Phase,
    pub cards: Page<CardView>,
    pub totals: ColorCounts,
    pub by_unit: Vec<UnitCounts>,
    /// Key cards no supervisor has judged yet (publication waits for them).
    pub unjudged_key: i64,
    pub computed_on: Option<String>,
    pub can_supervise: bool,
    pub publications: Vec<PublicationRow>,
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RefreshReport {
    pub computed: u64,
    pub changed: u64,
}

/// A publication with (a page of) its cards and its counts.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationView {
    pub publication: PublicationRow,
    pub cards: Page<PublishedCardView>,
    pub by_unit: Vec<UnitCounts>,
    pub warnings: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublishedCardView {
    pub card: PublishedCard,
    pub reasons: Vec<CardReason>,
}

impl From<PublishedCard> for PublishedCardView {
    fn from(card: PublishedCard) -> Self {
        PublishedCardView {
            reasons: parse_reasons(&card.reasons),
            card,
        }
    }
}

/// What a publication did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Published {
    pub publication_id: i64,
    pub seq: i32,
    pub cards: i64,
    pub warnings: u64,
}

/// The warnings page: a page of warnings and their counts by unit and person for the year.
#[derive(Debug, Clone, Serialize)]
pub struct WarningsView {
    pub year: i32,
    pub warnings: Page<WarningRow>,
    pub by_unit: Vec<(i64, String, i64)>,
    pub by_person: Vec<(i64, String, i64)>,
}

/// The public display screen's data: only what was published, and the coordination requests
/// that are open to all; no person's name.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub organization_name: String,
    pub publication: Option<BoardPublication>,
    pub by_unit: Vec<UnitCounts>,
    pub totals: ColorCounts,
    pub red: Vec<BoardItem>,
    pub projects: Vec<BoardItem>,
    pub coordination: Vec<BoardCoordination>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardPublication {
    pub id: i64,
    pub month: String,
    pub seq: i32,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardItem {
    pub unit_name: String,
    pub title: String,
    pub color: String,
    pub progress: i32,
    pub deadline: String,
    /// The first reason's rule (e.g. `deadline_passed`), for the screen's label.
    pub rule: Option<String>,
    /// A supervisor set the colour (the screen says so; their words stay inside).
    pub overridden: bool,
}

impl From<PublishedCard> for BoardItem {
    fn from(c: PublishedCard) -> Self {
        BoardItem {
            rule: parse_reasons(&c.reasons).first().map(|r| r.rule.clone()),
            overridden: c.override_reason.is_some(),
            unit_name: c.unit_name,
            title: c.title,
            color: c.color,
            progress: c.progress,
            deadline: c.deadline,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardCoordination {
    pub title: String,
    pub unit_name: String,
    pub status: String,
    pub owner_unit_name: Option<String>,
    pub deadline: Option<String>,
}

/// What needs the caller's attention this month (the supervisor, a leader, a unit head).
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub month: YearMonth,
    pub phase: Phase,
    /// Everything (`all`), the units a leader leads (`units`), or one's own unit (`unit`).
    pub scope: &'static str,
    pub totals: ColorCounts,
    pub by_unit: Vec<UnitCounts>,
    pub attention: Vec<CardView>,
    pub attention_total: u64,
    pub stale: Vec<store::plan::TaskRow>,
    pub stale_total: u64,
    pub stale_days: u32,
    pub overdue_follow_ups: Vec<FollowUpRow>,
    pub overdue_total: u64,
    pub open_coordination: Vec<store::supervision::CoordinationRow>,
    pub coordination_total: u64,
    pub unjudged_key: i64,
    pub can_supervise: bool,
}

impl App {
    // ---- scope ----

    /// The unit paths the caller's lists are limited to: `None` for everything in the
    /// organization (offices, the director, administrators, the system), the subtrees of the
    /// units a leader leads or a member belongs to, or `Forbidden` for no one.
    pub(crate) async fn visible_paths(
        &self,
        caller: Caller<'_>,
        org: i64,
    ) -> Result<Option<Vec<String>>> {
        let Caller::Person(i) = caller else {
            return Ok(None);
        };
        match i.actor.people_visibility(org_id(org)) {
            Visibility::All => Ok(None),
            Visibility::Nothing => Err(AppError::Forbidden),
            Visibility::Units(roots) => {
                let ids: Vec<i64> = roots.iter().map(|u| u.0).collect();
                let units = store::org::units_by_ids(&self.db, &ids).await?;
                Ok(Some(units.into_iter().map(|u| u.path).collect()))
            }
        }
    }

    // ---- rules ----

    pub async fn card_rules(&self, org: i64) -> Result<CardRules> {
        Ok(store::cards::card_rules(&self.db, org)
            .await?
            .unwrap_or_default())
    }

    /// Sets the organization's card thresholds (supervisors and those who keep the planning).
    pub async fn set_card_rules(
        &self,
        caller: Caller<'_>,
        org: i64,
        rules: CardRules,
    ) -> Result<()> {
        self.organization(org).await?;
        if caller
            .authorize(Action::Supervise { org: org_id(org) })
            .is_err()
        {
            caller.authorize(Action::ManagePlanning { org: org_id(org) })?;
        }
        let rules = rules.validate()?;
        let before = self.card_rules(org).await?;
        let mut tx = self.db.begin().await?;
        store::cards::put_card_rules(&mut tx, org, &rules, self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "card_rules.update",
                entity: "organization",
                entity_id: Some(org),
                before: Some(json!(before)),
                after: Some(json!(rules)),
            },
        )
        .await?;
        // Thresholds changed: every open month's cards are computed again on next view.
        store::cards::invalidate_cards(&mut tx, org).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The month a supervisor acts on: parsed, the caller allowed to supervise, the month not
    /// closed. Returns the month, its cycle and its phase.
    async fn supervised_month(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
    ) -> Result<(YearMonth, store::plan::CycleRow, Phase)> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::Supervise { org: org_id(org) })?;
        let (cycle, _, phase) = self.sync_cycle(org, ym).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        Ok((ym, cycle, phase))
    }

    // ---- computing ----

    /// Brings a month's cards up to date with the rules, in batches: every planned task and
    /// every active key project. Judgements survive as `domain::cards::confirmation_stands`
    /// says. Returns how many cards were computed and how many changed.
    pub async fn refresh_cards(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
    ) -> Result<RefreshReport> {
        let (month, _, _) = self.supervised_month(caller, org, month).await?;
        let report = self.compute_cards(org, month).await?;
        let mut tx = self.db.begin().await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: org, action: "cards.refresh", entity: "cycle", after: Some(json!({ "month": month.to_string(), "computed": report.computed, "changed": report.changed })), ..Default::default() })
        .await?;
        tx.commit().await?;
        if report.changed > 0 {
            self.bus.announce(org, "cards").await;
        }
        Ok(report)
    }

    /// Computes the month's cards once a day, on the first view that needs them.
    pub(crate) async fn ensure_cards(
        &self,
        org: i64,
        month: YearMonth,
        phase: Phase,
    ) -> Result<()> {
        if !matches!(
            phase,
            Phase::Arranging | Phase::Executing | Phase::SigningOff | Phase::Reviewing
        ) {
            return Ok(());
        }
        let m = month.to_string();
        let today = self.today().to_string();
        let before = store::cards::cards_computed_on(&self.db, org, &m).await?;
        if before.as_deref() == Some(today.as_str()) {
            return Ok(());
        }
        // One caller on one server claims the day; the others show the cards as they stand.
        // (A claim that its computation does not finish is given back, so that the next view
        // tries again; what reads the cards for a record, the publication and the close,
        // computes them itself.)
        let mut tx = self.db.begin().await?;
        let claimed = store::cards::claim_cards_day(&mut tx, org, &m, &today).await?;
        tx.commit().await?;
        if !claimed {
            return Ok(());
        }
        let planned = store::cards::planned_count(&self.db, org, &m, &planned_statuses()).await?;
        if planned > INLINE_CARDS {
            // A large month (a province's) is computed behind the request: the page shows
            // yesterday's cards, which the day's changes have already kept current one by
            // one, and the screens hear of the new ones.
            let app = self.clone();
            tokio::spawn(async move {
                if let Err(e) = app
                    .compute_and_announce(org, month, before.as_deref())
                    .await
                {
                    tracing::error!(error = %e, org, month = %month, "computing the month's cards failed");
                }
            });
            return Ok(());
        }
        self.compute_and_announce(org, month, before.as_deref())
            .await
    }

    /// Computes the month's cards and tells the screens; on failure the day's claim goes back
    /// to `before`.
    async fn compute_and_announce(
        &self,
        org: i64,
        month: YearMonth,
        before: Option<&str>,
    ) -> Result<()> {
        match self.compute_cards(org, month).await {
            Ok(report) => {
                if report.changed > 0 {
                    self.bus.announce(org, "cards").await;
                }
                Ok(())
            }
            Err(e) => {
                let m = month.to_string();
                let mut tx = self.db.begin().await?;
                store::cards::set_cards_computed_on(&mut tx, org, &m, before.unwrap_or("")).await?;
                tx.commit().await?;
                Err(e)
            }
        }
    }

    /// Computes a month's cards in keyset batches, each written in its own short transaction
    /// (so that SQLite's single writer is never held for long). A batch that finds the month
    /// closed writes nothing and ends the run: a close froze the cards it computed itself.
    async fn compute_cards(&self, org: i64, month: YearMonth) -> Result<RefreshReport> {
        let m = month.to_string();
        let ctx = CardContext::read(&mut Ex::from(&self.db), org, month, self.today()).await?;
        let mut report = RefreshReport::default();
        let mut cursor = (0, 0);
        loop {
            let Some(batch) = ctx.next_batch(&mut Ex::from(&self.db), &mut cursor).await? else {
                break;
            };
            report.computed += batch.computed;
            if batch.writes.is_empty() {
                continue;
            }
            let mut tx = self.db.begin().await?;
            store::cards::lock_month(&mut tx, org, &m).await?;
            if month_closed(&mut tx, org, &m).await? {
                return Ok(report);
            }
            store::cards::write_cards(&mut tx, org, &m, &batch.writes, self.now()).await?;
            tx.commit().await?;
            report.changed += batch.writes.len() as u64;
        }
        let mut tx = self.db.begin().await?;
        store::cards::lock_month(&mut tx, org, &m).await?;
        if month_closed(&mut tx, org, &m).await? {
            return Ok(report);
        }
        report.changed += ctx.finish(&mut tx).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Computes a month's cards inside `tx`, which holds the month's lock: the close's step
    /// `Cards`, so that the cards it freezes are the ones computed as of the close, whatever
    /// a crash or a background computation did before.
    pub(crate) async fn compute_cards_in(
        &self,
        tx: &mut store::Tx,
        org: i64,
        month: YearMonth,
    ) -> Result<RefreshReport> {
        let m = month.to_string();
        let ctx = CardContext::read(&mut Ex::from(&mut *tx), org, month, self.today()).await?;
        let mut report = RefreshReport::default();
        let mut cursor = (0, 0);
        while let Some(batch) = ctx.next_batch(&mut Ex::from(&mut *tx), &mut cursor).await? {
            report.computed += batch.computed;
            if !batch.writes.is_empty() {
                store::cards::write_cards(tx, org, &m, &batch.writes, self.now()).await?;
                report.changed += batch.writes.len() as u64;
            }
        }
        report.changed += ctx.finish(tx).await?;
        Ok(report)
    }

    /// Writes computed cards under the month's lock, unless the month is closed (its cards
    /// are frozen). The upsert keeps a colour a supervisor set meanwhile, and only clears a
    /// confirmation the new colour no longer matches.
    async fn write_batch(&self, org: i64, month: &str, writes: &[CardWrite]) -> Result<u64> {
        if writes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        store::cards::lock_month(&mut tx, org, month).await?;
        if month_closed(&mut tx, org, month).await? {
            return Ok(0);
        }
        store::cards::write_cards(&mut tx, org, month, writes, self.now()).await?;
        tx.commit().await?;
        Ok(writes.len() as u64)
    }

    /// Computes one card again right after its facts changed (progress, a finding, a
    /// concern), so that the change shows at once without recomputing the month. A closed
    /// month's cards do not change.
    pub(crate) async fn refresh_one(
        &self,
        org: i64,
        month: &str,
        kind: Subject,
        id: i64,
    ) -> Result<()> {
        let Some(ym) = YearMonth::parse(month) else {
            return Ok(());
        };
        if month_closed(&self.db, org, month).await? {
            return Ok(());
        }
        let rules = self.card_rules(org).await?;
        let today = self.today();
        let state = store::cards::card_states(&self.db, org, month, kind.as_str(), id, id)
            .await?
            .into_iter()
            .next();
        let write = match kind {
            Subject::Task => {
                let Some(f) = store::cards::task_facts_after(
                    &self.db,
                    org,
                    month,
                    &planned_statuses(),
                    id - 1,
                    1,
                )
                .await?
                .into_iter()
                .find(|f| f.id == id) else {
                    // Out of the plan (withdrawn): it has no card any more.
                    if state.is_some() {
                        let mut tx = self.db.begin().await?;
                        store::cards::lock_month(&mut tx, org, month).await?;
                        if month_closed(&mut tx, org, month).await? {
                            return Ok(());
                        }
                        store::cards::delete_card(&mut tx, org, month, kind.as_str(), id).await?;
                        tx.commit().await?;
                        self.bus.announce(org, "cards").await;
                    }
                    return Ok(());
                };
                let n = store::cards::open_findings_of(&self.db, FindingSubject::Task, id).await?;
                let card = compute(&rules, &task_input(&f, ym, n, state.as_ref()), today);
                card_write(kind, id, f.unit_id, f.is_key, &card, state.as_ref(), today)
            }
            Subject::Project => {
                let Some(p) = store::projects::get_project(&self.db, id).await? else {
                    return Ok(());
                };
                let milestones = store::projects::milestones_of(&self.db, &[id]).await?;
                let n =
                    store::cards::open_findings_of(&self.db, FindingSubject::Project, id).await?;
                let Some(facts) = project_facts(&p, &milestones, n, state.as_ref()) else {
                    return Ok(());
                };
                let card = compute(&rules, &project_card_input(&facts, today), today);
                card_write(kind, id, p.unit_id, true, &card, state.as_ref(), today)
            }
        };
        if let Some(w) = write {
            self.write_batch(org, month, &[w]).await?;
            self.bus.announce(org, "cards").await;
        }
        Ok(())
    }

    // ---- reading ----

    /// The month's cards the caller may see, worst first, with counts for the charts.
    pub async fn list_cards(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        filter: &CardFilter,
        page: PageRequest,
    ) -> Result<CardsView> {
        let month =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let paths = self.visible_paths(caller, org).await?;
        let (_, _, phase) = self.sync_cycle(org, month).await?;
        self.ensure_cards(org, month, phase).await?;
        let m = month.to_string();
        let mut f = filter.clone();
        f.unit_paths = paths.clone();
        let (rows, total) = store::cards::list_cards(&self.db, org, &m, &f, page).await?;
        let counts = store::cards::card_counts(
            &self.db,
            org,
            &m,
            &CardFilter {
                unit_paths: paths,
                kind: filter.kind.clone(),
                key_only: filter.key_only,
                ..Default::default()
            },
        )
        .await?;
        let (by_unit, totals) = by_unit(&counts);
        let can_supervise = caller
            .authorize(Action::Supervise { org: org_id(org) })
            .is_ok();
        let (publications, _) = store::cards::list_publications(
            &self.db,
            org,
            Some(&m),
            PageRequest::new(Some(1), Some(20)),
        )
        .await?;
        Ok(CardsView {
            month,
            phase,
            cards: Page::new(rows.into_iter().map(CardView::from).collect(), page, total),
            totals,
            by_unit,
            unjudged_key: if can_supervise {
                store::cards::unjudged_key_cards(&self.db, org, &m).await?
            } else {
                0
            },
            computed_on: store::cards::cards_computed_on(&self.db, org, &m).await?,
            can_supervise,
            publications,
        })
    }

    /// The card of one task or key project this month, if computed and visible to the caller.
    pub(crate) async fn card_for(
        &self,
        org: i64,
        month: &str,
        kind: Subject,
        id: i64,
    ) -> Result<Option<CardView>> {
        if let Some(ym) = YearMonth::parse(month) {
            let (_, _, phase) = self.sync_cycle(org, ym).await?;
            self.ensure_cards(org, ym, phase).await?;
        }
        Ok(
            store::cards::card_of(&self.db, org, month, kind.as_str(), id)
                .await?
                .map(CardView::from),
        )
    }

    async fn card_row(&self, id: i64) -> Result<CardRow> {
        store::cards::get_card(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    // ---- judging ----

    /// A supervisor confirms a card as computed, or sets another colour with a reason.
    pub async fn judge_card(
        &self,
        caller: Caller<'_>,
        card: i64,
        color: &str,
        reason: &str,
    ) -> Result<CardView> {
        let c = self.card_row(card).await?;
        caller.authorize(Action::Supervise {
            org: org_id(c.organization_id),
        })?;
        let month = YearMonth::parse(&c.month).ok_or(AppError::NotFound)?;
        let (_, _, phase) = self.sync_cycle(c.organization_id, month).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        let computed = CardColor::parse(&c.computed_color).unwrap_or(CardColor::Green);
        let judgement = Judgement::parse(computed, color, reason)?;
        let new_color = judgement.color(computed);
        let (overridden, why) = match &judgement {
            Judgement::Confirm => (false, None),
            Judgement::Override { reason, .. } => (true, Some(reason.as_str())),
        };
        let mut tx = self.db.begin().await?;
        store::cards::lock_month(&mut tx, c.organization_id, &c.month).await?;
        if month_closed(&mut tx, c.organization_id, &c.month).await? {
            return Err(AppError::field("month", "month_closed"));
        }
        store::cards::judge_card(
            &mut tx,
            card,
            new_color.as_str(),
            computed.as_str(),
            overridden,
            why,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: c.organization_id, action: if overridden { "card.override" } else { "card.confirm" }, entity: "card", entity_id: Some(card), before: Some(json!({ "color": c.color, "computed": c.computed_color })), after: Some(json!({ "color": new_color, "reason": why, "subject": c.subject_kind, "subject_id": c.subject_id })) })
        .await?;
        tx.commit().await?;
        self.bus.announce(c.organization_id, "cards").await;
        Ok(self.card_row(card).await?.into())
    }

    /// Confirms as computed every key card of the month that no one has judged yet.
    pub async fn confirm_all_cards(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
    ) -> Result<u64> {
        let (ym, _, phase) = self.supervised_month(caller, org, month).await?;
        self.ensure_cards(org, ym, phase).await?;
        let mut tx = self.db.begin().await?;
        store::cards::lock_month(&mut tx, org, &ym.to_string()).await?;
        if month_closed(&mut tx, org, &ym.to_string()).await? {
            return Err(AppError::field("month", "month_closed"));
        }
        let n = store::cards::confirm_all(
            &mut tx,
            org,
            &ym.to_string(),
            true,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "card.confirm_all",
                entity: "cycle",
                after: Some(json!({ "month": ym.to_string(), "confirmed": n })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A supervisor flags (or clears) a concern about a task or project: the card turns at
    /// least yellow with the rule `supervisor_concern`.
    pub async fn set_card_concern(
        &self,
        caller: Caller<'_>,
        card: i64,
        concern: bool,
        note: &str,
    ) -> Result<CardView> {
        let c = self.card_row(card).await?;
        caller.authorize(Action::Supervise {
            org: org_id(c.organization_id),
        })?;
        let note = if concern {
            Some(domain::plan::reason("note", note)?)
        } else {
            None
        };
        if month_closed(&self.db, c.organization_id, &c.month).await? {
            return Err(AppError::field("month", "month_closed"));
        }
        let mut tx = self.db.begin().await?;
        store::cards::lock_month(&mut tx, c.organization_id, &c.month).await?;
        if month_closed(&mut tx, c.organization_id, &c.month).await? {
            return Err(AppError::field("month", "month_closed"));
        }
        store::cards::set_concern(&mut tx, card, concern, note.as_deref(), self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: c.organization_id,
                action: "card.concern",
                entity: "card",
                entity_id: Some(card),
                before: Some(json!({ "concern": c.concern })),
                after: Some(json!({ "concern": concern, "note": note })),
            },
        )
        .await?;
        tx.commit().await?;
        let kind = Subject::parse(&c.subject_kind).unwrap_or(Subject::Task);
        self.refresh_one(c.organization_id, &c.month, kind, c.subject_id)
            .await?;
        Ok(self.card_row(card).await?.into())
    }

    // ---- publication ----

    /// Publishes (公示) the month's key cards as they stand: a numbered snapshot that never
    /// changes, and a warning (警示) to the owner and the leader in charge of every red card,
    /// once per card and month. Refused while a key card is not judged.
    pub async fn publish_cards(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        note: &str,
    ) -> Result<Published> {
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(AppError::field("note", "too_long"));
        }
        let (ym, cycle, _) = self.supervised_month(caller, org, month).await?;
        if cycle.arranged_at.is_none() {
            return Err(AppError::field("month", "month_not_arranged"));
        }
        let m = ym.to_string();
        let mut tx = self.db.begin().await?;
        // No card of the month changes while it is computed and copied: what is published is
        // what the rules say now, not this morning.
        store::cards::lock_month(&mut tx, org, &m).await?;
        if month_closed(&mut tx, org, &m).await? {
            return Err(AppError::field("month", "month_closed"));
        }
        let changed = self.compute_cards_in(&mut tx, org, ym).await?.changed;
        if store::cards::unjudged_key_cards(&mut tx, org, &m).await? > 0 {
            // The cards as computed now stay, so that the supervisor sees what to judge.
            tx.commit().await?;
            if changed > 0 {
                self.bus.announce(org, "cards").await;
            }
            return Err(AppError::field("month", "unjudged_cards"));
        }
        let (id, seq) =
            store::cards::publish(&mut tx, org, &m, note, caller.actor_id(), self.now())
                .await
                .map_err(|e| {
                    if e.is_unique("publications_org_month_seq_key", "publications.seq") {
                        AppError::field("month", "publication_conflict")
                    } else {
                        e.into()
                    }
                })?;
        let warnings =
            store::cards::issue_warnings(&mut tx, org, ym.year, &m, id, self.now()).await?;
        let notes: Vec<crate::notify::Note> = store::notify::warnings_of_publication(&mut tx, id)
            .await?
            .into_iter()
            .map(
                |(warning, kind, subject, person, title)| crate::notify::Note {
                    person,
                    message: domain::notify::Message::warning_issued(
                        (kind == "task").then_some(subject),
                        &title,
                        &m,
                    ),
                    dedupe: Some(format!("warning:{warning}")),
                },
            )
            .collect();
        self.notify(&mut tx, org, &notes).await?;
        let p = store::cards::get_publication(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let cards = i64::from(p.green) + i64::from(p.yellow) + i64::from(p.red);
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: org, action: "cards.publish", entity: "publication", entity_id: Some(id), after: Some(json!({ "month": m, "seq": seq, "green": p.green, "yellow": p.yellow, "red": p.red, "warnings": warnings })), ..Default::default() })
        .await?;
        tx.commit().await?;
        self.outbox_wake.notify_one();
        if changed > 0 {
            self.bus.announce(org, "cards").await;
        }
        self.bus.announce(org, "publication").await;
        Ok(Published {
            publication_id: id,
            seq,
            cards,
            warnings,
        })
    }

    /// Publications are public within the organization.
    pub async fn list_publications(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<PublicationRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let (rows, total) = store::cards::list_publications(&self.db, org, month, page).await?;
        Ok(Page::new(rows, page, total))
    }

    pub async fn get_publication(
        &self,
        caller: Caller<'_>,
        id: i64,
        colors: &[String],
        page: PageRequest,
    ) -> Result<PublicationView> {
        let p = store::cards::get_publication(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ViewStructure {
            org: org_id(p.organization_id),
        })?;
        let (cards, total) =
            store::cards::published_cards(&self.db, id, colors, None, page).await?;
        let (by_unit, _) = by_unit(&store::cards::published_counts(&self.db, id).await?);
        let (_, warnings) = store::cards::list_warnings(
            &self.db,
            p.organization_id,
            &WarningFilter {
                publication_id: Some(id),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(1)),
        )
        .await?;
        Ok(PublicationView {
            cards: Page::new(cards.into_iter().map(Into::into).collect(), page, total),
            by_unit,
            warnings,
            publication: p,
        })
    }

    // ---- warnings ----

    /// Warnings of a year, as far as the caller sees: the offices all, a leader their units,
    /// a unit its own.
    pub async fn list_warnings(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &WarningFilter,
        page: PageRequest,
    ) -> Result<WarningsView> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let mut f = filter.clone();
        f.unit_paths = self.visible_paths(caller, org).await?;
        let year = f.year.unwrap_or(YearMonth::of(self.today()).year);
        f.year = Some(year);
        let (rows, total) = store::cards::list_warnings(&self.db, org, &f, page).await?;
        let (by_unit, by_person) = store::cards::warning_counts(&self.db, org, &f).await?;
        Ok(WarningsView {
            year,
            warnings: Page::new(rows, page, total),
            by_unit,
            by_person,
        })
    }

    // ---- the display screen ----

    /// Issues a display token; the token is returned once and stored only as a hash.
    pub async fn create_display_token(
        &self,
        caller: Caller<'_>,
        org: i64,
        name: &str,
    ) -> Result<(i64, String)> {
        let mut v = domain::validate::Validator::new();
        let name = v.name("name", name);
        v.finish()?;
        self.organization(org).await?;
        caller.authorize(Action::ManageDisplays { org: org_id(org) })?;
        let token = crate::random_hex(24);
        let mut tx = self.db.begin().await?;
        let id = store::cards::insert_display_token(
            &mut tx,
            org,
            &name,
            &crate::sha256_hex(&token),
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "display_token.create",
                entity: "display_token",
                entity_id: Some(id),
                after: Some(json!({ "name": name })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, token))
    }

    pub async fn list_display_tokens(
        &self,
        caller: Caller<'_>,
        org: i64,
    ) -> Result<Vec<DisplayTokenRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ManageDisplays { org: org_id(org) })?;
        Ok(store::cards::display_tokens(&self.db, org).await?)
    }

    pub async fn revoke_display_token(&self, caller: Caller<'_>, id: i64) -> Result<()> {
        let t = store::cards::get_display_token(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ManageDisplays {
            org: org_id(t.organization_id),
        })?;
        if t.revoked_at.is_some() {
            return Err(AppError::field("token", "already_revoked"));
        }
        let mut tx = self.db.begin().await?;
        store::cards::revoke_display_token(&mut tx, id, self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: t.organization_id,
                action: "display_token.revoke",
                entity: "display_token",
                entity_id: Some(id),
                after: Some(json!({ "name": t.name })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organization a display token opens, or `NotFound` for an unknown or revoked one.
    pub async fn display_org(&self, token: &str) -> Result<i64> {
        if token.len() != 48 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(AppError::NotFound);
        }
        store::cards::display_token_org(&self.db, &crate::sha256_hex(token))
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The display screen's data for the organization a token opens.
    pub async fn board(&self, token: &str) -> Result<Board> {
        let org = self.display_org(token).await?;
        let o = self.organization(org).await?;
        let latest = store::cards::latest_publication(&self.db, org).await?;
        let (mut by_unit_rows, mut totals, mut red, mut projects) =
            (Vec::new(), ColorCounts::default(), Vec::new(), Vec::new());
        if let Some(p) = &latest {
            let (u, t) = by_unit(&store::cards::published_counts(&self.db, p.id).await?);
            by_unit_rows = u;
            totals = t;
            red = store::cards::published_cards(
                &self.db,
                p.id,
                &["red".into()],
                None,
                PageRequest::new(Some(1), Some(50)),
            )
            .await?
            .0
            .into_iter()
            .map(BoardItem::from)
            .collect();
            projects = store::cards::published_cards(
                &self.db,
                p.id,
                &[],
                Some(Subject::Project.as_str()),
                PageRequest::new(Some(1), Some(50)),
            )
            .await?
            .0
            .into_iter()
            .map(BoardItem::from)
            .collect();
        }
        let (coordination, _) = store::supervision::list_coordination(
            &self.db,
            org,
            &CoordinationFilter {
                statuses: vec!["open".into(), "decided".into()],
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(30)),
        )
        .await?;
        Ok(Board {
            organization_name: o.name,
            publication: latest.map(|p| BoardPublication {
                id: p.id,
                month: p.month,
                seq: p.seq,
                published_at: p.published_at,
            }),
            by_unit: by_unit_rows,
            totals,
            red,
            projects,
            coordination: coordination
                .into_iter()
                .map(|c| BoardCoordination {
                    title: c.title,
                    unit_name: c.unit_name,
                    status: c.status,
                    owner_unit_name: c.owner_unit_name,
                    deadline: c.deadline,
                })
                .collect(),
        })
    }

    /// Notices of changes that live pages show, from every server.
    pub async fn subscribe(&self) -> tokio::sync::broadcast::Receiver<store::events::Notice> {
        self.bus.subscribe().await
    }

    // ---- dashboards ----

    /// What needs the caller's attention in a month: yellow and red cards, tasks without an
    /// update for the organization's stale threshold, overdue follow-ups, open coordination
    /// requests; limited to the caller's scope.
    pub async fn dashboard(&self, caller: Caller<'_>, org: i64, month: &str) -> Result<Dashboard> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let paths = self.visible_paths(caller, org).await?;
        let scope = match (&paths, caller) {
            (None, _) => "all",
            (Some(_), Caller::Person(i)) if !i.actor.led_units.is_empty() => "units",
            _ => "unit",
        };
        let (_, _, phase) = self.sync_cycle(org, ym).await?;
        self.ensure_cards(org, ym, phase).await?;
        let m = ym.to_string();
        let rules = self.card_rules(org).await?;
        let today = self.today();
        let top = PageRequest::new(Some(1), Some(20));
        let scoped = CardFilter {
            unit_paths: paths.clone(),
            ..Default::default()
        };
        let (by_unit_rows, totals) =
            by_unit(&store::cards::card_counts(&self.db, org, &m, &scoped).await?);
        let (attention, attention_total) = store::cards::list_cards(
            &self.db,
            org,
            &m,
            &CardFilter {
                colors: vec!["red".into(), "yellow".into()],
                ..scoped.clone()
            },
            top,
        )
        .await?;
        let cutoff = today - chrono::Duration::days(i64::from(rules.stale_days));
        let (stale, stale_total) = store::plan::list_tasks(
            &self.db,
            org,
            &store::plan::TaskFilter {
                month: Some(m.clone()),
                statuses: TaskStatus::OPEN
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
                stale_before: Some(cutoff.to_string()),
                // The card's rule counts silence from the month's first day.
                never_reported_is_stale: ym.first_day() < cutoff,
                unit_paths: paths.clone(),
                ..Default::default()
            },
            top,
        )
        .await?;
        let sees_covert = caller
            .authorize(Action::ViewCovert { org: org_id(org) })
            .is_ok();
        let (overdue, overdue_total) = store::supervision::list_follow_ups(
            &self.db,
            org,
            &FollowUpFilter {
                status: Some("open".into()),
                due_before: Some(today),
                visible_only: !sees_covert,
                unit_paths: paths.clone(),
                ..Default::default()
            },
            top,
        )
        .await?;
        let unit_id = match (&paths, caller) {
            (Some(_), Caller::Person(i)) if scope == "unit" => i.actor.unit_id.map(|u| u.0),
            _ => None,
        };
        let (open_coordination, coordination_total) = store::supervision::list_coordination(
            &self.db,
            org,
            &CoordinationFilter {
                statuses: vec!["open".into(), "decided".into()],
                unit_id,
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(10)),
        )
        .await?;
        let can_supervise = caller
            .authorize(Action::Supervise { org: org_id(org) })
            .is_ok();
        Ok(Dashboard {
            month: ym,
            phase,
            scope,
            totals,
            by_unit: by_unit_rows,
            attention: attention.into_iter().map(CardView::from).collect(),
            attention_total,
            stale,
            stale_total,
            stale_days: rules.stale_days,
            overdue_follow_ups: overdue,
            overdue_total,
            open_coordination,
            coordination_total,
            unjudged_key: if can_supervise {
                store::cards::unjudged_key_cards(&self.db, org, &m).await?
            } else {
                0
            },
            can_supervise,
        })
    }
}

/// What a planned task's card looks at.
fn task_input(
    f: &store::cards::TaskFacts,
    month: YearMonth,
    open_findings: i64,
    state: Option<&CardState>,
) -> CardInput {
    CardInput {
        start: month.first_day(),
        deadline: parse_date(&f.deadline).unwrap_or_else(|| month.last_day()),
        progress: u32::try_from(f.progress).unwrap_or(0),
        signed_off: f.status == TaskStatus::SignedOff.as_str(),
        under_review: f.status == TaskStatus::SignOffSubmitted.as_str(),
        months_overdue: u32::try_from(f.months_overdue).unwrap_or(0),
        last_update: f.last_progress_on.as_deref().and_then(parse_date),
        open_findings: u32::try_from(open_findings).unwrap_or(u32::MAX),
        overdue_milestones: 0,
        supervisor_concern: state.is_some_and(|s| s.concern),
    }
}

/// What a key project's card looks at (`None` when its dates are unreadable).
fn project_facts(
    p: &store::projects::ProjectRow,
    milestones: &[store::projects::MilestoneRow],
    open_findings: i64,
    state: Option<&CardState>,
) -> Option<ProjectFacts> {
    Some(ProjectFacts {
        start_on: parse_date(&p.start_on)?,
        end_on: parse_date(&p.end_on)?,
        progress: u32::try_from(p.progress).unwrap_or(0),
        completed: p.status == "completed",
        last_update: p.last_progress_on.as_deref().and_then(parse_date),
        open_milestones: milestones
            .iter()
            .filter(|ms| ms.key_project_id == p.id && ms.done_on.is_none())
            .filter_map(|ms| parse_date(&ms.due_on))
            .collect(),
        open_findings: u32::try_from(open_findings).unwrap_or(u32::MAX),
        supervisor_concern: state.is_some_and(|s| s.concern),
    })
}

/// Whether a month is closed (its cards, figures and scores are frozen): read inside the
/// transaction that is about to write, whenever the write depends on it.
pub(crate) async fn month_closed(ex: impl Into<Ex<'_>>, org: i64, month: &str) -> Result<bool> {
    Ok(store::plan::cycle(ex, org, month)
        .await?
        .is_some_and(|c| c.phase == Phase::Closed.as_str()))
}

/// What computing a month's cards reads once: the rules, the day, the open findings.
struct CardContext {
    org: i64,
    month: YearMonth,
    today: chrono::NaiveDate,
    rules: CardRules,
    planned: Vec<String>,
    task_findings: HashMap<i64, i64>,
    project_findings: HashMap<i64, i64>,
}

/// One batch of computed cards: how many were looked at, and the writes they need.
struct CardBatch {
    computed: u64,
    writes: Vec<CardWrite>,
}

impl CardContext {
    async fn read(
        ex: &mut Ex<'_>,
        org: i64,
        month: YearMonth,
        today: chrono::NaiveDate,
    ) -> Result<CardContext> {
        let rules = store::cards::card_rules(&mut *ex, org)
            .await?
            .unwrap_or_default();
        let task_findings =
            store::supervision::open_finding_counts(&mut *ex, org, FindingSubject::Task)
                .await?
                .into_iter()
                .collect();
        let project_findings =
            store::supervision::open_finding_counts(&mut *ex, org, FindingSubject::Project)
                .await?
                .into_iter()
                .collect();
        Ok(CardContext {
            org,
            month,
            today,
            rules,
            planned: planned_statuses(),
            task_findings,
            project_findings,
        })
    }

    /// The next batch after `cursor` (the last task id, then the last project id): tasks
    /// first, then key projects; `None` when both are done.
    async fn next_batch(
        &self,
        ex: &mut Ex<'_>,
        cursor: &mut (i64, i64),
    ) -> Result<Option<CardBatch>> {
        const TASKS: i64 = 1000;
        const PROJECTS: i64 = 500;
        let (org, m, today) = (self.org, self.month.to_string(), self.today);
        if cursor.0 >= 0 {
            let facts =
                store::cards::task_facts_after(&mut *ex, org, &m, &self.planned, cursor.0, TASKS)
                    .await?;
            if let (Some(first), Some(last)) = (facts.first(), facts.last()) {
                let (from, to) = (first.id, last.id);
                cursor.0 = to;
                let states = states_by_subject(
                    store::cards::card_states(&mut *ex, org, &m, Subject::Task.as_str(), from, to)
                        .await?,
                );
                let writes = facts
                    .iter()
                    .filter_map(|f| {
                        let state = states.get(&f.id);
                        let n = self.task_findings.get(&f.id).copied().unwrap_or(0);
                        let card =
                            compute(&self.rules, &task_input(f, self.month, n, state), today);
                        card_write(
                            Subject::Task,
                            f.id,
                            f.unit_id,
                            f.is_key,
                            &card,
                            state,
                            today,
                        )
                    })
                    .collect();
                return Ok(Some(CardBatch {
                    computed: facts.len() as u64,
                    writes,
                }));
            }
            cursor.0 = -1;
        }
        let projects =
            store::projects::active_projects_after(&mut *ex, org, cursor.1, PROJECTS).await?;
        let (Some(first), Some(last)) = (projects.first(), projects.last()) else {
            return Ok(None);
        };
        let (from, to) = (first.id, last.id);
        cursor.1 = to;
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let milestones = store::projects::milestones_of(&mut *ex, &ids).await?;
        let states = states_by_subject(
            store::cards::card_states(&mut *ex, org, &m, Subject::Project.as_str(), from, to)
                .await?,
        );
        let writes = projects
            .iter()
            .filter_map(|p| {
                let state = states.get(&p.id);
                let n = self.project_findings.get(&p.id).copied().unwrap_or(0);
                let facts = project_facts(p, &milestones, n, state)?;
                let card = compute(&self.rules, &project_card_input(&facts, today), today);
                card_write(Subject::Project, p.id, p.unit_id, true, &card, state, today)
            })
            .collect();
        Ok(Some(CardBatch {
            computed: ids.len() as u64,
            writes,
        }))
    }

    /// The end of a run, in `tx` under the month's lock: cards of tasks that left the plan
    /// are dropped and the day is recorded as computed. Returns how many were dropped.
    async fn finish(&self, tx: &mut store::Tx) -> Result<u64> {
        let m = self.month.to_string();
        let dropped =
            store::cards::drop_cards_outside_plan(&mut *tx, self.org, &m, &self.planned).await?;
        store::cards::set_cards_computed_on(tx, self.org, &m, &self.today.to_string()).await?;
        Ok(dropped)
    }
}

/// Above this many planned tasks, a month's daily computation runs in the background.
const INLINE_CARDS: i64 = 5000;

fn planned_statuses() -> Vec<String> {
    TaskStatus::PLANNED
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect()
}

fn states_by_subject(states: Vec<CardState>) -> HashMap<i64, CardState> {
    states.into_iter().map(|s| (s.subject_id, s)).collect()
}

/// The write a freshly computed card needs, or `None` when the stored card already says the
/// same.
fn card_write(
    kind: Subject,
    id: i64,
    unit_id: i64,
    is_key: bool,
    card: &Card,
    state: Option<&CardState>,
    today: chrono::NaiveDate,
) -> Option<CardWrite> {
    let reasons = reasons_json(card);
    let computed = card.color;
    let (color, keep) = match state {
        Some(s) if s.overridden => (s.color.clone(), true),
        Some(s) => {
            let confirmed = s.confirmed_as.as_deref().and_then(CardColor::parse);
            let keep = confirmed.is_some_and(|c| confirmation_stands(false, c, computed));
            (computed.as_str().to_owned(), keep || confirmed.is_none())
        }
        None => (computed.as_str().to_owned(), true),
    };
    if let Some(s) = state
        && s.computed_color == computed.as_str()
        && s.reasons == reasons
        && s.unit_id == unit_id
        && s.is_key == is_key
        && s.color == color
    {
        return None;
    }
    Some(CardWrite {
        subject_kind: kind.as_str(),
        subject_id: id,
        unit_id,
        is_key,
        computed_color: computed.as_str().to_owned(),
        reasons,
        computed_on: today.to_string(),
        color,
        keep_confirmation: keep,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(computed: &str, color: &str, confirmed: Option<&str>, overridden: bool) -> CardState {
        CardState {
            subject_id: 1,
            computed_color: computed.into(),
            reasons: "[]".into(),
            computed_on: "2026-11-01".into(),
            color: color.into(),
            confirmed_as: confirmed.map(Into::into),
            overridden,
            concern: false,
            unit_id: 3,
            is_key: true,
        }
    }

    fn card(color: CardColor) -> Card {
        Card {
            color,
            reasons: vec![],
        }
    }

    #[test]
    fn a_recomputed_card_keeps_or_drops_the_judgement() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
        // New card: written with its computed colour.
        let w = card_write(
            Subject::Task,
            1,
            3,
            true,
            &card(CardColor::Yellow),
            None,
            today,
        )
        .unwrap();
        assert_eq!((w.color.as_str(), w.keep_confirmation), ("yellow", true));
        // An override to red holds while the computed colour moves.
        let s = state("yellow", "red", Some("yellow"), true);
        let w = card_write(
            Subject::Task,
            1,
            3,
            true,
            &card(CardColor::Green),
            Some(&s),
            today,
        )
        .unwrap();
        assert_eq!(
            (
                w.color.as_str(),
                w.computed_color.as_str(),
                w.keep_confirmation
            ),
            ("red", "green", true)
        );
        // A plain confirmation lapses when the colour moves …
        let s = state("yellow", "yellow", Some("yellow"), false);
        let w = card_write(
            Subject::Task,
            1,
            3,
            true,
            &card(CardColor::Red),
            Some(&s),
            today,
        )
        .unwrap();
        assert_eq!((w.color.as_str(), w.keep_confirmation), ("red", false));
        // … and nothing is written when nothing changed.
        let mut s = state("yellow", "yellow", Some("yellow"), false);
        s.reasons = reasons_json(&card(CardColor::Yellow));
        assert!(
            card_write(
                Subject::Task,
                1,
                3,
                true,
                &card(CardColor::Yellow),
                Some(&s),
                today
            )
            .is_none()
        );
    }
}
