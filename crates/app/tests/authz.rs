//! Authorization through the app layer: every role against every kind of action, and the
//! boundary between organizations. Each test runs on SQLite and PostgreSQL (`app_test!`).

mod common;

use std::collections::HashMap;

use app::testing::{TEST_PASSWORD, TestApp};
use app::{AppError, Caller, Identity, NewPerson, app_test};
use common::*;
use domain::org::OrganizationInput;
use domain::{OrganizationId, Role, UnitId};
use store::audit::AuditFilter;
use store::org::ListFilter;
use store::people::PeopleFilter;

/// Which people a role may list in its own organization.
#[derive(Debug, Clone, Copy)]
enum People {
    /// Everyone the system sees.
    All,
    /// Exactly these usernames.
    Only(&'static [&'static str]),
    Forbidden,
}

/// One line of the matrix: what the person `who` may do in their own organization.
struct Row {
    who: &'static str,
    /// create_unit, update_unit, set_unit_disabled, create_person, grant_role.
    administer: bool,
    people: People,
    /// get_person of `w.b`, who works in unit B.
    person_in_b: bool,
    /// get_person of `w.a1`, who works in unit A1 (below A).
    person_in_a1: bool,
    audit: bool,
    /// list_units and get_unit.
    structure: bool,
}

/// Unit tree of the fixture:  A ── A1,  B,  scratch,  empty.
/// Unit head and staff work in A; the leader in charge leads B.
const A_SUBTREE: &[&str] = &["r.head", "r.staff", "w.a", "w.a1"];
const LED_B: &[&str] = &["w.b"];

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    Row { who: "r.admin",       administer: true,  people: People::All,             person_in_b: true,  person_in_a1: true,  audit: true,  structure: true },
    Row { who: "r.director",    administer: false, people: People::All,             person_in_b: true,  person_in_a1: true,  audit: false, structure: true },
    Row { who: "r.leader",      administer: false, people: People::Only(LED_B),     person_in_b: true,  person_in_a1: false, audit: false, structure: true },
    Row { who: "r.leading",     administer: false, people: People::All,             person_in_b: true,  person_in_a1: true,  audit: false, structure: true },
    Row { who: "r.supervisor",  administer: false, people: People::All,             person_in_b: true,  person_in_a1: true,  audit: false, structure: true },
    Row { who: "r.efficiency",  administer: false, people: People::All,             person_in_b: true,  person_in_a1: true,  audit: false, structure: true },
    Row { who: "r.performance", administer: false, people: People::All,             person_in_b: true,  person_in_a1: true,  audit: false, structure: true },
    // The discipline office reads the ledger's entries of the cases only (tests/audit.rs).
    Row { who: "r.discipline",  administer: false, people: People::All,             person_in_b: true,  person_in_a1: true,  audit: true,  structure: true },
    Row { who: "r.head",        administer: false, people: People::Only(A_SUBTREE), person_in_b: false, person_in_a1: true,  audit: false, structure: true },
    Row { who: "r.staff",       administer: false, people: People::Only(A_SUBTREE), person_in_b: false, person_in_a1: true,  audit: false, structure: true },
    Row { who: "r.display",     administer: false, people: People::Forbidden,       person_in_b: false, person_in_a1: false, audit: false, structure: false },
];

struct Fixture {
    unit_b: i64,
    scratch: i64,
    empty: i64,
    w_b: i64,
    w_a1: i64,
    ids: HashMap<&'static str, Identity>,
}

async fn fixture(t: &TestApp) -> Fixture {
    let a = t.unit("经济发展局", None).await;
    let a1 = t.unit("企业服务科", Some(a)).await;
    let b = t.unit("规划建设局", None).await;
    let scratch = t.unit("待改名单位", None).await;
    let empty = t.unit("空单位", None).await;

    let mut ids = HashMap::new();
    ids.insert(
        "r.admin",
        t.person("r.admin", None, &[(Role::Admin, None)]).await,
    );
    ids.insert(
        "r.director",
        t.person("r.director", None, &[(Role::Director, None)])
            .await,
    );
    let leader = t
        .person("r.leader", None, &[(Role::LeaderInCharge, None)])
        .await;
    t.app
        .set_led_units(Caller::System, leader.actor.person_id.0, &[b])
        .await
        .expect("led units");
    ids.insert("r.leader", t.identity(leader.actor.person_id.0).await);
    ids.insert(
        "r.leading",
        t.person("r.leading", None, &[(Role::LeadingGroup, None)])
            .await,
    );
    ids.insert(
        "r.supervisor",
        t.person("r.supervisor", None, &[(Role::Supervisor, None)])
            .await,
    );
    ids.insert(
        "r.efficiency",
        t.person("r.efficiency", None, &[(Role::EfficiencyOfficer, None)])
            .await,
    );
    ids.insert(
        "r.performance",
        t.person("r.performance", None, &[(Role::PerformanceOfficer, None)])
            .await,
    );
    ids.insert(
        "r.discipline",
        t.person("r.discipline", None, &[(Role::DisciplineOfficer, None)])
            .await,
    );
    ids.insert(
        "r.head",
        t.person("r.head", Some(a), &[(Role::UnitHead, Some(a))])
            .await,
    );
    ids.insert(
        "r.staff",
        t.person("r.staff", Some(a), &[(Role::Staff, Some(a))])
            .await,
    );
    ids.insert(
        "r.display",
        t.person("r.display", None, &[(Role::Display, None)]).await,
    );
    t.person("w.a", Some(a), &[]).await;
    let w_a1 = t.person("w.a1", Some(a1), &[]).await.actor.person_id.0;
    let w_b = t.person("w.b", Some(b), &[]).await.actor.person_id.0;
    assert_eq!(
        ids["r.leader"].actor.led_units,
        vec![UnitId(b)],
        "the reloaded identity carries the led unit"
    );
    Fixture {
        unit_b: b,
        scratch,
        empty,
        w_b,
        w_a1,
        ids,
    }
}

fn verdict<T>(r: &Result<T, AppError>) -> &'static str {
    match r {
        Ok(_) => "allowed",
        Err(AppError::Forbidden) => "forbidden",
        Err(_) => "failed otherwise",
    }
}

fn expected(allowed: bool) -> &'static str {
    if allowed { "allowed" } else { "forbidden" }
}

/// Runs every action of the matrix as `row.who` and returns the mismatches.
async fn check(t: &TestApp, f: &Fixture, row: &Row) -> Vec<String> {
    let me = &f.ids[row.who];
    let c = Caller::Person(me);
    let who = row.who;
    let mut bad: Vec<String> = Vec::new();
    macro_rules! expect {
        ($action:expr, $allowed:expr, $r:expr) => {{
            let r = $r;
            let got = verdict(&r);
            if got != expected($allowed) {
                bad.push(format!(
                    "{who} / {}: expected {}, got {got} ({:?})",
                    $action,
                    expected($allowed),
                    r.as_ref().err()
                ));
            }
            r.ok()
        }};
    }

    let audit_before = audit_total(t, t.org).await;

    // Administration.
    expect!(
        "create_unit",
        row.administer,
        t.app
            .create_unit(c, t.org, &unit_input(&format!("新单位-{who}"), None))
            .await
    );
    expect!(
        "update_unit",
        row.administer,
        t.app
            .update_unit(c, f.scratch, &unit_input(&format!("改名-{who}"), None))
            .await
    );
    expect!(
        "set_unit_disabled",
        row.administer,
        t.app.set_unit_disabled(c, f.empty, true).await
    );
    let input = NewPerson {
        profile: person_input(&format!("n.{who}"), None),
        password: Some("long-enough-1".into()),
    };
    expect!(
        "create_person",
        row.administer,
        t.app.create_person(c, t.org, &input).await
    );
    expect!(
        "grant_role",
        row.administer,
        t.app.grant_role(c, f.w_b, Some(Role::Display), None).await
    );

    // Reading people.
    let r = t
        .app
        .list_people(c, t.org, &PeopleFilter::default(), all())
        .await;
    match (row.people, r) {
        (People::Forbidden, Err(AppError::Forbidden)) => {}
        (People::All, Ok(page)) => {
            let mut got: Vec<String> = page.items.into_iter().map(|p| p.person.username).collect();
            got.sort();
            let everyone = usernames(t, t.org).await;
            if got != everyone {
                bad.push(format!(
                    "{who} / list_people: expected everyone {everyone:?}, got {got:?}"
                ));
            }
        }
        (People::Only(names), Ok(page)) => {
            let mut got: Vec<String> = page.items.into_iter().map(|p| p.person.username).collect();
            got.sort();
            if got != names {
                bad.push(format!(
                    "{who} / list_people: expected {names:?}, got {got:?}"
                ));
            }
            if page.total != names.len() as u64 {
                bad.push(format!(
                    "{who} / list_people: total {} for {} visible people",
                    page.total,
                    names.len()
                ));
            }
        }
        (want, got) => bad.push(format!(
            "{who} / list_people: expected {want:?}, got {:?}",
            got.map(|p| p.total)
        )),
    }
    expect!(
        "get_person(unit B)",
        row.person_in_b,
        t.app.get_person(c, f.w_b).await
    );
    expect!(
        "get_person(unit A1)",
        row.person_in_a1,
        t.app.get_person(c, f.w_a1).await
    );
    expect!(
        "get_person(self)",
        true,
        t.app.get_person(c, me.actor.person_id.0).await
    );

    // Audit and structure.
    expect!(
        "list_audit",
        row.audit,
        t.app
            .list_audit(c, t.org, &AuditFilter::default(), all())
            .await
    );
    expect!(
        "list_units",
        row.structure,
        t.app
            .list_units(c, t.org, &ListFilter::default(), all())
            .await
    );
    if let Some(detail) = expect!("get_unit", row.structure, t.app.get_unit(c, f.unit_b).await)
        && detail.can_view_people != row.person_in_b
    {
        bad.push(format!(
            "{who} / get_unit: can_view_people is {} for unit B",
            detail.can_view_people
        ));
    }

    // Five audited writes when allowed; a refusal or a read leaves no trace.
    let added = audit_total(t, t.org).await - audit_before;
    let want = if row.administer { 5 } else { 0 };
    if added != want {
        bad.push(format!(
            "{who}: {added} audit entries added, expected {want}"
        ));
    }
    bad
}

app_test!(role_action_matrix, |t| {
    let f = fixture(&t).await;
    assert_eq!(f.ids.len(), MATRIX.len(), "every role has a row");
    let roles: std::collections::BTreeSet<Role> =
        f.ids.values().flat_map(|i| i.actor.roles()).collect();
    assert_eq!(roles.len(), Role::ALL.len(), "the matrix covers every role");

    let units_before = unit_count_all(&t, t.org).await;
    let people_before = people_count(&t, t.org).await;
    let mut bad = Vec::new();
    for row in MATRIX {
        bad.extend(check(&t, &f, row).await);
    }
    assert!(
        bad.is_empty(),
        "authorization matrix mismatches:\n{}",
        bad.join("\n")
    );

    // Only the admin's writes took effect.
    assert_eq!(unit_count_all(&t, t.org).await, units_before + 1);
    assert_eq!(people_count(&t, t.org).await, people_before + 1);
    let units = t
        .app
        .list_units(
            Caller::System,
            t.org,
            &ListFilter {
                include_disabled: true,
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    let new_units: Vec<&str> = units
        .items
        .iter()
        .map(|u| u.unit.name.as_str())
        .filter(|n| n.starts_with("新单位-"))
        .collect();
    assert_eq!(new_units, vec!["新单位-r.admin"]);
    let scratch = units.items.iter().find(|u| u.unit.id == f.scratch).unwrap();
    assert_eq!(scratch.unit.name, "改名-r.admin");
    let empty = units.items.iter().find(|u| u.unit.id == f.empty).unwrap();
    assert!(empty.unit.disabled);
    let names = usernames(&t, t.org).await;
    let created: Vec<&String> = names.iter().filter(|n| n.starts_with("n.")).collect();
    assert_eq!(created, vec!["n.r.admin"]);
    let w_b = t.app.get_person(Caller::System, f.w_b).await.unwrap();
    let roles: Vec<&str> = w_b.roles.iter().map(|r| r.role.as_str()).collect();
    assert_eq!(roles, vec!["display"], "exactly one grant went through");
});

app_test!(
    a_person_without_any_role_sees_structure_but_no_one_else,
    |t| {
        let a = t.unit("党政办", None).await;
        let b = t.unit("财政局", None).await;
        let nobody = t.person("no.roles", Some(a), &[]).await;
        let other = t.person("other.person", Some(b), &[]).await;
        let c = Caller::Person(&nobody);
        assert!(
            t.app
                .list_units(c, t.org, &ListFilter::default(), all())
                .await
                .is_ok()
        );
        assert_forbidden(
            t.app
                .list_people(c, t.org, &PeopleFilter::default(), all())
                .await,
        );
        assert_forbidden(t.app.get_person(c, other.actor.person_id.0).await);
        let me = t.app.get_person(c, nobody.actor.person_id.0).await.unwrap();
        assert_eq!(me.person.username, "no.roles");
        assert!(me.api_tokens.is_empty());
    }
);

app_test!(
    a_leader_sees_the_whole_subtree_of_a_led_unit_and_loses_it_with_the_role,
    |t| {
        let a = t.unit("规划建设局", None).await;
        let a1 = t.unit("重点项目办", Some(a)).await;
        let b = t.unit("征拆办", None).await;
        t.person("p.a", Some(a), &[]).await;
        t.person("p.a1", Some(a1), &[]).await;
        t.person("p.b", Some(b), &[]).await;
        let leader = t
            .person("the.leader", None, &[(Role::LeaderInCharge, None)])
            .await;
        let id = leader.actor.person_id.0;
        // A leader who leads nothing sees no one.
        assert_forbidden(see(&t, &t.identity(id).await).await);

        t.app.set_led_units(Caller::System, id, &[a]).await.unwrap();
        assert_eq!(
            see(&t, &t.identity(id).await).await.unwrap(),
            vec!["p.a", "p.a1"]
        );
        t.app
            .set_led_units(Caller::System, id, &[a, b])
            .await
            .unwrap();
        assert_eq!(
            see(&t, &t.identity(id).await).await.unwrap(),
            vec!["p.a", "p.a1", "p.b"]
        );

        // Led units need the role; revoking the role clears them.
        let plain = t.person("not.leader", None, &[]).await;
        assert_field(
            t.app
                .set_led_units(Caller::System, plain.actor.person_id.0, &[a])
                .await,
            "unit_ids",
            "not_a_leader",
        );
        let detail = t.app.get_person(Caller::System, id).await.unwrap();
        let grant = detail
            .roles
            .iter()
            .find(|r| r.role == "leader_in_charge")
            .unwrap()
            .id;
        t.app.revoke_role(Caller::System, grant).await.unwrap();
        let after = t.app.get_person(Caller::System, id).await.unwrap();
        assert!(
            after.led_units.is_empty(),
            "led units go with the role: {:?}",
            after.led_units
        );
        assert_forbidden(see(&t, &t.identity(id).await).await);
    }
);

/// The usernames `i` may list in the test organization, sorted.
async fn see(t: &TestApp, i: &Identity) -> Result<Vec<String>, AppError> {
    let page = t
        .app
        .list_people(Caller::Person(i), t.org, &PeopleFilter::default(), all())
        .await?;
    let mut v: Vec<String> = page.items.into_iter().map(|p| p.person.username).collect();
    v.sort();
    Ok(v)
}

/// Creates a person in `org` with the given organization-wide roles and returns their identity.
async fn person_in(t: &TestApp, org: i64, username: &str, roles: &[Role]) -> Identity {
    let input = NewPerson {
        profile: person_input(username, None),
        password: Some(TEST_PASSWORD.into()),
    };
    let (id, _) = t
        .app
        .create_person(Caller::System, org, &input)
        .await
        .expect("person");
    for r in roles {
        t.app
            .grant_role(Caller::System, id, Some(*r), None)
            .await
            .expect("role");
    }
    t.identity(id).await
}

app_test!(another_organization_can_neither_see_nor_change_ours, |t| {
    let x = t.unit("督查室", None).await;
    let one_admin = t.person("one.admin", None, &[(Role::Admin, None)]).await;
    let p_one = t
        .person("p.one", Some(x), &[(Role::Staff, Some(x))])
        .await
        .actor
        .person_id
        .0;

    let org2 = t
        .app
        .create_organization(
            Caller::System,
            &OrganizationInput {
                name: "其他工管委".into(),
                code: "other".into(),
                parent_id: None,
            },
        )
        .await
        .unwrap()
        .id;
    let y = t
        .app
        .create_unit(Caller::System, org2, &unit_input("外部单位", None))
        .await
        .unwrap();
    let two_admin = person_in(&t, org2, "two.admin", &[Role::Admin]).await;
    let two_director = person_in(&t, org2, "two.director", &[Role::Director]).await;
    assert_eq!(two_admin.actor.organization_id, OrganizationId(org2));

    let audit_before = audit_total(&t, t.org).await;
    let people_before = usernames(&t, t.org).await;
    let units_before = unit_count_all(&t, t.org).await;

    let c = Caller::Person(&two_admin);
    assert_forbidden(
        t.app
            .list_people(c, t.org, &PeopleFilter::default(), all())
            .await,
    );
    assert_forbidden(
        t.app
            .list_units(c, t.org, &ListFilter::default(), all())
            .await,
    );
    assert_forbidden(t.app.unit_tree(c, t.org).await);
    assert_forbidden(t.app.get_unit(c, x).await);
    assert_forbidden(t.app.get_person(c, p_one).await);
    assert_forbidden(t.app.get_organization(c, t.org).await);
    assert_forbidden(
        t.app
            .list_audit(c, t.org, &AuditFilter::default(), all())
            .await,
    );
    assert_forbidden(
        t.app
            .create_unit(c, t.org, &unit_input("渗透单位", None))
            .await,
    );
    assert_forbidden(t.app.update_unit(c, x, &unit_input("被改名", None)).await);
    assert_forbidden(t.app.set_unit_disabled(c, x, true).await);
    let intruder = NewPerson {
        profile: person_input("intruder", Some(x)),
        password: Some("long-enough-1".into()),
    };
    assert_forbidden(t.app.create_person(c, t.org, &intruder).await);
    assert_forbidden(
        t.app
            .update_person(c, p_one, &person_input("renamed", Some(x)))
            .await,
    );
    assert_forbidden(t.app.grant_role(c, p_one, Some(Role::Admin), None).await);
    assert_forbidden(t.app.set_person_disabled(c, p_one, true).await);
    assert_forbidden(t.app.reset_password(c, p_one).await);
    assert_forbidden(t.app.create_api_token(c, "p.one", "steal").await);
    assert_forbidden(t.app.revoke_api_tokens(c, "one.admin", None).await);

    let d = Caller::Person(&two_director);
    assert_forbidden(
        t.app
            .list_people(d, t.org, &PeopleFilter::default(), all())
            .await,
    );
    assert_forbidden(t.app.get_person(d, p_one).await);
    assert_forbidden(
        t.app
            .list_units(d, t.org, &ListFilter::default(), all())
            .await,
    );

    // The other way round, too.
    let o = Caller::Person(&one_admin);
    assert_forbidden(
        t.app
            .list_people(o, org2, &PeopleFilter::default(), all())
            .await,
    );
    assert_forbidden(t.app.update_unit(o, y, &unit_input("被改名", None)).await);
    assert_forbidden(t.app.get_person(o, two_admin.actor.person_id.0).await);

    // Our admin cannot reach into the other organization through ids either.
    assert_field(
        t.app
            .grant_role(o, p_one, Some(Role::UnitHead), Some(UnitId(y)))
            .await,
        "unit_id",
        "not_found",
    );
    let placed = NewPerson {
        profile: person_input("misplaced", Some(y)),
        password: Some("long-enough-1".into()),
    };
    assert_field(
        t.app.create_person(o, t.org, &placed).await,
        "unit_id",
        "not_found",
    );
    assert_field(
        t.app
            .update_unit(o, x, &unit_input("督查室", Some(y)))
            .await,
        "parent_id",
        "not_found",
    );
    assert_field(
        t.app
            .create_unit(o, t.org, &unit_input("跨组织子单位", Some(y)))
            .await,
        "parent_id",
        "not_found",
    );

    // Nothing of ours changed, and nothing was audited.
    assert_eq!(audit_total(&t, t.org).await, audit_before);
    assert_eq!(usernames(&t, t.org).await, people_before);
    assert_eq!(unit_count_all(&t, t.org).await, units_before);
    let unit = t.app.get_unit(Caller::System, x).await.unwrap().unit;
    assert_eq!(
        (unit.name.as_str(), unit.disabled, unit.parent_id),
        ("督查室", false, None)
    );
    let p = t.app.get_person(Caller::System, p_one).await.unwrap();
    assert!(!p.person.disabled);
    assert_eq!(p.roles.len(), 1);
    assert!(
        t.app.login("p.one", TEST_PASSWORD).await.is_ok(),
        "the password was not reset"
    );

    // Each admin still runs their own organization.
    let made = t
        .app
        .create_unit(c, org2, &unit_input("新单位", None))
        .await
        .unwrap();
    assert!(made > 0);
    let page = t
        .app
        .list_people(c, org2, &PeopleFilter::default(), all())
        .await
        .unwrap();
    let mut seen: Vec<String> = page.items.into_iter().map(|p| p.person.username).collect();
    seen.sort();
    assert_eq!(seen, vec!["two.admin", "two.director"]);
    assert!(
        t.app
            .list_people(o, t.org, &PeopleFilter::default(), all())
            .await
            .is_ok()
    );
});

app_test!(organizations_nest_and_reach_flows_downwards_only, |t| {
    let admin = t.person("city.admin", None, &[(Role::Admin, None)]).await;
    let director = t
        .person("city.director", None, &[(Role::Director, None)])
        .await;
    let u = t.unit("城市管理局", None).await;
    let staff = t
        .person("city.staff", Some(u), &[(Role::Staff, Some(u))])
        .await;
    let c = Caller::Person(&admin);

    // A person creates organizations only below one they administer.
    assert_field(
        t.app
            .create_organization(
                c,
                &OrganizationInput {
                    name: "顶层".into(),
                    code: String::new(),
                    parent_id: None,
                },
            )
            .await,
        "parent_id",
        "required",
    );
    let zone_input = OrganizationInput {
        name: "高新区".into(),
        code: "zone".into(),
        parent_id: Some(OrganizationId(t.org)),
    };
    assert_forbidden(
        t.app
            .create_organization(Caller::Person(&director), &zone_input)
            .await,
    );
    let zone = t.app.create_organization(c, &zone_input).await.unwrap().id;

    // Identities are loaded after the zone exists.
    let admin = t.identity(admin.actor.person_id.0).await;
    let director = t.identity(director.actor.person_id.0).await;
    let staff = t.identity(staff.actor.person_id.0).await;
    assert_eq!(admin.actor.descendant_orgs, vec![OrganizationId(zone)]);
    let zone_unit = t
        .app
        .create_unit(Caller::Person(&admin), zone, &unit_input("园区办", None))
        .await
        .unwrap();
    let zone_admin = person_in(&t, zone, "zone.admin", &[Role::Admin]).await;
    let zone_person = t
        .app
        .create_person(
            Caller::Person(&admin),
            zone,
            &NewPerson {
                profile: person_input("zone.worker", Some(zone_unit)),
                password: None,
            },
        )
        .await
        .unwrap();
    assert!(
        zone_person.1.is_some(),
        "a generated password is returned once"
    );

    // The city's director reads the zone; the city's staff do not.
    let page = t
        .app
        .list_people(
            Caller::Person(&director),
            zone,
            &PeopleFilter::default(),
            all(),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    assert!(
        t.app
            .get_person(Caller::Person(&director), zone_person.0)
            .await
            .is_ok()
    );
    assert_forbidden(
        t.app
            .list_units(Caller::Person(&staff), zone, &ListFilter::default(), all())
            .await,
    );
    assert_forbidden(
        t.app
            .list_people(
                Caller::Person(&staff),
                zone,
                &PeopleFilter::default(),
                all(),
            )
            .await,
    );
    assert_forbidden(
        t.app
            .create_unit(Caller::Person(&director), zone, &unit_input("越权", None))
            .await,
    );

    // The zone's admin cannot climb up to the city.
    let z = Caller::Person(&zone_admin);
    assert_forbidden(t.app.create_unit(z, t.org, &unit_input("越级", None)).await);
    assert_forbidden(
        t.app
            .list_people(z, t.org, &PeopleFilter::default(), all())
            .await,
    );
    assert_forbidden(
        t.app
            .list_audit(z, t.org, &AuditFilter::default(), all())
            .await,
    );
    assert_forbidden(t.app.set_organization_disabled(z, t.org, true).await);
    assert!(
        t.app
            .list_audit(z, zone, &AuditFilter::default(), all())
            .await
            .is_ok()
    );
    assert!(
        t.app
            .list_audit(Caller::Person(&admin), zone, &AuditFilter::default(), all())
            .await
            .is_ok()
    );

    // The city lists itself and the zone; the zone only itself.
    let city_view = t
        .app
        .list_organizations(Caller::Person(&admin), &ListFilter::default(), all())
        .await
        .unwrap();
    assert_eq!(city_view.total, 2);
    let zone_view = t
        .app
        .list_organizations(z, &ListFilter::default(), all())
        .await
        .unwrap();
    assert_eq!(
        zone_view.items.iter().map(|o| o.org.id).collect::<Vec<_>>(),
        vec![zone]
    );
    // An admin cannot disable their own organization.
    assert_field(
        t.app
            .set_organization_disabled(Caller::Person(&admin), t.org, true)
            .await,
        "disabled",
        "cannot_disable_own_organization",
    );
});
