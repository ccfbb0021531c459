//! certcopy: electronic certified copies of paper documents.
//!
//! Citizens book an appointment at a certifying office; a clerk scans the paper original;
//! the competent official certifies that the electronic copy is true to the original; the
//! service issues a PDF signed by the official and by the office's seal; receiving
//! agencies verify it instead of asking for paper again (Decree 23/2015/NĐ-CP).
//!
//! `docs/ARCHITECTURE.md` says how the modules fit: `web` → domain modules → `db`/`storage`,
//! with the document itself (intake, assembly, signing, verification) in the
//! `certcopy-document` crate, re-exported here under the same names.

pub mod app;
pub mod audit;
pub mod auth;
pub mod booking;
pub mod certification;
pub mod cli;
pub mod config;
pub mod db;
pub mod dossiers;
pub mod error;
pub mod fees;
pub mod identity;
pub mod jobs;
pub mod local_time;
pub mod outbox;
pub mod pki;
pub mod private_files;
pub mod rate_limit;
pub mod registry;
pub mod reuse;
pub mod secrets;
pub mod storage;
pub mod transparency;
pub mod tsa;
pub mod web;
pub mod webhooks;
pub mod work_limit;

pub use certcopy_document::{assembly, cancel, intake, signing, timestamp, verification};

pub use app::App;
pub use config::Config;
