//! What an attacker inside the organization tries through the app layer, on both databases:
//! statistics of a subject whose record the caller may not see, and the confidential number
//! of persons held accountable.

mod common;

use app::{AppError, Caller, StatsQuery};
use common::month::*;
use domain::Role;

fn query(unit: Option<i64>, person: Option<i64>, leader: Option<i64>) -> StatsQuery {
    StatsQuery {
        from: "2026-01".into(),
        to: "2026-12".into(),
        unit,
        person,
        leader,
        ..Default::default()
    }
}

app::app_test!(
    statistics_of_a_subject_are_seen_only_by_those_who_may_see_its_record,
    |t| {
        let c = cast(&t).await;
        let leader = t
            .person("leader", None, &[(Role::LeaderInCharge, None)])
            .await;
        t.app
            .set_led_units(Caller::System, leader.actor.person_id.0, &[c.unit_a])
            .await
            .unwrap();
        // The grant as the leader's next request loads it.
        let leader = t.identity(leader.actor.person_id.0).await;
        let discipline = t
            .person("discipline", None, &[(Role::DisciplineOfficer, None)])
            .await;
        let staff_a = c.staff_a.actor.person_id.0;
        let leader_id = leader.actor.person_id.0;
        let stats = |who: &app::Identity, q: StatsQuery| {
            let app = t.app.clone();
            let who = who.clone();
            async move { app.statistics(Caller::Person(&who), t.org, &q).await }
        };
        let refused = |r: Result<app::StatsView, AppError>| matches!(r, Err(AppError::Forbidden));
        let shown = |r: Result<app::StatsView, AppError>| {
            r.expect("statistics").totals.accountable.is_some()
        };

        // A person's figures: the person, the director, the offices; not a colleague of
        // another unit, not the head of another unit.
        let p = || query(None, Some(staff_a), None);
        assert!(refused(stats(&c.staff_b, p()).await));
        assert!(refused(stats(&c.head_b, p()).await));
        assert!(shown(stats(&c.staff_a, p()).await), "one's own cases");
        assert!(shown(stats(&c.director, p()).await));
        assert!(shown(stats(&discipline, p()).await));
        assert!(
            !shown(stats(&c.supervisor, p()).await),
            "an office sees the figures, not the confidential count"
        );

        // A unit's: its head and its leader, the offices; not its staff, not another head.
        let u = || query(Some(c.unit_a), None, None);
        assert!(refused(stats(&c.staff_a, u()).await));
        assert!(refused(stats(&c.head_b, u()).await));
        assert!(!shown(stats(&c.head_a, u()).await));
        assert!(!shown(stats(&leader, u()).await));
        assert!(!shown(stats(&c.efficiency, u()).await));
        assert!(shown(stats(&c.director, u()).await));

        // A leader's: the leader and those above.
        let l = || query(None, None, Some(leader_id));
        assert!(refused(stats(&c.head_a, l()).await));
        assert!(shown(stats(&leader, l()).await));
        assert!(shown(stats(&c.director, l()).await));

        // The organization's: any member, the confidential count for the entitled only.
        let o = || query(None, None, None);
        assert!(!shown(stats(&c.staff_b, o()).await));
        assert!(shown(stats(&discipline, o()).await));
    }
);

/// Every write of the inspection team, by `who`, with input that would not validate.
async fn team_writes(
    t: &app::testing::TestApp,
    who: &app::Identity,
    insp: i64,
    finding: i64,
    fu: i64,
) -> Vec<Result<(), AppError>> {
    use domain::supervision::{FindingInput, FollowUpInput};
    let who = Caller::Person(who);
    vec![
        t.app.complete_inspection(who, insp).await,
        t.app.publish_inspection(who, insp).await,
        t.app
            .record_finding(who, insp, &FindingInput::default(), &[])
            .await
            .map(|_| ()),
        t.app.close_finding(who, finding, "").await,
        t.app
            .add_follow_up(who, finding, &FollowUpInput::default())
            .await
            .map(|_| ()),
        t.app.verify_follow_up(who, fu, false, "").await.map(|_| ()),
    ]
}

app::app_test!(
    a_covert_object_is_not_found_by_writes_either_and_others_are_refused_before_validation,
    |t| {
        use domain::supervision::{FindingInput, FollowUpInput, InspectionInput};
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        let sup = Caller::Person(&c.supervisor);
        let input = InspectionInput {
            kind: "random".into(),
            mode: "covert".into(),
            title: "工地暗访".into(),
            scope: "施工现场".into(),
            planned_on: "2026-11-02".into(),
            unit_ids: vec![c.unit_a],
        };
        let insp = t.app.create_inspection(sup, t.org, &input).await.unwrap();
        let finding_input = FindingInput {
            unit_id: Some(c.unit_a),
            task_id: Some(task),
            severity: "serious".into(),
            description: "现场无人施工".into(),
            ..Default::default()
        };
        let finding = t
            .app
            .record_finding(sup, insp, &finding_input, &[])
            .await
            .unwrap();
        let due = (t.app.today() + chrono::Duration::days(3)).to_string();
        let fu = t
            .app
            .add_follow_up(
                sup,
                finding,
                &FollowUpInput {
                    action: "限期整改".into(),
                    due_on: due,
                },
            )
            .await
            .unwrap()
            .id;
        let not_found = |r: &Result<(), AppError>| matches!(r, Err(AppError::NotFound));
        let forbidden = |r: &Result<(), AppError>| matches!(r, Err(AppError::Forbidden));
        let unit = || team_writes(&t, &c.head_a, insp, finding, fu);
        // To the inspected unit a covert inspection does not exist, as to reads, whatever
        // the request holds (bad input included): the same answer as for an id that is not
        // there at all.
        for r in unit().await {
            assert!(not_found(&r), "{r:?}");
        }
        assert!(not_found(
            &t.app
                .close_finding(Caller::Person(&c.head_a), finding + 1000, "")
                .await
        ));
        // Published, it is seen, and still not the unit's to change: refused before its
        // input is even looked at.
        t.app.publish_inspection(sup, insp).await.unwrap();
        for r in unit().await {
            assert!(
                forbidden(&r),
                "refused before its input is looked at: {r:?}"
            );
        }
    }
);

app::app_test!(
    a_session_ends_twelve_hours_after_sign_in_however_active,
    |t| {
        let c = cast(&t).await;
        let session = t
            .app
            .login(&c.staff_a.username, app::testing::TEST_PASSWORD)
            .await
            .unwrap()
            .session_token;
        // Active every hour: alive through the 11th hour, gone at the 12th.
        for hour in 1..=13 {
            t.clock.advance(chrono::Duration::hours(1));
            let alive = t.app.identify_session(&session).await.unwrap().is_some();
            assert_eq!(alive, hour < 12, "hour {hour}");
        }
        // Idle for the idle time: gone too.
        let again = t
            .app
            .login(&c.staff_a.username, app::testing::TEST_PASSWORD)
            .await
            .unwrap()
            .session_token;
        t.clock
            .advance(chrono::Duration::hours(8) + chrono::Duration::minutes(1));
        assert!(t.app.identify_session(&again).await.unwrap().is_none());
    }
);

app::app_test!(
    nobody_locks_a_person_out_from_another_machine_and_an_administrator_lifts_the_locks,
    |t| {
        let c = cast(&t).await;
        let admin = t.person("admin", None, &[(Role::Admin, None)]).await;
        let user = c.staff_a.username.clone();
        let pw = app::testing::TEST_PASSWORD;
        let throttled =
            |r: &Result<app::LoginOutcome, AppError>| matches!(r, Err(AppError::Throttled { .. }));
        // Five wrong passwords from an attacker's machine.
        for _ in 0..5 {
            let r = t
                .app
                .login_from(&user, "wrong-password", Some("10.0.0.66"))
                .await;
            assert!(matches!(r, Err(AppError::InvalidCredentials)), "{r:?}");
        }
        // That machine is locked out of the account for a quarter of an hour, even with
        // the right password…
        t.clock.advance(chrono::Duration::seconds(5));
        assert!(throttled(
            &t.app.login_from(&user, pw, Some("10.0.0.66")).await
        ));
        // …while the person, at their own desk, signs in after a second's delay.
        assert!(t.app.login_from(&user, pw, Some("10.0.1.20")).await.is_ok());

        // Failures from many machines slow the account down, doubling, but never lock it
        // for long: after twenty, one attempt waits a quarter of an hour at most.
        for i in 0..20 {
            t.clock.advance(chrono::Duration::minutes(1));
            let _ = t
                .app
                .login_from(&user, "wrong-password", Some(&format!("10.0.2.{i}")))
                .await;
        }
        assert!(throttled(
            &t.app.login_from(&user, pw, Some("10.0.1.20")).await
        ));
        // An administrator lifts every lock and delay at once, and it is audited.
        assert!(matches!(
            t.app
                .unlock_sign_in(Caller::Person(&c.staff_b), c.staff_a.actor.person_id.0)
                .await,
            Err(AppError::Forbidden)
        ));
        let lifted = t
            .app
            .unlock_sign_in(Caller::Person(&admin), c.staff_a.actor.person_id.0)
            .await
            .unwrap();
        assert!(lifted >= 2, "{lifted}");
        assert!(t.app.login_from(&user, pw, Some("10.0.1.20")).await.is_ok());
        assert!(t.app.login_from(&user, pw, Some("10.0.0.66")).await.is_ok());
    }
);

app::app_test!(
    an_administrator_s_password_reset_revokes_the_person_s_api_tokens,
    |t| {
        let c = cast(&t).await;
        let admin = t.person("admin", None, &[(Role::Admin, None)]).await;
        let token = t
            .app
            .create_api_token(Caller::System, &c.staff_a.username, "企业微信")
            .await
            .unwrap();
        assert!(t.app.identify_token(&token).await.unwrap().is_some());
        t.app
            .reset_password(Caller::Person(&admin), c.staff_a.actor.person_id.0)
            .await
            .unwrap();
        assert!(
            t.app.identify_token(&token).await.unwrap().is_none(),
            "a token made with the old password no longer works"
        );
    }
);

app::app_test!(
    the_organizations_below_are_listed_only_to_those_who_may_open_them,
    |t| {
        let c = cast(&t).await;
        let zone = t
            .app
            .create_organization(
                Caller::System,
                &domain::org::OrganizationInput {
                    name: "下级园区".into(),
                    code: "zone".into(),
                    parent_id: Some(domain::OrganizationId(t.org)),
                },
            )
            .await
            .unwrap()
            .id;
        let listed = |who: &app::Identity| {
            let app = t.app.clone();
            let who = who.clone();
            async move {
                app.list_organizations(Caller::Person(&who), &Default::default(), common::all())
                    .await
                    .unwrap()
            }
        };
        // Staff open neither the zone nor its line in the list.
        let staff = t.identity(c.staff_a.actor.person_id.0).await;
        assert!(matches!(
            t.app.get_organization(Caller::Person(&staff), zone).await,
            Err(AppError::Forbidden)
        ));
        let page = listed(&staff).await;
        assert_eq!(
            (
                page.total,
                page.items.iter().map(|o| o.org.id).collect::<Vec<_>>()
            ),
            (1, vec![t.org])
        );
        // The director opens both, and lists both.
        let director = t.identity(c.director.actor.person_id.0).await;
        assert!(
            t.app
                .get_organization(Caller::Person(&director), zone)
                .await
                .is_ok()
        );
        let page = listed(&director).await;
        assert_eq!(page.total, 2);
    }
);
