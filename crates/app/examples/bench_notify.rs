//! Measures reminders and notifications at the scale of a province's month: one organization
//! with 1,000 units and 250,000 planned tasks (one owner for all of them: the worst inbox), on
//! SQLite and, when `XIAOHAO_TEST_POSTGRES` is set, on PostgreSQL. On the 20th, with nobody
//! having reported, the reminders job finds the deadlines three days away, the tasks overdue
//! in the last week and every other task silent since the month began (the worst day: every
//! task is reminded of something); it times that run, the same run again (everything already
//! written), the next day's run, the header's unread count and the inbox's first page for the
//! owner, and one urging. docs/PERFORMANCE.md records the figures.
//!
//! `cargo run --release -p app --features testing --example bench_notify [TASKS] [sqlite|postgres]`

use std::time::{Duration, Instant};

use app::Caller;
use app::testing::TestApp;
use domain::page::PageRequest;
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
    println!(
        "{name}: seeded {UNITS} units and {per_month} planned tasks in {:.1?}",
        seed.elapsed()
    );
    let report = |label: &str, d: Duration| println!("{name}: {label:<58} {:>10.1} ms", ms(d));
    // The 20th of the month, 09:00 local time.
    t.clock.advance(chrono::Duration::days(18));

    let s = Instant::now();
    let r = t
        .app
        .run_job_now("reminders", "bench")
        .await
        .expect("reminders");
    report(&format!("reminders job ({})", r.detail), s.elapsed());
    let s = Instant::now();
    let r = t
        .app
        .run_job_now("reminders", "bench")
        .await
        .expect("reminders");
    report(&format!("reminders job again ({})", r.detail), s.elapsed());
    t.clock.advance(chrono::Duration::days(1));
    let s = Instant::now();
    let r = t
        .app
        .run_job_now("reminders", "bench")
        .await
        .expect("reminders");
    report(
        &format!("the next day's reminders ({})", r.detail),
        s.elapsed(),
    );

    let owner = Caller::Person(&seeded.owner);
    let s = Instant::now();
    let unread = t.app.unread_count(owner).await.expect("count");
    report(&format!("unread count ({unread})"), s.elapsed());
    let s = Instant::now();
    let page = t
        .app
        .inbox(owner, false, PageRequest::new(Some(1), Some(30)))
        .await
        .expect("inbox");
    report(&format!("inbox, first page of {}", page.total), s.elapsed());
    let s = Instant::now();
    t.app
        .urge_task(Caller::System, seeded.first_task, "请加快进度")
        .await
        .expect("urge");
    report("one urging", s.elapsed());
    t.cleanup().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let per_month: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(250_000);
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
