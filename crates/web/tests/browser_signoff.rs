//! End to end through a real browser: one month's sign-off (销号), from the unit's forms to the
//! closed month and the bulletin (通报) as a Word document.
//!
//! The server runs in-process over a fresh SQLite database; one unit with its head and a
//! staff member, the supervisor (督查室), the efficiency officer (效能监察室), the performance
//! officer (绩考办), the leading group and the director are made through the app, with three
//! arranged key tasks of the unit in November 2026 (deadline 20 November). The clock stands on
//! 2026-11-21. In headless Chromium: the unit head opens the sign-off form at phone width,
//! finds the report drafted from the task, is refused once for a missing completion (the
//! typed report and day are kept), then submits the first task with a completion day and a
//! PDF of evidence and the second without a day (today is taken), and declares the third
//! unfinished with the reason and next month's steps. The three offices each see only their
//! own review form; they approve the first task; on the second the supervision and
//! performance offices approve and the efficiency office returns it with a reason. The
//! leading group signs the first off; on the second the page says an office returned it, a
//! sign-off is refused with that reason, and the group returns it. On 2026-12-01 the director
//! reads the briefing (3 planned, 1 signed off, 33.3%, the two unfinished with why), records
//! the review meeting, generates the bulletin, publishes it and downloads its DOCX, which is
//! opened and checked (document number, title, the unfinished task with its reason, the
//! official fonts), then closes the month from the briefing. In December the unit head finds
//! both unsigned tasks carried over; the declared one shows its chain back to November and one
//! month overdue, and the returned one in November now shows the offices' opinions.
//! Screenshots of the key steps land in `target/e2e-screenshots/` as `signoff-*.png`.
//!
//! Without Chromium and chromedriver the test is skipped, except under `CI=true`, where it fails.

mod common;

use std::io::Read;
use std::sync::Arc;

use app::testing::{TEST_PASSWORD, TestApp};
use app::{App, Caller, FixedClock};
use common::browser::{Browser, Run, TempDir, id_in};
use domain::Role;
use domain::page::PageRequest;
use domain::plan::TaskInput;
use serde_json::json;

const MONTH: &str = "2026-11";
const NEXT_MONTH: &str = "2026-12";
const UNIT_NAME: &str = "征拆办";
const HEAD: &str = "zc.head";
const STAFF: &str = "zc.staff";
const SUPERVISOR: &str = "supervisor";
const EFFICIENCY: &str = "efficiency";
const PERFORMANCE: &str = "performance";
const LEADING: &str = "leading";
const DIRECTOR: &str = "director";
/// The three tasks: signed off, returned, declared unfinished.
const TITLES: [&str; 3] = ["万达广场周边地块征收", "安置房建设交付", "重点项目融资落地"];
const DEADLINE: &str = "2026-11-20";
const COMPLETED_ON: &str = "2026-11-19";
const COMPLETION_1: &str = "征收 32 户全部完成，地块已交付";
const REPORT_ADDENDUM: &str = "补充：交地确认书已签订";
const COMPLETION_2: &str = "安置房主体完工";
const EVIDENCE: &str = "交地确认书.pdf";
const PDF: &[u8] = b"%PDF-1.4\n% sign-off evidence\n%%EOF\n";
const UNFINISHED_REASON: &str = "银行审批未完成";
const NEXT_STEPS: &str = "下月10日前完成放款";
const OFFICE_RETURN_REASON: &str = "交付验收资料不全";
const GROUP_RETURN_REASON: &str = "效能监察室退回，补齐验收资料后重报";
const ANALYSIS: &str = "总体推进有序，融资类事项偏慢";
const DISPATCH: &str = "结转事项优先安排，月中调度";
const DOC_NUMBER: &str = "测高预安〔2026〕11号";
const BULLETIN_TITLE: &str = "关于2026年11月预安销号工作情况的通报";
const OFFICES: [&str; 3] = ["supervision", "efficiency", "performance"];

/// What the setup made, for the flow: the app and its clock (the flow moves it), the unit and
/// the three tasks.
struct Setup {
    app: App,
    clock: Arc<FixedClock>,
    org: i64,
    unit: i64,
    tasks: [i64; 3],
}

impl Setup {
    /// Moves the app's clock to 09:00 UTC of `day`.
    fn go_to(&self, day: &str) {
        let target = domain::plan::parse_date(day)
            .expect("a day")
            .and_hms_opt(9, 0, 0)
            .expect("a time")
            .and_utc();
        self.clock.advance(target - self.app.now());
    }
}

impl Browser {
    async fn open_task(&self, task: i64) {
        self.goto(&format!("/tasks/{task}")).await;
        self.wait("#status").await;
    }

    /// The `data-status` of the task shown.
    async fn task_status(&self) -> String {
        self.wait("#status")
            .await
            .attr("data-status")
            .await
            .expect("data-status")
            .unwrap_or_default()
    }

    /// The current value of a form field.
    async fn value(&self, css: &str) -> String {
        self.wait(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// The task's fact (the task card's `dd`) under the label `label`, if shown.
    async fn fact(&self, label: &str) -> Option<String> {
        self.js(
            "const dt = Array.from(document.querySelectorAll('main .card dl.facts dt'))
               .find(dt => dt.textContent.trim() === arguments[0]);
             return dt ? dt.nextElementSibling.textContent.trim() : null;",
            vec![json!(label)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// Scrolls an element into the middle of the viewport, for a screenshot.
    async fn show(&self, css: &str) {
        self.wait(css).await;
        self.js(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })",
            vec![json!(css)],
        )
        .await;
    }

    /// Whether the page is wider than the viewport (a horizontal scroll bar).
    async fn overflows(&self) -> bool {
        self.js(
            "return document.documentElement.scrollWidth > window.innerWidth",
            vec![],
        )
        .await
        .as_bool()
            == Some(true)
    }

    /// An office gives its verdict on a task's submission and sees it in the opinions.
    async fn give_opinion(&self, task: i64, office: &str, verdict: &str, reason: &str) {
        self.open_task(task).await;
        assert_eq!(self.task_status().await, "sign_off_submitted");
        let details = format!("#review-{office}");
        self.expand(&details).await;
        for other in OFFICES.iter().filter(|o| **o != office) {
            assert!(
                self.absent(&format!("#review-{other}")).await,
                "the {office} office does not speak for {other}"
            );
        }
        self.select(&format!("#verdict-{office}"), verdict).await;
        if !reason.is_empty() {
            self.fill(&format!("#opinion-reason-{office}"), reason)
                .await;
        }
        self.click_to(
            &format!(".opinion-form[data-office={office}] button[type=submit]"),
            &format!("#opinions tr[data-office={office}][data-verdict={verdict}]"),
        )
        .await;
        if !reason.is_empty() {
            let row = self
                .text(&format!("#opinions tr[data-office={office}]"))
                .await;
            assert!(row.contains(reason), "the opinion's reason: {row}");
        }
    }
}

/// The acceptance flow of the month's sign-off.
async fn flow(b: Browser, s: Setup) {
    let [t1, t2, t3] = s.tasks;
    let files = TempDir(std::env::temp_dir().join(format!(
        "xiaohao-e2e-signoff-files-{}-{t1}",
        std::process::id()
    )));
    std::fs::create_dir_all(&files.0).expect("evidence dir");
    let evidence = files.0.join(EVIDENCE);
    std::fs::write(&evidence, PDF).expect("evidence file");

    // --- 1. The unit head submits two tasks and declares the third unfinished ------------
    b.login(HEAD, TEST_PASSWORD).await;
    b.open_task(t1).await;
    assert_eq!(b.task_status().await, "arranged");
    b.viewport(390, 844).await;
    b.expand("#sign-off-submit").await;
    let draft = b.value("#so-report").await;
    assert!(
        draft.contains(TITLES[0]) && draft.contains(DEADLINE),
        "the report is drafted from the task: {draft}"
    );
    b.show("#sign-off-submit").await;
    assert!(
        !b.overflows().await,
        "the sign-off form fits a phone's width"
    );
    b.screenshot("signoff-form-phone.png").await;
    b.viewport(1280, 800).await;

    // Without a completion the form is refused, the typed report and day kept.
    b.js(
        "document.getElementById('sign-off-submit-form').noValidate = true",
        vec![],
    )
    .await;
    b.wait("#so-report")
        .await
        .send_keys(REPORT_ADDENDUM)
        .await
        .expect("type into the report");
    let typed = b.value("#so-report").await;
    assert!(
        typed.starts_with(draft.trim_end()) && typed.ends_with(REPORT_ADDENDUM),
        "the draft is kept and added to: {typed}"
    );
    b.set_value("#so-completed-on", COMPLETED_ON).await;
    b.click_to(
        "#sign-off-submit-form button[type=submit]",
        "#sign-off-submit[open] .field.has-error #so-completion",
    )
    .await;
    assert_eq!(b.task_status().await, "arranged", "nothing was submitted");
    assert!(
        b.text("#sign-off-submit .has-error")
            .await
            .contains("完成情况"),
        "the field in error is named"
    );
    assert_eq!(
        b.value("#so-report").await,
        typed,
        "the typed report is kept"
    );
    assert_eq!(b.value("#so-completed-on").await, COMPLETED_ON);
    assert!(b.absent("#sign-off-current").await, "no form is stored");

    // Now complete, with evidence.
    b.fill("#so-completion", COMPLETION_1).await;
    b.wait("#so-files")
        .await
        .send_keys(&evidence.display().to_string())
        .await
        .expect("choose the evidence file");
    b.click_to(
        "#sign-off-submit-form button[type=submit]",
        "#status[data-status=sign_off_submitted]",
    )
    .await;
    b.wait("#sign-off-current[data-status=submitted]").await;
    let current = b.text("#sign-off-current").await;
    assert!(
        current.contains(COMPLETION_1) && current.contains(COMPLETED_ON),
        "the stored form: {current}"
    );
    let report = b.text("#sign-off-report").await;
    assert!(
        report.contains(TITLES[0]) && report.contains(REPORT_ADDENDUM),
        "the stored report: {report}"
    );
    assert!(
        b.text("#sign-off-current ul.files")
            .await
            .contains(EVIDENCE),
        "the evidence is listed"
    );
    assert!(
        b.absent("#sign-off-submit-form").await,
        "a submitted task is not submitted again"
    );
    assert!(
        b.absent("#review-state").await && b.absent("#opinions").await,
        "the unit does not see where the offices stand"
    );
    assert!(
        b.absent(".review-office").await,
        "the unit does not review its own submission"
    );

    // The second task, without a completion day: today's is taken.
    b.open_task(t2).await;
    b.expand("#sign-off-submit").await;
    assert!(b.value("#so-report").await.contains(TITLES[1]));
    b.fill("#so-completion", COMPLETION_2).await;
    b.click_to(
        "#sign-off-submit-form button[type=submit]",
        "#status[data-status=sign_off_submitted]",
    )
    .await;
    let current = b.text("#sign-off-current").await;
    assert!(
        current.contains(COMPLETION_2) && current.contains("2026-11-21"),
        "the completion day defaults to today: {current}"
    );

    // The third is declared unfinished.
    b.open_task(t3).await;
    b.expand("#sign-off-unfinished").await;
    b.fill("#so-reason", UNFINISHED_REASON).await;
    b.fill("#so-next-steps", NEXT_STEPS).await;
    b.click_to(
        "#sign-off-unfinished-form button[type=submit]",
        "#status[data-status=declared_unfinished]",
    )
    .await;
    b.wait("#sign-off-current[data-status=unfinished]").await;
    let current = b.text("#sign-off-current").await;
    assert!(
        current.contains(UNFINISHED_REASON) && current.contains(NEXT_STEPS),
        "the statement: {current}"
    );
    b.logout().await;

    // --- 2. The three offices approve the first and return the second --------------------
    for (who, office) in [
        (SUPERVISOR, "supervision"),
        (EFFICIENCY, "efficiency"),
        (PERFORMANCE, "performance"),
    ] {
        b.login(who, TEST_PASSWORD).await;
        b.give_opinion(t1, office, "approve", "").await;
        if office == "performance" {
            let state = b.wait("#review-state[data-state=approved]").await;
            let state = state.text().await.expect("review state");
            assert!(state.contains("3/3"), "three approvals of three: {state}");
            b.show("#sign-off").await;
            b.screenshot("signoff-review.png").await;
        }
        if office == "efficiency" {
            b.give_opinion(t2, office, "return", OFFICE_RETURN_REASON)
                .await;
            b.wait("#review-state[data-state=returned]").await;
        } else {
            b.give_opinion(t2, office, "approve", "").await;
        }
        b.logout().await;
    }

    // --- 3. The leading group signs the first off and returns the second -----------------
    b.login(LEADING, TEST_PASSWORD).await;
    b.open_task(t1).await;
    b.wait("#review-state[data-state=approved]").await;
    assert!(b.absent("#decision-blocked").await, "nothing blocks it");
    assert!(
        b.absent(".review-office").await,
        "the leading group gives no office opinion"
    );
    assert_eq!(
        b.rows("#opinions tbody tr[data-verdict=approve]")
            .await
            .len(),
        3,
        "three approvals listed"
    );
    b.click_confirm_to(
        "#sign-off-form button[type=submit]",
        "#status[data-status=signed_off]",
    )
    .await;
    b.wait("#sign-off-current[data-status=signed_off]").await;
    assert!(b.absent("#sign-off-decision").await, "decided once");

    b.open_task(t2).await;
    let blocked = b.wait("#decision-blocked").await;
    assert_eq!(
        blocked.attr("data-code").await.unwrap().as_deref(),
        Some("returned_by_office")
    );
    let opinion = b.text("#opinions tr[data-office=efficiency]").await;
    assert!(
        opinion.contains(OFFICE_RETURN_REASON),
        "the office's reason: {opinion}"
    );
    b.show("#sign-off-decision").await;
    b.screenshot("signoff-decision-blocked.png").await;
    // Signing it off anyway is refused with that reason.
    b.click_confirm_to(
        "#sign-off-form button[type=submit]",
        ".notice.err[data-codes*=returned_by_office]",
    )
    .await;
    assert_eq!(b.task_status().await, "sign_off_submitted");
    let refusal = b.text(".notice.err").await;
    assert!(
        refusal.contains("有联审部门退回了该事项"),
        "the refusal says why: {refusal}"
    );
    b.fill("#decide-reason", GROUP_RETURN_REASON).await;
    b.click_confirm_to(
        "#sign-off-return-form button[type=submit]",
        "#status[data-status=sign_off_returned]",
    )
    .await;
    b.wait("#sign-off-current[data-status=returned]").await;
    assert_eq!(
        b.text("#sign-off-decision-reason").await,
        GROUP_RETURN_REASON
    );
    b.logout().await;

    // --- 4. After the month: the briefing, the meeting and the bulletin -------------------
    s.go_to("2026-12-01");
    // Sessions idle that long have ended: sign in again.
    b.login(DIRECTOR, TEST_PASSWORD).await;
    let briefing = format!("/months/{MONTH}/briefing");
    b.goto(&briefing).await;
    assert_eq!(b.text("#fig-planned").await, "3");
    assert_eq!(b.text("#fig-signed-off").await, "1");
    assert_eq!(b.text("#fig-on-time").await, "1");
    assert_eq!(b.text("#fig-unfinished").await, "2");
    assert_eq!(b.text("#fig-rate").await, "33.3%");
    let unfinished = b.rows("#unfinished-list tbody tr").await;
    assert_eq!(unfinished.len(), 2, "two unfinished: {unfinished:?}");
    let row_of = |title: &str| {
        unfinished
            .iter()
            .find(|r| r[1] == title)
            .unwrap_or_else(|| panic!("{title} in {unfinished:?}"))
            .clone()
    };
    let declared = row_of(TITLES[2]);
    assert_eq!(declared[2], UNFINISHED_REASON, "{declared:?}");
    assert_eq!(declared[3], NEXT_STEPS, "{declared:?}");
    let returned = row_of(TITLES[1]);
    assert!(
        returned[2].contains(GROUP_RETURN_REASON),
        "why it was returned: {returned:?}"
    );
    assert!(
        b.absent(&format!("#unfinished-list tr[data-task='{t1}']"))
            .await,
        "the signed-off task is not unfinished"
    );
    b.screenshot("signoff-briefing.png").await;

    b.set_value("#held-on", "2026-12-01").await;
    b.fill("#analysis", ANALYSIS).await;
    b.fill("#dispatch", DISPATCH).await;
    b.click_to("#meeting-form button[type=submit]", "#meeting-held")
        .await;
    assert!(b.text("#meeting-held").await.contains("2026-12-01"));
    assert_eq!(
        b.value("#analysis").await,
        ANALYSIS,
        "the analysis is saved"
    );

    b.fill("#doc-number", DOC_NUMBER).await;
    b.click_to(
        "#bulletin-form button[type=submit]",
        "#bulletin-status[data-status=draft]",
    )
    .await;
    let path = b.path().await;
    assert!(path.starts_with("/bulletins/"), "after generating: {path}");
    let bulletin = id_in(&path);
    assert_eq!(b.text("#bulletin .doc-number").await, DOC_NUMBER);
    assert_eq!(b.text("#bulletin h1").await, BULLETIN_TITLE);
    let text = b.text("#bulletin").await;
    for part in [TITLES[2], UNFINISHED_REASON, NEXT_STEPS, ANALYSIS, DISPATCH] {
        assert!(text.contains(part), "{part} in the bulletin");
    }
    // Before the close the draft cannot be published: the page says why, and a publication
    // sent anyway (the form posted by hand) is refused with that message.
    assert!(
        b.absent("#publish-bulletin-form").await,
        "no publish button yet"
    );
    assert!(
        b.text("#bulletin-wait-close")
            .await
            .contains("关账后方可印发"),
        "the page says when it can be published"
    );
    b.mark_page().await;
    b.js(
        "const f = document.createElement('form'); f.method = 'post'; \
         f.action = location.pathname + '/publish'; \
         const c = document.createElement('input'); c.type = 'hidden'; c.name = '_csrf'; \
         c.value = document.querySelector('input[name=_csrf]').value; f.appendChild(c); \
         document.body.appendChild(f); f.submit();",
        vec![],
    )
    .await;
    let refused = b.wait_new("main .card").await.text().await.unwrap();
    assert!(
        refused.contains("本月尚未关账，通报不能印发"),
        "the refusal says why: {refused}"
    );
    b.goto(&path).await;
    b.wait("#bulletin-status[data-status=draft]").await;

    // The DOCX, opened and read.
    let docx = format!("/bulletins/{bulletin}/docx");
    assert_eq!(
        b.wait("#docx-link").await.attr("href").await.unwrap(),
        Some(docx.clone()),
        "the download link"
    );
    let (kind, bytes) = b.download(&docx).await;
    assert!(kind.contains("wordprocessingml"), "content type {kind}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX (zip) file");
    let mut part = |name: &str| {
        let mut xml = String::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name} in the DOCX: {e}"))
            .read_to_string(&mut xml)
            .expect("XML text");
        xml
    };
    let document = part("word/document.xml");
    let styles = part("word/styles.xml");
    for want in [
        DOC_NUMBER,
        BULLETIN_TITLE,
        "2026年11月",
        TITLES[2],
        UNFINISHED_REASON,
        NEXT_STEPS,
        TITLES[1],
        ANALYSIS,
    ] {
        assert!(document.contains(want), "{want} in word/document.xml");
    }
    assert!(
        document.contains("方正小标宋简体"),
        "the title's font is named"
    );
    assert!(
        styles.contains("仿宋_GB2312") || document.contains("仿宋_GB2312"),
        "the text's font is named"
    );

    // --- 5. The director closes the month from the briefing ------------------------------
    b.goto(&briefing).await;
    assert!(
        b.text("#bulletin-link").await.contains(BULLETIN_TITLE),
        "the briefing links the draft"
    );
    b.click_confirm_to(
        "#close-form button[type=submit]",
        "#phase[data-phase=closed]",
    )
    .await;
    let url = b.c.current_url().await.expect("current url");
    assert_eq!(url.path(), format!("/months/{MONTH}"));
    assert_eq!(url.query(), Some("ok=close.done"));
    assert!(
        b.text(".notice.ok").await.contains("未完成事项已转入下月"),
        "the close is confirmed"
    );
    b.goto(&briefing).await;
    b.wait("#figures-frozen").await;
    assert!(b.absent("#close-form").await, "closed once");
    assert_eq!(b.text("#fig-rate").await, "33.3%", "the frozen rate");
    // Closed: the draft is regenerated from the final record and published.
    b.fill("#doc-number", DOC_NUMBER).await;
    b.click_to(
        "#bulletin-form button[type=submit]",
        "#bulletin-status[data-status=draft]",
    )
    .await;
    assert_eq!(b.path().await, path, "the same bulletin, regenerated");
    b.click_confirm_to(
        "#publish-bulletin-form button[type=submit]",
        "#bulletin-status[data-status=published]",
    )
    .await;
    assert!(b.absent("#publish-bulletin-form").await, "published once");
    b.screenshot("signoff-bulletin.png").await;
    b.goto(&briefing).await;
    assert!(
        b.absent("#bulletin-form").await,
        "a published bulletin stays"
    );
    b.logout().await;

    // --- 6. December: both unsigned tasks continue, with their chain ---------------------
    let next = s
        .app
        .list_tasks(
            Caller::System,
            s.org,
            &app::model::TaskFilter {
                month: Some(NEXT_MONTH.into()),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await
        .expect("December's tasks");
    assert_eq!(
        next.items.len(),
        2,
        "two tasks carried into December: {:?}",
        next.items.iter().map(|t| &t.title).collect::<Vec<_>>()
    );
    let carried_from = |origin: i64| {
        next.items
            .iter()
            .find(|t| t.carried_from_id == Some(origin))
            .unwrap_or_else(|| panic!("task {origin} carried into December"))
    };
    let carried3 = carried_from(t3);
    let carried2 = carried_from(t2);
    assert_eq!(carried3.months_overdue, 1);
    assert_eq!(carried2.months_overdue, 1);
    assert_eq!(carried3.title, TITLES[2]);
    assert!(
        next.items.iter().all(|t| t.carried_from_id != Some(t1)),
        "the signed-off task stays in November"
    );
    let (carried3, carried2) = (carried3.id, carried2.id);

    b.login(HEAD, TEST_PASSWORD).await;
    b.goto(&format!("/months/{NEXT_MONTH}/units/{}", s.unit))
        .await;
    b.wait(&format!("#tasks tr[data-task='{carried2}']")).await;
    let rows = b.rows("#tasks tbody tr").await;
    assert_eq!(rows.len(), 2, "December's tasks of the unit: {rows:?}");
    for title in [TITLES[1], TITLES[2]] {
        assert!(
            rows.iter().any(|r| r[0].contains(title)),
            "{title} in {rows:?}"
        );
    }
    b.click_to(&format!("#tasks tr[data-task='{carried3}'] a"), "#chain")
        .await;
    assert_eq!(b.path().await, format!("/tasks/{carried3}"));
    assert!(b.text("main h1").await.contains(TITLES[2]));
    let chain = b.rows("#chain tbody tr").await;
    assert_eq!(chain.len(), 1, "one month behind it: {chain:?}");
    assert_eq!(chain[0][0], MONTH, "the origin month: {chain:?}");
    assert_eq!(chain[0][1], TITLES[2], "the origin task: {chain:?}");
    assert_eq!(
        b.find("#chain tbody tr a")
            .await
            .attr("href")
            .await
            .unwrap(),
        Some(format!("/tasks/{t3}")),
        "the chain links the origin"
    );
    assert_eq!(
        b.fact("逾期月数").await.as_deref(),
        Some("1"),
        "one month overdue"
    );
    assert_eq!(
        b.fact("完成时限").await.as_deref(),
        Some("2026-12-20"),
        "due on the same day of December"
    );
    b.show("#chain").await;
    b.screenshot("signoff-carried.png").await;

    // The returned task in November: carried over, and its opinions are now the unit's to read.
    b.open_task(t2).await;
    assert_eq!(b.task_status().await, "carried_over");
    let opinion = b.text("#opinions tr[data-office=efficiency]").await;
    assert!(
        opinion.contains(OFFICE_RETURN_REASON),
        "the unit reads why the office returned it: {opinion}"
    );
    b.logout().await;
    drop(files);
}

/// The people, the unit and three arranged key tasks of November, made through the app.
async fn setup(t: &TestApp) -> Setup {
    let unit = t.unit(UNIT_NAME, None).await;
    t.person(HEAD, Some(unit), &[(Role::UnitHead, Some(unit))])
        .await;
    let staff = t
        .person(STAFF, Some(unit), &[(Role::Staff, Some(unit))])
        .await
        .actor
        .person_id
        .0;
    t.person(SUPERVISOR, None, &[(Role::Supervisor, None)])
        .await;
    t.person(EFFICIENCY, None, &[(Role::EfficiencyOfficer, None)])
        .await;
    t.person(PERFORMANCE, None, &[(Role::PerformanceOfficer, None)])
        .await;
    t.person(LEADING, None, &[(Role::LeadingGroup, None)]).await;
    t.person(DIRECTOR, None, &[(Role::Director, None)]).await;
    let mut tasks = Vec::new();
    for title in TITLES {
        let input = TaskInput {
            title: title.into(),
            content: format!("{title}，按周调度"),
            criterion: "11月20日前完成并报送".into(),
            deadline: DEADLINE.into(),
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
    let s = Setup {
        app: t.app.clone(),
        clock: t.clock.clone(),
        org: t.org,
        unit,
        tasks: tasks.try_into().expect("three tasks"),
    };
    s.go_to("2026-11-21");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_is_signed_off_bulletined_and_closed() {
    common::browser::run(
        Run {
            name: "browser sign-off test",
            failure: "signoff-failure",
            profile: "xiaohao-e2e-signoff-chromium",
        },
        setup,
        flow,
    )
    .await;
}
