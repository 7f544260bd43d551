//! Properties that must hold for every input, not just the worked examples.

use chrono::NaiveDate;
use cunbao_domain::catalogue::ItemClass;
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::money::{round_fen, Money};
use cunbao_domain::names::{ItemCode, PersonName, Phone};
use cunbao_domain::quantity::{Quantity, Ratio};
use cunbao_domain::quote::quote_json;
use cunbao_domain::settlement::{settle, settle_line, Accumulators, BenefitParams, LineInput};
use cunbao_domain::unit_price::UnitPrice;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn money(max_fen: i64) -> impl Strategy<Value = Money> {
    (0..=max_fen).prop_map(Money::from_fen)
}

fn ratio() -> impl Strategy<Value = Ratio> {
    (0i64..=10_000).prop_map(|r| Ratio::new(Decimal::new(r, 4)).unwrap())
}

/// Quantities with up to four decimals (the national platform's precision), up to 20.
fn quantity() -> impl Strategy<Value = Quantity> {
    (1i64..=200_000).prop_map(|q| Quantity::new(Decimal::new(q, 4)).unwrap())
}

/// Unit prices written with two to six decimals: up to 1,000,000.00 yuan at two decimals, up
/// to 100 yuan at six (a tablet sold per piece).
fn unit_price() -> impl Strategy<Value = UnitPrice> {
    (0i64..=100_000_000, 2u32..=6)
        .prop_map(|(n, scale)| UnitPrice::try_from_decimal(Decimal::new(n, scale)).unwrap())
}

fn line() -> impl Strategy<Value = LineInput> {
    (
        prop_oneof![
            Just(ItemClass::A),
            Just(ItemClass::B),
            Just(ItemClass::SelfPay)
        ],
        unit_price(),
        quantity(),
        proptest::option::of(unit_price()),
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

fn a_line(price: &str, quantity: &str) -> LineInput {
    LineInput {
        code: None,
        name: None,
        class: ItemClass::A,
        price: UnitPrice::parse(price).unwrap(),
        quantity: Quantity::parse(quantity).unwrap(),
        payment_standard: None,
        first_self_pay_ratio: None,
    }
}

#[test]
fn constructed_half_fen_cases() {
    // 0.0025 × 2 = 0.005: exactly half a fen, up to 0.01.
    assert_eq!(
        settle_line(&a_line("0.0025", "2")).amount,
        Money::from_fen(1)
    );
    // 0.208333 × 3 = 0.624999: just below half, down to 0.62.
    assert_eq!(
        settle_line(&a_line("0.208333", "3")).amount,
        Money::from_fen(62)
    );
    // 0.000125 × 0.0001 is far below a fen.
    assert_eq!(
        settle_line(&a_line("0.000125", "0.0001")).amount,
        Money::ZERO
    );
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
        // every figure is in fen, however many decimals prices and quantities have
        for l in &s.lines {
            for m in [l.amount, l.self_pay_full, l.self_pay_first, l.in_policy] {
                prop_assert!(m.amount().normalize().scale() <= 2, "{}", m.amount());
            }
        }
        for m in [s.total, s.in_policy, s.deductible_taken, s.fund, s.patient] {
            prop_assert!(m.amount().normalize().scale() <= 2, "{}", m.amount());
        }
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
    fn a_line_amount_is_the_exact_product_rounded_half_up_once(
        line in line(),
    ) {
        let exact = line.price.value() * line.quantity.value();
        let s = settle_line(&line);
        prop_assert_eq!(s.amount.amount(), round_fen(exact));
        prop_assert!((s.amount.amount() - exact).abs() <= Decimal::new(5, 3));
        // (price − standard) × quantity, multiplied before it is rounded
        if line.class != ItemClass::SelfPay {
            let above = match line.payment_standard {
                Some(standard) if line.price > standard => {
                    round_fen((line.price.value() - standard.value()) * line.quantity.value())
                        .min(s.amount.amount())
                }
                _ => Decimal::ZERO,
            };
            prop_assert_eq!(s.self_pay_full.amount(), above);
        }
    }

    #[test]
    fn unit_prices_read_back_as_written(n in 0i64..=100_000_000, scale in 0u32..=6) {
        let price = UnitPrice::try_from_decimal(Decimal::new(n, scale)).unwrap();
        let text = price.to_string();
        prop_assert!(text.split('.').nth(1).is_some_and(|d| (2..=6).contains(&d.len())), "{}", text);
        prop_assert_eq!(UnitPrice::parse(&text).unwrap(), price);
        prop_assert_eq!(UnitPrice::parse(&text).unwrap().to_string(), text.clone());
        let json = serde_json::to_string(&price).unwrap();
        prop_assert_eq!(serde_json::from_str::<UnitPrice>(&json).unwrap().to_string(), text);
        // a seventh decimal is refused
        let mut six = Decimal::new(n, scale);
        six.rescale(6);
        let seventh = format!("{six}1");
        prop_assert!(UnitPrice::parse(&seventh).is_err(), "{}", seventh);
    }

    /// Price × quantity exactly half a fen above a whole fen: (2k + 1) × 0.0025 × 2 =
    /// k fen + 0.005 is rounded up to k + 1 fen, never to even.
    #[test]
    fn exactly_half_a_fen_rounds_up(k in 0i64..10_000_000) {
        let line = LineInput {
            code: None,
            name: None,
            class: ItemClass::A,
            price: UnitPrice::try_from_decimal(Decimal::new((2 * k + 1) * 25, 4)).unwrap(),
            quantity: Quantity::whole(2),
            payment_standard: None,
            first_self_pay_ratio: None,
        };
        prop_assert_eq!(settle_line(&line).amount, Money::from_fen(k + 1));
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
        let _ = UnitPrice::parse(&text);
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
