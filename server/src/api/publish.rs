//! Township staff publish a catalogue or a policy: the same engine as `cunbao-server publish`
//! ([`crate::publishing`]). The file is checked whole and compared with the version in force;
//! unless it is a dry run, it is proposed, and published as an immutable version when another
//! user of the township approves it ([`crate::publication_proposals`]), with an audit entry
//! naming who approved it and the proposal. Tablets receive it on their next sync.

use axum::extract::{Path, State};
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::publication::{PublicationKind, PublicationProposal, Publications};
use cunbao_domain::publishing::{
    diff_summary, CataloguePublication, PolicyPublication, PublishCatalogueRequest,
    PublishPolicyRequest,
};
use cunbao_domain::second_person::{ProposalDecision, ProposalState};
use serde_json::json;

use super::ApiJson;
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::publication_proposals::{self as proposals, Approving, Proposing};
use crate::publishing::{self, Publisher};
use crate::AppState;

/// Township staff: check a catalogue (CSV), see what it changes against the catalogue in force
/// on its day, and propose it (unless `dry_run`) for another user to approve.
#[utoipa::path(post, path = "/publish/catalogue", tag = "publishing", security(("bearer" = [])),
    request_body = PublishCatalogueRequest,
    responses((status = 200, body = CataloguePublication),
        (status = 400, description = "Bad input; a CSV with wrong lines is `catalogue_lines` and lists every line", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 409, description = "The version is published already (`version_exists`) or proposed already (`proposal_exists`)", body = ApiErrorBody),
        (status = 413, description = "Body over the limit", body = ApiErrorBody)))]
pub async fn catalogue(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PublishCatalogueRequest>,
) -> Result<Json<CataloguePublication>, ApiError> {
    caller.require_township_staff()?;
    let effective_from = request.effective_from;
    let version = request
        .version
        .unwrap_or_else(|| publishing::default_catalogue_version(effective_from));
    let plan =
        publishing::plan_catalogue(&state.db, &request.csv, &version, effective_from).await?;
    let summary = diff_summary(&plan.diff);
    let proposal_id = if request.dry_run {
        None
    } else {
        let changes = [
            summary.clone(),
            cunbao_domain::text::Text::new(
                format!("对比：{}", plan.in_force),
                format!("against {}", plan.in_force),
            ),
        ];
        let proposing = Proposing {
            kind: PublicationKind::Catalogue,
            version: &plan.catalogue.version,
            effective_from,
            body: &request.csv,
            changes: &changes,
        };
        Some(propose(&state, &caller, &proposing).await?)
    };
    Ok(Json(CataloguePublication {
        version: plan.catalogue.version,
        effective_from,
        items: plan.catalogue.items.len(),
        against: plan.in_force,
        summary,
        diff: plan.diff,
        published: false,
        proposal_id,
    }))
}

/// Township staff: check a policy, see what differs from the latest published for its year,
/// and propose it (unless `dry_run`), effective from its coverage start unless told otherwise,
/// for another user to approve.
#[utoipa::path(post, path = "/publish/policy", tag = "publishing", security(("bearer" = [])),
    request_body = PublishPolicyRequest,
    responses((status = 200, body = PolicyPublication),
        (status = 400, description = "Bad input; a policy that does not read or is inconsistent is `invalid_policy`", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 409, description = "The version is published already (`version_exists`) or proposed already (`proposal_exists`)", body = ApiErrorBody),
        (status = 413, description = "Body over the limit", body = ApiErrorBody)))]
pub async fn policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PublishPolicyRequest>,
) -> Result<Json<PolicyPublication>, ApiError> {
    caller.require_township_staff()?;
    let json = request.policy.to_string();
    let plan = publishing::plan_policy(&state.db, &json, request.effective_from).await?;
    let proposal_id = if request.dry_run {
        None
    } else {
        let proposing = Proposing {
            kind: PublicationKind::Policy,
            version: &plan.policy.version,
            effective_from: plan.effective_from,
            body: &json,
            changes: &plan.changes,
        };
        Some(propose(&state, &caller, &proposing).await?)
    };
    Ok(Json(PolicyPublication {
        version: plan.policy.version,
        scheme_year: plan.policy.scheme_year,
        effective_from: plan.effective_from,
        changes: plan.changes,
        published: false,
        proposal_id,
    }))
}

async fn propose(
    state: &AppState,
    caller: &Caller,
    proposing: &Proposing<'_>,
) -> Result<String, ApiError> {
    let mut tx = state.writers.begin(&state.db).await?;
    let id = proposals::propose(&mut tx, caller, proposing).await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "publication_proposed",
        subject: proposing.version,
        detail: &json!({ "proposal": id, "kind": proposing.kind.as_str(),
            "effective_from": proposing.effective_from }),
    });
    tx.commit().await?;
    Ok(id)
}

/// Township staff: the township's publications awaiting a second person, the latest decided,
/// and every published version with who proposed and approved it.
#[utoipa::path(get, path = "/publish/proposals", tag = "publishing", security(("bearer" = [])),
    responses((status = 200, body = Publications),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Publications>, ApiError> {
    let township = caller.require_township_staff()?;
    let (awaiting, decided) = proposals::township(&state.db, township).await?;
    Ok(Json(Publications {
        awaiting,
        decided,
        versions: proposals::versions(&state.db).await?,
    }))
}

/// Township staff other than the proposer: approve a proposed publication (it is checked again
/// against what is in force now, and published) or refuse it with a reason.
#[utoipa::path(post, path = "/publish/proposals/{proposal_id}/decision", tag = "publishing",
    security(("bearer" = [])),
    params(("proposal_id" = String, Path, description = "The proposal")),
    request_body = ProposalDecision,
    responses((status = 200, body = PublicationProposal),
        (status = 400, description = "A refusal without a reason, or a file no longer valid", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such proposal in the township (`unknown_proposal`)", body = ApiErrorBody),
        (status = 409, description = "The caller's own proposal (`own_proposal`), decided otherwise already (`already_decided`), or the version published meanwhile (`version_exists`)", body = ApiErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(proposal_id): Path<String>,
    ApiJson(decision): ApiJson<ProposalDecision>,
) -> Result<Json<PublicationProposal>, ApiError> {
    let township = caller.require_township_staff()?;
    let decision = decision
        .checked()
        .map_err(|why| ApiError::bad("note", why.zh, why.en))?;
    let stored = proposals::stored(&state.db, &proposal_id)
        .await?
        .filter(|s| s.township_id == township)
        .ok_or_else(|| {
            ApiError::missing(
                "unknown_proposal",
                "本乡镇没有这个发布申请",
                "There is no such proposal in this township",
            )
        })?;
    let proposal = &stored.proposal;
    if proposal.proposed_by_username == caller.user.username {
        return Err(ApiError::conflict(
            "own_proposal",
            "不能复核自己提交的发布申请，须由另一位乡镇人员复核",
            "You cannot approve your own proposal; another township user must",
        ));
    }
    let wanted = match decision {
        ProposalDecision::Approve => ProposalState::Approved,
        ProposalDecision::Refuse { .. } => ProposalState::Refused,
    };
    if let Some(decided) = &proposal.decided {
        return if decided.state == wanted {
            Ok(Json(proposal.clone()))
        } else {
            Err(already_decided())
        };
    }
    match decision {
        ProposalDecision::Approve => {
            let publisher = Publisher {
                approving: Some(Approving {
                    proposal_id: proposal_id.clone(),
                    display_name: caller.user.display_name.clone(),
                }),
                ..Publisher::caller(&caller)
            };
            // Planned and published as one step: planning after another process published
            // the version fails too (`version_exists`), and is answered below like a
            // publication that lost the race.
            let result = async {
                match proposal.kind {
                    PublicationKind::Catalogue => {
                        let plan = publishing::plan_catalogue(
                            &state.db,
                            &stored.body,
                            &proposal.version,
                            proposal.effective_from,
                        )
                        .await?;
                        publishing::publish_catalogue(&state.db, &plan, &publisher).await
                    }
                    PublicationKind::Policy => {
                        let plan = publishing::plan_policy(
                            &state.db,
                            &stored.body,
                            Some(proposal.effective_from),
                        )
                        .await?;
                        publishing::publish_policy(&state.db, &plan, &publisher).await
                    }
                }
            }
            .await;
            if let Err(err) = result {
                // Approved meanwhile by the same decision through another process: the
                // version is published once, and this request is answered as decided.
                let now = proposals::stored(&state.db, &proposal_id).await?;
                if let Some(now) = now.filter(|n| {
                    n.proposal
                        .decided
                        .as_ref()
                        .is_some_and(|d| d.state == wanted)
                }) {
                    return Ok(Json(now.proposal));
                }
                return Err(err.into());
            }
        }
        ProposalDecision::Refuse { note } => {
            let mut tx = state.writers.begin(&state.db).await?;
            let user = &caller.user;
            let done = proposals::decide(
                &mut tx,
                &proposal_id,
                ProposalState::Refused,
                &user.username,
                &user.display_name,
                Some(&note),
            )
            .await?;
            if !done {
                return Err(already_decided());
            }
            tx.audit(AuditEntry {
                username: &user.username,
                device_id: Some(&caller.device_id),
                action: "publication_refused",
                subject: &proposal.version,
                detail: &json!({ "proposal": proposal_id, "note": note }),
            });
            tx.commit().await?;
        }
    }
    let now = proposals::stored(&state.db, &proposal_id)
        .await?
        .ok_or_else(|| ApiError::internal("a decided proposal vanished"))?;
    Ok(Json(now.proposal))
}

fn already_decided() -> ApiError {
    ApiError::conflict(
        "already_decided",
        "该发布申请已由他人处理",
        "This proposal was decided by someone else",
    )
}
