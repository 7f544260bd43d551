//! The township's screens at county scale, printed as figures (not a pass/fail test): one
//! township of 28 clinics whose tablets pushed 50,000 claims over this scheme year so far (through the real push
//! path: re-settled, risk rules run; about one in twenty priced above the catalogue and so
//! flagged, one in fifty held for review). Then, in-process against the server's router on a
//! real SQLite file: the review queue, filtered, one claim's review page, one clinic's
//! statement, the township's statements, the township's CSV, one clinic's lines CSV and the
//! dashboard (every chart's data, and one table as CSV) — each
//! asked 20 times; min, median and p95 printed against the targets (≤ 200 ms for the queue and
//! a claim, ≤ 500 ms for a statement, ≤ 5 s for the township's CSV, ≤ 300 ms for the dashboard).
//!
//! Run: `cargo bench -p cunbao-server --bench township [-- CLAIMS CLINICS HOUSEHOLDS]`
//! (`-- 150000 28 667`: a year of a county township, about 56,000 insured). On PostgreSQL when
//! `CUNBAO_TEST_DATABASE_URL` names a server (`source scripts/postgres.sh` starts one).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Datelike, NaiveDate};
use cunbao_domain::catalogue::CatalogueItem;
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::policy::{for_visit, Policy};
use cunbao_domain::quantity::Quantity;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::{Mutation, MutationBody, Role};
use cunbao_domain::unit_price::UnitPrice;
use cunbao_server::client::ClientFiles;
use cunbao_server::seed::{SampleUser, Territory};
use cunbao_server::{app, db, published, sample_residents, seed, AppState};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const REPEAT: usize = 20;
const BATCH: usize = 200;

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A township of `clinics` clinics, an assistant each, and a reviewer.
fn territory(clinics: usize) -> &'static Territory {
    let ids: Vec<(&'static str, &'static str)> = (1..=clinics)
        .map(|n| {
            (
                leak(format!("clinic-{n:02}")),
                leak(format!("第{n}村卫生室")),
            )
        })
        .collect();
    let mut users: Vec<SampleUser> = ids
        .iter()
        .enumerate()
        .map(|(n, (id, name))| SampleUser {
            username: leak(format!("clinic{:02}", n + 1)),
            display_name: name,
            role: Role::ClinicAssistant,
            clinic: Some(id),
        })
        .collect();
    users.push(SampleUser {
        username: "reviewer",
        display_name: "县审核员",
        role: Role::TownshipReviewer,
        clinic: None,
    });
    Box::leak(Box::new(Territory {
        township: ("twp-county", "县城镇"),
        clinics: Box::leak(ids.into_boxed_slice()),
        users: Box::leak(users.into_boxed_slice()),
    }))
}

async fn call(
    state: &AppState,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Vec<u8>) {
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
    let response = app(state.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, bytes.to_vec())
}

async fn sign_in(state: &AppState, username: &str) -> String {
    let body = json!({ "username": username, "password": seed::SAMPLE_PASSWORD,
                       "device_name": format!("{username} 平板") });
    let (status, bytes) = call(
        state,
        "POST",
        "/api/v1/auth/sign-in",
        None,
        Some(body.to_string()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// The people enrolled at `clinic` for `year`.
async fn people(state: &AppState, clinic: &str, year: i32) -> Vec<IdNumber> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT person FROM records WHERE kind = 'enrolment' AND status = 'active' \
         AND clinic_id = $1 AND scheme_year = $2 ORDER BY person",
    )
    .bind(clinic)
    .bind(i64::from(year))
    .fetch_all(&state.db)
    .await
    .unwrap();
    rows.iter().map(|p| IdNumber::parse(p).unwrap()).collect()
}

/// Two of the catalogue's unrestricted items, a different pair for each `n`.
fn lines(plain: &[&CatalogueItem], n: usize) -> Vec<LineInput> {
    (0..2)
        .map(|k| LineInput::from_item(plain[(n * 7 + k) % plain.len()], Quantity::whole(1)))
        .collect()
}

struct Timing {
    what: &'static str,
    target: Duration,
    samples: Vec<Duration>,
    bytes: usize,
}

async fn time(
    state: &AppState,
    token: &str,
    what: &'static str,
    path: &str,
    target_ms: u64,
) -> Timing {
    let mut samples = Vec::with_capacity(REPEAT);
    let mut bytes = 0;
    for _ in 0..REPEAT {
        let started = Instant::now();
        let (status, body) = call(state, "GET", path, Some(token), None).await;
        samples.push(started.elapsed());
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
        bytes = body.len();
    }
    samples.sort();
    Timing {
        what,
        target: Duration::from_millis(target_ms),
        samples,
        bytes,
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let claims = args.first().copied().unwrap_or(50_000);
    let clinics = args.get(1).copied().unwrap_or(28);
    let households = args.get(2).copied().unwrap_or(200);
    let today = cunbao_server::clock::today();
    let month = today.format("%Y-%m").to_string();
    let dir = tempfile::tempdir().unwrap();
    // On PostgreSQL when `CUNBAO_TEST_DATABASE_URL` names a server (a fresh database in it).
    let (pool, backend) = match std::env::var("CUNBAO_TEST_DATABASE_URL") {
        Ok(admin) => {
            sqlx::any::install_default_drivers();
            let server = sqlx::AnyPool::connect(&admin).await.unwrap();
            let name = format!("cunbao_township_{}", cunbao_server::auth::random_hex(4));
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&server)
                .await
                .unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            (db::open(&url).await.unwrap(), "PostgreSQL")
        }
        Err(_) => (db::open_sqlite(dir.path()).await.unwrap(), "SQLite"),
    };
    let territory = territory(clinics);
    seed::seed(&pool, territory).await.unwrap();
    published::ensure_sample_years(&pool, today).await.unwrap();
    let state = AppState::load(pool, ClientFiles::default()).await.unwrap();
    let started = Instant::now();
    // 200 households a clinic (about 600 people) unless told, enrolled for this year.
    sample_residents::ensure(&state, territory, today, households)
        .await
        .unwrap();
    let in_force = state.in_force().await.unwrap();
    let policies: Vec<Policy> = in_force
        .policy_versions()
        .iter()
        .filter_map(|v| in_force.policy(v).cloned())
        .collect();
    let policy = for_visit(&policies, today).unwrap().clone();
    let catalogue_version = in_force.catalogue.version.clone();
    let plain = in_force.catalogue.unrestricted();
    let insured: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE kind = 'enrolment' AND status = 'active'",
    )
    .fetch_one(&state.db)
    .await
    .unwrap();
    println!(
        "township bench: {clinics} clinics, {insured} insured, {claims} claims this scheme year up to {today} ({backend}); residents enrolled in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let per_clinic = claims.div_ceil(clinics);
    let first_day = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap();
    let days_so_far = (today - first_day).num_days() as u64 + 1;
    let mut pushed = 0;
    let mut applied = 0;
    for (c, (clinic, _)) in territory.clinics.iter().enumerate() {
        let token = sign_in(&state, territory.users[c].username).await;
        let who = people(&state, clinic, policy.scheme_year).await;
        let mut batch = Vec::with_capacity(BATCH);
        for n in 0..per_clinic.min(claims - pushed) {
            // Spread over the scheme year so far (a person's visits fall on different days).
            let visit = first_day + chrono::Days::new((n as u64 * 7919) % days_so_far);
            let mut body = cunbao_domain::sample::general_outpatient_claim(
                &policy,
                &catalogue_version,
                who[n % who.len()].clone(),
                visit,
                lines(&plain, n),
                Accumulators::default(),
            );
            if let MutationBody::Claim(claim) = &mut body {
                if n % 20 == 7 {
                    let line = &mut claim.lines[0];
                    let dearer = line.price.value() * rust_decimal::Decimal::new(13, 1);
                    line.price = UnitPrice::try_from_decimal(dearer.round_dp(2)).unwrap();
                }
                claim.pending_review = n % 50 == 11;
            }
            batch.push(Mutation {
                seq: n as u64 + 1,
                record_id: format!("{clinic}-k{n}"),
                operator: None,
                body,
            });
            if batch.len() == BATCH {
                applied += push(&state, &token, &mut batch).await;
            }
        }
        applied += push(&state, &token, &mut batch).await;
        pushed += per_clinic.min(claims - pushed);
    }
    println!(
        "pushed {pushed} claims ({applied} applied) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE kind = 'claim' AND status IN ('flagged', 'pending_review')",
    )
    .fetch_one(&state.db)
    .await
    .unwrap();
    println!("waiting for review: {waiting}");

    let reviewer = sign_in(&state, "reviewer").await;
    let (_, queue) = call(
        &state,
        "GET",
        "/api/v1/township/review",
        Some(&reviewer),
        None,
    )
    .await;
    let queue: Value = serde_json::from_slice(&queue).unwrap();
    let one = queue[0]["claim_id"].as_str().unwrap().to_string();
    let clinic = territory.clinics[0].0;
    let timings = [
        time(
            &state,
            &reviewer,
            "review queue (oldest 1,000)",
            "/api/v1/township/review",
            200,
        )
        .await,
        time(
            &state,
            &reviewer,
            "queue filtered by clinic",
            &format!("/api/v1/township/review?clinic={clinic}"),
            200,
        )
        .await,
        time(
            &state,
            &reviewer,
            "queue filtered by benefit and age",
            "/api/v1/township/review?benefit=general_outpatient&min_hours=0",
            200,
        )
        .await,
        time(
            &state,
            &reviewer,
            "one claim's review page",
            &format!("/api/v1/township/review/{one}"),
            200,
        )
        .await,
        time(
            &state,
            &reviewer,
            "one clinic's statement",
            &format!("/api/v1/township/statements/{clinic}/{month}"),
            500,
        )
        .await,
        time(
            &state,
            &reviewer,
            "one clinic's lines CSV",
            &format!("/api/v1/township/statements/{clinic}/{month}/lines.csv"),
            500,
        )
        .await,
        time(
            &state,
            &reviewer,
            "the township's statements",
            &format!("/api/v1/township/statements?month={month}"),
            5_000,
        )
        .await,
        time(
            &state,
            &reviewer,
            "the township's CSV",
            &format!("/api/v1/township/statements.csv?month={month}"),
            5_000,
        )
        .await,
        time(
            &state,
            &reviewer,
            "dashboard (every chart's data)",
            "/api/v1/township/dashboard",
            300,
        )
        .await,
        time(
            &state,
            &reviewer,
            "dashboard table CSV (months)",
            "/api/v1/township/dashboard.csv?table=months",
            300,
        )
        .await,
        time(
            &state,
            &reviewer,
            "monthly report CSV (this month)",
            &format!("/api/v1/township/report.csv?month={month}"),
            300,
        )
        .await,
    ];
    println!(
        "\n| {:<36} | {:>9} | {:>9} | {:>9} | {:>9} | {:>10} |",
        "request", "min", "median", "p95", "target", "bytes"
    );
    println!(
        "|{:-<38}|{:->11}|{:->11}|{:->11}|{:->11}|{:->12}|",
        "", "", "", "", "", ""
    );
    for t in &timings {
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        let p95 = t.samples[(t.samples.len() * 95 / 100).min(t.samples.len() - 1)];
        println!(
            "| {:<36} | {:>9} | {:>9} | {:>9} | {:>9} | {:>10} |",
            t.what,
            ms(t.samples[0]),
            ms(t.samples[t.samples.len() / 2]),
            ms(p95),
            ms(t.target),
            t.bytes
        );
    }
}

async fn push(state: &AppState, token: &str, batch: &mut Vec<Mutation>) -> usize {
    if batch.is_empty() {
        return 0;
    }
    let body = json!({ "mutations": batch }).to_string();
    batch.clear();
    let (status, bytes) = call(state, "POST", "/api/v1/sync/push", Some(token), Some(body)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "applied")
        .count()
}
