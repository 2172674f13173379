//! A person's record (干部实绩档案, 能勤绩) over the years, for the person, the director and
//! the leading group (`domain::policy::Action::ViewCadre`).

use std::collections::BTreeMap;

use domain::OrganizationId;
use domain::bulletin::Bulletin;
use domain::cadre::{YearRecord, document};
use domain::consequences::Points;
use domain::ids::PersonId;
use domain::plan::TaskStatus;
use domain::policy::Action;
use serde::Serialize;

use crate::{App, AppError, Caller, Result};

#[derive(Debug, Clone, Serialize)]
pub struct CadreView {
    pub person_id: i64,
    pub name: String,
    pub unit_name: Option<String>,
    pub organization_name: String,
    /// Oldest first.
    pub years: Vec<YearRecord>,
    pub total: YearRecord,
    /// The person's score of each of the last twelve months scored, newest first.
    pub months: Vec<(String, Points)>,
}

impl CadreView {
    /// The record as a document (for the DOCX), dated `date` (e.g. 2026年12月1日).
    pub fn document(&self, date: &str) -> Bulletin {
        document(
            &self.organization_name,
            &self.name,
            self.unit_name.as_deref().unwrap_or(""),
            date,
            &self.years,
        )
    }
}

impl App {
    pub async fn cadre_record(&self, caller: Caller<'_>, person: i64) -> Result<CadreView> {
        let p = store::people::get_person(&self.db, person)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ViewCadre {
            org: OrganizationId(p.organization_id),
            person: PersonId(person),
        })?;
        let org = self.organization(p.organization_id).await?;
        let unit_name = p.unit_name.clone();
        let mut years: BTreeMap<i32, YearRecord> = BTreeMap::new();
        fn year<'a>(
            years: &'a mut BTreeMap<i32, YearRecord>,
            y: &str,
        ) -> Option<&'a mut YearRecord> {
            let y: i32 = y.parse().ok()?;
            Some(years.entry(y).or_insert(YearRecord {
                year: y,
                ..YearRecord::default()
            }))
        }
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        for (y, status, on_time, key, count) in store::cadre::task_counts(&self.db, person).await? {
            let Some(s) = TaskStatus::parse(&status) else {
                continue;
            };
            let Some(r) = year(&mut years, &y) else {
                continue;
            };
            if !domain::figures::planned(s) {
                continue;
            }
            r.planned += n(count);
            match s {
                TaskStatus::SignedOff => {
                    r.signed_off += n(count);
                    if on_time {
                        r.on_time += n(count);
                    }
                    if key {
                        r.key_done += n(count);
                    }
                }
                TaskStatus::CarriedOver => r.carried_over += n(count),
                _ => {}
            }
        }
        for (kind, y, count) in store::cadre::event_counts(&self.db, person).await? {
            let Some(r) = year(&mut years, &y) else {
                continue;
            };
            if kind == "points" {
                r.points += count;
                continue;
            }
            let field = match kind.as_str() {
                "highlight" => &mut r.highlights,
                "red_card" => &mut r.red_cards,
                "warning" => &mut r.warnings,
                "sanction" => &mut r.sanctions,
                "star" => &mut r.stars,
                _ => continue,
            };
            *field += n(count);
        }
        let years: Vec<YearRecord> = years.into_values().collect();
        Ok(CadreView {
            person_id: person,
            name: p.display_name,
            unit_name,
            organization_name: org.name,
            total: domain::cadre::total(&years),
            years,
            months: store::cadre::month_points(&self.db, person, 12)
                .await?
                .into_iter()
                .map(|(m, p)| (m, Points(p)))
                .collect(),
        })
    }
}
