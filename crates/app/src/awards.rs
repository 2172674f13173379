//! Monthly awards (明星部门 / 明星个人): the ranking of a closed month's units and persons from
//! the record (`domain::awards`), and the leadership's recorded selection.

use std::collections::{BTreeMap, HashMap};

use domain::OrganizationId;
use domain::awards::{AwardKind, Ranked, Reason, Record, Tier, rank_with};
use domain::consequences::Points;
use domain::figures::{Figures, OutcomeGroup, month_figures_of};
use domain::plan::{TaskStatus, YearMonth};
use domain::policy::Action;
use serde::Serialize;
use serde_json::json;
use store::consequences::AwardRow;

use crate::{App, AppError, Caller, Result};

/// How many places of each ranking a view shows.
pub const TOP: usize = 50;

/// One place of a ranking, with the name of whom it ranks.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub id: i64,
    pub name: String,
    pub rank: Option<u32>,
    pub tier: Tier,
    pub record: Record,
    pub reasons: Vec<Reason>,
    /// Already chosen as this month's star.
    pub selected: bool,
}

/// A month's stars or a year's commendations.
struct AwardPeriod {
    /// `YYYY-MM` or `YYYY`, as stored with the awards.
    key: String,
    from: String,
    to: String,
    annual: bool,
    tier: fn(&Record) -> Tier,
    unit_kind: AwardKind,
    person_kind: AwardKind,
}

impl AwardPeriod {
    fn parse(raw: &str) -> Result<AwardPeriod> {
        if let Some(ym) = YearMonth::parse(raw) {
            let m = ym.to_string();
            return Ok(AwardPeriod {
                key: m.clone(),
                from: m.clone(),
                to: m,
                annual: false,
                tier: Tier::of,
                unit_kind: AwardKind::StarUnit,
                person_kind: AwardKind::StarPerson,
            });
        }
        match raw.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Ok(AwardPeriod {
                key: y.to_string(),
                from: format!("{y}-01"),
                to: format!("{y}-12"),
                annual: true,
                tier: Tier::of_year,
                unit_kind: AwardKind::AnnualUnit,
                person_kind: AwardKind::AnnualPerson,
            }),
            _ => Err(AppError::field("month", "invalid_month")),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AwardsView {
    /// `YYYY-MM` for a month's stars, `YYYY` for a year's commendations.
    pub period: String,
    pub annual: bool,
    /// The kinds chosen here.
    pub unit_kind: &'static str,
    pub person_kind: &'static str,
    /// Rankings exist once the month is closed and scored (for a year: once one of its
    /// months is).
    pub closed: bool,
    /// The last month the rankings count: the month itself, or a year's last closed month.
    /// A month still open is never counted.
    pub through: Option<String>,
    pub units: Vec<Place>,
    pub units_total: usize,
    pub persons: Vec<Place>,
    pub persons_total: usize,
    pub awards: Vec<AwardRow>,
    pub can_select: bool,
}

fn record_of(f: Option<&Figures>) -> Record {
    f.map_or_else(Record::default, |f| Record {
        planned: f.planned,
        signed_off: f.signed_off,
        on_time: f.on_time,
        ..Record::default()
    })
}

fn groups(rows: impl Iterator<Item = (i64, String, bool, i64)>) -> Vec<OutcomeGroup> {
    rows.filter_map(|(subject, status, on_time, n)| {
        Some(OutcomeGroup {
            unit_id: subject,
            status: TaskStatus::parse(&status)?,
            on_time,
            carried_in: false,
            count: u32::try_from(n).unwrap_or(u32::MAX),
        })
    })
    .collect()
}

impl App {
    /// The records of units and persons over the months `from..=to`, ranked as `tier` says.
    async fn rankings(
        &self,
        org: i64,
        from: &str,
        to: &str,
        tier: fn(&Record) -> Tier,
    ) -> Result<(Vec<Ranked<i64>>, Vec<Ranked<i64>>)> {
        let units = store::consequences::unit_outcomes(&self.db, org, from, to).await?;
        let unit_figures = month_figures_of(&groups(units.into_iter())).by_unit;
        let owners = store::consequences::owner_outcomes(&self.db, org, from, to).await?;
        let person_figures = month_figures_of(&groups(owners.into_iter())).by_unit;
        let mut unit_records: BTreeMap<i64, Record> = unit_figures
            .keys()
            .map(|u| (*u, record_of(unit_figures.get(u))))
            .collect();
        let mut person_records: BTreeMap<i64, Record> = person_figures
            .keys()
            .map(|p| (*p, record_of(person_figures.get(p))))
            .collect();
        for (unit, person, rule, n, points) in
            store::consequences::ledger_counts(&self.db, org, from, to).await?
        {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            let add = |r: &mut Record| {
                r.points = r.points + Points(points);
                match rule.as_str() {
                    "highlight" => r.highlights += n,
                    "red_card" => r.red_cards += n,
                    _ => {}
                }
            };
            add(unit_records.entry(unit).or_default());
            if let Some(p) = person {
                add(person_records.entry(p).or_default());
            }
        }
        let units: Vec<(i64, Record)> = unit_records.into_iter().collect();
        let persons: Vec<(i64, Record)> = person_records.into_iter().collect();
        Ok((rank_with(&units, tier), rank_with(&persons, tier)))
    }

    async fn places(
        &self,
        ranked: &[Ranked<i64>],
        persons: bool,
        chosen: &[i64],
    ) -> Result<Vec<Place>> {
        let top = &ranked[..ranked.len().min(TOP)];
        let ids: Vec<i64> = top.iter().map(|r| r.subject).collect();
        let names: HashMap<i64, String> = store::consequences::names(&self.db, persons, &ids)
            .await?
            .into_iter()
            .collect();
        Ok(top
            .iter()
            .map(|r| Place {
                id: r.subject,
                name: names.get(&r.subject).cloned().unwrap_or_default(),
                rank: r.rank,
                tier: r.tier,
                record: r.record,
                reasons: r.reasons.clone(),
                selected: chosen.contains(&r.subject),
            })
            .collect())
    }

    /// The awards' rankings of a period and what was chosen: a month (`YYYY-MM`, the stars
    /// of the month) or a year (`YYYY`, the year's commendations). Every member of the
    /// organization may read them; the director and the leading group choose.
    pub async fn awards(&self, caller: Caller<'_>, org: i64, period: &str) -> Result<AwardsView> {
        let p = AwardPeriod::parse(period)?;
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        let through = self.counted_through(org, &p).await?;
        let closed = through.is_some();
        let awards = store::consequences::list_awards(&self.db, org, &p.key).await?;
        let chosen = |kind: AwardKind| -> Vec<i64> {
            awards
                .iter()
                .filter(|a| a.kind == kind.as_str())
                .map(|a| a.subject_id)
                .collect()
        };
        let (units, persons) = match &through {
            Some(to) => self.rankings(org, &p.from, to, p.tier).await?,
            None => (Vec::new(), Vec::new()),
        };
        Ok(AwardsView {
            period: p.key.clone(),
            annual: p.annual,
            closed,
            through,
            units_total: units.len(),
            persons_total: persons.len(),
            units: self.places(&units, false, &chosen(p.unit_kind)).await?,
            persons: self.places(&persons, true, &chosen(p.person_kind)).await?,
            unit_kind: p.unit_kind.as_str(),
            person_kind: p.person_kind.as_str(),
            can_select: closed
                && caller
                    .authorize(Action::ArrangeMonth {
                        org: OrganizationId(org),
                    })
                    .is_ok(),
            awards,
        })
    }

    /// The last month of the period that is closed and scored: what its rankings count
    /// through (`None`: nothing to rank yet).
    async fn counted_through(&self, org: i64, p: &AwardPeriod) -> Result<Option<String>> {
        if p.annual {
            let Some(to) =
                store::consequences::last_closed_between(&self.db, org, &p.from, &p.to).await?
            else {
                return Ok(None);
            };
            let scored = !store::consequences::ledger_counts(&self.db, org, &p.from, &to)
                .await?
                .is_empty();
            Ok(scored.then_some(to))
        } else {
            Ok(store::consequences::month_scored(&self.db, org, &p.key)
                .await?
                .then(|| p.key.clone()))
        }
    }

    /// Chooses a star of a closed month, or a commendation of a year, from its ranking: only
    /// an eligible record may be chosen, each once.
    pub async fn select_award(
        &self,
        caller: Caller<'_>,
        org: i64,
        period: &str,
        kind: &str,
        subject: i64,
        citation: &str,
    ) -> Result<i64> {
        let p = AwardPeriod::parse(period)?;
        self.organization(org).await?;
        caller.authorize(Action::ArrangeMonth {
            org: OrganizationId(org),
        })?;
        let kind = AwardKind::parse(kind)
            .filter(|k| k.annual() == p.annual)
            .ok_or_else(|| AppError::field("kind", "invalid_choice"))?;
        let citation = citation.trim();
        if citation.is_empty() {
            return Err(AppError::field("citation", "required"));
        }
        if citation.chars().count() > 500 {
            return Err(AppError::field("citation", "too_long"));
        }
        let Some(through) = self.counted_through(org, &p).await? else {
            return Err(AppError::field("month", "month_not_closed"));
        };
        let (units, persons) = self.rankings(org, &p.from, &through, p.tier).await?;
        let ranked = if kind.for_unit() { &units } else { &persons };
        match ranked.iter().find(|r| r.subject == subject) {
            None => return Err(AppError::field("subject_id", "not_ranked")),
            Some(r) if !r.tier.eligible() => {
                return Err(AppError::field("subject_id", "disqualified"));
            }
            Some(_) => {}
        }
        let mut tx = self.db.begin().await?;
        let id = match store::consequences::insert_award(
            &mut tx,
            org,
            &p.key,
            kind.as_str(),
            subject,
            citation,
            caller.actor_id(),
            self.now(),
        )
        .await
        {
            Ok(id) => id,
            Err(e) if e.is_unique("awards_subject_key", "awards.subject_id") => {
                return Err(AppError::field("subject_id", "already_taken"));
            }
            Err(e) => return Err(e.into()),
        };
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "award.select",
                entity: "award",
                entity_id: Some(id),
                after: Some(
                    json!({ "period": p.key, "kind": kind.as_str(), "subject_id": subject }),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
