//! Cunbao's pure core, shared by the tablet app (WebAssembly) and the server.
//!
//! Nothing here does I/O: no storage, network, clock or randomness. Everything a rule needs
//! is passed in, so the tablet and the server get the same answer from the same inputs.

pub mod api;
pub mod catalogue;
pub mod catalogue_csv;
pub mod catalogue_diff;
pub mod claim;
pub mod dashboard;
pub mod devices;
pub mod diagnosis;
pub mod enrolment;
pub mod id_number;
pub mod money;
pub mod names;
pub mod percent;
pub mod person;
pub mod policy;
pub mod publication;
pub mod publishing;
pub mod qualification;
pub mod quantity;
pub mod quote;
pub mod rejection;
pub mod repricing;
pub mod review;
pub mod risk;
pub mod sample;
pub mod sampling;
pub mod second_person;
mod serialize_display;
pub mod settlement;
pub mod signed_money;
pub mod statement;
pub mod sync;
pub mod synthetic;
pub mod text;
pub mod text_search;
pub mod township;
pub mod unit_price;
pub mod users;
