use super::*;
use crate::storage::memory::MemoryStore;
use crate::sync::outbox::{entries, EntryState};
use cunbao_domain::id_number::compose;
use futures::executor::block_on;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn member(id: &IdNumber, name: &str, rel: &str) -> MemberDraft {
    MemberDraft {
        id_number: id.to_string(),
        name: name.into(),
        relationship: rel.into(),
        ..MemberDraft::default()
    }
}

fn family(today: NaiveDate) -> HouseholdDraft {
    let head = compose("110105", day(1980, 3, 4), 11);
    let wife = compose("110105", day(1982, 7, 9), 22);
    let grandma = compose("110105", day(1950, 1, 20), 32);
    let baby = compose("110105", today - chrono::Days::new(30), 41);
    let mut dibao = member(&grandma, "赵桂芝", "parent");
    dibao.subsidy = "dibao".into();
    dibao.evidence_number = "DB-2025-0091".into();
    HouseholdDraft {
        household_id: String::new(),
        members: vec![
            member(&head, "张建军", "head"),
            member(&wife, "刘芳", "spouse"),
            dibao,
            member(&baby, "张小宝", "child"),
        ],
    }
}

/// Saves with ids id-1, id-2, … as the desk would with fresh UUIDs.
async fn save_on(
    store: &MemoryStore,
    draft: &HouseholdDraft,
    plan: &Plan,
    policy: &Policy,
    today: NaiveDate,
    receipt_no: &str,
) -> Receipt {
    crate::sync::outbox::sign_in_for_tests(store, "lijia", "王秀兰").await;
    let mut n = 0;
    let mut ids = || {
        n += 1;
        format!("id-{n}")
    };
    let ctx = SaveContext {
        policy,
        today,
        now_ms: 1,
        receipt_no: receipt_no.into(),
        new_id: &mut ids,
        draft: Some("enrol"),
    };
    save(store, draft, plan, ctx).await.unwrap()
}

#[test]
fn with_nobody_signed_in_nothing_is_saved_and_the_receipt_names_the_signed_in_collector() {
    block_on(async {
        let store = MemoryStore::default();
        let policy = Policy::sample_2025();
        let today = day(2025, 6, 16);
        let draft = family(today);
        let plan = plan(&draft, &policy, &ResidentIndex::default(), today).unwrap();
        local::save_draft(&store, "enrol", &draft).await.unwrap();
        let mut ids = || "id-x".to_string();
        let ctx = SaveContext {
            policy: &policy,
            today,
            now_ms: 1,
            receipt_no: "RABC-000001".into(),
            new_id: &mut ids,
            draft: Some("enrol"),
        };
        let refused = save(&store, &draft, &plan, ctx).await.unwrap_err();
        assert_eq!(refused, outbox::SaveError::NotSignedIn);
        assert!(entries(&store).await.unwrap().is_empty());
        assert!(receipts_on(&store, today).await.unwrap().is_empty());
        let kept: Option<HouseholdDraft> = local::load_draft(&store, "enrol").await.unwrap();
        assert!(kept.is_some(), "the form stays as typed");
        // Signed in: the receipt and every entry carry the collector.
        let receipt = save_on(&store, &draft, &plan, &policy, today, "RABC-000001").await;
        assert_eq!(receipt.collector, "王秀兰");
        for entry in entries(&store).await.unwrap() {
            assert_eq!(entry.mutation.operator.unwrap().username, "lijia");
        }
    });
}

#[test]
fn a_household_of_four_with_a_dibao_member_and_a_newborn_is_priced_and_saved() {
    block_on(async {
        let store = MemoryStore::default();
        let policy = Policy::sample_2025();
        let today = day(2025, 6, 16);
        let draft = family(today);
        let plan = plan(&draft, &policy, &ResidentIndex::default(), today).unwrap();
        // 390 × 3; the 低保 member pays nothing.
        assert_eq!(plan.contribution.total_due, Money::yuan(1170));
        assert_eq!(plan.contribution.members[2].due, Money::ZERO);
        local::save_draft(&store, "enrol", &draft).await.unwrap();
        let receipt = save_on(&store, &draft, &plan, &policy, today, "RABC-000001").await;
        assert_eq!(receipt.total, Money::yuan(1170));
        // Saved with the records and entries: the form's draft is gone.
        let kept: Option<HouseholdDraft> = local::load_draft(&store, "enrol").await.unwrap();
        assert_eq!(kept, None);
        assert_eq!(receipt.payer, "张建军");
        assert_eq!(receipt.members.len(), 4);
        // Four enrolments and one contribution queued, in that order.
        let queued = entries(&store).await.unwrap();
        assert_eq!(queued.len(), 5);
        assert!(queued.iter().all(|e| e.state == EntryState::Pending));
        assert!(matches!(
            queued[4].mutation.typed().body,
            MutationBody::Contribution { .. }
        ));
        let index = ResidentIndex::load(&store).await.unwrap();
        assert_eq!(index.len(), 4);
        // The newborn is covered from the birth month, no waiting.
        let baby = index.search("张小宝", 1)[0];
        assert_eq!(
            baby.eligibility(today),
            cunbao_domain::enrolment::Eligibility::Eligible
        );
        assert_eq!(
            super::receipt(&store, "RABC-000001").await.unwrap(),
            Some(receipt)
        );

        // The same people again: refused as duplicates, naming the standing enrolment.
        let again = super::plan(&draft, &policy, &index, today).unwrap_err();
        assert_eq!(again.len(), 4);
        assert!(
            again[0].message.zh.contains("不能重复参保"),
            "{:?}",
            again[0]
        );
        let head = index.search("张建军", 1)[0];
        assert_eq!(
            again[0].existing.as_deref(),
            Some(head.enrolment_id.as_str())
        );
    });
}

#[test]
fn each_wrong_field_is_named_and_the_id_number_error_is_precise() {
    let policy = Policy::sample_2025();
    let today = day(2025, 6, 16);
    let mut draft = family(today);
    // Last digit wrong: the message names the expected check digit.
    let good = draft.members[0].id_number.clone();
    let bad_check = if good.ends_with('0') { "1" } else { "0" };
    draft.members[0].id_number = format!("{}{bad_check}", &good[..17]);
    draft.members[1].name = String::new();
    draft.members[2].evidence_number = String::new();
    let errors = plan(&draft, &policy, &ResidentIndex::default(), today).unwrap_err();
    let at = |m: usize, f: &str| errors.iter().find(|e| e.member == m && e.field == f);
    let id = at(0, "id_number").expect("id error");
    assert!(id.message.zh.contains("校验位错误"), "{}", id.message);
    assert!(id.message.zh.contains(&good[17..]), "{}", id.message);
    assert!(at(1, "name").is_some());
    // Evidence is checked once every field parses; fix the others and it is reported.
    draft.members[0].id_number = good;
    draft.members[1].name = "刘芳".into();
    let errors = plan(&draft, &policy, &ResidentIndex::default(), today).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].member, errors[0].field), (2, "evidence_number"));
}

#[test]
fn a_missing_paper_is_accepted_with_a_deadline() {
    block_on(async {
        let store = MemoryStore::default();
        let policy = Policy::sample_2025();
        let today = day(2025, 6, 16);
        let mut draft = family(today);
        draft.members[1].missing_document = "户口簿".into();
        let plan = plan(&draft, &policy, &ResidentIndex::default(), today).unwrap();
        save_on(&store, &draft, &plan, &policy, today, "R-1").await;
        let index = ResidentIndex::load(&store).await.unwrap();
        let pending = index.pending_documents();
        assert_eq!(pending.len(), 1);
        let doc = pending[0].record.pending_document.as_ref().unwrap();
        assert_eq!(doc.missing, "户口簿");
        assert_eq!(doc.deadline, pending_documents_deadline(&policy, today));
    });
}

/// Back-payment (断保补缴): a person whose cover ended on 31 December and who enrols again
/// within the policy's 3 months keeps continuous cover with no waiting period; a day later
/// it is a late enrolment with a waiting period.
#[test]
fn a_lapse_of_three_months_is_back_paid_and_a_day_more_waits() {
    use cunbao_domain::enrolment::{Coverage, CoverageBasis};
    let policy = Policy::sample_2025();
    let person = compose("110105", day(1980, 3, 4), 11);
    let last_year = EnrolmentRecord {
        household_id: "h-old".into(),
        member: check_member(&member(&person, "张建军", "head"), 0).unwrap(),
        scheme_year: 2024,
        enrolled_on: day(2023, 11, 2),
        policy_version: "county-sample-2024.1".into(),
        coverage: Some(Coverage {
            basis: CoverageBasis::OnTime,
            from: day(2024, 1, 1),
            to: day(2024, 12, 31),
            benefits_from: day(2024, 1, 1),
        }),
        duplicate_of: None,
        pending_document: None,
        receipt_no: None,
        stopped: None,
        corrections: Vec::new(),
    };
    let known = ResidentIndex::from_records(vec![(
        "e-2024".into(),
        serde_json::to_value(&last_year).unwrap(),
    )]);
    let draft = HouseholdDraft {
        household_id: String::new(),
        members: vec![member(&person, "张建军", "head")],
    };
    let within = plan(&draft, &policy, &known, day(2025, 3, 31)).unwrap();
    assert_eq!(within.coverages[0].basis, CoverageBasis::Continuous);
    assert_eq!(within.coverages[0].benefits_from, day(2025, 3, 31));
    let later = plan(&draft, &policy, &known, day(2025, 4, 1)).unwrap();
    assert_eq!(later.coverages[0].basis, CoverageBasis::Late);
    assert_eq!(later.coverages[0].benefits_from, day(2025, 7, 1));
    // Nobody known from last year: late, with the waiting period.
    let stranger = plan(&draft, &policy, &ResidentIndex::default(), day(2025, 3, 31)).unwrap();
    assert_eq!(stranger.coverages[0].basis, CoverageBasis::Late);
}

/// The household checks are shown next to the fields they are about, alongside any other
/// error: no head (on the first member's relationship), two heads (on the second), the same
/// ID number twice (on the later one).
#[test]
fn household_checks_sit_next_to_their_fields() {
    let policy = Policy::sample_2025();
    let today = day(2024, 11, 5);
    let errors_of = |draft: &HouseholdDraft| -> Vec<(usize, &'static str, String)> {
        plan(draft, &policy, &ResidentIndex::default(), today)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.member, e.field, e.message.zh))
            .collect()
    };
    let head = compose("110105", day(1980, 3, 4), 11);
    let wife = compose("110105", day(1982, 7, 9), 22);
    let no_head = HouseholdDraft {
        household_id: String::new(),
        members: vec![
            member(&head, "张建军", "spouse"),
            member(&wife, "刘芳", "spouse"),
        ],
    };
    assert_eq!(
        errors_of(&no_head),
        [(0, "relationship", "一户必须有且只有一名户主".to_string())]
    );
    let two_heads = HouseholdDraft {
        household_id: String::new(),
        members: vec![
            member(&head, "张建军", "head"),
            member(&wife, "刘芳", "head"),
        ],
    };
    assert_eq!(
        errors_of(&two_heads),
        [(1, "relationship", "一户必须有且只有一名户主".to_string())]
    );
    let mut twice = HouseholdDraft {
        household_id: String::new(),
        members: vec![
            member(&head, "张建军", "head"),
            member(&head, "张建君", "spouse"),
        ],
    };
    twice.members[1].id_number = twice.members[1].id_number.to_lowercase();
    let errors = errors_of(&twice);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0, errors[0].1), (1, "id_number"));
    assert!(
        errors[0].2.contains("同一户内身份证号重复"),
        "{}",
        errors[0].2
    );
    // With another error elsewhere (a bad phone), the household check still shows.
    let mut both = two_heads.clone();
    both.members[0].phone = "123".into();
    let errors = errors_of(&both);
    assert!(errors.iter().any(|e| e.0 == 0 && e.1 == "phone"));
    assert!(errors.iter().any(|e| e.0 == 1 && e.1 == "relationship"));
}
