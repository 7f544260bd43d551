//! Applying one mutation inside the push transaction. Business rules come from the domain
//! crate; a business rejection is an answer, recorded like any other, never an error.

use chrono::{Datelike, Days, NaiveDate};
use cunbao_domain::catalogue::Catalogue;
use cunbao_domain::enrolment::{coverage, eligibility, member_contribution, Coverage};
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::names::ItemCode;
use cunbao_domain::policy::Policy;
use cunbao_domain::risk::{
    evaluate, IdentityCheck, PastLine, PastVisit, RiskLine, RiskVisit, RuleHit, Severity,
};
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput, Settlement};
use cunbao_domain::sync::{Mutation, MutationBody, MutationResult, MutationStatus};
use serde_json::{json, Value};
use sqlx::Row;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::feed::{append_change, Tx};

pub fn kind(body: &MutationBody) -> &'static str {
    match body {
        MutationBody::Enrolment { .. } => "enrolment",
        MutationBody::Contribution { .. } => "contribution",
        MutationBody::Claim { .. } => "claim",
        MutationBody::Void { .. } => "void",
    }
}

fn answer(m: &Mutation, status: MutationStatus) -> MutationResult {
    MutationResult {
        seq: m.seq,
        record_id: m.record_id.clone(),
        status,
        original_status: None,
        code: None,
        message_zh: None,
        message_en: None,
        reference: None,
    }
}

fn rejected(m: &Mutation, code: &str, zh: String, en: String) -> MutationResult {
    MutationResult {
        code: Some(code.into()),
        message_zh: Some(zh),
        message_en: Some(en),
        ..answer(m, MutationStatus::Rejected)
    }
}

/// A domain error's message carries both languages ("中文 / English").
fn rejected_by(m: &Mutation, code: &str, err: impl std::fmt::Display) -> MutationResult {
    let text = err.to_string();
    let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
    rejected(m, code, zh.to_string(), en.to_string())
}

struct NewRecord<'a> {
    id: &'a str,
    kind: &'a str,
    person: Option<&'a str>,
    scheme_year: Option<i32>,
    status: &'a str,
    data: &'a Value,
}

async fn insert_record(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: &str,
    r: NewRecord<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO records (id, kind, township_id, clinic_id, device_id, person, scheme_year, \
         status, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(r.id)
    .bind(r.kind)
    .bind(&caller.user.township_id)
    .bind(clinic)
    .bind(&caller.device_id)
    .bind(r.person)
    .bind(r.scheme_year.map(i64::from))
    .bind(r.status)
    .bind(r.data.to_string())
    .bind(chrono::Utc::now().to_rfc3339())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts the record and publishes the same data in the change feed, for the clinic (and
/// through it the township) to pull.
async fn record_and_announce(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: &str,
    r: NewRecord<'_>,
) -> Result<(), sqlx::Error> {
    let (kind, id, data) = (r.kind, r.id, r.data);
    insert_record(tx, caller, clinic, r).await?;
    append_change(tx, &caller.user.township_id, Some(clinic), kind, id, data).await?;
    Ok(())
}

async fn record_exists(tx: &mut Tx<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

pub async fn apply(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: &str,
    catalogue: &Catalogue,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    if !matches!(m.body, MutationBody::Void { .. }) && record_exists(tx, &m.record_id).await? {
        return Ok(rejected(
            m,
            "record_exists",
            "记录编号已存在".into(),
            "A record with this id already exists".into(),
        ));
    }
    let township = caller.user.township_id.clone();
    match &m.body {
        MutationBody::Enrolment {
            household_id,
            member,
            scheme_year,
            enrolled_on,
            policy_version,
        } => {
            let Some(policy) = Policy::shipped(policy_version) else {
                return Ok(unknown_policy(m, policy_version));
            };
            if *scheme_year != policy.scheme_year {
                return Ok(rejected(
                    m,
                    "wrong_scheme_year",
                    format!("政策{policy_version}不适用于{scheme_year}年度"),
                    format!("Policy {policy_version} is not for scheme year {scheme_year}"),
                ));
            }
            let cover = match coverage(&policy, member.id_number.birth_date(), *enrolled_on, None) {
                Ok(cover) => cover,
                Err(err) => return Ok(rejected_by(m, "outside_scheme", err)),
            };
            let due = match member_contribution(&policy, member) {
                Ok(c) => c,
                Err(err) => return Ok(rejected_by(m, "invalid_enrolment", err)),
            };
            let person = member.id_number.as_str();
            let existing = sqlx::query(
                "SELECT id, clinic_id FROM records WHERE kind = 'enrolment' AND status = 'active' \
                 AND person = $1 AND scheme_year = $2",
            )
            .bind(person)
            .bind(i64::from(*scheme_year))
            .fetch_optional(&mut **tx)
            .await?;
            let data = json!({
                "household_id": household_id, "member": member, "scheme_year": scheme_year,
                "enrolled_on": enrolled_on, "policy_version": policy_version,
                "coverage": cover, "contribution": due, "clinic_id": clinic,
            });
            if let Some(existing) = existing {
                let existing_id: String = existing.try_get("id")?;
                let existing_clinic: String = existing.try_get("clinic_id")?;
                let mut data = data;
                data["duplicate_of"] = json!(existing_id);
                insert_record(
                    tx,
                    caller,
                    clinic,
                    NewRecord {
                        id: &m.record_id,
                        kind: "enrolment",
                        person: Some(person),
                        scheme_year: Some(*scheme_year),
                        status: "rejected",
                        data: &data,
                    },
                )
                .await?;
                let notice = json!({
                    "enrolment_id": m.record_id, "duplicate_of": existing_id,
                    "person": member.id_number.masked(), "scheme_year": scheme_year,
                    "clinic_id": clinic, "existing_clinic_id": existing_clinic,
                });
                // Both clinics hear of it (once, if it is the same clinic).
                let mut told = vec![clinic];
                if existing_clinic != clinic {
                    told.push(&existing_clinic);
                }
                for target in told {
                    let kind = "duplicate_enrolment";
                    append_change(tx, &township, Some(target), kind, &m.record_id, &notice).await?;
                }
                let mut result = rejected(
                    m,
                    "duplicate_enrolment",
                    format!(
                        "{}已在{}年度参保（登记号{}），本次登记不生效，所收费用应退还",
                        member.id_number.masked(),
                        scheme_year,
                        existing_id
                    ),
                    format!(
                        "{} is already enrolled for {} (enrolment {}); this enrolment does not \
                         stand and its contribution is to be refunded",
                        member.id_number.masked(),
                        scheme_year,
                        existing_id
                    ),
                );
                result.reference = Some(existing_id);
                return Ok(result);
            }
            record_and_announce(
                tx,
                caller,
                clinic,
                NewRecord {
                    id: &m.record_id,
                    kind: "enrolment",
                    person: Some(person),
                    scheme_year: Some(*scheme_year),
                    status: "active",
                    data: &data,
                },
            )
            .await?;
            Ok(answer(m, MutationStatus::Applied))
        }
        MutationBody::Contribution { enrolment_ids, .. } => {
            let data = serde_json::to_value(&m.body).expect("serialisable");
            record_and_announce(
                tx,
                caller,
                clinic,
                NewRecord {
                    id: &m.record_id,
                    kind: "contribution",
                    person: None,
                    scheme_year: None,
                    status: "recorded",
                    data: &data,
                },
            )
            .await?;
            // Cash collected for an enrolment that did not stand is owed back to the payer.
            let mut refunded = Money::ZERO;
            for enrolment_id in enrolment_ids {
                let row = sqlx::query(
                    "SELECT status, data FROM records WHERE id = $1 AND kind = 'enrolment'",
                )
                .bind(enrolment_id)
                .fetch_optional(&mut **tx)
                .await?;
                let Some(row) = row else { continue };
                if row.try_get::<String, _>("status")? != "rejected" {
                    continue;
                }
                let enrolment: Value = serde_json::from_str(&row.try_get::<String, _>("data")?)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                let due: Money = serde_json::from_value(enrolment["contribution"]["due"].clone())
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                refunded = refunded + due;
                let refund_id = format!("refund-{enrolment_id}");
                let refund = json!({
                    "refund_id": refund_id, "contribution_id": m.record_id,
                    "enrolment_id": enrolment_id, "duplicate_of": enrolment["duplicate_of"],
                    "amount": due, "clinic_id": clinic,
                });
                record_and_announce(
                    tx,
                    caller,
                    clinic,
                    NewRecord {
                        id: &refund_id,
                        kind: "refund_due",
                        person: enrolment["member"]["id_number"].as_str(),
                        scheme_year: None,
                        status: "due",
                        data: &refund,
                    },
                )
                .await?;
            }
            let mut result = answer(m, MutationStatus::Applied);
            if !refunded.is_zero() {
                result.code = Some("refund_due".into());
                result.message_zh = Some(format!("其中{refunded}元因重复参保应退还缴费人"));
                result.message_en = Some(format!(
                    "{refunded} yuan of it is owed back to the payer (duplicate enrolment)"
                ));
            }
            Ok(result)
        }
        MutationBody::Claim {
            person,
            visit_date,
            benefit,
            policy_version,
            lines,
            settlement,
            diagnoses,
            identity,
            pending_review,
            ..
        } => {
            let Some(policy) = Policy::shipped(policy_version) else {
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
            let codes: Vec<String> = diagnoses.iter().map(|d| d.code.clone()).collect();
            let hits = server_risk(
                tx,
                &policy,
                catalogue,
                &prior,
                ServerVisit {
                    claim_id: &m.record_id,
                    person,
                    clinic,
                    date: *visit_date,
                    diagnoses: &codes,
                    identity,
                    lines,
                    total: server.total,
                    fund: server.fund,
                },
            )
            .await?;
            let flagged = hits.iter().any(|h| h.severity >= Severity::Warn);
            let mut data = serde_json::to_value(&m.body).expect("serialisable");
            data["server_settlement"] = json!(server);
            data["server_rule_hits"] = json!(hits);
            data["cap_pool"] = json!(rule.cap_pool);
            data["clinic_id"] = json!(clinic);
            insert_record(
                tx,
                caller,
                clinic,
                NewRecord {
                    id: &m.record_id,
                    kind: "claim",
                    person: Some(person.as_str()),
                    scheme_year: Some(year),
                    // A claim the server's review finds a warn or block on goes to the township.
                    status: if *pending_review {
                        "pending_review"
                    } else if flagged {
                        "flagged"
                    } else {
                        "settled"
                    },
                    data: &data,
                },
            )
            .await?;
            // The claim's change carries the person's year-to-date figures after it (unless it
            // waits for review: nothing was paid); the clinic's tablets settle the next visit
            // with them.
            let mut change = summary(&m.record_id, settlement, &server);
            if !*pending_review {
                change["accumulators"] = json!({
                    "key": format!("{}|{year}|{}", person.as_str(), rule.cap_pool),
                    "deductible_met": server.accumulators_after.deductible_met,
                    "fund_paid": server.accumulators_after.fund_paid,
                    "as_of": visit_date,
                });
            }
            append_change(tx, &township, Some(clinic), "claim", &m.record_id, &change).await?;
            if *pending_review {
                return Ok(answer(m, MutationStatus::Applied));
            }
            let difference = server.fund.diff(settlement.fund);
            if difference.is_zero() {
                return Ok(answer(m, MutationStatus::Applied));
            }
            let adjustment_id = format!("adj-{}", m.record_id);
            let adjustment = json!({
                "adjustment_id": adjustment_id, "claim_id": m.record_id, "clinic_id": clinic,
                "visit_date": visit_date, "person": person.masked(),
                "device_fund": settlement.fund, "server_fund": server.fund,
                "difference": difference.to_string(),
                "device_accumulators": settlement.accumulators_before,
                "server_accumulators": server.accumulators_before,
            });
            record_and_announce(
                tx,
                caller,
                clinic,
                NewRecord {
                    id: &adjustment_id,
                    kind: "adjustment",
                    person: Some(person.as_str()),
                    scheme_year: Some(year),
                    status: "open",
                    data: &adjustment,
                },
            )
            .await?;
            Ok(MutationResult {
                code: Some("adjusted".into()),
                message_zh: Some(format!(
                    "按全年累计重新结算：统筹支付应为{}元（本机为{}元），差额{}元计入月度结算调整",
                    server.fund, settlement.fund, difference
                )),
                message_en: Some(format!(
                    "Re-settled with the full year: the fund pays {} (the tablet said {}); the \
                     difference {} goes to the monthly statement as an adjustment",
                    server.fund, settlement.fund, difference
                )),
                reference: Some(adjustment_id),
                ..answer(m, MutationStatus::Applied)
            })
        }
        MutationBody::Void {
            target_record_id,
            reason,
        } => {
            let row = sqlx::query("SELECT kind, status, device_id FROM records WHERE id = $1")
                .bind(target_record_id)
                .fetch_optional(&mut **tx)
                .await?;
            let voidable = match &row {
                Some(row) => {
                    let kind: String = row.try_get("kind")?;
                    let status: String = row.try_get("status")?;
                    let device: String = row.try_get("device_id")?;
                    device == caller.device_id
                        && ["enrolment", "contribution", "claim"].contains(&kind.as_str())
                        && ["active", "recorded", "settled"].contains(&status.as_str())
                }
                None => false,
            };
            if !voidable || reason.trim().is_empty() {
                return Ok(rejected(
                    m,
                    "cannot_void",
                    "只能作废本机录入、尚未处理的记录，且须填写原因；其他情况请由乡镇办理".into(),
                    "Only this device's records not yet acted on can be voided here, with a \
                     reason; otherwise the township handles it"
                        .into(),
                ));
            }
            sqlx::query("UPDATE records SET status = 'void' WHERE id = $1")
                .bind(target_record_id)
                .execute(&mut **tx)
                .await?;
            let data = json!({ "target_record_id": target_record_id, "reason": reason });
            append_change(tx, &township, Some(clinic), "void", target_record_id, &data).await?;
            Ok(answer(m, MutationStatus::Applied))
        }
    }
}

fn unknown_policy(m: &Mutation, version: &str) -> MutationResult {
    rejected(
        m,
        "unknown_policy",
        format!("未知的政策版本{version}"),
        format!("Unknown policy version {version}"),
    )
}

fn summary(id: &str, device: &Settlement, server: &Settlement) -> Value {
    json!({
        "claim_id": id, "total": server.total, "device_fund": device.fund,
        "server_fund": server.fund, "patient": device.patient,
    })
}

/// What the rules need of a claim the server already holds; parsed straight from its JSON,
/// skipping everything else.
#[derive(Debug, serde::Deserialize)]
struct PriorClaim {
    visit_date: NaiveDate,
    cap_pool: String,
    server_settlement: PriorSettlement,
    lines: Vec<PriorLine>,
}

#[derive(Debug, serde::Deserialize)]
struct PriorSettlement {
    deductible_taken: Money,
    fund: Money,
}

#[derive(Debug, serde::Deserialize)]
struct PriorLine {
    #[serde(default)]
    code: Option<String>,
    quantity: cunbao_domain::quantity::Quantity,
}

struct Prior {
    id: String,
    clinic: String,
    claim: PriorClaim,
}

/// The person's claims of this scheme year and the one before (one query, parsed once):
/// the accumulators and the risk history both come from them.
async fn prior_claims(tx: &mut Tx<'_>, person: &str, year: i32) -> Result<Vec<Prior>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, clinic_id, data FROM records WHERE kind = 'claim' \
         AND status IN ('settled', 'flagged') AND person = $1 AND scheme_year >= $2",
    )
    .bind(person)
    .bind(i64::from(year - 1))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Prior {
                id: row.try_get("id")?,
                clinic: row.try_get("clinic_id")?,
                claim: serde_json::from_str(&row.try_get::<String, _>("data")?)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
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

struct ServerVisit<'a> {
    claim_id: &'a str,
    person: &'a IdNumber,
    clinic: &'a str,
    date: NaiveDate,
    diagnoses: &'a [String],
    identity: &'a IdentityCheck,
    lines: &'a [LineInput],
    total: Money,
    fund: Money,
}

/// How far back the server's history reaches for the risk rules (per-period limits, visits
/// per month); within the scheme year and the one before, which `prior_claims` reads.
const HISTORY_DAYS: u64 = 92;

async fn server_risk(
    tx: &mut Tx<'_>,
    policy: &Policy,
    catalogue: &Catalogue,
    prior: &[Prior],
    v: ServerVisit<'_>,
) -> Result<Vec<RuleHit>, ApiError> {
    let internal = |e: serde_json::Error| ApiError::Internal(e.to_string());
    let enrolment = sqlx::query(
        "SELECT data FROM records WHERE kind = 'enrolment' AND status = 'active' AND person = $1 \
         AND scheme_year = $2",
    )
    .bind(v.person.as_str())
    .bind(i64::from(v.date.year()))
    .fetch_optional(&mut **tx)
    .await?;
    let cover: Option<Coverage> = match enrolment {
        Some(row) => {
            let data: Value =
                serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(internal)?;
            Some(serde_json::from_value(data["coverage"].clone()).map_err(internal)?)
        }
        None => None,
    };
    let since = v.date - Days::new(HISTORY_DAYS);
    let history: Vec<PastVisit> = prior
        .iter()
        .filter(|p| (since..=v.date).contains(&p.claim.visit_date))
        .map(|p| PastVisit {
            claim_id: p.id.clone(),
            person: v.person.to_string(),
            clinic: p.clinic.clone(),
            date: p.claim.visit_date,
            lines: p
                .claim
                .lines
                .iter()
                .filter_map(|l| {
                    Some(PastLine {
                        code: l.code.clone()?,
                        quantity: l.quantity,
                    })
                })
                .collect(),
        })
        .collect();
    let risk_lines = v
        .lines
        .iter()
        .map(|l| {
            let code = l.code.clone().unwrap_or_default();
            let item = ItemCode::parse(&code).ok().and_then(|c| catalogue.get(&c));
            RiskLine {
                item,
                name: l
                    .name
                    .clone()
                    .or_else(|| item.map(|i| i.name.clone()))
                    .unwrap_or_default(),
                code,
                price: l.price,
                quantity: l.quantity,
            }
        })
        .collect();
    let visit = RiskVisit {
        claim_id: v.claim_id,
        person: v.person.as_str(),
        sex: v.person.sex(),
        age: v.person.age_on(v.date),
        clinic: v.clinic,
        date: v.date,
        diagnoses: v.diagnoses,
        identity: v.identity,
        eligibility: eligibility(cover.as_ref(), false, v.date),
        lines: risk_lines,
        total: v.total,
        fund: v.fund,
    };
    Ok(evaluate(&policy.risk, &visit, &history))
}
