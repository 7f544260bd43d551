//! The township's dashboard: each chart's figures summed by the database from the columns a
//! claim keeps beside its data ([`crate::claim_figures::ClaimFigures`]), never by reading a year of
//! claims back; and each table as CSV.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
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
use sqlx::{AnyPool, Row};

use crate::csv::Csv;
use crate::error::ApiError;
use crate::records::RecordKind;

/// What the figures cover: a scheme year (the dashboard) or one month of it (the monthly
/// report: claims by their visit's month, cash by its day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    /// `YYYY-MM`, within `year`.
    pub month: Option<String>,
}

impl Period {
    pub fn year(year: i32) -> Period {
        Period { year, month: None }
    }

    /// The month `YYYY-MM` of the report.
    pub fn month(month: chrono::NaiveDate) -> Period {
        Period {
            year: month.year(),
            month: Some(month.format("%Y-%m").to_string()),
        }
    }

    /// The condition on a claim's visit month (`$4`), none for a whole year.
    fn month_filter(&self) -> &'static str {
        if self.month.is_some() {
            " AND visit_month = $4"
        } else {
            ""
        }
    }

    /// Whether cash taken or handed in on `day` is counted: any day for a year (the cash a
    /// clinic holds does not start afresh with a scheme year, whose contributions are collected
    /// the autumn before), the month's days for a month.
    fn counts_cash_of(&self, day: chrono::NaiveDate) -> bool {
        self.month
            .as_ref()
            .is_none_or(|m| cunbao_domain::statement::month_of(day) == *m)
    }
}

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

/// Each clinic's active enrolments of the year against its target (counted from the year's
/// index, not by reading each clinic's records).
pub async fn enrolment(
    db: &AnyPool,
    township: &str,
    year: i32,
) -> Result<Vec<EnrolmentLine>, ApiError> {
    let counted = sqlx::query(
        "SELECT clinic_id, COUNT(*) AS enrolled FROM records WHERE scheme_year = $1 \
         AND township_id = $2 AND kind = $3 AND status = 'active' GROUP BY clinic_id",
    )
    .bind(i64::from(year))
    .bind(township)
    .bind(RecordKind::Enrolment.as_str())
    .fetch_all(db)
    .await?;
    let mut enrolled = BTreeMap::new();
    for row in &counted {
        enrolled.insert(
            row.try_get::<String, _>("clinic_id")?,
            count(row.try_get("enrolled")?),
        );
    }
    let rows = sqlx::query(
        "SELECT id, name, enrolment_target FROM clinics WHERE township_id = $1 ORDER BY name",
    )
    .bind(township)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let clinic_id: String = row.try_get("id")?;
            Ok(EnrolmentLine {
                enrolled: enrolled.get(&clinic_id).copied().unwrap_or(0),
                clinic_id,
                clinic_name: row.try_get("name")?,
                target: row
                    .try_get::<Option<i64>, _>("enrolment_target")?
                    .map(count),
            })
        })
        .collect()
}

/// Claims and the fund's payments by month and benefit: January to December, or the one
/// month.
pub async fn months(
    db: &AnyPool,
    township: &str,
    period: &Period,
) -> Result<Vec<MonthLine>, ApiError> {
    let rows = claim_groups(
        db,
        township,
        period,
        "visit_month, benefit, COUNT(*) AS claims, CAST(SUM(fund_fen) AS BIGINT) AS fund",
        &format!("status IN ({})", paying()),
        "visit_month, benefit",
    )
    .await?;
    let year = period.year;
    let mut months: Vec<MonthLine> = (1..=12)
        .map(|m| format!("{year}-{m:02}"))
        .filter(|m| period.month.as_ref().is_none_or(|only| only == m))
        .map(|month| MonthLine {
            month,
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

/// The township's claims of the period that meet `condition`, grouped: summed from the
/// covering index led by the scheme year (`condition` is literal SQL of this module's making).
async fn claim_groups(
    db: &AnyPool,
    township: &str,
    period: &Period,
    select: &str,
    condition: &str,
    group: &str,
) -> Result<Vec<sqlx::any::AnyRow>, ApiError> {
    let sql = format!(
        "SELECT {select} FROM records WHERE township_id = $1 AND kind = $2 AND scheme_year = $3 \
         AND {condition}{} GROUP BY {group}",
        period.month_filter()
    );
    let query = sqlx::query(&sql)
        .bind(township)
        .bind(RecordKind::Claim.as_str())
        .bind(i64::from(period.year));
    let query = match &period.month {
        Some(m) => query.bind(m.clone()),
        None => query,
    };
    Ok(query.fetch_all(db).await?)
}

/// The clinics' names by id.
async fn clinic_names(db: &AnyPool, township: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let rows = sqlx::query("SELECT id, name FROM clinics WHERE township_id = $1")
        .bind(township)
        .fetch_all(db)
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

/// How often each rule fired on the period's claims, in all and per clinic, most first.
pub async fn rules(
    db: &AnyPool,
    township: &str,
    period: &Period,
) -> Result<Vec<RuleLine>, ApiError> {
    let names = clinic_names(db, township).await?;
    let rows = claim_groups(
        db,
        township,
        period,
        "clinic_id, rules, COUNT(*) AS n",
        "rules <> ''",
        "clinic_id, rules",
    )
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

/// The period's rejected claims by reason (named by the policy's list), in all and per clinic.
pub async fn rejections(
    db: &AnyPool,
    township: &str,
    period: &Period,
    reasons: &[RejectionReason],
) -> Result<Vec<ReasonLine>, ApiError> {
    let names = clinic_names(db, township).await?;
    let rows = claim_groups(
        db,
        township,
        period,
        "clinic_id, reject_reason, COUNT(*) AS n",
        &format!("status = '{}'", ClaimStatus::Rejected.as_str()),
        "clinic_id, reject_reason",
    )
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

/// The claims waiting for review now, by hours waited against the 24 and 48 hour limits
/// (counted from the waiting claims' index: times are stored as RFC 3339 in UTC, which sort
/// as text).
pub async fn review_ages(
    db: &AnyPool,
    township: &str,
    now: DateTime<Utc>,
) -> Result<ReviewAges, ApiError> {
    let sql = format!(
        "SELECT COUNT(*) AS waiting, \
         COALESCE(SUM(CASE WHEN created_at > $2 THEN 1 ELSE 0 END), 0) AS within_24h, \
         COALESCE(SUM(CASE WHEN created_at <= $3 THEN 1 ELSE 0 END), 0) AS over_48h \
         FROM records WHERE township_id = $1 AND {}",
        crate::records::WAITING
    );
    let ago = |hours| (now - chrono::Duration::hours(hours)).to_rfc3339();
    let row = sqlx::query(&sql)
        .bind(township)
        .bind(ago(24))
        .bind(ago(48))
        .fetch_one(db)
        .await?;
    let waiting = count(row.try_get("waiting")?);
    let within_24h = count(row.try_get("within_24h")?);
    let over_48h = count(row.try_get("over_48h")?);
    Ok(ReviewAges {
        within_24h,
        within_48h: waiting - within_24h - over_48h,
        over_48h,
    })
}

/// Each clinic's latest sync by a tablet not revoked, those over a day ago (or never) marked.
pub async fn syncs(
    db: &AnyPool,
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
    .fetch_all(db)
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

/// Each clinic's contributions collected (receipts that stand) and cash handed in: all of
/// them for a year's dashboard, those of the month for a month's report.
pub async fn cash(
    db: &AnyPool,
    township: &str,
    period: &Period,
) -> Result<Vec<CashLine>, ApiError> {
    let conn = &mut *db.acquire().await?;
    let mut lines = Vec::new();
    for clinic in crate::clinics::clinics(conn, township).await? {
        let receipts = crate::statements::receipts(conn, &clinic.id).await?;
        let hand_ins = crate::cash::hand_ins(conn, &clinic.id).await?;
        lines.push(CashLine {
            clinic_name: clinic.name,
            collected: receipts
                .iter()
                .filter(|r| period.counts_cash_of(r.on))
                .map(|r| r.amount)
                .sum(),
            handed_in: hand_ins
                .iter()
                .filter(|h| period.counts_cash_of(h.received_on))
                .map(|h| h.amount)
                .sum(),
        });
    }
    Ok(lines)
}

/// The whole dashboard of `township` for the period, its parts asked at once (each on its own
/// connection of the pool).
pub async fn dashboard(
    db: &AnyPool,
    township: &str,
    period: &Period,
    reasons: &[RejectionReason],
) -> Result<Dashboard, ApiError> {
    let now = Utc::now();
    let name = async {
        let conn = &mut *db.acquire().await?;
        Ok::<_, ApiError>(crate::clinics::township_name(conn, township).await?)
    };
    let (township_name, enrolment, cash, months, rules, rejections, review_ages, syncs) = tokio::try_join!(
        name,
        enrolment(db, township, period.year),
        cash(db, township, period),
        months(db, township, period),
        rules(db, township, period),
        rejections(db, township, period, reasons),
        review_ages(db, township, now),
        syncs(db, township, now),
    )?;
    Ok(Dashboard {
        township_name,
        scheme_year: period.year,
        month: period.month.clone(),
        enrolment,
        cash,
        months,
        rules,
        rejections,
        review_ages,
        syncs,
    })
}

/// One of the dashboard's tables as CSV, headed in Chinese.
pub fn table_csv(d: &Dashboard, table: DashboardTable) -> Csv {
    let mut csv = Csv::new();
    write_table(&mut csv, d, table);
    csv
}

/// The monthly report as one CSV: its title, then each table under its name.
pub fn report_csv(d: &Dashboard) -> Csv {
    let mut csv = Csv::new();
    let month = d.month.clone().unwrap_or_default();
    csv.row([format!("{} 城乡居民医保 {month} 月度报表", d.township_name)]);
    csv.row([format!(
        "生成时间 {}",
        crate::clock::now_in_china().format("%Y-%m-%d %H:%M")
    )]);
    for table in DashboardTable::ALL {
        if table == DashboardTable::Syncs {
            csv.row([""]);
            csv.row(["六、待审核时效（截至生成时）"]);
            csv.row(["24小时内", "24至48小时", "超过48小时"]);
            let ages = &d.review_ages;
            csv.row([ages.within_24h, ages.within_48h, ages.over_48h].map(|n| n.to_string()));
        }
        csv.row([""]);
        csv.row([report_title(table)]);
        write_table(&mut csv, d, table);
    }
    csv
}

/// A table's name in the monthly report.
fn report_title(table: DashboardTable) -> &'static str {
    match table {
        DashboardTable::Enrolment => "一、参保进度（本年度，截至生成时）",
        DashboardTable::Cash => "二、本月缴费收缴与上缴",
        DashboardTable::Months => "三、本月结算与统筹支付",
        DashboardTable::Rules => "四、本月审核规则触发",
        DashboardTable::Rejections => "五、本月拒付",
        DashboardTable::Syncs => "七、卫生室同步情况（截至生成时）",
    }
}

fn write_table(csv: &mut Csv, d: &Dashboard, table: DashboardTable) {
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
}
