//! Structured logs via `tracing`. `RUST_LOG` filters; `CUNBAO_LOG_FORMAT=json` gives JSON lines.

use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("CUNBAO_LOG_FORMAT").is_ok_and(|f| f == "json");
    // Colours only on a terminal: a log file or journal gets plain text.
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Records who is asking into the request's span.
pub fn record_caller(username: &str, device_id: &str) {
    let span = tracing::Span::current();
    span.record("user", tracing::field::display(username));
    span.record("device", tracing::field::display(device_id));
}
