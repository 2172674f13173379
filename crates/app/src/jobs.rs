//! The scheduled jobs (`domain::notify::Job`): phases by date, reminders, the daily digest and
//! the audit ledger's daily checkpoint.
//! Every server runs the same scheduler; `store::notify::claim_run` lets exactly one of them
//! take each run, and each run is recorded. A run is idempotent: every notification it writes
//! carries a dedupe key, so running it again (after a failure, or by hand) adds nothing twice.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, Timelike};
use domain::notify::{Channel, Job, Message, Settings};
use domain::plan::{Phase, YearMonth};
use serde::Serialize;
use store::notify::{JobRunRow, NewDelivery};

use crate::notify::{Note, enabled_channels};

use crate::{App, Result};

/// A run still "running" after this long belongs to a server that died; it may be taken again.
const STALE_RUN: Duration = Duration::minutes(30);
/// How many days back a reminder looks, so that a day the scheduler missed is caught up.
const CATCH_UP_DAYS: i64 = 7;
/// Notifications a job writes per transaction: between two, the single writer of SQLite is
/// free for the users' own changes.
const JOB_CHUNK: usize = 2000;
/// A digest covers at most the last two days (a channel switched on today does not send the
/// whole past) ...
const DIGEST_LOOKBACK: Duration = Duration::days(2);
/// ... and leaves out the last minutes, so that a transaction that took a lower id but
/// commits after the digest read is in the next digest rather than skipped.
const DIGEST_SETTLE: Duration = Duration::minutes(10);

/// What one pass of the scheduler did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobOutcome {
    pub job: &'static str,
    pub run_key: String,
    pub ok: bool,
    pub detail: String,
}

impl App {
    /// Runs every job whose current run no server has taken yet. Called every minute by each
    /// server's scheduler, and by `xiaohao jobs run`.
    pub async fn run_due_jobs(&self, server: &str) -> Result<Vec<JobOutcome>> {
        let local =
            (self.now() + Duration::hours(i64::from(self.config.utc_offset_hours))).naive_utc();
        let mut out = Vec::new();
        for job in Job::ALL {
            let key = job.run_key(local);
            let now = self.now();
            let Some(run) = store::notify::claim_run(
                &self.db,
                job.as_str(),
                &key,
                server,
                now,
                now - STALE_RUN,
            )
            .await?
            else {
                continue;
            };
            out.push(
                self.run_claimed(job, run, server, key, local.hour())
                    .await?,
            );
        }
        Ok(out)
    }

    /// Runs one job now, whoever ran it today (an operator's `xiaohao jobs run`). Safe: what
    /// the job already wrote is not written again.
    pub async fn run_job_now(&self, job: &str, server: &str) -> Result<JobOutcome> {
        let job = Job::ALL
            .into_iter()
            .find(|j| j.as_str() == job)
            .ok_or_else(|| crate::AppError::field("job", "invalid_choice"))?;
        let now = self.now();
        let key = format!(
            "manual:{}:{}",
            now.format("%Y-%m-%dT%H:%M:%S%.6f"),
            crate::random_hex(4)
        );
        let run = store::notify::claim_run(&self.db, job.as_str(), &key, server, now, now)
            .await?
            .ok_or_else(|| crate::AppError::field("job", "already_running"))?;
        let local = (now + Duration::hours(i64::from(self.config.utc_offset_hours))).naive_utc();
        self.run_claimed(job, run, server, key, local.hour()).await
    }

    async fn run_claimed(
        &self,
        job: Job,
        run: i64,
        server: &str,
        key: String,
        hour: u32,
    ) -> Result<JobOutcome> {
        let result = match job {
            Job::Phases => self.job_phases().await,
            Job::Reminders => self.job_reminders().await,
            Job::Digest => self.job_digest(hour).await,
            Job::AuditCheckpoint => {
                self.checkpoint_audit()
                    .await
                    .map(|c| match &self.config.audit_checkpoints {
                        Some(path) => {
                            format!("{} chain heads appended to {}", c.len(), path.display())
                        }
                        None => {
                            format!("{} chain heads; no checkpoint file is configured", c.len())
                        }
                    })
            }
        };
        let (ok, detail) = match result {
            Ok(d) => (true, d),
            Err(e) => {
                tracing::error!(job = job.as_str(), error = %e, "scheduled job failed");
                (false, e.to_string())
            }
        };
        store::notify::finish_run(
            &self.db,
            run,
            server,
            if ok { "done" } else { "failed" },
            &detail,
            self.now(),
        )
        .await?;
        Ok(JobOutcome {
            job: job.as_str(),
            run_key: key,
            ok,
            detail,
        })
    }

    /// The latest runs, newest first.
    pub async fn recent_job_runs(&self, limit: i64) -> Result<Vec<JobRunRow>> {
        Ok(store::notify::recent_runs(&self.db, limit.clamp(1, 500)).await?)
    }

    /// Brings this month's and next month's phases up to date and announces the windows that
    /// are open: proposals for next month, sign-off for this one.
    async fn job_phases(&self) -> Result<String> {
        let today = self.today();
        let this = YearMonth::of(today);
        let mut notified = 0;
        for org in store::notify::organization_ids(&self.db).await? {
            for m in [this, this.next()] {
                let (_, cal, phase) = self.sync_cycle(org, m).await?;
                let (sign_off, closes) = match phase {
                    Phase::Proposing => (false, m.first_day() - Duration::days(1)),
                    Phase::SigningOff => (true, m.last_day()),
                    _ => continue,
                };
                let _ = cal;
                let units = store::notify::unit_ids(&self.db, org).await?;
                let people = self.unit_people(&self.db, &units, true).await?;
                let msg = Message::window_opened(&m.to_string(), sign_off, closes);
                let key = format!("window:{m}:{}", phase.as_str());
                notified += self
                    .notify_in_chunks(org, &Note::to_all(&people, &msg, Some(&key)))
                    .await?;
            }
        }
        Ok(format!("notified {notified}"))
    }

    /// Deadlines approaching, tasks overdue or stagnant, and inspection follow-ups due.
    async fn job_reminders(&self) -> Result<String> {
        let today = self.today();
        let month = YearMonth::of(today);
        let m = month.to_string();
        let mut total = 0;
        for org in store::notify::organization_ids(&self.db).await? {
            let settings: Settings = self.notify_settings(&self.db, org).await?;
            let stale_days = self.card_rules(org).await?.stale_days;
            let ahead = i64::from(settings.remind_days_before);
            let mut notes = Vec::new();

            // Each reminder looks at a window of days rather than the whole month, so a daily
            // run reads only what became due; a window of a week catches up on missed days, and
            // the dedupe keys remind each deadline once. The windows cross month ends, so the
            // months around today are read.
            let due_day = today + Duration::days(ahead);
            let months = [month.prev(), month, month.next()].map(|x| x.to_string());
            let mut approaching = Vec::new();
            let mut overdue = Vec::new();
            for mm in &months {
                approaching.extend(
                    store::notify::open_tasks_due(&self.db, org, mm, &day(today), &day(due_day))
                        .await?,
                );
                overdue.extend(
                    store::notify::open_tasks_due(
                        &self.db,
                        org,
                        mm,
                        &day(today - Duration::days(CATCH_UP_DAYS)),
                        &day(today - Duration::days(1)),
                    )
                    .await?,
                );
            }
            // Silent for the card rules' stale days: once per silence, from the day it began.
            let silent_since = today - Duration::days(i64::from(stale_days));
            // A task reminded of its deadline today is not reminded of its silence too.
            let dated: std::collections::HashSet<i64> =
                approaching.iter().chain(&overdue).map(|t| t.0).collect();
            let stagnant: Vec<_> = store::notify::stagnant_tasks(
                &self.db,
                org,
                &m,
                &day(silent_since - Duration::days(CATCH_UP_DAYS)),
                &day(silent_since),
            )
            .await?
            .into_iter()
            .filter(|t| !dated.contains(&t.0))
            .collect();

            // Tasks with no owner go to their unit's heads: one read for all of them.
            let ownerless: Vec<i64> = approaching
                .iter()
                .chain(&overdue)
                .chain(&stagnant)
                .filter(|t| t.4.is_none())
                .map(|t| t.3)
                .collect();
            let heads = self.heads_by_unit(&ownerless).await?;
            let to = |unit: i64, owner: Option<i64>| -> Vec<i64> {
                match owner {
                    Some(o) => vec![o],
                    None => heads.get(&unit).cloned().unwrap_or_default(),
                }
            };
            for (id, title, deadline, unit, owner) in &approaching {
                let d = domain::plan::parse_date(deadline).unwrap_or(due_day);
                let days = (d - today).num_days();
                let msg = Message::deadline_approaching(*id, title, d, days);
                let key = format!("deadline:{id}:{deadline}");
                notes.extend(Note::to_all(&to(*unit, *owner), &msg, Some(&key)));
            }
            for (id, title, deadline, unit, owner) in &overdue {
                let d = domain::plan::parse_date(deadline).unwrap_or(today);
                let msg = Message::task_overdue(*id, title, d);
                let key = format!("overdue:{id}:{deadline}");
                notes.extend(Note::to_all(&to(*unit, *owner), &msg, Some(&key)));
            }
            for (id, title, since, unit, owner) in &stagnant {
                let msg = Message::task_stagnant(*id, title, i64::from(stale_days));
                let key = format!("stagnant:{id}:{since}");
                notes.extend(Note::to_all(&to(*unit, *owner), &msg, Some(&key)));
            }
            let follow_ups = store::notify::follow_ups_due(&self.db, org, &day(due_day)).await?;
            let units: Vec<i64> = follow_ups.iter().map(|f| f.4).collect();
            let heads = self.heads_by_unit(&units).await?;
            for (id, inspection, action, due, unit) in &follow_ups {
                let d = domain::plan::parse_date(due).unwrap_or(today);
                let late = d < today;
                let msg = Message::follow_up_due(*inspection, action, d, late);
                let key = format!("follow_up:{id}:{}", if late { "overdue" } else { "due" });
                let people = heads.get(unit).cloned().unwrap_or_default();
                notes.extend(Note::to_all(&people, &msg, Some(&key)));
            }
            total += self.notify_in_chunks(org, &notes).await?;
        }
        Ok(format!("notified {total}"))
    }

    /// Writes a job's notifications a chunk per transaction. Every note carries a dedupe key,
    /// so a run stopped between chunks completes when run again.
    async fn notify_in_chunks(&self, org: i64, notes: &[Note]) -> Result<usize> {
        let mut n = 0;
        for chunk in notes.chunks(JOB_CHUNK) {
            let mut tx = self.db.begin().await?;
            n += self.notify(&mut tx, org, chunk).await?;
            tx.commit().await?;
        }
        Ok(n)
    }

    async fn heads_by_unit(&self, units: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
        let mut units = units.to_vec();
        units.sort_unstable();
        units.dedup();
        let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
        for (unit, person) in store::notify::unit_members(&self.db, &units, &["unit_head"]).await? {
            map.entry(unit).or_default().push(person);
        }
        Ok(map)
    }

    /// At each organization's digest hour: one message per person and external channel with
    /// the non-urgent notifications since the last digest that the person keeps on it.
    async fn job_digest(&self, hour: u32) -> Result<String> {
        let today = self.today();
        let mut queued = 0;
        for org in store::notify::organizations_with_channels(&self.db).await? {
            let settings = self.notify_settings(&self.db, org).await?;
            if !settings.digest_enabled || settings.digest_hour != hour {
                continue;
            }
            let channels = enabled_channels(store::notify::channels(&self.db, org).await?);
            let mut tx = self.db.begin().await?;
            for (channel, _) in channels {
                queued += self.digest_channel(&mut tx, org, channel, today).await?;
            }
            tx.commit().await?;
        }
        if queued > 0 {
            self.outbox_wake.notify_one();
        }
        Ok(format!("queued {queued}"))
    }

    async fn digest_channel(
        &self,
        tx: &mut store::Tx,
        org: i64,
        channel: Channel,
        today: NaiveDate,
    ) -> Result<u64> {
        // One digest a day per organization and channel, whatever reruns the job: a second
        // one would skip the persons the first reached while moving past their new items.
        let offset = Duration::hours(i64::from(self.config.utc_offset_hours));
        let day_start = today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - offset;
        if store::notify::digest_sent_since(&mut *tx, org, channel.as_str(), day_start).await? {
            return Ok(0);
        }
        let after = store::notify::digest_cursor(&mut *tx, org, channel.as_str()).await?;
        let now = self.now();
        let items = store::notify::digest_items(
            &mut *tx,
            org,
            after,
            now - DIGEST_LOOKBACK,
            now - DIGEST_SETTLE,
        )
        .await?;
        let Some(upto) = items.iter().map(|i| i.0).max() else {
            return Ok(0);
        };
        let mut by_person: BTreeMap<i64, Vec<&store::notify::DigestItem>> = BTreeMap::new();
        for i in &items {
            by_person.entry(i.1).or_default().push(i);
        }
        let persons: Vec<i64> = by_person.keys().copied().collect();
        let prefs = self.preferences_map(&mut *tx, &persons).await?;
        let contacts: HashMap<i64, store::notify::Contact> =
            store::notify::contacts(&mut *tx, &persons)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        let mut out = Vec::new();
        for (person, items) in by_person {
            let Some(contact) = contacts.get(&person) else {
                continue;
            };
            let p = prefs.get(&person).cloned().unwrap_or_default();
            let kept: Vec<(String, Option<String>)> = items
                .iter()
                .filter(|i| {
                    domain::notify::EventKind::parse(&i.2).is_some_and(|e| p.wants(e, channel))
                })
                .map(|i| (i.3.clone(), i.4.clone()))
                .collect();
            if kept.is_empty() {
                continue;
            }
            let Some(recipient) = crate::notify::recipient_of(channel, contact) else {
                continue;
            };
            let (subject, body) = domain::notify::digest(today, &kept);
            out.push(NewDelivery {
                person: Some(person),
                channel: channel.as_str().to_owned(),
                recipient,
                subject,
                body,
                dedupe_key: Some(format!(
                    "digest:{}:{person}:{}-{:02}-{:02}",
                    channel.as_str(),
                    today.year(),
                    today.month(),
                    today.day()
                )),
                upto_id: Some(upto),
            });
        }
        Ok(store::notify::insert_deliveries(tx, org, &out, self.now()).await?)
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// This server's delivery worker and scheduler, running until dropped (or the process ends).
pub struct Background {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Background {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// How often the worker looks for deliveries queued by other servers, and for retries due.
const DELIVERY_POLL: std::time::Duration = std::time::Duration::from_secs(5);
/// How often the scheduler looks for a run that is due.
const SCHEDULE_TICK: std::time::Duration = std::time::Duration::from_secs(60);

impl App {
    /// Starts the delivery worker and the scheduler of this server, named `server` in the
    /// claims and the job runs. Errors are logged and the loops go on: a database that is
    /// briefly away must not stop reminders for good.
    pub fn start_background(&self, server: &str) -> Background {
        let worker = {
            let app = self.clone();
            let name = server.to_owned();
            tokio::spawn(async move {
                loop {
                    let busy = match app.deliver_due(&name).await {
                        Ok(r) => r.sent + r.retrying + r.failed > 0,
                        Err(e) => {
                            tracing::warn!(error = %e, "delivery worker");
                            false
                        }
                    };
                    if !busy {
                        tokio::select! {
                            () = app.outbox_woken() => {}
                            () = tokio::time::sleep(DELIVERY_POLL) => {}
                        }
                    }
                }
            })
        };
        let scheduler = {
            let app = self.clone();
            let name = server.to_owned();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(SCHEDULE_TICK);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    match app.run_due_jobs(&name).await {
                        Ok(runs) => {
                            for r in runs {
                                tracing::info!(job = r.job, run = %r.run_key, ok = r.ok, detail = %r.detail, "scheduled job");
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "scheduler"),
                    }
                }
            })
        };
        Background {
            tasks: vec![worker, scheduler],
        }
    }
}
