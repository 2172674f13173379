//! The demo organization: its size, idempotence, and that its accounts work with the roles
//! they are meant to have. Both databases.

mod common;

use std::collections::BTreeSet;

use app::testing::TestApp;
use app::{AppError, Caller, Identity, app_test};
use common::*;
use domain::Role;
use store::people::PeopleFilter;

const PASSWORD: &str = "demo-pass-123";

async fn sign_in(t: &TestApp, username: &str) -> Identity {
    let out = t
        .app
        .login(username, PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{username} signs in: {e:?}"));
    assert!(!out.must_change_password, "{username}");
    t.app
        .identify_session(&out.session_token)
        .await
        .unwrap()
        .expect("session")
}

/// The unit names of the people `who` may list, and how many people that is.
async fn visible(
    t: &TestApp,
    who: &Identity,
    org: i64,
) -> Result<(BTreeSet<String>, u64), AppError> {
    let page = t
        .app
        .list_people(Caller::Person(who), org, &PeopleFilter::default(), all())
        .await?;
    assert_eq!(
        page.items.len() as u64,
        page.total,
        "one page holds them all"
    );
    Ok((
        page.items
            .into_iter()
            .filter_map(|p| p.person.unit_name)
            .collect(),
        page.total,
    ))
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

app_test!(the_demo_loads_once_with_working_accounts, |t| {
    let orgs = |t: &TestApp| {
        let app = t.app.clone();
        async move {
            app.list_organizations(Caller::System, &store::org::ListFilter::default(), all())
                .await
                .unwrap()
                .total
        }
    };
    let orgs_before = orgs(&t).await;
    assert_field(
        t.app.load_demo("short").await,
        "password",
        "password_too_short",
    );
    assert_eq!(
        orgs(&t).await,
        orgs_before,
        "a refused load creates nothing"
    );

    let demo = t.app.load_demo(PASSWORD).await.unwrap();
    assert!(demo.created);
    assert!(demo.units >= 25, "{demo:?}");
    assert!((130..=170).contains(&demo.people), "{demo:?}");
    let org = demo.organization_id;
    assert_ne!(org, t.org);
    assert_eq!(orgs(&t).await, orgs_before + 1);
    assert_eq!(unit_count(&t, org).await, demo.units as u64);
    assert_eq!(people_count(&t, org).await, demo.people as u64);
    assert_eq!(
        unit_count_all(&t, t.org).await,
        0,
        "the test organization is untouched"
    );

    // Sign-off: last month is closed with its published bulletin and frozen figures.
    let this = domain::plan::YearMonth::of(t.app.today());
    let last = this.prev().to_string();
    let bulletins = t
        .app
        .list_bulletins(Caller::System, org, all())
        .await
        .unwrap();
    assert_eq!(bulletins.total, 1);
    assert_eq!(
        (
            bulletins.items[0].month.as_str(),
            bulletins.items[0].status.as_str()
        ),
        (last.as_str(), "published")
    );
    let month = t.app.month_view(Caller::System, org, &last).await.unwrap();
    assert_eq!(month.phase, domain::plan::Phase::Closed);
    let figures = t
        .app
        .month_figures(Caller::System, org, &last)
        .await
        .unwrap();
    assert!(figures.frozen);
    assert!(
        figures.total.signed_off > 0 && figures.total.unfinished > 0,
        "{:?}",
        figures.total
    );
    // On the 2nd this month's sign-off has not begun: nothing of it is submitted.
    let queue = t
        .app
        .review_queue(Caller::System, org, &this.to_string(), &[], all())
        .await
        .unwrap();
    assert_eq!(queue.total, 0);
    assert_eq!(app::testing::violations(&t.app, org).await.unwrap(), vec![]);

    let report = t.app.verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.breaks);
    let demo_audit = audit_total(&t, org).await;
    assert!(demo_audit >= 1, "loading the demo is audited");

    // A second load finds the demo and changes nothing.
    let again = t.app.load_demo(PASSWORD).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.organization_id, org);
    assert_eq!(audit_total(&t, org).await, demo_audit);
    assert_eq!(t.app.verify_audit().await.unwrap().entries, report.entries);
    assert_eq!(people_count(&t, org).await, demo.people as u64);
    assert_eq!(unit_count(&t, org).await, demo.units as u64);
    assert_eq!(orgs(&t).await, orgs_before + 1);

    // The demo admin signs in with the given password, and only with it.
    assert!(matches!(
        t.app.login("demo.admin", "demo-pass-124").await,
        Err(AppError::InvalidCredentials)
    ));
    let admin = sign_in(&t, "demo.admin").await;
    assert!(admin.has(Role::Admin));
    assert_eq!(admin.organization_name, "湘潭高新区工管委");
    assert!(
        t.app
            .list_audit(Caller::Person(&admin), org, &Default::default(), all())
            .await
            .is_ok()
    );
    assert!(
        t.app
            .create_unit(Caller::Person(&admin), org, &unit_input("演示新单位", None))
            .await
            .is_ok()
    );
    assert_forbidden(
        t.app
            .create_unit(Caller::Person(&admin), t.org, &unit_input("越界", None))
            .await,
    );

    // 督查室 staff are supervisors and see everyone.
    let dcs = sign_in(&t, "dcs.s1").await;
    assert!(dcs.has(Role::Supervisor), "{:?}", dcs.actor.roles());
    assert_eq!(dcs.unit_name.as_deref(), Some("督查室"));
    assert!(!dcs.has(Role::Admin));
    let (_, seen) = visible(&t, &dcs, org).await.unwrap();
    assert_eq!(seen, demo.people as u64);
    assert_forbidden(
        t.app
            .create_unit(Caller::Person(&dcs), org, &unit_input("督查新单位", None))
            .await,
    );

    // Ordinary staff see their own unit only; a unit head also sees the sub-units.
    let dzb = sign_in(&t, "dzb.s1").await;
    assert!(dzb.has(Role::Staff) && !dzb.has(Role::Supervisor));
    let (units, n) = visible(&t, &dzb, org).await.unwrap();
    assert_eq!(units, set(&["党政办"]));
    assert!(n >= 3, "{n}");
    let head = sign_in(&t, "jjfz.head").await;
    assert!(head.has(Role::UnitHead));
    let (units, _) = visible(&t, &head, org).await.unwrap();
    assert_eq!(units, set(&["经济发展局", "企业服务科"]));

    // Leaders in charge have their units; the display account sees no one.
    let leader = sign_in(&t, "demo.leader1").await;
    assert!(leader.has(Role::LeaderInCharge));
    assert_eq!(leader.actor.led_units.len(), 5);
    let display = sign_in(&t, "demo.display").await;
    assert_forbidden(
        t.app
            .list_people(
                Caller::Person(&display),
                org,
                &PeopleFilter::default(),
                all(),
            )
            .await,
    );
    assert_forbidden(
        t.app
            .list_units(Caller::Person(&display), org, &Default::default(), all())
            .await,
    );
});

app_test!(
    the_statistics_of_the_demo_s_history_are_the_article_s,
    |t| {
        let org = t.app.load_demo(PASSWORD).await.unwrap().organization_id;
        let stats = |from: &str, to: &str| app::StatsQuery {
            from: from.into(),
            to: to.into(),
            ..Default::default()
        };
        let v = t
            .app
            .statistics(Caller::System, org, &stats("2013-01", "2015-12"))
            .await
            .unwrap();
        // Counted from the stored rows: about 2,790 tasks, about 78 a month, 2,647 signed off,
        // a 95% completion rate, 8 persons held accountable.
        let tt = v.totals;
        assert_eq!(tt.months, 36);
        assert_eq!(tt.figures.planned, 2793);
        assert_eq!(tt.monthly_average_text(), "77.6");
        assert_eq!(tt.figures.signed_off, 2647);
        let rate = tt.figures.completion_permille().unwrap();
        assert_eq!((rate + 5) / 10, 95, "{}", tt.figures.completion_text());
        assert_eq!(tt.accountable, Some(8));
        assert_eq!(tt.carried_over, 146);
        assert_eq!(v.lines.len(), 36);
        assert!(v.lines.iter().all(|l| l.figures.planned >= 70));
        // In 2015: 32 key items published and 6 warnings.
        let y = t
            .app
            .statistics(Caller::System, org, &stats("2015-01", "2015-12"))
            .await
            .unwrap();
        assert_eq!((y.totals.published, y.totals.warnings), (32, 6));
        // The history is written once: loading the demo again adds nothing.
        t.app.load_demo(PASSWORD).await.unwrap();
        let again = t
            .app
            .statistics(Caller::System, org, &stats("2013-01", "2015-12"))
            .await
            .unwrap();
        assert_eq!(again.totals, tt);
        // A unit's share, and a refused period.
        let unit = v.compared[0].id;
        let u = t
            .app
            .statistics(
                Caller::System,
                org,
                &app::StatsQuery {
                    unit: Some(unit),
                    ..stats("2013-01", "2015-12")
                },
            )
            .await
            .unwrap();
        assert_eq!(u.totals.figures.planned, v.compared[0].figures.planned);
        assert!(u.totals.figures.planned < tt.figures.planned);
        // A person's share: the owner of January 2013's first task, counted by owner.
        let first = t
            .app
            .list_tasks(
                Caller::System,
                org,
                &app::model::TaskFilter {
                    month: Some("2013-01".into()),
                    ..Default::default()
                },
                domain::page::PageRequest::new(Some(1), Some(1)),
            )
            .await
            .unwrap()
            .items
            .remove(0);
        let owner = first.owner_id.expect("an owner");
        let p = t
            .app
            .statistics(
                Caller::System,
                org,
                &app::StatsQuery {
                    person: Some(owner),
                    ..stats("2013-01", "2013-01")
                },
            )
            .await
            .unwrap();
        assert!(p.totals.figures.planned >= 1 && p.totals.figures.planned < 78);
        assert_eq!(p.subject.as_deref(), first.owner_name.as_deref());
        // One subject at a time.
        assert!(matches!(
            t.app
                .statistics(
                    Caller::System,
                    org,
                    &app::StatsQuery {
                        person: Some(owner),
                        unit: Some(unit),
                        ..stats("2013-01", "2013-01")
                    },
                )
                .await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            t.app
                .statistics(Caller::System, org, &stats("2015-12", "2015-01"))
                .await,
            Err(AppError::Invalid(_))
        ));
    }
);

// ---- a plausible day, whatever the day ----

/// Loads the demo on `day` (09:00 UTC), the clock having started on 2 November 2026.
async fn demo_on(t: &TestApp, day: &str) -> i64 {
    let target = domain::plan::parse_date(day)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    t.clock.advance(target - t.app.now());
    t.app.load_demo(PASSWORD).await.unwrap().organization_id
}

/// The demo's tasks of `month`, any status.
async fn tasks_in(t: &TestApp, org: i64, month: &str) -> Vec<app::model::TaskRow> {
    let f = app::model::TaskFilter {
        month: Some(month.into()),
        ..Default::default()
    };
    t.app
        .list_tasks(Caller::System, org, &f, all())
        .await
        .unwrap()
        .items
}

app_test!(
    the_demo_on_the_third_of_a_month_is_a_day_the_product_could_have_reached,
    |t| {
        let org = demo_on(&t, "2026-12-03").await;
        // The month's invariants hold over the whole history and the months of the day.
        assert_eq!(app::testing::violations(&t.app, org).await.unwrap(), vec![]);
        // Nothing of December is signed off or even submitted on the 3rd.
        let december = tasks_in(&t, org, "2026-12").await;
        assert!(december.len() > 40, "{}", december.len());
        assert!(
            december
                .iter()
                .all(|x| !matches!(x.status.as_str(), "signed_off" | "sign_off_submitted")),
            "{:?}",
            december
                .iter()
                .map(|x| x.status.as_str())
                .collect::<BTreeSet<_>>()
        );
        // November is closed and carried its unfinished work in once: no December task
        // repeats it.
        assert!(december.iter().any(|x| x.carried_from_id.is_some()));
        // January's proposals open on 20 December: none yet.
        assert!(tasks_in(&t, org, "2027-01").await.is_empty());
        // The month's cards are of every colour, yellow included.
        let cards = t
            .app
            .list_cards(Caller::System, org, "2026-12", &Default::default(), all())
            .await
            .unwrap();
        assert!(
            cards.totals.yellow > 0 && cards.totals.green > 0,
            "{:?}",
            cards.totals
        );
    }
);

app_test!(
    the_demo_after_the_20th_has_next_month_s_proposals_in_every_state,
    |t| {
        let org = demo_on(&t, "2026-11-22").await;
        assert_eq!(app::testing::violations(&t.app, org).await.unwrap(), vec![]);
        let statuses: BTreeSet<String> = tasks_in(&t, org, "2026-12")
            .await
            .into_iter()
            .map(|x| x.status)
            .collect();
        for s in [
            "draft",
            "submitted",
            "leader_approved",
            "returned",
            "accepted",
        ] {
            assert!(statuses.contains(s), "{s} missing from {statuses:?}");
        }
    }
);

app_test!(
    the_demo_in_the_sign_off_window_has_submissions_in_every_state,
    |t| {
        let org = demo_on(&t, "2026-11-27").await;
        assert_eq!(app::testing::violations(&t.app, org).await.unwrap(), vec![]);
        let queue = t
            .app
            .review_queue(Caller::System, org, "2026-11", &[], all())
            .await
            .unwrap();
        let states: BTreeSet<String> = queue
            .items
            .iter()
            .map(|i| match &i.state {
                Some(s) => format!("review:{}", s.label()),
                None => format!("form:{}", i.form.status),
            })
            .collect();
        for s in [
            "review:reviewing",
            "review:site_check",
            "review:returned",
            "form:returned",
            "form:signed_off",
            "form:unfinished",
        ] {
            assert!(states.contains(s), "{s} missing from {states:?}");
        }
    }
);
