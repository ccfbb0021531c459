//! Queries on the proven citizen ID of an account (`users.identity_verified_*`), kept
//! apart from the account row's basic queries in `user.rs`.

use diesel::prelude::*;

use super::User;
use crate::db::ids::UserId;
use crate::db::schema::users;
use crate::db::{DbConn, DbResult};

impl User {
    /// The account that holds `citizen_id` as proven (at most one: partial unique index).
    pub fn find_verified_by_citizen_id(
        conn: &mut DbConn,
        citizen_id: &str,
    ) -> DbResult<Option<User>> {
        Ok(users::table
            .filter(users::citizen_id.eq(citizen_id))
            .filter(users::identity_verified_at.is_not_null())
            .select(User::as_select())
            .first(conn)
            .optional()?)
    }

    /// Marks the account's claimed citizen ID as proven by `via` (`desk` or `oidc`), if
    /// it still is only claimed. Returns whether the row changed. A second verified holder
    /// of the ID is refused by the unique index ([`crate::db::DbError::Duplicate`]).
    pub fn mark_identity_verified(
        conn: &mut DbConn,
        id: &UserId,
        via: &str,
        at: time::PrimitiveDateTime,
    ) -> DbResult<bool> {
        let changed = diesel::update(
            users::table
                .find(id)
                .filter(users::identity_verified_at.is_null()),
        )
        .set((
            users::identity_verified_at.eq(Some(at)),
            users::identity_verified_via.eq(Some(via)),
        ))
        .execute(conn)?;
        Ok(changed > 0)
    }
}
