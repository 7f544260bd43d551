//! The words for the domain's enums, one `label(lang)` per enum. The domain names things in
//! code; the screens say them here, in both languages. Words that are also interface texts
//! (severities, claim statuses, eligibility) come from their [`Key`], so each lives once.

use cunbao_domain::catalogue::ItemClass;
use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::enrolment::{
    Eligibility, EvidenceKind, RefundReason, Relationship, StopReason, SubsidyCategory,
};
use cunbao_domain::policy::ChronicCondition;
use cunbao_domain::qualification::QualificationStatus;
use cunbao_domain::risk::{RuleId, Severity};
use serde::Serialize;

use super::{text, Key, Lang};

/// An enum value's words on screen.
pub trait Label: Copy {
    fn label(self, lang: Lang) -> &'static str;
}

/// The words for a value that carries data (eligibility's waiting period ends on a date).
pub trait DatedLabel: Copy {
    fn label(self, lang: Lang) -> String;
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The serde name of a unit enum value ("head", "tekun", …): the `value` of its `<option>`,
/// read back by the drafts with serde.
pub fn option_value<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

impl Label for Relationship {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Relationship::Head => ("户主", "Head"),
            Relationship::Spouse => ("配偶", "Spouse"),
            Relationship::Child => ("子女", "Child"),
            Relationship::Parent => ("父母", "Parent"),
            Relationship::Grandchild => ("孙子女", "Grandchild"),
            Relationship::Sibling => ("兄弟姐妹", "Sibling"),
            Relationship::Other => ("其他", "Other"),
        };
        pick(lang, zh, en)
    }
}

/// With the paper that proves it, as the enrolment form offers it.
impl Label for StopReason {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            StopReason::Death => ("死亡", "Death"),
            StopReason::MovedAway => ("迁出", "Moved away"),
            StopReason::EmployeeScheme => ("参加职工医保", "Joined the employee scheme"),
        };
        pick(lang, zh, en)
    }
}

impl Label for RefundReason {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            RefundReason::Duplicate => ("重复缴费", "Paid twice"),
            RefundReason::StoppedBeforeYear => {
                ("年度开始前已停保", "Cover stopped before the year began")
            }
        };
        pick(lang, zh, en)
    }
}

impl Label for SubsidyCategory {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            SubsidyCategory::Tekun => ("特困人员（特困供养证）", "Extreme poverty (certificate)"),
            SubsidyCategory::Dibao => (
                "低保对象（低保证）",
                "Minimum living allowance (dibao card)",
            ),
            SubsidyCategory::LowIncome => (
                "低收入家庭成员（乡镇收入证明）",
                "Low-income family (township certificate)",
            ),
            SubsidyCategory::SevereDisability => (
                "重度残疾人（残疾人证，一、二级）",
                "Severe disability (grade 1–2 card)",
            ),
            SubsidyCategory::FamilyPlanningSpecial => {
                ("计生特殊家庭（证明）", "Family-planning special family")
            }
        };
        pick(lang, zh, en)
    }
}

impl Label for EvidenceKind {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = self.words();
        pick(lang, zh, en)
    }
}

impl Label for ItemClass {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ItemClass::A => ("甲类", "A"),
            ItemClass::B => ("乙类", "B"),
            ItemClass::SelfPay => ("自费", "self-pay"),
        };
        pick(lang, zh, en)
    }
}

impl Label for Severity {
    fn label(self, lang: Lang) -> &'static str {
        let key = match self {
            Severity::Block => Key::Block,
            Severity::Warn => Key::Warn,
            Severity::Flag => Key::Flag,
        };
        text(lang, key)
    }
}

impl Label for ChronicCondition {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ChronicCondition::Hypertension => ("高血压", "Hypertension"),
            ChronicCondition::Diabetes => ("糖尿病", "Diabetes"),
            ChronicCondition::StrokeSequelae => ("脑卒中后遗症", "Stroke sequelae"),
        };
        pick(lang, zh, en)
    }
}

impl Label for QualificationStatus {
    fn label(self, lang: Lang) -> &'static str {
        let key = match self {
            QualificationStatus::Pending => Key::QualificationPending,
            QualificationStatus::Approved => Key::QualificationApproved,
            QualificationStatus::Rejected => Key::QualificationRejected,
        };
        text(lang, key)
    }
}

/// The key of a qualification's status in the township's lists, as the server names it.
pub(super) fn qualification_status_key(status: &str) -> Key {
    match status {
        "pending" => Key::QualificationPending,
        "approved" => Key::QualificationApproved,
        "rejected" => Key::QualificationRejected,
        _ => Key::StatusOther,
    }
}

/// The key of a claim's status in the township's lists.
pub(super) fn claim_status_key(status: ClaimStatus) -> Key {
    match status {
        ClaimStatus::Settled => Key::StatusSettled,
        ClaimStatus::Flagged => Key::StatusFlagged,
        ClaimStatus::PendingReview => Key::StatusPendingReview,
        ClaimStatus::Approved => Key::StatusApproved,
        ClaimStatus::Rejected => Key::StatusClaimRejected,
        ClaimStatus::Voided => Key::StatusVoid,
    }
}

impl Label for ClaimStatus {
    fn label(self, lang: Lang) -> &'static str {
        text(lang, claim_status_key(self))
    }
}

impl DatedLabel for Eligibility {
    fn label(self, lang: Lang) -> String {
        match self {
            Eligibility::Eligible => text(lang, Key::Eligible).to_string(),
            Eligibility::Waiting { until } => format!("{} {until}", text(lang, Key::WaitingUntil)),
            Eligibility::NotEnrolled => text(lang, Key::NotEnrolled).to_string(),
            Eligibility::Suspended => text(lang, Key::Suspended).to_string(),
        }
    }
}

impl Label for RuleId {
    fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = self.words();
        pick(lang, zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    fn assert_translated(what: impl Debug, zh: &str, en: &str) {
        assert!(!zh.is_empty() && !en.is_empty(), "{what:?}");
        assert_ne!(zh, en, "{what:?} is not translated");
        assert!(has_han(zh), "{what:?} has no Chinese: {zh}");
        assert!(!has_han(en), "{what:?}: {en}");
    }

    fn all_translated<T: Label + Debug>(values: &[T]) {
        for &v in values {
            assert_translated(v, v.label(Lang::Zh), v.label(Lang::En));
        }
    }

    #[test]
    fn every_value_of_every_enum_has_both_languages() {
        all_translated(&Relationship::ALL);
        all_translated(&SubsidyCategory::ALL);
        all_translated(&EvidenceKind::ALL);
        all_translated(&ItemClass::ALL);
        all_translated(&Severity::ALL);
        all_translated(&ClaimStatus::ALL);
        all_translated(&crate::desk::qualifications::CONDITIONS);
        all_translated(&[
            QualificationStatus::Pending,
            QualificationStatus::Approved,
            QualificationStatus::Rejected,
        ]);
        let until = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        for e in [
            Eligibility::Eligible,
            Eligibility::Waiting { until },
            Eligibility::NotEnrolled,
            Eligibility::Suspended,
        ] {
            assert_translated(e, &e.label(Lang::Zh), &e.label(Lang::En));
        }
    }

    #[test]
    fn the_words_the_screens_show() {
        assert_eq!(Relationship::Head.label(Lang::Zh), "户主");
        assert_eq!(SubsidyCategory::Dibao.label(Lang::Zh), "低保对象（低保证）");
        assert_eq!(ItemClass::A.label(Lang::Zh), "甲类");
        assert_eq!(ItemClass::SelfPay.label(Lang::En), "self-pay");
        assert_eq!(Severity::Block.label(Lang::Zh), "禁止");
        assert_eq!(ClaimStatus::Voided.label(Lang::Zh), "已作废");
        let until = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(
            Eligibility::Waiting { until }.label(Lang::Zh),
            "等待期至 2025-03-31"
        );
        assert_eq!(Eligibility::Eligible.label(Lang::En), "Enrolled");
        assert_eq!(
            ChronicCondition::StrokeSequelae.label(Lang::Zh),
            "脑卒中后遗症"
        );
        assert_eq!(QualificationStatus::Approved.label(Lang::Zh), "已认定");
        assert_eq!(QualificationStatus::Pending.label(Lang::Zh), "待乡镇审核");
    }

    fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug + Copy>(
        values: &[T],
    ) -> Vec<String> {
        values
            .iter()
            .map(|&v| {
                let name = option_value(v);
                let back: T = serde_json::from_value(serde_json::Value::String(name.clone()))
                    .unwrap_or_else(|e| panic!("{v:?} as {name:?}: {e}"));
                assert_eq!(back, v);
                name
            })
            .collect()
    }

    #[test]
    fn option_values_are_the_serde_names_and_round_trip() {
        assert_eq!(
            round_trips(&Relationship::ALL),
            [
                "head",
                "spouse",
                "child",
                "parent",
                "grandchild",
                "sibling",
                "other"
            ]
        );
        assert_eq!(
            round_trips(&SubsidyCategory::ALL),
            [
                "tekun",
                "dibao",
                "low_income",
                "severe_disability",
                "family_planning_special"
            ]
        );
    }
}
