use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::desk::visit::ClaimRecord;
use crate::html::escape;
use crate::i18n::{Key, Lang};
use crate::routes::{Route, Section};
use crate::storage::{Store, StoreName};
use crate::ui::components::desk::date_text;
use crate::ui::components::print::PrintButtons;
use crate::ui::context::{use_app, AppContext};
use crate::ui::format::time_of;

/// The settlement slip (结算单) of the saved claim `id`, as printed.
#[component]
pub fn ClaimSlip(id: String) -> impl IntoView {
    let app = use_app();
    // Just saved on the settlement screen: already on disk, shown at once without reading it
    // back.
    let just_saved = app
        .saved_claim
        .with_value(|c| c.clone().filter(|c| c.claim_id == id));
    let found = RwSignal::new(just_saved.map(Some));
    Effect::new(move |_| {
        if found.with_untracked(|f| matches!(f, Some(Some(c)) if c.claim_id == id)) {
            return;
        }
        let id = id.clone();
        let _ = app.device.get();
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            let claim = store
                .get_as::<ClaimRecord>(StoreName::Claims, &id)
                .await
                .ok()
                .flatten();
            found.set(Some(claim));
        });
    });
    move || {
        match found.get() {
        None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
        Some(None) => view! { <p class="card notice" data-testid="not-found">{move || app.t(Key::NoSuchClaim)}</p> }.into_any(),
        Some(Some(c)) => view! {
            <article class="slip" data-testid="slip" inner_html=move || slip_html(app, &c)></article>
            <PrintButtons/>
            <div class="actions no-print">
                <A href=Route::Section(Section::Settlement).href() attr:class="button">{move || app.t(Key::NewVisit)}</A>
                <A href=Route::Section(Section::Today).href() attr:class="button">{move || app.t(Key::NavToday)}</A>
            </div>
        }
        .into_any(),
    }
    }
}

/// The slip's content as one piece of HTML: it appears the moment a settlement is saved, so it
/// is written with one DOM call rather than a few hundred (see `search_results`).
fn slip_html(app: AppContext, c: &ClaimRecord) -> String {
    let t = |key: Key| escape(app.t(key));
    let s = &c.claim.settlement;
    // `elementtiming`: the browser can report when the slip was first painted (the desk bench
    // reads it).
    let mut html = format!(
        r#"<h1 elementtiming="slip">{}</h1>"#,
        t(Key::SettlementSlip)
    );
    if c.claim.pending_review {
        html += &format!(r#"<p class="notice-lead">{}</p>"#, t(Key::PendingReview));
    }
    if let Some(reason) = &c.voided {
        html += &format!(
            r#"<p class="notice-lead">{}: {}</p>"#,
            t(Key::Voided),
            escape(reason)
        );
    }
    html += &format!(
        r#"<dl><dt>{}</dt><dd>{} <span class="mono">{}</span></dd><dt>{}</dt><dd>{} {}</dd><dt>{}</dt><dd>{}</dd></dl>"#,
        t(Key::Patient),
        escape(&c.patient_name),
        escape(&c.claim.person.masked()),
        t(Key::VisitDate),
        date_text(c.claim.visit_date),
        time_of(c.saved_at_ms),
        t(Key::Diagnosis),
        escape(&diagnosis_names(app, &c.claim.diagnosis_codes())),
    );
    html += &format!(
        r#"<table><thead><tr><th>{}</th><th class="num">{}</th><th class="num">{}</th><th class="num">{}</th><th class="num">{}</th><th class="num">{}</th></tr></thead><tbody>"#,
        t(Key::Item),
        t(Key::Price),
        t(Key::Quantity),
        t(Key::AmountCol),
        t(Key::SelfPayFull),
        t(Key::SelfPayFirst),
    );
    // The unit price as the catalogue has it (a tablet sold per piece: 0.2083); only the
    // amounts are in fen.
    for (line, figures) in c.claim.lines.iter().zip(&s.lines) {
        html += &format!(
            r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            escape(line.name.as_deref().unwrap_or_default()),
            line.price,
            line.quantity,
            figures.amount,
            figures.self_pay_full,
            figures.self_pay_first,
        );
    }
    html += r#"</tbody></table><dl class="totals">"#;
    for (key, value, id) in [
        (Key::Total, s.total, "total"),
        (Key::InPolicy, s.in_policy, "in-policy"),
        (Key::DeductibleTaken, s.deductible_taken, "deductible-taken"),
        (Key::FundPays, s.fund, "fund"),
        (Key::PatientPays, s.patient, "patient"),
    ] {
        html += &format!(
            r#"<dt>{}</dt><dd class="num" data-testid="slip-{id}">{value}</dd>"#,
            t(key)
        );
    }
    html += "</dl>";
    html += &self_pay_html(app, c);
    html += &format!(
        r#"<p class="hint">{}: {} {} · {} {}</p>"#,
        t(Key::YearToDate),
        t(Key::DeductibleMet),
        s.accumulators_after.deductible_met,
        t(Key::FundPaid),
        s.accumulators_after.fund_paid,
    );
    if !c.claim.rule_hits.is_empty() {
        html += r#"<ul class="risk">"#;
        for hit in &c.claim.rule_hits {
            let message = match app.lang.get() {
                Lang::Zh => &hit.message_zh,
                Lang::En => &hit.message_en,
            };
            html += &format!("<li>{}</li>", escape(message));
        }
        html += "</ul>";
    }
    html += &format!(
        r#"<p>{}: {}</p><p class="mono hint">{}</p>"#,
        t(Key::Operator),
        escape(&c.operator),
        escape(&c.claim_id),
    );
    html
}

/// The self-pay part printed on its own (知情告知): each self-pay line and the total, and
/// whether the patient was told before settling.
fn self_pay_html(app: AppContext, c: &ClaimRecord) -> String {
    let s = &c.claim.settlement;
    if !s.has_self_pay() {
        return String::new();
    }
    let t = |key: Key| escape(app.t(key));
    let heading = if c.claim.self_pay_informed {
        t(Key::SelfPayPart)
    } else {
        t(Key::SelfPayFull)
    };
    let mut html = format!(
        r#"<section class="slip-self-pay" data-testid="slip-self-pay"><h2>{heading}</h2><dl>"#
    );
    for (line, figures) in c.claim.lines.iter().zip(&s.lines) {
        if !figures.self_pay_full.is_zero() {
            html += &format!(
                r#"<dt>{}</dt><dd class="num">{}</dd>"#,
                escape(line.name.as_deref().unwrap_or_default()),
                figures.self_pay_full
            );
        }
    }
    html += &format!(
        r#"<dt>{}</dt><dd class="num" data-testid="slip-self-pay-total">{}</dd></dl></section>"#,
        t(Key::Total),
        s.self_pay_full
    );
    html
}

/// "J06.9 急性上呼吸道感染" for each diagnosis (the code alone for one not on the list).
fn diagnosis_names(app: AppContext, codes: &[String]) -> String {
    codes
        .iter()
        .map(|code| match cunbao_domain::diagnosis::find(code) {
            Some(d) if app.lang.get_untracked() == Lang::Zh => format!("{code} {}", d.name_zh),
            Some(d) => format!("{code} {}", d.name_en),
            None => code.clone(),
        })
        .collect::<Vec<_>>()
        .join("、")
}
