//! The outbox: messages to citizens by SMS or e-mail, queued in the database in the same
//! transaction as what caused them (a registration, an attempt to register with someone's
//! contact). A gateway delivers them later and sets `sent_at`; until one is configured
//! they wait in `outbound_messages` (docs/ARCHITECTURE.md §9).

use crate::db::models::OutboundMessage;
use crate::db::{DbConn, DbResult, now_utc};

/// How a message reaches its addressee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A text message to a Vietnamese mobile number.
    Sms,
    /// An e-mail.
    Email,
}

impl Channel {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// Queues a message. The log line names the kind, the channel and the message id only:
/// never the address or the text.
pub fn queue(
    conn: &mut DbConn,
    channel: Channel,
    address: &str,
    kind: &str,
    body: &str,
) -> DbResult<()> {
    let message = OutboundMessage {
        id: uuid::Uuid::new_v4().to_string(),
        channel: channel.as_str().to_owned(),
        address: address.to_owned(),
        kind: kind.to_owned(),
        body: body.to_owned(),
        created_at: now_utc(),
        sent_at: None,
    };
    OutboundMessage::insert(conn, &message)?;
    tracing::info!(id = %message.id, kind, channel = channel.as_str(), "message queued");
    Ok(())
}

/// Queues the same message on each contact given: SMS to the phone, e-mail to the address.
pub fn queue_to_contacts(
    conn: &mut DbConn,
    phone: Option<&str>,
    email: Option<&str>,
    kind: &str,
    body: &str,
) -> DbResult<()> {
    if let Some(phone) = phone {
        queue(conn, Channel::Sms, phone, kind, body)?;
    }
    if let Some(email) = email {
        queue(conn, Channel::Email, email, kind, body)?;
    }
    Ok(())
}
