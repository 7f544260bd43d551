pub mod charts;
pub mod desk;
pub mod header;
pub mod nav;
pub mod print;
pub mod search_results;
pub mod sync_bar;
