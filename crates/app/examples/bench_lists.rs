//! Measures the plan's list queries at the scale of a province's month: one organization with
//! 1,000 units and 250,000 tasks in the month (plus as many in the month before), on SQLite and,
//! when `XIAOHAO_TEST_POSTGRES` is set, on PostgreSQL. Prints the median of several runs of
//! each query; docs/PERFORMANCE.md records the figures.
//!
//! `cargo run --release -p app --features testing --example bench_lists [TASKS_PER_MONTH]`

use std::time::{Duration, Instant};

use app::testing::TestApp;
use app::{Caller, model::TaskFilter};
use domain::page::PageRequest;
use domain::plan::TaskDraft;
use store::testing::TestDb;

const UNITS: usize = 1000;

async fn median<F: AsyncFn() -> ()>(runs: usize, f: F) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[runs / 2]
}

async fn run(name: &str, db: TestDb, per_month: usize) {
    let t = TestApp::new(db).await;
    let seed = Instant::now();
    let mut units = Vec::with_capacity(UNITS);
    for i in 0..UNITS {
        units.push(t.unit(&format!("单位{i:04}"), None).await);
    }
    let db = t.app.db().clone();
    let now = t.app.now();
    for month in ["2026-10", "2026-11"] {
        let mut tx = db.begin().await.expect("tx");
        for i in 0..per_month {
            let draft = TaskDraft {
                title: format!("任务{i}"),
                content: "内容".into(),
                criterion: "标准".into(),
                deadline: domain::plan::parse_date(&format!("{month}-{:02}", 1 + i % 28))
                    .expect("date"),
                key_point_id: None,
                owner_id: None,
                post_id: None,
                leader_id: None,
                is_key_work: i % 3 == 0,
                key_project_id: None,
            };
            let status = ["arranged", "arranged", "arranged", "accepted", "rejected"][i % 5];
            let new = store::plan::NewTask {
                org: t.org,
                month,
                unit_id: units[i % UNITS],
                draft: &draft,
                is_assigned: false,
                status,
                carried_from_id: None,
                months_overdue: 0,
                created_by: None,
            };
            store::plan::insert_task(&mut tx, &new, now)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    // As the database's own maintenance would after such a load.
    t.app.analyze().await.expect("analyze");
    println!(
        "{name}: seeded {UNITS} units and {} tasks in {:.1?}",
        per_month * 2,
        seed.elapsed()
    );
    let sys = Caller::System;
    let month = || TaskFilter {
        month: Some("2026-11".into()),
        ..Default::default()
    };
    let page = PageRequest::new(Some(1), Some(20));
    let deep = PageRequest::new(Some(500), Some(20));
    let report = |label: &str, d: Duration| {
        println!("{name}: {label:<55} {:>8.2} ms", d.as_secs_f64() * 1000.0)
    };
    report(
        "month, whole organization, first page (with count)",
        median(5, async || {
            t.app
                .list_tasks(sys, t.org, &month(), page)
                .await
                .expect("list");
        })
        .await,
    );
    report(
        "month, whole organization, page 500",
        median(5, async || {
            t.app
                .list_tasks(sys, t.org, &month(), deep)
                .await
                .expect("list");
        })
        .await,
    );
    report(
        "month, one unit",
        median(5, async || {
            let f = TaskFilter {
                unit_id: Some(units[17]),
                ..month()
            };
            t.app.list_tasks(sys, t.org, &f, page).await.expect("list");
        })
        .await,
    );
    report(
        "month, arranged only",
        median(5, async || {
            let f = TaskFilter {
                statuses: vec!["arranged".into()],
                ..month()
            };
            t.app.list_tasks(sys, t.org, &f, page).await.expect("list");
        })
        .await,
    );
    report(
        "month page counts by unit and status (GROUP BY)",
        median(5, async || {
            t.app
                .month_view(sys, t.org, "2026-11")
                .await
                .expect("month");
        })
        .await,
    );
    report(
        "plan table of one unit",
        median(5, async || {
            t.app
                .plan_table(sys, t.org, "2026-11", units[17], None)
                .await
                .expect("table");
        })
        .await,
    );
    t.cleanup().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let per_month: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(250_000);
    run("sqlite", TestDb::sqlite().await, per_month).await;
    if let Some(pg) = TestDb::postgres().await {
        run("postgres", pg, per_month).await;
    }
}
