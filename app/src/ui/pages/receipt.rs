use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::desk::enrol::{receipt, Receipt};
use crate::i18n::{Key, Label};
use crate::routes::{Route, Section};
use crate::ui::components::desk::date_text;
use crate::ui::components::print::PrintButtons;
use crate::ui::context::use_app;
use crate::ui::format::time_of;

/// A contribution's numbered receipt (收费凭证), as printed.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let found = RwSignal::new(None::<Option<Receipt>>);
    Effect::new(move |_| {
        let no = params.with(|p| p.get("no").unwrap_or_default());
        let _ = app.device.get();
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            found.set(Some(receipt(store.as_ref(), &no).await.ok().flatten()));
        });
    });
    move || {
        match found.get() {
        None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
        Some(None) => view! { <p class="card notice" data-testid="not-found">{move || app.t(Key::NoSuchReceipt)}</p> }.into_any(),
        Some(Some(r)) => view! {
            <article class="slip" data-testid="receipt">
                <h1>{move || app.t(Key::Receipt)}</h1>
                <p class="slip-sub">"城乡居民基本医疗保险 "{r.scheme_year}" 年度个人缴费"</p>
                <dl>
                    <dt>{move || app.t(Key::ReceiptNo)}</dt><dd class="mono" data-testid="receipt-no">{r.receipt_no.clone()}</dd>
                    <dt>{move || app.t(Key::Payer)}</dt><dd>{r.payer.clone()}</dd>
                    <dt>{move || app.t(Key::Time)}</dt><dd>{date_text(r.collected_on)}" "{time_of(r.collected_at_ms)}</dd>
                </dl>
                <table>
                    <thead><tr><th>{move || app.t(Key::Name)}</th><th>{move || app.t(Key::IdNumber)}</th><th class="num">{move || app.t(Key::Amount)}</th></tr></thead>
                    <tbody>
                        {r.members.iter().map(|m| view! {
                            <tr><td>{m.name.clone()}</td><td class="mono">{m.id_masked.clone()}</td><td class="num">{m.due.to_string()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="slip-total">{move || app.t(Key::Total)}": ¥"<span data-testid="receipt-total">{r.total.to_string()}</span></p>
                <p>{move || app.t(Key::Collector)}": "{r.collector.clone()}</p>
                {r.refund.clone().map(|refund| {
                    let done = r.refund_decided.as_ref().is_some_and(|d| d.state == cunbao_domain::second_person::ProposalState::Approved);
                    view! {
                        <p class=if done { "badge ok" } else { "badge warn" } data-testid="refund-awaiting">
                            {move || app.t(if done { Key::RefundDone } else { Key::RefundAwaiting })}" · "{move || refund.reason.label(app.lang.get())}
                        </p>
                    }
                })}
            </article>
            <PrintButtons/>
            <div class="actions no-print">
                <A href=Route::Section(Section::Enrol).href() attr:class="button">{move || app.t(Key::NewHousehold)}</A>
                <A href=Route::Section(Section::Today).href() attr:class="button">{move || app.t(Key::NavToday)}</A>
            </div>
        }.into_any(),
    }
    }
}
