//! Publications awaiting a second person (approve: it is published; refuse: with a reason),
//! those decided lately, and the history of published versions with who proposed and who
//! approved each.

use cunbao_domain::publication::{PublicationKind, PublicationProposal, Publications as List};
use cunbao_domain::second_person::{ProposalDecision, ProposalState};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use super::second_person::SecondPersonActions;
use crate::i18n::Key;
use crate::sync::http::FETCH;
use crate::ui::context::use_app;
use crate::ui::format::datetime_of;

fn kind_label(kind: PublicationKind) -> Key {
    match kind {
        PublicationKind::Catalogue => Key::KindCatalogue,
        PublicationKind::Policy => Key::KindPolicy,
    }
}

#[component]
pub fn Publications(proposed: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let list = RwSignal::new(None::<Result<List, Text>>);
    let load = move || {
        app.with_token(move |token| async move {
            list.set(Some(FETCH.publications(&token).await.map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| {
        proposed.track();
        load();
    });
    view! {
        {move || match list.get() {
            None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
            Some(Ok(l)) => view! {
                <section class="card" data-testid="publications-awaiting">
                    <h2>{app.t(Key::PublicationsAwaiting)}</h2>
                    {l.awaiting.is_empty().then(|| view! { <p class="empty">{app.t(Key::NoPublicationsAwaiting)}</p> })}
                    <ul class="claims">
                        {l.awaiting.into_iter().map(|p| view! { <Awaiting proposal=p on_decided=load/> }).collect_view()}
                    </ul>
                </section>
                <section class="card" data-testid="publication-history">
                    <h2>{app.t(Key::PublicationHistory)}</h2>
                    <div class="table-scroll">
                        <table class="records">
                            <thead><tr>
                                <th>{app.t(Key::PublicationKindLabel)}</th><th>{app.t(Key::VersionName)}</th>
                                <th>{app.t(Key::EffectiveFrom)}</th><th>{app.t(Key::PublishedAt)}</th>
                                <th>{app.t(Key::ProposedBy)}</th><th>{app.t(Key::ApprovedBy)}</th>
                            </tr></thead>
                            <tbody>
                                {l.versions.into_iter().map(|v| view! {
                                    <tr data-testid="published-version" data-version=v.version.clone()>
                                        <td>{app.t(kind_label(v.kind))}</td>
                                        <td class="mono">{v.version.clone()}</td>
                                        <td>{v.effective_from.to_string()}</td>
                                        <td>{datetime_of(&v.published_at)}</td>
                                        <td>{v.proposed_by.unwrap_or_else(|| app.t(Key::PublishedAtConsole).into())}</td>
                                        <td>{v.approved_by.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(!l.decided.is_empty()).then(|| view! {
                        <h3>{app.t(Key::ProposalsDecided)}</h3>
                        <ul class="claims">
                            {l.decided.into_iter().map(|p| view! { <Decided proposal=p/> }).collect_view()}
                        </ul>
                    })}
                </section>
            }.into_any(),
        }}
    }
}

fn summary(p: &PublicationProposal) -> impl IntoView {
    let app = use_app();
    view! {
        <div class="proposal-what">
            <strong>{app.t(kind_label(p.kind))}" "<span class="mono">{p.version.clone()}</span></strong>
            " · "{app.t(Key::EffectiveFrom)}" "{p.effective_from.to_string()}
        </div>
        <p class="hint">{p.changes.iter().map(|c| app.say(c)).collect::<Vec<_>>().join("；")}</p>
        <div class="proposal-why">
            {app.t(Key::ProposedBy)}" "{p.proposed_by.clone()}" "{datetime_of(&p.proposed_at)}
        </div>
    }
}

#[component]
fn Awaiting<F: Fn() + Copy + Send + Sync + 'static>(
    proposal: PublicationProposal,
    on_decided: F,
) -> impl IntoView {
    let app = use_app();
    let error = RwSignal::new(None::<Text>);
    let mine = proposal.proposed_by_username == app.username();
    let id = proposal.proposal_id.clone();
    let send = move |decision: ProposalDecision| {
        let id = id.clone();
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.decide_publication(&token, &id, &decision).await {
                Ok(_) => on_decided(),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    view! {
        <li class="publication" data-testid="publication-proposal" data-version=proposal.version.clone()>
            {summary(&proposal)}
            <SecondPersonActions mine=mine what="publication" approve=Key::ApprovePublication send=send error=error/>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </li>
    }
}

#[component]
fn Decided(proposal: PublicationProposal) -> impl IntoView {
    let app = use_app();
    let decided = proposal.decided.clone();
    let approved = decided
        .as_ref()
        .is_some_and(|d| d.state == ProposalState::Approved);
    view! {
        <li class="publication" data-testid="decided-publication">
            {summary(&proposal)}
            <span class=if approved { "badge ok" } else { "badge bad" }>
                {app.t(if approved { Key::StatusProposalApproved } else { Key::StatusProposalRefused })}
            </span>" "
            {decided.map(|d| format!("{} {}{}", d.decided_by, datetime_of(&d.decided_at),
                d.note.map(|n| format!("（{n}）")).unwrap_or_default()))}
        </li>
    }
}
