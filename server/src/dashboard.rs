//! The township's dashboard: each chart's figures summed by the database from the columns a
//! claim keeps beside its data ([`crate::records::ClaimFigures`]), never by reading a year of
//! claims back; and each table as CSV.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::dashboard::{
    BenefitFund, CashLine, ClinicCount, Dashboard, DashboardTable, EnrolmentLine, MonthLine,
    ReasonLine, ReviewAges, RuleLine, SyncLine,
};
use cunbao_domain::money::Money;
use cunbao_domain::policy::BenefitKind;
use cunbao_domain::rejection::RejectionReason;
use cunbao_domain::risk::RuleId;
use cunbao_domain::text::{Bilingual, Text};
use sqlx::{AnyConnection, Row};

use crate::csv::Csv;
use crate::error::ApiError;
use crate::records::RecordKind;

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The statuses whose claims the fund pays, as stored.
fn paying() -> String {
    ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.pays())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each clinic's active enrolments of the year against its target.
pub async fn enrolment(
    conn: &mut AnyConnection,
    township: &str,
    year: i32,
) -> Result<Vec<EnrolmentLine>, ApiError> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.enrolment_target, \
         (SELECT COUNT(*) FROM records r WHERE r.clinic_id = c.id AND r.kind = 'enrolment' \
          AND r.status = 'active' AND r.scheme_year = $2) AS enrolled \
         FROM clinics c WHERE c.township_id = $1 ORDER BY c.name",
    )
    .bind(township)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EnrolmentLine {
                clinic_id: row.try_get("id")?,
                clinic_name: row.try_get("name")?,
                enrolled: count(row.try_get("enrolled")?),
                target: row
                    .try_get::<Option<i64>, _>("enrolment_target")?
                    .map(count),
            })
        })
        .collect()
}

/// Claims and the fund's payments by month and benefit, January to December.
pub async fn months(
    conn: &mut AnyConnection,
    township: &str,
    year: i32,
) -> Result<Vec<MonthLine>, ApiError> {
    let sql = format!(
        "SELECT visit_month, benefit, COUNT(*) AS claims, CAST(SUM(fund_fen) AS BIGINT) AS fund FROM records \
         WHERE township_id = $1 AND kind = $2 AND scheme_year = $3 AND status IN ({}) \
         GROUP BY visit_month, benefit",
        paying()
    );
    let rows = sqlx::query(&sql)
        .bind(township)
        .bind(RecordKind::Claim.as_str())
        .bind(i64::from(year))
        .fetch_all(&mut *conn)
        .await?;
    let mut months: Vec<MonthLine> = (1..=12)
        .map(|m| MonthLine {
            month: format!("{year}-{m:02}"),
            claims: 0,
            fund: Money::ZERO,
            by_benefit: Vec::new(),
        })
        .collect();
    for row in &rows {
        let month: Option<String> = row.try_get("visit_month")?;
        let Some(line) = month.and_then(|m| months.iter_mut().find(|l| l.month == m)) else {
            continue;
        };
        let benefit: Option<String> = row.try_get("benefit")?;
        let benefit: BenefitKind = benefit
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or(BenefitKind::GeneralOutpatient);
        let claims = count(row.try_get("claims")?);
        let fund = Money::from_fen(row.try_get::<Option<i64>, _>("fund")?.unwrap_or(0));
        line.claims += claims;
        line.fund = line.fund + fund;
        match line.by_benefit.iter_mut().find(|b| b.benefit == benefit) {
            Some(b) => {
                b.claims += claims;
                b.fund = b.fund + fund;
            }
            None => line.by_benefit.push(BenefitFund {
                benefit,
                claims,
                fund,
            }),
        }
    }
    Ok(months)
}

/// The clinics' names by id.
async fn clinic_names(
    conn: &mut AnyConnection,
    township: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let rows = sqlx::query("SELECT id, name FROM clinics WHERE township_id = $1")
        .bind(township)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

/// A clinic's name (its id if it has none).
fn name_of(names: &BTreeMap<String, String>, clinic: String) -> String {
    names.get(&clinic).cloned().unwrap_or(clinic)
}

/// Adds `n` to `key`'s count for `clinic`.
fn tally(into: &mut BTreeMap<String, BTreeMap<String, u32>>, key: &str, clinic: &str, n: u32) {
    *into
        .entry(key.to_string())
        .or_default()
        .entry(clinic.to_string())
        .or_default() += n;
}

fn by_clinic(counts: BTreeMap<String, u32>) -> (u32, Vec<ClinicCount>) {
    let total = counts.values().sum();
    let mut list: Vec<ClinicCount> = counts
        .into_iter()
        .map(|(clinic_name, count)| ClinicCount { clinic_name, count })
        .collect();
    list.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.clinic_name.cmp(&b.clinic_name))
    });
    (total, list)
}

/// How often each rule fired on the year's claims, in all and per clinic, most first.
pub async fn rules(
    conn: &mut AnyConnection,
    township: &str,
    year: i32,
) -> Result<Vec<RuleLine>, ApiError> {
    let names = clinic_names(conn, township).await?;
    let rows = sqlx::query(
        "SELECT clinic_id, rules, COUNT(*) AS n FROM records WHERE township_id = $1 \
         AND kind = $2 AND scheme_year = $3 AND rules <> '' GROUP BY clinic_id, rules",
    )
    .bind(township)
    .bind(RecordKind::Claim.as_str())
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = BTreeMap::new();
    for row in &rows {
        let clinic = name_of(&names, row.try_get("clinic_id")?);
        let rules: String = row.try_get("rules")?;
        for rule in rules.split(',').filter(|r| !r.is_empty()) {
            tally(&mut counts, rule, &clinic, count(row.try_get("n")?));
        }
    }
    let mut lines: Vec<RuleLine> = counts
        .into_iter()
        .filter_map(|(rule, per)| {
            let rule: RuleId = serde_json::from_value(serde_json::Value::String(rule)).ok()?;
            let (total, by_clinic) = by_clinic(per);
            Some(RuleLine {
                rule,
                total,
                by_clinic,
            })
        })
        .collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l.total));
    Ok(lines)
}

/// The year's rejected claims by reason (named by the policy's list), in all and per clinic.
pub async fn rejections(
    conn: &mut AnyConnection,
    township: &str,
    year: i32,
    reasons: &[RejectionReason],
) -> Result<Vec<ReasonLine>, ApiError> {
    let names = clinic_names(conn, township).await?;
    let rows = sqlx::query(
        "SELECT clinic_id, reject_reason, COUNT(*) AS n FROM records WHERE township_id = $1 \
         AND kind = $2 AND scheme_year = $3 AND status = $4 GROUP BY clinic_id, reject_reason",
    )
    .bind(township)
    .bind(RecordKind::Claim.as_str())
    .bind(i64::from(year))
    .bind(ClaimStatus::Rejected.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = BTreeMap::new();
    for row in &rows {
        let clinic = name_of(&names, row.try_get("clinic_id")?);
        let reason: Option<String> = row.try_get("reject_reason")?;
        let reason = reason.unwrap_or_else(|| "other".into());
        tally(&mut counts, &reason, &clinic, count(row.try_get("n")?));
    }
    let mut lines: Vec<ReasonLine> = counts
        .into_iter()
        .map(|(code, per)| {
            let label = reasons
                .iter()
                .find(|r| r.code == code)
                .map(|r| Text::new(r.zh.clone(), r.en.clone()))
                .unwrap_or_else(|| Text::same(code.clone()));
            let (total, by_clinic) = by_clinic(per);
            ReasonLine {
                code,
                label,
                total,
                by_clinic,
            }
        })
        .collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l.total));
    Ok(lines)
}

/// The claims waiting for review now, by hours waited against the 24 and 48 hour limits.
pub async fn review_ages(
    conn: &mut AnyConnection,
    township: &str,
    now: DateTime<Utc>,
) -> Result<ReviewAges, ApiError> {
    let sql = format!(
        "SELECT created_at FROM records WHERE township_id = $1 AND {}",
        crate::records::WAITING
    );
    let rows = sqlx::query(&sql)
        .bind(township)
        .fetch_all(&mut *conn)
        .await?;
    let mut ages = ReviewAges::default();
    for row in &rows {
        let at: String = row.try_get("created_at")?;
        let hours = DateTime::parse_from_rfc3339(&at)
            .map(|t| (now - t.with_timezone(&Utc)).num_hours())
            .unwrap_or(0);
        match hours {
            h if h < 24 => ages.within_24h += 1,
            h if h < 48 => ages.within_48h += 1,
            _ => ages.over_48h += 1,
        }
    }
    Ok(ages)
}

/// Each clinic's latest sync by a tablet not revoked, those over a day ago (or never) marked.
pub async fn syncs(
    conn: &mut AnyConnection,
    township: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SyncLine>, ApiError> {
    let rows = sqlx::query(
        "SELECT c.name, MAX(d.last_sync_at) AS last FROM clinics c \
         LEFT JOIN users u ON u.clinic_id = c.id \
         LEFT JOIN devices d ON d.username = u.username AND d.revoked_at IS NULL \
         WHERE c.township_id = $1 GROUP BY c.id, c.name ORDER BY c.name",
    )
    .bind(township)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let last: Option<String> = row.try_get("last")?;
            let stale = last
                .as_deref()
                .and_then(|l| DateTime::parse_from_rfc3339(l).ok())
                .is_none_or(|t| (now - t.with_timezone(&Utc)).num_hours() >= 24);
            Ok(SyncLine {
                clinic_name: row.try_get("name")?,
                last_sync_at: last,
                stale,
            })
        })
        .collect()
}

/// Each clinic's contributions collected and cash handed in.
pub async fn cash(conn: &mut AnyConnection, township: &str) -> Result<Vec<CashLine>, ApiError> {
    let mut lines = Vec::new();
    for clinic in crate::clinics::clinics(conn, township).await? {
        let standing = crate::statements::cash_standing(conn, &clinic).await?;
        lines.push(CashLine {
            clinic_name: standing.clinic_name,
            collected: standing.receipts_total,
            handed_in: standing.handed_in,
        });
    }
    Ok(lines)
}

/// The whole dashboard of `township` for `year`.
pub async fn dashboard(
    conn: &mut AnyConnection,
    township: &str,
    year: i32,
    reasons: &[RejectionReason],
) -> Result<Dashboard, ApiError> {
    let now = Utc::now();
    Ok(Dashboard {
        scheme_year: year,
        enrolment: enrolment(conn, township, year).await?,
        cash: cash(conn, township).await?,
        months: months(conn, township, year).await?,
        rules: rules(conn, township, year).await?,
        rejections: rejections(conn, township, year, reasons).await?,
        review_ages: review_ages(conn, township, now).await?,
        syncs: syncs(conn, township, now).await?,
    })
}

/// One of the dashboard's tables as CSV, headed in Chinese.
pub fn table_csv(d: &Dashboard, table: DashboardTable) -> Csv {
    let mut csv = Csv::new();
    match table {
        DashboardTable::Enrolment => {
            csv.row(["卫生室", "参保人数", "年度目标", "完成率"]);
            for l in &d.enrolment {
                let rate = l
                    .target
                    .filter(|t| *t > 0)
                    .map(|t| {
                        let tenths = u64::from(l.enrolled) * 1000 / u64::from(t);
                        format!("{}.{}%", tenths / 10, tenths % 10)
                    })
                    .unwrap_or_default();
                let target = l.target.map(|t| t.to_string()).unwrap_or_default();
                csv.row([l.clinic_name.clone(), l.enrolled.to_string(), target, rate]);
            }
        }
        DashboardTable::Cash => {
            csv.row(["卫生室", "已收缴费", "已上缴"]);
            for l in &d.cash {
                csv.row([
                    l.clinic_name.clone(),
                    l.collected.to_string(),
                    l.handed_in.to_string(),
                ]);
            }
        }
        DashboardTable::Months => {
            csv.row(["月份", "结算笔数", "统筹支付", "其中按待遇"]);
            for m in &d.months {
                let parts = m
                    .by_benefit
                    .iter()
                    .map(|b| format!("{} {}笔 {}", b.benefit.text().zh, b.claims, b.fund))
                    .collect::<Vec<_>>()
                    .join("；");
                csv.row([
                    m.month.clone(),
                    m.claims.to_string(),
                    m.fund.to_string(),
                    parts,
                ]);
            }
        }
        DashboardTable::Rules => {
            csv.row(["规则", "卫生室", "次数"]);
            for l in &d.rules {
                for c in &l.by_clinic {
                    csv.row([
                        l.rule.words().0.to_string(),
                        c.clinic_name.clone(),
                        c.count.to_string(),
                    ]);
                }
            }
        }
        DashboardTable::Rejections => {
            csv.row(["拒付原因", "卫生室", "笔数"]);
            for l in &d.rejections {
                for c in &l.by_clinic {
                    csv.row([
                        l.label.zh.clone(),
                        c.clinic_name.clone(),
                        c.count.to_string(),
                    ]);
                }
            }
        }
        DashboardTable::Syncs => {
            csv.row(["卫生室", "最近同步", "超过一天未同步"]);
            for l in &d.syncs {
                let stale = if l.stale { "是" } else { "否" };
                csv.row([
                    l.clinic_name.clone(),
                    l.last_sync_at.clone().unwrap_or_default(),
                    stale.into(),
                ]);
            }
        }
    }
    csv
}
