//! Outpatient settlement at the desk.
