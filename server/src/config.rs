//! Configuration from environment variables, with defaults that run out of the box.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `CUNBAO_BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `CUNBAO_DATA_DIR`, default `./data`: holds the SQLite database file.
    pub data_dir: PathBuf,
    /// `CUNBAO_CLIENT_DIR`, default the workspace's `app/dist` (Trunk's output).
    pub client_dir: PathBuf,
    /// `DATABASE_URL` (`postgres://…`); unset: SQLite in the data directory.
    pub database_url: Option<String>,
    /// `CUNBAO_SAMPLE_DATA=1`: make sure the sample township and users exist.
    pub sample_data: bool,
    /// `CUNBAO_SAMPLE_RESIDENTS=N` (with sample data): N sample households per clinic enrolled
    /// for the scheme year under way, some with a visit settled (`./run.sh` asks for 150).
    pub sample_residents: Option<usize>,
    /// `CUNBAO_SYNTHETIC_CATALOGUE=N`: serve a deterministic N-item catalogue (benchmarks).
    pub synthetic_catalogue: Option<usize>,
    /// `CUNBAO_METRICS_ADDR` (e.g. `127.0.0.1:9464`): where `GET /metrics` is served; unset or
    /// empty: not served at all.
    pub metrics_addr: Option<SocketAddr>,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let bind = std::env::var("CUNBAO_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
        let bind = bind.parse().map_err(|_| {
            format!(
                "CUNBAO_BIND 不是有效的地址 / CUNBAO_BIND is not a valid address: {bind:?} \
                 (expected host:port, e.g. 127.0.0.1:8080)"
            )
        })?;
        let data_dir = std::env::var_os("CUNBAO_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("data"));
        let client_dir = std::env::var_os("CUNBAO_CLIENT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../app/dist")));
        let database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
        let sample_data = std::env::var("CUNBAO_SAMPLE_DATA").is_ok_and(|v| v == "1");
        let sample_residents = std::env::var("CUNBAO_SAMPLE_RESIDENTS")
            .ok()
            .and_then(|n| n.parse().ok());
        let synthetic_catalogue = std::env::var("CUNBAO_SYNTHETIC_CATALOGUE")
            .ok()
            .and_then(|n| n.parse().ok());
        let metrics_addr = match std::env::var("CUNBAO_METRICS_ADDR") {
            Ok(addr) if !addr.trim().is_empty() => Some(addr.trim().parse().map_err(|_| {
                format!(
                    "CUNBAO_METRICS_ADDR 不是有效的地址 / CUNBAO_METRICS_ADDR is not a valid \
                     address: {addr:?} (expected host:port, e.g. 127.0.0.1:9464)"
                )
            })?),
            _ => None,
        };
        Ok(Config {
            bind,
            data_dir,
            client_dir,
            database_url,
            sample_data,
            sample_residents,
            synthetic_catalogue,
            metrics_addr,
        })
    }
}
