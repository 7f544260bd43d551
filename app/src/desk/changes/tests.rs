use super::*;
use crate::desk::residents::ResidentIndex;
use crate::storage::memory::MemoryStore;
use crate::sync::outbox::entries;
use cunbao_domain::enrolment::{Coverage, CoverageBasis, Eligibility, Member, Relationship};
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::names::{PersonName, Phone};
use futures::executor::block_on;
use serde_json::json;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn enrolment() -> EnrolmentRecord {
    EnrolmentRecord {
        household_id: "h1".into(),
        member: Member {
            id_number: IdNumber::parse("11010519491231002X").unwrap(),
            name: PersonName::parse("王秀兰").unwrap(),
            relationship: Relationship::Head,
            phone: None,
            subsidy: None,
            evidence: None,
        },
        scheme_year: 2026,
        enrolled_on: day(2025, 11, 1),
        policy_version: "county-sample-2026.1".into(),
        coverage: Some(Coverage {
            basis: CoverageBasis::OnTime,
            from: day(2026, 1, 1),
            to: day(2026, 12, 31),
            benefits_from: day(2026, 1, 1),
        }),
        duplicate_of: None,
        pending_document: None,
        receipt_no: None,
        stopped: None,
        corrections: Vec::new(),
    }
}

fn maker(id: &str) -> Maker {
    Maker {
        device_id: "dev-1".into(),
        clinic_id: "clinic-lijia".into(),
        now_ms: 1,
        at: "2026-06-01T08:00:00Z".into(),
        new_id: id.into(),
    }
}

async fn store_with_enrolment() -> MemoryStore {
    let store = MemoryStore::default();
    crate::sync::outbox::sign_in_for_tests(&store, "lijia", "王秀兰").await;
    store
        .put_as(StoreName::Enrolments, "e1", &enrolment())
        .await
        .unwrap();
    store
}

#[test]
fn stopping_cover_suspends_from_the_day_and_queues_the_stop_once() {
    block_on(async {
        let store = store_with_enrolment().await;
        let early = stop_cover(
            &store,
            "e1",
            day(2025, 12, 31),
            StopReason::Death,
            maker("s0"),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            early,
            ChangeFailed::Refused(ChangeError::StopBeforeCover { .. })
        ));
        stop_cover(
            &store,
            "e1",
            day(2026, 6, 15),
            StopReason::Death,
            maker("s1"),
        )
        .await
        .unwrap();
        let again = stop_cover(
            &store,
            "e1",
            day(2026, 7, 1),
            StopReason::Death,
            maker("s2"),
        )
        .await
        .unwrap_err();
        assert!(again.text().zh.contains("已于2026-06-15停保"));
        let index = ResidentIndex::load(&store).await.unwrap();
        let person = index.get("e1").unwrap();
        assert_eq!(person.eligibility(day(2026, 6, 14)), Eligibility::Eligible);
        assert_eq!(person.eligibility(day(2026, 6, 15)), Eligibility::Suspended);
        let queued = entries(&store).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].mutation.record_id, "s1");
        assert!(matches!(
            queued[0].mutation.typed().body,
            MutationBody::StopCover { ref enrolment_id, .. } if enrolment_id == "e1"
        ));
    });
}

#[test]
fn a_correction_changes_the_value_and_keeps_the_earlier_one() {
    block_on(async {
        let store = store_with_enrolment().await;
        let phone = Correction::Phone(Some(Phone::parse("13800138000").unwrap()));
        correct(&store, "e1", phone.clone(), maker("c1"))
            .await
            .unwrap();
        let same = correct(&store, "e1", phone, maker("c2")).await.unwrap_err();
        assert_eq!(same, ChangeFailed::Refused(ChangeError::Unchanged));
        let stored: EnrolmentRecord = store
            .get_as(StoreName::Enrolments, "e1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.member.phone.as_ref().unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(stored.corrections.len(), 1);
        assert_eq!(stored.corrections[0].earlier, Correction::Phone(None));
        assert_eq!(stored.corrections[0].by, "王秀兰");
        // The server's copy of the same correction replaces the local one, not a second entry.
        let mut record = stored.clone();
        let mut server = stored.corrections[0].clone();
        server.at = "2026-06-01T08:00:05Z".into();
        record.corrected(server);
        assert_eq!(record.corrections.len(), 1);
        assert_eq!(record.corrections[0].at, "2026-06-01T08:00:05Z");
        assert_eq!(entries(&store).await.unwrap().len(), 1);
    });
}

#[test]
fn a_refund_is_proposed_once_for_a_receipt_of_either_shape() {
    block_on(async {
        let store = MemoryStore::default();
        crate::sync::outbox::sign_in_for_tests(&store, "lijia", "王秀兰").await;
        // One collected here (a receipt), one pulled from another tablet (the server's view).
        store
            .put(
                StoreName::Contributions,
                "own",
                json!({"receipt_no": "RABC-000001", "household_id": "h1", "total": "390.00",
                       "collected_on": "2025-11-01", "payer": "王秀兰"}),
            )
            .await
            .unwrap();
        store
            .put(
                StoreName::Contributions,
                "pulled",
                json!({"receipt_no": "RXYZ-000002", "household_id": "h1", "amount": "390.00",
                       "collected_on": "2025-11-02", "enrolment_ids": ["e1"]}),
            )
            .await
            .unwrap();
        let receipts = household_receipts(&store, "h1").await.unwrap();
        assert_eq!(receipts.len(), 2);
        assert_eq!(receipts[1].amount, Money::yuan(390));
        let proposal = propose_refund(&store, "pulled", RefundReason::Duplicate, maker("r1"))
            .await
            .unwrap();
        assert_eq!(proposal.receipt_no, "RXYZ-000002");
        let twice = propose_refund(&store, "pulled", RefundReason::Duplicate, maker("r2"))
            .await
            .unwrap_err();
        assert_eq!(twice, ChangeFailed::RefundAlreadyProposed);
        let missing = propose_refund(&store, "nope", RefundReason::Duplicate, maker("r3"))
            .await
            .unwrap_err();
        assert_eq!(missing, ChangeFailed::NotFound);
        let receipts = household_receipts(&store, "h1").await.unwrap();
        assert!(receipts[0].refund.is_none());
        assert_eq!(receipts[1].refund.as_ref().unwrap().proposal_id, "r1");
        assert_eq!(entries(&store).await.unwrap().len(), 1);
    });
}
