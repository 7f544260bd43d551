use leptos::prelude::*;

use super::QuoteMemo;
use crate::desk::visit::VisitDraft;
use crate::i18n::{Key, Label};
use crate::ui::components::desk::desk;
use crate::ui::context::use_app;

#[component]
pub fn Lines(draft: RwSignal<VisitDraft>, quote: QuoteMemo) -> impl IntoView {
    let app = use_app();
    let count = Memo::new(move |_| draft.with(|d| d.lines.len()));
    let line_error = move |i: usize| {
        quote.with(|q| match q {
            Some(Ok((_, errors))) => errors
                .iter()
                .find(|e| e.line == i)
                .map(|e| app.say(&e.message)),
            Some(Err(e)) => (i == 0).then(|| app.say(e)),
            None => None,
        })
    };
    // The breakdown row of line i, if it settled (bad lines are left out).
    let figures = move |i: usize| {
        quote.with(|q| {
            let (q, errors) = q.as_ref()?.as_ref().ok()?;
            let skipped = errors.iter().filter(|e| e.line < i).count();
            if errors.iter().any(|e| e.line == i) {
                return None;
            }
            q.settlement.lines.get(i - skipped).cloned()
        })
    };
    view! {
        <Show when=move || { count.get() > 0 }>
            <section class="card lines-wrap">
                <table class="records lines" data-testid="lines">
                    <thead><tr>
                        <th>{move || app.t(Key::Item)}</th><th>{move || app.t(Key::Class)}</th>
                        <th class="num">{move || app.t(Key::Price)}</th><th>{move || app.t(Key::Quantity)}</th>
                        <th class="num">{move || app.t(Key::AmountCol)}</th><th class="num">{move || app.t(Key::SelfPayFull)}</th>
                        <th class="num">{move || app.t(Key::SelfPayFirst)}</th><th class="num">{move || app.t(Key::InPolicy)}</th><th></th>
                    </tr></thead>
                    <tbody>
                        {move || (0..count.get()).map(|i| {
                            let code = draft.with_untracked(|d| d.lines.get(i).map(|l| l.code.clone()).unwrap_or_default());
                            let item = desk().catalogue.get(&code).cloned();
                            let cell = move |f: fn(&cunbao_domain::settlement::LineBreakdown) -> String| {
                                move || figures(i).map(|b| f(&b)).unwrap_or_else(|| "—".into())
                            };
                            view! {
                                <tr data-testid=format!("line-{i}")>
                                    <td>{item.as_ref().map(|it| it.name.clone()).unwrap_or(code.clone())}</td>
                                    <td data-label=move || app.t(Key::Class)>{let class = item.as_ref().map(|it| it.class); move || class.map(|c| c.label(app.lang.get())).unwrap_or("—")}</td>
                                    <td class="num" data-label=move || app.t(Key::Price)>{item.as_ref().map(|it| it.price.to_string())}</td>
                                    <td data-label=move || app.t(Key::Quantity)>
                                        <input class="qty" inputmode="decimal" name=format!("qty_{i}")
                                            prop:value=move || draft.with(|d| d.lines.get(i).map(|l| l.quantity.clone()).unwrap_or_default())
                                            on:input=move |ev| draft.update(|d| if let Some(l) = d.lines.get_mut(i) { l.quantity = event_target_value(&ev) })/>
                                        {move || line_error(i).map(|e| view! { <span class="field-error">{e}</span> })}
                                    </td>
                                    <td class="num" data-label=move || app.t(Key::AmountCol)>{cell(|b| b.amount.to_string())}</td>
                                    <td class="num" data-label=move || app.t(Key::SelfPayFull)>{cell(|b| b.self_pay_full.to_string())}</td>
                                    <td class="num" data-label=move || app.t(Key::SelfPayFirst)>{cell(|b| b.self_pay_first.to_string())}</td>
                                    <td class="num" data-label=move || app.t(Key::InPolicy)>{cell(|b| b.in_policy.to_string())}</td>
                                    <td><button class="link" on:click=move |_| draft.update(|d| { if i < d.lines.len() { d.lines.remove(i); } })>{move || app.t(Key::Remove)}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </Show>
    }
}
