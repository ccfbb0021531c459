//! One file per entity: the row type, plain methods for local logic, and database
//! methods in a separate `impl` block.

mod api_key;
mod appointment;
mod audit;
mod auth_throttle;
mod certification;
mod identity_code;
mod office;
mod office_calendar;
mod official_grant;
mod oidc_used_state;
mod outbound_message;
mod register_entry;
mod session;
mod share;
mod signature_image;
mod slot_counter;
mod temporary_password;
mod user;

pub use api_key::ApiKey;
pub use appointment::{Appointment, AppointmentStatus, SlotMove, StatusChange};
pub use audit::{AuditEntry, AuditQuery, NewAuditEntry};
pub use auth_throttle::ThrottleCounter;
pub use certification::{CertificationRequest, CertificationScan, OfficePractice};
pub use identity_code::IdentityCode;
pub use office::{Office, OfficeKind};
pub use office_calendar::OfficeCalendarRow;
pub use official_grant::{GrantStatus, OfficeHead, OfficialGrant};
pub use oidc_used_state::OidcUsedState;
pub use outbound_message::OutboundMessage;
pub use register_entry::{EntryStatus, RegisterEntry};
pub use session::Session;
pub use share::{CopyShare, CopyUse};
pub use signature_image::{SignatureImage, SignatureImageKind};
pub use slot_counter::SlotCounter;
pub use temporary_password::TemporaryPassword;
pub use user::{Role, User};
