//! Notifications (提醒与催办): the inbox, each person's preferences, the channels an
//! administrator configures, the outbox worker, and urging a task by hand.
//!
//! A use case that notifies calls [`App::notify`] inside its own transaction: the inbox rows
//! and the deliveries of urgent events commit or roll back with the change. Delivery happens
//! later, in [`App::deliver_due`], so a mail server or a robot that is down never blocks or
//! fails anyone's action.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;
use domain::notify::{
    AfterFailure, Channel, ChannelConfig, ChannelInput, EventKind, Message, Preferences, Settings,
    SettingsInput,
};
use domain::page::{Page, PageRequest};
use domain::policy::Action;
use serde::Serialize;
use serde_json::json;
use store::notify::{
    ChannelRow, DeliveryFilter, DeliveryRow, NewDelivery, NewNotification, NotificationRow, UrgeRow,
};

use crate::{App, AppError, Caller, Identity, Result, org_id};

/// How long a worker holds the deliveries it claimed.
const LEASE: Duration = Duration::minutes(10);
/// Deliveries one worker claims at once: sent one after another, each within
/// `outbound::TIMEOUT`, well inside the lease.
const CLAIM: i64 = 20;

/// One notification to write: to whom, what, and the key that makes it land once.
#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub person: i64,
    pub message: Message,
    pub dedupe: Option<String>,
}

impl Note {
    pub(crate) fn to_all(persons: &[i64], message: &Message, dedupe: Option<&str>) -> Vec<Note> {
        let mut persons = persons.to_vec();
        persons.sort_unstable();
        persons.dedup();
        persons
            .into_iter()
            .map(|person| Note {
                person,
                message: message.clone(),
                dedupe: dedupe.map(str::to_owned),
            })
            .collect()
    }
}

/// A person's choices as the preferences page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct PreferenceLine {
    pub event: EventKind,
    pub urgent: bool,
    pub choices: Vec<PreferenceChoice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PreferenceChoice {
    pub channel: Channel,
    pub enabled: bool,
    /// False where the rule decides (urgent events in the inbox, confidential ones in groups).
    pub changeable: bool,
    /// Whether the organization has this channel switched on (the inbox always is).
    pub available: bool,
}

/// One channel as the administrator sees it: never its password, secret or token.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    pub channel: Channel,
    pub configured: bool,
    pub enabled: bool,
    /// Where it sends: `host:port` for mail, the host of a robot's address.
    pub target: String,
    pub security: Option<String>,
    pub username: Option<String>,
    pub from: Option<String>,
    pub has_secret: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotifyAdminView {
    pub channels: Vec<ChannelView>,
    pub settings: Settings,
    /// Deliveries by status (`pending`, `sent`, `failed`).
    pub counts: Vec<(String, i64)>,
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub sent: u32,
    pub retrying: u32,
    pub failed: u32,
}

fn redact(c: &ChannelConfig) -> serde_json::Value {
    match c {
        ChannelConfig::Smtp(s) => json!({
            "host": s.host, "port": s.port, "security": s.security, "username": s.username, "from": s.from,
        }),
        ChannelConfig::Robot(r) => {
            json!({ "host": robot_host(&r.url), "signed": r.secret.is_some() })
        }
    }
}

fn robot_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or("").to_owned()
}

fn parse_channel(raw: &str) -> Result<Channel> {
    Channel::parse(raw)
        .filter(|c| *c != Channel::Inbox)
        .ok_or_else(|| AppError::field("channel", "invalid_choice"))
}

fn me(caller: Caller<'_>) -> Result<&Identity> {
    match caller {
        Caller::Person(i) => Ok(i),
        Caller::System => Err(AppError::Forbidden),
    }
}

impl App {
    // ---- writing notifications, inside the event's transaction ----

    /// Writes the inbox rows of `notes` and, for urgent ones, a delivery on every enabled
    /// channel the person keeps. A note whose dedupe key the person already has is skipped.
    /// Returns how many inbox rows were written.
    pub(crate) async fn notify(
        &self,
        tx: &mut store::Tx,
        org: i64,
        notes: &[Note],
    ) -> Result<usize> {
        if notes.is_empty() {
            return Ok(0);
        }
        let channels = enabled_channels(store::notify::channels(&mut *tx, org).await?);
        // Non-urgent notes leave the system only in the digest.
        let digest =
            !channels.is_empty() && self.notify_settings(&mut *tx, org).await?.digest_enabled;
        let mut persons: Vec<i64> = notes.iter().map(|n| n.person).collect();
        persons.sort_unstable();
        persons.dedup();
        let prefs = self.preferences_map(&mut *tx, &persons).await?;
        let none = Preferences::default();
        let rows: Vec<NewNotification> = notes
            .iter()
            .filter_map(|n| {
                let p = prefs.get(&n.person).unwrap_or(&none);
                let e = n.message.event;
                let shown = p.wants(e, Channel::Inbox);
                let elsewhere =
                    (e.is_urgent() || digest) && channels.iter().any(|(c, _)| p.wants(e, *c));
                (shown || elsewhere).then(|| NewNotification {
                    person: n.person,
                    event: e.as_str().to_owned(),
                    urgent: e.is_urgent(),
                    shown,
                    subject: n.message.subject.clone(),
                    body: n.message.body.clone(),
                    link: n.message.link.clone(),
                    dedupe_key: n.dedupe.clone(),
                })
            })
            .collect();
        let written = store::notify::insert_notifications(tx, org, &rows, self.now()).await?;
        if channels.is_empty() {
            return Ok(written.len());
        }
        // A note without a key is always written; one with a key only if it was new.
        let keyed: std::collections::HashSet<(i64, String)> = written
            .iter()
            .filter_map(|(p, k)| k.clone().map(|k| (*p, k)))
            .collect();
        let urgent: Vec<&Note> = notes
            .iter()
            .filter(|n| n.message.event.is_urgent())
            .filter(|n| match &n.dedupe {
                None => true,
                Some(k) => keyed.contains(&(n.person, k.clone())),
            })
            .collect();
        if !urgent.is_empty() {
            self.queue_urgent(tx, org, &urgent, &channels, &prefs)
                .await?;
        }
        Ok(written.len())
    }

    /// The deliveries of urgent notes on every channel the organization enabled and the
    /// person keeps.
    async fn queue_urgent(
        &self,
        tx: &mut store::Tx,
        org: i64,
        notes: &[&Note],
        channels: &[(Channel, ChannelConfig)],
        prefs: &HashMap<i64, Preferences>,
    ) -> Result<()> {
        let mut persons: Vec<i64> = notes.iter().map(|n| n.person).collect();
        persons.sort_unstable();
        persons.dedup();
        let contacts: HashMap<i64, store::notify::Contact> =
            store::notify::contacts(&mut *tx, &persons)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        let none = Preferences::default();
        let mut out = Vec::new();
        for n in notes {
            let Some(contact) = contacts.get(&n.person) else {
                continue;
            };
            let p = prefs.get(&n.person).unwrap_or(&none);
            for (channel, _) in channels {
                if !p.wants(n.message.event, *channel) {
                    continue;
                }
                let Some(recipient) = recipient_of(*channel, contact) else {
                    continue;
                };
                out.push(NewDelivery {
                    person: Some(n.person),
                    channel: channel.as_str().to_owned(),
                    recipient,
                    subject: n.message.subject.clone(),
                    body: n.message.body.clone(),
                    dedupe_key: n
                        .dedupe
                        .as_ref()
                        .map(|d| format!("{d}:{}:{}", channel.as_str(), n.person)),
                    upto_id: None,
                });
            }
        }
        store::notify::insert_deliveries(tx, org, &out, self.now()).await?;
        Ok(())
    }

    pub(crate) async fn preferences_map(
        &self,
        ex: impl Into<store::Ex<'_>>,
        persons: &[i64],
    ) -> Result<HashMap<i64, Preferences>> {
        let mut map: HashMap<i64, Preferences> = HashMap::new();
        for (person, e, c, on) in store::notify::preferences_of(ex, persons).await? {
            if let (Some(e), Some(c)) = (EventKind::parse(&e), Channel::parse(&c)) {
                map.entry(person).or_default().chosen.insert((e, c), on);
            }
        }
        Ok(map)
    }

    /// The heads (and, with `staff`, the staff) of the given units.
    pub(crate) async fn unit_people(
        &self,
        ex: impl Into<store::Ex<'_>>,
        units: &[i64],
        staff: bool,
    ) -> Result<Vec<i64>> {
        let roles: &[&str] = if staff {
            &["unit_head", "staff"]
        } else {
            &["unit_head"]
        };
        Ok(store::notify::unit_members(ex, units, roles)
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .collect())
    }

    /// Whom a task's news goes to: its owner, or else the unit's heads (and, with `staff`,
    /// its staff).
    pub(crate) async fn task_people(
        &self,
        tx: &mut store::Tx,
        t: &store::plan::TaskRow,
        staff: bool,
    ) -> Result<Vec<i64>> {
        let mut to: Vec<i64> = t.owner_id.into_iter().collect();
        if to.is_empty() {
            to = self.unit_people(&mut *tx, &[t.unit_id], staff).await?;
        }
        Ok(to)
    }

    /// A proposal returned by the leader or rejected by the meeting.
    pub(crate) async fn notify_proposal_returned(
        &self,
        tx: &mut store::Tx,
        t: &store::plan::TaskRow,
        reason: &str,
    ) -> Result<()> {
        let to = self.task_people(tx, t, true).await?;
        let msg = Message::proposal_returned(t.id, &t.title, reason);
        self.notify(tx, t.organization_id, &Note::to_all(&to, &msg, None))
            .await?;
        Ok(())
    }

    // ---- the inbox ----

    /// The caller's notifications, newest first.
    pub async fn inbox(
        &self,
        caller: Caller<'_>,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<NotificationRow>> {
        let me = me(caller)?;
        let (rows, total) =
            store::notify::list_notifications(&self.db, me.actor.person_id.0, unread_only, page)
                .await?;
        Ok(Page::new(rows, page, u64::try_from(total).unwrap_or(0)))
    }

    pub async fn unread_count(&self, caller: Caller<'_>) -> Result<i64> {
        let me = me(caller)?;
        Ok(store::notify::unread_count(&self.db, me.actor.person_id.0).await?)
    }

    /// Marks one of the caller's notifications read and returns it (for its link). Another
    /// person's notification is not found.
    pub async fn read_notification(&self, caller: Caller<'_>, id: i64) -> Result<NotificationRow> {
        let me = me(caller)?;
        let n = store::notify::get_notification(&self.db, id)
            .await?
            .filter(|n| n.person_id == me.actor.person_id.0)
            .ok_or(AppError::NotFound)?;
        if n.read_at.is_none() {
            // Reading is the person's own bookkeeping, not a change of the record: not audited.
            let mut tx = self.db.begin().await?;
            store::notify::mark_read(&mut tx, n.person_id, id, self.now()).await?;
            tx.commit().await?;
        }
        Ok(n)
    }

    pub async fn read_all_notifications(&self, caller: Caller<'_>) -> Result<u64> {
        let me = me(caller)?;
        let mut tx = self.db.begin().await?;
        let n = store::notify::mark_all_read(&mut tx, me.actor.person_id.0, self.now()).await?;
        tx.commit().await?;
        Ok(n)
    }

    // ---- preferences ----

    pub async fn preferences(&self, caller: Caller<'_>) -> Result<Vec<PreferenceLine>> {
        let me = me(caller)?;
        let person = me.actor.person_id.0;
        let prefs = self
            .preferences_map(&self.db, &[person])
            .await?
            .remove(&person)
            .unwrap_or_default();
        let on: Vec<Channel> =
            enabled_channels(store::notify::channels(&self.db, me.actor.organization_id.0).await?)
                .into_iter()
                .map(|(c, _)| c)
                .collect();
        Ok(EventKind::ALL
            .into_iter()
            .map(|event| PreferenceLine {
                event,
                urgent: event.is_urgent(),
                choices: Channel::ALL
                    .into_iter()
                    .map(|channel| PreferenceChoice {
                        channel,
                        enabled: prefs.wants(event, channel),
                        changeable: domain::notify::can_change(event, channel),
                        available: channel == Channel::Inbox || on.contains(&channel),
                    })
                    .collect(),
            })
            .collect())
    }

    /// Replaces the caller's choices with the `(event, channel)` pairs checked.
    pub async fn set_preferences(
        &self,
        caller: Caller<'_>,
        checked: &[(String, String)],
    ) -> Result<()> {
        let me = me(caller)?;
        let prefs = Preferences::from_checked(checked)?;
        let rows: Vec<(&str, &str, bool)> = prefs
            .chosen
            .iter()
            .map(|((e, c), on)| (e.as_str(), c.as_str(), *on))
            .collect();
        let mut tx = self.db.begin().await?;
        store::notify::replace_preferences(&mut tx, me.actor.person_id.0, &rows).await?;
        let off: Vec<String> = prefs
            .chosen
            .iter()
            .filter(|(_, on)| !**on)
            .map(|((e, c), _)| format!("{}:{}", e.as_str(), c.as_str()))
            .collect();
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: me.actor.organization_id.0,
                action: "notify.preferences",
                entity: "person",
                entity_id: Some(me.actor.person_id.0),
                after: Some(json!({ "off": off })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- channels and settings (administrators) ----

    pub(crate) async fn notify_settings(
        &self,
        ex: impl Into<store::Ex<'_>>,
        org: i64,
    ) -> Result<Settings> {
        Ok(store::notify::settings(ex, org)
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub async fn notify_admin(&self, caller: Caller<'_>, org: i64) -> Result<NotifyAdminView> {
        self.organization(org).await?;
        caller.authorize(Action::ManageNotifications { org: org_id(org) })?;
        let stored = store::notify::channels(&self.db, org).await?;
        let channels = Channel::EXTERNAL
            .into_iter()
            .map(|channel| {
                let row = stored.iter().find(|r| r.channel == channel.as_str());
                let config =
                    row.and_then(|r| serde_json::from_str::<ChannelConfig>(&r.config).ok());
                let mut v = ChannelView {
                    channel,
                    configured: config.is_some(),
                    enabled: row.is_some_and(|r| r.enabled) && config.is_some(),
                    target: String::new(),
                    security: None,
                    username: None,
                    from: None,
                    has_secret: false,
                };
                match config {
                    Some(ChannelConfig::Smtp(s)) => {
                        v.target = format!("{}:{}", s.host, s.port);
                        v.security = Some(s.security.as_str().to_owned());
                        v.username = s.username;
                        v.from = Some(s.from);
                        v.has_secret = s.password.is_some();
                    }
                    Some(ChannelConfig::Robot(r)) => {
                        v.target = robot_host(&r.url);
                        v.has_secret = r.secret.is_some();
                    }
                    None => {}
                }
                v
            })
            .collect();
        Ok(NotifyAdminView {
            channels,
            settings: self.notify_settings(&self.db, org).await?,
            counts: store::notify::delivery_counts(&self.db, org).await?,
        })
    }

    /// Saves a channel's settings (an empty password or secret keeps the stored one).
    pub async fn set_channel(
        &self,
        caller: Caller<'_>,
        org: i64,
        channel: &str,
        enabled: bool,
        input: &ChannelInput,
    ) -> Result<()> {
        self.organization(org).await?;
        caller.authorize(Action::ManageNotifications { org: org_id(org) })?;
        let channel = parse_channel(channel)?;
        let mut tx = self.db.begin().await?;
        let stored = store::notify::channels(&mut tx, org)
            .await?
            .into_iter()
            .find(|r| r.channel == channel.as_str())
            .and_then(|r| serde_json::from_str::<ChannelConfig>(&r.config).ok());
        let config = input.validate(channel, stored.as_ref())?;
        let text = serde_json::to_string(&config).map_err(|e| AppError::Internal(e.to_string()))?;
        store::notify::upsert_channel(
            &mut tx,
            org,
            channel.as_str(),
            enabled,
            &text,
            caller.actor_id(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "notify.channel",
                entity: "organization",
                entity_id: Some(org),
                before: stored.as_ref().map(redact),
                after: Some(
                    json!({ "channel": channel, "enabled": enabled, "config": redact(&config) }),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a channel: nothing is sent through it any more.
    pub async fn remove_channel(&self, caller: Caller<'_>, org: i64, channel: &str) -> Result<()> {
        self.organization(org).await?;
        caller.authorize(Action::ManageNotifications { org: org_id(org) })?;
        let channel = parse_channel(channel)?;
        let mut tx = self.db.begin().await?;
        if !store::notify::delete_channel(&mut tx, org, channel.as_str()).await? {
            return Err(AppError::NotFound);
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "notify.channel_remove",
                entity: "organization",
                entity_id: Some(org),
                before: Some(json!({ "channel": channel })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_notify_settings(
        &self,
        caller: Caller<'_>,
        org: i64,
        input: &SettingsInput,
    ) -> Result<Settings> {
        self.organization(org).await?;
        caller.authorize(Action::ManageNotifications { org: org_id(org) })?;
        let s = input.validate()?;
        let text = serde_json::to_string(&s).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let before = self.notify_settings(&mut tx, org).await?;
        store::notify::upsert_settings(&mut tx, org, &text, self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "notify.settings",
                entity: "organization",
                entity_id: Some(org),
                before: Some(json!(before)),
                after: Some(json!(s)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// An organization's deliveries, newest first, with their errors.
    pub async fn deliveries(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &DeliveryFilter,
        page: PageRequest,
    ) -> Result<Page<DeliveryRow>> {
        self.organization(org).await?;
        caller.authorize(Action::ManageNotifications { org: org_id(org) })?;
        if let Some(s) = &filter.status
            && !["pending", "sent", "failed"].contains(&s.as_str())
        {
            return Err(AppError::field("status", "invalid_choice"));
        }
        let (rows, total) = store::notify::list_deliveries(&self.db, org, filter, page).await?;
        Ok(Page::new(rows, page, u64::try_from(total).unwrap_or(0)))
    }

    /// Puts a delivery that was given up back in the queue.
    pub async fn retry_delivery(&self, caller: Caller<'_>, org: i64, id: i64) -> Result<()> {
        self.organization(org).await?;
        caller.authorize(Action::ManageNotifications { org: org_id(org) })?;
        let mut tx = self.db.begin().await?;
        if !store::notify::retry_delivery(&mut tx, org, id, self.now()).await? {
            return Err(AppError::field("delivery", "not_failed"));
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "notify.retry",
                entity: "delivery",
                entity_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.outbox_wake.notify_one();
        Ok(())
    }

    /// Queues a test message to the administrator on one channel.
    pub async fn test_channel(&self, caller: Caller<'_>, org: i64, channel: &str) -> Result<()> {
        self.organization(org).await?;
        caller.authorize(Action::ManageNotifications { org: org_id(org) })?;
        let me = me(caller)?;
        let channel = parse_channel(channel)?;
        let configured = enabled_channels(store::notify::channels(&self.db, org).await?)
            .into_iter()
            .any(|(c, _)| c == channel);
        if !configured {
            return Err(AppError::field("channel", "channel_off"));
        }
        let contact = store::notify::contacts(&self.db, &[me.actor.person_id.0])
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        let recipient =
            recipient_of(channel, &contact).ok_or_else(|| AppError::field("email", "no_email"))?;
        let mut tx = self.db.begin().await?;
        store::notify::insert_deliveries(
            &mut tx,
            org,
            &[NewDelivery {
                person: Some(contact.id),
                channel: channel.as_str().to_owned(),
                recipient,
                subject: "【预安销号】测试消息".to_owned(),
                body: "这是一条测试消息：通知渠道已接通。".to_owned(),
                dedupe_key: None,
                upto_id: None,
            }],
            self.now(),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "notify.test",
                entity: "organization",
                entity_id: Some(org),
                after: Some(json!({ "channel": channel })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.outbox_wake.notify_one();
        Ok(())
    }

    // ---- the worker ----

    /// Resolves when a use case on this server queued an urgent delivery (other servers'
    /// deliveries are found by the worker's polling).
    pub async fn outbox_woken(&self) {
        self.outbox_wake.notified().await;
    }

    /// Claims the deliveries that are due and sends them, one after another. Each is
    /// recorded as sent, put back with a later attempt (`domain::notify::retry_delay`), or
    /// given up after `MAX_ATTEMPTS`. Several workers may run on several servers: a claim
    /// holds a row for `LEASE`, so no row is sent by two of them.
    pub async fn deliver_due(&self, worker: &str) -> Result<DeliveryReport> {
        let mut report = DeliveryReport::default();
        let claimed_at = self.now();
        let rows = store::notify::claim_deliveries(
            &self.db,
            worker,
            claimed_at,
            claimed_at + LEASE,
            CLAIM,
        )
        .await?;
        let mut configs: HashMap<i64, BTreeMap<Channel, ChannelConfig>> = HashMap::new();
        for row in rows {
            if let std::collections::hash_map::Entry::Vacant(e) = configs.entry(row.organization_id)
            {
                let c = store::notify::channels(&self.db, row.organization_id).await?;
                e.insert(enabled_channels(c).into_iter().collect());
            }
            let config = Channel::parse(&row.channel).and_then(|c| {
                configs
                    .get(&row.organization_id)?
                    .get(&c)
                    .map(|cfg| (c, cfg))
            });
            let outcome = match config {
                None => Err(outbound::SendError(
                    "channel: not configured or switched off".to_owned(),
                )),
                Some((channel, cfg)) => self.send_one(channel, cfg, &row).await,
            };
            let now = self.now();
            match outcome {
                Ok(()) => {
                    store::notify::mark_sent(&self.db, row.id, worker, now).await?;
                    report.sent += 1;
                }
                Err(e) => {
                    let next = match domain::notify::after_failure(row.attempts, now) {
                        AfterFailure::RetryAt(t) if config.is_some() => Some(t),
                        _ => None,
                    };
                    if next.is_some() {
                        report.retrying += 1;
                    } else {
                        report.failed += 1;
                    }
                    tracing::warn!(delivery = row.id, channel = %row.channel, attempts = row.attempts, error = %e, "delivery failed");
                    store::notify::mark_failed(&self.db, row.id, worker, &e.0, next).await?;
                }
            }
        }
        Ok(report)
    }

    async fn send_one(
        &self,
        channel: Channel,
        cfg: &ChannelConfig,
        row: &DeliveryRow,
    ) -> Result<(), outbound::SendError> {
        match (channel, cfg) {
            (Channel::Email, ChannelConfig::Smtp(s)) => {
                outbound::send_mail(s, &row.recipient, &row.subject, &row.body).await
            }
            (c, ChannelConfig::Robot(r)) if c.is_robot() => {
                let text = domain::notify::robot_text(
                    &row.subject,
                    &row.body,
                    row.person_name.as_deref().unwrap_or(""),
                );
                let mobiles: Vec<String> = if row.recipient.is_empty() {
                    Vec::new()
                } else {
                    vec![row.recipient.clone()]
                };
                outbound::post_robot(c, r, &text, &mobiles, self.now().timestamp_millis()).await
            }
            _ => Err(outbound::SendError(
                "channel: configuration does not match".to_owned(),
            )),
        }
    }

    // ---- urging (催办) ----

    /// A supervisor urges a task by hand: logged with its words, audited, and sent to the
    /// task's owner and the unit's heads as an urgent notification.
    pub async fn urge_task(&self, caller: Caller<'_>, task: i64, text: &str) -> Result<i64> {
        let t = self.task(task).await?;
        let path = crate::path_of(&t.unit_path);
        caller.authorize(Action::UrgeTask {
            org: org_id(t.organization_id),
            unit_path: &path,
        })?;
        let text = text.trim();
        if text.chars().count() > 500 {
            return Err(AppError::field("message", "too_long"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(AppError::field("message", "invalid_characters"));
        }
        if !urgeable(&t) {
            return Err(AppError::field("task", "task_not_open"));
        }
        let by = match caller {
            Caller::Person(i) => i.display_name.clone(),
            Caller::System => "系统".to_owned(),
        };
        let mut tx = self.db.begin().await?;
        let id = store::notify::insert_urge(
            &mut tx,
            t.organization_id,
            task,
            caller.actor_id(),
            text,
            self.now(),
        )
        .await?;
        let mut to = self.unit_people(&mut tx, &[t.unit_id], false).await?;
        to.extend(t.owner_id);
        let msg = Message::task_urged(task, &t.title, &by, text);
        let n = self
            .notify(
                &mut tx,
                t.organization_id,
                &Note::to_all(&to, &msg, Some(&format!("urge:{id}"))),
            )
            .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: t.organization_id,
                action: "task.urge",
                entity: "task",
                entity_id: Some(task),
                after: Some(json!({ "urge": id, "message": text, "notified": n })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.outbox_wake.notify_one();
        Ok(id)
    }

    /// A task's urgings, for those who may see the task.
    pub async fn task_urges(&self, caller: Caller<'_>, task: i64) -> Result<Vec<UrgeRow>> {
        let t = self.task(task).await?;
        self.authorize_task_view(caller, &t)?;
        Ok(store::notify::urges_of_task(&self.db, task).await?)
    }

    /// Whether the caller may urge this task now (for showing the form): the rules of
    /// [`App::urge_task`].
    pub fn may_urge(&self, caller: Caller<'_>, t: &store::plan::TaskRow) -> bool {
        let path = crate::path_of(&t.unit_path);
        urgeable(t)
            && caller
                .authorize(Action::UrgeTask {
                    org: org_id(t.organization_id),
                    unit_path: &path,
                })
                .is_ok()
    }
}

/// A task may be urged while it is still being worked on.
fn urgeable(t: &store::plan::TaskRow) -> bool {
    domain::plan::TaskStatus::parse(&t.status).is_some_and(|s| s.is_open())
}

/// Where a channel reaches a person: their mail address (none: no mail), or for a robot the
/// mobile it mentions (none: the message names them without a mention).
pub(crate) fn recipient_of(channel: Channel, contact: &store::notify::Contact) -> Option<String> {
    match channel {
        Channel::Email => contact.email.clone(),
        _ => Some(contact.phone.clone().unwrap_or_default()),
    }
}

/// The organization's channels that are switched on and readable.
pub(crate) fn enabled_channels(rows: Vec<ChannelRow>) -> Vec<(Channel, ChannelConfig)> {
    rows.into_iter()
        .filter(|r| r.enabled)
        .filter_map(|r| {
            let c = Channel::parse(&r.channel).filter(|c| *c != Channel::Inbox)?;
            let cfg = serde_json::from_str::<ChannelConfig>(&r.config).ok()?;
            Some((c, cfg))
        })
        .collect()
}
