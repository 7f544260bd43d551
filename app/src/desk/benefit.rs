//! The outpatient benefit a visit settles under, in words for the desk: its name with the
//! policy's deductible and the share the fund pays.

use cunbao_domain::policy::{BenefitKind, Policy};
use cunbao_domain::quantity::Ratio;
use cunbao_domain::text::{Bilingual, Text};

use crate::i18n::{text, Key, Lang};

/// A ratio as a percentage: 0.7 → "70", 0.125 → "12.5", 1 → "100".
pub fn percent(ratio: Ratio) -> String {
    let shown = ratio.to_string();
    let (int, frac) = shown.split_once('.').unwrap_or((&shown, ""));
    let frac = format!("{frac:0<2}");
    let (whole, rest) = frac.split_at(2);
    let whole = format!("{int}{whole}");
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    match rest.trim_end_matches('0') {
        "" => whole.to_string(),
        rest => format!("{whole}.{rest}"),
    }
}

/// "门诊慢特病（高血压） · 起付线 0.00 · 报销比例 70%"; the name alone if the policy has no
/// rule for the benefit.
pub fn benefit_text(policy: &Policy, benefit: BenefitKind) -> Text {
    let name = benefit.text();
    let Ok(rule) = policy.benefit(benefit) else {
        return name;
    };
    let words = |lang: Lang, name: &str| {
        format!(
            "{name} · {} {} · {} {}%",
            text(lang, Key::DeductibleLabel),
            rule.deductible,
            text(lang, Key::RatioLabel),
            percent(rule.ratio)
        )
    };
    Text::new(words(Lang::Zh, &name.zh), words(Lang::En, &name.en))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cunbao_domain::policy::ChronicCondition;

    #[test]
    fn ratios_read_as_percentages() {
        let p = |s: &str| percent(Ratio::parse(s).unwrap());
        assert_eq!(p("0.7"), "70");
        assert_eq!(p("0.5"), "50");
        assert_eq!(p("0.125"), "12.5");
        assert_eq!(p("1"), "100");
        assert_eq!(p("0"), "0");
        assert_eq!(p("0.0005"), "0.05");
    }

    #[test]
    fn the_benefit_names_its_deductible_and_ratio() {
        let policy = Policy::sample_2025();
        let chronic = BenefitKind::ChronicOutpatient {
            condition: ChronicCondition::Hypertension,
        };
        assert_eq!(
            benefit_text(&policy, chronic).zh,
            "门诊慢特病（高血压） · 起付线 0.00 · 报销比例 70%"
        );
        assert_eq!(
            benefit_text(&policy, BenefitKind::GeneralOutpatient).en,
            "general outpatient · deductible 300.00 · fund pays 50%"
        );
    }
}
