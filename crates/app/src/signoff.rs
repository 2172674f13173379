//! Use cases of sign-off (销号): the unit head submits a task's sign-off form (销号审批表) with
//! its report (销号报告, drafted from the progress log) or states it unfinished; the three
//! offices give their opinions (三部联审), with site checks (实地考察) where needed; the leading
//! group signs off or returns. Nothing is signed off without the approvals the organization's
//! rule asks for (`domain::signoff::ReviewState::sign_off_allowed`).
//!
//! The opinions are seen by the reviewers (the offices, the leading group, the director); the
//! unit sees the decision and its reason, and the opinions once the month's bulletin is out.

use domain::UnitId;
use domain::cards::Subject;
use domain::page::{Page, PageRequest};
use domain::plan::{Phase, TaskEvent, TaskStatus, YearMonth, transition};
use domain::policy::Action;
use domain::signoff::{
    FormInput, FormKind, Office, ProgressLine, ReviewRule, ReviewState, Reviewer, Verdict,
    draft_report, opinion, recused_offices, site_check,
};
use serde::Serialize;
use serde_json::json;
use store::plan::TaskRow;
use store::signoff::{FormFilter, FormRow, OpinionRow, SiteCheckRow};
use store::supervision::FileMeta;

use crate::supervision::EvidenceUpload;
use crate::{App, AppError, Caller, Result};
use crate::{org_id, path_of};

/// The sign-off part of a task's page.
#[derive(Debug, Clone, Serialize)]
pub struct SignOffView {
    /// Every round, newest first.
    pub forms: Vec<FormRow>,
    /// The offices' opinions and site checks of the newest round, when the caller may see
    /// them.
    pub opinions: Vec<OpinionRow>,
    pub site_checks: Vec<SiteCheckRow>,
    /// Evidence of those site checks.
    pub site_check_files: Vec<FileMeta>,
    pub opinions_visible: bool,
    /// Evidence attached to the newest round.
    pub files: Vec<FileMeta>,
    /// Where the newest submitted round stands in the joint review.
    pub state: Option<ReviewState>,
    /// The report as drafted from the progress log, to start the form from.
    pub draft_report: String,
    pub can_submit: bool,
    /// The offices the caller may give an opinion for on the newest round.
    pub review_offices: Vec<Office>,
    pub can_decide: bool,
}

/// A submission in the review queue, with its state.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub form: FormRow,
    pub state: Option<ReviewState>,
}

fn offices_for(caller: Caller<'_>, org: i64, unit_path: &[UnitId]) -> Vec<Office> {
    Office::ALL
        .into_iter()
        .filter(|o| {
            caller
                .authorize(Action::ReviewSignOff {
                    org: org_id(org),
                    unit_path,
                    office: *o,
                })
                .is_ok()
        })
        .collect()
}

/// The offices a caller may review a unit's submission for (`unit_path` as stored).
pub(crate) fn may_review(caller: Caller<'_>, org: i64, unit_path: &str) -> Vec<Office> {
    offices_for(caller, org, &path_of(unit_path))
}

/// Sign-off forms and reviews happen once the work is under way, until the month closes.
fn review_phase(phase: Phase) -> bool {
    matches!(
        phase,
        Phase::Executing | Phase::SigningOff | Phase::Reviewing
    )
}

impl App {
    /// The month whose sign-off is under way: last month until it is closed, then this one.
    pub async fn review_month(&self, org: i64) -> Result<YearMonth> {
        let now = YearMonth::of(self.today());
        let prev = now.prev();
        let open = store::plan::cycle(&self.db, org, &prev.to_string())
            .await?
            .is_some_and(|c| c.phase != Phase::Closed.as_str());
        Ok(if open { prev } else { now })
    }

    pub async fn review_rule(&self, org: i64) -> Result<ReviewRule> {
        Ok(store::signoff::required_approvals(&self.db, org)
            .await?
            .map_or_else(ReviewRule::default, |n| ReviewRule {
                required_approvals: n,
            }))
    }

    /// The review rule, for those who run or take part in the review.
    pub async fn review_rule_of(&self, caller: Caller<'_>, org: i64) -> Result<ReviewRule> {
        self.organization(org).await?;
        if caller
            .authorize(Action::ManagePlanning { org: org_id(org) })
            .is_err()
        {
            caller.authorize(Action::ViewReview { org: org_id(org) })?;
        }
        self.review_rule(org).await
    }

    /// The task a sign-off form belongs to (its page decides who may see it).
    pub async fn sign_off_form_task(&self, caller: Caller<'_>, form: i64) -> Result<i64> {
        let f = self.form(form).await?;
        let t = self.task(f.task_id).await?;
        self.authorize_task_view(caller, &t)?;
        Ok(f.task_id)
    }

    /// How many offices must approve before the leading group may sign off (1–3).
    pub async fn set_review_rule(
        &self,
        caller: Caller<'_>,
        org: i64,
        rule: ReviewRule,
    ) -> Result<()> {
        self.organization(org).await?;
        caller.authorize(Action::ManagePlanning { org: org_id(org) })?;
        let rule = rule.validate()?;
        let before = self.review_rule(org).await?;
        let mut tx = self.db.begin().await?;
        store::signoff::put_required_approvals(&mut tx, org, rule.required_approvals, self.now())
            .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "review_rule.update",
                entity: "organization",
                entity_id: Some(org),
                before: Some(json!(before)),
                after: Some(json!(rule)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The offices a caller may review a unit's submission for.
    fn offices_for(&self, caller: Caller<'_>, org: i64, unit_path: &[UnitId]) -> Vec<Office> {
        offices_for(caller, org, unit_path)
    }

    /// Whether the caller sees a month's review opinions: the reviewers always, the others
    /// once the month's bulletin is published or the month closed.
    async fn opinions_visible(&self, caller: Caller<'_>, org: i64, month: &str) -> Result<bool> {
        if caller
            .authorize(Action::ViewReview { org: org_id(org) })
            .is_ok()
        {
            return Ok(true);
        }
        let published = store::signoff::bulletin_of(&self.db, org, month)
            .await?
            .is_some_and(|b| b.status == "published");
        let closed = store::plan::cycle(&self.db, org, month)
            .await?
            .is_some_and(|c| c.phase == Phase::Closed.as_str());
        Ok(published || closed)
    }

    /// The sign-off part of a task's page (the caller already sees the task).
    pub(crate) async fn sign_off_view(
        &self,
        caller: Caller<'_>,
        t: &TaskRow,
    ) -> Result<SignOffView> {
        let org = t.organization_id;
        let path = path_of(&t.unit_path);
        let forms = store::signoff::forms_of_task(&self.db, t.id).await?;
        let newest = forms.first();
        let visible = self.opinions_visible(caller, org, &t.month).await?;
        let ids: Vec<i64> = newest.map(|f| f.id).into_iter().collect();
        // The state comes from every opinion, even for one who may not read them.
        let all = store::signoff::opinions_of(&self.db, &ids).await?;
        // Where the review stands tells which office said what: only for those who see that.
        let state = match newest.filter(|f| f.status == "submitted" && visible) {
            Some(f) => {
                let (rule, reviewers) = self.review_context(org).await?;
                Some(state_of(rule, &reviewers, &f.unit_path, &all))
            }
            None => None,
        };
        let (opinions, site_checks) = if visible {
            (all, store::signoff::site_checks_of(&self.db, &ids).await?)
        } else {
            (vec![], vec![])
        };
        let files = store::supervision::files_of(&self.db, "sign_off", &ids).await?;
        let check_ids: Vec<i64> = site_checks.iter().map(|c| c.id).collect();
        let site_check_files =
            store::supervision::files_of(&self.db, "site_check", &check_ids).await?;
        let (log, log_files) = self.progress_with_files(t.id).await?;
        let lines: Vec<ProgressLine> = log
            .iter()
            .rev()
            .map(|g| ProgressLine {
                reported_on: g.reported_on.clone(),
                percent: g.percent,
                narrative: g.narrative.clone(),
            })
            .collect();
        let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Draft);
        let phase = store::plan::cycle(&self.db, org, &t.month)
            .await?
            .and_then(|c| Phase::parse(&c.phase))
            .unwrap_or(Phase::Upcoming);
        let open_phase = review_phase(phase) && phase != Phase::Closed;
        let submitted = status == TaskStatus::SignOffSubmitted;
        Ok(SignOffView {
            can_submit: open_phase
                && transition(status, TaskEvent::SubmitSignOff).is_ok()
                && caller
                    .authorize(Action::SubmitSignOff {
                        org: org_id(org),
                        unit_path: &path,
                    })
                    .is_ok(),
            review_offices: if submitted && open_phase {
                self.offices_for(caller, org, &path)
            } else {
                vec![]
            },
            can_decide: submitted
                && open_phase
                && caller
                    .authorize(Action::DecideSignOff { org: org_id(org) })
                    .is_ok(),
            draft_report: draft_report(
                &t.title,
                &t.criterion,
                &t.deadline,
                &lines,
                log_files.len(),
            ),
            opinions_visible: visible,
            opinions,
            site_checks,
            site_check_files,
            files,
            state,
            forms,
        })
    }

    async fn form(&self, id: i64) -> Result<FormRow> {
        store::signoff::get_form(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    async fn review_month_open(&self, org: i64, month: &str) -> Result<()> {
        let ym = YearMonth::parse(month).ok_or(AppError::NotFound)?;
        let (_, _, phase) = self.sync_cycle(org, ym).await?;
        if phase == Phase::Closed {
            return Err(AppError::field("month", "month_closed"));
        }
        if !review_phase(phase) {
            return Err(AppError::field("month", "sign_off_not_open"));
        }
        Ok(())
    }

    /// The unit head submits a task's sign-off form with its report and evidence, or states
    /// it unfinished with the reason and the next month's steps. A returned submission may be
    /// submitted again.
    pub async fn submit_sign_off(
        &self,
        caller: Caller<'_>,
        task: i64,
        input: &FormInput,
        files: &[EvidenceUpload],
    ) -> Result<i64> {
        let t = self.task(task).await?;
        let org = t.organization_id;
        let path = path_of(&t.unit_path);
        caller.authorize(Action::SubmitSignOff {
            org: org_id(org),
            unit_path: &path,
        })?;
        let form = input.validate(self.today())?;
        let accepted = crate::supervision::check_files(files)?;
        let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Draft);
        let event = match form.kind {
            FormKind::Complete => TaskEvent::SubmitSignOff,
            FormKind::Unfinished => TaskEvent::DeclareUnfinished,
        };
        self.review_month_open(org, &t.month).await?;
        let next = transition(status, event).map_err(|_| AppError::field("status", "not_open"))?;
        let mut tx = self.db.begin().await?;
        if !store::signoff::move_task(
            &mut tx,
            task,
            status.as_str(),
            next.as_str(),
            None,
            self.now(),
        )
        .await?
        {
            return Err(AppError::field("status", "not_open"));
        }
        let form_status = match form.kind {
            FormKind::Complete => "submitted",
            FormKind::Unfinished => "unfinished",
        };
        let id = store::signoff::insert_form(
            &mut tx,
            &store::signoff::NewForm {
                org,
                task,
                form: &form,
                status: form_status,
                by: caller.actor_id(),
            },
            self.now(),
        )
        .await?;
        self.store_files(&mut tx, caller, org, "sign_off", id, &accepted)
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
            event.as_str(),
            next.as_str(),
            (form.kind == FormKind::Unfinished).then_some(form.reason.as_str()),
            &json!({ "form_id": id, "kind": form.kind }).to_string(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: &format!("task.{}", event.as_str()),
                entity: "task",
                entity_id: Some(task),
                before: Some(json!({ "status": t.status })),
                after: Some(json!({ "status": next, "form_id": id, "files": accepted.len() })),
            },
        )
        .await?;
        tx.commit().await?;
        self.refresh_one(org, &t.month, Subject::Task, task).await?;
        Ok(id)
    }

    /// The office the caller reviews for: the one named, or their only one.
    fn pick_office(
        &self,
        caller: Caller<'_>,
        org: i64,
        path: &[UnitId],
        office: Option<Office>,
    ) -> Result<Office> {
        let mine = self.offices_for(caller, org, path);
        match office {
            Some(o) if mine.contains(&o) => Ok(o),
            Some(_) => Err(AppError::Forbidden),
            None => match mine.as_slice() {
                [only] => Ok(*only),
                [] => Err(AppError::Forbidden),
                _ => Err(AppError::field("office", "required")),
            },
        }
    }

    /// An office's opinion on a submission: approve, return (with a reason) or a site check
    /// needed (with what to check). An office may change its opinion; the latest counts.
    pub async fn give_opinion(
        &self,
        caller: Caller<'_>,
        form: i64,
        office: Option<Office>,
        verdict: &str,
        reason: &str,
    ) -> Result<ReviewState> {
        let f = self.form(form).await?;
        let path = path_of(&f.unit_path);
        let office = self.pick_office(caller, f.organization_id, &path, office)?;
        let (verdict, reason) = opinion(verdict, reason)?;
        if f.status != "submitted" {
            return Err(AppError::field("status", "not_under_review"));
        }
        self.review_month_open(f.organization_id, &f.task_month)
            .await?;
        let mut tx = self.db.begin().await?;
        store::signoff::lock_form(&mut tx, form).await?;
        // Still under review once the form is held: a decision may have come first.
        if store::signoff::get_form(&mut tx, form)
            .await?
            .is_none_or(|f| f.status != "submitted")
        {
            return Err(AppError::field("status", "not_under_review"));
        }
        store::signoff::insert_opinion(
            &mut tx,
            form,
            office.as_str(),
            verdict.as_str(),
            &reason,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: f.organization_id, action: "sign_off.opinion", entity: "sign_off_form", entity_id: Some(form), after: Some(json!({ "task_id": f.task_id, "office": office, "verdict": verdict, "reason": reason })), ..Default::default() })
        .await?;
        tx.commit().await?;
        self.review_state(&f).await
    }

    async fn review_state(&self, f: &FormRow) -> Result<ReviewState> {
        let (rule, reviewers) = self.review_context(f.organization_id).await?;
        let opinions = store::signoff::opinions_of(&self.db, &[f.id]).await?;
        Ok(state_of(rule, &reviewers, &f.unit_path, &opinions))
    }

    /// The organization's review rule and the people who review, for the review states.
    async fn review_context(&self, org: i64) -> Result<(ReviewRule, Vec<Reviewer>)> {
        let roles: Vec<&str> = Office::ALL.iter().map(|o| o.role().as_str()).collect();
        let rows = store::signoff::office_holders(&self.db, org, &roles).await?;
        let mut reviewers: Vec<(i64, Reviewer)> = Vec::new();
        let add_unit = |r: &mut Reviewer, path: Option<&str>| {
            let ids = path_of(path.unwrap_or(""));
            if let Some(unit) = ids.first() {
                r.units.push(*unit);
                r.within.extend(ids.iter().copied());
            }
        };
        for (person, role, own_path, grant_path) in rows {
            if reviewers.last().is_none_or(|(p, _)| *p != person) {
                let mut r = Reviewer::default();
                add_unit(&mut r, own_path.as_deref());
                reviewers.push((person, r));
            }
            if let Some((_, r)) = reviewers.last_mut() {
                if let Some(o) = domain::Role::parse(&role).and_then(Office::of_role) {
                    r.offices.push(o);
                }
                add_unit(r, grant_path.as_deref());
            }
        }
        Ok((
            self.review_rule(org).await?,
            reviewers.into_iter().map(|(_, r)| r).collect(),
        ))
    }

    /// Records a site check (实地考察) of a submission, with its findings and evidence.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_site_check(
        &self,
        caller: Caller<'_>,
        form: i64,
        office: Option<Office>,
        findings: &str,
        checked_on: &str,
        files: &[EvidenceUpload],
    ) -> Result<i64> {
        let f = self.form(form).await?;
        let path = path_of(&f.unit_path);
        let office = self.pick_office(caller, f.organization_id, &path, office)?;
        let (findings, day) = site_check(findings, checked_on, self.today())?;
        let accepted = crate::supervision::check_files(files)?;
        if f.status != "submitted" {
            return Err(AppError::field("status", "not_under_review"));
        }
        self.review_month_open(f.organization_id, &f.task_month)
            .await?;
        let mut tx = self.db.begin().await?;
        let id = store::signoff::insert_site_check(
            &mut tx,
            form,
            office.as_str(),
            day,
            &findings,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.store_files(
            &mut tx,
            caller,
            f.organization_id,
            "site_check",
            id,
            &accepted,
        )
        .await?;
        self.audit(&mut tx, caller, crate::LedgerEntry { chain: f.organization_id, action: "sign_off.site_check", entity: "sign_off_form", entity_id: Some(form), after: Some(json!({ "task_id": f.task_id, "office": office, "checked_on": day, "files": accepted.len() })), ..Default::default() })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The leading group signs a reviewed submission off (only with the approvals the rule
    /// asks for) or returns it with a reason; the unit may then submit again.
    /// Whether the caller may decide this form: asked by the page before it reads a choice
    /// that does not parse, so that the refusal comes before any validation.
    pub async fn may_decide_sign_off(&self, caller: Caller<'_>, form: i64) -> Result<()> {
        self.deciding(caller, form).await.map(|_| ())
    }

    async fn deciding(&self, caller: Caller<'_>, form: i64) -> Result<store::signoff::FormRow> {
        let f = self.form(form).await?;
        caller.authorize(Action::DecideSignOff {
            org: org_id(f.organization_id),
        })?;
        Ok(f)
    }

    pub async fn decide_sign_off(
        &self,
        caller: Caller<'_>,
        form: i64,
        sign_off: bool,
        reason: &str,
    ) -> Result<()> {
        let f = self.deciding(caller, form).await?;
        let org = f.organization_id;
        let why = if sign_off {
            Some(reason.trim().to_owned()).filter(|r| !r.is_empty())
        } else {
            Some(domain::plan::reason("reason", reason)?)
        };
        if f.status != "submitted" {
            return Err(AppError::field("status", "not_under_review"));
        }
        self.review_month_open(org, &f.task_month).await?;
        let context = if sign_off {
            Some(self.review_context(org).await?)
        } else {
            None
        };
        let (status, event, task_status) = if sign_off {
            ("signed_off", TaskEvent::SignOff, TaskStatus::SignedOff)
        } else {
            (
                "returned",
                TaskEvent::ReturnSignOff,
                TaskStatus::SignOffReturned,
            )
        };
        let completed_on = if sign_off {
            f.completed_on.as_deref().and_then(domain::plan::parse_date)
        } else {
            None
        };
        let mut tx = self.db.begin().await?;
        // The offices' opinions as they stand under the form's lock: an opinion given while
        // the decision was on its way is weighed, not passed over.
        store::signoff::lock_form(&mut tx, form).await?;
        if let Some((rule, reviewers)) = context {
            let opinions = store::signoff::opinions_of(&mut tx, &[form]).await?;
            state_of(rule, &reviewers, &f.unit_path, &opinions)
                .sign_off_allowed()
                .map_err(|code| AppError::field("form", code))?;
        }
        if !store::signoff::decide_form(
            &mut tx,
            form,
            status,
            why.as_deref(),
            caller.actor_id(),
            self.now(),
        )
        .await?
        {
            return Err(AppError::field("status", "not_under_review"));
        }
        if !store::signoff::move_task(
            &mut tx,
            f.task_id,
            TaskStatus::SignOffSubmitted.as_str(),
            task_status.as_str(),
            completed_on,
            self.now(),
        )
        .await?
        {
            return Err(AppError::field("status", "not_under_review"));
        }
        let row = store::plan::get_task(&mut tx, f.task_id)
            .await?
            .ok_or(AppError::NotFound)?;
        store::plan::add_history(
            &mut tx,
            f.task_id,
            row.version,
            self.now(),
            caller.actor_id(),
            event.as_str(),
            task_status.as_str(),
            why.as_deref(),
            &json!({ "form_id": form }).to_string(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: &format!("task.{}", event.as_str()),
                entity: "task",
                entity_id: Some(f.task_id),
                before: Some(json!({ "status": f.task_status })),
                after: Some(json!({ "status": task_status, "form_id": form, "reason": why })),
            },
        )
        .await?;
        if !sign_off {
            let mut to = self.unit_people(&mut tx, &[row.unit_id], false).await?;
            to.extend(row.owner_id);
            let msg = domain::notify::Message::sign_off_returned(
                row.id,
                &row.title,
                why.as_deref().unwrap_or(""),
            );
            self.notify(&mut tx, org, &crate::notify::Note::to_all(&to, &msg, None))
                .await?;
        }
        tx.commit().await?;
        self.refresh_one(org, &f.task_month, Subject::Task, f.task_id)
            .await?;
        Ok(())
    }

    /// The month's submissions for the reviewers, with where each stands.
    pub async fn review_queue(
        &self,
        caller: Caller<'_>,
        org: i64,
        month: &str,
        statuses: &[String],
        page: PageRequest,
    ) -> Result<Page<ReviewItem>> {
        let ym =
            YearMonth::parse(month).ok_or_else(|| AppError::field("month", "invalid_month"))?;
        self.organization(org).await?;
        caller.authorize(Action::ViewReview { org: org_id(org) })?;
        let (rows, total) = store::signoff::list_forms(
            &self.db,
            org,
            &FormFilter {
                month: Some(ym.to_string()),
                statuses: statuses.to_vec(),
                ..Default::default()
            },
            page,
        )
        .await?;
        let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
        let opinions = store::signoff::opinions_of(&self.db, &ids).await?;
        let (rule, reviewers) = self.review_context(org).await?;
        let items = rows
            .into_iter()
            .map(|form| {
                let mine: Vec<OpinionRow> = opinions
                    .iter()
                    .filter(|o| o.form_id == form.id)
                    .cloned()
                    .collect();
                ReviewItem {
                    state: (form.status == "submitted")
                        .then(|| state_of(rule, &reviewers, &form.unit_path, &mine)),
                    form,
                }
            })
            .collect();
        Ok(Page::new(items, page, total))
    }

    /// Whether a person may read a sign-off form's or a site check's evidence.
    pub(crate) async fn authorize_sign_off_file(
        &self,
        caller: Caller<'_>,
        owner_kind: &str,
        owner_id: i64,
    ) -> Result<()> {
        let form = match owner_kind {
            "sign_off" => self.form(owner_id).await?,
            _ => {
                let form_id = store::signoff::site_check_form(&self.db, owner_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let f = self.form(form_id).await?;
                // Site checks are the reviewers' own records until the bulletin is out.
                if !self
                    .opinions_visible(caller, f.organization_id, &f.task_month)
                    .await?
                {
                    return Err(AppError::Forbidden);
                }
                f
            }
        };
        let t = self.task(form.task_id).await?;
        if caller
            .authorize(Action::ViewReview {
                org: org_id(t.organization_id),
            })
            .is_ok()
        {
            return Ok(());
        }
        self.authorize_task_view(caller, &t)
    }
}

/// The (office, verdict) pairs of stored opinions, oldest first.
/// Where a submission of a unit stands, with the offices that cannot review that unit.
fn state_of(
    rule: ReviewRule,
    reviewers: &[Reviewer],
    unit_path: &str,
    opinions: &[OpinionRow],
) -> ReviewState {
    let recused = recused_offices(reviewers, &path_of(unit_path));
    ReviewState::for_unit(rule, &verdicts(opinions), &recused)
}

fn verdicts(opinions: &[OpinionRow]) -> Vec<(Office, Verdict)> {
    opinions
        .iter()
        .filter_map(|o| Some((Office::parse(&o.office)?, Verdict::parse(&o.verdict)?)))
        .collect()
}
