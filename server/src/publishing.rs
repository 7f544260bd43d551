//! Publishing a catalogue or a policy (the township's, and `cunbao-server publish`): the file
//! is read and checked whole — every wrong line of a CSV is named — and compared with what is
//! in force on the day it takes effect; then it is published as an immutable version. Nothing
//! is published from a file with any error.

use chrono::NaiveDate;
use cunbao_domain::catalogue::Catalogue;
use cunbao_domain::catalogue_csv::{parse_catalogue_all, CsvError};
use cunbao_domain::catalogue_diff::{diff, CatalogueDiff};
use cunbao_domain::policy::Policy;
use cunbao_domain::text::{Bilingual, Text};
use sqlx::AnyPool;

use crate::error::ApiError;
use crate::published::{self, VersionKind};
use crate::state::InForce;

/// The most line errors a refused CSV reports.
pub const MAX_LINE_ERRORS: usize = 200;

#[derive(Debug)]
pub enum PublishError {
    /// The CSV's wrong lines, each with what is wrong.
    Lines(Vec<CsvError>),
    /// The policy file does not read or is not consistent.
    Invalid(Text),
    /// Versions are immutable: this one is published already.
    VersionExists(String),
    Internal(ApiError),
}

impl From<ApiError> for PublishError {
    fn from(e: ApiError) -> PublishError {
        PublishError::Internal(e)
    }
}

impl Bilingual for PublishError {
    fn text(&self) -> Text {
        match self {
            PublishError::Lines(errors) => {
                let lines = |pick: fn(&Text) -> &str| {
                    errors
                        .iter()
                        .map(|e| pick(&e.text()).to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                Text::new(
                    format!(
                        "文件有{}处错误，未发布：\n{}",
                        errors.len(),
                        lines(|t| &t.zh)
                    ),
                    format!(
                        "{} error(s) in the file; nothing was published:\n{}",
                        errors.len(),
                        lines(|t| &t.en)
                    ),
                )
            }
            PublishError::Invalid(why) => why
                .clone()
                .prefixed("政策文件无效：", "the policy file is not valid: "),
            PublishError::VersionExists(v) => Text::new(
                format!("版本{v}已发布，已发布的版本不能修改；请换一个版本号"),
                format!(
                    "version {v} is published already and cannot change; choose another version"
                ),
            ),
            PublishError::Internal(e) => Text::new(
                format!("数据库或内部错误：{e}"),
                format!("database or internal error: {e}"),
            ),
        }
    }
}

/// A catalogue ready to publish, with its difference from the one in force on its day.
pub struct CataloguePlan {
    pub catalogue: Catalogue,
    pub effective_from: NaiveDate,
    pub in_force: String,
    pub diff: CatalogueDiff,
}

/// Reads a catalogue CSV and compares it with the catalogue in force on `effective_from`.
pub async fn plan_catalogue(
    db: &AnyPool,
    csv: &str,
    version: &str,
    effective_from: NaiveDate,
) -> Result<CataloguePlan, PublishError> {
    if published::exists(db, VersionKind::Catalogue, version).await? {
        return Err(PublishError::VersionExists(version.to_string()));
    }
    let catalogue = parse_catalogue_all(csv, version, effective_from, MAX_LINE_ERRORS)
        .map_err(PublishError::Lines)?;
    let current = InForce::load(db, effective_from).await?;
    Ok(CataloguePlan {
        diff: diff(&current.catalogue, &catalogue),
        in_force: current.catalogue.version.clone(),
        catalogue,
        effective_from,
    })
}

pub async fn publish_catalogue(db: &AnyPool, plan: &CataloguePlan) -> Result<(), PublishError> {
    let c = &plan.catalogue;
    if !published::publish(
        db,
        VersionKind::Catalogue,
        &c.version,
        plan.effective_from,
        c,
    )
    .await?
    {
        return Err(PublishError::VersionExists(c.version.clone()));
    }
    Ok(())
}

/// A policy ready to publish, with what differs from the latest published for its year.
pub struct PolicyPlan {
    pub policy: Policy,
    pub effective_from: NaiveDate,
    pub changes: Vec<Text>,
}

/// Reads a policy (JSON) and compares it with the latest published policy.
pub async fn plan_policy(
    db: &AnyPool,
    json: &str,
    effective_from: Option<NaiveDate>,
) -> Result<PolicyPlan, PublishError> {
    let policy = Policy::from_json(json).map_err(|e| PublishError::Invalid(e.text()))?;
    if published::exists(db, VersionKind::Policy, &policy.version).await? {
        return Err(PublishError::VersionExists(policy.version.clone()));
    }
    let effective_from = effective_from.unwrap_or(policy.coverage_from);
    let previous = published::all::<Policy>(db, VersionKind::Policy)
        .await?
        .into_iter()
        .map(|p| p.body)
        .filter(|p| p.scheme_year <= policy.scheme_year)
        .max_by_key(|p| (p.scheme_year, p.coverage_from));
    Ok(PolicyPlan {
        changes: previous.map_or_else(
            || vec![Text::new("首个政策版本", "the first policy")],
            |p| policy_changes(&p, &policy),
        ),
        policy,
        effective_from,
    })
}

pub async fn publish_policy(db: &AnyPool, plan: &PolicyPlan) -> Result<(), PublishError> {
    let p = &plan.policy;
    if !published::publish(db, VersionKind::Policy, &p.version, plan.effective_from, p).await? {
        return Err(PublishError::VersionExists(p.version.clone()));
    }
    Ok(())
}

/// What a policy changes against an earlier one, section by section.
fn policy_changes(old: &Policy, new: &Policy) -> Vec<Text> {
    let mut out = vec![Text::new(
        format!("对比：{}（{}年度）", old.version, old.scheme_year),
        format!("against {} (scheme year {})", old.version, old.scheme_year),
    )];
    let (a, b) = (&old.enrolment, &new.enrolment);
    if a.contribution_per_person != b.contribution_per_person {
        out.push(Text::new(
            format!(
                "个人缴费：{} → {}",
                a.contribution_per_person, b.contribution_per_person
            ),
            format!(
                "individual contribution: {} → {}",
                a.contribution_per_person, b.contribution_per_person
            ),
        ));
    }
    if (a.collection_from, a.collection_to) != (b.collection_from, b.collection_to) {
        out.push(Text::new(
            format!("集中缴费期：{}至{}", b.collection_from, b.collection_to),
            format!(
                "collection period: {} to {}",
                b.collection_from, b.collection_to
            ),
        ));
    }
    let sections = [
        (old.benefits != new.benefits, "待遇标准", "benefits"),
        (a.subsidies != b.subsidies, "资助标准", "subsidies"),
        (
            old.offline_limit != new.offline_limit,
            "离线结算限额",
            "offline limit",
        ),
        (
            old.risk != new.risk,
            "智能审核规则参数",
            "risk-rule parameters",
        ),
    ];
    for (changed, zh, en) in sections {
        if changed {
            out.push(Text::new(format!("{zh}有变化"), format!("{en} changed")));
        }
    }
    out
}
