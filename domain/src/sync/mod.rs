//! The sync contract's wire types (ENGINEERING.md §3), shared by the server and the app.
//!
//! Every record made offline carries a client-generated `record_id`; every change is a
//! [`Mutation`] with a per-device sequence number. The server applies a device's mutations in
//! order, exactly once, and answers each one. Pull is incremental from a server cursor.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::claim::Claim;
use crate::enrolment::{Correction, Member, RefundReason, StopReason};
use crate::id_number::IdNumber;
use crate::money::Money;
use crate::policy::ChronicCondition;
use crate::text::Text;

mod accumulator;
mod after_enrolment;
mod change;

pub use accumulator::AccumulatorKey;
pub use after_enrolment::{ProposedRefund, RecordedCorrection, RecordedStop};
pub use change::{
    Adjustment, Change, ChangeBody, ChangeKind, ClaimOutcome, DuplicateEnrolment,
    RecordedContribution, RecordedEnrolment, RefundDue, Voided, YearToDate,
};

/// Largest number of mutations accepted in one push.
pub const MAX_BATCH: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村医 / 医保协办员: works for one clinic.
    ClinicAssistant,
    /// 乡镇医保服务站: sees every clinic of the township.
    TownshipReviewer,
    /// Manages users and devices of the township.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 3] = [
        Role::ClinicAssistant,
        Role::TownshipReviewer,
        Role::Administrator,
    ];

    /// As stored and sent (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ClinicAssistant => "clinic_assistant",
            Role::TownshipReviewer => "township_reviewer",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
    /// A name for the device, shown to administrators ("卫生室平板1").
    pub device_name: String,
    /// The tablet's own id (kept on it across sign-ins): the server answers with the escrow
    /// secret of that tablet's data key ([`SignInResponse::escrow_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tablet_id: Option<String>,
    /// The user's new password, replacing `password` (required when the server answers
    /// `password_change_required`: a first or a reset password is changed before any token is
    /// issued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub township_id: String,
    #[serde(default)]
    pub clinic_id: Option<String>,
}

impl UserInfo {
    /// Whose data a tablet this user signs in on holds: their clinic's, or (township staff)
    /// their township's. A tablet holds one holder's data at a time.
    pub fn holder(&self) -> String {
        match &self.clinic_id {
            Some(clinic) => format!("clinic:{clinic}"),
            None => format!("township:{}", self.township_id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    /// Bearer token for this device; shown once, stored hashed on the server.
    pub token: String,
    pub device_id: String,
    pub user: UserInfo,
    /// The secret (32 bytes, hex) the tablet's data key is escrowed with, for the tablet named
    /// in the request and the user's clinic ([`UserInfo::holder`]); none without a tablet id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrow_key: Option<String>,
}

/// The server's answer at the start of every sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handshake {
    /// Changes when the database is created anew; a device that knew another epoch re-sends.
    pub server_epoch: String,
    /// The last of this device's mutations the server holds. A device whose acknowledged
    /// work is above this (the server was restored from a backup) re-sends it.
    pub last_applied_seq: u64,
    pub user: UserInfo,
    /// The catalogue and policy versions in force; a device holding others downloads them.
    pub catalogue_version: String,
    pub policy_version: String,
    /// Every published policy: a tablet settles each visit under its year's policy and
    /// collects next year's contributions under next year's, so it holds them all.
    #[serde(default)]
    pub policy_versions: Vec<String>,
    /// A fresh token for this device, when the one used was due for renewal: the tablet keeps
    /// it at once and uses it from then on (the old one is refused once the new one is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewed_token: Option<String>,
}

/// One page of the catalogue in force (`GET /api/v1/catalogue?offset=&limit=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CataloguePage {
    pub version: String,
    pub published_on: NaiveDate,
    pub total: u64,
    pub offset: u64,
    pub items: Vec<crate::catalogue::CatalogueItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Per-device sequence number, 1, 2, 3, … with no gaps.
    pub seq: u64,
    /// The client-generated id of the record this mutation creates or changes.
    pub record_id: String,
    /// Who made the record, signed in on the tablet when it was saved: the server checks they
    /// are a user of the device's clinic and credits the record to them, whoever pushes it.
    /// Absent only in entries saved by tablets older than the field: the pushing user stands
    /// in, and the audit says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<Operator>,
    pub body: MutationBody,
}

/// The user who made a record (经办人 / 收款人), as the tablet knew them when it was saved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Operator {
    pub username: String,
    /// The name printed on receipts and slips; the server records its own for the username.
    pub display_name: String,
}

impl Operator {
    /// The signed-in user as an operator.
    pub fn of(user: &UserInfo) -> Operator {
        Operator {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
        }
    }
}

/// The longest username the server accepts as an operator (letters, digits and '._-').
pub const MAX_USERNAME_CHARS: usize = 64;
/// The longest display name of an operator.
pub const MAX_DISPLAY_NAME_CHARS: usize = 50;

/// Whether `username` could name a user: 1 to [`MAX_USERNAME_CHARS`] of `[A-Za-z0-9._-]`.
pub fn valid_username(username: &str) -> bool {
    !username.is_empty()
        && username.len() <= MAX_USERNAME_CHARS
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MutationBody {
    /// A person enrolled for a scheme year, as a member of a household.
    Enrolment {
        household_id: String,
        member: Member,
        scheme_year: i32,
        enrolled_on: NaiveDate,
        policy_version: String,
    },
    /// Cash collected, with its receipt number (unique per device).
    Contribution {
        receipt_no: String,
        household_id: String,
        /// The enrolments (record ids) the payment covers.
        enrolment_ids: Vec<String>,
        amount: Money,
        collected_on: NaiveDate,
    },
    /// An outpatient claim settled (or saved for review) on the tablet (boxed: it is most of
    /// a batch's size).
    Claim(Box<Claim>),
    /// Voids a record of this device that the township has not yet acted on.
    Void {
        target_record_id: String,
        reason: String,
    },
    /// Cover of one of the clinic's enrolments stops from a day (停保); `record_id` names the
    /// stop.
    StopCover {
        enrolment_id: String,
        from: NaiveDate,
        reason: StopReason,
    },
    /// A misspelt name or a wrong phone of one of the clinic's enrolments corrected (更正);
    /// never the ID number. `record_id` names the correction.
    Correction {
        enrolment_id: String,
        correction: Correction,
    },
    /// A refund of one of the clinic's contributions proposed (退费申请), for the township
    /// to approve; `record_id` names the proposal.
    RefundProposal {
        contribution_id: String,
        reason: RefundReason,
    },
    /// A void of one of the clinic's claims that has synced proposed (作废申请), for a township
    /// user to approve (双人复核); `record_id` names the proposal.
    VoidProposal { claim_id: String, reason: String },
    /// An application for a chronic qualification (门诊慢特病认定) for a person enrolled at
    /// the clinic, on a hospital's diagnosis document, for the township to decide;
    /// `record_id` names the application.
    QualificationApplication {
        person: IdNumber,
        condition: ChronicCondition,
        evidence: String,
        applied_on: NaiveDate,
    },
}

impl MutationBody {
    /// The kind of mutation, as the server's log and audit name it.
    pub fn kind(&self) -> &'static str {
        match self {
            MutationBody::Enrolment { .. } => "enrolment",
            MutationBody::Contribution { .. } => "contribution",
            MutationBody::Claim(_) => "claim",
            MutationBody::Void { .. } => "void",
            MutationBody::StopCover { .. } => "stop_cover",
            MutationBody::Correction { .. } => "correction",
            MutationBody::RefundProposal { .. } => "refund_proposal",
            MutationBody::VoidProposal { .. } => "void_proposal",
            MutationBody::QualificationApplication { .. } => "qualification_application",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    Applied,
    /// Sent before and applied then; the original answer is repeated.
    AlreadyApplied,
    /// A business rejection: shown to the user; the queue moves on.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub seq: u64,
    pub record_id: String,
    pub status: MutationStatus,
    /// With `AlreadyApplied`: what the first answer was (applied or rejected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_status: Option<MutationStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_en: Option<String>,
    /// For a duplicate: the record that stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl MutationResult {
    fn answer(m: &Mutation, status: MutationStatus) -> MutationResult {
        MutationResult::answer_at(m.seq, &m.record_id, status)
    }

    fn answer_at(seq: u64, record_id: &str, status: MutationStatus) -> MutationResult {
        MutationResult {
            seq,
            record_id: record_id.to_string(),
            status,
            original_status: None,
            code: None,
            message_zh: None,
            message_en: None,
            reference: None,
        }
    }

    /// Applied, with nothing more to say.
    pub fn applied(m: &Mutation) -> MutationResult {
        MutationResult::answer(m, MutationStatus::Applied)
    }

    /// Applied, with a note for the clinic (an adjustment, a refund owed).
    pub fn applied_with(m: &Mutation, code: &str, message: Text) -> MutationResult {
        MutationResult::applied(m).with(code, message)
    }

    /// A business rejection: shown to the user with its reason; the queue moves on.
    pub fn rejected(m: &Mutation, code: &str, message: Text) -> MutationResult {
        MutationResult::answer(m, MutationStatus::Rejected).with(code, message)
    }

    /// A mutation that could not even be read, refused at its place in the sequence.
    pub fn unreadable(seq: u64, record_id: &str, code: &str, message: Text) -> MutationResult {
        MutationResult::answer_at(seq, record_id, MutationStatus::Rejected).with(code, message)
    }

    /// The mutation came before: the first answer, repeated. An answer that was itself a
    /// repetition keeps the first status (applied or rejected).
    pub fn already_applied(original: MutationResult) -> MutationResult {
        let first = match (original.status, original.original_status) {
            (MutationStatus::AlreadyApplied, Some(first)) => first,
            (status, _) => status,
        };
        MutationResult {
            status: MutationStatus::AlreadyApplied,
            original_status: Some(first),
            ..original
        }
    }

    /// An earlier mutation of the device is missing (`expected` is the next the server
    /// takes): this one waits until it comes.
    pub fn sequence_gap(m: &Mutation, expected: u64) -> MutationResult {
        MutationResult::sequence_gap_at(m.seq, &m.record_id, expected)
    }

    /// [`MutationResult::sequence_gap`] for a mutation known by its place and record id.
    pub fn sequence_gap_at(seq: u64, record_id: &str, expected: u64) -> MutationResult {
        MutationResult::unreadable(
            seq,
            record_id,
            SEQUENCE_GAP,
            Text::new(
                format!("缺少第{seq}条之前的数据，请从第{expected}条重新上传"),
                format!("Mutations before {seq} are missing; send again from {expected}"),
            ),
        )
    }

    /// Names the record that stands (for a duplicate) or was made (an adjustment).
    pub fn referring_to(self, reference: String) -> MutationResult {
        MutationResult {
            reference: Some(reference),
            ..self
        }
    }

    fn with(self, code: &str, message: Text) -> MutationResult {
        MutationResult {
            code: Some(code.to_string()),
            message_zh: Some(message.zh),
            message_en: Some(message.en),
            ..self
        }
    }

    /// The message in both languages, if there is one.
    pub fn message(&self) -> Option<Text> {
        match (&self.message_zh, &self.message_en) {
            (Some(zh), Some(en)) => Some(Text::new(zh.clone(), en.clone())),
            (Some(zh), None) => Some(Text::same(zh.clone())),
            _ => None,
        }
    }
}

/// The code of the answer to a mutation that came before an earlier one of its device.
pub const SEQUENCE_GAP: &str = "sequence_gap";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
    pub last_applied_seq: u64,
    /// When the push asked for it (`pull_after`): the caller's changes after that cursor, read
    /// once the batch had committed, as a pull would answer them. A round then needs no request
    /// of its own for its first page (one round trip fewer on a slow line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulled: Option<PullResponse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass this back as `after` for the next page.
    pub cursor: u64,
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn void() -> serde_json::Value {
        json!({ "type": "void", "target_record_id": "k-1", "reason": "录入错误" })
    }

    #[test]
    fn a_mutation_carries_its_operator_and_one_saved_before_operators_still_reads() {
        let old: Mutation =
            serde_json::from_value(json!({ "seq": 1, "record_id": "k-2", "body": void() }))
                .unwrap();
        assert_eq!(old.operator, None);
        let wire = json!({
            "seq": 2,
            "record_id": "k-3",
            "operator": { "username": "lijia", "display_name": "王秀兰" },
            "body": void(),
        });
        let m: Mutation = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(m.operator.as_ref().unwrap().username, "lijia");
        assert_eq!(serde_json::to_value(&m).unwrap(), wire);
        // Nothing else rides along, at either level.
        let mut extra = wire.clone();
        extra["operator"]["role"] = json!("administrator");
        assert!(serde_json::from_value::<Mutation>(extra).is_err());
        let mut extra = wire;
        extra["pusher"] = json!("lijia2");
        assert!(serde_json::from_value::<Mutation>(extra).is_err());
    }

    #[test]
    fn usernames_are_short_and_plain() {
        assert!(valid_username("lijia2"));
        assert!(valid_username("a.b_c-d"));
        assert!(!valid_username(""));
        assert!(!valid_username("李家"));
        assert!(!valid_username("lijia;drop"));
        assert!(!valid_username(&"a".repeat(65)));
    }
}
