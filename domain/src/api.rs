//! Wire types shared by the server's HTTP API and the app's client.

use serde::{Deserialize, Serialize};

use crate::publishing::LineProblem;

/// Answer of `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `"ok"` when the server and its database answer.
    pub status: String,
    /// The server's package version.
    pub version: String,
    /// Number of database migrations applied.
    pub migrations: i64,
    /// Entries in the audit chain, and the newest entry's hash (note it: a later, shorter
    /// chain means rows were deleted).
    pub audit_entries: i64,
    pub audit_head: String,
}

/// The JSON body of every API error: a machine-readable code and a message in both languages;
/// for a refused file, each wrong line too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
    /// A refused catalogue file's wrong lines (`catalogue_lines`), each with what is wrong.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineProblem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_round_trips_as_json() {
        let body = ApiErrorBody {
            code: "not_found".into(),
            message_zh: "找不到该接口".into(),
            message_en: "No such API endpoint".into(),
            lines: vec![],
        };
        let json = serde_json::to_string(&body).unwrap();
        assert!(json.contains("\"code\":\"not_found\""));
        assert!(!json.contains("lines"), "only a refused file lists lines");
        assert_eq!(serde_json::from_str::<ApiErrorBody>(&json).unwrap(), body);
    }
}
