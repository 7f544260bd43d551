//! The data steps of the schema versions (see [`super::schema::data_steps`]): each rewrites
//! records stored in an older shape, once, on the JSON, so that it needs no old types.

use serde_json::{json, Value};

use super::{StorageError, Store, StoreName};

/// Version 4: a claim kept on the tablet holds the claim as recorded, in the shape sent to the
/// server — diagnoses as `{code}` and the rule findings as `rule_hits` (they were a list of
/// codes and `hits`). A record that is only the server's figures for another tablet's claim
/// (no claim at all) is dropped: the figures are kept with the accumulators.
pub async fn claims_carry_the_claim_shape(store: &impl Store) -> Result<(), StorageError> {
    let mut rewritten = Vec::new();
    for (key, mut claim) in store.all(StoreName::Claims).await? {
        let Some(record) = claim.as_object_mut() else {
            continue;
        };
        if !record.contains_key("person") {
            store.delete(StoreName::Claims, &key).await?;
            continue;
        }
        let mut changed = false;
        if let Some(hits) = record.remove("hits") {
            record.insert("rule_hits".into(), hits);
            changed = true;
        }
        if let Some(Value::Array(diagnoses)) = record.get_mut("diagnoses") {
            for diagnosis in diagnoses.iter_mut() {
                if let Value::String(code) = diagnosis {
                    *diagnosis = json!({ "code": code });
                    changed = true;
                }
            }
        }
        if changed {
            rewritten.push((key, claim));
        }
    }
    if !rewritten.is_empty() {
        store.put_all(StoreName::Claims, &rewritten).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::visit::ClaimRecord;
    use crate::storage::memory::MemoryStore;
    use futures::executor::block_on;

    /// A claim as version 3 stored it: today's record written back into the old shape
    /// (diagnoses as codes, `hits`), with the server's figures beside it.
    fn version_3_claim() -> Value {
        let record = crate::storage::records::sample_claim_record(
            chrono::NaiveDate::from_ymd_opt(2025, 6, 16).unwrap(),
            1,
        );
        let mut old = serde_json::to_value(&record).unwrap();
        let map = old.as_object_mut().unwrap();
        let hits = map.remove("rule_hits").unwrap();
        map.insert("hits".into(), hits);
        map.insert("diagnoses".into(), json!(["J06.9"]));
        old
    }

    #[test]
    fn a_version_3_claim_reads_as_a_claim_record_after_the_step() {
        block_on(async {
            let store = MemoryStore::default();
            store
                .put(StoreName::Claims, "c-1", version_3_claim())
                .await
                .unwrap();
            store
                .put(
                    StoreName::Claims,
                    "other",
                    json!({ "server": { "claim_id": "other" } }),
                )
                .await
                .unwrap();
            let before: Result<Option<ClaimRecord>, _> =
                store.get_as(StoreName::Claims, "c-1").await;
            assert!(before.is_err(), "version 3's shape is not today's");

            claims_carry_the_claim_shape(&store).await.unwrap();
            let claim: ClaimRecord = store
                .get_as(StoreName::Claims, "c-1")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(claim.claim.diagnosis_codes(), ["J06.9"]);
            assert_eq!(
                claim.claim.settlement.total,
                claim.server.as_ref().unwrap().total
            );
            assert_eq!(claim.server.unwrap().claim_id, "c-1");
            assert_eq!(store.get(StoreName::Claims, "other").await.unwrap(), None);
            // Run again (as on a database already migrated): nothing changes.
            let once = store.all(StoreName::Claims).await.unwrap();
            claims_carry_the_claim_shape(&store).await.unwrap();
            assert_eq!(store.all(StoreName::Claims).await.unwrap(), once);
        });
    }
}
