//! The township's users, tried from outside on SQLite and PostgreSQL: an administrator creates
//! an assistant whose first password must be changed before any token is issued; a reset
//! password likewise; a disabled user signs in nowhere and their tablets' tokens are refused
//! (and work again once enabled); an assistant moved to another clinic signs in again into
//! it; clinic users, reviewers (for changes) and another township's administrator are refused;
//! crafted usernames, names, passwords and clinics are refused with the field named; and
//! `cunbao-server user add` creates the first administrator of a server without sample data.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use axum::http::{Method, StatusCode};
use common::{Backend, TestServer};
use serde_json::{json, Value};

const FIRST: &str = "Chushi-mima-7";
const OWN: &str = "songshu-po-22";

async fn sign_in_with(
    s: &TestServer,
    username: &str,
    password: &str,
    new_password: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({ "username": username, "password": password, "device_name": "平板" });
    if let Some(new) = new_password {
        body["new_password"] = json!(new);
    }
    s.call(Method::POST, "/api/v1/auth/sign-in", None, Some(body))
        .await
}

async fn create(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        "/api/v1/township/users",
        Some(token),
        Some(body),
    )
    .await
}

async fn change(s: &TestServer, token: &str, user: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/township/users/{user}");
    s.call(Method::POST, &path, Some(token), Some(body)).await
}

async fn listed(s: &TestServer, token: &str, user: &str) -> Value {
    let (status, body) = s
        .call(Method::GET, "/api/v1/township/users", Some(token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == user)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn handshake(s: &TestServer, token: &str) -> (StatusCode, Value) {
    s.call(Method::GET, "/api/v1/sync/handshake", Some(token), None)
        .await
}

fn assistant(username: &str, clinic: &str) -> Value {
    json!({
        "username": username,
        "display_name": "韦小燕",
        "role": "clinic_assistant",
        "clinic_id": clinic,
        "first_password": FIRST,
    })
}

async fn a_new_assistant_changes_the_first_password_before_any_token(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (admin, _) = s.sign_in("admin").await;
    let (status, body) = create(&s, &admin, assistant("weixy", "clinic-daping")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = listed(&s, &admin, "weixy").await;
    assert_eq!(row["must_change_password"], true);
    assert_eq!(row["clinic_name"], "大坪村卫生室");
    assert_eq!(row["sample"], false);
    assert_eq!(listed(&s, &admin, "daping").await["sample"], true);

    let devices = "SELECT COUNT(*) FROM devices WHERE username = 'weixy'";
    let (status, body) = sign_in_with(&s, "weixy", FIRST, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "password_change_required");
    assert_eq!(s.count(devices).await, 0, "no token before the change");

    for (weak, why) in [
        ("short7!", "too short"),
        ("weixy-2026", "contains the username"),
        ("cunbao2025", "the sample password"),
        (FIRST, "the same password"),
    ] {
        let (status, body) = sign_in_with(&s, "weixy", FIRST, Some(weak)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(body["code"], "new_password", "{why}");
    }
    let (status, body) = sign_in_with(&s, "weixy", "wrong-password", Some(OWN)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old password is still needed: {body}"
    );

    let (status, body) = sign_in_with(&s, "weixy", FIRST, Some(OWN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["clinic_id"], "clinic-daping");
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(handshake(&s, &token).await.0, StatusCode::OK);
    assert_eq!(
        listed(&s, &admin, "weixy").await["must_change_password"],
        false
    );
    assert_eq!(
        sign_in_with(&s, "weixy", FIRST, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sign_in_with(&s, "weixy", OWN, None).await.0, StatusCode::OK);
    assert_eq!(
        s.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('user_created', 'password_changed')"
        )
        .await,
        2
    );

    // A reset password is changed the same way.
    let (status, body) = change(
        &s,
        &admin,
        "weixy",
        json!({ "change": "reset_password", "password": "Chongzhi-88x" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        sign_in_with(&s, "weixy", OWN, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = sign_in_with(&s, "weixy", "Chongzhi-88x", None).await;
    assert_eq!(body["code"], "password_change_required", "{status} {body}");
    let (status, _) = sign_in_with(&s, "weixy", "Chongzhi-88x", Some("daping-lu-3hao")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_disabled_user_signs_in_nowhere_and_their_tablets_are_refused(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (admin, _) = s.sign_in("admin").await;
    let (tablet, _) = s.sign_in("lijia").await;
    assert_eq!(handshake(&s, &tablet).await.0, StatusCode::OK);

    let (status, body) = change(&s, &admin, "lijia", json!({ "change": "disable" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = handshake(&s, &tablet).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "account_disabled");
    let (status, body) = s.push(&tablet, &[]).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("account_disabled"))
    );
    let (status, body) =
        sign_in_with(&s, "lijia", cunbao_server::seed::SAMPLE_PASSWORD, None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("account_disabled"))
    );
    assert_eq!(listed(&s, &admin, "lijia").await["disabled"], true);

    // Their own administrator's account cannot be disabled by themselves.
    let (status, body) = change(&s, &admin, "admin", json!({ "change": "disable" })).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!("own_account"))
    );

    let (status, _) = change(&s, &admin, "lijia", json!({ "change": "enable" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        handshake(&s, &tablet).await.0,
        StatusCode::OK,
        "enabled again"
    );
}

async fn a_moved_assistant_signs_in_again_into_the_new_clinic(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (admin, _) = s.sign_in("admin").await;
    let (tablet, _) = s.sign_in("lijia2").await;
    let (status, body) = change(
        &s,
        &admin,
        "lijia2",
        json!({ "change": "move_to_clinic", "clinic_id": "clinic-shimen" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = handshake(&s, &tablet).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("token_expired"))
    );
    let (status, body) =
        sign_in_with(&s, "lijia2", cunbao_server::seed::SAMPLE_PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["clinic_id"], "clinic-shimen");

    for (body, code) in [
        (
            json!({ "change": "move_to_clinic", "clinic_id": "clinic-shanhe1" }),
            "clinic_id",
        ),
        (
            json!({ "change": "move_to_clinic", "clinic_id": "nowhere" }),
            "clinic_id",
        ),
    ] {
        let (status, answer) = change(&s, &admin, "lijia2", body).await;
        assert_eq!(
            (status, answer["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(code))
        );
    }
    let (status, answer) = change(
        &s,
        &admin,
        "shenhe",
        json!({ "change": "move_to_clinic", "clinic_id": "clinic-lijia" }),
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("not_an_assistant"))
    );
}

async fn only_the_townships_administrator_changes_its_users(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (clinic, _) = s.sign_in("lijia").await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (other_admin, _) = s.sign_in("shanhe-admin").await;
    let (admin, _) = s.sign_in("admin").await;

    let path = "/api/v1/township/users";
    let (status, _) = s.call(Method::GET, path, Some(&clinic), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = s.call(Method::GET, path, Some(&reviewer), None).await;
    assert_eq!(status, StatusCode::OK, "reviewers see the list");
    let names: Vec<&str> = body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"lijia") && !names.contains(&"shanhe1"),
        "{names:?}"
    );
    assert_eq!(body["clinics"].as_array().unwrap().len(), 3);

    for token in [&clinic, &reviewer] {
        let (status, _) = create(&s, token, assistant("sneaky", "clinic-lijia")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = change(&s, token, "lijia", json!({ "change": "disable" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // Another township's administrator: our users are not theirs to see or change.
    for body in [
        json!({ "change": "disable" }),
        json!({ "change": "reset_password", "password": "Hack-hack-99" }),
        json!({ "change": "move_to_clinic", "clinic_id": "clinic-shanhe1" }),
    ] {
        let (status, answer) = change(&s, &other_admin, "lijia", body).await;
        assert_eq!(
            (status, answer["code"].clone()),
            (StatusCode::NOT_FOUND, json!("unknown_user"))
        );
    }
    let (status, answer) = create(&s, &other_admin, assistant("sneaky", "clinic-lijia")).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("clinic_id"))
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM users WHERE username = 'sneaky'")
            .await,
        0
    );
    assert_eq!(
        handshake(&s, &clinic).await.0,
        StatusCode::OK,
        "nothing changed"
    );

    // Crafted and oversized inputs, each refused with its field named.
    let long = "长".repeat(41);
    let cases = [
        (
            json!({"username": "Robert'); DROP TABLE users;--", "display_name": "x", "role": "clinic_assistant", "clinic_id": "clinic-lijia", "first_password": FIRST}),
            "username",
        ),
        (
            json!({"username": "a".repeat(5000), "display_name": "x", "role": "clinic_assistant", "clinic_id": "clinic-lijia", "first_password": FIRST}),
            "username",
        ),
        (
            json!({"username": "newbie", "display_name": long, "role": "clinic_assistant", "clinic_id": "clinic-lijia", "first_password": FIRST}),
            "display_name",
        ),
        (
            json!({"username": "newbie", "display_name": "新人", "role": "clinic_assistant", "clinic_id": "clinic-lijia", "first_password": "1234567"}),
            "first_password",
        ),
        (
            json!({"username": "newbie", "display_name": "新人", "role": "clinic_assistant", "first_password": FIRST}),
            "clinic_id",
        ),
        (
            json!({"username": "newbie", "display_name": "新人", "role": "administrator", "clinic_id": "clinic-lijia", "first_password": FIRST}),
            "clinic_id",
        ),
        (
            json!({"username": "newbie", "display_name": "新人", "role": "superuser", "first_password": FIRST}),
            "invalid_fields",
        ),
        (
            json!({"username": "newbie", "display_name": "新人", "role": "administrator", "first_password": FIRST, "must_change_password": false}),
            "invalid_fields",
        ),
    ];
    for (body, code) in cases {
        let (status, answer) = create(&s, &admin, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["code"], code, "{answer}");
    }
    let (status, answer) = create(&s, &admin, assistant("daping", "clinic-lijia")).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::CONFLICT, json!("username_taken"))
    );
    let (status, answer) = change(
        &s,
        &admin,
        "lijia",
        json!({ "change": "reset_password", "password": "cunbao2025" }),
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("password"))
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM users WHERE username = 'newbie'")
            .await,
        0
    );
}

on_both_databases!(
    a_new_assistant_changes_the_first_password_before_any_token,
    a_disabled_user_signs_in_nowhere_and_their_tablets_are_refused,
    a_moved_assistant_signs_in_again_into_the_new_clinic,
    only_the_townships_administrator_changes_its_users,
);

/// A server without sample data has no accounts; the first administrator is made at the
/// console, reading the password from standard input, and then signs in.
#[tokio::test]
async fn the_first_administrator_is_made_at_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let url = cunbao_server::db::url_for(None, dir.path()).unwrap();
    let pool = cunbao_server::db::open(&url).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "no accounts without the sample flag");
    pool.close().await;

    let add = |args: &[&str], password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cunbao-server"))
            .arg("user")
            .args(args)
            .env("CUNBAO_DATA_DIR", dir.path())
            .env_remove("DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let boss = [
        "add",
        "boss",
        "--name",
        "县医保局管理员",
        "--role",
        "administrator",
        "--township",
        "twp-x",
    ];
    let (code, stderr) = add(&boss, "Xian-yibao-2026");
    assert_eq!(code, 2, "the township does not exist yet: {stderr}");
    assert!(stderr.contains("--township-name"), "{stderr}");
    let with_name = [&boss[..], &["--township-name", "新镇"]].concat();
    let (code, stderr) = add(&with_name, "cunbao2025");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("示例账号"), "{stderr}");
    let (code, stderr) = add(&with_name, "Xian-yibao-2026");
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = add(&with_name, "Xian-yibao-2026");
    assert_eq!(code, 2, "taken: {stderr}");

    let pool = cunbao_server::db::open(&url).await.unwrap();
    let state = cunbao_server::AppState::load(pool, Default::default())
        .await
        .unwrap();
    let body = json!({ "username": "boss", "password": "Xian-yibao-2026", "device_name": "电脑" });
    let (status, answer) = common::request(
        &state,
        "POST",
        "/api/v1/auth/sign-in",
        None,
        Some(body.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["user"]["role"], "administrator");
    assert_eq!(answer["user"]["township_id"], "twp-x");
}
