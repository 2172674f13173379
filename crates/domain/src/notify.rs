//! Reminders and notifications (提醒与催办): which events notify whom by which channel, what a
//! person may switch off, how a delivery that failed is retried, what the daily digest holds,
//! and the validated settings of an organization's channels.
//!
//! An event always lands in the recipient's inbox when it is urgent. Everything else reaches
//! the inbox and, once a day, the external channels the person chose, as one digest per
//! channel: the system reminds without asking anyone to check in daily.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::validate::{ValidationErrors, Validator};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The proposal window (预) or the sign-off window (销号) opened.
    WindowOpened,
    /// A task's deadline is a few days away.
    DeadlineApproaching,
    /// A task's deadline passed and it is not done.
    TaskOverdue,
    /// A task had no progress report for the organization's stagnation days.
    TaskStagnant,
    /// The leader in charge returned a proposal, or the meeting rejected it.
    ProposalReturned,
    /// A red card was published and its warning issued (亮红牌、发预警).
    WarningIssued,
    /// The leadership decided a coordination request addressed to a unit.
    CoordinationDecided,
    /// An inspection follow-up is due or overdue.
    FollowUpDue,
    /// The leading group returned a sign-off.
    SignOffReturned,
    /// The month's bulletin (通报) was published.
    BulletinPublished,
    /// The close proposed accountability steps (to the discipline office only).
    AccountabilityProposed,
    /// A supervisor urged a task by hand (催办).
    TaskUrged,
}

impl EventKind {
    pub const ALL: [EventKind; 12] = [
        EventKind::WindowOpened,
        EventKind::DeadlineApproaching,
        EventKind::TaskOverdue,
        EventKind::TaskStagnant,
        EventKind::ProposalReturned,
        EventKind::WarningIssued,
        EventKind::CoordinationDecided,
        EventKind::FollowUpDue,
        EventKind::SignOffReturned,
        EventKind::BulletinPublished,
        EventKind::AccountabilityProposed,
        EventKind::TaskUrged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::WindowOpened => "window_opened",
            EventKind::DeadlineApproaching => "deadline_approaching",
            EventKind::TaskOverdue => "task_overdue",
            EventKind::TaskStagnant => "task_stagnant",
            EventKind::ProposalReturned => "proposal_returned",
            EventKind::WarningIssued => "warning_issued",
            EventKind::CoordinationDecided => "coordination_decided",
            EventKind::FollowUpDue => "follow_up_due",
            EventKind::SignOffReturned => "sign_off_returned",
            EventKind::BulletinPublished => "bulletin_published",
            EventKind::AccountabilityProposed => "accountability_proposed",
            EventKind::TaskUrged => "task_urged",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Urgent events are delivered at once on every channel the person keeps, and can never
    /// be switched off in the inbox.
    pub fn is_urgent(self) -> bool {
        matches!(
            self,
            EventKind::WarningIssued | EventKind::AccountabilityProposed | EventKind::TaskUrged
        )
    }

    /// Confidential events never go to a group robot: a group chat is seen by people the
    /// record is not for.
    pub fn is_confidential(self) -> bool {
        matches!(self, EventKind::AccountabilityProposed)
    }
}

/// Where a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Inbox,
    Email,
    Wecom,
    Dingtalk,
    Feishu,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Inbox,
        Channel::Email,
        Channel::Wecom,
        Channel::Dingtalk,
        Channel::Feishu,
    ];
    /// The channels that leave the system, configured by an administrator.
    pub const EXTERNAL: [Channel; 4] = [
        Channel::Email,
        Channel::Wecom,
        Channel::Dingtalk,
        Channel::Feishu,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Email => "email",
            Channel::Wecom => "wecom",
            Channel::Dingtalk => "dingtalk",
            Channel::Feishu => "feishu",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A group robot (企业微信、钉钉、飞书群机器人), as opposed to a person's own mailbox.
    pub fn is_robot(self) -> bool {
        matches!(self, Channel::Wecom | Channel::Dingtalk | Channel::Feishu)
    }
}

/// What is set when a person has not chosen: everything in the inbox and by mail, and only
/// urgent events in group chats.
pub fn default_enabled(event: EventKind, channel: Channel) -> bool {
    match channel {
        Channel::Inbox | Channel::Email => true,
        _ => event.is_urgent() && !event.is_confidential(),
    }
}

/// Whether a person may change this choice: urgent events stay in the inbox, confidential
/// ones never reach a group.
pub fn can_change(event: EventKind, channel: Channel) -> bool {
    let fixed_in_inbox = channel == Channel::Inbox && event.is_urgent();
    let kept_from_groups = channel.is_robot() && event.is_confidential();
    !(fixed_in_inbox || kept_from_groups)
}

/// One person's choices; what is not listed takes [`default_enabled`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub chosen: BTreeMap<(EventKind, Channel), bool>,
}

impl Preferences {
    /// Whether `event` reaches the person by `channel`. The rules of [`can_change`] win over a
    /// stored choice.
    pub fn wants(&self, event: EventKind, channel: Channel) -> bool {
        if !can_change(event, channel) {
            return default_enabled(event, channel);
        }
        self.chosen
            .get(&(event, channel))
            .copied()
            .unwrap_or_else(|| default_enabled(event, channel))
    }

    /// Reads the submitted choices (`(event, channel)` pairs checked); pairs that cannot be
    /// changed are ignored. Unknown names are refused.
    pub fn from_checked(pairs: &[(String, String)]) -> Result<Preferences, ValidationErrors> {
        let mut v = Validator::new();
        let mut checked = std::collections::BTreeSet::new();
        for (e, c) in pairs {
            match (EventKind::parse(e), Channel::parse(c)) {
                (Some(e), Some(c)) => {
                    checked.insert((e, c));
                }
                _ => v.fail("preferences", "invalid_choice"),
            }
        }
        v.finish()?;
        let mut chosen = BTreeMap::new();
        for e in EventKind::ALL {
            for c in Channel::ALL {
                if can_change(e, c) {
                    chosen.insert((e, c), checked.contains(&(e, c)));
                }
            }
        }
        Ok(Preferences { chosen })
    }
}

/// Deliveries give up after this many attempts and show as failed to the administrator.
pub const MAX_ATTEMPTS: i32 = 8;

/// How long to wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour.
pub fn retry_delay(attempts: i32) -> Duration {
    let n = attempts.clamp(1, 30) - 1;
    let secs = 30i64.saturating_mul(1i64 << n.min(20));
    Duration::seconds(secs.min(3600))
}

/// Where a delivery goes after an attempt failed: back in the queue at `next`, or given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

pub fn after_failure(attempts: i32, now: DateTime<Utc>) -> AfterFailure {
    if attempts >= MAX_ATTEMPTS {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(now + retry_delay(attempts))
    }
}

/// One notification as the person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub event: EventKind,
    pub subject: String,
    pub body: String,
    /// A path inside the application (`/tasks/7`), never a full address.
    pub link: Option<String>,
}

const PREFIX: &str = "【预安销号】";

impl Message {
    fn new(event: EventKind, subject: String, body: String, link: Option<String>) -> Message {
        Message {
            event,
            subject: format!("{PREFIX}{subject}"),
            body,
            link,
        }
    }

    pub fn window_opened(month: &str, sign_off: bool, closes: NaiveDate) -> Message {
        let (what, act) = if sign_off {
            ("销号窗口", "请在窗口关闭前提交本月任务的销号申请")
        } else {
            ("预报窗口", "请在窗口关闭前申报下月工作任务")
        };
        Message::new(
            EventKind::WindowOpened,
            format!("{} {what}已开启", month_zh(month)),
            format!(
                "{}{what}已开启，{act}（截至{}）。",
                month_zh(month),
                date_zh(closes)
            ),
            Some(format!("/months/{month}")),
        )
    }

    pub fn deadline_approaching(task: i64, title: &str, deadline: NaiveDate, days: i64) -> Message {
        Message::new(
            EventKind::DeadlineApproaching,
            format!("任务还有{days}天到期：{}", short(title)),
            format!(
                "任务「{title}」将于{}到期，请抓紧推进并及时报送进展。",
                date_zh(deadline)
            ),
            Some(format!("/tasks/{task}")),
        )
    }

    pub fn task_overdue(task: i64, title: &str, deadline: NaiveDate) -> Message {
        Message::new(
            EventKind::TaskOverdue,
            format!("任务已逾期：{}", short(title)),
            format!(
                "任务「{title}」已于{}到期，尚未完成，请说明原因并加快办理。",
                date_zh(deadline)
            ),
            Some(format!("/tasks/{task}")),
        )
    }

    pub fn task_stagnant(task: i64, title: &str, days: i64) -> Message {
        Message::new(
            EventKind::TaskStagnant,
            format!("任务{days}天未报进展：{}", short(title)),
            format!("任务「{title}」已{days}天没有报送进展，请及时更新。"),
            Some(format!("/tasks/{task}")),
        )
    }

    pub fn proposal_returned(task: i64, title: &str, reason: &str) -> Message {
        Message::new(
            EventKind::ProposalReturned,
            format!("申报被退回：{}", short(title)),
            format!("申报任务「{title}」被退回。理由：{reason}"),
            Some(format!("/tasks/{task}")),
        )
    }

    pub fn warning_issued(task: Option<i64>, title: &str, month: &str) -> Message {
        Message::new(
            EventKind::WarningIssued,
            format!("红牌预警：{}", short(title)),
            format!(
                "{}督查公示中，「{title}」被亮红牌并发出预警，请立即整改并报送进展。",
                month_zh(month)
            ),
            task.map(|t| format!("/tasks/{t}")),
        )
    }

    pub fn coordination_decided(id: i64, title: &str, decision: &str) -> Message {
        Message::new(
            EventKind::CoordinationDecided,
            format!("协调事项已决定：{}", short(title)),
            format!("协调事项「{title}」已作出决定：{decision}"),
            Some(format!("/coordination/{id}")),
        )
    }

    pub fn follow_up_due(inspection: i64, text: &str, due: NaiveDate, overdue: bool) -> Message {
        let when = if overdue { "已逾期" } else { "即将到期" };
        Message::new(
            EventKind::FollowUpDue,
            format!("督查整改{when}：{}", short(text)),
            format!(
                "督查整改事项「{text}」{when}（{}），请按要求反馈。",
                date_zh(due)
            ),
            Some(format!("/inspections/{inspection}")),
        )
    }

    pub fn sign_off_returned(task: i64, title: &str, reason: &str) -> Message {
        Message::new(
            EventKind::SignOffReturned,
            format!("销号被退回：{}", short(title)),
            format!("任务「{title}」的销号申请被退回。理由：{reason}"),
            Some(format!("/tasks/{task}")),
        )
    }

    pub fn bulletin_published(id: i64, month: &str) -> Message {
        Message::new(
            EventKind::BulletinPublished,
            format!("{}通报已发布", month_zh(month)),
            format!(
                "{}工作完成情况通报已发布，请查阅本单位情况。",
                month_zh(month)
            ),
            Some(format!("/bulletins/{id}")),
        )
    }

    pub fn accountability_proposed(month: &str, cases: usize) -> Message {
        // The subject says no more than that there is something to see: it shows in the
        // administrators' list of deliveries.
        Message::new(
            EventKind::AccountabilityProposed,
            "有新的问责建议待核实处理".to_owned(),
            format!(
                "{}关账后，系统按连续未完成月数提出问责建议{cases}件，待纪检监察核实处理。",
                month_zh(month)
            ),
            Some("/cases".to_owned()),
        )
    }

    pub fn task_urged(task: i64, title: &str, by: &str, text: &str) -> Message {
        let body = if text.is_empty() {
            format!("{by}对任务「{title}」进行催办，请加快办理并报送进展。")
        } else {
            format!("{by}对任务「{title}」进行催办：{text}")
        };
        Message::new(
            EventKind::TaskUrged,
            format!("催办：{}", short(title)),
            body,
            Some(format!("/tasks/{task}")),
        )
    }
}

/// How many items a digest lists; the rest are counted (a group robot takes a few kilobytes).
pub const DIGEST_ITEMS: usize = 20;

/// The day's digest of one person's non-urgent notifications on one channel: the first
/// [`DIGEST_ITEMS`] listed, the rest counted.
pub fn digest(day: NaiveDate, items: &[(String, Option<String>)]) -> (String, String) {
    let subject = format!("{PREFIX}{}提醒汇总（{}条）", date_zh(day), items.len());
    let mut body = format!("您有{}条提醒：\n", items.len());
    if items.len() > DIGEST_ITEMS {
        body.push_str(&format!(
            "（以下为前{DIGEST_ITEMS}条，另有{}条请登录系统查看消息）\n",
            items.len() - DIGEST_ITEMS
        ));
    }
    for (i, (subject, link)) in items.iter().take(DIGEST_ITEMS).enumerate() {
        let s = subject.strip_prefix(PREFIX).unwrap_or(subject);
        body.push_str(&format!("{}. {s}", i + 1));
        if let Some(l) = link {
            body.push_str(&format!("（{l}）"));
        }
        body.push('\n');
    }
    (subject, body)
}

/// The text a group robot posts: the subject, the person it is for, the body.
pub fn robot_text(subject: &str, body: &str, person: &str) -> String {
    if person.is_empty() {
        format!("{subject}\n{body}")
    } else {
        format!("{subject}\n致：{person}\n{body}")
    }
}

fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 30 {
        format!("{}…", s.chars().take(30).collect::<String>())
    } else {
        s.to_owned()
    }
}

fn month_zh(month: &str) -> String {
    match crate::plan::YearMonth::parse(month) {
        Some(m) => format!("{}年{}月", m.year, m.month),
        None => month.to_owned(),
    }
}

fn date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}月{}日", d.month(), d.day())
}

// ---- the organization's settings ----

/// When and how the reminders run in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Whether non-urgent notifications are sent out as a daily digest at all (they always
    /// reach the inbox).
    pub digest_enabled: bool,
    /// The local hour (0–23) at which the day's digest goes out.
    pub digest_hour: u32,
    /// How many days before a deadline the owner is reminded. (A task is stagnant after the
    /// card rules' `stale_days` without a report: one definition for cards and reminders.)
    pub remind_days_before: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            digest_enabled: true,
            digest_hour: 8,
            remind_days_before: 3,
        }
    }
}

/// The settings form as submitted.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub digest_enabled: bool,
    pub digest_hour: String,
    pub remind_days_before: String,
}

impl SettingsInput {
    pub fn validate(&self) -> Result<Settings, ValidationErrors> {
        let mut v = Validator::new();
        let mut num = |field: &str, raw: &str, lo: u32, hi: u32| -> u32 {
            match raw.trim().parse::<u32>() {
                Ok(n) if (lo..=hi).contains(&n) => n,
                Ok(_) => {
                    v.fail(field, "out_of_range");
                    lo
                }
                Err(_) => {
                    v.fail(field, "invalid_number");
                    lo
                }
            }
        };
        let s = Settings {
            digest_enabled: self.digest_enabled,
            digest_hour: num("digest_hour", &self.digest_hour, 0, 23),
            remind_days_before: num("remind_days_before", &self.remind_days_before, 1, 15),
        };
        v.finish()?;
        Ok(s)
    }
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// TLS from the first byte (usually port 465).
    Tls,
    /// A plain connection upgraded with STARTTLS, which is required (usually port 587).
    Starttls,
    /// No encryption: only for a relay on the same host or a trusted segment.
    None,
}

impl SmtpSecurity {
    pub fn parse(s: &str) -> Option<SmtpSecurity> {
        match s {
            "tls" => Some(SmtpSecurity::Tls),
            "starttls" => Some(SmtpSecurity::Starttls),
            "none" => Some(SmtpSecurity::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::None => "none",
        }
    }
}

/// A mail server's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

/// A group robot's settings: its webhook address and, for DingTalk and Feishu, the signing
/// secret (加签).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotConfig {
    pub url: String,
    pub secret: Option<String>,
}

/// One channel's configuration as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelConfig {
    Smtp(SmtpConfig),
    Robot(RobotConfig),
}

/// The channel form as submitted. An empty password or secret keeps the stored one.
#[derive(Debug, Clone, Default)]
pub struct ChannelInput {
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    pub password: String,
    /// The sender's address.
    pub sender: String,
    pub url: String,
    pub secret: String,
}

const SECRET_MAX: usize = 512;

impl ChannelInput {
    /// Validates the form for `channel`, keeping the stored secret (and a robot's stored
    /// address) where the field was left empty.
    pub fn validate(
        &self,
        channel: Channel,
        stored: Option<&ChannelConfig>,
    ) -> Result<ChannelConfig, ValidationErrors> {
        let mut v = Validator::new();
        let text = |v: &mut Validator, field: &str, raw: &str, required: bool| -> Option<String> {
            let s = raw.trim();
            if s.is_empty() {
                if required {
                    v.fail(field, "required");
                }
                None
            } else if s.chars().count() > SECRET_MAX {
                v.fail(field, "too_long");
                None
            } else if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
                v.fail(field, "invalid_characters");
                None
            } else {
                Some(s.to_owned())
            }
        };
        let config = match channel {
            Channel::Inbox => {
                v.fail("channel", "invalid_choice");
                None
            }
            Channel::Email => {
                let host = text(&mut v, "host", &self.host, true);
                let username = text(&mut v, "username", &self.username, false);
                // The stored password is kept only for the same server and account: aimed at
                // another server it would hand the password to whoever runs that one.
                let kept = match stored {
                    Some(ChannelConfig::Smtp(s))
                        if Some(&s.host) == host.as_ref() && s.username == username =>
                    {
                        s.password.clone()
                    }
                    _ => None,
                };
                let port = match self.port.trim().parse::<u16>() {
                    Ok(p) if p > 0 => p,
                    _ => {
                        v.fail("port", "invalid_port");
                        0
                    }
                };
                let security = SmtpSecurity::parse(self.security.trim()).unwrap_or_else(|| {
                    v.fail("security", "invalid_choice");
                    SmtpSecurity::Starttls
                });
                let password = text(&mut v, "password", &self.password, false).or(kept);
                let from = v.optional_email("sender", &self.sender);
                if self.sender.trim().is_empty() {
                    v.fail("sender", "required");
                }
                if username.is_some() && password.is_none() {
                    v.fail("password", "required");
                }
                match (host, from) {
                    (Some(host), Some(from)) => Some(ChannelConfig::Smtp(SmtpConfig {
                        host,
                        port,
                        security,
                        username,
                        password,
                        from,
                    })),
                    _ => None,
                }
            }
            Channel::Wecom | Channel::Dingtalk | Channel::Feishu => {
                let (kept_url, kept) = match stored {
                    Some(ChannelConfig::Robot(r)) => (Some(r.url.clone()), r.secret.clone()),
                    _ => (None, None),
                };
                // The stored address holds the robot's token: it is never shown back, and an
                // empty field keeps it.
                let url = text(&mut v, "url", &self.url, kept_url.is_none()).or(kept_url);
                if let Some(u) = &url
                    && !(u.starts_with("https://") || u.starts_with("http://"))
                {
                    v.fail("url", "invalid_url");
                }
                let secret = if channel == Channel::Wecom {
                    None
                } else {
                    text(&mut v, "secret", &self.secret, false).or(kept)
                };
                url.map(|url| ChannelConfig::Robot(RobotConfig { url, secret }))
            }
        };
        v.finish()?;
        config.ok_or_else(|| ValidationErrors::single("channel", "invalid_choice"))
    }
}

// ---- scheduled jobs ----

/// The jobs the in-process scheduler runs. Each run has a key (the local day, or the day and
/// hour); a run is taken by exactly one server and never repeated once it succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Brings every month's phase up to date with the calendar and announces the windows
    /// that opened (预报、销号).
    Phases,
    /// Deadlines approaching, tasks overdue, tasks stagnant, follow-ups due.
    Reminders,
    /// The day's digest on each external channel, at the organization's hour.
    Digest,
    /// The audit ledger's chain heads, checkpointed outside the database once a day.
    AuditCheckpoint,
}

impl Job {
    pub const ALL: [Job; 4] = [
        Job::Phases,
        Job::Reminders,
        Job::Digest,
        Job::AuditCheckpoint,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Job::Phases => "phases",
            Job::Reminders => "reminders",
            Job::Digest => "digest",
            Job::AuditCheckpoint => "audit_checkpoint",
        }
    }

    /// The key of the run due at local time `local`: one a day, the digest one an hour (each
    /// organization's digest goes out in the run of its hour).
    pub fn run_key(self, local: chrono::NaiveDateTime) -> String {
        match self {
            Job::Phases | Job::Reminders | Job::AuditCheckpoint => {
                local.format("%Y-%m-%d").to_string()
            }
            Job::Digest => local.format("%Y-%m-%dT%H").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgent_events_stay_in_the_inbox_whatever_was_chosen() {
        let mut p = Preferences::default();
        for e in EventKind::ALL {
            p.chosen.insert((e, Channel::Inbox), false);
        }
        for e in EventKind::ALL {
            assert_eq!(p.wants(e, Channel::Inbox), e.is_urgent(), "{e:?}");
        }
        assert!(p.wants(EventKind::WarningIssued, Channel::Inbox));
        assert!(p.wants(EventKind::AccountabilityProposed, Channel::Inbox));
    }

    #[test]
    fn accountability_never_reaches_a_group_robot() {
        let mut p = Preferences::default();
        for c in Channel::ALL {
            p.chosen
                .insert((EventKind::AccountabilityProposed, c), true);
        }
        for c in [Channel::Wecom, Channel::Dingtalk, Channel::Feishu] {
            assert!(!p.wants(EventKind::AccountabilityProposed, c));
            assert!(!can_change(EventKind::AccountabilityProposed, c));
        }
        assert!(p.wants(EventKind::AccountabilityProposed, Channel::Email));
    }

    #[test]
    fn defaults_put_only_urgent_events_in_groups() {
        let p = Preferences::default();
        assert!(p.wants(EventKind::TaskUrged, Channel::Wecom));
        assert!(!p.wants(EventKind::DeadlineApproaching, Channel::Wecom));
        assert!(p.wants(EventKind::DeadlineApproaching, Channel::Email));
        assert!(p.wants(EventKind::DeadlineApproaching, Channel::Inbox));
    }

    #[test]
    fn checked_pairs_become_choices_and_unchecked_ones_switch_off() {
        let p = Preferences::from_checked(&[
            ("bulletin_published".into(), "feishu".into()),
            ("task_urged".into(), "email".into()),
        ])
        .unwrap();
        assert!(p.wants(EventKind::BulletinPublished, Channel::Feishu));
        assert!(!p.wants(EventKind::BulletinPublished, Channel::Email));
        assert!(!p.wants(EventKind::DeadlineApproaching, Channel::Inbox));
        assert!(p.wants(EventKind::TaskUrged, Channel::Inbox));
        let bad = Preferences::from_checked(&[("nope".into(), "email".into())]).unwrap_err();
        assert_eq!(bad.for_field("preferences"), Some("invalid_choice"));
    }

    #[test]
    fn retries_back_off_and_give_up() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(retry_delay(1), Duration::seconds(30));
        assert_eq!(retry_delay(2), Duration::seconds(60));
        assert_eq!(retry_delay(3), Duration::seconds(120));
        assert_eq!(retry_delay(20), Duration::seconds(3600));
        assert_eq!(
            after_failure(1, now),
            AfterFailure::RetryAt(now + Duration::seconds(30))
        );
        assert_eq!(after_failure(MAX_ATTEMPTS, now), AfterFailure::GiveUp);
        let mut last = Duration::zero();
        for n in 1..MAX_ATTEMPTS {
            assert!(retry_delay(n) >= last);
            last = retry_delay(n);
        }
    }

    #[test]
    fn messages_are_chinese_and_link_inside_the_application() {
        let m = Message::task_overdue(
            7,
            "完成老旧小区改造一期工程",
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        );
        assert_eq!(
            m.subject,
            "【预安销号】任务已逾期：完成老旧小区改造一期工程"
        );
        assert!(m.body.contains("12月5日"));
        assert_eq!(m.link.as_deref(), Some("/tasks/7"));
        let long = "一".repeat(40);
        let m = Message::task_urged(1, &long, "督查室王某", "");
        assert!(m.subject.ends_with('…'));
        assert!(m.body.starts_with("督查室王某对任务"));
        let w = Message::window_opened(
            "2027-01",
            false,
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        );
        assert_eq!(w.subject, "【预安销号】2027年1月 预报窗口已开启");
    }

    #[test]
    fn a_digest_lists_each_item_once_without_the_prefix() {
        let items = vec![
            (
                "【预安销号】任务已逾期：甲".to_owned(),
                Some("/tasks/1".to_owned()),
            ),
            ("【预安销号】2026年12月通报已发布".to_owned(), None),
        ];
        let (subject, body) = digest(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &items);
        assert_eq!(subject, "【预安销号】12月1日提醒汇总（2条）");
        assert!(body.contains("1. 任务已逾期：甲（/tasks/1）\n"));
        assert!(body.contains("2. 2026年12月通报已发布\n"));
        let many: Vec<_> = (0..25).map(|i| (format!("第{i}条"), None)).collect();
        let (subject, body) = digest(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &many);
        assert!(subject.ends_with("（25条）"));
        assert!(body.contains("另有5条"));
        assert!(body.contains("20. 第19条") && !body.contains("第20条"));
    }

    #[test]
    fn runs_are_keyed_by_day_and_the_digest_by_hour() {
        let t = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(8, 5, 0)
            .unwrap();
        assert_eq!(Job::Reminders.run_key(t), "2026-12-01");
        assert_eq!(Job::Digest.run_key(t), "2026-12-01T08");
    }

    #[test]
    fn settings_name_each_bad_field() {
        let e = SettingsInput {
            digest_enabled: true,
            digest_hour: "24".into(),
            remind_days_before: "x".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("digest_hour"), Some("out_of_range"));
        assert_eq!(e.for_field("remind_days_before"), Some("invalid_number"));
        assert_eq!(e.0.len(), 2);
    }

    #[test]
    fn channel_forms_are_checked_and_keep_the_stored_secret() {
        let smtp = ChannelInput {
            host: "mail.gov.example".into(),
            port: "465".into(),
            security: "tls".into(),
            username: "notice".into(),
            password: "s3cret".into(),
            sender: "notice@gov.example".into(),
            ..Default::default()
        };
        let stored = smtp.validate(Channel::Email, None).unwrap();
        let again = ChannelInput {
            password: String::new(),
            ..smtp.clone()
        }
        .validate(Channel::Email, Some(&stored))
        .unwrap();
        assert_eq!(again, stored);
        // Another server does not get the stored password: it must be typed again.
        let elsewhere = ChannelInput {
            host: "mail.elsewhere.example".into(),
            password: String::new(),
            ..smtp.clone()
        }
        .validate(Channel::Email, Some(&stored))
        .unwrap_err();
        assert_eq!(elsewhere.for_field("password"), Some("required"));
        let e = ChannelInput {
            port: "0".into(),
            sender: "not-mail".into(),
            security: "ssl".into(),
            ..smtp
        }
        .validate(Channel::Email, None)
        .unwrap_err();
        assert_eq!(e.for_field("port"), Some("invalid_port"));
        assert_eq!(e.for_field("sender"), Some("invalid_email"));
        assert_eq!(e.for_field("security"), Some("invalid_choice"));

        let robot = ChannelInput {
            url: "ftp://robot".into(),
            ..Default::default()
        };
        let e = robot.validate(Channel::Dingtalk, None).unwrap_err();
        assert_eq!(e.for_field("url"), Some("invalid_url"));
        let ok = ChannelInput {
            url: "https://oapi.example/robot/send?access_token=t".into(),
            secret: "SECabc".into(),
            ..Default::default()
        }
        .validate(Channel::Dingtalk, None)
        .unwrap();
        assert_eq!(
            ok,
            ChannelConfig::Robot(RobotConfig {
                url: "https://oapi.example/robot/send?access_token=t".into(),
                secret: Some("SECabc".into())
            })
        );
    }
}
