//! The escrow of tablets' data keys: one random secret per tablet and data holder (the clinic
//! whose data the tablet keeps), given to an online sign-in by a user of that holder and
//! deleted when the tablet is revoked. The secret never decrypts anything on its own: it
//! unwraps the data key only together with the wrapped copy kept on that tablet.

use crate::auth::random_hex;
use crate::write_tx::Tx;

/// A tablet's id as the tablet sends it: 1–64 letters, digits and dashes (a UUID).
pub fn valid_tablet_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The secret of `tablet_id` for `holder`, made on first use (32 random bytes, hex).
pub async fn secret_for(
    tx: &mut Tx<'_>,
    tablet_id: &str,
    holder: &str,
) -> Result<String, sqlx::Error> {
    // Two sign-ins racing on one tablet both read the row the first one inserted.
    sqlx::query(
        "INSERT INTO tablet_escrow (tablet_id, holder, secret, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (tablet_id, holder) DO NOTHING",
    )
    .bind(tablet_id)
    .bind(holder)
    .bind(random_hex(32))
    .bind(chrono::Utc::now().to_rfc3339())
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar("SELECT secret FROM tablet_escrow WHERE tablet_id = $1 AND holder = $2")
        .bind(tablet_id)
        .bind(holder)
        .fetch_one(&mut **tx)
        .await
}

/// Forgets every secret of the tablet `device_id` was issued on (the tablet is revoked).
/// Returns how many were deleted.
pub async fn forget_tablet_of_device(tx: &mut Tx<'_>, device_id: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM tablet_escrow WHERE tablet_id = \
         (SELECT tablet_id FROM devices WHERE id = $1)",
    )
    .bind(device_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
