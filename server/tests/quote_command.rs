//! The `quote` command, run as a user would run it.

use std::io::Write;
use std::process::{Command, Stdio};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../domain/data/quote-example.json"
);

fn quote(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cunbao-server"))
        .arg("quote")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_readme_example_prints_the_worked_example_breakdown() {
    let (code, stdout, stderr) = quote(&[EXAMPLE], "");
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["policy"], "county-sample-2025.1");
    let s = &json["settlement"];
    assert_eq!(s["total"], "114.60");
    assert_eq!(s["in_policy"], "62.00");
    assert_eq!(s["deductible_taken"], "50.00");
    assert_eq!(s["fund"], "6.00");
    assert_eq!(s["patient"], "108.60");
    assert_eq!(s["accumulators_after"]["deductible_met"], "300.00");
    assert_eq!(s["accumulators_after"]["fund_paid"], "1996.00");
    assert_eq!(s["lines"][1]["self_pay_full"], "1.60");
}

#[test]
fn a_price_per_piece_with_six_decimals_is_quoted_to_the_fen() {
    let scenario = r#"{"params": {"deductible": "0", "ratio": "0.5", "annual_cap": "2000"},
        "lines": [{"name": "二甲双胍片（拆零）", "class": "A", "price": "0.208333", "quantity": "3"},
                  {"class": "A", "price": "0.0025", "quantity": "2"}]}"#;
    let (code, stdout, stderr) = quote(&["-"], scenario);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let s = &json["settlement"];
    assert_eq!(s["lines"][0]["amount"], "0.62");
    assert_eq!(s["lines"][1]["amount"], "0.01");
    assert_eq!(s["total"], "0.63");
    let (code, _, stderr) = quote(&["-"], &scenario.replace("0.208333", "0.2083333"));
    assert_eq!(code, 2);
    assert!(stderr.contains("单价最多六位小数"), "{stderr}");
}

#[test]
fn standard_input_works_too() {
    let (code, stdout, _) = quote(&[], &std::fs::read_to_string(EXAMPLE).unwrap());
    assert_eq!(code, 0);
    assert!(stdout.contains("\"patient\": \"108.60\""));
}

#[test]
fn a_bad_scenario_exits_2_with_a_message() {
    let (code, stdout, stderr) = quote(
        &["-"],
        r#"{"params": {"deductible": "300", "ratio": "2", "annual_cap": "1"}, "lines": []}"#,
    );
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("ratio"), "{stderr}");
    let (code, _, stderr) = quote(&["/no/such/file.json"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
}
