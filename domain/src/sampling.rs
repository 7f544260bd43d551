//! Sampling (结果质检): each month a policy-set share of a clinic's claims that the fund paid
//! for is drawn at random for a second look. The draw is reproducible: the same claims, share and recorded
//! seed always give the same sample. Findings go on the clinic's statement as adjustments.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::rejection::RejectionReason;
use crate::text::Text;

/// How many of `population` claims a share of `percent` draws: rounded up, so that a clinic
/// with any paid claim has at least one looked at (none when the share is 0).
pub fn how_many(population: usize, percent: u32) -> usize {
    let percent = percent.min(100) as usize;
    (population * percent).div_ceil(100)
}

/// The sample of `ids` (any order: they are sorted first) for `percent` and `seed`, sorted.
pub fn draw(ids: &[String], percent: u32, seed: u64) -> Vec<String> {
    let mut pool: Vec<&String> = ids.iter().collect();
    pool.sort();
    pool.dedup();
    let n = how_many(pool.len(), percent);
    let mut state = seed;
    // A partial Fisher–Yates shuffle driven by SplitMix64: the first n are the sample.
    for i in 0..n {
        let j = i + (next(&mut state) % (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    let mut sample: Vec<String> = pool.into_iter().take(n).cloned().collect();
    sample.sort();
    sample
}

/// SplitMix64: small, fast, and the same everywhere (the seed is what is recorded).
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A recorded seed: 16 hex digits.
pub fn parse_seed(hex: &str) -> Option<u64> {
    (hex.len() == 16)
        .then(|| u64::from_str_radix(hex, 16).ok())
        .flatten()
}

/// A month's draw for one clinic, with each claim drawn and its finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sampling {
    pub clinic_id: String,
    pub clinic_name: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The share drawn, in percent, as the policy set it then.
    pub percent: u32,
    /// The seed the draw used (16 hex digits): drawing again with it gives the same claims.
    pub seed: String,
    /// How many paid claims of the month there were to draw from.
    pub population: u32,
    pub drawn_by: String,
    pub drawn_at: String,
    pub claims: Vec<SampledClaim>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampledClaim {
    pub claim_id: String,
    /// Masked.
    pub person: String,
    pub visit_date: NaiveDate,
    pub total: Money,
    pub fund: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Finding>,
}

/// What the second look found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// What the fund paid that it should not have: taken back on the statement (zero: the
    /// claim was in order).
    pub deduction: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectionReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub found_by: String,
    pub found_at: String,
}

/// A finding as a reviewer sends it: in order, or a deduction with a standard reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FindingRequest {
    pub claim_id: String,
    /// Zero or absent: in order.
    #[serde(default)]
    pub deduction: Money,
    /// A code of the policy's rejection reasons; needed with a deduction.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The longest note of a finding.
pub const MAX_FINDING_NOTE_CHARS: usize = 200;

impl FindingRequest {
    /// The reason it names, checked against `reasons` and the claim's `fund`: a deduction is
    /// more than zero, at most what the fund paid, and has a listed reason.
    pub fn checked(
        &self,
        reasons: &[RejectionReason],
        fund: Money,
    ) -> Result<Option<RejectionReason>, Text> {
        let note = self.note.as_deref().unwrap_or_default();
        if note.chars().count() > MAX_FINDING_NOTE_CHARS {
            return Err(Text::new(
                format!("说明最多{MAX_FINDING_NOTE_CHARS}字"),
                format!("A note is at most {MAX_FINDING_NOTE_CHARS} characters"),
            ));
        }
        if self.deduction == Money::ZERO {
            return Ok(None);
        }
        if self.deduction > fund {
            return Err(Text::new(
                format!("扣减金额不能超过统筹支付 {fund}"),
                format!("A deduction cannot exceed what the fund paid, {fund}"),
            ));
        }
        let reason = self
            .reason
            .as_deref()
            .and_then(|code| reasons.iter().find(|r| r.code == code));
        match reason {
            Some(r) if r.code == "other" && note.trim().is_empty() => Err(Text::new(
                "选择“其他”时请填写说明",
                "With “other”, say what was found",
            )),
            Some(r) => Ok(Some(r.clone())),
            None => Err(Text::new(
                "扣减须选择标准原因",
                "A deduction needs a standard reason",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("claim-{i:04}")).collect()
    }

    #[test]
    fn the_share_is_rounded_up_and_none_is_none() {
        assert_eq!(how_many(0, 5), 0);
        assert_eq!(how_many(1, 5), 1);
        assert_eq!(how_many(20, 5), 1);
        assert_eq!(how_many(21, 5), 2);
        assert_eq!(how_many(200, 5), 10);
        assert_eq!(how_many(200, 0), 0);
        assert_eq!(how_many(7, 100), 7);
        assert_eq!(how_many(7, 250), 7);
    }

    #[test]
    fn the_same_seed_draws_the_same_claims_whatever_their_order() {
        let all = ids(200);
        let sample = draw(&all, 5, 0x0123_4567_89ab_cdef);
        assert_eq!(sample.len(), 10);
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(draw(&reversed, 5, 0x0123_4567_89ab_cdef), sample);
        assert!(sample.windows(2).all(|w| w[0] < w[1]), "sorted, distinct");
        assert!(sample.iter().all(|id| all.contains(id)));
        // Another seed, another sample.
        assert_ne!(draw(&all, 5, 42), sample);
        // Every claim can be drawn: over many seeds each is drawn about as often.
        let mut counts = std::collections::HashMap::new();
        for seed in 0..2_000u64 {
            for id in draw(&ids(20), 10, seed) {
                *counts.entry(id).or_insert(0) += 1;
            }
        }
        assert_eq!(counts.len(), 20);
        assert!(
            counts.values().all(|&c| (100..=300).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn a_seed_is_sixteen_hex_digits() {
        assert_eq!(parse_seed("0123456789abcdef"), Some(0x0123_4567_89ab_cdef));
        assert_eq!(parse_seed("123"), None);
        assert_eq!(parse_seed("0123456789abcdeg"), None);
    }

    #[test]
    fn a_deduction_needs_a_listed_reason_and_at_most_the_fund() {
        let reasons = crate::rejection::standard_rejection_reasons();
        let fund = Money::parse("30.00").unwrap();
        let request = |deduction: &str, reason: Option<&str>, note: Option<&str>| FindingRequest {
            claim_id: "c".into(),
            deduction: Money::parse(deduction).unwrap(),
            reason: reason.map(str::to_string),
            note: note.map(str::to_string),
        };
        assert_eq!(request("0", None, None).checked(&reasons, fund), Ok(None));
        assert!(request("10", None, None).checked(&reasons, fund).is_err());
        assert!(request("10", Some("made_up"), None)
            .checked(&reasons, fund)
            .is_err());
        assert!(request("30.01", Some("over_quantity"), None)
            .checked(&reasons, fund)
            .is_err());
        assert!(request("10", Some("other"), None)
            .checked(&reasons, fund)
            .is_err());
        let ok = request("30.00", Some("over_quantity"), Some("多开3盒"))
            .checked(&reasons, fund)
            .unwrap()
            .unwrap();
        assert_eq!(ok.code, "over_quantity");
        let long = "x".repeat(MAX_FINDING_NOTE_CHARS + 1);
        assert!(request("0", None, Some(&long))
            .checked(&reasons, fund)
            .is_err());
    }
}
