//! Sample residents for a demonstration (`./run.sh`): a few hundred households per clinic of
//! the sample township, enrolled for the scheme year under way, with some visits settled (some
//! held for review, some flagged, one with a void awaiting a second person) and one head of
//! household in ten qualified for the chronic hypertension benefit —
//! made by the deterministic generator and applied through the same push path a tablet uses,
//! so records, change feed, accumulators and audit are what real work leaves. Idempotent: a
//! clinic that already has enrolments for the year is left alone.

use chrono::{Days, NaiveDate};
use cunbao_domain::enrolment::household_contribution;
use cunbao_domain::names::ItemCode;
use cunbao_domain::policy::{for_visit, ChronicCondition};
use cunbao_domain::qualification::QualificationDecision;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::{Mutation, MutationBody, Operator, Role, MAX_BATCH};
use cunbao_domain::synthetic;
use cunbao_domain::unit_price::UnitPrice;
use sqlx::AnyPool;

use crate::api::qualifications::{record_decision, Decider};
use crate::auth::{random_hex, token_hash, Caller};
use crate::error::ApiError;
use crate::seed::Territory;
use crate::{accounts, AppState};

/// How many of each clinic's households had a visit settled.
const VISITS: usize = 15;

/// Enrols `households` sample households at each clinic of `territory` for the scheme year
/// that covers `today`; the number of mutations applied.
pub async fn ensure(
    state: &AppState,
    territory: &Territory,
    today: NaiveDate,
    households: usize,
) -> Result<usize, ApiError> {
    let in_force = state.in_force().await?;
    let policies: Vec<_> = in_force
        .policy_versions()
        .iter()
        .filter_map(|v| in_force.policy(v).cloned())
        .collect();
    let Some(policy) = for_visit(&policies, today).cloned() else {
        return Ok(0);
    };
    // Items any patient may have for a cold, and the check-up's examinations.
    let plain = in_force.catalogue.unrestricted();
    let check_up: Vec<_> = cunbao_domain::sample::CHECK_UP
        .iter()
        .filter_map(|code| in_force.catalogue.get(&ItemCode::parse(code).ok()?))
        .collect();
    let mut applied = 0;
    // No two clinics' residents share an ID number.
    let mut taken = std::collections::HashSet::new();
    for (n, user) in territory.users.iter().enumerate() {
        let (Role::ClinicAssistant, Some(clinic)) = (user.role, user.clinic) else {
            continue;
        };
        if enrolled(&state.db, clinic, policy.scheme_year).await? > 0 {
            continue;
        }
        let caller = seed_device(&state.db, user.username).await?;
        let operator = Operator::of(&caller.user);
        let enrolled_on = policy.enrolment.collection_from + Days::new(75);
        let mut mutations = Vec::new();
        let mut push = |body: MutationBody, id: String| {
            mutations.push(Mutation {
                seq: mutations.len() as u64 + 1,
                record_id: id,
                operator: Some(operator.clone()),
                body,
            })
        };
        let population =
            synthetic::population_apart(households, 7_000 + n as u64, enrolled_on, &mut taken);
        let mut visits = 0;
        let mut applications = Vec::new();
        for (h, household) in population.iter().enumerate() {
            let Ok(due) = household_contribution(&policy, &household.members) else {
                continue;
            };
            let hid = format!("sample-{clinic}-{}-{}", policy.scheme_year, household.id);
            let mut ids = Vec::new();
            for (i, member) in household.members.iter().enumerate() {
                let id = format!("{hid}-{i}");
                ids.push(id.clone());
                push(
                    MutationBody::Enrolment {
                        household_id: hid.clone(),
                        member: member.clone(),
                        scheme_year: policy.scheme_year,
                        enrolled_on,
                        policy_version: policy.version.clone(),
                    },
                    id,
                );
            }
            push(
                MutationBody::Contribution {
                    receipt_no: format!("RSAMPLE-{}", household.id),
                    household_id: hid.clone(),
                    enrolment_ids: ids,
                    amount: due.total_due,
                    collected_on: enrolled_on,
                },
                format!("{hid}-c"),
            );
            // One head of household in ten holds a hypertension qualification (慢特病认定),
            // applied for by the clinic and approved by the township for the year.
            if h % 10 == 3 {
                let id = format!("{hid}-q");
                push(
                    MutationBody::QualificationApplication {
                        person: household.members[0].id_number.clone(),
                        condition: ChronicCondition::Hypertension,
                        evidence: format!("县人民医院诊断证明（样例）{}", household.id),
                        applied_on: policy.coverage_from,
                    },
                    id.clone(),
                );
                applications.push(id);
            }
            // Some heads of household were seen at the clinic in the last weeks.
            let visit_date = today - Days::new(1 + (visits as u64 * 3) % 40);
            if visits < VISITS && visit_date >= policy.coverage_from {
                // Every other visit is a full check-up, past the deductible: the fund pays.
                let lines = if visits % 2 == 0
                    && check_up.len() == cunbao_domain::sample::CHECK_UP.len()
                {
                    check_up
                        .iter()
                        .map(|item| LineInput::from_item(item, Quantity::whole(1)))
                        .collect::<Vec<_>>()
                } else {
                    (0..2)
                        .filter_map(|k| plain.get((visits * 7 + k) % plain.len().max(1)).copied())
                        .map(|item| LineInput::from_item(item, Quantity::whole(1)))
                        .collect::<Vec<_>>()
                };
                // (A catalogue without such items gets no sample visits.)
                if lines.is_empty() {
                    continue;
                }
                let mut body = cunbao_domain::sample::general_outpatient_claim(
                    &policy,
                    &in_force.catalogue.version,
                    household.members[0].id_number.clone(),
                    visit_date,
                    lines,
                    Accumulators::default(),
                );
                // Some work for the township: visits held for review (over the offline
                // limit) and visits priced above the catalogue (flagged).
                if let MutationBody::Claim(claim) = &mut body {
                    match visits % 5 {
                        1 => claim.pending_review = true,
                        3 => {
                            let line = &mut claim.lines[0];
                            let dearer = line.price.value() * rust_decimal::Decimal::new(13, 1);
                            line.price = UnitPrice::try_from_decimal(dearer.round_dp(2))
                                .unwrap_or(line.price);
                        }
                        _ => {}
                    }
                }
                let claim_id = format!("{hid}-v");
                push(body, claim_id.clone());
                // One visit entered for the wrong person: its void awaits a second person.
                if visits == 4 {
                    push(
                        MutationBody::VoidProposal {
                            claim_id,
                            reason: "录错患者，应为其家属（样例）".into(),
                        },
                        format!("{hid}-void"),
                    );
                }
                visits += 1;
            }
        }
        for batch in mutations.chunks(MAX_BATCH) {
            crate::sync::push(&state.db, &state.writers, &in_force, &caller, batch).await?;
        }
        applied += mutations.len();
        let decider = Decider {
            township: territory.township.0,
            username: "sample-data",
            display_name: "样例数据",
            device_id: None,
        };
        let approve = QualificationDecision::Approve {
            valid_from: policy.coverage_from,
            valid_to: policy.coverage_to,
        };
        for id in &applications {
            record_decision(state, &decider, id, &approve).await?;
        }
    }
    Ok(applied)
}

async fn enrolled(db: &AnyPool, clinic: &str, year: i32) -> Result<i64, ApiError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE kind = 'enrolment' AND clinic_id = $1 \
         AND scheme_year = $2",
    )
    .bind(clinic)
    .bind(i64::from(year))
    .fetch_one(db)
    .await?)
}

/// A device of the clinic's user that did the sample work (its token is thrown away).
async fn seed_device(db: &AnyPool, username: &str) -> Result<Caller, ApiError> {
    let user = accounts::account(db, username)
        .await?
        .ok_or_else(|| ApiError::internal(format!("no sample user {username}")))?
        .user;
    let device_id = format!("dev-sample-{}", random_hex(6));
    let mut tx = crate::db::begin_write(db).await?;
    accounts::register_device(
        &mut tx,
        &device_id,
        username,
        "示例数据",
        &token_hash(&random_hex(32)),
        None,
        &crate::tokens::TokenPolicy::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(Caller::signed_in(device_id, user))
}
