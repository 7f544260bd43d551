//! Reading a catalogue from CSV — the sample catalogue ships this way, and township staff
//! import new versions this way. Columns (header required, in this order):
//!
//! `code,name,kind,class,specification,unit,price,payment_standard,first_self_pay_ratio,
//! per_visit_limit,period_limit,period_days,diagnoses,sex,min_age,max_age`
//!
//! `kind` is drug / service / consumable; `class` is A / B / self_pay; `diagnoses` is a
//! `;`-separated list of ICD-10 prefixes; `sex` is male / female; optional cells are empty.
//! Fields may not contain commas (quoting is not supported).

use chrono::NaiveDate;

use crate::catalogue::{Catalogue, CatalogueItem, ItemClass, ItemKind, PeriodLimit};
use crate::id_number::Sex;
use crate::names::{pinyin_initials, ItemCode};
use crate::quantity::{Quantity, Ratio};
use crate::text::{Bilingual, Text};
use crate::unit_price::UnitPrice;

pub const HEADER: &str = "code,name,kind,class,specification,unit,price,payment_standard,\
first_self_pay_ratio,per_visit_limit,period_limit,period_days,diagnoses,sex,min_age,max_age";

/// What is wrong with one line of the file (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub message: Text,
}

impl Bilingual for CsvError {
    fn text(&self) -> Text {
        let line = self.line;
        self.message
            .clone()
            .prefixed(&format!("第{line}行："), &format!("line {line}: "))
    }
}

crate::bilingual_error!(CsvError);

/// Reads a catalogue, stopping at the first wrong line.
pub fn parse_catalogue(
    text: &str,
    version: &str,
    published_on: NaiveDate,
) -> Result<Catalogue, CsvError> {
    parse_catalogue_all(text, version, published_on, 1).map_err(|mut errors| errors.remove(0))
}

/// Reads a catalogue, reporting every wrong line (at most `max_errors`): what a township
/// needs to mend a file before it is published. Nothing is returned unless every line reads.
pub fn parse_catalogue_all(
    text: &str,
    version: &str,
    published_on: NaiveDate,
    max_errors: usize,
) -> Result<Catalogue, Vec<CsvError>> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l.trim()).unwrap_or_default();
    if header.trim_start_matches('\u{feff}') != HEADER {
        return Err(vec![CsvError {
            line: 1,
            message: Text::new(
                format!("表头应为：{HEADER}"),
                format!("the header must be: {HEADER}"),
            ),
        }]);
    }
    let mut items: Vec<CatalogueItem> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for (i, line) in lines {
        if errors.len() >= max_errors.max(1) {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        match parse_row(line) {
            Err(message) => errors.push(CsvError { line: n, message }),
            Ok(item) if !seen.insert(item.code.clone()) => errors.push(CsvError {
                line: n,
                message: Text::new(
                    format!("编码{}重复", item.code),
                    format!("duplicate code {}", item.code),
                ),
            }),
            Ok(item) => items.push(item),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Catalogue {
        version: version.to_string(),
        published_on,
        items,
    })
}

fn parse_row(line: &str) -> Result<CatalogueItem, Text> {
    let cells: Vec<&str> = line.split(',').map(str::trim).collect();
    if cells.len() != 16 {
        return Err(Text::new(
            format!("应有16列，实有{}列", cells.len()),
            format!("expected 16 columns, found {}", cells.len()),
        ));
    }
    let opt = |cell: &str| (!cell.is_empty()).then(|| cell.to_string());
    // The column's name as in the header, then what is wrong with its cell.
    let field = |name: &str, e: &dyn Bilingual| {
        e.text()
            .prefixed(&format!("{name}："), &format!("{name}: "))
    };
    let bad = |name: &str, cell: &str, allowed: &str| {
        Text::new(
            format!("{name}：“{cell}”无效（可填 {allowed}）"),
            format!("{name}: {cell:?} is not valid ({allowed})"),
        )
    };
    let code = ItemCode::parse(cells[0]).map_err(|e| field("code", &e))?;
    let name = cells[1];
    if name.is_empty() {
        return Err(Text::new("name：名称不能为空", "name: the name is empty"));
    }
    let kind = match cells[2] {
        "drug" => ItemKind::Drug,
        "service" => ItemKind::Service,
        "consumable" => ItemKind::Consumable,
        other => return Err(bad("kind", other, "drug / service / consumable")),
    };
    let class = match cells[3] {
        "A" => ItemClass::A,
        "B" => ItemClass::B,
        "self_pay" => ItemClass::SelfPay,
        other => return Err(bad("class", other, "A / B / self_pay")),
    };
    // Unit prices up to six decimals (PRODUCT.md §2.3), kept as the file has them.
    let unit_price = |name: &str, cell: &str| UnitPrice::parse(cell).map_err(|e| field(name, &e));
    let price = unit_price("price", cells[6])?;
    let payment_standard = opt(cells[7])
        .map(|c| unit_price("payment_standard", &c))
        .transpose()?;
    let first_self_pay_ratio = opt(cells[8])
        .map(|c| Ratio::parse(&c).map_err(|e| field("first_self_pay_ratio", &e)))
        .transpose()?;
    if class == ItemClass::B && first_self_pay_ratio.is_none() {
        return Err(Text::new(
            "first_self_pay_ratio：乙类必须有先行自付比例",
            "first_self_pay_ratio: class B needs one",
        ));
    }
    let quantity = |name: &str, cell: &str| Quantity::parse(cell).map_err(|e| field(name, &e));
    let per_visit_limit = opt(cells[9])
        .map(|c| quantity("per_visit_limit", &c))
        .transpose()?;
    let per_period_limit = match (opt(cells[10]), opt(cells[11])) {
        (None, None) => None,
        (Some(q), Some(days)) => Some(PeriodLimit {
            quantity: quantity("period_limit", &q)?,
            days: days
                .parse()
                .ok()
                .filter(|d| *d > 0)
                .ok_or_else(|| bad("period_days", &days, "1, 2, 3 …"))?,
        }),
        _ => {
            return Err(Text::new(
                "period_limit 与 period_days 须同时填写",
                "period_limit and period_days go together",
            ))
        }
    };
    let diagnosis_restriction = cells[12]
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let sex_restriction = match cells[13] {
        "" => None,
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        other => return Err(bad("sex", other, "male / female")),
    };
    let age = |name: &str, cell: &str| -> Result<Option<u32>, Text> {
        opt(cell)
            .map(|c| c.parse().map_err(|_| bad(name, &c, "0–150")))
            .transpose()
    };
    Ok(CatalogueItem {
        pinyin: pinyin_initials(name),
        code,
        name: name.to_string(),
        kind,
        class,
        specification: cells[4].to_string(),
        unit: cells[5].to_string(),
        price,
        payment_standard,
        first_self_pay_ratio,
        per_visit_limit,
        per_period_limit,
        diagnosis_restriction,
        sex_restriction,
        min_age: age("min_age", cells[14])?,
        max_age: age("max_age", cells[15])?,
        facility_levels: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
    }

    #[test]
    fn reads_a_row_with_every_field() {
        let text = format!(
            "{HEADER}\nXC08CAN001,硝苯地平缓释片,drug,B,20mg×30片,盒,31.60,30.00,0.10,2,6,30,I10;I11,,18,\n"
        );
        let c = parse_catalogue(&text, "v1", on()).unwrap();
        let item = &c.items[0];
        assert_eq!(item.pinyin, "xbdphsp");
        assert_eq!(item.payment_standard, Some(UnitPrice::yuan(30)));
        assert_eq!(item.first_self_pay_ratio, Some(Ratio::percent(10)));
        assert_eq!(item.per_period_limit.as_ref().unwrap().days, 30);
        assert_eq!(item.diagnosis_restriction, ["I10", "I11"]);
        assert_eq!((item.min_age, item.max_age), (Some(18), None));
    }

    #[test]
    fn prices_have_up_to_six_decimals_and_keep_them() {
        let text = format!(
            "{HEADER}\nXA10BAA003,二甲双胍片（拆零）,drug,A,0.25g,片,0.2083,,,96,,,,,,\n\
             X2,某片,drug,B,,片,0.208333,0.200000,0.10,0.5,,,,,,\n"
        );
        let c = parse_catalogue(&text, "v1", on()).unwrap();
        assert_eq!(c.items[0].price.to_string(), "0.2083");
        assert_eq!(c.items[1].price.to_string(), "0.208333");
        assert_eq!(
            c.items[1].payment_standard.map(|p| p.to_string()),
            Some("0.200000".into())
        );
        // Stored as the file has it.
        let json = serde_json::to_value(&c.items[0]).unwrap();
        assert_eq!(json["price"], "0.2083");
    }

    #[test]
    fn a_seventh_decimal_is_refused_naming_the_line() {
        let text = format!(
            "{HEADER}\nX1,甲,drug,A,,,1.00,,,,,,,,,\nX2,乙,drug,A,,片,0.2083333,,,,,,,,,\n\
             X3,丙,drug,A,,片,0.20,0.1234567,,,,,,,,\nX4,丁,drug,A,,片,0.20,,,0.00001,,,,,,\n"
        );
        let errors = parse_catalogue_all(&text, "v1", on(), 100).unwrap_err();
        let texts: Vec<Text> = errors.iter().map(Bilingual::text).collect();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(texts[0].zh, "第3行：price：单价最多六位小数：0.2083333");
        assert_eq!(
            texts[0].en,
            "line 3: price: a unit price has at most six decimals: 0.2083333"
        );
        assert!(texts[1]
            .zh
            .starts_with("第4行：payment_standard：单价最多六位小数"));
        assert!(texts[2]
            .zh
            .starts_with("第5行：per_visit_limit：数量最多四位小数"));
    }

    #[test]
    fn every_wrong_line_is_reported_and_nothing_is_read() {
        let text = format!(
            "{HEADER}\nX1,甲,drug,A,,,1.00,,,,,,,,,\nX2,乙,drug,B,,,2.00,,,,,,,,,\n\
             X3,丙,drug,A,,,abc,,,,,,,,,\nX1,丁,drug,A,,,1.00,,,,,,,,,\nX4,戊,drug,A,,,4.00,,,,,,,,,\n"
        );
        let errors = parse_catalogue_all(&text, "v1", on(), 100).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(errors[0].message.en.contains("first_self_pay_ratio"));
        assert!(errors[1].text().zh.starts_with("第4行：price："));
        assert!(errors[2].message.zh.contains("重复"));
        assert_eq!(
            parse_catalogue_all(&text, "v1", on(), 2).unwrap_err().len(),
            2
        );
        let good = format!("\u{feff}{HEADER}\nX1,甲,drug,A,,,1.00,,,,,,,,,\n");
        assert_eq!(
            parse_catalogue_all(&good, "v1", on(), 100)
                .unwrap()
                .items
                .len(),
            1
        );
    }

    #[test]
    fn says_which_line_is_wrong() {
        let text =
            format!("{HEADER}\nX1,甲,drug,A,,,1.00,,,,,,,,,\nX2,乙,drug,B,,,2.00,,,,,,,,,\n");
        let err = parse_catalogue(&text, "v1", on()).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.en.contains("first_self_pay_ratio"));
        let err = parse_catalogue("code,name\n", "v1", on()).unwrap_err();
        assert_eq!(err.line, 1);
        let text = format!("{HEADER}\nX1,甲,drug,A,,,-1,,,,,,,,,\n");
        assert!(parse_catalogue(&text, "v1", on())
            .unwrap_err()
            .message
            .en
            .starts_with("price"));
        let text = format!("{HEADER}\nX1,甲,drug,A,,,1,,,,,,,,,\nX1,乙,drug,A,,,1,,,,,,,,,\n");
        assert!(parse_catalogue(&text, "v1", on())
            .unwrap_err()
            .message
            .en
            .contains("duplicate"));
    }
}
