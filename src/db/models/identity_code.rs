use diesel::prelude::*;

use crate::db::ids::UserId;
use crate::db::schema::identity_codes;
use crate::db::{DbConn, DbResult};

/// The live desk-confirmation code of an account (at most one). Only the SHA-256 of the
/// code is stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = identity_codes)]
pub struct IdentityCode {
    /// The account that asked for the code.
    pub user_id: UserId,
    /// SHA-256 of the code (canonical form), hex.
    pub code_hash: String,
    /// After this instant (UTC) the code is refused.
    pub expires_at: time::PrimitiveDateTime,
    /// Wrong citizen ID numbers submitted with this code so far.
    pub failed_attempts: i32,
    /// When it was issued (UTC).
    pub created_at: time::PrimitiveDateTime,
}

impl IdentityCode {
    /// Stores `code` as the account's only code, replacing any earlier one.
    pub fn replace(conn: &mut DbConn, code: &IdentityCode) -> DbResult<()> {
        diesel::delete(identity_codes::table.find(&code.user_id)).execute(conn)?;
        diesel::insert_into(identity_codes::table)
            .values(code)
            .execute(conn)?;
        Ok(())
    }

    /// The code with this hash, expired or not.
    pub fn find_by_hash(conn: &mut DbConn, code_hash: &str) -> DbResult<Option<IdentityCode>> {
        Ok(identity_codes::table
            .filter(identity_codes::code_hash.eq(code_hash))
            .select(IdentityCode::as_select())
            .first(conn)
            .optional()?)
    }

    /// Counts one wrong attempt against the code; returns the new count.
    pub fn count_failure(conn: &mut DbConn, user_id: &UserId) -> DbResult<i32> {
        Ok(diesel::update(identity_codes::table.find(user_id))
            .set(identity_codes::failed_attempts.eq(identity_codes::failed_attempts + 1))
            .returning(identity_codes::failed_attempts)
            .get_result(conn)?)
    }

    /// Deletes the account's code (used, or burnt). Returns whether there was one.
    pub fn delete_for(conn: &mut DbConn, user_id: &UserId) -> DbResult<bool> {
        Ok(diesel::delete(identity_codes::table.find(user_id)).execute(conn)? > 0)
    }

    /// Deletes every code that expired before `now`.
    pub fn purge_expired(conn: &mut DbConn, now: time::PrimitiveDateTime) -> DbResult<usize> {
        Ok(
            diesel::delete(identity_codes::table.filter(identity_codes::expires_at.le(now)))
                .execute(conn)?,
        )
    }
}
