//! Helpers shared by the integration suites of `app` (each suite includes this module).
#![allow(dead_code)]

pub mod month;

use app::testing::TestApp;
use app::{AppError, Caller};
use domain::UnitId;
use domain::org::{PersonInput, UnitInput};
use domain::page::PageRequest;
use store::audit::AuditFilter;
use store::org::ListFilter;
use store::people::PeopleFilter;

/// The biggest page, so that one call returns every row of a small test organization.
pub fn all() -> PageRequest {
    PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE))
}

/// The field errors of a validation failure as `(field, code)` pairs; panics on anything else.
#[track_caller]
pub fn fields<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<(String, &'static str)> {
    match r {
        Err(AppError::Invalid(e)) => e.0.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Asserts that `r` is a validation failure with exactly one error, `field`/`code`.
#[track_caller]
pub fn assert_field<T: std::fmt::Debug>(r: Result<T, AppError>, field: &str, code: &str) {
    let got = fields(r);
    assert_eq!(
        got,
        vec![(field.to_owned(), code)],
        "expected {field}: {code}"
    );
}

#[track_caller]
pub fn assert_forbidden<T: std::fmt::Debug>(r: Result<T, AppError>) {
    assert!(
        matches!(r, Err(AppError::Forbidden)),
        "expected Forbidden, got {r:?}"
    );
}

pub fn unit_input(name: &str, parent: Option<i64>) -> UnitInput {
    UnitInput {
        name: name.into(),
        code: String::new(),
        parent_id: parent.map(UnitId),
        sort_order: 0,
    }
}

pub fn person_input(username: &str, unit: Option<i64>) -> PersonInput {
    PersonInput {
        username: username.into(),
        display_name: format!("测试{username}"),
        unit_id: unit.map(UnitId),
        ..Default::default()
    }
}

/// Enabled units of an organization, as the system sees them.
pub async fn unit_count(t: &TestApp, org: i64) -> u64 {
    t.app
        .list_units(
            Caller::System,
            org,
            &ListFilter::default(),
            PageRequest::new(Some(1), Some(1)),
        )
        .await
        .expect("list units")
        .total
}

/// Every unit of an organization including disabled ones.
pub async fn unit_count_all(t: &TestApp, org: i64) -> u64 {
    let f = ListFilter {
        include_disabled: true,
        ..Default::default()
    };
    t.app
        .list_units(Caller::System, org, &f, PageRequest::new(Some(1), Some(1)))
        .await
        .expect("list units")
        .total
}

/// Every person of an organization including disabled ones.
pub async fn people_count(t: &TestApp, org: i64) -> u64 {
    let f = PeopleFilter {
        include_disabled: true,
        ..Default::default()
    };
    t.app
        .list_people(Caller::System, org, &f, PageRequest::new(Some(1), Some(1)))
        .await
        .expect("list people")
        .total
}

/// Usernames of the enabled people of an organization, as the system sees them, sorted.
pub async fn usernames(t: &TestApp, org: i64) -> Vec<String> {
    let page = t
        .app
        .list_people(Caller::System, org, &PeopleFilter::default(), all())
        .await
        .expect("list people");
    let mut v: Vec<String> = page.items.into_iter().map(|p| p.person.username).collect();
    v.sort();
    v
}

/// How many audit entries the chain of `org` holds.
pub async fn audit_total(t: &TestApp, org: i64) -> u64 {
    t.app
        .list_audit(
            Caller::System,
            org,
            &AuditFilter::default(),
            PageRequest::new(Some(1), Some(1)),
        )
        .await
        .expect("list audit")
        .total
}
