//! Publications awaiting a second person: a township user proposes a catalogue or a policy
//! (checked whole, as sent), another user of the township approves it — it is then published
//! by [`crate::publishing`], and the proposal marked approved in that same transaction — or
//! refuses it with a reason. The SQL for proposals lives here.

use chrono::NaiveDate;
use cunbao_domain::publication::{PublicationKind, PublicationProposal, PublishedVersion};
use cunbao_domain::second_person::{ProposalDecided, ProposalState};
use cunbao_domain::text::Text;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::auth::{random_hex, Caller};
use crate::error::ApiError;
use crate::write_tx::Tx;

/// How many decided proposals the list shows.
const DECIDED_SHOWN: i64 = 20;

/// A proposal the publisher approves, carried out with the publication.
#[derive(Debug, Clone)]
pub struct Approving {
    pub proposal_id: String,
    pub display_name: String,
}

/// A proposal as stored, with the file it publishes.
pub struct Stored {
    pub proposal: PublicationProposal,
    pub township_id: String,
    /// The CSV or the policy JSON, as proposed.
    pub body: String,
}

/// A new proposal: what it publishes and what it changes in words. One proposal per version
/// can await at a time (`proposal_exists`).
pub struct Proposing<'a> {
    pub kind: PublicationKind,
    pub version: &'a str,
    pub effective_from: NaiveDate,
    pub body: &'a str,
    pub changes: &'a [Text],
}

pub async fn propose(
    tx: &mut Tx<'_>,
    caller: &Caller,
    new: &Proposing<'_>,
) -> Result<String, ApiError> {
    let waiting: Option<String> = sqlx::query_scalar(
        "SELECT id FROM publication_proposals WHERE kind = $1 AND version = $2 AND state = $3",
    )
    .bind(new.kind.as_str())
    .bind(new.version)
    .bind(ProposalState::Awaiting.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if waiting.is_some() {
        return Err(ApiError::conflict(
            "proposal_exists",
            format!("版本{}已提交发布申请，正等待复核", new.version),
            format!(
                "Version {} is proposed already and awaits a second person",
                new.version
            ),
        ));
    }
    let id = format!("pub-{}", random_hex(8));
    sqlx::query(
        "INSERT INTO publication_proposals (id, township_id, kind, version, effective_from, \
         body, changes, proposed_by, proposed_by_name, proposed_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&caller.user.township_id)
    .bind(new.kind.as_str())
    .bind(new.version)
    .bind(new.effective_from.to_string())
    .bind(new.body)
    .bind(serde_json::to_string(new.changes).map_err(|e| ApiError::Internal(Box::new(e)))?)
    .bind(&caller.user.username)
    .bind(&caller.user.display_name)
    .bind(chrono::Utc::now().to_rfc3339())
    .bind(ProposalState::Awaiting.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

const COLUMNS: &str = "id, township_id, kind, version, effective_from, body, changes, \
    proposed_by, proposed_by_name, proposed_at, state, decided_by, decided_by_name, decided_at, \
    note";

fn stored_of(row: &AnyRow) -> Result<Stored, ApiError> {
    let internal = |what: String| ApiError::internal(what);
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let state = ProposalState::parse(&state).ok_or_else(|| internal(format!("state {state}")))?;
    let effective: String = row.try_get("effective_from")?;
    let changes: String = row.try_get("changes")?;
    let decided = match state {
        ProposalState::Awaiting => None,
        state => Some(ProposalDecided {
            state,
            note: row.try_get("note")?,
            decided_by: row
                .try_get::<Option<String>, _>("decided_by_name")?
                .unwrap_or_default(),
            decided_by_username: row
                .try_get::<Option<String>, _>("decided_by")?
                .unwrap_or_default(),
            decided_at: row
                .try_get::<Option<String>, _>("decided_at")?
                .unwrap_or_default(),
        }),
    };
    Ok(Stored {
        township_id: row.try_get("township_id")?,
        body: row.try_get("body")?,
        proposal: PublicationProposal {
            proposal_id: row.try_get("id")?,
            kind: PublicationKind::parse(&kind).ok_or_else(|| internal(format!("kind {kind}")))?,
            version: row.try_get("version")?,
            effective_from: effective
                .parse()
                .map_err(|_| internal(format!("date {effective}")))?,
            changes: serde_json::from_str(&changes).map_err(|e| ApiError::Internal(Box::new(e)))?,
            proposed_by: row.try_get("proposed_by_name")?,
            proposed_by_username: row.try_get("proposed_by")?,
            proposed_at: row.try_get("proposed_at")?,
            decided,
        },
    })
}

/// One proposal, by id.
pub async fn stored(db: &AnyPool, id: &str) -> Result<Option<Stored>, ApiError> {
    let sql = format!("SELECT {COLUMNS} FROM publication_proposals WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db).await?;
    row.map(|row| stored_of(&row)).transpose()
}

/// The township's proposals awaiting (oldest first) and the latest decided (newest first).
pub async fn township(
    db: &AnyPool,
    township: &str,
) -> Result<(Vec<PublicationProposal>, Vec<PublicationProposal>), ApiError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM publication_proposals WHERE township_id = $1 AND state = $2 \
         ORDER BY proposed_at, id"
    );
    let awaiting = sqlx::query(&sql)
        .bind(township)
        .bind(ProposalState::Awaiting.as_str())
        .fetch_all(db)
        .await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM publication_proposals WHERE township_id = $1 AND state <> $2 \
         ORDER BY decided_at DESC, id LIMIT {DECIDED_SHOWN}"
    );
    let decided = sqlx::query(&sql)
        .bind(township)
        .bind(ProposalState::Awaiting.as_str())
        .fetch_all(db)
        .await?;
    let read = |rows: Vec<AnyRow>| -> Result<Vec<PublicationProposal>, ApiError> {
        rows.iter().map(|r| Ok(stored_of(r)?.proposal)).collect()
    };
    Ok((read(awaiting)?, read(decided)?))
}

/// Every published version, newest first, with who proposed and approved it.
pub async fn versions(db: &AnyPool) -> Result<Vec<PublishedVersion>, ApiError> {
    let rows = sqlx::query(
        "SELECT v.kind, v.version, v.effective_from, v.published_at, \
         p.proposed_by_name, p.decided_by_name FROM published_versions v \
         LEFT JOIN publication_proposals p ON p.kind = v.kind AND p.version = v.version \
         AND p.state = 'approved' ORDER BY v.published_at DESC, v.version",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .filter_map(|row| {
            let kind: String = row.try_get("kind").ok()?;
            let kind = PublicationKind::parse(&kind)?;
            Some((kind, row))
        })
        .map(|(kind, row)| {
            let effective: String = row.try_get("effective_from")?;
            Ok(PublishedVersion {
                kind,
                version: row.try_get("version")?,
                effective_from: effective
                    .parse()
                    .map_err(|_| ApiError::internal(format!("date {effective}")))?,
                published_at: row.try_get("published_at")?,
                proposed_by: row.try_get("proposed_by_name")?,
                approved_by: row.try_get("decided_by_name")?,
            })
        })
        .collect()
}

/// Marks the proposal approved by `username`, if it still awaits (false otherwise).
pub async fn mark_approved(
    tx: &mut Tx<'_>,
    approving: &Approving,
    username: &str,
) -> Result<bool, sqlx::Error> {
    decide(
        tx,
        &approving.proposal_id,
        ProposalState::Approved,
        username,
        &approving.display_name,
        None,
    )
    .await
}

/// Records a decision on a proposal that still awaits (false when it no longer does).
pub async fn decide(
    tx: &mut Tx<'_>,
    id: &str,
    state: ProposalState,
    username: &str,
    display_name: &str,
    note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE publication_proposals SET state = $1, decided_by = $2, decided_by_name = $3, \
         decided_at = $4, note = $5 WHERE id = $6 AND state = $7",
    )
    .bind(state.as_str())
    .bind(username)
    .bind(display_name)
    .bind(chrono::Utc::now().to_rfc3339())
    .bind(note)
    .bind(id)
    .bind(ProposalState::Awaiting.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
