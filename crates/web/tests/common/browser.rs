//! End-to-end tests through a real browser: chromedriver and headless Chromium, the server
//! in-process, and a run that cleans up after a failed flow and leaves the page behind for the
//! person reading the log.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::testing::TestApp;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The longest wait for one page or element.
pub const WAIT: Duration = Duration::from_secs(20);

/// chromedriver, killed when the test ends however it ends.
pub struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory removed when the test ends.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Starts chromedriver on a free port and waits until it answers.
pub async fn start_driver() -> (Driver, u16) {
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

pub async fn connect_browser(port: u16, profile: &Path) -> Client {
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
pub struct Browser {
    pub c: Client,
    pub base: String,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn goto(&self, path: &str) {
        self.c
            .goto(&self.url(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
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

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.expect("element text")
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let el = self.wait(css).await;
        el.clear().await.expect("clear field");
        el.send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.wait(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value} in `{css}`: {e}"));
    }

    /// Runs a script with arguments and returns its value.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.c
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Sets a field's value the way a picker would: typing into a date input depends on the
    /// locale's date format, so the value is set and the `input`/`change` events fired.
    pub async fn set_value(&self, css: &str, value: &str) {
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
    pub async fn expand(&self, details: &str) {
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
    pub async fn mark_page(&self) {
        self.js(
            "document.documentElement.setAttribute('data-e2e-old', '1')",
            vec![],
        )
        .await;
    }

    pub async fn wait_new(&self, then: &str) -> fantoccini::elements::Element {
        self.wait(&format!("html:not([data-e2e-old]) {then}")).await
    }

    /// Marks the current page and clicks `click`.
    async fn mark_and_click(&self, click: &str) {
        let el = self.wait(click).await;
        self.mark_page().await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click `{click}`: {e}"));
    }

    /// Clicks `click` and waits for the next page to show `then`.
    pub async fn click_to(&self, click: &str, then: &str) -> fantoccini::elements::Element {
        self.mark_and_click(click).await;
        self.wait_new(then).await
    }

    /// Clicks a button of a form with `data-confirm`, accepts the confirmation dialog and
    /// waits for the next page to show `then`.
    pub async fn click_confirm_to(&self, click: &str, then: &str) -> fantoccini::elements::Element {
        self.mark_and_click(click).await;
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

    /// Polls a script every 200 ms until it returns `true`, for at most `within`; returns how
    /// long that took. For what a page changes by itself, without navigating.
    pub async fn wait_until(
        &self,
        what: &str,
        within: Duration,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> Duration {
        let started = Instant::now();
        loop {
            if self.js(script, args.clone()).await.as_bool() == Some(true) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "{what}: not within {:.1} s",
                within.as_secs_f64()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The tab (window) the browser is driving.
    pub async fn tab(&self) -> WindowHandle {
        self.c.window().await.expect("current window")
    }

    /// Opens a new tab of the same browser (same cookies), switches to it and returns it.
    pub async fn open_tab(&self) -> WindowHandle {
        let tab = self.c.new_window(true).await.expect("new tab").handle;
        self.switch_tab(&tab).await;
        tab
    }

    /// Drives another tab from now on; the page in it stays as it was.
    pub async fn switch_tab(&self, tab: &WindowHandle) {
        self.c
            .switch_to_window(tab.clone())
            .await
            .unwrap_or_else(|e| panic!("switch to tab {tab:?}: {e}"));
    }

    /// Sizes the browser window (every tab of it) so that pages see a `width`×`height`
    /// viewport, as on a screen of that size: the window's own frame is added.
    pub async fn viewport(&self, width: u32, height: u32) {
        let set = |w: u32, h: u32| async move {
            self.c
                .set_window_size(w, h)
                .await
                .unwrap_or_else(|e| panic!("window size {w}×{h}: {e}"));
        };
        let inner = || async {
            let v = self
                .js("return [window.innerWidth, window.innerHeight]", vec![])
                .await;
            serde_json::from_value::<(u32, u32)>(v).expect("viewport size")
        };
        set(width, height).await;
        let (w, h) = inner().await;
        if (w, h) != (width, height) {
            set(
                (2 * width).saturating_sub(w),
                (2 * height).saturating_sub(h),
            )
            .await;
        }
        assert_eq!(inner().await, (width, height), "the viewport");
    }

    pub async fn path(&self) -> String {
        self.c
            .current_url()
            .await
            .expect("current url")
            .path()
            .to_owned()
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.c.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }

    pub async fn login(&self, username: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click_to("#login-submit", "header form[action='/logout']")
            .await;
    }

    pub async fn logout(&self) {
        self.click_to("header form[action='/logout'] button", "#login-submit")
            .await;
    }

    /// The targets of the header navigation.
    pub async fn nav(&self) -> Vec<String> {
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

    pub async fn absent(&self, css: &str) -> bool {
        self.c
            .find_all(Locator::Css(css))
            .await
            .expect("query")
            .is_empty()
    }

    /// The HTTP status of a GET from the page, with the browser's session.
    pub async fn status_of(&self, path: &str) -> u64 {
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

    /// The texts of the cells of every row matched by `rows`.
    pub async fn rows(&self, rows: &str) -> Vec<Vec<String>> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll(arguments[0]))
                   .map(tr => Array.from(tr.cells).map(td => td.innerText.trim()));",
                vec![serde_json::json!(rows)],
            )
            .await;
        serde_json::from_value(v).expect("rows as text")
    }

    /// GETs a file with the browser's session from inside the page; its bytes travel back as
    /// base64.
    pub async fn download(&self, path: &str) -> (String, Vec<u8>) {
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

/// The first number in a path such as `/units/42`, `/people/42/roles` or `/tasks/42`.
pub fn id_in(path: &str) -> i64 {
    path.split('/')
        .filter_map(|s| s.parse().ok())
        .next()
        .unwrap_or_else(|| panic!("no id in {path}"))
}

/// What sets one browser test's run apart from another's.
pub struct Run {
    /// How the log names the test when it passes, e.g. `browser test`.
    pub name: &'static str,
    /// The stem of the failure captures in [`screenshot_dir`]: `failure` gives `failure.png`
    /// and `failure.html`.
    pub failure: &'static str,
    /// The stem of the Chromium profile directory in the temporary directory.
    pub profile: &'static str,
}

/// Runs one browser test: skips it without Chromium and chromedriver (fails under `CI=true`),
/// makes a `TestApp` and lets `setup` prepare it, serves it on a free port, opens the browser
/// and runs `flow` in its own task, so that a failed assertion still lets us capture the page
/// and clean up before the failure is passed on.
pub async fn run<T, Fut>(
    run: Run,
    setup: impl AsyncFnOnce(&TestApp) -> T,
    flow: impl FnOnce(Browser, T) -> Fut,
) where
    Fut: Future<Output = ()> + Send + 'static,
{
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
    let (png_name, html_name) = (
        format!("{}.png", run.failure),
        format!("{}.html", run.failure),
    );
    // Failure captures of an earlier run would mislead.
    for stale in [&png_name, &html_name] {
        let _ = std::fs::remove_file(screenshot_dir().join(stale));
    }

    // The server, in-process.
    let t = TestApp::new(store::testing::TestDb::sqlite().await).await;
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
        "{}-{}-{}",
        run.profile,
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
            let _ = std::fs::write(dir.join(&png_name), png);
        }
        if let Ok(html) = client.source().await {
            let _ = std::fs::write(dir.join(&html_name), html);
        }
        eprintln!(
            "browser flow failed; the page is in {}/{png_name} and {html_name}",
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
        "{} passed in {:.1} s; screenshots in {}",
        run.name,
        started.elapsed().as_secs_f64(),
        screenshot_dir()
            .canonicalize()
            .unwrap_or_else(|_| screenshot_dir())
            .display()
    );
}
