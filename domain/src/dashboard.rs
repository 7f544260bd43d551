//! The township's dashboard (`GET /api/v1/township/dashboard?year=`): the figures behind each
//! chart, for the staff's screen, its tables and its CSV.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::policy::BenefitKind;
use crate::risk::RuleId;
use crate::text::Text;

/// A clinic's enrolment for the year against the township's target for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentLine {
    pub clinic_id: String,
    pub clinic_name: String,
    pub enrolled: u32,
    /// None when the township set no target.
    pub target: Option<u32>,
}

/// A clinic's contributions collected (all receipts that stand) and the cash handed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashLine {
    pub clinic_name: String,
    pub collected: Money,
    pub handed_in: Money,
}

/// What the fund paid under one benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BenefitFund {
    pub benefit: BenefitKind,
    pub claims: u32,
    pub fund: Money,
}

/// One month of the year: the claims the fund pays for (settled, flagged, approved) and what it
/// pays, in all and by benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthLine {
    /// `YYYY-MM`.
    pub month: String,
    pub claims: u32,
    pub fund: Money,
    pub by_benefit: Vec<BenefitFund>,
}

/// How often a rule fired, in all and per clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleLine {
    pub rule: RuleId,
    pub total: u32,
    pub by_clinic: Vec<ClinicCount>,
}

/// Claims rejected for one reason, in all and per clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonLine {
    pub code: String,
    pub label: Text,
    pub total: u32,
    pub by_clinic: Vec<ClinicCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClinicCount {
    pub clinic_name: String,
    pub count: u32,
}

/// The claims waiting for review, by how long they have waited against the 24 and 48 hour
/// limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewAges {
    pub within_24h: u32,
    pub within_48h: u32,
    pub over_48h: u32,
}

/// A clinic's latest sync by any of its tablets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncLine {
    pub clinic_name: String,
    pub last_sync_at: Option<String>,
    /// Not synced for more than a day (or never).
    pub stale: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub township_name: String,
    pub scheme_year: i32,
    /// `YYYY-MM` when the figures are one month's (the monthly report): claims by their visit's
    /// month, cash by its day (a year's cash is all of it, the clinic's standing); enrolment stays the year's, review ages and syncs as at the time
    /// asked.
    #[serde(default)]
    pub month: Option<String>,
    pub enrolment: Vec<EnrolmentLine>,
    pub cash: Vec<CashLine>,
    /// January to December of the year, or the report's month alone.
    pub months: Vec<MonthLine>,
    pub rules: Vec<RuleLine>,
    pub rejections: Vec<ReasonLine>,
    pub review_ages: ReviewAges,
    pub syncs: Vec<SyncLine>,
}

/// A clinic's enrolment target for the scheme year under way, as its administrator sets it
/// (`PUT /township/clinics/{clinic}/enrolment_target`); none clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrolmentTarget {
    pub target: Option<u32>,
}

impl EnrolmentTarget {
    /// The largest target a clinic can have (a village clinic serves a few thousand people).
    pub const MAX: u32 = 100_000;
}

/// The dashboard's tables, each downloadable as CSV (`GET /township/dashboard.csv?table=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DashboardTable {
    Enrolment,
    Cash,
    Months,
    Rules,
    Rejections,
    Syncs,
}

impl DashboardTable {
    pub const ALL: [DashboardTable; 6] = [
        DashboardTable::Enrolment,
        DashboardTable::Cash,
        DashboardTable::Months,
        DashboardTable::Rules,
        DashboardTable::Rejections,
        DashboardTable::Syncs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DashboardTable::Enrolment => "enrolment",
            DashboardTable::Cash => "cash",
            DashboardTable::Months => "months",
            DashboardTable::Rules => "rules",
            DashboardTable::Rejections => "rejections",
            DashboardTable::Syncs => "syncs",
        }
    }

    pub fn parse(s: &str) -> Option<DashboardTable> {
        DashboardTable::ALL.into_iter().find(|t| t.as_str() == s)
    }
}
