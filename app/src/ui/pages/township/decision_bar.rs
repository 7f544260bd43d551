//! Approve, or reject with a standard reason and a note, for the claims given: on the review
//! queue (the selection) and on a claim's page (that claim).

use cunbao_domain::review::{DecisionKind, ReviewOutcome, ReviewRequest, ReviewResponse};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use crate::i18n::{Key, Lang};
use crate::sync::http::FETCH;
use crate::ui::context::use_app;

/// The standard reasons of the policy in force on this tablet (the county's list when it has
/// none).
pub(super) fn reasons() -> Vec<cunbao_domain::review::RejectionReason> {
    use_app()
        .desk
        .with_untracked(|d| {
            d.as_ref()
                .and_then(|d| d.policy.as_ref())
                .map(|p| p.rejection_reasons.clone())
        })
        .unwrap_or_else(cunbao_domain::review::standard_rejection_reasons)
}

/// `claims`: what the decision is for (empty: the buttons are disabled). `decided` runs after
/// the server answered.
#[component]
pub fn DecisionBar(
    #[prop(into)] claims: Signal<Vec<String>>,
    #[prop(into)] decided: Callback<ReviewResponse>,
) -> impl IntoView {
    let app = use_app();
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let done = RwSignal::new(None::<ReviewResponse>);
    let send = move |decision: DecisionKind| {
        let request = ReviewRequest {
            claims: claims.get_untracked(),
            decision,
            reason: (decision == DecisionKind::Reject).then(|| reason.get_untracked()),
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
        };
        if decision == DecisionKind::Reject {
            if let Err(e) = request.decision(&reasons()) {
                error.set(Some(e));
                return;
            }
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        app.with_token(move |token| async move {
            match FETCH.review_decide(&token, &request).await {
                Ok(response) => {
                    note.set(String::new());
                    done.set(Some(response.clone()));
                    decided.run(response);
                }
                Err(e) => error.set(Some(e.text())),
            }
            busy.set(false);
        });
    };
    let count = move || claims.with(Vec::len);
    let summary = move || {
        let response = done.get()?;
        let n = |o: ReviewOutcome| response.results.iter().filter(|r| r.outcome == o).count();
        let (decided, unchanged, refused) = (
            n(ReviewOutcome::Decided),
            n(ReviewOutcome::Unchanged),
            n(ReviewOutcome::Refused),
        );
        Some(match app.lang.get() {
            Lang::Zh => format!("已处理{decided}条；未变{unchanged}条；未能处理{refused}条"),
            Lang::En => {
                format!("{decided} decided; {unchanged} unchanged; {refused} not possible")
            }
        })
    };
    view! {
        <div class="decision-bar" data-testid="decision-bar">
            <button class="primary" data-testid="approve" disabled=move || busy.get() || count() == 0
                on:click=move |_| send(DecisionKind::Approve)>
                {move || format!("{}（{}）", app.t(Key::Approve), count())}
            </button>
            <label>
                <span>{move || app.t(Key::RejectionReason)}</span>
                <select name="reason" data-testid="reason" prop:value=reason
                    on:change=move |ev| {
                        reason.set(event_target_value(&ev));
                        error.set(None);
                    }>
                    <option value="">{move || app.t(Key::Choose)}</option>
                    {reasons().into_iter().map(|r| {
                        let words = Text::new(r.zh.clone(), r.en.clone());
                        view! { <option value=r.code.clone()>{move || app.say(&words)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="grow">
                <span>{move || app.t(Key::ReviewNote)}</span>
                <input name="note" data-testid="note" maxlength="500" prop:value=note
                    on:input=move |ev| note.set(event_target_value(&ev))/>
            </label>
            <button class="danger" data-testid="reject" disabled=move || busy.get() || count() == 0
                on:click=move |_| send(DecisionKind::Reject)>
                {move || format!("{}（{}）", app.t(Key::Reject), count())}
            </button>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            {move || summary().map(|s| view! { <p class="hint" role="status" data-testid="decision-summary">{s}</p> })}
        </div>
    }
}
