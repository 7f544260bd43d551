//! What the server records of a change after enrolment (参保变更), as the feed carries it to
//! the clinic's tablets and the township's lists show it: who made it, when, from which
//! device, and — for a correction — the earlier value beside the new one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enrolment::{Correction, RefundReason, StopReason};
use crate::money::Money;

/// Cover of an enrolment stopped from a day (停保).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedStop {
    pub stop_id: String,
    pub enrolment_id: String,
    pub from: NaiveDate,
    pub reason: StopReason,
    pub clinic_id: String,
    /// Who stopped it (the user's display name) and from which device.
    pub by: String,
    pub device_id: String,
    /// The device's name as signed in ("卫生室平板1"); empty on a tablet's own copy until the
    /// server's comes back.
    #[serde(default)]
    pub device_name: String,
    /// When the server recorded it (RFC 3339).
    pub at: String,
}

/// A name or phone corrected (更正), with the value it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedCorrection {
    pub correction_id: String,
    pub enrolment_id: String,
    pub earlier: Correction,
    pub value: Correction,
    pub clinic_id: String,
    pub by: String,
    pub device_id: String,
    /// The device's name as signed in ("卫生室平板1"); empty on a tablet's own copy until the
    /// server's comes back.
    #[serde(default)]
    pub device_name: String,
    pub at: String,
}

/// A refund of a contribution proposed by a clinic (退费申请), awaiting the township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedRefund {
    pub proposal_id: String,
    pub contribution_id: String,
    pub receipt_no: String,
    pub amount: Money,
    pub reason: RefundReason,
    pub clinic_id: String,
    pub by: String,
    /// The proposer's username (a second person approves); empty in proposals recorded before
    /// the field.
    #[serde(default)]
    pub by_username: String,
    pub device_id: String,
    /// The device's name as signed in ("卫生室平板1"); empty on a tablet's own copy until the
    /// server's comes back.
    #[serde(default)]
    pub device_name: String,
    pub at: String,
}
