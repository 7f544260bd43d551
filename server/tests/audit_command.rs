//! `cunbao-server audit verify`, run as an operator would, against a real SQLite database with
//! audit entries from real sign-ins: whole, then an edited entry found by its number; the
//! health page shows the head the command prints.

mod common;

use std::process::Command;

use axum::http::Method;
use common::{Backend, TestServer};

fn verify(data_dir: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cunbao-server"))
        .args(["audit", "verify"])
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

#[tokio::test]
async fn an_edited_entry_is_found_and_the_head_is_on_the_health_page() {
    let s = TestServer::start(Backend::Sqlite).await;
    for user in ["lijia", "daping", "shenhe"] {
        s.sign_in(user).await;
    }
    let data_dir = std::path::Path::new(s.url.trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .to_path_buf();
    let (code, out, err) = verify(&data_dir);
    assert_eq!(code, 0, "{out}{err}");
    let (_, health) = s.call(Method::GET, "/api/v1/health", None, None).await;
    let head = health["audit_head"].as_str().unwrap();
    assert_eq!(health["audit_entries"], 3);
    assert!(out.contains("审计链完好：共3条"), "{out}");
    assert!(out.contains(head), "{out} vs {head}");

    sqlx::query("UPDATE audit_log SET detail = '{}' WHERE id = 2")
        .execute(&s.state.db)
        .await
        .unwrap();
    let (code, _, err) = verify(&data_dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("审计链在第2条处断开"), "{err}");
}
