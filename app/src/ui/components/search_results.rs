//! Search result lists, redrawn on every keystroke.
//!
//! Built as Leptos views, a dozen rows cost a few hundred DOM calls and reactive nodes per
//! keystroke — too slow on a cheap tablet (the desk budget is 16 ms per keystroke at 4× CPU
//! throttling). Here every row has one fixed shape ([`Row`]) and a keystroke only changes the
//! texts of the rows that changed ([`keep_rows`]); a click on a row is read from the list
//! (`data-pick`) by one handler.

use cunbao_domain::catalogue::CatalogueItem;
use leptos::prelude::{Effect, Get, Memo, NodeRef, RwSignal};
use wasm_bindgen::JsCast;

use crate::desk::residents::Resident;
use crate::device::today;
use crate::i18n::{DatedLabel, Key, Label, Lang};
use crate::routes::Route;
use crate::ui::components::desk::{desk, eligibility_tone};
use crate::ui::context::AppContext;

/// Rows shown per search. Each row that changes costs about 0.8 ms of layout and paint at 4×
/// on every keystroke; with 8 rows a keystroke that changed them all went over the 16 ms
/// budget. One more character narrows the list.
pub const RESULT_ROWS: usize = 6;

/// How a row acts when touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// Opens the person's page.
    Open,
    /// Is picked: the list's click handler gets the enrolment id from [`picked`].
    Pick,
}

/// One row of a result list: the name in bold, then one line of details. Every row of every
/// list has this same shape — an element holding `<strong>` and one text node — so a keystroke
/// only rewrites the texts of the rows that changed ([`keep_rows`]); each extra element in a row
/// cost about 0.25 ms a row at 4× on every keystroke.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The enrolment id or item code the row stands for.
    pub key: String,
    pub class: String,
    pub name: String,
    pub details: String,
}

/// The residents found for `query`, as rows: the name, the masked ID number and today's
/// eligibility, which also colours the row's edge.
pub fn found_residents(app: AppContext, query: RwSignal<String>) -> Memo<Vec<Row>> {
    Memo::new(move |_| {
        let day = today();
        desk()
            .residents
            .search(&query.get(), RESULT_ROWS)
            .into_iter()
            .map(|r| resident_row(app, r, day))
            .collect()
    })
}

fn resident_row(app: AppContext, resident: &Resident, day: chrono::NaiveDate) -> Row {
    let eligibility = resident.eligibility(day);
    Row {
        key: resident.enrolment_id.clone(),
        class: format!("pick elig {}", eligibility_tone(eligibility)),
        name: resident.name().to_string(),
        details: format!(
            "{}{SEP}{}",
            resident.record.member.id_number.masked(),
            eligibility.label(app.lang.get())
        ),
    }
}

/// Between the details of a row: the dot stays at the end of a line when it wraps.
const SEP: &str = "\u{a0}· ";

/// The catalogue items found for `query`, as rows: the name and its class, specification /
/// unit, price, payment standard and code.
pub fn found_items(app: AppContext, query: RwSignal<String>) -> Memo<Vec<Row>> {
    Memo::new(move |_| {
        let lang = app.lang.get();
        desk()
            .catalogue
            .search(&query.get(), RESULT_ROWS)
            .into_iter()
            .map(|item| item_row(app, lang, item))
            .collect()
    })
}

fn item_row(app: AppContext, lang: Lang, item: &CatalogueItem) -> Row {
    let standard = item
        .payment_standard
        .map(|s| format!("{SEP}{} ¥{s}", app.t(Key::Standard)))
        .unwrap_or_default();
    Row {
        key: item.code.as_str().to_string(),
        class: "pick".into(),
        name: item.name.clone(),
        details: format!(
            "{}{SEP}{} / {}{SEP}¥{}{standard}{SEP}{}",
            item.class.label(lang),
            item.specification,
            item.unit,
            item.price,
            item.code.as_str(),
        ),
    }
}

/// Keeps the rows of `list` (a `<ul>` with no other content) equal to `rows` whenever they
/// change. A row that differs from the one shown at its place gets new texts; rows are created
/// only when the list grows. Narrowing a search mostly keeps the first rows, which then cost
/// nothing.
pub fn keep_rows(list: NodeRef<leptos::html::Ul>, action: RowAction, rows: Memo<Vec<Row>>) {
    Effect::new(move |shown: Option<Vec<Row>>| {
        let rows = rows.get();
        let Some(list) = list.get() else {
            return Vec::new();
        };
        if patch_rows(&list, action, shown.as_deref().unwrap_or_default(), &rows).is_err() {
            // Start again from an empty list next time.
            list.set_inner_html("");
            return Vec::new();
        }
        rows
    });
}

/// Makes the `<li>` children of `list`, which show `shown`, show `rows`. Rows past the end
/// are hidden, not removed, to be reused by the next search.
fn patch_rows(
    list: &web_sys::Element,
    action: RowAction,
    shown: &[Row],
    rows: &[Row],
) -> Result<(), wasm_bindgen::JsValue> {
    let document = list.owner_document().ok_or("no document")?;
    let mut next = list.first_element_child();
    let mut i = 0;
    while i < rows.len().max(shown.len()) {
        let li = match next {
            Some(li) => li,
            None => {
                let li = empty_row(&document, action)?;
                list.append_child(&li)?;
                li
            }
        };
        let was = shown.get(i);
        match rows.get(i) {
            None => li.set_attribute("hidden", "")?,
            Some(row) if was != Some(row) => {
                if was.is_none() {
                    li.remove_attribute("hidden")?;
                }
                let target = li.first_element_child().ok_or("row without content")?;
                if was.map(|w| &w.key) != Some(&row.key) {
                    match action {
                        RowAction::Open => target.set_attribute(
                            "href",
                            &Route::Resident {
                                enrolment_id: &row.key,
                            }
                            .href(),
                        )?,
                        RowAction::Pick => target.set_attribute("data-pick", &row.key)?,
                    }
                }
                if was.map(|w| &w.class) != Some(&row.class) {
                    target.set_class_name(&row.class);
                }
                let strong = target.first_element_child().ok_or("row without name")?;
                if was.map(|w| &w.name) != Some(&row.name) {
                    strong.set_text_content(Some(&row.name));
                }
                if was.map(|w| &w.details) != Some(&row.details) {
                    let details = strong.next_sibling().ok_or("row without details")?;
                    details.set_node_value(Some(&row.details));
                }
            }
            Some(_) => {}
        }
        next = li.next_element_sibling();
        i += 1;
    }
    Ok(())
}

/// `<li><a|button><strong></strong>{text}</…></li>`, with no text yet.
fn empty_row(
    document: &web_sys::Document,
    action: RowAction,
) -> Result<web_sys::Element, wasm_bindgen::JsValue> {
    let li = document.create_element("li")?;
    let target = match action {
        RowAction::Open => document.create_element("a")?,
        RowAction::Pick => {
            let button = document.create_element("button")?;
            button.set_attribute("type", "button")?;
            button
        }
    };
    let strong = document.create_element("strong")?;
    target.append_child(&strong)?;
    target.append_child(&document.create_text_node(""))?;
    li.append_child(&target)?;
    Ok(li)
}

/// The `data-pick` of the row a click landed in, if any.
pub fn picked(ev: &web_sys::MouseEvent) -> Option<String> {
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    target
        .closest("[data-pick]")
        .ok()??
        .get_attribute("data-pick")
}
