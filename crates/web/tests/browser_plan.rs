//! End to end through a real browser: one month of the plan (预安), from the unit's proposals to
//! the arranged plan table.
//!
//! The server runs in-process over a fresh SQLite database; the people, the unit, the leader's
//! units and the year's key point are made through the app. The clock stands on 2026-11-21, so
//! proposals for 2026-12 are open. In headless Chromium: the unit head proposes three tasks and
//! submits them; the leader in charge approves two and returns one with a reason; the unit head
//! makes the returned one concrete and submits it again, and the leader approves it; the
//! director accepts the three on the arrangement page, assigns an item (交办事项) to the unit
//! and arranges the month. The unit's plan table then shows four rows, in the page, in the
//! print layout and in the XLSX file (downloaded from inside the page and read back with
//! `docs::read_plan_rows`). Screenshots of the key steps land in `target/e2e-screenshots/`.
//!
//! Without Chromium and chromedriver the test is skipped, except under `CI=true`, where it fails.

mod common;

use app::Caller;
use app::testing::TEST_PASSWORD;
use common::browser::{Browser, Run, id_in};
use domain::Role;
use domain::plan::KeyPointInput;

const MONTH: &str = "2026-12";
const UNIT_NAME: &str = "招商合作局";
const HEAD: &str = "zs.head";
const LEADER: &str = "leader.one";
const DIRECTOR: &str = "director";
const KEY_POINT: &str = "招商引资";
/// The three proposals: title, criterion, deadline. The third is returned by the leader.
const PROPOSALS: [(&str, &str, &str); 3] = [
    (
        "举办招商推介会",
        "推介会举办一场，签约意向项目不少于3个",
        "2026-12-10",
    ),
    (
        "走访重点企业",
        "走访重点企业20家并形成走访台账",
        "2026-12-18",
    ),
    ("梳理招商项目库", "有所推进", "2026-12-25"),
];
const RETURN_REASON: &str = "完成标准需量化";
const CONCRETE_CRITERION: &str = "新增入库项目10个，完成项目库更新并报送";
const ASSIGNED_TITLE: &str = "筹备年度招商工作总结会";
const ASSIGNED_CRITERION: &str = "12月28日前召开总结会并形成会议纪要";

impl Browser {
    /// `data-status` of the task rows of a unit's month page, by task id.
    async fn statuses(&self) -> Vec<(i64, String)> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll('#tasks tr[data-task]'))
                   .map(tr => [Number(tr.dataset.task), tr.dataset.status]);",
                vec![],
            )
            .await;
        serde_json::from_value(v).expect("statuses")
    }
}

/// What the setup made, for the flow.
#[derive(Clone, Copy)]
struct Setup {
    unit: i64,
    staff: i64,
    key_point: i64,
}

/// The unit head proposes a task and submits it; returns its id.
async fn propose_and_submit(
    b: &Browser,
    s: Setup,
    (title, criterion, deadline): (&str, &str, &str),
) -> i64 {
    b.goto(&format!("/months/{MONTH}/units/{}", s.unit)).await;
    b.expand("#propose").await;
    b.fill("#propose-title", title).await;
    b.fill("#propose-content", &format!("{title}的具体安排"))
        .await;
    b.fill("#propose-criterion", criterion).await;
    b.set_value("#propose-deadline", deadline).await;
    b.select("#propose-key_point_id", &s.key_point.to_string())
        .await;
    b.select("#propose-owner_id", &s.staff.to_string()).await;
    b.click_to("#propose-form button[type=submit]", "#submit-form")
        .await;
    let path = b.path().await;
    assert!(path.starts_with("/tasks/"), "after proposing: {path}");
    let id = id_in(&path);
    assert_eq!(
        b.wait("#status").await.attr("data-status").await.unwrap(),
        Some("draft".into())
    );
    assert!(b.text("main h1").await.contains(title));
    b.click_to(
        "#submit-form button[type=submit]",
        "#status[data-status=submitted]",
    )
    .await;
    id
}

/// The leader in charge approves a task on its page.
async fn approve(b: &Browser, task: i64) {
    b.goto(&format!("/tasks/{task}")).await;
    b.click_to(
        "#approve-form button[type=submit]",
        "#status[data-status=leader_approved]",
    )
    .await;
}

/// The acceptance flow of one month.
async fn flow(b: Browser, s: Setup) {
    let unit_page = format!("/months/{MONTH}/units/{}", s.unit);

    // --- 1. The unit head proposes three tasks and submits them --------------------------
    b.login(HEAD, TEST_PASSWORD).await;
    let mut ids = Vec::new();
    for p in PROPOSALS {
        ids.push(propose_and_submit(&b, s, p).await);
    }
    b.goto(&unit_page).await;
    b.wait("#tasks tr[data-task]").await;
    let mut listed = b.statuses().await;
    listed.sort();
    assert_eq!(
        listed,
        ids.iter()
            .map(|id| (*id, "submitted".to_owned()))
            .collect::<Vec<_>>(),
        "the unit's page lists the three submitted proposals"
    );
    let rows = b.rows("#tasks tbody tr").await;
    for (title, _, deadline) in PROPOSALS {
        assert!(
            rows.iter()
                .any(|r| r[0].contains(title) && r[2] == deadline),
            "{title} due {deadline} in {rows:?}"
        );
    }
    b.screenshot("plan-unit-proposals.png").await;
    b.logout().await;

    // --- 2. The leader in charge approves two and returns the third ----------------------
    b.login(LEADER, TEST_PASSWORD).await;
    b.goto(&unit_page).await;
    b.wait("#tasks tr[data-task]").await;
    assert_eq!(
        b.statuses().await.len(),
        3,
        "the leader sees the unit's tasks"
    );
    assert!(
        b.absent("#propose-form").await,
        "the leader reviews, the unit proposes"
    );
    approve(&b, ids[0]).await;
    approve(&b, ids[1]).await;
    b.goto(&format!("/tasks/{}", ids[2])).await;
    b.wait("#review").await;
    b.fill("#return-reason", RETURN_REASON).await;
    b.js("document.getElementById('review').scrollIntoView()", vec![])
        .await;
    b.screenshot("plan-leader-review.png").await;
    b.click_confirm_to(
        "#return-form button[type=submit]",
        "#status[data-status=returned]",
    )
    .await;
    assert_eq!(b.text("#reason").await, RETURN_REASON);
    b.logout().await;

    // --- 3. The unit head makes the returned one concrete and submits it again ----------
    b.login(HEAD, TEST_PASSWORD).await;
    b.goto(&unit_page).await;
    b.wait(&format!(
        "#tasks tr[data-task='{}'][data-status=returned]",
        ids[2]
    ))
    .await;
    b.click_to(
        &format!("#tasks tr[data-task='{}'] a", ids[2]),
        "#status[data-status=returned]",
    )
    .await;
    assert_eq!(b.text("#reason").await, RETURN_REASON);
    b.expand("#edit").await;
    b.fill("#edit-criterion", CONCRETE_CRITERION).await;
    b.click_to("#edit-form button[type=submit]", "#submit-form")
        .await;
    assert!(
        b.text("main .card dl.facts")
            .await
            .contains(CONCRETE_CRITERION),
        "the criterion is saved"
    );
    b.click_to(
        "#submit-form button[type=submit]",
        "#status[data-status=submitted]",
    )
    .await;
    b.logout().await;

    b.login(LEADER, TEST_PASSWORD).await;
    approve(&b, ids[2]).await;
    b.logout().await;

    // --- 4. The director accepts the three, assigns an item and arranges the month -------
    b.login(DIRECTOR, TEST_PASSWORD).await;
    let arrangement = format!("/months/{MONTH}/arrangement");
    b.goto(&arrangement).await;
    for id in &ids {
        b.wait(&format!(
            "#by-unit tr[data-task='{id}'] .st-leader_approved"
        ))
        .await;
    }
    for id in &ids {
        b.click_to(
            &format!(
                "#by-unit tr[data-task='{id}'] form:has(input[name=decision][value=accept]) button"
            ),
            &format!("#by-unit tr[data-task='{id}'] .st-accepted"),
        )
        .await;
    }
    b.expand("#assign").await;
    b.select("#assign-unit_id", &s.unit.to_string()).await;
    b.fill("#assign-title", ASSIGNED_TITLE).await;
    b.fill("#assign-criterion", ASSIGNED_CRITERION).await;
    b.set_value("#assign-deadline", "2026-12-28").await;
    b.select("#assign-owner_id", &s.staff.to_string()).await;
    b.click_to("#assign-form button[type=submit]", "#by-unit")
        .await;
    assert!(
        b.absent("#assign-form .notice.err").await,
        "the assigned item is accepted"
    );
    let rows = b.rows("#by-unit tr[data-task]").await;
    assert_eq!(
        rows.len(),
        4,
        "three proposals and the assigned item: {rows:?}"
    );
    let assigned = rows
        .iter()
        .find(|r| r[0].contains(ASSIGNED_TITLE))
        .unwrap_or_else(|| panic!("the assigned item in {rows:?}"));
    assert!(assigned[0].contains("交办事项"), "badged: {assigned:?}");
    let accepted = b
        .js(
            "return document.querySelectorAll('#by-unit tr[data-task] .st-accepted').length",
            vec![],
        )
        .await;
    assert_eq!(accepted.as_u64(), Some(4), "all four are accepted");
    b.screenshot("plan-arrangement.png").await;
    b.click_confirm_to("#arrange-form button[type=submit]", "#phase")
        .await;
    assert_eq!(b.path().await, format!("/months/{MONTH}"));
    let counts = b
        .rows(&format!("#unit-counts tr[data-unit='{}']", s.unit))
        .await;
    assert_eq!(counts.len(), 1, "the unit's counts: {counts:?}");
    // Columns: unit, draft, submitted, returned, leader_approved, accepted, rejected, arranged,
    // in progress, the five sign-off states, total.
    assert_eq!(counts[0][7], "4", "four arranged: {counts:?}");
    assert_eq!(counts[0][8], "0", "none reported on yet: {counts:?}");
    assert_eq!(counts[0].len(), 15, "{counts:?}");
    assert_eq!(counts[0][14], "4", "four in all: {counts:?}");
    assert!(
        b.absent("#arrange-form").await,
        "an arranged month cannot be arranged again"
    );
    b.logout().await;

    // --- 5. The unit's plan table: page, print layout, XLSX ------------------------------
    b.login(HEAD, TEST_PASSWORD).await;
    b.goto(&unit_page).await;
    b.click_to("#table-link", "#table-title").await;
    assert!(
        b.text("#table-title").await.contains("2026年12月预安表"),
        "the table's title"
    );
    let rows = b.rows("#plan-table tbody tr").await;
    assert_eq!(rows.len(), 4, "four rows in the plan table: {rows:?}");
    let mut titles: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    titles.sort_unstable();
    let mut expected: Vec<&str> = PROPOSALS
        .iter()
        .map(|p| p.0)
        .chain([ASSIGNED_TITLE])
        .collect();
    expected.sort_unstable();
    assert_eq!(titles, expected, "the table's titles");
    let categories: Vec<&str> = rows.iter().map(|r| r[7].as_str()).collect();
    assert_eq!(
        categories.iter().filter(|c| **c == "交办事项").count(),
        1,
        "one assigned item: {categories:?}"
    );
    let returned = rows
        .iter()
        .find(|r| r[1] == PROPOSALS[2].0)
        .expect("the resubmitted task");
    assert_eq!(returned[3], CONCRETE_CRITERION, "its concrete criterion");
    b.screenshot("plan-table.png").await;

    let href = b
        .wait("#xlsx-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    let xlsx = format!("/months/{MONTH}/units/{}/table.xlsx", s.unit);
    assert_eq!(href, xlsx, "the download link");
    let (kind, bytes) = b.download(&xlsx).await;
    assert!(kind.contains("spreadsheetml"), "content type {kind}");
    assert!(bytes.starts_with(b"PK"), "an XLSX (zip) file");
    let read = docs::read_plan_rows(&bytes, docs::ImportLimits::default())
        .unwrap_or_else(|e| panic!("the downloaded table reads back: {e:?}"));
    let mut read_titles: Vec<&str> = read.iter().map(|r| r.title.as_str()).collect();
    read_titles.sort_unstable();
    assert_eq!(read_titles, expected, "the file's titles");
    assert_eq!(
        read.iter()
            .filter(|r| r.category == domain::plan_table::CATEGORY_ASSIGNED)
            .count(),
        1,
        "the file's categories"
    );

    b.goto(&format!("/months/{MONTH}/units/{}/table?print=1", s.unit))
        .await;
    b.wait("table tbody tr").await;
    assert_eq!(b.rows("table tbody tr").await.len(), 4, "four printed rows");
    assert!(b.text("h1").await.contains(UNIT_NAME));
    b.screenshot("plan-table-print.png").await;
    b.goto(&unit_page).await;
    b.logout().await;
}

/// The people, the unit and the key point, made through the app.
async fn setup(t: &app::testing::TestApp) -> Setup {
    t.clock.advance(chrono::Duration::days(19));
    let unit = t.unit(UNIT_NAME, None).await;
    t.person(HEAD, Some(unit), &[(Role::UnitHead, Some(unit))])
        .await;
    let staff = t
        .person("zs.staff", Some(unit), &[(Role::Staff, Some(unit))])
        .await
        .actor
        .person_id
        .0;
    let leader = t
        .person(LEADER, None, &[(Role::LeaderInCharge, None)])
        .await
        .actor
        .person_id
        .0;
    t.app
        .set_led_units(Caller::System, leader, &[unit])
        .await
        .expect("led units");
    t.person(DIRECTOR, None, &[(Role::Director, None)]).await;
    let key_point = t
        .app
        .create_key_point(
            Caller::System,
            t.org,
            &KeyPointInput {
                year: 2026,
                kind: "key_point".into(),
                title: KEY_POINT.into(),
                ..Default::default()
            },
        )
        .await
        .expect("key point");
    Setup {
        unit,
        staff,
        key_point,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_is_proposed_reviewed_and_arranged() {
    common::browser::run(
        Run {
            name: "browser plan test",
            failure: "plan-failure",
            profile: "xiaohao-e2e-plan-chromium",
        },
        setup,
        flow,
    )
    .await;
}
