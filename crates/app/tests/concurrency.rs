//! Concurrent writers: SQLite serializes them without "database is locked", PostgreSQL keeps
//! the audit chain gap-free, and unique rules hold under races. Both databases.

mod common;

use app::testing::{TEST_PASSWORD, TestApp};
use app::{AppError, Caller, NewPerson, app_test};
use common::*;
use domain::org::OrganizationInput;
use store::audit::AuditFilter;

const WRITERS: usize = 16;
const UNITS_EACH: usize = 5;

app_test!(sixteen_writers_create_eighty_units, |t| {
    let audit_before = audit_total(&t, t.org).await;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let app = t.app.clone();
        let org = t.org;
        tasks.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            for i in 0..UNITS_EACH {
                if let Err(e) = app
                    .create_unit(
                        Caller::System,
                        org,
                        &unit_input(&format!("并发单位-{w:02}-{i}"), None),
                    )
                    .await
                {
                    errors.push(format!("writer {w}, unit {i}: {e}"));
                }
            }
            errors
        }));
    }
    let mut errors = Vec::new();
    for task in tasks {
        errors.extend(task.await.expect("writer task"));
    }
    assert!(
        errors.is_empty(),
        "{} writes failed:\n{}",
        errors.len(),
        errors.join("\n")
    );

    assert_eq!(unit_count(&t, t.org).await, (WRITERS * UNITS_EACH) as u64);
    let units = t.app.unit_tree(Caller::System, t.org).await.unwrap();
    let mut names: Vec<&str> = units.iter().map(|u| u.unit.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), WRITERS * UNITS_EACH);

    // One audit entry per unit, in one unbroken chain.
    assert_eq!(
        audit_total(&t, t.org).await,
        audit_before + (WRITERS * UNITS_EACH) as u64
    );
    let creates = t
        .app
        .list_audit(
            Caller::System,
            t.org,
            &AuditFilter {
                action: Some("unit.create".into()),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(creates.total, (WRITERS * UNITS_EACH) as u64);
    let mut seqs: Vec<i64> = creates.items.iter().map(|e| e.seq).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        WRITERS * UNITS_EACH,
        "no two entries share a sequence number"
    );
    let report = t.app.verify_audit().await.unwrap();
    assert!(report.ok(), "audit chain broken: {:?}", report.breaks);
    assert!(
        report.entries >= (WRITERS * UNITS_EACH) as u64,
        "{report:?}"
    );
});

app_test!(writers_in_two_organizations_keep_both_chains_intact, |t| {
    let org2 = t
        .app
        .create_organization(
            Caller::System,
            &OrganizationInput {
                name: "第二组织".into(),
                code: "second".into(),
                parent_id: None,
            },
        )
        .await
        .unwrap()
        .id;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let app = t.app.clone();
        let org = if w % 2 == 0 { t.org } else { org2 };
        tasks.push(tokio::spawn(async move {
            for i in 0..4 {
                app.create_unit(
                    Caller::System,
                    org,
                    &unit_input(&format!("单位-{w}-{i}"), None),
                )
                .await?;
            }
            Ok::<_, AppError>(())
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("writes succeed");
    }
    assert_eq!(unit_count(&t, t.org).await, 16);
    assert_eq!(unit_count(&t, org2).await, 16);
    let report = t.app.verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.breaks);
    assert!(report.chains >= 2);
    assert_eq!(
        report.entries,
        audit_total(&t, t.org).await + audit_total(&t, org2).await
    );
});

app_test!(racing_creations_of_one_name_let_exactly_one_through, |t| {
    let audit_before = audit_total(&t, t.org).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let app = t.app.clone();
        let org = t.org;
        tasks.push(tokio::spawn(async move {
            app.create_unit(Caller::System, org, &unit_input("督查室", None))
                .await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => ok += 1,
            Err(AppError::Invalid(e)) => assert_eq!(e.for_field("name"), Some("already_taken")),
            Err(e) => panic!("a losing racer must see a field error, got {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(unit_count(&t, t.org).await, 1);
    assert_eq!(audit_total(&t, t.org).await, audit_before + 1);
});

app_test!(
    racing_creations_of_one_username_let_exactly_one_through,
    |t| {
        let mut tasks = Vec::new();
        for i in 0..6 {
            let app = t.app.clone();
            let org = t.org;
            tasks.push(tokio::spawn(async move {
                let input = NewPerson {
                    profile: person_input(if i % 2 == 0 { "same.name" } else { "SAME.NAME" }, None),
                    password: Some(TEST_PASSWORD.into()),
                };
                app.create_person(Caller::System, org, &input).await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => ok += 1,
                Err(AppError::Invalid(e)) => {
                    assert_eq!(e.for_field("username"), Some("already_taken"))
                }
                Err(e) => panic!("a losing racer must see a field error, got {e:?}"),
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(people_count(&t, t.org).await, 1);
        assert!(t.app.verify_audit().await.unwrap().ok());
    }
);

app_test!(concurrent_sign_ins_each_get_their_own_session, |t| {
    t.person("busy.user", None, &[]).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let app = t.app.clone();
        tasks.push(tokio::spawn(async move {
            app.login("busy.user", TEST_PASSWORD)
                .await
                .map(|o| o.session_token)
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.expect("task").expect("login"));
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 8);
    for s in &tokens {
        assert!(t.app.identify_session(s).await.unwrap().is_some());
    }
    assert!(t.app.verify_audit().await.unwrap().ok());
});

/// Ten wrong passwords sent at once must all be counted: the throttle state is re-read under a
/// per-username lock inside the sign-in transaction, so no failure overwrites another.
async fn parallel_wrong_passwords_still_lock_the_account(t: &TestApp) {
    t.person("target.user", None, &[]).await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let app = t.app.clone();
        tasks.push(tokio::spawn(async move {
            app.login("target.user", "guess-password").await
        }));
    }
    for task in tasks {
        let r = task.await.expect("task");
        assert!(
            matches!(
                r,
                Err(AppError::InvalidCredentials | AppError::Throttled { .. })
            ),
            "{r:?}"
        );
    }
    let state = store::auth::get_throttle(t.app.db(), "user:target.user")
        .await
        .unwrap();
    // Ten failures in parallel count as at least five: the right password is now refused.
    let r = t.app.login("target.user", TEST_PASSWORD).await;
    assert!(
        matches!(r, Err(AppError::Throttled { .. })),
        "ten parallel failures did not lock the account (recorded: {state:?}): {r:?}"
    );
}

mod parallel_wrong_passwords {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let t = TestApp::new(store::testing::TestDb::sqlite().await).await;
        parallel_wrong_passwords_still_lock_the_account(&t).await;
        t.cleanup().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(db) = store::testing::TestDb::postgres().await else {
            return;
        };
        let t = TestApp::new(db).await;
        parallel_wrong_passwords_still_lock_the_account(&t).await;
        t.cleanup().await;
    }
}
