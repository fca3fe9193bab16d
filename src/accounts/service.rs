//! Accounts use cases: create staff, sign in with password and a second factor (TOTP), sessions.

use std::net::IpAddr;

use argon2::password_hash::{PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};
use totp_rs::{Algorithm, Secret, TOTP};
use uuid::Uuid;

use super::Actor;
use super::model::{Role, lock_after, normalize_email, validate_password};
use super::store::{self, NewUserRow, SessionRow, UserRow};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// A signed-in session ends this long after sign-in, whatever happens.
pub const SESSION_HOURS: i64 = 12;
/// …or after this long without a request.
pub const IDLE_MINUTES: i64 = 120;
/// Between the password and the second factor.
pub const PENDING_MINUTES: i64 = 10;
const SEAL_TOTP: &str = "user.totp";
const TOTP_STEP_SECONDS: u64 = 30;

/// A new staff account, as typed by an administrator or given to `mistok admin`.
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub organization: String,
    pub password: String,
    pub must_change_password: bool,
}

pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

async fn password_matches(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

pub async fn create_user(state: &AppState, actor: &Actor<'_>, input: NewUser) -> AppResult<Uuid> {
    let mut errors = Vec::new();
    let email = normalize_email(&input.email);
    if email.is_none() {
        errors.push(FieldError::new("email", "error-email-invalid"));
    }
    let display_name = crate::intake::model::clean_text(&input.display_name);
    if display_name.is_empty() || display_name.chars().count() > 120 {
        errors.push(FieldError::new("display_name", "error-name-required"));
    }
    let role = Role::from_code(&input.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "error-role-invalid"));
    }
    let organization = match input.organization.trim() {
        "" => None,
        code => match store::find_organization(&state.db, code).await? {
            Some(org) => Some(org.id),
            None => {
                errors.push(FieldError::new(
                    "organization",
                    "error-organization-invalid",
                ));
                None
            }
        },
    };
    if role.is_some_and(Role::needs_organization) && organization.is_none() {
        errors.push(FieldError::new(
            "organization",
            "error-organization-required",
        ));
    }
    if let Err(e) = validate_password(&input.password) {
        errors.push(e);
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let id = Uuid::now_v7();
    let organization_code = input.organization.trim().to_string();
    let audited = actor.audited(
        state,
        "user.created",
        "user",
        id,
        None,
        Some(serde_json::json!({
            "email": email, "role": role.code(), "organization": organization_code,
        })),
    );
    store::insert_user(
        &state.db,
        NewUserRow {
            id,
            email,
            display_name,
            role,
            organization_id: organization,
            password_hash: hash_password(input.password).await?,
            must_change_password: input.must_change_password,
        },
        audited,
    )
    .await?;
    Ok(id)
}

/// What a person must do after the password was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Enter the code from the authenticator app.
    Code,
    /// Set up the authenticator app first (two-factor sign-in is required for all staff).
    Enroll,
}

pub struct PasswordAccepted {
    pub token: String,
    pub next: NextStep,
}

fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token = B64.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A hash to verify against when the e-mail is unknown, so the answer takes as long either way.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Vv1c2jEZBZ8S7VZ3uOQ6mB1bYf8b8r8T0gBqk6Yh1nM";

/// The password step. Every failure looks the same from outside ("wrong e-mail or password"),
/// counts against the account, and locks it for a while after repeated failures.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: Option<IpAddr>,
) -> AppResult<PasswordAccepted> {
    if let Some(ip) = client {
        state
            .login_failures
            .check(ip)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    }
    let wrong = || AppError::field("password", "error-sign-in-failed");
    let now = OffsetDateTime::now_utc();
    let user = match normalize_email(email) {
        Some(email) => store::find_user_by_email(&state.db, &email).await?,
        None => None,
    };
    let Some(user) = user else {
        password_matches(password.to_string(), DUMMY_HASH.to_string()).await?;
        if let Some(ip) = client {
            state.login_failures.record_failure(ip);
        }
        return Err(wrong());
    };
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Err(AppError::RateLimited {
            retry_after_secs: (until - now).whole_seconds().max(1) as u64,
        });
    }
    let matches = password_matches(password.to_string(), user.password_hash.clone()).await?;
    if !matches || !user.active {
        let failures = user.failed_logins + 1;
        let locked_until = lock_after(failures).map(|d| now + d);
        store::record_failed_login(&state.db, user.id, failures, locked_until).await?;
        if let Some(ip) = client {
            state.login_failures.record_failure(ip);
        }
        tracing::info!(user = %user.id, failures, "sign-in failed");
        return Err(wrong());
    }
    let (token, hash) = new_token();
    store::insert_session(
        &state.db,
        hash,
        user.id,
        false,
        now + Duration::minutes(PENDING_MINUTES),
        None,
    )
    .await?;
    let next = if user.totp_last_step.is_some() {
        NextStep::Code
    } else {
        NextStep::Enroll
    };
    Ok(PasswordAccepted { token, next })
}

/// The session of `token`, if it is still valid (not expired, not idle too long, user active).
pub async fn session(state: &AppState, token: &str) -> AppResult<Option<SessionRow>> {
    let hash = token_hash(token);
    let Some(session) = store::find_session(&state.db, &hash).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    let idle = now - session.last_seen_at > Duration::minutes(IDLE_MINUTES);
    if session.expires_at <= now || idle || !session.user.active {
        store::delete_session(&state.db, hash).await?;
        return Ok(None);
    }
    // Writing on every request would cost a write per page; a few minutes' precision is enough.
    if now - session.last_seen_at > Duration::minutes(5) {
        store::touch_session(&state.db, hash, now).await?;
    }
    Ok(Some(session))
}

pub async fn sign_out(state: &AppState, token: &str) -> AppResult<()> {
    store::delete_session(&state.db, token_hash(token)).await
}

fn totp_for(secret: Vec<u8>, account: &str) -> AppResult<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        TOTP_STEP_SECONDS,
        secret,
        Some("Mistok".to_string()),
        account.to_string(),
    )
    .map_err(AppError::internal)
}

/// The time step whose code is `code`, among the current one and its neighbours (clock drift).
fn matching_step(totp: &TOTP, code: &str, now: u64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = now / TOTP_STEP_SECONDS;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| {
            let expected = totp.generate(s * TOTP_STEP_SECONDS);
            bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
        })
        .map(|s| s as i64)
}

/// The secret to show while setting up the authenticator app: kept until confirmed, so that
/// reloading the page does not invalidate what was already scanned.
pub struct Enrollment {
    pub secret_base32: String,
    pub otpauth_url: String,
}

pub async fn enrollment(state: &AppState, user: &UserRow) -> AppResult<Enrollment> {
    let secret = match &user.totp_secret_sealed {
        Some(sealed) if user.totp_last_step.is_none() => state
            .keys
            .open(SEAL_TOTP, sealed)
            .map_err(AppError::internal)?
            .to_vec(),
        _ => {
            let mut secret = vec![0u8; 20];
            rand::fill(secret.as_mut_slice());
            let sealed = state.keys.seal(SEAL_TOTP, &secret);
            store::set_totp_secret(&state.db, user.id, Some(sealed), None).await?;
            secret
        }
    };
    let totp = totp_for(secret.clone(), &user.email)?;
    Ok(Enrollment {
        secret_base32: Secret::Raw(secret).to_encoded().to_string(),
        otpauth_url: totp.get_url(),
    })
}

/// The second step of sign-in (or the confirmation of a new authenticator app): a correct,
/// unused code replaces the pending session with a full one under a new token.
pub async fn second_factor(
    state: &AppState,
    pending_token: &str,
    session: &SessionRow,
    code: &str,
) -> AppResult<String> {
    let user = &session.user;
    let sealed = user
        .totp_secret_sealed
        .as_ref()
        .ok_or_else(|| AppError::field("code", "error-code-wrong"))?;
    let secret = state
        .keys
        .open(SEAL_TOTP, sealed)
        .map_err(AppError::internal)?
        .to_vec();
    let totp = totp_for(secret, &user.email)?;
    let now = OffsetDateTime::now_utc();
    let step = matching_step(&totp, code, now.unix_timestamp().max(0) as u64);
    let accepted = match step {
        Some(step) => store::use_totp_step(&state.db, user.id, step).await?,
        None => false,
    };
    if !accepted {
        let failures = user.failed_logins + 1;
        let locked_until = lock_after(failures).map(|d| now + d);
        store::record_failed_login(&state.db, user.id, failures, locked_until).await?;
        return Err(AppError::field("code", "error-code-wrong"));
    }
    let (token, hash) = new_token();
    store::insert_session(
        &state.db,
        hash,
        user.id,
        true,
        now + Duration::hours(SESSION_HOURS),
        Some(token_hash(pending_token)),
    )
    .await?;
    tracing::info!(user = %user.id, "signed in");
    Ok(token)
}

/// A person changes their own password (required after an administrator reset it).
pub async fn change_password(
    state: &AppState,
    user: &UserRow,
    current: &str,
    new: &str,
) -> AppResult<()> {
    if !password_matches(current.to_string(), user.password_hash.clone()).await? {
        return Err(AppError::field(
            "current_password",
            "error-password-current",
        ));
    }
    validate_password(new)
        .map_err(|e| AppError::Validation(vec![FieldError::new("new_password", e.key)]))?;
    let hash = hash_password(new.to_string()).await?;
    let audited =
        Actor::Staff(user).audited(state, "user.password_changed", "user", user.id, None, None);
    store::set_password(&state.db, user.id, hash, false, audited).await
}

/// An administrator resets a password: a temporary one, shown once, to be changed at the next
/// sign-in; every session of the account ends.
pub async fn reset_password(
    state: &AppState,
    actor: &Actor<'_>,
    user_id: Uuid,
) -> AppResult<String> {
    store::find_user(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    let temporary = B64.encode(bytes);
    let hash = hash_password(temporary.clone()).await?;
    let audited = actor.audited(state, "user.password_reset", "user", user_id, None, None);
    store::set_password(&state.db, user_id, hash, true, audited).await?;
    Ok(temporary)
}

/// Forgets the second factor (lost phone): the person sets it up again at the next sign-in.
pub async fn reset_second_factor(
    state: &AppState,
    actor: &Actor<'_>,
    user_id: Uuid,
) -> AppResult<()> {
    let audited = actor.audited(
        state,
        "user.second_factor_reset",
        "user",
        user_id,
        None,
        None,
    );
    store::set_totp_secret(&state.db, user_id, None, Some(audited)).await
}

/// An administrator enables or disables an account (a person who left, a lost device).
pub async fn set_active(
    state: &AppState,
    actor: &Actor<'_>,
    user_id: Uuid,
    active: bool,
) -> AppResult<()> {
    let action = if active {
        "user.activated"
    } else {
        "user.deactivated"
    };
    let audited = actor.audited(state, action, "user", user_id, None, None);
    store::set_active(&state.db, user_id, active, audited).await
}

/// Kinds of organization a platform works with.
pub const ORGANIZATION_KINDS: [&str; 7] = [
    "police",
    "security_service",
    "prosecutor",
    "ombudsman",
    "local_government",
    "ngo",
    "platform",
];

#[derive(Debug, Clone, Default)]
pub struct NewOrganization {
    pub code: String,
    pub kind: String,
    pub name_uk: String,
    pub name_ru: String,
    pub name_en: String,
    pub community: String,
    /// Where overdue referrals are escalated besides the coordinators; may stay empty.
    pub head_email: String,
}

/// What an administrator may change of an existing organization (its code and kind stay).
#[derive(Debug, Clone, Default)]
pub struct OrganizationChanges {
    pub name_uk: String,
    pub name_ru: String,
    pub name_en: String,
    pub community: String,
    pub head_email: String,
}

/// Names, community and head e-mail, checked; adds an error per bad field to `errors`.
async fn checked_details(
    state: &AppState,
    details: &OrganizationChanges,
    errors: &mut Vec<FieldError>,
) -> AppResult<store::OrganizationDetails> {
    let mut names: [String; 3] = Default::default();
    for (i, (field, value)) in [
        ("name_uk", &details.name_uk),
        ("name_ru", &details.name_ru),
        ("name_en", &details.name_en),
    ]
    .into_iter()
    .enumerate()
    {
        let name = crate::intake::model::clean_text(value);
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new(field, "error-name-required"));
        }
        names[i] = name;
    }
    let community = match details.community.trim() {
        "" => None,
        code => {
            let catalog = state.catalog.get(&state.db).await?;
            match catalog.community(code) {
                Some(c) => Some(c.code.clone()),
                None => {
                    errors.push(FieldError::new("community", "error-community-invalid"));
                    None
                }
            }
        }
    };
    let head_email = match details.head_email.trim() {
        "" => None,
        text => {
            let email = normalize_email(text);
            if email.is_none() {
                errors.push(FieldError::new("head_email", "error-email-invalid"));
            }
            email
        }
    };
    Ok(store::OrganizationDetails {
        names,
        community,
        head_email,
    })
}

pub async fn create_organization(
    state: &AppState,
    actor: &Actor<'_>,
    input: NewOrganization,
) -> AppResult<Uuid> {
    let mut errors = Vec::new();
    let code = input.code.trim().to_lowercase();
    let code_ok = (2..=60).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !code_ok {
        errors.push(FieldError::new("code", "error-organization-code"));
    }
    if !ORGANIZATION_KINDS.contains(&input.kind.trim()) {
        errors.push(FieldError::new("kind", "error-filter-invalid"));
    }
    let details = OrganizationChanges {
        name_uk: input.name_uk,
        name_ru: input.name_ru,
        name_en: input.name_en,
        community: input.community,
        head_email: input.head_email,
    };
    let details = checked_details(state, &details, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let after = serde_json::json!({
        "code": code, "kind": input.kind.trim(), "name_uk": details.names[0],
        "community": details.community, "head_email": details.head_email,
    });
    let audited = actor.audited(
        state,
        "organization.created",
        "organization",
        &code,
        None,
        Some(after),
    );
    let id = store::insert_organization(
        &state.db,
        store::NewOrganizationRow {
            code,
            kind: input.kind.trim().to_string(),
            details,
        },
        audited,
    )
    .await?;
    state.catalog.invalidate();
    Ok(id)
}

/// Changes an organization's names, community and head e-mail; an unknown code is `NotFound`.
pub async fn update_organization(
    state: &AppState,
    actor: &Actor<'_>,
    code: &str,
    changes: OrganizationChanges,
) -> AppResult<()> {
    let Some(current) = store::find_organization(&state.db, code).await? else {
        return Err(AppError::NotFound);
    };
    let mut errors = Vec::new();
    let details = checked_details(state, &changes, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let describe = |d: &store::OrganizationDetails| {
        serde_json::json!({
            "name_uk": d.names[0], "name_ru": d.names[1], "name_en": d.names[2],
            "community": d.community, "head_email": d.head_email,
        })
    };
    let audited = actor.audited(
        state,
        "organization.updated",
        "organization",
        &current.code,
        Some(describe(&current.details)),
        Some(describe(&details)),
    );
    store::update_organization(&state.db, current.id, details, audited).await?;
    state.catalog.invalidate();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_only() {
        let totp = totp_for(vec![7u8; 20], "a@b.org").unwrap();
        let now = 1_800_000_000u64;
        let code = totp.generate(now);
        assert_eq!(matching_step(&totp, &code, now), Some((now / 30) as i64));
        assert_eq!(
            matching_step(&totp, &code, now + 30),
            Some((now / 30) as i64)
        );
        assert_eq!(matching_step(&totp, &code, now + 90), None);
        assert_eq!(matching_step(&totp, "12a456", now), None);
        assert_eq!(matching_step(&totp, "", now), None);
    }

    #[tokio::test]
    async fn dummy_hash_parses() {
        // The unknown-user path must really run Argon2, not fail fast on a bad hash.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(
            !password_matches("x".into(), DUMMY_HASH.into())
                .await
                .unwrap()
        );
    }
}
