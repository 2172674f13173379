//! The audit ledger through the app layer: every successful write adds exactly one entry that
//! names its action, entity and actor; refusals and reads add none; the chains verify. (Tamper
//! detection needs raw SQL and is tested with the CLI.) Both databases.

mod common;

use app::testing::{TEST_PASSWORD, TestApp};
use app::{Caller, Identity, NewPerson, app_test};
use chrono::{Duration, TimeZone, Utc};
use common::*;
use domain::org::{OrganizationInput, PostInput};
use domain::{Role, UnitId};
use store::audit::{AuditFilter, AuditRow};

/// Reads the ledger as `admin`, checks that exactly one entry was added since `before`, and
/// returns it.
async fn one_new_entry(t: &TestApp, admin: &Identity, before: &mut u64, what: &str) -> AuditRow {
    let page = t
        .app
        .list_audit(Caller::Person(admin), t.org, &AuditFilter::default(), all())
        .await
        .expect("admin reads the ledger");
    assert_eq!(
        page.total,
        *before + 1,
        "{what}: expected exactly one new audit entry"
    );
    *before = page.total;
    page.items.into_iter().next().expect("newest entry")
}

#[track_caller]
fn assert_entry(
    e: &AuditRow,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    actor: Option<i64>,
) {
    assert_eq!(
        (
            e.action.as_str(),
            e.entity.as_str(),
            e.entity_id,
            e.actor_id
        ),
        (action, entity, entity_id, actor),
        "{e:?}"
    );
}

app_test!(every_successful_write_adds_one_entry, |t| {
    let admin = t.person("audit.admin", None, &[(Role::Admin, None)]).await;
    let me = Some(admin.actor.person_id.0);
    let a = Caller::Person(&admin);
    let mut n = audit_total(&t, t.org).await;

    let u = t
        .app
        .create_unit(a, t.org, &unit_input("督查室", None))
        .await
        .unwrap();
    let e = one_new_entry(&t, &admin, &mut n, "create_unit").await;
    assert_entry(&e, "unit.create", "unit", Some(u), me);
    assert_eq!(e.actor_name.as_deref(), Some("测试audit.admin"));
    assert_eq!(e.at, Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
    assert!(e.before_json.is_none());
    assert!(
        e.after_json
            .as_deref()
            .is_some_and(|j| j.contains("督查室")),
        "{e:?}"
    );

    t.clock.advance(Duration::minutes(5));
    t.app
        .update_unit(a, u, &unit_input("督查办", None))
        .await
        .unwrap();
    let e = one_new_entry(&t, &admin, &mut n, "update_unit").await;
    assert_entry(&e, "unit.update", "unit", Some(u), me);
    assert_eq!(
        e.at,
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 5, 0).unwrap(),
        "entries carry the clock's time"
    );
    assert!(
        e.before_json
            .as_deref()
            .is_some_and(|j| j.contains("督查室")),
        "{e:?}"
    );
    assert!(
        e.after_json
            .as_deref()
            .is_some_and(|j| j.contains("督查办")),
        "{e:?}"
    );

    t.app.set_unit_disabled(a, u, true).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "disable unit").await,
        "unit.disable",
        "unit",
        Some(u),
        me,
    );
    t.app.set_unit_disabled(a, u, false).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "enable unit").await,
        "unit.enable",
        "unit",
        Some(u),
        me,
    );

    let post = t
        .app
        .create_post(
            a,
            t.org,
            &PostInput {
                unit_id: Some(UnitId(u)),
                name: "综合岗".into(),
            },
        )
        .await
        .unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "create_post").await,
        "post.create",
        "post",
        Some(post),
        me,
    );
    t.app
        .update_post(
            a,
            post,
            &PostInput {
                unit_id: Some(UnitId(u)),
                name: "业务岗".into(),
            },
        )
        .await
        .unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "update_post").await,
        "post.update",
        "post",
        Some(post),
        me,
    );
    t.app.set_post_disabled(a, post, true).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "disable post").await,
        "post.disable",
        "post",
        Some(post),
        me,
    );

    let input = NewPerson {
        profile: person_input("li.si", Some(u)),
        password: Some(TEST_PASSWORD.into()),
    };
    let (p, _) = t.app.create_person(a, t.org, &input).await.unwrap();
    let e = one_new_entry(&t, &admin, &mut n, "create_person").await;
    assert_entry(&e, "person.create", "person", Some(p), me);
    assert!(
        !e.after_json
            .as_deref()
            .unwrap_or("")
            .contains(TEST_PASSWORD),
        "no password in the ledger"
    );
    t.app
        .update_person(a, p, &person_input("li.si", None))
        .await
        .unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "update_person").await,
        "person.update",
        "person",
        Some(p),
        me,
    );

    let staff = t
        .app
        .grant_role(a, p, Some(Role::Staff), Some(UnitId(u)))
        .await
        .unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "grant_role").await,
        "role.grant",
        "role_assignment",
        Some(staff),
        me,
    );
    let leader = t
        .app
        .grant_role(a, p, Some(Role::LeaderInCharge), None)
        .await
        .unwrap();
    one_new_entry(&t, &admin, &mut n, "grant leader").await;
    t.app.set_led_units(a, p, &[u]).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "set_led_units").await,
        "leader.set_units",
        "person",
        Some(p),
        me,
    );
    t.app.revoke_role(a, leader).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "revoke_role").await,
        "role.revoke",
        "role_assignment",
        Some(leader),
        me,
    );

    let token = t.app.create_api_token(a, "li.si", "ci").await.unwrap();
    let e = one_new_entry(&t, &admin, &mut n, "create_api_token").await;
    assert_eq!((e.action.as_str(), e.actor_id), ("api_token.create", me));
    assert!(
        !e.after_json.as_deref().unwrap_or("").contains(&token),
        "no token secret in the ledger"
    );
    t.app.revoke_api_tokens(a, "li.si", None).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "revoke_api_tokens").await,
        "api_token.revoke",
        "person",
        Some(p),
        me,
    );

    // The person's own actions are attributed to them.
    let s = t
        .app
        .login("li.si", TEST_PASSWORD)
        .await
        .unwrap()
        .session_token;
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "login").await,
        "auth.login",
        "person",
        Some(p),
        Some(p),
    );
    let li = t.app.identify_session(&s).await.unwrap().unwrap();
    t.app
        .change_password(&li, TEST_PASSWORD, "new-password-9", "new-password-9")
        .await
        .unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "change_password").await,
        "person.change_password",
        "person",
        Some(p),
        Some(p),
    );
    t.app.logout(&s).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "logout").await,
        "auth.logout",
        "person",
        Some(p),
        Some(p),
    );
    let _ = t.app.login("li.si", "wrong-password").await;
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "failed login").await,
        "auth.login_failed",
        "person",
        Some(p),
        None,
    );

    t.app.reset_password(a, p).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "reset_password").await,
        "person.reset_password",
        "person",
        Some(p),
        me,
    );
    t.app.set_person_disabled(a, p, true).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "disable person").await,
        "person.disable",
        "person",
        Some(p),
        me,
    );
    t.app.set_person_disabled(a, p, false).await.unwrap();
    assert_entry(
        &one_new_entry(&t, &admin, &mut n, "enable person").await,
        "person.enable",
        "person",
        Some(p),
        me,
    );

    // The system acts without a person.
    let v = t
        .app
        .create_unit(Caller::System, t.org, &unit_input("财政局", None))
        .await
        .unwrap();
    let e = one_new_entry(&t, &admin, &mut n, "system create_unit").await;
    assert_entry(&e, "unit.create", "unit", Some(v), None);
    assert!(e.actor_name.is_none());

    // A unit's history, newest first.
    let f = AuditFilter {
        entity: Some("unit".into()),
        entity_id: Some(u),
        ..Default::default()
    };
    let history = t.app.list_audit(a, t.org, &f, all()).await.unwrap();
    let actions: Vec<&str> = history.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["unit.enable", "unit.disable", "unit.update", "unit.create"]
    );
    // Filters by actor and by time.
    let by_li = t
        .app
        .list_audit(
            a,
            t.org,
            &AuditFilter {
                actor_id: Some(p),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(by_li.total, 3, "login, change_password, logout");
    let early = AuditFilter {
        to: Some(Utc.with_ymd_and_hms(2026, 11, 2, 9, 1, 0).unwrap()),
        ..Default::default()
    };
    let early = t.app.list_audit(a, t.org, &early, all()).await.unwrap();
    assert!(
        early
            .items
            .iter()
            .all(|e| e.at < Utc.with_ymd_and_hms(2026, 11, 2, 9, 1, 0).unwrap())
    );
    assert!(
        early
            .items
            .iter()
            .any(|e| e.action == "unit.create" && e.entity_id == Some(u))
    );
    assert!(!early.items.iter().any(|e| e.action == "unit.update"));

    let report = t.app.verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.breaks);
    assert_eq!(report.entries, n, "one chain, holding every entry listed");
    // Sequence numbers run 1..=n without gaps, each linked to its predecessor.
    let all_entries = t
        .app
        .list_audit(a, t.org, &AuditFilter::default(), all())
        .await
        .unwrap()
        .items;
    let mut seqs: Vec<i64> = all_entries.iter().map(|e| e.seq).collect();
    seqs.reverse();
    assert_eq!(seqs, (1..=i64::try_from(n).unwrap()).collect::<Vec<_>>());
    for pair in all_entries.windows(2) {
        assert_eq!(
            pair[0].prev_hash, pair[1].hash,
            "entry {} links to entry {}",
            pair[0].seq, pair[1].seq
        );
    }
});

app_test!(refusals_and_reads_add_nothing, |t| {
    let admin = t.person("audit.admin", None, &[(Role::Admin, None)]).await;
    let u = t.unit("审计局", None).await;
    let staff = t
        .person("audit.staff", Some(u), &[(Role::Staff, Some(u))])
        .await;
    let s = Caller::Person(&staff);
    let a = Caller::Person(&admin);
    let before = audit_total(&t, t.org).await;

    // Forbidden.
    assert_forbidden(
        t.app
            .create_unit(s, t.org, &unit_input("越权单位", None))
            .await,
    );
    assert_forbidden(t.app.set_unit_disabled(s, u, true).await);
    assert_forbidden(
        t.app
            .grant_role(s, staff.actor.person_id.0, Some(Role::Admin), None)
            .await,
    );
    assert_forbidden(
        t.app
            .list_audit(s, t.org, &AuditFilter::default(), all())
            .await,
    );
    // Invalid.
    assert_field(
        t.app
            .create_unit(a, t.org, &unit_input("审计局", None))
            .await,
        "name",
        "already_taken",
    );
    assert_field(
        t.app.create_unit(a, t.org, &unit_input(" ", None)).await,
        "name",
        "required",
    );
    assert_field(
        t.app.set_unit_disabled(a, u, true).await,
        "disabled",
        "unit_has_people",
    );
    assert_field(
        t.app
            .set_person_disabled(a, admin.actor.person_id.0, true)
            .await,
        "disabled",
        "cannot_disable_self",
    );
    // Reads, and identifying sessions.
    t.app
        .list_units(a, t.org, &store::org::ListFilter::default(), all())
        .await
        .unwrap();
    t.app
        .list_people(a, t.org, &store::people::PeopleFilter::default(), all())
        .await
        .unwrap();
    t.app.get_person(s, staff.actor.person_id.0).await.unwrap();
    t.app.get_unit(s, u).await.unwrap();
    t.app
        .list_audit(a, t.org, &AuditFilter::default(), all())
        .await
        .unwrap();
    t.app.verify_audit().await.unwrap();
    assert!(t.app.identify_session("nothing").await.unwrap().is_none());

    assert_eq!(audit_total(&t, t.org).await, before);
});

app_test!(each_organization_has_its_own_chain, |t| {
    let admin = t.person("chain.admin", None, &[(Role::Admin, None)]).await;
    let city_before = audit_total(&t, t.org).await;
    let zone = t
        .app
        .create_organization(
            Caller::Person(&admin),
            &OrganizationInput {
                name: "高新区".into(),
                code: "zone".into(),
                parent_id: Some(domain::OrganizationId(t.org)),
            },
        )
        .await
        .unwrap()
        .id;
    // The new organization's entry opens its own chain.
    assert_eq!(audit_total(&t, t.org).await, city_before);
    assert_eq!(audit_total(&t, zone).await, 1);
    // Identities are loaded per request: reload to see the new zone.
    let admin = t.identity(admin.actor.person_id.0).await;
    t.app
        .update_organization(
            Caller::Person(&admin),
            zone,
            &OrganizationInput {
                name: "高新技术开发区".into(),
                code: "zone".into(),
                parent_id: Some(domain::OrganizationId(t.org)),
            },
        )
        .await
        .unwrap();
    t.app
        .create_unit(Caller::System, zone, &unit_input("园区办", None))
        .await
        .unwrap();
    assert_eq!(audit_total(&t, zone).await, 3);
    let zone_entries = t
        .app
        .list_audit(Caller::System, zone, &AuditFilter::default(), all())
        .await
        .unwrap();
    assert_eq!(
        zone_entries.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3, 2, 1]
    );
    assert!(zone_entries.items.iter().all(|e| e.chain_id == zone));
    assert_eq!(zone_entries.items[2].prev_hash, domain::audit::GENESIS);

    let report = t.app.verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.breaks);
    assert_eq!(report.chains, 2);
    assert_eq!(report.entries, audit_total(&t, t.org).await + 3);
    // Writes in a long series keep the chains verifiable.
    for i in 0..30 {
        let org = if i % 3 == 0 { zone } else { t.org };
        t.app
            .create_unit(
                Caller::System,
                org,
                &unit_input(&format!("批量单位{i}"), None),
            )
            .await
            .unwrap();
    }
    let report = t.app.verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.breaks);
    assert_eq!(
        report.entries,
        audit_total(&t, t.org).await + audit_total(&t, zone).await
    );
});

app_test!(
    the_readable_ledger_filters_by_person_and_unit_and_shows_the_cases_to_the_discipline_office,
    |t| {
        let unit = t.unit("督查室", None).await;
        let auditor = t
            .person("auditor", Some(unit), &[(Role::AuditAdmin, None)])
            .await;
        let discipline = t
            .person("ji.wei", None, &[(Role::DisciplineOfficer, None)])
            .await;
        let staff = t.person("xiao.li", None, &[(Role::Supervisor, None)]).await;
        t.app.login("auditor", TEST_PASSWORD).await.unwrap();
        t.app.login("xiao.li", TEST_PASSWORD).await.unwrap();
        let f = |person: Option<&str>, unit_id: Option<i64>| AuditFilter {
            person: person.map(Into::into),
            unit_id,
            ..Default::default()
        };
        let read = |who: Identity, filter: AuditFilter| {
            let app = t.app.clone();
            let org = t.org;
            async move {
                app.list_audit(Caller::Person(&who), org, &filter, all())
                    .await
            }
        };
        // By username or by name, exactly; by the actor's unit, with the unit's name shown.
        for key in ["auditor", "测试auditor"] {
            let p = read(auditor.clone(), f(Some(key), None)).await.unwrap();
            assert!(p.total >= 1, "{key}");
            assert!(
                p.items
                    .iter()
                    .all(|e| e.actor_id == Some(auditor.actor.person_id.0))
            );
        }
        let p = read(auditor.clone(), f(None, Some(unit))).await.unwrap();
        assert!(p.total >= 1);
        assert!(
            p.items
                .iter()
                .all(|e| e.actor_unit.as_deref() == Some("督查室"))
        );
        assert_eq!(
            read(auditor.clone(), f(Some("nobody"), None))
                .await
                .unwrap()
                .total,
            0
        );

        // The discipline office reads the cases' entries only, whatever it asks for; others none.
        let cases = read(discipline.clone(), AuditFilter::default())
            .await
            .unwrap();
        assert!(
            cases
                .items
                .iter()
                .all(|e| e.entity == "accountability_case")
        );
        let asked = AuditFilter {
            entity: Some("person".into()),
            ..Default::default()
        };
        assert_eq!(read(discipline.clone(), asked).await.unwrap().total, 0);
        assert!(t.app.audit_cases_only(Caller::Person(&discipline), t.org));
        assert!(!t.app.audit_cases_only(Caller::Person(&auditor), t.org));
        assert!(matches!(
            read(staff.clone(), AuditFilter::default()).await,
            Err(app::AppError::Forbidden)
        ));
        assert!(matches!(
            t.app
                .export_audit(Caller::Person(&staff), t.org, &AuditFilter::default())
                .await,
            Err(app::AppError::Forbidden)
        ));
        let (rows, more) = t
            .app
            .export_audit(Caller::Person(&auditor), t.org, &AuditFilter::default())
            .await
            .unwrap();
        assert!(!more && rows.len() as u64 == audit_total(&t, t.org).await);

        // Retention: the ledger holds its history from the start, until entries are removed.
        let r = t.app.audit_retention().await.unwrap();
        assert!(!r.missing, "{r:?}");
        t.clock.advance(Duration::days(3));
        t.unit("办公室", None).await;
        let newest = audit_total(&t, t.org).await as i64;
        for seq in 1..newest {
            store::testing::delete_audit_entry(t.app.db(), seq)
                .await
                .unwrap();
        }
        let r = t.app.audit_retention().await.unwrap();
        assert!(
            r.missing,
            "the oldest entry is younger than the deployment: {r:?}"
        );
    }
);
