//! Uploading a unit's plan table (预安表) again: the rows that are tasks already are
//! recognised and updated (a proposal while proposals are open, a change request once the
//! month is arranged), the others are added as drafts, and every problem of the file is
//! reported at once.

use domain::page::PageRequest;
use domain::plan::{Change, TaskDraft, TaskInput, TaskStatus, YearMonth};
use domain::plan_table::{
    CATEGORY_ASSIGNED, CATEGORY_KEY_WORK, CellError, ID_COLUMN, ImportSummary, KEY_POINT_COLUMN,
    PlanSheet, PlanTableRow, RowTarget, match_rows,
};
use domain::policy::Action;
use domain::{OrganizationId, UnitId};
use store::plan::{NewTask, TaskFilter, TaskRow};

use super::{parse_month, status_of};
use crate::{App, AppError, Caller, Result};

/// What one row of the sheet asks for.
enum RowPlan<'a> {
    Add(TaskDraft),
    Update(&'a TaskRow, TaskDraft),
    Request(&'a TaskRow, Change),
    Unchanged,
}

/// The column a draft's field comes from.
fn column_of(field: &str) -> &'static str {
    match field {
        "title" => "工作事项",
        "content" => "工作内容",
        "criterion" => "完成标准",
        "deadline" => "完成时限",
        "key_point_id" => KEY_POINT_COLUMN,
        _ => "责任人",
    }
}

impl App {
    /// Imports a unit's plan table for `month`, all or nothing, and says what it did.
    ///
    /// Owners and leaders are matched by name among the unit's people and the leaders in
    /// charge; a row's 对应要点 by title among the year's key points, else the row traces to
    /// `key_point_id`. Rows are matched to the unit's tasks of the month by their 编号, else
    /// by title ([`match_rows`]). While the month takes proposals, new rows become drafts and
    /// changed rows update the proposals the unit may still edit; once it is arranged, a
    /// changed row raises a change request (one per task: a new scope or a new date) and a
    /// new row is refused. A row equal to its task is left alone. `sheet.errors` (the
    /// problems the file's reader found) are reported with those found here, in one list.
    pub async fn import_proposals(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        unit: i64,
        key_point_id: Option<i64>,
        sheet: &PlanSheet,
    ) -> Result<ImportSummary> {
        let month = parse_month(month)?;
        let u = self.unit_to_propose_for(caller, org, unit).await?;
        let path: Vec<UnitId> = u.path_ids().into_iter().map(UnitId).collect();
        let arranged = match self.proposals_refused(org, month).await? {
            None => false,
            Some("month_arranged") => true,
            Some(code) => return Err(AppError::field("month", code)),
        };
        if key_point_id.is_none() && sheet.rows.iter().all(|r| r.key_point.trim().is_empty()) {
            return Err(AppError::field("key_point_id", "required"));
        }
        if sheet.rows.is_empty() {
            return Err(AppError::field("file", "empty_file"));
        }

        let people = store::people::list_people(
            &self.db,
            org,
            &store::people::PeopleFilter {
                unit_paths: Some(vec![u.path.clone()]),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await?
        .0;
        let leaders = store::plan::leaders(&self.db, org).await?;
        let key_points = store::plan::key_points(&self.db, org, month.year, false).await?;
        let statuses: &[TaskStatus] = if arranged {
            &TaskStatus::PLANNED
        } else {
            &TaskStatus::PROPOSED
        };
        let existing = store::plan::list_tasks(
            &self.db,
            org,
            &TaskFilter {
                month: Some(month.to_string()),
                unit_id: Some(unit),
                statuses: statuses.iter().map(|s| s.as_str().to_owned()).collect(),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await?
        .0;
        let pairs: Vec<(i64, &str)> = existing.iter().map(|t| (t.id, t.title.as_str())).collect();
        let targets = match_rows(&pairs, &sheet.rows);

        let mut errors = sheet.errors.clone();
        let mut plans = Vec::with_capacity(sheet.rows.len());
        for (i, (r, target)) in sheet.rows.iter().zip(targets).enumerate() {
            let line = if r.line > 0 {
                r.line
            } else {
                u32::try_from(i + 3).unwrap_or(u32::MAX)
            };
            let mut found = Vec::new();
            let plan = self.plan_row(
                r,
                target,
                &existing,
                month,
                arranged,
                key_point_id,
                (&people, &leaders, &key_points),
                &mut |column, code| found.push((column, code)),
            );
            for (column, code) in found {
                // The reader's error for a cell stands; a second one for it would only repeat.
                if !errors.iter().any(|e| e.row == line && e.column == column) {
                    errors.push(CellError {
                        row: line,
                        column: column.into(),
                        code,
                    });
                }
            }
            plans.push(plan.map(|p| (line, p)));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(AppError::Rows(errors));
        }
        let plans: Vec<(u32, RowPlan<'_>)> = plans.into_iter().flatten().collect();
        if plans.iter().any(|(_, p)| matches!(p, RowPlan::Request(..))) {
            caller.authorize(Action::RequestChange {
                org: OrganizationId(org),
                unit_path: &path,
            })?;
        }

        let mut tx = self.db.begin().await?;
        let m = month.to_string();
        let mut summary = ImportSummary::default();
        for (line, plan) in plans {
            match plan {
                RowPlan::Unchanged => summary.unchanged += 1,
                RowPlan::Add(mut d) => {
                    self.check_task_refs(&mut tx, org, &u, month, &mut d)
                        .await?;
                    let new = NewTask {
                        org,
                        month: &m,
                        unit_id: unit,
                        draft: &d,
                        is_assigned: false,
                        status: TaskStatus::Draft.as_str(),
                        carried_from_id: None,
                        months_overdue: 0,
                        created_by: caller.actor_id(),
                    };
                    let id = store::plan::insert_task(&mut tx, &new, self.now()).await?;
                    self.record(&mut tx, caller, id, "import", None).await?;
                    summary.added += 1;
                }
                RowPlan::Update(t, mut d) => {
                    self.check_task_refs(&mut tx, org, &u, month, &mut d)
                        .await?;
                    store::plan::update_task(&mut tx, t.id, &d, self.now()).await?;
                    self.record(&mut tx, caller, t.id, "import", None).await?;
                    summary.updated += 1;
                }
                RowPlan::Request(t, change) => {
                    let why = format!("依据上传的预安表第{line}行调整");
                    self.insert_change_request(&mut tx, caller, t, &change, &why)
                        .await
                        .map_err(|e| match e {
                            AppError::Invalid(_) => AppError::Rows(vec![CellError {
                                row: line,
                                column: "工作事项".into(),
                                code: "change_pending",
                            }]),
                            e => e,
                        })?;
                    summary.change_requests += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// What one row asks for, or `None` after reporting its problems through `cell`.
    #[allow(clippy::too_many_arguments)]
    fn plan_row<'a>(
        &self,
        r: &PlanTableRow,
        target: std::result::Result<RowTarget, &'static str>,
        existing: &'a [TaskRow],
        month: YearMonth,
        arranged: bool,
        key_point_id: Option<i64>,
        (people, leaders, key_points): (
            &[store::people::PersonRow],
            &[(i64, String)],
            &[store::plan::KeyPointRow],
        ),
        cell: &mut dyn FnMut(&'static str, &'static str),
    ) -> Option<RowPlan<'a>> {
        let mut ok = true;
        let mut bad = |column, code| {
            ok = false;
            cell(column, code);
        };
        let target = match target {
            Ok(t) => Some(t),
            Err(code) => {
                bad(
                    if r.task_id.is_some() {
                        ID_COLUMN
                    } else {
                        "工作事项"
                    },
                    code,
                );
                None
            }
        };
        let task = match target {
            Some(RowTarget::Existing(i)) => existing.get(i),
            _ => None,
        };
        let owner = people
            .iter()
            .find(|p| p.display_name == r.owner.trim())
            .map(|p| p.id);
        if owner.is_none() {
            let code = if r.owner.trim().is_empty() {
                "required"
            } else {
                "unknown_person"
            };
            bad("责任人", code);
        }
        let leader = if r.leader.trim().is_empty() {
            None
        } else {
            let l = leaders
                .iter()
                .find(|(_, name)| name == r.leader.trim())
                .map(|(id, _)| *id);
            if l.is_none() {
                bad("分管领导", "unknown_leader");
            }
            l
        };
        let key_point = if r.key_point.trim().is_empty() {
            key_point_id
        } else {
            let k = key_points
                .iter()
                .find(|k| k.title == r.key_point.trim())
                .map(|k| k.id);
            if k.is_none() {
                bad(KEY_POINT_COLUMN, "unknown_key_point");
            }
            k
        };
        if key_point.is_none() && r.key_point.trim().is_empty() {
            bad(KEY_POINT_COLUMN, "required");
        }
        let category = r.category.trim();
        if category == CATEGORY_ASSIGNED && !task.is_some_and(|t| t.is_assigned) {
            bad("类别", "assigned_not_importable");
        }
        let input = TaskInput {
            title: r.title.clone(),
            content: r.content.clone(),
            criterion: r.criterion.clone(),
            deadline: r.deadline.clone(),
            key_point_id: key_point,
            owner_id: owner.or(Some(0)),
            post_id: None,
            leader_id: leader,
            is_key_work: category == CATEGORY_KEY_WORK,
            key_project_id: None,
        };
        let draft = match input.validate(month, task.is_some_and(|t| t.is_assigned)) {
            Ok(d) => Some(TaskDraft {
                owner_id: owner,
                ..d
            }),
            Err(e) => {
                for f in e.0 {
                    bad(column_of(&f.field), f.code);
                }
                None
            }
        };
        target?;
        let draft = draft?;
        if !ok {
            return None;
        }
        let Some(t) = task else {
            if arranged {
                cell("工作事项", "month_arranged");
                return None;
            }
            return Some(RowPlan::Add(draft));
        };
        let scope_changed =
            t.title != draft.title || t.content != draft.content || t.criterion != draft.criterion;
        let date_changed = t.deadline != draft.deadline.to_string();
        let category_changed = if t.is_assigned {
            !category.is_empty() && category != CATEGORY_ASSIGNED
        } else {
            t.is_key_work != draft.is_key_work
        };
        let mut others = Vec::new();
        if t.owner_id != draft.owner_id {
            others.push("责任人");
        }
        if draft.leader_id.is_some() && t.leader_id != draft.leader_id {
            others.push("分管领导");
        }
        if t.key_point_id != draft.key_point_id {
            others.push(KEY_POINT_COLUMN);
        }
        if category_changed {
            others.push("类别");
        }
        if !scope_changed && !date_changed && others.is_empty() {
            return Some(RowPlan::Unchanged);
        }
        let status = status_of(t).ok()?;
        if !arranged {
            if t.is_assigned || !status.editable_by_unit() {
                cell("工作事项", "not_editable");
                return None;
            }
            return Some(RowPlan::Update(
                t,
                TaskDraft {
                    post_id: t.post_id,
                    key_project_id: t.key_project_id,
                    leader_id: draft.leader_id.or(t.leader_id),
                    ..draft
                },
            ));
        }
        if !status.is_open() {
            cell("工作事项", "not_editable");
            return None;
        }
        if !others.is_empty() {
            for column in others {
                cell(column, "not_changeable");
            }
            return None;
        }
        if scope_changed && date_changed {
            cell("完成时限", "one_change_at_a_time");
            return None;
        }
        let change = if scope_changed {
            Change::Rescope {
                title: draft.title,
                content: draft.content,
                criterion: draft.criterion,
            }
        } else {
            Change::Redate {
                deadline: draft.deadline,
            }
        };
        Some(RowPlan::Request(t, change))
    }
}
