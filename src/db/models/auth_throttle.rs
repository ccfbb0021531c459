use diesel::prelude::*;

use crate::db::schema::auth_throttle;
use crate::db::{DbConn, DbResult};

/// Login attempts counted under one key (an account name or a client address). Times are
/// milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = auth_throttle)]
pub struct ThrottleCounter {
    /// What is counted, e.g. `login:account:079203001234`.
    pub throttle_key: String,
    /// Attempts counted since the counter was last forgotten or reset.
    pub attempts: i32,
    /// When the last attempt was counted.
    pub last_attempt_ms: i64,
    /// No attempt is allowed before this time.
    pub blocked_until_ms: i64,
}

impl ThrottleCounter {
    /// Reads the counter and, on PostgreSQL, locks its row until the transaction ends (a
    /// no-op update), so concurrent attempts are counted one after the other. On SQLite the
    /// write transaction already holds the database.
    pub fn lock(conn: &mut DbConn, key: &str) -> DbResult<Option<ThrottleCounter>> {
        let row: Option<(i32, i64, i64)> = diesel::update(auth_throttle::table.find(key))
            .set(auth_throttle::attempts.eq(auth_throttle::attempts))
            .returning((
                auth_throttle::attempts,
                auth_throttle::last_attempt_ms,
                auth_throttle::blocked_until_ms,
            ))
            .get_result(conn)
            .optional()?;
        Ok(row.map(
            |(attempts, last_attempt_ms, blocked_until_ms)| ThrottleCounter {
                throttle_key: key.to_owned(),
                attempts,
                last_attempt_ms,
                blocked_until_ms,
            },
        ))
    }

    /// Writes the counter: updated when `exists`, inserted otherwise (a concurrent insert
    /// of the same key fails as a duplicate).
    pub fn save(&self, conn: &mut DbConn, exists: bool) -> DbResult<()> {
        if exists {
            diesel::update(auth_throttle::table.find(&self.throttle_key))
                .set(self)
                .execute(conn)?;
        } else {
            diesel::insert_into(auth_throttle::table)
                .values(self)
                .execute(conn)?;
        }
        Ok(())
    }

    /// Forgets the counter (a successful login resets its account).
    pub fn delete(conn: &mut DbConn, key: &str) -> DbResult<()> {
        diesel::delete(auth_throttle::table.find(key)).execute(conn)?;
        Ok(())
    }

    /// Deletes counters whose last attempt is older than `before_ms` and that block
    /// nothing any more.
    pub fn purge_stale(conn: &mut DbConn, before_ms: i64, now_ms: i64) -> DbResult<usize> {
        Ok(diesel::delete(
            auth_throttle::table
                .filter(auth_throttle::last_attempt_ms.lt(before_ms))
                .filter(auth_throttle::blocked_until_ms.le(now_ms)),
        )
        .execute(conn)?)
    }
}
