//! Organizations (administrators only): the caller's organization and those below it (a city
//! over its zones); create a sub-organization, rename, move, disable.

use app::model::{ListFilter, OrganizationRow};
use app::{AppError, OrganizationView};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::OrganizationId;
use domain::org::OrganizationInput;
use domain::page::PageRequest;
use domain::validate::Validator;
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use super::units::merge_parse_errors;
use super::{parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, opt_id};
use crate::session::User;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    disabled: String,
    #[serde(default)]
    ok: String,
}

#[derive(Template)]
#[template(path = "orgs/list.html")]
struct ListPage {
    l: Layout,
    orgs: Vec<OrganizationView>,
    pager: Pager,
    q: String,
    show_disabled: bool,
    errors: FormErrors,
    name: String,
    code: String,
    parent_id: Option<i64>,
    parents: Vec<OrganizationView>,
}

const FIELDS: &[&str] = &["name", "code", "parent_id"];

async fn list_page(
    state: &AppState,
    user: &User,
    q: ListQuery,
    errors: FormErrors,
    draft: (String, String, Option<i64>),
) -> Response {
    if !user.identity.actor.is_admin() {
        return user.fail(AppError::Forbidden).into_response();
    }
    let filter = ListFilter {
        search: Some(q.q.clone()),
        include_disabled: q.disabled == "1",
    };
    let page = match state
        .app
        .list_organizations(
            user.caller(),
            &filter,
            PageRequest::new(q.page.parse().ok(), None),
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let parents = state
        .app
        .list_organizations(
            user.caller(),
            &ListFilter::default(),
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let base = query("/organizations", &[("q", &q.q), ("disabled", &q.disabled)]);
    let status = if errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = ListPage {
        l: Layout::new(
            user.lang,
            Some(&user.identity),
            "org.list",
            "/organizations",
        )
        .with_notice(Some(q.ok.as_str())),
        pager: Pager::new(&page, &base),
        orgs: page.items,
        q: q.q,
        show_disabled: q.disabled == "1",
        errors,
        name: draft.0,
        code: draft.1,
        parent_id: draft.2.or(Some(user.identity.actor.organization_id.0)),
        parents,
    };
    (status, render(&page)).into_response()
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = user.lang;
    list_page(&state, &user, q, FormErrors::new(lang), Default::default()).await
}

fn org_input(form: &FormData) -> (OrganizationInput, Validator) {
    let mut v = Validator::new();
    let parent_id = opt_id(&mut v, "parent_id", form.get("parent_id")).map(OrganizationId);
    (
        OrganizationInput {
            name: form.get("name").into(),
            code: form.get("code").into(),
            parent_id,
        },
        v,
    )
}

pub async fn create(State(state): State<AppState>, user: User, form: FormData) -> Response {
    let (input, v) = org_input(&form);
    let result = if v.is_ok() {
        state
            .app
            .create_organization(user.caller(), &input)
            .await
            .map(|o| o.id)
    } else {
        Err(AppError::Invalid(
            input.validate().err().unwrap_or_default(),
        ))
    };
    match merge_parse_errors(v, result) {
        Ok(id) => see_other(&format!("/organizations/{id}?ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            let errors = FormErrors::from_app(user.lang, &e, FIELDS);
            list_page(
                &state,
                &user,
                ListQuery::default(),
                errors,
                (input.name, input.code, input.parent_id.map(|p| p.0)),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "orgs/show.html")]
struct ShowPage {
    l: Layout,
    org: OrganizationRow,
    errors: FormErrors,
    name: String,
    code: String,
    parent_id: Option<i64>,
    parents: Vec<OrganizationView>,
}

async fn show_page(
    state: &AppState,
    user: &User,
    id: i64,
    notice: Option<&str>,
    errors: FormErrors,
    draft: Option<(String, String, Option<i64>)>,
) -> Response {
    let org = match state.app.get_organization(user.caller(), id).await {
        Ok(o) => o,
        Err(e) => return user.fail(e).into_response(),
    };
    if !state.app.can_administer(user.caller(), id) {
        return user.fail(AppError::Forbidden).into_response();
    }
    let parents = state
        .app
        .list_organizations(
            user.caller(),
            &ListFilter::default(),
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let parents = parents
        .into_iter()
        .filter(|p| !p.org.path.starts_with(&org.path))
        .collect();
    let (name, code, parent_id) = draft.unwrap_or_else(|| {
        (
            org.name.clone(),
            org.code.clone().unwrap_or_default(),
            org.parent_id,
        )
    });
    let status = if errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = ShowPage {
        l: Layout::new(
            user.lang,
            Some(&user.identity),
            "org.edit",
            "/organizations",
        )
        .with_notice(notice),
        org,
        errors,
        name,
        code,
        parent_id,
        parents,
    };
    (status, render(&page)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => {
            show_page(
                &state,
                &user,
                id,
                Some(q.ok.as_str()),
                FormErrors::new(user.lang),
                None,
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let (input, v) = org_input(&form);
    let result = if v.is_ok() {
        state
            .app
            .update_organization(user.caller(), id, &input)
            .await
    } else {
        Err(AppError::Invalid(
            input.validate().err().unwrap_or_default(),
        ))
    };
    match merge_parse_errors(v, result) {
        Ok(()) => see_other(&format!("/organizations/{id}?ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            let errors = FormErrors::from_app(user.lang, &e, FIELDS);
            show_page(
                &state,
                &user,
                id,
                None,
                errors,
                Some((input.name, input.code, input.parent_id.map(|p| p.0))),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

async fn toggle(state: &AppState, user: &User, id: &str, disabled: bool) -> Response {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match state
        .app
        .set_organization_disabled(user.caller(), id, disabled)
        .await
    {
        Ok(()) => see_other(&format!("/organizations/{id}?ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            show_page(
                state,
                user,
                id,
                None,
                FormErrors::from_app(user.lang, &e, &[]),
                None,
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn disable(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    toggle(&state, &user, &id, true).await
}

pub async fn enable(State(state): State<AppState>, user: User, Path(id): Path<String>) -> Response {
    toggle(&state, &user, &id, false).await
}
