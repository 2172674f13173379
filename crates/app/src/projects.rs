//! Use cases of the key projects (重点在建项目): the leadership keeps the list, its milestones
//! and dates; the lead unit reports monthly progress; tasks link to a project; each project
//! is carded like a task. Key projects are public within the organization.

use domain::Role;
use domain::cards::Subject;
use domain::page::{Page, PageRequest};
use domain::plan::{Phase, YearMonth, parse_date};
use domain::policy::Action;
use domain::supervision::{KeyProjectInput, MilestoneInput, ProgressInput};
use serde::Serialize;
use serde_json::json;
use store::projects::{MilestoneRow, ProjectFilter, ProjectProgressRow, ProjectRow};
use store::supervision::{FindingFilter, FindingRow};

use crate::cards::CardView;
use crate::error::unique_as_field;
use crate::{App, AppError, Caller, Result};
use crate::{org_id, path_of};

/// What a key project's page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub project: ProjectRow,
    pub milestones: Vec<MilestoneRow>,
    pub progress: Vec<ProjectProgressRow>,
    pub tasks: Vec<store::plan::TaskRow>,
    pub findings: Vec<FindingRow>,
    pub card: Option<CardView>,
    pub can_manage: bool,
    pub can_report: bool,
}

impl App {
    async fn project(&self, id: i64) -> Result<ProjectRow> {
        store::projects::get_project(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Checks the lead unit and the leader of a project.
    async fn check_project_refs(
        &self,
        org: i64,
        d: &domain::supervision::KeyProjectDraft,
    ) -> Result<()> {
        match store::org::get_unit(&self.db, d.unit_id).await? {
            Some(u) if u.organization_id == org && !u.disabled => {}
            _ => return Err(AppError::field("unit_id", "not_found")),
        }
        if let Some(l) = d.leader_id {
            let ok = store::people::get_person(&self.db, l)
                .await?
                .is_some_and(|p| p.organization_id == org && !p.disabled)
                && store::people::roles_of(&self.db, l)
                    .await?
                    .iter()
                    .any(|r| r.role == Role::LeaderInCharge.as_str());
            if !ok {
                return Err(AppError::field("leader_id", "not_a_leader"));
            }
        }
        Ok(())
    }

    pub async fn create_project(
        &self,
        caller: Caller<'_>,
        org: i64,
        input: &KeyProjectInput,
    ) -> Result<i64> {
        self.organization(org).await?;
        caller.authorize(Action::ManagePlanning { org: org_id(org) })?;
        let d = input.validate()?;
        self.check_project_refs(org, &d).await?;
        let mut tx = self.db.begin().await?;
        let id = store::projects::insert_project(&mut tx, org, &d, self.now())
            .await
            .map_err(|e| {
                unique_as_field(e, "key_projects_org_name_key", "key_projects.name", "name")
            })?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "key_project.create",
                entity: "key_project",
                entity_id: Some(id),
                after: Some(json!(d)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        let m = YearMonth::of(self.today()).to_string();
        self.refresh_one(org, &m, Subject::Project, id).await?;
        Ok(id)
    }

    pub async fn update_project(
        &self,
        caller: Caller<'_>,
        id: i64,
        input: &KeyProjectInput,
    ) -> Result<()> {
        let before = self.project(id).await?;
        let org = before.organization_id;
        caller.authorize(Action::ManagePlanning { org: org_id(org) })?;
        let d = input.validate()?;
        self.check_project_refs(org, &d).await?;
        let mut tx = self.db.begin().await?;
        store::projects::update_project(&mut tx, id, &d, self.now())
            .await
            .map_err(|e| {
                unique_as_field(e, "key_projects_org_name_key", "key_projects.name", "name")
            })?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: org, action: "key_project.update", entity: "key_project", entity_id: Some(id), before: Some(json!({ "name": before.name, "status": before.status, "end_on": before.end_on })), after: Some(json!(d)) })
        .await?;
        tx.commit().await?;
        let m = YearMonth::of(self.today()).to_string();
        self.refresh_one(org, &m, Subject::Project, id).await?;
        Ok(())
    }

    pub async fn list_projects(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> Result<Page<ProjectRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let (rows, total) = store::projects::list_projects(&self.db, org, filter, page).await?;
        Ok(Page::new(rows, page, total))
    }

    /// The projects one may link a task to: (id, name).
    pub async fn project_choices(
        &self,
        caller: Caller<'_>,
        org: i64,
    ) -> Result<Vec<(i64, String)>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        Ok(store::projects::project_names(&self.db, org).await?)
    }

    pub async fn get_project(&self, caller: Caller<'_>, id: i64) -> Result<ProjectDetail> {
        let p = self.project(id).await?;
        let org = p.organization_id;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let milestones = store::projects::milestones_of(&self.db, &[id]).await?;
        let progress = store::projects::project_progress(&self.db, id).await?;
        // The project is public; its tasks and findings only as far as the caller sees units.
        let paths = self
            .visible_paths(caller, org)
            .await
            .unwrap_or(Some(vec![]));
        let (tasks, _) = store::plan::list_tasks(
            &self.db,
            org,
            &store::plan::TaskFilter {
                key_project_id: Some(id),
                unit_paths: paths.clone(),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await?;
        let team = caller
            .authorize(Action::ViewCovert { org: org_id(org) })
            .is_ok();
        let (findings, _) = store::supervision::list_findings(
            &self.db,
            org,
            &FindingFilter {
                key_project_id: Some(id),
                visible_only: !team,
                unit_paths: if team { None } else { paths },
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await?;
        let month = YearMonth::of(self.today()).to_string();
        let card = self.card_for(org, &month, Subject::Project, id).await?;
        let path = path_of(&p.unit_path);
        Ok(ProjectDetail {
            can_manage: caller
                .authorize(Action::ManagePlanning { org: org_id(org) })
                .is_ok(),
            can_report: p.status == "active"
                && caller
                    .authorize(Action::ProposeForUnit {
                        org: org_id(org),
                        unit_path: &path,
                    })
                    .is_ok(),
            project: p,
            milestones,
            progress,
            tasks,
            findings,
            card,
        })
    }

    pub async fn add_milestone(
        &self,
        caller: Caller<'_>,
        project: i64,
        input: &MilestoneInput,
    ) -> Result<i64> {
        let p = self.project(project).await?;
        caller.authorize(Action::ManagePlanning {
            org: org_id(p.organization_id),
        })?;
        let (start, end) = (
            parse_date(&p.start_on).ok_or(AppError::NotFound)?,
            parse_date(&p.end_on).ok_or(AppError::NotFound)?,
        );
        let d = input.validate(start, end)?;
        let mut tx = self.db.begin().await?;
        let id = store::projects::insert_milestone(&mut tx, project, &d, self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: p.organization_id,
                action: "milestone.create",
                entity: "milestone",
                entity_id: Some(id),
                after: Some(json!({ "project_id": project, "title": d.title, "due_on": d.due_on })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        let m = YearMonth::of(self.today()).to_string();
        self.refresh_one(p.organization_id, &m, Subject::Project, project)
            .await?;
        Ok(id)
    }

    /// Marks a milestone reached (today) or not reached: the leadership or the lead unit.
    pub async fn set_milestone_done(&self, caller: Caller<'_>, id: i64, done: bool) -> Result<()> {
        let ms = store::projects::get_milestone(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let p = self.project(ms.key_project_id).await?;
        let org = org_id(p.organization_id);
        let path = path_of(&p.unit_path);
        if caller.authorize(Action::ManagePlanning { org }).is_err() {
            caller.authorize(Action::ProposeForUnit {
                org,
                unit_path: &path,
            })?;
        }
        let done_on = done.then(|| self.today());
        let mut tx = self.db.begin().await?;
        store::projects::set_milestone_done(&mut tx, id, done_on).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: p.organization_id,
                action: "milestone.update",
                entity: "milestone",
                entity_id: Some(id),
                before: Some(json!({ "done_on": ms.done_on })),
                after: Some(json!({ "done_on": done_on })),
            },
        )
        .await?;
        tx.commit().await?;
        let m = YearMonth::of(self.today()).to_string();
        self.refresh_one(p.organization_id, &m, Subject::Project, p.id)
            .await?;
        Ok(())
    }

    /// The lead unit reports this month's progress of a project (once a month; a second
    /// report replaces the first).
    pub async fn report_project_progress(
        &self,
        caller: Caller<'_>,
        project: i64,
        input: &ProgressInput,
    ) -> Result<()> {
        let p = self.project(project).await?;
        let path = path_of(&p.unit_path);
        caller.authorize(Action::ProposeForUnit {
            org: org_id(p.organization_id),
            unit_path: &path,
        })?;
        let g = input.validate()?;
        if p.status != "active" {
            return Err(AppError::field("status", "project_not_active"));
        }
        let month = YearMonth::of(self.today());
        let (_, _, phase) = self.sync_cycle(p.organization_id, month).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        let m = month.to_string();
        let mut tx = self.db.begin().await?;
        store::projects::put_project_progress(
            &mut tx,
            project,
            &m,
            g.percent,
            &g.narrative,
            self.today(),
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: p.organization_id,
                action: "key_project.progress",
                entity: "key_project",
                entity_id: Some(project),
                before: Some(json!({ "progress": p.progress })),
                after: Some(json!({ "progress": g.percent, "month": m, "narrative": g.narrative })),
            },
        )
        .await?;
        tx.commit().await?;
        self.refresh_one(p.organization_id, &m, Subject::Project, project)
            .await?;
        Ok(())
    }
}
