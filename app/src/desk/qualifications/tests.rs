use super::*;
use crate::storage::memory::MemoryStore;
use crate::storage::records::EnrolmentRecord;
use crate::sync::outbox::entries;
use futures::executor::block_on;
use serde_json::json;

const PERSON: &str = "11010519491231002X";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
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
    let record: EnrolmentRecord = serde_json::from_value(json!({
        "household_id": "h1",
        "member": { "id_number": PERSON, "name": "王秀兰", "relationship": "head" },
        "scheme_year": 2026, "enrolled_on": "2025-10-10",
        "policy_version": "county-sample-2026.1",
    }))
    .unwrap();
    store
        .put_as(StoreName::Enrolments, "e1", &record)
        .await
        .unwrap();
    store
}

#[test]
fn an_application_is_kept_pending_with_its_outbox_entry() {
    block_on(async {
        let store = store_with_enrolment().await;
        let today = day(2026, 6, 1);
        let filed = apply(
            &store,
            "e1",
            ChronicCondition::Hypertension,
            "  县医院诊断证明 2026-118 ",
            today,
            maker("q1"),
        )
        .await
        .unwrap();
        assert_eq!(filed.status, QualificationStatus::Pending);
        assert_eq!(filed.evidence, "县医院诊断证明 2026-118");
        let held = qualifications_of(&store, PERSON).await.unwrap();
        assert_eq!(held, vec![filed.clone()]);
        let queued = entries(&store).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].mutation.record_id, "q1");
        assert_eq!(
            queued[0].mutation.typed().body,
            MutationBody::QualificationApplication {
                person: filed.person.clone(),
                condition: ChronicCondition::Hypertension,
                evidence: "县医院诊断证明 2026-118".into(),
                applied_on: today,
            }
        );
        // A second application for the same condition waits for the first to be decided;
        // another condition may be applied for.
        let again = apply(
            &store,
            "e1",
            ChronicCondition::Hypertension,
            "县医院诊断证明 2026-119",
            today,
            maker("q2"),
        )
        .await
        .unwrap_err();
        assert_eq!(
            again,
            ApplicationFailed::AlreadyPending(ChronicCondition::Hypertension)
        );
        assert!(again.text().zh.contains("待乡镇审核"));
        apply(
            &store,
            "e1",
            ChronicCondition::Diabetes,
            "县医院诊断证明 2026-120",
            today,
            maker("q3"),
        )
        .await
        .unwrap();
        assert_eq!(qualifications_of(&store, PERSON).await.unwrap().len(), 2);
        assert_eq!(entries(&store).await.unwrap().len(), 2);
    });
}

#[test]
fn an_application_needs_evidence_and_a_standing_enrolment() {
    block_on(async {
        let store = store_with_enrolment().await;
        let today = day(2026, 6, 1);
        let hypertension = ChronicCondition::Hypertension;
        let missing = apply(&store, "e1", hypertension, " \n ", today, maker("q1"))
            .await
            .unwrap_err();
        assert_eq!(missing, ApplicationFailed::EvidenceMissing);
        assert!(missing.is_about_evidence());
        let long = "证".repeat(MAX_EVIDENCE + 1);
        let too_long = apply(&store, "e1", hypertension, &long, today, maker("q2"))
            .await
            .unwrap_err();
        assert_eq!(too_long, ApplicationFailed::EvidenceTooLong);
        let nobody = apply(&store, "e9", hypertension, "证明 1", today, maker("q3"))
            .await
            .unwrap_err();
        assert_eq!(nobody, ApplicationFailed::NotFound);
        assert!(entries(&store).await.unwrap().is_empty());
        assert!(qualifications_of(&store, PERSON).await.unwrap().is_empty());
    });
}

#[test]
fn a_valid_qualification_is_not_applied_for_again_until_it_runs_out() {
    block_on(async {
        let store = store_with_enrolment().await;
        let mut approved = apply(
            &store,
            "e1",
            ChronicCondition::Diabetes,
            "县医院诊断证明 2026-7",
            day(2026, 1, 5),
            maker("q1"),
        )
        .await
        .unwrap();
        approved.status = QualificationStatus::Approved;
        approved.valid_from = Some(day(2026, 1, 1));
        approved.valid_to = Some(day(2026, 12, 31));
        let (key, value) = Notice::qualification(&approved);
        store.put(StoreName::Notices, &key, value).await.unwrap();
        let refused = apply(
            &store,
            "e1",
            ChronicCondition::Diabetes,
            "县医院诊断证明 2026-8",
            day(2026, 6, 1),
            maker("q2"),
        )
        .await
        .unwrap_err();
        assert_eq!(
            refused,
            ApplicationFailed::AlreadyQualified(ChronicCondition::Diabetes)
        );
        // Once it has run out, with next year's enrolment (filed by the server's rule for the
        // year of the application).
        let next_year = apply(
            &store,
            "e1",
            ChronicCondition::Diabetes,
            "县医院诊断证明 2027-1",
            day(2027, 1, 2),
            maker("q3"),
        )
        .await
        .unwrap_err();
        assert_eq!(next_year, ApplicationFailed::NotEnrolledFor(2027));
        let mut renewed: EnrolmentRecord = store
            .get_as(StoreName::Enrolments, "e1")
            .await
            .unwrap()
            .unwrap();
        renewed.scheme_year = 2027;
        store
            .put_as(StoreName::Enrolments, "e2", &renewed)
            .await
            .unwrap();
        apply(
            &store,
            "e2",
            ChronicCondition::Diabetes,
            "县医院诊断证明 2027-1",
            day(2027, 1, 2),
            maker("q3"),
        )
        .await
        .unwrap();
    });
}

#[test]
fn an_application_the_server_refused_is_left_out_and_may_be_filed_again() {
    use crate::sync::outbox::record_results;
    use cunbao_domain::sync::MutationResult;
    block_on(async {
        let store = store_with_enrolment().await;
        let today = day(2026, 6, 1);
        let hypertension = ChronicCondition::Hypertension;
        apply(&store, "e1", hypertension, "证明 1", today, maker("q1"))
            .await
            .unwrap();
        let sent = entries(&store).await.unwrap();
        let refused = MutationResult::rejected(
            &sent[0].mutation.typed(),
            "not_enrolled_here",
            Text::new("未在本卫生室参保", "not enrolled here"),
        );
        record_results(&store, &sent, &[refused]).await.unwrap();
        assert!(qualifications_of(&store, PERSON).await.unwrap().is_empty());
        apply(&store, "e1", hypertension, "证明 2", today, maker("q2"))
            .await
            .unwrap();
        let held = qualifications_of(&store, PERSON).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].id, "q2");
    });
}
