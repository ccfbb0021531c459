//! JSON views of domain rows (what the API shows, never password hashes).

use serde::Serialize;

use crate::db::models::User;

/// An account as the API shows it.
#[derive(Debug, Serialize)]
pub struct UserView {
    /// Account id.
    pub id: String,
    /// Role.
    pub role: String,
    /// Full name.
    pub full_name: String,
    /// Citizen ID number.
    pub citizen_id: Option<String>,
    /// Staff/agency login.
    pub username: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Office of staff.
    pub office_id: Option<String>,
    /// Position of an official.
    pub position: Option<String>,
    /// Whether the citizen ID is proven (only then are records kept under it shown).
    pub identity_verified: bool,
    /// When it was proven (UTC, RFC 3339).
    pub identity_verified_at: Option<String>,
    /// How: `desk` or `oidc`.
    pub identity_verified_via: Option<String>,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        UserView {
            id: user.id.to_string(),
            role: user.role.clone(),
            full_name: user.full_name.clone(),
            citizen_id: user.citizen_id.clone(),
            username: user.username.clone(),
            phone: user.phone.clone(),
            email: user.email.clone(),
            office_id: user.office_id.as_ref().map(ToString::to_string),
            position: user.position.clone(),
            identity_verified: user.identity_verified_at.is_some(),
            identity_verified_at: user.identity_verified_at.map(crate::local_time::utc_text),
            identity_verified_via: user.identity_verified_via.clone(),
        }
    }
}
