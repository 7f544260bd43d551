use cunbao_domain::enrolment::Correction;
use cunbao_domain::sync::RecordedCorrection;
use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::components::desk::date_text;
use crate::ui::context::{use_app, AppContext};
use crate::ui::format::time_of;

/// The device's name as signed in; this tablet's own correction, not yet back from the server,
/// reads "this tablet".
fn device_name(app: AppContext, name: &str) -> String {
    if name.is_empty() {
        app.t(Key::ThisTablet).to_string()
    } else {
        name.to_string()
    }
}

/// The person's corrections, newest first: what the field was, what it is now, when, by whom
/// and from which tablet.
#[component]
pub fn CorrectionHistory(corrections: Vec<RecordedCorrection>) -> impl IntoView {
    let app = use_app();
    let rows = corrections
        .into_iter()
        .rev()
        .map(|c| {
            let field = match c.value {
                Correction::Name(_) => Key::CorrectName,
                Correction::Phone(_) => Key::CorrectPhone,
            };
            let when = chrono::DateTime::parse_from_rfc3339(&c.at)
                .map(|t| {
                    let ms = t.timestamp_millis().max(0) as u64;
                    format!("{} {}", date_text(t.date_naive()), time_of(ms))
                })
                .unwrap_or(c.at.clone());
            view! {
                <li data-testid="correction">
                    <strong>{move || app.t(field)}</strong>" "
                    {move || app.t(Key::Earlier)}" "<span data-testid="earlier">{c.earlier.value_text()}</span>
                    " → "{move || app.t(Key::ChangedTo)}" "<span data-testid="now">{c.value.value_text()}</span>
                    <span class="hint">" · "{when}" · "{move || app.t(Key::By)}" "{c.by.clone()}
                        " · "{move || app.t(Key::Device)}" "{device_name(app, &c.device_name)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="correction-history">
            <h3>{move || app.t(Key::CorrectionHistory)}</h3>
            <ul class="people">{rows}</ul>
        </section>
    }
}
