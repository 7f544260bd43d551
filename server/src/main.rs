use cunbao_server::{config::Config, run};

#[tokio::main]
async fn main() {
    cunbao_server::telemetry::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    if let Err(err) = run(config).await {
        eprintln!("{err}");
        std::process::exit(1);
    }
}
