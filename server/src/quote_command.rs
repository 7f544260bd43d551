//! `cunbao-server quote [FILE]`: reads a JSON scenario from FILE (or standard input, also for
//! `-`), settles it with the domain crate and prints the breakdown as JSON. Exit status 0 on
//! success, 2 with a message on standard error when the scenario is refused.

use std::io::Read;

pub fn run(file: Option<&str>) -> i32 {
    let text = match file {
        None | Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map(|_| text)
        }
        Some(path) => std::fs::read_to_string(path),
    };
    let text = match text {
        Ok(text) => text,
        Err(err) => {
            eprintln!("无法读取场景 / cannot read the scenario: {err}");
            return 2;
        }
    };
    match cunbao_domain::quote::quote_json(&text) {
        Ok(output) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&output).expect("the breakdown serialises")
            );
            0
        }
        Err(err) => {
            eprintln!("{err}");
            2
        }
    }
}
