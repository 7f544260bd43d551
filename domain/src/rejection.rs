//! The standard reasons a township rejects a claim with (审核拒付原因): policy data, the
//! county's list by default.

use serde::{Deserialize, Serialize};

/// A standard reason for rejecting a claim, as the policy lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectionReason {
    /// Stable, for counting by reason (`off_catalogue`, …).
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// The list the county's rules name (reference 002): what a policy carries unless it says
/// otherwise.
pub fn standard_rejection_reasons() -> Vec<RejectionReason> {
    [
        ("off_catalogue", "超目录用药", "Drug outside the catalogue"),
        (
            "no_indication",
            "无适应症用药",
            "Drug without an indication",
        ),
        ("duplicate_charge", "重复收费", "Charged twice"),
        ("split_charge", "分解收费", "Charge split up"),
        ("over_quantity", "超限量", "Over the quantity limit"),
        ("wrong_code", "编码不准确", "Wrong code"),
        (
            "impersonation",
            "冒名就医",
            "Care under another person's name",
        ),
        ("other", "其他", "Other"),
    ]
    .into_iter()
    .map(|(code, zh, en)| RejectionReason {
        code: code.into(),
        zh: zh.into(),
        en: en.into(),
    })
    .collect()
}
