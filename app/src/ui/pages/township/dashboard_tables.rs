//! The dashboard's tables, shared by the dashboard (each beside its chart) and the monthly
//! report (each under its heading, as it prints on A4).

use cunbao_domain::dashboard::{
    CashLine, EnrolmentLine, MonthLine, ReasonLine, ReviewAges, RuleLine, SyncLine,
};
use leptos::prelude::*;

use cunbao_domain::text::Bilingual;

use crate::i18n::{Key, Label};
use crate::ui::context::use_app;
use crate::ui::format::datetime_of;

/// Each clinic's enrolment against its target; an administrator may set the targets here.
/// `editable` is followed as it changes: after a reload the dashboard may be drawn before the
/// user is known, and the fields appear once they are.
#[component]
pub fn EnrolmentTable(
    lines: Vec<EnrolmentLine>,
    #[prop(optional, into)] editable: Signal<bool>,
) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    view! {
        <table class="records"><thead><tr><th>{t(Key::Clinic)}</th><th class="num">{t(Key::Enrolled)}</th><th class="num">{t(Key::Target)}</th></tr></thead>
        <tbody>{lines.into_iter().map(|l| view! {
            <tr data-testid="enrolment-row"><td>{l.clinic_name.clone()}</td><td class="num">{l.enrolled}</td>
                <td class="num">{move || if editable.get() {
                    view! { <super::enrolment_target::TargetCell clinic_id=l.clinic_id.clone() target=l.target/> }.into_any()
                } else {
                    l.target.map(|t| t.to_string()).unwrap_or_else(|| "—".into()).into_any()
                }}</td></tr>
        }).collect_view()}</tbody></table>
    }
}

#[component]
pub fn CashTable(lines: Vec<CashLine>) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    view! {
        <table class="records"><thead><tr><th>{t(Key::Clinic)}</th><th class="num">{t(Key::Collected)}</th><th class="num">{t(Key::HandedIn)}</th></tr></thead>
        <tbody>{lines.into_iter().map(|l| view! {
            <tr><td>{l.clinic_name}</td><td class="num">{l.collected.to_string()}</td><td class="num">{l.handed_in.to_string()}</td></tr>
        }).collect_view()}</tbody></table>
    }
}

/// The claims the fund pays and what it pays, by month; with each benefit's share when asked.
#[component]
pub fn MonthsTable(lines: Vec<MonthLine>, #[prop(optional)] by_benefit: bool) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    view! {
        <table class="records"><thead><tr><th>{t(Key::Month)}</th>
            {by_benefit.then(|| view! { <th>{t(Key::Benefit)}</th> })}
            <th class="num">{t(Key::ClaimsCount)}</th><th class="num">{t(Key::FundPaid)}</th></tr></thead>
        <tbody>{lines.into_iter().map(|m| {
            let parts = if by_benefit { m.by_benefit.clone() } else { Vec::new() };
            view! {
                <tr data-testid="month-row"><td>{m.month.clone()}</td>
                    {by_benefit.then(|| view! { <td>{t(Key::AllBenefits)}</td> })}
                    <td class="num">{m.claims}</td><td class="num">{m.fund.to_string()}</td></tr>
                {parts.into_iter().map(|b| view! {
                    <tr class="sub"><td></td><td>{app.say(&b.benefit.text())}</td><td class="num">{b.claims}</td><td class="num">{b.fund.to_string()}</td></tr>
                }).collect_view()}
            }
        }).collect_view()}</tbody></table>
    }
}

#[component]
pub fn RulesTable(lines: Vec<RuleLine>) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    let lang = app.lang.get_untracked();
    view! {
        <table class="records"><thead><tr><th>{t(Key::RuleName)}</th><th>{t(Key::Clinic)}</th><th class="num">{t(Key::Times)}</th></tr></thead>
        <tbody>{lines.into_iter().flat_map(|r| r.by_clinic.into_iter().map(move |c| (r.rule, c))).map(|(rule, c)| view! {
            <tr><td>{rule.label(lang)}</td><td>{c.clinic_name}</td><td class="num">{c.count}</td></tr>
        }).collect_view()}</tbody></table>
    }
}

#[component]
pub fn RejectionsTable(lines: Vec<ReasonLine>) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    view! {
        <table class="records"><thead><tr><th>{t(Key::RejectReason)}</th><th>{t(Key::Clinic)}</th><th class="num">{t(Key::ClaimsCount)}</th></tr></thead>
        <tbody>{lines.into_iter().flat_map(|r| r.by_clinic.into_iter().map(move |c| (r.label.clone(), c))).map(|(label, c)| view! {
            <tr><td>{app.say(&label)}</td><td>{c.clinic_name}</td><td class="num">{c.count}</td></tr>
        }).collect_view()}</tbody></table>
    }
}

#[component]
pub fn ReviewAgesTable(ages: ReviewAges) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    view! {
        <table class="records"><thead><tr><th class="num">{t(Key::Within24h)}</th><th class="num">{t(Key::Within48h)}</th><th class="num">{t(Key::Over48h)}</th></tr></thead>
        <tbody><tr><td class="num">{ages.within_24h}</td><td class="num">{ages.within_48h}</td><td class="num">{ages.over_48h}</td></tr></tbody></table>
    }
}

#[component]
pub fn SyncsTable(lines: Vec<SyncLine>) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    view! {
        <table class="records"><thead><tr><th>{t(Key::Clinic)}</th><th>{t(Key::LastSync)}</th><th></th></tr></thead>
        <tbody>{lines.into_iter().map(|l| view! {
            <tr data-testid="sync-row" class:stale=l.stale><td>{l.clinic_name.clone()}</td>
                <td>{l.last_sync_at.as_deref().map(datetime_of).unwrap_or_else(|| t(Key::NeverSynced).to_string())}</td>
                <td>{l.stale.then(|| view! { <span class="badge warn">{t(Key::StaleSync)}</span> })}</td></tr>
        }).collect_view()}</tbody></table>
    }
}
