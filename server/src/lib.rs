//! Cunbao's sync server. `app(state)` builds the whole HTTP surface so tests can drive it
//! in-process; `run(config)` opens the database, binds and serves until Ctrl-C or SIGTERM.

pub mod accounts;
pub mod api;
mod app_state;
pub mod audit;
pub mod audit_command;
pub mod auth;
pub mod backup_command;
pub mod cash;
pub mod claim_figures;
pub mod client;
pub mod client_address;
pub mod clinics;
pub mod clock;
pub mod config;
pub mod csv;
pub mod dashboard;
pub mod db;
pub mod error;
pub mod escrow;
pub mod feed;
pub mod handshake;
pub mod ledger;
pub mod metrics;
pub mod observe;
pub mod precompressed;
pub mod private_files;
pub mod proposals;
pub mod publication_proposals;
pub mod publish_command;
pub mod published;
pub mod publishing;
pub mod quote_command;
pub mod record_buffer;
pub mod records;
pub mod sample_residents;
pub mod sampling;
pub mod security_headers;
pub mod seed;
pub mod sign_in_guard;
pub mod state;
pub mod statements;
pub mod sync;
pub mod telemetry;
pub mod tokens;
pub mod user_command;
pub mod users;
pub mod write_tx;

use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::compression::CompressionLayer;

use crate::client::ClientFiles;
use crate::config::Config;
use crate::error::ApiError;

pub use crate::app_state::AppState;

pub fn app(state: AppState) -> Router {
    use axum::http::{header, HeaderValue};
    use tower_http::set_header::SetResponseHeaderLayer;
    let policy = security_headers::content_security_policy(&state.client.pages());
    Router::new()
        .nest("/api/v1", api::router())
        .fallback(serve_client)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            answer_panic,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .with_state(state)
}

/// A panic in a handler is a bug: it is logged and answered like any internal error (a coded
/// 500), and the server goes on serving.
fn answer_panic(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    axum::response::IntoResponse::into_response(error::ApiError::internal(format!(
        "panic in a handler: {what}"
    )))
}

async fn serve_client(
    axum::extract::State(state): axum::extract::State<AppState>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return error::ApiError::NotFound(uri.path().to_string()).into_response();
    }
    // The figures are served on the metrics address only (`CUNBAO_METRICS_ADDR`), never
    // here, where a load balancer or proxy would hand them to anyone.
    if uri.path() == "/metrics" {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return axum::http::StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    state.client.respond(
        &uri,
        headers.get(axum::http::header::IF_NONE_MATCH),
        headers.get(axum::http::header::ACCEPT_ENCODING),
    )
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("无法读取客户端文件 / cannot read the client files in {path}: {source}")]
    Client {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "端口已被占用 / the address {addr} is already in use.\n\
         请关闭占用该端口的程序，或换一个端口，例如 / Stop the program using it, or choose \
         another port, e.g.:  CUNBAO_BIND=127.0.0.1:8081 ./run.sh"
    )]
    PortInUse { addr: std::net::SocketAddr },
    #[error("无法监听 / cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("服务器错误 / server error: {0}")]
    Serve(std::io::Error),
    #[error("无法读取生效的政策与目录 / cannot read the policy and catalogue in force: {0}")]
    InForce(ApiError),
}

pub async fn run(config: Config) -> Result<(), StartError> {
    let url = db::url_for(config.database_url.as_deref(), &config.data_dir)?;
    let db = db::open(&url).await?;
    tokio::spawn(db::checkpoint_in_background(db.clone(), url));
    let filled = records::fill_claim_figures(&db)
        .await
        .map_err(db::DbError::Sql)?;
    if filled > 0 {
        tracing::info!(
            filled,
            "claims written before the dashboard's figures now have them"
        );
    }
    if config.sample_data {
        seed::seed(&db, &seed::LIANGJIANG)
            .await
            .map_err(db::DbError::Sql)?;
        published::ensure_sample_years(&db, crate::clock::today())
            .await
            .map_err(StartError::InForce)?;
        tracing::info!("sample territory 两江镇, its users and last, this and next year's sample policies are in place");
    }
    let client = ClientFiles::load(&config.client_dir).map_err(|source| StartError::Client {
        path: config.client_dir.display().to_string(),
        source,
    })?;
    if client.is_empty() {
        tracing::warn!(dir = %config.client_dir.display(), "client not built; serving the API only");
    }
    let listener =
        tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AddrInUse => StartError::PortInUse { addr: config.bind },
                _ => StartError::Bind {
                    addr: config.bind,
                    source,
                },
            })?;
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    let metrics_listener = match config.metrics_addr {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind { addr, source })?,
        ),
        None => None,
    };
    tracing::info!(%addr, data_dir = %config.data_dir.display(), build = %client.version, "Cunbao server listening");
    let mut state = AppState::load(db.clone(), client)
        .await
        .map_err(StartError::InForce)?
        .with_trusted_proxies(config.trusted_proxies.clone())
        .with_tokens(config.tokens);
    if !state.trusted_proxies.is_empty() {
        tracing::info!(proxies = %state.trusted_proxies, "X-Forwarded-For believed from these proxies");
    }
    tokio::spawn(log_audit_head(db.clone()));
    if let Some(households) = config.sample_residents.filter(|_| config.sample_data) {
        let today = crate::clock::today();
        let applied = sample_residents::ensure(&state, &seed::LIANGJIANG, today, households)
            .await
            .map_err(StartError::InForce)?;
        if applied > 0 {
            tracing::info!(applied, "sample residents enrolled for this scheme year");
        }
    }
    if let Some(size) = config.synthetic_catalogue {
        tracing::warn!(size, "serving a synthetic catalogue (benchmarks only)");
        state = state.with_catalogue(cunbao_domain::synthetic::catalogue(size, 1));
    }
    if let Some(metrics_listener) = metrics_listener {
        let metrics_addr = metrics_listener.local_addr().map_err(StartError::Serve)?;
        tracing::info!(%metrics_addr, "metrics at http://{metrics_addr}/metrics");
        let metrics = observe::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(err) = axum::serve(metrics_listener, metrics).await {
                tracing::error!(%err, "the metrics listener stopped");
            }
        });
    }
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(StartError::Serve)?;
    db.close().await;
    tracing::info!("Cunbao server stopped");
    Ok(())
}

/// Writes the audit chain's head to the log at start and every quarter of an hour, so that a
/// later, shorter chain (the newest rows deleted) shows against the log.
async fn log_audit_head(db: sqlx::AnyPool) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(15 * 60));
    loop {
        every.tick().await;
        match audit::chain_head(&db).await {
            Ok(head) => {
                tracing::info!(entries = head.entries, head = %head.hash, "audit chain head")
            }
            Err(err) => tracing::warn!(%err, "audit chain head unreadable"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
