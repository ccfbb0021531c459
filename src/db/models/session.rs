use diesel::prelude::*;

use crate::db::ids::UserId;
use crate::db::schema::sessions;
use crate::db::{DbConn, DbResult};

/// A login session. `id` is the SHA-256 (hex) of the bearer token; the token itself is
/// never stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// SHA-256 of the token, hex.
    pub id: String,
    /// Owner.
    pub user_id: UserId,
    /// Creation time (UTC).
    pub created_at: time::PrimitiveDateTime,
    /// Expiry (UTC).
    pub expires_at: time::PrimitiveDateTime,
}

impl Session {
    /// Inserts the session.
    pub fn insert(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::insert_into(sessions::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// The account of the unexpired session with this token hash, and whether it holds a
    /// temporary password — one query (what every signed-in request asks).
    pub fn live_account(
        conn: &mut DbConn,
        token_hash: &str,
        now: time::PrimitiveDateTime,
    ) -> DbResult<Option<(crate::db::models::User, bool)>> {
        use crate::db::schema::{temporary_passwords, users};
        let row: Option<(crate::db::models::User, Option<String>)> = sessions::table
            .inner_join(users::table)
            .left_join(
                temporary_passwords::table.on(temporary_passwords::user_id.eq(sessions::user_id)),
            )
            .filter(sessions::id.eq(token_hash))
            .filter(sessions::expires_at.gt(now))
            .select((
                crate::db::models::User::as_select(),
                temporary_passwords::user_id.nullable(),
            ))
            .first(conn)
            .optional()?;
        Ok(row.map(|(user, temporary)| (user, temporary.is_some())))
    }

    /// The unexpired session with this token hash.
    pub fn find_live(
        conn: &mut DbConn,
        token_hash: &str,
        now: time::PrimitiveDateTime,
    ) -> DbResult<Option<Session>> {
        Ok(sessions::table
            .find(token_hash)
            .filter(sessions::expires_at.gt(now))
            .select(Session::as_select())
            .first(conn)
            .optional()?)
    }

    /// Deletes the session (logout). Returns whether it existed.
    pub fn delete(conn: &mut DbConn, token_hash: &str) -> DbResult<bool> {
        Ok(diesel::delete(sessions::table.find(token_hash)).execute(conn)? > 0)
    }

    /// Deletes expired sessions.
    pub fn purge_expired(conn: &mut DbConn, now: time::PrimitiveDateTime) -> DbResult<usize> {
        Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?)
    }

    /// Ends every session of an account except `keep` (a token hash). Returns how many.
    pub fn delete_for_user(
        conn: &mut DbConn,
        user_id: &UserId,
        keep: Option<&str>,
    ) -> DbResult<usize> {
        let query = sessions::table.filter(sessions::user_id.eq(user_id));
        Ok(match keep {
            Some(keep) => diesel::delete(query.filter(sessions::id.ne(keep))).execute(conn)?,
            None => diesel::delete(query).execute(conn)?,
        })
    }
}
