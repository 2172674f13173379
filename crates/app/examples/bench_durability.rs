//! Measures what SQLite's `synchronous=FULL` (the default) costs a write against `NORMAL`:
//! one staff member proposes tasks one after the other, each proposal one transaction with its
//! history and audit entry, on a fresh database file in the system's temporary directory.
//! docs/PERFORMANCE.md records the figures.
//!
//! `cargo run --release -p app --features testing --example bench_durability [WRITES]`

use std::time::{Duration, Instant};

use app::testing::TestApp;
use app::{Caller, DbOptions, SqliteDurability};
use domain::Role;
use domain::plan::{Phase, TaskInput};

async fn run(mode: SqliteDurability, writes: usize) -> Vec<Duration> {
    let dir = std::env::temp_dir().join(format!(
        "xiaohao-durability-{mode:?}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}", dir.join("xiaohao.db").display());
    let db = app::Db::connect(
        &url,
        &DbOptions {
            sqlite_durability: mode,
            ..DbOptions::default()
        },
    )
    .await
    .expect("open");
    let t = TestApp::new_on(db, &url).await;
    let unit = t.unit("财政局", None).await;
    let staff = t
        .person("staff", Some(unit), &[(Role::Staff, Some(unit))])
        .await;
    t.app
        .move_phase(Caller::System, t.org, "2026-11", Some(Phase::Proposing))
        .await
        .expect("open");
    let kp = t
        .app
        .create_key_point(
            Caller::System,
            t.org,
            &domain::plan::KeyPointInput {
                year: 2026,
                kind: "key_point".into(),
                title: "优化营商环境".into(),
                ..Default::default()
            },
        )
        .await
        .expect("key point");
    let mut took = Vec::with_capacity(writes);
    for i in 0..writes {
        let input = TaskInput {
            title: format!("第{i}项"),
            criterion: "按期完成".into(),
            deadline: "2026-11-28".into(),
            owner_id: Some(staff.actor.person_id.0),
            key_point_id: Some(kp),
            ..Default::default()
        };
        let s = Instant::now();
        t.app
            .propose(Caller::Person(&staff), t.org, "2026-11", unit, &input)
            .await
            .expect("propose");
        took.push(s.elapsed());
    }
    t.app.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    took
}

#[tokio::main]
async fn main() {
    let writes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    for mode in [SqliteDurability::Full, SqliteDurability::Normal] {
        let mut took = run(mode, writes).await;
        took.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let total: Duration = took.iter().sum();
        println!(
            "{mode:?}: {writes} proposals, {:.0} per second, mean {:.2} ms, p50 {:.2} ms, p99 {:.2} ms",
            writes as f64 / total.as_secs_f64(),
            ms(total) / writes as f64,
            ms(took[writes / 2]),
            ms(took[writes * 99 / 100]),
        );
    }
}
