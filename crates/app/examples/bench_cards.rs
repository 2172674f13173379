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
    let seeded = t.seed_month(MONTH, UNITS, per_month).await;
    let (units, owner) = (&seeded.units, &seeded.owner);
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
    let task = seeded.first_task;
    let s = Instant::now();
    t.app
        .report_progress(
            Caller::Person(owner),
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
