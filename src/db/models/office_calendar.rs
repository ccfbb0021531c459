use diesel::prelude::*;

use crate::db::ids::{OfficeId, UserId};
use crate::db::schema::office_calendars;
use crate::db::{DbConn, DbError, DbResult};

/// An office's stored calendar settings: the JSON of `booking::OfficeCalendarConfig`,
/// validated before it is written. An office without a row uses the standard calendar.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = office_calendars)]
pub struct OfficeCalendarRow {
    /// The office.
    pub office_id: OfficeId,
    /// Settings as JSON.
    pub config: String,
    /// Incremented on every change (1 for the first saved version).
    pub revision: i32,
    /// Last change (UTC).
    pub updated_at: time::PrimitiveDateTime,
    /// Who made the last change.
    pub updated_by: Option<UserId>,
}

impl OfficeCalendarRow {
    /// The stored calendar of an office, if one was ever saved.
    pub fn find(conn: &mut DbConn, office_id: &OfficeId) -> DbResult<Option<OfficeCalendarRow>> {
        Ok(office_calendars::table
            .find(office_id)
            .select(OfficeCalendarRow::as_select())
            .first(conn)
            .optional()?)
    }

    /// Stores `config` as the office's calendar (insert or replace, revision + 1) and
    /// returns the stored row. Call inside a transaction.
    pub fn save(
        conn: &mut DbConn,
        office_id: &OfficeId,
        config: &str,
        updated_by: Option<&UserId>,
        now: time::PrimitiveDateTime,
    ) -> DbResult<OfficeCalendarRow> {
        for _ in 0..2 {
            let changed = diesel::update(office_calendars::table.find(office_id))
                .set((
                    office_calendars::config.eq(config),
                    office_calendars::revision.eq(office_calendars::revision + 1),
                    office_calendars::updated_at.eq(now),
                    office_calendars::updated_by.eq(updated_by),
                ))
                .execute(conn)?;
            if changed == 0 {
                // First save: insert in a savepoint, so that a concurrent first save's
                // duplicate does not abort the surrounding PostgreSQL transaction; the
                // loop then updates the row the other writer created.
                let inserted = conn.transaction(|conn| {
                    diesel::insert_into(office_calendars::table)
                        .values(OfficeCalendarRow {
                            office_id: office_id.clone(),
                            config: config.to_owned(),
                            revision: 1,
                            updated_at: now,
                            updated_by: updated_by.cloned(),
                        })
                        .execute(conn)
                });
                match inserted.map_err(DbError::from) {
                    Ok(_) => {}
                    Err(DbError::Duplicate { .. }) => continue,
                    Err(other) => return Err(other),
                }
            }
            return OfficeCalendarRow::find(conn, office_id)?.ok_or(DbError::NotFound);
        }
        Err(DbError::Constraint(
            "office calendar could not be saved".into(),
        ))
    }
}
