//! The clinics of a township, with the names the township's screens and papers show. Another
//! township's clinic reads as none.

use sqlx::{AnyConnection, Row};

/// A clinic of the caller's township, with the names a statement shows.
#[derive(Debug, Clone)]
pub struct Clinic {
    pub id: String,
    pub name: String,
    pub township_id: String,
    pub township_name: String,
}

const CLINIC_SELECT: &str = "SELECT c.id, c.name, t.id AS township_id, t.name AS township_name \
     FROM clinics c JOIN townships t ON t.id = c.township_id WHERE t.id = $1";

fn clinic_row(row: &sqlx::any::AnyRow) -> Result<Clinic, sqlx::Error> {
    Ok(Clinic {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        township_id: row.try_get("township_id")?,
        township_name: row.try_get("township_name")?,
    })
}

/// The clinic `id` if it is of `township` (another township's reads as none).
pub async fn clinic(
    conn: &mut AnyConnection,
    township: &str,
    id: &str,
) -> Result<Option<Clinic>, sqlx::Error> {
    sqlx::query(&format!("{CLINIC_SELECT} AND c.id = $2"))
        .bind(township)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(clinic_row)
        .transpose()
}

/// Every clinic of `township`, by id.
pub async fn clinics(conn: &mut AnyConnection, township: &str) -> Result<Vec<Clinic>, sqlx::Error> {
    sqlx::query(&format!("{CLINIC_SELECT} ORDER BY c.id"))
        .bind(township)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(clinic_row)
        .collect()
}

/// The township's name (its id if it has none on record).
pub async fn township_name(
    conn: &mut AnyConnection,
    township: &str,
) -> Result<String, sqlx::Error> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM townships WHERE id = $1")
        .bind(township)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name.unwrap_or_else(|| township.to_string()))
}

/// Sets (or clears) the enrolment target of the township's clinic; false when the clinic is
/// not the township's.
pub async fn set_enrolment_target(
    conn: &mut AnyConnection,
    township: &str,
    clinic: &str,
    target: Option<u32>,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE clinics SET enrolment_target = $1 WHERE id = $2 AND township_id = $3")
            .bind(target.map(i64::from))
            .bind(clinic)
            .bind(township)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
