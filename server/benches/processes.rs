//! Push throughput with several server processes on one database, printed as figures (not a
//! pass/fail test). The real `cunbao-server` binary is started once or twice on one database;
//! many devices (tablets of the three sample clinics) push claims of their own patients in
//! batches through the processes in turn, as behind a load balancer; every claim is re-settled
//! with the person's full year, the risk rules run and adjustments are recorded. Prints claims/s
//! over the pushing alone, the answers, and any 5xx.
//!
//! Run: `cargo bench -p cunbao-server --bench processes [-- CLAIMS DEVICES]` (default 20,000
//! claims from 8 devices). SQLite always; PostgreSQL with one and with two processes when
//! `CUNBAO_TEST_DATABASE_URL` names a server (`source scripts/postgres.sh` starts one).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{Datelike, Days, NaiveDate};
use cunbao_domain::id_number::compose;
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::Mutation;
use cunbao_domain::synthetic::Rng;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// A claim batch as a tablet back in signal sends it.
const BATCH: usize = 100;

struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(
    database_url: Option<&str>,
    data_dir: &std::path::Path,
    http: &HttpClient,
) -> Process {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cunbao-server"));
    command
        .env("CUNBAO_BIND", format!("127.0.0.1:{port}"))
        .env("CUNBAO_DATA_DIR", data_dir)
        .env("CUNBAO_SAMPLE_DATA", "1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let process = Process {
        child: command.spawn().expect("the server starts"),
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..300 {
        if let Ok((200, _)) = call(http, &process.base, "GET", "/api/v1/health", None, None).await {
            return process;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {} did not answer", process.base);
}

async fn call(
    http: &HttpClient,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<(u16, Value), hyper_util::client::legacy::Error> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = http
        .request(
            request
                .body(Full::new(Bytes::from(body.unwrap_or_default())))
                .unwrap(),
        )
        .await?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
}

async fn sign_in(http: &HttpClient, base: &str, username: &str, device: usize) -> String {
    let (status, body) = call(
        http,
        base,
        "POST",
        "/api/v1/auth/sign-in",
        None,
        Some(
            json!({ "username": username, "password": cunbao_server::seed::SAMPLE_PASSWORD,
                    "device_name": format!("bench {device}") })
            .to_string(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_string()
}

/// One device's work: enrolments of its patients, then their claims over last year.
struct Device {
    token: String,
    enrolments: Vec<Mutation>,
    claims: Vec<Mutation>,
}

fn device_work(d: usize, claims: usize, token: String) -> Device {
    let year = cunbao_server::clock::today().year() - 1;
    let policy = Policy::sample_for(year);
    let catalogue = sample::catalogue();
    let mut rng = Rng::new(d as u64 + 7);
    // About ten visits a patient over the year, as a village clinic's regulars.
    let people: Vec<_> = (0..claims.div_ceil(10).max(1))
        .map(|p| {
            let born = NaiveDate::from_ymd_opt(1940 + d as i32, 1 + (p / 900) as u32, 1).unwrap();
            compose("450324", born, (p % 900) as u16 + 1)
        })
        .collect();
    let mut seq = 0;
    let mut next = || {
        seq += 1;
        seq
    };
    let enrolments = people
        .iter()
        .enumerate()
        .map(|(p, who)| {
            let record = format!("b{d}-e{p}");
            Mutation {
                seq: next(),
                body: sample::head_enrolment(
                    &record,
                    who.clone(),
                    "韦志明",
                    &policy.version,
                    policy.scheme_year,
                    NaiveDate::from_ymd_opt(year - 1, 10, 10).unwrap(),
                ),
                record_id: record,
                operator: None,
            }
        })
        .collect();
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let claims = (0..claims)
        .map(|i| {
            let who = people[i % people.len()].clone();
            // In order of date, as a tablet records them.
            let visit_date = first + Days::new((i * 360 / claims) as u64);
            let lines: Vec<LineInput> = (0..1 + rng.below(4))
                .map(|_| LineInput::from_item(rng.pick(&catalogue.items), Quantity::whole(1)))
                .filter(|l| l.class != cunbao_domain::catalogue::ItemClass::B)
                .collect();
            let lines = if lines.is_empty() {
                vec![LineInput::from_item(
                    &catalogue.items[0],
                    Quantity::whole(1),
                )]
            } else {
                lines
            };
            Mutation {
                seq: next(),
                record_id: format!("b{d}-c{i}"),
                operator: None,
                body: sample::general_outpatient_claim(
                    &policy,
                    &catalogue.version,
                    who,
                    visit_date,
                    lines,
                    Accumulators::default(),
                ),
            }
        })
        .collect();
    Device {
        token,
        enrolments,
        claims,
    }
}

#[derive(Default, Debug)]
struct Tally {
    applied: usize,
    adjusted: usize,
    rejected: usize,
    server_errors: usize,
    codes: std::collections::BTreeMap<String, usize>,
}

/// Pushes `batches` of one device, the k-th through process k mod n.
async fn push_all(
    http: &HttpClient,
    bases: &[String],
    token: &str,
    batches: Vec<String>,
    offset: usize,
) -> Tally {
    let mut tally = Tally::default();
    for (k, body) in batches.into_iter().enumerate() {
        let base = &bases[(k + offset) % bases.len()];
        let (status, answer) = call(
            http,
            base,
            "POST",
            "/api/v1/sync/push",
            Some(token),
            Some(body),
        )
        .await
        .unwrap();
        if status >= 500 {
            tally.server_errors += 1;
            continue;
        }
        assert_eq!(status, 200, "{answer}");
        for result in answer["results"].as_array().unwrap() {
            match result["status"].as_str().unwrap() {
                "rejected" => {
                    tally.rejected += 1;
                    *tally
                        .codes
                        .entry(result["code"].as_str().unwrap_or("").to_string())
                        .or_default() += 1;
                }
                _ if result["code"] == "adjusted" => tally.adjusted += 1,
                _ => tally.applied += 1,
            }
        }
    }
    tally
}

fn bodies(mutations: &[Mutation]) -> Vec<String> {
    mutations
        .chunks(BATCH)
        .map(|batch| json!({ "mutations": batch }).to_string())
        .collect()
}

async fn run(
    label: &str,
    database_url: Option<&str>,
    processes: usize,
    claims: usize,
    devices: usize,
) {
    let dir = tempfile::tempdir().unwrap();
    let http: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut running = Vec::new();
    for _ in 0..processes {
        running.push(start(database_url, dir.path(), &http).await);
    }
    let bases: Vec<String> = running.iter().map(|p| p.base.clone()).collect();
    let users = ["lijia", "daping", "shimen"];
    let mut work = Vec::new();
    for d in 0..devices {
        let token = sign_in(&http, &bases[d % bases.len()], users[d % users.len()], d).await;
        work.push(device_work(d, claims / devices, token));
    }
    // Enrolments first (not timed): the patients are insured for the year.
    let enrolled = push_devices(
        &http,
        &bases,
        work.iter()
            .map(|w| (w.token.clone(), bodies(&w.enrolments))),
    )
    .await;
    let refused: usize = enrolled.iter().map(|t| t.rejected + t.server_errors).sum();
    assert_eq!(refused, 0, "enrolments refused: {enrolled:?}");
    let total: usize = work.iter().map(|w| w.claims.len()).sum();
    let batches: Vec<_> = work
        .iter()
        .map(|w| (w.token.clone(), bodies(&w.claims)))
        .collect();
    let started = Instant::now();
    let tallies = push_devices(&http, &bases, batches.into_iter()).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut sum = Tally::default();
    for t in tallies {
        sum.applied += t.applied;
        sum.adjusted += t.adjusted;
        sum.rejected += t.rejected;
        sum.server_errors += t.server_errors;
        for (code, n) in t.codes {
            *sum.codes.entry(code).or_default() += n;
        }
    }
    println!(
        "{label}: {total} claims from {devices} devices through {processes} process(es) in {elapsed:.2} s \
         = {:.0} claims/s ({} applied, {} re-settled with an adjustment, {} rejected {:?}, {} batches answered 5xx)",
        total as f64 / elapsed,
        sum.applied,
        sum.adjusted,
        sum.rejected,
        sum.codes,
        sum.server_errors,
    );
}

/// Pushes every device's batches at once, each device on its own task.
async fn push_devices(
    http: &HttpClient,
    bases: &[String],
    work: impl Iterator<Item = (String, Vec<String>)>,
) -> Vec<Tally> {
    let tasks: Vec<_> = work
        .enumerate()
        .map(|(d, (token, batches))| {
            let (http, bases) = (http.clone(), bases.to_vec());
            tokio::spawn(async move { push_all(&http, &bases, &token, batches, d).await })
        })
        .collect();
    let mut tallies = Vec::new();
    for task in tasks {
        tallies.push(task.await.unwrap());
    }
    tallies
}

#[tokio::main]
async fn main() {
    let mut numbers = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<usize>().ok());
    let claims = numbers.next().unwrap_or(20_000);
    let devices = numbers.next().unwrap_or(8);
    run("SQLite", None, 1, claims, devices).await;
    let Ok(admin) = std::env::var("CUNBAO_TEST_DATABASE_URL") else {
        println!("PostgreSQL: skipped (set CUNBAO_TEST_DATABASE_URL; `source scripts/postgres.sh` starts one)");
        return;
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
    for processes in [1, 2] {
        let name = format!("cunbao_bench_{}", cunbao_server::auth::random_hex(4));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        run("PostgreSQL", Some(&url), processes, claims, devices).await;
    }
}
