pub mod desk;
pub mod header;
pub mod nav;
pub mod print;
pub mod sync_bar;
