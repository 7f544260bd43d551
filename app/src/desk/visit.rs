//! Outpatient settlement at the desk: the visit as typed (kept across reloads), the live
//! breakdown and risk results computed by the domain crate, and the durable save — claim
//! record and outbox entry written with strict durability before success is shown.

use chrono::{Datelike, NaiveDate};
use cunbao_domain::claim::{Claim, VisitFacts};
use cunbao_domain::diagnosis::RecordedDiagnosis;
use cunbao_domain::enrolment::{Eligibility, Relationship};
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::policy::{BenefitKind, Policy};
use cunbao_domain::qualification::{benefit_for, NotQualified, Qualification};
use cunbao_domain::quantity::Quantity;
use cunbao_domain::risk::{evaluate, worst, IdentityCheck, PastVisit, RuleHit, Severity};
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput, Settlement};
use cunbao_domain::sync::{AccumulatorKey, MutationBody, YearToDate};
use cunbao_domain::text::{Bilingual, Text};
use serde::{Deserialize, Serialize};

use super::catalogue::CatalogueIndex;
use super::local;
use super::residents::Resident;
use crate::storage::records::Notice;
use crate::storage::{Batch, IndexName, StorageError, Store, StoreName};
use crate::sync::outbox;

/// Largest quantity accepted on one line.
pub const MAX_QUANTITY: u32 = 999;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDraft {
    pub code: String,
    pub quantity: String,
}

/// The visit as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitDraft {
    pub enrolment_id: String,
    /// `social_security_card`, `id_card`, `e_voucher` or `proxy`.
    pub identity: String,
    pub proxy_id: String,
    pub proxy_relationship: String,
    pub diagnoses: Vec<String>,
    pub lines: Vec<LineDraft>,
    pub reason: String,
    /// The assistant confirms the patient was told of the self-pay part (知情告知).
    #[serde(default)]
    pub self_pay_told: bool,
}

/// The person's year-to-date figures as this tablet knows them, and how fresh they are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalAccumulators {
    pub figures: Accumulators,
    /// The server's figure was as of this date (none: the server has reported nothing).
    pub server_as_of: Option<NaiveDate>,
    /// Visits settled on this tablet not yet in the server's figure.
    pub local_claims: usize,
}

/// What the tablet knows of the patient beyond the enrolment, for the quote.
#[derive(Debug, Clone, Copy)]
pub struct PatientFacts<'a> {
    pub history: &'a [PastVisit],
    /// The chronic qualifications on this tablet (pending, approved or rejected).
    pub qualifications: &'a [Qualification],
}

/// What the desk shows while the visit is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub benefit: BenefitKind,
    /// Why a chronic diagnosis is settled under the general benefit.
    pub not_qualified: Option<NotQualified>,
    pub lines: Vec<LineInput>,
    pub settlement: Settlement,
    pub hits: Vec<RuleHit>,
    pub eligibility: Eligibility,
    pub accumulators: LocalAccumulators,
    /// Over the policy's offline limit: saved for township review instead of settled.
    pub pending_review: bool,
}

impl Quote {
    pub fn worst(&self) -> Option<Severity> {
        worst(&self.hits)
    }

    /// Whether it may be confirmed with what was typed (a warn needs a written reason; a
    /// self-pay part needs the patient told first).
    pub fn can_confirm(&self, draft: &VisitDraft) -> Result<(), Text> {
        if self.settlement.has_self_pay() && !draft.self_pay_told {
            return Err(Text::new(
                "有自费部分：请先告知患者并勾选确认",
                "There is a self-pay part: tell the patient first and tick the confirmation",
            ));
        }
        let reason = &draft.reason;
        match self.worst() {
            Some(Severity::Block) => Err(Text::new(
                "存在禁止结算的审核结果",
                "A rule blocks this settlement",
            )),
            Some(Severity::Warn) if reason.trim().chars().count() < 4 => Err(Text::new(
                "请填写理由（至少4个字）",
                "Give a written reason (at least 4 characters)",
            )),
            _ => Ok(()),
        }
    }
}

/// A line's problem, shown next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: Text,
}

/// Parses a typed quantity: positive, at most four decimals (the national platform's
/// precision, [`Quantity`]'s rule), at most [`MAX_QUANTITY`].
pub fn parse_quantity(text: &str) -> Result<Quantity, Text> {
    let q = Quantity::parse(text.trim()).map_err(|e| e.text())?;
    if q.value().is_zero() {
        return Err(Text::new("数量须大于0", "The quantity must be above 0"));
    }
    if q.value() > MAX_QUANTITY.into() {
        return Err(Text::new(
            format!("数量不能超过{MAX_QUANTITY}"),
            format!("At most {MAX_QUANTITY}"),
        ));
    }
    Ok(q)
}

pub fn identity(draft: &VisitDraft) -> Result<IdentityCheck, Text> {
    Ok(match draft.identity.as_str() {
        "social_security_card" => IdentityCheck::SocialSecurityCard,
        "id_card" => IdentityCheck::IdCard,
        "e_voucher" => IdentityCheck::EVoucher,
        "proxy" => IdentityCheck::Proxy {
            proxy_id: match draft.proxy_id.trim() {
                "" => None,
                text => Some(IdNumber::parse(text).map_err(|e| e.text())?),
            },
            relationship: serde_json::from_value(serde_json::Value::String(
                draft.proxy_relationship.clone(),
            ))
            .ok()
            .filter(|r: &Relationship| *r != Relationship::Head),
        },
        _ => {
            return Err(Text::new(
                "请选择核验身份的方式",
                "Choose how identity was checked",
            ))
        }
    })
}

pub use crate::storage::records::ClaimRecord;

/// This tablet's claims (records with the tablet's figures) of one patient, newest first.
pub async fn claims_of(store: &impl Store, person: &str) -> Result<Vec<ClaimRecord>, StorageError> {
    claims_in(store, IndexName::ClaimsByPerson, person).await
}

/// This tablet's claims of one day, newest first.
pub async fn claims_on(
    store: &impl Store,
    day: NaiveDate,
) -> Result<Vec<ClaimRecord>, StorageError> {
    claims_in(store, IndexName::ClaimsByDate, &day.to_string()).await
}

async fn claims_in(
    store: &impl Store,
    index: IndexName,
    value: &str,
) -> Result<Vec<ClaimRecord>, StorageError> {
    let mut list: Vec<ClaimRecord> = store.all_in_as(index, value).await?;
    crate::sort::sort_by_key(&mut list, |c| std::cmp::Reverse(c.saved_at_ms));
    Ok(list)
}

/// The person's accumulators for a cap pool: the server's last figure plus this tablet's
/// settled visits the server has not acknowledged yet (an acknowledged one is in the figure:
/// each sync round pulls after it pushes).
pub async fn accumulators(
    store: &impl Store,
    own: &[ClaimRecord],
    person: &str,
    year: i32,
    pool: &str,
) -> Result<LocalAccumulators, StorageError> {
    let server = Notice::year_to_date(store, &AccumulatorKey::new(person, year, pool)).await?;
    let mut acc = LocalAccumulators {
        figures: server
            .as_ref()
            .map_or(Accumulators::default(), YearToDate::figures),
        server_as_of: server.as_ref().map(|s| s.as_of),
        local_claims: 0,
    };
    let pending: std::collections::HashSet<String> = outbox::pending(store)
        .await?
        .into_iter()
        .map(|e| e.mutation.record_id)
        .collect();
    for claim in own.iter().filter(|c| {
        c.claim.person.as_str() == person
            && c.claim.visit_date.year() == year
            && c.cap_pool == pool
            && c.voided.is_none()
            && !c.claim.pending_review
            && (server.is_none() || pending.contains(&c.claim_id))
    }) {
        let settlement = &claim.claim.settlement;
        acc.figures.deductible_met = acc.figures.deductible_met + settlement.deductible_taken;
        acc.figures.fund_paid = acc.figures.fund_paid + settlement.fund;
        acc.local_claims += 1;
    }
    Ok(acc)
}

/// The person's earlier visits on this tablet, for the risk rules.
pub fn history(own: &[ClaimRecord], person: &str) -> Vec<PastVisit> {
    own.iter()
        .filter(|c| c.claim.person.as_str() == person && c.voided.is_none())
        .map(|c| c.claim.as_past_visit(&c.claim_id, "this"))
        .collect()
}

/// The pool a visit on `date` draws on (for the accumulators to read): the pool of the
/// benefit the patient is entitled to, chronic only with a qualification valid that day.
pub fn cap_pool(
    policy: &Policy,
    diagnoses: &[String],
    qualifications: &[Qualification],
    date: NaiveDate,
) -> Option<String> {
    let (benefit, _) = benefit_for(diagnoses, qualifications, date);
    policy.benefit(benefit).ok().map(|r| r.cap_pool.clone())
}

/// Settles the visit as typed and runs the risk rules. Lines that do not parse are reported
/// and left out of the breakdown.
pub fn quote(
    policy: &Policy,
    catalogue: &CatalogueIndex,
    patient: &Resident,
    draft: &VisitDraft,
    acc: LocalAccumulators,
    known: PatientFacts<'_>,
    today: NaiveDate,
) -> Result<(Quote, Vec<LineError>), Text> {
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in draft.lines.iter().enumerate() {
        let Some(item) = catalogue.get(&line.code) else {
            errors.push(LineError {
                line: i,
                message: Text::new("目录中没有该项目", "Not in the catalogue on this tablet"),
            });
            continue;
        };
        match parse_quantity(&line.quantity) {
            Ok(q) => {
                lines.push(LineInput::from_item(item, q));
            }
            Err(message) => errors.push(LineError { line: i, message }),
        }
    }
    let (benefit, not_qualified) = benefit_for(&draft.diagnoses, known.qualifications, today);
    let rule = policy.benefit(benefit).map_err(|e| e.text())?;
    let settlement =
        settle(&BenefitParams::from(rule), acc.figures, &lines).map_err(|e| e.text())?;
    let identity = identity(draft).unwrap_or(IdentityCheck::IdCard);
    let eligibility = patient.eligibility(today);
    let facts = VisitFacts {
        claim_id: "new",
        person: &patient.record.member.id_number,
        clinic: "this",
        date: today,
        diagnoses: &draft.diagnoses,
        identity: &identity,
        eligibility,
        lines: &lines,
        total: settlement.total,
        fund: settlement.fund,
    };
    let visit = facts.risk_visit(|line| catalogue.get(line.code.as_deref()?));
    let hits = evaluate(&policy.risk, &visit, known.history);
    let pending_review = !policy
        .offline_limit
        .allows(settlement.total, settlement.fund);
    Ok((
        Quote {
            benefit,
            not_qualified,
            lines,
            settlement,
            hits,
            eligibility,
            accumulators: acc,
            pending_review,
        },
        errors,
    ))
}

pub struct ClaimContext<'a> {
    pub claim_id: String,
    pub policy: &'a Policy,
    pub catalogue_version: &'a str,
    pub today: NaiveDate,
    pub now_ms: u64,
    /// The form's draft (see `local::save_draft`), removed in the same transaction.
    pub draft: Option<&'a str>,
}

/// Saves the settled visit: the claim record, its outbox entry and the removal of the form's
/// draft, in one strict-durability transaction. The operator (经办人) is the signed-in user;
/// with nobody signed in, nothing is saved.
pub async fn save(
    store: &impl Store,
    patient: &Resident,
    draft: &VisitDraft,
    quote: &Quote,
    ctx: ClaimContext<'_>,
) -> Result<ClaimRecord, Text> {
    quote.can_confirm(draft)?;
    let identity = identity(draft)?;
    if draft.diagnoses.is_empty() {
        return Err(Text::new("请选择诊断", "Choose a diagnosis"));
    }
    let rule = ctx.policy.benefit(quote.benefit).map_err(|e| e.text())?;
    let who = outbox::signed_in(store).await.map_err(|e| e.text())?;
    let reason = Some(draft.reason.trim().to_string()).filter(|r| !r.is_empty());
    let claim = Claim {
        person: patient.record.member.id_number.clone(),
        visit_date: ctx.today,
        diagnoses: draft
            .diagnoses
            .iter()
            .map(|code| RecordedDiagnosis { code: code.clone() })
            .collect(),
        identity,
        benefit: quote.benefit,
        policy_version: ctx.policy.version.clone(),
        catalogue_version: ctx.catalogue_version.to_string(),
        lines: quote.lines.clone(),
        settlement: quote.settlement.clone(),
        rule_hits: quote.hits.clone(),
        reason,
        pending_review: quote.pending_review,
        self_pay_informed: quote.settlement.has_self_pay() && draft.self_pay_told,
    };
    let record = ClaimRecord {
        claim_id: ctx.claim_id.clone(),
        enrolment_id: patient.enrolment_id.clone(),
        patient_name: patient.name().to_string(),
        saved_at_ms: ctx.now_ms,
        cap_pool: rule.cap_pool.clone(),
        operator: who.display_name().to_string(),
        voided: None,
        server: None,
        decision: None,
        void_proposal: None,
        claim: claim.clone(),
    };
    let body = MutationBody::Claim(Box::new(claim));
    let fail = |e: StorageError| e.text();
    let mut batch = Batch::default();
    batch
        .put(StoreName::Claims, &ctx.claim_id, &record)
        .map_err(fail)?;
    if let Some(name) = ctx.draft {
        batch.delete(StoreName::Meta, &local::draft_key(name));
    }
    outbox::commit_with_entries(
        store,
        &who,
        batch,
        vec![(ctx.claim_id.clone(), body)],
        ctx.now_ms,
    )
    .await
    .map_err(fail)?;
    Ok(record)
}

/// Voids a claim of this tablet that has not been uploaded yet; after upload, voids go
/// through the township.
pub async fn void(
    store: &impl Store,
    claim_id: &str,
    reason: &str,
    now_ms: u64,
) -> Result<(), Text> {
    if reason.trim().chars().count() < 2 {
        return Err(Text::new("请填写作废理由", "Give a reason for the void"));
    }
    let pending = outbox::pending(store).await.map_err(|e| e.text())?;
    let uploaded = !pending.iter().any(|e| e.mutation.record_id == claim_id);
    if uploaded {
        return Err(Text::new(
            "已上传的结算只能由乡镇作废",
            "An uploaded claim can only be voided by the township",
        ));
    }
    let mut record = own_claim(store, claim_id).await?;
    record.voided = Some(reason.trim().to_string());
    let body = MutationBody::Void {
        target_record_id: claim_id.to_string(),
        reason: reason.trim().to_string(),
    };
    save_with_entry(store, &record, format!("void-{claim_id}"), body, now_ms).await
}

/// Proposes voiding a claim of this tablet that has been uploaded (作废申请): a township user
/// approves or refuses it (双人复核); the claim stands meanwhile. `proposal_id` is new.
pub async fn propose_void(
    store: &impl Store,
    claim_id: &str,
    reason: &str,
    proposal_id: &str,
    now_ms: u64,
) -> Result<(), Text> {
    cunbao_domain::second_person::check_text(reason)?;
    let mut record = own_claim(store, claim_id).await?;
    if record.void_proposal.as_ref().is_some_and(|p| p.awaiting()) {
        return Err(Text::new(
            "已申请作废，待乡镇复核",
            "A void is already awaiting the township",
        ));
    }
    let reason = reason.trim().to_string();
    record.void_proposal = Some(crate::storage::records::VoidProposal {
        proposal_id: proposal_id.to_string(),
        reason: reason.clone(),
        decided: None,
    });
    let body = MutationBody::VoidProposal {
        claim_id: claim_id.to_string(),
        reason,
    };
    save_with_entry(store, &record, proposal_id.to_string(), body, now_ms).await
}

/// A claim of this tablet.
async fn own_claim(store: &impl Store, claim_id: &str) -> Result<ClaimRecord, Text> {
    store
        .get_as(StoreName::Claims, claim_id)
        .await
        .map_err(|e| e.text())?
        .ok_or_else(|| Text::new("找不到该结算", "No such claim"))
}

/// The claim as changed and the outbox entry that tells the server, saved together by the
/// signed-in user.
async fn save_with_entry(
    store: &impl Store,
    record: &ClaimRecord,
    entry_id: String,
    body: MutationBody,
    now_ms: u64,
) -> Result<(), Text> {
    let who = outbox::signed_in(store).await.map_err(|e| e.text())?;
    let mut batch = Batch::default();
    batch
        .put(StoreName::Claims, &record.claim_id, record)
        .map_err(|e| e.text())?;
    outbox::commit_with_entries(store, &who, batch, vec![(entry_id, body)], now_ms)
        .await
        .map(drop)
        .map_err(|e| e.text())
}

#[cfg(test)]
mod tests;
