//! What the server pays by: the published policies and the catalogue in force, read from the
//! database ([`InForce::load`]) and held between requests by [`Current`], which reads them
//! again when a version is published (by this process or any other) or the day changes.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::NaiveDate;
use cunbao_domain::catalogue::Catalogue;
use cunbao_domain::policy::Policy;
use sqlx::AnyPool;

use crate::error::ApiError;
use crate::published::{self, VersionKind};

#[derive(Debug, Clone)]
pub struct InForce {
    /// The catalogue in force: the latest published that has taken effect.
    pub catalogue: Arc<Catalogue>,
    /// The policy in force: the latest published that has taken effect.
    pub policy: Arc<Policy>,
    /// Every published policy, by version: a claim or enrolment is checked under the version
    /// it names.
    policies: HashMap<String, Arc<Policy>>,
    /// Every published catalogue with the day it took effect, in order of effect: a claim is
    /// priced from the catalogue in force on its visit date.
    catalogues: Vec<(NaiveDate, Arc<Catalogue>)>,
    /// The day these were read for (the server's today).
    pub day: NaiveDate,
}

/// Why a claim's catalogue version cannot price it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogueProblem {
    /// No such version was ever published.
    Unknown,
    /// The version had not taken effect on the visit date.
    NotYetInForce,
}

impl InForce {
    /// Reads the published versions; those in force on `today` are the latest that have taken
    /// effect (or the earliest, when none has yet).
    pub async fn load(db: &AnyPool, today: NaiveDate) -> Result<InForce, ApiError> {
        let policies = published::all::<Policy>(db, VersionKind::Policy).await?;
        let policy = in_force(&policies, today)
            .ok_or_else(|| ApiError::internal("no policy is published"))?
            .clone();
        let catalogues: Vec<(NaiveDate, Arc<Catalogue>)> =
            published::all::<Catalogue>(db, VersionKind::Catalogue)
                .await?
                .into_iter()
                .map(|v| (v.effective_from, Arc::new(v.body)))
                .collect();
        let catalogue = catalogues
            .iter()
            .rev()
            .find(|(from, _)| *from <= today)
            .or(catalogues.first())
            .map(|(_, c)| c.clone())
            .ok_or_else(|| ApiError::internal("no catalogue is published"))?;
        Ok(InForce {
            policy: Arc::new(policy),
            catalogue,
            policies: policies
                .into_iter()
                .map(|p| (p.version, Arc::new(p.body)))
                .collect(),
            catalogues,
            day: today,
        })
    }

    /// The catalogue a claim naming `version` for a visit on `date` is priced from: the one in
    /// force on that date, provided the named version exists and had taken effect by then (a
    /// tablet that settled under a version since replaced is re-priced under its successor).
    pub fn catalogue_for_visit(
        &self,
        version: &str,
        date: NaiveDate,
    ) -> Result<&Catalogue, CatalogueProblem> {
        let (from, _) = self
            .catalogues
            .iter()
            .find(|(_, c)| c.version == version)
            .ok_or(CatalogueProblem::Unknown)?;
        if *from > date {
            return Err(CatalogueProblem::NotYetInForce);
        }
        let (_, in_force) = self
            .catalogues
            .iter()
            .rev()
            .find(|(from, _)| *from <= date)
            .expect("the named version is in force or later");
        Ok(in_force)
    }

    /// Every published policy's version, oldest scheme year first.
    pub fn policy_versions(&self) -> Vec<String> {
        let mut all: Vec<&Arc<Policy>> = self.policies.values().collect();
        all.sort_by(|a, b| (a.scheme_year, &a.version).cmp(&(b.scheme_year, &b.version)));
        all.into_iter().map(|p| p.version.clone()).collect()
    }

    /// A published policy by version.
    pub fn policy(&self, version: &str) -> Option<&Policy> {
        self.policies.get(version).map(Arc::as_ref)
    }
}

/// The body of the latest version effective on `today` (versions come sorted by effect).
fn in_force<T>(versions: &[published::Published<T>], today: NaiveDate) -> Option<&T> {
    versions
        .iter()
        .rev()
        .find(|v| v.effective_from <= today)
        .or(versions.first())
        .map(|v| &v.body)
}

/// The versions in force, as of the last check: what was published (the number of versions)
/// and the day they were read for.
struct Held {
    generation: i64,
    day: NaiveDate,
    in_force: Arc<InForce>,
}

/// The holder every request asks for what is in force ([`Current::get`]): one cheap query
/// tells whether anything was published since; if so, or on a new day, it reads again.
pub struct Current {
    held: RwLock<Option<Held>>,
    /// A catalogue that overrides the published ones (benchmarks serve a synthetic one).
    pinned_catalogue: Option<Arc<Catalogue>>,
}

impl Current {
    pub fn new(pinned_catalogue: Option<Catalogue>) -> Current {
        Current {
            held: RwLock::new(None),
            pinned_catalogue: pinned_catalogue.map(Arc::new),
        }
    }

    pub async fn get(&self, db: &AnyPool) -> Result<Arc<InForce>, ApiError> {
        let generation = published::generation(db).await?;
        let day = crate::clock::today();
        if let Some(held) = self.held.read().expect("not poisoned").as_ref() {
            if held.generation == generation && held.day == day {
                return Ok(held.in_force.clone());
            }
        }
        let mut in_force = InForce::load(db, day).await?;
        if let Some(catalogue) = &self.pinned_catalogue {
            in_force.catalogue = catalogue.clone();
        }
        let in_force = Arc::new(in_force);
        *self.held.write().expect("not poisoned") = Some(Held {
            generation,
            day,
            in_force: in_force.clone(),
        });
        Ok(in_force)
    }
}
