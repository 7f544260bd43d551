//! The app's sections: one typed list drives the router and the navigation bar.

use crate::i18n::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Residents,
    Settlement,
    Sync,
    Township,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Home,
        Section::Residents,
        Section::Settlement,
        Section::Sync,
        Section::Township,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Section::Home => "/",
            Section::Residents => "/residents",
            Section::Settlement => "/settlement",
            Section::Sync => "/sync",
            Section::Township => "/township",
        }
    }

    pub fn label(self) -> Key {
        match self {
            Section::Home => Key::NavHome,
            Section::Residents => Key::NavResidents,
            Section::Settlement => Key::NavSettlement,
            Section::Sync => Key::NavSync,
            Section::Township => Key::NavTownship,
        }
    }

    /// What the section will offer, shown while it is not built yet.
    pub fn plan(self) -> Option<Key> {
        match self {
            Section::Home => None,
            Section::Residents => Some(Key::ResidentsPlan),
            Section::Settlement => Some(Key::SettlementPlan),
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
