//! Use cases for organizations, units and posts: list, show, create, edit, move, disable.
//! Every write is checked against `Action::Administer` for the organization it touches and is
//! audited with its before and after state.

use domain::org::{OrganizationInput, PostInput, UnitInput, move_is_invalid};
use domain::page::{Page, PageRequest};
use domain::policy::Action;
use domain::{OrganizationId, UnitId};
use serde::Serialize;
use serde_json::json;
use store::org::{ListFilter, OrganizationRow, PostRow, UnitRow};

use crate::error::unique_as_field;
use crate::{App, AppError, Caller, Result};

#[derive(Debug, Clone, Serialize)]
pub struct OrganizationView {
    #[serde(flatten)]
    pub org: OrganizationRow,
    pub depth: usize,
}

/// A unit with its depth, for tree-ordered lists and pickers.
#[derive(Debug, Clone, Serialize)]
pub struct UnitNode {
    #[serde(flatten)]
    pub unit: UnitRow,
    pub depth: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitDetail {
    pub unit: UnitRow,
    /// From the top-level unit down to this unit's parent.
    pub ancestors: Vec<(i64, String)>,
    pub children: Vec<UnitRow>,
    pub posts: Vec<PostRow>,
    /// Whether the caller may see the people of this unit.
    pub can_view_people: bool,
}

fn org_json(o: &OrganizationRow) -> serde_json::Value {
    json!({ "name": o.name, "code": o.code, "parent_id": o.parent_id, "disabled": o.disabled })
}

fn unit_json(u: &UnitRow) -> serde_json::Value {
    json!({ "name": u.name, "code": u.code, "parent_id": u.parent_id, "sort_order": u.sort_order, "disabled": u.disabled })
}

fn post_json(p: &PostRow) -> serde_json::Value {
    json!({ "name": p.name, "unit_id": p.unit_id, "disabled": p.disabled })
}

impl App {
    /// Whether the caller may manage roles, passwords, locks and tokens of the organization.
    pub fn can_manage_security(&self, caller: Caller<'_>, org: i64) -> bool {
        caller
            .authorize(Action::ManageSecurity {
                org: OrganizationId(org),
            })
            .is_ok()
    }

    /// Whether the caller may administer an organization (to offer edit links and forms; the
    /// use cases check again).
    pub fn can_administer(&self, caller: Caller<'_>, org: i64) -> bool {
        caller
            .authorize(Action::Administer {
                org: OrganizationId(org),
            })
            .is_ok()
    }

    /// Whether the caller plans the organization's year and months (the key points, the
    /// calendar): for the pages, which ask before they read an upload.
    pub fn can_manage_planning(&self, caller: Caller<'_>, org: i64) -> bool {
        caller
            .authorize(Action::ManagePlanning {
                org: OrganizationId(org),
            })
            .is_ok()
    }

    // ---- organizations ----

    /// The caller's organization and those below it (for the system: all).
    pub async fn list_organizations(
        &self,
        caller: Caller<'_>,
        filter: &ListFilter,
        page: PageRequest,
    ) -> Result<Page<OrganizationView>> {
        let root = match caller {
            Caller::System => "/".to_owned(),
            Caller::Person(i) => {
                let org = i.actor.organization_id;
                caller.authorize(Action::ViewStructure { org })?;
                self.organization(org.0).await?.path
            }
        };
        let (mut rows, mut total) =
            store::org::list_organizations(&self.db, &root, filter, page).await?;
        // The organizations below are listed to those who may open them (as one by one), and
        // to nobody else.
        let listed = rows.len();
        rows.retain(|o| {
            caller
                .authorize(Action::ViewStructure {
                    org: OrganizationId(o.id),
                })
                .is_ok()
        });
        if rows.len() < listed {
            // Whoever may not open one organization below may open none of them: what is
            // left is their own.
            total = u64::try_from(rows.len()).unwrap_or(0);
        }
        let base = root.matches('/').count();
        let items = rows
            .into_iter()
            .map(|o| OrganizationView {
                depth: o.path.matches('/').count().saturating_sub(base.max(2)),
                org: o,
            })
            .collect();
        Ok(Page::new(items, page, total))
    }

    pub async fn get_organization(&self, caller: Caller<'_>, id: i64) -> Result<OrganizationRow> {
        let org = self.organization(id).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(id),
        })?;
        Ok(org)
    }

    pub(crate) async fn organization(&self, id: i64) -> Result<OrganizationRow> {
        store::org::get_organization(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Creates an organization and returns it as created. A person may create organizations
    /// only below their own (a city admin adds a zone); the system may also create top-level
    /// ones.
    pub async fn create_organization(
        &self,
        caller: Caller<'_>,
        input: &OrganizationInput,
    ) -> Result<OrganizationRow> {
        let draft = input.validate()?;
        let parent = match draft.parent_id {
            Some(p) => Some(
                store::org::get_organization(&self.db, p.0)
                    .await?
                    .ok_or(AppError::field("parent_id", "not_found"))?,
            ),
            None => None,
        };
        match (&parent, caller) {
            (Some(p), _) => caller.authorize(Action::Administer {
                org: OrganizationId(p.id),
            })?,
            (None, Caller::Person(_)) => return Err(AppError::field("parent_id", "required")),
            (None, Caller::System) => {}
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let id = store::org::insert_organization(
            &mut tx,
            &draft,
            parent.as_ref().map(|p| p.path.as_str()),
            now,
        )
        .await
        .map_err(|e| name_or_code_taken(e, "organizations"))?;
        let created = store::org::get_organization(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: id,
                action: "organization.create",
                entity: "organization",
                entity_id: Some(id),
                after: Some(org_json(&created)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Renames, re-codes or moves an organization.
    pub async fn update_organization(
        &self,
        caller: Caller<'_>,
        id: i64,
        input: &OrganizationInput,
    ) -> Result<()> {
        let draft = input.validate()?;
        let before = self.organization(id).await?;
        caller.authorize(Action::Administer {
            org: OrganizationId(id),
        })?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::org::update_organization(&mut tx, id, &draft.name, draft.code.as_deref(), now)
            .await
            .map_err(|e| name_or_code_taken(e, "organizations"))?;
        if draft.parent_id.map(|p| p.0) != before.parent_id {
            let new_parent = match draft.parent_id {
                Some(p) => Some(
                    store::org::get_organization(&mut tx, p.0)
                        .await?
                        .ok_or(AppError::field("parent_id", "not_found"))?,
                ),
                None => None,
            };
            match (&new_parent, caller) {
                (Some(p), _) => caller.authorize(Action::Administer {
                    org: OrganizationId(p.id),
                })?,
                (None, Caller::Person(_)) => return Err(AppError::field("parent_id", "required")),
                (None, Caller::System) => {}
            }
            if let Some(p) = &new_parent
                && p.path.starts_with(&before.path)
            {
                return Err(AppError::field("parent_id", "parent_cycle"));
            }
            store::org::move_organization(
                &mut tx,
                id,
                &before.path,
                new_parent.as_ref().map(|p| (p.id, p.path.as_str())),
                now,
            )
            .await?;
        }
        let after = store::org::get_organization(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: id,
                action: "organization.update",
                entity: "organization",
                entity_id: Some(id),
                before: Some(org_json(&before)),
                after: Some(org_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_organization_disabled(
        &self,
        caller: Caller<'_>,
        id: i64,
        disabled: bool,
    ) -> Result<()> {
        let before = self.organization(id).await?;
        caller.authorize(Action::Administer {
            org: OrganizationId(id),
        })?;
        if let Caller::Person(i) = caller
            && i.actor.organization_id.0 == id
            && disabled
        {
            return Err(AppError::field(
                "disabled",
                "cannot_disable_own_organization",
            ));
        }
        let mut tx = self.db.begin().await?;
        store::org::set_organization_disabled(&mut tx, id, disabled, self.now()).await?;
        let action = if disabled {
            "organization.disable"
        } else {
            "organization.enable"
        };
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: id,
                action,
                entity: "organization",
                entity_id: Some(id),
                before: Some(org_json(&before)),
                after: Some(json!({ "disabled": disabled })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- units ----

    pub async fn list_units(
        &self,
        caller: Caller<'_>,
        org: i64,
        filter: &ListFilter,
        page: PageRequest,
    ) -> Result<Page<UnitNode>> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        let (rows, total) = store::org::list_units(&self.db, org, filter, page).await?;
        Ok(Page::new(
            rows.into_iter()
                .map(|u| UnitNode {
                    depth: u.depth(),
                    unit: u,
                })
                .collect(),
            page,
            total,
        ))
    }

    /// Every unit of an organization in tree order (parents before children, siblings by
    /// sort order), for pickers.
    pub async fn unit_tree(&self, caller: Caller<'_>, org: i64) -> Result<Vec<UnitNode>> {
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        let all = store::org::all_units(&self.db, org).await?;
        let mut out = Vec::with_capacity(all.len());
        fn walk(parent: Option<i64>, depth: usize, all: &[UnitRow], out: &mut Vec<UnitNode>) {
            for u in all.iter().filter(|u| u.parent_id == parent) {
                out.push(UnitNode {
                    unit: u.clone(),
                    depth,
                });
                if depth < domain::org::MAX_DEPTH {
                    walk(Some(u.id), depth + 1, all, out);
                }
            }
        }
        walk(None, 0, &all, &mut out);
        Ok(out)
    }

    pub(crate) async fn unit(&self, id: i64) -> Result<UnitRow> {
        store::org::get_unit(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn get_unit(&self, caller: Caller<'_>, id: i64) -> Result<UnitDetail> {
        let unit = self.unit(id).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(unit.organization_id),
        })?;
        let path: Vec<UnitId> = unit.path_ids().into_iter().map(UnitId).collect();
        let can_view_people = caller
            .authorize(Action::ViewUnitPeople {
                org: OrganizationId(unit.organization_id),
                unit_path: &path,
            })
            .is_ok();
        let all = store::org::all_units(&self.db, unit.organization_id).await?;
        let ancestors = path[1..]
            .iter()
            .rev()
            .filter_map(|a| {
                all.iter()
                    .find(|u| u.id == a.0)
                    .map(|u| (u.id, u.name.clone()))
            })
            .collect();
        let children = all
            .iter()
            .filter(|u| u.parent_id == Some(id))
            .cloned()
            .collect();
        let (posts, _) = store::org::list_posts(
            &self.db,
            unit.organization_id,
            Some(id),
            &ListFilter {
                include_disabled: true,
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await?;
        Ok(UnitDetail {
            unit,
            ancestors,
            children,
            posts,
            can_view_people,
        })
    }

    async fn checked_parent_unit(
        &self,
        tx: &mut store::Tx,
        org: i64,
        parent: Option<UnitId>,
    ) -> Result<Option<UnitRow>> {
        let Some(p) = parent else { return Ok(None) };
        let row = store::org::get_unit(&mut *tx, p.0)
            .await?
            .filter(|u| u.organization_id == org)
            .ok_or(AppError::field("parent_id", "not_found"))?;
        if row.disabled {
            return Err(AppError::field("parent_id", "disabled"));
        }
        if row.depth() + 1 >= domain::org::MAX_DEPTH {
            return Err(AppError::field("parent_id", "tree_too_deep"));
        }
        Ok(Some(row))
    }

    pub async fn create_unit(
        &self,
        caller: Caller<'_>,
        org: i64,
        input: &UnitInput,
    ) -> Result<i64> {
        let o = self.organization(org).await?;
        caller.authorize(Action::Administer {
            org: OrganizationId(org),
        })?;
        let draft = input.validate()?;
        if o.disabled {
            return Err(AppError::field("organization_id", "disabled"));
        }
        let mut tx = self.db.begin().await?;
        let parent = self
            .checked_parent_unit(&mut tx, org, draft.parent_id)
            .await?;
        let id = store::org::insert_unit(
            &mut tx,
            org,
            &draft,
            parent.as_ref().map(|p| p.path.as_str()),
            self.now(),
        )
        .await
        .map_err(|e| name_or_code_taken(e, "units"))?;
        let created = store::org::get_unit(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "unit.create",
                entity: "unit",
                entity_id: Some(id),
                after: Some(unit_json(&created)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits a unit; a changed parent moves it with its whole subtree.
    pub async fn update_unit(&self, caller: Caller<'_>, id: i64, input: &UnitInput) -> Result<()> {
        let before = self.unit(id).await?;
        let org = before.organization_id;
        caller.authorize(Action::Administer {
            org: OrganizationId(org),
        })?;
        let draft = input.validate()?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::org::update_unit(
            &mut tx,
            id,
            &draft.name,
            draft.code.as_deref(),
            draft.sort_order,
            now,
        )
        .await
        .map_err(|e| name_or_code_taken(e, "units"))?;
        if draft.parent_id.map(|p| p.0) != before.parent_id {
            let all = store::org::all_units(&mut tx, org).await?;
            let parent_of = |u: i64| all.iter().find(|x| x.id == u).and_then(|x| x.parent_id);
            if let Some(code) = move_is_invalid(id, draft.parent_id.map(|p| p.0), parent_of) {
                return Err(AppError::field("parent_id", code));
            }
            let parent = self
                .checked_parent_unit(&mut tx, org, draft.parent_id)
                .await?;
            let subtree_depth = all
                .iter()
                .filter(|u| u.path.starts_with(&before.path))
                .map(|u| u.depth() - before.depth())
                .max()
                .unwrap_or(0);
            if parent.as_ref().map_or(0, |p| p.depth() + 1) + subtree_depth
                >= domain::org::MAX_DEPTH
            {
                return Err(AppError::field("parent_id", "tree_too_deep"));
            }
            store::org::move_unit(&mut tx, &before, parent.as_ref(), now).await?;
        }
        let after = store::org::get_unit(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "unit.update",
                entity: "unit",
                entity_id: Some(id),
                before: Some(unit_json(&before)),
                after: Some(unit_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables (or re-enables) a unit. A unit that still has enabled sub-units or people
    /// cannot be disabled: move or disable them first.
    pub async fn set_unit_disabled(
        &self,
        caller: Caller<'_>,
        id: i64,
        disabled: bool,
    ) -> Result<()> {
        let before = self.unit(id).await?;
        caller.authorize(Action::Administer {
            org: OrganizationId(before.organization_id),
        })?;
        let mut tx = self.db.begin().await?;
        if disabled {
            let (units, people) = store::org::unit_dependents(&mut tx, &before).await?;
            if units > 0 {
                return Err(AppError::field("disabled", "unit_has_subunits"));
            }
            if people > 0 {
                return Err(AppError::field("disabled", "unit_has_people"));
            }
        } else if let Some(parent) = before.parent_id
            && store::org::get_unit(&mut tx, parent)
                .await?
                .is_some_and(|p| p.disabled)
        {
            return Err(AppError::field("disabled", "parent_disabled"));
        }
        store::org::set_unit_disabled(&mut tx, id, disabled, self.now()).await?;
        let action = if disabled {
            "unit.disable"
        } else {
            "unit.enable"
        };
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: before.organization_id,
                action,
                entity: "unit",
                entity_id: Some(id),
                before: Some(unit_json(&before)),
                after: Some(json!({ "disabled": disabled })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- posts ----

    pub async fn list_posts(
        &self,
        caller: Caller<'_>,
        org: i64,
        unit: Option<i64>,
        filter: &ListFilter,
        page: PageRequest,
    ) -> Result<Page<PostRow>> {
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        let (rows, total) = store::org::list_posts(&self.db, org, unit, filter, page).await?;
        Ok(Page::new(rows, page, total))
    }

    pub async fn get_post(&self, caller: Caller<'_>, id: i64) -> Result<PostRow> {
        let post = store::org::get_post(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(post.organization_id),
        })?;
        Ok(post)
    }

    async fn checked_post_unit(&self, tx: &mut store::Tx, org: i64, unit: UnitId) -> Result<()> {
        let u = store::org::get_unit(&mut *tx, unit.0)
            .await?
            .filter(|u| u.organization_id == org)
            .ok_or(AppError::field("unit_id", "not_found"))?;
        if u.disabled {
            return Err(AppError::field("unit_id", "disabled"));
        }
        Ok(())
    }

    pub async fn create_post(
        &self,
        caller: Caller<'_>,
        org: i64,
        input: &PostInput,
    ) -> Result<i64> {
        self.organization(org).await?;
        caller.authorize(Action::Administer {
            org: OrganizationId(org),
        })?;
        let draft = input.validate()?;
        let mut tx = self.db.begin().await?;
        self.checked_post_unit(&mut tx, org, draft.unit_id).await?;
        let id = store::org::insert_post(&mut tx, org, &draft, self.now())
            .await
            .map_err(|e| {
                unique_as_field(
                    e,
                    "posts_unit_name_key",
                    "posts.unit_id, posts.name",
                    "name",
                )
            })?;
        let created = store::org::get_post(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "post.create",
                entity: "post",
                entity_id: Some(id),
                after: Some(post_json(&created)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_post(&self, caller: Caller<'_>, id: i64, input: &PostInput) -> Result<()> {
        let before = store::org::get_post(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let org = before.organization_id;
        caller.authorize(Action::Administer {
            org: OrganizationId(org),
        })?;
        let draft = input.validate()?;
        let mut tx = self.db.begin().await?;
        self.checked_post_unit(&mut tx, org, draft.unit_id).await?;
        store::org::update_post(&mut tx, id, &draft.name, draft.unit_id.0, self.now())
            .await
            .map_err(|e| {
                unique_as_field(
                    e,
                    "posts_unit_name_key",
                    "posts.unit_id, posts.name",
                    "name",
                )
            })?;
        let after = store::org::get_post(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "post.update",
                entity: "post",
                entity_id: Some(id),
                before: Some(post_json(&before)),
                after: Some(post_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_post_disabled(
        &self,
        caller: Caller<'_>,
        id: i64,
        disabled: bool,
    ) -> Result<()> {
        let before = store::org::get_post(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.authorize(Action::Administer {
            org: OrganizationId(before.organization_id),
        })?;
        let mut tx = self.db.begin().await?;
        store::org::set_post_disabled(&mut tx, id, disabled, self.now()).await?;
        let action = if disabled {
            "post.disable"
        } else {
            "post.enable"
        };
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: before.organization_id,
                action,
                entity: "post",
                entity_id: Some(id),
                before: Some(post_json(&before)),
                after: Some(json!({ "disabled": disabled })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Organizations and units have unique names and codes: say which field collided.
fn name_or_code_taken(e: store::StoreError, table: &str) -> AppError {
    let (code_index, name_index) = match table {
        "units" => (
            "units_org_code_key".to_owned(),
            "units_org_name_key".to_owned(),
        ),
        _ => (format!("{table}_code_key"), format!("{table}_name_key")),
    };
    if e.is_unique(&code_index, &format!("{table}.code")) {
        AppError::field("code", "already_taken")
    } else if e.is_unique(&name_index, &format!("{table}.name")) {
        AppError::field("name", "already_taken")
    } else {
        e.into()
    }
}
