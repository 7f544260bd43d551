//! The township's tablets (平板管理): who signed in where, the first and the latest sync, the
//! work a tablet still held after its latest sync, the app version; an administrator revokes a
//! lost tablet in one step (it wipes itself at its next contact), and a revoked tablet's
//! unsent work is shown as lost.

use cunbao_domain::devices::DeviceRow;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use super::staff_only::StaffOnline;
use crate::i18n::Key;
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::ui::context::use_app;
use crate::ui::format::datetime_of;

#[component]
pub fn DevicesPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Devices.label())}</h1>
        <p class="hint">{move || app.t(Key::DevicesPlan)}</p>
        <StaffOnline><Devices/></StaffOnline>
    }
}

/// Whether an RFC 3339 time is more than a day before now.
fn over_a_day_ago(at: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(at).is_ok_and(|t| {
        let now_ms = crate::device::now_ms() as i64;
        now_ms - t.timestamp_millis() > 24 * 3_600_000
    })
}

#[component]
fn Devices() -> impl IntoView {
    let app = use_app();
    let devices = RwSignal::new(None::<Result<Vec<DeviceRow>, Text>>);
    let load = move || {
        app.with_token(move |token| async move {
            devices.set(Some(FETCH.devices(&token).await.map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| load());
    view! {
        <section class="card">
            {move || (!app.is_administrator()).then(|| view! { <p class="hint">{app.t(Key::OnlyAdminsRevoke)}</p> })}
            {move || match devices.get() {
                None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-scroll">
                        <table class="records" data-testid="devices">
                            <thead><tr>
                                <th>{app.t(Key::DeviceName)}</th><th>{app.t(Key::DeviceUser)}</th>
                                <th>{app.t(Key::Clinic)}</th><th>{app.t(Key::FirstSync)}</th>
                                <th>{app.t(Key::LastSync)}</th><th class="num">{app.t(Key::PendingAtSync)}</th>
                                <th>{app.t(Key::AppVersion)}</th><th>{app.t(Key::DeviceState)}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|d| view! { <DeviceLine device=d on_revoked=load/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DeviceLine<F: Fn() + Copy + Send + Sync + 'static>(
    device: DeviceRow,
    on_revoked: F,
) -> impl IntoView {
    let app = use_app();
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let id = device.device_id.clone();
    let revoke = move |_| {
        let id = id.clone();
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.revoke_device(&token, &id).await {
                Ok(_) => on_revoked(),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let revoked = device.revoked_at.is_some();
    let expired = !revoked
        && device.expires_at.as_deref().is_some_and(|at| {
            chrono::DateTime::parse_from_rfc3339(at)
                .is_ok_and(|t| (t.timestamp_millis() as u64) < crate::device::now_ms())
        });
    let stale = !revoked && device.last_sync_at.as_deref().is_none_or(over_a_day_ago);
    let (class, state) = if revoked {
        ("badge bad", Key::DeviceRevoked)
    } else if expired {
        ("badge warn", Key::DeviceExpired)
    } else {
        ("badge ok", Key::DeviceActive)
    };
    let when = |at: &Option<String>| at.as_deref().map(datetime_of);
    let last = when(&device.last_sync_at);
    view! {
        <tr data-testid="device-row" data-device=device.device_id.clone() class:stale=stale>
            <td>{device.device_name.clone()}</td>
            <td>{device.display_name.clone()}<br/><span class="mono hint">{device.username.clone()}</span></td>
            <td>{device.clinic_name.clone().unwrap_or_default()}</td>
            <td>{move || when(&device.first_sync_at).unwrap_or_else(|| app.t(Key::NeverSynced).to_string())}</td>
            <td data-testid="last-sync">
                {match last {
                    Some(t) => t,
                    None => app.t(Key::NeverSynced).to_string(),
                }}
                {stale.then(|| view! { <br/><span class="badge warn">{move || app.t(Key::StaleSync)}</span> })}
            </td>
            <td class="num">{device.pending_at_last_sync.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td class="mono">{device.app_version.clone().unwrap_or_else(|| "—".into())}</td>
            <td>
                <span class=class data-testid="device-state">{move || app.t(state)}</span>
                {device.lost_work.filter(|n| *n > 0).map(|n| view! {
                    <br/><span class="badge bad" data-testid="lost-work">{move || app.t(Key::LostWork)}" "{n}</span>
                })}
            </td>
            <td>
                {(!revoked && app.is_administrator()).then(|| view! {
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button data-testid="revoke" on:click=move |_| confirming.set(true)>{move || app.t(Key::RevokeDevice)}</button>
                    }>
                        <p class="notice">{move || app.t(Key::ConfirmRevoke)}</p>
                        <button class="danger" data-testid="confirm-revoke" on:click=revoke.clone()>{move || app.t(Key::RevokeDevice)}</button>
                        <button on:click=move |_| confirming.set(false)>{move || app.t(Key::Cancel)}</button>
                    </Show>
                })}
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            </td>
        </tr>
    }
}
