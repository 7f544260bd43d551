pub mod home;
pub mod lock;
pub mod not_built;
pub mod not_found;
pub mod sync;
pub mod township;
