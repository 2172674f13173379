//! Units and their posts: tree-ordered list with search and pagination, detail, create, edit
//! (including moving under another parent), disable and enable.

use app::model::{ListFilter, PostRow, UnitRow};
use app::{AppError, UnitNode};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::UnitId;
use domain::org::{PostInput, UnitInput};
use domain::page::PageRequest;
use domain::validate::Validator;
use serde::Deserialize;

use super::layout::{FormErrors, Layout, Pager, query, render};
use super::{parse_id, see_other};
use crate::AppState;
use crate::form::{FormData, int_or, opt_id};
use crate::session::User;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub disabled: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub ok: String,
    #[serde(default)]
    pub parent: String,
}

impl ListQuery {
    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.page.parse().ok(), None)
    }

    /// The organization to show: one in the caller's reach, by default their own.
    pub fn org(&self, user: &User) -> i64 {
        self.org
            .parse()
            .unwrap_or(user.identity.actor.organization_id.0)
    }
}

#[derive(Template)]
#[template(path = "units/list.html")]
struct ListPage {
    l: Layout,
    units: Vec<UnitNode>,
    pager: Pager,
    q: String,
    show_disabled: bool,
    can_admin: bool,
    org: i64,
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Response {
    let org = q.org(&user);
    let filter = ListFilter {
        search: Some(q.q.clone()),
        include_disabled: q.disabled == "1",
    };
    match state
        .app
        .list_units(user.caller(), org, &filter, q.page())
        .await
    {
        Ok(page) => {
            let base = query(
                "/units",
                &[("q", &q.q), ("disabled", &q.disabled), ("org", &q.org)],
            );
            let can_admin = user.identity.actor.is_admin();
            render(&ListPage {
                l: Layout::new(user.lang, Some(&user.identity), "unit.list", "/units")
                    .with_notice(Some(q.ok.as_str())),
                pager: Pager::new(&page, &base),
                units: page.items,
                q: q.q,
                show_disabled: q.disabled == "1",
                can_admin,
                org,
            })
        }
        Err(e) => user.fail(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "units/form.html")]
struct FormPage {
    l: Layout,
    action: String,
    unit_id: Option<i64>,
    name: String,
    code: String,
    parent_id: Option<i64>,
    sort_order: String,
    tree: Vec<UnitNode>,
    errors: FormErrors,
    org: i64,
}

fn unit_input(form: &FormData) -> (UnitInput, Validator) {
    let mut v = Validator::new();
    let parent_id = opt_id(&mut v, "parent_id", form.get("parent_id")).map(UnitId);
    let sort_order = int_or(&mut v, "sort_order", form.get("sort_order"), 0);
    (
        UnitInput {
            name: form.get("name").into(),
            code: form.get("code").into(),
            parent_id,
            sort_order,
        },
        v,
    )
}

/// Runs the input's own parse errors together with the use case's validation, so the form
/// shows every problem at once.
pub fn merge_parse_errors<T>(v: Validator, result: Result<T, AppError>) -> Result<T, AppError> {
    match (v.finish(), result) {
        (Ok(()), r) => r,
        (Err(mut a), Err(AppError::Invalid(b))) => {
            a.0.extend(b.0);
            Err(AppError::Invalid(a))
        }
        (Err(a), _) => Err(AppError::Invalid(a)),
    }
}

pub const UNIT_FIELDS: &[&str] = &["name", "code", "parent_id", "sort_order"];

pub async fn new_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Response {
    let org = q.org(&user);
    let tree = match state.app.unit_tree(user.caller(), org).await {
        Ok(t) => t,
        Err(e) => return user.fail(e).into_response(),
    };
    if !user.identity.actor.is_admin() {
        return user.fail(AppError::Forbidden).into_response();
    }
    let parent_id = q.parent.parse().ok();
    render(&FormPage {
        l: Layout::new(user.lang, Some(&user.identity), "unit.new", "/units"),
        action: format!("/units?org={org}"),
        unit_id: None,
        name: String::new(),
        code: String::new(),
        parent_id,
        sort_order: "0".into(),
        tree,
        errors: FormErrors::new(user.lang),
        org,
    })
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
    form: FormData,
) -> Response {
    let org = q.org(&user);
    let (input, v) = unit_input(&form);
    let result = if v.is_ok() {
        state.app.create_unit(user.caller(), org, &input).await
    } else {
        Err(AppError::Invalid(
            input.validate().err().unwrap_or_default(),
        ))
    };
    match merge_parse_errors(v, result) {
        Ok(id) => see_other(&format!("/units/{id}?ok=common.saved")),
        Err(e) if !matches!(e, AppError::Invalid(_)) => user.fail(e).into_response(),
        Err(e) => {
            let tree = state
                .app
                .unit_tree(user.caller(), org)
                .await
                .unwrap_or_default();
            let page = FormPage {
                l: Layout::new(user.lang, Some(&user.identity), "unit.new", "/units"),
                action: format!("/units?org={org}"),
                unit_id: None,
                name: input.name,
                code: input.code,
                parent_id: input.parent_id.map(|p| p.0),
                sort_order: form.get("sort_order").into(),
                tree,
                errors: FormErrors::from_app(user.lang, &e, UNIT_FIELDS),
                org,
            };
            (crate::error::status_of(&e), render(&page)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "units/show.html")]
struct ShowPage {
    l: Layout,
    unit: UnitRow,
    ancestors: Vec<(i64, String)>,
    children: Vec<UnitRow>,
    posts: Vec<PostRow>,
    people: Vec<app::PersonView>,
    people_total: u64,
    can_view_people: bool,
    can_admin: bool,
    post_errors: FormErrors,
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    render_show(
        &state,
        &user,
        id,
        Some(q.ok.as_str()),
        FormErrors::new(user.lang),
    )
    .await
}

async fn render_show(
    state: &AppState,
    user: &User,
    id: i64,
    notice: Option<&str>,
    post_errors: FormErrors,
) -> Response {
    let d = match state.app.get_unit(user.caller(), id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let (people, people_total) = if d.can_view_people {
        let f = app::model::PeopleFilter {
            unit_id: Some(id),
            include_disabled: true,
            ..Default::default()
        };
        match state
            .app
            .list_people(
                user.caller(),
                d.unit.organization_id,
                &f,
                PageRequest::new(Some(1), Some(100)),
            )
            .await
        {
            Ok(p) => (p.items, p.total),
            Err(e) => return user.fail(e).into_response(),
        }
    } else {
        (vec![], 0)
    };
    let can_admin = state
        .app
        .can_administer(user.caller(), d.unit.organization_id);
    let status = if post_errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = ShowPage {
        l: Layout::new(user.lang, Some(&user.identity), "unit.list", "/units").with_notice(notice),
        unit: d.unit,
        ancestors: d.ancestors,
        children: d.children,
        posts: d.posts,
        people,
        people_total,
        can_view_people: d.can_view_people,
        can_admin,
        post_errors,
    };
    (status, render(&page)).into_response()
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        let d = state.app.get_unit(user.caller(), id).await?;
        if !state
            .app
            .can_administer(user.caller(), d.unit.organization_id)
        {
            return Err(AppError::Forbidden);
        }
        let tree = state
            .app
            .unit_tree(user.caller(), d.unit.organization_id)
            .await?;
        Ok((d.unit, tree))
    }
    .await;
    match result {
        Ok((u, tree)) => render(&FormPage {
            l: Layout::new(user.lang, Some(&user.identity), "unit.edit", "/units"),
            action: format!("/units/{}", u.id),
            unit_id: Some(u.id),
            name: u.name,
            code: u.code.unwrap_or_default(),
            parent_id: u.parent_id,
            sort_order: u.sort_order.to_string(),
            tree: tree
                .into_iter()
                .filter(|n| !n.unit.path.starts_with(&u.path))
                .collect(),
            errors: FormErrors::new(user.lang),
            org: u.organization_id,
        }),
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
    let (input, v) = unit_input(&form);
    let result = if v.is_ok() {
        state.app.update_unit(user.caller(), id, &input).await
    } else {
        Err(AppError::Invalid(
            input.validate().err().unwrap_or_default(),
        ))
    };
    match merge_parse_errors(v, result) {
        Ok(()) => see_other(&format!("/units/{id}?ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            let (org, path) = match state.app.get_unit(user.caller(), id).await {
                Ok(d) => (d.unit.organization_id, d.unit.path),
                Err(e) => return user.fail(e).into_response(),
            };
            let tree = state
                .app
                .unit_tree(user.caller(), org)
                .await
                .unwrap_or_default();
            let page = FormPage {
                l: Layout::new(user.lang, Some(&user.identity), "unit.edit", "/units"),
                action: format!("/units/{id}"),
                unit_id: Some(id),
                name: input.name,
                code: input.code,
                parent_id: input.parent_id.map(|p| p.0),
                sort_order: form.get("sort_order").into(),
                tree: tree
                    .into_iter()
                    .filter(|n| !n.unit.path.starts_with(&path))
                    .collect(),
                errors: FormErrors::from_app(user.lang, &e, UNIT_FIELDS),
                org,
            };
            (crate::error::status_of(&e), render(&page)).into_response()
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
        .set_unit_disabled(user.caller(), id, disabled)
        .await
    {
        Ok(()) => see_other(&format!("/units/{id}?ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            let errors = FormErrors::from_app(user.lang, &e, &[]);
            render_show(state, user, id, None, errors).await
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

pub async fn create_post(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    let org = match state.app.get_unit(user.caller(), id).await {
        Ok(d) => d.unit.organization_id,
        Err(e) => return user.fail(e).into_response(),
    };
    let input = PostInput {
        unit_id: Some(UnitId(id)),
        name: form.get("name").into(),
    };
    match state.app.create_post(user.caller(), org, &input).await {
        Ok(_) => see_other(&format!("/units/{id}?ok=common.saved")),
        Err(e @ AppError::Invalid(_)) => {
            render_show(
                &state,
                &user,
                id,
                None,
                FormErrors::from_app(user.lang, &e, &[]),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn update_post(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let post = match async { state.app.get_post(user.caller(), parse_id(&id)?).await }.await {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let input = PostInput {
        unit_id: Some(UnitId(post.unit_id)),
        name: form.get("name").into(),
    };
    match state.app.update_post(user.caller(), post.id, &input).await {
        Ok(()) => see_other(&format!("/units/{}?ok=common.saved", post.unit_id)),
        Err(e @ AppError::Invalid(_)) => {
            render_show(
                &state,
                &user,
                post.unit_id,
                None,
                FormErrors::from_app(user.lang, &e, &[]),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

async fn toggle_post(state: &AppState, user: &User, id: &str, disabled: bool) -> Response {
    let result = async {
        let id = parse_id(id)?;
        let post = state.app.get_post(user.caller(), id).await?;
        state
            .app
            .set_post_disabled(user.caller(), id, disabled)
            .await?;
        Ok::<_, AppError>(post.unit_id)
    }
    .await;
    match result {
        Ok(unit) => see_other(&format!("/units/{unit}?ok=common.saved")),
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn disable_post(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    toggle_post(&state, &user, &id, true).await
}

pub async fn enable_post(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    toggle_post(&state, &user, &id, false).await
}
