use super::*;
use crate::storage::memory::MemoryStore;
use chrono::NaiveDate;
use cunbao_domain::money::Money;
use cunbao_domain::sync::RecordedContribution;
use futures::executor::block_on;
use serde_json::json;

/// Another tablet of the clinic stopped a person's cover and corrected their name: this
/// tablet pulls both (in one page with the enrolment itself), suspends the person from the
/// day and shows the new name with the earlier one in the history.
#[test]
fn a_pulled_stop_and_correction_reach_the_enrolment() {
    use cunbao_domain::enrolment::{
        Correction, Coverage, CoverageBasis, Member, MemberContribution, Relationship, StopReason,
    };
    use cunbao_domain::id_number::IdNumber;
    use cunbao_domain::names::PersonName;
    use cunbao_domain::sync::{RecordedCorrection, RecordedEnrolment, RecordedStop};
    block_on(async {
        let store = MemoryStore::default();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let enrolment = ChangeBody::Enrolment(RecordedEnrolment {
            household_id: "h1".into(),
            member: Member {
                id_number: id.clone(),
                name: PersonName::parse("王秀蓝").unwrap(),
                relationship: Relationship::Head,
                phone: None,
                subsidy: None,
                evidence: None,
            },
            scheme_year: 2026,
            enrolled_on: day(1, 5),
            policy_version: "county-sample-2026.1".into(),
            coverage: Coverage {
                basis: CoverageBasis::OnTime,
                from: day(1, 1),
                to: day(12, 31),
                benefits_from: day(1, 1),
            },
            contribution: MemberContribution {
                id_number: id,
                gross: Money::yuan(400),
                subsidy: Money::ZERO,
                due: Money::yuan(400),
            },
            clinic_id: "clinic-lijia".into(),
            duplicate_of: None,
            late_renewal: false,
            stopped: None,
            operator: None,
        });
        let by = |s: &str| s.to_string();
        let corrected = ChangeBody::Corrected(RecordedCorrection {
            correction_id: "fix-1".into(),
            enrolment_id: "e1".into(),
            earlier: Correction::Name(PersonName::parse("王秀蓝").unwrap()),
            value: Correction::Name(PersonName::parse("王秀兰").unwrap()),
            clinic_id: "clinic-lijia".into(),
            by: by("李家村卫生室"),
            device_id: by("dev-2"),
            device_name: by("卫生室平板2"),
            at: by("2026-06-01T08:00:00Z"),
        });
        let stopped = ChangeBody::CoverStopped(RecordedStop {
            stop_id: "stop-1".into(),
            enrolment_id: "e1".into(),
            from: day(6, 15),
            reason: StopReason::MovedAway,
            clinic_id: "clinic-lijia".into(),
            by: by("李家村卫生室"),
            device_id: by("dev-2"),
            device_name: by("卫生室平板2"),
            at: by("2026-06-01T08:01:00Z"),
        });
        let changes: Vec<Change> = [("e1", enrolment), ("fix-1", corrected), ("stop-1", stopped)]
            .into_iter()
            .enumerate()
            .map(|(i, (id, body))| Change {
                cursor: i as u64 + 1,
                id: id.into(),
                body,
            })
            .collect();
        apply_changes(&store, &changes).await.unwrap();
        let index = crate::desk::residents::ResidentIndex::load(&store)
            .await
            .unwrap();
        let person = index.get("e1").unwrap();
        assert_eq!(person.name(), "王秀兰");
        assert_eq!(person.record.corrections.len(), 1);
        assert_eq!(person.record.corrections[0].earlier.value_text(), "王秀蓝");
        use cunbao_domain::enrolment::Eligibility;
        assert_eq!(person.eligibility(day(6, 14)), Eligibility::Eligible);
        assert_eq!(person.eligibility(day(6, 15)), Eligibility::Suspended);
        // Pulled again (a retry): still one history entry.
        apply_changes(&store, &changes).await.unwrap();
        let again: EnrolmentRecord = store
            .get_as(StoreName::Enrolments, "e1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.corrections.len(), 1);
    });
}

/// The clinic's application comes back pending, then decided: the latest state replaces
/// the earlier one (filed here or not), and the desk reads the person's qualifications by
/// ID number.
#[test]
fn a_pulled_qualification_replaces_the_earlier_state_of_the_application() {
    use cunbao_domain::id_number::IdNumber;
    use cunbao_domain::policy::ChronicCondition;
    use cunbao_domain::qualification::{Qualification, QualificationStatus};
    block_on(async {
        let store = MemoryStore::default();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let pending = Qualification {
            id: "q-1".into(),
            person: IdNumber::parse("11010519491231002X").unwrap(),
            condition: ChronicCondition::Hypertension,
            evidence: "县医院诊断证明 2026-118".into(),
            applied_on: day(6, 1),
            clinic_id: "clinic-lijia".into(),
            status: QualificationStatus::Pending,
            valid_from: None,
            valid_to: None,
            decided_by: None,
            note: None,
        };
        // Kept here as pending when filed.
        let (key, value) = Notice::qualification(&pending);
        store.put(StoreName::Notices, &key, value).await.unwrap();
        let approved = Qualification {
            status: QualificationStatus::Approved,
            valid_from: Some(day(1, 1)),
            valid_to: Some(day(12, 31)),
            decided_by: Some("shenhe".into()),
            ..pending.clone()
        };
        let other = Qualification {
            id: "q-2".into(),
            condition: ChronicCondition::Diabetes,
            ..pending.clone()
        };
        let change = |cursor, q: &Qualification| Change {
            cursor,
            id: q.id.clone(),
            body: ChangeBody::Qualification(q.clone()),
        };
        let desk_changed = apply_changes(
            &store,
            &[change(1, &pending), change(2, &other), change(3, &approved)],
        )
        .await
        .unwrap();
        // Notices only: the desk's residents and receipts are as they were.
        assert!(!desk_changed);
        let held = Notice::qualifications_of(&store, "11010519491231002X")
            .await
            .unwrap();
        assert_eq!(held, [approved.clone(), other.clone()]);
        assert!(approved.covers(ChronicCondition::Hypertension, day(6, 16)));
        // Nothing else in the notices reads as a qualification of the person.
        let accumulators = Notice::accumulators(&cunbao_domain::sync::YearToDate {
            key: cunbao_domain::sync::AccumulatorKey::new(
                "11010519491231002X",
                2026,
                "general_outpatient",
            ),
            deductible_met: Money::ZERO,
            fund_paid: Money::ZERO,
            as_of: day(6, 1),
        });
        store
            .put_all(StoreName::Notices, &[accumulators])
            .await
            .unwrap();
        let again = Notice::qualifications_of(&store, "11010519491231002X")
            .await
            .unwrap();
        assert_eq!(again, held);
    });
}

/// Pulling back this tablet's own contribution keeps its printable receipt; a
/// contribution made on another tablet of the clinic is filed as the server has it.
#[test]
fn a_pulled_contribution_never_replaces_this_tablets_own_receipt() {
    block_on(async {
        let store = MemoryStore::default();
        let receipt = json!({ "receipt_no": "RABC-000001", "payer": "张三" });
        store
            .put(StoreName::Contributions, "own", receipt.clone())
            .await
            .unwrap();
        let pulled = |id: &str, cursor| Change {
            cursor,
            id: id.to_string(),
            body: ChangeBody::Contribution(RecordedContribution {
                receipt_no: format!("R-{id}"),
                household_id: "h1".into(),
                enrolment_ids: vec!["e1".into()],
                amount: Money::yuan(390),
                collected_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                operator: None,
            }),
        };
        let desk_changed = apply_changes(&store, &[pulled("own", 1), pulled("other", 2)])
            .await
            .unwrap();
        assert!(desk_changed);
        let own = store.get(StoreName::Contributions, "own").await.unwrap();
        assert_eq!(own, Some(receipt));
        let other = store.get(StoreName::Contributions, "other").await.unwrap();
        assert_eq!(other.unwrap()["receipt_no"], "R-other");
    });
}

/// A claim the server paid as this tablet settled it is left as recorded; one it paid
/// otherwise, or holds for review, gets the server's figures beside it. The person's
/// year-to-date figures are filed either way.
#[test]
fn a_claim_record_gets_the_servers_figures_only_where_they_say_more() {
    use crate::storage::records::sample_claim_record;
    use cunbao_domain::sync::{AccumulatorKey, ClaimOutcome, YearToDate};
    block_on(async {
        let store = MemoryStore::default();
        let visit = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut record = sample_claim_record(visit, 2);
        record.server = None;
        let settled = record.claim.settlement.clone();
        for id in ["as-settled", "adjusted", "held"] {
            let mut own = record.clone();
            own.claim_id = id.into();
            store.put_as(StoreName::Claims, id, &own).await.unwrap();
        }
        let figures = |person: &str| YearToDate {
            key: AccumulatorKey::new(person, 2026, "general_outpatient"),
            deductible_met: Money::yuan(0),
            fund_paid: settled.fund,
            as_of: visit,
        };
        let outcome = |id: &str, server_fund: Money, held: bool| Change {
            cursor: 1,
            id: id.into(),
            body: ChangeBody::Claim(ClaimOutcome {
                claim_id: id.into(),
                total: settled.total,
                device_fund: settled.fund,
                server_fund,
                patient: settled.patient,
                accumulators: (!held).then(|| figures(id)),
                operator: None,
            }),
        };
        let other = settled.fund + Money::yuan(1);
        apply_changes(
            &store,
            &[
                outcome("as-settled", settled.fund, false),
                outcome("adjusted", other, false),
                outcome("held", settled.fund, true),
            ],
        )
        .await
        .unwrap();
        let stored = |id: &'static str| {
            let store = &store;
            async move {
                store
                    .get_as::<ClaimRecord>(StoreName::Claims, id)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let mut unchanged = record.clone();
        unchanged.claim_id = "as-settled".into();
        assert_eq!(stored("as-settled").await, unchanged);
        assert_eq!(stored("adjusted").await.server.unwrap().server_fund, other);
        assert!(stored("held").await.server.unwrap().accumulators.is_none());
        for person in ["as-settled", "adjusted"] {
            let key = Notice::accumulators_key(&figures(person).key);
            assert!(store.get(StoreName::Notices, &key).await.unwrap().is_some());
        }
    });
}

/// A page's writes to one store keep only each key's last, in the order of those.
#[test]
fn only_the_last_write_of_each_key_is_kept() {
    let write = |key: &str, n: i32| (key.to_string(), json!(n));
    let kept = last_of_each(vec![
        write("a", 1),
        write("b", 2),
        write("a", 3),
        write("c", 4),
    ]);
    assert_eq!(kept, [write("b", 2), write("a", 3), write("c", 4)]);
}
