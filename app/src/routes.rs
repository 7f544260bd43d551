//! The app's addresses: the sections (one typed list drives the navigation bar and the start
//! screen) and [`Route`], every address a link or a navigation goes to.

use crate::i18n::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Residents,
    Enrol,
    Settlement,
    Today,
    Sync,
    /// The township's review queue (审核队列): township staff only.
    Review,
    /// The monthly statements per clinic (月度结算单): township staff only.
    Statements,
    /// The cash clinics hand in (现金解缴): township staff only.
    Cash,
    /// Voids and refunds awaiting a second person (双人复核): township staff only.
    Proposals,
    /// Chronic qualifications (慢特病认定): applications to decide, and the registry.
    Chronic,
    /// The township's tablets: last sync, work not uploaded, revoking a lost one.
    Devices,
    /// The township's users: create, reset a password, disable, move to another clinic.
    Users,
    /// Catalogue and policy publications: check, propose, approve, history.
    Publishing,
    /// The township's dashboard: charts with their tables and CSVs.
    Dashboard,
    /// The township's monthly report (月度报表): one month's tables, on A4 and as CSV.
    Report,
    Township,
}

impl Section {
    pub const ALL: [Section; 17] = [
        Section::Home,
        Section::Residents,
        Section::Enrol,
        Section::Settlement,
        Section::Today,
        Section::Dashboard,
        Section::Report,
        Section::Review,
        Section::Statements,
        Section::Cash,
        Section::Proposals,
        Section::Chronic,
        Section::Devices,
        Section::Users,
        Section::Publishing,
        Section::Township,
        Section::Sync,
    ];

    /// Whether the section is offered (tab and tile) to township staff, or to a clinic: the
    /// clinic desk to clinics, the township's screens to its staff, the rest to both.
    pub fn offered_to(self, township_staff: bool) -> bool {
        if self.is_clinic_desk() {
            !township_staff
        } else if self.is_township() {
            township_staff
        } else {
            true
        }
    }

    /// The township's screens (online, staff only).
    pub fn is_township(self) -> bool {
        matches!(
            self,
            Section::Review
                | Section::Statements
                | Section::Cash
                | Section::Proposals
                | Section::Chronic
                | Section::Devices
                | Section::Users
                | Section::Publishing
                | Section::Dashboard
                | Section::Report
                | Section::Township
        )
    }

    /// The clinic desk's own work (enrolment, settlement and their lists), which township staff
    /// do not do on a tablet.
    pub fn is_clinic_desk(self) -> bool {
        matches!(
            self,
            Section::Residents | Section::Enrol | Section::Settlement | Section::Today
        )
    }

    pub fn path(self) -> &'static str {
        match self {
            Section::Home => "/",
            Section::Residents => "/residents",
            Section::Enrol => "/enrol",
            Section::Settlement => "/settlement",
            Section::Today => "/today",
            Section::Sync => "/sync",
            Section::Review => "/township/review",
            Section::Statements => "/township/statements",
            Section::Cash => "/township/cash",
            Section::Proposals => "/township/proposals",
            Section::Devices => "/township/devices",
            Section::Users => "/township/users",
            Section::Publishing => "/township/publishing",
            Section::Dashboard => "/township/dashboard",
            Section::Report => "/township/report",
            Section::Chronic => "/township/chronic",
            Section::Township => "/township",
        }
    }

    pub fn label(self) -> Key {
        match self {
            Section::Home => Key::NavHome,
            Section::Residents => Key::NavResidents,
            Section::Enrol => Key::NavEnrol,
            Section::Settlement => Key::NavSettlement,
            Section::Today => Key::NavToday,
            Section::Sync => Key::NavSync,
            Section::Review => Key::NavReview,
            Section::Statements => Key::NavStatements,
            Section::Cash => Key::NavCash,
            Section::Proposals => Key::NavProposals,
            Section::Devices => Key::NavDevices,
            Section::Users => Key::NavUsers,
            Section::Publishing => Key::NavPublishing,
            Section::Dashboard => Key::NavDashboard,
            Section::Report => Key::NavReport,
            Section::Chronic => Key::NavChronic,
            Section::Township => Key::NavTownship,
        }
    }

    /// What the section offers, on the start screen's tiles.
    pub fn plan(self) -> Option<Key> {
        match self {
            Section::Home => None,
            Section::Residents => Some(Key::ResidentsPlan),
            Section::Enrol => Some(Key::EnrolPlan),
            Section::Settlement => Some(Key::SettlementPlan),
            Section::Today => Some(Key::TodayPlan),
            Section::Sync => Some(Key::SyncPlan),
            Section::Review => Some(Key::ReviewPlan),
            Section::Statements => Some(Key::StatementsPlan),
            Section::Cash => Some(Key::CashPlan),
            Section::Proposals => Some(Key::ProposalsHelp),
            Section::Devices => Some(Key::DevicesPlan),
            Section::Users => Some(Key::UsersPlan),
            Section::Publishing => Some(Key::PublishingPlan),
            Section::Dashboard => Some(Key::DashboardPlan),
            Section::Report => Some(Key::ReportPlan),
            Section::Chronic => Some(Key::ChronicPlan),
            Section::Township => Some(Key::TownshipPlan),
        }
    }

    pub fn from_path(path: &str) -> Option<Section> {
        let path = path.trim_end_matches('/');
        let path = if path.is_empty() { "/" } else { path };
        Section::ALL.into_iter().find(|s| s.path() == path)
    }
}

/// The app is built twice: the clinic's build, served at every address but `/township` and
/// kept by the service worker for offline work, and the township's, served under `/township`
/// (online, staff only). A clinic tablet never downloads the township's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    Clinic,
    Township,
}

impl Bundle {
    /// Where the build starts.
    pub fn root(self) -> &'static str {
        match self {
            Bundle::Clinic => Section::Home.path(),
            Bundle::Township => Section::Township.path(),
        }
    }

    /// The build a user works in: township staff the township's, everyone else the clinic's.
    pub fn for_user(township_staff: bool) -> Bundle {
        if township_staff {
            Bundle::Township
        } else {
            Bundle::Clinic
        }
    }

    /// The build the server answers `path` with.
    pub fn serving(path: &str) -> Bundle {
        let root = Bundle::Township.root();
        match path.strip_prefix(root) {
            Some("") => Bundle::Township,
            Some(rest) if rest.starts_with('/') => Bundle::Township,
            _ => Bundle::Clinic,
        }
    }

    /// Whether the build has `section`'s screen: the clinic's has the desk, the township's
    /// the township's screens, both the start screen and sync.
    pub fn has(self, section: Section) -> bool {
        match self {
            Bundle::Clinic => !section.is_township(),
            Bundle::Township => !section.is_clinic_desk(),
        }
    }
}

/// Every address the app links or navigates to. Pages build addresses only through
/// [`Route::href`]; the router (`ui::App`) matches them with [`Route::pattern`]'s patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// A section's own screen.
    Section(Section),
    /// One resident (an enrolment) and their household.
    Resident { enrolment_id: &'a str },
    /// The receipt of a household's contributions.
    Receipt { receipt_no: &'a str },
    /// The slip of a saved claim: the settlement screen shows it at this address.
    Slip { claim_id: &'a str },
    /// The settlement form with the patient already chosen.
    SettleFor { enrolment_id: &'a str },
    /// The enrolment form, adding to an enrolled household.
    AddToHousehold { household_id: &'a str },
    /// A claim's review page (township staff).
    ReviewClaim { claim_id: &'a str },
    /// A clinic's statement of a month (township staff).
    Statement { clinic_id: &'a str, month: &'a str },
}

impl Route<'_> {
    pub fn href(&self) -> String {
        match *self {
            Route::Section(section) => section.path().to_string(),
            Route::Resident { enrolment_id } => format!("/residents/{enrolment_id}"),
            Route::Receipt { receipt_no } => format!("/receipt/{receipt_no}"),
            Route::Slip { claim_id } => format!("{}/{claim_id}", Section::Settlement.path()),
            Route::SettleFor { enrolment_id } => {
                format!("{}?patient={enrolment_id}", Section::Settlement.path())
            }
            Route::AddToHousehold { household_id } => {
                format!("{}?household={household_id}", Section::Enrol.path())
            }
            Route::ReviewClaim { claim_id } => format!(
                "{}/{}",
                Section::Review.path(),
                crate::township::review::escape(claim_id)
            ),
            Route::Statement { clinic_id, month } => format!(
                "{}/{}/{}",
                Section::Statements.path(),
                crate::township::review::escape(clinic_id),
                crate::township::review::escape(month)
            ),
        }
    }

    /// The router's path pattern that matches [`Route::href`] (the router's `path!` takes
    /// these same strings as literals).
    pub fn pattern(&self) -> &'static str {
        match *self {
            Route::Section(section) => section.pattern(),
            Route::Resident { .. } => "/residents/:id",
            Route::Receipt { .. } => "/receipt/:no",
            Route::Slip { .. } | Route::SettleFor { .. } => Section::Settlement.pattern(),
            Route::AddToHousehold { .. } => Section::Enrol.pattern(),
            Route::ReviewClaim { .. } => "/township/review/:claim",
            Route::Statement { .. } => "/township/statements/:clinic/:month",
        }
    }
}

impl From<Section> for Route<'_> {
    fn from(section: Section) -> Self {
        Route::Section(section)
    }
}

impl Section {
    /// The router's path pattern for the section's screen.
    pub fn pattern(self) -> &'static str {
        match self {
            Section::Settlement => "/settlement/:claim?",
            section => section.path(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_build_serves_its_own_addresses() {
        assert_eq!(Bundle::serving("/"), Bundle::Clinic);
        assert_eq!(Bundle::serving("/sync"), Bundle::Clinic);
        assert_eq!(Bundle::serving("/townships"), Bundle::Clinic);
        assert_eq!(Bundle::serving("/township"), Bundle::Township);
        assert_eq!(Bundle::serving("/township/review/k-1"), Bundle::Township);
        for bundle in [Bundle::Clinic, Bundle::Township] {
            assert_eq!(Bundle::serving(bundle.root()), bundle);
        }
        assert_eq!(Bundle::for_user(true), Bundle::Township);
        assert_eq!(Bundle::for_user(false), Bundle::Clinic);
        // Every section a user is offered is in their build, at an address it is served at
        // (or one both builds have).
        for staff in [true, false] {
            let bundle = Bundle::for_user(staff);
            for section in Section::ALL.into_iter().filter(|s| s.offered_to(staff)) {
                assert!(bundle.has(section), "{section:?}");
                let served = Bundle::serving(section.path());
                assert!(served == bundle || served.has(section), "{section:?}");
            }
        }
        assert!(!Bundle::Clinic.has(Section::Review));
        assert!(!Bundle::Township.has(Section::Settlement));
    }

    #[test]
    fn paths_are_unique_and_round_trip() {
        for section in Section::ALL {
            assert_eq!(Section::from_path(section.path()), Some(section));
        }
        assert_eq!(Section::from_path("/residents/"), Some(Section::Residents));
        assert_eq!(Section::from_path("/nowhere"), None);
    }

    /// Whether `href` (query string aside) matches a router pattern: `:name` is one segment,
    /// `:name?` an optional last one.
    fn matches(pattern: &str, href: &str) -> bool {
        let path = href.split('?').next().unwrap_or_default();
        let mut wanted = pattern.split('/').skip(1).filter(|s| !s.is_empty());
        let mut given = path.split('/').skip(1).filter(|s| !s.is_empty());
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return true,
                (Some(w), None) => return w.ends_with('?') && wanted.next().is_none(),
                (None, Some(_)) => return false,
                (Some(w), Some(g)) if w.starts_with(':') || w == g => {}
                (Some(_), Some(_)) => return false,
            }
        }
    }

    #[test]
    fn hrefs_are_the_app_addresses() {
        let cases = [
            (Route::Section(Section::Home), "/"),
            (Route::Section(Section::Township), "/township"),
            (
                Route::Resident {
                    enrolment_id: "e-1",
                },
                "/residents/e-1",
            ),
            (
                Route::Receipt {
                    receipt_no: "R20250101-0001",
                },
                "/receipt/R20250101-0001",
            ),
            (Route::Slip { claim_id: "c-1" }, "/settlement/c-1"),
            (
                Route::ReviewClaim { claim_id: "k-1" },
                "/township/review/k-1",
            ),
            (
                Route::Statement {
                    clinic_id: "clinic-lijia",
                    month: "2026-11",
                },
                "/township/statements/clinic-lijia/2026-11",
            ),
            (
                Route::SettleFor {
                    enrolment_id: "e-1",
                },
                "/settlement?patient=e-1",
            ),
            (
                Route::AddToHousehold {
                    household_id: "h-1",
                },
                "/enrol?household=h-1",
            ),
        ];
        for (route, href) in cases {
            assert_eq!(route.href(), href);
        }
        assert_eq!(Route::from(Section::Sync).href(), "/sync");
    }

    #[test]
    fn hrefs_match_their_router_patterns() {
        let mut routes: Vec<Route> = Section::ALL.into_iter().map(Route::Section).collect();
        routes.extend([
            Route::Resident {
                enrolment_id: "e-1",
            },
            Route::Receipt { receipt_no: "R1" },
            Route::Slip { claim_id: "c-1" },
            Route::SettleFor {
                enrolment_id: "e-1",
            },
            Route::AddToHousehold {
                household_id: "h-1",
            },
        ]);
        for route in routes {
            assert!(matches(route.pattern(), &route.href()), "{route:?}");
        }
        assert!(!matches("/residents/:id", "/residents"));
        assert!(!matches("/receipt/:no", "/residents/e-1"));
    }
}
