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
    let key = domain::audit::AuditKey::from_bytes([3; 32]);
    for i in 0..5 {
        let mut tx = t.db.begin().await.unwrap();
        audit::append(
            &mut tx,
            &key,
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
        let mut v = ChainVerifier::new(&key, org_id, &[]);
        rows.iter().for_each(|r| v.check(&r.record()));
        v.finish()
    };
    let rows = audit::chain_batch(&t.db, org_id, 0, 100).await.unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(
        verify(rows.clone()),
        vec![],
        "timestamps round-trip exactly through the database"
    );
    assert_eq!(
        audit::heads(&t.db).await.unwrap(),
        vec![(org_id, 5, rows[4].hash.clone())]
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

/// One arranged task of a fresh unit, for the card and progress tests.
async fn arranged_task(t: &TestDb, org: i64) -> (i64, i64) {
    let mut tx = t.db.begin().await.unwrap();
    let unit = org::insert_unit(&mut tx, org, &unit("征拆办", None), None, now())
        .await
        .unwrap();
    let draft = domain::plan::TaskDraft {
        title: "地块征收".into(),
        content: String::new(),
        criterion: "签约 30 户".into(),
        deadline: domain::plan::parse_date("2026-11-20").unwrap(),
        key_point_id: None,
        owner_id: None,
        post_id: None,
        leader_id: None,
        is_key_work: true,
        key_project_id: None,
    };
    let task = store::plan::insert_task(
        &mut tx,
        &store::plan::NewTask {
            org,
            month: "2026-11",
            unit_id: unit,
            draft: &draft,
            is_assigned: false,
            status: "arranged",
            carried_from_id: None,
            months_overdue: 0,
            created_by: None,
        },
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (unit, task)
}

fn computed(task: i64, unit: i64, color: &str, keep: bool) -> store::cards::CardWrite {
    store::cards::CardWrite {
        subject_kind: "task",
        subject_id: task,
        unit_id: unit,
        is_key: true,
        computed_color: color.into(),
        reasons: "[]".into(),
        computed_on: "2026-11-02".into(),
        color: color.into(),
        keep_confirmation: keep,
    }
}

db_test!(a_computed_card_never_overwrites_a_supervisors_colour, |t| {
    let org = migrated(&t).await;
    let (unit, task) = arranged_task(&t, org).await;
    let write = async |w: store::cards::CardWrite| {
        let mut tx = t.db.begin().await.unwrap();
        store::cards::lock_month(&mut tx, org, "2026-11")
            .await
            .unwrap();
        store::cards::write_cards(&mut tx, org, "2026-11", &[w], now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    };
    write(computed(task, unit, "green", true)).await;
    let card = store::cards::card_of(&t.db, org, "2026-11", "task", task)
        .await
        .unwrap()
        .unwrap();
    let mut tx = t.db.begin().await.unwrap();
    store::cards::judge_card(
        &mut tx,
        card.id,
        "red",
        "green",
        true,
        Some("暗访"),
        None,
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // A computation that read the card before the override, writing its colour.
    write(computed(task, unit, "green", false)).await;
    let after = store::cards::get_card(&t.db, card.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            after.color.as_str(),
            after.overridden,
            after.override_reason.as_deref()
        ),
        ("red", true, Some("暗访"))
    );
    // A plain confirmation lapses only when the computed colour moves away from it.
    let mut tx = t.db.begin().await.unwrap();
    store::cards::judge_card(
        &mut tx,
        card.id,
        "yellow",
        "yellow",
        false,
        None,
        None,
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    write(computed(task, unit, "yellow", false)).await;
    let kept = store::cards::get_card(&t.db, card.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.confirmed_as.as_deref(), Some("yellow"));
    write(computed(task, unit, "red", false)).await;
    let lapsed = store::cards::get_card(&t.db, card.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((lapsed.color.as_str(), lapsed.confirmed_as), ("red", None));
});

db_test!(progress_is_refused_once_the_task_left_the_plan, |t| {
    let org = migrated(&t).await;
    let (_, task) = arranged_task(&t, org).await;
    let report = async |from: &str| {
        let mut tx = t.db.begin().await.unwrap();
        let id = store::supervision::insert_progress(
            &mut tx,
            task,
            40,
            "进展",
            domain::plan::parse_date("2026-11-05").unwrap(),
            from,
            "in_progress",
            None,
            now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    };
    assert!(report("arranged").await.is_some());
    // Withdrawn meanwhile: the report that still believes "in_progress" changes nothing.
    let mut tx = t.db.begin().await.unwrap();
    store::plan::set_task_status(&mut tx, task, "withdrawn", Some("撤销"), None, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(report("in_progress").await.is_none());
    let row = store::plan::get_task(&t.db, task).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.progress), ("withdrawn", 40));
    assert_eq!(
        store::supervision::progress_log(&t.db, task, 10)
            .await
            .unwrap()
            .len(),
        1
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_commits_are_durable_against_power_loss_unless_chosen_otherwise() {
    let dir = std::env::temp_dir().join(format!("xiaohao-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = |name: &str| format!("sqlite://{}", dir.join(name).display());
    let full = store::Db::connect(&url("full.db"), &store::DbOptions::default())
        .await
        .unwrap();
    assert_eq!(
        full.sqlite_synchronous().await.unwrap(),
        Some(2),
        "FULL by default"
    );
    let normal = store::Db::connect(
        &url("normal.db"),
        &store::DbOptions {
            sqlite_durability: store::SqliteDurability::Normal,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(normal.sqlite_synchronous().await.unwrap(), Some(1));
    full.close().await;
    normal.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        store::SqliteDurability::parse("full"),
        Some(store::SqliteDurability::Full)
    );
    assert_eq!(store::SqliteDurability::parse("off"), None);
}
