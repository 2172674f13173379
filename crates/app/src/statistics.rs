//! Statistics (统计) for any period, organization (with its zones, for a city), unit, leader
//! or person, computed from the stored record by `domain::statistics`.

use domain::figures::{Figures, OutcomeGroup, month_figures_of};
use domain::plan::{TaskStatus, YearMonth};
use domain::policy::{Action, StatsSubject, sees_accountability_counts};
use domain::statistics::{Counted, MonthLine, Period, Totals, summarize};
use domain::{OrganizationId, PersonId, UnitId};
use serde::Serialize;

use crate::{App, AppError, Caller, Result};

/// What to count.
#[derive(Debug, Clone, Default)]
pub struct StatsQuery {
    pub from: String,
    pub to: String,
    pub unit: Option<i64>,
    pub leader: Option<i64>,
    pub person: Option<i64>,
    /// Include the organizations below this one (a city's zones).
    pub below: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatsView {
    pub period: Period,
    pub lines: Vec<MonthLine>,
    pub totals: Totals,
    /// How many organizations were counted.
    pub organizations: usize,
    /// The unit, leader or person counted, by name.
    pub subject: Option<String>,
    /// The period's figures by unit (or by organization, with its zones), most planned first.
    pub compared: Vec<Compared>,
    /// Whether `compared` is by organization.
    pub by_org: bool,
}

/// One unit's or organization's figures over the period.
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    pub id: i64,
    pub name: String,
    pub figures: Figures,
}

fn month_of(s: &str) -> Option<YearMonth> {
    YearMonth::parse(s)
}

impl App {
    pub async fn statistics(
        &self,
        caller: Caller<'_>,
        org: i64,
        q: &StatsQuery,
    ) -> Result<StatsView> {
        let o = self.organization(org).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        let period = Period::parse(&q.from, &q.to).map_err(AppError::Invalid)?;
        if [q.unit, q.leader, q.person].iter().flatten().count() > 1 {
            return Err(AppError::field("unit_id", "one_subject_only"));
        }
        let mut orgs = vec![org];
        if q.below {
            orgs.extend(store::org::descendant_organization_ids(&self.db, &o.path).await?);
            for child in &orgs[1..] {
                caller.authorize(Action::ViewStructure {
                    org: OrganizationId(*child),
                })?;
            }
        }
        let mut unit_path: Vec<UnitId> = Vec::new();
        let subject = match (q.unit, q.leader.or(q.person)) {
            (Some(u), _) => {
                let unit = self.unit(u).await?;
                if !orgs.contains(&unit.organization_id) {
                    return Err(AppError::field("unit_id", "not_found"));
                }
                unit_path = unit.path_ids().into_iter().map(UnitId).collect();
                Some(unit.name)
            }
            (None, Some(p)) => {
                let person = store::people::get_person(&self.db, p)
                    .await?
                    .filter(|x| orgs.contains(&x.organization_id))
                    .ok_or_else(|| {
                        AppError::field(
                            if q.leader.is_some() {
                                "leader_id"
                            } else {
                                "person_id"
                            },
                            "not_found",
                        )
                    })?;
                Some(person.display_name)
            }
            (None, None) => None,
        };
        // Whose figures these are decides who may see them, and whether the number held
        // accountable (confidential cases) is shown.
        let who = match (q.unit, q.leader.or(q.person)) {
            (Some(_), _) => StatsSubject::Unit { path: &unit_path },
            (None, Some(p)) => StatsSubject::Person(PersonId(p)),
            (None, None) => StatsSubject::Organization,
        };
        caller.authorize(Action::ViewStatistics {
            org: OrganizationId(org),
            subject: who,
        })?;
        let show_accountable = match caller {
            Caller::System => true,
            Caller::Person(i) => sees_accountability_counts(&i.actor, OrganizationId(org), who),
        };
        let scope = store::statistics::Scope {
            orgs: orgs.clone(),
            from: period.from.to_string(),
            to: period.to.to_string(),
            unit: q.unit,
            leader: q.leader,
            person: q.person,
        };
        let tasks = store::statistics::task_counts(&self.db, &scope).await?;
        let (published, published_distinct) =
            store::statistics::published_counts(&self.db, &scope).await?;
        let warnings = store::statistics::warning_counts(&self.db, &scope).await?;
        let accountable = if show_accountable {
            store::statistics::accountable_count(&self.db, &scope).await?
        } else {
            0
        };
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        let by_month = |rows: Vec<(String, i64)>| -> Vec<(YearMonth, u32)> {
            rows.into_iter()
                .filter_map(|(m, c)| Some((month_of(&m)?, n(c))))
                .collect()
        };
        let counted = Counted {
            tasks: tasks
                .into_iter()
                .filter_map(|(m, s, c)| Some((month_of(&m)?, TaskStatus::parse(&s)?, n(c))))
                .collect(),
            published: by_month(published),
            warnings: by_month(warnings),
            published_distinct: n(published_distinct),
            accountable: n(accountable),
        };
        let (lines, mut totals) = summarize(period, &counted);
        if !show_accountable {
            totals.accountable = None;
        }
        let by_org = orgs.len() > 1;
        let groups: Vec<OutcomeGroup> = store::statistics::task_counts_by(&self.db, &scope, by_org)
            .await?
            .into_iter()
            .filter_map(|(k, s, c)| {
                Some(OutcomeGroup {
                    unit_id: k,
                    status: TaskStatus::parse(&s)?,
                    on_time: false,
                    carried_in: false,
                    count: n(c),
                })
            })
            .collect();
        let by = month_figures_of(&groups).by_unit;
        let ids: Vec<i64> = by.keys().copied().collect();
        let names: std::collections::HashMap<i64, String> = if by_org {
            store::statistics::organization_names(&self.db, &ids).await?
        } else {
            store::consequences::names(&self.db, false, &ids).await?
        }
        .into_iter()
        .collect();
        let mut compared: Vec<Compared> = by
            .into_iter()
            .map(|(id, figures)| Compared {
                id,
                name: names.get(&id).cloned().unwrap_or_default(),
                figures,
            })
            .collect();
        compared.sort_by(|a, b| {
            b.figures
                .planned
                .cmp(&a.figures.planned)
                .then(a.name.cmp(&b.name))
        });
        Ok(StatsView {
            period,
            lines,
            totals,
            organizations: orgs.len(),
            subject,
            compared,
            by_org,
        })
    }
}
