//! Staff sign-in pages: password, second factor (and its set-up), password change, sign-out,
//! and the staff home page.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::service::{self, NextStep};
use super::{PendingStaff, SESSION_COOKIE, Staff};
use crate::error::{AppError, FieldError};
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, render};
use crate::http::{ClientIp, csrf};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(home))
        .route("/staff/login", get(login_form).post(login))
        .route("/staff/login/code", get(code_form).post(code))
        .route("/staff/two-factor", get(enroll_form).post(enroll))
        .route("/staff/password", get(password_form).post(password))
        .route("/staff/logout", post(logout))
}

fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/staff")
        .http_only(true)
        .secure(state.config.cookie_secure)
        // Lax, so that a link in a notification e-mail opens the case signed in; every
        // state-changing form also carries a CSRF token.
        .same_site(SameSite::Lax)
        .build()
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    c: Chrome,
    csrf: String,
    email: String,
    errors: FieldErrors,
}

fn login_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    email: String,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let (jar, csrf) = csrf::token(state, jar);
    let page = LoginPage {
        c: Chrome::new(lang, "/staff/login", "login-title").nav("staff"),
        csrf,
        email,
        errors: FieldErrors::new(lang, errors),
    };
    (jar, render(status, &page)).into_response()
}

async fn login_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
) -> Response {
    login_page(&state, lang, jar, String::new(), &[], StatusCode::OK)
}

#[derive(serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    Locale(lang): Locale,
    ClientIp(client): ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let errors = [FieldError::new("email", "form-expired")];
        return login_page(
            &state,
            lang,
            jar,
            form.email,
            &errors,
            StatusCode::FORBIDDEN,
        );
    }
    match service::sign_in(&state, &form.email, &form.password, client).await {
        Ok(accepted) => {
            let next = match accepted.next {
                NextStep::Code => "/staff/login/code",
                NextStep::Enroll => "/staff/two-factor",
            };
            (
                jar.add(session_cookie(&state, accepted.token)),
                Redirect::to(next),
            )
                .into_response()
        }
        Err(AppError::Validation(errors)) => login_page(
            &state,
            lang,
            jar,
            form.email,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::RateLimited { retry_after_secs }) => {
            let errors = [FieldError::new("email", "error-sign-in-locked")];
            let mut response = login_page(
                &state,
                lang,
                jar,
                form.email,
                &errors,
                StatusCode::TOO_MANY_REQUESTS,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "accounts/code.html")]
struct CodePage {
    c: Chrome,
    csrf: String,
    errors: FieldErrors,
    /// Set while setting up the authenticator app.
    enroll: Option<EnrollView>,
}

struct EnrollView {
    secret: String,
    qr_svg: String,
}

async fn code_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    pending: &PendingStaff,
    errors: &[FieldError],
) -> Response {
    let enrolling = pending.session.user.totp_last_step.is_none();
    let enroll = if enrolling {
        match service::enrollment(state, &pending.session.user).await {
            Ok(e) => Some(EnrollView {
                qr_svg: qr_svg(&e.otpauth_url),
                secret: e.secret_base32,
            }),
            Err(err) => return page_error(lang, err),
        }
    } else {
        None
    };
    let (jar, csrf) = csrf::token(state, jar);
    let (path, title) = if enrolling {
        ("/staff/two-factor", "enroll-title")
    } else {
        ("/staff/login/code", "code-title")
    };
    let page = CodePage {
        c: Chrome::new(lang, path, title).nav("staff"),
        csrf,
        errors: FieldErrors::new(lang, errors),
        enroll,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

/// The otpauth URL as a QR code drawn in SVG (no image files, no script).
fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

async fn code_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    pending: PendingStaff,
) -> Response {
    if pending.session.user.totp_last_step.is_none() {
        return Redirect::to("/staff/two-factor").into_response();
    }
    code_page(&state, lang, jar, &pending, &[]).await
}

async fn enroll_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    pending: PendingStaff,
) -> Response {
    if pending.session.user.totp_last_step.is_some() {
        return Redirect::to("/staff/login/code").into_response();
    }
    code_page(&state, lang, jar, &pending, &[]).await
}

#[derive(serde::Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
}

async fn submit_code(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    headers: &HeaderMap,
    pending: PendingStaff,
    form: CodeForm,
) -> Response {
    if !csrf::verify(state, &jar, headers, &form.csrf) {
        let errors = [FieldError::new("code", "form-expired")];
        return code_page(state, lang, jar, &pending, &errors).await;
    }
    match service::second_factor(state, &pending.token, &pending.session, &form.code).await {
        Ok(token) => (
            jar.add(session_cookie(state, token)),
            Redirect::to("/staff"),
        )
            .into_response(),
        Err(AppError::Validation(errors)) => code_page(state, lang, jar, &pending, &errors).await,
        Err(err) => page_error(lang, err),
    }
}

async fn code(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    pending: PendingStaff,
    Form(form): Form<CodeForm>,
) -> Response {
    submit_code(&state, lang, jar, &headers, pending, form).await
}

async fn enroll(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    pending: PendingStaff,
    Form(form): Form<CodeForm>,
) -> Response {
    submit_code(&state, lang, jar, &headers, pending, form).await
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordPage {
    c: Chrome,
    csrf: String,
    errors: FieldErrors,
    required: bool,
}

fn password_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    errors: &[FieldError],
) -> Response {
    let (jar, csrf) = csrf::token(state, jar);
    let page = PasswordPage {
        c: Chrome::new(lang, "/staff/password", "password-title").staff(&staff.user, &csrf),
        csrf,
        errors: FieldErrors::new(lang, errors),
        required: staff.user.must_change_password,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn password_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    password_page(&state, lang, jar, &staff, &[])
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    csrf: String,
}

async fn password(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let errors = [FieldError::new("current_password", "form-expired")];
        return password_page(&state, lang, jar, &staff, &errors);
    }
    match service::change_password(
        &state,
        &staff.user,
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        Ok(()) => Redirect::to("/staff").into_response(),
        Err(AppError::Validation(errors)) => password_page(&state, lang, jar, &staff, &errors),
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return Redirect::to("/staff").into_response();
    }
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Err(err) = service::sign_out(&state, cookie.value()).await
    {
        tracing::warn!(error = %err, "sign-out failed");
    }
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/staff").build();
    (jar.remove(removal), Redirect::to("/staff/login")).into_response()
}

#[derive(Template)]
#[template(path = "accounts/home.html")]
struct HomePage {
    c: Chrome,
    role_name: String,
}

async fn home(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    let (jar, csrf) = csrf::token(&state, jar);
    let page = HomePage {
        c: Chrome::new(lang, "/staff", "staff-home-title").staff(&staff.user, &csrf),
        role_name: lang.t(&staff.user.role.message_key()),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}
