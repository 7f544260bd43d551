use cunbao_domain::diagnosis::DIAGNOSES;
use cunbao_domain::risk::{PastVisit, Severity};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;

use crate::desk::residents::Resident;
use crate::desk::visit::{
    self, accumulators, cap_pool, claims_of, history, ClaimContext, LineDraft, LocalAccumulators,
    VisitDraft,
};
use crate::device::{new_uuid, now_ms, today};
use crate::i18n::{Key, Lang};
use crate::routes::{slip_path, Section};
use crate::ui::components::desk::{date_text, desk, keep_draft, EligibilityBadge, WithDesk};
use crate::ui::components::search_results::{
    class_label, found_items, found_residents, keep_rows, picked, RowAction,
};
use crate::ui::context::use_app;
use crate::ui::pages::enrol::RELATIONSHIPS;
use crate::ui::pages::slip::ClaimSlip;

const DRAFT: &str = "visit";

/// Outpatient settlement: patient, identity check, diagnosis, catalogue lines, a live
/// breakdown and risk results; confirm writes durably before the slip is shown.
///
/// `/settlement` is the form, `/settlement/<claim id>` that claim's slip. One route, so that
/// the slip of a claim just saved replaces the form at once, and the address follows without
/// drawing the page again.
#[component]
pub fn SettlementPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let in_address = move || params.with(|p| p.get("claim"));
    // Saved here, until the address names it.
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if in_address().is_some() {
            saved.set(None);
        }
    });
    let shown = Memo::new(move |_| in_address().or_else(|| saved.get()));
    // The form stays up, hidden, until the slip that replaced it has been painted.
    let form_open = RwSignal::new(shown.get_untracked().is_none());
    Effect::new(move |_| {
        if shown.with(Option::is_none) {
            form_open.set(true);
        }
    });
    view! {
        <div hidden=move || shown.with(Option::is_some)>
            <Show when=move || form_open.get()>
                <h1 data-testid="section-title">{move || app.t(Section::Settlement.label())}</h1>
                <WithDesk><VisitForm shown_saved=saved form_open=form_open/></WithDesk>
            </Show>
        </div>
        {move || shown.get().map(|id| view! { <ClaimSlip id=id/> })}
    }
}

/// Runs `f` once the next frame has been painted.
fn after_paint(f: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(f, std::time::Duration::ZERO));
}

#[component]
fn VisitForm(
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
    let pool = Memo::new(move |_| {
        let policy = desk().policy?;
        draft.with(|d| cap_pool(&policy, &d.diagnoses))
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
                &past,
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
        let operator = untrack(|| app.user_name());
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
                    operator: &operator,
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
                        navigate(&slip_path(&claim_id), options);
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
                <CatalogueSearch draft=draft/>
                <Lines draft=draft quote=quote/>
                <Breakdown quote=quote figures=figures/>
                <Risk draft=draft quote=quote/>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="settle-error">{app.say(&e)}</p> })}
                {move || quote.get().and_then(|r| r.ok()).map(|(q, _)| {
                    let reason = draft.with(|d| d.reason.clone());
                    let allowed = q.can_confirm(&reason);
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

#[component]
fn PatientPicker(draft: RwSignal<VisitDraft>, patient: Memo<Option<Resident>>) -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    move || {
        match patient.get() {
        Some(p) => view! {
            <section class="card patient" data-testid="patient">
                <strong>{p.name().to_string()}</strong>
                <span class="mono">{p.record.member.id_number.masked()}</span>
                <EligibilityBadge eligibility=p.eligibility(today())/>
                <button class="link" on:click=move |_| draft.set(VisitDraft { identity: "id_card".into(), ..VisitDraft::default() })>
                    {move || app.t(Key::ChangePatient)}
                </button>
            </section>
        }.into_any(),
        None => {
            let list = NodeRef::new();
            keep_rows(list, RowAction::Pick, found_residents(app, query));
            view! {
            <section class="card">
                <h2>{move || app.t(Key::FindPatient)}</h2>
                <input class="search" type="search" data-testid="patient-search"
                    placeholder=move || app.t(Key::SearchResidents)
                    on:input=move |ev| query.set(event_target_value(&ev))/>
                <ul class="results" node_ref=list
                    on:click=move |ev| if let Some(id) = picked(&ev) {
                        draft.update(|d| d.enrolment_id = id);
                    }>
                </ul>
            </section>
        }.into_any()
        }
    }
    }
}

#[component]
fn IdentityFields(draft: RwSignal<VisitDraft>) -> impl IntoView {
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
                        <input name="proxy_id" maxlength="18" prop:value=move || draft.with(|d| d.proxy_id.clone())
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
                            {RELATIONSHIPS.into_iter().skip(1).map(|(v, zh, en)| view! {
                                <option value=v>{move || if app.lang.get() == Lang::Zh { zh } else { en }}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn DiagnosisPicker(draft: RwSignal<VisitDraft>) -> impl IntoView {
    let app = use_app();
    let name = move |code: &str| {
        DIAGNOSES
            .iter()
            .find(|d| d.code == code)
            .map(|d| {
                if app.lang.get() == Lang::Zh {
                    d.name_zh
                } else {
                    d.name_en
                }
            })
            .unwrap_or("?")
    };
    view! {
        <section class="card">
            <h2>{move || app.t(Key::Diagnosis)}</h2>
            <div class="chips" data-testid="diagnoses">
                {move || draft.with(|d| d.diagnoses.clone()).into_iter().map(|code| {
                    let remove = code.clone();
                    view! {
                        <span class="chip">{code.clone()}" "{name(&code)}
                            <button class="link" aria-label="remove" on:click=move |_| draft.update(|d| d.diagnoses.retain(|c| *c != remove))>"×"</button>
                        </span>
                    }
                }).collect_view()}
            </div>
            <select name="diagnosis" data-testid="diagnosis-select" prop:value=""
                on:change=move |ev| {
                    let code = event_target_value(&ev);
                    // Back to the prompt, ready for the next diagnosis.
                    event_target::<web_sys::HtmlSelectElement>(&ev).set_value("");
                    if !code.is_empty() {
                        draft.update(|d| if !d.diagnoses.contains(&code) { d.diagnoses.push(code) });
                    }
                }>
                <option value="">{move || format!("+ {}", app.t(Key::Diagnosis))}</option>
                {DIAGNOSES.iter().map(|d| view! {
                    <option value=d.code>{d.code}" "{move || if app.lang.get() == Lang::Zh { d.name_zh } else { d.name_en }}</option>
                }).collect_view()}
            </select>
        </section>
    }
}

#[component]
fn CatalogueSearch(draft: RwSignal<VisitDraft>) -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let list = NodeRef::new();
    keep_rows(list, RowAction::Pick, found_items(app, query));
    view! {
        <section class="card">
            <input class="search" type="search" data-testid="catalogue-search" node_ref=input
                placeholder=move || app.t(Key::SearchCatalogue)
                on:input=move |ev| query.set(event_target_value(&ev))
                on:focus=move |_| if let Some(input) = input.get_untracked() { bring_up(&input) }/>
            <ul class="results" data-testid="catalogue-results" node_ref=list
                on:click=move |ev| if let Some(code) = picked(&ev) {
                    draft.update(|d| d.lines.push(LineDraft { code, quantity: "1".into() }));
                    query.set(String::new());
                    // Ready for the next item.
                    if let Some(input) = input.get_untracked() {
                        input.set_value("");
                        let _ = input.focus();
                    }
                }>
            </ul>
        </section>
    }
}

/// Scrolls a search box in the lower part of the screen up to the top, so that its results
/// show below it rather than under the on-screen keyboard or past the bottom edge.
fn bring_up(input: &web_sys::HtmlInputElement) {
    let top = input.get_bounding_client_rect().top();
    let height = window()
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    if top > height * 0.4 {
        input.scroll_into_view_with_bool(true);
    }
}

type QuoteMemo = Memo<Option<Result<(visit::Quote, Vec<visit::LineError>), Text>>>;

#[component]
fn Lines(draft: RwSignal<VisitDraft>, quote: QuoteMemo) -> impl IntoView {
    let app = use_app();
    let count = Memo::new(move |_| draft.with(|d| d.lines.len()));
    let line_error = move |i: usize| {
        quote.with(|q| match q {
            Some(Ok((_, errors))) => errors
                .iter()
                .find(|e| e.line == i)
                .map(|e| app.say(&e.message)),
            Some(Err(e)) => (i == 0).then(|| app.say(e)),
            None => None,
        })
    };
    // The breakdown row of line i, if it settled (bad lines are left out).
    let figures = move |i: usize| {
        quote.with(|q| {
            let (q, errors) = q.as_ref()?.as_ref().ok()?;
            let skipped = errors.iter().filter(|e| e.line < i).count();
            if errors.iter().any(|e| e.line == i) {
                return None;
            }
            q.settlement.lines.get(i - skipped).cloned()
        })
    };
    view! {
        <Show when=move || { count.get() > 0 }>
            <section class="card lines-wrap">
                <table class="records lines" data-testid="lines">
                    <thead><tr>
                        <th>{move || app.t(Key::Item)}</th><th>{move || app.t(Key::Class)}</th>
                        <th class="num">{move || app.t(Key::Price)}</th><th>{move || app.t(Key::Quantity)}</th>
                        <th class="num">{move || app.t(Key::AmountCol)}</th><th class="num">{move || app.t(Key::SelfPayFull)}</th>
                        <th class="num">{move || app.t(Key::SelfPayFirst)}</th><th class="num">{move || app.t(Key::InPolicy)}</th><th></th>
                    </tr></thead>
                    <tbody>
                        {move || (0..count.get()).map(|i| {
                            let code = draft.with_untracked(|d| d.lines.get(i).map(|l| l.code.clone()).unwrap_or_default());
                            let item = desk().catalogue.get(&code).cloned();
                            let cell = move |f: fn(&cunbao_domain::settlement::LineBreakdown) -> String| {
                                move || figures(i).map(|b| f(&b)).unwrap_or_else(|| "—".into())
                            };
                            view! {
                                <tr data-testid=format!("line-{i}")>
                                    <td>{item.as_ref().map(|it| it.name.clone()).unwrap_or(code.clone())}</td>
                                    <td>{let class = item.as_ref().map(|it| it.class); move || class.map(|c| class_label(app.lang.get(), c)).unwrap_or("—")}</td>
                                    <td class="num">{item.as_ref().map(|it| it.price.to_string())}</td>
                                    <td>
                                        <input class="qty" inputmode="decimal" name=format!("qty_{i}")
                                            prop:value=move || draft.with(|d| d.lines.get(i).map(|l| l.quantity.clone()).unwrap_or_default())
                                            on:input=move |ev| draft.update(|d| if let Some(l) = d.lines.get_mut(i) { l.quantity = event_target_value(&ev) })/>
                                        {move || line_error(i).map(|e| view! { <span class="field-error">{e}</span> })}
                                    </td>
                                    <td class="num">{cell(|b| b.amount.to_string())}</td>
                                    <td class="num">{cell(|b| b.self_pay_full.to_string())}</td>
                                    <td class="num">{cell(|b| b.self_pay_first.to_string())}</td>
                                    <td class="num">{cell(|b| b.in_policy.to_string())}</td>
                                    <td><button class="link" on:click=move |_| draft.update(|d| { if i < d.lines.len() { d.lines.remove(i); } })>{move || app.t(Key::Remove)}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </Show>
    }
}

#[component]
fn Breakdown(
    quote: QuoteMemo,
    figures: RwSignal<Option<(LocalAccumulators, Vec<PastVisit>)>>,
) -> impl IntoView {
    let app = use_app();
    move || {
        let source = figures.get().map(|(acc, _)| {
            let server = match acc.server_as_of {
                Some(d) => format!("{} {}", app.t(Key::ServerAsOf), date_text(d)),
                None => app.t(Key::NoServerFigures).to_string(),
            };
            if acc.local_claims > 0 {
                format!("{server}；{} {}", app.t(Key::LocalVisits), acc.local_claims)
            } else {
                server
            }
        });
        let q = quote.get().and_then(|r| r.ok()).map(|(q, _)| q);
        q.map(|q| {
            let s = q.settlement.clone();
            let row = |key: Key, value: String, id: &'static str| view! {
                <dt>{move || app.t(key)}</dt><dd class="num" data-testid=id>{value}</dd>
            };
            view! {
                <section class="card breakdown" data-testid="breakdown">
                    <dl class="totals">
                        {row(Key::Total, s.total.to_string(), "total")}
                        {row(Key::SelfPayFull, s.self_pay_full.to_string(), "self-pay-full")}
                        {row(Key::SelfPayFirst, s.self_pay_first.to_string(), "self-pay-first")}
                        {row(Key::InPolicy, s.in_policy.to_string(), "in-policy")}
                        {row(Key::DeductibleTaken, s.deductible_taken.to_string(), "deductible-taken")}
                        {row(Key::FundPays, s.fund.to_string(), "fund")}
                        {row(Key::PatientPays, s.patient.to_string(), "patient")}
                    </dl>
                    <p class="hint" data-testid="accumulators">
                        {move || app.t(Key::YearToDate)}": "
                        {move || app.t(Key::DeductibleMet)}" "{s.accumulators_before.deductible_met.to_string()}" · "
                        {move || app.t(Key::FundPaid)}" "{s.accumulators_before.fund_paid.to_string()}
                        " ("{move || app.t(Key::AccumulatorsFresh)}": "{source.clone()}")"
                    </p>
                    {q.pending_review.then(|| view! { <p class="notice-lead" data-testid="pending-review">{move || app.t(Key::PendingReview)}</p> })}
                </section>
            }
        })
    }
}

#[component]
fn Risk(draft: RwSignal<VisitDraft>, quote: QuoteMemo) -> impl IntoView {
    let app = use_app();
    let hits = move || {
        quote
            .get()
            .and_then(|r| r.ok())
            .map(|(q, _)| q.hits)
            .unwrap_or_default()
    };
    let needs_reason = move || hits().iter().any(|h| h.severity == Severity::Warn);
    view! {
        <section class="card" data-testid="risk">
            <h2>{move || app.t(Key::RiskResults)}</h2>
            {move || {
                let mut list = hits();
                list.sort_by_key(|h| std::cmp::Reverse(h.severity));
                if list.is_empty() {
                    return view! { <p>{app.t(Key::NoRisk)}</p> }.into_any();
                }
                view! {
                    <ul class="risk">
                        {list.into_iter().map(|h| {
                            let (class, key) = match h.severity {
                                Severity::Block => ("risk-block", Key::Block),
                                Severity::Warn => ("risk-warn", Key::Warn),
                                Severity::Flag => ("risk-flag", Key::Flag),
                            };
                            let text = if app.lang.get() == Lang::Zh { h.message_zh } else { h.message_en };
                            view! { <li class=class><span class="badge">{app.t(key)}</span>" "{text}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Show when=needs_reason>
                <label class="reason">
                    <span>{move || app.t(Key::Reason)}</span>
                    <textarea name="reason" rows="2" prop:value=move || draft.with(|d| d.reason.clone())
                        on:input=move |ev| draft.update(|d| d.reason = event_target_value(&ev))></textarea>
                </label>
            </Show>
        </section>
    }
}
