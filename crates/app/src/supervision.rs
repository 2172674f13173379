//! Use cases of execution and supervision (督): progress reports with evidence files,
//! coordination requests (协调事项), inspections (明察/暗访) with findings and follow-ups
//! (跟踪督办).
//!
//! Confidentiality: a covert inspection, its findings, their evidence and follow-ups are seen
//! only by the inspection team and the director until the team publishes the inspection
//! (`domain::supervision::hidden_from_units`); until then its findings do not count on cards
//! either, so that a card never betrays a covert visit.

use domain::cards::Subject;
use domain::evidence;
use domain::page::{Page, PageRequest};
use domain::plan::{Phase, TaskEvent, TaskStatus, YearMonth};
use domain::policy::Action;
use domain::supervision::{
    CoordinationInput, DecisionInput, FindingInput, FollowUpEvent, FollowUpInput, FollowUpStatus,
    InspectionInput, InspectionMode, ProgressInput, body, hidden_from_units,
};
use serde::Serialize;
use serde_json::json;
use store::supervision::{
    CoordinationFilter, CoordinationRow, FileMeta, FindingFilter, FindingRow, FollowUpFilter,
    FollowUpRow, InspectionFilter, InspectionRow, NewCoordination, NewFile, SolutionRow,
};

use crate::{App, AppError, Caller, Result};
use crate::{org_id, path_of};

/// An uploaded evidence file, as received.
#[derive(Debug, Clone)]
pub struct EvidenceUpload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a coordination request page shows.
#[derive(Debug, Clone, Serialize)]
pub struct CoordinationDetail {
    pub request: CoordinationRow,
    pub involved: Vec<(i64, String)>,
    pub solutions: Vec<SolutionRow>,
    pub can_propose: bool,
    pub can_decide: bool,
    pub can_resolve: bool,
}

/// A finding with its evidence and follow-ups.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub finding: FindingRow,
    pub files: Vec<FileMeta>,
    pub follow_ups: Vec<FollowUpRow>,
    /// The evidence of the follow-ups' answers (owner: the follow-up).
    pub follow_up_files: Vec<FileMeta>,
    /// The caller may answer its follow-ups (a member of the inspected unit).
    pub can_respond: bool,
}

/// What an inspection page shows.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionDetail {
    pub inspection: InspectionRow,
    pub units: Vec<(i64, String)>,
    pub findings: Vec<FindingView>,
    /// Hidden from the inspected units (covert, not yet published).
    pub hidden: bool,
    pub can_record: bool,
    pub can_publish: bool,
}

/// What the audit ledger keeps of a change to a covert inspection not yet published: that it
/// happened, not what it says (administrators read the ledger; they may not see covert work).
fn covert_safe(hidden: bool, full: serde_json::Value) -> serde_json::Value {
    if hidden {
        json!({ "covert": true })
    } else {
        full
    }
}

fn follow_up_status(fu: &FollowUpRow) -> Result<FollowUpStatus> {
    FollowUpStatus::parse(&fu.status)
        .ok_or_else(|| AppError::Internal(format!("unknown follow-up status {}", fu.status)))
}

fn mode_of(raw: &str) -> InspectionMode {
    InspectionMode::parse(raw).unwrap_or(InspectionMode::Covert)
}

/// Checks every upload (count, size, kind); the error names the field `files`.
pub(crate) fn check_files(files: &[EvidenceUpload]) -> Result<Vec<(evidence::Accepted, &[u8])>> {
    if files.len() > evidence::MAX_FILES {
        return Err(AppError::field("files", "too_many_files"));
    }
    if files.iter().map(|f| f.bytes.len()).sum::<usize>() > evidence::MAX_TOTAL_BYTES {
        return Err(AppError::field("files", "evidence_too_large"));
    }
    files
        .iter()
        .map(|f| {
            evidence::check(&f.name, &f.bytes)
                .map(|a| (a, f.bytes.as_slice()))
                .map_err(|code| AppError::field("files", code))
        })
        .collect()
}

impl App {
    pub(crate) async fn store_files(
        &self,
        tx: &mut store::Tx,
        caller: Caller<'_>,
        org: i64,
        owner_kind: &str,
        owner_id: i64,
        files: &[(evidence::Accepted, &[u8])],
    ) -> Result<()> {
        for (a, bytes) in files {
            let sha = {
                use sha2::{Digest, Sha256};
                hex::encode(Sha256::digest(bytes))
            };
            let kind = format!("{:?}", a.kind).to_lowercase();
            store::supervision::insert_file(
                tx,
                &NewFile {
                    org,
                    owner_kind,
                    owner_id,
                    name: &a.name,
                    kind: &kind,
                    sha256: &sha,
                    content: bytes,
                    by: caller.actor_id(),
                },
                self.now(),
            )
            .await?;
        }
        Ok(())
    }

    // ---- progress ----

    /// The owner (or a colleague of the unit) reports progress on a planned task: a
    /// percentage, what was done, and evidence files. The first report moves the task to
    /// `in_progress`; the card is computed again at once.
    pub async fn report_progress(
        &self,
        caller: Caller<'_>,
        task: i64,
        input: &ProgressInput,
        files: &[EvidenceUpload],
    ) -> Result<i64> {
        let p = input.validate()?;
        let accepted = check_files(files)?;
        let t = self.task(task).await?;
        let path = path_of(&t.unit_path);
        caller.authorize(Action::ReportProgress {
            org: org_id(t.organization_id),
            unit_path: &path,
            owner: t.owner_id.map(domain::PersonId),
        })?;
        let month = YearMonth::parse(&t.month).ok_or(AppError::NotFound)?;
        let (_, _, phase) = self.sync_cycle(t.organization_id, month).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Draft);
        let next = domain::plan::transition(status, TaskEvent::Progress)
            .map_err(|_| AppError::field("status", "not_in_plan"))?;
        let mut tx = self.db.begin().await?;
        let id = store::supervision::insert_progress(
            &mut tx,
            task,
            p.percent,
            &p.narrative,
            self.today(),
            status.as_str(),
            next.as_str(),
            caller.actor_id(),
            self.now(),
        )
        .await?
        .ok_or_else(|| AppError::field("status", "not_in_plan"))?;
        self.store_files(
            &mut tx,
            caller,
            t.organization_id,
            "progress",
            id,
            &accepted,
        )
        .await?;
        let row = store::plan::get_task(&mut tx, task)
            .await?
            .ok_or(AppError::NotFound)?;
        store::plan::add_history(
            &mut tx,
            task,
            row.version,
            self.now(),
            caller.actor_id(),
            "progress",
            next.as_str(),
            None,
            &json!({ "progress": p.percent, "narrative": p.narrative }).to_string(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: t.organization_id,
                action: "task.progress",
                entity: "task",
                entity_id: Some(task),
                before: Some(json!({ "progress": t.progress, "status": t.status })),
                after: Some(
                    json!({ "progress": p.percent, "status": next, "files": accepted.len() }),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        self.refresh_one(t.organization_id, &t.month, Subject::Task, task)
            .await?;
        Ok(id)
    }

    /// A task's progress reports, newest first, with their evidence (no N+1).
    pub(crate) async fn progress_with_files(
        &self,
        task: i64,
    ) -> Result<(Vec<store::supervision::ProgressRow>, Vec<FileMeta>)> {
        let log = store::supervision::progress_log(&self.db, task, 100).await?;
        let ids: Vec<i64> = log.iter().map(|g| g.id).collect();
        let files = store::supervision::files_of(&self.db, "progress", &ids).await?;
        Ok((log, files))
    }

    /// An evidence file, for those who may see what it is attached to.
    pub async fn get_file(&self, caller: Caller<'_>, id: i64) -> Result<(FileMeta, Vec<u8>)> {
        let meta = store::supervision::file_meta(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        match meta.owner_kind.as_str() {
            "progress" => {
                let task = store::supervision::progress_task(&self.db, meta.owner_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let t = self.task(task).await?;
                self.authorize_task_view(caller, &t)?;
            }
            "finding" => {
                let f = store::supervision::get_finding(&self.db, meta.owner_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                self.authorize_finding(caller, &f)?;
            }
            kind @ ("sign_off" | "site_check") => {
                self.authorize_sign_off_file(caller, kind, meta.owner_id)
                    .await?;
            }
            _ => return Err(AppError::NotFound),
        }
        let bytes = store::supervision::file_content(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((meta, bytes))
    }

    // ---- coordination requests ----

    /// A unit raises a cross-unit obstacle on one of its planned tasks. Everyone in the
    /// organization sees it.
    pub async fn raise_coordination(
        &self,
        caller: Caller<'_>,
        task: i64,
        input: &CoordinationInput,
    ) -> Result<i64> {
        let d = input.validate()?;
        let t = self.task(task).await?;
        let org = t.organization_id;
        let path = path_of(&t.unit_path);
        caller.authorize(Action::ProposeForUnit {
            org: org_id(org),
            unit_path: &path,
        })?;
        if !TaskStatus::parse(&t.status).is_some_and(TaskStatus::is_open) {
            return Err(AppError::field("task_id", "not_in_plan"));
        }
        let units = store::org::units_by_ids(&self.db, &d.involved_unit_ids).await?;
        if units.len() != d.involved_unit_ids.len()
            || units.iter().any(|u| u.organization_id != org || u.disabled)
        {
            return Err(AppError::field("involved_unit_ids", "not_found"));
        }
        let mut tx = self.db.begin().await?;
        let id = store::supervision::insert_coordination(
            &mut tx,
            &NewCoordination {
                org,
                task_id: task,
                unit_id: t.unit_id,
                month: &t.month,
                title: &d.title,
                description: &d.description,
                involved: &d.involved_unit_ids,
                by: caller.actor_id(),
            },
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "coordination.raise",
                entity: "coordination_request",
                entity_id: Some(id),
                after: Some(
                    json!({ "task_id": task, "title": d.title, "involved": d.involved_unit_ids }),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.bus.announce(org, "coordination").await;
        Ok(id)
    }

    async fn coordination(&self, id: i64) -> Result<CoordinationRow> {
        store::supervision::get_coordination(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Whether the caller is one who resolves a decided request: the leadership, the
    /// supervisors, or the unit that owns the decision.
    fn resolves(&self, caller: Caller<'_>, r: &CoordinationRow) -> bool {
        let org = org_id(r.organization_id);
        let owner_path = r
            .owner_unit_path
            .as_deref()
            .map(path_of)
            .unwrap_or_default();
        caller.authorize(Action::ArrangeMonth { org }).is_ok()
            || caller.authorize(Action::Supervise { org }).is_ok()
            || (!owner_path.is_empty()
                && caller
                    .authorize(Action::RequestChange {
                        org,
                        unit_path: &owner_path,
                    })
                    .is_ok())
    }

    pub async fn get_coordination(
        &self,
        caller: Caller<'_>,
        id: i64,
    ) -> Result<CoordinationDetail> {
        let r = self.coordination(id).await?;
        let org = org_id(r.organization_id);
        caller.authorize(Action::ViewStructure { org })?;
        Ok(CoordinationDetail {
            involved: store::supervision::involved_units(&self.db, id).await?,
            solutions: store::supervision::solutions(&self.db, id).await?,
            can_propose: r.status != "resolved"
                && caller.authorize(Action::Participate { org }).is_ok(),
            can_decide: r.status != "resolved"
                && caller.authorize(Action::ArrangeMonth { org }).is_ok(),
            can_resolve: r.status == "decided" && self.resolves(caller, &r),
            request: r,
        })
    }

    pub async fn list_coordination(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &CoordinationFilter,
        page: PageRequest,
    ) -> Result<Page<CoordinationRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let (rows, total) =
            store::supervision::list_coordination(&self.db, org, filter, page).await?;
        Ok(Page::new(rows, page, total))
    }

    /// A unit or a leader proposes a solution (units and leaders first, then the office
    /// meeting decides).
    pub async fn propose_solution(&self, caller: Caller<'_>, id: i64, text: &str) -> Result<i64> {
        let r = self.coordination(id).await?;
        caller.authorize(Action::Participate {
            org: org_id(r.organization_id),
        })?;
        let text = body("solution", text)?;
        if r.status == "resolved" {
            return Err(AppError::field("status", "already_resolved"));
        }
        let unit = match caller {
            Caller::Person(i) => i.actor.unit_id.map(|u| u.0),
            Caller::System => None,
        };
        let mut tx = self.db.begin().await?;
        let sid = store::supervision::add_solution(
            &mut tx,
            id,
            caller.actor_id(),
            unit,
            &text,
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: r.organization_id,
                action: "coordination.propose",
                entity: "coordination_request",
                entity_id: Some(id),
                after: Some(json!({ "solution_id": sid })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.bus.announce(r.organization_id, "coordination").await;
        Ok(sid)
    }

    /// The office meeting decides: what is to be done, by which unit, by when. A decision
    /// may be revised until the request is resolved.
    pub async fn decide_coordination(
        &self,
        caller: Caller<'_>,
        id: i64,
        input: &DecisionInput,
    ) -> Result<()> {
        let r = self.coordination(id).await?;
        caller.authorize(Action::ArrangeMonth {
            org: org_id(r.organization_id),
        })?;
        let d = input.validate(self.today())?;
        if r.status == "resolved" {
            return Err(AppError::field("status", "already_resolved"));
        }
        match store::org::get_unit(&self.db, d.owner_unit_id).await? {
            Some(u) if u.organization_id == r.organization_id && !u.disabled => {}
            _ => return Err(AppError::field("owner_unit_id", "not_found")),
        }
        let mut tx = self.db.begin().await?;
        store::supervision::decide_coordination(
            &mut tx,
            id,
            &d.decision,
            d.owner_unit_id,
            d.deadline,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: r.organization_id, action: "coordination.decide", entity: "coordination_request", entity_id: Some(id), before: Some(json!({ "status": r.status, "decision": r.decision })), after: Some(json!({ "decision": d.decision, "owner_unit_id": d.owner_unit_id, "deadline": d.deadline })) })
        .await?;
        // The decision is addressed to the unit that carries it out, the units it involves
        // and the unit that asked.
        let mut units: Vec<i64> = store::supervision::involved_units(&mut tx, id)
            .await?
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        units.extend([d.owner_unit_id, r.unit_id]);
        let mut to = self.unit_people(&mut tx, &units, false).await?;
        to.extend(r.raised_by);
        let msg = domain::notify::Message::coordination_decided(id, &r.title, &d.decision);
        self.notify(
            &mut tx,
            r.organization_id,
            &crate::notify::Note::to_all(&to, &msg, None),
        )
        .await?;
        tx.commit().await?;
        self.bus.announce(r.organization_id, "coordination").await;
        Ok(())
    }

    /// The unit that carries out the decision (its head), the office meeting or a supervisor
    /// records that the obstacle is cleared.
    pub async fn resolve_coordination(
        &self,
        caller: Caller<'_>,
        id: i64,
        note: &str,
    ) -> Result<()> {
        let r = self.coordination(id).await?;
        caller.authorize(Action::ViewStructure {
            org: org_id(r.organization_id),
        })?;
        if !self.resolves(caller, &r) {
            return Err(AppError::Forbidden);
        }
        let note = body("resolution", note)?;
        if r.status == "open" {
            return Err(AppError::field("status", "not_decided"));
        }
        if r.status == "resolved" {
            return Err(AppError::field("status", "already_resolved"));
        }
        let mut tx = self.db.begin().await?;
        if !store::supervision::resolve_coordination(
            &mut tx,
            id,
            &note,
            caller.actor_id(),
            self.now(),
        )
        .await?
        {
            return Err(AppError::field("status", "already_resolved"));
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: r.organization_id,
                action: "coordination.resolve",
                entity: "coordination_request",
                entity_id: Some(id),
                after: Some(json!({ "resolution": note })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.bus.announce(r.organization_id, "coordination").await;
        Ok(())
    }

    // ---- inspections ----

    /// Whether the caller may see this inspection (and which of its findings).
    fn sees_inspection(&self, caller: Caller<'_>, org: i64, mode: &str, published: bool) -> bool {
        !hidden_from_units(mode_of(mode), published)
            || caller
                .authorize(Action::ViewCovert { org: org_id(org) })
                .is_ok()
    }

    /// A finding is seen by the team and the director, and (unless hidden) by whoever sees
    /// the inspected unit's plan.
    /// The inspection team's writes on an inspection, its findings and follow-ups: anyone
    /// outside the team is refused, and a covert object not yet published is not even found
    /// (as it is not to reads), whatever the request holds.
    fn authorize_team_write(
        &self,
        caller: Caller<'_>,
        org: i64,
        mode: &str,
        published: bool,
    ) -> Result<()> {
        let org = org_id(org);
        if caller.authorize(Action::Inspect { org }).is_ok() {
            return Ok(());
        }
        if hidden_from_units(mode_of(mode), published)
            && caller.authorize(Action::ViewCovert { org }).is_err()
        {
            return Err(AppError::NotFound);
        }
        Err(AppError::Forbidden)
    }

    fn authorize_finding(&self, caller: Caller<'_>, f: &FindingRow) -> Result<()> {
        let org = org_id(f.organization_id);
        if caller.authorize(Action::ViewCovert { org }).is_ok() {
            return Ok(());
        }
        if hidden_from_units(mode_of(&f.inspection_mode), f.inspection_published) {
            return Err(AppError::NotFound);
        }
        let path = path_of(&f.unit_path);
        caller.authorize(Action::ViewUnitPlan {
            org,
            unit_path: &path,
        })
    }

    /// The inspection team plans an inspection: scheduled or random, open or covert, of
    /// some units.
    pub async fn create_inspection(
        &self,
        caller: Caller<'_>,
        org: i64,
        input: &InspectionInput,
    ) -> Result<i64> {
        self.organization(org).await?;
        caller.authorize(Action::Inspect { org: org_id(org) })?;
        let d = input.validate()?;
        let units = store::org::units_by_ids(&self.db, &d.unit_ids).await?;
        if units.len() != d.unit_ids.len() || units.iter().any(|u| u.organization_id != org) {
            return Err(AppError::field("inspected_unit_ids", "not_found"));
        }
        let mut tx = self.db.begin().await?;
        let id =
            store::supervision::insert_inspection(&mut tx, org, &d, caller.actor_id(), self.now())
                .await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: org, action: "inspection.create", entity: "inspection", entity_id: Some(id), after: Some(covert_safe(
                d.mode == InspectionMode::Covert,
                json!({ "kind": d.kind, "mode": d.mode, "title": d.title, "units": d.unit_ids }),
            )), ..Default::default() })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn inspection(&self, id: i64) -> Result<InspectionRow> {
        store::supervision::get_inspection(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn get_inspection(&self, caller: Caller<'_>, id: i64) -> Result<InspectionDetail> {
        let i = self.inspection(id).await?;
        let org = i.organization_id;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let published = i.published_at.is_some();
        // A hidden inspection does not exist for those who may not see it.
        if !self.sees_inspection(caller, org, &i.mode, published) {
            return Err(AppError::NotFound);
        }
        let team = caller
            .authorize(Action::ViewCovert { org: org_id(org) })
            .is_ok();
        let paths = if team {
            None
        } else {
            // No unit in scope is nothing in scope, not everything.
            self.visible_paths(caller, org)
                .await
                .unwrap_or_else(|_| Some(vec![]))
        };
        let units = store::supervision::inspection_units(&self.db, id).await?;
        let in_scope = |path: &str| {
            paths
                .as_ref()
                .is_none_or(|ps| ps.iter().any(|p| path.starts_with(p.as_str())))
        };
        let (findings, _) = store::supervision::list_findings(
            &self.db,
            org,
            &FindingFilter {
                inspection_id: Some(id),
                unit_paths: paths.clone(),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await?;
        if !team && !units.iter().any(|(_, _, p)| in_scope(p)) && findings.is_empty() {
            return Err(AppError::Forbidden);
        }
        let views = self.finding_views(caller, org, findings).await?;
        let mut i = i;
        if !team {
            // Count only what this reader sees.
            i.findings = i64::try_from(views.len()).unwrap_or(i64::MAX);
        }
        let inspect = caller
            .authorize(Action::Inspect { org: org_id(org) })
            .is_ok();
        Ok(InspectionDetail {
            units: units.into_iter().map(|(id, name, _)| (id, name)).collect(),
            findings: views,
            hidden: hidden_from_units(mode_of(&i.mode), published),
            can_record: inspect,
            can_publish: inspect && mode_of(&i.mode) == InspectionMode::Covert && !published,
            inspection: i,
        })
    }

    async fn finding_views(
        &self,
        caller: Caller<'_>,
        org: i64,
        findings: Vec<FindingRow>,
    ) -> Result<Vec<FindingView>> {
        let ids: Vec<i64> = findings.iter().map(|f| f.id).collect();
        let files = store::supervision::files_of(&self.db, "finding", &ids).await?;
        let (follow_ups, _) = if ids.is_empty() {
            (vec![], 0)
        } else {
            store::supervision::list_follow_ups(
                &self.db,
                org,
                &FollowUpFilter {
                    finding_ids: ids,
                    ..Default::default()
                },
                PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
            )
            .await?
        };
        let fu_ids: Vec<i64> = follow_ups.iter().map(|x| x.id).collect();
        let fu_files = store::supervision::files_of(&self.db, "follow_up", &fu_ids).await?;
        Ok(findings
            .into_iter()
            .map(|f| {
                let path = path_of(&f.unit_path);
                let can_respond = caller
                    .authorize(Action::ProposeForUnit {
                        org: org_id(org),
                        unit_path: &path,
                    })
                    .is_ok();
                FindingView {
                    files: files
                        .iter()
                        .filter(|x| x.owner_id == f.id)
                        .cloned()
                        .collect(),
                    follow_up_files: fu_files
                        .iter()
                        .filter(|x| {
                            follow_ups
                                .iter()
                                .any(|fu| fu.id == x.owner_id && fu.finding_id == f.id)
                        })
                        .cloned()
                        .collect(),
                    follow_ups: follow_ups
                        .iter()
                        .filter(|x| x.finding_id == f.id)
                        .cloned()
                        .collect(),
                    can_respond,
                    finding: f,
                }
            })
            .collect())
    }

    /// Inspections the caller may see: the team and the director all; others the open (or
    /// published) ones of their units.
    pub async fn list_inspections(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &InspectionFilter,
        page: PageRequest,
    ) -> Result<Page<InspectionRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let team = caller
            .authorize(Action::ViewCovert { org: org_id(org) })
            .is_ok();
        let mut f = filter.clone();
        f.include_hidden = team;
        f.unit_paths = if team {
            None
        } else {
            self.visible_paths(caller, org).await?
        };
        let (rows, total) = store::supervision::list_inspections(&self.db, org, &f, page).await?;
        Ok(Page::new(rows, page, total))
    }

    /// Marks an inspection carried out.
    pub async fn complete_inspection(&self, caller: Caller<'_>, id: i64) -> Result<()> {
        let i = self.inspection(id).await?;
        self.authorize_team_write(caller, i.organization_id, &i.mode, i.published_at.is_some())?;
        if i.status == "done" {
            return Err(AppError::field("status", "already_done"));
        }
        let mut tx = self.db.begin().await?;
        store::supervision::set_inspection_done(&mut tx, id, self.today(), self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: i.organization_id,
                action: "inspection.complete",
                entity: "inspection",
                entity_id: Some(id),
                after: Some(json!({ "done_on": self.today() })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The team publishes a covert inspection: its findings become visible to the units and
    /// count on their cards from now on.
    pub async fn publish_inspection(&self, caller: Caller<'_>, id: i64) -> Result<()> {
        let i = self.inspection(id).await?;
        let org = i.organization_id;
        self.authorize_team_write(caller, org, &i.mode, i.published_at.is_some())?;
        if mode_of(&i.mode) != InspectionMode::Covert {
            return Err(AppError::field("mode", "not_covert"));
        }
        if i.published_at.is_some() {
            return Err(AppError::field("status", "already_published"));
        }
        let mut tx = self.db.begin().await?;
        store::supervision::publish_inspection(&mut tx, id, caller.actor_id(), self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "inspection.publish",
                entity: "inspection",
                entity_id: Some(id),
                after: Some(json!({ "findings": i.findings })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.refresh_findings_cards(org, id).await?;
        Ok(())
    }

    /// Computes again the cards of the tasks and projects an inspection's findings concern.
    async fn refresh_findings_cards(&self, org: i64, inspection: i64) -> Result<()> {
        let (findings, _) = store::supervision::list_findings(
            &self.db,
            org,
            &FindingFilter {
                inspection_id: Some(inspection),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await?;
        let month = YearMonth::of(self.today()).to_string();
        for f in findings {
            if let Some(t) = f.task_id {
                let task = self.task(t).await?;
                self.refresh_one(org, &task.month, Subject::Task, t).await?;
            }
            if let Some(p) = f.key_project_id {
                self.refresh_one(org, &month, Subject::Project, p).await?;
            }
        }
        Ok(())
    }

    /// Records a finding (with evidence) against a unit, and optionally one of its tasks or
    /// a key project.
    pub async fn record_finding(
        &self,
        caller: Caller<'_>,
        inspection: i64,
        input: &FindingInput,
        files: &[EvidenceUpload],
    ) -> Result<i64> {
        let i = self.inspection(inspection).await?;
        let org = i.organization_id;
        self.authorize_team_write(caller, org, &i.mode, i.published_at.is_some())?;
        let d = input.validate(self.today())?;
        let accepted = check_files(files)?;
        let unit = match store::org::get_unit(&self.db, d.unit_id).await? {
            Some(u) if u.organization_id == org => u,
            _ => return Err(AppError::field("unit_id", "not_found")),
        };
        let mut task_month = None;
        if let Some(t) = d.task_id {
            match store::plan::get_task(&self.db, t).await? {
                Some(t) if t.organization_id == org && t.unit_path.starts_with(&unit.path) => {
                    task_month = Some(t.month)
                }
                _ => return Err(AppError::field("task_id", "not_in_unit")),
            }
        }
        if let Some(p) = d.key_project_id {
            match store::projects::get_project(&self.db, p).await? {
                Some(p) if p.organization_id == org => {}
                _ => return Err(AppError::field("key_project_id", "not_found")),
            }
        }
        let mut tx = self.db.begin().await?;
        let id = store::supervision::insert_finding(
            &mut tx,
            org,
            inspection,
            &d,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.store_files(&mut tx, caller, org, "finding", id, &accepted)
            .await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: org, action: "finding.record", entity: "finding", entity_id: Some(id), after: Some(covert_safe(
                hidden_from_units(mode_of(&i.mode), i.published_at.is_some()),
                json!({ "inspection_id": inspection, "unit_id": d.unit_id, "task_id": d.task_id,
                    "key_project_id": d.key_project_id, "severity": d.severity, "files": accepted.len() }),
            )), ..Default::default() })
        .await?;
        tx.commit().await?;
        if !hidden_from_units(mode_of(&i.mode), i.published_at.is_some()) {
            if let (Some(t), Some(m)) = (d.task_id, task_month) {
                self.refresh_one(org, &m, Subject::Task, t).await?;
            }
            if let Some(p) = d.key_project_id {
                let m = YearMonth::of(self.today()).to_string();
                self.refresh_one(org, &m, Subject::Project, p).await?;
            }
        }
        Ok(id)
    }

    async fn finding(&self, id: i64) -> Result<FindingRow> {
        store::supervision::get_finding(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The team closes a finding once it is dealt with; it stops counting on cards.
    pub async fn close_finding(&self, caller: Caller<'_>, id: i64, note: &str) -> Result<()> {
        let f = self.finding(id).await?;
        self.authorize_team_write(
            caller,
            f.organization_id,
            &f.inspection_mode,
            f.inspection_published,
        )?;
        let note = body("note", note)?;
        if f.status == "closed" {
            return Err(AppError::field("status", "already_closed"));
        }
        let mut tx = self.db.begin().await?;
        // Read in the transaction that closes: a follow-up issued meanwhile keeps it open.
        if store::supervision::unfinished_follow_ups(&mut tx, id).await? > 0 {
            return Err(AppError::field("status", "follow_ups_open"));
        }
        store::supervision::close_finding(&mut tx, id, &note, caller.actor_id(), self.now())
            .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: f.organization_id,
                action: "finding.close",
                entity: "finding",
                entity_id: Some(id),
                after: Some(covert_safe(
                    hidden_from_units(mode_of(&f.inspection_mode), f.inspection_published),
                    json!({ "note": note }),
                )),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        if let Some(t) = f.task_id {
            let task = self.task(t).await?;
            self.refresh_one(f.organization_id, &task.month, Subject::Task, t)
                .await?;
        }
        if let Some(p) = f.key_project_id {
            let m = YearMonth::of(self.today()).to_string();
            self.refresh_one(f.organization_id, &m, Subject::Project, p)
                .await?;
        }
        Ok(())
    }

    pub async fn list_findings(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &FindingFilter,
        page: PageRequest,
    ) -> Result<Page<FindingRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let team = caller
            .authorize(Action::ViewCovert { org: org_id(org) })
            .is_ok();
        let mut f = filter.clone();
        f.visible_only = !team;
        f.unit_paths = if team {
            None
        } else {
            self.visible_paths(caller, org).await?
        };
        let (rows, total) = store::supervision::list_findings(&self.db, org, &f, page).await?;
        Ok(Page::new(rows, page, total))
    }

    // ---- follow-ups ----

    /// The team sets a follow-up action with a due date on a finding (跟踪督办).
    pub async fn add_follow_up(
        &self,
        caller: Caller<'_>,
        finding: i64,
        input: &FollowUpInput,
    ) -> Result<FollowUpRow> {
        let f = self.finding(finding).await?;
        self.authorize_team_write(
            caller,
            f.organization_id,
            &f.inspection_mode,
            f.inspection_published,
        )?;
        let d = input.validate(self.today())?;
        if f.status == "closed" {
            return Err(AppError::field("status", "already_closed"));
        }
        let mut tx = self.db.begin().await?;
        let id = store::supervision::insert_follow_up(
            &mut tx,
            f.organization_id,
            finding,
            &d,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: f.organization_id,
                action: "follow_up.create",
                entity: "follow_up",
                entity_id: Some(id),
                after: Some(covert_safe(
                    hidden_from_units(mode_of(&f.inspection_mode), f.inspection_published),
                    json!({ "finding_id": finding, "action": d.action, "due_on": d.due_on }),
                )),
                ..Default::default()
            },
        )
        .await?;
        let row = store::supervision::get_follow_up(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    async fn follow_up(&self, id: i64) -> Result<FollowUpRow> {
        store::supervision::get_follow_up(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The inspected unit answers a follow-up (整改反馈): what it rectified, with evidence
    /// files. An issued or sent-back follow-up becomes answered, waiting for the team's 核验.
    pub async fn respond_follow_up(
        &self,
        caller: Caller<'_>,
        id: i64,
        text: &str,
        files: &[EvidenceUpload],
    ) -> Result<FollowUpRow> {
        let fu = self.follow_up(id).await?;
        let org = org_id(fu.organization_id);
        if hidden_from_units(mode_of(&fu.inspection_mode), fu.inspection_published)
            && caller.authorize(Action::ViewCovert { org }).is_err()
        {
            return Err(AppError::NotFound);
        }
        let path = path_of(&fu.unit_path);
        caller.authorize(Action::ProposeForUnit {
            org,
            unit_path: &path,
        })?;
        let text = body("response", text)?;
        let accepted = check_files(files)?;
        let from = follow_up_status(&fu)?;
        from.after(FollowUpEvent::Answer)
            .map_err(|code| AppError::field("status", code))?;
        let mut tx = self.db.begin().await?;
        let moved = store::supervision::respond_follow_up(
            &mut tx,
            id,
            from.as_str(),
            &text,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        if !moved {
            return Err(AppError::field("status", "already_answered"));
        }
        self.store_files(
            &mut tx,
            caller,
            fu.organization_id,
            "follow_up",
            id,
            &accepted,
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: fu.organization_id,
                action: "follow_up.respond",
                entity: "follow_up",
                entity_id: Some(id),
                after: Some(json!({ "response": text, "files": accepted.len() })),
                ..Default::default()
            },
        )
        .await?;
        let row = store::supervision::get_follow_up(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Whether the caller may verify this follow-up: asked by the page before it reads a
    /// verdict that does not parse, so that the refusal comes before any validation.
    pub async fn may_verify_follow_up(&self, caller: Caller<'_>, id: i64) -> Result<()> {
        self.verifying(caller, id).await.map(|_| ())
    }

    async fn verifying(&self, caller: Caller<'_>, id: i64) -> Result<FollowUpRow> {
        let fu = self.follow_up(id).await?;
        self.authorize_team_write(
            caller,
            fu.organization_id,
            &fu.inspection_mode,
            fu.inspection_published,
        )?;
        Ok(fu)
    }

    /// The team verifies an answered follow-up (核验): accepted, it is 办结; sent back, the
    /// unit answers again, and `note` (required then) says why.
    pub async fn verify_follow_up(
        &self,
        caller: Caller<'_>,
        id: i64,
        accept: bool,
        note: &str,
    ) -> Result<FollowUpRow> {
        let fu = self.verifying(caller, id).await?;
        let note = note.trim();
        let note = if accept {
            (!note.is_empty()).then(|| note.to_owned())
        } else {
            Some(body("note", note)?)
        };
        let event = if accept {
            FollowUpEvent::Accept
        } else {
            FollowUpEvent::SendBack
        };
        let to = follow_up_status(&fu)?
            .after(event)
            .map_err(|code| AppError::field("status", code))?;
        let mut tx = self.db.begin().await?;
        let moved = store::supervision::verify_follow_up(
            &mut tx,
            id,
            to.as_str(),
            note.as_deref(),
            caller.actor_id(),
            self.now(),
        )
        .await?;
        if !moved {
            return Err(AppError::field("status", "not_answered"));
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: fu.organization_id,
                action: if accept {
                    "follow_up.close"
                } else {
                    "follow_up.return"
                },
                entity: "follow_up",
                entity_id: Some(id),
                after: Some(json!({ "note": note })),
                ..Default::default()
            },
        )
        .await?;
        let row = store::supervision::get_follow_up(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// The team closes (办结) an answered follow-up: its answer verified and accepted.
    pub async fn close_follow_up(&self, caller: Caller<'_>, id: i64) -> Result<FollowUpRow> {
        self.verify_follow_up(caller, id, true, "").await
    }

    /// Follow-ups the caller may see, earliest due first; `overdue_only` keeps the open ones
    /// past their due day.
    pub async fn list_follow_ups(
        &self,
        caller: Caller<'_>,
        org: i64,
        overdue_only: bool,
        page: PageRequest,
    ) -> Result<Page<FollowUpRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let team = caller
            .authorize(Action::ViewCovert { org: org_id(org) })
            .is_ok();
        let f = FollowUpFilter {
            awaiting_unit: overdue_only,
            due_before: overdue_only.then(|| self.today()),
            visible_only: !team,
            unit_paths: if team {
                None
            } else {
                self.visible_paths(caller, org).await?
            },
            ..Default::default()
        };
        let (rows, total) = store::supervision::list_follow_ups(&self.db, org, &f, page).await?;
        Ok(Page::new(rows, page, total))
    }
}
