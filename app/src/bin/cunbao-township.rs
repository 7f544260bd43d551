//! The township's build of the app, served under `/township` (see `routes::Bundle`).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(cunbao_app::ui::TownshipApp);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cunbao-township runs in the browser: build it with scripts/build-client.sh.");
}
