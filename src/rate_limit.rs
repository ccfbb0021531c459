//! Fixed-window rate limits kept in the database, so every instance of the service
//! counts against the same limit (docs/ARCHITECTURE.md §7). Used for anonymous
//! verifications today; any caller names its own bucket.

use diesel::prelude::*;

use crate::db::schema::rate_limits;
use crate::db::{DbConn, DbError, write_transaction};

/// Counts one hit for `bucket` in the current window of `window_secs` seconds and says
/// whether it is within `limit`.
pub fn allow(
    conn: &mut DbConn,
    bucket: &str,
    window_secs: i64,
    limit: u32,
    now_unix: i64,
) -> Result<bool, DbError> {
    let window = now_unix - now_unix.rem_euclid(window_secs.max(1));
    let limit = i32::try_from(limit).unwrap_or(i32::MAX);
    write_transaction(conn, |conn| {
        for _ in 0..2 {
            let counted: Option<i32> = diesel::update(rate_limits::table.find((bucket, window)))
                .set(rate_limits::hits.eq(rate_limits::hits + 1))
                .returning(rate_limits::hits)
                .get_result(conn)
                .optional()?;
            if let Some(hits) = counted {
                return Ok(hits <= limit);
            }
            let inserted = conn.transaction(|conn| {
                diesel::delete(
                    rate_limits::table.filter(rate_limits::window_start.lt(window - 3600)),
                )
                .execute(conn)?;
                diesel::insert_into(rate_limits::table)
                    .values((
                        rate_limits::bucket.eq(bucket),
                        rate_limits::window_start.eq(window),
                        rate_limits::hits.eq(1),
                    ))
                    .execute(conn)
            });
            match inserted.map_err(DbError::from) {
                Ok(_) => return Ok(1 <= limit),
                Err(DbError::Duplicate { .. }) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(DbError::Constraint(
            "rate limit window could not be opened".into(),
        ))
    })
}
