//! The API's request and response bodies. They are the public contract, kept separate from the
//! storage rows so that either can change without breaking the other.

use app::model::{AuditRow, OrganizationRow, PostRow, RoleRow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: Option<String>,
    pub name: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationRow> for Organization {
    fn from(o: OrganizationRow) -> Self {
        Organization {
            id: o.id,
            parent_id: o.parent_id,
            code: o.code,
            name: o.name,
            disabled: o.disabled,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub organization_id: i64,
    pub parent_id: Option<i64>,
    pub code: Option<String>,
    pub name: String,
    pub sort_order: i32,
    /// 0 for a top-level unit.
    pub depth: usize,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<app::model::UnitRow> for Unit {
    fn from(u: app::model::UnitRow) -> Self {
        Unit {
            depth: u.depth(),
            id: u.id,
            organization_id: u.organization_id,
            parent_id: u.parent_id,
            code: u.code,
            name: u.name,
            sort_order: u.sort_order,
            disabled: u.disabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: Unit,
    pub ancestors: Vec<UnitRef>,
    pub children: Vec<Unit>,
    pub posts: Vec<Post>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Post {
    pub id: i64,
    pub organization_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub disabled: bool,
}

impl From<PostRow> for Post {
    fn from(p: PostRow) -> Self {
        Post {
            id: p.id,
            organization_id: p.organization_id,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
            name: p.name,
            disabled: p.disabled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleAssignment {
    pub id: i64,
    /// One of admin, director, leader_in_charge, leading_group, supervisor, efficiency_officer,
    /// performance_officer, discipline_officer, unit_head, staff, display.
    pub role: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
}

impl From<RoleRow> for RoleAssignment {
    fn from(r: RoleRow) -> Self {
        RoleAssignment {
            id: r.id,
            role: r.role,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: i64,
    pub organization_id: i64,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub post_id: Option<i64>,
    pub post_name: Option<String>,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub disabled: bool,
    pub roles: Vec<RoleAssignment>,
}

impl Person {
    pub fn new(p: app::model::PersonRow, roles: Vec<RoleRow>) -> Self {
        Person {
            id: p.id,
            organization_id: p.organization_id,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
            post_id: p.post_id,
            post_name: p.post_name,
            username: p.username,
            display_name: p.display_name,
            email: p.email,
            phone: p.phone,
            disabled: p.disabled,
            roles: roles.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDetail {
    #[serde(flatten)]
    pub person: Person,
    pub led_units: Vec<UnitRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPerson {
    pub person: PersonDetail,
    /// Present when no password was given: the generated one, shown only in this response.
    pub generated_password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewPassword {
    /// Shown only in this response; the person must change it at next sign-in.
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// The actor's unit.
    pub actor_unit: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    /// The state before the change, as JSON text.
    pub before: Option<String>,
    /// The state after the change, as JSON text.
    pub after: Option<String>,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(a: AuditRow) -> Self {
        AuditEntry {
            id: a.id,
            seq: a.seq,
            at: a.at,
            actor_id: a.actor_id,
            actor_name: a.actor_name,
            actor_unit: a.actor_unit,
            action: a.action,
            entity: a.entity,
            entity_id: a.entity_id,
            before: a.before_json,
            after: a.after_json,
            hash: a.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub organization_id: i64,
    pub organization_name: String,
    pub unit_id: Option<i64>,
    pub roles: Vec<RoleGrant>,
    pub led_unit_ids: Vec<i64>,
    pub must_change_password: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleGrant {
    pub role: String,
    pub unit_id: Option<i64>,
}

page_type!(OrganizationPage => Organization, UnitPage => Unit, PostPage => Post, PersonPage => Person, AuditPage => AuditEntry);

impl From<app::OrganizationView> for Organization {
    fn from(v: app::OrganizationView) -> Self {
        v.org.into()
    }
}

impl From<app::UnitNode> for Unit {
    fn from(n: app::UnitNode) -> Self {
        n.unit.into()
    }
}

impl From<app::PersonView> for Person {
    fn from(v: app::PersonView) -> Self {
        Person::new(v.person, v.roles)
    }
}

// ---- queries ----

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search in names and codes.
    pub q: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page (default 20, at most 200).
    pub per_page: Option<u32>,
    /// Include disabled records.
    pub include_disabled: Option<bool>,
    /// The organization (default: the caller's).
    pub organization_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub include_disabled: Option<bool>,
    pub organization_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PostParams {
    pub unit_id: Option<i64>,
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub include_disabled: Option<bool>,
    pub organization_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<String>,
    pub actor_id: Option<i64>,
    /// The actor's username or name, exactly.
    pub person: Option<String>,
    /// The actor's unit.
    pub unit_id: Option<i64>,
    /// Inclusive lower bound (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub organization_id: Option<i64>,
}

// ---- bodies ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    pub name: String,
    pub code: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    pub name: Option<String>,
    pub code: Option<String>,
    /// `null` moves it to the top level (only the system may do that).
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnit {
    pub organization_id: Option<i64>,
    pub name: String,
    pub code: Option<String>,
    pub parent_id: Option<i64>,
    pub sort_order: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateUnit {
    pub name: Option<String>,
    pub code: Option<String>,
    /// `null` moves the unit to the top level.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    pub sort_order: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePost {
    pub organization_id: Option<i64>,
    pub unit_id: i64,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdatePost {
    pub name: Option<String>,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePerson {
    pub organization_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<i64>,
    pub post_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Optional; when absent a password is generated and returned once.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdatePerson {
    pub username: Option<String>,
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub post_id: Option<Option<i64>>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRole {
    pub role: String,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLeaderUnits {
    pub unit_ids: Vec<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
    /// Defaults to `new_password`.
    pub confirm_password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

// ---- the monthly plan ----

/// A task of the monthly plan: a unit's proposal, an assigned item, and once arranged a task
/// of the month's plan (one record throughout).
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: i64,
    pub organization_id: i64,
    /// `YYYY-MM`
    pub month: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub post_id: Option<i64>,
    pub post_name: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub key_point_id: Option<i64>,
    pub key_point_title: Option<String>,
    /// An item assigned by the leadership (交办事项) rather than proposed by the unit.
    pub is_assigned: bool,
    pub is_key_work: bool,
    pub title: String,
    pub content: String,
    /// The completion criterion (完成标准) it is signed off against.
    pub criterion: String,
    /// `YYYY-MM-DD`, within the month.
    pub deadline: String,
    /// One of draft, submitted, returned, leader_approved, accepted, rejected, merged,
    /// arranged, in_progress, withdrawn.
    pub status: String,
    pub version: i32,
    /// The reason of the last return, rejection or merge.
    pub reason: Option<String>,
    pub merged_into_id: Option<i64>,
    pub carried_from_id: Option<i64>,
    pub months_overdue: i32,
    pub key_project_id: Option<i64>,
    pub key_project_name: Option<String>,
    /// The last reported progress, 0–100.
    pub progress: i32,
    /// `YYYY-MM-DD` of the last progress report.
    pub last_progress_on: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<app::model::TaskRow> for Task {
    fn from(t: app::model::TaskRow) -> Self {
        Task {
            id: t.id,
            organization_id: t.organization_id,
            month: t.month,
            unit_id: t.unit_id,
            unit_name: t.unit_name,
            post_id: t.post_id,
            post_name: t.post_name,
            owner_id: t.owner_id,
            owner_name: t.owner_name,
            leader_id: t.leader_id,
            leader_name: t.leader_name,
            key_point_id: t.key_point_id,
            key_point_title: t.key_point_title,
            is_assigned: t.is_assigned,
            is_key_work: t.is_key_work,
            title: t.title,
            content: t.content,
            criterion: t.criterion,
            deadline: t.deadline,
            status: t.status,
            version: t.version,
            reason: t.reason,
            merged_into_id: t.merged_into_id,
            carried_from_id: t.carried_from_id,
            months_overdue: t.months_overdue,
            key_project_id: t.key_project_id,
            key_project_name: t.key_project_name,
            progress: t.progress,
            last_progress_on: t.last_progress_on,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// One version of a task in its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskVersion {
    pub version: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// propose, edit, submit, leader_approve, leader_adjust, leader_return, accept, change,
    /// reject, merge, arrange, assign, import, change_withdraw, change_rescope, change_redate.
    pub event: String,
    pub status: String,
    pub reason: Option<String>,
    /// The task's fields after the event.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

impl From<app::model::HistoryRow> for TaskVersion {
    fn from(h: app::model::HistoryRow) -> Self {
        TaskVersion {
            version: h.version,
            at: h.at,
            actor_id: h.actor_id,
            actor_name: h.actor_name,
            event: h.event,
            status: h.status,
            reason: h.reason,
            snapshot: serde_json::from_str(&h.snapshot).unwrap_or_default(),
        }
    }
}

/// A request to withdraw, re-scope or re-date an arranged task.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeRequest {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub unit_name: String,
    /// withdraw, rescope or redate.
    pub kind: String,
    /// What is asked for: `{"kind": "redate", "deadline": "2026-11-20"}`, …
    #[schema(value_type = Object)]
    pub proposal: serde_json::Value,
    pub reason: String,
    /// pending, approved or rejected.
    pub status: String,
    pub requested_by: Option<i64>,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

impl From<app::model::ChangeRequestRow> for ChangeRequest {
    fn from(c: app::model::ChangeRequestRow) -> Self {
        ChangeRequest {
            id: c.id,
            task_id: c.task_id,
            task_title: c.task_title,
            unit_name: c.unit_name,
            kind: c.kind,
            proposal: serde_json::from_str(&c.proposal).unwrap_or_default(),
            reason: c.reason,
            status: c.status,
            requested_by: c.requested_by,
            requested_at: c.requested_at,
            decided_by: c.decided_by,
            decided_at: c.decided_at,
            decision_reason: c.decision_reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: Task,
    pub history: Vec<TaskVersion>,
    /// The tasks this one carries over, newest first.
    pub chain: Vec<Task>,
    pub change_requests: Vec<ChangeRequest>,
    /// Progress reports, newest first, with their evidence files.
    pub progress_reports: Vec<super::sup_dto::ProgressReport>,
    /// This month's card (红黄绿牌), once the task is in the plan.
    pub card: Option<super::sup_dto::Card>,
    pub coordination: Vec<super::sup_dto::Coordination>,
    /// Inspection findings on the task that the caller may see.
    pub findings: Vec<super::sup_dto::Finding>,
    /// What the caller may do with it now.
    pub can_edit: bool,
    pub can_review: bool,
    pub can_decide: bool,
    pub can_request_change: bool,
    pub can_report: bool,
    pub can_raise: bool,
}

impl From<app::TaskDetail> for TaskDetail {
    fn from(d: app::TaskDetail) -> Self {
        TaskDetail {
            task: d.task.into(),
            history: d.history.into_iter().map(Into::into).collect(),
            chain: d.chain.into_iter().map(Into::into).collect(),
            change_requests: d.change_requests.into_iter().map(Into::into).collect(),
            progress_reports: d
                .progress
                .into_iter()
                .map(|g| super::sup_dto::ProgressReport::new(g, &d.progress_files))
                .collect(),
            card: d.card.map(Into::into),
            coordination: d.coordination.into_iter().map(Into::into).collect(),
            findings: d.findings.into_iter().map(Into::into).collect(),
            can_edit: d.can_edit,
            can_review: d.can_review,
            can_decide: d.can_decide,
            can_request_change: d.can_request_change,
            can_report: d.can_report,
            can_raise: d.can_raise,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCounts {
    pub unit_id: i64,
    pub unit_name: String,
    /// Tasks of the month by status.
    pub by_status: std::collections::BTreeMap<String, i64>,
    pub total: i64,
    /// Nothing submitted after the proposal deadline.
    pub late: bool,
}

/// A month of the plan: its phase, calendar and counts by unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct Month {
    /// `YYYY-MM`
    pub month: String,
    /// upcoming, proposing, arranging, executing, signing_off, reviewing or closed.
    pub phase: String,
    pub proposals_open: chrono::NaiveDate,
    pub proposals_due: chrono::NaiveDate,
    pub arrangement_due: chrono::NaiveDate,
    pub sign_off_opens: chrono::NaiveDate,
    pub review_due: chrono::NaiveDate,
    pub arranged_at: Option<DateTime<Utc>>,
    pub units: Vec<UnitCounts>,
    pub totals: std::collections::BTreeMap<String, i64>,
    pub can_arrange: bool,
    pub can_manage: bool,
}

impl From<app::MonthView> for Month {
    fn from(v: app::MonthView) -> Self {
        let (m, c) = (v.month, v.calendar);
        Month {
            month: m.to_string(),
            phase: v.phase.as_str().to_owned(),
            proposals_open: c.proposals_open(m),
            proposals_due: c.proposals_due(m),
            arrangement_due: c.arrangement_due(m),
            sign_off_opens: c.sign_off_opens(m),
            review_due: c.review_due(m),
            arranged_at: v.cycle.arranged_at,
            units: v
                .units
                .into_iter()
                .map(|u| UnitCounts {
                    total: u.total(),
                    unit_id: u.unit_id,
                    unit_name: u.unit_name,
                    by_status: u.by_status,
                    late: u.late,
                })
                .collect(),
            totals: v.totals,
            can_arrange: v.can_arrange,
            can_manage: v.can_manage,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Arranged {
    /// How many tasks entered the month's plan.
    pub arranged: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPoint {
    pub id: i64,
    pub organization_id: i64,
    pub year: i32,
    /// key_point (工作要点) or focus_issue (重点热点问题).
    pub kind: String,
    pub title: String,
    pub description: String,
    pub sort_order: i32,
    pub disabled: bool,
}

impl From<app::model::KeyPointRow> for KeyPoint {
    fn from(k: app::model::KeyPointRow) -> Self {
        KeyPoint {
            id: k.id,
            organization_id: k.organization_id,
            year: k.year,
            kind: k.kind,
            title: k.title,
            description: k.description,
            sort_order: k.sort_order,
            disabled: k.disabled,
        }
    }
}

/// A unit's (or a post's) plan table of a month, as printed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanTable {
    /// The title row, e.g. 「湘潭高新区工管委 财政局 2026年11月预安表」.
    pub title: String,
    pub organization: String,
    pub unit: String,
    pub year: i32,
    pub month: u32,
    /// 序号, 工作事项, 工作内容, 完成标准, 完成时限, 责任人, 分管领导, 类别, 对应要点.
    pub columns: Vec<String>,
    pub rows: Vec<PlanTableRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanTableRow {
    pub seq: u32,
    pub title: String,
    pub content: String,
    pub criterion: String,
    pub deadline: String,
    pub owner: String,
    pub leader: String,
    /// 重点工作, 一般工作 or 交办事项.
    pub category: String,
    /// 对应要点: the title of the key point the task serves.
    pub key_point: String,
    /// The task's id (the sheet's hidden 编号 column).
    pub task_id: Option<i64>,
}

impl From<domain::plan_table::PlanTable> for PlanTable {
    fn from(t: domain::plan_table::PlanTable) -> Self {
        PlanTable {
            title: t.title(),
            columns: domain::plan_table::PRINTED_COLUMNS
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            organization: t.organization,
            unit: t.unit,
            year: t.year,
            month: t.month,
            rows: t
                .rows
                .into_iter()
                .map(|r| PlanTableRow {
                    seq: r.seq,
                    title: r.title,
                    content: r.content,
                    criterion: r.criterion,
                    deadline: r.deadline,
                    owner: r.owner,
                    leader: r.leader,
                    category: r.category,
                    key_point: r.key_point,
                    task_id: r.task_id,
                })
                .collect(),
        }
    }
}

page_type!(TaskPage => Task, KeyPointPage => KeyPoint, ChangeRequestPage => ChangeRequest);

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct TaskParams {
    /// `YYYY-MM`
    pub month: Option<String>,
    pub unit_id: Option<i64>,
    pub post_id: Option<i64>,
    pub leader_id: Option<i64>,
    /// Statuses to include: repeat the parameter or separate with commas
    /// (`status=submitted,leader_approved`).
    pub status: Option<Vec<String>>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub organization_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct KeyPointParams {
    /// Default: the current year.
    pub year: Option<i32>,
    pub include_disabled: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub organization_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ChangeRequestParams {
    /// pending, approved or rejected.
    pub status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub organization_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PlanTableParams {
    /// One post's table instead of the whole unit's.
    pub post_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovePhase {
    /// upcoming, proposing, arranging, executing, signing_off or reviewing.
    pub phase: String,
}

/// A proposal (`POST /tasks`) or an assigned item (`POST /assigned-items`). The text fields
/// default to empty, so that validation names every missing one at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// `YYYY-MM`
    pub month: String,
    pub unit_id: i64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub criterion: String,
    /// `YYYY-MM-DD`, within the month.
    #[serde(default)]
    pub deadline: String,
    /// Required for proposals; optional for assigned items.
    pub key_point_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub post_id: Option<i64>,
    /// Default: the leader in charge of the unit.
    pub leader_id: Option<i64>,
    #[serde(default)]
    pub is_key_work: bool,
    /// The key project (重点在建项目) the task advances.
    pub key_project_id: Option<i64>,
}

impl NewTask {
    pub fn input(&self) -> domain::plan::TaskInput {
        domain::plan::TaskInput {
            title: self.title.clone(),
            content: self.content.clone(),
            criterion: self.criterion.clone(),
            deadline: self.deadline.clone(),
            key_point_id: self.key_point_id,
            owner_id: self.owner_id,
            post_id: self.post_id,
            leader_id: self.leader_id,
            is_key_work: self.is_key_work,
            key_project_id: self.key_project_id,
        }
    }
}

/// Fields of a task to change; absent fields keep their value, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub content: Option<String>,
    pub criterion: Option<String>,
    pub deadline: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub key_point_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub post_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub leader_id: Option<Option<i64>>,
    pub is_key_work: Option<bool>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub key_project_id: Option<Option<i64>>,
}

impl TaskPatch {
    /// The task's fields with this patch applied.
    pub fn apply(self, t: &app::model::TaskRow) -> domain::plan::TaskInput {
        domain::plan::TaskInput {
            title: self.title.unwrap_or_else(|| t.title.clone()),
            content: self.content.unwrap_or_else(|| t.content.clone()),
            criterion: self.criterion.unwrap_or_else(|| t.criterion.clone()),
            deadline: self.deadline.unwrap_or_else(|| t.deadline.clone()),
            key_point_id: self.key_point_id.unwrap_or(t.key_point_id),
            owner_id: self.owner_id.unwrap_or(t.owner_id),
            post_id: self.post_id.unwrap_or(t.post_id),
            leader_id: self.leader_id.unwrap_or(t.leader_id),
            is_key_work: self.is_key_work.unwrap_or(t.is_key_work),
            key_project_id: self.key_project_id.unwrap_or(t.key_project_id),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaderReview {
    /// approve, adjust (with `fields`) or return (with `reason`).
    pub decision: String,
    pub reason: Option<String>,
    /// The leader's changes, for `adjust`.
    pub fields: Option<TaskPatch>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingDecision {
    /// accept, change (with `fields`), reject (with `reason`) or merge (with `merge_into` and
    /// `reason`).
    pub decision: String,
    pub reason: Option<String>,
    pub merge_into: Option<i64>,
    /// The meeting's changes, for `change`.
    pub fields: Option<TaskPatch>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyPoint {
    pub organization_id: Option<i64>,
    pub year: i64,
    /// key_point (default) or focus_issue.
    pub kind: Option<String>,
    #[serde(default)]
    pub title: String,
    pub description: Option<String>,
    pub sort_order: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateKeyPoint {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub sort_order: Option<i64>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestChange {
    /// withdraw, rescope (with title, content, criterion) or redate (with deadline).
    pub kind: String,
    pub title: Option<String>,
    pub content: Option<String>,
    pub criterion: Option<String>,
    /// `YYYY-MM-DD`, within the task's month.
    pub deadline: Option<String>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeDecision {
    pub approve: bool,
    /// Required to reject.
    pub reason: Option<String>,
}

/// How many sign-in locks or delays were lifted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unlocked {
    pub lifted: u64,
}
