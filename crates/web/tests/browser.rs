//! End to end through a real browser: the server runs in-process over a fresh SQLite database
//! with the demo organization, headless Chromium drives it through chromedriver.
//!
//! The demo administrator creates a unit and a person in it, grants that person the staff role
//! for the unit and signs out; the new staff member signs in and sees only what staff may see:
//! no administration links, only the people of their own unit, the 403 page for the audit ledger
//! and for a person of another unit. The language switch is tried on the way. Screenshots of the
//! key steps land in `target/e2e-screenshots/`.
//!
//! A second flow is the two-factor sign-in: the security administrator requires it of the
//! discipline office; a discipline officer enrols at sign-in with a code this test computes from
//! the key the page shows, and is signed in; the audit administrator finds that sign-in, in
//! words, in the audit ledger.
//!
//! Without Chromium and chromedriver the test is skipped, except under `CI=true`, where it fails.

mod common;

use common::browser::{Browser, Run, id_in};
use fantoccini::Locator;

const DEMO_PASSWORD: &str = "demo-pass-123";
const UNIT_NAME: &str = "浏览器测试单位";
const STAFF_USERNAME: &str = "e2e.staff";
const STAFF_NAME: &str = "端到端测试员";
const STAFF_PASSWORD: &str = "Lotus-Pond-2026";
/// A demo person of another unit (财政局), whom the new staff member must not see.
const OTHER_USERNAME: &str = "czj.head";

impl Browser {
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
    common::browser::run(
        Run {
            name: "browser test",
            failure: "failure",
            profile: "xiaohao-e2e-chromium",
        },
        // The server with the demo organization.
        async |t| {
            t.app.load_demo(DEMO_PASSWORD).await.expect("demo loads");
        },
        |b, ()| flow(b),
    )
    .await;
}

/// A demo discipline officer (纪工委).
const OFFICER: &str = "jgw.head";

async fn two_factor_flow(b: Browser, clock: std::sync::Arc<app::FixedClock>) {
    use app::Clock;
    // --- The security administrator requires a second factor of the discipline office --------
    b.login("demo.security", DEMO_PASSWORD).await;
    assert!(b.nav().await.contains(&"/admin/security".to_owned()));
    b.goto("/admin/security").await;
    b.wait("#totp-policy-form").await;
    b.find("#totp-policy-form input[value=discipline_officer]")
        .await
        .click()
        .await
        .expect("tick the discipline office");
    b.click_to("#totp-policy-save", ".notice.ok").await;
    let ticked = b
        .find("#totp-policy-form input[value=discipline_officer]")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(ticked.as_deref(), Some("true"), "the requirement is kept");
    b.screenshot("totp-policy.png").await;
    b.logout().await;

    // --- A discipline officer signs in: the password, then enrolment with a code -------------
    b.goto("/login").await;
    b.fill("#username", OFFICER).await;
    b.fill("#password", DEMO_PASSWORD).await;
    b.click_to("#login-submit", "#totp-secret").await;
    assert!(b.path().await.starts_with("/login/totp"));
    assert!(
        b.absent("header form[action='/logout']").await,
        "no session yet"
    );
    assert!(
        b.find("#totp-qr svg").await.is_displayed().await.unwrap(),
        "the QR code is drawn by the server"
    );
    b.screenshot("totp-enrol.png").await;
    let secret = domain::totp::TotpSecret::from_base32(&b.text("#totp-secret").await)
        .expect("the key the page shows");
    // A wrong code first: the page says so and keeps the challenge.
    let wrong = secret.code_at(domain::totp::step_of(clock.now()) + 7);
    b.fill("#totp_code", &wrong).await;
    b.click_to("#totp-submit", ".field.has-error").await;
    assert!(b.text(".field.has-error").await.contains("验证码不正确"));
    b.fill("#totp_code", &secret.code_now(clock.now())).await;
    b.click_to("#totp-submit", "#recovery-codes").await;
    let codes = b
        .js(
            "return Array.from(document.querySelectorAll('#recovery-codes li')).map(li => li.innerText.trim());",
            vec![],
        )
        .await;
    let codes: Vec<String> = serde_json::from_value(codes).expect("the codes as text");
    assert_eq!(codes.len(), domain::totp::RECOVERY_CODES, "{codes:?}");
    assert!(codes.iter().all(|c| c.len() == 11), "{codes:?}");
    b.screenshot("totp-recovery-codes.png").await;
    b.click_to("#totp-continue", "header form[action='/logout']")
        .await;
    b.goto("/account/totp").await;
    assert!(b.text("#totp-state").await.contains("已启用"));
    b.logout().await;

    // --- The audit administrator finds that sign-in in words ---------------------------------
    b.login("demo.audit", DEMO_PASSWORD).await;
    b.goto(&format!("/audit?action=auth.login&person={OFFICER}"))
        .await;
    let rows = b.rows("#audit-table tbody tr").await;
    assert!(!rows.is_empty(), "the officer's sign-in is in the ledger");
    let first = rows[0].join(" | ");
    assert!(first.contains("登录"), "{first}");
    assert!(first.contains("纪工委"), "the actor's unit: {first}");
    assert!(
        first.contains("第二因素: totp"),
        "the factor, by its name: {first}"
    );
    b.screenshot("audit-two-factor-sign-in.png").await;
    // The enrolment too, by its name.
    b.goto(&format!("/audit?action=totp.enable&person={OFFICER}"))
        .await;
    assert!(b.text("#audit-table").await.contains("启用双因素认证"));
    b.logout().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discipline_officer_enrols_a_second_factor_and_the_auditor_sees_the_sign_in() {
    common::browser::run(
        Run {
            name: "two-factor browser test",
            failure: "failure-totp",
            profile: "xiaohao-e2e-totp",
        },
        async |t| {
            t.app.load_demo(DEMO_PASSWORD).await.expect("demo loads");
            t.clock.clone()
        },
        two_factor_flow,
    )
    .await;
}
