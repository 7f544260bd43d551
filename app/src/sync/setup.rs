//! Device setup: the catalogue and policy in force, downloaded when the handshake names a
//! version this device does not hold, in pages written one transaction each, with progress.
//! A download cut off half-way starts again next round; the old version stays usable until
//! the new one is complete.

use cunbao_domain::sync::Handshake;
use serde_json::Value;

use super::transport::Transport;
use super::SyncError;
use crate::storage::meta::{self, MetaKey};
use crate::storage::{StorageError, Store, StoreName};

pub const PAGE: u64 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// `done` of `total` catalogue items downloaded.
    Catalogue {
        done: u64,
        total: u64,
    },
    Policy,
}

pub async fn catalogue_version(store: &impl Store) -> Result<Option<String>, StorageError> {
    meta::get(store, MetaKey::CatalogueVersion).await
}

pub async fn policy_version(store: &impl Store) -> Result<Option<String>, StorageError> {
    meta::get(store, MetaKey::PolicyVersion).await
}

/// Fetches what the handshake says this device lacks: policies, the catalogue. True when
/// something the desk reads changed (a policy fetched or put in force, a new catalogue).
pub async fn bring_up_to_date(
    store: &impl Store,
    transport: &impl Transport,
    token: &str,
    handshake: &Handshake,
    progress: &mut dyn FnMut(Progress),
) -> Result<bool, SyncError> {
    let mut changed = false;
    // Every published policy this device does not hold yet (a visit is settled under its
    // year's, an enrolment in the collection period under next year's); the one in force last,
    // so that its version is noted only once it is here. What is held is read side by side.
    let in_force = handshake.policy_version.as_str();
    let versions: Vec<String> = handshake
        .policy_versions
        .iter()
        .map(String::as_str)
        .filter(|v| *v != in_force)
        .chain([in_force])
        .map(str::to_string)
        .collect();
    let (held, policy_noted, catalogue_noted) = futures::try_join!(
        store.get_many(StoreName::Policies, &versions),
        policy_version(store),
        catalogue_version(store),
    )?;
    for (version, held) in versions.iter().zip(held) {
        if held.is_none() {
            progress(Progress::Policy);
            let policy = transport.policy(token, version).await?;
            store.put_as(StoreName::Policies, version, &policy).await?;
            changed = true;
        }
    }
    if policy_noted.as_deref() != Some(in_force) {
        meta::put(store, MetaKey::PolicyVersion, &in_force).await?;
        changed = true;
    }
    if catalogue_noted.as_deref() == Some(handshake.catalogue_version.as_str()) {
        return Ok(changed);
    }
    let mut offset = 0;
    let mut keys = Vec::new();
    let version = loop {
        let page = transport.catalogue(token, offset, PAGE).await?;
        let records = page
            .items
            .iter()
            .map(|item| {
                let key = format!("{}|{}", page.version, item.code);
                keys.push(key.clone());
                serde_json::to_value(item)
                    .map(|v| (key, v))
                    .map_err(|e| StorageError::Format(e.to_string()))
            })
            .collect::<Result<Vec<(String, Value)>, _>>()?;
        store.put_all(StoreName::CatalogueItems, &records).await?;
        offset += page.items.len() as u64;
        progress(Progress::Catalogue {
            done: offset,
            total: page.total,
        });
        if page.items.is_empty() || offset >= page.total {
            break page.version;
        }
    };
    // Only now does the device switch to the new version; then the old one is removed.
    let old = catalogue_version(store).await?;
    meta::put(store, MetaKey::CatalogueVersion, &version).await?;
    if let Some(old) = old.filter(|old| *old != version) {
        let prefix = format!("{old}|");
        for (key, _) in store.all(StoreName::CatalogueItems).await? {
            if key.starts_with(&prefix) {
                store.delete(StoreName::CatalogueItems, &key).await?;
            }
        }
    }
    Ok(true)
}
