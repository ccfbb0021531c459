//! One file per entity: the row type, plain methods for local logic, and database
//! methods in a separate `impl` block.

mod api_key;
mod audit;
mod office;
mod register_entry;
mod session;
mod user;

pub use api_key::{ApiKey, NewApiKey};
pub use audit::{AuditEntry, NewAuditEntry};
pub use office::{Office, OfficeKind};
pub use register_entry::{EntryStatus, RegisterEntry};
pub use session::Session;
pub use user::{NewUser, Role, User};
