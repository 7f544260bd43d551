//! Chronic qualifications (慢特病认定) for township staff: the clinics' applications with their
//! evidence, approved with a validity or refused with a reason; and the registry, searchable by
//! clinic and condition, with those expiring within 30 days marked (and listed alone on demand).

use chrono::{Datelike, NaiveDate};
use cunbao_domain::qualification::{Qualification, QualificationDecision, QualificationStatus};
use cunbao_domain::text::{Bilingual, Text};
use cunbao_domain::township::RecordRow;
use leptos::prelude::*;

use super::staff_only::StaffOnline;
use crate::i18n::{Key, Label};
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::township::RecordKind;
use crate::ui::context::use_app;

#[component]
pub fn ChronicPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Chronic.label())}</h1>
        <p class="hint">{move || app.t(Key::ChronicPlan)}</p>
        <StaffOnline><Chronic/></StaffOnline>
    }
}

/// An application or a qualification, with its clinic's name.
#[derive(Clone, PartialEq)]
struct Row {
    clinic_name: String,
    q: Qualification,
}

fn rows(records: Vec<RecordRow>) -> Vec<Row> {
    records
        .into_iter()
        .filter_map(|r| {
            Some(Row {
                q: serde_json::from_value(r.data).ok()?,
                clinic_name: r.clinic_name,
            })
        })
        .collect()
}

/// Whether an approved qualification ends within 30 days of `today` (and has not ended).
fn expiring(q: &Qualification, today: NaiveDate) -> bool {
    q.valid_to
        .is_some_and(|to| to >= today && to <= today + chrono::Days::new(30))
}

#[component]
fn Chronic() -> impl IntoView {
    let app = use_app();
    let list = RwSignal::new(None::<Result<Vec<Row>, Text>>);
    let load = move || {
        app.with_token(move |token| async move {
            let result = FETCH
                .township_records(&token, RecordKind::Qualification)
                .await;
            list.set(Some(result.map(rows).map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| load());
    let clinic = RwSignal::new(String::new());
    let condition = RwSignal::new(String::new());
    let only_expiring = RwSignal::new(false);
    let today = crate::device::today();
    let all = move || match list.get() {
        Some(Ok(rows)) => rows,
        _ => Vec::new(),
    };
    let pending = move || {
        all()
            .into_iter()
            .filter(|r| r.q.status == QualificationStatus::Pending)
            .collect::<Vec<_>>()
    };
    let registry = move || {
        all()
            .into_iter()
            .filter(|r| r.q.status != QualificationStatus::Pending)
            .filter(|r| clinic.with(|c| c.is_empty() || *c == r.q.clinic_id))
            .filter(|r| {
                condition.with(|c| c.is_empty() || *c == r.q.condition.label(crate::i18n::Lang::Zh))
            })
            .filter(|r| {
                !only_expiring.get()
                    || (r.q.status == QualificationStatus::Approved && expiring(&r.q, today))
            })
            .collect::<Vec<_>>()
    };
    let clinics = move || {
        let mut c: Vec<(String, String)> = all()
            .into_iter()
            .map(|r| (r.q.clinic_id, r.clinic_name))
            .collect();
        crate::sort::sort(&mut c);
        c.dedup();
        c
    };
    let conditions = move || {
        let mut c: Vec<&'static str> = all()
            .iter()
            .map(|r| r.q.condition.label(crate::i18n::Lang::Zh))
            .collect();
        crate::sort::sort(&mut c);
        c.dedup();
        c
    };
    view! {
        {move || list.get().and_then(Result::err).map(|e| view! { <p class="card field-error" role="alert">{app.say(&e)}</p> })}
        <section class="card" data-testid="chronic-applications">
            <h2>{move || app.t(Key::ChronicApplications)}" ("{move || pending().len()}")"</h2>
            {move || pending().is_empty().then(|| view! { <p class="empty">{app.t(Key::NoApplications)}</p> })}
            <ul class="proposals">
                {move || pending().into_iter().map(|r| view! { <Application row=r on_decided=load/> }).collect_view()}
            </ul>
        </section>
        <section class="card" data-testid="chronic-registry">
            <h2>{move || app.t(Key::ChronicRegistry)}</h2>
            <div class="filters">
                <label><span>{move || app.t(Key::Clinic)}</span>
                    <select name="clinic" on:change=move |ev| clinic.set(event_target_value(&ev))>
                        <option value="">{move || app.t(Key::Choose)}</option>
                        {move || clinics().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select></label>
                <label><span>{move || app.t(Key::Condition)}</span>
                    <select name="condition" on:change=move |ev| condition.set(event_target_value(&ev))>
                        <option value="">{move || app.t(Key::Choose)}</option>
                        {move || conditions().into_iter().map(|c| view! { <option value=c>{c}</option> }).collect_view()}
                    </select></label>
                <label class="check"><input type="checkbox" name="expiring"
                    on:change=move |ev| only_expiring.set(event_target_checked(&ev))/>
                    <span>{move || app.t(Key::OnlyExpiring)}</span></label>
            </div>
            <table class="records">
                <thead><tr>
                    <th>{move || app.t(Key::Clinic)}</th><th>{move || app.t(Key::Patient)}</th>
                    <th>{move || app.t(Key::Condition)}</th><th>{move || app.t(Key::Status)}</th>
                    <th>{move || app.t(Key::ValidFrom)}</th><th>{move || app.t(Key::ValidTo)}</th>
                    <th>{move || app.t(Key::DecidedBy)}</th>
                </tr></thead>
                <tbody>
                    {move || registry().into_iter().map(|r| {
                        let soon = r.q.status == QualificationStatus::Approved && expiring(&r.q, today);
                        let (condition, status) = (r.q.condition, r.q.status);
                        view! {
                            <tr data-testid="qualification" data-id=r.q.id.clone()>
                                <td>{r.clinic_name.clone()}</td>
                                <td class="mono">{r.q.person.masked()}</td>
                                <td>{move || condition.label(app.lang.get())}</td>
                                <td>{move || status.label(app.lang.get())}
                                    {soon.then(|| view! { " " <span class="badge warn" data-testid="expiring">{move || app.t(Key::ExpiringSoon)}</span> })}
                                    {r.q.note.clone().map(|n| format!("（{n}）"))}</td>
                                <td>{r.q.valid_from.map(|d| d.to_string())}</td>
                                <td>{r.q.valid_to.map(|d| d.to_string())}</td>
                                <td>{r.q.decided_by.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn Application<F: Fn() + Copy + Send + Sync + 'static>(row: Row, on_decided: F) -> impl IntoView {
    let app = use_app();
    let q = row.q.clone();
    // By default from the application until the end of its scheme year.
    let year_end = NaiveDate::from_ymd_opt(q.applied_on.year(), 12, 31).unwrap_or(q.applied_on);
    let from = RwSignal::new(q.applied_on.to_string());
    let to = RwSignal::new(year_end.to_string());
    let reason = RwSignal::new(String::new());
    let refusing = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let id = q.id.clone();
    let send = move |decision: QualificationDecision| {
        let id = id.clone();
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.decide_qualification(&token, &id, &decision).await {
                Ok(_) => on_decided(),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let approve = {
        let send = send.clone();
        move |_| {
            let day = |s: String| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
            match (day(from.get_untracked()), day(to.get_untracked())) {
                (Some(valid_from), Some(valid_to)) => send(QualificationDecision::Approve {
                    valid_from,
                    valid_to,
                }),
                _ => error.set(Some(Text::new("请填写有效期", "Give the validity"))),
            }
        }
    };
    let refuse = move |_| {
        send(QualificationDecision::Reject {
            reason: reason.get_untracked(),
        })
    };
    let condition = q.condition;
    view! {
        <li data-testid="application" data-id=q.id.clone()>
            <div class="proposal-what">
                <strong>{row.clinic_name.clone()}</strong>" "
                <span class="mono">{q.person.masked()}</span>" · "{move || condition.label(app.lang.get())}
            </div>
            <div class="proposal-why">
                {move || app.t(Key::Evidence)}"："{q.evidence.clone()}" · "{move || app.t(Key::AppliedOn)}" "{q.applied_on.to_string()}
            </div>
            <div class="proposal-actions">
                <label><span>{move || app.t(Key::ValidFrom)}</span>
                    <input type="date" name="valid_from" prop:value=from on:input=move |ev| from.set(event_target_value(&ev))/></label>
                <label><span>{move || app.t(Key::ValidTo)}</span>
                    <input type="date" name="valid_to" prop:value=to on:input=move |ev| to.set(event_target_value(&ev))/></label>
                <button class="primary" data-testid="approve-qualification" on:click=approve>{move || app.t(Key::ApproveQualification)}</button>
                <Show when=move || refusing.get() fallback=move || view! {
                    <button data-testid="refuse-qualification" on:click=move |_| refusing.set(true)>{move || app.t(Key::RefuseQualification)}</button>
                }>
                    <input name="refuse_reason" maxlength="200" placeholder=move || app.t(Key::RefuseReason)
                        prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <button data-testid="confirm-refuse-qualification" on:click=refuse.clone()>{move || app.t(Key::RefuseQualification)}</button>
                </Show>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </li>
    }
}
