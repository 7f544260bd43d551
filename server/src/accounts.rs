//! The users and devices repository: who may sign in, the devices they signed in on, and the
//! tokens those devices carry (stored only as their SHA-256). The SQL for users and devices
//! lives here and nowhere else.

use cunbao_domain::sync::{Role, UserInfo};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::error::ApiError;
use crate::write_tx::Tx;

fn user_of(row: &AnyRow) -> Result<UserInfo, ApiError> {
    let role: String = row.try_get("role")?;
    Ok(UserInfo {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role)
            .ok_or_else(|| ApiError::internal(format!("unknown role {role}")))?,
        township_id: row.try_get("township_id")?,
        clinic_id: row.try_get("clinic_id")?,
    })
}

/// A user and their password hash, by username.
pub async fn user_with_password(
    db: &AnyPool,
    username: &str,
) -> Result<Option<(UserInfo, String)>, ApiError> {
    let row = sqlx::query(
        "SELECT username, display_name, password_hash, role, township_id, clinic_id FROM users \
         WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok((user_of(&row)?, row.try_get("password_hash")?)))
        .transpose()
}

/// A user by username, read inside a push's transaction (to check a mutation's operator).
pub async fn user(tx: &mut Tx<'_>, username: &str) -> Result<Option<UserInfo>, ApiError> {
    let row = sqlx::query(
        "SELECT username, display_name, role, township_id, clinic_id FROM users \
         WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| user_of(&row)).transpose()
}

/// A device signed in by `username`, with the hash of its token.
pub async fn register_device(
    tx: &mut Tx<'_>,
    device_id: &str,
    username: &str,
    name: &str,
    token_hash: &str,
    tablet_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO devices (id, username, name, token_hash, created_at, last_seq, tablet_id) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(device_id)
    .bind(username)
    .bind(name)
    .bind(token_hash)
    .bind(chrono::Utc::now().to_rfc3339())
    .bind(tablet_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Who a device belongs to: its user and that user's township.
pub struct DeviceOwner {
    pub username: String,
    pub township_id: String,
}

pub async fn device_owner(db: &AnyPool, device_id: &str) -> Result<Option<DeviceOwner>, ApiError> {
    let row = sqlx::query(
        "SELECT u.username, u.township_id FROM devices d JOIN users u ON u.username = d.username \
         WHERE d.id = $1",
    )
    .bind(device_id)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(DeviceOwner {
            username: row.try_get("username")?,
            township_id: row.try_get("township_id")?,
        })
    })
    .transpose()
}

/// Revokes a device from now on (a second revocation changes nothing).
pub async fn revoke_device(tx: &mut Tx<'_>, device_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(device_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The device a token was issued to.
pub struct TokenHolder {
    pub device_id: String,
    pub revoked: bool,
    pub user: UserInfo,
}

pub async fn token_holder(db: &AnyPool, token_hash: &str) -> Result<Option<TokenHolder>, ApiError> {
    let row = sqlx::query(
        "SELECT d.id, d.revoked_at, u.username, u.display_name, u.role, u.township_id, \
         u.clinic_id FROM devices d JOIN users u ON u.username = d.username \
         WHERE d.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(TokenHolder {
            device_id: row.try_get("id")?,
            revoked: row.try_get::<Option<String>, _>("revoked_at")?.is_some(),
            user: user_of(&row)?,
        })
    })
    .transpose()
}
