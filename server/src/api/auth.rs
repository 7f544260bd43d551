use axum::extract::{Path, State};
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::sync::{Role, SignInRequest, SignInResponse};
use serde_json::json;

use super::ApiJson;
use crate::accounts;
use crate::audit::AuditEntry;
use crate::auth::{random_hex, token_hash, verify_password, Caller};
use crate::client_address::ClientAddress;
use crate::error::ApiError;
use crate::metrics::SignInFailure;
use crate::users;
use crate::AppState;

/// Online sign-in: checks the password and registers this device with a fresh token.
#[utoipa::path(post, path = "/auth/sign-in", tag = "auth", request_body = SignInRequest,
    responses((status = 200, body = SignInResponse),
        (status = 400, description = "Bad input; a new password that breaks the rules is `new_password`", body = ApiErrorBody),
        (status = 401, description = "Wrong username or password (`bad_credentials`), or a disabled account (`account_disabled`)", body = ApiErrorBody),
        (status = 409, description = "A first or reset password: sign in again with `new_password` (`password_change_required`)", body = ApiErrorBody),
        (status = 429, description = "Too many attempts, or too many sign-ins at once", body = ApiErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Json<SignInResponse>, ApiError> {
    let device_name = request.device_name.trim();
    if device_name.is_empty() || device_name.chars().count() > 60 {
        return Err(ApiError::bad(
            "device_name",
            "请填写设备名称（最多60字）",
            "Give the device a name (at most 60 characters)",
        ));
    }
    if let Some(tablet) = &request.tablet_id {
        if !crate::escrow::valid_tablet_id(tablet) {
            return Err(ApiError::bad(
                "tablet_id",
                "平板标识无效",
                "The tablet id is not valid",
            ));
        }
    }
    let username = request.username.trim();
    if username.is_empty() || username.chars().count() > 64 {
        state.metrics.sign_in_failed(SignInFailure::Password);
        return Err(ApiError::BadCredentials);
    }
    // Counted and bounded before any hashing: a flood is answered 429 at once.
    let permit = state
        .sign_in_guard
        .admit(username, address)
        .await
        .inspect_err(|_| state.metrics.sign_in_failed(SignInFailure::Throttled))?;
    let found = accounts::account(&state.db, username).await?;
    // Verify against a dummy hash for unknown users too, so timing does not reveal them.
    let hash = match &found {
        Some(account) => account.password_hash.clone(),
        None => state.dummy_hash.to_string(),
    };
    let password = request.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    drop(permit);
    let account = match (ok, found) {
        (true, Some(account)) => account,
        _ => {
            state.sign_in_guard.failed(username);
            state.metrics.sign_in_failed(SignInFailure::Password);
            failed_sign_in(&state, username, address).await?;
            return Err(ApiError::BadCredentials);
        }
    };
    if account.disabled {
        return Err(ApiError::AccountDisabled);
    }
    let user = account.user;
    let new_password = match &request.new_password {
        Some(new) => Some(new_password(&user.username, &request.password, new).await?),
        None if account.must_change_password => {
            return Err(ApiError::conflict(
                "password_change_required",
                "首次登录或密码已重置：请设置新密码",
                "First sign-in or a reset password: choose a new password",
            ))
        }
        None => None,
    };
    let token = random_hex(32);
    let device_id = format!("dev-{}", random_hex(8));
    crate::telemetry::record_caller(&user.username, &device_id);
    let mut tx = state.writers.begin(&state.db).await?;
    accounts::register_device(
        &mut tx,
        &device_id,
        &user.username,
        device_name,
        &token_hash(&token),
        request.tablet_id.as_deref(),
        &state.tokens,
    )
    .await?;
    if let Some(hash) = &new_password {
        users::set_password(&mut tx, &user.username, hash, false).await?;
        tx.audit(AuditEntry {
            username: &user.username,
            device_id: Some(&device_id),
            action: "password_changed",
            subject: &user.username,
            detail: &json!({}),
        });
    }
    let escrow_key = match &request.tablet_id {
        Some(tablet) => Some(crate::escrow::secret_for(&mut tx, tablet, &user.holder()).await?),
        None => None,
    };
    tx.audit(AuditEntry {
        username: &user.username,
        device_id: Some(&device_id),
        action: "sign_in",
        subject: &device_id,
        detail: &json!({ "device_name": device_name }),
    });
    tx.commit().await?;
    Ok(Json(SignInResponse {
        token,
        device_id,
        user,
        escrow_key,
    }))
}

/// The hash of a user's new password, chosen at sign-in: it meets the rules and is not the
/// password it replaces.
async fn new_password(username: &str, current: &str, new: &str) -> Result<String, ApiError> {
    users::checked_password("new_password", username, new)?;
    if new == current {
        return Err(ApiError::bad(
            "new_password",
            "新密码不能与原密码相同",
            "The new password must differ from the old one",
        ));
    }
    users::hash(new).await
}

/// A wrong password (or an unknown username) in the audit trail, with the address it came from.
async fn failed_sign_in(
    state: &AppState,
    username: &str,
    address: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    let mut tx = state.writers.begin(&state.db).await?;
    tx.audit(AuditEntry {
        username,
        device_id: None,
        action: "sign_in_failed",
        subject: username,
        detail: &json!({ "address": address.map(|a| a.to_string()) }),
    });
    tx.commit().await?;
    Ok(())
}

/// Signing out on a tablet: the caller's own device token is revoked, so that a copy of it
/// taken from the tablet opens nothing. Signing in again registers the tablet afresh.
#[utoipa::path(post, path = "/auth/sign-out", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "Signed out", body = Object),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut tx = state.writers.begin(&state.db).await?;
    accounts::revoke_device(&mut tx, &caller.device_id).await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "sign_out",
        subject: &caller.device_id,
        detail: &json!({}),
    });
    tx.commit().await?;
    Ok(Json(
        json!({ "device_id": caller.device_id, "signed_out": true }),
    ))
}

/// Revokes a device (a lost tablet): by its own user, or by an administrator of its township.
/// A revoked device's token is refused from then on.
#[utoipa::path(post, path = "/devices/{id}/revoke", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "The device to revoke")),
    responses((status = 200, description = "Revoked", body = Object), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody),
        (status = 404, description = "No such device", body = ApiErrorBody)))]
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(device_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let owner = accounts::device_owner(&state.db, &device_id)
        .await?
        // Another territory's device is reported exactly like a missing one.
        .ok_or(ApiError::Forbidden)?;
    let allowed = owner.username == caller.user.username
        || (caller.user.role == Role::Administrator
            && owner.township_id == caller.user.township_id);
    if !allowed {
        return Err(ApiError::Forbidden);
    }
    let mut tx = state.writers.begin(&state.db).await?;
    accounts::revoke_device(&mut tx, &device_id).await?;
    // Presumed stolen: its data key can no longer be recovered through the server.
    let escrow_forgotten = crate::escrow::forget_tablet_of_device(&mut tx, &device_id).await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "revoke_device",
        subject: &device_id,
        detail: &json!({ "owner": owner.username, "escrow_forgotten": escrow_forgotten }),
    });
    tx.commit().await?;
    Ok(Json(json!({ "device_id": device_id, "revoked": true })))
}
