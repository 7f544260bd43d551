//! Sampling (结果质检): a month's draw of a clinic's paid claims for a second look, with the
//! seed it used, and the finding on each claim drawn. A finding's deduction is taken back on
//! the clinic's statement as an adjustment ([`crate::statements::draft`]). The SQL for draws
//! and findings lives here.

use chrono::NaiveDate;
use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::sampling::{self, Finding, SampledClaim, Sampling};
use serde::Deserialize;
use sqlx::{AnyConnection, Row};

use crate::clinics::Clinic;
use crate::error::ApiError;
pub use crate::ledger::Deduction;
use crate::records::RecordKind;

/// A draw's id (and the subject of its audit entries).
pub fn sampling_id(clinic: &str, month: &str) -> String {
    format!("sampling:{clinic}:{month}")
}

#[derive(Deserialize)]
struct ClaimData {
    visit_date: NaiveDate,
    person: IdNumber,
    server_settlement: Figures,
}

#[derive(Deserialize)]
struct Figures {
    total: Money,
    fund: Money,
}

/// A claim of the clinic as a draw needs it.
struct Paid {
    id: String,
    person: String,
    visit_date: NaiveDate,
    total: Money,
    fund: Money,
    pays: bool,
}

async fn clinic_claims(
    conn: &mut AnyConnection,
    clinic: &str,
    ids: Option<&[String]>,
    year: i32,
) -> Result<Vec<Paid>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, status, data FROM records WHERE clinic_id = $1 AND kind = $2 \
         AND scheme_year = $3",
    )
    .bind(clinic)
    .bind(RecordKind::Claim.as_str())
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    let mut claims = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("id")?;
        if ids.is_some_and(|ids| !ids.contains(&id)) {
            continue;
        }
        let status: String = row.try_get("status")?;
        let data: ClaimData = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
        claims.push(Paid {
            id,
            person: data.person.masked(),
            visit_date: data.visit_date,
            total: data.server_settlement.total,
            fund: data.server_settlement.fund,
            pays: ClaimStatus::parse(&status).is_some_and(ClaimStatus::pays),
        });
    }
    Ok(claims)
}

pub struct Drawer<'a> {
    pub township: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
}

/// Draws `percent` of the clinic's claims of the month that the fund paid for (`first`..=`last`) with a fresh
/// seed and records the draw (the caller holds the clinic's month and has checked there is no
/// draw yet). The number of claims drawn.
pub async fn record_draw(
    conn: &mut AnyConnection,
    clinic: &Clinic,
    month: &str,
    (first, last): (NaiveDate, NaiveDate),
    percent: u32,
    by: &Drawer<'_>,
) -> Result<usize, ApiError> {
    use chrono::Datelike;
    let paid: Vec<String> = clinic_claims(conn, &clinic.id, None, first.year())
        .await?
        .into_iter()
        // What the fund paid for is what a second look can take back.
        .filter(|c| c.pays && c.fund > Money::ZERO && (first..=last).contains(&c.visit_date))
        .map(|c| c.id)
        .collect();
    let seed = crate::auth::random_hex(8);
    let drawn = sampling::draw(
        &paid,
        percent,
        sampling::parse_seed(&seed).expect("16 hex digits"),
    );
    let id = sampling_id(&clinic.id, month);
    sqlx::query(
        "INSERT INTO samplings (id, township_id, clinic_id, month, percent, seed, population, \
         drawn_by, drawn_by_name, drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(by.township)
    .bind(&clinic.id)
    .bind(month)
    .bind(i64::from(percent))
    .bind(&seed)
    .bind(paid.len() as i64)
    .bind(by.username)
    .bind(by.display_name)
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    .execute(&mut *conn)
    .await?;
    for claim in &drawn {
        sqlx::query("INSERT INTO sampled_claims (sampling_id, claim_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(claim)
            .execute(&mut *conn)
            .await?;
    }
    Ok(drawn.len())
}

/// The clinic's draw for the month, with each claim drawn and its finding; none if not drawn.
pub async fn read(
    conn: &mut AnyConnection,
    clinic: &Clinic,
    month: &str,
) -> Result<Option<Sampling>, ApiError> {
    let id = sampling_id(&clinic.id, month);
    let Some(row) = sqlx::query(
        "SELECT percent, seed, population, drawn_by_name, drawn_at FROM samplings WHERE id = $1",
    )
    .bind(&id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let drawn = sqlx::query(
        "SELECT claim_id, finding FROM sampled_claims WHERE sampling_id = $1 ORDER BY claim_id",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    let mut findings = Vec::with_capacity(drawn.len());
    for d in &drawn {
        let finding: Option<String> = d.try_get("finding")?;
        findings.push((
            d.try_get::<String, _>("claim_id")?,
            finding
                .map(|f| serde_json::from_str::<Finding>(&f))
                .transpose()?,
        ));
    }
    let ids: Vec<String> = findings.iter().map(|(id, _)| id.clone()).collect();
    let month_start = cunbao_domain::statement::month_bounds(month)
        .ok_or_else(|| ApiError::internal(format!("a draw for month {month}")))?
        .0;
    let claims = clinic_claims(
        conn,
        &clinic.id,
        Some(&ids),
        chrono::Datelike::year(&month_start),
    )
    .await?;
    let claims = findings
        .into_iter()
        .filter_map(|(id, finding)| {
            let c = claims.iter().find(|c| c.id == id)?;
            Some(SampledClaim {
                claim_id: id,
                person: c.person.clone(),
                visit_date: c.visit_date,
                total: c.total,
                fund: if c.pays { c.fund } else { Money::ZERO },
                finding,
            })
        })
        .collect();
    Ok(Some(Sampling {
        clinic_id: clinic.id.clone(),
        clinic_name: clinic.name.clone(),
        month: month.to_string(),
        percent: u32::try_from(row.try_get::<i64, _>("percent")?).unwrap_or(0),
        seed: row.try_get("seed")?,
        population: u32::try_from(row.try_get::<i64, _>("population")?).unwrap_or(0),
        drawn_by: row.try_get("drawn_by_name")?,
        drawn_at: row.try_get("drawn_at")?,
        claims,
    }))
}

/// Records the finding on claim `claim` of the draw (the caller has checked it is drawn and
/// has no finding yet).
pub async fn record_finding(
    conn: &mut AnyConnection,
    clinic: &str,
    month: &str,
    claim: &str,
    finding: &Finding,
    found_on: NaiveDate,
) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE sampled_claims SET finding = $1, deduction = $2, found_on = $3 \
         WHERE sampling_id = $4 AND claim_id = $5",
    )
    .bind(serde_json::to_string(finding)?)
    .bind(finding.deduction.to_string())
    .bind(found_on.to_string())
    .bind(sampling_id(clinic, month))
    .bind(claim)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every deduction found on the clinic's claims, all months.
pub async fn deductions(
    conn: &mut AnyConnection,
    clinic: &str,
) -> Result<Vec<Deduction>, ApiError> {
    let rows = sqlx::query(
        "SELECT c.claim_id, c.deduction, s.month FROM sampled_claims c \
         JOIN samplings s ON s.id = c.sampling_id \
         WHERE s.clinic_id = $1 AND c.deduction IS NOT NULL",
    )
    .bind(clinic)
    .fetch_all(&mut *conn)
    .await?;
    let mut found = Vec::new();
    for row in &rows {
        let amount: String = row.try_get("deduction")?;
        let amount = Money::parse(&amount)
            .map_err(|e| ApiError::internal(format!("a deduction of {amount}: {e}")))?;
        if amount == Money::ZERO {
            continue;
        }
        let month: String = row.try_get("month")?;
        let (first, _) = cunbao_domain::statement::month_bounds(&month)
            .ok_or_else(|| ApiError::internal(format!("a draw for month {month}")))?;
        found.push(Deduction {
            claim_id: row.try_get("claim_id")?,
            amount,
            on: first,
        });
    }
    Ok(found)
}
