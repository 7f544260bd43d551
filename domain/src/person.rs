//! Who a person is to the scheme: their place in the household, a subsidy category and the
//! document that proves it, and where they stand for benefits on a day. Used by enrolment,
//! the policy (subsidies by category) and the risk rules.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::{Bilingual, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// 户主
    Head,
    /// 配偶
    Spouse,
    /// 子女
    Child,
    /// 父母
    Parent,
    /// 孙子女
    Grandchild,
    /// 兄弟姐妹
    Sibling,
    /// 其他
    Other,
}

impl Relationship {
    pub const ALL: [Relationship; 7] = [
        Relationship::Head,
        Relationship::Spouse,
        Relationship::Child,
        Relationship::Parent,
        Relationship::Grandchild,
        Relationship::Sibling,
        Relationship::Other,
    ];
}

/// 医疗救助资助参保 categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubsidyCategory {
    /// 特困人员
    Tekun,
    /// 低保对象
    Dibao,
    /// 低收入家庭成员
    LowIncome,
    /// 重度残疾人 (grade 1–2)
    SevereDisability,
    /// 计生特殊家庭
    FamilyPlanningSpecial,
}

/// The document that proves a subsidy category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// 特困供养证
    TekunCertificate,
    /// 低保证
    DibaoCertificate,
    /// 乡镇收入证明
    TownshipIncomeCertificate,
    /// 残疾人证
    DisabilityCertificate,
    /// 计生特殊家庭证明
    FamilyPlanningCertificate,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 5] = [
        EvidenceKind::TekunCertificate,
        EvidenceKind::DibaoCertificate,
        EvidenceKind::TownshipIncomeCertificate,
        EvidenceKind::DisabilityCertificate,
        EvidenceKind::FamilyPlanningCertificate,
    ];

    /// The document's name (Chinese, English).
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            EvidenceKind::TekunCertificate => ("特困供养证", "extreme-poverty support certificate"),
            EvidenceKind::DibaoCertificate => ("低保证", "minimum-living-allowance certificate"),
            EvidenceKind::TownshipIncomeCertificate => {
                ("乡镇收入证明", "township income certificate")
            }
            EvidenceKind::DisabilityCertificate => ("残疾人证", "disability certificate"),
            EvidenceKind::FamilyPlanningCertificate => (
                "计生特殊家庭证明",
                "family-planning special family certificate",
            ),
        }
    }
}

impl Bilingual for EvidenceKind {
    fn text(&self) -> Text {
        let (zh, en) = self.words();
        Text::new(zh, en)
    }
}

impl SubsidyCategory {
    pub const ALL: [SubsidyCategory; 5] = [
        SubsidyCategory::Tekun,
        SubsidyCategory::Dibao,
        SubsidyCategory::LowIncome,
        SubsidyCategory::SevereDisability,
        SubsidyCategory::FamilyPlanningSpecial,
    ];

    pub fn evidence(self) -> EvidenceKind {
        match self {
            SubsidyCategory::Tekun => EvidenceKind::TekunCertificate,
            SubsidyCategory::Dibao => EvidenceKind::DibaoCertificate,
            SubsidyCategory::LowIncome => EvidenceKind::TownshipIncomeCertificate,
            SubsidyCategory::SevereDisability => EvidenceKind::DisabilityCertificate,
            SubsidyCategory::FamilyPlanningSpecial => EvidenceKind::FamilyPlanningCertificate,
        }
    }
}

/// The category's name, for the domain's own messages (the screens have their own labels).
impl Bilingual for SubsidyCategory {
    fn text(&self) -> Text {
        let (zh, en) = match self {
            SubsidyCategory::Tekun => ("特困人员", "extreme poverty"),
            SubsidyCategory::Dibao => ("低保对象", "minimum living allowance"),
            SubsidyCategory::LowIncome => ("低收入家庭成员", "low-income family"),
            SubsidyCategory::SevereDisability => ("重度残疾人", "severe disability"),
            SubsidyCategory::FamilyPlanningSpecial => {
                ("计生特殊家庭", "family-planning special family")
            }
        };
        Text::new(zh, en)
    }
}

/// Where a person stands for benefits on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Eligibility {
    Eligible,
    Waiting { until: NaiveDate },
    NotEnrolled,
    Suspended,
}
