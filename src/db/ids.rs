//! Typed identifiers. Each wraps a UUID (stored as `Text`, portable across backends) and
//! implements Rocket's `FromParam`, so a malformed id in a path is refused before the
//! handler runs.

use std::fmt;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

/// Declares a UUID-backed id type.
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, diesel::AsExpression, diesel::FromSqlRow,
            utoipa::ToSchema,
        )]
        #[schema(value_type = String, format = Uuid)]
        #[serde(try_from = "String", into = "String")]
        #[diesel(sql_type = Text)]
        pub struct $name(String);

        impl $name {
            /// A fresh random id (UUID v4).
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            /// Parses a UUID in any accepted spelling into its canonical form.
            pub fn parse(text: &str) -> Option<Self> {
                uuid::Uuid::parse_str(text).ok().map(|u| Self(u.to_string()))
            }

            /// The canonical text form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                Self::parse(&text).ok_or_else(|| format!("`{text}` is not a valid id"))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl<'a> rocket::request::FromParam<'a> for $name {
            type Error = &'a str;
            fn from_param(param: &'a str) -> Result<Self, Self::Error> {
                Self::parse(param).ok_or(param)
            }
        }

        impl<DB> ToSql<Text, DB> for $name
        where
            DB: Backend,
            String: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB> FromSql<Text, DB> for $name
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                String::from_sql(bytes).map(Self)
            }
        }
    };
}

typed_id!(
    /// Identifies a certifying office.
    OfficeId
);
typed_id!(
    /// Identifies an account (citizen, staff, agency or admin).
    UserId
);
typed_id!(
    /// Identifies an agency API key.
    ApiKeyId
);
typed_id!(
    /// Identifies a certification register entry (one issued copy).
    CopyId
);
typed_id!(
    /// Identifies an appointment at a certifying office.
    AppointmentId
);
typed_id!(
    /// Identifies a request to grant an account the official role (signing power).
    GrantId
);

typed_id!(
    /// Identifies a certification request (one document at the desk).
    RequestId
);

typed_id!(
    /// Identifies a share of a certified copy.
    ShareId
);

typed_id!(
    /// Identifies an agency's dossier.
    DossierId
);
