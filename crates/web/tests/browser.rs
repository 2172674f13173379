//! End to end through a real browser: the server runs in-process over a fresh SQLite database
//! with the demo organization, headless Chromium drives it through chromedriver.
//!
//! The demo administrator creates a unit and a person in it, grants that person the staff role
//! for the unit and signs out; the new staff member signs in and sees only what staff may see:
//! no administration links, only the people of their own unit, the 403 page for the audit ledger
//! and for a person of another unit. The language switch is tried on the way. Screenshots of the
//! key steps land in `target/e2e-screenshots/`.
//!
//! Without Chromium and chromedriver the test is skipped, except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEMO_PASSWORD: &str = "demo-pass-123";
const UNIT_NAME: &str = "浏览器测试单位";
const STAFF_USERNAME: &str = "e2e.staff";
const STAFF_NAME: &str = "端到端测试员";
const STAFF_PASSWORD: &str = "e2e-pass-1234";
/// A demo person of another unit (财政局), whom the new staff member must not see.
const OTHER_USERNAME: &str = "czj.head";
/// The longest wait for one page or element.
const WAIT: Duration = Duration::from_secs(20);

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

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
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

    /// Clicks `click` and waits for the next page to show `then`. The current page is marked
    /// first, so an element of the page being left never counts.
    async fn click_to(&self, click: &str, then: &str) -> fantoccini::elements::Element {
        let el = self.wait(click).await;
        self.c
            .execute(
                "document.documentElement.setAttribute('data-e2e-old', '1')",
                vec![],
            )
            .await
            .expect("mark page");
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click `{click}`: {e}"));
        self.wait(&format!("html:not([data-e2e-old]) {then}")).await
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

    async fn login(&self, username: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click_to("#login-submit", "header form[action='/logout']")
            .await;
    }

    async fn logout(&self) {
        self.click_to("header form[action='/logout'] button", "#login-submit")
            .await;
    }

    /// The targets of the header navigation.
    async fn nav(&self) -> Vec<String> {
        let mut out = Vec::new();
        for a in self
            .c
            .find_all(Locator::Css("header nav a"))
            .await
            .expect("nav links")
        {
            out.push(a.attr("href").await.expect("href").unwrap_or_default());
        }
        out
    }

    async fn absent(&self, css: &str) -> bool {
        self.c
            .find_all(Locator::Css(css))
            .await
            .expect("query")
            .is_empty()
    }

    /// The HTTP status of a GET from the page, with the browser's session.
    async fn status_of(&self, path: &str) -> u64 {
        self.c
            .execute(
                "return fetch(arguments[0], { redirect: 'manual' }).then(r => r.status)",
                vec![serde_json::json!(path)],
            )
            .await
            .unwrap_or_else(|e| panic!("fetch {path}: {e}"))
            .as_u64()
            .unwrap_or_else(|| panic!("no status for {path}"))
    }

    /// The usernames of the rows of a people list.
    async fn listed_people(&self) -> Vec<String> {
        let mut out = Vec::new();
        for tr in self
            .c
            .find_all(Locator::Css("tr[data-username]"))
            .await
            .expect("people rows")
        {
            out.push(
                tr.attr("data-username")
                    .await
                    .expect("attribute")
                    .unwrap_or_default(),
            );
        }
        out
    }
}

/// The first number in a path such as `/units/42` or `/people/42/roles`.
fn id_in(path: &str) -> i64 {
    path.split('/')
        .filter_map(|s| s.parse().ok())
        .next()
        .unwrap_or_else(|| panic!("no id in {path}"))
}

/// The acceptance flow of the people-and-roles pages.
async fn flow(b: Browser) {
    // --- The administrator creates a unit --------------------------------------------------
    b.login("demo.admin", DEMO_PASSWORD).await;
    b.goto("/units").await;
    b.wait("#new-unit").await;
    assert!(b.nav().await.contains(&"/audit".to_owned()), "admin nav");
    b.screenshot("admin-units.png").await;
    b.click_to("#new-unit", "#unit-form").await;
    b.fill("#unit-form #name", UNIT_NAME).await;
    b.fill("#unit-form #code", "e2e").await;
    let h1 = b
        .click_to("#unit-form button[type=submit]", "main h1")
        .await;
    assert!(
        h1.text().await.unwrap().contains(UNIT_NAME),
        "the new unit's page shows its name"
    );
    let unit_path = b.path().await;
    assert!(
        unit_path.starts_with("/units/"),
        "redirected to {unit_path}"
    );
    let unit = id_in(&unit_path);
    assert!(b.text("main").await.contains(UNIT_NAME));
    b.screenshot("unit-created.png").await;

    // --- ... and a person in it --------------------------------------------------------------
    b.goto(&format!("/people/new?unit={unit}")).await;
    b.wait("#person-form").await;
    let chosen = b
        .find("#person-form #unit_id")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        chosen.as_deref(),
        Some(unit.to_string().as_str()),
        "the unit is preselected"
    );
    b.fill("#person-form #username", STAFF_USERNAME).await;
    b.fill("#person-form #display_name", STAFF_NAME).await;
    b.select("#person-form #unit_id", &unit.to_string()).await;
    b.fill("#person-form #password", STAFF_PASSWORD).await;
    b.click_to("#person-form button[type=submit]", "#grant-role")
        .await;
    assert!(b.text("main h1").await.contains(STAFF_NAME));
    assert_eq!(b.text("main #username").await, STAFF_USERNAME);
    assert!(b.text("main .card").await.contains(UNIT_NAME));
    let action = b
        .find("#grant-role")
        .await
        .attr("action")
        .await
        .unwrap()
        .unwrap_or_default();
    let person = id_in(&action);
    b.screenshot("person-created.png").await;

    // --- ... grants them the staff role for that unit ----------------------------------------
    b.select("#grant-role select[name=role]", "staff").await;
    b.select("#grant-role select[name=unit_id]", &unit.to_string())
        .await;
    let role = b
        .click_to(
            "#grant-role button[type=submit]",
            "#roles li[data-role=staff]",
        )
        .await;
    assert!(role.text().await.unwrap().contains(UNIT_NAME));
    assert_eq!(b.path().await, format!("/people/{person}"));
    b.screenshot("role-granted.png").await;

    // --- ... looks up a person of another unit, and signs out ---------------------------------
    b.goto(&format!("/people?q={OTHER_USERNAME}")).await;
    let href = b
        .wait(&format!("tr[data-username='{OTHER_USERNAME}'] a"))
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    let other = id_in(&href);
    b.logout().await;

    // --- The staff member sees their own unit and nothing more -------------------------------
    b.login(STAFF_USERNAME, STAFF_PASSWORD).await;
    let nav = b.nav().await;
    assert!(nav.contains(&"/people".to_owned()), "staff nav: {nav:?}");
    assert!(nav.contains(&"/units".to_owned()), "staff nav: {nav:?}");
    assert!(
        !nav.iter()
            .any(|h| h.starts_with("/organizations") || h.starts_with("/audit")),
        "no administration links for staff: {nav:?}"
    );
    b.screenshot("staff-home.png").await;

    b.goto("/people").await;
    b.wait("tr[data-username]").await;
    let listed = b.listed_people().await;
    assert_eq!(
        listed,
        vec![STAFF_USERNAME.to_owned()],
        "staff see only the people of their own unit"
    );
    assert!(
        b.absent("#new-person").await,
        "no 新建人员 button for staff"
    );
    b.screenshot("staff-people.png").await;

    b.goto(&format!("/people?q={OTHER_USERNAME}")).await;
    b.wait("main .empty").await;
    assert!(
        !b.listed_people().await.contains(&OTHER_USERNAME.to_owned()),
        "searching does not reach other units"
    );

    b.goto("/audit").await;
    assert!(
        b.text("main h1").await.contains("403"),
        "the audit ledger is forbidden"
    );
    b.screenshot("staff-forbidden.png").await;
    assert_eq!(b.status_of("/audit").await, 403);
    b.goto(&format!("/people/{other}")).await;
    assert!(
        b.text("main h1").await.contains("403"),
        "a person of another unit is forbidden"
    );
    assert_eq!(b.status_of(&format!("/people/{other}")).await, 403);
    assert_eq!(b.status_of(&format!("/people/{person}")).await, 200);

    // --- The language switch ----------------------------------------------------------------
    b.goto("/people").await;
    b.wait("header nav a[href='/units']").await;
    let link = b
        .click_to(
            "header .me a[href^='/lang/en']",
            "header nav a[href='/units']",
        )
        .await;
    assert_eq!(link.text().await.unwrap(), "Units");
    assert_eq!(b.path().await, "/people", "the switch stays on the page");
    assert_eq!(b.text("main h1").await, "People");
    b.screenshot("staff-people-en.png").await;
    let link = b
        .click_to(
            "header .me a[href^='/lang/zh']",
            "header nav a[href='/units']",
        )
        .await;
    assert_eq!(link.text().await.unwrap(), "部门单位");
    b.logout().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_member_created_by_admin_sees_only_their_unit() {
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
    for stale in ["failure.png", "failure.html"] {
        let _ = std::fs::remove_file(screenshot_dir().join(stale));
    }

    // The server, in-process, with the demo organization.
    let t = app::testing::TestApp::new(store::testing::TestDb::sqlite().await).await;
    t.app.load_demo(DEMO_PASSWORD).await.expect("demo loads");
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
        "xiaohao-e2e-chromium-{}-{}",
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
    let outcome = tokio::spawn(flow(b.clone())).await;
    if outcome.is_err() {
        // What the browser showed when the flow failed, for the person reading the log.
        let dir = screenshot_dir();
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(dir.join("failure.png"), png);
        }
        if let Ok(html) = client.source().await {
            let _ = std::fs::write(dir.join("failure.html"), html);
        }
        eprintln!(
            "browser flow failed; the page is in {}/failure.png and failure.html",
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
        "browser test passed in {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        screenshot_dir()
            .canonicalize()
            .unwrap_or_else(|_| screenshot_dir())
            .display()
    );
}
