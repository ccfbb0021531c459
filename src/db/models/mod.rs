//! One file per entity: the row type, plain methods for local logic, and database
//! methods in a separate `impl` block.

mod api_key;
mod appointment;
mod audit;
mod office;
mod office_calendar;
mod oidc_used_state;
mod register_entry;
mod session;
mod slot_counter;
mod user;
mod user_identity;

pub use api_key::ApiKey;
pub use appointment::{Appointment, AppointmentStatus, SlotMove, StatusChange};
pub use audit::{AuditEntry, NewAuditEntry};
pub use office::{Office, OfficeKind};
pub use office_calendar::OfficeCalendarRow;
pub use oidc_used_state::OidcUsedState;
pub use register_entry::{EntryStatus, RegisterEntry};
pub use session::Session;
pub use slot_counter::SlotCounter;
pub use user::{Role, User};
