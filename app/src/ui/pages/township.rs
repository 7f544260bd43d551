use cunbao_domain::sync::Role;
use cunbao_domain::text::{Bilingual, Text};
use cunbao_domain::township::{RecordRow, RecordSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{status_key, Key};
use crate::routes::Section;
use crate::sync::{self, http::get_json};
use crate::ui::context::use_app;

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
    let rows = RwSignal::new(None::<Result<Vec<RecordRow>, Text>>);
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
            rows.set(Some(result.map_err(|e| e.text())));
        });
    });
    let summary = move |row: &RecordRow| -> String {
        match RecordSummary::read(row) {
            Some(RecordSummary::Claim(c)) => format!(
                "{} {} · {} {}",
                c.visit_date,
                c.person.masked(),
                app.t(Key::Fund),
                c.server_settlement.fund
            ),
            Some(RecordSummary::Adjustment(a)) => format!(
                "{} {} → {} ({})",
                app.t(Key::Fund),
                a.device_fund,
                a.server_fund,
                a.difference
            ),
            Some(RecordSummary::RefundDue(r)) => format!("{} {}", app.t(Key::Amount), r.amount),
            Some(RecordSummary::Enrolment(e)) => {
                format!("{} {}", e.member.name, e.member.id_number.masked())
            }
            Some(RecordSummary::Contribution(c)) => format!(
                "{} {} · {} {}",
                c.collected_on,
                c.receipt_no,
                app.t(Key::Amount),
                c.amount
            ),
            None => String::new(),
        }
    };
    view! {
        <section class="card" data-testid=format!("township-{kind}")>
            <h2>{move || app.t(title)}</h2>
            {move || match rows.get() {
                None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{app.say(&e)}</p> }.into_any(),
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
                                let status = app.t(status_key(kind, &row.status));
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
