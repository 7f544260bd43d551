//! A catalogue or a policy proposed by one township user and published when a second approves
//! (`/api/v1/publish/proposals`), and the history of published versions with who proposed and
//! who approved each.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::second_person::ProposalDecided;
use crate::text::Text;

/// What is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PublicationKind {
    Catalogue,
    Policy,
}

impl PublicationKind {
    /// As stored (the published versions' `kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            PublicationKind::Catalogue => "catalogue",
            PublicationKind::Policy => "policy",
        }
    }

    pub fn parse(s: &str) -> Option<PublicationKind> {
        [PublicationKind::Catalogue, PublicationKind::Policy]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A proposed publication, as the township's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationProposal {
    pub proposal_id: String,
    pub kind: PublicationKind,
    pub version: String,
    pub effective_from: NaiveDate,
    /// What it changes, in words, as checked when it was proposed (the counts for a
    /// catalogue; each difference for a policy).
    pub changes: Vec<Text>,
    /// The proposer's display name and username.
    pub proposed_by: String,
    pub proposed_by_username: String,
    pub proposed_at: String,
    /// None while it awaits a second person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<ProposalDecided>,
}

/// A version in force or to come, with who proposed and who approved it (none for one
/// published at the server's console or shipped as a sample).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedVersion {
    pub kind: PublicationKind,
    pub version: String,
    pub effective_from: NaiveDate,
    pub published_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

/// `GET /publish/proposals`: what awaits a second person, what was decided lately, and every
/// published version, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Publications {
    pub awaiting: Vec<PublicationProposal>,
    pub decided: Vec<PublicationProposal>,
    pub versions: Vec<PublishedVersion>,
}
