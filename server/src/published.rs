//! Published policies and catalogues: immutable versions in the database, each with the day it
//! takes effect. The server reads what is in force from here ([`crate::state::InForce`]);
//! nothing the server pays by is compiled into the program except the shipped sample versions,
//! which are published into an empty database at start.

use chrono::NaiveDate;
use cunbao_domain::catalogue::Catalogue;
use cunbao_domain::policy::Policy;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::{AnyPool, Row};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionKind {
    Policy,
    Catalogue,
}

impl VersionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionKind::Policy => "policy",
            VersionKind::Catalogue => "catalogue",
        }
    }
}

/// One published version, read back.
#[derive(Debug, Clone)]
pub struct Published<T> {
    pub version: String,
    pub effective_from: NaiveDate,
    pub body: T,
}

/// Publishes a version (through the pool, or inside a transaction with `&mut *tx`); a version
/// already published is never changed (`false` then).
pub async fn publish<'c, T: Serialize>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    kind: VersionKind,
    version: &str,
    effective_from: NaiveDate,
    body: &T,
) -> Result<bool, ApiError> {
    let done = sqlx::query(
        "INSERT INTO published_versions (kind, version, effective_from, body, published_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, version) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(version)
    .bind(effective_from.to_string())
    .bind(serde_json::to_string(body)?)
    .bind(chrono::Utc::now().to_rfc3339())
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn exists(pool: &AnyPool, kind: VersionKind, version: &str) -> Result<bool, ApiError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM published_versions WHERE kind = $1 AND version = $2",
    )
    .bind(kind.as_str())
    .bind(version)
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

/// Changes whenever a version is published: how many there are.
pub async fn generation(pool: &AnyPool) -> Result<i64, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM published_versions")
            .fetch_one(pool)
            .await?,
    )
}

/// Every published version of a kind, by the day it takes effect.
pub async fn all<T: DeserializeOwned>(
    pool: &AnyPool,
    kind: VersionKind,
) -> Result<Vec<Published<T>>, ApiError> {
    let rows = sqlx::query(
        "SELECT version, effective_from, body FROM published_versions WHERE kind = $1 \
         ORDER BY effective_from, version",
    )
    .bind(kind.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let effective_from: String = row.try_get("effective_from")?;
            Ok(Published {
                version: row.try_get("version")?,
                effective_from: effective_from
                    .parse()
                    .map_err(|_| ApiError::internal(format!("bad date {effective_from}")))?,
                body: serde_json::from_str(&row.try_get::<String, _>("body")?)?,
            })
        })
        .collect()
}

/// Sample data that does not go stale: sample county policies for last year, the scheme year
/// under way and the next (derived from the 2025 sample, marked as samples), published if
/// missing, so a demonstration settles this year's visits and collects next year's
/// contributions on any date, and last year's December visits and back-payments still have
/// their policy in January.
pub async fn ensure_sample_years(pool: &AnyPool, today: NaiveDate) -> Result<(), ApiError> {
    use chrono::Datelike;
    for year in today.year() - 1..=today.year() + 1 {
        publish_policy(pool, &Policy::sample_for(year)).await?;
    }
    Ok(())
}

/// Publishes a policy taking effect when its coverage starts.
async fn publish_policy(pool: &AnyPool, policy: &Policy) -> Result<bool, ApiError> {
    publish(
        pool,
        VersionKind::Policy,
        &policy.version,
        policy.coverage_from,
        policy,
    )
    .await
}

/// Publishes the shipped sample policy and catalogue where they are not yet published, so a
/// new database has something in force.
pub async fn ensure_shipped(pool: &AnyPool) -> Result<(), ApiError> {
    publish_policy(pool, &Policy::sample_2025()).await?;
    let catalogue: Catalogue = cunbao_domain::sample::catalogue();
    publish(
        pool,
        VersionKind::Catalogue,
        &catalogue.version,
        catalogue.published_on,
        &catalogue,
    )
    .await?;
    Ok(())
}
