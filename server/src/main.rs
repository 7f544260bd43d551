use cunbao_server::{config::Config, quote_command, run};

const USAGE: &str = "\
村保 Cunbao server

USAGE:
    cunbao-server               run the server (configuration from CUNBAO_* variables)
    cunbao-server quote [FILE]  settle a JSON scenario (FILE, or standard input) and print
                                the breakdown as JSON (see README.md, \"quote\")
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => serve(),
        ["quote"] => std::process::exit(quote_command::run(None)),
        ["quote", file] => std::process::exit(quote_command::run(Some(file))),
        ["help" | "--help" | "-h"] => print!("{USAGE}"),
        _ => {
            eprint!("无法识别的参数 / unrecognised arguments: {args:?}\n\n{USAGE}");
            std::process::exit(2);
        }
    }
}

#[tokio::main]
async fn serve() {
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
