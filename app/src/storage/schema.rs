//! The local database's schema, versioned explicitly. Each version lists the object stores it
//! introduces; opening the database declares every store of every version up to the current
//! one, so an upgrade from any older version ends with the full set.

use std::fmt;

pub const DB_NAME: &str = "cunbao";

/// Bump this and add a step to `VERSIONS` for every change to the stores.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StoreName {
    Persons,
    Households,
    Enrolments,
    Contributions,
    Claims,
    CatalogueItems,
    Policies,
    /// Mutations made on this device, in sequence order, kept for the scheme year with the
    /// server's answer (a restored server gets them again).
    Outbox,
    /// Small facts about this device: its id, the chosen language, sync cursors.
    Meta,
    /// What the server told this clinic: adjustments, refunds due, duplicate enrolments.
    Notices,
}

/// The upgrade steps: (version, stores it adds).
pub const VERSIONS: &[(u32, &[StoreName])] = &[
    (
        1,
        &[
            StoreName::Persons,
            StoreName::Households,
            StoreName::Enrolments,
            StoreName::Contributions,
            StoreName::Claims,
            StoreName::CatalogueItems,
            StoreName::Policies,
            StoreName::Outbox,
            StoreName::Meta,
        ],
    ),
    (2, &[StoreName::Notices]),
];

impl StoreName {
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreName::Persons => "persons",
            StoreName::Households => "households",
            StoreName::Enrolments => "enrolments",
            StoreName::Contributions => "contributions",
            StoreName::Claims => "claims",
            StoreName::CatalogueItems => "catalogue_items",
            StoreName::Policies => "policies",
            StoreName::Outbox => "outbox",
            StoreName::Meta => "meta",
            StoreName::Notices => "notices",
        }
    }
}

impl fmt::Display for StoreName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every store of the current schema, in declaration order.
pub fn current_stores() -> impl Iterator<Item = StoreName> {
    VERSIONS
        .iter()
        .filter(|(version, _)| *version <= SCHEMA_VERSION)
        .flat_map(|(_, stores)| stores.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn versions_are_consecutive_and_end_at_the_current_one() {
        let versions: Vec<u32> = VERSIONS.iter().map(|(v, _)| *v).collect();
        let expected: Vec<u32> = (1..=SCHEMA_VERSION).collect();
        assert_eq!(versions, expected);
    }

    #[test]
    fn store_names_are_unique_and_declared_once() {
        let names: Vec<&str> = current_stores().map(StoreName::as_str).collect();
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), unique.len());
        assert_eq!(names.len(), 10);
    }
}
