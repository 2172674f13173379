//! End to end through a real browser: the supervisor's publication reaches the display screen
//! (电子屏) while it is open, without a reload.
//!
//! The server runs in-process over a fresh SQLite database; the unit, its staff member, the
//! leader in charge, the supervisor, two arranged key tasks of November and a display token are
//! made through the app. The clock stands on 2026-11-02, in November's arrangement. In headless
//! Chromium, 1920×1080, with two tabs of one browser: the first opens the board (no sign-in)
//! pinned to the red list, which shows no publication and no red card yet, and marks its
//! `window`; the second signs in as the supervisor and overrides one task's card to red with a
//! reason; the board hears of the change and fetches its panels again, but an unpublished card
//! stays off it. The supervisor confirms the other card and publishes. Back in the first tab,
//! the red card appears by itself (server-sent event, then the panels fetched again), marked as
//! set by the supervision office (its reason stays inside the system) and with no person's
//! name, and the mark on `window` is still there: the page was not reloaded.
//! Screenshots of the board before and after and of the supervisor's override land in
//! `target/e2e-screenshots/`.
//!
//! Without Chromium and chromedriver the test is skipped, except under `CI=true`, where it fails.

mod common;

use std::time::{Duration, Instant};

use app::Caller;
use app::testing::{TEST_PASSWORD, TestApp};
use common::browser::{Browser, Run};
use domain::Role;
use domain::plan::TaskInput;
use serde_json::json;

const MONTH: &str = "2026-11";
const UNIT_NAME: &str = "征拆办";
const STAFF: &str = "zc.staff";
const LEADER: &str = "zc.leader";
const SUPERVISOR: &str = "supervisor";
/// The task whose card the supervisor overrides to red, and the one confirmed as computed.
const RED_TITLE: &str = "万达广场周边地块征收";
const OTHER_TITLE: &str = "安置房建设交付";
const REASON: &str = "明察发现进度不实";
const NOTE: &str = "十一月公示";
/// How long the board may take to show a publication by itself.
const LIVE: Duration = Duration::from_secs(5);
/// The mark left on the board's `window`: a reload would lose it.
const MARK: i64 = 42;

/// What the setup made, for the flow.
struct Setup {
    token: String,
    red_task: i64,
    other_task: i64,
}

impl Browser {
    /// Whether the red list shows a row for `title`.
    async fn red_row_shown(&self, title: &str) -> bool {
        self.js(RED_ROW_SHOWN, vec![json!(title)]).await.as_bool() == Some(true)
    }
}

const RED_ROW_SHOWN: &str =
    "return Array.from(document.querySelectorAll('#red-list tr[data-red-title]'))
       .some(tr => tr.dataset.redTitle === arguments[0]);";

/// The acceptance flow of the live board.
async fn flow(b: Browser, s: Setup) {
    b.viewport(1920, 1080).await;

    // --- 1. The board, open before anything is published -----------------------------------
    let board_tab = b.tab().await;
    b.goto(&format!("/board/{}?panel=red", s.token)).await;
    b.wait("#panel-red.active").await;
    // The live stream is open (the page lights its dot on the stream's `open`).
    b.wait("#board-live.on").await;
    let sub = b.text("#board-sub").await;
    assert!(sub.contains("本月尚未公示"), "no publication yet: {sub}");
    assert!(b.absent("tr[data-red-title]").await, "no red card yet");
    assert!(
        b.text("#panel-red").await.contains("本期无红牌"),
        "the red list says it is empty"
    );
    b.js("window.__xhMarker = arguments[0]", vec![json!(MARK)])
        .await;
    // The panels as first served; fetching them again replaces this element.
    b.js(
        "document.getElementById('board-sub').setAttribute('data-e2e-first', '1')",
        vec![],
    )
    .await;
    b.screenshot("board-before.png").await;

    // --- 2. The supervisor overrides one card to red, in a second tab ----------------------
    let supervisor_tab = b.open_tab().await;
    assert_ne!(supervisor_tab, board_tab, "two tabs");
    b.login(SUPERVISOR, TEST_PASSWORD).await;
    let cards = format!("/months/{MONTH}/cards");
    b.goto(&cards).await;
    b.wait("#supervisor-tools").await;
    let red_row = format!("#card-list tr[data-subject='task-{}']", s.red_task);
    let other_row = format!("#card-list tr[data-subject='task-{}']", s.other_task);
    b.wait(&other_row).await;
    b.select(
        &format!("{red_row} form.judge-form select[name=color]"),
        "red",
    )
    .await;
    b.fill(
        &format!("{red_row} form.judge-form input[name=reason]"),
        REASON,
    )
    .await;
    b.click_to(
        &format!("{red_row} form.judge-form button[type=submit]"),
        &format!("{red_row} [data-card-color=red]"),
    )
    .await;
    let row = b.text(&red_row).await;
    assert!(row.contains(REASON), "the override's reason: {row}");
    assert!(row.contains(RED_TITLE), "the overridden task: {row}");
    assert!(
        b.absent(&format!("{other_row} [data-card-color=red]"))
            .await,
        "the other card keeps its colour"
    );
    b.js(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })",
        vec![json!(red_row)],
    )
    .await;
    b.screenshot("supervisor-override.png").await;

    // The board has heard of the card changes and fetched its panels again, but it shows
    // only what is published.
    b.switch_tab(&board_tab).await;
    b.wait_until(
        "the board fetches its panels after a card change",
        LIVE,
        "return document.querySelector('#board-sub:not([data-e2e-first])') !== null",
        vec![],
    )
    .await;
    assert!(
        !b.red_row_shown(RED_TITLE).await,
        "an unpublished judgement is not on the board"
    );
    assert!(
        b.text("#board-sub").await.contains("本月尚未公示"),
        "still no publication"
    );
    b.switch_tab(&supervisor_tab).await;

    // --- 3. ... confirms the others and publishes ------------------------------------------
    b.click_confirm_to(
        &format!("#supervisor-tools form[action='/months/{MONTH}/cards/confirm-all'] button"),
        "#supervisor-tools",
    )
    .await;
    assert!(
        b.absent("#card-list .badge.late").await,
        "every card is judged"
    );
    b.fill("#publish-form input[name=note]", NOTE).await;
    b.click_confirm_to("#publish-form button[type=submit]", "#published-cards")
        .await;
    let published = Instant::now();
    let path = b.path().await;
    assert!(
        path.starts_with("/publications/"),
        "after publishing: {path}"
    );

    // --- 4. The board shows the red card by itself -----------------------------------------
    b.switch_tab(&board_tab).await;
    b.wait_until(
        "the red card on the open board",
        LIVE,
        RED_ROW_SHOWN,
        vec![json!(RED_TITLE)],
    )
    .await;
    eprintln!(
        "the board showed the red card at most {:.1} s after the publication",
        published.elapsed().as_secs_f64()
    );
    assert_eq!(
        b.js("return window.__xhMarker", vec![]).await.as_i64(),
        Some(MARK),
        "the board was not reloaded"
    );
    assert_eq!(
        b.path().await,
        format!("/board/{}", s.token),
        "still the board"
    );
    let rows = b.rows("#red-list tbody tr").await;
    assert_eq!(rows.len(), 1, "one red card: {rows:?}");
    assert_eq!(rows[0][0], UNIT_NAME, "its unit: {rows:?}");
    assert_eq!(rows[0][1], RED_TITLE, "its title: {rows:?}");
    // The screen says the supervision office set the colour; its words stay inside.
    assert_eq!(rows[0][2], "督查室认定", "the reason column: {rows:?}");
    assert!(
        !rows.concat().iter().any(|c| c.contains(REASON)),
        "the supervisor's own words are not on the public screen: {rows:?}"
    );
    assert!(
        !b.red_row_shown(OTHER_TITLE).await,
        "the other card is not red"
    );
    b.wait("#board-sub [data-publication]").await;
    let sub = b.text("#board-sub").await;
    assert!(
        sub.contains(MONTH) && !sub.contains("本月尚未公示"),
        "the publication is named: {sub}"
    );
    assert_eq!(
        b.text(".board-totals .c-red").await,
        "1",
        "one red in the totals"
    );
    let screen = b.text("#board").await;
    for who in [STAFF, LEADER, SUPERVISOR] {
        let name = format!("测试{who}");
        assert!(!screen.contains(&name), "{name} on the board");
    }
    b.screenshot("board-live.png").await;
}

/// The people, the unit, two arranged key tasks and a display token, made through the app.
async fn setup(t: &TestApp) -> Setup {
    let unit = t.unit(UNIT_NAME, None).await;
    let staff = t
        .person(STAFF, Some(unit), &[(Role::Staff, Some(unit))])
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
    t.person(SUPERVISOR, None, &[(Role::Supervisor, None)])
        .await;
    let mut tasks = Vec::new();
    for title in [RED_TITLE, OTHER_TITLE] {
        let input = TaskInput {
            title: title.into(),
            content: format!("{title}，按周调度"),
            criterion: "11月20日前完成并报送".into(),
            deadline: "2026-11-20".into(),
            owner_id: Some(staff),
            is_key_work: true,
            ..Default::default()
        };
        tasks.push(
            t.app
                .add_assigned_item(Caller::System, t.org, MONTH, unit, &input)
                .await
                .expect("assigned item"),
        );
    }
    t.app
        .arrange_month(Caller::System, t.org, MONTH)
        .await
        .expect("arrange the month");
    let (_, token) = t
        .app
        .create_display_token(Caller::System, t.org, "大厅电子屏")
        .await
        .expect("display token");
    Setup {
        token,
        red_task: tasks[0],
        other_task: tasks[1],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publication_shows_on_the_open_board_without_a_reload() {
    common::browser::run(
        Run {
            name: "board browser test",
            failure: "board-failure",
            profile: "xiaohao-board",
        },
        setup,
        flow,
    )
    .await;
}
