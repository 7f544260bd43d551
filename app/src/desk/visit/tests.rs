use super::*;
use crate::desk::residents::ResidentIndex;
use crate::storage::memory::MemoryStore;
use cunbao_domain::enrolment::{Coverage, CoverageBasis};
use cunbao_domain::money::Money;
use cunbao_domain::risk::RuleId;
use cunbao_domain::sample;
use futures::executor::block_on;
use serde_json::json;

const PERSON: &str = "11010519491231002X";

mod qualified;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn patient() -> ResidentIndex {
    let mut record = json!({
        "household_id": "h1",
        "member": { "id_number": PERSON, "name": "王秀兰", "relationship": "head" },
        "scheme_year": 2025, "enrolled_on": "2024-10-10",
        "policy_version": "county-sample-2025.1",
    });
    record["coverage"] = json!(Coverage {
        basis: CoverageBasis::OnTime,
        from: day(2025, 1, 1),
        to: day(2025, 12, 31),
        benefits_from: day(2025, 1, 1),
    });
    ResidentIndex::from_records(vec![("e1".into(), record)])
}

fn catalogue() -> CatalogueIndex {
    let c = sample::catalogue();
    CatalogueIndex::new(c.version.clone(), c.items.clone())
}

/// PRODUCT.md §3's worked example, typed at the desk.
fn worked_example(cat: &CatalogueIndex) -> VisitDraft {
    let code = |name: &str, price: &str| {
        cat.search(name, 10)
            .into_iter()
            .find(|i| i.name == name && i.price.to_string() == price)
            .unwrap()
            .code
            .to_string()
    };
    VisitDraft {
        enrolment_id: "e1".into(),
        identity: "id_card".into(),
        diagnoses: vec!["J06.9".into()],
        lines: vec![
            LineDraft {
                code: code("阿莫西林胶囊", "12.50"),
                quantity: "2".into(),
            },
            LineDraft {
                code: code("硝苯地平缓释片", "31.60"),
                quantity: "1".into(),
            },
            LineDraft {
                code: code("一般诊疗费", "10.00"),
                quantity: "1".into(),
            },
            LineDraft {
                code: code("某保健品", "48.00"),
                quantity: "1".into(),
            },
        ],
        ..VisitDraft::default()
    }
}

/// Settles `draft` for a person with no year-to-date figures and no history.
fn quote_fresh(
    policy: &Policy,
    cat: &CatalogueIndex,
    person: &Resident,
    draft: &VisitDraft,
) -> Result<(Quote, Vec<LineError>), cunbao_domain::text::Text> {
    quote(
        policy,
        cat,
        person,
        draft,
        LocalAccumulators::default(),
        NO_FACTS,
        day(2025, 6, 16),
    )
}

/// A patient with no earlier visits and no qualifications.
const NO_FACTS: PatientFacts<'static> = PatientFacts {
    history: &[],
    qualifications: &[],
};

async fn server_reported(store: &MemoryStore) {
    let key = format!("accumulators:{PERSON}|2025|general_outpatient");
    store
        .put(
            StoreName::Notices,
            &key,
            json!({ "entity": "accumulators", "data": {
                "deductible_met": "250.00", "fund_paid": "1990.00",
                "as_of": "2025-05-30" } }),
        )
        .await
        .unwrap();
}

#[test]
fn the_worked_example_settles_to_the_specified_figures_warns_flags_and_saves_durably() {
    block_on(async {
        let store = MemoryStore::default();
        server_reported(&store).await;
        let policy = Policy::sample_2025();
        let cat = catalogue();
        crate::sync::outbox::sign_in_for_tests(&store, "lijia", "王秀兰").await;

        let index = patient();
        let person = index.get("e1").unwrap();
        let today = day(2025, 6, 16);
        let mut draft = worked_example(&cat);
        let acc = accumulators(&store, &[], PERSON, 2025, "general_outpatient")
            .await
            .unwrap();
        assert_eq!(acc.server_as_of, Some(day(2025, 5, 30)));
        let (q, errors) = quote(&policy, &cat, person, &draft, acc, NO_FACTS, today).unwrap();
        assert!(errors.is_empty());
        let s = &q.settlement;
        assert_eq!(s.total.to_string(), "114.60");
        assert_eq!(s.in_policy.to_string(), "62.00");
        assert_eq!(s.deductible_taken.to_string(), "50.00");
        assert_eq!(s.fund.to_string(), "6.00");
        assert_eq!(s.patient.to_string(), "108.60");
        assert_eq!(s.lines[1].self_pay_full.to_string(), "1.60");
        assert_eq!(s.lines[1].self_pay_first.to_string(), "3.00");
        // 硝苯地平 is restricted to hypertension (warn) and priced above its standard (flag).
        let rules: Vec<RuleId> = q.hits.iter().map(|h| h.rule).collect();
        assert!(rules.contains(&RuleId::DiagnosisRestriction), "{rules:?}");
        assert!(
            rules.contains(&RuleId::PriceAbovePaymentStandard),
            "{rules:?}"
        );
        assert_eq!(q.worst(), Some(Severity::Warn));
        assert!(!q.pending_review);
        let ctx = |id: &str| ClaimContext {
            claim_id: id.into(),
            policy: &policy,
            catalogue_version: &cat.version,
            today,
            now_ms: 5,
            draft: Some("visit"),
        };
        let kept = || async {
            local::load_draft::<VisitDraft>(&store, "visit")
                .await
                .unwrap()
        };
        local::save_draft(&store, "visit", &draft).await.unwrap();
        // No reason, no settlement; the form stays as typed.
        assert!(save(&store, person, &draft, &q, ctx("c1")).await.is_err());
        assert!(kept().await.is_some());
        draft.reason = "患者自述血压偏高，医生开具".into();
        // A reason, but the patient not yet told of the self-pay part (48.00 + 1.60): refused.
        assert!(q.settlement.has_self_pay());
        let untold = save(&store, person, &draft, &q, ctx("c1"))
            .await
            .unwrap_err();
        assert!(untold.zh.contains("自费"), "{}", untold.zh);
        assert!(kept().await.is_some());
        draft.self_pay_told = true;
        let saved = save(&store, person, &draft, &q, ctx("c1")).await.unwrap();
        assert_eq!(saved.claim.settlement.fund.to_string(), "6.00");
        assert!(saved.claim.self_pay_informed);
        // The claim, its outbox entry and the end of the draft land together.
        assert_eq!(outbox::entries(&store).await.unwrap().len(), 1);
        assert!(kept().await.is_none());
        // The next visit starts from the accumulators after this one.
        let own = claims_of(&store, PERSON).await.unwrap();
        let after = accumulators(&store, &own, PERSON, 2025, "general_outpatient")
            .await
            .unwrap();
        assert_eq!(after.figures.deductible_met.to_string(), "300.00");
        assert_eq!(after.figures.fund_paid.to_string(), "1996.00");
        assert_eq!(after.local_claims, 1);

        // Voided before upload: allowed once, with a reason; the accumulators drop it.
        assert!(void(&store, "c1", "", 6).await.is_err());
        void(&store, "c1", "录入错误", 6).await.unwrap();
        let own = claims_of(&store, PERSON).await.unwrap();
        assert_eq!(own[0].voided.as_deref(), Some("录入错误"));
        let back = accumulators(&store, &own, PERSON, 2025, "general_outpatient")
            .await
            .unwrap();
        assert_eq!(back.figures.fund_paid.to_string(), "1990.00");

        // Once uploaded, a void is proposed to the township (双人复核): the claim stands, one
        // proposal awaits at a time, and the outbox carries it with its reason.
        let saved = save(&store, person, &draft, &q, ctx("c2")).await.unwrap();
        assert!(propose_void(&store, "c2", "x", "p1", 7).await.is_err());
        propose_void(&store, "c2", " 录错病人 ", "p1", 7)
            .await
            .unwrap();
        let again = propose_void(&store, "c2", "录错病人", "p2", 8).await;
        assert!(again.unwrap_err().zh.contains("待乡镇复核"));
        let own: ClaimRecord = store
            .get_as(StoreName::Claims, "c2")
            .await
            .unwrap()
            .unwrap();
        assert!(own.voided.is_none());
        assert_eq!(own.claim, saved.claim);
        let proposal = own.void_proposal.unwrap();
        assert!(proposal.awaiting());
        assert_eq!(proposal.reason, "录错病人");
        let last = outbox::entries(&store).await.unwrap().pop().unwrap();
        assert_eq!(last.mutation.record_id, "p1");
        assert_eq!(
            last.mutation.typed().body,
            MutationBody::VoidProposal {
                claim_id: "c2".into(),
                reason: "录错病人".into()
            }
        );
    });
}

#[test]
fn a_proxy_without_relationship_blocks_and_nonsense_quantities_are_refused() {
    let policy = Policy::sample_2025();
    let cat = catalogue();
    let index = patient();
    let person = index.get("e1").unwrap();
    let mut draft = worked_example(&cat);
    draft.identity = "proxy".into();
    draft.lines.truncate(1);
    let (q, _) = quote_fresh(&policy, &cat, person, &draft).unwrap();
    assert_eq!(q.worst(), Some(Severity::Block));
    draft.reason = "任何理由都不行".into();
    draft.self_pay_told = true;
    assert!(q.can_confirm(&draft).is_err());
    for bad in ["-1", "0", "1.23456", "1000", "abc", ""] {
        assert!(parse_quantity(bad).is_err(), "{bad}");
    }
    assert_eq!(parse_quantity("0.5").unwrap().to_string(), "0.5");
    // Four decimals, the national platform's precision; a fifth is refused in words.
    assert_eq!(parse_quantity("0.0625").unwrap().to_string(), "0.0625");
    assert_eq!(parse_quantity("1.2345").unwrap().to_string(), "1.2345");
    assert_eq!(
        parse_quantity("0.00001").unwrap_err().zh,
        "数量最多四位小数：0.00001"
    );
    // A bad line is named and left out; the rest is still settled.
    draft.lines = worked_example(&cat).lines;
    draft.lines[0].quantity = "-2".into();
    let (q, errors) = quote_fresh(&policy, &cat, person, &draft).unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 0);
    assert_eq!(q.lines.len(), 3);
}

#[test]
fn a_visit_over_the_offline_limit_is_saved_for_review() {
    let policy = Policy::sample_2025();
    let cat = catalogue();
    let index = patient();
    let person = index.get("e1").unwrap();
    let mut draft = worked_example(&cat);
    draft.lines[2].quantity = "1".into();
    draft.lines[3].quantity = "9".into(); // 9 × 48 = 432; total over 500
    draft.lines[0].quantity = "3".into();
    let (q, _) = quote_fresh(&policy, &cat, person, &draft).unwrap();
    assert!(
        q.settlement.total > Money::yuan(500),
        "{}",
        q.settlement.total
    );
    assert!(q.pending_review);
}

/// A tablet sold per piece (PRODUCT.md §2.3): the line keeps the catalogue's price to the
/// hundredth of a fen; only the amount is rounded, and the saved claim reads it back unchanged.
#[test]
fn a_tablet_sold_per_piece_keeps_its_price_and_rounds_only_the_amount() {
    let policy = Policy::sample_2025();
    let cat = catalogue();
    let index = patient();
    let person = index.get("e1").unwrap();
    let mut draft = worked_example(&cat);
    draft.diagnoses = vec!["E11.9".into()];
    draft.lines = vec![LineDraft {
        code: "XA10BAA003".into(),
        quantity: "30".into(),
    }];
    let (q, errors) = quote_fresh(&policy, &cat, person, &draft).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(q.lines[0].price.to_string(), "0.2083");
    // 0.2083 × 30 = 6.249 → 6.25
    assert_eq!(q.settlement.lines[0].amount.to_string(), "6.25");
    let json = serde_json::to_value(&q.lines[0]).unwrap();
    assert_eq!(json["price"], "0.2083");
    // A quantity with four decimals: 0.2083 × 1.5 = 0.31245 → 0.31.
    draft.lines[0].quantity = "1.5000".into();
    let (q, _) = quote_fresh(&policy, &cat, person, &draft).unwrap();
    assert_eq!(q.settlement.lines[0].amount.to_string(), "0.31");
}
