//! An outpatient claim: re-settled with the full year's accumulators, the risk rules run again
//! with the server's wider view, and a difference from what the tablet said recorded as an
//! adjustment for the monthly statement.

use chrono::{Datelike, Days, NaiveDate};
use cunbao_domain::claim::{past_visit, Claim, ClaimStatus, VisitFacts};
use cunbao_domain::enrolment::{eligibility, Eligibility};
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::names::ItemCode;
use cunbao_domain::policy::{BenefitKind, Policy};
use cunbao_domain::qualification::benefit_for;
use cunbao_domain::repricing::{reprice, LineDifference, Repriced};
use cunbao_domain::risk::{evaluate, PastVisit, RuleHit, Severity};
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput, Settlement};
use cunbao_domain::sync::{
    AccumulatorKey, Adjustment, ChangeBody, ClaimOutcome, Mutation, MutationBody, MutationResult,
    YearToDate,
};
use cunbao_domain::text::Text;

use super::{rejected_by, unknown_policy, Context};
use crate::claim_figures::ClaimFigures;
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::state::CatalogueProblem;
use crate::write_tx::Tx;

/// No village outpatient visit comes near this total; a tablet's figure above it is refused
/// rather than stored and sent on to other tablets.
const MAX_VISIT_TOTAL_YUAN: i64 = 100_000;

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    let MutationBody::Claim(claim) = &m.body else {
        unreachable!("dispatched by kind")
    };
    let Claim {
        person,
        visit_date,
        benefit,
        policy_version,
        catalogue_version,
        lines: sent_lines,
        settlement,
        identity,
        pending_review,
        ..
    } = claim.as_ref();
    let Some(policy) = ctx.policy_named(policy_version) else {
        return Ok(unknown_policy(m, policy_version));
    };
    if settlement.total > Money::yuan(MAX_VISIT_TOTAL_YUAN) {
        return Ok(MutationResult::rejected(
            m,
            "implausible_amount",
            Text::new(
                format!("一次门诊合计超过{MAX_VISIT_TOTAL_YUAN}元，不可能是村卫生室的门诊"),
                format!("A visit totalling over {MAX_VISIT_TOTAL_YUAN} yuan cannot be a village clinic's"),
            ),
        ));
    }
    if let Some(refusal) = refuse_dates(m, policy, *visit_date, ctx.in_force.day) {
        return Ok(refusal);
    }
    let catalogue = match ctx
        .in_force
        .catalogue_for_visit(catalogue_version, *visit_date)
    {
        Ok(catalogue) => catalogue,
        Err(problem) => return Ok(catalogue_refused(m, catalogue_version, problem)),
    };
    // The benefit follows from the diagnoses and the person's qualifications, not from what
    // the tablet chose; a village clinic never settles the inpatient benefit.
    if matches!(benefit, BenefitKind::Inpatient { .. }) {
        return Ok(MutationResult::rejected(
            m,
            "inpatient_not_at_clinic",
            Text::new(
                "村卫生室不能结算住院待遇",
                "A village clinic cannot settle the inpatient benefit",
            ),
        ));
    }
    // The chronic benefit only with a qualification approved and valid on the visit date.
    let codes = claim.diagnosis_codes();
    let year = visit_date.year();
    let view = records::claimant_view(tx, person.as_str(), year).await?;
    let (entitled, _) = benefit_for(&codes, &view.qualifications, *visit_date);
    let rule = match policy.benefit(entitled) {
        Ok(rule) => rule,
        Err(err) => return Ok(rejected_by(m, "unknown_benefit", err)),
    };
    // Only someone entitled on the visit date is paid.
    let enrolment = view.enrolment;
    let cover = enrolment.as_ref().map(|e| e.coverage);
    let stopped_from = enrolment.as_ref().and_then(|e| e.stopped.map(|s| s.from));
    let standing = eligibility(cover.as_ref(), stopped_from, *visit_date);
    if standing != Eligibility::Eligible {
        return Ok(not_entitled(m, standing));
    }
    // Priced from the catalogue, whatever the tablet sent.
    let Repriced {
        lines,
        differences: price_differences,
    } = reprice(catalogue, sent_lines);
    let lines = &lines;
    let prior = prior_claims(view.paid_claims)?;
    let before = accumulators(&prior, year, &rule.cap_pool);
    let server = match settle(&BenefitParams::from(rule), before, lines) {
        Ok(s) => s,
        Err(err) => return Ok(rejected_by(m, "invalid_claim", err)),
    };
    let benefit_differs = *benefit != entitled;
    // The risk rules again, with the server's wider view: every clinic's visits, the
    // enrolment on record, the catalogue the claim is priced from.
    let facts = VisitFacts {
        claim_id: &m.record_id,
        person,
        clinic: ctx.clinic,
        date: *visit_date,
        diagnoses: &codes,
        identity,
        eligibility: standing,
        lines,
        total: server.total,
        fund: server.fund,
    };
    let visit = facts.risk_visit(|line| {
        let code = ItemCode::parse(line.code.as_deref()?).ok()?;
        catalogue.get(&code)
    });
    let hits = evaluate(&policy.risk, &visit, &history(&prior, person, *visit_date));
    if let Some(block) = hits.iter().find(|h| h.severity == Severity::Block) {
        return Ok(MutationResult::rejected(
            m,
            "blocked_by_rule",
            Text::new(
                format!("审核不通过，不予支付：{}", block.message_zh),
                format!("Stopped by a rule and not paid: {}", block.message_en),
            ),
        ));
    }
    // Over the offline limit by the server's figures: held for the township, not paid yet.
    let pending_review = *pending_review || !policy.offline_limit.allows(server.total, server.fund);
    let pending_review = &pending_review;
    // What the tablet sent that the server does not believe, and the server's warn findings,
    // send the claim to the township with both sets of figures kept.
    let flagged = hits.iter().any(|h| h.severity >= Severity::Warn)
        || !price_differences.is_empty()
        || benefit_differs;
    let status = ClaimStatus::on_arrival(*pending_review, flagged);
    let recorded = RecordedClaim {
        claim,
        // Kept only where they differ from the tablet's: a record is not twice what was sent.
        server_lines: (lines != sent_lines).then_some(lines.as_slice()),
        server_benefit: entitled,
        price_differences: &price_differences,
        server_settlement: &server,
        server_rule_hits: &hits,
        cap_pool: &rule.cap_pool,
        clinic_id: ctx.clinic,
        operator: ctx.operator,
    };
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::Claim,
        person: Some(person.as_str()),
        scheme_year: Some(year),
        status: RecordStatus::Claim(status),
        data: serde_json::to_string(&recorded)?,
    };
    let figures = ClaimFigures::of_settled(*visit_date, server.fund, &entitled, &hits)?;
    records::insert_with_figures(tx, ctx.caller, ctx.clinic, new, figures).await?;
    // The claim's change carries the person's year-to-date figures after it (unless it waits
    // for review: nothing was paid); the clinic's tablets settle the next visit with them.
    let outcome = ClaimOutcome {
        claim_id: m.record_id.clone(),
        total: server.total,
        device_fund: settlement.fund,
        server_fund: server.fund,
        patient: settlement.patient,
        accumulators: (!*pending_review).then(|| YearToDate {
            key: AccumulatorKey::new(person.as_str(), year, &rule.cap_pool),
            deductible_met: server.accumulators_after.deductible_met,
            fund_paid: server.accumulators_after.fund_paid,
            as_of: *visit_date,
        }),
        operator: Some(ctx.operator.clone()),
    };
    ctx.announce(tx, &m.record_id, &ChangeBody::Claim(outcome))
        .await?;
    let difference = server.fund.diff(settlement.fund);
    if *pending_review || difference.is_zero() {
        return Ok(MutationResult::applied(m));
    }
    let adjustment = Adjustment {
        // ':' is never in a record id a tablet sends: no collision is possible.
        adjustment_id: format!("adj:{}", m.record_id),
        claim_id: m.record_id.clone(),
        clinic_id: ctx.clinic.to_string(),
        visit_date: *visit_date,
        person: person.masked(),
        device_fund: settlement.fund,
        server_fund: server.fund,
        difference,
        device_accumulators: settlement.accumulators_before,
        server_accumulators: server.accumulators_before,
    };
    let new = NewRecord {
        id: &adjustment.adjustment_id,
        kind: RecordKind::Adjustment,
        person: Some(person.as_str()),
        scheme_year: Some(year),
        status: RecordStatus::Open,
        data: serde_json::to_string(&adjustment)?,
    };
    ctx.record_and_announce(tx, new, &ChangeBody::Adjustment(adjustment.clone()))
        .await?;
    let (server_fund, device_fund) = (server.fund, settlement.fund);
    Ok(MutationResult::applied_with(
        m,
        "adjusted",
        Text::new(
            format!(
                "按全年累计重新结算：统筹支付应为{server_fund}元（本机为{device_fund}元），差额{difference}元计入月度结算调整"
            ),
            format!(
                "Re-settled with the full year: the fund pays {server_fund} (the tablet said \
                 {device_fund}); the difference {difference} goes to the monthly statement as \
                 an adjustment"
            ),
        ),
    )
    .referring_to(adjustment.adjustment_id))
}

/// A claim as the server records it: the claim as the tablet sent it, and beside it the
/// server's own settlement and rule findings.
#[derive(serde::Serialize)]
struct RecordedClaim<'a> {
    #[serde(flatten)]
    claim: &'a Claim,
    /// The lines as the catalogue prices them, where they differ from the tablet's (`lines`).
    #[serde(skip_serializing_if = "Option::is_none")]
    server_lines: Option<&'a [LineInput]>,
    /// The benefit the person is entitled to for these diagnoses.
    server_benefit: BenefitKind,
    /// How the tablet's lines differed from the catalogue.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    price_differences: &'a [LineDifference],
    server_settlement: &'a Settlement,
    server_rule_hits: &'a [RuleHit],
    cap_pool: &'a str,
    clinic_id: &'a str,
    /// Who settled the visit (经办人).
    operator: &'a cunbao_domain::sync::Operator,
}

/// What the rules need of a claim the server already holds; parsed straight from its JSON,
/// skipping everything else.
#[derive(Debug, serde::Deserialize)]
struct PriorClaim {
    visit_date: NaiveDate,
    cap_pool: String,
    server_settlement: PriorSettlement,
    /// The tablet's lines; the catalogue's (`server_lines`) where the server priced them.
    lines: Vec<LineInput>,
    #[serde(default)]
    server_lines: Option<Vec<LineInput>>,
}

#[derive(Debug, serde::Deserialize)]
struct PriorSettlement {
    deductible_taken: Money,
    fund: Money,
}

struct Prior {
    id: String,
    clinic: String,
    claim: PriorClaim,
}

/// The person's paid claims of this scheme year and the one before, parsed once: the
/// accumulators and the risk history both come from them.
fn prior_claims(stored: Vec<records::StoredClaim>) -> Result<Vec<Prior>, ApiError> {
    stored
        .into_iter()
        .map(|stored| {
            Ok(Prior {
                claim: serde_json::from_str(&stored.data)?,
                id: stored.id,
                clinic: stored.clinic_id,
            })
        })
        .collect()
}

/// The year-to-date figures for a cap pool, from every claim the server holds.
fn accumulators(prior: &[Prior], year: i32, pool: &str) -> Accumulators {
    prior
        .iter()
        .filter(|p| p.claim.visit_date.year() == year && p.claim.cap_pool == pool)
        .fold(Accumulators::default(), |acc, p| Accumulators {
            deductible_met: acc.deductible_met + p.claim.server_settlement.deductible_taken,
            fund_paid: acc.fund_paid + p.claim.server_settlement.fund,
        })
}

/// The person's year-to-date figures for a cap pool, from the claims the fund pays.
pub(crate) async fn year_to_date(
    tx: &mut Tx<'_>,
    person: &str,
    year: i32,
    pool: &str,
) -> Result<Accumulators, ApiError> {
    let view = records::claimant_view(tx, person, year).await?;
    Ok(accumulators(&prior_claims(view.paid_claims)?, year, pool))
}

/// The person's year-to-date figures after a decision on their claim of `visit_date`, as the
/// clinic's tablet files them: as of today (or the visit, if later).
pub(crate) fn figures_after(
    person: &str,
    pool: &str,
    after: Accumulators,
    visit_date: NaiveDate,
) -> cunbao_domain::sync::YearToDate {
    cunbao_domain::sync::YearToDate {
        key: cunbao_domain::sync::AccumulatorKey::new(person, visit_date.year(), pool),
        deductible_met: after.deductible_met,
        fund_paid: after.fund_paid,
        as_of: crate::clock::today().max(visit_date),
    }
}

/// How far back the server's history reaches for the risk rules (per-period limits, visits
/// per month); within the scheme year and the one before, which `prior_claims` reads.
const HISTORY_DAYS: u64 = 92;

/// The person's visits the rules look back on, from every clinic.
fn history(prior: &[Prior], person: &IdNumber, date: NaiveDate) -> Vec<PastVisit> {
    let since = date - Days::new(HISTORY_DAYS);
    prior
        .iter()
        .filter(|p| (since..=date).contains(&p.claim.visit_date))
        .map(|p| {
            past_visit(
                &p.id,
                person.as_str(),
                &p.clinic,
                p.claim.visit_date,
                p.claim.server_lines.as_deref().unwrap_or(&p.claim.lines),
            )
        })
        .collect()
}

/// A visit dated in the future (beyond tomorrow: a tablet in China may be a day ahead of the
/// server's clock), or outside the scheme year of the policy it names, is refused.
fn refuse_dates(
    m: &Mutation,
    policy: &Policy,
    visit_date: NaiveDate,
    today: NaiveDate,
) -> Option<MutationResult> {
    if visit_date > today + Days::new(1) {
        return Some(MutationResult::rejected(
            m,
            "future_visit",
            Text::new(
                format!("就诊日期{visit_date}在今天之后"),
                format!("The visit date {visit_date} is in the future"),
            ),
        ));
    }
    (!policy.covers(visit_date)).then(|| {
        let (version, year) = (&policy.version, policy.scheme_year);
        MutationResult::rejected(
            m,
            "policy_not_for_date",
            Text::new(
                format!("政策{version}（{year}年度）不适用于{visit_date}的就诊"),
                format!(
                    "Policy {version} (scheme year {year}) does not cover a visit on {visit_date}"
                ),
            ),
        )
    })
}

fn catalogue_refused(m: &Mutation, version: &str, problem: CatalogueProblem) -> MutationResult {
    match problem {
        CatalogueProblem::Unknown => MutationResult::rejected(
            m,
            "unknown_catalogue",
            Text::new(
                format!("服务器没有目录版本{version}"),
                format!("The server has no catalogue version {version}"),
            ),
        ),
        CatalogueProblem::NotYetInForce => MutationResult::rejected(
            m,
            "catalogue_not_in_force",
            Text::new(
                format!("目录版本{version}在就诊日尚未生效"),
                format!("Catalogue version {version} had not taken effect on the visit date"),
            ),
        ),
    }
}

/// A person not entitled on the visit date: nothing is paid.
fn not_entitled(m: &Mutation, standing: Eligibility) -> MutationResult {
    let text = match standing {
        Eligibility::Waiting { until } => Text::new(
            format!("就诊日处于等待期（至{until}），医保不予支付"),
            format!("On the visit date the person was in a waiting period (until {until}); nothing is paid"),
        ),
        Eligibility::Suspended => Text::new(
            "就诊日已停保，医保不予支付",
            "On the visit date the person's cover was stopped; nothing is paid",
        ),
        _ => Text::new(
            "就诊日未参保，医保不予支付",
            "The person was not enrolled on the visit date; nothing is paid",
        ),
    };
    MutationResult::rejected(m, "not_entitled", text)
}
