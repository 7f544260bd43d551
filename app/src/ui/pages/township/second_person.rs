//! A second person's controls on a proposal someone else made: approve, or refuse with a
//! reason (2–200 characters, checked here and by the server). The proposer sees instead that
//! another township user must decide. Used for voids and refunds and for publications.

use cunbao_domain::second_person::ProposalDecision;
use cunbao_domain::text::Text;
use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::context::use_app;

/// `what` names the controls for tests (`approve-<what>`, `refuse-<what>`, …); `approve` is
/// the approve button's words; `send` carries out a checked decision; a refusal without a
/// proper reason is said in `error`.
#[component]
pub fn SecondPersonActions(
    mine: bool,
    what: &'static str,
    approve: Key,
    #[prop(into)] send: Callback<ProposalDecision>,
    error: RwSignal<Option<Text>>,
) -> impl IntoView {
    let app = use_app();
    let note = RwSignal::new(String::new());
    let refusing = RwSignal::new(false);
    if mine {
        return view! { <p class="badge warn" data-testid=format!("own-{what}")>{move || app.t(Key::OwnProposal)}</p> }
            .into_any();
    }
    let refuse = move |_| {
        let decision = ProposalDecision::Refuse {
            note: note.get_untracked(),
        };
        match decision.checked() {
            Ok(d) => send.run(d),
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <div class="proposal-actions">
            <button class="primary" data-testid=format!("approve-{what}") on:click=move |_| send.run(ProposalDecision::Approve)>{move || app.t(approve)}</button>
            <Show when=move || refusing.get() fallback=move || view! {
                <button data-testid=format!("refuse-{what}") on:click=move |_| refusing.set(true)>{move || app.t(Key::Refuse)}</button>
            }>
                <input name="refuse_note" maxlength="200" placeholder=move || app.t(Key::RefuseNote)
                    prop:value=note on:input=move |ev| note.set(event_target_value(&ev))/>
                <button data-testid=format!("confirm-refuse-{what}") on:click=refuse>{move || app.t(Key::Refuse)}</button>
            </Show>
        </div>
    }
    .into_any()
}
