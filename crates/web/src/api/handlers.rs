//! API handlers: parse, call one use case, answer JSON.

use app::model::{AuditFilter, ListFilter, PeopleFilter};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::org::{OrganizationInput, PersonInput, PostInput, UnitInput};
use domain::page::PageRequest;
use domain::{OrganizationId, PostId, Role, UnitId};

use super::dto::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

fn page(page: Option<u32>, per_page: Option<u32>) -> PageRequest {
    PageRequest::new(page, per_page)
}

fn own_org(user: &ApiUser, org: Option<i64>) -> i64 {
    org.unwrap_or(user.identity.actor.organization_id.0)
}

/// A path id that is not a positive integer names nothing: 404.
fn id(user: &ApiUser, raw: &str) -> Result<i64, ApiError> {
    crate::pages::parse_id(raw).map_err(|e| user.fail(e))
}

const DONE: Done = Done { ok: true };

// ---- me ----

#[utoipa::path(get, path = "/me", tag = "me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(user: ApiUser) -> ApiResult<Me> {
    let a = &user.identity.actor;
    Ok(Json(Me {
        id: a.person_id.0,
        username: user.identity.username.clone(),
        display_name: user.identity.display_name.clone(),
        organization_id: a.organization_id.0,
        organization_name: user.identity.organization_name.clone(),
        unit_id: a.unit_id.map(|u| u.0),
        roles: a
            .grants
            .iter()
            .map(|g| RoleGrant {
                role: g.role.as_str().to_owned(),
                unit_id: g.unit_id.map(|u| u.0),
            })
            .collect(),
        led_unit_ids: a.led_units.iter().map(|u| u.0).collect(),
        must_change_password: user.identity.must_change_password,
    }))
}

#[utoipa::path(post, path = "/me/password", tag = "me", request_body = ChangePassword,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<ChangePassword>,
) -> ApiResult<Done> {
    let confirm = b.confirm_password.as_deref().unwrap_or(&b.new_password);
    s.app
        .change_password(
            &user.identity,
            &b.current_password,
            &b.new_password,
            confirm,
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

// ---- organizations ----

#[utoipa::path(get, path = "/organizations", tag = "organizations", params(ListParams),
    responses((status = 200, body = OrganizationPage), (status = 403, body = ErrorBody)))]
pub async fn list_organizations(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<OrganizationPage> {
    let f = ListFilter {
        search: q.q,
        include_disabled: q.include_disabled.unwrap_or(false),
    };
    Ok(Json(
        s.app
            .list_organizations(user.caller(), &f, page(q.page, q.per_page))
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/organizations", tag = "organizations", request_body = CreateOrganization,
    responses((status = 201, body = Organization), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_organization(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<CreateOrganization>,
) -> Result<(StatusCode, Json<Organization>), ApiError> {
    let input = OrganizationInput {
        name: b.name,
        code: b.code.unwrap_or_default(),
        parent_id: b.parent_id.map(OrganizationId),
    };
    // The use case answers with what it created: the caller's identity was loaded before the
    // new organization existed, so reading it back would be refused.
    let org = s
        .app
        .create_organization(user.caller(), &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = Organization), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_organization(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Organization> {
    let id = id(&user, &raw)?;
    Ok(Json(
        s.app
            .get_organization(user.caller(), id)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)), request_body = UpdateOrganization,
    responses((status = 200, body = Organization), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_organization(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<UpdateOrganization>,
) -> ApiResult<Organization> {
    let id = id(&user, &raw)?;
    let cur = s
        .app
        .get_organization(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    let input = OrganizationInput {
        name: b.name.unwrap_or(cur.name),
        code: b.code.or(cur.code).unwrap_or_default(),
        parent_id: b.parent_id.unwrap_or(cur.parent_id).map(OrganizationId),
    };
    s.app
        .update_organization(user.caller(), id, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(
        s.app
            .get_organization(user.caller(), id)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/organizations/{id}/disable", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disable_organization(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_organization_disabled(user.caller(), id, true)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/organizations/{id}/enable", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody)))]
pub async fn enable_organization(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_organization_disabled(user.caller(), id, false)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

// ---- units ----

#[utoipa::path(get, path = "/units", tag = "units", params(ListParams),
    responses((status = 200, body = UnitPage), (status = 403, body = ErrorBody)))]
pub async fn list_units(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<UnitPage> {
    let f = ListFilter {
        search: q.q,
        include_disabled: q.include_disabled.unwrap_or(false),
    };
    let org = own_org(&user, q.organization_id);
    Ok(Json(
        s.app
            .list_units(user.caller(), org, &f, page(q.page, q.per_page))
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/units", tag = "units", request_body = CreateUnit,
    responses((status = 201, body = Unit), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<CreateUnit>,
) -> Result<(StatusCode, Json<Unit>), ApiError> {
    let org = own_org(&user, b.organization_id);
    let input = UnitInput {
        name: b.name,
        code: b.code.unwrap_or_default(),
        parent_id: b.parent_id.map(UnitId),
        sort_order: b.sort_order.unwrap_or(0),
    };
    let id = s
        .app
        .create_unit(user.caller(), org, &input)
        .await
        .map_err(|e| user.fail(e))?;
    let d = s
        .app
        .get_unit(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(d.unit.into())))
}

#[utoipa::path(get, path = "/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_unit(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<UnitDetail> {
    let id = id(&user, &raw)?;
    let d = s
        .app
        .get_unit(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(UnitDetail {
        unit: d.unit.into(),
        ancestors: d
            .ancestors
            .into_iter()
            .map(|(id, name)| UnitRef { id, name })
            .collect(),
        children: d.children.into_iter().map(Into::into).collect(),
        posts: d.posts.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(patch, path = "/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UpdateUnit,
    responses((status = 200, body = Unit), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_unit(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<UpdateUnit>,
) -> ApiResult<Unit> {
    let id = id(&user, &raw)?;
    let cur = s
        .app
        .get_unit(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?
        .unit;
    let input = UnitInput {
        name: b.name.unwrap_or(cur.name),
        code: b.code.or(cur.code).unwrap_or_default(),
        parent_id: b.parent_id.unwrap_or(cur.parent_id).map(UnitId),
        sort_order: b.sort_order.unwrap_or(i64::from(cur.sort_order)),
    };
    s.app
        .update_unit(user.caller(), id, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(
        s.app
            .get_unit(user.caller(), id)
            .await
            .map_err(|e| user.fail(e))?
            .unit
            .into(),
    ))
}

#[utoipa::path(post, path = "/units/{id}/disable", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disable_unit(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_unit_disabled(user.caller(), id, true)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/units/{id}/enable", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enable_unit(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_unit_disabled(user.caller(), id, false)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

// ---- posts ----

#[utoipa::path(get, path = "/posts", tag = "posts", params(PostParams),
    responses((status = 200, body = PostPage), (status = 403, body = ErrorBody)))]
pub async fn list_posts(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<PostParams>,
) -> ApiResult<PostPage> {
    let f = ListFilter {
        search: q.q,
        include_disabled: q.include_disabled.unwrap_or(false),
    };
    let org = own_org(&user, q.organization_id);
    Ok(Json(
        s.app
            .list_posts(user.caller(), org, q.unit_id, &f, page(q.page, q.per_page))
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/posts", tag = "posts", request_body = CreatePost,
    responses((status = 201, body = Post), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_post(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<CreatePost>,
) -> Result<(StatusCode, Json<Post>), ApiError> {
    let org = own_org(&user, b.organization_id);
    let id = s
        .app
        .create_post(
            user.caller(),
            org,
            &PostInput {
                unit_id: Some(UnitId(b.unit_id)),
                name: b.name,
            },
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(
            s.app
                .get_post(user.caller(), id)
                .await
                .map_err(|e| user.fail(e))?
                .into(),
        ),
    ))
}

#[utoipa::path(patch, path = "/posts/{id}", tag = "posts", params(("id" = i64, Path)), request_body = UpdatePost,
    responses((status = 200, body = Post), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_post(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<UpdatePost>,
) -> ApiResult<Post> {
    let id = id(&user, &raw)?;
    let cur = s
        .app
        .get_post(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    let input = PostInput {
        unit_id: Some(UnitId(b.unit_id.unwrap_or(cur.unit_id))),
        name: b.name.unwrap_or(cur.name),
    };
    s.app
        .update_post(user.caller(), id, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(
        s.app
            .get_post(user.caller(), id)
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

#[utoipa::path(post, path = "/posts/{id}/disable", tag = "posts", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody)))]
pub async fn disable_post(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_post_disabled(user.caller(), id, true)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/posts/{id}/enable", tag = "posts", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody)))]
pub async fn enable_post(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_post_disabled(user.caller(), id, false)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

// ---- people ----

#[utoipa::path(get, path = "/people", tag = "people", params(PeopleParams),
    responses((status = 200, body = PersonPage), (status = 403, body = ErrorBody)))]
pub async fn list_people(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<PeopleParams>,
) -> ApiResult<PersonPage> {
    let f = PeopleFilter {
        search: q.q,
        unit_id: q.unit_id,
        include_disabled: q.include_disabled.unwrap_or(false),
        unit_paths: None,
    };
    let org = own_org(&user, q.organization_id);
    Ok(Json(
        s.app
            .list_people(user.caller(), org, &f, page(q.page, q.per_page))
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}

async fn person_detail(s: &AppState, user: &ApiUser, id: i64) -> Result<PersonDetail, ApiError> {
    let d = s
        .app
        .get_person(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(PersonDetail {
        person: Person::new(d.person, d.roles),
        led_units: d
            .led_units
            .into_iter()
            .map(|(id, name)| UnitRef { id, name })
            .collect(),
    })
}

#[utoipa::path(post, path = "/people", tag = "people", request_body = CreatePerson,
    responses((status = 201, body = CreatedPerson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(s): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<CreatePerson>,
) -> Result<(StatusCode, Json<CreatedPerson>), ApiError> {
    let org = own_org(&user, b.organization_id);
    let input = app::NewPerson {
        profile: PersonInput {
            username: b.username,
            display_name: b.display_name,
            unit_id: b.unit_id.map(UnitId),
            post_id: b.post_id.map(PostId),
            email: b.email.unwrap_or_default(),
            phone: b.phone.unwrap_or_default(),
        },
        password: b.password,
    };
    let (id, generated_password) = s
        .app
        .create_person(user.caller(), org, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedPerson {
            person: person_detail(&s, &user, id).await?,
            generated_password,
        }),
    ))
}

#[utoipa::path(get, path = "/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<PersonDetail> {
    let id = id(&user, &raw)?;
    Ok(Json(person_detail(&s, &user, id).await?))
}

#[utoipa::path(patch, path = "/people/{id}", tag = "people", params(("id" = i64, Path)), request_body = UpdatePerson,
    responses((status = 200, body = PersonDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_person(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<UpdatePerson>,
) -> ApiResult<PersonDetail> {
    let id = id(&user, &raw)?;
    let cur = s
        .app
        .get_person(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?
        .person;
    let input = PersonInput {
        username: b.username.unwrap_or(cur.username),
        display_name: b.display_name.unwrap_or(cur.display_name),
        unit_id: b.unit_id.unwrap_or(cur.unit_id).map(UnitId),
        post_id: b.post_id.unwrap_or(cur.post_id).map(PostId),
        email: b.email.or(cur.email).unwrap_or_default(),
        phone: b.phone.or(cur.phone).unwrap_or_default(),
    };
    s.app
        .update_person(user.caller(), id, &input)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(person_detail(&s, &user, id).await?))
}

#[utoipa::path(post, path = "/people/{id}/disable", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disable_person(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_person_disabled(user.caller(), id, true)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/people/{id}/enable", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody)))]
pub async fn enable_person(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .set_person_disabled(user.caller(), id, false)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/people/{id}/reset-password", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = NewPassword), (status = 403, body = ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<NewPassword> {
    let id = id(&user, &raw)?;
    let password = s
        .app
        .reset_password(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(NewPassword { password }))
}

#[utoipa::path(post, path = "/people/{id}/unlock", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Unlocked), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock_sign_in(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Unlocked> {
    let id = id(&user, &raw)?;
    let lifted = s
        .app
        .unlock_sign_in(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(Unlocked { lifted }))
}

#[utoipa::path(post, path = "/people/{id}/roles", tag = "people", params(("id" = i64, Path)), request_body = GrantRole,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant_role(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<GrantRole>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = id(&user, &raw)?;
    let rid = s
        .app
        .grant_role(
            user.caller(),
            id,
            Role::parse(&b.role),
            b.unit_id.map(UnitId),
        )
        .await
        .map_err(|e| user.fail(e))?;
    Ok((StatusCode::CREATED, Json(Created { id: rid })))
}

#[utoipa::path(delete, path = "/role-assignments/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_role(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
) -> ApiResult<Done> {
    let id = id(&user, &raw)?;
    s.app
        .revoke_role(user.caller(), id)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(DONE))
}

#[utoipa::path(put, path = "/people/{id}/leader-units", tag = "people", params(("id" = i64, Path)), request_body = SetLeaderUnits,
    responses((status = 200, body = PersonDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_leader_units(
    State(s): State<AppState>,
    user: ApiUser,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<SetLeaderUnits>,
) -> ApiResult<PersonDetail> {
    let id = id(&user, &raw)?;
    s.app
        .set_led_units(user.caller(), id, &b.unit_ids)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Json(person_detail(&s, &user, id).await?))
}

// ---- audit ----

#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
pub async fn list_audit(
    State(s): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> ApiResult<AuditPage> {
    let org = own_org(&user, q.organization_id);
    let f = AuditFilter {
        entity: q.entity,
        entity_id: q.entity_id,
        action: q.action,
        actor_id: q.actor_id,
        person: q.person,
        unit_id: q.unit_id,
        from: q.from,
        to: q.to,
    };
    Ok(Json(
        s.app
            .list_audit(user.caller(), org, &f, page(q.page, q.per_page))
            .await
            .map_err(|e| user.fail(e))?
            .into(),
    ))
}
