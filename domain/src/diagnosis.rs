//! The short diagnosis list a village clinic picks from (ICD-10), and which diagnoses are a
//! chronic condition (两病一症: hypertension, diabetes, stroke sequelae). The chronic benefit
//! itself needs a qualification (`qualification::benefit_for`).

use serde::{Deserialize, Serialize};

use crate::policy::ChronicCondition;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Diagnosis {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

pub const DIAGNOSES: &[Diagnosis] = &[
    d("I10", "原发性高血压", "Essential hypertension"),
    d("E11.9", "2型糖尿病", "Type 2 diabetes mellitus"),
    d("E14.9", "糖尿病", "Diabetes mellitus, unspecified"),
    d("I69.3", "脑梗死后遗症", "Sequelae of cerebral infarction"),
    d(
        "J06.9",
        "急性上呼吸道感染",
        "Acute upper respiratory infection",
    ),
    d(
        "J00",
        "急性鼻咽炎（感冒）",
        "Acute nasopharyngitis (common cold)",
    ),
    d("J02.9", "急性咽炎", "Acute pharyngitis"),
    d("J03.9", "急性扁桃体炎", "Acute tonsillitis"),
    d("J20.9", "急性支气管炎", "Acute bronchitis"),
    d("J40", "支气管炎", "Bronchitis"),
    d(
        "J44.9",
        "慢性阻塞性肺病",
        "Chronic obstructive pulmonary disease",
    ),
    d("J45.9", "哮喘", "Asthma"),
    d("K29.7", "胃炎", "Gastritis"),
    d("K30", "功能性消化不良", "Functional dyspepsia"),
    d("A09", "感染性腹泻", "Infectious diarrhoea"),
    d("K59.0", "便秘", "Constipation"),
    d("M54.5", "腰痛", "Low back pain"),
    d("M17.9", "膝关节骨性关节炎", "Osteoarthritis of knee"),
    d("M79.1", "肌痛", "Myalgia"),
    d("R51", "头痛", "Headache"),
    d("R50.9", "发热", "Fever"),
    d("N39.0", "尿路感染", "Urinary tract infection"),
    d("L30.9", "皮炎", "Dermatitis"),
    d("T14.0", "皮肤浅表损伤", "Superficial injury"),
    d("H10.9", "结膜炎", "Conjunctivitis"),
    d("K05.1", "慢性牙龈炎", "Chronic gingivitis"),
    d(
        "I25.9",
        "慢性缺血性心脏病",
        "Chronic ischaemic heart disease",
    ),
    d("E78.5", "高脂血症", "Hyperlipidaemia"),
    d("D50.9", "缺铁性贫血", "Iron deficiency anaemia"),
    d("G47.0", "失眠", "Insomnia"),
    d("Z00.0", "健康检查", "General health examination"),
];

const fn d(code: &'static str, name_zh: &'static str, name_en: &'static str) -> Diagnosis {
    Diagnosis {
        code,
        name_zh,
        name_en,
    }
}

pub fn find(code: &str) -> Option<&'static Diagnosis> {
    DIAGNOSES.iter().find(|d| d.code == code)
}

pub fn chronic_condition(code: &str) -> Option<ChronicCondition> {
    let prefix = |p: &str| code == p || code.starts_with(&format!("{p}."));
    if ["I10", "I11", "I12", "I13", "I15"]
        .iter()
        .any(|p| prefix(p))
    {
        Some(ChronicCondition::Hypertension)
    } else if ["E10", "E11", "E12", "E13", "E14"]
        .iter()
        .any(|p| prefix(p))
    {
        Some(ChronicCondition::Diabetes)
    } else if prefix("I69") {
        Some(ChronicCondition::StrokeSequelae)
    } else {
        None
    }
}

/// A diagnosis as recorded on a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedDiagnosis {
    pub code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_diseases_and_one_condition_are_chronic() {
        assert_eq!(chronic_condition("J06.9"), None);
        assert_eq!(
            chronic_condition("I10"),
            Some(ChronicCondition::Hypertension)
        );
        assert_eq!(chronic_condition("E11.9"), Some(ChronicCondition::Diabetes));
        assert_eq!(
            chronic_condition("I69.3"),
            Some(ChronicCondition::StrokeSequelae)
        );
        assert_eq!(chronic_condition("I100"), None);
    }

    #[test]
    fn the_list_has_unique_codes() {
        for (i, d) in DIAGNOSES.iter().enumerate() {
            assert!(
                DIAGNOSES[..i].iter().all(|o| o.code != d.code),
                "{}",
                d.code
            );
            assert_eq!(find(d.code), Some(d));
        }
    }
}
