//! Administrators' pages: organizations and staff accounts (create, reset a password or the
//! second factor, disable and enable).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::{CookieJar, Form};
use uuid::Uuid;

use super::service::{self, NewOrganization, NewUser, ORGANIZATION_KINDS, OrganizationChanges};
use super::{Actor, Role, Staff, store};
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, render};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/admin/users", get(users).post(create_user))
        .route("/staff/admin/users/{id}/{action}", post(user_action))
        .route(
            "/staff/admin/organizations",
            get(organizations).post(create_organization),
        )
        .route(
            "/staff/admin/organizations/{code}",
            get(organization).post(update_organization),
        )
}

struct UserLine {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    organization: String,
    active: bool,
    two_factor: bool,
    locked: bool,
}

#[derive(Template)]
#[template(path = "accounts/admin_users.html")]
struct UsersPage {
    c: Chrome,
    csrf: String,
    users: Vec<UserLine>,
    roles: Vec<(&'static str, String)>,
    organizations: Vec<(String, String)>,
    v: UserForm,
    errors: FieldErrors,
    /// A temporary password to hand over, shown once.
    issued: Option<(String, String)>,
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
struct UserForm {
    csrf: String,
    email: String,
    display_name: String,
    role: String,
    organization: String,
}

async fn users_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    v: UserForm,
    errors: &[FieldError],
    issued: Option<(String, String)>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    let (list, orgs) = match (
        store::list_users(&state.db).await,
        crate::referrals::store::organizations(&state.db).await,
    ) {
        (Ok(list), Ok(orgs)) => (list, orgs),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let now = time::OffsetDateTime::now_utc();
    let (jar, csrf) = csrf::token(state, jar);
    let page = UsersPage {
        c: Chrome::new(lang, "/staff/admin/users", "admin-users-title").staff(&staff.user, &csrf),
        csrf,
        users: list
            .into_iter()
            .map(|u| UserLine {
                id: u.id,
                email: u.email,
                name: u.display_name,
                role: lang.t(&u.role.message_key()),
                organization: u.organization.unwrap_or_default(),
                active: u.active,
                two_factor: u.two_factor,
                locked: u.locked_until.is_some_and(|t| t > now),
            })
            .collect(),
        roles: Role::ALL
            .into_iter()
            .map(|r| (r.code(), lang.t(&r.message_key())))
            .collect(),
        organizations: orgs
            .into_iter()
            .map(|o| {
                (
                    lang.pick(&o.names[0], &o.names[1], &o.names[2]).to_string(),
                    o.code,
                )
            })
            .map(|(name, code)| (code, name))
            .collect(),
        v,
        errors: FieldErrors::new(lang, errors),
        issued,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn users(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    users_page(&state, lang, jar, &staff, UserForm::default(), &[], None).await
}

/// A temporary password: the person changes it at the first sign-in.
fn temporary_password() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 15];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn create_user(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<UserForm>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let errors = [FieldError::new("email", "form-expired")];
        return users_page(&state, lang, jar, &staff, form, &errors, None).await;
    }
    let password = temporary_password();
    let input = NewUser {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        organization: form.organization.clone(),
        password: password.clone(),
        must_change_password: true,
    };
    match service::create_user(&state, &Actor::Staff(&staff.user), input).await {
        Ok(_) => {
            let issued = Some((form.email.trim().to_lowercase(), password));
            users_page(&state, lang, jar, &staff, UserForm::default(), &[], issued).await
        }
        Err(AppError::Validation(errors)) => {
            users_page(&state, lang, jar, &staff, form, &errors, None).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

async fn user_action(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return page_error(lang, AppError::NotFound);
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let errors = [FieldError::new("email", "form-expired")];
        return users_page(
            &state,
            lang,
            jar,
            &staff,
            UserForm::default(),
            &errors,
            None,
        )
        .await;
    }
    let actor = Actor::Staff(&staff.user);
    let mut issued = None;
    let result = match action.as_str() {
        "reset-password" => service::reset_password(&state, &actor, id)
            .await
            .map(|password| {
                issued = Some((id.to_string(), password));
            }),
        "reset-two-factor" => service::reset_second_factor(&state, &actor, id).await,
        "deactivate" if id != staff.user.id => service::set_active(&state, &actor, id, false).await,
        "activate" => service::set_active(&state, &actor, id, true).await,
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(()) => users_page(&state, lang, jar, &staff, UserForm::default(), &[], issued).await,
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "accounts/admin_organizations.html")]
struct OrganizationsPage {
    c: Chrome,
    csrf: String,
    organizations: Vec<OrganizationLine>,
    kinds: Vec<(&'static str, String)>,
    communities: Vec<(String, String)>,
    v: OrganizationForm,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
struct OrganizationForm {
    csrf: String,
    code: String,
    kind: String,
    name_uk: String,
    name_ru: String,
    name_en: String,
    community: String,
    head_email: String,
}

struct OrganizationLine {
    code: String,
    kind: String,
    name: String,
    head_email: String,
}

fn kind_name(lang: Lang, kind: &str) -> String {
    lang.t(&format!("organization-kind-{}", kind.replace('_', "-")))
}

async fn organizations_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    v: OrganizationForm,
    errors: &[FieldError],
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    let (orgs, catalog) = match (
        store::list_organizations(&state.db).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(orgs), Ok(catalog)) => (orgs, catalog),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let page = OrganizationsPage {
        c: Chrome::new(
            lang,
            "/staff/admin/organizations",
            "admin-organizations-title",
        )
        .staff(&staff.user, &csrf),
        csrf,
        organizations: orgs
            .into_iter()
            .map(|o| OrganizationLine {
                name: lang
                    .pick(
                        &o.details.names[0],
                        &o.details.names[1],
                        &o.details.names[2],
                    )
                    .to_string(),
                kind: kind_name(lang, &o.kind),
                code: o.code,
                head_email: o.details.head_email.unwrap_or_default(),
            })
            .collect(),
        kinds: ORGANIZATION_KINDS
            .into_iter()
            .map(|k| (k, kind_name(lang, k)))
            .collect(),
        communities: catalog.community_choices(lang),
        v,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn organizations(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    organizations_page(&state, lang, jar, &staff, OrganizationForm::default(), &[]).await
}

async fn create_organization(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<OrganizationForm>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let errors = [FieldError::new("code", "form-expired")];
        return organizations_page(&state, lang, jar, &staff, form, &errors).await;
    }
    let input = NewOrganization {
        code: form.code.clone(),
        kind: form.kind.clone(),
        name_uk: form.name_uk.clone(),
        name_ru: form.name_ru.clone(),
        name_en: form.name_en.clone(),
        community: form.community.clone(),
        head_email: form.head_email.clone(),
    };
    match service::create_organization(&state, &Actor::Staff(&staff.user), input).await {
        Ok(_) => {
            organizations_page(&state, lang, jar, &staff, OrganizationForm::default(), &[]).await
        }
        Err(AppError::Validation(errors)) => {
            organizations_page(&state, lang, jar, &staff, form, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "accounts/admin_organization.html")]
struct OrganizationPage {
    c: Chrome,
    csrf: String,
    code: String,
    name: String,
    kind: String,
    communities: Vec<(String, String)>,
    v: OrganizationForm,
    saved: bool,
    errors: FieldErrors,
}

struct OrganizationView<'a> {
    code: &'a str,
    form: OrganizationForm,
    saved: bool,
    errors: &'a [FieldError],
}

/// The edit page of one organization: its current details, or what was just typed.
async fn organization_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    view: OrganizationView<'_>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    let (found, catalog) = match (
        store::find_organization(&state.db, view.code).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(found), Ok(catalog)) => (found, catalog),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let Some(org) = found else {
        return page_error(lang, AppError::NotFound);
    };
    let v = if view.errors.is_empty() {
        OrganizationForm {
            csrf: String::new(),
            code: org.code.clone(),
            kind: org.kind.clone(),
            name_uk: org.details.names[0].clone(),
            name_ru: org.details.names[1].clone(),
            name_en: org.details.names[2].clone(),
            community: org.details.community.clone().unwrap_or_default(),
            head_email: org.details.head_email.clone().unwrap_or_default(),
        }
    } else {
        view.form
    };
    let (jar, csrf) = csrf::token(state, jar);
    let path = format!("/staff/admin/organizations/{}", org.code);
    let page = OrganizationPage {
        c: Chrome::new(lang, &path, "admin-organization-title").staff(&staff.user, &csrf),
        csrf,
        kind: kind_name(lang, &org.kind),
        name: lang
            .pick(
                &org.details.names[0],
                &org.details.names[1],
                &org.details.names[2],
            )
            .to_string(),
        code: org.code,
        communities: catalog.community_choices(lang),
        v,
        saved: view.saved,
        errors: FieldErrors::new(lang, view.errors),
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn organization(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    let view = OrganizationView {
        code: &code,
        form: OrganizationForm::default(),
        saved: false,
        errors: &[],
    };
    organization_page(&state, lang, jar, &staff, view).await
}

async fn update_organization(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<OrganizationForm>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    let errors = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        let changes = OrganizationChanges {
            name_uk: form.name_uk.clone(),
            name_ru: form.name_ru.clone(),
            name_en: form.name_en.clone(),
            community: form.community.clone(),
            head_email: form.head_email.clone(),
        };
        match service::update_organization(&state, &Actor::Staff(&staff.user), &code, changes).await
        {
            Ok(()) => Vec::new(),
            Err(AppError::Validation(errors)) => errors,
            Err(err) => return page_error(lang, err),
        }
    } else {
        vec![FieldError::new("name_uk", "form-expired")]
    };
    let view = OrganizationView {
        code: &code,
        saved: errors.is_empty(),
        form,
        errors: &errors,
    };
    organization_page(&state, lang, jar, &staff, view).await
}
