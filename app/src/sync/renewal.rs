//! The tablet's side of token renewal: what it reports at each handshake, and a renewed token
//! kept in the session at once, before it is used (the server refuses the old one from the
//! new one's first use).

use cunbao_domain::devices::HandshakeQuery;
use cunbao_domain::sync::SignInResponse;

use super::{outbox, session, SyncError};
use crate::storage::meta::{self, MetaKey};
use crate::storage::{StorageError, Store};

/// What the tablet tells the server of itself: the work not yet uploaded, its app version.
pub async fn report(store: &impl Store) -> Result<HandshakeQuery, StorageError> {
    Ok(HandshakeQuery {
        pending: Some(outbox::pending_count(store).await? as u64),
        app_version: Some(env!("CARGO_PKG_VERSION").to_string()),
    })
}

/// Keeps the token the server renewed for the session `used` by this round, and gives it back
/// for the rest of the round. Signed out (or in as another device) meanwhile: nothing is kept
/// and the round stops, as with nobody signed in.
pub async fn keep(
    store: &impl Store,
    used: &SignInResponse,
    renewed: &str,
) -> Result<String, SyncError> {
    match session(store).await? {
        Some(mut current) if current.device_id == used.device_id => {
            current.token = renewed.to_string();
            meta::put(store, MetaKey::Session, &current).await?;
            Ok(current.token)
        }
        _ => Err(SyncError::NotSignedIn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use cunbao_domain::sync::{Role, UserInfo};
    use futures::executor::block_on;

    fn session_of(device: &str, token: &str) -> SignInResponse {
        SignInResponse {
            token: token.into(),
            device_id: device.into(),
            user: UserInfo {
                username: "lijia".into(),
                display_name: "李家村卫生室".into(),
                role: Role::ClinicAssistant,
                township_id: "twp".into(),
                clinic_id: Some("c-lijia".into()),
            },
            escrow_key: None,
        }
    }

    #[test]
    fn a_renewed_token_replaces_the_sessions_only_for_the_same_device() {
        block_on(async {
            let store = MemoryStore::default();
            let used = session_of("dev-1", "old");
            meta::put(&store, MetaKey::Session, &used).await.unwrap();
            assert_eq!(keep(&store, &used, "new").await.unwrap(), "new");
            let kept = session(&store).await.unwrap().unwrap();
            assert_eq!(kept, session_of("dev-1", "new"));
            // Signed out and in again (another device) while the round was under way.
            meta::put(&store, MetaKey::Session, &session_of("dev-2", "other"))
                .await
                .unwrap();
            assert_eq!(
                keep(&store, &used, "newer").await,
                Err(SyncError::NotSignedIn)
            );
            assert_eq!(session(&store).await.unwrap().unwrap().token, "other");
            // Signed out: no session comes back.
            crate::pin::forget(&store).await.unwrap();
            assert_eq!(
                keep(&store, &used, "newer").await,
                Err(SyncError::NotSignedIn)
            );
            assert_eq!(session(&store).await.unwrap(), None);
        });
    }

    #[test]
    fn the_report_counts_the_pending_work_and_names_the_version() {
        block_on(async {
            let store = MemoryStore::default();
            let report = report(&store).await.unwrap();
            assert_eq!(report.pending, Some(0));
            assert_eq!(
                report.app_version.as_deref(),
                Some(env!("CARGO_PKG_VERSION"))
            );
        });
    }
}
