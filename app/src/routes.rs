//! The app's sections: one typed list drives the router and the navigation bar.

use crate::i18n::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Residents,
    Enrol,
    Settlement,
    Today,
    Sync,
    Township,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Home,
        Section::Residents,
        Section::Enrol,
        Section::Settlement,
        Section::Today,
        Section::Sync,
        Section::Township,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Section::Home => "/",
            Section::Residents => "/residents",
            Section::Enrol => "/enrol",
            Section::Settlement => "/settlement",
            Section::Today => "/today",
            Section::Sync => "/sync",
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
            Section::Township => Some(Key::TownshipPlan),
        }
    }

    pub fn from_path(path: &str) -> Option<Section> {
        let path = path.trim_end_matches('/');
        let path = if path.is_empty() { "/" } else { path };
        Section::ALL.into_iter().find(|s| s.path() == path)
    }
}

/// The slip of a saved claim: the settlement screen shows it at this address.
pub fn slip_path(claim_id: &str) -> String {
    format!("{}/{claim_id}", Section::Settlement.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_round_trip() {
        for section in Section::ALL {
            assert_eq!(Section::from_path(section.path()), Some(section));
        }
        assert_eq!(Section::from_path("/residents/"), Some(Section::Residents));
        assert_eq!(Section::from_path("/nowhere"), None);
    }
}
