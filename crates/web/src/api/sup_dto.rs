//! Request and response bodies of the supervision API (督): progress and evidence,
//! coordination requests, inspections, findings and follow-ups, key projects, cards,
//! publications, warnings, display tokens, the board and the dashboard.

use app::model::{
    CoordinationRow, DisplayTokenRow, FileMeta, FindingRow, FollowUpRow, InspectionRow,
    MilestoneRow, ProgressRow, ProjectProgressRow, ProjectRow, PublicationRow, SolutionRow,
    WarningRow,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::Task;

// ---- progress and evidence ----

/// An evidence file as uploaded through the API.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileUpload {
    /// The file name with its extension (`整改报告.pdf`).
    pub name: String,
    /// The content, base64-encoded (standard alphabet). PDF, PNG, JPEG, doc/docx, xls/xlsx,
    /// pptx; at most 10 MB each, 5 files, 25 MB together.
    pub content_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgress {
    /// 0–100.
    pub percent: i64,
    #[serde(default)]
    pub narrative: String,
    #[serde(default)]
    pub files: Vec<FileUpload>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceFile {
    pub id: i64,
    pub name: String,
    /// pdf, png, jpeg, officexml, officelegacy
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    /// Where to download it (for those who may see what it belongs to).
    pub href: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<FileMeta> for EvidenceFile {
    fn from(f: FileMeta) -> Self {
        EvidenceFile {
            href: format!("/api/v1/files/{}", f.id),
            id: f.id,
            name: f.name,
            kind: f.kind,
            size: f.size,
            sha256: f.sha256,
            uploaded_at: f.uploaded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressReport {
    pub id: i64,
    pub task_id: i64,
    pub percent: i32,
    pub narrative: String,
    /// `YYYY-MM-DD`
    pub reported_on: String,
    pub reported_by: Option<i64>,
    pub reporter_name: Option<String>,
    pub reported_at: DateTime<Utc>,
    pub files: Vec<EvidenceFile>,
}

impl ProgressReport {
    pub fn new(g: ProgressRow, files: &[FileMeta]) -> Self {
        ProgressReport {
            files: files
                .iter()
                .filter(|f| f.owner_id == g.id)
                .cloned()
                .map(Into::into)
                .collect(),
            id: g.id,
            task_id: g.task_id,
            percent: g.percent,
            narrative: g.narrative,
            reported_on: g.reported_on,
            reported_by: g.reported_by,
            reporter_name: g.reporter_name,
            reported_at: g.reported_at,
        }
    }
}

// ---- cards ----

#[derive(Debug, Serialize, ToSchema)]
pub struct CardReason {
    /// e.g. `far_behind`, `deadline_passed`, `inspection_finding`, `supervisor_concern`.
    pub rule: String,
    pub color: String,
    /// The figures behind the rule, as (name, value) pairs.
    pub figures: Vec<(String, String)>,
}

impl From<app::CardReason> for CardReason {
    fn from(r: app::CardReason) -> Self {
        CardReason {
            rule: r.rule,
            color: r.color,
            figures: r.figures,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Card {
    pub id: i64,
    /// `YYYY-MM`
    pub month: String,
    /// `task` or `project`.
    pub subject_kind: String,
    pub subject_id: i64,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// Key work, an assigned item or a key project: what publications show.
    pub is_key: bool,
    /// green, yellow or red: what counts (the supervisor's colour when overridden).
    pub color: String,
    /// What the rules computed.
    pub computed_color: String,
    pub reasons: Vec<CardReason>,
    /// `YYYY-MM-DD`: when the computed card last changed.
    pub computed_on: String,
    /// Confirmed or overridden by a supervisor.
    pub judged: bool,
    pub overridden: bool,
    pub override_reason: Option<String>,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub concern: bool,
    pub concern_note: Option<String>,
}

impl From<app::CardView> for Card {
    fn from(v: app::CardView) -> Self {
        let c = v.card;
        Card {
            id: c.id,
            month: c.month,
            subject_kind: c.subject_kind,
            subject_id: c.subject_id,
            title: c.title,
            unit_id: c.unit_id,
            unit_name: c.unit_name,
            is_key: c.is_key,
            color: c.color,
            computed_color: c.computed_color,
            reasons: v.reasons.into_iter().map(Into::into).collect(),
            computed_on: c.computed_on,
            judged: v.judged,
            overridden: c.overridden,
            override_reason: c.override_reason,
            confirmed_by: c.confirmed_by,
            confirmed_at: c.confirmed_at,
            concern: c.concern,
            concern_note: c.concern_note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema, Default)]
pub struct ColorCounts {
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
}

impl From<app::ColorCounts> for ColorCounts {
    fn from(c: app::ColorCounts) -> Self {
        ColorCounts {
            green: c.green,
            yellow: c.yellow,
            red: c.red,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitColorCounts {
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(flatten)]
    pub counts: ColorCounts,
}

impl From<app::UnitCounts> for UnitColorCounts {
    fn from(u: app::UnitCounts) -> Self {
        UnitColorCounts {
            unit_id: u.unit_id,
            unit_name: u.unit_name,
            counts: u.counts.into(),
        }
    }
}

/// A month's cards as far as the caller sees, with counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCards {
    pub month: String,
    pub phase: String,
    pub items: Vec<Card>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub totals: ColorCounts,
    pub by_unit: Vec<UnitColorCounts>,
    /// Key cards no supervisor has judged (a publication waits for them).
    pub unjudged_key: i64,
    pub computed_on: Option<String>,
}

impl From<app::CardsView> for MonthCards {
    fn from(v: app::CardsView) -> Self {
        MonthCards {
            month: v.month.to_string(),
            phase: v.phase.as_str().to_owned(),
            page: v.cards.page,
            per_page: v.cards.per_page,
            total: v.cards.total,
            items: v.cards.items.into_iter().map(Into::into).collect(),
            totals: v.totals.into(),
            by_unit: v.by_unit.into_iter().map(Into::into).collect(),
            unjudged_key: v.unjudged_key,
            computed_on: v.computed_on,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Judgement {
    /// green, yellow or red; empty or the computed colour confirms.
    #[serde(default)]
    pub color: String,
    /// Required when the colour differs from the computed one.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Concern {
    pub concern: bool,
    /// Required when flagging.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Refreshed {
    pub computed: u64,
    pub changed: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Confirmed {
    pub confirmed: u64,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewPublication {
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    pub publication_id: i64,
    /// The number of the month's publication (1, 2, …).
    pub seq: i32,
    pub cards: i64,
    /// Warnings issued now (one per person, 人次).
    pub warnings: u64,
}

impl From<app::Published> for Published {
    fn from(p: app::Published) -> Self {
        Published {
            publication_id: p.publication_id,
            seq: p.seq,
            cards: p.cards,
            warnings: p.warnings,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Publication {
    pub id: i64,
    pub month: String,
    pub seq: i32,
    pub note: String,
    pub green: i32,
    pub yellow: i32,
    pub red: i32,
    pub published_by: Option<i64>,
    pub published_at: DateTime<Utc>,
}

impl From<PublicationRow> for Publication {
    fn from(p: PublicationRow) -> Self {
        Publication {
            id: p.id,
            month: p.month,
            seq: p.seq,
            note: p.note,
            green: p.green,
            yellow: p.yellow,
            red: p.red,
            published_by: p.published_by,
            published_at: p.published_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedCard {
    pub subject_kind: String,
    pub subject_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub color: String,
    pub reasons: Vec<CardReason>,
    pub override_reason: Option<String>,
    pub progress: i32,
    pub deadline: String,
}

impl From<app::PublishedCardView> for PublishedCard {
    fn from(v: app::PublishedCardView) -> Self {
        let c = v.card;
        PublishedCard {
            subject_kind: c.subject_kind,
            subject_id: c.subject_id,
            unit_id: c.unit_id,
            unit_name: c.unit_name,
            title: c.title,
            color: c.color,
            reasons: v.reasons.into_iter().map(Into::into).collect(),
            override_reason: c.override_reason,
            progress: c.progress,
            deadline: c.deadline,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationDetail {
    #[serde(flatten)]
    pub publication: Publication,
    pub cards: Vec<PublishedCard>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub by_unit: Vec<UnitColorCounts>,
}

impl From<app::PublicationView> for PublicationDetail {
    fn from(v: app::PublicationView) -> Self {
        PublicationDetail {
            publication: v.publication.into(),
            page: v.cards.page,
            per_page: v.cards.per_page,
            total: v.cards.total,
            cards: v.cards.items.into_iter().map(Into::into).collect(),
            by_unit: v.by_unit.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Warning {
    pub id: i64,
    pub year: i32,
    pub month: String,
    pub publication_id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub person_id: i64,
    pub person_name: String,
    /// `owner` or `leader`.
    pub as_role: String,
    pub title: String,
    pub issued_at: DateTime<Utc>,
}

impl From<WarningRow> for Warning {
    fn from(w: WarningRow) -> Self {
        Warning {
            id: w.id,
            year: w.year,
            month: w.month,
            publication_id: w.publication_id,
            subject_kind: w.subject_kind,
            subject_id: w.subject_id,
            unit_id: w.unit_id,
            unit_name: w.unit_name,
            person_id: w.person_id,
            person_name: w.person_name,
            as_role: w.as_role,
            title: w.title,
            issued_at: w.issued_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Counted {
    pub id: i64,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Warnings {
    pub year: i32,
    pub items: Vec<Warning>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub by_unit: Vec<Counted>,
    pub by_person: Vec<Counted>,
}

fn counted(v: Vec<(i64, String, i64)>) -> Vec<Counted> {
    v.into_iter()
        .map(|(id, name, count)| Counted { id, name, count })
        .collect()
}

impl From<app::WarningsView> for Warnings {
    fn from(v: app::WarningsView) -> Self {
        Warnings {
            year: v.year,
            page: v.warnings.page,
            per_page: v.warnings.per_page,
            total: v.warnings.total,
            items: v.warnings.items.into_iter().map(Into::into).collect(),
            by_unit: counted(v.by_unit),
            by_person: counted(v.by_person),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardRules {
    pub lag_yellow_points: u32,
    pub lag_red_points: u32,
    pub near_deadline_days: u32,
    pub near_deadline_progress: u32,
    pub stale_days: u32,
}

impl From<domain::cards::CardRules> for CardRules {
    fn from(r: domain::cards::CardRules) -> Self {
        CardRules {
            lag_yellow_points: r.lag_yellow_points,
            lag_red_points: r.lag_red_points,
            near_deadline_days: r.near_deadline_days,
            near_deadline_progress: r.near_deadline_progress,
            stale_days: r.stale_days,
        }
    }
}

impl From<CardRules> for domain::cards::CardRules {
    fn from(r: CardRules) -> Self {
        domain::cards::CardRules {
            lag_yellow_points: r.lag_yellow_points,
            lag_red_points: r.lag_red_points,
            near_deadline_days: r.near_deadline_days,
            near_deadline_progress: r.near_deadline_progress,
            stale_days: r.stale_days,
        }
    }
}

// ---- coordination ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCoordination {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub involved_unit_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Coordination {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub month: String,
    pub title: String,
    pub description: String,
    /// open, decided or resolved.
    pub status: String,
    pub raised_by: Option<i64>,
    pub raised_at: DateTime<Utc>,
    pub decision: Option<String>,
    pub owner_unit_id: Option<i64>,
    pub owner_unit_name: Option<String>,
    pub deadline: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub solutions: i64,
}

impl From<CoordinationRow> for Coordination {
    fn from(r: CoordinationRow) -> Self {
        Coordination {
            id: r.id,
            task_id: r.task_id,
            task_title: r.task_title,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            month: r.month,
            title: r.title,
            description: r.description,
            status: r.status,
            raised_by: r.raised_by,
            raised_at: r.raised_at,
            decision: r.decision,
            owner_unit_id: r.owner_unit_id,
            owner_unit_name: r.owner_unit_name,
            deadline: r.deadline,
            decided_at: r.decided_at,
            resolution: r.resolution,
            resolved_at: r.resolved_at,
            solutions: r.solutions,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Solution {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<SolutionRow> for Solution {
    fn from(s: SolutionRow) -> Self {
        Solution {
            id: s.id,
            author_id: s.author_id,
            author_name: s.author_name,
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            body: s.body,
            created_at: s.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedId {
    pub id: i64,
    pub name: String,
}

fn named(v: Vec<(i64, String)>) -> Vec<NamedId> {
    v.into_iter()
        .map(|(id, name)| NamedId { id, name })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinationDetail {
    #[serde(flatten)]
    pub request: Coordination,
    pub involved_units: Vec<NamedId>,
    pub proposed_solutions: Vec<Solution>,
    pub can_propose: bool,
    pub can_decide: bool,
    pub can_resolve: bool,
}

impl From<app::CoordinationDetail> for CoordinationDetail {
    fn from(d: app::CoordinationDetail) -> Self {
        CoordinationDetail {
            request: d.request.into(),
            involved_units: named(d.involved),
            proposed_solutions: d.solutions.into_iter().map(Into::into).collect(),
            can_propose: d.can_propose,
            can_decide: d.can_decide,
            can_resolve: d.can_resolve,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSolution {
    #[serde(default)]
    pub solution: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoordinationDecision {
    #[serde(default)]
    pub decision: String,
    pub owner_unit_id: Option<i64>,
    /// `YYYY-MM-DD`, today or later.
    #[serde(default)]
    pub deadline: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    #[serde(default)]
    pub resolution: String,
}

// ---- inspections ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    /// scheduled or random.
    #[serde(default)]
    pub kind: String,
    /// open (明察) or covert (暗访).
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub scope: String,
    /// `YYYY-MM-DD`
    #[serde(default)]
    pub planned_on: String,
    #[serde(default)]
    pub inspected_unit_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Inspection {
    pub id: i64,
    pub kind: String,
    pub mode: String,
    pub title: String,
    pub scope: String,
    pub planned_on: String,
    /// planned or done.
    pub status: String,
    pub done_on: Option<String>,
    /// For a covert inspection: when the team made it visible to the units.
    pub published_at: Option<DateTime<Utc>>,
    pub findings: i64,
    pub created_at: DateTime<Utc>,
}

impl From<InspectionRow> for Inspection {
    fn from(i: InspectionRow) -> Self {
        Inspection {
            id: i.id,
            kind: i.kind,
            mode: i.mode,
            title: i.title,
            scope: i.scope,
            planned_on: i.planned_on,
            status: i.status,
            done_on: i.done_on,
            published_at: i.published_at,
            findings: i.findings,
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    pub unit_id: Option<i64>,
    pub task_id: Option<i64>,
    pub key_project_id: Option<i64>,
    /// general or serious.
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub description: String,
    /// `YYYY-MM-DD`, default today.
    #[serde(default)]
    pub found_on: String,
    #[serde(default)]
    pub files: Vec<FileUpload>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUp {
    pub id: i64,
    pub finding_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub action: String,
    pub due_on: String,
    /// open (下发, waiting for the unit's answer), answered (waiting for 核验), returned
    /// (sent back: the unit answers again) or closed (办结).
    pub status: String,
    pub response: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
    /// The team's note at its last verification (why an answer was sent back).
    pub verify_note: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<FollowUpRow> for FollowUp {
    fn from(f: FollowUpRow) -> Self {
        FollowUp {
            id: f.id,
            finding_id: f.finding_id,
            unit_id: f.unit_id,
            unit_name: f.unit_name,
            action: f.action,
            due_on: f.due_on,
            status: f.status,
            response: f.response,
            responded_at: f.responded_at,
            verify_note: f.verify_note,
            verified_at: f.verified_at,
            closed_at: f.closed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Finding {
    pub id: i64,
    pub inspection_id: i64,
    pub inspection_title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub key_project_id: Option<i64>,
    pub key_project_name: Option<String>,
    pub severity: String,
    pub description: String,
    pub found_on: String,
    /// open or closed.
    pub status: String,
    pub close_note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<FindingRow> for Finding {
    fn from(f: FindingRow) -> Self {
        Finding {
            id: f.id,
            inspection_id: f.inspection_id,
            inspection_title: f.inspection_title,
            unit_id: f.unit_id,
            unit_name: f.unit_name,
            task_id: f.task_id,
            task_title: f.task_title,
            key_project_id: f.key_project_id,
            key_project_name: f.key_project_name,
            severity: f.severity,
            description: f.description,
            found_on: f.found_on,
            status: f.status,
            close_note: f.close_note,
            recorded_at: f.recorded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: Finding,
    pub files: Vec<EvidenceFile>,
    pub follow_ups: Vec<FollowUp>,
}

impl From<app::FindingView> for FindingDetail {
    fn from(v: app::FindingView) -> Self {
        FindingDetail {
            finding: v.finding.into(),
            files: v.files.into_iter().map(Into::into).collect(),
            follow_ups: v.follow_ups.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub inspection: Inspection,
    pub inspected_units: Vec<NamedId>,
    pub finding_list: Vec<FindingDetail>,
    /// Covert and not yet published: hidden from the inspected units.
    pub hidden: bool,
}

impl From<app::InspectionDetail> for InspectionDetail {
    fn from(d: app::InspectionDetail) -> Self {
        InspectionDetail {
            inspection: d.inspection.into(),
            inspected_units: named(d.units),
            finding_list: d.findings.into_iter().map(Into::into).collect(),
            hidden: d.hidden,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFollowUp {
    #[serde(default)]
    pub required_action: String,
    /// `YYYY-MM-DD`, today or later.
    #[serde(default)]
    pub due_on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpResponse {
    /// What the unit rectified (整改反馈).
    #[serde(default)]
    pub response: String,
    /// Evidence of the rectification.
    #[serde(default)]
    pub files: Vec<FileUpload>,
}

/// The team's verification (核验) of an answered follow-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpVerification {
    /// `true`: accepted, the follow-up is 办结; `false`: sent back to the unit.
    pub accept: bool,
    /// Why it is sent back (required then).
    #[serde(default)]
    pub note: String,
}

// ---- key projects ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectBody {
    #[serde(default)]
    pub name: String,
    pub unit_id: Option<i64>,
    pub leader_id: Option<i64>,
    #[serde(default)]
    pub description: String,
    /// Planned investment in 万元.
    pub investment: Option<i64>,
    /// `YYYY-MM-DD`
    #[serde(default)]
    pub start_on: String,
    #[serde(default)]
    pub end_on: String,
    /// active (default), completed or suspended.
    #[serde(default)]
    pub status: String,
}

impl ProjectBody {
    pub fn input(&self) -> domain::supervision::KeyProjectInput {
        domain::supervision::KeyProjectInput {
            name: self.name.clone(),
            unit_id: self.unit_id,
            leader_id: self.leader_id,
            description: self.description.clone(),
            investment: self.investment.map(|i| i.to_string()).unwrap_or_default(),
            start_on: self.start_on.clone(),
            end_on: self.end_on.clone(),
            status: self.status.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub description: String,
    pub investment: Option<i64>,
    pub start_on: String,
    pub end_on: String,
    pub status: String,
    pub progress: i32,
    pub last_progress_on: Option<String>,
}

impl From<ProjectRow> for Project {
    fn from(p: ProjectRow) -> Self {
        Project {
            id: p.id,
            name: p.name,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
            leader_id: p.leader_id,
            leader_name: p.leader_name,
            description: p.description,
            investment: p.investment,
            start_on: p.start_on,
            end_on: p.end_on,
            status: p.status,
            progress: p.progress,
            last_progress_on: p.last_progress_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Milestone {
    pub id: i64,
    pub title: String,
    pub due_on: String,
    pub done_on: Option<String>,
}

impl From<MilestoneRow> for Milestone {
    fn from(m: MilestoneRow) -> Self {
        Milestone {
            id: m.id,
            title: m.title,
            due_on: m.due_on,
            done_on: m.done_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyProgress {
    pub month: String,
    pub percent: i32,
    pub narrative: String,
    pub reported_on: String,
    pub reporter_name: Option<String>,
}

impl From<ProjectProgressRow> for MonthlyProgress {
    fn from(g: ProjectProgressRow) -> Self {
        MonthlyProgress {
            month: g.month,
            percent: g.percent,
            narrative: g.narrative,
            reported_on: g.reported_on,
            reporter_name: g.reporter_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: Project,
    pub milestones: Vec<Milestone>,
    pub monthly_progress: Vec<MonthlyProgress>,
    pub tasks: Vec<Task>,
    pub findings: Vec<Finding>,
    pub card: Option<Card>,
    pub can_manage: bool,
    pub can_report: bool,
}

impl From<app::ProjectDetail> for ProjectDetail {
    fn from(d: app::ProjectDetail) -> Self {
        ProjectDetail {
            project: d.project.into(),
            milestones: d.milestones.into_iter().map(Into::into).collect(),
            monthly_progress: d.progress.into_iter().map(Into::into).collect(),
            tasks: d.tasks.into_iter().map(Into::into).collect(),
            findings: d.findings.into_iter().map(Into::into).collect(),
            card: d.card.map(Into::into),
            can_manage: d.can_manage,
            can_report: d.can_report,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMilestone {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub due_on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDone {
    pub done: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProjectProgress {
    pub percent: i64,
    #[serde(default)]
    pub narrative: String,
}

// ---- display tokens, board, dashboard ----

#[derive(Debug, Serialize, ToSchema)]
pub struct DisplayToken {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<DisplayTokenRow> for DisplayToken {
    fn from(t: DisplayTokenRow) -> Self {
        DisplayToken {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDisplayToken {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedDisplayToken {
    pub id: i64,
    /// Shown once; the board is at `/board/{token}`.
    pub token: String,
    pub board_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardItem {
    pub unit_name: String,
    pub title: String,
    pub color: String,
    pub progress: i32,
    pub deadline: String,
    pub rule: Option<String>,
    /// A supervisor set the colour.
    pub overridden: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardCoordination {
    pub title: String,
    pub unit_name: String,
    pub status: String,
    pub owner_unit_name: Option<String>,
    pub deadline: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardPublication {
    pub id: i64,
    pub month: String,
    pub seq: i32,
    pub published_at: DateTime<Utc>,
}

/// What the display screen shows: only published cards and the open coordination requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    pub organization_name: String,
    pub publication: Option<BoardPublication>,
    pub totals: ColorCounts,
    pub by_unit: Vec<UnitColorCounts>,
    pub red: Vec<BoardItem>,
    pub projects: Vec<BoardItem>,
    pub coordination: Vec<BoardCoordination>,
}

impl From<app::BoardItem> for BoardItem {
    fn from(b: app::BoardItem) -> Self {
        BoardItem {
            unit_name: b.unit_name,
            title: b.title,
            color: b.color,
            progress: b.progress,
            deadline: b.deadline,
            rule: b.rule,
            overridden: b.overridden,
        }
    }
}

impl From<app::Board> for Board {
    fn from(b: app::Board) -> Self {
        Board {
            organization_name: b.organization_name,
            publication: b.publication.map(|p| BoardPublication {
                id: p.id,
                month: p.month,
                seq: p.seq,
                published_at: p.published_at,
            }),
            totals: b.totals.into(),
            by_unit: b.by_unit.into_iter().map(Into::into).collect(),
            red: b.red.into_iter().map(Into::into).collect(),
            projects: b.projects.into_iter().map(Into::into).collect(),
            coordination: b
                .coordination
                .into_iter()
                .map(|c| BoardCoordination {
                    title: c.title,
                    unit_name: c.unit_name,
                    status: c.status,
                    owner_unit_name: c.owner_unit_name,
                    deadline: c.deadline,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub month: String,
    pub phase: String,
    /// all, units (a leader's) or unit (one's own).
    pub scope: String,
    pub totals: ColorCounts,
    pub by_unit: Vec<UnitColorCounts>,
    pub attention: Vec<Card>,
    pub attention_total: u64,
    pub stale: Vec<Task>,
    pub stale_total: u64,
    pub stale_days: u32,
    pub overdue_follow_ups: Vec<FollowUp>,
    pub overdue_total: u64,
    pub open_coordination: Vec<Coordination>,
    pub coordination_total: u64,
    pub unjudged_key: i64,
}

impl From<app::Dashboard> for Dashboard {
    fn from(d: app::Dashboard) -> Self {
        Dashboard {
            month: d.month.to_string(),
            phase: d.phase.as_str().to_owned(),
            scope: d.scope.to_owned(),
            totals: d.totals.into(),
            by_unit: d.by_unit.into_iter().map(Into::into).collect(),
            attention: d.attention.into_iter().map(Into::into).collect(),
            attention_total: d.attention_total,
            stale: d.stale.into_iter().map(Into::into).collect(),
            stale_total: d.stale_total,
            stale_days: d.stale_days,
            overdue_follow_ups: d.overdue_follow_ups.into_iter().map(Into::into).collect(),
            overdue_total: d.overdue_total,
            open_coordination: d.open_coordination.into_iter().map(Into::into).collect(),
            coordination_total: d.coordination_total,
            unjudged_key: d.unjudged_key,
        }
    }
}

page_type!(
    CoordinationPage => Coordination,
    InspectionPage => Inspection,
    FindingPage => Finding,
    FollowUpPage => FollowUp,
    ProjectPage => Project,
    PublicationPage => Publication,
);
