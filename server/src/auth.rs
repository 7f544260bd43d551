//! Who is asking: passwords (argon2), device tokens (random, stored as SHA-256, revocable,
//! expiring and renewed: [`crate::tokens`]) and
//! the [`Caller`] every protected handler receives.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use cunbao_domain::sync::{Role, UserInfo};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use std::sync::Arc;

use crate::accounts;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::tokens::Presented;
use crate::write_tx::Writers;

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The signed-in user and device behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub device_id: String,
    pub user: UserInfo,
    /// The token the request carried (none for work the server does itself).
    pub token: Option<PresentedToken>,
}

/// A request's token, for the handshake to decide whether to renew it.
#[derive(Debug, Clone)]
pub struct PresentedToken {
    pub hash: String,
    pub presented: Presented,
    /// When the device's token in force was issued.
    pub issued_at: Option<DateTime<Utc>>,
}

impl Caller {
    /// A caller the server makes for work of its own (sample data): no token.
    pub fn signed_in(device_id: String, user: UserInfo) -> Caller {
        Caller {
            device_id,
            user,
            token: None,
        }
    }

    /// The caller's clinic, for actions only a clinic's own staff may take.
    pub fn clinic(&self) -> Result<&str, ApiError> {
        match (&self.user.role, &self.user.clinic_id) {
            (Role::ClinicAssistant, Some(clinic)) => Ok(clinic),
            _ => Err(ApiError::Forbidden),
        }
    }

    /// Township staff (reviewers and administrators) of the caller's township.
    pub fn require_township_staff(&self) -> Result<&str, ApiError> {
        match self.user.role {
            Role::TownshipReviewer | Role::Administrator => Ok(&self.user.township_id),
            Role::ClinicAssistant => Err(ApiError::Forbidden),
        }
    }

    /// The caller's township if they are its administrator.
    pub fn require_administrator(&self) -> Result<&str, ApiError> {
        match self.user.role {
            Role::Administrator => Ok(&self.user.township_id),
            _ => Err(ApiError::Forbidden),
        }
    }
}

/// Any state the database pool, the writers and the metrics can be taken from (the server's
/// `AppState`). A revoked device is refused first (a stolen tablet must hear it), then an
/// expired token. The first use of a renewed token retires the one it replaced.
impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    AnyPool: FromRef<S>,
    Writers: FromRef<S>,
    Arc<Metrics>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Caller, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        let hash = token_hash(token.trim());
        let db = AnyPool::from_ref(state);
        let holder = accounts::token_holder(&db, &hash)
            .await?
            .ok_or(ApiError::BadToken)?;
        if holder.revoked {
            return Err(ApiError::DeviceRevoked);
        }
        if holder.user_disabled {
            return Err(ApiError::AccountDisabled);
        }
        if crate::tokens::expired(holder.expires_at.as_deref(), Utc::now()) {
            Arc::<Metrics>::from_ref(state).token_expired();
            return Err(ApiError::TokenExpired);
        }
        if holder.presented == Presented::Current && holder.previous_pending {
            let mut tx = Writers::from_ref(state).begin(&db).await?;
            accounts::forget_previous_token(&mut tx, &holder.device_id).await?;
            tx.commit().await?;
        }
        crate::telemetry::record_caller(&holder.user.username, &holder.device_id);
        Ok(Caller {
            device_id: holder.device_id,
            user: holder.user,
            token: Some(PresentedToken {
                hash,
                presented: holder.presented,
                issued_at: holder.issued_at,
            }),
        })
    }
}

/// For seeding: a hash to verify unknown usernames against.
pub fn dummy_hash() -> String {
    hash_password(&random_hex(16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("cunbao2025");
        assert!(hash.starts_with("$argon2"));
        assert!(verify_password("cunbao2025", &hash));
        assert!(!verify_password("cunbao2026", &hash));
        assert!(!verify_password("cunbao2025", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_hex(32);
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32));
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
