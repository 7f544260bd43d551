use cunbao_domain::sync::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::Value;

use crate::i18n::{status_key, Key};
use crate::routes::Section;
use crate::sync::{self, http::get_json};
use crate::ui::context::use_app;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RecordRow {
    id: String,
    clinic_name: String,
    status: String,
    data: Value,
}

const KINDS: [(&str, Key); 4] = [
    ("claim", Key::Claims),
    ("adjustment", Key::Adjustments),
    ("refund_due", Key::RefundsDue),
    ("enrolment", Key::Enrolments),
];

/// Read-only: what the township's clinics have synced, so the round trip can be seen.
#[component]
pub fn TownshipPage() -> impl IntoView {
    let app = use_app();
    let is_staff = move || {
        app.sync
            .get()
            .user
            .is_some_and(|u| matches!(u.role, Role::TownshipReviewer | Role::Administrator))
    };
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Township.label())}</h1>
        <Show when=is_staff fallback=move || view! { <p class="card notice">{app.t(Key::TownshipOnly)}</p> }>
            <Show when=move || app.online.get() fallback=move || view! { <p class="card notice">{app.t(Key::TownshipNeedsNetwork)}</p> }>
                {KINDS.into_iter().map(|(kind, title)| view! { <RecordList kind=kind title=title/> }).collect_view()}
            </Show>
        </Show>
    }
}

#[component]
fn RecordList(kind: &'static str, title: Key) -> impl IntoView {
    let app = use_app();
    let rows = RwSignal::new(None::<Result<Vec<RecordRow>, String>>);
    Effect::new(move |_| {
        // Reload when sync finishes a round.
        let _ = app.sync.get().last_sync_ms;
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            let Ok(Some(session)) = sync::session(store.as_ref()).await else {
                return;
            };
            let path = format!("/api/v1/township/records?kind={kind}");
            let result = get_json::<Vec<RecordRow>>(&path, &session.token).await;
            rows.set(Some(result.map_err(|e| e.to_string())));
        });
    });
    let summary = move |row: &RecordRow| -> String {
        let d = &row.data;
        match kind {
            "claim" => format!(
                "{} {} · {} {}",
                d["visit_date"].as_str().unwrap_or(""),
                d["person"].as_str().map(mask).unwrap_or_default(),
                app.t(Key::Fund),
                d["server_settlement"]["fund"].as_str().unwrap_or("")
            ),
            "adjustment" => format!(
                "{} {} → {} ({})",
                app.t(Key::Fund),
                d["device_fund"].as_str().unwrap_or(""),
                d["server_fund"].as_str().unwrap_or(""),
                d["difference"].as_str().unwrap_or("")
            ),
            "refund_due" => format!(
                "{} {}",
                app.t(Key::Amount),
                d["amount"].as_str().unwrap_or("")
            ),
            _ => format!(
                "{} {}",
                d["member"]["name"].as_str().unwrap_or(""),
                d["member"]["id_number"]
                    .as_str()
                    .map(mask)
                    .unwrap_or_default()
            ),
        }
    };
    view! {
        <section class="card" data-testid=format!("township-{kind}")>
            <h2>{move || app.t(title)}</h2>
            {move || match rows.get() {
                None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{app.pick(&e)}</p> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <p>{app.t(Key::Empty)}</p> }.into_any(),
                Some(Ok(rows)) => view! {
                    <table class="records">
                        <thead><tr>
                            <th>{app.t(Key::Record)}</th><th>{app.t(Key::Clinic)}</th>
                            <th>{app.t(Key::Status)}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|row| {
                                let text = summary(&row);
                                let status = status_key(&row.status)
                                    .map_or(row.status.clone(), |k| app.t(k).to_string());
                                view! { <tr>
                                    <td class="mono">{row.id}</td><td>{row.clinic_name}</td>
                                    <td>{status}</td><td>{text}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

/// Lists show ID numbers masked: 110105********002X.
fn mask(id: &str) -> String {
    cunbao_domain::id_number::IdNumber::parse(id)
        .map(|id| id.masked())
        .unwrap_or_else(|_| id.to_string())
}
