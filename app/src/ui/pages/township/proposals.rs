//! The second person (双人复核): voids of uploaded claims and refunds of contributions, proposed
//! at a clinic's tablet or by a township user, approved or refused here by someone else — the
//! proposer sees their own but cannot decide it.

use cunbao_domain::enrolment::RefundReason;
use cunbao_domain::second_person::{Proposal, ProposalAction, ProposalDecision, ProposalState};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use super::second_person::SecondPersonActions;
use super::staff_only::StaffOnline;
use crate::i18n::{Key, Label};
use crate::routes::{Route, Section};
use crate::sync::http::FETCH;
use crate::ui::context::use_app;

#[component]
pub fn ProposalsPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Proposals.label())}</h1>
        <p class="hint">{move || app.t(Key::ProposalsHelp)}</p>
        <StaffOnline><Proposals/></StaffOnline>
    }
}

type Lists = (Vec<Proposal>, Vec<Proposal>);

#[component]
fn Proposals() -> impl IntoView {
    let app = use_app();
    let lists = RwSignal::new(None::<Result<Lists, Text>>);
    let load = move || {
        app.with_token(move |token| async move {
            let awaiting = FETCH.proposals(&token, false).await;
            let decided = FETCH.proposals(&token, true).await;
            lists.set(Some(match (awaiting, decided) {
                (Ok(a), Ok(d)) => Ok((a, d)),
                (Err(e), _) | (_, Err(e)) => Err(e.text()),
            }));
        });
    };
    Effect::new(move |_| load());
    view! {
        {move || match lists.get() {
            None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
            Some(Ok((awaiting, decided))) => view! {
                <section class="card" data-testid="proposals-awaiting">
                    <h2>{app.t(Key::ProposalsAwaiting)}" ("{awaiting.len()}")"</h2>
                    {awaiting.is_empty().then(|| view! { <p class="empty">{app.t(Key::NoProposals)}</p> })}
                    <ul class="proposals">
                        {awaiting.into_iter().map(|p| view! { <AwaitingRow proposal=p on_decided=load/> }).collect_view()}
                    </ul>
                </section>
                <section class="card" data-testid="proposals-decided">
                    <h2>{app.t(Key::ProposalsDecided)}</h2>
                    <table class="records">
                        <thead><tr>
                            <th>{app.t(Key::Clinic)}</th><th>{app.t(Key::ActionVoidClaim)}" / "{app.t(Key::ActionRefund)}</th>
                            <th class="num">{app.t(Key::Amount)}</th><th>{app.t(Key::ProposedBy)}</th>
                            <th>{app.t(Key::DecidedBy)}</th>
                        </tr></thead>
                        <tbody>
                            {decided.into_iter().map(|p| view! { <DecidedRow proposal=p/> }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }.into_any(),
        }}
    }
}

/// What the proposal is about, in words: the action and its subject (a claim links to its
/// review page).
#[component]
fn Subject(proposal: Proposal) -> impl IntoView {
    let app = use_app();
    let action = match proposal.action {
        ProposalAction::VoidClaim => Key::ActionVoidClaim,
        ProposalAction::RefundContribution => Key::ActionRefund,
    };
    let subject = proposal.subject.clone();
    let link = (proposal.action == ProposalAction::VoidClaim).then(|| {
        Route::ReviewClaim {
            claim_id: &proposal.target_id,
        }
        .href()
    });
    view! {
        <span class="badge">{move || app.t(action)}</span>" "
        {match link {
            Some(href) => view! { <a href=href class="mono">{subject}</a> }.into_any(),
            None => view! { <span class="mono">{subject}</span> }.into_any(),
        }}
    }
}

/// The reason as the proposer gave it (a refund's as its label).
fn reason_text(p: &Proposal, lang: crate::i18n::Lang) -> String {
    match p.action {
        ProposalAction::RefundContribution => RefundReason::parse(&p.reason)
            .map(|r| r.label(lang).to_string())
            .unwrap_or_else(|| p.reason.clone()),
        ProposalAction::VoidClaim => p.reason.clone(),
    }
}

#[component]
fn AwaitingRow<F: Fn() + Copy + Send + Sync + 'static>(
    proposal: Proposal,
    on_decided: F,
) -> impl IntoView {
    let app = use_app();
    let error = RwSignal::new(None::<Text>);
    let mine = !proposal.decidable_by(&app.username());
    let id = proposal.proposal_id.clone();
    let send = move |decision: ProposalDecision| {
        let id = id.clone();
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.decide_proposal(&token, &id, &decision).await {
                Ok(_) => on_decided(),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let reason = {
        let p = proposal.clone();
        move || reason_text(&p, app.lang.get())
    };
    view! {
        <li data-testid="proposal" data-target=proposal.target_id.clone()>
            <div class="proposal-what">
                <strong>{proposal.clinic_name.clone()}</strong>" "
                <Subject proposal=proposal.clone()/>
                <span class="num">" ¥"{proposal.amount.to_string()}</span>
            </div>
            <div class="proposal-why">
                {move || app.t(Key::ProposalReason)}"："{reason}
                " · "{move || app.t(Key::ProposedBy)}" "{proposal.proposed_by.clone()}" "
                {crate::ui::format::datetime_of(&proposal.proposed_at)}
            </div>
            <SecondPersonActions mine=mine what="proposal" approve=Key::ApproveVoid send=send error=error/>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </li>
    }
}

#[component]
fn DecidedRow(proposal: Proposal) -> impl IntoView {
    let app = use_app();
    let state = match proposal.state {
        ProposalState::Approved => Key::StatusProposalApproved,
        ProposalState::Refused => Key::StatusProposalRefused,
        ProposalState::Awaiting => Key::StatusAwaitingSecond,
    };
    let decided = proposal.decided.clone();
    let reason = {
        let p = proposal.clone();
        move || reason_text(&p, app.lang.get())
    };
    view! {
        <tr data-testid="decided-proposal">
            <td>{proposal.clinic_name.clone()}</td>
            <td><Subject proposal=proposal.clone()/>" · "{reason}</td>
            <td class="num">{proposal.amount.to_string()}</td>
            <td>{proposal.proposed_by.clone()}</td>
            <td>
                <span class=if proposal.state == ProposalState::Approved { "badge ok" } else { "badge bad" }>{move || app.t(state)}</span>" "
                {decided.map(|d| format!("{} {}{}", d.decided_by, crate::ui::format::datetime_of(&d.decided_at),
                    d.note.map(|n| format!("（{n}）")).unwrap_or_default()))}
            </td>
        </tr>
    }
}

/// On a claim's review page: a township user proposes voiding it, for someone else to approve.
#[component]
pub fn ProposeVoid(claim_id: String) -> impl IntoView {
    let app = use_app();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let proposed = RwSignal::new(false);
    let propose = move |_| {
        let request = cunbao_domain::second_person::ProposeRequest::VoidClaim {
            claim_id: claim_id.clone(),
            reason: reason.get_untracked().trim().to_string(),
        };
        if let Err(e) = cunbao_domain::second_person::check_text(&reason.get_untracked()) {
            error.set(Some(e));
            return;
        }
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.propose(&token, &request).await {
                Ok(_) => proposed.set(true),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    view! {
        <section class="card no-print" data-testid="propose-void">
            <h2>{move || app.t(Key::ProposeVoid)}</h2>
            <p class="hint">{move || app.t(Key::ProposeVoidHint)}</p>
            <Show when=move || proposed.get() fallback=move || view! {
                <div class="row">
                    <input name="void_reason" maxlength="200" placeholder=move || app.t(Key::VoidReason)
                        prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <button data-testid="confirm-propose-void" on:click=propose.clone()>{move || app.t(Key::ProposeVoid)}</button>
                </div>
            }>
                <p class="badge warn" data-testid="void-proposed">
                    {move || app.t(Key::VoidAwaiting)}" · "
                    <a href=Route::Section(Section::Proposals).href()>{move || app.t(Key::NavProposals)}</a>
                </p>
            </Show>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </section>
    }
}
