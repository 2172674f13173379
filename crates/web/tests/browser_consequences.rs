//! End to end through a real browser: the consequences of the record (四个结合), from a unit's
//! score of a closed month to the task behind a deduction, and the accountability ladder's
//! referral (移交纪检监察机关) decided by the discipline office.
//!
//! The server runs in-process over a fresh SQLite database; two units, each with a staff
//! member, the performance officer (绩考办), the discipline officer (纪检监察) and the director
//! are made through the app. One task of unit A is assigned in September 2026 and left
//! unfinished: September, October and November are each arranged and closed in turn, so the
//! task is carried over twice and November's close proposes a referral for its third month
//! unfinished. Unit B's one task of November is signed off. The clock stands on 2026-12-02.
//! In headless Chromium at phone width: the performance officer goes from the menu to the
//! newest closed month's scores (B in full first, A with its deductions and its bonus
//! withheld), opens A's score, finds the unsigned-task deduction and follows it to November's
//! task, whose chain leads back to September. The discipline officer finds the referral among
//! the month's cases, records a decision without a sanction and reasons and is refused with
//! both named (the typed verification is kept), then chooses reassignment (调整岗位), confirms
//! and sees the case decided with its sanction and the form gone. Last, unit B's staff member
//! opens the case's address directly and is refused (403) without a word of the task.
//! Screenshots of the key steps land in `target/e2e-screenshots/` as `consequences-*.png`.
//!
//! Without Chromium and chromedriver the test is skipped, except under `CI=true`, where it fails.

mod common;

use app::model::{CaseFilter, TaskFilter};
use app::testing::{TEST_PASSWORD, TestApp};
use app::{App, Caller, FixedClock};
use common::browser::{Browser, Run};
use domain::Role;
use domain::page::PageRequest;
use domain::plan::TaskInput;
use domain::signoff::{FormInput, Office};
use serde_json::json;

/// The three months the task of unit A stays unfinished, the last one closed on 2 December.
const MONTHS: [&str; 3] = ["2026-09", "2026-10", "2026-11"];
const MONTH: &str = "2026-11";
const UNIT_A: &str = "征拆办";
const UNIT_B: &str = "财政局";
const STAFF_A: &str = "zc.staff";
const STAFF_B: &str = "cz.staff";
const PERFORMANCE: &str = "performance";
const DISCIPLINE: &str = "discipline";
const DIRECTOR: &str = "director";
/// Unit A's task, unfinished three months running, and unit B's, signed off in November.
const TITLE: &str = "园区污水管网改造";
const TITLE_B: &str = "预算执行分析";
const VERIFICATION: &str = "经核实，连续三个月未按期完成，责任人推进不力";
const REASONS: &str = "依据问责办法第十二条，调整其工作岗位";
/// The labels the pages show, in Chinese.
const REFERRAL: &str = "移交纪检监察机关";
const REASSIGNMENT: &str = "调整岗位";
const NOT_FOUND: &str = "页面不存在。";

/// What the setup made, for the flow: the units, unit A's task in each month (September's,
/// its continuations in October and November, and November's continuation in December) and
/// November's case of it.
struct Setup {
    app: App,
    unit_a: i64,
    unit_b: i64,
    /// Unit A's task: `[September, October, November, December]`.
    chain: [i64; 4],
    case: i64,
}

/// Moves the app's clock to 09:00 UTC of `day`, backwards too.
fn go_to(app: &App, clock: &FixedClock, day: &str) {
    let target = domain::plan::parse_date(day)
        .expect("a day")
        .and_hms_opt(9, 0, 0)
        .expect("a time")
        .and_utc();
    clock.advance(target - app.now());
}

/// The task of `month` carried over from `from`.
async fn carried(t: &TestApp, month: &str, from: i64) -> i64 {
    let page = t
        .app
        .list_tasks(
            Caller::System,
            t.org,
            &TaskFilter {
                month: Some(month.into()),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await
        .expect("the month's tasks");
    page.items
        .iter()
        .find(|task| task.carried_from_id == Some(from))
        .unwrap_or_else(|| panic!("task {from} carried into {month}"))
        .id
}

impl Browser {
    /// The current value of a form field.
    async fn value(&self, css: &str) -> String {
        self.wait(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
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

    /// Scrolls an element into the middle of the viewport, for a screenshot.
    async fn show(&self, css: &str) {
        self.wait(css).await;
        self.js(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })",
            vec![json!(css)],
        )
        .await;
    }

    /// Opens the phone's menu and follows its link to `href`, until the page shows `then`.
    async fn menu_to(&self, href: &str, then: &str) {
        self.wait("[data-toggle-nav]")
            .await
            .click()
            .await
            .expect("open the menu");
        self.click_to(&format!("header nav a[href='{href}']"), then)
            .await;
    }

    /// The case's fact (the `dd`) under the label `label`, if shown.
    async fn fact(&self, label: &str) -> Option<String> {
        self.js(
            "const dt = Array.from(document.querySelectorAll('main dl.card dt'))
               .find(dt => dt.textContent.trim() === arguments[0]);
             return dt ? dt.nextElementSibling.textContent.trim() : null;",
            vec![json!(label)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }
}

/// The acceptance flow of the consequences.
async fn flow(b: Browser, s: Setup) {
    let [september, october, november, december] = s.chain;

    // --- 1. The performance officer follows a deduction to its task ----------------------
    b.login(PERFORMANCE, TEST_PASSWORD).await;
    b.viewport(390, 844).await;
    // The menu's scores go to the newest closed month.
    b.menu_to("/scores", "#scores").await;
    assert_eq!(b.path().await, format!("/months/{MONTH}/scores"));
    assert!(
        b.text("main h1").await.contains(MONTH),
        "the month is named"
    );
    // Best first: unit, points, deductions, bonuses, unsigned tasks, bonus. (The narrow screen
    // hides the bonuses and the unsigned count; a hidden cell's `innerText` is still its text.)
    let rows = b.rows("#scores tbody tr").await;
    assert_eq!(
        rows,
        vec![
            vec![UNIT_B, "2.50", "0.00", "0.00", "0", "照发"],
            vec![UNIT_A, "1.80", "-0.70", "0.00", "1", "扣发"],
        ],
        "every unit's score of the month"
    );
    assert!(!b.overflows().await, "the scores fit a phone's width");
    b.screenshot("consequences-scores.png").await;

    b.click_to(
        &format!("#scores tr[data-unit='{}'] a", s.unit_a),
        "#score-entries",
    )
    .await;
    assert_eq!(
        b.path().await,
        format!("/units/{}/scores/{MONTH}", s.unit_a)
    );
    assert!(b.text("main h1").await.contains(UNIT_A), "the unit's name");
    let total = b.text("#score-total").await;
    assert!(
        total.contains("1.80") && total.contains("扣发"),
        "the month's score, its bonus withheld: {total}"
    );
    let rules = b
        .js(
            "return Array.from(document.querySelectorAll('#score-entries tbody tr'))
               .map(tr => [tr.dataset.rule, tr.dataset.task || null]);",
            vec![],
        )
        .await;
    assert_eq!(
        rules,
        json!([
            ["month_points", null],
            ["unsigned_task", november.to_string()],
            ["red_card", november.to_string()],
            ["bonus_withheld", null],
        ]),
        "each entry with its rule and its task"
    );
    let unsigned = format!("#score-entries tr[data-rule=unsigned_task][data-task='{november}']");
    let entry = b.rows(&unsigned).await;
    assert_eq!(
        entry,
        vec![vec![
            "未销号扣分",
            "-0.50",
            TITLE,
            &format!("测试{STAFF_A}")
        ]],
        "the deduction names its task"
    );
    assert!(
        !b.overflows().await,
        "the unit's score fits a phone's width"
    );
    b.show(&unsigned).await;
    b.screenshot("consequences-unit-score.png").await;

    // The deduction leads to November's task, and its chain back to September.
    b.click_to(&format!("{unsigned} a"), "#status").await;
    assert_eq!(b.path().await, format!("/tasks/{november}"));
    assert!(b.text("main h1").await.contains(TITLE), "the task's title");
    assert_eq!(
        b.wait("#status").await.attr("data-status").await.unwrap(),
        Some("carried_over".into()),
        "left unfinished and carried over"
    );
    let chain = b.rows("#chain tbody tr").await;
    let months: Vec<&str> = chain.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        months,
        [MONTHS[1], MONTHS[0]],
        "the months behind it, newest first"
    );
    assert!(
        chain.iter().all(|r| r[1] == TITLE),
        "the same task: {chain:?}"
    );
    let links = b
        .js(
            "return Array.from(document.querySelectorAll('#chain tbody tr a'))
               .map(a => a.getAttribute('href'));",
            vec![],
        )
        .await;
    assert_eq!(
        links,
        json!([format!("/tasks/{october}"), format!("/tasks/{september}")]),
        "the chain links each earlier month's task"
    );
    b.show("#chain").await;
    b.screenshot("consequences-task.png").await;
    b.logout().await;

    // --- 2. The discipline officer decides the referral ----------------------------------
    b.login(DISCIPLINE, TEST_PASSWORD).await;
    b.menu_to("/cases", "#cases").await;
    let listed = b.rows("#cases tbody tr").await;
    assert_eq!(listed.len(), 3, "a case for each month closed: {listed:?}");
    let row = format!("#cases tr[data-case='{}']", s.case);
    let referral = b.rows(&row).await;
    assert_eq!(referral.len(), 1, "the referral is listed");
    assert_eq!(referral[0][0], MONTH, "{referral:?}");
    assert_eq!(referral[0][1], UNIT_A, "{referral:?}");
    assert!(referral[0][2].contains(TITLE), "{referral:?}");
    assert_eq!(referral[0][3], REFERRAL, "{referral:?}");
    assert_eq!(
        b.wait(&row).await.attr("data-task").await.unwrap(),
        Some(november.to_string())
    );
    b.click_to(&format!("{row} a"), "#case-step").await;
    assert_eq!(b.path().await, format!("/cases/{}", s.case));
    let step = b.wait("#case-step[data-step=referral]").await;
    assert_eq!(step.text().await.expect("step"), REFERRAL);
    b.wait("#case-status[data-status=proposed]").await;
    assert!(
        b.absent("#case-deadline").await,
        "a referral has no rectification deadline"
    );
    assert_eq!(
        b.fact("关账月份").await,
        Some(format!("{MONTH} · 连续未完成月数 3")),
        "three months unfinished"
    );
    let links = b
        .js(
            "return Array.from(document.querySelectorAll('#case a'))
               .map(a => a.getAttribute('href'));",
            vec![],
        )
        .await;
    assert_eq!(
        links,
        json!([format!("/tasks/{november}"), format!("/tasks/{december}")]),
        "the case links its task and the continuation"
    );
    assert!(
        b.text("#case").await.contains(&format!("测试{STAFF_A}")),
        "the person concerned"
    );
    assert!(!b.overflows().await, "the case fits a phone's width");
    b.screenshot("consequences-case.png").await;

    // Without a sanction and reasons the decision is refused, the verification kept.
    b.js(
        "document.getElementById('decision-form').noValidate = true",
        vec![],
    )
    .await;
    b.fill("#verification", VERIFICATION).await;
    b.click_confirm_to(
        "#decision-form button[type=submit]",
        "#decision-form .field.has-error #sanction",
    )
    .await;
    b.wait("#decision-form .field.has-error #reasons").await;
    assert!(
        b.absent("#decision-form .field.has-error #verification")
            .await,
        "the verification was given"
    );
    assert_eq!(
        b.value("#verification").await,
        VERIFICATION,
        "the typed verification is kept"
    );
    for field in ["sanction", "reasons"] {
        assert_eq!(
            b.text(&format!(
                "#decision-form .field.has-error:has(#{field}) .error"
            ))
            .await,
            "必填。",
            "{field} is named as missing"
        );
    }
    let notice = b.wait("#decision-form .notice.err").await;
    assert!(
        notice
            .attr("data-codes")
            .await
            .unwrap()
            .is_some_and(|c| c.contains("required")),
        "the refusal's codes"
    );
    b.wait("#case-status[data-status=proposed]").await;
    assert!(b.absent("#case-sanction").await, "nothing was recorded");
    b.show("#decision-form").await;
    b.screenshot("consequences-decision-refused.png").await;

    b.select("#sanction", "reassignment").await;
    b.fill("#reasons", REASONS).await;
    b.click_confirm_to(
        "#decision-form button[type=submit]",
        "#case-status[data-status=decided]",
    )
    .await;
    let url = b.c.current_url().await.expect("current url");
    assert_eq!(url.path(), format!("/cases/{}", s.case));
    assert_eq!(url.query(), Some("ok=cases.decided"));
    assert!(
        b.text(".notice.ok").await.contains("处理决定已记录"),
        "the decision is confirmed"
    );
    let sanction = b.wait("#case-sanction[data-sanction=reassignment]").await;
    assert_eq!(sanction.text().await.expect("sanction"), REASSIGNMENT);
    assert_eq!(b.fact("核实情况").await.as_deref(), Some(VERIFICATION));
    assert_eq!(b.fact("理由").await.as_deref(), Some(REASONS));
    assert!(
        b.fact("处理人")
            .await
            .is_some_and(|d| d.contains(&format!("测试{DISCIPLINE}")) && d.contains("2026-12-02")),
        "who decided, and when"
    );
    assert!(b.absent("#decision-form").await, "decided once");
    b.screenshot("consequences-decided.png").await;
    b.logout().await;

    let decided = s
        .app
        .get_case(Caller::System, s.case)
        .await
        .expect("the case");
    assert_eq!(
        (
            decided.case.status.as_str(),
            decided.case.sanction.as_deref(),
            decided.case.verification.as_deref(),
            decided.case.reasons.as_deref(),
        ),
        (
            "decided",
            Some("reassignment"),
            Some(VERIFICATION),
            Some(REASONS)
        ),
        "the decision is stored"
    );

    // --- 3. To another unit's staff member the case does not exist -----------------------
    b.login(STAFF_B, TEST_PASSWORD).await;
    let case = format!("/cases/{}", s.case);
    b.goto(&case).await;
    assert!(
        b.text("main h1").await.contains("404"),
        "the case is not there for unit B"
    );
    assert!(b.text("main").await.contains(NOT_FOUND), "the page says so");
    let html = b.c.source().await.expect("page source");
    for secret in [TITLE, VERIFICATION, REASONS, REFERRAL] {
        assert!(!html.contains(secret), "{secret} is not shown to unit B");
    }
    assert_eq!(b.status_of(&case).await, 404);
    b.screenshot("consequences-forbidden.png").await;
    b.menu_to("/cases", "#cases-empty").await;
    assert!(b.absent("#cases").await, "unit B lists no case");
    assert_eq!(
        b.status_of(&format!("/units/{}/scores/{MONTH}", s.unit_a))
            .await,
        403,
        "nor unit A's score"
    );
    assert_eq!(
        b.status_of(&format!("/units/{}/scores/{MONTH}", s.unit_b))
            .await,
        200,
        "its own score it reads"
    );
    b.logout().await;
}

/// The people, the two units and three months of unit A's unfinished task, made through the
/// app; November closed on 2 December.
async fn setup(t: &TestApp) -> Setup {
    let sys = Caller::System;
    let unit_a = t.unit(UNIT_A, None).await;
    let unit_b = t.unit(UNIT_B, None).await;
    let staff_a = t
        .person(STAFF_A, Some(unit_a), &[(Role::Staff, Some(unit_a))])
        .await;
    let staff_b = t
        .person(STAFF_B, Some(unit_b), &[(Role::Staff, Some(unit_b))])
        .await;
    t.person(PERFORMANCE, None, &[(Role::PerformanceOfficer, None)])
        .await;
    t.person(DISCIPLINE, None, &[(Role::DisciplineOfficer, None)])
        .await;
    t.person(DIRECTOR, None, &[(Role::Director, None)]).await;
    let item = |title: &str, deadline: &str, owner: &app::Identity| TaskInput {
        title: title.into(),
        content: format!("{title}，按周调度"),
        criterion: "按期完成并报送佐证材料".into(),
        deadline: deadline.into(),
        owner_id: Some(owner.actor.person_id.0),
        is_key_work: true,
        ..Default::default()
    };

    // September: assigned, arranged, left unfinished and closed on 2 October.
    go_to(&t.app, &t.clock, "2026-09-02");
    let september = t
        .app
        .add_assigned_item(
            sys,
            t.org,
            MONTHS[0],
            unit_a,
            &item(TITLE, "2026-09-20", &staff_a),
        )
        .await
        .expect("September's task");
    t.app
        .arrange_month(sys, t.org, MONTHS[0])
        .await
        .expect("arrange September");
    go_to(&t.app, &t.clock, "2026-10-02");
    t.app
        .close_month(sys, t.org, MONTHS[0])
        .await
        .expect("close September");

    // October: the continuation is carried in, arranged, left unfinished again.
    t.app
        .arrange_month(sys, t.org, MONTHS[1])
        .await
        .expect("arrange October");
    let october = carried(t, MONTHS[1], september).await;
    go_to(&t.app, &t.clock, "2026-11-02");
    t.app
        .close_month(sys, t.org, MONTHS[1])
        .await
        .expect("close October");

    // November: unit B's task joins and is signed off; unit A's is unfinished a third time.
    let november = carried(t, MONTH, october).await;
    let task_b = t
        .app
        .add_assigned_item(
            sys,
            t.org,
            MONTH,
            unit_b,
            &item(TITLE_B, "2026-11-20", &staff_b),
        )
        .await
        .expect("unit B's task");
    t.app
        .arrange_month(sys, t.org, MONTH)
        .await
        .expect("arrange November");
    go_to(&t.app, &t.clock, "2026-11-19");
    let form = FormInput {
        kind: "complete".into(),
        completion: "分析报告已报送".into(),
        report: "销号报告".into(),
        ..Default::default()
    };
    let f = t
        .app
        .submit_sign_off(sys, task_b, &form, &[])
        .await
        .expect("unit B submits");
    for o in [Office::Supervision, Office::Efficiency, Office::Performance] {
        t.app
            .give_opinion(sys, f, Some(o), "approve", "")
            .await
            .expect("the offices approve");
    }
    t.app
        .decide_sign_off(sys, f, true, "")
        .await
        .expect("signed off");
    go_to(&t.app, &t.clock, "2026-12-02");
    // November's cards are published: unit A's unfinished task red, the card that costs points.
    t.app
        .confirm_all_cards(sys, t.org, MONTH)
        .await
        .expect("confirm the cards");
    t.app
        .publish_cards(sys, t.org, MONTH, "")
        .await
        .expect("publish the cards");
    t.app
        .close_month(sys, t.org, MONTH)
        .await
        .expect("close November");
    let december = carried(t, "2026-12", november).await;

    // The third month unfinished is proposed for referral.
    let cases = t
        .app
        .list_cases(
            sys,
            t.org,
            &CaseFilter {
                month: Some(MONTH.into()),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(50)),
        )
        .await
        .expect("November's cases");
    assert_eq!(cases.items.len(), 1, "one case in November");
    let k = &cases.items[0];
    assert_eq!(
        (
            k.task_id,
            k.continuation_id,
            k.step.as_str(),
            k.months_unfinished,
            k.status.as_str()
        ),
        (november, Some(december), "referral", 3, "proposed"),
        "November's case"
    );
    Setup {
        app: t.app.clone(),
        unit_a,
        unit_b,
        chain: [september, october, november, december],
        case: k.id,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deduction_leads_to_its_task_and_a_referral_is_decided() {
    common::browser::run(
        Run {
            name: "browser consequences test",
            failure: "consequences-failure",
            profile: "xiaohao-e2e-consequences-chromium",
        },
        setup,
        flow,
    )
    .await;
}
