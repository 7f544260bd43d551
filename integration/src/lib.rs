//! Cunbao's integration crate holds no code of its own: its tests (`tests/`) and the sync
//! bench (`benches/`) drive the app's real sync engine against the real server, which is why
//! they cannot live in either.
