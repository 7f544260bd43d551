//! The users and devices repository: who may sign in, the devices they signed in on, and the
//! tokens those devices carry (stored only as their SHA-256). The SQL for signing in, devices
//! and tokens lives here; the administration of users (create, reset, disable, move) in
//! [`crate::users`].

use chrono::{DateTime, Utc};
use cunbao_domain::sync::{Role, UserInfo};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::error::ApiError;
use crate::tokens::{parse_time, Presented, TokenPolicy};
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

/// A user as signing in sees them.
pub struct Account {
    pub user: UserInfo,
    pub password_hash: String,
    /// A first or reset password, to be changed before any token is issued.
    pub must_change_password: bool,
    pub disabled: bool,
}

/// A user, their password hash and how their account stands, by username.
pub async fn account(db: &AnyPool, username: &str) -> Result<Option<Account>, ApiError> {
    let row = sqlx::query(
        "SELECT username, display_name, password_hash, role, township_id, clinic_id, \
         must_change_password, disabled_at FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(Account {
            user: user_of(&row)?,
            password_hash: row.try_get("password_hash")?,
            must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
            disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
        })
    })
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

/// A device signed in by `username`, with the hash of its token, issued now and expiring as
/// `tokens` says.
pub async fn register_device(
    tx: &mut Tx<'_>,
    device_id: &str,
    username: &str,
    name: &str,
    token_hash: &str,
    tablet_id: Option<&str>,
    tokens: &TokenPolicy,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    sqlx::query(
        "INSERT INTO devices (id, username, name, token_hash, created_at, last_seq, \
         token_issued_at, expires_at, tablet_id) VALUES ($1, $2, $3, $4, $5, 0, $5, $6, $7)",
    )
    .bind(device_id)
    .bind(username)
    .bind(name)
    .bind(token_hash)
    .bind(now.to_rfc3339())
    .bind(tokens.expiry(now).to_rfc3339())
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

/// The device a token was issued to, and how that token stands.
pub struct TokenHolder {
    pub device_id: String,
    pub revoked: bool,
    /// The user was disabled by an administrator: every token of theirs is refused.
    pub user_disabled: bool,
    pub user: UserInfo,
    /// The device's token in force, or the one a rotation replaced.
    pub presented: Presented,
    /// When the presented token expires (as stored; none for a token issued before tokens
    /// expired).
    pub expires_at: Option<String>,
    /// When the device's token in force was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// A replaced token is still accepted (until the one in force is first used).
    pub previous_pending: bool,
}

pub async fn token_holder(db: &AnyPool, token_hash: &str) -> Result<Option<TokenHolder>, ApiError> {
    let row = sqlx::query(
        "SELECT d.id, d.revoked_at, d.token_hash, d.token_issued_at, d.expires_at, \
         d.previous_token_hash, d.previous_expires_at, u.username, u.display_name, u.role, \
         u.township_id, u.clinic_id, u.disabled_at FROM devices d \
         JOIN users u ON u.username = d.username \
         WHERE d.token_hash = $1 OR d.previous_token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        let current = row.try_get::<String, _>("token_hash")? == token_hash;
        let previous: Option<String> = row.try_get("previous_token_hash")?;
        let issued: Option<String> = row.try_get("token_issued_at")?;
        Ok(TokenHolder {
            device_id: row.try_get("id")?,
            revoked: row.try_get::<Option<String>, _>("revoked_at")?.is_some(),
            user_disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
            user: user_of(&row)?,
            presented: if current {
                Presented::Current
            } else {
                Presented::Previous
            },
            expires_at: row.try_get(if current {
                "expires_at"
            } else {
                "previous_expires_at"
            })?,
            issued_at: parse_time(issued.as_deref()),
            previous_pending: previous.is_some(),
        })
    })
    .transpose()
}

/// The device's new token was used: the one it replaced is refused from now on.
pub async fn forget_previous_token(tx: &mut Tx<'_>, device_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE devices SET previous_token_hash = NULL, previous_expires_at = NULL \
         WHERE id = $1 AND previous_token_hash IS NOT NULL",
    )
    .bind(device_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces the device's token, presented as `presented` with hash `old_hash`, by a new one
/// issued at `issued`. The token in force becomes the previous one (with its expiry); a
/// previous token presented again means its successor never arrived: that successor is
/// replaced and the previous token kept. False when the token changed meanwhile (another
/// handshake rotated it first): nothing is changed then.
pub async fn rotate_token(
    tx: &mut Tx<'_>,
    device_id: &str,
    presented: Presented,
    old_hash: &str,
    new_hash: &str,
    issued: DateTime<Utc>,
    tokens: &TokenPolicy,
) -> Result<bool, sqlx::Error> {
    let sql = match presented {
        Presented::Current => {
            "UPDATE devices SET previous_token_hash = token_hash, \
             previous_expires_at = expires_at, token_hash = $1, token_issued_at = $2, \
             expires_at = $3 WHERE id = $4 AND token_hash = $5"
        }
        Presented::Previous => {
            "UPDATE devices SET token_hash = $1, token_issued_at = $2, expires_at = $3 \
             WHERE id = $4 AND previous_token_hash = $5"
        }
    };
    let done = sqlx::query(sql)
        .bind(new_hash)
        .bind(issued.to_rfc3339())
        .bind(tokens.expiry(issued).to_rfc3339())
        .bind(device_id)
        .bind(old_hash)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What a device said of itself at its handshake: the work it had not yet uploaded and the
/// app version it runs (either unknown for an older app). Its sequence on the server then is
/// kept beside, so that what it pushes after is no longer counted as pending.
pub async fn record_handshake(
    tx: &mut Tx<'_>,
    device_id: &str,
    pending: Option<u64>,
    app_version: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE devices SET last_sync_at = $1, first_sync_at = COALESCE(first_sync_at, $1), \
         pending_at_last_sync = $2, seq_at_last_sync = last_seq, app_version = $3 \
         WHERE id = $4",
    )
    .bind(at.to_rfc3339())
    .bind(pending.map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
    .bind(app_version)
    .bind(device_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A device of the township as stored, for its staff's list.
pub struct StoredDevice {
    pub id: String,
    pub name: String,
    pub username: String,
    pub display_name: String,
    pub clinic_id: Option<String>,
    pub clinic_name: Option<String>,
    pub created_at: String,
    pub first_sync_at: Option<String>,
    pub last_sync_at: Option<String>,
    pub pending_at_last_sync: Option<i64>,
    pub seq_at_last_sync: Option<i64>,
    pub last_seq: i64,
    pub app_version: Option<String>,
    pub revoked_at: Option<String>,
    pub expires_at: Option<String>,
}

/// Every device signed in by a user of `township`, the newest first.
pub async fn township_devices(db: &AnyPool, township: &str) -> Result<Vec<StoredDevice>, ApiError> {
    let rows = sqlx::query(
        "SELECT d.id, d.name, d.username, u.display_name, u.clinic_id, c.name AS clinic_name, \
         d.created_at, d.first_sync_at, d.last_sync_at, d.pending_at_last_sync, \
         d.seq_at_last_sync, d.last_seq, d.app_version, d.revoked_at, d.expires_at \
         FROM devices d JOIN users u ON u.username = d.username \
         LEFT JOIN clinics c ON c.id = u.clinic_id \
         WHERE u.township_id = $1 ORDER BY d.created_at DESC, d.id",
    )
    .bind(township)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredDevice {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                clinic_id: row.try_get("clinic_id")?,
                clinic_name: row.try_get("clinic_name")?,
                created_at: row.try_get("created_at")?,
                first_sync_at: row.try_get("first_sync_at")?,
                last_sync_at: row.try_get("last_sync_at")?,
                pending_at_last_sync: row.try_get("pending_at_last_sync")?,
                seq_at_last_sync: row.try_get("seq_at_last_sync")?,
                last_seq: row.try_get("last_seq")?,
                app_version: row.try_get("app_version")?,
                revoked_at: row.try_get("revoked_at")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .collect()
}
