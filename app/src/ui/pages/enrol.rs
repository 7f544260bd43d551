use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::desk::enrol::{plan, save, FieldError, HouseholdDraft, MemberDraft, SaveContext};
use crate::desk::local;
use crate::device::{new_uuid, now_ms, today};
use crate::i18n::{option_value, Key, Label};
use crate::routes::{Route, Section};
use crate::ui::components::desk::{date_text, desk, keep_draft, WithDesk};
use crate::ui::context::{use_app, DeviceState};
use cunbao_domain::enrolment::{Relationship, SubsidyCategory};
use cunbao_domain::id_number::{IdNumber, Sex};

const DRAFT: &str = "enrol";

/// Household enrolment: every field checked as typed, the contribution computed by the
/// policy, cash collected, a numbered receipt saved durably.
#[component]
pub fn EnrolPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Enrol.label())}</h1>
        <WithDesk><EnrolForm/></WithDesk>
    }
}

fn blank(relationship: &str) -> MemberDraft {
    MemberDraft {
        relationship: relationship.into(),
        ..MemberDraft::default()
    }
}

#[component]
fn EnrolForm() -> impl IntoView {
    let app = use_app();
    let query = use_query_map();
    let draft = RwSignal::new(HouseholdDraft {
        household_id: String::new(),
        members: vec![blank("head")],
    });
    let tried = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    // What was typed comes back after a reload or a crashed tab.
    let household = query.with_untracked(|q| q.get("household").unwrap_or_default());
    keep_draft(
        DRAFT,
        draft,
        move |saved: Option<HouseholdDraft>| match saved {
            Some(d) if household.is_empty() || d.household_id == household => draft.set(d),
            _ if !household.is_empty() => draft.set(HouseholdDraft {
                household_id: household.clone(),
                members: vec![blank("child")],
            }),
            _ => {}
        },
    );
    // Next year's policy in its collection period, else this year's. While next year's is
    // being collected, this year's is still open too (late enrolment, back-payment): the
    // assistant chooses, next year first.
    let this_year_chosen = RwSignal::new(false);
    let both_open = move || {
        let desk = desk();
        match (&desk.policy, &desk.enrolment_policy) {
            (Some(this), Some(next)) if this.version != next.version => {
                Some((this.clone(), next.clone()))
            }
            _ => None,
        }
    };
    let enrolment_policy = move || {
        let desk = desk();
        match desk.policy {
            Some(this) if this_year_chosen.get() && both_open().is_some() => this,
            this => desk.enrolment_policy.or(this).expect("inside WithDesk"),
        }
    };
    let checked = Memo::new(move |_| {
        let desk = desk();
        let policy = enrolment_policy();
        draft.with(|d| plan(d, &policy, &desk.residents, today()))
    });
    let count = Memo::new(move |_| draft.with(|d| d.members.len()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Ok(planned) = checked.get_untracked() else {
            return;
        };
        let Some(store) = app.store() else { return };
        let DeviceState::Ready { device_id, .. } = app.device.get_untracked() else {
            return;
        };
        let policy = enrolment_policy();
        let d = draft.get_untracked();
        busy.set(true);
        let navigate = use_navigate();
        spawn_local(async move {
            let store = store.as_ref();
            let result = async {
                let receipt_no = local::next_receipt_no(store, &device_id).await?;
                let mut ids = new_uuid;
                save(
                    store,
                    &d,
                    &planned,
                    SaveContext {
                        policy: &policy,
                        today: today(),
                        now_ms: now_ms(),
                        receipt_no,
                        new_id: &mut ids,
                        draft: Some(DRAFT),
                    },
                )
                .await
            }
            .await;
            match result {
                // Only now, with everything on disk, is the receipt shown.
                Ok(receipt) => {
                    navigate(
                        &Route::Receipt {
                            receipt_no: &receipt.receipt_no,
                        }
                        .href(),
                        Default::default(),
                    );
                    crate::ui::sync_runner::refresh(app);
                    app.reload_desk();
                }
                Err(err) => error.set(Some(err.text())),
            }
            busy.set(false);
        });
    };
    let errors_for = move |i: usize, field: &'static str| {
        move || -> Option<(String, Option<String>)> {
            let typed = draft.with(|d| {
                d.members
                    .get(i)
                    .map(|m| field_value(m, field))
                    .unwrap_or_default()
            });
            if typed.trim().is_empty() && !tried.get() {
                return None;
            }
            checked.with(|c| match c {
                Err(errors) => errors
                    .iter()
                    .find(|e: &&FieldError| e.member == i && e.field == field)
                    .map(|e| (app.say(&e.message), e.existing.clone())),
                Ok(_) => None,
            })
        }
    };
    view! {
        <p class="card notice" data-testid="enrolment-year">{move || {
            let policy = enrolment_policy();
            let mut text = format!("{}：{}", app.t(Key::EnrollingFor), policy.scheme_year);
            if policy.collecting_on(today()) {
                text += &format!(" · {} {}", app.t(Key::CollectionUntil), policy.enrolment.collection_to);
                match policy.enrolment.renewal_deadline {
                    Some(_) if policy.late_renewal(today()) => text += &format!(" · {}", app.t(Key::RenewalLate)),
                    Some(deadline) => text += &format!(" · {} {deadline}", app.t(Key::RenewalUntil)),
                    None => {}
                }
            } else {
                text += &format!(" · {}", app.t(Key::LateEnrolment));
            }
            text
        }}</p>
        {move || both_open().map(|(this, next)| view! {
            <fieldset class="card year-choice" data-testid="enrolment-year-choice">
                <legend>{move || app.t(Key::ChooseYear)}</legend>
                <div class="choices" role="radiogroup">
                <label class="choice">
                    <input type="radio" name="scheme_year" prop:checked=move || !this_year_chosen.get()
                        on:change=move |_| this_year_chosen.set(false)/>
                    {format!("{}", next.scheme_year)}" · "{move || app.t(Key::NextYearOnTime)}
                </label>
                <label class="choice">
                    <input type="radio" name="scheme_year" prop:checked=move || this_year_chosen.get()
                        on:change=move |_| this_year_chosen.set(true)/>
                    {format!("{}", this.scheme_year)}" · "{move || app.t(Key::ThisYearLate)}
                </label>
                </div>
            </fieldset>
        })}
        <form class="enrol" on:submit=submit data-testid="enrol-form" novalidate>
            {move || {
                let household = draft.with(|d| d.household_id.clone());
                (!household.is_empty()).then(|| {
                    let names = desk().residents.household(&household).iter().map(|r| r.name().to_string()).collect::<Vec<_>>().join("、");
                    view! { <p class="card notice">{move || app.t(Key::AddToHousehold)}": "{names.clone()}</p> }
                })
            }}
            {move || (0..count.get()).map(|i| view! {
                <MemberFields i=i draft=draft errors_for=errors_for/>
            }).collect_view()}
            <div class="actions">
                <button type="button" data-testid="add-member" on:click=move |_| draft.update(|d| d.members.push(blank("child")))>
                    "+ "{move || app.t(Key::AddMember)}
                </button>
            </div>
            {move || checked.with(|c| match c {
                Err(errors) => errors.iter().find(|e| e.field == "household").map(|e| {
                    let text = app.say(&e.message);
                    view! { <p class="field-error" role="alert">{text}</p> }
                }),
                Ok(_) => None,
            })}
            <Totals checked=checked/>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            <button class="primary big" type="submit" data-testid="collect"
                disabled=move || busy.get() || (tried.get() && checked.with(|c| c.is_err()))>
                {move || if busy.get() { app.t(Key::Saving) } else { app.t(Key::CollectAndSave) }}
            </button>
        </form>
    }
}

fn field_value(m: &MemberDraft, field: &str) -> String {
    match field {
        "id_number" => m.id_number.clone(),
        "name" => m.name.clone(),
        "relationship" => m.relationship.clone(),
        "phone" => m.phone.clone(),
        "subsidy" => m.subsidy.clone(),
        "evidence_number" => m.evidence_number.clone(),
        "disability_grade" => m.disability_grade.clone(),
        "missing_document" => m.missing_document.clone(),
        _ => String::new(),
    }
}

fn set_field(m: &mut MemberDraft, field: &str, value: String) {
    match field {
        "id_number" => m.id_number = value.trim().to_uppercase(),
        "name" => m.name = value,
        "relationship" => m.relationship = value,
        "phone" => m.phone = value,
        "subsidy" => m.subsidy = value,
        "evidence_number" => m.evidence_number = value,
        "disability_grade" => m.disability_grade = value,
        "missing_document" => m.missing_document = value,
        _ => {}
    }
}

#[component]
fn MemberFields<F, G>(i: usize, draft: RwSignal<HouseholdDraft>, errors_for: F) -> impl IntoView
where
    F: Fn(usize, &'static str) -> G + Copy + Send + Sync + 'static,
    G: Fn() -> Option<(String, Option<String>)> + Send + Sync + 'static,
{
    let app = use_app();
    let value = move |field: &'static str| {
        move || {
            draft.with(|d| {
                d.members
                    .get(i)
                    .map(|m| field_value(m, field))
                    .unwrap_or_default()
            })
        }
    };
    let on = move |field: &'static str| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| {
                if let Some(m) = d.members.get_mut(i) {
                    set_field(m, field, v);
                }
            })
        }
    };
    let error = move |field: &'static str| {
        let get = errors_for(i, field);
        move || {
            get().map(|(e, existing)| view! {
            <span class="field-error" data-testid=format!("error-{i}-{field}")>{e}</span>
            {existing.map(|id| view! {
                <A href=Route::Resident { enrolment_id: &id }.href() attr:data-testid="existing-enrolment">{move || app.t(Key::SeeExisting)}</A>
            })}
        })
        }
    };
    // Birth date and sex, from a valid ID number.
    let derived = move || {
        let id = value("id_number")();
        IdNumber::parse(&id).ok().map(|id| {
            let sex = match id.sex() {
                Sex::Male => app.t(Key::Male),
                Sex::Female => app.t(Key::Female),
            };
            format!("{} · {sex}", date_text(id.birth_date()))
        })
    };
    let subsidy = value("subsidy");
    view! {
        <fieldset class="card member" data-testid=format!("member-{i}")>
            <legend>{move || app.t(Key::Member)}" "{i + 1}</legend>
            <div class="grid">
                <label>
                    <span>{move || app.t(Key::IdNumber)}</span>
                    <input name=format!("id_number_{i}") inputmode="text" autocomplete="off"
                        prop:value=value("id_number") on:input=on("id_number")/>
                    {error("id_number")}
                    {move || derived().map(|d| view! { <span class="hint" data-testid=format!("derived-{i}")>{d}</span> })}
                </label>
                <label>
                    <span>{move || app.t(Key::Name)}</span>
                    <input name=format!("name_{i}") prop:value=value("name") on:input=on("name")/>
                    {error("name")}
                </label>
                <label>
                    <span>{move || app.t(Key::Relationship)}</span>
                    <select name=format!("relationship_{i}") prop:value=value("relationship") on:change=on("relationship")>
                        {Relationship::ALL.into_iter().map(|r| view! {
                            <option value=option_value(r)>{move || r.label(app.lang.get())}</option>
                        }).collect_view()}
                    </select>
                    {error("relationship")}
                </label>
                <label>
                    <span>{move || app.t(Key::Phone)}</span>
                    <input name=format!("phone_{i}") inputmode="tel" prop:value=value("phone") on:input=on("phone")/>
                    {error("phone")}
                </label>
                <label>
                    <span>{move || app.t(Key::SubsidyCategory)}</span>
                    <select name=format!("subsidy_{i}") prop:value=value("subsidy") on:change=on("subsidy")>
                        <option value="">{move || app.t(Key::None)}</option>
                        {SubsidyCategory::ALL.into_iter().map(|c| view! {
                            <option value=option_value(c)>{move || c.label(app.lang.get())}</option>
                        }).collect_view()}
                    </select>
                    {error("subsidy")}
                </label>
                <Show when=move || !subsidy().is_empty()>
                    <label>
                        <span>{move || app.t(Key::EvidenceNumber)}</span>
                        <input name=format!("evidence_{i}") prop:value=value("evidence_number") on:input=on("evidence_number")/>
                        {error("evidence_number")}
                    </label>
                </Show>
                <Show when=move || subsidy() == "severe_disability">
                    <label>
                        <span>{move || app.t(Key::DisabilityGrade)}</span>
                        <input name=format!("grade_{i}") inputmode="numeric" maxlength="1" prop:value=value("disability_grade") on:input=on("disability_grade")/>
                        {error("disability_grade")}
                    </label>
                </Show>
                <label>
                    <span>{move || app.t(Key::MissingDocument)}</span>
                    <input name=format!("missing_{i}") prop:value=value("missing_document") on:input=on("missing_document")/>
                </label>
            </div>
            <Show when=move || { draft.with(|d| d.members.len()) > 1 }>
                <button type="button" class="link" on:click=move |_| draft.update(|d| { if i < d.members.len() { d.members.remove(i); } })>
                    {move || app.t(Key::RemoveMember)}
                </button>
            </Show>
        </fieldset>
    }
}

#[component]
fn Totals(checked: Memo<Result<crate::desk::enrol::Plan, Vec<FieldError>>>) -> impl IntoView {
    let app = use_app();
    move || {
        checked.with(|c| {
            c.as_ref().ok().map(|plan| {
                let rows = plan.members.iter().zip(&plan.contribution.members).map(|(m, due)| view! {
                    <tr>
                        <td>{m.name.to_string()}</td>
                        <td class="mono">{m.id_number.masked()}</td>
                        <td class="num">{due.gross.to_string()}</td>
                        <td class="num">{due.subsidy.to_string()}</td>
                        <td class="num">{due.due.to_string()}</td>
                    </tr>
                }).collect_view();
                let total = plan.contribution.total_due.to_string();
                view! {
                    <section class="card">
                        <table class="records" data-testid="contribution">
                            <thead><tr>
                                <th>{move || app.t(Key::Name)}</th><th>{move || app.t(Key::IdNumber)}</th>
                                <th class="num">{move || app.t(Key::ContributionDue)}</th>
                                <th class="num">{move || app.t(Key::Subsidy)}</th>
                                <th class="num">{move || app.t(Key::Amount)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                            <tfoot><tr><th colspan="4">{move || app.t(Key::Total)}</th>
                                <th class="num" data-testid="total-due">"¥"{total}</th></tr></tfoot>
                        </table>
                    </section>
                }
            })
        })
    }
}
