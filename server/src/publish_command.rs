//! `cunbao-server publish catalogue FILE.csv --effective DATE [--version V] [--dry-run]` and
//! `cunbao-server publish policy FILE.json [--effective DATE] [--dry-run]`: checks the file
//! (every wrong line of a CSV is named), prints what it changes against the version in force,
//! and publishes it into the database the server uses (`DATABASE_URL` or `CUNBAO_DATA_DIR`).
//! A running server serves it from its next request. The audit trail names the publisher as
//! `console:<the machine's user>`. Exit status 0 when published (or, with `--dry-run`, when it
//! would be), 2 when refused. `POST /api/v1/publish/…` is the same engine over HTTP.

use chrono::NaiveDate;
use cunbao_domain::catalogue_diff::CatalogueDiff;
use cunbao_domain::text::{Bilingual, Text};

use crate::publishing::{self, PublishError, Publisher};

pub const USAGE: &str = "\
    cunbao-server publish catalogue FILE.csv --effective YYYY-MM-DD [--version V] [--dry-run]
    cunbao-server publish policy FILE.json [--effective YYYY-MM-DD] [--dry-run]
                                check a catalogue (CSV) or policy (JSON), show what it changes
                                against the version in force, and publish it
";

struct Options<'a> {
    file: &'a str,
    effective: Option<NaiveDate>,
    version: Option<&'a str>,
    dry_run: bool,
}

fn options<'a>(args: &'a [String]) -> Result<Options<'a>, String> {
    let mut file = None;
    let mut effective = None;
    let mut version = None;
    let mut dry_run = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--effective" => {
                let day = rest.next().ok_or("--effective needs a date")?;
                effective = Some(day.parse::<NaiveDate>().map_err(|_| {
                    format!("生效日期应为 YYYY-MM-DD / the effective date is YYYY-MM-DD: {day:?}")
                })?);
            }
            "--version" => version = Some(rest.next().ok_or("--version needs a name")?.as_str()),
            "--dry-run" => dry_run = true,
            other if file.is_none() && !other.starts_with("--") => file = Some(other),
            other => return Err(format!("无法识别的参数 / unrecognised argument: {other:?}")),
        }
    }
    Ok(Options {
        file: file.ok_or("缺少文件 / the file is missing")?,
        effective,
        version,
        dry_run,
    })
}

fn say(text: &Text) {
    println!("{}", text.zh);
    println!("{}", text.en);
}

fn refuse(text: Text) -> i32 {
    eprintln!("{}\n{}", text.zh, text.en);
    2
}

/// Runs `publish catalogue …` or `publish policy …`; the exit status.
pub async fn run(what: &str, args: &[String]) -> i32 {
    let opts = match options(args) {
        Ok(opts) => opts,
        Err(message) => return refuse(Text::same(format!("{message}\n\n{USAGE}"))),
    };
    let text = match std::fs::read_to_string(opts.file) {
        Ok(text) => text,
        Err(err) => {
            return refuse(Text::new(
                format!("无法读取文件{}：{err}", opts.file),
                format!("cannot read {}: {err}", opts.file),
            ))
        }
    };
    let db = match crate::db::open_configured().await {
        Ok(db) => db,
        Err(err) => return refuse(Text::same(err)),
    };
    let outcome = match what {
        "catalogue" => catalogue(&db, &text, &opts).await,
        "policy" => policy(&db, &text, &opts).await,
        _ => return refuse(Text::same(USAGE.to_string())),
    };
    db.close().await;
    match outcome {
        Ok(()) => 0,
        Err(err) => refuse(err.text()),
    }
}

async fn catalogue(db: &sqlx::AnyPool, csv: &str, opts: &Options<'_>) -> Result<(), PublishError> {
    let Some(effective) = opts.effective else {
        return Err(PublishError::Invalid(Text::new(
            "请用 --effective 给出生效日期",
            "give the effective date with --effective",
        )));
    };
    let version = opts
        .version
        .map(str::to_string)
        .unwrap_or_else(|| publishing::default_catalogue_version(effective));
    let plan = publishing::plan_catalogue(db, csv, &version, effective).await?;
    say(&Text::new(
        format!(
            "目录{}（{}项，{}起生效），对比现行目录{}：",
            version,
            plan.catalogue.items.len(),
            effective,
            plan.in_force
        ),
        format!(
            "catalogue {} ({} items, effective {}), against {} in force:",
            version,
            plan.catalogue.items.len(),
            effective,
            plan.in_force
        ),
    ));
    print_diff(&plan.diff);
    if opts.dry_run {
        say(&Text::new(
            "（试运行，未发布）",
            "(dry run: nothing published)",
        ));
        return Ok(());
    }
    publishing::publish_catalogue(db, &plan, &Publisher::console()).await?;
    say(&Text::new(
        format!("已发布{version}"),
        format!("published {version}"),
    ));
    Ok(())
}

fn print_diff(diff: &CatalogueDiff) {
    say(&Text::new(
        format!(
            "新增{}项，删除{}项，变更{}项",
            diff.added.len(),
            diff.removed.len(),
            diff.changed.len()
        ),
        format!(
            "{} added, {} removed, {} changed",
            diff.added.len(),
            diff.removed.len(),
            diff.changed.len()
        ),
    ));
    for item in &diff.added {
        println!("  + {} {}", item.code, item.name);
    }
    for item in &diff.removed {
        println!("  - {} {}", item.code, item.name);
    }
    for item in &diff.changed {
        for change in &item.changes {
            let t = change.text();
            println!("  ~ {} {}：{} / {}", item.code, item.name, t.zh, t.en);
        }
    }
}

async fn policy(db: &sqlx::AnyPool, json: &str, opts: &Options<'_>) -> Result<(), PublishError> {
    let plan = publishing::plan_policy(db, json, opts.effective).await?;
    let p = &plan.policy;
    say(&Text::new(
        format!(
            "政策{}（{}年度，{}起生效）：",
            p.version, p.scheme_year, plan.effective_from
        ),
        format!(
            "policy {} (scheme year {}, effective {}):",
            p.version, p.scheme_year, plan.effective_from
        ),
    ));
    for change in &plan.changes {
        println!("  {} / {}", change.zh, change.en);
    }
    if opts.dry_run {
        say(&Text::new(
            "（试运行，未发布）",
            "(dry run: nothing published)",
        ));
        return Ok(());
    }
    publishing::publish_policy(db, &plan, &Publisher::console()).await?;
    say(&Text::new(
        format!("已发布{}", p.version),
        format!("published {}", p.version),
    ));
    Ok(())
}
