//! A full disk. While the disk under the database is full every write answers 503
//! `storage_full` (never a 500) and keeps nothing of itself, `/healthz` says the database
//! cannot write; once space is freed the same server writes again, without a restart, and
//! every write that was acknowledged is there. SQLite's file lives on a small tmpfs the test
//! mounts; PostgreSQL's test database lives in a tablespace on such a tmpfs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use app::Caller;
use app::testing::TestApp;
use axum::http::StatusCode;
use common::http::{Session, Web};
use domain::Role;
use domain::org::UnitInput;
use store::testing::TestDb;

/// A tmpfs of `size` mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts one, or says why it cannot (mounting needs root): then the test fails under
    /// CI and is passed over elsewhere.
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!(
            "xiaohao-full-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).expect("mount point");
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0777"),
                "tmpfs",
            ])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(Tmpfs(dir));
        }
        let _ = std::fs::remove_dir(&dir);
        assert!(
            std::env::var("CI").is_err(),
            "cannot mount a tmpfs to fill (the full-disk tests need root)"
        );
        eprintln!("full-disk test passed over: cannot mount a tmpfs (needs root)");
        None
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Fills the file system under `dir` with one file until no byte more fits.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0x5au8; 4096];
    while f.write_all(&chunk).and_then(|()| f.flush()).is_ok() {}
    path
}

fn unit(name: &str) -> UnitInput {
    UnitInput {
        name: name.into(),
        code: String::new(),
        parent_id: None,
        sort_order: 0,
    }
}

/// The scenario, on whichever database `w` runs: `filler` fills the disk, `free` frees it.
async fn full_then_freed(w: &Web, db: &store::Db, disk: &Path) {
    let t = &w.t;
    t.person("disk.api", None, &[(Role::Admin, None)]).await;
    let token: Session = w.token("disk.api").await;
    let admin = t.person("disk.admin", None, &[(Role::Admin, None)]).await;
    let a = Caller::Person(&admin);
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        acknowledged.push(
            t.app
                .create_unit(a, t.org, &unit(&format!("满盘前{i}")))
                .await
                .expect("a write before the disk fills"),
        );
    }
    assert_eq!(
        w.get("/healthz", &Default::default()).await.status,
        StatusCode::OK
    );

    let filler = fill(disk);
    // Pages cached or already allocated may take a few more writes; soon one fails, and it
    // says why.
    let mut refused = None;
    for i in 0..2_000 {
        match t
            .app
            .create_unit(a, t.org, &unit(&format!("满盘中{i}-{}", "长".repeat(40))))
            .await
        {
            Ok(id) => acknowledged.push(id),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let refused = refused.expect("a write fails once the disk is full");
    assert_eq!(refused.code(), "storage_full", "{refused:?}");

    // Through the front door: the API names the cause, and so does signing in (a session
    // row). A database may still find room here and there (PostgreSQL in a page another
    // table freed), so each is tried until refused; what it took meanwhile is acknowledged.
    let units = "/api/v1/units";
    let mut through_api = 0;
    let refused_api = loop {
        let body = format!(r#"{{"name":"满盘时经接口{through_api}"}}"#);
        let r = w.api("POST", units, &token, Some(&body)).await;
        match r.status {
            StatusCode::CREATED if through_api < 200 => through_api += 1,
            _ => break r,
        }
    };
    assert_eq!(
        refused_api.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused_api.body
    );
    assert_eq!(
        refused_api.json()["error"]["code"],
        "storage_full",
        "{}",
        refused_api.body
    );
    let mut logins = 0;
    let login = loop {
        let r = w
            .post_form(
                "/login",
                &Default::default(),
                &[
                    ("username", "disk.admin"),
                    ("password", app::testing::TEST_PASSWORD),
                ],
            )
            .await;
        match r.status {
            StatusCode::SEE_OTHER if logins < 200 => logins += 1,
            _ => break r,
        }
    };
    assert_eq!(
        login.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        login.body
    );
    assert!(login.body.contains("存储空间已满"), "{}", login.body);
    let h = w.get("/healthz", &Default::default()).await;
    assert_eq!(h.status, StatusCode::SERVICE_UNAVAILABLE, "{}", h.body);
    assert_eq!(h.json()["status"], "database_cannot_write");

    // Space is freed: health notices by itself, and the same server writes again.
    std::fs::remove_file(&filler).expect("free the disk");
    let h = w.get("/healthz", &Default::default()).await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.body);
    acknowledged.push(
        t.app
            .create_unit(a, t.org, &unit("空间释放后"))
            .await
            .expect("a write after space is freed, without a restart"),
    );
    let s = w.login("disk.admin").await;
    let r = w
        .api("POST", units, &token, Some(r#"{"name":"释放后经接口"}"#))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(!s.cookie.is_empty());

    // Nothing acknowledged was lost; the refused writes left nothing.
    for id in &acknowledged {
        t.app
            .get_unit(Caller::System, *id)
            .await
            .unwrap_or_else(|e| panic!("acknowledged unit {id} is gone: {e}"));
    }
    assert_eq!(
        store::testing::count_rows(db, "units")
            .await
            .expect("count"),
        i64::try_from(acknowledged.len()).unwrap() + through_api + 1,
        "exactly the acknowledged writes are there, and the refused ones left nothing"
    );
    assert!(t.app.verify_audit().await.expect("verify").ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_recovers_from_a_full_disk_without_restart() {
    let Some(disk) = Tmpfs::mount("6m") else {
        return;
    };
    let lite = TestDb::sqlite_in(disk.0.join("db")).await;
    let db = lite.db.clone();
    let w = Web::new(TestApp::new(lite).await);
    full_then_freed(&w, &db, &disk.0).await;
    assert!(db.integrity_problems().await.expect("check").is_empty());
    w.t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_recovers_from_a_full_disk_without_restart() {
    let Some(disk) = Tmpfs::mount("24m") else {
        return;
    };
    let Some(pg) = TestDb::postgres_in(&disk.0).await else {
        return;
    };
    let db = pg.db.clone();
    let w = Web::new(TestApp::new(pg).await);
    let outcome = CatchUnwind(Box::pin(full_then_freed(&w, &db, &disk.0))).await;
    // Whatever happened, the database and its tablespace go before the file system does:
    // space first, so that the server can write what it holds and drop them.
    let _ = std::fs::remove_file(disk.0.join("filler"));
    w.t.cleanup().await;
    if store::testing::tablespace_at(&disk.0).await {
        // Left mounted on purpose: unmounting it would take files the server still has.
        std::mem::forget(disk);
        panic!("the test tablespace could not be dropped; its tmpfs stays mounted");
    }
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}

/// A future whose panic is caught and returned, as `std::panic::catch_unwind` does for a
/// closure.
struct CatchUnwind<'a>(std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>);

impl std::future::Future for CatchUnwind<'_> {
    type Output = std::thread::Result<()>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let fut = &mut self.0;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Ok(std::task::Poll::Ready(())) => std::task::Poll::Ready(Ok(())),
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        }
    }
}
