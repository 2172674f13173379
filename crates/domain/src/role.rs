//! The roles of DOMAIN.md. A person may hold several; each assignment is scoped either to the
//! whole organization or to one unit.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: the organization, units, posts, people and settings.
    Admin,
    /// 安全管理员: roles and their scope, password and session policy, unlocks, tokens.
    SecurityAdmin,
    /// 审计管理员: reads and exports the audit ledger, and changes nothing else.
    AuditAdmin,
    Director,
    LeaderInCharge,
    LeadingGroup,
    Supervisor,
    EfficiencyOfficer,
    PerformanceOfficer,
    DisciplineOfficer,
    UnitHead,
    Staff,
    Display,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::Admin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
        Role::Director,
        Role::LeaderInCharge,
        Role::LeadingGroup,
        Role::Supervisor,
        Role::EfficiencyOfficer,
        Role::PerformanceOfficer,
        Role::DisciplineOfficer,
        Role::UnitHead,
        Role::Staff,
        Role::Display,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::Director => "director",
            Role::LeaderInCharge => "leader_in_charge",
            Role::LeadingGroup => "leading_group",
            Role::Supervisor => "supervisor",
            Role::EfficiencyOfficer => "efficiency_officer",
            Role::PerformanceOfficer => "performance_officer",
            Role::DisciplineOfficer => "discipline_officer",
            Role::UnitHead => "unit_head",
            Role::Staff => "staff",
            Role::Display => "display",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The three administrators of 三员分立 (GB/T 22239-2019 8.1.4): no person holds two of
    /// them, unless the deployment keeps a single administrator by an explicit setting.
    pub fn is_administrator(self) -> bool {
        matches!(self, Role::Admin | Role::SecurityAdmin | Role::AuditAdmin)
    }

    /// Whether someone holding `self` may not also be given `other`: two different
    /// administrators.
    pub fn separated_from(self, other: Role) -> bool {
        self != other && self.is_administrator() && other.is_administrator()
    }

    /// Roles whose assignment names a unit: a unit head or staff member belongs to one unit.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitHead | Role::Staff)
    }

    /// The offices that see across units because they review everyone's work.
    pub fn is_office(self) -> bool {
        matches!(
            self,
            Role::Director
                | Role::LeadingGroup
                | Role::Supervisor
                | Role::EfficiencyOfficer
                | Role::PerformanceOfficer
                | Role::DisciplineOfficer
        )
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_identifier() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
