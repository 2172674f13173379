//! Store tests, each run on SQLite and (when enabled) PostgreSQL through `db_test!`.

use chrono::{DateTime, TimeZone, Utc};
use domain::audit::ChainVerifier;
use domain::org::{OrganizationDraft, UnitDraft};
use domain::page::PageRequest;
use store::testing::TestDb;
use store::{audit, db_test, migrate, org, schema};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 8, 30, 0).unwrap()
}

async fn migrated(t: &TestDb) -> i64 {
    migrate::run(&t.db, now()).await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    let id = org::insert_organization(
        &mut tx,
        &OrganizationDraft {
            name: "湘潭高新区工管委".into(),
            code: None,
            parent_id: None,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn unit(name: &str, parent: Option<i64>) -> UnitDraft {
    UnitDraft {
        name: name.into(),
        code: None,
        parent_id: parent.map(domain::UnitId),
        sort_order: 0,
    }
}

db_test!(migrations_apply_once, |t| {
    let all: Vec<i64> = migrate::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(
        all,
        (1..=all.len() as i64).collect::<Vec<_>>(),
        "versions run 1, 2, 3, …"
    );
    let first = migrate::run(&t.db, now()).await.unwrap();
    assert_eq!(first, all);
    let second = migrate::run(&t.db, now()).await.unwrap();
    assert!(second.is_empty(), "a second run applies nothing");
    assert_eq!(migrate::applied(&t.db).await.unwrap(), all);
});

db_test!(unit_paths_follow_moves, |t| {
    let org_id = migrated(&t).await;
    let mut tx = t.db.begin().await.unwrap();
    let a = org::insert_unit(&mut tx, org_id, &unit("规划建设局", None), None, now())
        .await
        .unwrap();
    let a_row = org::get_unit(&mut tx, a).await.unwrap().unwrap();
    let b = org::insert_unit(
        &mut tx,
        org_id,
        &unit("村镇建设科", Some(a)),
        Some(&a_row.path),
        now(),
    )
    .await
    .unwrap();
    let c = org::insert_unit(&mut tx, org_id, &unit("征拆办", None), None, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let b_row = org::get_unit(&t.db, b).await.unwrap().unwrap();
    assert_eq!(b_row.path_ids(), vec![b, a]);
    assert_eq!(b_row.depth(), 1);

    // Move A (with B) under C: B's path must follow.
    let c_row = org::get_unit(&t.db, c).await.unwrap().unwrap();
    let mut tx = t.db.begin().await.unwrap();
    org::move_unit(&mut tx, &a_row, Some(&c_row), now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let b_row = org::get_unit(&t.db, b).await.unwrap().unwrap();
    assert_eq!(b_row.path_ids(), vec![b, a, c]);

    let (page, total) = org::list_units(
        &t.db,
        org_id,
        &org::ListFilter {
            search: Some("建设".into()),
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(total, 2);
    assert_eq!(page.len(), 2);
    // A LIKE wildcard typed by a user is taken literally.
    let (_, none) = org::list_units(
        &t.db,
        org_id,
        &org::ListFilter {
            search: Some("%".into()),
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(none, 0);
});

db_test!(unique_names_are_reported_as_unique_violations, |t| {
    let org_id = migrated(&t).await;
    let mut tx = t.db.begin().await.unwrap();
    org::insert_unit(&mut tx, org_id, &unit("财政局", None), None, now())
        .await
        .unwrap();
    let err = org::insert_unit(&mut tx, org_id, &unit("财政局", None), None, now())
        .await
        .unwrap_err();
    assert!(
        err.is_unique("units_org_name_key", "units.organization_id, units.name"),
        "{err:?}"
    );
});

db_test!(audit_chain_links_and_detects_tampering, |t| {
    let org_id = migrated(&t).await;
    for i in 0..5 {
        let mut tx = t.db.begin().await.unwrap();
        audit::append(
            &mut tx,
            audit::NewEntry {
                chain: org_id,
                at: now() + chrono::Duration::microseconds(i * 1_234_567),
                actor_id: None,
                action: "unit.create",
                entity: "unit",
                entity_id: Some(i),
                before: None,
                after: Some(format!("{{\"name\":\"单位{i}\"}}")),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let verify = |rows: Vec<audit::AuditRow>| {
        let mut v = ChainVerifier::new(org_id);
        rows.iter().try_for_each(|r| v.check(&r.record()))
    };
    let rows = audit::chain_batch(&t.db, org_id, 0, 100).await.unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(
        verify(rows.clone()),
        Ok(()),
        "timestamps round-trip exactly through the database"
    );

    let (listed, total) = audit::list(
        &t.db,
        org_id,
        &audit::AuditFilter {
            entity_id: Some(3),
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!((listed.len(), total), (1, 1));
    assert_eq!(audit::chains(&t.db).await.unwrap(), vec![org_id]);
});

/// Both migration folders must build the same tables, columns and indexes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let lite = TestDb::sqlite().await;
    migrate::run(&lite.db, now()).await.unwrap();
    let lite_schema = schema::snapshot(&lite.db).await.unwrap();
    assert!(lite_schema.contains_key("audit_log"));
    assert!(
        lite_schema["persons"]
            .indexes
            .contains(&"persons_username_key".to_owned())
    );
    let Some(pg) = TestDb::postgres().await else {
        eprintln!("schema comparison skipped: PostgreSQL runs are off");
        lite.cleanup().await;
        return;
    };
    migrate::run(&pg.db, now()).await.unwrap();
    let pg_schema = schema::snapshot(&pg.db).await.unwrap();
    assert_eq!(
        lite_schema.keys().collect::<Vec<_>>(),
        pg_schema.keys().collect::<Vec<_>>(),
        "same tables"
    );
    for (name, table) in &lite_schema {
        let mut a = table.indexes.clone();
        let mut b = pg_schema[name].indexes.clone();
        a.sort();
        b.sort();
        assert_eq!(table.columns, pg_schema[name].columns, "columns of {name}");
        assert_eq!(a, b, "indexes of {name}");
    }
    lite.cleanup().await;
    pg.cleanup().await;
}
