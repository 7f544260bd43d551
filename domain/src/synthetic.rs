//! Deterministic synthetic data for tests and benchmarks: large catalogues (30,000 items) and
//! populations (5,000 persons in about 1,500 households) with valid ID numbers, some newborns
//! and some subsidised members. Same seed, same data, on every machine.

use crate::text::Bilingual;
use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::catalogue::{Catalogue, CatalogueItem};
use crate::enrolment::{Evidence, Member, Relationship, SubsidyCategory};
use crate::id_number::{compose, IdNumber};
use crate::names::{pinyin_initials, ItemCode, PersonName, Phone};
use crate::sample;
use crate::unit_price::UnitPrice;

/// SplitMix64: small, fast, and identical everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const MAKERS: &[&str] = &[
    "华东", "华北", "西南", "岭南", "江南", "北方", "中原", "湘江", "桂林", "川渝", "齐鲁", "燕山",
    "太行", "长白", "天山", "漓江", "珠江", "黄河", "长江", "东海",
];

/// A catalogue of `size` items: the sample items, then variants of them from other makers
/// with their own codes and prices, as a real provincial catalogue lists one generic from many
/// manufacturers.
pub fn catalogue(size: usize, seed: u64) -> Catalogue {
    let base = sample::catalogue();
    let mut rng = Rng::new(seed);
    let mut items: Vec<CatalogueItem> = base.items.iter().take(size).cloned().collect();
    let mut n = 0u64;
    while items.len() < size {
        let template = rng.pick(&base.items);
        n += 1;
        let maker = rng.pick(MAKERS);
        let mut item = template.clone();
        item.code = ItemCode::parse(&format!("{}-{n:05}", template.code)).expect("valid code");
        item.name = format!("{}（{maker}）", template.name);
        item.pinyin = pinyin_initials(&item.name);
        // Price within ±30 % of the template's, to the fen (a per-piece price to 0.0001).
        let factor = Decimal::new(70 + rng.below(61) as i64, 2);
        let scale = template.price.value().scale().max(2);
        let price = (template.price.value() * factor)
            .round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .max(Decimal::new(1, scale));
        item.price = UnitPrice::try_from_decimal(price).expect("a price within range");
        items.push(item);
    }
    Catalogue {
        version: format!("synthetic-{size}-{seed}"),
        published_on: base.published_on,
        items,
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "梁", "韦", "覃", "莫", "蒙", "廖", "蓝", "唐", "邓", "谢",
];
const GIVEN: &[&str] = &[
    "建", "国", "华", "明", "丽", "芳", "秀", "英", "军", "平", "红", "强", "伟", "玲", "桂", "兰",
    "春", "梅", "志", "文", "海", "燕", "金", "凤", "勇", "琴", "宝", "小", "德", "成", "云", "霞",
];
/// County-level region codes (Guangxi, where the reference township is).
const REGIONS: &[&str] = &["450324", "450325", "450326", "450327", "450329", "450330"];

#[derive(Debug, Clone)]
pub struct SyntheticHousehold {
    pub id: String,
    pub members: Vec<Member>,
}

/// About 5,000 persons in `households` households (1–6 members, three on average).
/// `today` anchors ages; every tenth household or so has a baby born in the last 90 days.
pub fn population(households: usize, seed: u64, today: NaiveDate) -> Vec<SyntheticHousehold> {
    population_apart(households, seed, today, &mut HashSet::new())
}

/// [`population`], with none of the ID numbers in `used` (several clinics' populations drawn
/// apart); the numbers drawn are added to it.
pub fn population_apart(
    households: usize,
    seed: u64,
    today: NaiveDate,
    used: &mut HashSet<IdNumber>,
) -> Vec<SyntheticHousehold> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(households);
    for h in 0..households {
        let region = *rng.pick(REGIONS);
        let surname = *rng.pick(SURNAMES);
        let head_age = 25 + rng.below(55);
        let mut plan: Vec<(Relationship, u64)> = vec![(Relationship::Head, head_age)];
        let size = [1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6][rng.below(12) as usize];
        if size >= 2 {
            plan.push((
                Relationship::Spouse,
                head_age.saturating_sub(3) + rng.below(6),
            ));
        }
        for _ in plan.len()..size {
            let (relationship, age) = if head_age < 60 && rng.chance(75) {
                let child_age = rng.below(head_age.saturating_sub(20).max(1));
                (Relationship::Child, child_age)
            } else if head_age < 50 && rng.chance(50) {
                (Relationship::Parent, head_age + 22 + rng.below(15))
            } else {
                (Relationship::Grandchild, rng.below(12))
            };
            plan.push((relationship, age));
        }
        if rng.chance(10) {
            plan.push((Relationship::Child, 0));
        }
        let members = plan
            .into_iter()
            .map(|(relationship, age)| {
                let birth = if age == 0 {
                    today - Days::new(rng.below(90))
                } else {
                    today - Days::new(age * 365 + rng.below(365))
                };
                let id = unique_id(&mut rng, used, region, birth);
                let name = person_name(&mut rng, surname, relationship);
                let (subsidy, evidence) = subsidy(&mut rng, h);
                Member {
                    id_number: id,
                    name,
                    relationship,
                    phone: (relationship == Relationship::Head).then(|| {
                        Phone::parse(&format!("13{:09}", rng.below(1_000_000_000)))
                            .expect("valid mobile")
                    }),
                    subsidy,
                    evidence,
                }
            })
            .collect();
        out.push(SyntheticHousehold {
            id: format!("H{h:05}"),
            members,
        });
    }
    out
}

fn unique_id(
    rng: &mut Rng,
    used: &mut HashSet<IdNumber>,
    region: &str,
    birth: NaiveDate,
) -> IdNumber {
    loop {
        let id = compose(region, birth, rng.below(1000) as u16);
        if used.insert(id.clone()) {
            return id;
        }
    }
}

fn person_name(rng: &mut Rng, surname: &str, relationship: Relationship) -> PersonName {
    let surname = if relationship == Relationship::Spouse {
        *rng.pick(SURNAMES)
    } else {
        surname
    };
    let given: String = (0..1 + rng.below(2)).map(|_| *rng.pick(GIVEN)).collect();
    PersonName::parse(&format!("{surname}{given}")).expect("valid name")
}

fn subsidy(rng: &mut Rng, household: usize) -> (Option<SubsidyCategory>, Option<Evidence>) {
    let roll = rng.below(100);
    let category = match roll {
        0..=3 => SubsidyCategory::Dibao,
        4 => SubsidyCategory::Tekun,
        5..=6 => SubsidyCategory::LowIncome,
        7 => SubsidyCategory::SevereDisability,
        8 => SubsidyCategory::FamilyPlanningSpecial,
        _ => return (None, None),
    };
    let evidence = Evidence {
        kind: category.evidence(),
        number: format!("{}-{household:05}-{roll}", category.evidence().text().zh),
        disability_grade: (category == SubsidyCategory::SevereDisability)
            .then(|| 1 + rng.below(2) as u8),
    };
    (Some(category), Some(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrolment::household_contribution;
    use crate::policy::Policy;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    #[test]
    fn a_large_catalogue_is_deterministic_with_unique_codes() {
        let a = catalogue(30_000, 7);
        assert_eq!(a.items.len(), 30_000);
        assert_eq!(a, catalogue(30_000, 7));
        assert_ne!(a.items[20_000], catalogue(30_000, 8).items[20_000]);
        let codes: HashSet<&ItemCode> = a.items.iter().map(|i| &i.code).collect();
        assert_eq!(codes.len(), 30_000);
        assert!(a
            .items
            .iter()
            .all(|i| !i.pinyin.is_empty() && !i.price.is_zero()));
    }

    #[test]
    fn a_population_of_about_5000_in_1500_households() {
        let households = population(1_500, 42, today());
        let people: Vec<&Member> = households.iter().flat_map(|h| &h.members).collect();
        assert!((4_500..=5_500).contains(&people.len()), "{}", people.len());
        let ids: HashSet<&IdNumber> = people.iter().map(|m| &m.id_number).collect();
        assert_eq!(ids.len(), people.len(), "ID numbers are unique");
        let newborns = people
            .iter()
            .filter(|m| (today() - m.id_number.birth_date()).num_days() <= 90)
            .count();
        assert!(newborns >= 50, "{newborns}");
        let subsidised = people.iter().filter(|m| m.subsidy.is_some()).count();
        assert!(subsidised >= 200, "{subsidised}");
        // Every household is a valid enrolment under the 2025 policy.
        let policy = Policy::sample_2025();
        for h in &households {
            household_contribution(&policy, &h.members).unwrap();
        }
        let again = population(1_500, 42, today());
        assert_eq!(again[777].members, households[777].members);
    }
}
