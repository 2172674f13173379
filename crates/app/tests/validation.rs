//! Bad input is refused with field errors, and a refused change loses nothing and applies
//! nothing. Both databases.

mod common;

use app::testing::TestApp;
use app::{Caller, NewPerson, app_test};
use common::*;
use domain::org::{OrganizationInput, PersonInput, PostInput, UnitInput};
use domain::{PostId, Role, UnitId};

/// A unit as a snapshot keeps it: id, name, parent, path, disabled.
type UnitState = (i64, String, Option<i64>, String, bool);
/// A person as a snapshot keeps them: username, display name, unit, email, disabled.
type PersonState = (String, String, Option<i64>, Option<String>, bool);

/// What a refused change must leave alone: every unit (with path and state), every person, and
/// the audit chain.
#[derive(Debug, PartialEq)]
struct Snapshot {
    units: Vec<UnitState>,
    people: Vec<PersonState>,
    audit: u64,
}

async fn snapshot(t: &TestApp) -> Snapshot {
    let f = store::org::ListFilter {
        include_disabled: true,
        ..Default::default()
    };
    let units = t
        .app
        .list_units(Caller::System, t.org, &f, all())
        .await
        .unwrap();
    let pf = store::people::PeopleFilter {
        include_disabled: true,
        ..Default::default()
    };
    let people = t
        .app
        .list_people(Caller::System, t.org, &pf, all())
        .await
        .unwrap();
    Snapshot {
        units: units
            .items
            .into_iter()
            .map(|u| {
                (
                    u.unit.id,
                    u.unit.name,
                    u.unit.parent_id,
                    u.unit.path,
                    u.unit.disabled,
                )
            })
            .collect(),
        people: people
            .items
            .into_iter()
            .map(|p| {
                (
                    p.person.username,
                    p.person.display_name,
                    p.person.unit_id,
                    p.person.email,
                    p.person.disabled,
                )
            })
            .collect(),
        audit: audit_total(t, t.org).await,
    }
}

fn new_person(username: &str, email: &str) -> NewPerson {
    NewPerson {
        profile: PersonInput {
            email: email.into(),
            ..person_input(username, None)
        },
        password: Some("long-enough-1".into()),
    }
}

app_test!(create_person_names_every_bad_field, |t| {
    t.person("li.si", None, &[]).await;
    let before = snapshot(&t).await;

    let got = fields(
        t.app
            .create_person(Caller::System, t.org, &new_person("x", "nope"))
            .await,
    );
    assert_eq!(
        got,
        vec![
            ("username".to_owned(), "invalid_username"),
            ("email".to_owned(), "invalid_email")
        ]
    );
    let got = fields(
        t.app
            .create_person(Caller::System, t.org, &new_person("张三", "a@b"))
            .await,
    );
    assert_eq!(
        got,
        vec![
            ("username".to_owned(), "invalid_username"),
            ("email".to_owned(), "invalid_email")
        ]
    );

    // Profile and password errors are reported together.
    let input = NewPerson {
        profile: PersonInput {
            username: "".into(),
            display_name: " ".into(),
            phone: "abc".into(),
            ..Default::default()
        },
        password: Some("short".into()),
    };
    let got = fields(t.app.create_person(Caller::System, t.org, &input).await);
    for (field, code) in [
        ("username", "required"),
        ("display_name", "required"),
        ("phone", "invalid_phone"),
        ("password", "password_too_short"),
    ] {
        assert!(
            got.contains(&(field.to_owned(), code)),
            "{field}: {code} missing from {got:?}"
        );
    }
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(snapshot(&t).await, before);

    // A post needs a unit; a post of another unit does not fit.
    let u = t.unit("党政办", None).await;
    let v = t.unit("财政局", None).await;
    let post = t
        .app
        .create_post(
            Caller::System,
            t.org,
            &PostInput {
                unit_id: Some(UnitId(v)),
                name: "综合岗".into(),
            },
        )
        .await
        .unwrap();
    let before = snapshot(&t).await;
    let input = NewPerson {
        profile: PersonInput {
            post_id: Some(PostId(post)),
            ..person_input("no.unit", None)
        },
        password: None,
    };
    assert_field(
        t.app.create_person(Caller::System, t.org, &input).await,
        "post_id",
        "post_needs_unit",
    );
    let input = NewPerson {
        profile: PersonInput {
            post_id: Some(PostId(post)),
            ..person_input("wrong.unit", Some(u))
        },
        password: None,
    };
    assert_field(
        t.app.create_person(Caller::System, t.org, &input).await,
        "post_id",
        "post_not_in_unit",
    );
    assert_eq!(snapshot(&t).await, before);
    let input = NewPerson {
        profile: PersonInput {
            post_id: Some(PostId(post)),
            ..person_input("right.unit", Some(v))
        },
        password: None,
    };
    let (id, _) = t
        .app
        .create_person(Caller::System, t.org, &input)
        .await
        .unwrap();
    assert_eq!(
        t.app
            .get_person(Caller::System, id)
            .await
            .unwrap()
            .person
            .post_name
            .as_deref(),
        Some("综合岗")
    );
});

app_test!(a_username_is_taken_once_whatever_its_case, |t| {
    t.person("li.si", None, &[]).await;
    let before = snapshot(&t).await;
    assert_field(
        t.app
            .create_person(Caller::System, t.org, &new_person("li.si", ""))
            .await,
        "username",
        "already_taken",
    );
    assert_field(
        t.app
            .create_person(Caller::System, t.org, &new_person(" LI.SI ", ""))
            .await,
        "username",
        "already_taken",
    );
    // Usernames are global: another organization cannot reuse one either.
    let org2 = t
        .app
        .create_organization(
            Caller::System,
            &OrganizationInput {
                name: "其他工管委".into(),
                code: String::new(),
                parent_id: None,
            },
        )
        .await
        .unwrap()
        .id;
    assert_field(
        t.app
            .create_person(Caller::System, org2, &new_person("li.si", ""))
            .await,
        "username",
        "already_taken",
    );
    assert_eq!(snapshot(&t).await, before);
    assert_eq!(people_count(&t, org2).await, 0);

    // Renaming someone onto a taken username is refused too.
    let other = t.person("wang.wu", None, &[]).await.actor.person_id.0;
    let before = snapshot(&t).await;
    assert_field(
        t.app
            .update_person(Caller::System, other, &person_input("Li.Si", None))
            .await,
        "username",
        "already_taken",
    );
    assert_eq!(snapshot(&t).await, before);
    // The original still signs in with their password.
    assert!(
        t.app
            .login("li.si", app::testing::TEST_PASSWORD)
            .await
            .is_ok()
    );
});

app_test!(
    unit_names_and_codes_are_unique_within_an_organization,
    |t| {
        let a = t.unit("督查室", None).await;
        let coded = t
            .app
            .create_unit(
                Caller::System,
                t.org,
                &UnitInput {
                    name: "绩考办".into(),
                    code: "jkb".into(),
                    parent_id: None,
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
        let before = snapshot(&t).await;

        assert_field(
            t.app
                .create_unit(Caller::System, t.org, &unit_input("督查室", None))
                .await,
            "name",
            "already_taken",
        );
        assert_field(
            t.app
                .create_unit(Caller::System, t.org, &unit_input(" 督查室 ", Some(coded)))
                .await,
            "name",
            "already_taken",
        );
        let same_code = UnitInput {
            name: "别的名字".into(),
            code: "jkb".into(),
            parent_id: None,
            sort_order: 0,
        };
        assert_field(
            t.app.create_unit(Caller::System, t.org, &same_code).await,
            "code",
            "already_taken",
        );
        assert_field(
            t.app
                .update_unit(Caller::System, coded, &unit_input("督查室", None))
                .await,
            "name",
            "already_taken",
        );
        let bad = UnitInput {
            name: "".into(),
            code: "督查".into(),
            parent_id: None,
            sort_order: -5,
        };
        let got = fields(t.app.create_unit(Caller::System, t.org, &bad).await);
        assert_eq!(
            got,
            vec![
                ("name".to_owned(), "required"),
                ("code".to_owned(), "invalid_code"),
                ("sort_order".to_owned(), "out_of_range")
            ]
        );
        assert_field(
            t.app
                .create_unit(Caller::System, t.org, &unit_input("子单位", Some(999_999)))
                .await,
            "parent_id",
            "not_found",
        );
        assert_eq!(snapshot(&t).await, before);
        assert_eq!(
            t.app
                .get_unit(Caller::System, coded)
                .await
                .unwrap()
                .unit
                .name,
            "绩考办"
        );

        // The same name in another organization is fine.
        let org2 = t
            .app
            .create_organization(
                Caller::System,
                &OrganizationInput {
                    name: "其他工管委".into(),
                    code: String::new(),
                    parent_id: None,
                },
            )
            .await
            .unwrap()
            .id;
        assert!(
            t.app
                .create_unit(Caller::System, org2, &unit_input("督查室", None))
                .await
                .is_ok()
        );
        assert!(
            t.app
                .create_unit(
                    Caller::System,
                    org2,
                    &UnitInput {
                        name: "绩考办".into(),
                        code: "jkb".into(),
                        parent_id: None,
                        sort_order: 0
                    }
                )
                .await
                .is_ok()
        );
        let _ = a;
    }
);

app_test!(a_unit_cannot_move_under_itself_or_its_descendants, |t| {
    // A ── B ── C,   D
    let a = t.unit("规划建设局", None).await;
    let b = t.unit("村镇建设科", Some(a)).await;
    let c = t.unit("重点项目办", Some(b)).await;
    let d = t.unit("征拆办", None).await;
    let before = snapshot(&t).await;

    // The rename that comes with a refused move is not applied either.
    assert_field(
        t.app
            .update_unit(Caller::System, a, &unit_input("改了名的局", Some(c)))
            .await,
        "parent_id",
        "parent_cycle",
    );
    assert_field(
        t.app
            .update_unit(Caller::System, a, &unit_input("改了名的局", Some(b)))
            .await,
        "parent_id",
        "parent_cycle",
    );
    assert_field(
        t.app
            .update_unit(Caller::System, b, &unit_input("村镇建设科", Some(b)))
            .await,
        "parent_id",
        "parent_cycle",
    );
    assert_field(
        t.app
            .update_unit(Caller::System, a, &unit_input("规划建设局", Some(999_999)))
            .await,
        "parent_id",
        "not_found",
    );
    assert_eq!(snapshot(&t).await, before);

    // A legal move carries the subtree along.
    t.app
        .update_unit(Caller::System, a, &unit_input("规划建设局", Some(d)))
        .await
        .unwrap();
    let c_row = t.app.get_unit(Caller::System, c).await.unwrap();
    assert_eq!(c_row.unit.path_ids(), vec![c, b, a, d]);
    assert_eq!(
        c_row
            .ancestors
            .iter()
            .map(|(id, _)| *id)
            .collect::<Vec<_>>(),
        vec![d, a, b]
    );
    // And now D is a descendant of nothing it contains: moving D under C is a cycle.
    assert_field(
        t.app
            .update_unit(Caller::System, d, &unit_input("征拆办", Some(c)))
            .await,
        "parent_id",
        "parent_cycle",
    );
});

app_test!(unit_trees_have_a_depth_limit, |t| {
    let mut parent = None;
    let mut chain = Vec::new();
    // The deepest legal tree has MAX_DEPTH levels.
    for i in 0..domain::org::MAX_DEPTH {
        let id = t.unit(&format!("第{i}层"), parent).await;
        chain.push(id);
        parent = Some(id);
    }
    let before = snapshot(&t).await;
    assert_field(
        t.app
            .create_unit(Caller::System, t.org, &unit_input("太深", parent))
            .await,
        "parent_id",
        "tree_too_deep",
    );
    // Moving a two-level subtree under the deepest unit but one is also too deep.
    let top = t.unit("另一棵树", None).await;
    t.unit("另一棵树的子单位", Some(top)).await;
    let before2 = snapshot(&t).await;
    assert_field(
        t.app
            .update_unit(
                Caller::System,
                top,
                &unit_input("另一棵树", Some(chain[chain.len() - 2])),
            )
            .await,
        "parent_id",
        "tree_too_deep",
    );
    assert_eq!(snapshot(&t).await, before2);
    assert_eq!(before.units.len() + 2, before2.units.len());
});

app_test!(a_unit_with_people_or_sub_units_cannot_be_disabled, |t| {
    let a = t.unit("经济发展局", None).await;
    let a1 = t.unit("企业服务科", Some(a)).await;
    let lonely = t.unit("空单位", None).await;
    let p = t
        .person("zhang.san", Some(a1), &[(Role::Staff, Some(a1))])
        .await
        .actor
        .person_id
        .0;
    let before = snapshot(&t).await;

    assert_field(
        t.app.set_unit_disabled(Caller::System, a1, true).await,
        "disabled",
        "unit_has_people",
    );
    assert_field(
        t.app.set_unit_disabled(Caller::System, a, true).await,
        "disabled",
        "unit_has_subunits",
    );
    assert_eq!(snapshot(&t).await, before);

    // Move the person out, and the unit can go; then its parent.
    t.app
        .update_person(
            Caller::System,
            p,
            &PersonInput {
                display_name: "张三".into(),
                ..person_input("zhang.san", Some(lonely))
            },
        )
        .await
        .unwrap();
    t.app
        .set_unit_disabled(Caller::System, a1, true)
        .await
        .unwrap();
    t.app
        .set_unit_disabled(Caller::System, a, true)
        .await
        .unwrap();
    assert_eq!(
        unit_count(&t, t.org).await,
        1,
        "only the unit with the person is left enabled"
    );
    assert_eq!(unit_count_all(&t, t.org).await, 3);

    // A disabled unit takes no new children, people or posts; a child cannot be enabled
    // under a disabled parent.
    let before = snapshot(&t).await;
    assert_field(
        t.app
            .create_unit(Caller::System, t.org, &unit_input("新科室", Some(a)))
            .await,
        "parent_id",
        "disabled",
    );
    let input = NewPerson {
        profile: person_input("into.disabled", Some(a)),
        password: None,
    };
    assert_field(
        t.app.create_person(Caller::System, t.org, &input).await,
        "unit_id",
        "disabled",
    );
    assert_field(
        t.app
            .create_post(
                Caller::System,
                t.org,
                &PostInput {
                    unit_id: Some(UnitId(a)),
                    name: "岗位".into(),
                },
            )
            .await,
        "unit_id",
        "disabled",
    );
    assert_field(
        t.app.set_unit_disabled(Caller::System, a1, false).await,
        "disabled",
        "parent_disabled",
    );
    assert_field(
        t.app
            .update_unit(Caller::System, lonely, &unit_input("空单位", Some(a)))
            .await,
        "parent_id",
        "disabled",
    );
    assert_eq!(snapshot(&t).await, before);

    t.app
        .set_unit_disabled(Caller::System, a, false)
        .await
        .unwrap();
    t.app
        .set_unit_disabled(Caller::System, a1, false)
        .await
        .unwrap();
    assert_eq!(unit_count(&t, t.org).await, 3);
    // A disabled person does not keep a unit from being disabled.
    let solo = t.unit("单人单位", None).await;
    let q = t.person("solo", Some(solo), &[]).await.actor.person_id.0;
    assert_field(
        t.app.set_unit_disabled(Caller::System, solo, true).await,
        "disabled",
        "unit_has_people",
    );
    t.app
        .set_person_disabled(Caller::System, q, true)
        .await
        .unwrap();
    t.app
        .set_unit_disabled(Caller::System, solo, true)
        .await
        .unwrap();
});

app_test!(role_grants_check_their_scope_and_duplicates, |t| {
    let u = t.unit("审计局", None).await;
    let p = t.person("qian.qi", Some(u), &[]).await.actor.person_id.0;
    let admin = t.person("the.admin", None, &[(Role::Admin, None)]).await;
    let before = snapshot(&t).await;
    assert_field(
        t.app
            .grant_role(Caller::System, p, Some(Role::Staff), None)
            .await,
        "unit_id",
        "role_needs_unit",
    );
    assert_field(
        t.app
            .grant_role(Caller::System, p, Some(Role::Director), Some(UnitId(u)))
            .await,
        "unit_id",
        "role_is_organization_wide",
    );
    assert_field(
        t.app.grant_role(Caller::System, p, None, None).await,
        "role",
        "invalid_role",
    );
    assert_field(
        t.app
            .grant_role(
                Caller::System,
                p,
                Some(Role::UnitHead),
                Some(UnitId(999_999)),
            )
            .await,
        "unit_id",
        "not_found",
    );
    assert_eq!(snapshot(&t).await, before);

    t.app
        .grant_role(Caller::System, p, Some(Role::Staff), Some(UnitId(u)))
        .await
        .unwrap();
    let before = snapshot(&t).await;
    assert_field(
        t.app
            .grant_role(Caller::System, p, Some(Role::Staff), Some(UnitId(u)))
            .await,
        "role",
        "already_taken",
    );
    t.app
        .grant_role(Caller::System, p, Some(Role::Director), None)
        .await
        .unwrap();
    assert_field(
        t.app
            .grant_role(Caller::System, p, Some(Role::Director), None)
            .await,
        "role",
        "already_taken",
    );
    assert_eq!(snapshot(&t).await.audit, before.audit + 1);
    let roles = t.app.get_person(Caller::System, p).await.unwrap().roles;
    assert_eq!(
        roles.iter().map(|r| r.role.as_str()).collect::<Vec<_>>(),
        vec!["staff", "director"]
    );

    // An admin cannot take away their own admin role.
    let me = t
        .app
        .get_person(Caller::System, admin.actor.person_id.0)
        .await
        .unwrap();
    let grant = me.roles[0].id;
    assert_field(
        t.app.revoke_role(Caller::Person(&admin), grant).await,
        "role",
        "cannot_remove_own_admin",
    );
    assert!(t.identity(admin.actor.person_id.0).await.has(Role::Admin));
});

app_test!(
    person_updates_validate_and_keep_the_record_on_failure,
    |t| {
        let u = t.unit("组织人事部", None).await;
        let id = t.person("he.shi", Some(u), &[]).await.actor.person_id.0;
        let before = snapshot(&t).await;
        let bad = PersonInput {
            email: "he@".into(),
            ..person_input("he.shi", Some(u))
        };
        assert_field(
            t.app.update_person(Caller::System, id, &bad).await,
            "email",
            "invalid_email",
        );
        let bad = PersonInput {
            display_name: "".into(),
            ..person_input("he.shi", Some(u))
        };
        assert_field(
            t.app.update_person(Caller::System, id, &bad).await,
            "display_name",
            "required",
        );
        assert_field(
            t.app
                .update_person(Caller::System, id, &person_input("he.shi", Some(999_999)))
                .await,
            "unit_id",
            "not_found",
        );
        assert_eq!(snapshot(&t).await, before);
        assert!(matches!(
            t.app
                .update_person(Caller::System, 999_999, &person_input("ghost", None))
                .await,
            Err(app::AppError::NotFound)
        ));

        let good = PersonInput {
            email: "he@xt.gov.cn".into(),
            phone: "0731-5858 1234".into(),
            ..person_input("He.Shi", Some(u))
        };
        t.app
            .update_person(Caller::System, id, &good)
            .await
            .unwrap();
        let p = t.app.get_person(Caller::System, id).await.unwrap().person;
        assert_eq!(
            (p.username.as_str(), p.email.as_deref(), p.phone.as_deref()),
            ("he.shi", Some("he@xt.gov.cn"), Some("0731-5858 1234"))
        );
    }
);
