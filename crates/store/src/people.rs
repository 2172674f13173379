//! People, their role grants and the units each leader is in charge of.

use chrono::{DateTime, Utc};
use domain::org::PersonDraft;
use domain::page::PageRequest;
use serde::Serialize;

use crate::{Ex, Result, Tx, like_contains};

/// A person as listed and shown: never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub organization_id: i64,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_path: Option<String>,
    pub post_id: Option<i64>,
    pub post_name: Option<String>,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What login needs to know about an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub org_disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RoleRow {
    pub id: i64,
    pub person_id: i64,
    pub organization_id: i64,
    pub role: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
}

const PERSON_SELECT: &str = "SELECT p.id, p.organization_id, p.unit_id, u.name AS unit_name, u.path AS unit_path, p.post_id, \
    po.name AS post_name, p.username, p.display_name, p.email, p.phone, p.must_change_password, p.disabled, p.created_at, p.updated_at \
    FROM persons p LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN posts po ON po.id = p.post_id";

pub async fn insert_person(
    tx: &mut Tx,
    org: i64,
    d: &PersonDraft,
    password_hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO persons (organization_id, unit_id, post_id, username, display_name, email, phone, password_hash, \
         must_change_password, disabled, created_at, updated_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10, $10, $10) RETURNING id")
        .bind(org).bind(d.unit_id.map(|u| u.0)).bind(d.post_id.map(|p| p.0)).bind(&d.username).bind(&d.display_name)
        .bind(&d.email).bind(&d.phone).bind(password_hash).bind(must_change).bind(now)
        .fetch_one(c).await)?)
}

pub async fn get_person(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<PersonRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, PersonRow>(
        "SELECT p.id, p.organization_id, p.unit_id, u.name AS unit_name, u.path AS unit_path, p.post_id, \
         po.name AS post_name, p.username, p.display_name, p.email, p.phone, p.must_change_password, p.disabled, p.created_at, p.updated_at \
         FROM persons p LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN posts po ON po.id = p.post_id WHERE p.id = $1")
        .bind(id).fetch_optional(c).await)?)
}

pub async fn person_id_by_username(ex: impl Into<Ex<'_>>, username: &str) -> Result<Option<i64>> {
    Ok(
        with_ex!(ex, c => sqlx::query_scalar("SELECT id FROM persons WHERE username = $1").bind(username).fetch_optional(c).await)?,
    )
}

pub async fn credentials(ex: impl Into<Ex<'_>>, username: &str) -> Result<Option<Credentials>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, Credentials>(
        "SELECT p.id, p.password_hash, p.disabled, o.disabled AS org_disabled FROM persons p \
         JOIN organizations o ON o.id = p.organization_id WHERE p.username = $1")
        .bind(username).fetch_optional(c).await)?)
}

pub async fn password_hash(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar("SELECT password_hash FROM persons WHERE id = $1").bind(id).fetch_optional(c).await)?.flatten())
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub search: Option<String>,
    pub unit_id: Option<i64>,
    /// Only people in units whose path starts with one of these (a visibility scope);
    /// `None` means the whole organization.
    pub unit_paths: Option<Vec<String>>,
    pub include_disabled: bool,
}

/// One page of an organization's people, with unit and post names joined in (no N+1).
pub async fn list_people(
    ex: impl Into<Ex<'_>>,
    org: i64,
    f: &PeopleFilter,
    page: PageRequest,
) -> Result<(Vec<PersonRow>, u64)> {
    let mut ex = ex.into();
    if f.unit_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok((vec![], 0));
    }
    let pattern = like_contains(f.search.as_deref().unwrap_or("").trim());
    // The scope is a short list of subtree prefixes; each becomes one bound LIKE term.
    let build = |count: bool| {
        let mut sql = String::from(if count {
            "SELECT COUNT(*) FROM persons p LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN posts po ON po.id = p.post_id"
        } else {
            PERSON_SELECT
        });
        sql.push_str(
            " WHERE p.organization_id = $1 AND (p.display_name LIKE $2 ESCAPE '\\' OR p.username LIKE $2 ESCAPE '\\') \
             AND ($3 OR NOT p.disabled) AND ($4 IS NULL OR p.unit_id = $4)",
        );
        let mut n = 4;
        if let Some(paths) = &f.unit_paths {
            let terms: Vec<String> = paths
                .iter()
                .map(|_| {
                    n += 1;
                    format!("u.path LIKE ${n}")
                })
                .collect();
            sql.push_str(&format!(" AND ({})", terms.join(" OR ")));
        }
        if !count {
            sql.push_str(&format!(
                " ORDER BY u.path, p.display_name, p.id LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ));
        }
        sql
    };
    let prefixes: Vec<String> = f
        .unit_paths
        .iter()
        .flatten()
        .map(|p| format!("{p}%"))
        .collect();
    let count_sql = sqlx::AssertSqlSafe(build(true));
    let total: i64 = with_ex!(&mut ex, c => {
        let mut q = sqlx::query_scalar(count_sql).bind(org).bind(&pattern).bind(f.include_disabled).bind(f.unit_id);
        for p in &prefixes { q = q.bind(p); }
        q.fetch_one(c).await
    })?;
    let list_sql = sqlx::AssertSqlSafe(build(false));
    let rows = with_ex!(&mut ex, c => {
        let mut q = sqlx::query_as::<_, PersonRow>(list_sql).bind(org).bind(&pattern).bind(f.include_disabled).bind(f.unit_id);
        for p in &prefixes { q = q.bind(p); }
        q.bind(page.limit()).bind(page.offset()).fetch_all(c).await
    })?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub async fn update_person(
    tx: &mut Tx,
    id: i64,
    d: &PersonDraft,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE persons SET username = $1, display_name = $2, unit_id = $3, post_id = $4, email = $5, phone = $6, updated_at = $7 WHERE id = $8")
        .bind(&d.username).bind(&d.display_name).bind(d.unit_id.map(|u| u.0)).bind(d.post_id.map(|p| p.0))
        .bind(&d.email).bind(&d.phone).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_person_disabled(
    tx: &mut Tx,
    id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE persons SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    // The password being replaced joins the person's history.
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO password_history (person_id, hash, created_at) \
         SELECT id, password_hash, $2 FROM persons WHERE id = $1 AND password_hash IS NOT NULL")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query("UPDATE persons SET password_hash = $1, must_change_password = $2, updated_at = $3, password_changed_at = $3 WHERE id = $4")
        .bind(hash).bind(must_change).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The hashes of a person's `n` latest earlier passwords, newest first.
pub async fn earlier_password_hashes(
    ex: impl Into<Ex<'_>>,
    person: i64,
    n: i64,
) -> Result<Vec<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT hash FROM password_history WHERE person_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(person).bind(n).fetch_all(c).await)?)
}

/// When the person's password was last set.
pub async fn password_changed_at(
    ex: impl Into<Ex<'_>>,
    person: i64,
) -> Result<Option<DateTime<Utc>>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT password_changed_at FROM persons WHERE id = $1")
        .bind(person).fetch_optional(c).await)?
    .flatten())
}

/// Asks the person to change their password at once (it grew too old).
pub async fn require_password_change(tx: &mut Tx, person: i64) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE persons SET must_change_password = TRUE WHERE id = $1")
        .bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The organization's password policy, if its security administrator set one.
pub async fn password_policy(
    ex: impl Into<Ex<'_>>,
    org: i64,
) -> Result<Option<domain::password::PasswordPolicy>> {
    let row: Option<(i64, i64, i64, Option<i64>)> = with_ex!(ex, c => sqlx::query_as(
        "SELECT min_length, min_classes, history, max_age_days FROM password_policies WHERE organization_id = $1")
        .bind(org).fetch_optional(c).await)?;
    let d = domain::password::PasswordPolicy::default();
    Ok(row.map(
        |(min_length, min_classes, history, max_age)| domain::password::PasswordPolicy {
            min_length: u32::try_from(min_length).unwrap_or(d.min_length),
            min_classes: u32::try_from(min_classes).unwrap_or(d.min_classes),
            history: u32::try_from(history).unwrap_or(d.history),
            max_age_days: max_age.and_then(|d| u32::try_from(d).ok()),
        },
    ))
}

pub async fn set_password_policy(
    tx: &mut Tx,
    org: i64,
    p: &domain::password::PasswordPolicy,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO password_policies (organization_id, min_length, min_classes, history, max_age_days, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organization_id) DO UPDATE SET min_length = $2, min_classes = $3, \
         history = $4, max_age_days = $5, updated_at = $6, updated_by = $7")
        .bind(org).bind(i64::from(p.min_length)).bind(i64::from(p.min_classes)).bind(i64::from(p.history))
        .bind(p.max_age_days.map(i64::from)).bind(now).bind(by)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- roles ----

pub async fn roles_of(ex: impl Into<Ex<'_>>, person: i64) -> Result<Vec<RoleRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, RoleRow>(
        "SELECT r.id, r.person_id, r.organization_id, r.role, r.unit_id, u.name AS unit_name FROM role_assignments r \
         LEFT JOIN units u ON u.id = r.unit_id WHERE r.person_id = $1 ORDER BY r.id")
        .bind(person).fetch_all(c).await)?)
}

/// The role grants of many people at once (for list pages).
pub async fn roles_of_many(ex: impl Into<Ex<'_>>, people: &[i64]) -> Result<Vec<RoleRow>> {
    if people.is_empty() {
        return Ok(vec![]);
    }
    let placeholders: Vec<String> = (1..=people.len()).map(|i| format!("${i}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT r.id, r.person_id, r.organization_id, r.role, r.unit_id, u.name AS unit_name FROM role_assignments r \
         LEFT JOIN units u ON u.id = r.unit_id WHERE r.person_id IN ({}) ORDER BY r.person_id, r.id",
        placeholders.join(", ")
    ));
    Ok(with_ex!(ex, c => {
        let mut q = sqlx::query_as::<_, RoleRow>(sql);
        for p in people { q = q.bind(p); }
        q.fetch_all(c).await
    })?)
}

pub async fn get_role(ex: impl Into<Ex<'_>>, id: i64) -> Result<Option<RoleRow>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, RoleRow>(
        "SELECT r.id, r.person_id, r.organization_id, r.role, r.unit_id, u.name AS unit_name FROM role_assignments r \
         LEFT JOIN units u ON u.id = r.unit_id WHERE r.id = $1")
        .bind(id).fetch_optional(c).await)?)
}

pub async fn insert_role(
    tx: &mut Tx,
    person: i64,
    org: i64,
    role: &str,
    unit: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO role_assignments (person_id, organization_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(person).bind(org).bind(role).bind(unit).bind(now).fetch_one(c).await)?)
}

pub async fn delete_role(tx: &mut Tx, id: i64) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM role_assignments WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many enabled admins an organization has (the last one cannot be removed).
/// The top-level organizations where nobody enabled holds `role` (which reaches the
/// organizations below too).
pub async fn top_organizations_without(ex: impl Into<Ex<'_>>, role: &str) -> Result<Vec<String>> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT o.name FROM organizations o WHERE o.parent_id IS NULL AND NOT EXISTS (\
         SELECT 1 FROM role_assignments r JOIN persons p ON p.id = r.person_id \
         WHERE r.organization_id = o.id AND r.role = $1 AND NOT p.disabled) ORDER BY o.id")
        .bind(role).fetch_all(c).await)?)
}

/// How many people of the organization, not disabled, hold `role`.
pub async fn count_holders(ex: impl Into<Ex<'_>>, org: i64, role: &str) -> Result<i64> {
    Ok(with_ex!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_assignments r JOIN persons p ON p.id = r.person_id \
         WHERE r.organization_id = $1 AND r.role = $2 AND NOT p.disabled")
        .bind(org).bind(role).fetch_one(c).await)?)
}

// ---- leaders in charge ----

pub async fn led_units(ex: impl Into<Ex<'_>>, leader: i64) -> Result<Vec<(i64, String)>> {
    Ok(with_ex!(ex, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT u.id, u.name FROM leader_units l JOIN units u ON u.id = l.unit_id WHERE l.leader_id = $1 ORDER BY u.path")
        .bind(leader).fetch_all(c).await)?)
}

pub async fn set_led_units(tx: &mut Tx, leader: i64, org: i64, units: &[i64]) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM leader_units WHERE leader_id = $1").bind(leader).execute(c).await.map(|r| r.rows_affected()))?;
    for u in units {
        with_tx!(tx, c => sqlx::query("INSERT INTO leader_units (leader_id, unit_id, organization_id) VALUES ($1, $2, $3)")
            .bind(leader).bind(u).bind(org).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn count_people(ex: impl Into<Ex<'_>>) -> Result<i64> {
    Ok(with_ex!(ex, c => sqlx::query_scalar("SELECT COUNT(*) FROM persons").fetch_one(c).await)?)
}
