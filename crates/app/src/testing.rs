//! Test support for the suites of `app` and `web`: an [`App`] over a fresh, migrated test
//! database with a fixed clock, and builders for the data tests need.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use domain::org::{PersonInput, UnitInput};
use domain::{Role, UnitId};
use store::testing::TestDb;

use crate::{App, AppConfig, Caller, FixedClock, Identity, NewPerson};

/// The audit key of every test app, so that several apps (and the `xiaohao` binary, given it
/// as `XIAOHAO_AUDIT_KEY`) read one test database's ledger alike. Not a secret: tests only.
pub const TEST_AUDIT_KEY: &str = "74657374206175646974206b6579206f6e6c792c206e6576657220696e207573";

/// [`AppConfig::default`] with [`TEST_AUDIT_KEY`] and a single administrator: most tests use
/// an `admin` as the one who sets things up, whatever office that takes. The tests of 三员分立
/// use [`strict_config`].
pub fn test_config() -> AppConfig {
    AppConfig {
        single_admin: true,
        ..strict_config()
    }
}

/// [`test_config`] with the three administrators kept apart, as a deployment is by default.
pub fn strict_config() -> AppConfig {
    AppConfig {
        audit_key: domain::audit::AuditKey::from_hex(TEST_AUDIT_KEY).expect("64 hex digits"),
        ..AppConfig::default()
    }
}

pub struct TestApp {
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub org: i64,
    url: String,
    /// The database this app owns and removes at [`TestApp::cleanup`].
    db: Option<TestDb>,
}

impl TestApp {
    /// Wraps a test database: migrates it and creates one organization.
    pub async fn new(db: TestDb) -> TestApp {
        let (app, clock, org) = Self::build(db.db.clone()).await;
        TestApp {
            app,
            clock,
            org,
            url: db.url.clone(),
            db: Some(db),
        }
    }

    /// The same over a database someone else owns (and cleans up): for a test that seeds a
    /// database and then hands it to another process.
    pub async fn new_on(db: store::Db, url: &str) -> TestApp {
        let (app, clock, org) = Self::build(db).await;
        TestApp {
            app,
            clock,
            org,
            url: url.to_owned(),
            db: None,
        }
    }

    async fn build(db: store::Db) -> (App, Arc<FixedClock>, i64) {
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
        ));
        let app = App::new(db, clock.clone(), test_config());
        app.migrate().await.expect("migrate");
        let org = app
            .create_organization(
                Caller::System,
                &domain::org::OrganizationInput {
                    name: "测试工管委".into(),
                    code: "test".into(),
                    parent_id: None,
                },
            )
            .await
            .expect("organization")
            .id;
        (app, clock, org)
    }

    /// The test database's address, for a second pool (a second server) on it.
    pub fn db_url(&self) -> &str {
        &self.url
    }

    pub async fn cleanup(self) {
        self.app.close().await;
        if let Some(db) = self.db {
            db.cleanup().await;
        }
    }

    pub async fn unit(&self, name: &str, parent: Option<i64>) -> i64 {
        self.app
            .create_unit(
                Caller::System,
                self.org,
                &UnitInput {
                    name: name.into(),
                    code: String::new(),
                    parent_id: parent.map(UnitId),
                    sort_order: 0,
                },
            )
            .await
            .expect("unit")
    }

    /// A person with a known password and the given role grants; returns their identity.
    pub async fn person(
        &self,
        username: &str,
        unit: Option<i64>,
        roles: &[(Role, Option<i64>)],
    ) -> Identity {
        let input = NewPerson {
            profile: PersonInput {
                username: username.into(),
                display_name: format!("测试{username}"),
                unit_id: unit.map(UnitId),
                ..Default::default()
            },
            password: Some(TEST_PASSWORD.into()),
        };
        let (id, _) = self
            .app
            .create_person(Caller::System, self.org, &input)
            .await
            .expect("person");
        for (role, u) in roles {
            self.app
                .grant_role(Caller::System, id, Some(*role), u.map(UnitId))
                .await
                .expect("role");
        }
        self.identity(id).await
    }

    /// A province-sized month for the benchmarks: `units` units, an arranged `month` with
    /// `tasks` planned tasks spread over them (every fifth key work, every fiftieth carried in),
    /// owned by one staff member of the first unit. Inserted in batches straight through the
    /// store, then the statistics refreshed.
    pub async fn seed_month(&self, month: &str, units: usize, tasks: usize) -> SeededMonth {
        let mut ids = Vec::with_capacity(units);
        for i in 0..units {
            ids.push(self.unit(&format!("单位{i:04}"), None).await);
        }
        let owner = self
            .person("owner", Some(ids[0]), &[(Role::Staff, Some(ids[0]))])
            .await;
        let db = self.app.db().clone();
        let now = self.app.now();
        let mut tx = db.begin().await.expect("tx");
        store::plan::ensure_cycle(&mut tx, self.org, month, "arranging", now)
            .await
            .expect("cycle");
        let cycle = store::plan::cycle(&mut tx, self.org, month)
            .await
            .expect("cycle")
            .expect("cycle row");
        store::plan::set_arranged(&mut tx, cycle.id, None, now)
            .await
            .expect("arranged");
        let mut first = None;
        for i in 0..tasks {
            let draft = domain::plan::TaskDraft {
                title: format!("任务{i}"),
                content: "内容".into(),
                criterion: "标准".into(),
                deadline: domain::plan::parse_date(&format!("{month}-{:02}", 3 + i % 27))
                    .expect("date"),
                key_point_id: None,
                owner_id: Some(owner.actor.person_id.0),
                post_id: None,
                leader_id: None,
                is_key_work: i % 5 == 0,
                key_project_id: None,
            };
            let new = store::plan::NewTask {
                org: self.org,
                month,
                unit_id: ids[i % units],
                draft: &draft,
                is_assigned: false,
                status: "arranged",
                carried_from_id: None,
                months_overdue: i32::from(i % 50 == 0),
                created_by: None,
            };
            let id = store::plan::insert_task(&mut tx, &new, now)
                .await
                .expect("insert");
            first.get_or_insert(id);
            if i % 10_000 == 9_999 {
                tx.commit().await.expect("commit");
                tx = db.begin().await.expect("tx");
            }
        }
        tx.commit().await.expect("commit");
        self.app.analyze().await.expect("analyze");
        SeededMonth {
            units: ids,
            owner,
            first_task: first.expect("at least one task"),
        }
    }

    pub async fn identity(&self, person: i64) -> Identity {
        self.app
            .load_identity(person)
            .await
            .expect("load")
            .expect("enabled person")
    }
}

pub const TEST_PASSWORD: &str = "test-password-1";

/// What [`TestApp::seed_month`] made.
pub struct SeededMonth {
    pub units: Vec<i64>,
    pub owner: Identity,
    pub first_task: i64,
}

/// Runs an async test body on SQLite and (when enabled) PostgreSQL with a fresh [`TestApp`].
#[macro_export]
macro_rules! app_test {
    ($name:ident, |$t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $t =
                    $crate::testing::TestApp::new(store::testing::TestDb::sqlite().await).await;
                $body;
                $t.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = store::testing::TestDb::postgres().await else {
                    eprintln!(
                        "PostgreSQL run skipped: set {} to enable it",
                        store::testing::POSTGRES_ENV
                    );
                    return;
                };
                let $t = $crate::testing::TestApp::new(db).await;
                $body;
                $t.cleanup().await;
            }
        }
    };
}

/// The invariants of the cycle ([`domain::invariants`]) that an organization's stored state
/// breaks, read back out of the store.
pub async fn violations(app: &App, org: i64) -> store::Result<Vec<domain::invariants::Violation>> {
    use domain::invariants::{MonthFact, TaskFact, check};
    use domain::plan::{TaskStatus, YearMonth};
    let tasks: Vec<TaskFact> = store::testing::task_facts(app.db(), org)
        .await?
        .into_iter()
        .filter_map(|(id, month, unit, title, status, carried_from)| {
            Some(TaskFact {
                id,
                month: YearMonth::parse(&month)?,
                unit,
                title,
                status: TaskStatus::parse(&status)?,
                carried_from,
            })
        })
        .collect();
    let mut months = std::collections::BTreeMap::new();
    for (month, phase, frozen, published, red) in store::testing::month_facts(app.db(), org).await?
    {
        let Some(ym) = YearMonth::parse(&month) else {
            continue;
        };
        let closed = phase == domain::plan::Phase::Closed.as_str();
        let counted = if closed {
            let mut tx = app.db().begin().await?;
            store::consequences::red_task_cards(&mut tx, org, &month)
                .await?
                .len()
        } else {
            0
        };
        let frozen = frozen
            .and_then(|j| serde_json::from_str::<domain::figures::MonthFigures>(&j).ok())
            .map(|f| f.total);
        months.insert(
            ym,
            MonthFact {
                closed,
                frozen,
                bulletin_published: published,
                red_deductions: if closed {
                    usize::try_from(red).unwrap_or(usize::MAX)
                } else {
                    0
                },
                counted_red_cards: counted,
            },
        );
    }
    Ok(check(&months, &tasks))
}
