use super::*;
use rust_decimal_macros::dec;

fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn qty(s: &str) -> Quantity {
    Quantity::parse(s).unwrap()
}

fn price(s: &str) -> UnitPrice {
    UnitPrice::parse(s).unwrap()
}

fn line(class: ItemClass, unit_price: &str, quantity: &str) -> LineInput {
    LineInput {
        code: None,
        name: None,
        class,
        price: price(unit_price),
        quantity: qty(quantity),
        payment_standard: None,
        first_self_pay_ratio: None,
    }
}

fn general_outpatient() -> BenefitParams {
    BenefitParams {
        deductible: money("300"),
        ratio: Ratio::percent(50),
        annual_cap: money("2000"),
        per_visit_cap: None,
    }
}

fn acc(met: &str, paid: &str) -> Accumulators {
    Accumulators {
        deductible_met: money(met),
        fund_paid: money(paid),
    }
}

/// The four lines of PRODUCT.md §3's worked example.
pub(crate) fn worked_example_lines() -> Vec<LineInput> {
    vec![
        LineInput {
            name: Some("阿莫西林胶囊".into()),
            ..line(ItemClass::A, "12.50", "2")
        },
        LineInput {
            name: Some("硝苯地平缓释片".into()),
            payment_standard: Some(price("30.00")),
            first_self_pay_ratio: Some(Ratio::percent(10)),
            ..line(ItemClass::B, "31.60", "1")
        },
        LineInput {
            name: Some("一般诊疗费".into()),
            ..line(ItemClass::A, "10.00", "1")
        },
        LineInput {
            name: Some("某保健品".into()),
            ..line(ItemClass::SelfPay, "48.00", "1")
        },
    ]
}

#[test]
fn the_worked_example_of_product_md() {
    let s = settle(
        &general_outpatient(),
        acc("250", "1990"),
        &worked_example_lines(),
    )
    .unwrap();
    let rows: Vec<[String; 4]> = s
        .lines
        .iter()
        .map(|l| {
            [
                l.amount.to_string(),
                l.self_pay_full.to_string(),
                l.self_pay_first.to_string(),
                l.in_policy.to_string(),
            ]
        })
        .collect();
    assert_eq!(
        rows,
        [
            ["25.00", "0.00", "0.00", "25.00"],
            ["31.60", "1.60", "3.00", "27.00"],
            ["10.00", "0.00", "0.00", "10.00"],
            ["48.00", "48.00", "0.00", "0.00"],
        ]
        .map(|r| r.map(String::from))
    );
    assert_eq!(s.total, money("114.60"));
    assert_eq!(s.in_policy, money("62.00"));
    assert_eq!(s.deductible_open_before, money("50.00"));
    assert_eq!(s.deductible_taken, money("50.00"));
    assert_eq!(s.fund_before_cap, money("6.00"));
    assert_eq!(s.annual_cap_open_before, money("10.00"));
    assert_eq!(s.cap_applied, CapApplied::None);
    assert_eq!(s.fund, money("6.00"));
    assert_eq!(s.patient, money("108.60"));
    assert_eq!(s.accumulators_after, acc("300.00", "1996.00"));
}

#[test]
fn half_a_fen_rounds_up_not_to_even() {
    // 0.25 × 0.5 = 0.125: banker's rounding would give 0.12.
    let s = settle_line(&line(ItemClass::A, "0.25", "0.5"));
    assert_eq!(s.amount, money("0.13"));
    // First self-pay: 0.25 × 10 % = 0.025 → 0.03.
    let s = settle_line(&LineInput {
        first_self_pay_ratio: Some(Ratio::percent(10)),
        ..line(ItemClass::B, "0.25", "1")
    });
    assert_eq!(
        (s.self_pay_first, s.in_policy),
        (money("0.03"), money("0.22"))
    );
    // Fund: (0.25 − 0) × 50 % = 0.125 → 0.13.
    let benefit = BenefitParams {
        deductible: Money::ZERO,
        ..general_outpatient()
    };
    let s = settle(&benefit, acc("0", "0"), &[line(ItemClass::A, "0.25", "1")]).unwrap();
    assert_eq!((s.fund, s.patient), (money("0.13"), money("0.12")));
}

#[test]
fn fractional_quantities() {
    let s = settle_line(&line(ItemClass::A, "12.50", "0.5"));
    assert_eq!(s.amount, money("6.25"));
    let s = settle_line(&line(ItemClass::A, "3.33", "0.333"));
    assert_eq!(s.amount, money("1.11")); // 1.10889
}

#[test]
fn the_deductible_is_crossed_in_the_middle_of_a_visit() {
    let s = settle(
        &general_outpatient(),
        acc("280", "0"),
        &worked_example_lines(),
    )
    .unwrap();
    assert_eq!(s.deductible_taken, money("20.00"));
    assert_eq!(s.fund, money("21.00")); // (62 − 20) × 50 %
    assert_eq!(s.accumulators_after.deductible_met, money("300.00"));
}

#[test]
fn a_visit_entirely_inside_the_deductible_pays_nothing_from_the_fund() {
    let s = settle(
        &general_outpatient(),
        acc("0", "0"),
        &worked_example_lines(),
    )
    .unwrap();
    assert_eq!(s.deductible_taken, money("62.00"));
    assert_eq!(s.fund, Money::ZERO);
    assert_eq!(s.patient, s.total);
    assert_eq!(s.accumulators_after, acc("62.00", "0"));
}

#[test]
fn the_cap_reached_exactly() {
    let s = settle(
        &general_outpatient(),
        acc("300", "1979"),
        &worked_example_lines(),
    )
    .unwrap();
    assert_eq!(s.fund_before_cap, money("31.00"));
    assert_eq!(s.annual_cap_open_before, money("21.00"));
    assert_eq!(s.fund, money("21.00"));
    assert_eq!(s.cap_applied, CapApplied::AnnualCap);
    assert_eq!(s.accumulators_after.fund_paid, money("2000.00"));
    let s = settle(
        &general_outpatient(),
        acc("300", "1969"),
        &worked_example_lines(),
    )
    .unwrap();
    assert_eq!((s.fund, s.cap_applied), (money("31.00"), CapApplied::None));
    assert_eq!(s.accumulators_after.fund_paid, money("2000.00"));
}

#[test]
fn the_cap_already_exhausted() {
    for paid in ["2000", "2500"] {
        let s = settle(
            &general_outpatient(),
            acc("300", paid),
            &worked_example_lines(),
        )
        .unwrap();
        assert_eq!(s.fund, Money::ZERO);
        assert_eq!(s.patient, s.total);
        assert_eq!(s.accumulators_after.fund_paid, money(paid));
    }
}

#[test]
fn a_per_visit_cap_applies_after_the_annual_one() {
    let benefit = BenefitParams {
        deductible: Money::ZERO,
        per_visit_cap: Some(money("20")),
        ..general_outpatient()
    };
    let s = settle(&benefit, acc("0", "0"), &worked_example_lines()).unwrap();
    assert_eq!(s.fund_before_cap, money("31.00"));
    assert_eq!(
        (s.fund, s.cap_applied),
        (money("20.00"), CapApplied::PerVisitCap)
    );
}

#[test]
fn class_b_above_and_below_its_payment_standard() {
    let b = |unit_price: &str, quantity: &str| LineInput {
        payment_standard: Some(price("30.00")),
        first_self_pay_ratio: Some(Ratio::percent(20)),
        ..line(ItemClass::B, unit_price, quantity)
    };
    let above = settle_line(&b("31.60", "3"));
    assert_eq!(above.amount, money("94.80"));
    assert_eq!(above.self_pay_full, money("4.80"));
    assert_eq!(above.self_pay_first, money("18.00")); // 90.00 × 20 %
    assert_eq!(above.in_policy, money("72.00"));
    let below = settle_line(&b("28.00", "1"));
    assert_eq!(below.self_pay_full, Money::ZERO);
    assert_eq!(below.self_pay_first, money("5.60"));
    assert_eq!(below.in_policy, money("22.40"));
}

#[test]
fn class_a_above_its_payment_standard() {
    let s = settle_line(&LineInput {
        payment_standard: Some(price("10.00")),
        ..line(ItemClass::A, "10.01", "2")
    });
    assert_eq!(
        (s.self_pay_full, s.in_policy),
        (money("0.02"), money("20.00"))
    );
}

#[test]
fn a_visit_that_is_all_self_pay() {
    let lines = [
        line(ItemClass::SelfPay, "48.00", "1"),
        line(ItemClass::SelfPay, "9.90", "3"),
    ];
    let s = settle(&general_outpatient(), acc("300", "0"), &lines).unwrap();
    assert_eq!(s.total, money("77.70"));
    assert_eq!(s.self_pay_full, money("77.70"));
    assert_eq!(s.in_policy, Money::ZERO);
    assert_eq!((s.deductible_taken, s.fund), (Money::ZERO, Money::ZERO));
    assert_eq!(s.patient, money("77.70"));
    assert_eq!(s.accumulators_after, s.accumulators_before);
}

#[test]
fn clear_refusals() {
    assert_eq!(
        settle(&general_outpatient(), acc("0", "0"), &[]),
        Err(SettlementError::NoLines)
    );
    let lines = [line(ItemClass::A, "1", "1"), line(ItemClass::B, "1", "1")];
    assert_eq!(
        settle(&general_outpatient(), acc("0", "0"), &lines),
        Err(SettlementError::MissingFirstSelfPayRatio { line: 2 })
    );
}

#[test]
fn the_breakdown_serialises_money_as_strings() {
    let s = settle(
        &general_outpatient(),
        acc("250", "1990"),
        &worked_example_lines(),
    )
    .unwrap();
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["fund"], "6.00");
    assert_eq!(json["lines"][1]["self_pay_first"], "3.00");
    assert_eq!(json["accumulators_after"]["fund_paid"], "1996.00");
    let back: Settlement = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
    assert_eq!(dec!(108.60), s.patient.amount());
}

/// The national platform's precision (PRODUCT.md §2.3): prices to six decimals, quantities to
/// four; only the line figures are rounded to the fen.
#[test]
fn per_piece_prices_are_multiplied_exactly_and_only_the_amount_is_rounded() {
    let figures = |l: &LineInput| {
        let s = settle_line(l);
        [s.amount, s.self_pay_full, s.self_pay_first, s.in_policy].map(|m| m.to_string())
    };
    // 0.0025 × 2 = 0.005, exactly half a fen: up to 0.01.
    assert_eq!(
        figures(&line(ItemClass::A, "0.0025", "2")),
        ["0.01", "0.00", "0.00", "0.01"]
    );
    // 0.208333 × 3 = 0.624999: below half a fen, down to 0.62.
    assert_eq!(
        figures(&line(ItemClass::A, "0.208333", "3")),
        ["0.62", "0.00", "0.00", "0.62"]
    );
    // A tablet sold per piece, 0.2083 × 30 = 6.249 → 6.25.
    assert_eq!(
        figures(&line(ItemClass::A, "0.2083", "30")),
        ["6.25", "0.00", "0.00", "6.25"]
    );
    // A quantity with four decimals: 12.50 × 0.0625 = 0.78125 → 0.78.
    assert_eq!(
        figures(&line(ItemClass::A, "12.50", "0.0625")),
        ["0.78", "0.00", "0.00", "0.78"]
    );
    assert_eq!(
        figures(&line(ItemClass::SelfPay, "0.000001", "0.0001")),
        ["0.00", "0.00", "0.00", "0.00"]
    );
}

#[test]
fn the_part_above_the_standard_is_not_rounded_before_it_is_multiplied() {
    // (0.2083 − 0.2000) × 30 = 0.249 → 0.25; rounding 0.0083 to a fen first would give 0.30.
    let s = settle_line(&LineInput {
        payment_standard: Some(price("0.2000")),
        first_self_pay_ratio: Some(Ratio::percent(10)),
        ..line(ItemClass::B, "0.2083", "30")
    });
    assert_eq!(s.amount, money("6.25"));
    assert_eq!(s.self_pay_full, money("0.25"));
    // (6.25 − 0.25) × 10 % = 0.60; in_policy is the difference of the rounded figures.
    assert_eq!(s.self_pay_first, money("0.60"));
    assert_eq!(s.in_policy, money("5.40"));
    // (0.208333 − 0.2) × 3 = 0.024999 → 0.02, from an amount of 0.624999 → 0.62.
    let s = settle_line(&LineInput {
        payment_standard: Some(price("0.2")),
        ..line(ItemClass::A, "0.208333", "3")
    });
    assert_eq!(
        (s.amount, s.self_pay_full, s.in_policy),
        (money("0.62"), money("0.02"), money("0.60"))
    );
}

#[test]
fn the_worked_example_is_exact_when_written_to_six_and_four_decimals() {
    let written_long: Vec<LineInput> = worked_example_lines()
        .into_iter()
        .map(|l| LineInput {
            price: price(&format!("{:.6}", l.price.value())),
            quantity: qty(&format!("{:.4}", l.quantity.value())),
            payment_standard: l
                .payment_standard
                .map(|s| price(&format!("{:.6}", s.value()))),
            ..l
        })
        .collect();
    assert_eq!(written_long[1].price.to_string(), "31.600000");
    let long = settle(&general_outpatient(), acc("250", "1990"), &written_long).unwrap();
    let short = settle(
        &general_outpatient(),
        acc("250", "1990"),
        &worked_example_lines(),
    )
    .unwrap();
    assert_eq!(long, short);
    assert_eq!(
        (long.total, long.fund, long.patient),
        (money("114.60"), money("6.00"), money("108.60"))
    );
}
