//! Publishing a catalogue or a policy (the township's, over `POST /api/v1/publish/…`, and
//! `cunbao-server publish`): the file is read and checked whole — every wrong line of a CSV is
//! named — and compared with what is in force on the day it takes effect; then it is published
//! as an immutable version, with an audit entry naming who published it, in one transaction.
//! Nothing is published from a file with any error.

use chrono::NaiveDate;
use cunbao_domain::catalogue::Catalogue;
use cunbao_domain::catalogue_csv::{parse_catalogue_all, CsvError};
use cunbao_domain::catalogue_diff::{diff, CatalogueDiff};
use cunbao_domain::policy::Policy;
use cunbao_domain::text::{Bilingual, Text};
use sqlx::AnyPool;

use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::publication_proposals::Approving;
use crate::published::{self, VersionKind};
use crate::state::InForce;

/// The most line errors a refused CSV reports.
pub const MAX_LINE_ERRORS: usize = 200;

/// The longest version name.
pub const MAX_VERSION_LEN: usize = 64;

/// Who publishes, for the audit trail: a township user on a device, or the command at the
/// server's console.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub username: String,
    pub device_id: Option<String>,
    /// The township user's second-person approval this publication carries out: the proposal
    /// is marked approved in the same transaction, and only while it still awaits.
    pub approving: Option<Approving>,
}

impl Publisher {
    pub fn caller(caller: &Caller) -> Publisher {
        Publisher {
            username: caller.user.username.clone(),
            device_id: Some(caller.device_id.clone()),
            approving: None,
        }
    }

    /// `cunbao-server publish`, run by whoever is signed in to the server's machine.
    pub fn console() -> Publisher {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Publisher {
            username: format!("console:{user}"),
            device_id: None,
            approving: None,
        }
    }
}

/// The version name a catalogue gets when none is given.
pub fn default_catalogue_version(effective_from: NaiveDate) -> String {
    format!("catalogue-{effective_from}")
}

#[derive(Debug)]
pub enum PublishError {
    /// The CSV's wrong lines, each with what is wrong.
    Lines(Vec<CsvError>),
    /// The policy file does not read or is not consistent.
    Invalid(Text),
    /// Versions are immutable: this one is published already.
    VersionExists(String),
    /// A version name that is empty, too long or has characters other than letters, digits,
    /// `.`, `-` and `_`.
    BadVersion(String),
    /// A catalogue file with a header and no items: it would remove every item.
    NoItems,
    /// The proposal being approved was decided meanwhile (by another second person).
    AlreadyDecided,
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
            PublishError::BadVersion(v) => Text::new(
                format!("版本号“{v}”无效：须为1至{MAX_VERSION_LEN}个字母、数字、“.”、“-”或“_”"),
                format!(
                    "the version {v:?} is not valid: 1 to {MAX_VERSION_LEN} letters, digits, \
                     '.', '-' or '_'"
                ),
            ),
            PublishError::NoItems => Text::new(
                "目录文件没有任何项目，未发布",
                "the catalogue file has no items; nothing was published",
            ),
            PublishError::AlreadyDecided => Text::new(
                "该发布申请已由他人处理",
                "This proposal was decided by someone else meanwhile",
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

fn check_version(version: &str) -> Result<(), PublishError> {
    let ok = (1..=MAX_VERSION_LEN).contains(&version.len())
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(PublishError::BadVersion(version.to_string()))
    }
}

/// Reads a catalogue CSV and compares it with the catalogue in force on `effective_from`.
pub async fn plan_catalogue(
    db: &AnyPool,
    csv: &str,
    version: &str,
    effective_from: NaiveDate,
) -> Result<CataloguePlan, PublishError> {
    check_version(version)?;
    if published::exists(db, VersionKind::Catalogue, version).await? {
        return Err(PublishError::VersionExists(version.to_string()));
    }
    let catalogue = parse_catalogue_all(csv, version, effective_from, MAX_LINE_ERRORS)
        .map_err(PublishError::Lines)?;
    if catalogue.items.is_empty() {
        return Err(PublishError::NoItems);
    }
    let current = InForce::load(db, effective_from).await?;
    Ok(CataloguePlan {
        diff: diff(&current.catalogue, &catalogue),
        in_force: current.catalogue.version.clone(),
        catalogue,
        effective_from,
    })
}

/// Publishes a planned catalogue and records who did it, together or not at all.
pub async fn publish_catalogue(
    db: &AnyPool,
    plan: &CataloguePlan,
    by: &Publisher,
) -> Result<(), PublishError> {
    let c = &plan.catalogue;
    let detail = serde_json::json!({
        "effective_from": plan.effective_from,
        "items": c.items.len(),
        "against": plan.in_force,
        "added": plan.diff.added.len(),
        "removed": plan.diff.removed.len(),
        "changed": plan.diff.changed.len(),
    });
    publish_audited(
        db,
        VersionKind::Catalogue,
        &c.version,
        plan.effective_from,
        c,
        by,
        &detail,
    )
    .await
}

/// Inserts the version and its audit entry in one transaction; a version already published
/// rolls both back.
async fn publish_audited<T: serde::Serialize>(
    db: &AnyPool,
    kind: VersionKind,
    version: &str,
    effective_from: NaiveDate,
    body: &T,
    by: &Publisher,
    detail: &serde_json::Value,
) -> Result<(), PublishError> {
    let mut tx = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    if !published::publish(&mut *tx, kind, version, effective_from, body).await? {
        return Err(PublishError::VersionExists(version.to_string()));
    }
    if let Some(approving) = &by.approving {
        let marked = crate::publication_proposals::mark_approved(&mut tx, approving, &by.username)
            .await
            .map_err(ApiError::from)?;
        if !marked {
            return Err(PublishError::AlreadyDecided);
        }
    }
    let action = format!("publish_{}", kind.as_str());
    let mut detail = detail.clone();
    if let Some(approving) = &by.approving {
        detail["proposal"] = serde_json::json!(approving.proposal_id);
    }
    tx.audit(AuditEntry {
        username: &by.username,
        device_id: by.device_id.as_deref(),
        action: &action,
        subject: version,
        detail: &detail,
    });
    tx.commit().await.map_err(ApiError::from)?;
    tracing::info!(kind = kind.as_str(), version, %effective_from, by = %by.username, "published");
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
    check_version(&policy.version)?;
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

/// Publishes a planned policy and records who did it, together or not at all.
pub async fn publish_policy(
    db: &AnyPool,
    plan: &PolicyPlan,
    by: &Publisher,
) -> Result<(), PublishError> {
    let p = &plan.policy;
    let detail = serde_json::json!({
        "effective_from": plan.effective_from,
        "scheme_year": p.scheme_year,
    });
    publish_audited(
        db,
        VersionKind::Policy,
        &p.version,
        plan.effective_from,
        p,
        by,
        &detail,
    )
    .await
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

/// A refused publication: every wrong line listed (400 `catalogue_lines`), an invalid policy
/// or version name (400), a version published already (409 `version_exists`).
impl From<PublishError> for ApiError {
    fn from(err: PublishError) -> ApiError {
        use cunbao_domain::text::Bilingual;
        let text = err.text();
        match err {
            PublishError::Lines(errors) => ApiError::BadLines {
                code: "catalogue_lines",
                zh: format!("文件有{}处错误，未发布", errors.len()),
                en: format!(
                    "{} error(s) in the file; nothing was published",
                    errors.len()
                ),
                lines: errors
                    .iter()
                    .map(cunbao_domain::publishing::LineProblem::from)
                    .collect(),
            },
            PublishError::Invalid(_) => ApiError::bad("invalid_policy", text.zh, text.en),
            PublishError::BadVersion(_) => ApiError::bad("bad_version", text.zh, text.en),
            PublishError::NoItems => ApiError::bad("empty_catalogue", text.zh, text.en),
            PublishError::AlreadyDecided => ApiError::Conflict {
                code: "already_decided",
                zh: text.zh,
                en: text.en,
            },
            PublishError::VersionExists(_) => ApiError::Conflict {
                code: "version_exists",
                zh: text.zh,
                en: text.en,
            },
            PublishError::Internal(e) => e,
        }
    }
}
