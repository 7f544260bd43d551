//! The shared store suite against the in-memory store, natively: one test per case.
#![cfg(not(target_arch = "wasm32"))]

mod store_suite;

use cunbao_app::storage::memory::MemoryStore;

macro_rules! on_memory {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                futures::executor::block_on(store_suite::$case(&MemoryStore::new()));
            }
        )*
    };
}
store_suite_cases!(on_memory);
