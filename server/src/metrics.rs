//! This process's figures, kept in memory and rendered in the Prometheus text format (0.0.4) at
//! `GET /metrics` on a listen address of its own (`CUNBAO_METRICS_ADDR`, off by default), never
//! on the main port. Counts and durations only: no names, ids, amounts or any other business
//! data. Each process keeps and exposes its own figures; with several processes behind a load
//! balancer, each is scraped on its own metrics address and the scraper sums them.
//!
//! Label values are bounded: routes are the router's patterns (`/api/v1/devices/{id}/revoke`,
//! never a raw path with an id), rejection codes are the server's known codes or `other`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use cunbao_domain::sync::{MutationStatus, PushResponse};

/// The rejection codes a push answers with (`server/src/sync`); any other is counted as `other`.
pub const REJECTION_CODES: &[&str] = &[
    "already_stopped",
    "bad_evidence",
    "bad_operator",
    "bad_record_id",
    "bad_value",
    "blocked_by_rule",
    "cannot_void",
    "catalogue_not_in_force",
    "duplicate_enrolment",
    "future_visit",
    "implausible_amount",
    "inpatient_not_at_clinic",
    "invalid_claim",
    "invalid_enrolment",
    "invalid_stop_date",
    "not_enrolled_here",
    "not_entitled",
    "not_found",
    "not_refundable",
    "not_this_clinics_enrolment",
    "operator_not_of_clinic",
    "outside_scheme",
    "policy_not_for_date",
    "record_exists",
    "refund_already_proposed",
    "sequence_gap",
    "too_many_lines",
    "unchanged",
    "unknown_benefit",
    "unknown_catalogue",
    "unknown_policy",
    "unreadable",
    "wrong_scheme_year",
];

/// Seconds: from a millisecond to half a minute.
const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Changes: a page is at most 5,000.
const LAG_BUCKETS: &[f64] = &[0.0, 1.0, 10.0, 100.0, 500.0, 1000.0, 5000.0];

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// A wrong username or password.
    Password,
    /// Over a limit (per account, per address, or hashes in flight): answered 429.
    Throttled,
}

impl SignInFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInFailure::Password => "password",
            SignInFailure::Throttled => "throttled",
        }
    }
}

/// A histogram with fixed buckets: per-bucket counts (made cumulative when rendered) and the
/// sum of the observed values (an `f64` kept as its bits).
struct Histogram {
    bounds: &'static [f64],
    /// One more than `bounds`: the last is `+Inf`.
    counts: Vec<AtomicU64>,
    sum: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0f64.to_bits()),
        }
    }

    fn observe(&self, value: f64) {
        let bucket = self
            .bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(self.bounds.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        let _ = self
            .sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + value).to_bits())
            });
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        header(out, name, help, "histogram");
        let mut cumulative = 0;
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count.load(Ordering::Relaxed);
            let le = self
                .bounds
                .get(i)
                .map_or_else(|| "+Inf".to_string(), |b| b.to_string());
            let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
        }
        let sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {cumulative}");
    }
}

/// The figures of this process since it started.
pub struct Metrics {
    started: SystemTime,
    /// By (route, status class).
    requests: Mutex<BTreeMap<(String, &'static str), u64>>,
    push_duration: Histogram,
    /// Applied, rejected, already applied.
    mutations: [AtomicU64; 3],
    /// By [`REJECTION_CODES`], then `other`.
    rejections: Vec<AtomicU64>,
    pull_changes: AtomicU64,
    pull_lag: Histogram,
    pulls_with_more: AtomicU64,
    /// Wrong password, throttled.
    sign_in_failures: [AtomicU64; 2],
    /// Requests refused because their token had expired.
    tokens_expired: AtomicU64,
    /// Tokens renewed at a handshake.
    tokens_renewed: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            started: SystemTime::now(),
            requests: Mutex::default(),
            push_duration: Histogram::new(DURATION_BUCKETS),
            mutations: Default::default(),
            rejections: (0..=REJECTION_CODES.len())
                .map(|_| AtomicU64::new(0))
                .collect(),
            pull_changes: AtomicU64::new(0),
            pull_lag: Histogram::new(LAG_BUCKETS),
            pulls_with_more: AtomicU64::new(0),
            sign_in_failures: Default::default(),
            tokens_expired: AtomicU64::new(0),
            tokens_renewed: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// A finished HTTP request: its route pattern (or `client`, `unmatched`) and status.
    pub fn request(&self, route: &str, status: StatusCode) {
        let class = match status.as_u16() {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let mut requests = self.requests.lock().expect("not poisoned");
        match requests.get_mut(&(route.to_string(), class)) {
            Some(n) => *n += 1,
            None => {
                requests.insert((route.to_string(), class), 1);
            }
        }
    }

    /// A push answered: how long it took and what became of each mutation.
    pub fn push(&self, took: Duration, answer: Option<&PushResponse>) {
        self.push_duration.observe(took.as_secs_f64());
        for result in answer.map_or(&[][..], |a| &a.results) {
            let index = match result.status {
                MutationStatus::Applied => 0,
                MutationStatus::Rejected => 1,
                MutationStatus::AlreadyApplied => 2,
            };
            self.mutations[index].fetch_add(1, Ordering::Relaxed);
            if result.status == MutationStatus::Rejected {
                let code = result.code.as_deref().unwrap_or_default();
                let index = REJECTION_CODES
                    .iter()
                    .position(|known| *known == code)
                    .unwrap_or(REJECTION_CODES.len());
                self.rejections[index].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// A pull answered: the changes it carried are how far behind the device was (up to a
    /// page; `more` says it was further behind than that).
    /// A page pulled: how many changes, and whether more were left.
    pub fn pull(&self, changes: usize, more: bool) {
        let changes = changes as u64;
        self.pull_changes.fetch_add(changes, Ordering::Relaxed);
        self.pull_lag.observe(changes as f64);
        if more {
            self.pulls_with_more.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn sign_in_failed(&self, why: SignInFailure) {
        let index = match why {
            SignInFailure::Password => 0,
            SignInFailure::Throttled => 1,
        };
        self.sign_in_failures[index].fetch_add(1, Ordering::Relaxed);
    }

    /// A request refused because its token had expired.
    pub fn token_expired(&self) {
        self.tokens_expired.fetch_add(1, Ordering::Relaxed);
    }

    /// A token renewed at a handshake.
    pub fn token_renewed(&self) {
        self.tokens_renewed.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition (format 0.0.4); `audit_entries` when it could be read.
    pub fn render(&self, audit_entries: Option<i64>) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "cunbao_http_requests_total",
            "HTTP requests answered, by route pattern and status class.",
            "counter",
        );
        for ((route, class), n) in self.requests.lock().expect("not poisoned").iter() {
            let _ = writeln!(
                out,
                "cunbao_http_requests_total{{route=\"{}\",status_class=\"{class}\"}} {n}",
                escape(route)
            );
        }
        self.push_duration.render(
            &mut out,
            "cunbao_push_duration_seconds",
            "Time to answer a push, from its batch read to its answer (waiting for the write included).",
        );
        header(
            &mut out,
            "cunbao_push_mutations_total",
            "Pushed mutations by answer.",
            "counter",
        );
        for (status, n) in ["applied", "rejected", "already_applied"]
            .iter()
            .zip(&self.mutations)
        {
            let _ = writeln!(
                out,
                "cunbao_push_mutations_total{{status=\"{status}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        header(
            &mut out,
            "cunbao_push_rejections_total",
            "Rejected mutations by code (codes the server does not know are counted as other).",
            "counter",
        );
        for (code, n) in REJECTION_CODES
            .iter()
            .chain(&["other"])
            .zip(&self.rejections)
        {
            let n = n.load(Ordering::Relaxed);
            if n > 0 {
                let _ = writeln!(out, "cunbao_push_rejections_total{{code=\"{code}\"}} {n}");
            }
        }
        header(
            &mut out,
            "cunbao_pull_changes_total",
            "Changes sent to devices by pull.",
            "counter",
        );
        let _ = writeln!(
            out,
            "cunbao_pull_changes_total {}",
            self.pull_changes.load(Ordering::Relaxed)
        );
        self.pull_lag.render(
            &mut out,
            "cunbao_pull_lag_changes",
            "How many changes a device was behind when it pulled (the changes the pull carried; at most a page).",
        );
        header(
            &mut out,
            "cunbao_pull_more_total",
            "Pulls that left more changes for the next page (the device was more than a page behind).",
            "counter",
        );
        let _ = writeln!(
            out,
            "cunbao_pull_more_total {}",
            self.pulls_with_more.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "cunbao_sign_in_failures_total",
            "Refused sign-ins: a wrong username or password, or throttled (429).",
            "counter",
        );
        for (why, n) in [SignInFailure::Password, SignInFailure::Throttled]
            .iter()
            .zip(&self.sign_in_failures)
        {
            let _ = writeln!(
                out,
                "cunbao_sign_in_failures_total{{reason=\"{}\"}} {}",
                why.as_str(),
                n.load(Ordering::Relaxed)
            );
        }
        header(
            &mut out,
            "cunbao_device_tokens_total",
            "Device tokens renewed at a handshake, and requests refused because their token had expired.",
            "counter",
        );
        for (event, n) in [
            ("renewed", &self.tokens_renewed),
            ("expired", &self.tokens_expired),
        ] {
            let _ = writeln!(
                out,
                "cunbao_device_tokens_total{{event=\"{event}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        if let Some(entries) = audit_entries {
            header(
                &mut out,
                "cunbao_audit_entries",
                "Entries in the audit chain (the database's, shared by all processes).",
                "gauge",
            );
            let _ = writeln!(out, "cunbao_audit_entries {entries}");
        }
        header(
            &mut out,
            "cunbao_build_info",
            "The server's version.",
            "gauge",
        );
        let _ = writeln!(
            out,
            "cunbao_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        header(
            &mut out,
            "process_start_time_seconds",
            "When this process started, in seconds since the Unix epoch.",
            "gauge",
        );
        let started = self
            .started
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let _ = writeln!(out, "process_start_time_seconds {started}");
        out
    }
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_with_sum_and_count() {
        let h = Histogram::new(&[1.0, 10.0]);
        for v in [0.5, 1.0, 3.0, 50.0] {
            h.observe(v);
        }
        let mut out = String::new();
        h.render(&mut out, "x", "An example.");
        assert_eq!(
            out,
            "# HELP x An example.\n# TYPE x histogram\n\
             x_bucket{le=\"1\"} 2\nx_bucket{le=\"10\"} 3\nx_bucket{le=\"+Inf\"} 4\n\
             x_sum 54.5\nx_count 4\n"
        );
    }

    #[test]
    fn unknown_rejection_codes_are_other() {
        let m = Metrics::default();
        let answer: PushResponse = serde_json::from_value(serde_json::json!({
            "last_applied_seq": 2,
            "results": [
                {"seq": 1, "record_id": "a", "status": "rejected", "code": "future_visit"},
                {"seq": 2, "record_id": "b", "status": "rejected", "code": "someone's id 4501…"},
            ]
        }))
        .unwrap();
        m.push(Duration::from_millis(3), Some(&answer));
        let text = m.render(None);
        assert!(text.contains("cunbao_push_rejections_total{code=\"future_visit\"} 1\n"));
        assert!(text.contains("cunbao_push_rejections_total{code=\"other\"} 1\n"));
        assert!(!text.contains("4501"));
        assert!(text.contains("cunbao_push_mutations_total{status=\"rejected\"} 2\n"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
