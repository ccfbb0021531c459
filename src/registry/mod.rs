//! The certification register and the audit log.
//!
//! This part is the audit log: every staff and admin action appends a row in the
//! same database transaction as the action itself, so an action without its audit row
//! (or the reverse) cannot be committed.

pub mod audit;
