//! Use cases of the monthly plan (预安): key points, the calendar and the month's phase,
//! proposals and their review by the leader in charge, the office meeting's decisions and
//! assigned items, arranging the month, plan tables, imports, and change requests.
//!
//! Every change to a task writes a version into `task_history` and an audit entry, in the same
//! transaction as the change.

use std::collections::BTreeMap;

use domain::page::{Page, PageRequest};
use domain::plan::{
    Calendar, Change, KeyPointInput, Phase, TaskDraft, TaskEvent, TaskInput, TaskStatus, YearMonth,
    reason, transition,
};
use domain::plan_table::{
    CATEGORY_ASSIGNED, CATEGORY_KEY_WORK, CATEGORY_REGULAR, CellError, PlanTable, PlanTableRow,
};
use domain::policy::{Action, Visibility};
use domain::validate::ValidationErrors;
use domain::{OrganizationId, Role, UnitId};
use serde::Serialize;
use serde_json::json;
use store::plan::{
    ChangeRequestRow, CycleRow, HistoryRow, KeyPointRow, NewKeyPoint, NewTask, TaskFilter, TaskRow,
};

mod import;

use crate::error::unique_as_field;
use crate::{App, AppError, Caller, Result};

/// A leader in charge's review of a proposal.
#[derive(Debug, Clone)]
pub enum LeaderDecision {
    Approve,
    /// Approve with changes; the earlier version stays in the history.
    Adjust(TaskInput),
    Return {
        reason: String,
    },
}

/// The office meeting's decision on a proposal.
#[derive(Debug, Clone)]
pub enum MeetingDecision {
    Accept,
    /// Accept with changes.
    Change(TaskInput),
    Reject {
        reason: String,
    },
    /// Fold into another proposal of the month.
    Merge {
        into: i64,
        reason: String,
    },
}

/// Counts of one unit's tasks for a month, by status.
#[derive(Debug, Clone, Serialize, Default)]
pub struct UnitMonthCounts {
    pub unit_id: i64,
    pub unit_name: String,
    pub by_status: BTreeMap<String, i64>,
    /// Proposals not yet submitted after the proposal deadline, or no proposal at all.
    pub late: bool,
    /// Whether the caller may open the unit's plan.
    pub can_open: bool,
}

impl UnitMonthCounts {
    pub fn count(&self, status: &str) -> i64 {
        self.by_status.get(status).copied().unwrap_or(0)
    }

    pub fn total(&self) -> i64 {
        self.by_status.values().sum()
    }
}

/// The month page: its phase, calendar, and what is due from whom.
#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    pub month: YearMonth,
    pub phase: Phase,
    pub calendar: Calendar,
    pub cycle: CycleRow,
    pub units: Vec<UnitMonthCounts>,
    pub totals: BTreeMap<String, i64>,
    pub can_arrange: bool,
    pub can_manage: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub task: TaskRow,
    pub history: Vec<HistoryRow>,
    /// The tasks this one continues, newest first (carry-over chain).
    pub chain: Vec<TaskRow>,
    pub change_requests: Vec<ChangeRequestRow>,
    /// Progress reports, newest first, and their evidence files.
    pub progress: Vec<store::supervision::ProgressRow>,
    pub progress_files: Vec<store::supervision::FileMeta>,
    /// This month's card, once computed.
    pub card: Option<crate::cards::CardView>,
    pub coordination: Vec<store::supervision::CoordinationRow>,
    /// Inspection findings on the task that the caller may see.
    pub findings: Vec<store::supervision::FindingRow>,
    /// Its sign-off forms and their review.
    pub sign_off: crate::signoff::SignOffView,
    pub can_edit: bool,
    pub can_review: bool,
    pub can_decide: bool,
    pub can_request_change: bool,
    pub can_report: bool,
    pub can_raise: bool,
}

fn snapshot(t: &TaskRow) -> String {
    json!({
        "title": t.title, "content": t.content, "criterion": t.criterion, "deadline": t.deadline,
        "owner_id": t.owner_id, "post_id": t.post_id, "leader_id": t.leader_id, "key_point_id": t.key_point_id,
        "is_key_work": t.is_key_work, "status": t.status, "key_project_id": t.key_project_id,
    })
    .to_string()
}

fn unit_path(t: &TaskRow) -> Vec<UnitId> {
    store::org::path_ids(&t.unit_path)
        .into_iter()
        .map(UnitId)
        .collect()
}

fn parse_month(raw: &str) -> Result<YearMonth> {
    YearMonth::parse(raw).ok_or_else(|| AppError::field("month", "invalid_month"))
}

fn status_of(t: &TaskRow) -> Result<TaskStatus> {
    TaskStatus::parse(&t.status)
        .ok_or_else(|| AppError::Internal(format!("unknown task status {}", t.status)))
}

impl App {
    // ---- key points ----

    pub async fn list_key_points(
        &self,
        caller: Caller<'_>,
        org: i64,
        year: i32,
        include_disabled: bool,
    ) -> Result<Vec<KeyPointRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        Ok(store::plan::key_points(&self.db, org, year, include_disabled).await?)
    }

    pub async fn get_key_point(&self, caller: Caller<'_>, id: i64) -> Result<KeyPointRow> {
        let k = store::plan::get_key_point(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(k.organization_id),
        })?;
        Ok(k)
    }

    /// The leaders in charge of an organization, (id, name): every member may choose one for
    /// a task, even without seeing the leaders' other details.
    pub async fn list_leaders(&self, caller: Caller<'_>, org: i64) -> Result<Vec<(i64, String)>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        Ok(store::plan::leaders(&self.db, org).await?)
    }

    pub async fn create_key_point(
        &self,
        caller: Caller<'_>,
        org: i64,
        input: &KeyPointInput,
    ) -> Result<i64> {
        self.organization(org).await?;
        caller.authorize(Action::ManagePlanning {
            org: OrganizationId(org),
        })?;
        let d = input.validate()?;
        let mut tx = self.db.begin().await?;
        let k = NewKeyPoint {
            year: d.year,
            kind: d.kind.into(),
            title: d.title,
            description: d.description,
            sort_order: d.sort_order,
        };
        let id = store::plan::insert_key_point(&mut tx, org, &k, self.now())
            .await
            .map_err(|e| {
                unique_as_field(
                    e,
                    "key_points_org_year_title_key",
                    "key_points.title",
                    "title",
                )
            })?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "key_point.create",
                entity: "key_point",
                entity_id: Some(id),
                after: Some(json!({ "year": k.year, "kind": k.kind, "title": k.title })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_key_point(
        &self,
        caller: Caller<'_>,
        id: i64,
        input: &KeyPointInput,
        disabled: bool,
    ) -> Result<()> {
        let before = store::plan::get_key_point(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ManagePlanning {
            org: OrganizationId(before.organization_id),
        })?;
        let d = input.validate()?;
        let mut tx = self.db.begin().await?;
        let k = NewKeyPoint {
            year: d.year,
            kind: d.kind.into(),
            title: d.title,
            description: d.description,
            sort_order: d.sort_order,
        };
        store::plan::update_key_point(&mut tx, id, &k, disabled, self.now())
            .await
            .map_err(|e| {
                unique_as_field(
                    e,
                    "key_points_org_year_title_key",
                    "key_points.title",
                    "title",
                )
            })?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: before.organization_id, action: "key_point.update", entity: "key_point", entity_id: Some(id), before: Some(
                json!({ "title": before.title, "kind": before.kind, "disabled": before.disabled }),
            ), after: Some(json!({ "title": k.title, "kind": k.kind, "disabled": disabled })) })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports key points, all or nothing (rows: kind, title, description).
    pub async fn import_key_points(
        &self,
        caller: Caller<'_>,
        org: i64,
        year: i32,
        rows: &[(String, String, String)],
    ) -> Result<usize> {
        self.organization(org).await?;
        caller.authorize(Action::ManagePlanning {
            org: OrganizationId(org),
        })?;
        let mut drafts = Vec::new();
        let mut errors = Vec::new();
        for (i, (kind, title, description)) in rows.iter().enumerate() {
            let kind = match kind.trim() {
                "" | "工作要点" | "key_point" => "key_point",
                "重点热点问题" | "领导关注" | "focus_issue" => "focus_issue",
                other => other,
            };
            let input = KeyPointInput {
                year: i64::from(year),
                kind: kind.into(),
                title: title.clone(),
                description: description.clone(),
                sort_order: i64::try_from(i * 10).unwrap_or(0),
            };
            match input.validate() {
                Ok(d) => drafts.push(d),
                Err(e) => errors.extend(e.0.into_iter().map(|f| CellError {
                    row: u32::try_from(i + 2).unwrap_or(u32::MAX),
                    column: f.field,
                    code: f.code,
                })),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Rows(errors));
        }
        let mut tx = self.db.begin().await?;
        for d in &drafts {
            let k = NewKeyPoint {
                year: d.year,
                kind: d.kind.into(),
                title: d.title.clone(),
                description: d.description.clone(),
                sort_order: d.sort_order,
            };
            store::plan::insert_key_point(&mut tx, org, &k, self.now())
                .await
                .map_err(|e| {
                    unique_as_field(
                        e,
                        "key_points_org_year_title_key",
                        "key_points.title",
                        "title",
                    )
                })?;
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "key_point.import",
                entity: "key_point",
                after: Some(json!({ "year": year, "count": drafts.len() })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(drafts.len())
    }

    // ---- calendar and phases ----

    pub async fn calendar(&self, org: i64) -> Result<Calendar> {
        Ok(store::plan::calendar(&self.db, org)
            .await?
            .unwrap_or_default())
    }

    pub async fn set_calendar(&self, caller: Caller<'_>, org: i64, cal: Calendar) -> Result<()> {
        let cal = cal.validate()?;
        self.organization(org).await?;
        caller.authorize(Action::ManagePlanning {
            org: OrganizationId(org),
        })?;
        let before = self.calendar(org).await?;
        let mut tx = self.db.begin().await?;
        store::plan::put_calendar(&mut tx, org, &cal, self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "calendar.update",
                entity: "organization",
                entity_id: Some(org),
                before: Some(json!(before)),
                after: Some(json!(cal)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The month's cycle, created on first use, with its phase brought up to date: the phase
    /// moves on its own by date (audited as a system change) unless a person moved it and the
    /// calendar has not crossed a boundary since.
    /// The month's cycle and phase as of today, read only: the stored cycle with its phase
    /// brought up to the calendar in memory, or, for a month nobody has opened yet, the cycle
    /// it will have (id 0). The pages read this; what writes a phase is the `phases` job and
    /// the actions that need the phase stored ([`App::sync_cycle`]).
    pub(crate) async fn cycle_now(
        &self,
        org: i64,
        month: YearMonth,
    ) -> Result<(CycleRow, Calendar, Phase)> {
        let cal = self.calendar(org).await?;
        let today = self.today();
        let m = month.to_string();
        let (mut c, stored, manual) = match store::plan::cycle(&self.db, org, &m).await? {
            Some(c) => {
                let stored = Phase::parse(&c.phase).unwrap_or(Phase::Upcoming);
                let manual = c.manual_on.as_deref().and_then(domain::plan::parse_date);
                (c, stored, manual)
            }
            None => {
                let opening = cal.phase_on(month, today);
                let c = CycleRow {
                    id: 0,
                    organization_id: org,
                    month: m,
                    phase: opening.as_str().to_owned(),
                    manual_on: None,
                    arranged_at: None,
                    arranged_by: None,
                };
                (c, opening, None)
            }
        };
        let phase = cal.effective_phase(month, today, stored, manual, c.arranged_at.is_some());
        c.phase = phase.as_str().to_owned();
        Ok((c, cal, phase))
    }

    pub(crate) async fn sync_cycle(
        &self,
        org: i64,
        month: YearMonth,
    ) -> Result<(CycleRow, Calendar, Phase)> {
        let cal = self.calendar(org).await?;
        let today = self.today();
        let m = month.to_string();
        let existing = store::plan::cycle(&self.db, org, &m).await?;
        let needs_write = match &existing {
            None => true,
            Some(c) => {
                let stored = Phase::parse(&c.phase).unwrap_or(Phase::Upcoming);
                let manual = c.manual_on.as_deref().and_then(domain::plan::parse_date);
                cal.effective_phase(month, today, stored, manual, c.arranged_at.is_some()) != stored
            }
        };
        if needs_write {
            let mut tx = self.db.begin().await?;
            // Only the reader that opens the month (or moves its phase) records it.
            let opened = store::plan::ensure_cycle(
                &mut tx,
                org,
                &m,
                cal.phase_on(month, today).as_str(),
                self.now(),
            )
            .await?;
            let c = store::plan::cycle(&mut tx, org, &m)
                .await?
                .ok_or(AppError::NotFound)?;
            let stored = Phase::parse(&c.phase).unwrap_or(Phase::Upcoming);
            let manual = c.manual_on.as_deref().and_then(domain::plan::parse_date);
            let phase = cal.effective_phase(month, today, stored, manual, c.arranged_at.is_some());
            if phase != stored
                && store::plan::advance_phase(
                    &mut tx,
                    c.id,
                    stored.as_str(),
                    phase.as_str(),
                    self.now(),
                )
                .await?
            {
                self.audit(
                    &mut tx,
                    Caller::System,
                    crate::LedgerEntry {
                        chain: org,
                        action: "cycle.phase_auto",
                        entity: "cycle",
                        entity_id: Some(c.id),
                        before: Some(json!({ "phase": stored })),
                        after: Some(json!({ "phase": phase, "month": m })),
                    },
                )
                .await?;
            } else if opened {
                self.audit(
                    &mut tx,
                    Caller::System,
                    crate::LedgerEntry {
                        chain: org,
                        action: "cycle.open",
                        entity: "cycle",
                        entity_id: Some(c.id),
                        after: Some(json!({ "month": m, "phase": phase })),
                        ..Default::default()
                    },
                )
                .await?;
            }
            tx.commit().await?;
        }
        let c = store::plan::cycle(&self.db, org, &m)
            .await?
            .ok_or(AppError::NotFound)?;
        let phase = Phase::parse(&c.phase).unwrap_or(Phase::Upcoming);
        Ok((c, cal, phase))
    }

    /// Moves a month to another phase by hand (for example, reopening proposals). The move
    /// holds until the calendar's next boundary. Closing a month is its own action.
    pub async fn move_phase(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        to: Option<Phase>,
    ) -> Result<()> {
        let month = parse_month(month)?;
        self.organization(org).await?;
        caller.authorize(Action::ManagePlanning {
            org: OrganizationId(org),
        })?;
        let to = to.ok_or_else(|| AppError::field("phase", "invalid_phase"))?;
        if to == Phase::Closed {
            return Err(AppError::field("phase", "close_is_separate"));
        }
        let (cycle, _, phase) = self.sync_cycle(org, month).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("phase", "month_closed"));
        }
        let mut tx = self.db.begin().await?;
        store::plan::set_phase(
            &mut tx,
            cycle.id,
            to.as_str(),
            Some(self.today()),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "cycle.phase_move",
                entity: "cycle",
                entity_id: Some(cycle.id),
                before: Some(json!({ "phase": phase })),
                after: Some(json!({ "phase": to, "month": month.to_string() })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The month page's data. Everyone in the organization sees the counts by unit.
    pub async fn month_view(&self, caller: Caller<'_>, org: i64, month: &str) -> Result<MonthView> {
        let month = parse_month(month)?;
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        let (cycle, calendar, phase) = self.cycle_now(org, month).await?;
        let counts = store::plan::status_counts(&self.db, org, &month.to_string()).await?;
        let units = store::org::all_units(&self.db, org).await?;
        let past_due = self.today() > calendar.proposals_due(month);
        let mut totals = BTreeMap::new();
        let mut rows = Vec::new();
        for u in units.iter().filter(|u| !u.disabled) {
            let path: Vec<UnitId> = u.path_ids().into_iter().map(UnitId).collect();
            let can_open = caller
                .authorize(Action::ViewUnitPlan {
                    org: OrganizationId(org),
                    unit_path: &path,
                })
                .is_ok();
            let mut c = UnitMonthCounts {
                unit_id: u.id,
                unit_name: u.name.clone(),
                can_open,
                ..Default::default()
            };
            for (_, status, n) in counts.iter().filter(|(unit, _, _)| *unit == u.id) {
                c.by_status.insert(status.clone(), *n);
                *totals.entry(status.clone()).or_insert(0) += n;
            }
            let submitted: i64 = c
                .by_status
                .iter()
                .filter(|(s, _)| !matches!(s.as_str(), "draft" | "returned"))
                .map(|(_, n)| n)
                .sum();
            c.late = past_due && phase <= Phase::Arranging && submitted == 0;
            rows.push(c);
        }
        Ok(MonthView {
            month,
            phase,
            calendar,
            cycle,
            units: rows,
            totals,
            can_arrange: caller
                .authorize(Action::ArrangeMonth {
                    org: OrganizationId(org),
                })
                .is_ok(),
            can_manage: caller
                .authorize(Action::ManagePlanning {
                    org: OrganizationId(org),
                })
                .is_ok(),
        })
    }

    // ---- tasks: reading ----

    pub(crate) async fn task(&self, id: i64) -> Result<TaskRow> {
        store::plan::get_task(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Tasks the caller may see: the offices and the director all, a leader their units, a
    /// unit its own.
    pub async fn list_tasks(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &TaskFilter,
        page: PageRequest,
    ) -> Result<Page<TaskRow>> {
        self.organization(org).await?;
        let mut f = filter.clone();
        f.unit_paths = self.visible_paths(caller, org).await?;
        let (rows, total) = store::plan::list_tasks(&self.db, org, &f, page).await?;
        Ok(Page::new(rows, page, total))
    }

    /// Tasks of some units (and the units below them), as far as the caller sees them.
    pub async fn list_tasks_of_units(
        &self,
        caller: Caller<'_>,
        org: i64,
        units: &[i64],
        filter: &TaskFilter,
        page: PageRequest,
    ) -> Result<Page<TaskRow>> {
        self.organization(org).await?;
        let scope = self.visible_paths(caller, org).await?;
        let paths: Vec<String> = store::org::units_by_ids(&self.db, units)
            .await?
            .into_iter()
            .filter(|u| u.organization_id == org)
            .map(|u| u.path)
            .filter(|p| {
                scope
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|root| p.starts_with(root.as_str())))
            })
            .collect();
        let f = TaskFilter {
            unit_paths: Some(paths),
            ..filter.clone()
        };
        let (rows, total) = store::plan::list_tasks(&self.db, org, &f, page).await?;
        Ok(Page::new(rows, page, total))
    }

    /// Whoever sees the task's unit sees the task; so does its owner, wherever they work.
    pub(crate) fn authorize_task_view(&self, caller: Caller<'_>, task: &TaskRow) -> Result<()> {
        let is_owner = match caller {
            Caller::Person(i) => {
                task.owner_id == Some(i.actor.person_id.0)
                    && i.actor.organization_id.0 == task.organization_id
            }
            Caller::System => false,
        };
        if is_owner {
            return Ok(());
        }
        let path = unit_path(task);
        caller.authorize(Action::ViewUnitPlan {
            org: OrganizationId(task.organization_id),
            unit_path: &path,
        })
    }

    pub async fn get_task(&self, caller: Caller<'_>, id: i64) -> Result<TaskDetail> {
        let task = self.task(id).await?;
        let org = OrganizationId(task.organization_id);
        let path = unit_path(&task);
        self.authorize_task_view(caller, &task)?;
        let history = store::plan::history(&self.db, id).await?;
        let mut chain = Vec::new();
        let mut cursor = task.carried_from_id;
        while let Some(prev) = cursor {
            if chain.len() >= 120 {
                break;
            }
            let Some(t) = store::plan::get_task(&self.db, prev).await? else {
                break;
            };
            cursor = t.carried_from_id;
            chain.push(t);
        }
        let (change_requests, _) = store::plan::list_change_requests(
            &self.db,
            task.organization_id,
            None,
            Some(id),
            PageRequest::new(Some(1), Some(50)),
        )
        .await?;
        let status = status_of(&task)?;
        let can = |a: Action<'_>| caller.authorize(a).is_ok();
        let (progress, progress_files) = self.progress_with_files(id).await?;
        let card = if status.in_plan() {
            self.card_for(
                task.organization_id,
                &task.month,
                domain::cards::Subject::Task,
                id,
            )
            .await?
        } else {
            None
        };
        let (coordination, _) = store::supervision::list_coordination(
            &self.db,
            task.organization_id,
            &store::supervision::CoordinationFilter {
                task_id: Some(id),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await?;
        let sees_covert = can(Action::ViewCovert { org });
        let (findings, _) = store::supervision::list_findings(
            &self.db,
            task.organization_id,
            &store::supervision::FindingFilter {
                task_id: Some(id),
                visible_only: !sees_covert,
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await?;
        let sign_off = self.sign_off_view(caller, &task).await?;
        Ok(TaskDetail {
            sign_off,
            can_report: status.is_open()
                && can(Action::ReportProgress {
                    org,
                    unit_path: &path,
                    owner: task.owner_id.map(domain::PersonId),
                }),
            can_raise: status.is_open()
                && can(Action::ProposeForUnit {
                    org,
                    unit_path: &path,
                }),
            progress,
            progress_files,
            card,
            coordination,
            findings,
            can_edit: status.editable_by_unit()
                && can(Action::ProposeForUnit {
                    org,
                    unit_path: &path,
                }),
            can_review: status.awaiting_decision()
                && can(Action::ReviewAsLeader {
                    org,
                    unit_path: &path,
                }),
            can_decide: matches!(
                status,
                TaskStatus::Submitted | TaskStatus::LeaderApproved | TaskStatus::Accepted
            ) && can(Action::ArrangeMonth { org }),
            can_request_change: status.is_open()
                && can(Action::RequestChange {
                    org,
                    unit_path: &path,
                }),
            task,
            history,
            chain,
            change_requests,
        })
    }

    /// A unit's (or one post's) table of the month's arranged tasks.
    pub async fn plan_table(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        unit: i64,
        post: Option<i64>,
    ) -> Result<PlanTable> {
        let month = parse_month(month)?;
        let o = self.organization(org).await?;
        let u = self.unit(unit).await?;
        if u.organization_id != org {
            return Err(AppError::NotFound);
        }
        let path: Vec<UnitId> = u.path_ids().into_iter().map(UnitId).collect();
        caller.authorize(Action::ViewUnitPlan {
            org: OrganizationId(org),
            unit_path: &path,
        })?;
        let mut label = u.name.clone();
        if let Some(p) = post {
            let p = store::org::get_post(&self.db, p)
                .await?
                .filter(|p| p.unit_id == unit)
                .ok_or(AppError::NotFound)?;
            label = format!("{} {}", u.name, p.name);
        }
        // Until the month is arranged the table lists the unit's proposals, so that it can be
        // downloaded, edited and uploaded again; from then on, the plan.
        let cycle = store::plan::cycle(&self.db, org, &month.to_string()).await?;
        let statuses: &[TaskStatus] = if cycle.is_some_and(|c| c.arranged_at.is_some()) {
            &TaskStatus::PLANNED
        } else {
            &TaskStatus::PROPOSED
        };
        let f = TaskFilter {
            month: Some(month.to_string()),
            unit_id: Some(unit),
            post_id: post,
            statuses: statuses.iter().map(|s| s.as_str().to_owned()).collect(),
            ..Default::default()
        };
        let (rows, _) = store::plan::list_tasks(
            &self.db,
            org,
            &f,
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await?;
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, t)| PlanTableRow {
                seq: u32::try_from(i + 1).unwrap_or(u32::MAX),
                category: if t.is_assigned {
                    CATEGORY_ASSIGNED
                } else if t.is_key_work {
                    CATEGORY_KEY_WORK
                } else {
                    CATEGORY_REGULAR
                }
                .into(),
                title: t.title,
                content: t.content,
                criterion: t.criterion,
                deadline: t.deadline,
                owner: t.owner_name.unwrap_or_default(),
                leader: t.leader_name.unwrap_or_default(),
                key_point: t.key_point_title.unwrap_or_default(),
                task_id: Some(t.id),
                line: 0,
            })
            .collect();
        Ok(PlanTable {
            organization: o.name,
            unit: label,
            year: month.year,
            month: month.month,
            rows,
        })
    }

    // ---- tasks: writing ----

    /// Checks a draft's references: the key point (of the organization and the month's year,
    /// enabled), the owner (a person of the unit or below), the post (of the unit) and the
    /// leader (a leader in charge of the organization). A missing leader defaults to one who
    /// leads the unit.
    async fn check_task_refs(
        &self,
        tx: &mut store::Tx,
        org: i64,
        unit: &store::org::UnitRow,
        month: YearMonth,
        d: &mut TaskDraft,
    ) -> Result<()> {
        let mut errors = ValidationErrors::default();
        if let Some(k) = d.key_point_id {
            match store::plan::get_key_point(&mut *tx, k).await? {
                Some(kp) if kp.organization_id == org && kp.year == month.year && !kp.disabled => {}
                _ => errors.0.push(domain::validate::FieldError {
                    field: "key_point_id".into(),
                    code: "not_found",
                }),
            }
        }
        if let Some(o) = d.owner_id {
            match store::people::get_person(&mut *tx, o).await? {
                Some(p)
                    if p.organization_id == org
                        && !p.disabled
                        && p.unit_path
                            .as_deref()
                            .is_some_and(|up| up.starts_with(&unit.path)) => {}
                _ => errors.0.push(domain::validate::FieldError {
                    field: "owner_id".into(),
                    code: "owner_not_in_unit",
                }),
            }
        }
        if let Some(p) = d.post_id {
            match store::org::get_post(&mut *tx, p).await? {
                Some(post) if post.unit_id == unit.id && !post.disabled => {}
                _ => errors.0.push(domain::validate::FieldError {
                    field: "post_id".into(),
                    code: "post_not_in_unit",
                }),
            }
        }
        match d.leader_id {
            Some(l) => {
                let is_leader = store::people::get_person(&mut *tx, l)
                    .await?
                    .is_some_and(|p| p.organization_id == org && !p.disabled)
                    && store::people::roles_of(&mut *tx, l)
                        .await?
                        .iter()
                        .any(|r| r.role == Role::LeaderInCharge.as_str());
                if !is_leader {
                    errors.0.push(domain::validate::FieldError {
                        field: "leader_id".into(),
                        code: "not_a_leader",
                    });
                }
            }
            None => d.leader_id = store::plan::leader_of_unit(&mut *tx, &unit.path).await?,
        }
        if let Some(k) = d.key_project_id {
            match store::projects::get_project(&mut *tx, k).await? {
                Some(p) if p.organization_id == org => {}
                _ => errors.0.push(domain::validate::FieldError {
                    field: "key_project_id".into(),
                    code: "not_found",
                }),
            }
        }
        if errors.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    async fn record(
        &self,
        tx: &mut store::Tx,
        caller: Caller<'_>,
        id: i64,
        event: &str,
        why: Option<&str>,
    ) -> Result<TaskRow> {
        let t = store::plan::get_task(&mut *tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let snap = snapshot(&t);
        store::plan::add_history(
            tx,
            id,
            t.version,
            self.now(),
            caller.actor_id(),
            event,
            &t.status,
            why,
            &snap,
        )
        .await?;
        self.audit(
            tx,
            caller,
            crate::LedgerEntry {
                chain: t.organization_id,
                action: &format!("task.{event}"),
                entity: "task",
                entity_id: Some(id),
                after: Some(json!({ "status": t.status, "version": t.version, "reason": why })),
                ..Default::default()
            },
        )
        .await?;
        Ok(t)
    }

    /// The proposals among `rows` that repeat work carried into their month from the month
    /// before, each with the carried task (id, title) it repeats: what the unit, the leader
    /// and the meeting are warned of, and what the meeting may merge it into.
    pub async fn carried_repeats(
        &self,
        caller: Caller<'_>,
        org: i64,
        rows: &[TaskRow],
    ) -> Result<BTreeMap<i64, (i64, String)>> {
        let proposals: Vec<&TaskRow> = rows
            .iter()
            .filter(|r| r.organization_id == org && r.carried_from_id.is_none())
            .filter(|r| status_of(r).is_ok_and(|s| TaskStatus::PROPOSED.contains(&s)))
            .collect();
        let mut out = BTreeMap::new();
        let mut months: Vec<&str> = proposals.iter().map(|r| r.month.as_str()).collect();
        months.sort_unstable();
        months.dedup();
        for month in months {
            let of_month: Vec<&&TaskRow> = proposals.iter().filter(|r| r.month == month).collect();
            let mut units: Vec<i64> = of_month.iter().map(|r| r.unit_id).collect();
            units.sort_unstable();
            units.dedup();
            // Only units whose plan the caller may see.
            units.retain(|u| {
                of_month.iter().find(|r| r.unit_id == *u).is_some_and(|r| {
                    caller
                        .authorize(Action::ViewUnitPlan {
                            org: OrganizationId(org),
                            unit_path: &unit_path(r),
                        })
                        .is_ok()
                })
            });
            let carried = store::plan::carried_into(&self.db, org, month, &units).await?;
            let c: Vec<(i64, i64, &str)> = carried
                .iter()
                .map(|(id, u, t)| (*id, *u, t.as_str()))
                .collect();
            let p: Vec<(i64, i64, &str)> = of_month
                .iter()
                .filter(|r| units.contains(&r.unit_id))
                .map(|r| (r.id, r.unit_id, r.title.as_str()))
                .collect();
            for (proposal, into) in domain::plan::repeats_of_carried(&p, &c) {
                if let Some((_, _, title)) = carried.iter().find(|(id, ..)| *id == into) {
                    out.insert(proposal, (into, title.clone()));
                }
            }
        }
        Ok(out)
    }

    /// The unit `caller` proposes for: of the organization, and one the caller may propose for.
    async fn unit_to_propose_for(
        &self,
        caller: Caller<'_>,
        org: i64,
        unit: i64,
    ) -> Result<store::org::UnitRow> {
        let u = self
            .unit(unit)
            .await
            .map_err(|_| AppError::field("unit_id", "not_found"))?;
        if u.organization_id != org {
            return Err(AppError::field("unit_id", "not_found"));
        }
        let path: Vec<UnitId> = u.path_ids().into_iter().map(UnitId).collect();
        caller.authorize(Action::ProposeForUnit {
            org: OrganizationId(org),
            unit_path: &path,
        })?;
        Ok(u)
    }

    /// Why `month` takes no proposal, edit or submission now (`proposals_not_open`,
    /// `month_arranged`, `proposals_closed`, `month_closed`), or `None` when it does: what the
    /// pages say in place of the forms.
    pub async fn proposals_refused(
        &self,
        org: i64,
        month: YearMonth,
    ) -> Result<Option<&'static str>> {
        let (cycle, _, phase) = self.cycle_now(org, month).await?;
        Ok(phase.proposals_refused(cycle.arranged_at.is_some()))
    }

    /// Refuses unless `month` takes proposals now, naming why.
    async fn check_proposing(&self, org: i64, month: YearMonth) -> Result<()> {
        match self.proposals_refused(org, month).await? {
            Some(code) => Err(AppError::field("month", code)),
            None => Ok(()),
        }
    }

    /// A unit proposes a task for `month` (a draft until submitted).
    pub async fn propose(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        unit: i64,
        input: &TaskInput,
    ) -> Result<i64> {
        let month = parse_month(month)?;
        let mut draft = input.validate(month, false)?;
        let u = self.unit_to_propose_for(caller, org, unit).await?;
        self.check_proposing(org, month).await?;
        let mut tx = self.db.begin().await?;
        self.check_task_refs(&mut tx, org, &u, month, &mut draft)
            .await?;
        let m = month.to_string();
        let new = NewTask {
            org,
            month: &m,
            unit_id: unit,
            draft: &draft,
            is_assigned: false,
            status: TaskStatus::Draft.as_str(),
            carried_from_id: None,
            months_overdue: 0,
            created_by: caller.actor_id(),
        };
        let id = store::plan::insert_task(&mut tx, &new, self.now()).await?;
        self.record(&mut tx, caller, id, "propose", None).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits a draft or returned proposal.
    pub async fn update_proposal(
        &self,
        caller: Caller<'_>,
        id: i64,
        input: &TaskInput,
    ) -> Result<()> {
        let t = self.task(id).await?;
        let month = parse_month(&t.month)?;
        let path = unit_path(&t);
        caller.authorize(Action::ProposeForUnit {
            org: OrganizationId(t.organization_id),
            unit_path: &path,
        })?;
        if !status_of(&t)?.editable_by_unit() {
            return Err(AppError::field("status", "not_editable"));
        }
        self.check_proposing(t.organization_id, month).await?;
        let mut draft = input.validate(month, t.is_assigned)?;
        let u = self.unit(t.unit_id).await?;
        let mut tx = self.db.begin().await?;
        self.check_task_refs(&mut tx, t.organization_id, &u, month, &mut draft)
            .await?;
        store::plan::update_task(&mut tx, id, &draft, self.now()).await?;
        self.record(&mut tx, caller, id, "edit", None).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn apply_event(
        &self,
        tx: &mut store::Tx,
        t: &TaskRow,
        event: TaskEvent,
        why: Option<&str>,
        merged_into: Option<i64>,
    ) -> Result<TaskStatus> {
        let to =
            transition(status_of(t)?, event).map_err(|code| AppError::field("status", code))?;
        store::plan::set_task_status(tx, t.id, to.as_str(), why, merged_into, self.now()).await?;
        Ok(to)
    }

    /// Sends a draft (or a returned proposal) to the leader in charge and the office meeting.
    pub async fn submit_proposal(&self, caller: Caller<'_>, id: i64) -> Result<()> {
        let t = self.task(id).await?;
        let path = unit_path(&t);
        caller.authorize(Action::ProposeForUnit {
            org: OrganizationId(t.organization_id),
            unit_path: &path,
        })?;
        self.check_proposing(t.organization_id, parse_month(&t.month)?)
            .await?;
        let mut tx = self.db.begin().await?;
        self.apply_event(&mut tx, &t, TaskEvent::Submit, None, None)
            .await?;
        self.record(&mut tx, caller, id, "submit", None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The leader in charge approves, adjusts or returns a proposal of one of their units.
    pub async fn leader_review(
        &self,
        caller: Caller<'_>,
        id: i64,
        decision: &LeaderDecision,
    ) -> Result<()> {
        let t = self.task(id).await?;
        let month = parse_month(&t.month)?;
        let path = unit_path(&t);
        caller.authorize(Action::ReviewAsLeader {
            org: OrganizationId(t.organization_id),
            unit_path: &path,
        })?;
        let (_, _, phase) = self.sync_cycle(t.organization_id, month).await?;
        if !phase.accepts_decisions() {
            return Err(AppError::field("month", "decisions_closed"));
        }
        let mut tx = self.db.begin().await?;
        let (event, why) = match decision {
            LeaderDecision::Approve => (TaskEvent::LeaderApprove, None),
            LeaderDecision::Adjust(input) => {
                let mut draft = input.validate(month, t.is_assigned)?;
                let u = self.unit(t.unit_id).await?;
                self.check_task_refs(&mut tx, t.organization_id, &u, month, &mut draft)
                    .await?;
                store::plan::update_task(&mut tx, id, &draft, self.now()).await?;
                (TaskEvent::LeaderAdjust, None)
            }
            LeaderDecision::Return { reason: r } => {
                (TaskEvent::LeaderReturn, Some(reason("reason", r)?))
            }
        };
        self.apply_event(&mut tx, &t, event, why.as_deref(), None)
            .await?;
        self.record(&mut tx, caller, id, event.as_str(), why.as_deref())
            .await?;
        if let Some(why) = why.as_deref() {
            self.notify_proposal_returned(&mut tx, &t, why).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The office meeting decides on a proposal.
    pub async fn meeting_decide(
        &self,
        caller: Caller<'_>,
        id: i64,
        decision: &MeetingDecision,
    ) -> Result<()> {
        let t = self.task(id).await?;
        let month = parse_month(&t.month)?;
        caller.authorize(Action::ArrangeMonth {
            org: OrganizationId(t.organization_id),
        })?;
        let (cycle, _, phase) = self.sync_cycle(t.organization_id, month).await?;
        if cycle.arranged_at.is_some() {
            return Err(AppError::field("month", "month_arranged"));
        }
        if !phase.accepts_decisions() {
            return Err(AppError::field("month", "decisions_closed"));
        }
        let mut tx = self.db.begin().await?;
        let (event, why, into) = match decision {
            MeetingDecision::Accept => (TaskEvent::Accept, None, None),
            MeetingDecision::Change(input) => {
                let mut draft = input.validate(month, t.is_assigned)?;
                let u = self.unit(t.unit_id).await?;
                self.check_task_refs(&mut tx, t.organization_id, &u, month, &mut draft)
                    .await?;
                store::plan::update_task(&mut tx, id, &draft, self.now()).await?;
                (TaskEvent::Change, None, None)
            }
            MeetingDecision::Reject { reason: r } => {
                (TaskEvent::Reject, Some(reason("reason", r)?), None)
            }
            MeetingDecision::Merge { into, reason: r } => {
                let why = reason("reason", r)?;
                let target = store::plan::get_task(&mut tx, *into).await?;
                // Into another proposal, or into the unit's work carried into the month that
                // the proposal repeats.
                let ok = target.as_ref().is_some_and(|x| {
                    let status = TaskStatus::parse(&x.status);
                    x.id != id
                        && x.organization_id == t.organization_id
                        && x.month == t.month
                        && (matches!(
                            status,
                            Some(
                                TaskStatus::Submitted
                                    | TaskStatus::LeaderApproved
                                    | TaskStatus::Accepted
                            )
                        ) || (x.carried_from_id.is_some()
                            && x.unit_id == t.unit_id
                            && status.is_some_and(|s| TaskStatus::OPEN.contains(&s))))
                });
                if !ok {
                    return Err(AppError::field("merge_into", "invalid_merge_target"));
                }
                (TaskEvent::Merge, Some(why), Some(*into))
            }
        };
        self.apply_event(&mut tx, &t, event, why.as_deref(), into)
            .await?;
        self.record(&mut tx, caller, id, event.as_str(), why.as_deref())
            .await?;
        if let (TaskEvent::Reject, Some(why)) = (event, why.as_deref()) {
            self.notify_proposal_returned(&mut tx, &t, why).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The leadership assigns an item (交办事项) to a unit. Before the month is arranged it joins
    /// the accepted proposals; afterwards it enters the plan directly.
    pub async fn add_assigned_item(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        unit: i64,
        input: &TaskInput,
    ) -> Result<i64> {
        let month = parse_month(month)?;
        let mut draft = input.validate(month, true)?;
        self.organization(org).await?;
        caller.authorize(Action::ArrangeMonth {
            org: OrganizationId(org),
        })?;
        let u = self
            .unit(unit)
            .await
            .map_err(|_| AppError::field("unit_id", "not_found"))?;
        if u.organization_id != org || u.disabled {
            return Err(AppError::field("unit_id", "not_found"));
        }
        let (cycle, _, phase) = self.sync_cycle(org, month).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        let status = if cycle.arranged_at.is_some() {
            TaskStatus::Arranged
        } else {
            TaskStatus::Accepted
        };
        let mut tx = self.db.begin().await?;
        self.check_task_refs(&mut tx, org, &u, month, &mut draft)
            .await?;
        let m = month.to_string();
        let new = NewTask {
            org,
            month: &m,
            unit_id: unit,
            draft: &draft,
            is_assigned: true,
            status: status.as_str(),
            carried_from_id: None,
            months_overdue: 0,
            created_by: caller.actor_id(),
        };
        let id = store::plan::insert_task(&mut tx, &new, self.now()).await?;
        self.record(&mut tx, caller, id, "assign", None).await?;
        tx.commit().await?;
        if status == TaskStatus::Arranged {
            self.refresh_one(org, &m, domain::cards::Subject::Task, id)
                .await?;
        }
        Ok(id)
    }

    /// The office meeting arranges the month: every accepted proposal and assigned item
    /// becomes part of the month's baseline plan, in one transaction. Refused while proposals
    /// still wait for a decision, and when the month is already arranged.
    pub async fn arrange_month(&self, caller: Caller<'_>, org: i64, month: &str) -> Result<u64> {
        let month = parse_month(month)?;
        self.organization(org).await?;
        caller.authorize(Action::ArrangeMonth {
            org: OrganizationId(org),
        })?;
        let (cycle, _, phase) = self.sync_cycle(org, month).await?;
        if cycle.arranged_at.is_some() {
            return Err(AppError::field("month", "already_arranged"));
        }
        if !matches!(
            phase,
            Phase::Proposing | Phase::Arranging | Phase::Executing
        ) {
            return Err(AppError::field("month", "decisions_closed"));
        }
        let m = month.to_string();
        let mut tx = self.db.begin().await?;
        for s in [TaskStatus::Submitted, TaskStatus::LeaderApproved] {
            if !store::plan::task_ids_with_status(&mut tx, org, &m, s.as_str())
                .await?
                .is_empty()
            {
                return Err(AppError::field("month", "undecided_proposals"));
            }
        }
        let ids =
            store::plan::task_ids_with_status(&mut tx, org, &m, TaskStatus::Accepted.as_str())
                .await?;
        if ids.is_empty() {
            return Err(AppError::field("month", "nothing_to_arrange"));
        }
        let now = self.now();
        let n = store::plan::move_status(
            &mut tx,
            org,
            &m,
            TaskStatus::Accepted.as_str(),
            TaskStatus::Arranged.as_str(),
            now,
        )
        .await?;
        for id in &ids {
            let t = store::plan::get_task(&mut tx, *id)
                .await?
                .ok_or(AppError::NotFound)?;
            store::plan::add_history(
                &mut tx,
                *id,
                t.version,
                now,
                caller.actor_id(),
                "arrange",
                &t.status,
                None,
                &snapshot(&t),
            )
            .await?;
        }
        store::plan::set_arranged(&mut tx, cycle.id, caller.actor_id(), now).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "cycle.arrange",
                entity: "cycle",
                entity_id: Some(cycle.id),
                after: Some(json!({ "month": m, "tasks": n })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    // ---- change requests ----

    /// A unit head asks to drop, re-scope or re-date an arranged task.
    pub async fn request_change(
        &self,
        caller: Caller<'_>,
        task: i64,
        change: &Change,
        why: &str,
    ) -> Result<i64> {
        let why = reason("reason", why)?;
        let t = self.task(task).await?;
        let path = unit_path(&t);
        caller.authorize(Action::RequestChange {
            org: OrganizationId(t.organization_id),
            unit_path: &path,
        })?;
        if !status_of(&t)?.is_open() {
            return Err(AppError::field("status", "not_arranged"));
        }
        let mut tx = self.db.begin().await?;
        let id = self
            .insert_change_request(&mut tx, caller, &t, change, &why)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a change request for `t`, refused while another one of the task is pending.
    async fn insert_change_request(
        &self,
        tx: &mut store::Tx,
        caller: Caller<'_>,
        t: &TaskRow,
        change: &Change,
        why: &str,
    ) -> Result<i64> {
        let (pending, _) = store::plan::list_change_requests(
            &mut *tx,
            t.organization_id,
            Some("pending"),
            Some(t.id),
            PageRequest::new(Some(1), Some(1)),
        )
        .await?;
        if !pending.is_empty() {
            return Err(AppError::field("kind", "change_pending"));
        }
        let proposal =
            serde_json::to_string(change).map_err(|e| AppError::Internal(e.to_string()))?;
        let id = store::plan::insert_change_request(
            &mut *tx,
            t.organization_id,
            t.id,
            change.kind(),
            &proposal,
            why,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            tx,
            caller,
            crate::LedgerEntry {
                chain: t.organization_id,
                action: "change_request.create",
                entity: "change_request",
                entity_id: Some(id),
                after: Some(json!({ "task_id": t.id, "change": change, "reason": why })),
                ..Default::default()
            },
        )
        .await?;
        Ok(id)
    }

    /// The director or the leading group approves (applying the change) or rejects a change
    /// request. The task's history keeps the version before and after.
    pub async fn decide_change(
        &self,
        caller: Caller<'_>,
        id: i64,
        approve: bool,
        why: &str,
    ) -> Result<()> {
        let cr = store::plan::get_change_request(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ArrangeMonth {
            org: OrganizationId(cr.organization_id),
        })?;
        if cr.status != "pending" {
            return Err(AppError::field("status", "already_decided"));
        }
        let why = if approve {
            Some(why.trim().to_owned()).filter(|s| !s.is_empty())
        } else {
            Some(reason("reason", why)?)
        };
        let change: Change =
            serde_json::from_str(&cr.proposal).map_err(|e| AppError::Internal(e.to_string()))?;
        let t = self.task(cr.task_id).await?;
        // A closed month is final; an approval needs the task still open (not under review,
        // signed off or carried over since the request).
        let month = YearMonth::parse(&t.month).ok_or(AppError::NotFound)?;
        let (_, _, phase) = self.sync_cycle(t.organization_id, month).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        if approve && !status_of(&t)?.is_open() {
            return Err(AppError::field("status", "not_arranged"));
        }
        let mut tx = self.db.begin().await?;
        if approve {
            match &change {
                Change::Withdraw => {
                    self.apply_event(&mut tx, &t, TaskEvent::Withdraw, Some(&cr.reason), None)
                        .await?;
                }
                Change::Rescope {
                    title,
                    content,
                    criterion,
                } => {
                    store::plan::set_task_scope(
                        &mut tx,
                        t.id,
                        title,
                        content,
                        criterion,
                        self.now(),
                    )
                    .await?
                }
                Change::Redate { deadline } => {
                    store::plan::set_task_deadline(&mut tx, t.id, *deadline, self.now()).await?
                }
            }
            self.record(
                &mut tx,
                caller,
                t.id,
                &format!("change_{}", change.kind()),
                Some(&cr.reason),
            )
            .await?;
        }
        store::plan::decide_change_request(
            &mut tx,
            id,
            if approve { "approved" } else { "rejected" },
            caller.actor_id(),
            why.as_deref(),
            self.now(),
        )
        .await?;
        let action = if approve {
            "change_request.approve"
        } else {
            "change_request.reject"
        };
        let changed_task = approve.then_some((t.id, t.month.clone()));
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: cr.organization_id,
                action,
                entity: "change_request",
                entity_id: Some(id),
                after: Some(json!({ "task_id": t.id, "reason": why })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        if let Some((task, month)) = changed_task {
            self.refresh_one(
                cr.organization_id,
                &month,
                domain::cards::Subject::Task,
                task,
            )
            .await?;
        }
        Ok(())
    }

    /// Change requests of an organization, for the director and the offices.
    pub async fn list_change_requests(
        &self,
        caller: Caller<'_>,
        org: i64,
        status: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ChangeRequestRow>> {
        self.organization(org).await?;
        if let Caller::Person(i) = caller
            && i.actor.people_visibility(OrganizationId(org)) != Visibility::All
        {
            return Err(AppError::Forbidden);
        }
        let (rows, total) =
            store::plan::list_change_requests(&self.db, org, status, None, page).await?;
        Ok(Page::new(rows, page, total))
    }
}
