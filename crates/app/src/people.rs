//! Use cases for people: list and show (scoped by `domain::policy`), create, edit, disable,
//! reset passwords, grant and revoke roles, and set the units a leader is in charge of.

use domain::org::{PersonInput, RoleGrant};
use domain::page::{Page, PageRequest};
use domain::policy::{Action, Visibility};
use domain::validate::Validator;
use domain::{OrganizationId, Role, UnitId};
use serde::Serialize;
use serde_json::json;
use store::people::{PeopleFilter, PersonRow, RoleRow};

use crate::auth::{generate_password, hash_password};
use crate::error::unique_as_field;
use crate::{App, AppError, Caller, Result};

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    #[serde(flatten)]
    pub person: PersonRow,
    pub roles: Vec<RoleRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonDetail {
    #[serde(flatten)]
    pub person: PersonRow,
    pub roles: Vec<RoleRow>,
    pub led_units: Vec<(i64, String)>,
    /// For administrators: the person's API tokens, newest first.
    pub api_tokens: Vec<crate::ApiToken>,
}

/// A new person: the profile, and optionally an initial password (otherwise one is generated
/// and returned once; the person must change it at first sign-in).
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub profile: PersonInput,
    pub password: Option<String>,
}

fn person_json(p: &PersonRow) -> serde_json::Value {
    json!({
        "username": p.username, "display_name": p.display_name, "unit_id": p.unit_id, "post_id": p.post_id,
        "email": p.email, "phone": p.phone, "disabled": p.disabled,
    })
}

impl App {
    pub(crate) async fn person(&self, id: i64) -> Result<PersonRow> {
        store::people::get_person(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    fn person_path(p: &PersonRow) -> Vec<UnitId> {
        p.unit_path
            .as_deref()
            .map(store::org::path_ids)
            .unwrap_or_default()
            .into_iter()
            .map(UnitId)
            .collect()
    }

    /// The people of an organization the caller may see, with their roles.
    pub async fn list_people(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &PeopleFilter,
        page: PageRequest,
    ) -> Result<Page<PersonView>> {
        self.organization(org).await?;
        let mut f = filter.clone();
        match caller {
            Caller::System => {}
            Caller::Person(i) => match i.actor.people_visibility(OrganizationId(org)) {
                Visibility::All => {}
                Visibility::Nothing => return Err(AppError::Forbidden),
                Visibility::Units(roots) => {
                    let mut paths = Vec::new();
                    for r in roots {
                        if let Some(u) = store::org::get_unit(&self.db, r.0).await? {
                            paths.push(u.path);
                        }
                    }
                    f.unit_paths = Some(paths);
                }
            },
        }
        let (rows, total) = store::people::list_people(&self.db, org, &f, page).await?;
        let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let roles = store::people::roles_of_many(&self.db, &ids).await?;
        let items = rows
            .into_iter()
            .map(|p| {
                let roles = roles
                    .iter()
                    .filter(|r| r.person_id == p.id)
                    .cloned()
                    .collect();
                PersonView { person: p, roles }
            })
            .collect();
        Ok(Page::new(items, page, total))
    }

    pub async fn get_person(&self, caller: Caller<'_>, id: i64) -> Result<PersonDetail> {
        let person = self.person(id).await?;
        let path = Self::person_path(&person);
        caller.authorize(Action::ViewPerson {
            org: OrganizationId(person.organization_id),
            person: domain::PersonId(id),
            unit_path: &path,
        })?;
        let roles = store::people::roles_of(&self.db, id).await?;
        let led_units = store::people::led_units(&self.db, id).await?;
        let secure = caller
            .authorize(Action::ManageSecurity {
                org: OrganizationId(person.organization_id),
            })
            .is_ok();
        let api_tokens = if secure {
            self.api_tokens(caller, id).await?
        } else {
            vec![]
        };
        Ok(PersonDetail {
            person,
            roles,
            led_units,
            api_tokens,
        })
    }

    /// Checks that a unit and post belong to the organization and fit together.
    async fn check_placement(
        &self,
        tx: &mut store::Tx,
        org: i64,
        unit: Option<UnitId>,
        post: Option<domain::PostId>,
    ) -> Result<()> {
        let mut v = Validator::new();
        if let Some(u) = unit {
            match store::org::get_unit(&mut *tx, u.0)
                .await?
                .filter(|x| x.organization_id == org)
            {
                None => v.fail("unit_id", "not_found"),
                Some(x) if x.disabled => v.fail("unit_id", "disabled"),
                Some(_) => {}
            }
        }
        if let Some(p) = post {
            match store::org::get_post(&mut *tx, p.0).await? {
                Some(x) if Some(UnitId(x.unit_id)) == unit && !x.disabled => {}
                Some(x) if x.disabled => v.fail("post_id", "disabled"),
                _ => v.fail("post_id", "post_not_in_unit"),
            }
        }
        Ok(v.finish()?)
    }

    /// Creates a person; returns the id and, if no password was given, the generated one.
    pub async fn create_person(
        &self,
        caller: Caller<'_>,
        org: i64,
        input: &NewPerson,
    ) -> Result<(i64, Option<String>)> {
        let o = self.organization(org).await?;
        caller.authorize(Action::Administer {
            org: OrganizationId(org),
        })?;
        let mut v = Validator::new();
        let password = input
            .password
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| v.password("password", p));
        let draft = match (input.profile.validate(), v.finish()) {
            (Ok(d), Ok(())) => d,
            (Err(mut a), Err(b)) => {
                a.0.extend(b.0);
                return Err(a.into());
            }
            (Err(e), _) | (_, Err(e)) => return Err(e.into()),
        };
        if o.disabled {
            return Err(AppError::field("organization_id", "disabled"));
        }
        let (password, generated) = match password {
            Some(p) => {
                self.check_new_password(
                    org,
                    None,
                    &draft.username,
                    &draft.display_name,
                    &p,
                    "password",
                )
                .await?;
                (p, None)
            }
            None => {
                let p = generate_password();
                (p.clone(), Some(p))
            }
        };
        let hash = hash_password(&password)?;
        let mut tx = self.db.begin().await?;
        self.check_placement(&mut tx, org, draft.unit_id, draft.post_id)
            .await?;
        let id = store::people::insert_person(
            &mut tx,
            org,
            &draft,
            &hash,
            generated.is_some(),
            self.now(),
        )
        .await
        .map_err(|e| unique_as_field(e, "persons_username_key", "persons.username", "username"))?;
        let created = store::people::get_person(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "person.create",
                entity: "person",
                entity_id: Some(id),
                after: Some(person_json(&created)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, generated))
    }

    pub async fn update_person(
        &self,
        caller: Caller<'_>,
        id: i64,
        input: &PersonInput,
    ) -> Result<()> {
        let draft = input.validate()?;
        let before = self.person(id).await?;
        let org = before.organization_id;
        caller.authorize(Action::Administer {
            org: OrganizationId(org),
        })?;
        let mut tx = self.db.begin().await?;
        self.check_placement(&mut tx, org, draft.unit_id, draft.post_id)
            .await?;
        store::people::update_person(&mut tx, id, &draft, self.now())
            .await
            .map_err(|e| {
                unique_as_field(e, "persons_username_key", "persons.username", "username")
            })?;
        let after = store::people::get_person(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "person.update",
                entity: "person",
                entity_id: Some(id),
                before: Some(person_json(&before)),
                after: Some(person_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables (or re-enables) a person. Disabling ends their sessions and revokes nothing
    /// else: the record and its history stay.
    pub async fn set_person_disabled(
        &self,
        caller: Caller<'_>,
        id: i64,
        disabled: bool,
    ) -> Result<()> {
        let before = self.person(id).await?;
        caller.authorize(Action::Administer {
            org: OrganizationId(before.organization_id),
        })?;
        if disabled && caller.actor_id() == Some(id) {
            return Err(AppError::field("disabled", "cannot_disable_self"));
        }
        let mut tx = self.db.begin().await?;
        if disabled {
            // The last holder of any of the three administrators' roles stays enabled.
            for r in store::people::roles_of(&mut tx, id).await? {
                let administrator = Role::parse(&r.role).is_some_and(Role::is_administrator);
                if administrator
                    && store::people::count_holders(&mut tx, before.organization_id, &r.role)
                        .await?
                        <= 1
                {
                    return Err(AppError::field("disabled", "last_admin"));
                }
            }
        }
        store::people::set_person_disabled(&mut tx, id, disabled, self.now()).await?;
        if disabled {
            store::auth::delete_sessions_of(&mut tx, id, None).await?;
        }
        let action = if disabled {
            "person.disable"
        } else {
            "person.enable"
        };
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: before.organization_id,
                action,
                entity: "person",
                entity_id: Some(id),
                before: Some(person_json(&before)),
                after: Some(json!({ "disabled": disabled })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The top-level organizations that lack one of the three administrators, with the role
    /// missing (an installation upgraded from a single administrator has no security or audit
    /// administrator until the operator makes them: `xiaohao user add … --role …`).
    pub async fn missing_administrators(&self) -> Result<Vec<(String, Role)>> {
        let mut out = Vec::new();
        for role in [Role::Admin, Role::SecurityAdmin, Role::AuditAdmin] {
            for org in store::people::top_organizations_without(&self.db, role.as_str()).await? {
                out.push((org, role));
            }
        }
        Ok(out)
    }

    /// Under 三员分立, refuses a person's action on one of the three administrators (the
    /// system, on the server, may): `code` names why.
    async fn refuse_for_administrator(
        &self,
        tx: &mut store::Tx,
        caller: Caller<'_>,
        person: i64,
        code: &'static str,
    ) -> Result<()> {
        if self.config.single_admin || caller.actor_id().is_none() {
            return Ok(());
        }
        let held = store::people::roles_of(tx, person).await?;
        if held
            .iter()
            .filter_map(|r| Role::parse(&r.role))
            .any(Role::is_administrator)
        {
            return Err(AppError::field("person", code));
        }
        Ok(())
    }

    /// Sets a new random password (returned once) that must be changed at next sign-in, ends
    /// the person's sessions and revokes their API tokens.
    pub async fn reset_password(&self, caller: Caller<'_>, id: i64) -> Result<String> {
        let person = self.person(id).await?;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(person.organization_id),
        })?;
        // An administrator's password is not the security administrator's to know: else they
        // could sign in as the system or audit administrator. The operator resets it on the
        // server (`xiaohao user reset-password`).
        let password = generate_password();
        let hash = hash_password(&password)?;
        let mut tx = self.db.begin().await?;
        self.refuse_for_administrator(&mut tx, caller, id, "administrator_account")
            .await?;
        store::people::set_password(&mut tx, id, &hash, true, self.now()).await?;
        store::auth::delete_sessions_of(&mut tx, id, None).await?;
        // Whoever might have had the old password might have made tokens with it too.
        let tokens = store::auth::revoke_tokens(&mut tx, id, None, self.now()).await?;
        store::auth::clear_account_throttle(&mut tx, &person.username).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: person.organization_id,
                action: "person.reset_password",
                entity: "person",
                entity_id: Some(id),
                after: Some(json!({ "tokens_revoked": tokens })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }

    /// An administrator lifts the sign-in locks and delays on a person's account, from every
    /// client; returns how many were lifted.
    pub async fn unlock_sign_in(&self, caller: Caller<'_>, id: i64) -> Result<u64> {
        let person = self.person(id).await?;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(person.organization_id),
        })?;
        let mut tx = self.db.begin().await?;
        let n = store::auth::clear_account_throttle(&mut tx, &person.username).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: person.organization_id,
                action: "person.unlock_sign_in",
                entity: "person",
                entity_id: Some(id),
                after: Some(json!({ "lifted": n })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn grant_role(
        &self,
        caller: Caller<'_>,
        person: i64,
        role: Option<Role>,
        unit: Option<UnitId>,
    ) -> Result<i64> {
        let grant = RoleGrant::validate(role, unit)?;
        let p = self.person(person).await?;
        let org = p.organization_id;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(org),
        })?;
        if !self.config.single_admin && caller.actor_id() == Some(person) {
            // Nobody widens their own rights: another security administrator grants them.
            return Err(AppError::field("role", "cannot_grant_self"));
        }
        let mut tx = self.db.begin().await?;
        if !self.config.single_admin {
            let held = store::people::roles_of(&mut tx, person).await?;
            if held
                .iter()
                .filter_map(|r| Role::parse(&r.role))
                .any(|r| r.separated_from(grant.role))
            {
                return Err(AppError::field("role", "separation_of_duties"));
            }
        }
        if let Some(u) = grant.unit_id
            && store::org::get_unit(&mut tx, u.0)
                .await?
                .filter(|x| x.organization_id == org)
                .is_none()
        {
            return Err(AppError::field("unit_id", "not_found"));
        }
        let id = store::people::insert_role(
            &mut tx,
            person,
            org,
            grant.role.as_str(),
            grant.unit_id.map(|u| u.0),
            self.now(),
        )
        .await
        .map_err(|e| {
            unique_as_field(
                e,
                "role_assignments_key",
                "role_assignments.person_id",
                "role",
            )
        })?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "role.grant",
                entity: "role_assignment",
                entity_id: Some(id),
                after: Some(
                    json!({ "person_id": person, "role": grant.role, "unit_id": grant.unit_id }),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn revoke_role(&self, caller: Caller<'_>, assignment: i64) -> Result<()> {
        let r = store::people::get_role(&self.db, assignment)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(r.organization_id),
        })?;
        // Nobody removes their own administrator's role, nor the last holder of the roles
        // that manage the organization and its roles.
        let guarded = [
            Role::Admin.as_str(),
            Role::SecurityAdmin.as_str(),
            Role::AuditAdmin.as_str(),
        ];
        if guarded.contains(&r.role.as_str()) && caller.actor_id() == Some(r.person_id) {
            return Err(AppError::field("role", "cannot_remove_own_admin"));
        }
        // (A disabled holder is not counted, so taking their role leaves the count as it is.)
        let mut tx = self.db.begin().await?;
        let holder_enabled = store::people::get_person(&mut tx, r.person_id)
            .await?
            .is_some_and(|p| !p.disabled);
        if guarded.contains(&r.role.as_str())
            && holder_enabled
            && store::people::count_holders(&mut tx, r.organization_id, &r.role).await? <= 1
        {
            return Err(AppError::field("role", "last_admin"));
        }
        store::people::delete_role(&mut tx, assignment).await?;
        if r.role == Role::LeaderInCharge.as_str()
            && !store::people::roles_of(&mut tx, r.person_id)
                .await?
                .iter()
                .any(|x| x.role == r.role)
        {
            store::people::set_led_units(&mut tx, r.person_id, r.organization_id, &[]).await?;
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: r.organization_id,
                action: "role.revoke",
                entity: "role_assignment",
                entity_id: Some(assignment),
                before: Some(
                    json!({ "person_id": r.person_id, "role": r.role, "unit_id": r.unit_id }),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the set of units a leader is in charge of. The person must hold the
    /// leader_in_charge role.
    pub async fn set_led_units(
        &self,
        caller: Caller<'_>,
        person: i64,
        units: &[i64],
    ) -> Result<()> {
        let p = self.person(person).await?;
        let org = p.organization_id;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(org),
        })?;
        let mut tx = self.db.begin().await?;
        let roles = store::people::roles_of(&mut tx, person).await?;
        if !units.is_empty()
            && !roles
                .iter()
                .any(|r| r.role == Role::LeaderInCharge.as_str())
        {
            return Err(AppError::field("unit_ids", "not_a_leader"));
        }
        let mut units = units.to_vec();
        units.sort_unstable();
        units.dedup();
        for u in &units {
            if store::org::get_unit(&mut tx, *u)
                .await?
                .filter(|x| x.organization_id == org)
                .is_none()
            {
                return Err(AppError::field("unit_ids", "not_found"));
            }
        }
        let before = store::people::led_units(&mut tx, person).await?;
        store::people::set_led_units(&mut tx, person, org, &units).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "leader.set_units",
                entity: "person",
                entity_id: Some(person),
                before: Some(
                    json!({ "unit_ids": before.iter().map(|(id, _)| id).collect::<Vec<_>>() }),
                ),
                after: Some(json!({ "unit_ids": units })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
