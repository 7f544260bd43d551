//! The township's publishing over the API: a catalogue or a policy checked (a dry run) or
//! proposed, the proposals awaiting a second person with the history of versions, and the
//! second person's decision. A catalogue refused line by line keeps every line named.

use cunbao_domain::publication::{PublicationProposal, Publications};
use cunbao_domain::publishing::{
    CataloguePublication, LineProblem, PolicyPublication, PublishCatalogueRequest,
    PublishPolicyRequest,
};
use cunbao_domain::second_person::ProposalDecision;

use super::transport::{error_from, Api, HttpClient, TransportError};

/// A file the server refused: why, and each wrong line when it named them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error: TransportError,
    pub lines: Vec<LineProblem>,
}

impl From<TransportError> for Refusal {
    fn from(error: TransportError) -> Refusal {
        Refusal {
            error,
            lines: Vec::new(),
        }
    }
}

fn body(value: &impl serde::Serialize) -> Option<String> {
    Some(serde_json::to_string(value).expect("request bodies serialise"))
}

impl<C: HttpClient> Api<C> {
    /// Township staff: checks a catalogue CSV against the one in force on its day and, unless
    /// a dry run, proposes it.
    pub async fn publish_catalogue(
        &self,
        token: &str,
        request: &PublishCatalogueRequest,
    ) -> Result<CataloguePublication, Refusal> {
        let path = "/api/v1/publish/catalogue";
        let (status, json) = self
            .0
            .send("POST", path, Some(token), body(request))
            .await?;
        if !(200..300).contains(&status) {
            return Err(Refusal {
                error: error_from(status, &json),
                lines: serde_json::from_value(json["lines"].clone()).unwrap_or_default(),
            });
        }
        serde_json::from_value(json)
            .map_err(|e| Refusal::from(TransportError::Unavailable(e.to_string())))
    }

    /// Township staff: checks a policy against the latest of its year and, unless a dry run,
    /// proposes it.
    pub async fn publish_policy(
        &self,
        token: &str,
        request: &PublishPolicyRequest,
    ) -> Result<PolicyPublication, TransportError> {
        self.call("POST", "/api/v1/publish/policy", Some(token), body(request))
            .await
    }

    /// Township staff: proposals awaiting a second person, the latest decided, and every
    /// published version.
    pub async fn publications(&self, token: &str) -> Result<Publications, TransportError> {
        self.call("GET", "/api/v1/publish/proposals", Some(token), None)
            .await
    }

    /// Township staff other than the proposer: approves (it is published) or refuses.
    pub async fn decide_publication(
        &self,
        token: &str,
        proposal_id: &str,
        decision: &ProposalDecision,
    ) -> Result<PublicationProposal, TransportError> {
        let path = format!(
            "/api/v1/publish/proposals/{}/decision",
            crate::township::review::escape(proposal_id)
        );
        self.call("POST", &path, Some(token), body(decision)).await
    }
}
