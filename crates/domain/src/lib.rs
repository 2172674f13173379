//! The pure rules of Xiaohao.
//!
//! This crate owns the vocabulary of the system (identifiers, roles, the organization model),
//! the authorization policy, input validation and the audit-chain hash. It performs no IO and
//! never reads the clock: every function that depends on time takes `now` as an argument, so
//! every rule can be tested without a database or HTTP.
#![forbid(unsafe_code)]

pub mod audit;
pub mod awards;
pub mod bulletin;
pub mod cadre;
pub mod cards;
pub mod close;
pub mod consequences;
pub mod evidence;
pub mod figures;
pub mod history;
pub mod ids;
pub mod invariants;
pub mod notify;
pub mod org;
pub mod page;
pub mod password;
pub mod plan;
pub mod plan_table;
pub mod policy;
pub mod role;
pub mod session;
pub mod signoff;
pub mod statistics;
pub mod supervision;
pub mod throttle;
pub mod totp;
pub mod validate;

pub use ids::{OrganizationId, PersonId, PostId, RoleAssignmentId, UnitId};
pub use role::Role;
