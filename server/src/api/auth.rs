use axum::extract::{Path, State};
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::sync::{Role, SignInRequest, SignInResponse, UserInfo};
use serde_json::json;
use sqlx::Row;

use super::ApiJson;
use crate::audit::{audit, AuditEntry};
use crate::auth::{hash_password, random_hex, role_from_name, token_hash, verify_password, Caller};
use crate::error::ApiError;
use crate::AppState;

/// Online sign-in: checks the password and registers this device with a fresh token.
#[utoipa::path(post, path = "/auth/sign-in", tag = "auth", request_body = SignInRequest,
    responses((status = 200, body = SignInResponse),
        (status = 400, description = "Bad input", body = ApiErrorBody),
        (status = 401, description = "Wrong username or password", body = ApiErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
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
    let row = sqlx::query(
        "SELECT username, display_name, password_hash, role, township_id, clinic_id FROM users \
         WHERE username = $1",
    )
    .bind(request.username.trim())
    .fetch_optional(&state.db)
    .await?;
    // Verify against a dummy hash for unknown users too, so timing does not reveal them.
    let hash = match &row {
        Some(row) => row.try_get::<String, _>("password_hash")?,
        None => state.dummy_hash.to_string(),
    };
    let password = request.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    let row = match (ok, row) {
        (true, Some(row)) => row,
        _ => return Err(ApiError::BadCredentials),
    };
    let role: String = row.try_get("role")?;
    let user = UserInfo {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: role_from_name(&role).ok_or_else(|| ApiError::internal(format!("role {role}")))?,
        township_id: row.try_get("township_id")?,
        clinic_id: row.try_get("clinic_id")?,
    };
    let token = random_hex(32);
    let device_id = format!("dev-{}", random_hex(8));
    let _writer = state.write_lock.lock().await;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO devices (id, username, name, token_hash, created_at, last_seq) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(&device_id)
    .bind(&user.username)
    .bind(device_name)
    .bind(token_hash(&token))
    .bind(chrono::Utc::now().to_rfc3339())
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        AuditEntry {
            username: &user.username,
            device_id: Some(&device_id),
            action: "sign_in",
            subject: &device_id,
            detail: &json!({ "device_name": device_name }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(SignInResponse {
        token,
        device_id,
        user,
    }))
}

/// Revokes a device (a lost tablet): by its own user, or by an administrator of its township.
/// A revoked device's token is refused from then on.
#[utoipa::path(post, path = "/devices/{id}/revoke", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "The device to revoke")),
    responses((status = 200, description = "Revoked", body = Object), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown or revoked token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody),
        (status = 404, description = "No such device", body = ApiErrorBody)))]
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(device_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let row = sqlx::query(
        "SELECT u.username, u.township_id FROM devices d JOIN users u ON u.username = d.username \
         WHERE d.id = $1",
    )
    .bind(&device_id)
    .fetch_optional(&state.db)
    .await?
    // Another territory's device is reported exactly like a missing one.
    .ok_or(ApiError::Forbidden)?;
    let owner: String = row.try_get("username")?;
    let township: String = row.try_get("township_id")?;
    let allowed = owner == caller.user.username
        || (caller.user.role == Role::Administrator && township == caller.user.township_id);
    if !allowed {
        return Err(ApiError::Forbidden);
    }
    let _writer = state.write_lock.lock().await;
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(&device_id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        AuditEntry {
            username: &caller.user.username,
            device_id: Some(&caller.device_id),
            action: "revoke_device",
            subject: &device_id,
            detail: &json!({ "owner": owner }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(json!({ "device_id": device_id, "revoked": true })))
}

/// For seeding: a hash to verify unknown usernames against.
pub fn dummy_hash() -> String {
    hash_password(&random_hex(16))
}
