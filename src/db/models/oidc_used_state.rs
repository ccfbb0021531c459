//! `oidc_used_states`: the `state` of each answered login through the identity provider,
//! so a replayed callback is refused on every instance (docs/ARCHITECTURE.md §9).

use diesel::prelude::*;

use crate::db::schema::oidc_used_states;
use crate::db::{DbConn, DbError, DbResult};

/// A login `state` already answered, by its SHA-256 (hex).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oidc_used_states)]
pub struct OidcUsedState {
    /// SHA-256 of the state, hex.
    pub state_hash: String,
    /// When the login it belonged to expires; the row is purged after.
    pub expires_at: time::PrimitiveDateTime,
}

impl OidcUsedState {
    /// Records the state as answered. Answers `false` when it already was (a replay).
    /// Rows whose login has expired are purged first.
    pub fn consume(&self, conn: &mut DbConn, now: time::PrimitiveDateTime) -> DbResult<bool> {
        diesel::delete(oidc_used_states::table.filter(oidc_used_states::expires_at.le(now)))
            .execute(conn)?;
        match diesel::insert_into(oidc_used_states::table)
            .values(self)
            .execute(conn)
        {
            Ok(_) => Ok(true),
            Err(error) => match DbError::from(error) {
                DbError::Duplicate { .. } => Ok(false),
                other => Err(other),
            },
        }
    }
}
