//! What the desk reads from and writes to the device: the policy in force, record ids and
//! receipt numbers, drafts kept across reloads.

use cunbao_domain::policy::Policy;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::storage::meta::{self, MetaKey};
use crate::storage::{StorageError, Store, StoreName};
use crate::sync::setup;

/// The policy this device holds (downloaded at device setup).
pub async fn policy(store: &impl Store) -> Result<Option<Policy>, StorageError> {
    match setup::policy_version(store).await? {
        Some(version) => store.get_as(StoreName::Policies, &version).await,
        None => Ok(None),
    }
}

/// Every policy this device holds, oldest scheme year first.
pub async fn policies(store: &impl Store) -> Result<Vec<Policy>, StorageError> {
    let mut all: Vec<Policy> = store
        .all(StoreName::Policies)
        .await?
        .into_iter()
        .filter_map(|(_, value)| serde_json::from_value(value).ok())
        .collect();
    crate::sort::sort_by(&mut all, |a, b| {
        (a.scheme_year, &a.version).cmp(&(b.scheme_year, &b.version))
    });
    Ok(all)
}

/// The next receipt number of this device: `R` + the first 8 characters of the device id +
/// a running number. Device ids are random UUIDs, so numbers are unique across devices
/// without any coordination.
pub async fn next_receipt_no(store: &impl Store, device_id: &str) -> Result<String, StorageError> {
    let seq: u64 = meta::get(store, MetaKey::ReceiptSeq).await?.unwrap_or(0) + 1;
    store
        .put_all_durable(
            StoreName::Meta,
            &[(
                MetaKey::ReceiptSeq.key().into_owned(),
                serde_json::json!(seq),
            )],
        )
        .await?;
    let prefix: String = device_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase();
    Ok(format!("R{prefix}-{seq:06}"))
}

/// Where the draft of form `name` is kept (Meta store), for batches that remove it with the
/// record the form made.
pub fn draft_key(name: &str) -> String {
    MetaKey::Draft(name).key().into_owned()
}

/// A form's text as typed, kept on the device so that a reload or a crashed tab loses nothing.
pub async fn save_draft<T: Serialize>(
    store: &impl Store,
    name: &str,
    draft: &T,
) -> Result<(), StorageError> {
    meta::put(store, MetaKey::Draft(name), draft).await
}

pub async fn load_draft<T: DeserializeOwned>(
    store: &impl Store,
    name: &str,
) -> Result<Option<T>, StorageError> {
    meta::get(store, MetaKey::Draft(name)).await.or(Ok(None))
}

pub async fn clear_draft(store: &impl Store, name: &str) -> Result<(), StorageError> {
    meta::delete(store, MetaKey::Draft(name)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use futures::executor::block_on;

    #[test]
    fn receipt_numbers_run_on_per_device_and_carry_the_device() {
        block_on(async {
            let a = MemoryStore::default();
            let b = MemoryStore::default();
            let id_a = "3f2a9c1e-0000-4000-8000-000000000001";
            let id_b = "77c0ffee-0000-4000-8000-000000000002";
            assert_eq!(next_receipt_no(&a, id_a).await.unwrap(), "R3F2A9C1E-000001");
            assert_eq!(next_receipt_no(&a, id_a).await.unwrap(), "R3F2A9C1E-000002");
            assert_eq!(next_receipt_no(&b, id_b).await.unwrap(), "R77C0FFEE-000001");
        });
    }

    #[test]
    fn drafts_survive_until_cleared() {
        block_on(async {
            let store = MemoryStore::default();
            save_draft(&store, "enrol", &vec!["张".to_string()])
                .await
                .unwrap();
            let back: Option<Vec<String>> = load_draft(&store, "enrol").await.unwrap();
            assert_eq!(back, Some(vec!["张".to_string()]));
            clear_draft(&store, "enrol").await.unwrap();
            let gone: Option<Vec<String>> = load_draft(&store, "enrol").await.unwrap();
            assert_eq!(gone, None);
        });
    }
}
