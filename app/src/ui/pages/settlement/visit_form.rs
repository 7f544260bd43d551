use cunbao_domain::qualification::Qualification;
use cunbao_domain::risk::PastVisit;
use cunbao_domain::text::Text;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::benefit::BenefitNotice;
use super::breakdown::Breakdown;
use super::catalogue_search::CatalogueSearch;
use super::diagnosis_picker::DiagnosisPicker;
use super::identity_fields::IdentityFields;
use super::lines::Lines;
use super::patient_picker::PatientPicker;
use super::risk::Risk;
use super::self_pay::SelfPayConsent;
use crate::desk::qualifications::qualifications_of;
use crate::desk::visit::{
    self, accumulators, cap_pool, claims_of, history, ClaimContext, LocalAccumulators,
    PatientFacts, VisitDraft,
};
use crate::device::{new_uuid, now_ms, today};
use crate::i18n::Key;
use crate::routes::Route;
use crate::ui::components::desk::{desk, keep_draft};
use crate::ui::context::use_app;

const DRAFT: &str = "visit";

/// Runs `f` once the next frame has been painted.
fn after_paint(f: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(f, std::time::Duration::ZERO));
}

#[component]
pub fn VisitForm(
    /// Set to the claim just saved: the page then shows its slip.
    shown_saved: RwSignal<Option<String>>,
    /// Cleared to take this form down, once the slip is painted.
    form_open: RwSignal<bool>,
) -> impl IntoView {
    let app = use_app();
    let query = use_query_map();
    let draft = RwSignal::new(VisitDraft {
        identity: "id_card".into(),
        ..VisitDraft::default()
    });
    // A save under way: a second tap is ignored at once; the button is shown disabled only if
    // the save takes long enough to notice (a redraw while the disk writes would delay the slip).
    let saving = StoredValue::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    // The patient's accumulators and history, read from the device when patient or benefit change.
    let figures = RwSignal::new(None::<(LocalAccumulators, Vec<PastVisit>)>);

    let patient = query.with_untracked(|q| q.get("patient").unwrap_or_default());
    keep_draft(DRAFT, draft, move |saved: Option<VisitDraft>| {
        if let Some(d) = saved {
            draft.set(d);
        }
        if !patient.is_empty() && draft.with_untracked(|d| d.enrolment_id != patient) {
            draft.set(VisitDraft {
                enrolment_id: patient.clone(),
                identity: "id_card".into(),
                ..VisitDraft::default()
            });
        }
    });
    let patient = Memo::new(move |_| {
        let id = draft.with(|d| d.enrolment_id.clone());
        desk().residents.get(&id).cloned()
    });
    // The patient's chronic qualifications, read from the device when the patient changes or
    // a sync may have brought a decision; kept with the ID number they belong to.
    let read_qualifications = RwSignal::new(None::<(String, Vec<Qualification>)>);
    Effect::new(move |_| {
        let Some(p) = patient.get() else {
            read_qualifications.set(None);
            return;
        };
        let _ = app.sync.get().last_sync_ms;
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            if let Ok(held) = qualifications_of(store.as_ref(), p.id_number()).await {
                read_qualifications.set(Some((p.id_number().to_string(), held)));
            }
        });
    });
    let qualifications = Memo::new(move |_| {
        let id = patient.with(|p| p.as_ref().map(|p| p.id_number().to_string()))?;
        read_qualifications
            .get()
            .filter(|(person, _)| *person == id)
            .map(|(_, held)| held)
    });
    let pool = Memo::new(move |_| {
        let policy = desk().policy?;
        let held = qualifications.get()?;
        draft.with(|d| cap_pool(&policy, &d.diagnoses, &held, today()))
    });
    Effect::new(move |_| {
        let (Some(p), Some(pool)) = (patient.get(), pool.get()) else {
            figures.set(None);
            return;
        };
        let _ = app.sync.get().last_sync_ms;
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            let store = store.as_ref();
            let own = claims_of(store, p.id_number()).await.unwrap_or_default();
            let year = chrono::Datelike::year(&today());
            if let Ok(acc) = accumulators(store, &own, p.id_number(), year, &pool).await {
                figures.set(Some((acc, history(&own, p.id_number()))));
            }
        });
    });
    let quote = Memo::new(move |_| {
        let p = patient.get()?;
        let (acc, past) = figures.get()?;
        let held = qualifications.get()?;
        let desk = desk();
        let policy = desk.policy.clone()?;
        draft.with(|d| {
            if d.lines.is_empty() {
                return None;
            }
            Some(visit::quote(
                &policy,
                &desk.catalogue,
                &p,
                d,
                acc,
                PatientFacts {
                    history: &past,
                    qualifications: &held,
                },
                today(),
            ))
        })
    });
    let confirm = move |_| {
        if saving.get_value() {
            return;
        }
        let Some(p) = patient.get_untracked() else {
            return;
        };
        let Some(Ok((q, line_errors))) = quote.get_untracked() else {
            return;
        };
        if !line_errors.is_empty() {
            error.set(Some(Text::new(
                "请先改正标红的行",
                "Correct the lines marked in red first",
            )));
            return;
        }
        let Some(store) = app.store() else { return };
        let desk = desk();
        let policy = desk.policy.clone().expect("inside WithDesk");
        let d = draft.get_untracked();
        saving.set_value(true);
        let show_busy = set_timeout_with_handle(
            move || busy.set(true),
            std::time::Duration::from_millis(300),
        )
        .ok();
        error.set(None);
        let navigate = use_navigate();
        spawn_local(async move {
            let claim_id = new_uuid();
            let saved = visit::save(
                store.as_ref(),
                &p,
                &d,
                &q,
                ClaimContext {
                    claim_id: claim_id.clone(),
                    policy: &policy,
                    catalogue_version: &desk.catalogue.version,
                    today: today(),
                    now_ms: now_ms(),
                    draft: Some(DRAFT),
                },
            )
            .await;
            if let Some(handle) = show_busy {
                handle.clear();
            }
            match saved {
                // Only now, with the claim on disk, is success shown.
                Ok(record) => {
                    app.saved_claim.set_value(Some(record));
                    // The slip replaces this form at the top of the page. Once it is painted,
                    // the form is taken down, and the address and the sync bar's count follow.
                    shown_saved.set(Some(claim_id.clone()));
                    window().scroll_to_with_x_and_y(0.0, 0.0);
                    after_paint(move || {
                        form_open.set(false);
                        let options = NavigateOptions {
                            scroll: false,
                            ..Default::default()
                        };
                        navigate(
                            &Route::Slip {
                                claim_id: &claim_id,
                            }
                            .href(),
                            options,
                        );
                        crate::ui::sync_runner::refresh(app);
                    });
                }
                Err(e) => {
                    error.set(Some(e));
                    saving.set_value(false);
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <div class="visit">
            <PatientPicker draft=draft patient=patient/>
            <Show when=move || patient.get().is_some()>
                <IdentityFields draft=draft/>
                <DiagnosisPicker draft=draft/>
                <BenefitNotice draft=draft qualifications=qualifications/>
                <CatalogueSearch draft=draft/>
                <Lines draft=draft quote=quote/>
                <Breakdown quote=quote figures=figures/>
                <Risk draft=draft quote=quote/>
                <SelfPayConsent draft=draft quote=quote/>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="settle-error">{app.say(&e)}</p> })}
                {move || quote.get().and_then(|r| r.ok()).map(|(q, _)| {
                    let allowed = draft.with(|d| q.can_confirm(d));
                    let blocked_text = allowed.clone().err();
                    let label = if q.pending_review { app.t(Key::SaveForReview) } else { app.t(Key::ConfirmSettle) };
                    view! {
                        {blocked_text.map(|t| view! { <p class="field-error" data-testid="confirm-blocked">{app.say(&t)}</p> })}
                        <button class="primary big" data-testid="confirm-settle"
                            disabled=move || busy.get() || allowed.is_err() on:click=confirm>
                            {label}
                        </button>
                    }
                })}
            </Show>
        </div>
    }
}
