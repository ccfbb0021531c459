//! The monthly archive of the register book: once a month is over (in Vietnam's time),
//! the `register.monthly_archive` job lays out each office's book of that month, seals it
//! with the office seal (the same sealed PDF an official exports), keeps it in the blob
//! store and records it in `register_archives`, with an audit row `register.archive`.
//! The office's officials list and download the archives (`GET
//! /api/v1/offices/{id}/register/archives`). A month is archived once; an office with no
//! line that month has nothing archived.

use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use time::{Month, OffsetDateTime, PrimitiveDateTime};

use super::book::{self, ExportPeriod, RegisterBookError};
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::db::ids::OfficeId;
use crate::db::models::Office;
use crate::db::schema::register_archives;
use crate::db::{DbError, now_utc, write_transaction};
use crate::storage::{Sha256Hex, StorageError};

/// Why archiving or reading an archive failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The book could not be read or sealed.
    #[error(transparent)]
    Book(#[from] RegisterBookError),
    /// The blob store failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The sealing thread failed.
    #[error("archive task: {0}")]
    Task(String),
    /// Some offices' months could not be archived (each with its reason).
    #[error("{0}")]
    Offices(String),
}

impl From<diesel::result::Error> for ArchiveError {
    fn from(error: diesel::result::Error) -> Self {
        ArchiveError::Db(DbError::from(error))
    }
}

impl crate::error::UserFacing for ArchiveError {
    fn public(&self) -> crate::error::PublicError {
        match self {
            ArchiveError::Book(e) => e.public(),
            ArchiveError::Db(e) => e.public(),
            ArchiveError::Storage(_) | ArchiveError::Task(_) | ArchiveError::Offices(_) => {
                crate::error::PublicError::internal_error()
            }
        }
    }
}

/// An archived month, as the office reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable)]
#[diesel(table_name = register_archives)]
pub struct RegisterArchive {
    /// The office.
    pub office_id: OfficeId,
    /// `YYYY-MM`.
    pub period: String,
    /// SHA-256 of the sealed PDF.
    pub file_sha256: String,
    /// Register lines in the month.
    pub lines: i32,
    /// When it was archived (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_rfc3339")]
    pub created_at: PrimitiveDateTime,
}

/// A `YYYY-MM` month as the archives name it (refused as the field `period` otherwise).
pub fn parse_period(text: &str) -> Result<String, RegisterBookError> {
    let text = text.trim();
    let (year, month) = text
        .split_once('-')
        .ok_or(RegisterBookError::InvalidField("period"))?;
    let period = ExportPeriod::parse(Some(year), Some(month))
        .map_err(|_| RegisterBookError::InvalidField("period"))?;
    if month.len() != 2 {
        return Err(RegisterBookError::InvalidField("period"));
    }
    Ok(period.label())
}

/// The month before the one `now` falls in, in Vietnam's time.
pub fn previous_month(now: OffsetDateTime) -> ExportPeriod {
    let today = crate::local_time::local_date(now).unwrap_or(now.date());
    let (year, month) = match today.month() {
        Month::January => (today.year() - 1, Month::December),
        month => (today.year(), month.previous()),
    };
    ExportPeriod {
        year,
        month: Some(month),
    }
}

/// Archives `period` for every office that has lines in it and no archive yet. Answers
/// the archives made. One office's failure (no seal key, say) does not stop the others;
/// the job then fails with every reason and is tried again.
pub async fn archive_month(
    app: &App,
    period: ExportPeriod,
) -> Result<Vec<RegisterArchive>, ArchiveError> {
    let label = period.label();
    let pending: Vec<OfficeId> = {
        let label = label.clone();
        app.db
            .run(move |conn| {
                let archived: Vec<OfficeId> = register_archives::table
                    .filter(register_archives::period.eq(&label))
                    .select(register_archives::office_id)
                    .load(conn)?;
                Ok::<_, ArchiveError>(
                    Office::list(conn)?
                        .into_iter()
                        .map(|office| office.id)
                        .filter(|id| !archived.contains(id))
                        .collect(),
                )
            })
            .await?
    };
    let mut made = Vec::new();
    let mut failures = Vec::new();
    for office_id in pending {
        match archive_office(app, &office_id, period).await {
            Ok(Some(archive)) => made.push(archive),
            Ok(None) => {}
            Err(error) => failures.push(format!("{office_id}: {error}")),
        }
    }
    if !made.is_empty() {
        tracing::info!(period = %label, offices = made.len(), "register books archived");
    }
    if failures.is_empty() {
        Ok(made)
    } else {
        Err(ArchiveError::Offices(format!(
            "{} offices' books of {label} not archived: {}",
            failures.len(),
            failures.join("; ")
        )))
    }
}

/// The job's work: the previous month.
pub async fn archive_previous_month(app: &App) -> Result<Vec<RegisterArchive>, ArchiveError> {
    archive_month(app, previous_month(OffsetDateTime::now_utc())).await
}

async fn archive_office(
    app: &App,
    office_id: &OfficeId,
    period: ExportPeriod,
) -> Result<Option<RegisterArchive>, ArchiveError> {
    let lookup = office_id.clone();
    let extract = app
        .db
        .run(move |conn| book::office_extract(conn, &lookup, period))
        .await?;
    if extract.lines.is_empty() {
        return Ok(None);
    }
    let keys = app.keys.clone();
    let (pdf, extract) = rocket::tokio::task::spawn_blocking(move || {
        let seal = keys
            .seal_signer(extract.office.id.as_str())
            .map_err(RegisterBookError::from)?;
        let pdf = book::register_pdf(&extract, seal.as_ref(), OffsetDateTime::now_utc())?;
        Ok::<_, RegisterBookError>((pdf, extract))
    })
    .await
    .map_err(|e| ArchiveError::Task(e.to_string()))??;
    let digest = app.blobs.put(pdf).await?;
    let archive = RegisterArchive {
        office_id: office_id.clone(),
        period: period.label(),
        file_sha256: digest.to_string(),
        lines: i32::try_from(extract.lines.len()).unwrap_or(i32::MAX),
        created_at: now_utc(),
    };
    let row = archive.clone();
    let book_name = extract.book.clone();
    let inserted = app
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                // Another instance may have archived the same month meanwhile: then its row
                // stays and this one is dropped (the PDF is in the store either way).
                let inserted = conn.transaction(|conn| {
                    diesel::insert_into(register_archives::table)
                        .values((
                            register_archives::office_id.eq(&row.office_id),
                            register_archives::period.eq(&row.period),
                            register_archives::file_sha256.eq(&row.file_sha256),
                            register_archives::lines.eq(row.lines),
                            register_archives::created_at.eq(row.created_at),
                        ))
                        .execute(conn)
                });
                let inserted = match inserted {
                    Ok(rows) => rows,
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    )) => 0,
                    Err(other) => return Err(other.into()),
                };
                if inserted == 1 {
                    audit::record(
                        conn,
                        None,
                        AuditEvent {
                            action: "register.archive",
                            target: Some(row.office_id.to_string()),
                            office_id: Some(row.office_id.clone()),
                            detail: json!({
                                "period": row.period,
                                "book": book_name,
                                "lines": row.lines,
                                "sha256": row.file_sha256,
                            }),
                        },
                        None,
                    )?;
                }
                Ok::<_, ArchiveError>(inserted == 1)
            })
        })
        .await?;
    Ok(inserted.then_some(archive))
}

/// The archives of an office, newest month first, for its officials.
pub fn list(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    office_id: &OfficeId,
) -> Result<Vec<RegisterArchive>, ArchiveError> {
    if !book::may_read_register(actor, office_id) {
        return Err(RegisterBookError::Forbidden.into());
    }
    Ok(register_archives::table
        .filter(register_archives::office_id.eq(office_id))
        .order(register_archives::period.desc())
        .select(RegisterArchive::as_select())
        .load(conn)?)
}

/// One archived month's sealed PDF, for the office's officials.
pub async fn file(
    app: &App,
    actor: &Actor,
    office_id: &OfficeId,
    period: &str,
) -> Result<Option<(RegisterArchive, Vec<u8>)>, ArchiveError> {
    if !book::may_read_register(actor, office_id) {
        return Err(RegisterBookError::Forbidden.into());
    }
    let key = (office_id.clone(), period.to_owned());
    let archive = app
        .db
        .run(move |conn| {
            register_archives::table
                .find(key)
                .select(RegisterArchive::as_select())
                .first(conn)
                .optional()
                .map_err(ArchiveError::from)
        })
        .await?;
    let Some(archive) = archive else {
        return Ok(None);
    };
    let bytes = app
        .blobs
        .get(&Sha256Hex::parse(&archive.file_sha256)?)
        .await?;
    Ok(Some((archive, bytes)))
}
