use cunbao_domain::text::{Bilingual, Text};
use cunbao_domain::township::RecordRow;
use leptos::prelude::*;

use crate::i18n::Key;
use crate::sync::http::FETCH;
use crate::township::{title, ListedRow, RecordKind};
use crate::ui::context::use_app;

/// One kind of record across the township's clinics, reloaded after each sync round.
#[component]
pub fn RecordList(kind: RecordKind) -> impl IntoView {
    let app = use_app();
    let rows = RwSignal::new(None::<Result<Vec<RecordRow>, Text>>);
    Effect::new(move |_| {
        // Reload when sync finishes a round.
        let _ = app.sync.get().last_sync_ms;
        app.with_token(move |token| async move {
            let result = FETCH.township_records(&token, kind).await;
            rows.set(Some(result.map_err(|e| e.text())));
        });
    });
    view! {
        <section class="card" data-testid=format!("township-{}", kind.as_str())>
            <h2>{move || app.t(title(kind))}</h2>
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
                                let row = ListedRow::new(app.lang.get(), kind, row);
                                view! { <tr>
                                    <td class="mono">{row.id}</td><td>{row.clinic_name}</td>
                                    <td>{row.status}</td><td>{row.summary}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
