use cunbao_domain::enrolment::RefundReason;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{maker, saved};
use crate::desk::changes::{household_receipts, propose_refund, HouseholdReceipt};
use crate::i18n::{option_value, Key, Label};
use crate::ui::components::desk::date_text;
use crate::ui::context::use_app;

/// The household's receipts on this tablet; a receipt that should not have been collected can
/// be proposed for refund (退费申请), which then waits for the township.
#[component]
pub fn HouseholdReceipts(household_id: String) -> impl IntoView {
    let app = use_app();
    let list = RwSignal::new(Vec::<HouseholdReceipt>::new());
    let version = RwSignal::new(0u32);
    Effect::new(move |_| {
        let _ = version.get();
        let _ = app.desk.get();
        let Some(store) = app.store() else { return };
        let household = household_id.clone();
        spawn_local(async move {
            if let Ok(found) = household_receipts(store.as_ref(), &household).await {
                list.set(found);
            }
        });
    });
    view! {
        <Show when=move || !list.with(Vec::is_empty)>
            <section class="card" data-testid="household-receipts">
                <h3>{move || app.t(Key::HouseholdReceipts)}</h3>
                <ul class="people">
                    <For each=move || list.get() key=|r| (r.contribution_id.clone(), r.refund.is_some()) let:r>
                        <ReceiptRow receipt=r version=version/>
                    </For>
                </ul>
            </section>
        </Show>
    }
}

#[component]
fn ReceiptRow(receipt: HouseholdReceipt, version: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let reason = RwSignal::new(option_value(RefundReason::Duplicate));
    let error = RwSignal::new(None::<Text>);
    let id = receipt.contribution_id.clone();
    let propose = move |_| {
        let Some(why) = RefundReason::parse(&reason.get_untracked()) else {
            return;
        };
        let Some(store) = app.store() else { return };
        let id = id.clone();
        spawn_local(async move {
            let Some(maker) = maker(app) else {
                return;
            };
            match propose_refund(store.as_ref(), &id, why, maker).await {
                Ok(_) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                    saved(app);
                }
                Err(err) => error.set(Some(err.text())),
            }
        });
    };
    let head = format!(
        "{} · {} · ¥{}",
        receipt.receipt_no,
        date_text(receipt.collected_on),
        receipt.amount
    );
    let refund = receipt.refund.clone();
    let decided = receipt.refund_decided.clone();
    let refunded = refund.is_some()
        && decided
            .as_ref()
            .is_some_and(|d| d.state == cunbao_domain::second_person::ProposalState::Approved);
    let refused = decided
        .filter(|d| d.state == cunbao_domain::second_person::ProposalState::Refused)
        .map(|d| d.note.unwrap_or_default());
    view! {
        <li data-testid="household-receipt">
            <span class="mono">{head}</span>
            {refused.map(|note| view! {
                <span class="badge bad" data-testid="refund-refused">{move || app.t(Key::RefundRefused)}"：" {note}</span>
            })}
            {match refund {
                Some(_) if refunded => view! {
                    <span class="badge ok" data-testid="refund-done">{move || app.t(Key::RefundDone)}</span>
                }.into_any(),
                Some(r) => view! {
                    <span class="badge warn" data-testid="refund-awaiting">
                        {move || app.t(Key::RefundAwaiting)}" · "{move || r.reason.label(app.lang.get())}
                    </span>
                }.into_any(),
                None => view! {
                    <span class="row">
                        <select name="refund_reason" aria-label=move || app.t(Key::RefundReason)
                            prop:value=move || reason.get() on:change=move |ev| reason.set(event_target_value(&ev))>
                            {RefundReason::ALL.into_iter().map(|r| view! {
                                <option value=option_value(r)>{move || r.label(app.lang.get())}</option>
                            }).collect_view()}
                        </select>
                        <button type="button" data-testid="propose-refund" on:click=propose.clone()>
                            {move || app.t(Key::ProposeRefund)}
                        </button>
                    </span>
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <span class="field-error" role="alert">{app.say(&e)}</span> })}
        </li>
    }
}
