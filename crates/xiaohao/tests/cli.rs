//! The `xiaohao` binary as an operator uses it: user management, tokens, audit verification
//! (including tampering behind the application's back), and clear one-line errors.

use std::process::{Command, Output};

use store::testing::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_xiaohao");

/// Runs the binary on a test database, with the test apps' audit key (so that what a test
/// app seeded verifies) and a data directory of the database's own for the checkpoint file.
fn run(db_url: &str, args: &[&str]) -> Output {
    on_db(db_url).args(args).output().expect("run xiaohao")
}

fn on_db(db_url: &str) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--database-url")
        .arg(db_url)
        .arg("--data-dir")
        .arg(data_dir_of(db_url))
        .env("XIAOHAO_AUDIT_KEY", app::testing::TEST_AUDIT_KEY)
        .env("XIAOHAO_LOG", "error");
    c
}

/// The directory of a SQLite test database; for PostgreSQL one named after the database.
fn data_dir_of(db_url: &str) -> std::path::PathBuf {
    match db_url.strip_prefix("sqlite://") {
        Some(path) => std::path::Path::new(path)
            .parent()
            .expect("a directory")
            .to_owned(),
        None => std::env::temp_dir().join(format!(
            "xiaohao-cli-{}",
            db_url.rsplit('/').next().unwrap_or("pg")
        )),
    }
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

/// The attacks a plain hash chain misses: an entry rewritten with the chain re-hashed after
/// it, and the newest entries removed. Both are named, entry by entry, against the checkpoint
/// file and against an operator's copy of `audit head`; a forged checkpoint is named too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_finds_a_rehashed_chain_and_a_truncated_one() {
    each_backend(async |t: &TestDb| {
        assert!(
            run(&t.url, &["demo", "--password", "demo-pass-123"])
                .status
                .success()
        );
        for name in ["b.one", "b.two", "b.three", "b.four"] {
            assert!(
                run(
                    &t.url,
                    &["user", "add", name, "--name", "某人", "--org", "1"]
                )
                .status
                .success()
            );
        }
        let (last, _) = store::audit::chain_head(&t.db, 1).await.unwrap().unwrap();
        let head = run(&t.url, &["audit", "head"]);
        assert!(head.status.success(), "{}", stderr(&head));
        let copy = stdout(&head);
        assert!(
            copy.lines()
                .any(|l| l.contains(&format!(" chain=1 seq={last} "))),
            "{copy}"
        );
        let o = run(&t.url, &["audit", "verify"]);
        assert!(o.status.success(), "{}", stdout(&o));
        assert!(stdout(&o).contains("checkpoints agree"), "{}", stdout(&o));

        // The newest three entries removed: the chain still links, the checkpoint says no.
        assert_eq!(
            store::testing::delete_newest_audit_entries(&t.db, 1, 3)
                .await
                .unwrap(),
            3
        );
        let truncated = format!(
            "truncated: chain 1 ends at seq {} but was checkpointed at seq {last}",
            last - 3
        );
        let o = run(&t.url, &["audit", "verify"]);
        assert!(!o.status.success());
        assert!(stdout(&o).contains(&truncated), "{}", stdout(&o));
        // Without the checkpoint file, the operator's copy still finds it.
        let dir = data_dir_of(&t.url);
        std::fs::remove_file(dir.join("audit-checkpoints.log")).unwrap();
        let copy_file = dir.join("operator-copy.txt");
        std::fs::write(&copy_file, &copy).unwrap();
        let o = run(
            &t.url,
            &[
                "audit",
                "verify",
                "--checkpoints",
                copy_file.to_str().unwrap(),
            ],
        );
        assert!(!o.status.success());
        assert!(stdout(&o).contains(&truncated), "{}", stdout(&o));

        // An entry rewritten and every entry after it re-hashed: each one is named.
        let rehashed = store::testing::rewrite_audit_chain_from(
            &t.db,
            1,
            last - 5,
            "{\"username\":\"someone.else\"}",
        )
        .await
        .unwrap();
        assert_eq!(rehashed, 3);
        let o = run(&t.url, &["audit", "verify"]);
        let out = stdout(&o);
        assert!(!o.status.success());
        for seq in last - 5..=last - 3 {
            assert!(
                out.contains(&format!("(chain 1, seq {seq})")),
                "{seq}: {out}"
            );
        }
        assert!(out.starts_with("altered: "), "{out}");
        assert!(
            stderr(&o).contains("audit ledger verification failed: 3 breaks"),
            "{}",
            stderr(&o)
        );

        // A checkpoint line made up without the key is named as forged.
        let forged = copy
            .lines()
            .next()
            .unwrap()
            .replace(" mac=", " mac=00")
            .to_owned();
        std::fs::write(dir.join("audit-checkpoints.log"), format!("{forged}\n")).unwrap();
        let o = run(&t.url, &["audit", "verify"]);
        assert!(
            stdout(&o).contains(&format!("forged checkpoint: {forged}")),
            "{}",
            stdout(&o)
        );
        let _ = std::fs::remove_dir_all(&dir);
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

// ---- a close killed at any moment ----

/// November as the CLI finds it on a later day: two units, `n` arranged tasks of which every
/// third is signed off, the month arranged and under way. Seeded the same way twice, two
/// databases hold the same ids.
async fn november_to_close(db: &TestDb, n: usize) -> i64 {
    let t = app::testing::TestApp::new_on(db.db.clone(), &db.url).await;
    let a = t.unit("招商合作局", None).await;
    let b = t.unit("财政局", None).await;
    let owners = [
        t.person("staff.a", Some(a), &[(domain::Role::Staff, Some(a))])
            .await,
        t.person("staff.b", Some(b), &[(domain::Role::Staff, Some(b))])
            .await,
    ];
    let now = t.app.now();
    let mut tx = t.app.db().begin().await.unwrap();
    store::plan::ensure_cycle(&mut tx, t.org, "2026-11", "executing", now)
        .await
        .unwrap();
    let cycle = store::plan::cycle(&mut tx, t.org, "2026-11")
        .await
        .unwrap()
        .unwrap();
    store::plan::set_arranged(&mut tx, cycle.id, None, now)
        .await
        .unwrap();
    for i in 0..n {
        let owner = &owners[i % 2];
        let draft = domain::plan::TaskDraft {
            title: format!("第{i}项"),
            content: "按月推进".into(),
            criterion: "按期完成".into(),
            deadline: domain::plan::parse_date("2026-11-20").unwrap(),
            key_point_id: None,
            owner_id: Some(owner.actor.person_id.0),
            post_id: None,
            leader_id: None,
            is_key_work: i % 4 == 0,
            key_project_id: None,
        };
        let new = store::plan::NewTask {
            org: t.org,
            month: "2026-11",
            unit_id: if i % 2 == 0 { a } else { b },
            draft: &draft,
            is_assigned: false,
            status: if i % 3 == 0 { "signed_off" } else { "arranged" },
            carried_from_id: None,
            months_overdue: 0,
            created_by: None,
        };
        store::plan::insert_task(&mut tx, &new, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    t.org
}

/// What the month's close leaves: the tasks of both months (a continuation named by its
/// origin, since PostgreSQL's sequences do not give back the ids a killed close took), and
/// what November froze.
async fn closed_state(db: &TestDb, org: i64) -> (Vec<String>, Vec<(String, String)>) {
    // The server may still be finishing the commit of a client just killed.
    store::testing::settle(&db.db).await.unwrap();
    let tasks = store::testing::task_facts(&db.db, org).await.unwrap();
    let title = |id: i64| {
        tasks
            .iter()
            .find(|t| t.0 == id)
            .map(|t| format!("{}/{}", t.1, t.3))
            .unwrap_or_default()
    };
    let mut facts: Vec<String> = tasks
        .iter()
        .map(|(_, month, unit, t, status, from)| {
            format!(
                "{month} {unit} {t} {status} <- {}",
                from.map(title).unwrap_or_default()
            )
        })
        .collect();
    facts.sort();
    let frozen = store::testing::frozen_digest(&db.db, org).await.unwrap();
    (facts, frozen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_killed_at_any_moment_leaves_the_month_untouched_or_closed_as_without_the_kill() {
    const TASKS: usize = 600;
    let pairs = {
        let mut v = vec![(TestDb::sqlite().await, TestDb::sqlite().await)];
        if let (Some(a), Some(b)) = (TestDb::postgres().await, TestDb::postgres().await) {
            v.push((a, b));
        }
        v
    };
    for (crashed, reference) in pairs {
        let org = november_to_close(&crashed, TASKS).await;
        assert_eq!(november_to_close(&reference, TASKS).await, org);
        let args = ["close-month", "--org", "test", "--month", "2026-11"];
        // The close as it runs without a crash, and how long it takes.
        let started = std::time::Instant::now();
        let o = run(&reference.url, &args);
        let took = started.elapsed();
        assert!(o.status.success(), "{}", stderr(&o));
        let expected = closed_state(&reference, org).await;
        assert!(!expected.1.is_empty(), "the close froze something");

        let untouched = closed_state(&crashed, org).await;
        let mut killed_while_open = 0;
        for fraction in [0.1, 0.3, 0.5, 0.7, 0.85, 0.95] {
            let mut child = on_db(&crashed.url)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("spawn");
            std::thread::sleep(took.mul_f64(fraction));
            // SIGKILL: no destructor, no rollback by the process itself.
            let _ = child.kill();
            let _ = child.wait();
            let now = closed_state(&crashed, org).await;
            if now.0 != untouched.0 {
                // Closed by this run: exactly as the close without a crash.
                if now.1 != expected.1 {
                    let diff: Vec<_> = now
                        .1
                        .iter()
                        .zip(&expected.1)
                        .filter(|(a, b)| a != b)
                        .take(3)
                        .collect();
                    panic!("killed at {fraction}: closed differently: {diff:?}");
                }
                let first = now.0.iter().zip(&expected.0).find(|(a, b)| a != b);
                assert_eq!(first, None, "killed at {fraction}: other tasks");
                break;
            }
            assert_eq!(
                now, untouched,
                "killed at {fraction} of the close: neither untouched nor closed"
            );
            killed_while_open += 1;
        }
        assert!(killed_while_open > 0, "some kill landed before the commit");
        // Closing again finishes the job exactly as the close without a crash did.
        let o = run(&crashed.url, &args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(closed_state(&crashed, org).await, expected);
        assert!(run(&crashed.url, &["audit", "verify"]).status.success());
        crashed.cleanup().await;
        reference.cleanup().await;
    }
}

// ---- a damaged database file ----

fn in_dir(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("XIAOHAO_LOG", "error")
        .env_remove("XIAOHAO_DATABASE_URL")
        .env_remove("XIAOHAO_AUDIT_KEY")
        .output()
        .expect("run xiaohao")
}

#[test]
fn a_damaged_database_file_is_found_by_doctor_and_refused_by_serve() {
    let dir = std::env::temp_dir().join(format!("xiaohao-doctor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let o = in_dir(&dir, &["demo", "--password", "demo-pass-123"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // The ledger's key was made on first start: beside the data, readable by its owner only,
    // and never printed.
    let key = std::fs::read_to_string(dir.join("audit.key")).unwrap();
    let key = key.trim();
    assert_eq!(
        domain::audit::AuditKey::from_hex(key)
            .map(|k| k.to_hex())
            .as_deref(),
        Some(key)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    assert!(!stdout(&o).contains(key) && !stderr(&o).contains(key));

    // Without its key a signed ledger is refused, and no other key is made for it.
    std::fs::rename(dir.join("audit.key"), dir.join("audit.key.away")).unwrap();
    let o = in_dir(&dir, &["audit", "verify"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("the audit ledger is signed but its key"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("audit.key").exists());
    std::fs::rename(dir.join("audit.key.away"), dir.join("audit.key")).unwrap();

    // A sound installation: every line ok, exit 0.
    let o = in_dir(&dir, &["doctor"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for line in [
        "ok   administrators: three, kept apart",
        "ok   database: reachable, file sound",
        "ok   durability: synchronous=FULL",
        "ok   schema: version",
        "ok   audit ledger: intact",
        "ok   disk:",
    ] {
        assert!(out.contains(line), "{line} in {out}");
    }
    assert!(!out.contains("FAIL"), "{out}");

    // Pages of the file overwritten behind the program's back.
    let file = dir.join("xiaohao.db");
    let mut bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 4 * 4096, "{}", bytes.len());
    for b in &mut bytes[2 * 4096..4 * 4096] {
        *b = 0x5a;
    }
    std::fs::write(&file, &bytes).unwrap();

    let o = in_dir(&dir, &["doctor"]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("FAIL database:"), "{}", stdout(&o));

    // `serve` says so in one line and stops, without listening.
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("XIAOHAO_LOG", "error")
        .env_remove("XIAOHAO_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("serve kept running on a damaged file");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let o = child.wait_with_output().unwrap();
    assert!(!status.success());
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("the database file is damaged") || err.contains("malformed"),
        "{err}"
    );
    assert!(!stdout(&o).contains("serving"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `audit verify` and `audit head` only read: on a database not migrated to this program's
/// schema they refuse in one line and leave it as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_migrate_nothing() {
    each_backend(async |t: &TestDb| {
        for args in [&["audit", "verify"][..], &["audit", "head"][..]] {
            let o = run(&t.url, args);
            assert!(!o.status.success(), "{args:?} on an empty database");
            assert!(
                stderr(&o).contains("run `xiaohao migrate` first"),
                "{}",
                stderr(&o)
            );
            assert_eq!(
                t.db.schema_version().await.unwrap_or(0),
                0,
                "{args:?} migrated"
            );
        }
        assert!(run(&t.url, &["migrate"]).status.success());
        let o = run(&t.url, &["audit", "verify"]);
        assert!(o.status.success(), "{}", stderr(&o));
    })
    .await;
}
