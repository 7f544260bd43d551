//! Informed self-pay (知情告知): when a visit has a full self-pay part, the assistant confirms
//! the patient was told of it before the visit can be settled.

use leptos::prelude::*;

use super::QuoteMemo;
use crate::desk::visit::VisitDraft;
use crate::i18n::Key;
use crate::ui::context::use_app;

#[component]
pub fn SelfPayConsent(draft: RwSignal<VisitDraft>, quote: QuoteMemo) -> impl IntoView {
    let app = use_app();
    // The self-pay lines: (name, self-pay part), and the visit's self-pay total.
    let self_pay = move || {
        let (q, _) = quote.get()?.ok()?;
        q.settlement.has_self_pay().then(|| {
            let lines = q
                .lines
                .iter()
                .zip(&q.settlement.lines)
                .filter(|(_, b)| !b.self_pay_full.is_zero())
                .map(|(l, b)| (l.name.clone().unwrap_or_default(), b.self_pay_full))
                .collect::<Vec<_>>();
            (lines, q.settlement.self_pay_full)
        })
    };
    move || {
        self_pay().map(|(lines, total)| {
            view! {
                <section class="card self-pay" data-testid="self-pay">
                    <h2>{move || app.t(Key::SelfPayNoticeTitle)}</h2>
                    <ul>
                        {lines.into_iter().map(|(name, part)| view! {
                            <li>{name}" "<span class="num">{part.to_string()}</span></li>
                        }).collect_view()}
                    </ul>
                    <label class="choice">
                        <input type="checkbox" data-testid="self-pay-told"
                            prop:checked=move || draft.with(|d| d.self_pay_told)
                            on:change=move |ev| draft.update(|d| d.self_pay_told = event_target_checked(&ev))/>
                        {move || format!("{} {total}", app.t(Key::SelfPayTold))}
                    </label>
                </section>
            }
        })
    }
}
