use cunbao_domain::sync::SignInRequest;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::{self, Closed, Gate};
use crate::i18n::Key;
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::sync::outbox::EntryState;
use crate::sync::setup::Progress;
use crate::ui::context::use_app;
use crate::ui::format::{bytes, time_of};
use crate::ui::sync_runner;
use crate::vault::SignInRefusal;

/// Sign-in when signed out; otherwise where sync stands, with what went wrong and what to do
/// — and the sign-in again when the server no longer accepts the session (its work still to
/// upload is sent under the new sign-in, so signing out first is not needed).
#[component]
pub fn SyncPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Sync.label())}</h1>
        <Show when=move || app.signed_in() fallback=|| view! { <SignInForm/> }>
            <Show when=move || app.session_refused.get()>
                <SignInForm/>
            </Show>
            <SyncStatusView/>
            <Show when=move || !app.is_township_staff()>
                <TownshipDecisions/>
            </Show>
        </Show>
    }
}

/// How many of the township's decisions the sync page lists.
const DECISIONS_SHOWN: usize = 50;

/// The township's decisions on this clinic's work, as pulled: claims rejected, approved or
/// voided, with the reason; voids and refunds proposed here, approved or refused.
#[component]
fn TownshipDecisions() -> impl IntoView {
    use crate::storage::records::{Notice, TownshipDecision};
    use cunbao_domain::claim::ClaimStatus;
    use cunbao_domain::second_person::{ProposalAction, ProposalState};
    let app = use_app();
    let decisions = RwSignal::new(Vec::<TownshipDecision>::new());
    Effect::new(move |_| {
        let _ = app.sync.get().last_sync_ms;
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            if let Ok(list) = Notice::decisions(store.as_ref()).await {
                decisions.set(list.into_iter().take(DECISIONS_SHOWN).collect());
            }
        });
    });
    let row = move |d: TownshipDecision| {
        let when = crate::ui::format::datetime_of(d.decided_at());
        match d {
            TownshipDecision::Claim(c) => {
                let (class, key) = match c.status {
                    ClaimStatus::Approved => ("badge ok", Key::ReviewApproved),
                    ClaimStatus::Voided => ("badge bad", Key::VoidedByTownship),
                    _ => ("badge bad", Key::ReviewRejected),
                };
                let reason = c.reason.map(|r| Text::new(r.zh, r.en));
                view! {
                    <li data-testid="township-decision" data-claim=c.claim_id.clone()>
                        <span>{c.visit_date.to_string()}" "<span class="mono">{c.person.clone()}</span></span>
                        <span class=class>{move || app.t(key)}</span>
                        {reason.map(|r| view! { <span>{move || app.say(&r)}</span> })}
                        {c.note.map(|n| view! { <span>{n}</span> })}
                        <span class="hint">{c.decided_by.clone()}" "{when}</span>
                    </li>
                }
                .into_any()
            }
            TownshipDecision::Proposal(p) => {
                let action = match p.action {
                    ProposalAction::VoidClaim => Key::ActionVoidClaim,
                    ProposalAction::RefundContribution => Key::ActionRefund,
                };
                let (class, key) = match p.decided.state {
                    ProposalState::Approved => ("badge ok", Key::StatusProposalApproved),
                    _ => ("badge bad", Key::StatusProposalRefused),
                };
                view! {
                    <li data-testid="township-decision">
                        <span>{move || app.t(action)}" "<span class="mono">{p.subject.clone()}</span>" ¥"{p.amount.to_string()}</span>
                        <span class=class>{move || app.t(key)}</span>
                        {p.decided.note.clone().map(|n| view! { <span>{n}</span> })}
                        <span class="hint">{p.decided.decided_by.clone()}" "{when}</span>
                    </li>
                }
                .into_any()
            }
        }
    };
    view! {
        <section class="card" data-testid="township-decisions">
            <h2>{move || app.t(Key::TownshipDecisions)}</h2>
            {move || decisions.get().is_empty().then(|| view! { <p class="empty">{app.t(Key::NoTownshipDecisions)}</p> })}
            <ul class="claims">
                {move || decisions.get().into_iter().map(row).collect_view()}
            </ul>
        </section>
    }
}

/// Online sign-in with a new PIN; on success the desk opens (the PIN was just set).
#[component]
pub fn SignInForm() -> impl IntoView {
    let app = use_app();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let device_name = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let pin_again = RwSignal::new(String::new());
    // Asked for when the server says the password is a first or a reset one.
    let needs_new_password = RwSignal::new(false);
    let new_password = RwSignal::new(String::new());
    let new_password_again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let navigate = leptos_router::hooks::use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(store) = app.device_store() else {
            return;
        };
        if !app.online.get_untracked() {
            error.set(Some(crate::i18n::both(Key::SignInNeedsNetwork)));
            return;
        }
        let new_pin = pin.get_untracked();
        if let Err(err) = crate::pin::validate(&new_pin, &pin_again.get_untracked()) {
            error.set(Some(err.text()));
            return;
        }
        let user = username.get_untracked().trim().to_string();
        let chosen = if needs_new_password.get_untracked() {
            let new = new_password.get_untracked();
            if new != new_password_again.get_untracked() {
                error.set(Some(crate::i18n::both(Key::NewPasswordsDiffer)));
                return;
            }
            if let Err(why) = cunbao_domain::users::check_password(&user, &new) {
                error.set(Some(why));
                return;
            }
            Some(new)
        } else {
            None
        };
        let name = device_name.get_untracked();
        let tablet_id = match app.device.get_untracked() {
            crate::ui::context::DeviceState::Ready { device_id, .. } => Some(device_id),
            _ => None,
        };
        let request = SignInRequest {
            tablet_id,
            username: user,
            password: password.get_untracked(),
            new_password: chosen,
            device_name: if name.trim().is_empty() {
                app.t(Key::DefaultDeviceName).to_string()
            } else {
                name
            },
        };
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let opened = crate::vault::sign_in_and_open(store, &request, &new_pin).await;
            match opened {
                Ok(vault) => {
                    app.session_refused.set(false);
                    password.set(String::new());
                    new_password.set(String::new());
                    new_password_again.set(String::new());
                    needs_new_password.set(false);
                    pin.set(String::new());
                    pin_again.set(String::new());
                    // A sign-in that wiped another clinic's data leaves no screen of it.
                    app.close_desk(Gate::SignIn(None));
                    app.open_desk(vault);
                    // Where the new sign-in's sync (and device setup) can be followed.
                    navigate(
                        &crate::routes::Route::Section(Section::Sync).href(),
                        Default::default(),
                    );
                    sync_runner::refresh(app);
                    sync_runner::request(app);
                }
                Err(SignInRefusal::NewPasswordNeeded(text)) => {
                    needs_new_password.set(true);
                    error.set(Some(text));
                }
                Err(SignInRefusal::Other(text)) => error.set(Some(text)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form" on:submit=submit data-testid="sign-in">
            <h2>{move || app.t(Key::SignInTitle)}</h2>
            <label>
                <span>{move || app.t(Key::Username)}</span>
                <input name="username" autocomplete="username" required
                    prop:value=username on:input=move |ev| username.set(event_target_value(&ev))/>
            </label>
            <label>
                <span>{move || app.t(Key::Password)}</span>
                <input name="password" type="password" autocomplete="current-password" required
                    prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
            </label>
            <Show when=move || needs_new_password.get()>
                <p class="notice" data-testid="new-password-needed">{move || app.t(Key::NewPasswordHint)}</p>
                <label>
                    <span>{move || app.t(Key::NewPassword)}</span>
                    <input name="new_password" type="password" autocomplete="new-password" required
                        prop:value=new_password on:input=move |ev| new_password.set(event_target_value(&ev))/>
                </label>
                <label>
                    <span>{move || app.t(Key::NewPasswordAgain)}</span>
                    <input name="new_password_again" type="password" autocomplete="new-password" required
                        prop:value=new_password_again on:input=move |ev| new_password_again.set(event_target_value(&ev))/>
                </label>
            </Show>
            <label>
                <span>{move || app.t(Key::DeviceName)}</span>
                <input name="device_name" placeholder=move || app.t(Key::DefaultDeviceName)
                    prop:value=device_name on:input=move |ev| device_name.set(event_target_value(&ev))/>
            </label>
            <label>
                <span>{move || app.t(Key::Pin)}</span>
                <input name="pin" type="password" inputmode="numeric" autocomplete="new-password"
                    maxlength=crate::pin::PIN_MAX_LENGTH.to_string() required
                    prop:value=pin on:input=move |ev| pin.set(event_target_value(&ev))/>
            </label>
            <label>
                <span>{move || app.t(Key::PinConfirm)}</span>
                <input name="pin_again" type="password" inputmode="numeric" autocomplete="new-password"
                    maxlength=crate::pin::PIN_MAX_LENGTH.to_string() required
                    prop:value=pin_again on:input=move |ev| pin_again.set(event_target_value(&ev))/>
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            <button class="primary" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { app.t(Key::SigningIn) } else { app.t(Key::SignIn) }}
            </button>
        </form>
    }
}

#[component]
fn SyncStatusView() -> impl IntoView {
    let app = use_app();
    // Work not yet uploaded stays on the tablet, for the clinic's next sign-in to upload.
    let sign_out = move |_| {
        let Some(store) = app.store() else {
            return;
        };
        app.close_desk(Gate::SignIn(Some(Closed::SignedOut)));
        spawn_local(async move {
            if let Err(err) = access::sign_out(store.as_ref(), &FETCH).await {
                app.sync_error.set(Some(err.text()));
            }
            sync_runner::refresh(app);
        });
    };
    view! {
        <section class="card status" data-testid="sync-status">
            <dl>
                <dt>{move || app.t(Key::SignedInAs)}</dt>
                <dd data-testid="signed-in-as">{move || app.user_name()}</dd>
                <dt>{move || app.t(Key::Pending)}</dt>
                <dd data-testid="pending-count">{move || app.sync.get().pending}</dd>
                <dt>{move || app.t(Key::LastSync)}</dt>
                <dd data-testid="last-sync">
                    {move || app.sync.get().last_sync_ms.map(time_of).unwrap_or_else(|| app.t(Key::Never).into())}
                </dd>
                <dt>{move || app.t(Key::CatalogueOnDevice)}</dt>
                <dd data-testid="catalogue">
                    {move || match (app.setup_progress.get(), app.sync.get().catalogue) {
                        (Some(Progress::Catalogue { done, total }), _) => {
                            format!("{} {done} / {total}", app.t(Key::DownloadingCatalogue))
                        }
                        (Some(Progress::Policy), _) => app.t(Key::DownloadingPolicy).to_string(),
                        (None, Some((version, items))) => {
                            format!("{version} · {items} {}", app.t(Key::ItemsUnit))
                        }
                        (None, None) => "—".into(),
                    }}
                </dd>
                <dt>{move || app.t(Key::Storage)}</dt>
                <dd data-testid="storage">
                    {move || match app.storage.get() {
                        Some(s) => format!(
                            "{} {} · {} {} · {}",
                            app.t(Key::StorageUsed), bytes(s.used),
                            app.t(Key::StorageAvailable), bytes(s.quota - s.used),
                            if s.persisted { app.t(Key::StoragePersistent) } else { app.t(Key::StorageNotPersistent) },
                        ),
                        None => "—".into(),
                    }}
                </dd>
            </dl>
            {move || app.sync_error.get().map(|e| view! {
                <p class="field-error" role="alert" data-testid="sync-error">
                    {app.t(Key::SyncFailed)}": "{app.say(&e)}
                </p>
            })}
            <div class="actions">
                <button class="primary" data-testid="sync-now" disabled=move || app.sync_running.get()
                    on:click=move |_| sync_runner::request(app)>
                    {move || if app.sync_running.get() { app.t(Key::Syncing) } else { app.t(Key::SyncNow) }}
                </button>
                <button data-testid="sign-out" on:click=sign_out>{move || app.t(Key::SignOut)}</button>
            </div>
        </section>
        <section class="card" data-testid="failed-items">
            <h2>{move || app.t(Key::FailedItems)}</h2>
            {move || {
                let failed = app.sync.get().failed;
                if failed.is_empty() {
                    return view! { <p>{app.t(Key::NoFailed)}</p> }.into_any();
                }
                view! {
                    <p class="hint">{app.t(Key::FailedHelp)}</p>
                    <ul class="failed">
                        {failed.into_iter().map(|entry| {
                            let reason = match &entry.state {
                                EntryState::Rejected { result } => match app.lang.get() {
                                    crate::i18n::Lang::Zh => result.message_zh.clone(),
                                    crate::i18n::Lang::En => result.message_en.clone(),
                                }.unwrap_or_default(),
                                _ => String::new(),
                            };
                            view! {
                                <li>
                                    <span class="mono">"#"{entry.mutation.seq}" "{entry.mutation.record_id.clone()}</span>
                                    <span>{reason}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
