//! An outpatient claim: re-settled with the full year's accumulators, the risk rules run again
//! with the server's wider view, and a difference from what the tablet said recorded as an
//! adjustment for the monthly statement.

use chrono::{Datelike, Days, NaiveDate};
use cunbao_domain::claim::{past_visit, Claim, ClaimStatus, VisitFacts};
use cunbao_domain::enrolment::eligibility;
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::names::ItemCode;
use cunbao_domain::risk::{evaluate, PastVisit, RuleHit, Severity};
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput, Settlement};
use cunbao_domain::sync::{
    AccumulatorKey, Adjustment, ChangeBody, ClaimOutcome, Mutation, MutationBody, MutationResult,
    YearToDate,
};
use cunbao_domain::text::Text;

use super::{rejected_by, unknown_policy, Context};
use crate::error::ApiError;
use crate::feed::Tx;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};

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
        lines,
        settlement,
        identity,
        pending_review,
        ..
    } = claim.as_ref();
    let Some(policy) = ctx.policy_named(policy_version) else {
        return Ok(unknown_policy(m, policy_version));
    };
    let rule = match policy.benefit(*benefit) {
        Ok(rule) => rule,
        Err(err) => return Ok(rejected_by(m, "unknown_benefit", err)),
    };
    let year = visit_date.year();
    let prior = prior_claims(tx, person.as_str(), year).await?;
    let before = accumulators(&prior, year, &rule.cap_pool);
    let server = match settle(&BenefitParams::from(rule), before, lines) {
        Ok(s) => s,
        Err(err) => return Ok(rejected_by(m, "invalid_claim", err)),
    };
    // The risk rules again, with the server's wider view: every clinic's visits, the
    // enrolment on record, the catalogue in force.
    let enrolment = records::active_enrolment(tx, person.as_str(), year).await?;
    let cover = enrolment.as_ref().map(|e| e.record.coverage);
    let stopped_from = enrolment
        .as_ref()
        .and_then(|e| e.record.stopped.map(|s| s.from));
    let codes = claim.diagnosis_codes();
    let facts = VisitFacts {
        claim_id: &m.record_id,
        person,
        clinic: ctx.clinic,
        date: *visit_date,
        diagnoses: &codes,
        identity,
        eligibility: eligibility(cover.as_ref(), stopped_from, *visit_date),
        lines,
        total: server.total,
        fund: server.fund,
    };
    let catalogue = &ctx.in_force.catalogue;
    let visit = facts.risk_visit(|line| {
        let code = ItemCode::parse(line.code.as_deref()?).ok()?;
        catalogue.get(&code)
    });
    let hits = evaluate(&policy.risk, &visit, &history(&prior, person, *visit_date));
    // A claim the server's review finds a warn or block on goes to the township.
    let flagged = hits.iter().any(|h| h.severity >= Severity::Warn);
    let status = ClaimStatus::on_arrival(*pending_review, flagged);
    let recorded = RecordedClaim {
        claim,
        server_settlement: &server,
        server_rule_hits: &hits,
        cap_pool: &rule.cap_pool,
        clinic_id: ctx.clinic,
    };
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::Claim,
        person: Some(person.as_str()),
        scheme_year: Some(year),
        status: RecordStatus::Claim(status),
        data: serde_json::to_value(&recorded)?,
    };
    records::insert(tx, ctx.caller, ctx.clinic, new).await?;
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
    };
    ctx.announce(tx, &m.record_id, &ChangeBody::Claim(outcome))
        .await?;
    let difference = server.fund.diff(settlement.fund);
    if *pending_review || difference.is_zero() {
        return Ok(MutationResult::applied(m));
    }
    let adjustment = Adjustment {
        adjustment_id: format!("adj-{}", m.record_id),
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
        data: serde_json::to_value(&adjustment)?,
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
    server_settlement: &'a Settlement,
    server_rule_hits: &'a [RuleHit],
    cap_pool: &'a str,
    clinic_id: &'a str,
}

/// What the rules need of a claim the server already holds; parsed straight from its JSON,
/// skipping everything else.
#[derive(Debug, serde::Deserialize)]
struct PriorClaim {
    visit_date: NaiveDate,
    cap_pool: String,
    server_settlement: PriorSettlement,
    lines: Vec<LineInput>,
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

/// The person's paid claims of this scheme year and the one before (one query, parsed once):
/// the accumulators and the risk history both come from them.
async fn prior_claims(tx: &mut Tx<'_>, person: &str, year: i32) -> Result<Vec<Prior>, ApiError> {
    records::paid_claims_since(tx, person, year - 1)
        .await?
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
                &p.claim.lines,
            )
        })
        .collect()
}
