//! Measures the cards (红黄绿牌) at the scale of a province's month: one organization with
//! 1,000 units and 250,000 planned tasks (a fifth of them key work), on SQLite and, when
//! `XIAOHAO_TEST_POSTGRES` is set, on PostgreSQL. It times computing every card of the month
//! the first time and again the next day, one task's card after a progress report, the cards
//! page and the dashboard, and a publication with its warnings. docs/PERFORMANCE.md records
//! the figures.
//!
//! `cargo run --release -p app --features testing --example bench_cards [TASKS_PER_MONTH]`

use std::time::{Duration, Instant};

use app::Caller;
use app::model::CardFilter;
use app::testing::TestApp;
use domain::page::PageRequest;
use domain::plan::TaskDraft;
use domain::supervision::ProgressInput;
use store::testing::TestDb;

const UNITS: usize = 1000;
const MONTH: &str = "2026-11";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(name: &str, db: TestDb, per_month: usize) {
    let t = TestApp::new(db).await;
    let seed = Instant::now();
    let mut units = Vec::with_capacity(UNITS);
    for i in 0..UNITS {
        units.push(t.unit(&format!("单位{i:04}"), None).await);
    }
    let owner = t
        .person(
            "owner",
            Some(units[0]),
            &[(domain::Role::Staff, Some(units[0]))],
        )
        .await;
    let db = t.app.db().clone();
    let now = t.app.now();
    let mut tx = db.begin().await.expect("tx");
    store::plan::ensure_cycle(&mut tx, t.org, MONTH, "arranging", now)
        .await
        .expect("cycle");
    let cycle = store::plan::cycle(&mut tx, t.org, MONTH)
        .await
        .expect("cycle")
        .expect("cycle row");
    store::plan::set_arranged(&mut tx, cycle.id, None, now)
        .await
        .expect("arranged");
    let mut first = None;
    for i in 0..per_month {
        let draft = TaskDraft {
            title: format!("任务{i}"),
            content: "内容".into(),
            criterion: "标准".into(),
            deadline: domain::plan::parse_date(&format!("{MONTH}-{:02}", 3 + i % 27))
                .expect("date"),
            key_point_id: None,
            owner_id: Some(owner.actor.person_id.0),
            post_id: None,
            leader_id: None,
            is_key_work: i % 5 == 0,
            key_project_id: None,
        };
        let new = store::plan::NewTask {
            org: t.org,
            month: MONTH,
            unit_id: units[i % UNITS],
            draft: &draft,
            is_assigned: false,
            status: "arranged",
            carried_from_id: None,
            months_overdue: i32::from(i % 50 == 0),
            created_by: None,
        };
        let id = store::plan::insert_task(&mut tx, &new, now)
            .await
            .expect("insert");
        first.get_or_insert(id);
        if i % 10_000 == 9_999 {
            tx.commit().await.expect("commit");
            tx = db.begin().await.expect("tx");
        }
    }
    tx.commit().await.expect("commit");
    t.app.analyze().await.expect("analyze");
    println!(
        "{name}: seeded {UNITS} units and {per_month} planned tasks in {:.1?}",
        seed.elapsed()
    );
    let sys = Caller::System;
    let report = |label: &str, d: Duration| println!("{name}: {label:<58} {:>10.1} ms", ms(d));

    let s = Instant::now();
    let r = t
        .app
        .refresh_cards(sys, t.org, MONTH)
        .await
        .expect("refresh");
    report(
        &format!("compute every card, first time ({} cards)", r.computed),
        s.elapsed(),
    );
    // As the database's own maintenance would after such a load.
    t.app.analyze().await.expect("analyze");
    t.clock.advance(chrono::Duration::days(1));
    let s = Instant::now();
    let r = t
        .app
        .refresh_cards(sys, t.org, MONTH)
        .await
        .expect("refresh");
    report(
        &format!("compute again the next day ({} changed)", r.changed),
        s.elapsed(),
    );
    let task = first.expect("a task");
    let s = Instant::now();
    t.app
        .report_progress(
            Caller::Person(&owner),
            task,
            &ProgressInput {
                percent: 40,
                narrative: "进展".into(),
            },
            &[],
        )
        .await
        .expect("progress");
    report("a progress report with its card", s.elapsed());
    let page = PageRequest::new(Some(1), Some(50));
    let s = Instant::now();
    t.app
        .list_cards(sys, t.org, MONTH, &CardFilter::default(), page)
        .await
        .expect("cards");
    report(
        "cards page: first 50, counts by unit and colour",
        s.elapsed(),
    );
    let s = Instant::now();
    t.app
        .list_cards(
            sys,
            t.org,
            MONTH,
            &CardFilter {
                colors: vec!["red".into()],
                unit_id: Some(units[17]),
                ..Default::default()
            },
            page,
        )
        .await
        .expect("cards");
    report("cards page: one unit's red cards", s.elapsed());
    let s = Instant::now();
    t.app.dashboard(sys, t.org, MONTH).await.expect("dashboard");
    report("supervisor's dashboard", s.elapsed());
    let s = Instant::now();
    let n = t
        .app
        .confirm_all_cards(sys, t.org, MONTH)
        .await
        .expect("confirm");
    report(&format!("confirm all key cards ({n})"), s.elapsed());
    let s = Instant::now();
    let p = t
        .app
        .publish_cards(sys, t.org, MONTH, "")
        .await
        .expect("publish");
    report(
        &format!("publish ({} cards, {} warnings)", p.cards, p.warnings),
        s.elapsed(),
    );
    t.cleanup().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let per_month: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(250_000);
    // `sqlite`, `postgres` or (by default) both.
    let only = std::env::args().nth(2).unwrap_or_default();
    if only != "postgres" {
        run("sqlite", TestDb::sqlite().await, per_month).await;
    }
    if only != "sqlite"
        && let Some(pg) = TestDb::postgres().await
    {
        run("postgres", pg, per_month).await;
    }
}
