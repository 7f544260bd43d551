//! What a sync handshake writes for the device: its report of itself (last sync, work held,
//! app version) and, when its token is due ([`crate::tokens::TokenPolicy::rotates`]), a fresh
//! token.

use chrono::Utc;
use cunbao_domain::devices::HandshakeQuery;

use crate::auth::{random_hex, token_hash, Caller};
use crate::error::ApiError;
use crate::{accounts, AppState};

/// What a handshake writes: the device's report of itself (its last sync, the work it holds,
/// its app version) and, when its token is due, a fresh token, returned to be sent once.
pub async fn at_handshake(
    state: &AppState,
    caller: &Caller,
    report: &HandshakeQuery,
) -> Result<Option<String>, ApiError> {
    let now = Utc::now();
    let app_version = report
        .app_version
        .as_deref()
        .map(|v| v.chars().take(40).collect::<String>());
    let mut tx = state.writers.begin(&state.db).await?;
    accounts::record_handshake(
        &mut tx,
        &caller.device_id,
        report.pending,
        app_version.as_deref(),
        now,
    )
    .await?;
    let mut renewed = None;
    if let Some(token) = &caller.token {
        if state.tokens.rotates(token.presented, token.issued_at, now) {
            let fresh = random_hex(32);
            let replaced = accounts::rotate_token(
                &mut tx,
                &caller.device_id,
                token.presented,
                &token.hash,
                &token_hash(&fresh),
                now,
                &state.tokens,
            )
            .await?;
            // Another handshake renewed it first: that one's answer carries the new token.
            renewed = replaced.then_some(fresh);
        }
    }
    tx.commit().await?;
    if renewed.is_some() {
        state.metrics.token_renewed();
    }
    Ok(renewed)
}
