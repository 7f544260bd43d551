//! The township's users (用户管理): its staff see them; its administrators create them with a
//! first password (changed at the first sign-in), reset a password, disable and enable a user
//! (a disabled user's tablets are refused), and move an assistant to another clinic. Another
//! township's users are answered as missing.

use axum::extract::{Path, State};
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::sync::Role;
use cunbao_domain::users::{NewUser, TownshipUsers, UserChange};
use serde_json::json;

use super::ApiJson;
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::users::{self, Creating};
use crate::AppState;

/// Township staff: the township's users and clinics.
#[utoipa::path(get, path = "/township/users", tag = "township", security(("bearer" = [])),
    responses((status = 200, body = TownshipUsers),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TownshipUsers>, ApiError> {
    let township = caller.require_township_staff()?;
    Ok(Json(TownshipUsers {
        users: users::township_users(&state.db, township).await?,
        clinics: users::township_clinics(&state.db, township).await?,
    }))
}

/// An administrator creates a user of the township, with a first password they must change at
/// their first sign-in.
#[utoipa::path(post, path = "/township/users", tag = "township", security(("bearer" = [])),
    request_body = NewUser,
    responses((status = 200, description = "Created", body = Object),
        (status = 400, description = "A field that breaks its rule, named by the code (`username`, `display_name`, `first_password`, `clinic_id`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not an administrator", body = ApiErrorBody),
        (status = 409, description = "The username is taken (`username_taken`)", body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let township = caller.require_administrator()?;
    let mut tx = state.writers.begin(&state.db).await?;
    users::create(
        &mut tx,
        &Creating {
            username: new.username.trim(),
            display_name: &new.display_name,
            role: new.role,
            clinic_id: new.clinic_id.as_deref(),
            township_id: township,
            password: &new.first_password,
            must_change_password: true,
        },
    )
    .await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "user_created",
        subject: new.username.trim(),
        detail: &json!({ "role": new.role.as_str(), "clinic_id": new.clinic_id }),
    });
    tx.commit().await?;
    Ok(Json(
        json!({ "username": new.username.trim(), "created": true }),
    ))
}

/// An administrator changes a user of the township: a reset password (to be changed at the
/// next sign-in), disabled or enabled, or an assistant moved to another clinic.
#[utoipa::path(post, path = "/township/users/{username}", tag = "township", security(("bearer" = [])),
    params(("username" = String, Path, description = "The user to change")),
    request_body = UserChange,
    responses((status = 200, description = "Changed", body = Object),
        (status = 400, description = "A password or clinic that breaks its rule (`password`, `clinic_id`, `not_an_assistant`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not an administrator", body = ApiErrorBody),
        (status = 404, description = "No such user in the township (`unknown_user`)", body = ApiErrorBody),
        (status = 409, description = "An administrator's own account cannot be disabled (`own_account`)", body = ApiErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let township = caller.require_administrator()?;
    // Hashed before the transaction: argon2 takes a while, and holds no lock.
    let new_hash = match &change {
        UserChange::ResetPassword { password } => {
            users::checked_password("password", &username, password)?;
            Some(users::hash(password).await?)
        }
        _ => None,
    };
    let mut tx = state.writers.begin(&state.db).await?;
    if users::township_of(&mut tx, &username).await?.as_deref() != Some(township) {
        return Err(ApiError::missing(
            "unknown_user",
            "本乡镇没有这个用户",
            "There is no such user in this township",
        ));
    }
    let detail = match &change {
        UserChange::ResetPassword { .. } => {
            let hash = new_hash.as_deref().unwrap_or_default();
            users::set_password(&mut tx, &username, hash, true).await?;
            json!({ "change": "reset_password" })
        }
        UserChange::Disable | UserChange::Enable => {
            let disable = matches!(change, UserChange::Disable);
            if disable && username == caller.user.username {
                return Err(ApiError::conflict(
                    "own_account",
                    "不能停用自己的账号",
                    "You cannot disable your own account",
                ));
            }
            users::set_disabled(&mut tx, &username, disable).await?;
            json!({ "change": if disable { "disable" } else { "enable" } })
        }
        UserChange::MoveToClinic { clinic_id } => {
            if users::role_of(&mut tx, &username).await? != Some(Role::ClinicAssistant) {
                return Err(ApiError::bad(
                    "not_an_assistant",
                    "只有卫生室协办员可以调到另一个卫生室",
                    "Only a clinic assistant moves to another clinic",
                ));
            }
            if !users::clinic_in(&mut tx, township, clinic_id).await? {
                return Err(users::no_such_clinic());
            }
            users::move_to_clinic(&mut tx, &username, clinic_id).await?;
            json!({ "change": "move_to_clinic", "clinic_id": clinic_id })
        }
    };
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "user_changed",
        subject: &username,
        detail: &detail,
    });
    tx.commit().await?;
    Ok(Json(json!({ "username": username, "changed": true })))
}
