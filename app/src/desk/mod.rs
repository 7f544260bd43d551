//! The clinic desk's logic (residents, household enrolment with receipts, outpatient
//! settlement), written against [`crate::storage::Store`] so it runs natively in tests and in
//! the browser. Every rule is the domain crate's; this layer only gathers inputs from the
//! device and writes results durably, records and outbox together.

pub mod benefit;
pub mod catalogue;
pub mod changes;
pub mod enrol;
pub mod local;
pub mod qualifications;
pub mod residents;
pub mod visit;
