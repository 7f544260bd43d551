//! `cunbao-server backup` and `restore`, run as an operator runs them (the binary, configured
//! by `CUNBAO_DATA_DIR` or `DATABASE_URL`), on a real SQLite file and a real PostgreSQL
//! database: an online backup, a restore refused while the server runs, the restore itself (a
//! new epoch, the backup's data, the revocation made after the backup carried over, the
//! restore in an intact audit chain); and the data directory, database and backups private.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::{Method, StatusCode};
use common::{Backend, TestServer};
use cunbao_server::{db, AppState};

/// The binary with the environment that points it at the test server's database, run while
/// this test's runtime goes on (a closed pool finishes closing its connections).
async fn command(s: &TestServer, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cunbao-server"));
    command.args(args);
    match s.backend {
        Backend::Sqlite => command
            .env("CUNBAO_DATA_DIR", data_dir(s))
            .env_remove("DATABASE_URL"),
        Backend::Postgres => command.env("DATABASE_URL", &s.url),
    };
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn data_dir(s: &TestServer) -> PathBuf {
    database_file(s).parent().unwrap().to_path_buf()
}

fn database_file(s: &TestServer) -> PathBuf {
    let path = s.url.trim_start_matches("sqlite://");
    PathBuf::from(path.split('?').next().unwrap())
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

async fn enrol(s: &TestServer, token: &str, seq: u64, record: &str, n: u16) {
    let id = cunbao_domain::id_number::compose(
        "450325",
        chrono::NaiveDate::from_ymd_opt(1985, 4, 3).unwrap(),
        n,
    );
    let m = common::enrolment_on(
        seq,
        record,
        &id,
        "county-sample-2025.1",
        2025,
        chrono::NaiveDate::from_ymd_opt(2024, 10, 9).unwrap(),
    );
    let body = s.push_ok(token, &[m]).await;
    assert_eq!(body["results"][0]["status"], "applied", "{body}");
}

async fn handshake(state: &AppState, token: &str) -> (StatusCode, serde_json::Value) {
    common::request(state, "GET", "/api/v1/sync/handshake", Some(token), None).await
}

async fn backup_then_restore_as_an_operator_runs_them(backend: Backend) {
    let s = TestServer::start(backend).await;
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("cunbao.backup");
    let backup_arg = backup.to_str().unwrap();
    let (old_lijia, lijia_device) = s.sign_in("lijia").await;
    let (daping, daping_device) = s.sign_in("daping").await;
    let (admin, _) = s.sign_in("admin").await;
    enrol(&s, &old_lijia, 1, "e1", 1).await;
    let (_, before) = handshake(&s.state, &old_lijia).await;
    let old_epoch = before["server_epoch"].as_str().unwrap().to_string();

    // Online: the server's pool stays open.
    let (code, out, err) = command(&s, &["backup", backup_arg]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("备份已写入") && out.contains("Backup written to"),
        "{out}"
    );
    assert!(
        out.contains("3 台设备") && out.contains("1 条业务记录"),
        "{out}"
    );
    #[cfg(unix)]
    assert_eq!(mode(&backup), 0o600);
    let (code, _, err) = command(&s, &["backup", backup_arg]).await;
    assert_eq!(code, 2);
    assert!(err.contains("已存在，不会覆盖"), "{err}");

    // After the backup: lijia's token renewed (and the new one used), more work, and daping's
    // tablet revoked.
    sqlx::query("UPDATE devices SET token_issued_at = $1 WHERE id = $2")
        .bind((chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339())
        .bind(&lijia_device)
        .execute(&s.state.db)
        .await
        .unwrap();
    let (_, renewed) = handshake(&s.state, &old_lijia).await;
    let lijia = renewed["renewed_token"].as_str().unwrap().to_string();
    enrol(&s, &lijia, 2, "e2", 2).await;
    let (status, _) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{daping_device}/revoke"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Refused while the server runs; nothing changes.
    let (code, out, err) = command(&s, &["restore", backup_arg]).await;
    assert_eq!(code, 2, "{out}{err}");
    match backend {
        Backend::Sqlite => assert!(err.contains("正在使用中"), "{err}"),
        Backend::Postgres => assert!(err.contains("stop every server process"), "{err}"),
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 2);

    // The server stops; the restore.
    s.state.db.close().await;
    let (code, out, err) = command(&s, &["restore", backup_arg]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("新纪元") && out.contains("New epoch"), "{out}");
    assert!(out.contains(&daping_device), "{out}");
    #[cfg(unix)]
    if backend == Backend::Sqlite {
        assert_eq!(mode(&database_file(&s)), 0o600);
        for stale in ["-wal", "-shm", ".restoring"] {
            let path = format!("{}{stale}", database_file(&s).display());
            assert!(!Path::new(&path).exists(), "{path}");
        }
    }
    let (code, out, err) = command(&s, &["audit", "verify"]).await;
    assert_eq!(code, 0, "the restore continues the chain: {out}{err}");

    // The server starts again.
    let pool = db::open(&s.url).await.unwrap();
    let state = AppState::load(pool.clone(), Default::default())
        .await
        .unwrap();
    let (status, after) = handshake(&state, &lijia).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the renewed token is carried over: {after}"
    );
    assert_eq!(
        handshake(&state, &old_lijia).await.1["code"],
        "bad_token",
        "the token it replaced stays retired"
    );
    assert_ne!(after["server_epoch"], old_epoch, "a new epoch");
    assert_eq!(after["last_applied_seq"], 1, "the backup holds e1, not e2");
    let records: Vec<String> = sqlx::query_scalar("SELECT id FROM records ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(records, ["e1"]);
    let (status, body) = handshake(&state, &daping).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["code"], "device_revoked",
        "revoked after the backup, still revoked"
    );
    let action: String =
        sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(action, "restore");
    pool.close().await;
}

/// `--sign-out-all`: every token stops working; signing in again works.
async fn sign_out_all_makes_every_tablet_sign_in_again(backend: Backend) {
    let s = TestServer::start(backend).await;
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("cunbao.backup");
    let (lijia, _) = s.sign_in("lijia").await;
    let (code, out, err) = command(&s, &["backup", backup.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{out}{err}");
    s.state.db.close().await;
    let (code, out, err) =
        command(&s, &["restore", backup.to_str().unwrap(), "--sign-out-all"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已注销全部 1 台设备"), "{out}");
    let pool = db::open(&s.url).await.unwrap();
    let state = AppState::load(pool.clone(), Default::default())
        .await
        .unwrap();
    let (status, body) = handshake(&state, &lijia).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "bad_token");
    let (status, _) = common::request(
        &state,
        "POST",
        "/api/v1/auth/sign-in",
        None,
        Some(
            serde_json::json!({ "username": "lijia", "password": cunbao_server::seed::SAMPLE_PASSWORD,
                "device_name": "平板" })
            .to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    pool.close().await;
}

/// A file that is not a backup is refused before anything changes.
async fn what_is_not_a_backup_is_refused(backend: Backend) {
    let s = TestServer::start(backend).await;
    s.sign_in("lijia").await;
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk");
    std::fs::write(&junk, "not a database, not a dump\n".repeat(100)).unwrap();
    s.state.db.close().await;
    let (code, out, err) = command(&s, &["restore", junk.to_str().unwrap()]).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    let pool = db::open(&s.url).await.unwrap();
    let devices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(devices, 1);
    pool.close().await;
}

/// The data directory is created 0700 (with any parent it needs; an existing directory is
/// left as it is), the database file (and SQLite's -wal and -shm, which take its mode) 0600;
/// a database file made before is made private when the server opens it.
#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_database_are_private() {
    let s = TestServer::start(Backend::Sqlite).await;
    s.sign_in("lijia").await;
    let file = database_file(&s);
    assert_eq!(mode(&file), 0o600);
    for suffix in ["-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", file.display()));
        assert!(path.exists(), "{}", path.display());
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }

    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("county").join("data");
    let old = dir.path().join("old");
    std::fs::create_dir(&old).unwrap();
    std::fs::write(old.join("cunbao.sqlite3"), "").unwrap();
    std::fs::set_permissions(
        old.join("cunbao.sqlite3"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    for data in [&nested, &old] {
        let pool = db::open_sqlite(data).await.unwrap();
        pool.close().await;
        assert_eq!(mode(&data.join("cunbao.sqlite3")), 0o600);
    }
    assert_eq!(mode(&nested), 0o700);
    assert_eq!(mode(nested.parent().unwrap()), 0o700);
}

on_both_databases!(
    backup_then_restore_as_an_operator_runs_them,
    sign_out_all_makes_every_tablet_sign_in_again,
    what_is_not_a_backup_is_refused,
);
