//! People: scoped list with search, unit filter and pagination; detail with roles and units in
//! charge; create, edit, disable, reset password, grant and revoke roles.

use app::model::PeopleFilter;
use app::{AppError, NewPerson, PersonDetail, PersonView, UnitNode};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::org::PersonInput;
use domain::page::PageRequest;
use domain::validate::Validator;
use domain::{PostId, Role, UnitId};
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
    unit: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    disabled: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    ok: String,
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    l: Layout,
    people: Vec<PersonView>,
    pager: Pager,
    q: String,
    unit: Option<i64>,
    show_disabled: bool,
    tree: Vec<UnitNode>,
    can_admin: bool,
    org: i64,
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Response {
    let org = q
        .org
        .parse()
        .unwrap_or(user.identity.actor.organization_id.0);
    let unit = q.unit.parse().ok();
    let filter = PeopleFilter {
        search: Some(q.q.clone()),
        unit_id: unit,
        include_disabled: q.disabled == "1",
        ..Default::default()
    };
    let page = match state
        .app
        .list_people(
            user.caller(),
            org,
            &filter,
            PageRequest::new(q.page.parse().ok(), None),
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return user.fail(e).into_response(),
    };
    let tree = state
        .app
        .unit_tree(user.caller(), org)
        .await
        .unwrap_or_default();
    let base = query(
        "/people",
        &[
            ("q", &q.q),
            ("unit", &q.unit),
            ("disabled", &q.disabled),
            ("org", &q.org),
        ],
    );
    render(&ListPage {
        l: Layout::new(user.lang, Some(&user.identity), "person.list", "/people")
            .with_notice(Some(q.ok.as_str())),
        pager: Pager::new(&page, &base),
        people: page.items,
        q: q.q,
        unit,
        show_disabled: q.disabled == "1",
        tree,
        can_admin: state.app.can_administer(user.caller(), org),
        org,
    })
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    l: Layout,
    action: String,
    person_id: Option<i64>,
    f: PersonForm,
    tree: Vec<UnitNode>,
    posts: Vec<app::model::PostRow>,
    errors: FormErrors,
}

#[derive(Default)]
struct PersonForm {
    username: String,
    display_name: String,
    unit_id: Option<i64>,
    post_id: Option<i64>,
    email: String,
    phone: String,
}

impl PersonForm {
    /// The text inputs of the form: (name, value, input type, required).
    fn text_fields(&self) -> Vec<(&'static str, String, &'static str, bool)> {
        vec![
            ("username", self.username.clone(), "text", true),
            ("display_name", self.display_name.clone(), "text", true),
            ("email", self.email.clone(), "email", false),
            ("phone", self.phone.clone(), "text", false),
        ]
    }
}

const FIELDS: &[&str] = &[
    "username",
    "display_name",
    "unit_id",
    "post_id",
    "email",
    "phone",
    "password",
];

fn person_input(form: &FormData) -> (PersonInput, Validator) {
    let mut v = Validator::new();
    let unit_id = opt_id(&mut v, "unit_id", form.get("unit_id")).map(UnitId);
    let post_id = opt_id(&mut v, "post_id", form.get("post_id")).map(PostId);
    let input = PersonInput {
        username: form.get("username").into(),
        display_name: form.get("display_name").into(),
        unit_id,
        post_id,
        email: form.get("email").into(),
        phone: form.get("phone").into(),
    };
    (input, v)
}

fn form_of(input: &PersonInput) -> PersonForm {
    PersonForm {
        username: input.username.clone(),
        display_name: input.display_name.clone(),
        unit_id: input.unit_id.map(|u| u.0),
        post_id: input.post_id.map(|p| p.0),
        email: input.email.clone(),
        phone: input.phone.clone(),
    }
}

async fn form_page(
    state: &AppState,
    user: &User,
    org: i64,
    person_id: Option<i64>,
    f: PersonForm,
    errors: FormErrors,
) -> Response {
    let tree = match state.app.unit_tree(user.caller(), org).await {
        Ok(t) => t,
        Err(e) => return user.fail(e).into_response(),
    };
    let all = app::model::ListFilter::default();
    let posts = state
        .app
        .list_posts(
            user.caller(),
            org,
            None,
            &all,
            PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let (title, action) = match person_id {
        Some(id) => ("person.edit", format!("/people/{id}")),
        None => ("person.new", format!("/people?org={org}")),
    };
    let status = if errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    (
        status,
        render(&FormPage {
            l: Layout::new(user.lang, Some(&user.identity), title, "/people"),
            action,
            person_id,
            f,
            tree,
            posts,
            errors,
        }),
    )
        .into_response()
}

pub async fn new_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Response {
    let org = q
        .org
        .parse()
        .unwrap_or(user.identity.actor.organization_id.0);
    if !state.app.can_administer(user.caller(), org) {
        return user.fail(AppError::Forbidden).into_response();
    }
    let f = PersonForm {
        unit_id: q.unit.parse().ok(),
        ..Default::default()
    };
    form_page(&state, &user, org, None, f, FormErrors::new(user.lang)).await
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    l: Layout,
    d: PersonDetail,
    /// The viewer may edit, disable and enable the person (系统管理员).
    can_admin: bool,
    /// The viewer may reset the password, lift locks, grant roles and see tokens (安全管理员).
    can_secure: bool,
    is_self: bool,
    /// The viewer may open the person's record (干部实绩档案).
    can_record: bool,
    tree: Vec<UnitNode>,
    secret: Option<(String, String)>,
    errors: FormErrors,
    roles: Vec<&'static str>,
    /// Only a leader in charge has units in charge.
    is_leader: bool,
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
    form: FormData,
) -> Response {
    let org = q
        .org
        .parse()
        .unwrap_or(user.identity.actor.organization_id.0);
    let (input, v) = person_input(&form);
    let new = NewPerson {
        profile: input.clone(),
        password: Some(form.get("password").to_owned()).filter(|p| !p.is_empty()),
    };
    let result = if v.is_ok() {
        state.app.create_person(user.caller(), org, &new).await
    } else {
        Err(AppError::Invalid(
            input.validate().err().unwrap_or_default(),
        ))
    };
    match merge_parse_errors(v, result) {
        Ok((id, generated)) => {
            let secret =
                generated.map(|p| (user.lang.t("person.password_generated").to_owned(), p));
            render_show(&state, &user, id, None, secret, FormErrors::new(user.lang)).await
        }
        Err(e @ AppError::Invalid(_)) => {
            form_page(
                &state,
                &user,
                org,
                None,
                form_of(&input),
                FormErrors::from_app(user.lang, &e, FIELDS),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

async fn render_show(
    state: &AppState,
    user: &User,
    id: i64,
    notice: Option<&str>,
    secret: Option<(String, String)>,
    errors: FormErrors,
) -> Response {
    let d = match state.app.get_person(user.caller(), id).await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let can_admin = state
        .app
        .can_administer(user.caller(), d.person.organization_id);
    let can_secure = state
        .app
        .can_manage_security(user.caller(), d.person.organization_id);
    let tree = if can_secure {
        state
            .app
            .unit_tree(user.caller(), d.person.organization_id)
            .await
            .unwrap_or_default()
    } else {
        vec![]
    };
    let status = if errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = ShowPage {
        l: Layout::new(user.lang, Some(&user.identity), "person.list", "/people")
            .with_notice(notice),
        is_self: d.person.id == user.identity.actor.person_id.0,
        can_record: domain::policy::authorize(
            &user.identity.actor,
            domain::policy::Action::ViewCadre {
                org: domain::OrganizationId(d.person.organization_id),
                person: domain::ids::PersonId(d.person.id),
            },
        )
        .is_ok(),
        is_leader: d
            .roles
            .iter()
            .any(|r| r.role == Role::LeaderInCharge.as_str()),
        d,
        can_admin,
        can_secure,
        tree,
        secret,
        errors,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
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
            render_show(
                &state,
                &user,
                id,
                Some(q.ok.as_str()),
                None,
                FormErrors::new(user.lang),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let d = match async { state.app.get_person(user.caller(), parse_id(&id)?).await }.await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    if !state
        .app
        .can_administer(user.caller(), d.person.organization_id)
    {
        return user.fail(AppError::Forbidden).into_response();
    }
    let p = d.person;
    let f = PersonForm {
        username: p.username,
        display_name: p.display_name,
        unit_id: p.unit_id,
        post_id: p.post_id,
        email: p.email.unwrap_or_default(),
        phone: p.phone.unwrap_or_default(),
    };
    form_page(
        &state,
        &user,
        p.organization_id,
        Some(p.id),
        f,
        FormErrors::new(user.lang),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let d = match async { state.app.get_person(user.caller(), parse_id(&id)?).await }.await {
        Ok(d) => d,
        Err(e) => return user.fail(e).into_response(),
    };
    let (input, v) = person_input(&form);
    let result = if v.is_ok() {
        state
            .app
            .update_person(user.caller(), d.person.id, &input)
            .await
    } else {
        Err(AppError::Invalid(
            input.validate().err().unwrap_or_default(),
        ))
    };
    match merge_parse_errors(v, result) {
        Ok(()) => see_other(&format!("/people/{}?ok=common.saved", d.person.id)),
        Err(e @ AppError::Invalid(_)) => {
            form_page(
                &state,
                &user,
                d.person.organization_id,
                Some(d.person.id),
                form_of(&input),
                FormErrors::from_app(user.lang, &e, FIELDS),
            )
            .await
        }
        Err(e) => user.fail(e).into_response(),
    }
}

/// Runs a person action and shows the person again: on success with a notice, on a
/// validation error with the message.
async fn act(
    state: &AppState,
    user: &User,
    id: &str,
    f: impl AsyncFnOnce(i64) -> Result<Option<(String, String)>, AppError>,
) -> Response {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    match f(id).await {
        Ok(None) => see_other(&format!("/people/{id}?ok=common.saved")),
        Ok(Some(secret)) => {
            render_show(
                state,
                user,
                id,
                None,
                Some(secret),
                FormErrors::new(user.lang),
            )
            .await
        }
        Err(e @ AppError::Invalid(_)) => {
            render_show(
                state,
                user,
                id,
                None,
                None,
                FormErrors::from_app(user.lang, &e, &[]),
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
    act(&state, &user, &id, async |id| {
        state
            .app
            .set_person_disabled(user.caller(), id, true)
            .await
            .map(|()| None)
    })
    .await
}

pub async fn enable(State(state): State<AppState>, user: User, Path(id): Path<String>) -> Response {
    act(&state, &user, &id, async |id| {
        state
            .app
            .set_person_disabled(user.caller(), id, false)
            .await
            .map(|()| None)
    })
    .await
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let label = user.lang.t("person.password_reset_done").to_owned();
    act(&state, &user, &id, async |id| {
        state
            .app
            .reset_password(user.caller(), id)
            .await
            .map(|p| Some((label, p)))
    })
    .await
}

pub async fn unlock_sign_in(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    let label = user.lang.t("person.unlocked").to_owned();
    act(&state, &user, &id, async |id| {
        state
            .app
            .unlock_sign_in(user.caller(), id)
            .await
            .map(|n| Some((label, n.to_string())))
    })
    .await
}

pub async fn grant_role(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let mut v = Validator::new();
    let unit = opt_id(&mut v, "unit_id", form.get("unit_id")).map(UnitId);
    let role = Role::parse(form.get("role"));
    act(&state, &user, &id, async |id| {
        merge_parse_errors(v, state.app.grant_role(user.caller(), id, role, unit).await)
            .map(|_| None)
    })
    .await
}

pub async fn revoke_role(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let person = form.get("person_id").to_owned();
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return user.fail(e).into_response(),
    };
    act(&state, &user, &person, async |_| {
        state
            .app
            .revoke_role(user.caller(), id)
            .await
            .map(|()| None)
    })
    .await
}

pub async fn set_led_units(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let mut v = Validator::new();
    let units: Vec<i64> = form
        .all("unit_ids")
        .into_iter()
        .filter_map(|u| opt_id(&mut v, "unit_ids", u))
        .collect();
    act(&state, &user, &id, async |id| {
        merge_parse_errors(v, state.app.set_led_units(user.caller(), id, &units).await)
            .map(|()| None)
    })
    .await
}
