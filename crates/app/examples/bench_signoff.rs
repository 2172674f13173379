//! Measures sign-off (销号) and the month's close at the scale of a province's month: one
//! organization with 1,000 units and 250,000 planned tasks, on SQLite and, when
//! `XIAOHAO_TEST_POSTGRES` is set, on PostgreSQL. It times one submission, an office's
//! opinion and the leading group's decision; the review queue with 2,000 submissions; the
//! month's figures, the briefing and the bulletin once nine tasks in ten are signed off; and
//! the close, which carries the remaining tenth into the next month. docs/PERFORMANCE.md
//! records the figures.
//!
//! `cargo run --release -p app --features testing --example bench_signoff [TASKS] [sqlite|postgres]`

use std::time::{Duration, Instant};

use app::Caller;
use app::testing::TestApp;
use domain::page::PageRequest;
use domain::signoff::{FormInput, Office};
use store::testing::TestDb;

const UNITS: usize = 1000;
const MONTH: &str = "2026-11";
const SUBMISSIONS: usize = 2000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn form(i: usize) -> FormInput {
    FormInput {
        kind: "complete".into(),
        completion: format!("按标准完成第{i}项"),
        report: "销号报告".into(),
        completed_on: "2026-11-20".into(),
        ..Default::default()
    }
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
    let sys = Caller::System;
    // Into the sign-off window.
    t.clock.advance(chrono::Duration::days(24));
    let task = seeded.first_task;

    let s = Instant::now();
    let f = t
        .app
        .submit_sign_off(sys, task, &form(0), &[])
        .await
        .expect("submit");
    report("one submission", s.elapsed());
    let s = Instant::now();
    t.app
        .give_opinion(sys, f, Some(Office::Supervision), "approve", "")
        .await
        .expect("opinion");
    report("one office's opinion", s.elapsed());
    for o in [Office::Efficiency, Office::Performance] {
        t.app
            .give_opinion(sys, f, Some(o), "approve", "")
            .await
            .expect("opinion");
    }
    let s = Instant::now();
    t.app
        .decide_sign_off(sys, f, true, "")
        .await
        .expect("decide");
    report("the leading group signs off", s.elapsed());

    // Submissions of the next 2,000 tasks by id.
    let s = Instant::now();
    for i in 1..=SUBMISSIONS {
        t.app
            .submit_sign_off(sys, task + i as i64, &form(i), &[])
            .await
            .expect("submit");
    }
    let d = s.elapsed();
    report(
        &format!("{SUBMISSIONS} submissions, one after another (each)"),
        d / SUBMISSIONS as u32,
    );
    t.app.analyze().await.expect("analyze");
    let page = PageRequest::new(Some(1), Some(50));
    let s = Instant::now();
    t.app
        .review_queue(sys, t.org, MONTH, &[], page)
        .await
        .expect("queue");
    report("review queue: first 50 of the month", s.elapsed());
    let s = Instant::now();
    t.app
        .review_queue(
            sys,
            t.org,
            MONTH,
            &["submitted".to_owned()],
            PageRequest::new(Some(40), Some(50)),
        )
        .await
        .expect("queue");
    report("review queue: page 40 of those under review", s.elapsed());

    // The month as it ends: nine in ten signed off.
    let n = store::testing::sign_off_all_but(t.app.db(), t.org, MONTH, 10)
        .await
        .expect("sign off");
    t.app.analyze().await.expect("analyze");
    println!("{name}: marked {n} tasks signed off");
    t.clock.advance(chrono::Duration::days(7));
    let s = Instant::now();
    let v = t
        .app
        .month_figures(sys, t.org, MONTH)
        .await
        .expect("figures");
    report(
        &format!(
            "month's figures ({} planned, {})",
            v.total.planned,
            v.total.completion_text()
        ),
        s.elapsed(),
    );
    let s = Instant::now();
    let b = t.app.briefing(sys, t.org, MONTH).await.expect("briefing");
    report(
        &format!("briefing ({} unfinished)", b.unfinished_total),
        s.elapsed(),
    );
    t.app
        .record_meeting(sys, t.org, MONTH, "2026-12-01", "总体有序", "结转优先")
        .await
        .expect("meeting");
    let s = Instant::now();
    let id = t
        .app
        .generate_bulletin(sys, t.org, MONTH, "测〔2026〕11号")
        .await
        .expect("bulletin");
    report("generate the bulletin (every unfinished task)", s.elapsed());
    let s = Instant::now();
    let v = t.app.get_bulletin(sys, id).await.expect("bulletin");
    report(
        &format!(
            "open the bulletin ({} sections)",
            v.issued.bulletin.sections.len()
        ),
        s.elapsed(),
    );
    let s = Instant::now();
    let r = t.app.close_month(sys, t.org, MONTH).await.expect("close");
    report(
        &format!("close the month ({} carried over)", r.carried_over),
        s.elapsed(),
    );
    let s = Instant::now();
    let again = t.app.close_month(sys, t.org, MONTH).await.expect("close");
    assert!(again.already_closed);
    report("close again (nothing to do)", s.elapsed());
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
