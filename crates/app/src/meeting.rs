//! Use cases of the month-end review (会议讲评): the month's figures (one definition,
//! `domain::figures`), the briefing (预安简报) generated from the data, the meeting's
//! highlights (亮点工作), analysis and dispatch of unfinished work, and the bulletin (通报)
//! composed from all of it, published to every unit.

use std::collections::HashMap;

use domain::bulletin::{BulletinInput, HighlightLine, Issued, UnfinishedLine, UnitLine, compose};
use domain::figures::{Figures, MonthFigures, OutcomeGroup, month_figures_of};
use domain::page::{Page, PageRequest};
use domain::plan::{Phase, TaskStatus, YearMonth, parse_date};
use domain::policy::Action;
use domain::validate::Validator;
use serde::Serialize;
use serde_json::json;
use store::plan::{TaskFilter, TaskRow};
use store::projects::ProjectRow;
use store::signoff::{BulletinRow, HighlightRow, MeetingRow};

use crate::cards::ColorCounts;
use crate::org_id;
use crate::{App, AppError, Caller, Result};

/// One unit's figures, with its name.
#[derive(Debug, Clone, Serialize)]
pub struct UnitFigures {
    pub unit_id: i64,
    pub unit_name: String,
    pub figures: Figures,
}

/// A month's figures: live while it is open, as frozen at its close afterwards.
#[derive(Debug, Clone, Serialize)]
pub struct FiguresView {
    pub month: YearMonth,
    pub total: Figures,
    pub by_unit: Vec<UnitFigures>,
    pub frozen: bool,
}

/// A task not signed off, with what the unit stated.
#[derive(Debug, Clone, Serialize)]
pub struct UnfinishedItem {
    pub task: TaskRow,
    pub reason: String,
    pub next_steps: String,
}

/// A key project with this month's card colour.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectBrief {
    pub project: ProjectRow,
    pub color: Option<String>,
}

/// The briefing (预安简报) the review meeting hears, generated from the data.
#[derive(Debug, Clone, Serialize)]
pub struct Briefing {
    pub month: YearMonth,
    pub phase: Phase,
    pub figures: FiguresView,
    pub cards: ColorCounts,
    pub projects: Vec<ProjectBrief>,
    pub unfinished: Vec<UnfinishedItem>,
    pub unfinished_total: u64,
    /// Signed-off key work completed on time, not yet chosen: candidates for highlights.
    pub proposed_highlights: Vec<TaskRow>,
    pub highlights: Vec<HighlightRow>,
    pub meeting: Option<MeetingRow>,
    pub bulletin: Option<BulletinRow>,
    pub can_run_meeting: bool,
    /// The caller may (re)generate the month's bulletin: it is not published yet. A draft can
    /// be generated at any time, also after the close; publishing waits for the close.
    pub can_generate_bulletin: bool,
}

/// A bulletin with its content.
#[derive(Debug, Clone, Serialize)]
pub struct BulletinView {
    pub row: BulletinRow,
    pub issued: Issued,
    /// Whether its month is closed: only then may it be published.
    pub month_closed: bool,
    pub can_publish: bool,
}

fn parse_month(raw: &str) -> Result<YearMonth> {
    YearMonth::parse(raw).ok_or_else(|| AppError::field("month", "invalid_month"))
}

/// The month's figures from the database's counted groups of tasks.
pub(crate) fn figures_of(rows: &[(i64, String, bool, bool, i64)]) -> MonthFigures {
    let groups: Vec<OutcomeGroup> = rows
        .iter()
        .filter_map(|(unit_id, status, on_time, carried_in, count)| {
            Some(OutcomeGroup {
                unit_id: *unit_id,
                status: TaskStatus::parse(status)?,
                on_time: *on_time,
                carried_in: *carried_in,
                count: u32::try_from(*count).unwrap_or(u32::MAX),
            })
        })
        .collect();
    month_figures_of(&groups)
}

impl App {
    /// The month's figures as `domain::figures` defines them, from the stored tasks.
    pub(crate) async fn compute_figures(&self, org: i64, month: &str) -> Result<MonthFigures> {
        let rows = store::signoff::outcome_groups(&self.db, org, month).await?;
        Ok(figures_of(&rows))
    }

    async fn figures_view(&self, org: i64, month: YearMonth) -> Result<FiguresView> {
        let m = month.to_string();
        let (figures, frozen) = match store::signoff::month_result(&self.db, org, &m).await? {
            Some(json) => (
                serde_json::from_str::<MonthFigures>(&json)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                true,
            ),
            None => (self.compute_figures(org, &m).await?, false),
        };
        let units = store::org::all_units(&self.db, org).await?;
        let names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
        // Units in tree order.
        let by_unit = units
            .iter()
            .filter_map(|u| {
                figures.by_unit.get(&u.id).map(|f| UnitFigures {
                    unit_id: u.id,
                    unit_name: names.get(&u.id).cloned().unwrap_or_default(),
                    figures: *f,
                })
            })
            .collect();
        Ok(FiguresView {
            month,
            total: figures.total,
            by_unit,
            frozen,
        })
    }

    /// The month's figures (planned, signed off, on time, unfinished, completion rate), for
    /// everyone in the organization.
    pub async fn month_figures(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
    ) -> Result<FiguresView> {
        let ym = parse_month(month)?;
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        self.figures_view(org, ym).await
    }

    /// The unfinished items of a month (at most `limit`, or all) with the reasons: what the
    /// unit stated, why its submission was returned, or that it is still in the review.
    async fn unfinished(
        &self,
        org: i64,
        month: &str,
        limit: Option<u32>,
    ) -> Result<(Vec<UnfinishedItem>, u64)> {
        let open: Vec<String> = [
            TaskStatus::Arranged,
            TaskStatus::InProgress,
            TaskStatus::SignOffSubmitted,
            TaskStatus::SignOffReturned,
            TaskStatus::DeclaredUnfinished,
            TaskStatus::CarriedOver,
        ]
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
        // The briefing shows the first page; the bulletin lists them all.
        let (tasks, total, forms) = match limit {
            Some(l) => {
                let filter = TaskFilter {
                    month: Some(month.to_owned()),
                    statuses: open,
                    ..Default::default()
                };
                let (tasks, total) = store::plan::list_tasks(
                    &self.db,
                    org,
                    &filter,
                    PageRequest::new(Some(1), Some(l)),
                )
                .await?;
                let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
                let forms = store::signoff::latest_forms(&self.db, &ids).await?;
                (tasks, total, forms)
            }
            None => {
                let tasks = store::plan::month_tasks_in(&self.db, org, month, &open).await?;
                let forms =
                    store::signoff::latest_forms_of_month(&self.db, org, month, &open).await?;
                let total = tasks.len() as u64;
                (tasks, total, forms)
            }
        };
        let by_task: HashMap<i64, &store::signoff::FormRow> =
            forms.iter().map(|f| (f.task_id, f)).collect();
        let items = tasks
            .into_iter()
            .map(|t| {
                let (reason, next_steps) = unfinished_reason(by_task.get(&t.id).copied());
                UnfinishedItem {
                    reason,
                    next_steps,
                    task: t,
                }
            })
            .collect();
        Ok((items, total))
    }

    /// The briefing of a month, for the reviewers and the meeting.
    pub async fn briefing(&self, caller: Caller<'_>, org: i64, month: &str) -> Result<Briefing> {
        let ym = parse_month(month)?;
        self.organization(org).await?;
        caller.authorize(Action::ViewReview { org: org_id(org) })?;
        let (_, _, phase) = self.cycle_now(org, ym).await?;
        let m = ym.to_string();
        let figures = self.figures_view(org, ym).await?;
        let publication = store::cards::list_publications(
            &self.db,
            org,
            Some(&m),
            PageRequest::new(Some(1), Some(1)),
        )
        .await?
        .0
        .into_iter()
        .next();
        let cards = match &publication {
            Some(p) => ColorCounts {
                green: i64::from(p.green),
                yellow: i64::from(p.yellow),
                red: i64::from(p.red),
            },
            None => ColorCounts::default(),
        };
        let (projects, _) = store::projects::list_projects(
            &self.db,
            org,
            &store::projects::ProjectFilter {
                status: Some("active".into()),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await?;
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let colors = store::cards::colors_of(&self.db, org, &m, "project", &ids).await?;
        let briefs = projects
            .into_iter()
            .map(|p| ProjectBrief {
                color: colors
                    .iter()
                    .find(|(id, _)| *id == p.id)
                    .map(|(_, c)| c.clone()),
                project: p,
            })
            .collect();
        let (unfinished, unfinished_total) = self.unfinished(org, &m, Some(200)).await?;
        let highlights = store::signoff::highlights(&self.db, org, &m).await?;
        let proposed = store::plan::highlight_candidates(&self.db, org, &m, 20).await?;
        let bulletin = store::signoff::bulletin_of(&self.db, org, &m).await?;
        let arranges = caller
            .authorize(Action::ArrangeMonth { org: org_id(org) })
            .is_ok();
        Ok(Briefing {
            month: ym,
            phase,
            figures,
            cards,
            projects: briefs,
            unfinished,
            unfinished_total,
            proposed_highlights: proposed,
            highlights,
            meeting: store::signoff::meeting(&self.db, org, &m).await?,
            can_generate_bulletin: arranges
                && bulletin.as_ref().is_none_or(|b| b.status != "published"),
            bulletin,
            can_run_meeting: phase != Phase::Closed && arranges,
        })
    }

    async fn meeting_month(&self, caller: Caller<'_>, org: i64, month: &str) -> Result<YearMonth> {
        let ym = parse_month(month)?;
        self.organization(org).await?;
        caller.authorize(Action::ArrangeMonth { org: org_id(org) })?;
        let (_, _, phase) = self.sync_cycle(org, ym).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        Ok(ym)
    }

    /// The meeting chooses a signed-off task of the month as a highlight (亮点工作).
    pub async fn select_highlight(
        &self,
        caller: Caller<'_>,
        task: i64,
        citation: &str,
    ) -> Result<i64> {
        let citation = domain::plan::reason("citation", citation)?;
        let t = self.task(task).await?;
        let ym = self
            .meeting_month(caller, t.organization_id, &t.month)
            .await?;
        if t.status != TaskStatus::SignedOff.as_str() {
            return Err(AppError::field("task_id", "not_signed_off"));
        }
        let mut tx = self.db.begin().await?;
        let id = store::signoff::insert_highlight(
            &mut tx,
            t.organization_id,
            &ym.to_string(),
            task,
            &citation,
            caller.actor_id(),
            self.now(),
        )
        .await
        .map_err(|e| {
            crate::error::unique_as_field(e, "highlights_task_key", "highlights.task_id", "task_id")
        })?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: t.organization_id,
                action: "highlight.select",
                entity: "task",
                entity_id: Some(task),
                after: Some(json!({ "highlight_id": id, "citation": citation })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn remove_highlight(&self, caller: Caller<'_>, id: i64) -> Result<()> {
        let (org, month) = store::signoff::get_highlight(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.meeting_month(caller, org, &month).await?;
        let mut tx = self.db.begin().await?;
        store::signoff::delete_highlight(&mut tx, id).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "highlight.remove",
                entity: "highlight",
                entity_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the review meeting: when it was held, its analysis of the month and how it
    /// dispatched the unfinished work.
    pub async fn record_meeting(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        held_on: &str,
        analysis: &str,
        dispatch: &str,
    ) -> Result<()> {
        let mut v = Validator::new();
        let day = match held_on.trim() {
            "" => Some(self.today()),
            raw => parse_date(raw),
        };
        match day {
            None => v.fail("held_on", "invalid_date"),
            Some(d) if d > self.today() => v.fail("held_on", "date_in_future"),
            _ => {}
        }
        let analysis = analysis.trim();
        if analysis.is_empty() {
            v.fail("analysis", "required");
        } else if analysis.chars().count() > 4000 {
            v.fail("analysis", "too_long");
        }
        let dispatch = dispatch.trim();
        if dispatch.chars().count() > 4000 {
            v.fail("dispatch", "too_long");
        }
        v.finish()?;
        let ym = self.meeting_month(caller, org, month).await?;
        let day = day.unwrap_or_else(|| self.today());
        let mut tx = self.db.begin().await?;
        store::signoff::put_meeting(
            &mut tx,
            org,
            &ym.to_string(),
            day,
            analysis,
            dispatch,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "review_meeting.record",
                entity: "cycle",
                after: Some(json!({ "month": ym.to_string(), "held_on": day })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Composes the month's bulletin (通报) from the figures, highlights, unfinished items,
    /// the month's publication and the meeting's analysis; a draft until published (a new
    /// draft replaces the old one).
    pub async fn generate_bulletin(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        doc_number: &str,
    ) -> Result<i64> {
        let mut v = Validator::new();
        let doc_number = doc_number.trim();
        if doc_number.is_empty() {
            v.fail("doc_number", "required");
        } else if doc_number.chars().count() > 100 {
            v.fail("doc_number", "too_long");
        }
        v.finish()?;
        let ym = parse_month(month)?;
        let o = self.organization(org).await?;
        caller.authorize(Action::ArrangeMonth { org: org_id(org) })?;
        let m = ym.to_string();
        let figures = self.figures_view(org, ym).await?;
        let (unfinished, _) = self.unfinished(org, &m, None).await?;
        let highlights = store::signoff::highlights(&self.db, org, &m).await?;
        let meeting = store::signoff::meeting(&self.db, org, &m).await?;
        let publication = store::cards::list_publications(
            &self.db,
            org,
            Some(&m),
            PageRequest::new(Some(1), Some(1)),
        )
        .await?
        .0
        .into_iter()
        .next();
        let units: Vec<UnitLine> = figures
            .by_unit
            .iter()
            .map(|u| UnitLine {
                unit: u.unit_name.clone(),
                figures: u.figures,
            })
            .collect();
        let input = BulletinInput {
            organization: o.name.clone(),
            issuer: format!("{}预安销号工作领导小组", o.name),
            doc_number: doc_number.to_owned(),
            year: ym.year,
            month: ym.month,
            date: self.today(),
            total: figures.total,
            units: units.clone(),
            highlights: highlights
                .iter()
                .map(|h| HighlightLine {
                    unit: h.unit_name.clone(),
                    title: h.task_title.clone(),
                    citation: h.citation.clone(),
                })
                .collect(),
            unfinished: unfinished
                .iter()
                .map(|u| UnfinishedLine {
                    unit: u.task.unit_name.clone(),
                    title: u.task.title.clone(),
                    reason: u.reason.clone(),
                    next_steps: u.next_steps.clone(),
                    months_overdue: u32::try_from(u.task.months_overdue).unwrap_or(0),
                })
                .collect(),
            cards: publication.map_or((0, 0, 0), |p| {
                (
                    p.red.unsigned_abs(),
                    p.yellow.unsigned_abs(),
                    p.green.unsigned_abs(),
                )
            }),
            analysis: meeting
                .as_ref()
                .map(|x| x.analysis.clone())
                .unwrap_or_default(),
            dispatch: meeting.map(|x| x.dispatch).unwrap_or_default(),
        };
        let issued = Issued {
            bulletin: compose(&input),
            units,
            total: figures.total,
        };
        let content =
            serde_json::to_string(&issued).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let id = store::signoff::put_bulletin(
            &mut tx,
            org,
            &m,
            doc_number,
            &issued.bulletin.title,
            &content,
            caller.actor_id(),
            self.now(),
        )
        .await?
        .ok_or_else(|| AppError::field("month", "bulletin_published"))?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "bulletin.generate",
                entity: "bulletin",
                entity_id: Some(id),
                after: Some(json!({ "month": m, "doc_number": doc_number })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn bulletin_row(&self, id: i64) -> Result<BulletinRow> {
        store::signoff::get_bulletin(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Publishes the bulletin to every unit (印发). Only a closed month's: until the close its
    /// figures, unfinished items and the ladder's proposals are not final, and a published
    /// bulletin cannot be withdrawn.
    pub async fn publish_bulletin(&self, caller: Caller<'_>, id: i64) -> Result<()> {
        let b = self.bulletin_row(id).await?;
        caller.authorize(Action::ArrangeMonth {
            org: org_id(b.organization_id),
        })?;
        let mut tx = self.db.begin().await?;
        // Under the month's lock, so that the check and the publication see the same close.
        store::cards::lock_month(&mut tx, b.organization_id, &b.month).await?;
        if !crate::cards::month_closed(&mut tx, b.organization_id, &b.month).await? {
            return Err(AppError::field("month", "bulletin_before_close"));
        }
        if !store::signoff::publish_bulletin(&mut tx, id, caller.actor_id(), self.now()).await? {
            return Err(AppError::field("status", "already_published"));
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: b.organization_id,
                action: "bulletin.publish",
                entity: "bulletin",
                entity_id: Some(id),
                after: Some(json!({ "month": b.month, "doc_number": b.doc_number })),
                ..Default::default()
            },
        )
        .await?;
        // The chain's head, with the publication itself, goes out in every copy.
        if let Some((seq, hash)) = store::audit::chain_head(&mut tx, b.organization_id).await? {
            let cp = domain::audit::Checkpoint::new(
                &self.config.audit_key,
                self.now(),
                b.organization_id,
                seq,
                &hash,
            );
            store::signoff::set_bulletin_checkpoint(&mut tx, id, &cp.line()).await?;
        }
        // To the units' heads and the leadership, who answer for the results it lists.
        let units = store::notify::unit_ids(&mut tx, b.organization_id).await?;
        let mut to = self.unit_people(&mut tx, &units, false).await?;
        to.extend(
            store::notify::role_holders(
                &mut tx,
                b.organization_id,
                &["director", "leader_in_charge", "leading_group"],
            )
            .await?,
        );
        let msg = domain::notify::Message::bulletin_published(id, &b.month);
        self.notify(
            &mut tx,
            b.organization_id,
            &crate::notify::Note::to_all(&to, &msg, Some(&format!("bulletin:{id}"))),
        )
        .await?;
        tx.commit().await?;
        self.bus.announce(b.organization_id, "bulletin").await;
        Ok(())
    }

    /// A bulletin: published ones for everyone in the organization, drafts for the reviewers.
    pub async fn get_bulletin(&self, caller: Caller<'_>, id: i64) -> Result<BulletinView> {
        let row = self.bulletin_row(id).await?;
        let org = org_id(row.organization_id);
        if row.status == "published" {
            caller.authorize(Action::ViewStructure { org })?;
        } else {
            caller.authorize(Action::ViewReview { org })?;
        }
        let issued: Issued =
            serde_json::from_str(&row.content).map_err(|e| AppError::Internal(e.to_string()))?;
        let month_closed =
            crate::cards::month_closed(&self.db, row.organization_id, &row.month).await?;
        Ok(BulletinView {
            can_publish: row.status == "draft"
                && month_closed
                && caller.authorize(Action::ArrangeMonth { org }).is_ok(),
            month_closed,
            row,
            issued,
        })
    }

    pub async fn list_bulletins(
        &self,
        caller: Caller<'_>,
        org: i64,
        page: PageRequest,
    ) -> Result<Page<BulletinRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure { org: org_id(org) })?;
        let reviewer = caller
            .authorize(Action::ViewReview { org: org_id(org) })
            .is_ok();
        let (rows, total) = store::signoff::list_bulletins(&self.db, org, !reviewer, page).await?;
        Ok(Page::new(rows, page, total))
    }
}

/// Why an unfinished task is unfinished, from its newest sign-off round (if any): the unit's
/// statement, the reason it was returned, or where its submission stands.
fn unfinished_reason(form: Option<&store::signoff::FormRow>) -> (String, String) {
    match form {
        None => ("未报送销号".into(), String::new()),
        Some(f) if f.kind == "unfinished" => (f.reason.clone(), f.next_steps.clone()),
        Some(f) => match f.status.as_str() {
            "returned" => (
                format!(
                    "销号申请被退回：{}",
                    f.decision_reason.as_deref().unwrap_or("")
                ),
                String::new(),
            ),
            "lapsed" => ("销号申请未及审结".into(), String::new()),
            _ => ("销号申请联审中".into(), String::new()),
        },
    }
}
