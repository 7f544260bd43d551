//! The local database's schema, versioned explicitly. Each version lists the object stores it
//! introduces; opening the database declares every store of every version up to the current
//! one, so an upgrade from any older version ends with the full set. Indexes ([`IndexName`])
//! are declared with their store; the browser fills a new index from the records already
//! there, so adding one needs no data step. A version that changes the shape of records
//! already stored names a data step in [`data_steps`], run once after the upgrade.

use std::fmt;

use futures::future::LocalBoxFuture;

use super::meta::{self, MetaKey};
use super::{StorageError, Store};

pub const DB_NAME: &str = "cunbao";

/// Bump this and add a step to `VERSIONS` for every change to the stores.
pub const SCHEMA_VERSION: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StoreName {
    Persons,
    Households,
    Enrolments,
    Contributions,
    Claims,
    CatalogueItems,
    Policies,
    /// Mutations made on this device, in sequence order, kept for the scheme year with the
    /// server's answer (a restored server gets them again).
    Outbox,
    /// Small facts about this device: its id, the chosen language, sync cursors.
    Meta,
    /// What the server told this clinic: adjustments, refunds due, duplicate enrolments, the
    /// people's year-to-date figures and chronic qualifications.
    Notices,
}

/// The upgrade steps: (version, stores it adds).
pub const VERSIONS: &[(u32, &[StoreName])] = &[
    (
        1,
        &[
            StoreName::Persons,
            StoreName::Households,
            StoreName::Enrolments,
            StoreName::Contributions,
            StoreName::Claims,
            StoreName::CatalogueItems,
            StoreName::Policies,
            StoreName::Outbox,
            StoreName::Meta,
        ],
    ),
    (2, &[StoreName::Notices]),
    // Version 3 adds the indexes of `IndexName`, no store.
    (3, &[]),
    // Version 4 changes the shape of stored claims (a data step), no store.
    (4, &[]),
    // Version 5 adds the index of qualifications by person, no store.
    (5, &[]),
];

/// A data step: rewrites the records of an opened database after its version's structural
/// upgrade (a field renamed, a record split). It must also do no harm on empty stores: a new
/// database runs every step. Steps run at start, before the PIN, on the database itself: the
/// records of the sealed stores (`vault::rules`) are ciphertext then, so a future step that
/// reshapes them must run after unlock, through the vault.
pub type DataStep<S> = for<'a> fn(&'a S) -> LocalBoxFuture<'a, Result<(), StorageError>>;

/// The data steps: (version, step), in version order.
pub fn data_steps<S: Store>() -> Vec<(u32, DataStep<S>)> {
    vec![(4, |store| {
        Box::pin(super::data_steps::claims_carry_the_claim_shape(store))
    })]
}

/// Runs, in version order, the steps newer than the last one run on this database, recording
/// each version reached under [`MetaKey::DataVersion`] as it completes, so that each step runs
/// once. Called once the database is open, before anything reads it. Returns how many ran.
pub async fn migrate_data<S: Store>(
    store: &S,
    steps: &[(u32, DataStep<S>)],
) -> Result<usize, StorageError> {
    let reached: u32 = meta::get(store, MetaKey::DataVersion).await?.unwrap_or(0);
    let mut ran = 0;
    for (version, step) in steps.iter().filter(|(version, _)| *version > reached) {
        step(store).await?;
        meta::put(store, MetaKey::DataVersion, version).await?;
        ran += 1;
    }
    Ok(ran)
}

/// The indexes: records of a store looked up by one field without reading the others. The
/// year's outbox and claims grow all year; the desk reads only the few it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexName {
    /// Outbox entries by state (`pending`, `applied`, `rejected`).
    OutboxByState,
    /// Claims by the patient's ID number.
    ClaimsByPerson,
    /// Claims by visit date (`YYYY-MM-DD`).
    ClaimsByDate,
    /// Receipts (contributions collected here) by the day collected.
    ReceiptsByDate,
    /// Receipts by receipt number.
    ReceiptsByNumber,
    /// Chronic qualifications (in the Notices store) by the person's ID number; other notices
    /// have no `person` field and are not in it.
    QualificationsByPerson,
}

impl IndexName {
    pub const ALL: [IndexName; 6] = [
        IndexName::OutboxByState,
        IndexName::ClaimsByPerson,
        IndexName::ClaimsByDate,
        IndexName::ReceiptsByDate,
        IndexName::ReceiptsByNumber,
        IndexName::QualificationsByPerson,
    ];

    pub const fn store(self) -> StoreName {
        match self {
            IndexName::OutboxByState => StoreName::Outbox,
            IndexName::ClaimsByPerson | IndexName::ClaimsByDate => StoreName::Claims,
            IndexName::ReceiptsByDate | IndexName::ReceiptsByNumber => StoreName::Contributions,
            IndexName::QualificationsByPerson => StoreName::Notices,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            IndexName::OutboxByState => "by_state",
            IndexName::ClaimsByPerson => "by_person",
            IndexName::ClaimsByDate => "by_visit_date",
            IndexName::ReceiptsByDate => "by_collected_on",
            IndexName::ReceiptsByNumber => "by_receipt_no",
            IndexName::QualificationsByPerson => "qualifications_by_person",
        }
    }

    /// The field indexed, dot-separated into nested objects. A record without it (or with a
    /// value that is not a string) is not in the index.
    pub const fn key_path(self) -> &'static str {
        match self {
            IndexName::OutboxByState => "state.state",
            IndexName::ClaimsByPerson => "person",
            IndexName::ClaimsByDate => "visit_date",
            IndexName::ReceiptsByDate => "collected_on",
            IndexName::ReceiptsByNumber => "receipt_no",
            IndexName::QualificationsByPerson => "person",
        }
    }

    /// The indexes of `store`.
    pub fn of(store: StoreName) -> impl Iterator<Item = IndexName> {
        IndexName::ALL
            .into_iter()
            .filter(move |i| i.store() == store)
    }

    /// The value `record` has in this index, if it is in it.
    pub fn value_of(self, record: &serde_json::Value) -> Option<&str> {
        self.key_path()
            .split('.')
            .try_fold(record, |value, field| value.get(field))?
            .as_str()
    }
}

impl StoreName {
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreName::Persons => "persons",
            StoreName::Households => "households",
            StoreName::Enrolments => "enrolments",
            StoreName::Contributions => "contributions",
            StoreName::Claims => "claims",
            StoreName::CatalogueItems => "catalogue_items",
            StoreName::Policies => "policies",
            StoreName::Outbox => "outbox",
            StoreName::Meta => "meta",
            StoreName::Notices => "notices",
        }
    }
}

impl fmt::Display for StoreName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every store of the current schema, in declaration order.
pub fn current_stores() -> impl Iterator<Item = StoreName> {
    VERSIONS
        .iter()
        .filter(|(version, _)| *version <= SCHEMA_VERSION)
        .flat_map(|(_, stores)| stores.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use futures::executor::block_on;
    use std::collections::HashSet;

    #[test]
    fn versions_are_consecutive_and_end_at_the_current_one() {
        let versions: Vec<u32> = VERSIONS.iter().map(|(v, _)| *v).collect();
        let expected: Vec<u32> = (1..=SCHEMA_VERSION).collect();
        assert_eq!(versions, expected);
    }

    #[test]
    fn store_names_are_unique_and_declared_once() {
        let names: Vec<&str> = current_stores().map(StoreName::as_str).collect();
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), unique.len());
        assert_eq!(names.len(), 10);
    }

    #[test]
    fn index_names_are_unique_within_their_store() {
        for store in current_stores() {
            let names: Vec<&str> = IndexName::of(store).map(IndexName::as_str).collect();
            let unique: HashSet<&str> = names.iter().copied().collect();
            assert_eq!(names.len(), unique.len(), "{store}");
        }
    }

    #[test]
    fn an_index_reads_its_field_and_skips_records_without_it() {
        let entry = serde_json::json!({ "state": { "state": "pending" }, "seq": 4 });
        assert_eq!(IndexName::OutboxByState.value_of(&entry), Some("pending"));
        let odd = serde_json::json!({ "state": "pending" });
        assert_eq!(IndexName::OutboxByState.value_of(&odd), None);
        let claim = serde_json::json!({ "person": "11010519491231002X" });
        assert_eq!(
            IndexName::ClaimsByPerson.value_of(&claim),
            Some("11010519491231002X")
        );
        assert_eq!(IndexName::ClaimsByDate.value_of(&claim), None);
        assert_eq!(
            IndexName::ReceiptsByNumber.value_of(&serde_json::json!(7)),
            None
        );
    }

    #[test]
    fn data_steps_belong_to_versions_in_order() {
        let versions: Vec<u32> = data_steps::<MemoryStore>()
            .iter()
            .map(|(v, _)| *v)
            .collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        assert!(versions.iter().all(|v| (1..=SCHEMA_VERSION).contains(v)));
    }

    #[test]
    fn a_data_step_runs_once_and_not_again() {
        async fn mark_persons(store: &MemoryStore) -> Result<(), StorageError> {
            for (key, mut person) in store.all(StoreName::Persons).await? {
                person["name"] = format!("{}!", person["name"].as_str().unwrap_or("")).into();
                store.put(StoreName::Persons, &key, person).await?;
            }
            Ok(())
        }
        block_on(async {
            let store = MemoryStore::new();
            store
                .put(
                    StoreName::Persons,
                    "p1",
                    serde_json::json!({ "name": "张三" }),
                )
                .await
                .unwrap();
            let steps: Vec<(u32, DataStep<MemoryStore>)> =
                vec![(SCHEMA_VERSION, |store| Box::pin(mark_persons(store)))];
            assert_eq!(migrate_data(&store, &steps).await.unwrap(), 1);
            assert_eq!(migrate_data(&store, &steps).await.unwrap(), 0);
            let person = store.get(StoreName::Persons, "p1").await.unwrap().unwrap();
            assert_eq!(person["name"], "张三!");
            let reached: Option<u32> = meta::get(&store, MetaKey::DataVersion).await.unwrap();
            assert_eq!(reached, Some(SCHEMA_VERSION));
        });
    }

    #[test]
    fn no_data_step_writes_nothing() {
        block_on(async {
            let store = MemoryStore::new();
            let none: Vec<(u32, DataStep<MemoryStore>)> = Vec::new();
            assert_eq!(migrate_data(&store, &none).await.unwrap(), 0);
            assert_eq!(store.count(StoreName::Meta).await.unwrap(), 0);
        });
    }

    #[test]
    fn a_new_database_runs_todays_steps_once() {
        block_on(async {
            let store = MemoryStore::new();
            let steps = data_steps();
            assert_eq!(migrate_data(&store, &steps).await.unwrap(), steps.len());
            assert_eq!(migrate_data(&store, &steps).await.unwrap(), 0);
            let reached: Option<u32> = meta::get(&store, MetaKey::DataVersion).await.unwrap();
            assert_eq!(reached, steps.last().map(|(v, _)| *v));
        });
    }
}
