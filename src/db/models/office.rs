use diesel::prelude::*;
use serde::Serialize;

use crate::db::ids::OfficeId;
use crate::db::schema::offices;
use crate::db::{DbConn, DbError, DbResult};

/// Kinds of certifying office (Decree 23/2015/NĐ-CP, Art. 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeKind {
    /// Commune-level People's Committee (signer: chairman or vice-chairman).
    CommuneCommittee,
    /// District Justice Division (signer: head or deputy head).
    DistrictJustice,
    /// Notary office.
    Notary,
}

impl OfficeKind {
    /// Every kind.
    pub const ALL: [OfficeKind; 3] = [
        OfficeKind::CommuneCommittee,
        OfficeKind::DistrictJustice,
        OfficeKind::Notary,
    ];

    /// Parses the stored form.
    pub fn parse(text: &str) -> Option<OfficeKind> {
        OfficeKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommuneCommittee => "commune_committee",
            Self::DistrictJustice => "district_justice",
            Self::Notary => "notary",
        }
    }
}

/// A certifying office.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = offices)]
pub struct Office {
    /// Office id.
    pub id: OfficeId,
    /// Display name, e.g. "UBND Phường Bến Nghé".
    pub name: String,
    /// Stored [`OfficeKind`].
    pub kind: String,
    /// Province or centrally-run city.
    pub province: String,
    /// District.
    pub district: String,
    /// Street address (shown on appointment slips and calendars).
    pub address: String,
    /// Creation time (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_rfc3339")]
    pub created_at: time::PrimitiveDateTime,
}

impl Office {
    /// Inserts the office.
    pub fn insert(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::insert_into(offices::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// Finds an office by id.
    pub fn find(conn: &mut DbConn, id: &OfficeId) -> DbResult<Option<Office>> {
        Ok(offices::table
            .find(id)
            .select(Office::as_select())
            .first(conn)
            .optional()?)
    }

    /// All offices, by name.
    pub fn list(conn: &mut DbConn) -> DbResult<Vec<Office>> {
        Ok(offices::table
            .order(offices::name.asc())
            .select(Office::as_select())
            .load(conn)?)
    }

    /// Number of offices.
    pub fn count(conn: &mut DbConn) -> DbResult<i64> {
        offices::table
            .count()
            .get_result(conn)
            .map_err(DbError::from)
    }
}
