//! Sync throughput, printed as figures (not a pass/fail test):
//! - push of 10,000 claim mutations from the app's store (the real sync engine over the
//!   in-memory store) to a real server over loopback TCP, end to end;
//! - the server's claims/s with authoritative re-settlement, on SQLite and, when
//!   `CUNBAO_TEST_DATABASE_URL` names a PostgreSQL server, on PostgreSQL.
//!
//! Run: `cargo bench -p cunbao-integration --bench sync` (add `-- 2000` for another count).

use std::time::Instant;

use bytes::Bytes;
use chrono::NaiveDate;
use cunbao_app::storage::memory::MemoryStore;
use cunbao_app::sync::outbox;
use cunbao_app::sync::transport::{push_body, Api, TransportError, PUSH_PATH};
use cunbao_app::sync::{self as engine, sync_once};
use cunbao_domain::id_number::compose;
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::{PushResponse, SignInRequest};
use cunbao_domain::synthetic::{self, Rng};
use cunbao_server::client::ClientFiles;
use cunbao_server::{app, db, seed, AppState};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// A plain HTTP/1.1 client over a real socket.
struct Socket {
    base: String,
    client: HttpClient,
}

impl cunbao_app::sync::transport::HttpClient for Socket {
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, serde_json::Value), TransportError> {
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .unwrap();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| TransportError::Unavailable(e.to_string()))?;
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
    }
}

async fn run(label: &str, url: &str, count: usize) {
    let pool = db::open(url).await.unwrap();
    seed::seed(&pool, &seed::LIANGJIANG).await.unwrap();
    let state = AppState::load(pool.clone(), ClientFiles::default())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });
    let http = Api(Socket {
        base: format!("http://{addr}"),
        client: Client::builder(TokioExecutor::new()).build_http(),
    });

    let store = MemoryStore::new();
    engine::sign_in(
        &store,
        &http,
        &SignInRequest {
            username: "lijia".into(),
            password: seed::SAMPLE_PASSWORD.into(),
            device_name: "bench".into(),
            tablet_id: None,
            new_password: None,
        },
    )
    .await
    .unwrap();

    // `count` claims by 2,000 people over the year, 1–5 lines each from a 30,000-item catalogue.
    let policy = Policy::sample_2025();
    let catalogue = synthetic::catalogue(30_000, 1);
    let mut rng = Rng::new(11);
    let started = Instant::now();
    for i in 0..count {
        let person = compose(
            "450324",
            NaiveDate::from_ymd_opt(1960, 1, 1).unwrap(),
            (i % 1000) as u16,
        );
        let person = if i % 2000 >= 1000 {
            compose(
                "450325",
                NaiveDate::from_ymd_opt(1961, 1, 1).unwrap(),
                (i % 1000) as u16,
            )
        } else {
            person
        };
        let lines: Vec<LineInput> = (0..1 + rng.below(5))
            .map(|_| LineInput::from_item(rng.pick(&catalogue.items), Quantity::whole(1)))
            .filter(|l| {
                l.first_self_pay_ratio.is_some()
                    || l.class != cunbao_domain::catalogue::ItemClass::B
            })
            .collect();
        let lines = if lines.is_empty() {
            vec![LineInput::from_item(
                &catalogue.items[0],
                Quantity::whole(1),
            )]
        } else {
            lines
        };
        let visit_date =
            NaiveDate::from_ymd_opt(2025, 1 + (i % 12) as u32, 1 + (i % 28) as u32).unwrap();
        let body = sample::general_outpatient_claim(
            &policy,
            &catalogue.version,
            person,
            visit_date,
            lines,
            Accumulators::default(),
        );
        outbox::enqueue(&store, &format!("k{i}"), body, 0)
            .await
            .unwrap();
    }
    let made = started.elapsed();

    let started = Instant::now();
    let report = sync_once(&store, &http, 1).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.applied, count, "{report:?}");
    let on_server: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE kind = 'claim'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(on_server as usize, count);
    let adjustments: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE kind = 'adjustment'")
            .fetch_one(&pool)
            .await
            .unwrap();
    // The server alone: a second tablet's claims, serialised beforehand, pushed in batches.
    let second = MemoryStore::new();
    engine::sign_in(
        &second,
        &http,
        &SignInRequest {
            username: "daping".into(),
            password: seed::SAMPLE_PASSWORD.into(),
            device_name: "bench 2".into(),
            tablet_id: None,
            new_password: None,
        },
    )
    .await
    .unwrap();
    let token = engine::session(&second).await.unwrap().unwrap().token;
    let entries: Vec<_> = outbox::entries(&store)
        .await
        .unwrap()
        .into_iter()
        .map(|mut e| {
            e.mutation.record_id = format!("s-{}", e.mutation.record_id);
            e
        })
        .collect();
    let bodies: Vec<String> = entries
        .chunks(cunbao_domain::sync::MAX_BATCH)
        .map(push_body)
        .collect();
    let started = Instant::now();
    for body in bodies {
        let response: PushResponse = http
            .call("POST", PUSH_PATH, Some(&token), Some(body))
            .await
            .unwrap();
        assert!(response
            .results
            .iter()
            .all(|r| r.status == cunbao_domain::sync::MutationStatus::Applied));
    }
    let server_only = started.elapsed();
    println!(
        "{label}: server alone applied and re-settled {count} claims in {:.2} s = {:.0} claims/s",
        server_only.as_secs_f64(),
        count as f64 / server_only.as_secs_f64()
    );
    println!(
        "{label}: {count} claims made on the tablet in {:.2} s; pushed, re-settled and pulled back in \
         {:.2} s over loopback = {:.0} claims/s end to end ({} adjustments, {} changes pulled)",
        made.as_secs_f64(),
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        adjustments,
        report.pulled,
    );
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    run("SQLite", &db::url_for(None, dir.path()).unwrap(), count).await;
    match std::env::var("CUNBAO_TEST_DATABASE_URL") {
        Ok(admin) => {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
            let name = format!("cunbao_bench_{}", cunbao_server::auth::random_hex(4));
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            run("PostgreSQL", &url, count).await;
        }
        Err(_) => println!("PostgreSQL: skipped (set CUNBAO_TEST_DATABASE_URL, as ./test.sh does)"),
    }
}
