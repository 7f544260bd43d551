//! The clinic's build of the app, served at every address but `/township` (see `routes::Bundle`).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(cunbao_app::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cunbao-app runs in the browser: build it with `trunk build` (see README.md).");
}
