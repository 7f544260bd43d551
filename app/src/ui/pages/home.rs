use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::routes::{Route, Section};
use crate::ui::context::{use_app, DeviceState};

/// The start screen: where this device stands, and the way into each section.
#[component]
pub fn HomePage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1>{move || app.t(Key::AppName)} " · " {move || app.t(Key::Tagline)}</h1>
        <DeviceStatus/>
        <div class="tiles">
            {move || Section::ALL
                .into_iter()
                .filter(|section| app.offers(*section))
                .filter_map(|section| section.plan().map(|plan| (section, plan)))
                .map(|(section, plan)| {
                    view! {
                        <A href=Route::Section(section).href() attr:class="tile">
                            <span class="tile-title">{move || app.t(section.label())}</span>
                            <span class="tile-plan">{move || app.t(plan)}</span>
                        </A>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Where this device stands (its database and the offline shell): no residents' data, so it
/// shows on the lock and sign-in screens too.
#[component]
pub fn DeviceStatus() -> impl IntoView {
    let app = use_app();
    let database = move || match app.device.get() {
        DeviceState::Opening => app.t(Key::DatabaseOpening).to_string(),
        DeviceState::Ready { .. } => app.t(Key::DatabaseWorking).to_string(),
        DeviceState::Failed(err) => format!("{}: {}", app.t(Key::DatabaseFailed), app.say(&err)),
    };
    let device_id = move || match app.device.get() {
        DeviceState::Ready { device_id, .. } => device_id,
        _ => "—".to_string(),
    };
    let schema = move || match app.device.get() {
        DeviceState::Ready { schema, .. } => schema.to_string(),
        _ => "—".to_string(),
    };
    let shell = move || {
        if app.shell_cached.get() {
            app.t(Key::ShellOffline)
        } else {
            app.t(Key::ShellNotYet)
        }
    };
    view! {
        <section class="card status" data-testid="device-status">
            <h2>{move || app.t(Key::DeviceStatus)}</h2>
            <dl>
                <dt>{move || app.t(Key::LocalDatabase)}</dt>
                <dd data-testid="database-state">{database}</dd>
                <dt>{move || app.t(Key::AppShell)}</dt>
                <dd data-testid="shell-state">{shell}</dd>
            </dl>
            <details class="tech">
                <summary>{move || app.t(Key::TechDetails)}</summary>
                <dl>
                    <dt>{move || app.t(Key::DeviceId)}</dt>
                    <dd data-testid="device-id" class="mono">{device_id}</dd>
                    <dt>{move || app.t(Key::SchemaVersion)}</dt>
                    <dd data-testid="schema-version">{schema}</dd>
                </dl>
            </details>
        </section>
    }
}
