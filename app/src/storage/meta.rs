//! Small facts about this device kept in the `meta` store, each under a [`MetaKey`].

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{StorageError, Store, StoreName};
use crate::i18n::Lang;

/// The keys of the `meta` store. The strings are what is stored (and what the e2e tests read),
/// so they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaKey<'a> {
    /// This device's id.
    DeviceId,
    /// The interface language chosen.
    Lang,
    /// The data key wrapped by the operator's PIN (`pin::PinRecord`).
    Pin,
    /// The data key wrapped by the server's escrow secret (`vault::EscrowRecord`).
    Escrow,
    /// When the server last answered this tablet (sign-in or sync), for the offline limit.
    LastContact,
    /// The signed-in session: token and user.
    Session,
    /// The server epoch the last handshake reported.
    ServerEpoch,
    /// Where the next pull starts.
    PullCursor,
    /// When the last sync round ended.
    LastSync,
    CatalogueVersion,
    PolicyVersion,
    /// The running number of this device's receipts.
    ReceiptSeq,
    /// The draft of the named form.
    Draft(&'a str),
    /// The last schema version whose data step has run (see `schema::migrate_data`).
    DataVersion,
    /// The clinic whose data the tablet holds (`access::TabletClinic`).
    Clinic,
    /// Why nobody is signed in, when the tablet knows (`access::Closed`).
    Closed,
    /// The outbox's entries up to this sequence number have the server's answer
    /// (`sync::outbox::answered_through`).
    OutboxAnswered,
}

impl MetaKey<'_> {
    pub fn key(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            MetaKey::DeviceId => "device_id",
            MetaKey::Lang => "lang",
            MetaKey::Pin => "pin",
            MetaKey::Escrow => "escrow",
            MetaKey::LastContact => "last_contact_ms",
            MetaKey::Session => "session",
            MetaKey::ServerEpoch => "server_epoch",
            MetaKey::PullCursor => "pull_cursor",
            MetaKey::LastSync => "last_sync_ms",
            MetaKey::CatalogueVersion => "catalogue_version",
            MetaKey::PolicyVersion => "policy_version",
            MetaKey::ReceiptSeq => "receipt_seq",
            MetaKey::Draft(name) => return Cow::Owned(format!("draft:{name}")),
            MetaKey::DataVersion => "data_version",
            MetaKey::Clinic => "clinic",
            MetaKey::Closed => "closed",
            MetaKey::OutboxAnswered => "outbox_answered_through",
        })
    }
}

pub async fn get<T: DeserializeOwned>(
    store: &impl Store,
    key: MetaKey<'_>,
) -> Result<Option<T>, StorageError> {
    store.get_as(StoreName::Meta, &key.key()).await
}

pub async fn put<T: Serialize>(
    store: &impl Store,
    key: MetaKey<'_>,
    value: &T,
) -> Result<(), StorageError> {
    store.put_as(StoreName::Meta, &key.key(), value).await
}

pub async fn delete(store: &impl Store, key: MetaKey<'_>) -> Result<(), StorageError> {
    store.delete(StoreName::Meta, &key.key()).await
}

/// This device's id: made once, on the first start, by `new_id`, and kept from then on.
/// Records made offline carry it so that ids and receipt numbers never collide across devices.
pub async fn device_id(
    store: &impl Store,
    new_id: impl FnOnce() -> String,
) -> Result<String, StorageError> {
    if let Some(id) = get::<String>(store, MetaKey::DeviceId).await? {
        return Ok(id);
    }
    let id = new_id();
    put(store, MetaKey::DeviceId, &id).await?;
    Ok(id)
}

/// The interface language the user chose, or the default (zh-CN).
pub async fn lang(store: &impl Store) -> Result<Lang, StorageError> {
    let tag = get::<String>(store, MetaKey::Lang).await?;
    Ok(tag.as_deref().and_then(Lang::from_tag).unwrap_or_default())
}

pub async fn set_lang(store: &impl Store, lang: Lang) -> Result<(), StorageError> {
    put(store, MetaKey::Lang, &lang.tag()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use futures::executor::block_on;

    #[test]
    fn keys_are_the_strings_stored_since_the_first_release() {
        let keys = [
            (MetaKey::DeviceId, "device_id"),
            (MetaKey::Lang, "lang"),
            (MetaKey::Pin, "pin"),
            (MetaKey::Escrow, "escrow"),
            (MetaKey::LastContact, "last_contact_ms"),
            (MetaKey::Session, "session"),
            (MetaKey::ServerEpoch, "server_epoch"),
            (MetaKey::PullCursor, "pull_cursor"),
            (MetaKey::LastSync, "last_sync_ms"),
            (MetaKey::CatalogueVersion, "catalogue_version"),
            (MetaKey::PolicyVersion, "policy_version"),
            (MetaKey::ReceiptSeq, "receipt_seq"),
            (MetaKey::Draft("visit"), "draft:visit"),
            (MetaKey::DataVersion, "data_version"),
            (MetaKey::Clinic, "clinic"),
            (MetaKey::Closed, "closed"),
            (MetaKey::OutboxAnswered, "outbox_answered_through"),
        ];
        for (key, stored) in keys {
            assert_eq!(key.key(), stored);
        }
    }

    #[test]
    fn device_id_is_made_once_and_kept() {
        block_on(async {
            let store = MemoryStore::new();
            let first = device_id(&store, || "dev-a".into()).await.unwrap();
            let second = device_id(&store, || "dev-b".into()).await.unwrap();
            assert_eq!(first, "dev-a");
            assert_eq!(second, "dev-a");
        });
    }

    #[test]
    fn language_defaults_to_chinese_and_persists() {
        block_on(async {
            let store = MemoryStore::new();
            assert_eq!(lang(&store).await.unwrap(), Lang::Zh);
            set_lang(&store, Lang::En).await.unwrap();
            assert_eq!(lang(&store).await.unwrap(), Lang::En);
            store
                .put(
                    StoreName::Meta,
                    &MetaKey::Lang.key(),
                    serde_json::json!("xx"),
                )
                .await
                .unwrap();
            assert_eq!(lang(&store).await.unwrap(), Lang::Zh);
        });
    }
}
