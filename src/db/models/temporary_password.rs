use diesel::prelude::*;

use crate::db::ids::UserId;
use crate::db::schema::temporary_passwords;
use crate::db::{DbConn, DbResult};

/// Marks an account whose password was set by an admin reset: it works once to sign in,
/// until `expires_at`, and every session of the account may only change the password
/// until the person has chosen their own.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = temporary_passwords)]
pub struct TemporaryPassword {
    /// The account.
    pub user_id: UserId,
    /// The admin who reset it.
    pub set_by: UserId,
    /// After this (UTC) the temporary password no longer signs in.
    pub expires_at: time::PrimitiveDateTime,
}

impl TemporaryPassword {
    /// Records (or replaces) the mark of an account.
    pub fn replace(&self, conn: &mut DbConn) -> DbResult<()> {
        Self::clear(conn, &self.user_id)?;
        diesel::insert_into(temporary_passwords::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// The mark of an account, if its password is temporary.
    pub fn of(conn: &mut DbConn, user_id: &UserId) -> DbResult<Option<TemporaryPassword>> {
        Ok(temporary_passwords::table
            .find(user_id)
            .select(TemporaryPassword::as_select())
            .first(conn)
            .optional()?)
    }

    /// Removes the mark (the person chose their own password).
    pub fn clear(conn: &mut DbConn, user_id: &UserId) -> DbResult<()> {
        diesel::delete(temporary_passwords::table.find(user_id)).execute(conn)?;
        Ok(())
    }
}
