//! A test server over a real database: a fresh SQLite file, or a fresh database on the
//! PostgreSQL server named by `CUNBAO_TEST_DATABASE_URL` (started by `./test.sh`).
#![allow(dead_code)]

pub mod claims;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use cunbao_server::client::ClientFiles;
use cunbao_server::{app, db, seed, AppState};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestServer {
    pub state: AppState,
    pub backend: Backend,
    pub url: String,
    pub _dir: tempfile::TempDir,
}

pub fn postgres_admin_url() -> String {
    std::env::var("CUNBAO_TEST_DATABASE_URL").expect(
        "CUNBAO_TEST_DATABASE_URL is not set: run ./test.sh, which starts a throwaway PostgreSQL",
    )
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => db::url_for(None, dir.path()).unwrap(),
            Backend::Postgres => {
                let admin = postgres_admin_url();
                sqlx::any::install_default_drivers();
                let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
                let name = format!("cunbao_test_{}", cunbao_server::auth::random_hex(6));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                let base = admin.rsplit_once('/').unwrap().0;
                format!("{base}/{name}")
            }
        };
        let pool = db::open(&url).await.unwrap();
        seed::seed(&pool, &seed::LIANGJIANG).await.unwrap();
        seed::seed(&pool, &OTHER_TOWNSHIP).await.unwrap();
        TestServer {
            state: AppState::load(pool, ClientFiles::default()).await.unwrap(),
            backend,
            url,
            _dir: dir,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let body = body.map(|b| b.to_string());
        request(&self.state, method.as_str(), path, token, body).await
    }

    /// A GET answered with text (a CSV file): the status, the headers and the body.
    pub async fn get_text(
        &self,
        path: &str,
        token: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    pub async fn raw(&self, request: Request<Body>) -> (StatusCode, Value) {
        send(&self.state, request).await
    }

    /// Pushes a batch as the device of `token`.
    pub async fn push(
        &self,
        token: &str,
        mutations: &[cunbao_domain::sync::Mutation],
    ) -> (StatusCode, Value) {
        let body = serde_json::json!({ "mutations": mutations });
        self.call(Method::POST, "/api/v1/sync/push", Some(token), Some(body))
            .await
    }

    /// [`TestServer::push`], which must be answered 200; the answer's body.
    pub async fn push_ok(&self, token: &str, mutations: &[cunbao_domain::sync::Mutation]) -> Value {
        let (status, body) = self.push(token, mutations).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn sign_in(&self, username: &str) -> (String, String) {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/sign-in",
                None,
                Some(serde_json::json!({
                    "username": username,
                    "password": seed::SAMPLE_PASSWORD,
                    "device_name": format!("{username} 平板"),
                })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (
            body["token"].as_str().unwrap().to_string(),
            body["device_id"].as_str().unwrap().to_string(),
        )
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    /// The status of record `id` on the server.
    pub async fn status_of(&self, id: &str) -> String {
        sqlx::query_scalar("SELECT status FROM records WHERE id = $1")
            .bind(id)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }
}

/// One request to the server in-process, as a tablet would send it.
pub async fn request(
    state: &AppState,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body)
        }
        None => Body::empty(),
    };
    send(state, request.body(body).unwrap()).await
}

async fn send(state: &AppState, request: Request<Body>) -> (StatusCode, Value) {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

/// A household head (韦志明) enrolled on `on` for the scheme year of `policy` (a version).
pub fn enrolment_on(
    seq: u64,
    record: &str,
    id: &cunbao_domain::id_number::IdNumber,
    policy: &str,
    scheme_year: i32,
    on: chrono::NaiveDate,
) -> cunbao_domain::sync::Mutation {
    cunbao_domain::sync::Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: cunbao_domain::sample::head_enrolment(
            record,
            id.clone(),
            "韦志明",
            policy,
            scheme_year,
            on,
        ),
    }
}

/// Generates `sqlite::name` and `postgres::name` tests from `async fn name(Backend)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $test() { super::$test(super::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $test() { super::$test(super::Backend::Postgres).await } )*
        }
    };
}

/// A second township, for the tests that everything outside one's territory stays hidden.
pub const OTHER_TOWNSHIP: seed::Territory = seed::Territory {
    township: ("twp-shanhe", "山河镇"),
    clinics: &[("clinic-shanhe1", "山河村卫生室")],
    users: &[
        seed::SampleUser {
            username: "shanhe1",
            display_name: "山河村卫生室",
            role: cunbao_domain::sync::Role::ClinicAssistant,
            clinic: Some("clinic-shanhe1"),
        },
        seed::SampleUser {
            username: "shanhe-admin",
            display_name: "山河镇管理员",
            role: cunbao_domain::sync::Role::Administrator,
            clinic: None,
        },
        seed::SampleUser {
            username: "shanhe-review",
            display_name: "山河镇审核员",
            role: cunbao_domain::sync::Role::TownshipReviewer,
            clinic: None,
        },
    ],
};
