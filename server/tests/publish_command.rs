//! `cunbao-server publish`, run as a township administrator would run it, against a real
//! SQLite database in a fresh data directory.

use std::process::Command;

use cunbao_domain::catalogue_csv::HEADER;
use cunbao_domain::policy::Policy;

fn publish(data_dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cunbao-server"))
        .arg("publish")
        .args(args)
        .env("CUNBAO_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The shipped sample catalogue as CSV, with the first item's price changed and one item added.
fn next_catalogue() -> String {
    let sample = include_str!("../../domain/data/catalogue-sample.csv");
    let mut lines: Vec<String> = sample.lines().map(String::from).collect();
    let mut first: Vec<String> = lines[1].split(',').map(String::from).collect();
    first[6] = "99.99".into();
    lines[1] = first.join(",");
    lines.push("NEW2027001,新增测试药品,drug,A,10mg×10片,盒,5.00,,,,,,,,,".into());
    lines.join("\n")
}

#[test]
fn a_catalogue_with_bad_lines_is_refused_with_every_line_and_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = format!(
        "{HEADER}\nX1,甲,drug,A,,,1.00,,,,,,,,,\nX2,乙,drug,B,,,2.00,,,,,,,,,\nX3,丙,drug,A,,,abc,,,,,,,,,\n"
    );
    let file = write(dir.path(), "bad.csv", &bad);
    let args = [
        file.as_str(),
        "--effective",
        "2027-01-01",
        "--version",
        "v-bad",
    ];
    let (code, _, stderr) = publish(dir.path(), &[&["catalogue"], &args[..]].concat());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("文件有2处错误，未发布"), "{stderr}");
    assert!(stderr.contains("第3行：first_self_pay_ratio"), "{stderr}");
    assert!(stderr.contains("第4行：price"), "{stderr}");
    assert!(stderr.contains("line 4: price"), "{stderr}");
    // Nothing was published: the same version is still free, and the sample is in force.
    let good = write(dir.path(), "good.csv", &next_catalogue());
    let (code, stdout, stderr) = publish(
        dir.path(),
        &[
            "catalogue",
            &good,
            "--effective",
            "2027-01-01",
            "--version",
            "v-bad",
            "--dry-run",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("对比现行目录sample-2025.1"), "{stdout}");
}

#[test]
fn a_catalogue_shows_its_difference_publishes_once_and_stays_immutable() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "next.csv", &next_catalogue());
    let args = [
        "catalogue",
        &file,
        "--effective",
        "2027-01-01",
        "--version",
        "county-2027.1",
    ];
    let (code, stdout, stderr) = publish(dir.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("新增1项，删除0项，变更1项"), "{stdout}");
    assert!(stdout.contains("+ NEW2027001 新增测试药品"), "{stdout}");
    assert!(stdout.contains("价格：12.50 → 99.99"), "{stdout}");
    assert!(stdout.contains("已发布county-2027.1"), "{stdout}");
    let (code, _, stderr) = publish(dir.path(), &args);
    assert_eq!(code, 2);
    assert!(stderr.contains("版本county-2027.1已发布"), "{stderr}");
    // The audit trail has it once, published at the console.
    let audited = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = cunbao_server::db::open_sqlite(dir.path()).await.unwrap();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT username, subject FROM audit_log WHERE action = 'publish_catalogue'",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        db.close().await;
        rows
    });
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(audited[0].0.starts_with("console:"), "{audited:?}");
    assert_eq!(audited[0].1, "county-2027.1");
}

#[test]
fn a_policy_shows_what_it_changes_and_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut policy = serde_json::to_value(Policy::sample_2025()).unwrap();
    policy["version"] = "county-2026.1".into();
    policy["scheme_year"] = 2026.into();
    policy["coverage_from"] = "2026-01-01".into();
    policy["coverage_to"] = "2026-12-31".into();
    policy["enrolment"]["contribution_per_person"] = "400.00".into();
    let file = write(dir.path(), "policy.json", &policy.to_string());
    let (code, stdout, stderr) = publish(dir.path(), &["policy", &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2026年度，2026-01-01起生效"), "{stdout}");
    assert!(stdout.contains("个人缴费：390.00 → 400.00"), "{stdout}");
    let broken = write(dir.path(), "broken.json", r#"{"version": "x"}"#);
    let (code, _, stderr) = publish(dir.path(), &["policy", &broken]);
    assert_eq!(code, 2);
    assert!(stderr.contains("政策文件无效"), "{stderr}");
}
