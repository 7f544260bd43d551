//! What every request handler shares: the database, the built client, what is in force, the
//! sign-in guard, this process's figures, who may forward for clients and how long device
//! tokens live.

use std::sync::Arc;

use crate::client::ClientFiles;
use crate::error::ApiError;
use crate::state::{Current, InForce};
use crate::tokens::TokenPolicy;
use crate::{config, metrics, sign_in_guard, write_tx};

#[derive(Clone)]
pub struct AppState {
    pub db: sqlx::AnyPool,
    pub client: Arc<ClientFiles>,
    /// Where this process's write transactions begin ([`write_tx::Writers`]).
    pub writers: write_tx::Writers,
    /// Verified against when a username is unknown, so sign-in timing reveals nothing.
    pub dummy_hash: Arc<str>,
    /// The published policies and the catalogue in force, read from the database.
    pub current: Arc<Current>,
    /// Limits sign-in attempts and the password hashes in flight.
    pub sign_in_guard: Arc<sign_in_guard::SignInGuard>,
    /// This process's figures, served on the metrics address.
    pub metrics: Arc<metrics::Metrics>,
    /// The proxies whose `X-Forwarded-For` names the client (`CUNBAO_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<config::TrustedProxies>,
    /// How long device tokens live and when they are renewed (`CUNBAO_TOKEN_DAYS`).
    pub tokens: TokenPolicy,
}

impl axum::extract::FromRef<AppState> for sqlx::AnyPool {
    fn from_ref(state: &AppState) -> sqlx::AnyPool {
        state.db.clone()
    }
}

impl axum::extract::FromRef<AppState> for write_tx::Writers {
    fn from_ref(state: &AppState) -> write_tx::Writers {
        state.writers.clone()
    }
}

impl axum::extract::FromRef<AppState> for Arc<metrics::Metrics> {
    fn from_ref(state: &AppState) -> Arc<metrics::Metrics> {
        state.metrics.clone()
    }
}

impl axum::extract::FromRef<AppState> for Arc<config::TrustedProxies> {
    fn from_ref(state: &AppState) -> Arc<config::TrustedProxies> {
        state.trusted_proxies.clone()
    }
}

impl AppState {
    /// The state over an opened database; fails when nothing is in force.
    pub async fn load(db: sqlx::AnyPool, client: ClientFiles) -> Result<AppState, ApiError> {
        let state = AppState {
            writers: write_tx::Writers::for_pool(&db),
            db,
            client: Arc::new(client),
            dummy_hash: crate::auth::dummy_hash().into(),
            current: Arc::new(Current::new(None)),
            sign_in_guard: Arc::default(),
            metrics: Arc::default(),
            trusted_proxies: Arc::default(),
            tokens: TokenPolicy::default(),
        };
        state.in_force().await?;
        Ok(state)
    }

    /// What is in force now (read again after a publication or on a new day).
    pub async fn in_force(&self) -> Result<Arc<InForce>, ApiError> {
        self.current.get(&self.db).await
    }

    /// Serves another catalogue (benchmarks use a large synthetic one).
    pub fn with_catalogue(mut self, catalogue: cunbao_domain::catalogue::Catalogue) -> AppState {
        self.current = Arc::new(Current::new(Some(catalogue)));
        self
    }

    /// Issues and renews device tokens by this policy.
    pub fn with_tokens(mut self, tokens: TokenPolicy) -> AppState {
        self.tokens = tokens;
        self
    }

    /// Believes these proxies' `X-Forwarded-For` ([`config::TrustedProxies::client`]).
    pub fn with_trusted_proxies(mut self, proxies: config::TrustedProxies) -> AppState {
        self.trusted_proxies = Arc::new(proxies);
        self
    }
}
