//! The use cases of Xiaohao.
//!
//! Each public method of [`App`] is one use case: it authorizes the caller (through
//! `domain::policy`), loads what it needs, applies a domain rule, and persists the change
//! together with its audit entry in one transaction. The web layer (pages and API alike) and
//! the CLI call these methods; none of them holds a business rule of its own.
#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::throttle::ThrottleRule;
pub use store::{Backend, Db, DbOptions, SqliteDurability};

/// The schema version this program migrates to.
pub fn latest_schema_version() -> i64 {
    store::migrate::MIGRATIONS.last().map_or(0, |m| m.version)
}

mod audit_log;
mod auth;
mod awards;
mod cadre;
mod cards;
mod close;
mod consequences;
mod demo;
mod demo_history;
mod demo_signoff;
mod demo_supervision;
mod error;
mod jobs;
mod meeting;
mod notify;
mod org;
mod password_policy;
mod people;
mod plan;
mod projects;
mod signoff;
mod statistics;
mod supervision;
#[cfg(feature = "testing")]
pub mod testing;
mod totp;

pub use audit_log::{
    AUDIT_EXPORT_MAX, AUDIT_RETENTION_DAYS, AuditPage, FieldChange, Retention, VerifyReport,
    field_changes, new_audit_key,
};
pub use auth::{ApiToken, Identity, LoginOutcome};
pub use awards::{AwardsView, Place};
pub use cadre::CadreView;
pub use cards::{
    Board, BoardCoordination, BoardItem, BoardPublication, CardReason, CardView, CardsView,
    ColorCounts, Dashboard, PublicationView, Published, PublishedCardView, RefreshReport,
    UnitCounts, WarningsView, parse_reasons,
};
pub use close::CloseReport;
pub use consequences::{
    CaseView, RecomputePreview, RulesView, ScoreChange, UnitScoreView, YearScore, YearScores,
};
pub use demo::{DEMO_ORG_CODE, DemoSummary};
pub use error::AppError;
pub use jobs::{Background, JobOutcome};
pub use meeting::{Briefing, BulletinView, FiguresView, ProjectBrief, UnfinishedItem, UnitFigures};
pub use notify::{ChannelView, DeliveryReport, NotifyAdminView, PreferenceChoice, PreferenceLine};
pub use org::{OrganizationView, UnitDetail, UnitNode};
pub use people::{NewPerson, PersonDetail, PersonView};
pub use plan::{LeaderDecision, MeetingDecision, MonthView, TaskDetail, UnitMonthCounts};
pub use projects::ProjectDetail;
pub use signoff::{ReviewItem, SignOffView};
pub use statistics::{Compared, StatsQuery, StatsView};
pub use supervision::{CoordinationDetail, EvidenceUpload, FindingView, InspectionDetail};
pub use totp::{
    Challenge, ChallengePurpose, ChallengeView, Enrolment, SecondFactorLogin, TotpStatus,
};

/// The records and filters the use cases take and return, re-exported so that callers need
/// not depend on the store.
pub mod model {
    pub use store::audit::{AuditFilter, AuditRow};
    pub use store::auth::ApiTokenRow;
    pub use store::cards::{
        CardFilter, CardRow, DisplayTokenRow, PublicationRow, PublishedCard, WarningFilter,
        WarningRow,
    };
    pub use store::consequences::{
        AwardRow, CaseFilter, CaseRow, EntryRow, RuleSetRow, UnitScoreRow,
    };
    pub use store::events::{Notice, SHUTDOWN};
    pub use store::notify::{DeliveryFilter, DeliveryRow, JobRunRow, NotificationRow, UrgeRow};
    pub use store::org::{ListFilter, OrganizationRow, PostRow, UnitRow};
    pub use store::people::{PeopleFilter, PersonRow, RoleRow};
    pub use store::plan::{
        ChangeRequestRow, CycleRow, HistoryRow, KeyPointRow, TaskFilter, TaskRow,
    };
    pub use store::projects::{MilestoneRow, ProjectFilter, ProjectProgressRow, ProjectRow};
    pub use store::signoff::{
        BulletinRow, FormRow, HighlightRow, MeetingRow, OpinionRow, SiteCheckRow,
    };
    pub use store::supervision::{
        CoordinationFilter, CoordinationRow, FileMeta, FindingFilter, FindingRow, FollowUpFilter,
        FollowUpRow, InspectionFilter, InspectionRow, ProgressRow, SolutionRow,
    };
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

pub(crate) fn org_id(org: i64) -> domain::OrganizationId {
    domain::OrganizationId(org)
}

/// A unit's stored path as the ids of the unit and the units above it.
pub(crate) fn path_of(path: &str) -> Vec<domain::UnitId> {
    store::org::path_ids(path)
        .into_iter()
        .map(domain::UnitId)
        .collect()
}

/// The only place that reads the wall clock; tests substitute a [`FixedClock`].
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at))
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|t| *t).unwrap_or_default()
    }
}

/// Settings of the application core, loaded once at start-up.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a session lives without activity.
    pub session_idle: Duration,
    /// How long a session lives at most, however active: then its person signs in again.
    pub session_max: Duration,
    pub throttle: ThrottleRule,
    /// The organizations' local time zone as hours east of UTC (China: 8); dates such as
    /// "today" for phases and deadlines are taken there.
    pub utc_offset_hours: i32,
    /// The key the audit ledger's entries and checkpoints are signed with (kept outside the
    /// database; see `xiaohao`'s data directory).
    pub audit_key: domain::audit::AuditKey,
    /// The append-only file the chains' heads are checkpointed to; `None`: checkpoints are
    /// only printed (`xiaohao audit head`) and published in the bulletins.
    pub audit_checkpoints: Option<std::path::PathBuf>,
    /// A small deployment's single administrator (an explicit setting, which `xiaohao
    /// doctor` reports): `admin` also holds the security and audit administrators' offices,
    /// and the three may be held together. Off: 三员分立.
    pub single_admin: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            session_idle: Duration::hours(8),
            session_max: Duration::hours(12),
            throttle: ThrottleRule::default(),
            utc_offset_hours: 8,
            audit_key: audit_log::new_audit_key(),
            audit_checkpoints: None,
            single_admin: false,
        }
    }
}

/// The state `/healthz` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// The database does not answer.
    Unreachable,
    /// The database answers but cannot keep a write (its disk is full).
    CannotWrite,
}

impl Health {
    pub fn code(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Unreachable => "database_unreachable",
            Health::CannotWrite => "database_cannot_write",
        }
    }
}

/// Who calls a use case: a signed-in person, or the system itself (the CLI run by an operator
/// on the server, and start-up tasks). The system is allowed everything and audited as such.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    System,
    Person(&'a Identity),
}

impl Caller<'_> {
    fn actor_id(&self) -> Option<i64> {
        match self {
            Caller::System => None,
            Caller::Person(i) => Some(i.actor.person_id.0),
        }
    }

    fn authorize(&self, action: domain::policy::Action<'_>) -> Result<()> {
        match self {
            Caller::System => Ok(()),
            Caller::Person(i) => {
                domain::policy::authorize(&i.actor, action).map_err(|_| AppError::Forbidden)
            }
        }
    }
}

#[derive(Clone)]
pub struct App {
    db: Db,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    bus: store::events::Bus,
    /// Wakes this server's delivery worker when a use case queued an urgent delivery.
    outbox_wake: Arc<tokio::sync::Notify>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        let bus = store::events::Bus::new(&db);
        App {
            db,
            clock,
            config,
            bus,
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Now, truncated to the microsecond that both databases store exactly.
    pub fn now(&self) -> DateTime<Utc> {
        let t = self.clock.now();
        t.duration_trunc(Duration::microseconds(1)).unwrap_or(t)
    }

    /// Today's date in the organizations' time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        (self.now() + Duration::hours(i64::from(self.config.utc_offset_hours))).date_naive()
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        Ok(store::migrate::run(&self.db, self.now()).await?)
    }

    /// Ends this server's live streams (the board's server-sent events), so that a graceful
    /// shutdown does not wait for them.
    pub fn end_streams(&self) {
        self.bus.shut_down();
    }

    /// Stops listening for other servers' notices and closes the database.
    pub async fn close(&self) {
        self.bus.stop().await;
        self.db.close().await;
    }

    /// Refreshes the database's statistics (after a bulk load).
    pub async fn analyze(&self) -> Result<()> {
        Ok(self.db.analyze().await?)
    }

    /// What `/healthz` reports: whether the database answers and, when the last write failed
    /// for want of space, whether a write succeeds now (only then is a write tried).
    pub async fn health(&self) -> Health {
        if self.db.ping().await.is_err() {
            return Health::Unreachable;
        }
        if self.db.write_health().failure().is_none() {
            return Health::Ok;
        }
        match self.db.probe_write(self.now()).await {
            Ok(()) => Health::Ok,
            Err(e) => {
                tracing::warn!(error = %e, "the database still cannot write");
                Health::CannotWrite
            }
        }
    }

    /// Records one audit entry in the caller's transaction.
    async fn audit(
        &self,
        tx: &mut store::Tx,
        caller: Caller<'_>,
        e: LedgerEntry<'_>,
    ) -> Result<()> {
        store::audit::append(
            tx,
            &self.config.audit_key,
            store::audit::NewEntry {
                chain: e.chain,
                at: self.now(),
                actor_id: caller.actor_id(),
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: e.before.map(|v| v.to_string()),
                after: e.after.map(|v| v.to_string()),
            },
        )
        .await?;
        Ok(())
    }
}

/// What a use case writes to the audit ledger: in the chain of `chain` (the organization; 0
/// for what is system-wide), `action` on `entity` `entity_id`, the state before and after.
#[derive(Debug, Default)]
pub(crate) struct LedgerEntry<'a> {
    pub chain: i64,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A random token of `bytes` bytes, hex-encoded.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

pub(crate) fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(s.as_bytes()))
}
