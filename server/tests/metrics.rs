//! `/metrics`: after claims pushed (one refused), a batch sent again, wrong and throttled
//! sign-ins and paged pulls, the figures are exactly those counts, in the Prometheus text
//! format, with route patterns and no business data; the main port never serves them. Then a
//! real server process started with `CUNBAO_METRICS_ADDR`: the figures on that address only,
//! and the access log names the route, the user and the device but no secret.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::Mutation;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const POLICY: &str = "county-sample-2025.1";

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn person(n: u16) -> IdNumber {
    compose("450324", NaiveDate::from_ymd_opt(1971, 4, 5).unwrap(), n)
}

fn enrolment(seq: u64, id: &IdNumber) -> Mutation {
    let on = NaiveDate::from_ymd_opt(2024, 11, 5).unwrap();
    common::enrolment_on(seq, &format!("e-{seq}"), id, POLICY, 2025, on)
}

fn claim(seq: u64, id: &IdNumber, date: NaiveDate) -> Mutation {
    let catalogue = sample::catalogue();
    let lines: Vec<LineInput> = catalogue.items[..1]
        .iter()
        .map(|item| LineInput::from_item(item, Quantity::whole(1)))
        .collect();
    Mutation {
        seq,
        record_id: format!("k-{seq}"),
        operator: None,
        body: sample::general_outpatient_claim(
            &Policy::sample_2025(),
            &catalogue.version,
            id.clone(),
            date,
            lines,
            Accumulators::default(),
        ),
    }
}

async fn sign_in_with(s: &TestServer, username: &str, password: &str) -> StatusCode {
    s.call(
        Method::POST,
        "/api/v1/auth/sign-in",
        None,
        Some(json!({ "username": username, "password": password, "device_name": "平板" })),
    )
    .await
    .0
}

/// One sample: its name, its labels and its value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A small reader of the text format (0.0.4): `# HELP` and `# TYPE` lines, then samples
/// `name{label="value",…} number`, each of a family declared by a `# TYPE` before it. Panics
/// on anything else.
fn parse(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    assert!(text.ends_with('\n'), "ends with a newline");
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(types.insert(name.to_string(), kind.to_string()).is_none());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{line:?}");
        let (series, value) = line.rsplit_once(' ').expect("name value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("a number in {line:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("labels end with }");
                let mut labels = BTreeMap::new();
                let mut rest = body;
                while !rest.is_empty() {
                    let (key, after) = rest.split_once("=\"").expect("label=\"value\"");
                    let mut value = String::new();
                    let mut chars = after.char_indices();
                    let end = loop {
                        match chars.next().expect("closing quote") {
                            (_, '\\') => match chars.next().expect("escape").1 {
                                'n' => value.push('\n'),
                                c => value.push(c),
                            },
                            (i, '"') => break i,
                            (_, c) => value.push(c),
                        }
                    };
                    assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                    labels.insert(key.to_string(), value);
                    rest = after[end + 1..]
                        .strip_prefix(',')
                        .unwrap_or(&after[end + 1..]);
                }
                (name, labels)
            }
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| {
                name.strip_suffix(suffix)
                    .filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "{name} has no # TYPE before it");
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    (types, samples)
}

/// The value of the sample `name` with exactly `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let want: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == name && s.labels == want)
        .collect();
    assert_eq!(found.len(), 1, "one {name}{labels:?} in {samples:#?}");
    found[0].value
}

/// Every histogram's buckets rise, end in `+Inf`, and that equals its `_count`.
fn check_histograms(types: &BTreeMap<String, String>, samples: &[Sample]) {
    for (family, _) in types.iter().filter(|(_, t)| *t == "histogram") {
        let buckets: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.name == format!("{family}_bucket"))
            .collect();
        assert!(buckets.windows(2).all(|w| w[0].value <= w[1].value
            && w[0].labels["le"].parse::<f64>().unwrap()
                < w[1].labels["le"].parse::<f64>().unwrap_or(f64::INFINITY)));
        let last = buckets.last().expect("buckets");
        assert_eq!(last.labels["le"], "+Inf");
        assert_eq!(last.value, value(samples, &format!("{family}_count"), &[]));
    }
}

async fn scrape(s: &TestServer) -> (StatusCode, String, String) {
    let response = cunbao_server::observe::metrics_router(s.state.clone())
        .oneshot(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn the_figures_are_what_happened(backend: Backend) {
    let s = TestServer::start(backend).await;
    // Sign-ins: one wrong password, then one right; 10 wrong for daping, the 11th throttled.
    assert_eq!(
        sign_in_with(&s, "lijia", "guess").await,
        StatusCode::UNAUTHORIZED
    );
    let (token, device) = s.sign_in("lijia").await;
    for _ in 0..10 {
        assert_eq!(
            sign_in_with(&s, "daping", "guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_with(&s, "daping", "guess").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // One push: an enrolment, two claims applied, one refused (not enrolled); then sent again.
    let (enrolled, stranger) = (person(11), person(12));
    let batch = [
        enrolment(1, &enrolled),
        claim(2, &enrolled, day(3, 10)),
        claim(3, &stranger, day(3, 11)),
        claim(4, &enrolled, day(3, 12)),
    ];
    let answer = s.push_ok(&token, &batch).await;
    let statuses: Vec<(&str, &str)> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap(),
                r["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("applied", ""),
            ("applied", ""),
            ("rejected", "not_entitled"),
            ("applied", "")
        ]
    );
    let again = s.push_ok(&token, &batch).await;
    assert!(again["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "already_applied"));

    // Pulls: a page of 2 (more behind it), then the rest.
    let (status, first) = s
        .call(
            Method::GET,
            "/api/v1/sync/pull?after=0&limit=2",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["changes"].as_array().unwrap().len(), 2);
    assert_eq!(first["more"], true);
    let (_, rest) = s
        .call(
            Method::GET,
            &format!("/api/v1/sync/pull?after={}&limit=5000", first["cursor"]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(rest["more"], false);
    let remaining = rest["changes"].as_array().unwrap().len();
    assert!((1..10).contains(&remaining), "{rest}");

    // A route with an id in its path; a request with no token.
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/devices/dev-not-mine/revoke",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .call(Method::GET, "/api/v1/sync/handshake", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, kind, text) = scrape(&s).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "text/plain; version=0.0.4; charset=utf-8");
    let (types, samples) = parse(&text);
    check_histograms(&types, &samples);
    let v = |name: &str, labels: &[(&str, &str)]| value(&samples, name, labels);

    assert_eq!(types["cunbao_push_duration_seconds"], "histogram");
    assert_eq!(types["cunbao_push_mutations_total"], "counter");
    assert_eq!(v("cunbao_push_duration_seconds_count", &[]), 2.0);
    assert!(v("cunbao_push_duration_seconds_sum", &[]) > 0.0);
    let mutations = |status| v("cunbao_push_mutations_total", &[("status", status)]);
    assert_eq!(mutations("applied"), 3.0);
    assert_eq!(mutations("rejected"), 1.0);
    assert_eq!(mutations("already_applied"), 4.0);
    assert_eq!(
        v("cunbao_push_rejections_total", &[("code", "not_entitled")]),
        1.0
    );
    assert_eq!(
        samples
            .iter()
            .filter(|s| s.name == "cunbao_push_rejections_total")
            .count(),
        1,
        "only codes that happened"
    );

    assert_eq!(v("cunbao_pull_changes_total", &[]), (2 + remaining) as f64);
    assert_eq!(v("cunbao_pull_lag_changes_count", &[]), 2.0);
    assert_eq!(
        v("cunbao_pull_lag_changes_sum", &[]),
        (2 + remaining) as f64
    );
    // The pages carried 2 and `remaining` (under 10) changes.
    assert_eq!(v("cunbao_pull_lag_changes_bucket", &[("le", "0")]), 0.0);
    assert_eq!(
        v("cunbao_pull_lag_changes_bucket", &[("le", "1")]),
        if remaining == 1 { 1.0 } else { 0.0 }
    );
    assert_eq!(v("cunbao_pull_lag_changes_bucket", &[("le", "10")]), 2.0);
    assert_eq!(v("cunbao_pull_more_total", &[]), 1.0);

    let failures = |reason| v("cunbao_sign_in_failures_total", &[("reason", reason)]);
    assert_eq!(failures("password"), 11.0);
    assert_eq!(failures("throttled"), 1.0);

    let requests = |route, class| {
        v(
            "cunbao_http_requests_total",
            &[("route", route), ("status_class", class)],
        )
    };
    assert_eq!(requests("/api/v1/auth/sign-in", "2xx"), 1.0);
    assert_eq!(requests("/api/v1/auth/sign-in", "4xx"), 12.0);
    assert_eq!(requests("/api/v1/sync/push", "2xx"), 2.0);
    assert_eq!(requests("/api/v1/sync/pull", "2xx"), 2.0);
    assert_eq!(requests("/api/v1/devices/{id}/revoke", "4xx"), 1.0);
    assert_eq!(requests("/api/v1/sync/handshake", "4xx"), 1.0);
    assert_eq!(
        samples
            .iter()
            .filter(|s| s.name == "cunbao_http_requests_total")
            .map(|s| s.value)
            .sum::<f64>(),
        19.0,
        "every request once (13 sign-ins, 2 pushes, 2 pulls, 2 refused), the scrape not among them"
    );

    let audit_entries = s.count("SELECT COUNT(*) FROM audit_log").await;
    assert!(audit_entries >= 12, "sign-ins and failures at least");
    assert_eq!(v("cunbao_audit_entries", &[]), audit_entries as f64);
    assert!(v("process_start_time_seconds", &[]) > 1.7e9);

    // Counts only: no user, device, token, ID number or record id.
    for secret in [
        "lijia",
        "daping",
        device.as_str(),
        token.as_str(),
        enrolled.as_str(),
        stranger.as_str(),
        "k-2",
        "dev-not-mine",
        "guess",
    ] {
        assert!(!text.contains(secret), "{secret} in\n{text}");
    }
}

/// The main port has no `/metrics` (not the app either); the metrics router has nothing else.
async fn the_main_port_never_serves_the_figures(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("admin").await;
    for token in [None, Some(token.as_str())] {
        let response = cunbao_server::app(s.state.clone())
            .oneshot(
                Request::get("/metrics")
                    .header("authorization", format!("Bearer {}", token.unwrap_or("")))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert!(!String::from_utf8_lossy(&bytes).contains("cunbao_"));
    }
    let (status, _) = s.call(Method::GET, "/api/v1/metrics", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for path in ["/", "/api/v1/health", "/metrics/x"] {
        let response = cunbao_server::observe::metrics_router(s.state.clone())
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request over a fresh connection: status, and body as text.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// The server process this test started: stopped when the test ends, pass or fail.
struct Process(std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server process as an operator starts it, with `CUNBAO_METRICS_ADDR`.
async fn a_server_process_serves_its_figures_on_the_metrics_address(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (main, metrics) = (free_port(), free_port());
    let log_file = s._dir.path().join("server.log");
    let log = std::fs::File::create(&log_file).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cunbao-server"));
    command
        .env("CUNBAO_BIND", format!("127.0.0.1:{main}"))
        .env("CUNBAO_METRICS_ADDR", format!("127.0.0.1:{metrics}"))
        .env("CUNBAO_CLIENT_DIR", s._dir.path().join("no-client"))
        .env("RUST_LOG", "info")
        .env_remove("CUNBAO_LOG_FORMAT")
        .env_remove("CUNBAO_SAMPLE_DATA")
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    match backend {
        Backend::Sqlite => command
            .env_remove("DATABASE_URL")
            .env("CUNBAO_DATA_DIR", s._dir.path()),
        Backend::Postgres => command.env("DATABASE_URL", &s.url),
    };
    let mut server = Process(command.spawn().unwrap());
    let mut ready = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", main)).is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the server listens");

    let sign_in = |password: &str| {
        json!({ "username": "lijia", "password": password, "device_name": "平板" }).to_string()
    };
    let json = [("content-type", "application/json")];
    let (status, _) = http(
        main,
        "POST",
        "/api/v1/auth/sign-in",
        &json,
        &sign_in("wrong-pw-7"),
    );
    assert_eq!(status, 401);
    let (status, body) = http(
        main,
        "POST",
        "/api/v1/auth/sign-in",
        &json,
        &sign_in("cunbao2025"),
    );
    assert_eq!(status, 200, "{body}");
    let signed: Value = serde_json::from_str(&body).unwrap();
    let (token, device) = (
        signed["token"].as_str().unwrap(),
        signed["device_id"].as_str().unwrap(),
    );
    let bearer = format!("Bearer {token}");
    let (status, _) = http(
        main,
        "GET",
        "/api/v1/sync/handshake",
        &[("authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200);

    // Not on the main port, with or without a token.
    assert_eq!(http(main, "GET", "/metrics", &[], "").0, 404);
    assert_eq!(
        http(main, "GET", "/metrics", &[("authorization", &bearer)], "").0,
        404
    );
    // On the metrics address: this process's figures.
    let (status, text) = http(metrics, "GET", "/metrics", &[], "");
    assert_eq!(status, 200);
    let (_, samples) = parse(&text);
    assert_eq!(
        value(
            &samples,
            "cunbao_sign_in_failures_total",
            &[("reason", "password")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            "cunbao_http_requests_total",
            &[("route", "/api/v1/sync/handshake"), ("status_class", "2xx")]
        ),
        1.0
    );
    assert_eq!(http(metrics, "GET", "/api/v1/health", &[], "").0, 404);

    let _ = server.0.kill();
    let _ = server.0.wait();
    let log = std::fs::read_to_string(&log_file).unwrap();
    let handshake = log
        .lines()
        .find(|l| l.contains("route=/api/v1/sync/handshake"))
        .unwrap_or_else(|| panic!("an access line for the handshake in\n{log}"));
    for field in [
        "method=GET".to_string(),
        "user=lijia".into(),
        format!("device={device}"),
        "status=200".into(),
        "latency_ms=".into(),
    ] {
        assert!(handshake.contains(&field), "{field} in {handshake}");
    }
    let failed = log
        .lines()
        .find(|l| l.contains("route=/api/v1/auth/sign-in") && l.contains("status=401"))
        .unwrap_or_else(|| panic!("an access line for the failed sign-in in\n{log}"));
    assert!(
        !failed.contains("user="),
        "no user before one is known: {failed}"
    );
    assert!(log.contains(&format!("metrics at http://127.0.0.1:{metrics}/metrics")));
    for secret in [token, "wrong-pw-7", "cunbao2025"] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}

on_both_databases!(
    the_figures_are_what_happened,
    the_main_port_never_serves_the_figures,
    a_server_process_serves_its_figures_on_the_metrics_address
);
