use cunbao_domain::money::Money;
use cunbao_domain::text::Text;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::desk::enrol::{receipts_on, Receipt};
use crate::desk::visit::{claims_on, propose_void, void, ClaimRecord};
use crate::device::{now_ms, today};
use crate::i18n::Key;
use crate::routes::{Route, Section};
use crate::sync::outbox;
use crate::ui::context::use_app;

#[derive(Clone, PartialEq)]
struct TodayData {
    receipts: Vec<Receipt>,
    claims: Vec<(ClaimRecord, bool)>,
}

/// Today's enrolments, receipts (cash to remit) and claims; a claim not yet uploaded can be
/// voided with a reason.
#[component]
pub fn TodayPage() -> impl IntoView {
    let app = use_app();
    let data = RwSignal::new(None::<TodayData>);
    let reload = move || {
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            let store = store.as_ref();
            let day = today();
            let pending: Vec<String> = outbox::pending(store)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.mutation.record_id)
                .collect();
            let receipts = receipts_on(store, day).await.unwrap_or_default();
            let claims = claims_on(store, day)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|c| {
                    let uploaded = !pending.contains(&c.claim_id);
                    (c, uploaded)
                })
                .collect();
            data.set(Some(TodayData { receipts, claims }));
        });
    };
    Effect::new(move |_| {
        let _ = app.device.get();
        let _ = app.sync.get().last_sync_ms;
        let _ = app.sync.get().pending;
        reload();
    });
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Today.label())}</h1>
        {move || data.get().map(|d| {
            let cash: Money = d.receipts.iter().map(|r| r.total).sum();
            let enrolled: Vec<(String, String, String)> = d.receipts.iter().flat_map(|r| {
                r.members.iter().map(|m| (m.enrolment_id.clone(), m.name.clone(), m.id_masked.clone())).collect::<Vec<_>>()
            }).collect();
            let none = move || view! { <p class="empty">{move || app.t(Key::NothingToday)}</p> };
            let (no_enrolments, no_receipts, no_claims) =
                (enrolled.is_empty(), d.receipts.is_empty(), d.claims.is_empty());
            view! {
                <section class="card" data-testid="today-enrolments">
                    <h2>{move || app.t(Key::TodayEnrolments)}" ("{enrolled.len()}")"</h2>
                    {no_enrolments.then(none)}
                    <ul class="people">
                        {enrolled.into_iter().map(|(id, name, masked)| view! {
                            <li><A href=Route::Resident { enrolment_id: &id }.href()>{name}</A><span class="mono">{masked}</span></li>
                        }).collect_view()}
                    </ul>
                </section>
                <section class="card" data-testid="today-receipts">
                    <h2>{move || app.t(Key::TodayReceipts)}</h2>
                    {no_receipts.then(none)}
                    <table class="records">
                        <tbody>
                            {d.receipts.clone().into_iter().map(|r| view! {
                                <tr>
                                    <td class="mono"><A href=Route::Receipt { receipt_no: &r.receipt_no }.href()>{r.receipt_no.clone()}</A></td>
                                    <td>{r.payer.clone()}</td>
                                    <td class="num">"¥"{r.total.to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                        <tfoot><tr><th colspan="2">{move || app.t(Key::CashToRemit)}</th><th class="num" data-testid="cash-to-remit">"¥"{cash.to_string()}</th></tr></tfoot>
                    </table>
                </section>
                <section class="card" data-testid="today-claims">
                    <h2>{move || app.t(Key::TodayClaims)}</h2>
                    {no_claims.then(none)}
                    <ul class="claims">
                        {d.claims.into_iter().map(|(c, uploaded)| view! { <ClaimRow claim=c uploaded=uploaded on_void=reload/> }).collect_view()}
                    </ul>
                </section>
            }
        })}
        <ConfirmedCash/>
    }
}

#[component]
fn ClaimRow<F: Fn() + Copy + Send + Sync + 'static>(
    claim: ClaimRecord,
    uploaded: bool,
    on_void: F,
) -> impl IntoView {
    let app = use_app();
    let reason = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let id = claim.claim_id.clone();
    // Before upload the tablet voids it; after, a void is proposed to the township (双人复核).
    let do_void = move |_| {
        let Some(store) = app.store() else { return };
        let id = id.clone();
        spawn_local(async move {
            let reason = reason.get_untracked();
            let done = if uploaded {
                let proposal_id = crate::device::new_uuid();
                propose_void(store.as_ref(), &id, &reason, &proposal_id, now_ms()).await
            } else {
                void(store.as_ref(), &id, &reason, now_ms()).await
            };
            match done {
                Ok(()) => {
                    crate::ui::sync_runner::refresh(app);
                    on_void();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let voided = claim.voided.clone();
    let decision = claim.decision.clone();
    let settled_for_good = decision.as_ref().is_some_and(|d| !d.status.pays());
    let proposal = claim.void_proposal.clone();
    let awaiting = proposal.as_ref().is_some_and(|p| p.awaiting());
    let can_void = voided.is_none() && !settled_for_good && !awaiting;
    let void_key = if uploaded {
        Key::ProposeVoid
    } else {
        Key::Void
    };
    let refused = proposal
        .and_then(|p| p.decided)
        .filter(|d| d.state == cunbao_domain::second_person::ProposalState::Refused);
    view! {
        <li data-testid="claim-row">
            <A href=Route::Slip { claim_id: &claim.claim_id }.href()>{claim.patient_name.clone()}</A>
            <span class="num">"¥"{claim.claim.settlement.total.to_string()}" · "{move || app.t(Key::FundPays)}" ¥"{claim.claim.settlement.fund.to_string()}</span>
            <span class="badge">{move || if voided.is_some() { app.t(Key::Voided) } else if uploaded { app.t(Key::Uploaded) } else { app.t(Key::NotUploaded) }}</span>
            {decision.map(|d| view! { <DecisionBadge decided=d/> })}
            {awaiting.then(|| view! { <span class="badge warn" data-testid="void-awaiting">{move || app.t(Key::VoidAwaiting)}</span> })}
            {refused.map(|d| view! {
                <span class="badge bad" data-testid="void-refused">{move || app.t(Key::VoidRefused)}{d.note.map(|n| format!("：{n}"))}</span>
            })}
            {can_void.then(|| view! {
                <Show when=move || open.get() fallback=move || view! {
                    <button class="link" data-testid="void" title=move || uploaded.then(|| app.t(Key::ProposeVoidHint))
                        on:click=move |_| open.set(true)>{move || app.t(void_key)}</button>
                }>
                    <input name="void_reason" maxlength="200" placeholder=move || app.t(Key::VoidReason)
                        prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <button data-testid="confirm-void" on:click=do_void.clone()>{move || app.t(void_key)}</button>
                </Show>
            })}
            {move || error.get().map(|e| view! { <span class="field-error">{app.say(&e)}</span> })}
        </li>
    }
}

/// The township's decision on a claim: approved, or rejected with its reason and note.
#[component]
fn DecisionBadge(decided: cunbao_domain::review::DecidedClaim) -> impl IntoView {
    use cunbao_domain::claim::ClaimStatus;
    let app = use_app();
    let rejected = decided.status != ClaimStatus::Approved;
    let words = match decided.status {
        ClaimStatus::Voided => Key::VoidedByTownship,
        ClaimStatus::Approved => Key::ReviewApproved,
        _ => Key::ReviewRejected,
    };
    let reason = decided
        .reason
        .map(|r| Text::new(r.zh, r.en))
        .map(move |r| move || app.say(&r));
    let note = decided.note.map(|n| format!("（{n}）"));
    view! {
        <span class=if rejected { "badge bad" } else { "badge ok" } data-testid="claim-decision">
            {move || app.t(words)}
            {reason.map(|r| view! { "：" {r} })}
            {note}
        </span>
    }
}

/// What the township has confirmed of the clinic's cash (online only): receipts, cash handed
/// in, and the gap until it closes.
#[component]
pub fn ConfirmedCash() -> impl IntoView {
    let app = use_app();
    let standing = RwSignal::new(None::<cunbao_domain::statement::CashStanding>);
    Effect::new(move |_| {
        let _ = app.sync.get().last_sync_ms;
        if !app.online.get() {
            return;
        }
        app.with_token(move |token| async move {
            if let Ok(s) = crate::sync::http::FETCH.clinic_cash(&token).await {
                standing.set(Some(s));
            }
        });
    });
    move || {
        standing.get().map(|s| {
            view! {
                <section class="card" data-testid="confirmed-cash">
                    <h2>{move || app.t(Key::CashConfirmed)}</h2>
                    <dl class="facts">
                        <dt>{move || app.t(Key::ReceiptsTotal)}</dt><dd class="num">{s.receipts_total.to_string()}</dd>
                        <dt>{move || app.t(Key::RefundsTotal)}</dt><dd class="num">{s.refunded.to_string()}</dd>
                        <dt>{move || app.t(Key::CashHandedIn)}</dt><dd class="num">{s.handed_in.to_string()}</dd>
                        <dt>{move || app.t(Key::Gap)}</dt><dd class="num" data-testid="confirmed-gap">{s.gap.to_string()}</dd>
                    </dl>
                </section>
            }
        })
    }
}
