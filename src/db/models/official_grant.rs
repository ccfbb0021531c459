use diesel::prelude::*;
use serde::Serialize;

use crate::db::ids::{GrantId, OfficeId, UserId};
use crate::db::schema::{office_heads, official_grants};
use crate::db::{DbConn, DbResult};

/// Where a request for the official role stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GrantStatus {
    /// Waiting for a second person.
    Pending,
    /// Approved: the account is an official of the office.
    Approved,
    /// Refused: the account keeps its earlier role.
    Refused,
}

impl GrantStatus {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Pending => "pending",
            GrantStatus::Approved => "approved",
            GrantStatus::Refused => "refused",
        }
    }

    /// Parses the stored form (or a query parameter).
    pub fn parse(text: &str) -> Option<GrantStatus> {
        Some(match text {
            "pending" => GrantStatus::Pending,
            "approved" => GrantStatus::Approved,
            "refused" => GrantStatus::Refused,
            _ => return None,
        })
    }
}

/// A request to make an account an official (a signer) of an office: made by one admin,
/// decided by a second person.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = official_grants)]
pub struct OfficialGrant {
    /// Request id.
    pub id: GrantId,
    /// The account that would sign.
    pub user_id: UserId,
    /// The office it would sign for.
    pub office_id: OfficeId,
    /// Position printed in the certification statement, e.g. "Phó Chủ tịch UBND phường".
    pub position: String,
    /// Stored [`GrantStatus`].
    pub status: String,
    /// The admin who asked.
    pub requested_by: UserId,
    /// When (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub requested_at: time::PrimitiveDateTime,
    /// Who approved or refused.
    pub decided_by: Option<UserId>,
    /// When (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp::option")]
    pub decided_at: Option<time::PrimitiveDateTime>,
    /// Why it was refused.
    pub refusal_reason: Option<String>,
}

impl OfficialGrant {
    /// The request's status. The column has a CHECK constraint; an unknown value reads as
    /// refused, which grants nothing.
    pub fn status(&self) -> GrantStatus {
        GrantStatus::parse(&self.status).unwrap_or(GrantStatus::Refused)
    }
}

impl OfficialGrant {
    /// Inserts a request; a second pending request for the same account is refused by a
    /// partial unique index ([`crate::db::DbError::Duplicate`]).
    pub fn insert(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::insert_into(official_grants::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// Finds a request.
    pub fn find(conn: &mut DbConn, id: &GrantId) -> DbResult<Option<OfficialGrant>> {
        Ok(official_grants::table
            .find(id)
            .select(OfficialGrant::as_select())
            .first(conn)
            .optional()?)
    }

    /// The pending request of an account, if any.
    pub fn pending_of(conn: &mut DbConn, user_id: &UserId) -> DbResult<Option<OfficialGrant>> {
        Ok(official_grants::table
            .filter(official_grants::user_id.eq(user_id))
            .filter(official_grants::status.eq(GrantStatus::Pending.as_str()))
            .select(OfficialGrant::as_select())
            .first(conn)
            .optional()?)
    }

    /// Requests, newest first, optionally of one office and one status (at most 500).
    pub fn list(
        conn: &mut DbConn,
        office_id: Option<&OfficeId>,
        status: Option<GrantStatus>,
    ) -> DbResult<Vec<OfficialGrant>> {
        let mut query = official_grants::table
            .select(OfficialGrant::as_select())
            .order(official_grants::requested_at.desc())
            .limit(500)
            .into_boxed();
        if let Some(office_id) = office_id {
            query = query.filter(official_grants::office_id.eq(office_id.clone()));
        }
        if let Some(status) = status {
            query = query.filter(official_grants::status.eq(status.as_str()));
        }
        Ok(query.load(conn)?)
    }

    /// Records the decision on a pending request. Returns false when it was no longer
    /// pending (someone else decided first).
    pub fn decide(
        conn: &mut DbConn,
        id: &GrantId,
        status: GrantStatus,
        decided_by: &UserId,
        decided_at: time::PrimitiveDateTime,
        refusal_reason: Option<&str>,
    ) -> DbResult<bool> {
        let changed = diesel::update(
            official_grants::table
                .find(id)
                .filter(official_grants::status.eq(GrantStatus::Pending.as_str())),
        )
        .set((
            official_grants::status.eq(status.as_str()),
            official_grants::decided_by.eq(Some(decided_by)),
            official_grants::decided_at.eq(Some(decided_at)),
            official_grants::refusal_reason.eq(refusal_reason),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }
}

/// The head official of an office (Chủ tịch UBND, Trưởng phòng Tư pháp, the notary in
/// charge): the person who may approve another official of the office.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = office_heads)]
pub struct OfficeHead {
    /// The office.
    pub office_id: OfficeId,
    /// Its head, an official of the office.
    pub user_id: UserId,
    /// The admin who recorded the appointment (none for seeded demo data).
    pub appointed_by: Option<UserId>,
    /// When (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub appointed_at: time::PrimitiveDateTime,
}

impl OfficeHead {
    /// Records `self` as the office's head, replacing an earlier one.
    pub fn replace(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::delete(office_heads::table.find(&self.office_id)).execute(conn)?;
        // One person heads one office at most (unique index): a move frees the old one.
        diesel::delete(office_heads::table.filter(office_heads::user_id.eq(&self.user_id)))
            .execute(conn)?;
        diesel::insert_into(office_heads::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// The head of an office, if one is recorded.
    pub fn of_office(conn: &mut DbConn, office_id: &OfficeId) -> DbResult<Option<OfficeHead>> {
        Ok(office_heads::table
            .find(office_id)
            .select(OfficeHead::as_select())
            .first(conn)
            .optional()?)
    }

    /// The office `user_id` heads, if any.
    pub fn office_of(conn: &mut DbConn, user_id: &UserId) -> DbResult<Option<OfficeId>> {
        Ok(office_heads::table
            .filter(office_heads::user_id.eq(user_id))
            .select(office_heads::office_id)
            .first(conn)
            .optional()?)
    }
}
