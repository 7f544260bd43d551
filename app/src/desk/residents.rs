//! The residents this tablet knows: enrolments pulled from the server and those made here,
//! searchable as one types (ID number, name, name pinyin initials).

use chrono::NaiveDate;
use cunbao_domain::enrolment::{eligibility, Eligibility, KnownEnrolment};
use cunbao_domain::names::pinyin_initials;
use cunbao_domain::text_search::{first_found, PrefixIndex, SubstringIndex};
use serde_json::Value;

use crate::storage::{StorageError, Store, StoreName};

pub use crate::storage::records::{EnrolmentRecord, PendingDocument};

#[derive(Debug, Clone, PartialEq)]
pub struct Resident {
    pub enrolment_id: String,
    pub record: EnrolmentRecord,
    initials: String,
}

impl Resident {
    pub fn id_number(&self) -> &str {
        self.record.member.id_number.as_str()
    }

    pub fn name(&self) -> &str {
        self.record.member.name.as_str()
    }

    pub fn active(&self) -> bool {
        self.record.duplicate_of.is_none()
    }

    pub fn eligibility(&self, on: NaiveDate) -> Eligibility {
        if !self.active() {
            return Eligibility::NotEnrolled;
        }
        let stopped_from = self.record.stopped.map(|s| s.from);
        eligibility(self.record.coverage.as_ref(), stopped_from, on)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResidentIndex {
    residents: Vec<Resident>,
    /// The same enrolments as the domain's duplicate rule takes them, built once per load
    /// (the enrolment form checks against them on every keystroke).
    known: Vec<KnownEnrolment>,
    /// Names, ID numbers and pinyin initials, indexed for search as one types.
    names: SubstringIndex,
    ids: PrefixIndex,
    initials: PrefixIndex,
}

impl ResidentIndex {
    pub fn from_records(records: Vec<(String, Value)>) -> ResidentIndex {
        let mut residents: Vec<Resident> = records
            .into_iter()
            .filter_map(|(id, value)| {
                let record: EnrolmentRecord = serde_json::from_value(value).ok()?;
                let initials = pinyin_initials(record.member.name.as_str());
                Some(Resident {
                    enrolment_id: id,
                    record,
                    initials,
                })
            })
            .collect();
        crate::sort::sort_by(&mut residents, |a, b| {
            (
                &a.record.household_id,
                a.record.member.relationship as u8,
                a.name(),
            )
                .cmp(&(
                    &b.record.household_id,
                    b.record.member.relationship as u8,
                    b.name(),
                ))
        });
        let known = residents
            .iter()
            .map(|r| KnownEnrolment {
                enrolment_id: r.enrolment_id.clone(),
                id_number: r.record.member.id_number.clone(),
                scheme_year: r.record.scheme_year,
                active: r.active(),
            })
            .collect();
        ResidentIndex {
            names: SubstringIndex::new(residents.iter().map(Resident::name)),
            ids: PrefixIndex::new(residents.iter().map(Resident::id_number)),
            initials: PrefixIndex::new(residents.iter().map(|r| r.initials.as_str())),
            residents,
            known,
        }
    }

    pub async fn load(store: &impl Store) -> Result<ResidentIndex, StorageError> {
        Ok(ResidentIndex::from_records(
            store.all(StoreName::Enrolments).await?,
        ))
    }

    pub fn len(&self) -> usize {
        self.residents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.residents.is_empty()
    }

    /// Residents matching what was typed: an ID number prefix, part of the name, or the
    /// start of the name's pinyin initials. At most `limit`, active enrolments first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Resident> {
        let query = query.trim();
        if query.is_empty() {
            return Vec::new();
        }
        let lower = query.to_ascii_lowercase();
        // An ID number as typed: full-width digits, spaces and hyphens between groups.
        let upper = cunbao_domain::id_number::as_typed(query).to_ascii_uppercase();
        let mut found: Vec<&Resident> = first_found(
            vec![
                self.names.containing(query),
                self.ids.starting_with(&upper, limit * 2),
                self.initials.starting_with(&lower, limit * 2),
            ],
            limit * 2,
        )
        .into_iter()
        .map(|i| &self.residents[i])
        .collect();
        crate::sort::sort_by_key(&mut found, |r| !r.active());
        found.truncate(limit);
        found
    }

    pub fn get(&self, enrolment_id: &str) -> Option<&Resident> {
        self.residents
            .iter()
            .find(|r| r.enrolment_id == enrolment_id)
    }

    /// The standing enrolment of an ID number for a scheme year.
    pub fn active_for(&self, id_number: &str, year: i32) -> Option<&Resident> {
        self.residents
            .iter()
            .find(|r| r.active() && r.id_number() == id_number && r.record.scheme_year == year)
    }

    /// The last day of the person's cover in scheme year `year`, if they had one that stood.
    pub fn cover_to(&self, id_number: &str, year: i32) -> Option<NaiveDate> {
        self.active_for(id_number, year)?
            .record
            .coverage
            .map(|c| c.to)
    }

    pub fn household(&self, household_id: &str) -> Vec<&Resident> {
        self.residents
            .iter()
            .filter(|r| r.record.household_id == household_id)
            .collect()
    }

    /// Residents with papers still to bring, soonest deadline first.
    pub fn pending_documents(&self) -> Vec<&Resident> {
        let mut list: Vec<&Resident> = self
            .residents
            .iter()
            .filter(|r| r.active() && r.record.pending_document.is_some())
            .collect();
        crate::sort::sort_by_key(&mut list, |r| {
            r.record.pending_document.as_ref().map(|p| p.deadline)
        });
        list
    }

    pub fn known_enrolments(&self) -> &[KnownEnrolment] {
        &self.known
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cunbao_domain::enrolment::Member;
    use cunbao_domain::enrolment::Relationship;
    use cunbao_domain::id_number::IdNumber;
    use cunbao_domain::names::PersonName;
    use serde_json::json;

    pub(crate) fn record(id: &str, name: &str, household: &str, rel: Relationship) -> Value {
        json!(EnrolmentRecord {
            household_id: household.into(),
            member: Member {
                id_number: IdNumber::parse(id).unwrap(),
                name: PersonName::parse(name).unwrap(),
                relationship: rel,
                phone: None,
                subsidy: None,
                evidence: None,
            },
            scheme_year: 2025,
            enrolled_on: NaiveDate::from_ymd_opt(2024, 10, 10).unwrap(),
            policy_version: "county-sample-2025.1".into(),
            coverage: None,
            duplicate_of: None,
            pending_document: None,
            receipt_no: None,
            stopped: None,
            corrections: Vec::new(),
        })
    }

    #[test]
    fn search_by_id_prefix_name_or_pinyin_initials() {
        let index = ResidentIndex::from_records(vec![
            (
                "e1".into(),
                record("11010519491231002X", "王秀兰", "h1", Relationship::Head),
            ),
            (
                "e2".into(),
                record("110105195001010012", "李建国", "h2", Relationship::Head),
            ),
        ]);
        let names = |q: &str| -> Vec<String> {
            index
                .search(q, 10)
                .iter()
                .map(|r| r.name().to_string())
                .collect()
        };
        assert_eq!(names("110105194"), ["王秀兰"]);
        assert_eq!(names("11010519491231002x"), ["王秀兰"]);
        assert_eq!(names("１１０１０５１９４"), ["王秀兰"], "full-width digits");
        assert_eq!(names("110105 1949"), ["王秀兰"], "grouped as on the card");
        assert_eq!(names("秀"), ["王秀兰"]);
        assert_eq!(names("ljg"), ["李建国"]);
        assert_eq!(names("LJ"), ["李建国"]);
        assert_eq!(names("  "), Vec::<String>::new());
        assert_eq!(index.household("h1").len(), 1);
        assert!(index.active_for("110105195001010012", 2025).is_some());
        assert!(index.active_for("110105195001010012", 2026).is_none());
    }
}
