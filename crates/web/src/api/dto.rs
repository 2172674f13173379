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

macro_rules! page_type {
    ($($name:ident => $item:ty),* $(,)?) => {$(
        /// One page of a list.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// 1-based.
            pub page: u32,
            pub per_page: u32,
            pub total: u64,
        }

        impl<T: Into<$item>> From<domain::page::Page<T>> for $name {
            fn from(p: domain::page::Page<T>) -> Self {
                $name { page: p.page, per_page: p.per_page, total: p.total, items: p.items.into_iter().map(Into::into).collect() }
            }
        }
    )*};
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
