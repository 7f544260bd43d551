use cunbao_server::{
    audit_command, backup_command, config::Config, publish_command, quote_command, run,
    user_command,
};

/// Sync allocates many small objects per mutation (texts, JSON, rows); mimalloc serves them
/// faster than the system allocator (measured on the sync benchmark, README "Sync speed").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
村保 Cunbao server

USAGE:
    cunbao-server               run the server (configuration from CUNBAO_* variables)
    cunbao-server quote [FILE]  settle a JSON scenario (FILE, or standard input) and print
                                the breakdown as JSON (see README.md, \"quote\")
";

fn usage() -> String {
    format!(
        "{USAGE}{}{}{}{}",
        publish_command::USAGE,
        user_command::USAGE,
        audit_command::USAGE,
        backup_command::USAGE
    )
}

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
        ["publish", what, ..] => std::process::exit(publish(what, &args[2..])),
        ["user", ..] => std::process::exit(user(&args[1..])),
        ["audit", ..] => std::process::exit(audit(&args[1..])),
        ["backup", ..] => std::process::exit(backup(&args[1..])),
        ["restore", ..] => std::process::exit(restore(&args[1..])),
        ["help" | "--help" | "-h"] => print!("{}", usage()),
        _ => {
            eprint!(
                "无法识别的参数 / unrecognised arguments: {args:?}\n\n{}",
                usage()
            );
            std::process::exit(2);
        }
    }
}

#[tokio::main]
async fn publish(what: &str, args: &[String]) -> i32 {
    publish_command::run(what, args).await
}

#[tokio::main]
async fn user(args: &[String]) -> i32 {
    user_command::run(args).await
}

#[tokio::main]
async fn audit(args: &[String]) -> i32 {
    audit_command::run(args).await
}

#[tokio::main]
async fn backup(args: &[String]) -> i32 {
    backup_command::backup(args).await
}

#[tokio::main]
async fn restore(args: &[String]) -> i32 {
    backup_command::restore(args).await
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
