//! Consequences of the record (四个结合): the performance office's rule set, the score ledger a
//! month's close writes, each unit's score with the reason for every point, the bonus
//! withholding list, and the accountability ladder's cases with the discipline office's
//! decisions. The rules themselves are `domain::consequences`.

use std::collections::{BTreeMap, HashMap};

use domain::consequences::{
    DecisionInput, Entry, LadderStep, MonthOccurrence, MonthRecord, Points, RuleSet, RuleSetInput,
    Unfinished, ladder, month_ledger,
};
use domain::ids::PersonId;
use domain::page::{Page, PageRequest};
use domain::plan::{TaskStatus, YearMonth};
use domain::policy::Action;
use serde::Serialize;
use serde_json::json;
use store::consequences::{
    CaseFilter, CaseRow, CaseScope, EntryRow, NewCase, NewEntry, RuleSetRow, UnitScoreRow,
};

use crate::{App, AppError, Caller, Result};
use crate::{org_id, path_of};

/// A year's rules as they stand, with every earlier version.
#[derive(Debug, Clone, Serialize)]
pub struct RulesView {
    pub year: i32,
    pub rules: RuleSet,
    /// `None` while the defaults apply (nobody has saved the year's rules yet).
    pub version: Option<i32>,
    pub versions: Vec<RuleSetRow>,
    pub can_edit: bool,
}

/// One unit's score of a closed month, entry by entry.
#[derive(Debug, Clone, Serialize)]
pub struct UnitScoreView {
    pub month: YearMonth,
    pub unit_id: i64,
    pub unit_name: String,
    pub total: Points,
    pub withheld: bool,
    pub entries: Vec<EntryRow>,
    /// The version of the rules the month was scored with.
    pub rule_set_version: Option<i32>,
    /// Whether the month has been scored (closed) at all.
    pub scored: bool,
    /// The unit's score over the year's closed months so far, with its grade.
    pub year_total: Points,
    pub year_grade: domain::consequences::Grade,
}

/// A case, with what the caller may do with it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub case: CaseRow,
    pub can_decide: bool,
}

fn parse_rules(row: &RuleSetRow) -> Result<RuleSet> {
    serde_json::from_str(&row.rules).map_err(|e| AppError::Internal(e.to_string()))
}

impl App {
    /// The rules in force for an organization's year: the newest version, or the defaults.
    pub(crate) async fn rules_for(
        &self,
        ex: impl Into<store::Ex<'_>>,
        org: i64,
        year: i32,
    ) -> Result<(RuleSet, Option<RuleSetRow>)> {
        match store::consequences::rule_set(ex, org, year).await? {
            Some(row) => Ok((parse_rules(&row)?, Some(row))),
            None => Ok((RuleSet::default(), None)),
        }
    }

    /// A year's rules: every member of the organization may read them (a unit must be able to
    /// see why it lost a point); the performance office edits them.
    pub async fn rules(&self, caller: Caller<'_>, org: i64, year: i32) -> Result<RulesView> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let (rules, row) = self.rules_for(&self.db, org, year).await?;
        let versions = store::consequences::rule_set_versions(&self.db, org, year).await?;
        Ok(RulesView {
            year,
            rules,
            version: row.map(|r| r.version),
            versions,
            can_edit: caller
                .authorize(Action::ManageRules { org: org_id(org) })
                .is_ok(),
        })
    }

    /// Saves a new version of a year's rules. Months already closed keep the version they
    /// were scored with.
    pub async fn save_rules(
        &self,
        caller: Caller<'_>,
        org: i64,
        year: i32,
        input: &RuleSetInput,
    ) -> Result<i32> {
        self.organization(org).await?;
        caller.authorize(Action::ManageRules { org: org_id(org) })?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::field("year", "out_of_range"));
        }
        let rules = input.validate().map_err(AppError::Invalid)?;
        let json = serde_json::to_string(&rules).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let (before, _) = self.rules_for(&mut tx, org, year).await?;
        let (id, version) = store::consequences::insert_rule_set(
            &mut tx,
            org,
            year,
            &json,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "rule_set.save",
                entity: "rule_set",
                entity_id: Some(id),
                before: Some(json!(before)),
                after: Some(json!({ "year": year, "version": version, "rules": rules })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The month whose scores to show first: the newest closed one, else the one before now.
    pub async fn scores_month(&self, org: i64) -> Result<YearMonth> {
        Ok(
            match store::consequences::last_closed_month(&self.db, org).await? {
                Some(m) => YearMonth::parse(&m).ok_or(AppError::NotFound)?,
                None => YearMonth::of(self.today()).prev(),
            },
        )
    }

    /// The close's consequences step: the month's ledger and the ladder's proposals, in the
    /// close's transaction. `units` are the units with planned tasks in the month.
    pub(crate) async fn score_month(
        &self,
        tx: &mut store::Tx,
        org: i64,
        ym: YearMonth,
        units: Vec<i64>,
    ) -> Result<(usize, usize)> {
        self.score_month_on(tx, org, ym, units, self.today(), true)
            .await
    }

    /// The consequences of a month closed on `closed_on`: its ledger and the ladder's
    /// proposals (with their deadlines from that day), the discipline office told when `notify`.
    pub(crate) async fn score_month_on(
        &self,
        tx: &mut store::Tx,
        org: i64,
        ym: YearMonth,
        units: Vec<i64>,
        closed_on: chrono::NaiveDate,
        notify: bool,
    ) -> Result<(usize, usize)> {
        let m = ym.to_string();
        let (rules, row) = self.rules_for(&mut *tx, org, ym.year).await?;
        let (record, unsigned) = month_record(tx, org, &m, units).await?;
        let entries = month_ledger(&rules, &record);
        let rows = self
            .write_ledger(tx, org, &m, row.as_ref().map(|r| r.id), &entries)
            .await?;
        let event = |(id, task, unit, owner): (i64, i64, i64, Option<i64>)| MonthOccurrence {
            id,
            task,
            unit,
            owner,
        };

        let unfinished: Vec<Unfinished> = unsigned
            .iter()
            .map(|&(task, unit, owner, _, months)| Unfinished {
                task: event((task, task, unit, owner)),
                months: months.unsigned_abs(),
            })
            .collect();
        let continuation: std::collections::HashMap<i64, Option<i64>> =
            unsigned.iter().map(|&(t, _, _, n, _)| (t, n)).collect();
        let proposals = ladder(&rules, &unfinished, closed_on);
        let cases: Vec<NewCase<'_>> = proposals
            .iter()
            .map(|p| NewCase {
                task: p.task.task,
                continuation: continuation.get(&p.task.task).copied().flatten(),
                unit: p.task.unit,
                person: p.task.owner,
                step: p.step.as_str(),
                months: i32::try_from(p.months).unwrap_or(i32::MAX),
                deadline: p.deadline.map(|d| d.to_string()),
            })
            .collect();
        store::consequences::insert_cases(tx, org, &m, &cases, self.now()).await?;
        if notify && !cases.is_empty() {
            // One notice to the discipline office, not one per case; nobody else is told.
            let to = store::notify::role_holders(&mut *tx, org, &["discipline_officer"]).await?;
            let msg = domain::notify::Message::accountability_proposed(&m, cases.len());
            self.notify(
                tx,
                org,
                &crate::notify::Note::to_all(&to, &msg, Some(&format!("accountability:{m}"))),
            )
            .await?;
        }
        Ok((rows, cases.len()))
    }

    async fn write_ledger(
        &self,
        tx: &mut store::Tx,
        org: i64,
        m: &str,
        rule_set: Option<i64>,
        entries: &[Entry],
    ) -> Result<usize> {
        let rows: Vec<NewEntry<'_>> = entries
            .iter()
            .map(|e| NewEntry {
                unit: e.unit,
                person: e.person,
                rule: e.rule.as_str(),
                points: e.points.0,
                event_kind: e.event.as_str(),
                event_id: e.event_id,
                task: e.task,
            })
            .collect();
        store::consequences::insert_entries(tx, org, m, rule_set, &rows, self.now()).await?;
        Ok(rows.len())
    }

    /// What scoring a closed month again under the year's newest rules would change, unit by
    /// unit, before anything is applied (the performance office).
    pub async fn recompute_preview(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
    ) -> Result<RecomputePreview> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::ManageRules { org: org_id(org) })?;
        let m = ym.to_string();
        if !store::consequences::month_scored(&self.db, org, &m).await? {
            return Err(AppError::field("month", "month_not_closed"));
        }
        let mut tx = self.db.begin().await?;
        let preview = self.recompute_in(&mut tx, org, ym).await?.0;
        drop(tx);
        Ok(preview)
    }

    /// The preview and the new entries, read inside `tx`.
    async fn recompute_in(
        &self,
        tx: &mut store::Tx,
        org: i64,
        ym: YearMonth,
    ) -> Result<(RecomputePreview, Vec<Entry>, Option<i64>)> {
        let m = ym.to_string();
        let (rules, row) = self.rules_for(&mut *tx, org, ym.year).await?;
        let groups = store::signoff::outcome_groups(&mut *tx, org, &m).await?;
        let (record, _) = month_record(tx, org, &m, planned_units(&groups)).await?;
        let entries = month_ledger(&rules, &record);
        let mut before: BTreeMap<i64, i64> = BTreeMap::new();
        let mut versions = std::collections::BTreeSet::new();
        for (unit, _, _, _, points) in
            store::consequences::ledger_counts(&mut *tx, org, &m, &m).await?
        {
            *before.entry(unit).or_default() += points;
        }
        for id in store::consequences::month_rule_sets(&mut *tx, org, &m).await? {
            versions.insert(id);
        }
        let mut after: BTreeMap<i64, i64> = BTreeMap::new();
        for e in &entries {
            *after.entry(e.unit).or_default() += e.points.0;
        }
        let units: Vec<i64> = before.keys().chain(after.keys()).copied().collect();
        let names: HashMap<i64, String> = store::consequences::names(&mut *tx, false, &units)
            .await?
            .into_iter()
            .collect();
        let mut changes: Vec<ScoreChange> = before
            .keys()
            .chain(after.keys())
            .copied()
            .collect::<std::collections::BTreeSet<i64>>()
            .into_iter()
            .filter_map(|u| {
                let (b, a) = (
                    before.get(&u).copied().unwrap_or(0),
                    after.get(&u).copied().unwrap_or(0),
                );
                (a != b).then(|| ScoreChange {
                    unit_id: u,
                    unit_name: names.get(&u).cloned().unwrap_or_default(),
                    before: Points(b),
                    after: Points(a),
                })
            })
            .collect();
        changes.sort_by_key(|c| (c.after.0 - c.before.0, c.unit_id));
        let scored_with: Vec<i64> = versions.into_iter().flatten().collect();
        Ok((
            RecomputePreview {
                month: ym,
                version: row.as_ref().map(|r| r.version),
                same_rules: scored_with == row.iter().map(|r| r.id).collect::<Vec<_>>(),
                changes,
            },
            entries,
            row.map(|r| r.id),
        ))
    }

    /// Scores a closed month again under the year's newest rules: the month's entries are
    /// replaced, in one transaction, audited with what changed. `version` is the rules'
    /// version the caller previewed; if the rules changed since, nothing is applied.
    pub async fn recompute_month(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        version: Option<i32>,
    ) -> Result<RecomputePreview> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::ManageRules { org: org_id(org) })?;
        let m = ym.to_string();
        let mut tx = self.db.begin().await?;
        store::cards::lock_month(&mut tx, org, &m).await?;
        if !store::consequences::month_scored(&mut tx, org, &m).await? {
            return Err(AppError::field("month", "month_not_closed"));
        }
        let (preview, entries, rule_set) = self.recompute_in(&mut tx, org, ym).await?;
        if preview.version != version {
            return Err(AppError::field("version", "rules_changed"));
        }
        store::consequences::delete_entries(&mut tx, org, &m).await?;
        self.write_ledger(&mut tx, org, &m, rule_set, &entries)
            .await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: org, action: "score.recompute", entity: "cycle", before: Some(json!({ "month": m })), after: Some(json!({
                "month": m, "version": preview.version, "units_changed": preview.changes.len(),
                "changes": preview.changes.iter().take(50).map(|c| json!({
                    "unit_id": c.unit_id, "before": c.before.to_string(), "after": c.after.to_string()
                })).collect::<Vec<_>>(),
            })), ..Default::default() })
        .await?;
        tx.commit().await?;
        Ok(preview)
    }

    /// Every unit's score of a closed month, best first (the offices); `withheld_only` gives the
    /// performance office's list of units whose target bonus is withheld (扣发当月目标绩效奖金).
    pub async fn month_scores(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        withheld_only: bool,
        page: PageRequest,
    ) -> Result<Page<UnitScoreRow>> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::ViewAllScores { org: org_id(org) })?;
        let (rows, total) =
            store::consequences::unit_scores(&self.db, org, &ym.to_string(), withheld_only, page)
                .await?;
        Ok(Page::new(rows, page, total.unsigned_abs()))
    }

    /// Every unit's score of a year (the sum of its closed months) with its grade under the
    /// year's rules, best first: the offices.
    pub async fn year_scores(
        &self,
        caller: Caller<'_>,
        org: i64,
        year: i32,
        page: PageRequest,
    ) -> Result<YearScores> {
        self.organization(org).await?;
        caller.authorize(Action::ViewAllScores { org: org_id(org) })?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::field("year", "out_of_range"));
        }
        let (rules, _) = self.rules_for(&self.db, org, year).await?;
        let (rows, total) = store::consequences::year_scores(&self.db, org, year, page).await?;
        let through = store::consequences::last_closed_between(
            &self.db,
            org,
            &format!("{year}-01"),
            &format!("{year}-12"),
        )
        .await?;
        let items = rows
            .into_iter()
            .map(|(unit_id, unit_name, points, months)| YearScore {
                unit_id,
                unit_name,
                points: Points(points),
                months,
                grade: rules.grade_so_far(Points(points), u32::try_from(months).unwrap_or(12)),
            })
            .collect();
        Ok(YearScores {
            year,
            through,
            annual_weight: rules.annual_weight,
            page: Page::new(items, page, total.unsigned_abs()),
        })
    }

    /// One unit's score of a month with every entry: the unit itself, its leaders and the
    /// offices may read it.
    pub async fn unit_score(
        &self,
        caller: Caller<'_>,
        unit: i64,
        month: &str,
    ) -> Result<UnitScoreView> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        let u = self.unit(unit).await?;
        let path = path_of(&u.path);
        caller.authorize(Action::ViewUnitPlan {
            org: org_id(u.organization_id),
            unit_path: &path,
        })?;
        let m = ym.to_string();
        let entries =
            store::consequences::unit_entries(&self.db, u.organization_id, &m, unit).await?;
        let scored = !entries.is_empty()
            || store::consequences::month_scored(&self.db, u.organization_id, &m).await?;
        let rule_set_version = match entries.iter().find_map(|e| e.rule_set_id) {
            Some(id) => store::consequences::rule_set_by_id(&self.db, id)
                .await?
                .map(|r| r.version),
            None => None,
        };
        let year =
            store::consequences::unit_year(&self.db, u.organization_id, unit, ym.year).await?;
        let year_total: Points = year.iter().map(|(_, p)| Points(*p)).sum();
        let (rules, _) = self.rules_for(&self.db, u.organization_id, ym.year).await?;
        Ok(UnitScoreView {
            year_total,
            year_grade: rules.grade_so_far(year_total, u32::try_from(year.len()).unwrap_or(12)),
            month: ym,
            unit_id: unit,
            unit_name: u.name,
            total: entries.iter().map(|e| Points(e.points)).sum(),
            withheld: entries.iter().any(|e| e.rule == "bonus_withheld"),
            entries,
            rule_set_version,
            scored,
        })
    }

    /// Which cases the caller may list: the same entitlements as `Action::ViewCase`, as a
    /// scope of the list's query.
    async fn case_scope(&self, caller: Caller<'_>, org: i64) -> Result<CaseScope> {
        let Caller::Person(i) = caller else {
            return Ok(CaseScope {
                all: true,
                ..CaseScope::default()
            });
        };
        let a = &i.actor;
        let o = org_id(org);
        if a.sees_all_cases(o) {
            return Ok(CaseScope {
                all: true,
                ..CaseScope::default()
            });
        }
        if a.organization_id != o {
            return Ok(CaseScope::default());
        }
        let open_paths = if a.sees_open_cases(o) {
            None
        } else {
            let ids: Vec<i64> = a.headed_units().into_iter().map(|u| u.0).collect();
            Some(
                store::org::units_by_ids(&self.db, &ids)
                    .await?
                    .into_iter()
                    .map(|u| u.path)
                    .collect(),
            )
        };
        Ok(CaseScope {
            all: false,
            person: Some(a.person_id.0),
            open_paths,
            open_steps: vec![LadderStep::RectificationOrder.as_str().to_owned()],
        })
    }

    /// The ladder's cases the caller may see, newest first.
    pub async fn list_cases(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> Result<Page<CaseRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        if let Some(s) = &filter.step
            && LadderStep::parse(s).is_none()
        {
            return Err(AppError::field("step", "invalid_choice"));
        }
        let scope = self.case_scope(caller, org).await?;
        let (rows, total) =
            store::consequences::list_cases(&self.db, org, &scope, filter, page).await?;
        Ok(Page::new(rows, page, total.unsigned_abs()))
    }

    async fn case_row(&self, id: i64) -> Result<CaseRow> {
        store::consequences::case(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    fn authorize_case(&self, caller: Caller<'_>, k: &CaseRow) -> Result<()> {
        let path = path_of(&k.unit_path);
        caller.authorize(Action::ViewCase {
            org: org_id(k.organization_id),
            unit_path: &path,
            person: k.person_id.map(PersonId),
            confidential: LadderStep::parse(&k.step).is_none_or(LadderStep::confidential),
        })
    }

    /// One case, for those entitled. To anyone else it does not exist: that a person has a
    /// case at all is what the confidentiality protects.
    pub async fn get_case(&self, caller: Caller<'_>, id: i64) -> Result<CaseView> {
        let case = self.case_row(id).await?;
        self.authorize_case(caller, &case).map_err(|e| match e {
            AppError::Forbidden => AppError::NotFound,
            e => e,
        })?;
        Ok(CaseView {
            can_decide: case.status == "proposed"
                && caller
                    .authorize(Action::DecideCase {
                        org: org_id(case.organization_id),
                    })
                    .is_ok(),
            case,
        })
    }

    /// The discipline office records its verification and decision. The system proposes the
    /// step; only this records what is decided, and only once.
    pub async fn decide_case(
        &self,
        caller: Caller<'_>,
        id: i64,
        input: &DecisionInput,
    ) -> Result<()> {
        let case = self.case_row(id).await?;
        self.authorize_case(caller, &case)?;
        caller.authorize(Action::DecideCase {
            org: org_id(case.organization_id),
        })?;
        let d = input.validate().map_err(AppError::Invalid)?;
        let mut tx = self.db.begin().await?;
        if !store::consequences::decide_case(
            &mut tx,
            id,
            &d.verification,
            d.sanction.as_str(),
            &d.reasons,
            caller.actor_id(),
            self.now(),
        )
        .await?
        {
            return Err(AppError::field("sanction", "case_decided"));
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: case.organization_id,
                action: "case.decide",
                entity: "accountability_case",
                entity_id: Some(id),
                before: Some(json!({ "status": case.status })),
                after: Some(json!({ "status": "decided" })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What the close knows of a month for its consequences, read in `tx`: the record, and the
/// unsigned tasks as `(task, unit, owner, continuation, months unfinished)`.
#[allow(clippy::type_complexity)]
async fn month_record(
    tx: &mut store::Tx,
    org: i64,
    m: &str,
    units: Vec<i64>,
) -> Result<(MonthRecord, Vec<(i64, i64, Option<i64>, Option<i64>, i32)>)> {
    let unsigned = store::consequences::unsigned_tasks(tx, org, m).await?;
    let event = |(id, task, unit, owner): (i64, i64, i64, Option<i64>)| MonthOccurrence {
        id,
        task,
        unit,
        owner,
    };
    let record = MonthRecord {
        units,
        unsigned: unsigned
            .iter()
            .map(|&(task, unit, owner, _, _)| event((task, task, unit, owner)))
            .collect(),
        red_cards: store::consequences::red_task_cards(tx, org, m)
            .await?
            .into_iter()
            .map(event)
            .collect(),
        highlights: store::consequences::month_highlights(tx, org, m)
            .await?
            .into_iter()
            .map(event)
            .collect(),
    };
    Ok((record, unsigned))
}

/// A unit's year.
#[derive(Debug, Clone, Serialize)]
pub struct YearScore {
    pub unit_id: i64,
    pub unit_name: String,
    pub points: Points,
    /// Closed months counted.
    pub months: i64,
    pub grade: domain::consequences::Grade,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearScores {
    pub year: i32,
    /// The year's last closed month: scores and grades count closed months only.
    pub through: Option<String>,
    pub annual_weight: Points,
    pub page: Page<YearScore>,
}

/// What scoring a month again would change.
#[derive(Debug, Clone, Serialize)]
pub struct RecomputePreview {
    pub month: YearMonth,
    /// The version of the year's rules it would apply (`None`: the defaults).
    pub version: Option<i32>,
    /// The month was scored with these very rules.
    pub same_rules: bool,
    /// Units whose score would change, biggest loss first.
    pub changes: Vec<ScoreChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreChange {
    pub unit_id: i64,
    pub unit_name: String,
    pub before: Points,
    pub after: Points,
}

/// The units with planned tasks among the month's outcome groups.
pub(crate) fn planned_units(rows: &[(i64, String, bool, bool, i64)]) -> Vec<i64> {
    let mut units: Vec<i64> = rows
        .iter()
        .filter(|(_, status, ..)| TaskStatus::parse(status).is_some_and(TaskStatus::in_plan))
        .map(|(u, ..)| *u)
        .collect();
    units.sort_unstable();
    units.dedup();
    units
}
