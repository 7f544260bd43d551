//! The township's devices, for its staff: who signed in where, when each last synced, what it
//! still held not uploaded then, and for a revoked one the work lost with it.

use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::devices::DeviceRow;

use crate::accounts::{self, StoredDevice};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

/// Township staff (reviewers and administrators): every device signed in by a user of the
/// township, the newest first. Another township's devices never appear.
#[utoipa::path(get, path = "/township/devices", tag = "township", security(("bearer" = [])),
    responses((status = 200, body = Vec<DeviceRow>), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DeviceRow>>, ApiError> {
    let township = caller.require_township_staff()?;
    let devices = accounts::township_devices(&state.db, township).await?;
    Ok(Json(devices.into_iter().map(row).collect()))
}

fn row(device: StoredDevice) -> DeviceRow {
    let pending = unsent_after_last_sync(
        device.pending_at_last_sync,
        device.seq_at_last_sync,
        device.last_seq,
    );
    let lost_work = device.revoked_at.as_ref().and(pending);
    DeviceRow {
        device_id: device.id,
        device_name: device.name,
        username: device.username,
        display_name: device.display_name,
        clinic_id: device.clinic_id,
        clinic_name: device.clinic_name,
        created_at: device.created_at,
        first_sync_at: device.first_sync_at,
        last_sync_at: device.last_sync_at,
        pending_at_last_sync: pending,
        app_version: device.app_version,
        revoked_at: device.revoked_at,
        expires_at: device.expires_at,
        lost_work,
    }
}

/// The work a device still held not uploaded after its last sync: what it reported pending at
/// that handshake, less the mutations it pushed since (each was pending then). Unknown when it
/// reported nothing.
fn unsent_after_last_sync(
    pending: Option<i64>,
    seq_then: Option<i64>,
    seq_now: i64,
) -> Option<u64> {
    let pending = u64::try_from(pending?).unwrap_or(0);
    let pushed = u64::try_from(seq_now - seq_then.unwrap_or(seq_now)).unwrap_or(0);
    Some(pending.saturating_sub(pushed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_pushed_after_the_handshake_is_no_longer_pending() {
        assert_eq!(unsent_after_last_sync(None, Some(3), 5), None);
        assert_eq!(unsent_after_last_sync(Some(4), Some(10), 10), Some(4));
        assert_eq!(unsent_after_last_sync(Some(4), Some(10), 13), Some(1));
        assert_eq!(unsent_after_last_sync(Some(4), Some(10), 20), Some(0));
        assert_eq!(unsent_after_last_sync(Some(2), None, 7), Some(2));
    }
}
