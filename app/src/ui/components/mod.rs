pub mod header;
pub mod nav;
pub mod sync_bar;
