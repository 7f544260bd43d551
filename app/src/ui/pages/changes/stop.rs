use chrono::NaiveDate;
use cunbao_domain::enrolment::StopReason;
use cunbao_domain::text::Text;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{maker, saved};
use crate::desk::changes::stop_cover;
use crate::device::today;
use crate::i18n::{option_value, Key, Label};
use crate::ui::components::desk::date_text;
use crate::ui::context::use_app;

/// Stops a person's cover from a day (停保), with the reason; the domain refuses a day outside
/// the enrolment's cover, and a second stop.
#[component]
pub fn StopCoverForm(enrolment_id: String) -> impl IntoView {
    let app = use_app();
    let from = RwSignal::new(date_text(today()));
    // No reason is chosen for the assistant: stopping cover cannot be undone at the clinic.
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let reason_error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(day) = NaiveDate::parse_from_str(from.get_untracked().trim(), "%Y-%m-%d") else {
            error.set(Some(Text::new(
                "请填写停保日期",
                "Enter the day cover stops",
            )));
            return;
        };
        let Some(why) = StopReason::parse(&reason.get_untracked()) else {
            reason_error.set(Some(Text::new("请选择停保原因", "Choose why cover stops")));
            return;
        };
        reason_error.set(None);
        let Some(store) = app.store() else { return };
        let id = enrolment_id.clone();
        busy.set(true);
        spawn_local(async move {
            let Some(maker) = maker(app) else {
                busy.set(false);
                return;
            };
            match stop_cover(store.as_ref(), &id, day, why, maker).await {
                Ok(_) => {
                    error.set(None);
                    saved(app);
                }
                Err(err) => error.set(Some(cunbao_domain::text::Bilingual::text(&err))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" data-testid="stop-cover" on:submit=submit novalidate>
            <h3>{move || app.t(Key::StopCover)}</h3>
            <div class="grid">
                <label>
                    <span>{move || app.t(Key::StopFrom)}</span>
                    <input type="date" name="stop_from" prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev))/>
                    {move || error.get().map(|e| view! { <span class="field-error" role="alert" data-testid="stop-error">{app.say(&e)}</span> })}
                </label>
                <label>
                    <span>{move || app.t(Key::StopReason)}</span>
                    <select name="stop_reason" prop:value=move || reason.get()
                        on:change=move |ev| reason.set(event_target_value(&ev))>
                        <option value="" disabled=true>{move || app.t(Key::ChooseStopReason)}</option>
                        {StopReason::ALL.into_iter().map(|r| view! {
                            <option value=option_value(r)>{move || r.label(app.lang.get())}</option>
                        }).collect_view()}
                    </select>
                    {move || reason_error.get().map(|e| view! { <span class="field-error" role="alert" data-testid="stop-reason-error">{app.say(&e)}</span> })}
                </label>
            </div>
            <button type="submit" class="danger" data-testid="confirm-stop" disabled=move || busy.get()>
                {move || app.t(Key::ConfirmStop)}
            </button>
        </form>
    }
}
