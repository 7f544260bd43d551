//! Small facts about this device kept in the `meta` store.

use super::{StorageError, Store, StoreName};
use crate::i18n::Lang;

pub const DEVICE_ID: &str = "device_id";
pub const LANG: &str = "lang";

/// This device's id: made once, on the first start, by `new_id`, and kept from then on.
/// Records made offline carry it so that ids and receipt numbers never collide across devices.
pub async fn device_id(
    store: &impl Store,
    new_id: impl FnOnce() -> String,
) -> Result<String, StorageError> {
    if let Some(id) = store.get_as::<String>(StoreName::Meta, DEVICE_ID).await? {
        return Ok(id);
    }
    let id = new_id();
    store.put_as(StoreName::Meta, DEVICE_ID, &id).await?;
    Ok(id)
}

/// The interface language the user chose, or the default (zh-CN).
pub async fn lang(store: &impl Store) -> Result<Lang, StorageError> {
    let tag = store.get_as::<String>(StoreName::Meta, LANG).await?;
    Ok(tag.as_deref().and_then(Lang::from_tag).unwrap_or_default())
}

pub async fn set_lang(store: &impl Store, lang: Lang) -> Result<(), StorageError> {
    store.put_as(StoreName::Meta, LANG, &lang.tag()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use futures::executor::block_on;

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
                .put(StoreName::Meta, LANG, serde_json::json!("xx"))
                .await
                .unwrap();
            assert_eq!(lang(&store).await.unwrap(), Lang::Zh);
        });
    }
}
