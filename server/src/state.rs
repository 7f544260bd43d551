//! What the server pays by: the published policies and the catalogue in force, read from the
//! database once at start ([`InForce::load`]) and held for every request.

use std::collections::HashMap;
use std::sync::Arc;

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
}

impl InForce {
    /// Reads the published versions; those in force on `today` are the latest that have taken
    /// effect (or the earliest, when none has yet).
    pub async fn load(db: &AnyPool, today: NaiveDate) -> Result<InForce, ApiError> {
        let policies = published::all::<Policy>(db, VersionKind::Policy).await?;
        let catalogues = published::all::<Catalogue>(db, VersionKind::Catalogue).await?;
        let policy = in_force(&policies, today)
            .ok_or_else(|| ApiError::internal("no policy is published"))?;
        let catalogue = in_force(&catalogues, today)
            .ok_or_else(|| ApiError::internal("no catalogue is published"))?;
        Ok(InForce {
            policy: Arc::new(policy.clone()),
            catalogue: Arc::new(catalogue.clone()),
            policies: policies
                .into_iter()
                .map(|p| (p.version, Arc::new(p.body)))
                .collect(),
        })
    }

    /// A published policy by version.
    pub fn policy(&self, version: &str) -> Option<&Policy> {
        self.policies.get(version).map(Arc::as_ref)
    }

    /// Serves another catalogue (benchmarks use a large synthetic one).
    pub fn with_catalogue(mut self, catalogue: Catalogue) -> InForce {
        self.catalogue = Arc::new(catalogue);
        self
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
