use cunbao_domain::risk::PastVisit;
use leptos::prelude::*;

use super::QuoteMemo;
use crate::desk::benefit::benefit_text;
use crate::desk::visit::LocalAccumulators;
use crate::i18n::Key;
use crate::ui::components::desk::{date_text, desk};
use crate::ui::context::use_app;

#[component]
pub fn Breakdown(
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
            let benefit = desk().policy.map(|policy| benefit_text(&policy, q.benefit));
            let row = |key: Key, value: String, id: &'static str| view! {
                <dt>{move || app.t(key)}</dt><dd class="num" data-testid=id>{value}</dd>
            };
            view! {
                <section class="card breakdown" data-testid="breakdown">
                    {benefit.map(|b| view! {
                        <p data-testid="breakdown-benefit">
                            <strong>{move || app.t(Key::Benefit)}</strong>": "{move || app.say(&b)}
                        </p>
                    })}
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
