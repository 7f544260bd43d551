//! Properties that must hold for every input, not just the worked examples.

use chrono::NaiveDate;
use cunbao_domain::catalogue::ItemClass;
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::money::Money;
use cunbao_domain::names::{ItemCode, PersonName, Phone};
use cunbao_domain::quantity::{Quantity, Ratio};
use cunbao_domain::quote::quote_json;
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn money(max_fen: i64) -> impl Strategy<Value = Money> {
    (0..=max_fen).prop_map(Money::from_fen)
}

fn ratio() -> impl Strategy<Value = Ratio> {
    (0i64..=10_000).prop_map(|r| Ratio::new(Decimal::new(r, 4)).unwrap())
}

fn quantity() -> impl Strategy<Value = Quantity> {
    (1i64..=20_000).prop_map(|q| Quantity::new(Decimal::new(q, 3)).unwrap())
}

fn line() -> impl Strategy<Value = LineInput> {
    (
        prop_oneof![
            Just(ItemClass::A),
            Just(ItemClass::B),
            Just(ItemClass::SelfPay)
        ],
        money(100_000),
        quantity(),
        proptest::option::of(money(100_000)),
        ratio(),
    )
        .prop_map(
            |(class, price, quantity, payment_standard, ratio)| LineInput {
                code: None,
                name: None,
                class,
                price,
                quantity,
                payment_standard,
                first_self_pay_ratio: Some(ratio),
            },
        )
}

fn benefit() -> impl Strategy<Value = BenefitParams> {
    (
        money(100_000),
        ratio(),
        money(1_000_000),
        proptest::option::of(money(50_000)),
    )
        .prop_map(
            |(deductible, ratio, annual_cap, per_visit_cap)| BenefitParams {
                deductible,
                ratio,
                annual_cap,
                per_visit_cap,
            },
        )
}

fn accumulators() -> impl Strategy<Value = Accumulators> {
    (money(200_000), money(2_000_000)).prop_map(|(deductible_met, fund_paid)| Accumulators {
        deductible_met,
        fund_paid,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn settlement_invariants(
        benefit in benefit(),
        before in accumulators(),
        lines in proptest::collection::vec(line(), 1..12),
    ) {
        let s = settle(&benefit, before, &lines).unwrap();
        // fund + patient = total
        prop_assert_eq!(s.fund + s.patient, s.total);
        // each line splits exactly; the visit is the sum of its lines
        for l in &s.lines {
            prop_assert_eq!(l.self_pay_full + l.self_pay_first + l.in_policy, l.amount);
        }
        prop_assert_eq!(s.self_pay_full + s.self_pay_first + s.in_policy, s.total);
        // 0 ≤ fund ≤ open annual cap, per-visit cap, and what is left after the deductible
        let open_cap = benefit.annual_cap.saturating_sub(before.fund_paid);
        prop_assert!(s.fund <= open_cap);
        if let Some(cap) = benefit.per_visit_cap {
            prop_assert!(s.fund <= cap);
        }
        prop_assert!(s.fund <= s.in_policy.saturating_sub(s.deductible_taken));
        prop_assert!(s.deductible_taken <= s.in_policy);
        // accumulators never go down, and the deductible is never over-taken
        prop_assert!(s.accumulators_after.deductible_met >= before.deductible_met);
        prop_assert!(s.accumulators_after.fund_paid >= before.fund_paid);
        prop_assert!(s.accumulators_after.deductible_met <= before.deductible_met.max(benefit.deductible));
        prop_assert!(s.accumulators_after.fund_paid <= before.fund_paid.max(benefit.annual_cap));
        // deterministic
        prop_assert_eq!(settle(&benefit, before, &lines).unwrap(), s);
    }

    #[test]
    fn rounding_is_stable_and_half_up(fen in 0i64..10_000_000, extra in 0i64..10) {
        let value = Decimal::new(fen * 10 + extra, 3);
        let rounded = Money::round_half_up(value);
        prop_assert_eq!(Money::round_half_up(rounded.amount()), rounded);
        let expected = if extra >= 5 { fen + 1 } else { fen };
        prop_assert_eq!(rounded, Money::from_fen(expected));
        prop_assert_eq!(Money::parse(&rounded.to_string()).unwrap(), rounded);
    }

    #[test]
    fn composed_id_numbers_parse_and_decode(
        days in 0i64..45_000,
        region in prop_oneof![Just("110105"), Just("450324"), Just("310101")],
        sequence in 0u16..1000,
    ) {
        let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(days as u64);
        let id = compose(region, birth, sequence);
        let parsed = IdNumber::parse(id.as_str()).unwrap();
        prop_assert_eq!(parsed.birth_date(), birth);
        prop_assert_eq!(parsed.masked().len(), 18);
    }

    #[test]
    fn parsing_never_panics(text in ".{0,40}") {
        let _ = IdNumber::parse(&text);
        let _ = Money::parse(&text);
        let _ = Quantity::parse(&text);
        let _ = Ratio::parse(&text);
        let _ = Phone::parse(&text);
        let _ = PersonName::parse(&text);
        let _ = ItemCode::parse(&text);
        let _ = quote_json(&text);
    }

    #[test]
    fn id_number_shaped_strings_never_panic(text in "[0-9Xx]{15,19}") {
        if let Ok(id) = IdNumber::parse(&text) {
            prop_assert_eq!(IdNumber::parse(id.as_str()).unwrap(), id);
        }
    }
}
