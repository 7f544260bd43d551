//! How the sync engine reaches the server. The browser uses `fetch`; tests use the real
//! server in-process, with faults injected.

use cunbao_domain::devices::HandshakeQuery;
use cunbao_domain::policy::Policy;
use cunbao_domain::review::{QueueItem, ReviewClaim, ReviewRequest, ReviewResponse};
use cunbao_domain::sampling::{FindingRequest, Sampling};
use cunbao_domain::statement::{
    CashHandIn, CashStanding, PaymentRequest, Statement, StatementSummary,
};
use cunbao_domain::sync::{
    CataloguePage, Handshake, PullResponse, PushResponse, SignInRequest, SignInResponse,
};
use cunbao_domain::text::{Bilingual, Text};
use cunbao_domain::township::RecordRow;

use super::outbox::OutboxEntry;
use crate::township::review::escape;
use crate::township::RecordKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No answer: offline, connection dropped, timed out, or a 5xx. Retry later.
    Unavailable(String),
    /// The server refused who we are (bad, revoked or expired token, wrong password).
    Unauthorized {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// The server refused the request itself (4xx): retrying the same request will not help.
    Refused {
        status: u16,
        code: String,
        message_zh: String,
        message_en: String,
    },
}

impl Bilingual for TransportError {
    fn text(&self) -> Text {
        match self {
            TransportError::Unavailable(why) => Text::new(
                format!("网络不可用或服务器暂时无响应：{why}"),
                format!("no network or the server did not answer: {why}"),
            ),
            TransportError::Unauthorized {
                message_zh,
                message_en,
                ..
            }
            | TransportError::Refused {
                message_zh,
                message_en,
                ..
            } => Text::new(message_zh.clone(), message_en.clone()),
        }
    }
}

cunbao_domain::bilingual_error!(TransportError);

impl TransportError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, TransportError::Unavailable(_))
    }
}

/// Sends one HTTP request to the server. `Err` only when no answer came back at all.
#[allow(async_fn_in_trait)] // used generically; browser futures are !Send
pub trait HttpClient {
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, serde_json::Value), TransportError>;
}

/// The server's API over any [`HttpClient`]: the browser's `fetch`, the server in-process
/// (tests), or a socket (benchmarks). The paths and the error mapping live here, once.
pub struct Api<C>(pub C);

impl<C: HttpClient> Api<C> {
    pub async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<T, TransportError> {
        let (status, json) = self.0.send(method, path, token, body).await?;
        if !(200..300).contains(&status) {
            return Err(error_from(status, &json));
        }
        serde_json::from_value(json).map_err(|e| TransportError::Unavailable(e.to_string()))
    }

    /// Township staff: the synced records of one kind across the township's clinics.
    pub async fn township_records(
        &self,
        token: &str,
        kind: RecordKind,
    ) -> Result<Vec<RecordRow>, TransportError> {
        let path = format!("/api/v1/township/records?kind={}", kind.as_str());
        self.call("GET", &path, Some(token), None).await
    }

    /// Township staff: the review queue, oldest first, filtered.
    pub async fn review_queue(
        &self,
        token: &str,
        filter: &crate::township::review::QueueFilter,
    ) -> Result<Vec<QueueItem>, TransportError> {
        let path = format!("/api/v1/township/review{}", filter.query());
        self.call("GET", &path, Some(token), None).await
    }

    /// Township staff: one claim's review page.
    pub async fn review_claim(
        &self,
        token: &str,
        claim_id: &str,
    ) -> Result<ReviewClaim, TransportError> {
        let path = format!("/api/v1/township/review/{}", escape(claim_id));
        self.call("GET", &path, Some(token), None).await
    }

    /// Township staff: every clinic's statement of `month` (`YYYY-MM`), without lines.
    pub async fn statements(
        &self,
        token: &str,
        month: &str,
    ) -> Result<Vec<StatementSummary>, TransportError> {
        let path = format!("/api/v1/township/statements?month={}", escape(month));
        self.call("GET", &path, Some(token), None).await
    }

    /// Township staff: one clinic's statement of `month`, with its lines.
    pub async fn statement(
        &self,
        token: &str,
        clinic: &str,
        month: &str,
    ) -> Result<Statement, TransportError> {
        self.call("GET", &statement_path(clinic, month, ""), Some(token), None)
            .await
    }

    /// Township staff: issues (locks) the statement.
    pub async fn issue_statement(
        &self,
        token: &str,
        clinic: &str,
        month: &str,
    ) -> Result<serde_json::Value, TransportError> {
        let path = statement_path(clinic, month, "/issue");
        self.call("POST", &path, Some(token), Some("{}".into()))
            .await
    }

    /// Township staff: marks an issued statement paid.
    pub async fn statement_paid(
        &self,
        token: &str,
        clinic: &str,
        month: &str,
        payment: &PaymentRequest,
    ) -> Result<serde_json::Value, TransportError> {
        let path = statement_path(clinic, month, "/paid");
        self.call("POST", &path, Some(token), json_body(payment))
            .await
    }

    /// Township staff: each clinic's cash standing.
    pub async fn cash(&self, token: &str) -> Result<Vec<CashStanding>, TransportError> {
        self.call("GET", "/api/v1/township/cash", Some(token), None)
            .await
    }

    /// Township staff: records cash a clinic handed in.
    pub async fn hand_in(
        &self,
        token: &str,
        hand_in: &CashHandIn,
    ) -> Result<serde_json::Value, TransportError> {
        self.call(
            "POST",
            "/api/v1/township/cash",
            Some(token),
            json_body(hand_in),
        )
        .await
    }

    /// Township staff: a clinic's draw of the month for sampling (none before it is drawn).
    pub async fn sampling(
        &self,
        token: &str,
        clinic: &str,
        month: &str,
    ) -> Result<Option<Sampling>, TransportError> {
        self.call("GET", &sampling_path(clinic, month, ""), Some(token), None)
            .await
    }

    /// Township staff: draws the month's sample of the clinic's paid claims.
    pub async fn draw_sample(
        &self,
        token: &str,
        clinic: &str,
        month: &str,
    ) -> Result<Sampling, TransportError> {
        self.call(
            "POST",
            &sampling_path(clinic, month, "/draw"),
            Some(token),
            Some("{}".into()),
        )
        .await
    }

    /// Township staff: the finding on a claim drawn.
    pub async fn record_finding(
        &self,
        token: &str,
        clinic: &str,
        month: &str,
        finding: &FindingRequest,
    ) -> Result<Sampling, TransportError> {
        self.call(
            "POST",
            &sampling_path(clinic, month, "/findings"),
            Some(token),
            json_body(finding),
        )
        .await
    }

    /// Township staff: approves (with a validity) or rejects a chronic application.
    pub async fn decide_qualification(
        &self,
        token: &str,
        id: &str,
        decision: &cunbao_domain::qualification::QualificationDecision,
    ) -> Result<cunbao_domain::qualification::Qualification, TransportError> {
        let path = format!(
            "/api/v1/township/qualifications/{}/decision",
            crate::township::review::escape(id)
        );
        self.call("POST", &path, Some(token), json_body(decision))
            .await
    }

    /// Township staff: every tablet signed in by a user of the township, newest first.
    pub async fn devices(
        &self,
        token: &str,
    ) -> Result<Vec<cunbao_domain::devices::DeviceRow>, TransportError> {
        self.call("GET", "/api/v1/township/devices", Some(token), None)
            .await
    }

    /// An administrator: revokes a tablet of the township (a lost tablet).
    pub async fn revoke_device(
        &self,
        token: &str,
        device_id: &str,
    ) -> Result<serde_json::Value, TransportError> {
        let path = format!(
            "/api/v1/devices/{}/revoke",
            crate::township::review::escape(device_id)
        );
        self.call("POST", &path, Some(token), Some("{}".into()))
            .await
    }

    /// Township staff: the dashboard of a scheme year.
    pub async fn dashboard(
        &self,
        token: &str,
        year: i32,
    ) -> Result<cunbao_domain::dashboard::Dashboard, TransportError> {
        let path = format!("/api/v1/township/dashboard?year={year}");
        self.call("GET", &path, Some(token), None).await
    }

    /// Township staff: one month's figures, the monthly report (`month` is `YYYY-MM`).
    pub async fn monthly_report(
        &self,
        token: &str,
        month: &str,
    ) -> Result<cunbao_domain::dashboard::Dashboard, TransportError> {
        let path = format!("/api/v1/township/dashboard?month={month}");
        self.call("GET", &path, Some(token), None).await
    }

    /// An administrator: sets (or clears) a clinic's enrolment target.
    pub async fn set_enrolment_target(
        &self,
        token: &str,
        clinic: &str,
        target: Option<u32>,
    ) -> Result<serde_json::Value, TransportError> {
        let path = format!("/api/v1/township/clinics/{clinic}/enrolment_target");
        let body = cunbao_domain::dashboard::EnrolmentTarget { target };
        self.call("PUT", &path, Some(token), json_body(&body)).await
    }

    /// Township staff: the township's users and clinics.
    pub async fn users(
        &self,
        token: &str,
    ) -> Result<cunbao_domain::users::TownshipUsers, TransportError> {
        self.call("GET", "/api/v1/township/users", Some(token), None)
            .await
    }

    /// An administrator: creates a user with a first password.
    pub async fn create_user(
        &self,
        token: &str,
        new: &cunbao_domain::users::NewUser,
    ) -> Result<serde_json::Value, TransportError> {
        self.call(
            "POST",
            "/api/v1/township/users",
            Some(token),
            json_body(new),
        )
        .await
    }

    /// An administrator: resets, disables, enables or moves a user.
    pub async fn change_user(
        &self,
        token: &str,
        username: &str,
        change: &cunbao_domain::users::UserChange,
    ) -> Result<serde_json::Value, TransportError> {
        let path = format!(
            "/api/v1/township/users/{}",
            crate::township::review::escape(username)
        );
        self.call("POST", &path, Some(token), json_body(change))
            .await
    }

    /// Township staff: the proposals awaiting a second person, or the latest decided.
    pub async fn proposals(
        &self,
        token: &str,
        decided: bool,
    ) -> Result<Vec<cunbao_domain::second_person::Proposal>, TransportError> {
        let path = format!("/api/v1/township/proposals?decided={decided}");
        self.call("GET", &path, Some(token), None).await
    }

    /// Township staff: proposes a void or a refund, for another to approve.
    pub async fn propose(
        &self,
        token: &str,
        request: &cunbao_domain::second_person::ProposeRequest,
    ) -> Result<cunbao_domain::second_person::Proposal, TransportError> {
        self.call(
            "POST",
            "/api/v1/township/proposals",
            Some(token),
            json_body(request),
        )
        .await
    }

    /// Township staff: approves or refuses another's proposal.
    pub async fn decide_proposal(
        &self,
        token: &str,
        proposal_id: &str,
        decision: &cunbao_domain::second_person::ProposalDecision,
    ) -> Result<cunbao_domain::second_person::ProposalResponse, TransportError> {
        let path = format!(
            "/api/v1/township/proposals/{}/decision",
            crate::township::review::escape(proposal_id)
        );
        self.call("POST", &path, Some(token), json_body(decision))
            .await
    }

    /// A clinic assistant: what the township confirmed of the clinic's cash.
    pub async fn clinic_cash(&self, token: &str) -> Result<CashStanding, TransportError> {
        self.call("GET", "/api/v1/clinic/cash", Some(token), None)
            .await
    }

    /// Township staff: one decision for up to 200 claims.
    pub async fn review_decide(
        &self,
        token: &str,
        request: &ReviewRequest,
    ) -> Result<ReviewResponse, TransportError> {
        let path = "/api/v1/township/review/decisions";
        self.call("POST", path, Some(token), json_body(request))
            .await
    }
}

/// The address of a clinic's statement of `month`, and of what hangs under it (`tail`).
pub fn statement_path(clinic: &str, month: &str, tail: &str) -> String {
    format!(
        "/api/v1/township/statements/{}/{}{tail}",
        escape(clinic),
        escape(month)
    )
}

/// A clinic's sampling of a month, and what follows it.
fn sampling_path(clinic: &str, month: &str, tail: &str) -> String {
    format!(
        "/api/v1/township/sampling/{}/{}{tail}",
        escape(clinic),
        escape(month)
    )
}

/// A [`PushRequest`](cunbao_domain::sync::PushRequest) written straight from the outbox
/// entries: each mutation as it was saved, its body's `type` first (the server reads a claim
/// whose tag comes first straight into its type, without buffering it).
struct PushBody<'a>(&'a [OutboxEntry]);

/// The text of a push of `entries`.
pub fn push_body(entries: &[OutboxEntry]) -> String {
    serde_json::to_string(&PushBody(entries)).expect("request bodies serialise")
}

impl serde::Serialize for PushBody<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut request = serializer.serialize_struct("PushRequest", 1)?;
        request.serialize_field("mutations", &Mutations(self.0))?;
        request.end()
    }
}

struct Mutations<'a>(&'a [OutboxEntry]);

impl serde::Serialize for Mutations<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Sent<'a> {
            seq: u64,
            record_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            operator: &'a Option<cunbao_domain::sync::Operator>,
            body: TagFirst<'a>,
        }
        serializer.collect_seq(self.0.iter().map(|entry| Sent {
            seq: entry.mutation.seq,
            record_id: &entry.mutation.record_id,
            operator: &entry.mutation.operator,
            body: TagFirst(&entry.mutation.body),
        }))
    }
}

/// A saved body (its keys sorted, as stored) written with its `type` first.
struct TagFirst<'a>(&'a serde_json::Value);

impl serde::Serialize for TagFirst<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let serde_json::Value::Object(fields) = self.0 else {
            return self.0.serialize(serializer);
        };
        let mut map = serializer.serialize_map(Some(fields.len()))?;
        if let Some(tag) = fields.get("type") {
            map.serialize_entry("type", tag)?;
        }
        for (key, value) in fields.iter().filter(|(key, _)| *key != "type") {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

fn json_body(value: &impl serde::Serialize) -> Option<String> {
    Some(serde_json::to_string(value).expect("request bodies serialise"))
}

impl<C: HttpClient> Transport for Api<C> {
    async fn sign_in(&self, request: &SignInRequest) -> Result<SignInResponse, TransportError> {
        self.call("POST", "/api/v1/auth/sign-in", None, json_body(request))
            .await
    }

    async fn sign_out(&self, token: &str) -> Result<(), TransportError> {
        let _: serde_json::Value = self
            .call("POST", "/api/v1/auth/sign-out", Some(token), None)
            .await?;
        Ok(())
    }

    async fn handshake(
        &self,
        token: &str,
        report: &HandshakeQuery,
    ) -> Result<Handshake, TransportError> {
        let path = format!("/api/v1/sync/handshake{}", report.query_string());
        self.call("GET", &path, Some(token), None).await
    }

    async fn push(
        &self,
        token: &str,
        entries: &[OutboxEntry],
        pull: Option<(u64, u32)>,
    ) -> Result<PushResponse, TransportError> {
        let path = match pull {
            Some((after, limit)) => format!("{PUSH_PATH}?pull_after={after}&pull_limit={limit}"),
            None => PUSH_PATH.to_string(),
        };
        self.call("POST", &path, Some(token), json_body(&PushBody(entries)))
            .await
    }

    async fn pull(
        &self,
        token: &str,
        after: u64,
        limit: u32,
    ) -> Result<PullResponse, TransportError> {
        let path = format!("/api/v1/sync/pull?after={after}&limit={limit}");
        self.call("GET", &path, Some(token), None).await
    }

    async fn catalogue(
        &self,
        token: &str,
        offset: u64,
        limit: u64,
    ) -> Result<CataloguePage, TransportError> {
        let path = format!("/api/v1/catalogue?offset={offset}&limit={limit}");
        self.call("GET", &path, Some(token), None).await
    }

    async fn policy(&self, token: &str, version: &str) -> Result<Policy, TransportError> {
        let path = format!("/api/v1/policy?version={version}");
        self.call("GET", &path, Some(token), None).await
    }
}

pub const PUSH_PATH: &str = "/api/v1/sync/push";

#[allow(async_fn_in_trait)] // used generically; browser futures are !Send
pub trait Transport {
    async fn sign_in(&self, request: &SignInRequest) -> Result<SignInResponse, TransportError>;
    /// Gives the device's token back to the server (signing out).
    async fn sign_out(&self, token: &str) -> Result<(), TransportError>;
    /// The start of a round; the tablet says what it holds not uploaded and its app version.
    async fn handshake(
        &self,
        token: &str,
        report: &HandshakeQuery,
    ) -> Result<Handshake, TransportError>;
    /// Sends the outbox entries' mutations, in order, as one [`PushRequest`](cunbao_domain::sync::PushRequest);
    /// with `pull` (after, limit), the answer also carries that page of the caller's changes.
    async fn push(
        &self,
        token: &str,
        entries: &[OutboxEntry],
        pull: Option<(u64, u32)>,
    ) -> Result<PushResponse, TransportError>;
    async fn pull(
        &self,
        token: &str,
        after: u64,
        limit: u32,
    ) -> Result<PullResponse, TransportError>;
    async fn catalogue(
        &self,
        token: &str,
        offset: u64,
        limit: u64,
    ) -> Result<CataloguePage, TransportError>;
    /// A published policy by version.
    async fn policy(&self, token: &str, version: &str) -> Result<Policy, TransportError>;
}

/// Turns an API error body (`{code, message_zh, message_en}`) and status into an error.
pub fn error_from(status: u16, body: &serde_json::Value) -> TransportError {
    let text = |key: &str| body[key].as_str().unwrap_or_default().to_string();
    if status >= 500 || status == 0 {
        return TransportError::Unavailable(format!("HTTP {status}"));
    }
    if status == 401 {
        return TransportError::Unauthorized {
            code: text("code"),
            message_zh: text("message_zh"),
            message_en: text("message_en"),
        };
    }
    TransportError::Refused {
        status,
        code: text("code"),
        message_zh: text("message_zh"),
        message_en: text("message_en"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use crate::sync::outbox::{self, EntryState};
    use cunbao_domain::sync::{Mutation, MutationBody, PushRequest};
    use futures::executor::block_on;

    /// The outbox keeps each body as the JSON it was saved as; what is pushed reads as the
    /// [`PushRequest`] of the typed mutations, each body's tag first as the server prefers.
    #[test]
    fn a_push_sends_each_mutation_exactly_as_it_was_saved() {
        block_on(async {
            let store = MemoryStore::new();
            outbox::sign_in_for_tests(&store, "lijia", "王秀兰").await;
            let bodies = [
                MutationBody::Void {
                    target_record_id: "c1".into(),
                    reason: "录入错误".into(),
                },
                MutationBody::VoidProposal {
                    claim_id: "c2".into(),
                    reason: "重复结算".into(),
                },
            ];
            let mut saved: Vec<Mutation> = Vec::new();
            for (i, body) in bodies.into_iter().enumerate() {
                saved.push(
                    outbox::enqueue(&store, &format!("r{i}"), body, 1)
                        .await
                        .unwrap(),
                );
            }
            let entries = outbox::pending(&store).await.unwrap();
            assert!(entries.iter().all(|e| e.state == EntryState::Pending));
            let sent = push_body(&entries);
            let typed = PushRequest { mutations: saved };
            assert_eq!(serde_json::from_str::<PushRequest>(&sent).unwrap(), typed);
            assert_eq!(sent.matches(r#""body":{"type":"#).count(), 2, "{sent}");
        });
    }
}
