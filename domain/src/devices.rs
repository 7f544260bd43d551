//! What a tablet tells the server of itself at each handshake, and the township's list of its
//! devices (`GET /api/v1/township/devices`).

use serde::{Deserialize, Serialize};

/// The query of `GET /api/v1/sync/handshake`: the work the tablet has not yet uploaded and the
/// app version it runs. Both optional: an older app sends neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(deny_unknown_fields)]
pub struct HandshakeQuery {
    /// Mutations in the tablet's outbox not yet answered by the server.
    #[serde(default)]
    pub pending: Option<u64>,
    /// The app's version (its package version).
    #[serde(default)]
    pub app_version: Option<String>,
}

impl HandshakeQuery {
    /// The query string, `?pending=3&app_version=0.1.0`, or empty when there is nothing to say.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(pending) = self.pending {
            parts.push(format!("pending={pending}"));
        }
        if let Some(version) = &self.app_version {
            parts.push(format!("app_version={}", crate::percent::encode(version)));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// One device signed in by a user of the township, as its staff see it. Times are RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRow {
    pub device_id: String,
    /// The name given at sign-in ("卫生室平板1").
    pub device_name: String,
    pub username: String,
    pub display_name: String,
    /// The user's clinic (none for township staff).
    pub clinic_id: Option<String>,
    pub clinic_name: Option<String>,
    /// When it was signed in (the device registered).
    pub created_at: String,
    /// Its first and its latest sync (handshake); none if it never synced.
    pub first_sync_at: Option<String>,
    pub last_sync_at: Option<String>,
    /// The work it still held not uploaded after its latest sync: what it reported then, less
    /// what it uploaded in that round. None when unknown (never synced, or an older app).
    pub pending_at_last_sync: Option<u64>,
    /// The app version it reported at its latest sync.
    pub app_version: Option<String>,
    /// When it was revoked (signed out, or revoked as lost); none while in use.
    pub revoked_at: Option<String>,
    /// When its token expires (none: issued before tokens expired, renewed at its next sync).
    pub expires_at: Option<String>,
    /// For a revoked device: its work never uploaded, lost with it (the pending work at its
    /// latest sync). None for a device in use, or when unknown.
    pub lost_work: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_query_says_only_what_is_known() {
        assert_eq!(HandshakeQuery::default().query_string(), "");
        let query = HandshakeQuery {
            pending: Some(3),
            app_version: Some("0.1.0+g1 测".into()),
        };
        assert_eq!(
            query.query_string(),
            "?pending=3&app_version=0.1.0%2Bg1%20%E6%B5%8B"
        );
        let old: HandshakeQuery = serde_json::from_str("{}").unwrap();
        assert_eq!(old, HandshakeQuery::default());
    }
}
