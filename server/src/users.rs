//! Looking after users: the township's list, creating one (with a first password to change),
//! resetting a password, disabling and enabling, moving an assistant to another clinic, and a
//! user changing their own password at sign-in. Every rule a request must meet is checked here
//! (or in `cunbao_domain::users`), for the API and for `cunbao-server user add` alike.

use cunbao_domain::sync::Role;
use cunbao_domain::text::Text;
use cunbao_domain::users::{
    check_display_name, check_password, check_username, ClinicRef, UserRow,
};
use sqlx::{AnyPool, Row};

use crate::error::ApiError;
use crate::write_tx::Tx;

/// A request refused for one of its fields, with the field's name as the code.
pub fn refused(field: &'static str, why: Text) -> ApiError {
    ApiError::bad(field, why.zh, why.en)
}

/// Checks a new password for `username`, naming the field it came from.
pub fn checked_password(
    field: &'static str,
    username: &str,
    password: &str,
) -> Result<(), ApiError> {
    check_password(username, password).map_err(|why| refused(field, why))
}

/// The township's users, administrators first, then reviewers, then assistants by clinic.
pub async fn township_users(db: &AnyPool, township: &str) -> Result<Vec<UserRow>, ApiError> {
    let rows = sqlx::query(
        "SELECT u.username, u.display_name, u.role, u.clinic_id, c.name AS clinic_name, \
         u.disabled_at, u.must_change_password, u.sample, \
         (SELECT COUNT(*) FROM devices d WHERE d.username = u.username \
          AND d.revoked_at IS NULL) AS devices \
         FROM users u LEFT JOIN clinics c ON c.id = u.clinic_id \
         WHERE u.township_id = $1 ORDER BY u.clinic_id, u.username",
    )
    .bind(township)
    .fetch_all(db)
    .await?;
    let mut users = rows
        .iter()
        .map(|row| {
            let role: String = row.try_get("role")?;
            Ok(UserRow {
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                role: Role::parse(&role)
                    .ok_or_else(|| ApiError::internal(format!("unknown role {role}")))?,
                clinic_id: row.try_get("clinic_id")?,
                clinic_name: row.try_get("clinic_name")?,
                disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
                must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
                sample: row.try_get::<i64, _>("sample")? != 0,
                devices: u32::try_from(row.try_get::<i64, _>("devices")?).unwrap_or(u32::MAX),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let rank = |role: Role| match role {
        Role::Administrator => 0,
        Role::TownshipReviewer => 1,
        Role::ClinicAssistant => 2,
    };
    users.sort_by_key(|u| rank(u.role));
    Ok(users)
}

/// The township's clinics, by name.
pub async fn township_clinics(db: &AnyPool, township: &str) -> Result<Vec<ClinicRef>, ApiError> {
    let rows = sqlx::query("SELECT id, name FROM clinics WHERE township_id = $1 ORDER BY name")
        .bind(township)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ClinicRef {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
            })
        })
        .collect()
}

/// The township a user belongs to, read inside the transaction that changes them (locking the
/// row on PostgreSQL).
pub async fn township_of(tx: &mut Tx<'_>, username: &str) -> Result<Option<String>, ApiError> {
    let sql = format!(
        "SELECT township_id FROM users WHERE username = $1{}",
        tx.for_update()
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Whether `clinic` is one of `township`'s clinics.
pub async fn clinic_in(tx: &mut Tx<'_>, township: &str, clinic: &str) -> Result<bool, ApiError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM clinics WHERE id = $1 AND township_id = $2")
            .bind(clinic)
            .bind(township)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

/// A user to create: checked whole before anything is written.
pub struct Creating<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub clinic_id: Option<&'a str>,
    pub township_id: &'a str,
    pub password: &'a str,
    /// The password is a first one, to be changed at the first sign-in.
    pub must_change_password: bool,
}

/// Creates the user, refusing a taken username (`username_taken`), a clinic given to a role
/// without one or missing for an assistant (`clinic_id`), and a clinic of another township.
pub async fn create(tx: &mut Tx<'_>, new: &Creating<'_>) -> Result<(), ApiError> {
    check_username(new.username).map_err(|why| refused("username", why))?;
    check_display_name(new.display_name).map_err(|why| refused("display_name", why))?;
    checked_password("first_password", new.username, new.password)?;
    match (new.role, new.clinic_id) {
        (Role::ClinicAssistant, Some(clinic)) => {
            if !clinic_in(tx, new.township_id, clinic).await? {
                return Err(no_such_clinic());
            }
        }
        (Role::ClinicAssistant, None) => {
            return Err(ApiError::bad(
                "clinic_id",
                "卫生室协办员须选择所属卫生室",
                "A clinic assistant needs a clinic",
            ))
        }
        (_, Some(_)) => {
            return Err(ApiError::bad(
                "clinic_id",
                "只有卫生室协办员属于某个卫生室",
                "Only a clinic assistant belongs to a clinic",
            ))
        }
        (_, None) => {}
    }
    let taken: Option<String> =
        sqlx::query_scalar("SELECT username FROM users WHERE username = $1")
            .bind(new.username)
            .fetch_optional(&mut **tx)
            .await?;
    if taken.is_some() {
        return Err(ApiError::conflict(
            "username_taken",
            format!("用户名{}已被使用", new.username),
            format!("The username {} is taken", new.username),
        ));
    }
    let hash = hash(new.password).await?;
    sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, township_id, clinic_id, \
         must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.username)
    .bind(new.display_name.trim())
    .bind(hash)
    .bind(new.role.as_str())
    .bind(new.township_id)
    .bind(new.clinic_id)
    .bind(i64::from(new.must_change_password))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub fn no_such_clinic() -> ApiError {
    ApiError::bad(
        "clinic_id",
        "本乡镇没有这个卫生室",
        "There is no such clinic in this township",
    )
}

/// Argon2 off the async threads.
pub async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))
}

/// Sets a user's password; `must_change` for a reset one.
pub async fn set_password(
    tx: &mut Tx<'_>,
    username: &str,
    hash: &str,
    must_change: bool,
) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE username = $3",
    )
    .bind(hash)
    .bind(i64::from(must_change))
    .bind(username)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Disables (with the time) or enables a user.
pub async fn set_disabled(tx: &mut Tx<'_>, username: &str, disabled: bool) -> Result<(), ApiError> {
    let at = disabled.then(|| chrono::Utc::now().to_rfc3339());
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE username = $2")
        .bind(at)
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves an assistant to another clinic. Their devices' tokens expire now: each tablet asks
/// for an online sign-in, which applies the one-clinic-per-tablet rule, and nothing not yet
/// uploaded is lost.
pub async fn move_to_clinic(tx: &mut Tx<'_>, username: &str, clinic: &str) -> Result<(), ApiError> {
    sqlx::query("UPDATE users SET clinic_id = $1 WHERE username = $2")
        .bind(clinic)
        .bind(username)
        .execute(&mut **tx)
        .await?;
    let now = chrono::Utc::now().to_rfc3339();
    sqlx::query(
        "UPDATE devices SET expires_at = $1, previous_token_hash = NULL, \
         previous_expires_at = NULL WHERE username = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(username)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The role of a user, read in the changing transaction.
pub async fn role_of(tx: &mut Tx<'_>, username: &str) -> Result<Option<Role>, ApiError> {
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(role.as_deref().and_then(Role::parse))
}

/// Marks `./run.sh`'s sample accounts as samples (their password is public).
pub async fn mark_samples(db: &AnyPool, usernames: &[&str]) -> Result<(), sqlx::Error> {
    for username in usernames {
        sqlx::query("UPDATE users SET sample = 1 WHERE username = $1")
            .bind(username)
            .execute(db)
            .await?;
    }
    Ok(())
}
