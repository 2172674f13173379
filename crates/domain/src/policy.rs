//! Authorization policy: who may do what, decided from the actor's role grants and scope.
//!
//! The `app` layer asks [`authorize`] before every read and write; templates only hide what
//! this already refuses. Scope rules (DOMAIN.md "Roles"):
//! - an admin administers their organization and the organizations below it;
//! - the director and the offices see across all units of their organization, and read the
//!   organizations below it (a city over its zones);
//! - a leader in charge sees the units they lead (and the units below those);
//! - unit heads and staff see their own unit (and the units below it);
//! - a display account sees only the public board.

use crate::org::RoleGrant;
use crate::{OrganizationId, PersonId, Role, UnitId};

/// Who is acting: loaded once per request by the app layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person_id: PersonId,
    pub organization_id: OrganizationId,
    /// The unit the person works in, if any.
    pub unit_id: Option<UnitId>,
    pub grants: Vec<RoleGrant>,
    /// Units this person is leader in charge of.
    pub led_units: Vec<UnitId>,
    /// Organizations below the actor's own, at any depth.
    pub descendant_orgs: Vec<OrganizationId>,
    /// The units the actor belongs to (its own unit and those of its unit-scoped grants) and
    /// every unit above them: a unit on this list contains the actor.
    pub within_units: Vec<UnitId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Create, edit, move or disable organizations, units, posts, people and role grants.
    Administer { org: OrganizationId },
    /// See the unit tree and the posts of an organization.
    ViewStructure { org: OrganizationId },
    /// See the people of a unit: `unit_path` is the unit followed by its ancestors.
    ViewUnitPeople {
        org: OrganizationId,
        unit_path: &'a [UnitId],
    },
    /// See one person. `unit_path` is the path of the person's unit (empty if none).
    ViewPerson {
        org: OrganizationId,
        person: PersonId,
        unit_path: &'a [UnitId],
    },
    /// Read the audit ledger of an organization: the audit administrator (审计管理员).
    ViewAudit { org: OrganizationId },
    /// Read the ledger's entries of the accountability cases: the audit administrator and the
    /// discipline office (纪检监察室), which decides them.
    ViewCaseAudit { org: OrganizationId },
    /// Grant and revoke roles and leaders' units, reset passwords, lift sign-in locks, see and
    /// revoke people's API tokens, set the password policy: the security administrator
    /// (安全管理员).
    ManageSecurity { org: OrganizationId },
    /// Propose, edit and submit a unit's tasks: the unit's heads and staff.
    ProposeForUnit {
        org: OrganizationId,
        unit_path: &'a [UnitId],
    },
    /// Review a unit's proposals as its leader in charge.
    ReviewAsLeader {
        org: OrganizationId,
        unit_path: &'a [UnitId],
    },
    /// The office meeting: decide proposals, add assigned items, arrange the month, decide
    /// change requests (the director and the leading group).
    ArrangeMonth { org: OrganizationId },
    /// Keep the year's key points, the calendar and the month's phase (administrators, the
    /// director and the leading group).
    ManagePlanning { org: OrganizationId },
    /// See a unit's proposals, tasks and plan tables.
    ViewUnitPlan {
        org: OrganizationId,
        unit_path: &'a [UnitId],
    },
    /// Ask to change an arranged task of a unit: the unit's heads.
    RequestChange {
        org: OrganizationId,
        unit_path: &'a [UnitId],
    },
    /// Report progress on a task: its owner, or a head or staff member of its unit.
    ReportProgress {
        org: OrganizationId,
        unit_path: &'a [UnitId],
        owner: Option<PersonId>,
    },
    /// Take part in the open work of the organization: raise and discuss coordination
    /// requests (every member except display accounts).
    Participate { org: OrganizationId },
    /// Confirm and override cards, flag concerns, publish the month's cards (督查室).
    Supervise { org: OrganizationId },
    /// Plan and carry out inspections, record findings and follow-ups: the inspection team
    /// (督查组: the supervision, efficiency and performance offices).
    Inspect { org: OrganizationId },
    /// See covert inspections before they are published: the team and the director.
    ViewCovert { org: OrganizationId },
    /// Issue and revoke the display screen's tokens: administrators and supervisors.
    ManageDisplays { org: OrganizationId },
    /// Submit a unit's sign-off forms (销号审批表) or unfinished statements: its heads.
    SubmitSignOff {
        org: OrganizationId,
        unit_path: &'a [UnitId],
    },
    /// Give an office's opinion in the joint review (三部联审) of a unit's submission: someone
    /// holding the office's role, who does not belong to the unit reviewed.
    ReviewSignOff {
        org: OrganizationId,
        unit_path: &'a [UnitId],
        office: crate::signoff::Office,
    },
    /// Sign off or return a reviewed submission: the leading group (领导小组).
    DecideSignOff { org: OrganizationId },
    /// See the joint review's opinions and the briefing before the bulletin is out: the
    /// offices, the leading group and the director.
    ViewReview { org: OrganizationId },
    /// Edit the year's rule set of scores and bonus: the performance office (绩考办).
    ManageRules { org: OrganizationId },
    /// See the month's bonus withholding list and every unit's score: the offices.
    ViewAllScores { org: OrganizationId },
    /// See one accountability record. A rectification order is the unit's to see; the other
    /// steps are confidential to the discipline office, the director and the person concerned.
    ViewCase {
        org: OrganizationId,
        unit_path: &'a [UnitId],
        person: Option<PersonId>,
        confidential: bool,
    },
    /// Record the verification and decision of a case: the discipline office (纪检监察).
    DecideCase { org: OrganizationId },
    /// See a person's record (干部实绩档案, 能勤绩): the person, the director and the
    /// leading group, who use it for appointments.
    ViewCadre {
        org: OrganizationId,
        person: PersonId,
    },
    /// Urge a task by hand (催办): the supervision and efficiency offices, the director, the
    /// leading group, and the leader in charge of the task's unit.
    UrgeTask {
        org: OrganizationId,
        unit_path: &'a [UnitId],
    },
    /// Configure the organization's notification channels and see their deliveries: an
    /// administrator.
    ManageNotifications { org: OrganizationId },
    /// See the statistics of a period for a subject: the organization's own (any member);
    /// a unit's (its head, the leaders of it, the offices, the discipline office, the
    /// director and the leading group); a person's or a leader's (the person, and the same
    /// offices and leadership).
    ViewStatistics {
        org: OrganizationId,
        subject: StatsSubject<'a>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("forbidden")]
pub struct Denied;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Own,
    Below,
    None,
}

/// Whose statistics are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsSubject<'a> {
    Organization,
    /// A unit, by its path from the root.
    Unit {
        path: &'a [UnitId],
    },
    /// A person: as owner, or as the leader in charge of the units counted.
    Person(PersonId),
}

/// Whether the statistics of `subject` may show the number of persons held accountable: the
/// cases behind it are confidential (the discipline office, the director, and the person's
/// own).
pub fn sees_accountability_counts(
    actor: &Actor,
    org: OrganizationId,
    subject: StatsSubject<'_>,
) -> bool {
    actor.sees_all_cases(org)
        || matches!(subject, StatsSubject::Person(p) if p == actor.person_id && org == actor.organization_id)
}

/// Which people an actor may list in an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// The people of these units and of every unit below them.
    Units(Vec<UnitId>),
    Nothing,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        r.sort();
        r.dedup();
        r
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    fn sees_all_units(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.is_office() || g.role.is_administrator())
    }

    fn reach(&self, org: OrganizationId) -> Reach {
        if org == self.organization_id {
            Reach::Own
        } else if self.descendant_orgs.contains(&org) {
            Reach::Below
        } else {
            Reach::None
        }
    }

    /// Units whose subtrees this actor sees in its own organization (leaders, heads, staff).
    fn unit_roots(&self) -> Vec<UnitId> {
        let mut roots: Vec<UnitId> = self.led_units.clone();
        if self.has(Role::LeaderInCharge) || self.has(Role::UnitHead) || self.has(Role::Staff) {
            roots.extend(self.grants.iter().filter_map(|g| g.unit_id));
            roots.extend(self.unit_id);
        }
        roots.sort();
        roots.dedup();
        roots
    }

    /// Whether one of `roles` is granted for a unit on `unit_path` (the unit or one above it).
    fn member_of(&self, roles: &[Role], unit_path: &[UnitId]) -> bool {
        self.grants
            .iter()
            .any(|g| roles.contains(&g.role) && g.unit_id.is_some_and(|u| unit_path.contains(&u)))
    }

    /// Whether the actor belongs to the unit of `unit_path` (the unit followed by its
    /// ancestors), to a unit above it, or to a unit below it.
    pub fn belongs_to(&self, unit_path: &[UnitId]) -> bool {
        let mut own = self
            .unit_id
            .into_iter()
            .chain(self.grants.iter().filter_map(|g| g.unit_id));
        own.any(|u| unit_path.contains(&u))
            || unit_path
                .first()
                .is_some_and(|unit| self.within_units.contains(unit))
    }

    /// Sees every accountability case of `org`, confidential or not: the discipline office
    /// and the director.
    pub fn sees_all_cases(&self, org: OrganizationId) -> bool {
        self.reach(org) == Reach::Own
            && (self.has(Role::DisciplineOfficer) || self.has(Role::Director))
    }

    /// Sees every unit's cases that are not confidential (rectification orders): the offices.
    pub fn sees_open_cases(&self, org: OrganizationId) -> bool {
        self.reach(org) == Reach::Own && self.grants.iter().any(|g| g.role.is_office())
    }

    /// The units whose open cases this actor sees as their head, each with the units below.
    pub fn headed_units(&self) -> Vec<UnitId> {
        self.grants
            .iter()
            .filter(|g| g.role == Role::UnitHead)
            .filter_map(|g| g.unit_id)
            .collect()
    }

    /// The standing inspection team (督查组): supervision, efficiency and performance staff.
    pub fn on_inspection_team(&self) -> bool {
        self.has(Role::Supervisor)
            || self.has(Role::EfficiencyOfficer)
            || self.has(Role::PerformanceOfficer)
    }

    fn only_display(&self) -> bool {
        !self.grants.is_empty() && self.grants.iter().all(|g| g.role == Role::Display)
    }

    pub fn people_visibility(&self, org: OrganizationId) -> Visibility {
        match self.reach(org) {
            Reach::None => Visibility::Nothing,
            _ if self.sees_all_units() => Visibility::All,
            Reach::Below => Visibility::Nothing,
            Reach::Own => {
                let roots = self.unit_roots();
                if roots.is_empty() {
                    Visibility::Nothing
                } else {
                    Visibility::Units(roots)
                }
            }
        }
    }
}

pub fn authorize(actor: &Actor, action: Action<'_>) -> Result<(), Denied> {
    let allowed = match action {
        Action::Administer { org } => actor.is_admin() && actor.reach(org) != Reach::None,
        Action::ViewAudit { org } => actor.has(Role::AuditAdmin) && actor.reach(org) != Reach::None,
        // The discipline office reads its own organization's cases, as it decides them; the
        // audit administrator the ledger of the organizations below too.
        Action::ViewCaseAudit { org } => {
            (actor.has(Role::AuditAdmin) && actor.reach(org) != Reach::None)
                || (actor.has(Role::DisciplineOfficer) && actor.reach(org) == Reach::Own)
        }
        Action::ManageSecurity { org } => {
            actor.has(Role::SecurityAdmin) && actor.reach(org) != Reach::None
        }
        Action::ViewStructure { org } => match actor.reach(org) {
            Reach::Own => !actor.only_display(),
            Reach::Below => actor.sees_all_units(),
            Reach::None => false,
        },
        Action::ViewUnitPeople { org, unit_path } | Action::ViewUnitPlan { org, unit_path } => {
            unit_people_allowed(actor, org, unit_path)
        }
        Action::ProposeForUnit { org, unit_path } => {
            actor.reach(org) == Reach::Own
                && actor.member_of(&[Role::UnitHead, Role::Staff], unit_path)
        }
        Action::RequestChange { org, unit_path } => {
            actor.reach(org) == Reach::Own && actor.member_of(&[Role::UnitHead], unit_path)
        }
        Action::ReviewAsLeader { org, unit_path } => {
            actor.reach(org) == Reach::Own
                && actor.has(Role::LeaderInCharge)
                && unit_path.iter().any(|u| actor.led_units.contains(u))
        }
        Action::ArrangeMonth { org } => {
            actor.reach(org) == Reach::Own
                && (actor.has(Role::Director) || actor.has(Role::LeadingGroup))
        }
        Action::ManagePlanning { org } => {
            (actor.reach(org) == Reach::Own
                && (actor.has(Role::Director) || actor.has(Role::LeadingGroup)))
                || (actor.is_admin() && actor.reach(org) != Reach::None)
        }
        Action::ReportProgress {
            org,
            unit_path,
            owner,
        } => {
            actor.reach(org) == Reach::Own
                && (owner == Some(actor.person_id)
                    || actor.member_of(&[Role::UnitHead, Role::Staff], unit_path))
        }
        Action::Participate { org } => {
            actor.reach(org) == Reach::Own && !actor.only_display() && !actor.grants.is_empty()
        }
        Action::Supervise { org } => actor.reach(org) == Reach::Own && actor.has(Role::Supervisor),
        Action::Inspect { org } => actor.reach(org) == Reach::Own && actor.on_inspection_team(),
        Action::ViewCovert { org } => {
            actor.reach(org) == Reach::Own
                && (actor.on_inspection_team() || actor.has(Role::Director))
        }
        Action::SubmitSignOff { org, unit_path } => {
            actor.reach(org) == Reach::Own && actor.member_of(&[Role::UnitHead], unit_path)
        }
        Action::ReviewSignOff {
            org,
            unit_path,
            office,
        } => {
            actor.reach(org) == Reach::Own
                && actor.has(office.role())
                && !actor.belongs_to(unit_path)
        }
        Action::DecideSignOff { org } => {
            actor.reach(org) == Reach::Own && actor.has(Role::LeadingGroup)
        }
        Action::ViewReview { org } => {
            actor.reach(org) == Reach::Own && actor.grants.iter().any(|g| g.role.is_office())
        }
        Action::ManageRules { org } => {
            actor.reach(org) == Reach::Own && actor.has(Role::PerformanceOfficer)
        }
        Action::ViewAllScores { org } => {
            actor.reach(org) == Reach::Own && actor.grants.iter().any(|g| g.role.is_office())
        }
        Action::ViewCase {
            org,
            unit_path,
            person,
            confidential,
        } => {
            actor.reach(org) == Reach::Own
                && (actor.sees_all_cases(org)
                    || person == Some(actor.person_id)
                    || (!confidential
                        && (actor.sees_open_cases(org)
                            || actor.member_of(&[Role::UnitHead], unit_path))))
        }
        Action::DecideCase { org } => {
            actor.reach(org) == Reach::Own && actor.has(Role::DisciplineOfficer)
        }
        Action::ViewCadre { org, person } => {
            (person == actor.person_id && org == actor.organization_id)
                || (actor.reach(org) == Reach::Own
                    && (actor.has(Role::Director) || actor.has(Role::LeadingGroup)))
        }
        Action::UrgeTask { org, unit_path } => {
            actor.reach(org) == Reach::Own
                && (actor.has(Role::Supervisor)
                    || actor.has(Role::EfficiencyOfficer)
                    || actor.has(Role::Director)
                    || actor.has(Role::LeadingGroup)
                    || (actor.has(Role::LeaderInCharge)
                        && unit_path.iter().any(|u| actor.led_units.contains(u))))
        }
        Action::ManageNotifications { org } => actor.is_admin() && actor.reach(org) != Reach::None,
        Action::ViewStatistics { org, subject } => {
            let overseer = actor.reach(org) == Reach::Own
                && (actor.has(Role::Director)
                    || actor.has(Role::LeadingGroup)
                    || actor.sees_all_cases(org)
                    || actor.grants.iter().any(|g| g.role.is_office()));
            match subject {
                StatsSubject::Organization => actor.reach(org) != Reach::None,
                StatsSubject::Unit { path } => {
                    overseer
                        || (actor.reach(org) == Reach::Own
                            && (actor.member_of(&[Role::UnitHead], path)
                                || (actor.has(Role::LeaderInCharge)
                                    && path.iter().any(|u| actor.led_units.contains(u)))))
                }
                StatsSubject::Person(p) => {
                    overseer || (p == actor.person_id && org == actor.organization_id)
                }
            }
        }
        Action::ManageDisplays { org } => {
            (actor.is_admin() && actor.reach(org) != Reach::None)
                || (actor.reach(org) == Reach::Own && actor.has(Role::Supervisor))
        }
        Action::ViewPerson {
            org,
            person,
            unit_path,
        } => {
            (person == actor.person_id && org == actor.organization_id)
                || (!unit_path.is_empty() && unit_people_allowed(actor, org, unit_path))
                || (unit_path.is_empty()
                    && actor.sees_all_units()
                    && actor.reach(org) != Reach::None)
        }
    };
    if allowed { Ok(()) } else { Err(Denied) }
}

fn unit_people_allowed(actor: &Actor, org: OrganizationId, unit_path: &[UnitId]) -> bool {
    match actor.people_visibility(org) {
        Visibility::All => true,
        Visibility::Units(roots) => unit_path.iter().any(|u| roots.contains(u)),
        Visibility::Nothing => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: OrganizationId = OrganizationId(1);
    const CHILD: OrganizationId = OrganizationId(2);
    const OTHER: OrganizationId = OrganizationId(3);

    fn actor(grants: &[(Role, Option<i64>)], unit: Option<i64>, led: &[i64]) -> Actor {
        Actor {
            person_id: PersonId(100),
            organization_id: ORG,
            unit_id: unit.map(UnitId),
            grants: grants
                .iter()
                .map(|(role, u)| RoleGrant {
                    role: *role,
                    unit_id: u.map(UnitId),
                })
                .collect(),
            led_units: led.iter().copied().map(UnitId).collect(),
            descendant_orgs: vec![CHILD],
            within_units: unit
                .into_iter()
                .chain(grants.iter().filter_map(|(_, u)| *u))
                .map(UnitId)
                .collect(),
        }
    }

    fn check(a: &Actor, action: Action<'_>, expected: bool) {
        assert_eq!(
            authorize(a, action).is_ok(),
            expected,
            "{action:?} for {:?}",
            a.roles()
        );
    }

    #[test]
    fn urging_is_for_the_offices_and_the_unit_leader() {
        let leader = actor(&[(Role::LeaderInCharge, None)], None, &[20]);
        let supervisor = actor(&[(Role::Supervisor, None)], None, &[]);
        let head = actor(&[(Role::UnitHead, Some(12))], Some(12), &[]);
        let admin = actor(&[(Role::Admin, None)], None, &[]);
        let urge = |p| Action::UrgeTask {
            org: ORG,
            unit_path: p,
        };
        check(&supervisor, urge(PATH_12), true);
        check(&leader, urge(PATH_20), true);
        check(&leader, urge(PATH_12), false);
        check(&head, urge(PATH_12), false);
        check(&admin, urge(PATH_12), false);
        check(&admin, Action::ManageNotifications { org: ORG }, true);
        check(&supervisor, Action::ManageNotifications { org: ORG }, false);
        check(
            &supervisor,
            Action::UrgeTask {
                org: OTHER,
                unit_path: PATH_12,
            },
            false,
        );
    }

    // Unit tree: 10 ─┬─ 11 ── 12
    //                └─ 20
    const PATH_12: &[UnitId] = &[UnitId(12), UnitId(11), UnitId(10)];
    const PATH_20: &[UnitId] = &[UnitId(20), UnitId(10)];

    #[test]
    fn only_admins_administer_and_only_within_reach() {
        let admin = actor(&[(Role::Admin, None)], None, &[]);
        check(&admin, Action::Administer { org: ORG }, true);
        check(&admin, Action::Administer { org: CHILD }, true);
        check(&admin, Action::Administer { org: OTHER }, false);
        // 三员分立: each administrator does their own office's work and no other's.
        let security = actor(&[(Role::SecurityAdmin, None)], None, &[]);
        let audit = actor(&[(Role::AuditAdmin, None)], None, &[]);
        for (who, administer, secure, read_audit) in [
            (&admin, true, false, false),
            (&security, false, true, false),
            (&audit, false, false, true),
        ] {
            check(who, Action::Administer { org: ORG }, administer);
            check(who, Action::ManageSecurity { org: ORG }, secure);
            check(who, Action::ViewAudit { org: ORG }, read_audit);
            check(who, Action::ViewCaseAudit { org: ORG }, read_audit);
            check(who, Action::ManageSecurity { org: OTHER }, false);
            check(who, Action::ViewAudit { org: OTHER }, false);
        }
        for role in [
            Role::Director,
            Role::Supervisor,
            Role::LeadingGroup,
            Role::DisciplineOfficer,
        ] {
            let a = actor(&[(role, None)], None, &[]);
            check(&a, Action::Administer { org: ORG }, false);
            check(&a, Action::ViewAudit { org: ORG }, false);
            check(
                &a,
                Action::ViewCaseAudit { org: ORG },
                role == Role::DisciplineOfficer,
            );
            check(&a, Action::ViewCaseAudit { org: OTHER }, false);
            check(&a, Action::ViewCaseAudit { org: CHILD }, false);
            check(&a, Action::ManageSecurity { org: ORG }, false);
        }
        let staff = actor(&[(Role::Staff, Some(11))], Some(11), &[]);
        check(&staff, Action::Administer { org: ORG }, false);
    }

    #[test]
    fn staff_see_their_own_unit_and_below_but_not_other_units() {
        let staff = actor(&[(Role::Staff, Some(11))], Some(11), &[]);
        check(
            &staff,
            Action::ViewUnitPeople {
                org: ORG,
                unit_path: PATH_12,
            },
            true,
        );
        check(
            &staff,
            Action::ViewUnitPeople {
                org: ORG,
                unit_path: PATH_20,
            },
            false,
        );
        check(
            &staff,
            Action::ViewUnitPeople {
                org: ORG,
                unit_path: &[UnitId(10)],
            },
            false,
        );
        check(&staff, Action::ViewStructure { org: ORG }, true);
        check(&staff, Action::ViewStructure { org: CHILD }, false);
        check(
            &staff,
            Action::ViewPerson {
                org: ORG,
                person: PersonId(100),
                unit_path: &[],
            },
            true,
        );
        check(
            &staff,
            Action::ViewPerson {
                org: ORG,
                person: PersonId(5),
                unit_path: PATH_20,
            },
            false,
        );
        check(
            &staff,
            Action::ViewPerson {
                org: ORG,
                person: PersonId(5),
                unit_path: &[],
            },
            false,
        );
    }

    #[test]
    fn leaders_see_the_units_they_lead() {
        let leader = actor(&[(Role::LeaderInCharge, None)], None, &[20]);
        check(
            &leader,
            Action::ViewUnitPeople {
                org: ORG,
                unit_path: PATH_20,
            },
            true,
        );
        check(
            &leader,
            Action::ViewUnitPeople {
                org: ORG,
                unit_path: PATH_12,
            },
            false,
        );
        assert_eq!(
            leader.people_visibility(ORG),
            Visibility::Units(vec![UnitId(20)])
        );
    }

    #[test]
    fn offices_see_everything_in_their_organization_and_below() {
        for role in [
            Role::Director,
            Role::Supervisor,
            Role::EfficiencyOfficer,
            Role::PerformanceOfficer,
            Role::LeadingGroup,
        ] {
            let a = actor(&[(role, None)], None, &[]);
            check(
                &a,
                Action::ViewUnitPeople {
                    org: ORG,
                    unit_path: PATH_12,
                },
                true,
            );
            check(
                &a,
                Action::ViewUnitPeople {
                    org: CHILD,
                    unit_path: PATH_12,
                },
                true,
            );
            check(
                &a,
                Action::ViewUnitPeople {
                    org: OTHER,
                    unit_path: PATH_12,
                },
                false,
            );
            check(&a, Action::ViewStructure { org: OTHER }, false);
        }
    }

    #[test]
    fn planning_rights() {
        let staff = actor(&[(Role::Staff, Some(11))], Some(11), &[]);
        let head = actor(&[(Role::UnitHead, Some(11))], Some(11), &[]);
        let leader = actor(&[(Role::LeaderInCharge, None)], None, &[20]);
        let director = actor(&[(Role::Director, None)], None, &[]);
        let admin = actor(&[(Role::Admin, None)], None, &[]);
        let supervisor = actor(&[(Role::Supervisor, None)], None, &[]);
        let cases: &[(&Actor, Action<'_>, bool)] = &[
            (
                &staff,
                Action::ProposeForUnit {
                    org: ORG,
                    unit_path: PATH_12,
                },
                true,
            ),
            (
                &staff,
                Action::ProposeForUnit {
                    org: ORG,
                    unit_path: PATH_20,
                },
                false,
            ),
            (
                &staff,
                Action::RequestChange {
                    org: ORG,
                    unit_path: PATH_12,
                },
                false,
            ),
            (
                &head,
                Action::RequestChange {
                    org: ORG,
                    unit_path: PATH_12,
                },
                true,
            ),
            (
                &leader,
                Action::ReviewAsLeader {
                    org: ORG,
                    unit_path: PATH_20,
                },
                true,
            ),
            (
                &leader,
                Action::ReviewAsLeader {
                    org: ORG,
                    unit_path: PATH_12,
                },
                false,
            ),
            (
                &leader,
                Action::ProposeForUnit {
                    org: ORG,
                    unit_path: PATH_20,
                },
                false,
            ),
            (&director, Action::ArrangeMonth { org: ORG }, true),
            (&director, Action::ArrangeMonth { org: CHILD }, false),
            (&admin, Action::ArrangeMonth { org: ORG }, false),
            (&admin, Action::ManagePlanning { org: ORG }, true),
            (&supervisor, Action::ManagePlanning { org: ORG }, false),
            (
                &supervisor,
                Action::ViewUnitPlan {
                    org: ORG,
                    unit_path: PATH_20,
                },
                true,
            ),
            (
                &staff,
                Action::ViewUnitPlan {
                    org: ORG,
                    unit_path: PATH_20,
                },
                false,
            ),
        ];
        for (a, action, expected) in cases {
            check(a, *action, *expected);
        }
    }

    #[test]
    fn supervision_rights() {
        let staff = actor(&[(Role::Staff, Some(11))], Some(11), &[]);
        let head20 = actor(&[(Role::UnitHead, Some(20))], Some(20), &[]);
        let supervisor = actor(&[(Role::Supervisor, None)], None, &[]);
        let efficiency = actor(&[(Role::EfficiencyOfficer, None)], None, &[]);
        let director = actor(&[(Role::Director, None)], None, &[]);
        let leader = actor(&[(Role::LeaderInCharge, None)], None, &[20]);
        let admin = actor(&[(Role::Admin, None)], None, &[]);
        let display = actor(&[(Role::Display, None)], None, &[]);
        let progress = |unit_path, owner| Action::ReportProgress {
            org: ORG,
            unit_path,
            owner,
        };
        let cases: &[(&Actor, Action<'_>, bool)] = &[
            (&staff, progress(PATH_12, None), true),
            (&staff, progress(PATH_20, None), false),
            // The owner reports on their own task even when it sits in another unit.
            (&staff, progress(PATH_20, Some(PersonId(100))), true),
            (&head20, progress(PATH_20, None), true),
            (&leader, progress(PATH_20, None), false),
            (&supervisor, progress(PATH_20, None), false),
            (&supervisor, Action::Supervise { org: ORG }, true),
            (&supervisor, Action::Supervise { org: CHILD }, false),
            (&efficiency, Action::Supervise { org: ORG }, false),
            (&efficiency, Action::Inspect { org: ORG }, true),
            (&director, Action::Inspect { org: ORG }, false),
            (&director, Action::ViewCovert { org: ORG }, true),
            (&efficiency, Action::ViewCovert { org: ORG }, true),
            (&leader, Action::ViewCovert { org: ORG }, false),
            (&head20, Action::ViewCovert { org: ORG }, false),
            (&admin, Action::ViewCovert { org: ORG }, false),
            (&staff, Action::Participate { org: ORG }, true),
            (&display, Action::Participate { org: ORG }, false),
            (&staff, Action::Participate { org: CHILD }, false),
            (&admin, Action::ManageDisplays { org: CHILD }, true),
            (&supervisor, Action::ManageDisplays { org: ORG }, true),
            (&staff, Action::ManageDisplays { org: ORG }, false),
        ];
        for (a, action, expected) in cases {
            check(a, *action, *expected);
        }
    }

    #[test]
    fn sign_off_rights() {
        use crate::signoff::Office;
        let head = actor(&[(Role::UnitHead, Some(11))], Some(11), &[]);
        let staff = actor(&[(Role::Staff, Some(11))], Some(11), &[]);
        // A supervisor who works in unit 20 (督查室 is a unit too).
        let supervisor = actor(&[(Role::Supervisor, None)], Some(20), &[]);
        let leading = actor(&[(Role::LeadingGroup, None)], None, &[]);
        let director = actor(&[(Role::Director, None)], None, &[]);
        // A supervisor in section 13 under unit 11: not for 11, nor for 11's section 12.
        let mut in_section = actor(&[(Role::Supervisor, None)], Some(13), &[]);
        in_section.within_units = vec![UnitId(13), UnitId(11), UnitId(10)];
        const PATH_11: &[UnitId] = &[UnitId(11), UnitId(10)];
        const PATH_13: &[UnitId] = &[UnitId(13), UnitId(11), UnitId(10)];
        let review = |unit_path, office| Action::ReviewSignOff {
            org: ORG,
            unit_path,
            office,
        };
        let submit = |unit_path| Action::SubmitSignOff {
            org: ORG,
            unit_path,
        };
        let cases: &[(&Actor, Action<'_>, bool)] = &[
            (&head, submit(PATH_12), true),
            (&staff, submit(PATH_12), false),
            (&head, submit(PATH_20), false),
            (&supervisor, review(PATH_12, Office::Supervision), true),
            // Not for an office one does not hold, nor for one's own unit.
            (&supervisor, review(PATH_12, Office::Efficiency), false),
            (&supervisor, review(PATH_20, Office::Supervision), false),
            (&head, review(PATH_12, Office::Supervision), false),
            (&in_section, review(PATH_11, Office::Supervision), false),
            (&in_section, review(PATH_13, Office::Supervision), false),
            (&in_section, review(PATH_20, Office::Supervision), true),
            (&in_section, review(PATH_12, Office::Supervision), true),
            (&leading, Action::DecideSignOff { org: ORG }, true),
            (&director, Action::DecideSignOff { org: ORG }, false),
            (&supervisor, Action::DecideSignOff { org: ORG }, false),
            (&director, Action::ViewReview { org: ORG }, true),
            (&supervisor, Action::ViewReview { org: ORG }, true),
            (&head, Action::ViewReview { org: ORG }, false),
            (&leading, Action::ViewReview { org: CHILD }, false),
        ];
        for (a, action, expected) in cases {
            check(a, *action, *expected);
        }
    }

    #[test]
    fn display_accounts_and_people_without_roles_see_little() {
        let display = actor(&[(Role::Display, None)], None, &[]);
        check(&display, Action::ViewStructure { org: ORG }, false);
        assert_eq!(display.people_visibility(ORG), Visibility::Nothing);
        let nobody = actor(&[], None, &[]);
        check(&nobody, Action::ViewStructure { org: ORG }, true);
        check(
            &nobody,
            Action::ViewUnitPeople {
                org: ORG,
                unit_path: PATH_12,
            },
            false,
        );
    }

    #[test]
    fn scores_rules_and_cases_are_for_those_entitled() {
        let performance = actor(&[(Role::PerformanceOfficer, None)], None, &[]);
        let discipline = actor(&[(Role::DisciplineOfficer, None)], None, &[]);
        let director = actor(&[(Role::Director, None)], None, &[]);
        let head_12 = actor(&[(Role::UnitHead, Some(12))], Some(12), &[]);
        let staff_20 = actor(&[(Role::Staff, Some(20))], Some(20), &[]);
        let case = |confidential, person: Option<i64>| Action::ViewCase {
            org: ORG,
            unit_path: PATH_12,
            person: person.map(PersonId),
            confidential,
        };
        let cases: &[(&Actor, Action<'_>, bool)] = &[
            (&performance, Action::ManageRules { org: ORG }, true),
            (&director, Action::ManageRules { org: ORG }, false),
            (&performance, Action::ManageRules { org: CHILD }, false),
            (&performance, Action::ViewAllScores { org: ORG }, true),
            (&head_12, Action::ViewAllScores { org: ORG }, false),
            // A referral: the discipline office, the director and the person concerned.
            (&discipline, case(true, Some(7)), true),
            (&director, case(true, Some(7)), true),
            (&performance, case(true, Some(7)), false),
            (&head_12, case(true, Some(7)), false),
            (&head_12, case(true, Some(100)), true),
            (&staff_20, case(true, Some(7)), false),
            // A rectification order: also the unit's head and the offices.
            (&head_12, case(false, Some(7)), true),
            (&performance, case(false, None), true),
            (&staff_20, case(false, Some(7)), false),
            (&discipline, Action::DecideCase { org: ORG }, true),
            (&director, Action::DecideCase { org: ORG }, false),
            (&discipline, Action::DecideCase { org: CHILD }, false),
            // A person's record: the person, the director, the leading group.
            (
                &director,
                Action::ViewCadre {
                    org: ORG,
                    person: PersonId(7),
                },
                true,
            ),
            (
                &head_12,
                Action::ViewCadre {
                    org: ORG,
                    person: PersonId(100),
                },
                true,
            ),
            (
                &head_12,
                Action::ViewCadre {
                    org: ORG,
                    person: PersonId(7),
                },
                false,
            ),
            (
                &performance,
                Action::ViewCadre {
                    org: ORG,
                    person: PersonId(7),
                },
                false,
            ),
            (
                &discipline,
                Action::ViewCadre {
                    org: ORG,
                    person: PersonId(7),
                },
                false,
            ),
        ];
        for (a, action, expected) in cases {
            check(a, *action, *expected);
        }
    }
}
