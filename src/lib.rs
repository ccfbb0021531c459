//! certcopy: electronic certified copies of paper documents.
//!
//! Citizens book an appointment at a certifying office; a clerk scans the paper original;
//! the competent official certifies that the electronic copy is true to the original; the
//! service issues a PDF signed by the official and by the office's seal; receiving
//! agencies verify it instead of asking for paper again (Decree 23/2015/NĐ-CP).
//!
//! Modules follow the architecture in DESIGN §3: `web` → domain modules → `db`/`storage`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
pub mod assembly;
pub mod auth;
pub mod booking;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod intake;
pub mod registry;
pub mod signing;
pub mod storage;
pub mod verification;
pub mod web;

pub use app::App;
pub use config::Config;
