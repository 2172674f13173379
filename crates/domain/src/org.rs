//! The organization model: organizations (tenants, possibly nested: a city over its zones),
//! units as a tree inside one organization, posts inside units, and people. This module holds
//! the validated inputs and the tree rules; storage is elsewhere.

use crate::validate::{ValidationErrors, Validator};
use crate::{OrganizationId, PostId, Role, UnitId};

/// Raw fields of an organization as typed into a form or sent as JSON.
#[derive(Debug, Clone, Default)]
pub struct OrganizationInput {
    pub name: String,
    pub code: String,
    pub parent_id: Option<OrganizationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationDraft {
    pub name: String,
    pub code: Option<String>,
    pub parent_id: Option<OrganizationId>,
}

impl OrganizationInput {
    pub fn validate(&self) -> Result<OrganizationDraft, ValidationErrors> {
        let mut v = Validator::new();
        let name = v.name("name", &self.name);
        let code = v.code("code", &self.code);
        v.finish()?;
        Ok(OrganizationDraft {
            name,
            code,
            parent_id: self.parent_id,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    pub name: String,
    pub code: String,
    pub parent_id: Option<UnitId>,
    pub sort_order: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDraft {
    pub name: String,
    pub code: Option<String>,
    pub parent_id: Option<UnitId>,
    pub sort_order: i32,
}

impl UnitInput {
    pub fn validate(&self) -> Result<UnitDraft, ValidationErrors> {
        let mut v = Validator::new();
        let name = v.name("name", &self.name);
        let code = v.code("code", &self.code);
        let sort_order = v.sort_order("sort_order", self.sort_order);
        v.finish()?;
        Ok(UnitDraft {
            name,
            code,
            parent_id: self.parent_id,
            sort_order,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct PostInput {
    pub unit_id: Option<UnitId>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostDraft {
    pub unit_id: UnitId,
    pub name: String,
}

impl PostInput {
    pub fn validate(&self) -> Result<PostDraft, ValidationErrors> {
        let mut v = Validator::new();
        let name = v.name("name", &self.name);
        if self.unit_id.is_none() {
            v.fail("unit_id", "required");
        }
        v.finish()?;
        Ok(PostDraft {
            unit_id: self.unit_id.unwrap_or(UnitId(0)),
            name,
        })
    }
}

/// A person's editable profile. The password is set separately.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<UnitId>,
    pub post_id: Option<PostId>,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDraft {
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<UnitId>,
    pub post_id: Option<PostId>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl PersonInput {
    pub fn validate(&self) -> Result<PersonDraft, ValidationErrors> {
        let mut v = Validator::new();
        let username = v.username("username", &self.username);
        let display_name = v.name("display_name", &self.display_name);
        let email = v.optional_email("email", &self.email);
        let phone = v.optional_phone("phone", &self.phone);
        if self.post_id.is_some() && self.unit_id.is_none() {
            v.fail("post_id", "post_needs_unit");
        }
        v.finish()?;
        Ok(PersonDraft {
            username,
            display_name,
            unit_id: self.unit_id,
            post_id: self.post_id,
            email,
            phone,
        })
    }
}

/// A role to grant. Unit heads and staff belong to a unit; the other roles span the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleGrant {
    pub role: Role,
    pub unit_id: Option<UnitId>,
}

impl RoleGrant {
    pub fn validate(
        role: Option<Role>,
        unit_id: Option<UnitId>,
    ) -> Result<RoleGrant, ValidationErrors> {
        let mut v = Validator::new();
        match role {
            None => v.fail("role", "invalid_role"),
            Some(r) if r.needs_unit() && unit_id.is_none() => v.fail("unit_id", "role_needs_unit"),
            Some(r) if !r.needs_unit() && unit_id.is_some() => {
                v.fail("unit_id", "role_is_organization_wide")
            }
            Some(_) => {}
        }
        v.finish()?;
        Ok(RoleGrant {
            role: role.unwrap_or(Role::Staff),
            unit_id,
        })
    }
}

/// The most levels a unit tree or an organization tree may have; it also bounds every walk up
/// a tree, so that corrupt data can never loop.
pub const MAX_DEPTH: usize = 16;

/// Whether making `new_parent` the parent of `node` would create a cycle, or a tree deeper than
/// [`MAX_DEPTH`]. `parent_of` returns a node's current parent.
pub fn move_is_invalid<T: Copy + PartialEq>(
    node: T,
    new_parent: Option<T>,
    parent_of: impl Fn(T) -> Option<T>,
) -> Option<&'static str> {
    let mut cursor = new_parent;
    let mut depth = 0;
    while let Some(p) = cursor {
        if p == node {
            return Some("parent_cycle");
        }
        depth += 1;
        if depth >= MAX_DEPTH {
            return Some("tree_too_deep");
        }
        cursor = parent_of(p);
    }
    None
}

/// The path from `node` up to its root, `node` first.
pub fn path_to_root<T: Copy + PartialEq>(node: T, parent_of: impl Fn(T) -> Option<T>) -> Vec<T> {
    let mut path = vec![node];
    let mut cursor = parent_of(node);
    while let Some(p) = cursor {
        if path.contains(&p) || path.len() >= MAX_DEPTH {
            break;
        }
        path.push(p);
        cursor = parent_of(p);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tree() -> HashMap<i64, Option<i64>> {
        // 1 ─┬─ 2 ── 4
        //    └─ 3
        HashMap::from([(1, None), (2, Some(1)), (3, Some(1)), (4, Some(2))])
    }

    #[test]
    fn moving_under_a_descendant_or_itself_is_a_cycle() {
        let t = tree();
        let parent = |n: i64| t.get(&n).copied().flatten();
        assert_eq!(move_is_invalid(1, Some(4), parent), Some("parent_cycle"));
        assert_eq!(move_is_invalid(2, Some(2), parent), Some("parent_cycle"));
        assert_eq!(move_is_invalid(4, Some(3), parent), None);
        assert_eq!(move_is_invalid(2, None, parent), None);
    }

    #[test]
    fn paths_go_up_to_the_root() {
        let t = tree();
        assert_eq!(
            path_to_root(4, |n| t.get(&n).copied().flatten()),
            vec![4, 2, 1]
        );
    }

    #[test]
    fn role_grants_check_their_scope() {
        assert!(RoleGrant::validate(Some(Role::Staff), None).is_err());
        assert!(RoleGrant::validate(Some(Role::Director), Some(UnitId(1))).is_err());
        assert!(RoleGrant::validate(None, None).is_err());
        assert_eq!(
            RoleGrant::validate(Some(Role::UnitHead), Some(UnitId(3))),
            Ok(RoleGrant {
                role: Role::UnitHead,
                unit_id: Some(UnitId(3))
            })
        );
    }

    #[test]
    fn person_input_reports_every_bad_field() {
        let input = PersonInput {
            username: "x".into(),
            display_name: "".into(),
            email: "nope".into(),
            post_id: Some(PostId(1)),
            ..Default::default()
        };
        let err = input.validate().unwrap_err();
        for field in ["username", "display_name", "email", "post_id"] {
            assert!(err.for_field(field).is_some(), "{field} should be reported");
        }
    }
}
