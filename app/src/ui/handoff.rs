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

/// Loads `target`'s build, unless the page is already at one of its addresses: the server
/// would answer with that build, so this one being here means it could not be loaded (offline,
/// or not deployed). Returns whether the page is on its way.
pub fn go_to(target: Bundle) -> bool {
    if Bundle::serving(&current_path()) == target {
        return false;
    }
    leptos::prelude::window()
        .location()
        .replace(target.root())
        .is_ok()
}
