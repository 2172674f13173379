//! The `xiaohao` binary as an operator uses it: user management, tokens, audit verification
//! (including tampering behind the application's back), and clear one-line errors.

use std::process::{Command, Output};

use store::testing::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_xiaohao");

fn run(db_url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--database-url")
        .arg(db_url)
        .args(args)
        .env("XIAOHAO_LOG", "error")
        .output()
        .expect("run xiaohao")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn each_backend(f: impl AsyncFn(&TestDb)) {
    let lite = TestDb::sqlite().await;
    f(&lite).await;
    lite.cleanup().await;
    if let Some(pg) = TestDb::postgres().await {
        f(&pg).await;
        pg.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_tokens_and_an_intact_ledger() {
    each_backend(async |t: &TestDb| {
        let o = run(&t.url, &["demo", "--password", "demo-pass-123"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("demo organization loaded"));
        let again = run(&t.url, &["demo", "--password", "demo-pass-123"]);
        assert!(
            stdout(&again).contains("already present"),
            "demo is idempotent"
        );

        let o = run(
            &t.url,
            &[
                "user",
                "add",
                "li.si",
                "--name",
                "李四",
                "--org",
                "1",
                "--role",
                "supervisor",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        let password = out
            .split("password: ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("generated password printed");
        assert_eq!(password.len(), 16);
        let o = run(
            &t.url,
            &["user", "add", "li.si", "--name", "重名", "--org", "1"],
        );
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains("username (already_taken)"),
            "{}",
            stderr(&o)
        );

        let o = run(&t.url, &["user", "reset-password", "li.si"]);
        assert!(o.status.success() && stdout(&o).contains("new password for li.si"));
        let o = run(&t.url, &["user", "token", "li.si", "--name", "integration"]);
        assert!(
            o.status.success() && stdout(&o).trim().starts_with("xh_"),
            "{}",
            stderr(&o)
        );
        let o = run(&t.url, &["user", "revoke-tokens", "li.si"]);
        assert!(stdout(&o).contains("revoked 1 token(s)"), "{}", stdout(&o));
        let o = run(&t.url, &["user", "disable", "li.si"]);
        assert!(o.status.success());
        let o = run(&t.url, &["user", "disable", "nobody.here"]);
        assert!(
            !o.status.success() && stderr(&o).trim() == "error: not found",
            "{}",
            stderr(&o)
        );

        let o = run(&t.url, &["audit", "verify"]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("audit ledger intact"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_finds_an_altered_and_a_removed_entry() {
    each_backend(async |t: &TestDb| {
        assert!(
            run(&t.url, &["demo", "--password", "demo-pass-123"])
                .status
                .success()
        );
        for name in ["a.one", "a.two", "a.three"] {
            assert!(
                run(
                    &t.url,
                    &["user", "add", name, "--name", "某人", "--org", "1"]
                )
                .status
                .success()
            );
        }
        assert!(run(&t.url, &["audit", "verify"]).status.success());

        // Alter entry 3 of the demo organization's chain.
        assert_eq!(
            store::testing::tamper_audit_entry(&t.db, 3, "{\"username\":\"someone.else\"}")
                .await
                .unwrap(),
            1
        );
        let o = run(&t.url, &["audit", "verify"]);
        assert!(!o.status.success());
        assert!(
            stdout(&o).contains("altered:") && stdout(&o).contains("seq 3"),
            "{}",
            stdout(&o)
        );
        assert!(stderr(&o).contains("audit ledger verification failed"));

        // Removing it instead is found as well.
        assert_eq!(
            store::testing::delete_audit_entry(&t.db, 3).await.unwrap(),
            1
        );
        let o = run(&t.url, &["audit", "verify"]);
        assert!(!o.status.success());
        assert!(
            stdout(&o).contains("removed: entry seq 3"),
            "{}",
            stdout(&o)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_month_closes_in_order_and_is_safe_to_run_again() {
    each_backend(async |t: &TestDb| {
        assert!(
            run(&t.url, &["demo", "--password", "demo-pass-123"])
                .status
                .success()
        );
        // The demo closed last month: running the close again changes nothing.
        let o = run(&t.url, &["close-month", "--org", "xtgx"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("already closed"), "{}", stdout(&o));
        // This month is not over yet: refused, named, non-zero.
        // The binary reads the system clock; so does this test.
        let now = app::Clock::now(&app::SystemClock);
        let today = (now + chrono::Duration::hours(8)).date_naive();
        let this = domain::plan::YearMonth::of(today).to_string();
        let o = run(&t.url, &["close-month", "--org", "xtgx", "--month", &this]);
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains("month (month_not_over)"),
            "{}",
            stderr(&o)
        );
        let o = run(&t.url, &["close-month", "--org", "nope"]);
        assert!(!o.status.success());
        assert!(stderr(&o).contains("no organization with code nope"));
        assert!(run(&t.url, &["audit", "verify"]).status.success());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_run_by_hand_and_are_listed() {
    each_backend(async |t: &TestDb| {
        assert!(
            run(&t.url, &["demo", "--password", "demo-pass-123"])
                .status
                .success()
        );
        let o = run(&t.url, &["jobs"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("no runs yet"), "{}", stdout(&o));
        let o = run(&t.url, &["jobs", "run", "reminders"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).starts_with("reminders done: notified "),
            "{}",
            stdout(&o)
        );
        // Again: nothing is notified twice.
        let again = run(&t.url, &["jobs", "run", "reminders"]);
        assert!(stdout(&again).contains("notified 0"), "{}", stdout(&again));
        let o = run(&t.url, &["jobs", "list", "--limit", "5"]);
        let listed = stdout(&o);
        assert_eq!(listed.lines().count(), 2, "{listed}");
        assert!(
            listed
                .lines()
                .all(|l| l.contains("reminders") && l.contains(" done "))
        );
        let o = run(&t.url, &["jobs", "run", "nope"]);
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains("job (invalid_choice)"),
            "{}",
            stderr(&o)
        );
    })
    .await;
}

#[test]
fn bad_configuration_is_one_clear_line_and_a_failure() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--database-url", "mysql://localhost/x", "migrate"],
            "unsupported database URL",
        ),
        (
            &[
                "--database-url",
                "postgres://postgres@127.0.0.1:1/nothing",
                "migrate",
            ],
            "cannot connect to the database",
        ),
        (
            &["--data-dir", "/proc/xiaohao-cannot-write", "migrate"],
            "cannot create data directory",
        ),
    ];
    for (args, expected) in cases {
        let o = Command::new(BIN)
            .args(*args)
            .env_remove("XIAOHAO_DATABASE_URL")
            .output()
            .unwrap();
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?} must fail");
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(!err.contains("panicked"));
    }
}
