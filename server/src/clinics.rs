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
