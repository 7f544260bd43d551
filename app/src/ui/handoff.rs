//! Sending a page to the build its user works in (see [`Bundle`]): a full load of that
//! build's address, since the two builds are separate programs.

use crate::routes::Bundle;

/// The address the page is at.
pub fn current_path() -> String {
    leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default()
}

/// Said in the address when the user typed their PIN (or set it) just before being sent on:
/// the lock screen there says why it asks again.
const AGAIN: &str = "pin-again";

/// Loads `target`'s build, unless the page is already at one of its addresses: the server
/// would answer with that build, so this one being here means it could not be loaded (offline,
/// or not deployed). `again`: the PIN was entered here, and is asked there once more (a new
/// start of the app). Returns whether the page is on its way.
pub fn go_to(target: Bundle, again: bool) -> bool {
    if Bundle::serving(&current_path()) == target {
        return false;
    }
    let address = if again {
        format!("{}?{AGAIN}", target.root())
    } else {
        target.root().to_string()
    };
    leptos::prelude::window()
        .location()
        .replace(&address)
        .is_ok()
}

/// Whether the page was sent here just after its PIN was entered in the other build.
pub fn asked_again() -> bool {
    let search = leptos::prelude::window()
        .location()
        .search()
        .unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == AGAIN)
}
