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

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::Caller;
use app::testing::TEST_PASSWORD;
use domain::Role;
use domain::plan::KeyPointInput;
use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The longest wait for one page or element.
const WAIT: Duration = Duration::from_secs(20);
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

/// chromedriver, killed when the test ends however it ends.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory removed when the test ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Starts chromedriver on a free port and waits until it answers.
async fn start_driver() -> (Driver, u16) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
    let mut driver = Driver { child };
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(Some(status)) = driver.child.try_wait() {
            panic!("chromedriver exited early with {status}");
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return (driver, port);
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn connect_browser(port: u16, profile: &Path) -> Client {
    let options = serde_json::json!({
        "binary": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    // chromedriver may accept connections a moment before it accepts sessions.
    for _ in 0..5 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("cannot open a Chromium session through chromedriver: {last:?}");
}

/// The browser and the address of the server under test.
#[derive(Clone)]
struct Browser {
    c: Client,
    base: String,
}

impl Browser {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn goto(&self, path: &str) {
        self.c
            .goto(&self.url(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => el,
            Err(e) => {
                let at = self
                    .c
                    .current_url()
                    .await
                    .map_or(String::new(), String::from);
                panic!("no `{css}` on {at}: {e}")
            }
        }
    }

    async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.expect("element text")
    }

    async fn fill(&self, css: &str, value: &str) {
        let el = self.wait(css).await;
        el.clear().await.expect("clear field");
        el.send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    async fn select(&self, css: &str, value: &str) {
        self.wait(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value} in `{css}`: {e}"));
    }

    /// Runs a script with arguments and returns its value.
    async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.c
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Sets a field's value the way a picker would: typing into a date input depends on the
    /// locale's date format, so the value is set and the `input`/`change` events fired.
    async fn set_value(&self, css: &str, value: &str) {
        self.wait(css).await;
        let set = self
            .js(
                "const el = document.querySelector(arguments[0]);
                 el.value = arguments[1];
                 el.dispatchEvent(new Event('input', { bubbles: true }));
                 el.dispatchEvent(new Event('change', { bubbles: true }));
                 return el.value;",
                vec![serde_json::json!(css), serde_json::json!(value)],
            )
            .await;
        assert_eq!(set.as_str(), Some(value), "value of `{css}`");
    }

    /// Opens a `<details>` by clicking its summary, as a person would.
    async fn expand(&self, details: &str) {
        let open = self
            .wait(details)
            .await
            .prop("open")
            .await
            .expect("open property");
        if open.as_deref() != Some("true") {
            self.wait(&format!("{details} > summary"))
                .await
                .click()
                .await
                .unwrap_or_else(|e| panic!("expand `{details}`: {e}"));
        }
    }

    /// Marks the current page, so that an element of the page being left never counts.
    async fn mark_page(&self) {
        self.js(
            "document.documentElement.setAttribute('data-e2e-old', '1')",
            vec![],
        )
        .await;
    }

    async fn wait_new(&self, then: &str) -> fantoccini::elements::Element {
        self.wait(&format!("html:not([data-e2e-old]) {then}")).await
    }

    /// Clicks `click` and waits for the next page to show `then`.
    async fn click_to(&self, click: &str, then: &str) -> fantoccini::elements::Element {
        let el = self.wait(click).await;
        self.mark_page().await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click `{click}`: {e}"));
        self.wait_new(then).await
    }

    /// Clicks a button of a form with `data-confirm`, accepts the confirmation dialog and
    /// waits for the next page to show `then`.
    async fn click_confirm_to(&self, click: &str, then: &str) -> fantoccini::elements::Element {
        let el = self.wait(click).await;
        self.mark_page().await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click `{click}`: {e}"));
        let deadline = Instant::now() + WAIT;
        loop {
            match self.c.accept_alert().await {
                Ok(()) => break,
                Err(e) => {
                    assert!(
                        Instant::now() < deadline,
                        "no confirmation dialog after `{click}`: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        self.wait_new(then).await
    }

    async fn path(&self) -> String {
        self.c
            .current_url()
            .await
            .expect("current url")
            .path()
            .to_owned()
    }

    async fn screenshot(&self, name: &str) {
        let png = self.c.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }

    async fn login(&self, username: &str) {
        self.goto("/login").await;
        self.fill("#username", username).await;
        self.fill("#password", TEST_PASSWORD).await;
        self.click_to("#login-submit", "header form[action='/logout']")
            .await;
    }

    async fn logout(&self) {
        self.click_to("header form[action='/logout'] button", "#login-submit")
            .await;
    }

    async fn absent(&self, css: &str) -> bool {
        self.c
            .find_all(Locator::Css(css))
            .await
            .expect("query")
            .is_empty()
    }

    /// The texts of the cells of every row matched by `rows`.
    async fn rows(&self, rows: &str) -> Vec<Vec<String>> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll(arguments[0]))
                   .map(tr => Array.from(tr.cells).map(td => td.innerText.trim()));",
                vec![serde_json::json!(rows)],
            )
            .await;
        serde_json::from_value(v).expect("rows as text")
    }

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

    /// GETs a file with the browser's session from inside the page; its bytes travel back as
    /// base64.
    async fn download(&self, path: &str) -> (String, Vec<u8>) {
        let v = self
            .js(
                "return fetch(arguments[0]).then(r => {
                   if (!r.ok) { throw new Error('HTTP ' + r.status); }
                   const type = r.headers.get('content-type') || '';
                   return r.arrayBuffer().then(buf => {
                     const bytes = new Uint8Array(buf);
                     let bin = '';
                     for (let i = 0; i < bytes.length; i += 0x8000) {
                       bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
                     }
                     return [type, btoa(bin)];
                   });
                 });",
                vec![serde_json::json!(path)],
            )
            .await;
        let (kind, b64): (String, String) = serde_json::from_value(v).expect("download result");
        (kind, base64_decode(&b64))
    }
}

/// Standard base64 (with padding), as `btoa` writes it.
fn base64_decode(s: &str) -> Vec<u8> {
    fn value(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {:?}", c as char),
        }
    }
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, c)| n | value(*c) << (18 - 6 * i));
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len() - 1]);
    }
    out
}

/// The first number in a path such as `/tasks/42`.
fn id_in(path: &str) -> i64 {
    path.split('/')
        .filter_map(|s| s.parse().ok())
        .next()
        .unwrap_or_else(|| panic!("no id in {path}"))
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
    b.login(HEAD).await;
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
    b.login(LEADER).await;
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
    b.login(HEAD).await;
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

    b.login(LEADER).await;
    approve(&b, ids[2]).await;
    b.logout().await;

    // --- 4. The director accepts the three, assigns an item and arranges the month -------
    b.login(DIRECTOR).await;
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
    // Columns: unit, draft, submitted, returned, leader_approved, accepted, rejected, arranged, total.
    assert_eq!(counts[0][7], "4", "four arranged: {counts:?}");
    assert_eq!(counts[0][8], "4", "four in all: {counts:?}");
    assert!(
        b.absent("#arrange-form").await,
        "an arranged month cannot be arranged again"
    );
    b.logout().await;

    // --- 5. The unit's plan table: page, print layout, XLSX ------------------------------
    b.login(HEAD).await;
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
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        assert!(
            !ci,
            "CI=true but {missing:?} is missing: install chromium and chromium-driver"
        );
        eprintln!("browser test skipped: {missing:?} not installed");
        return;
    }
    let started = Instant::now();
    // Failure captures of an earlier run would mislead.
    for stale in ["plan-failure.png", "plan-failure.html"] {
        let _ = std::fs::remove_file(screenshot_dir().join(stale));
    }

    // The server, in-process.
    let t = app::testing::TestApp::new(store::testing::TestDb::sqlite().await).await;
    let s = setup(&t).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(web::serve(
        listener,
        web::AppState {
            app: t.app.clone(),
            secure_cookies: false,
        },
        async {
            let _ = stopped.await;
        },
    ));

    // The browser.
    let (driver, port) = start_driver().await;
    let profile = TempDir(std::env::temp_dir().join(format!(
        "xiaohao-e2e-plan-chromium-{}-{}",
        std::process::id(),
        port
    )));
    std::fs::create_dir_all(&profile.0).expect("profile dir");
    let client = connect_browser(port, &profile.0).await;
    let b = Browser {
        c: client.clone(),
        base,
    };

    // The flow runs in its own task so that a failed assertion still lets us clean up.
    let outcome = tokio::spawn(flow(b.clone(), s)).await;
    if outcome.is_err() {
        // What the browser showed when the flow failed, for the person reading the log.
        let dir = screenshot_dir();
        let _ = std::fs::create_dir_all(&dir);
        // A confirmation dialog left open would block the captures.
        let _ = client.dismiss_alert().await;
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(dir.join("plan-failure.png"), png);
        }
        if let Ok(html) = client.source().await {
            let _ = std::fs::write(dir.join("plan-failure.html"), html);
        }
        eprintln!(
            "browser flow failed; the page is in {}/plan-failure.png and plan-failure.html",
            dir.display()
        );
    }

    let _ = client.close().await;
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(10), server).await {
        Ok(joined) => joined.expect("server task").expect("server"),
        Err(_) => eprintln!("server did not stop within 10 s"),
    }
    t.cleanup().await;
    drop(driver);
    drop(profile);

    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("browser flow did not finish: {e}"),
        }
    }
    eprintln!(
        "browser plan test passed in {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        screenshot_dir()
            .canonicalize()
            .unwrap_or_else(|_| screenshot_dir())
            .display()
    );
}
