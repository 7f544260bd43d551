use cunbao_domain::risk::Severity;
use leptos::prelude::*;

use super::QuoteMemo;
use crate::desk::visit::VisitDraft;
use crate::i18n::{Key, Label, Lang};
use crate::ui::context::use_app;

#[component]
pub fn Risk(draft: RwSignal<VisitDraft>, quote: QuoteMemo) -> impl IntoView {
    let app = use_app();
    let hits = move || {
        quote
            .get()
            .and_then(|r| r.ok())
            .map(|(q, _)| q.hits)
            .unwrap_or_default()
    };
    let needs_reason = move || hits().iter().any(|h| h.severity == Severity::Warn);
    view! {
        <section class="card" data-testid="risk">
            <h2>{move || app.t(Key::RiskResults)}</h2>
            {move || {
                let mut list = hits();
                crate::sort::sort_by_key(&mut list, |h| std::cmp::Reverse(h.severity));
                if list.is_empty() {
                    return view! { <p>{app.t(Key::NoRisk)}</p> }.into_any();
                }
                view! {
                    <ul class="risk">
                        {list.into_iter().map(|h| {
                            let class = match h.severity {
                                Severity::Block => "risk-block",
                                Severity::Warn => "risk-warn",
                                Severity::Flag => "risk-flag",
                            };
                            let severity = h.severity.label(app.lang.get());
                            let text = if app.lang.get() == Lang::Zh { h.message_zh } else { h.message_en };
                            view! { <li class=class><span class="badge">{severity}</span>" "{text}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Show when=needs_reason>
                <label class="reason">
                    <span>{move || app.t(Key::Reason)}</span>
                    <textarea name="reason" rows="2" prop:value=move || draft.with(|d| d.reason.clone())
                        on:input=move |ev| draft.update(|d| d.reason = event_target_value(&ev))></textarea>
                </label>
            </Show>
        </section>
    }
}
