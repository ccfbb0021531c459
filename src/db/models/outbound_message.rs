use diesel::prelude::*;

use crate::db::schema::outbound_messages;
use crate::db::{DbConn, DbResult};

/// A message waiting for (or handed to) the SMS or e-mail gateway.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbound_messages)]
pub struct OutboundMessage {
    /// Message id (UUID).
    pub id: String,
    /// `sms` or `email`.
    pub channel: String,
    /// Phone number (`0xxxxxxxxx`) or e-mail address.
    pub address: String,
    /// What the message is about, e.g. `registration.created`.
    pub kind: String,
    /// The text, Vietnamese then English.
    pub body: String,
    /// When it was queued (UTC).
    pub created_at: time::PrimitiveDateTime,
    /// When the gateway accepted it; `None` while queued.
    pub sent_at: Option<time::PrimitiveDateTime>,
}

impl OutboundMessage {
    /// Queues the message.
    pub fn insert(conn: &mut DbConn, message: &OutboundMessage) -> DbResult<()> {
        diesel::insert_into(outbound_messages::table)
            .values(message)
            .execute(conn)?;
        Ok(())
    }

    /// Messages still to send, oldest first.
    pub fn unsent(conn: &mut DbConn, limit: i64) -> DbResult<Vec<OutboundMessage>> {
        Ok(outbound_messages::table
            .filter(outbound_messages::sent_at.is_null())
            .order(outbound_messages::created_at.asc())
            .limit(limit)
            .select(OutboundMessage::as_select())
            .load(conn)?)
    }
}
