//! Search results drawn as one piece of HTML.
//!
//! The result lists change on every keystroke. Built as Leptos views, a dozen rows cost a few
//! hundred DOM calls and reactive nodes per keystroke — too slow on a cheap tablet (the desk
//! budget is 16 ms per keystroke at 4× CPU throttling). Here each list is one string set with
//! `inner_html`; a click on a row is read from the list (`data-pick`) by one handler.

use cunbao_domain::catalogue::{CatalogueItem, ItemClass};
use cunbao_domain::enrolment::Eligibility;
use leptos::prelude::Get;
use wasm_bindgen::JsCast;

use crate::desk::residents::Resident;
use crate::html::escape;
use crate::i18n::{Key, Lang};
use crate::ui::components::desk::{eligibility_class, eligibility_label};
use crate::ui::context::AppContext;

/// Rows shown per search: what fits above the fold on a tablet, and what a keystroke redraws.
pub const RESULT_ROWS: usize = 8;

/// One resident in a result list: what it shows, compared to skip redrawing the same list.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRow {
    pub enrolment_id: String,
    pub name: String,
    pub masked_id: String,
    pub eligibility: Eligibility,
}

impl ResidentRow {
    pub fn new(resident: &Resident, today: chrono::NaiveDate) -> ResidentRow {
        ResidentRow {
            enrolment_id: resident.enrolment_id.clone(),
            name: resident.name().to_string(),
            masked_id: resident.record.member.id_number.masked(),
            eligibility: resident.eligibility(today),
        }
    }
}

/// How a row acts when touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// Opens the person's page.
    Open,
    /// Is picked: the list's click handler gets the enrolment id from [`picked`].
    Pick,
}

/// A row is the name, the masked ID number as plain text, and the eligibility badge: as few
/// elements as it can be, since each costs layout and paint on every keystroke.
pub fn resident_rows(app: AppContext, rows: &[ResidentRow], action: RowAction) -> String {
    let mut html = String::new();
    for row in rows {
        let id = escape(&row.enrolment_id);
        let (open, close) = match action {
            RowAction::Open => (format!(r#"<a href="/residents/{id}">"#), "</a>"),
            RowAction::Pick => (
                format!(r#"<button type="button" class="pick" data-pick="{id}">"#),
                "</button>",
            ),
        };
        html.push_str(&format!(
            r#"<li>{open}<strong>{}</strong> {} <span class="{}" data-testid="eligibility">{}</span>{close}</li>"#,
            escape(&row.name),
            escape(&row.masked_id),
            eligibility_class(row.eligibility),
            escape(&eligibility_label(app, row.eligibility)),
        ));
    }
    html
}

/// Between the details of a catalogue row: the dot stays at the end of a line when it wraps.
const SEP: &str = "\u{a0}· ";

/// Catalogue items as buttons; the picked item's code comes from [`picked`]. A row is the name
/// and one line of details (class, specification / unit, price, payment standard, code): each
/// separate element costs layout and paint on every keystroke, about 2 ms a list at 4× here.
pub fn item_rows(app: AppContext, items: &[CatalogueItem]) -> String {
    let lang = app.lang.get();
    let mut html = String::new();
    for item in items {
        let standard = item
            .payment_standard
            .map(|s| format!("{SEP}{} ¥{s}", escape(app.t(Key::Standard))))
            .unwrap_or_default();
        html.push_str(&format!(
            r#"<li><button type="button" class="pick" data-pick="{code}"><strong>{}</strong><span class="hint">{}{SEP}{} / {}{SEP}¥{}{standard}{SEP}{code}</span></button></li>"#,
            escape(&item.name),
            class_label(lang, item.class),
            escape(&item.specification),
            escape(&item.unit),
            item.price,
            code = escape(item.code.as_str()),
        ));
    }
    html
}

pub fn class_label(lang: Lang, class: ItemClass) -> &'static str {
    match (lang, class) {
        (Lang::Zh, c) => c.label_zh(),
        (Lang::En, ItemClass::A) => "A",
        (Lang::En, ItemClass::B) => "B",
        (Lang::En, ItemClass::SelfPay) => "self-pay",
    }
}

/// The `data-pick` of the row a click landed in, if any.
pub fn picked(ev: &web_sys::MouseEvent) -> Option<String> {
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    target
        .closest("[data-pick]")
        .ok()??
        .get_attribute("data-pick")
}
