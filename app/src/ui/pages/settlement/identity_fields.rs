use cunbao_domain::enrolment::Relationship;
use cunbao_domain::text::Bilingual;
use leptos::prelude::*;

use crate::desk::visit::VisitDraft;
use crate::i18n::{option_value, Key, Label};
use crate::ui::context::use_app;

#[component]
pub fn IdentityFields(draft: RwSignal<VisitDraft>) -> impl IntoView {
    let app = use_app();
    let methods = [
        ("social_security_card", Key::SocialSecurityCard),
        ("id_card", Key::IdCard),
        ("e_voucher", Key::EVoucher),
        ("proxy", Key::Proxy),
    ];
    view! {
        <section class="card">
            <h2>{move || app.t(Key::IdentityCheck)}</h2>
            <div class="choices" role="radiogroup">
                {methods.into_iter().map(|(value, label)| view! {
                    <label class="choice">
                        <input type="radio" name="identity" value=value
                            prop:checked=move || draft.with(|d| d.identity == value)
                            on:change=move |_| draft.update(|d| d.identity = value.into())/>
                        {move || app.t(label)}
                    </label>
                }).collect_view()}
            </div>
            <Show when=move || draft.with(|d| d.identity == "proxy")>
                <div class="grid">
                    <label>
                        <span>{move || app.t(Key::ProxyId)}</span>
                        <input name="proxy_id" prop:value=move || draft.with(|d| d.proxy_id.clone())
                            on:input=move |ev| draft.update(|d| d.proxy_id = event_target_value(&ev).trim().to_uppercase())/>
                        {move || {
                            let id = draft.with(|d| d.proxy_id.clone());
                            (!id.is_empty()).then(|| cunbao_domain::id_number::IdNumber::parse(&id).err()).flatten()
                                .map(|e| view! { <span class="field-error">{app.say(&e.text())}</span> })
                        }}
                    </label>
                    <label>
                        <span>{move || app.t(Key::ProxyRelationship)}</span>
                        <select name="proxy_relationship" prop:value=move || draft.with(|d| d.proxy_relationship.clone())
                            on:change=move |ev| draft.update(|d| d.proxy_relationship = event_target_value(&ev))>
                            <option value="">"—"</option>
                            {Relationship::ALL.into_iter().filter(|r| *r != Relationship::Head).map(|r| view! {
                                <option value=option_value(r)>{move || r.label(app.lang.get())}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
            </Show>
        </section>
    }
}
