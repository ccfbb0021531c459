//! The register book (sổ chứng thực, Decree 23/2015/NĐ-CP, Art. 13) as its office reads
//! it: search with filters and pages, exports of a month or a year (a PDF laid out like
//! the paper book and signed by the office seal, and CSV), and statistics of a period.
//!
//! Who may read it: the officials of the office (the competent signers who keep the book).
//! The register holds the requesters' names and ID numbers, so clerks, other offices and
//! administrators do not browse or export it; administrators may see the statistics, which
//! hold no personal data. Anyone else gets 403 `forbidden`, as for an office's calendar.
//! Every export is audited (`register.export`).
//!
//! Pending lines (an issuance in progress) are left out everywhere: they are visible to
//! nobody until published or voided. Void lines (spoiled numbers) are listed and exported,
//! so the book has no gaps, and counted apart in the statistics.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use unicode_normalization::UnicodeNormalization;

use super::COPY_TYPE_CODE;
use crate::assembly::{
    AssemblyError, RegisterBookDocument, RegisterBookLine, render_register_book,
};
use crate::audit::{self, Actor, AuditEvent};
use crate::db::ids::{CopyId, OfficeId};
use crate::db::models::{EntryStatus, Office, RegisterEntry, Role};
use crate::db::schema::{register_books, register_entries};
use crate::db::{DbConn, DbError, write_transaction};
use crate::error::{PublicError, UserFacing};
use crate::local_time::{date_dmy, local_to_utc, utc_text, utc_to_local};
use crate::signing::{
    DocMdpPermission, SignatureKind, SignatureRequest, Signer, SigningError, sign_pdf,
};

/// Most lines on one page of a search.
pub const MAX_PER_PAGE: u32 = 100;
/// Lines on a page when the query does not say.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// Longest period of a search by date or of statistics, in days (a leap year).
pub const MAX_PERIOD_DAYS: i64 = 366;
/// Longest text filter, in characters.
const MAX_FILTER_CHARS: usize = 200;

/// Errors of the register book.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterBookError {
    /// The caller may not read this office's register.
    #[error("not allowed to read this office's register")]
    Forbidden,
    /// No such office.
    #[error("office not found")]
    OfficeNotFound,
    /// No published or void line with this id in the caller's office's register.
    #[error("register line not found")]
    LineNotFound,
    /// A query parameter is malformed or out of range.
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// The period asked for is longer than a year, or ends before it starts.
    #[error("invalid period")]
    InvalidPeriod,
    /// The book could not be laid out (an internal fault: the text is sanitised first).
    #[error(transparent)]
    Assembly(#[from] AssemblyError),
    /// The office seal could not sign the export.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for RegisterBookError {
    fn from(error: diesel::result::Error) -> Self {
        RegisterBookError::Db(DbError::from(error))
    }
}

impl UserFacing for RegisterBookError {
    fn public(&self) -> PublicError {
        match self {
            RegisterBookError::Forbidden => PublicError::new(
                403,
                "forbidden",
                "Chỉ người thực hiện chứng thực của cơ quan mới được xem sổ chứng thực của cơ quan.".into(),
                "Only the office's officials may read its certification register.".into(),
            ),
            RegisterBookError::OfficeNotFound => PublicError::new(
                404,
                "office_not_found",
                "Không tìm thấy cơ quan chứng thực.".into(),
                "Certifying office not found.".into(),
            ),
            RegisterBookError::LineNotFound => PublicError::new(
                404,
                "copy_not_found",
                "Không tìm thấy dòng này trong sổ chứng thực của cơ quan.".into(),
                "This line is not in the office's certification register.".into(),
            ),
            RegisterBookError::InvalidField(field) => PublicError::new(
                422,
                "invalid_field",
                format!("Tham số `{field}` không hợp lệ."),
                format!("Parameter `{field}` is invalid."),
            ),
            RegisterBookError::InvalidPeriod => PublicError::new(
                422,
                "invalid_period",
                format!("Khoảng thời gian không hợp lệ: ngày bắt đầu phải trước ngày kết thúc và không quá {MAX_PERIOD_DAYS} ngày."),
                format!("Invalid period: it must start before it ends and span at most {MAX_PERIOD_DAYS} days."),
            ),
            RegisterBookError::Assembly(e) => PublicError::new(
                500,
                "register_export_failed",
                format!("Không lập được tệp sổ chứng thực: {}", e.message_vi()),
                format!("The register book could not be laid out: {e}"),
            ),
            RegisterBookError::Signing(_) => PublicError::new(
                500,
                "signing_failed",
                "Không ký được tệp sổ chứng thực bằng con dấu của cơ quan (khóa ký hoặc chứng thư số không dùng được).".into(),
                "The register export could not be signed with the office seal (signing key or certificate unusable).".into(),
            ),
            RegisterBookError::Db(e) => e.public(),
        }
    }
}

/// Whether `actor` may browse and export the register of `office_id`: its officials.
pub fn may_read_register(actor: &Actor, office_id: &OfficeId) -> bool {
    actor.role == Role::Official && actor.office_id.as_ref() == Some(office_id)
}

/// Whether `actor` may see the statistics of `office_id`: its officials and administrators.
pub fn may_read_statistics(actor: &Actor, office_id: &OfficeId) -> bool {
    actor.role == Role::Admin || may_read_register(actor, office_id)
}

/// A `YYYY-MM-DD` local date from a query parameter.
fn parse_date(text: &str, field: &'static str) -> Result<Date, RegisterBookError> {
    Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| RegisterBookError::InvalidField(field))
}

/// A local date range, both ends included, at most [`MAX_PERIOD_DAYS`] long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalPeriod {
    /// First local date.
    pub from: Date,
    /// Last local date.
    pub to: Date,
}

impl LocalPeriod {
    /// Checks the order and the length.
    pub fn new(from: Date, to: Date) -> Result<Self, RegisterBookError> {
        if to < from || (to - from).whole_days() >= MAX_PERIOD_DAYS {
            return Err(RegisterBookError::InvalidPeriod);
        }
        Ok(LocalPeriod { from, to })
    }

    /// Stored UTC bounds `[start, end)` of the local days.
    fn utc_bounds(&self) -> Result<(PrimitiveDateTime, PrimitiveDateTime), RegisterBookError> {
        let start = local_to_utc(PrimitiveDateTime::new(self.from, Time::MIDNIGHT));
        let end = self
            .to
            .next_day()
            .and_then(|day| local_to_utc(PrimitiveDateTime::new(day, Time::MIDNIGHT)));
        match (start, end) {
            (Some(start), Some(end)) => Ok((start, end)),
            _ => Err(RegisterBookError::InvalidPeriod),
        }
    }
}

/// A search of the register, as parsed from the query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterQuery {
    /// Certification number (in any year's book, unless dates narrow it).
    pub number: Option<i64>,
    /// First local date of the line.
    pub from: Option<Date>,
    /// Last local date of the line.
    pub to: Option<Date>,
    /// Part of the requester's name (letter case and Vietnamese marks ignored) or their
    /// whole ID number.
    pub requester: Option<String>,
    /// Part of the document title (letter case and Vietnamese marks ignored).
    pub title: Option<String>,
    /// `valid`, `void` or `annulled`.
    pub status: Option<EntryStatus>,
    /// Page, from 1.
    pub page: u32,
    /// Lines per page, 1 to [`MAX_PER_PAGE`].
    pub per_page: u32,
}

/// The query parameters of a search as they arrive.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegisterQueryText<'a> {
    /// `number`.
    pub number: Option<&'a str>,
    /// `from` (`YYYY-MM-DD`).
    pub from: Option<&'a str>,
    /// `to` (`YYYY-MM-DD`).
    pub to: Option<&'a str>,
    /// `requester`.
    pub requester: Option<&'a str>,
    /// `title`.
    pub title: Option<&'a str>,
    /// `status`.
    pub status: Option<&'a str>,
    /// `page`.
    pub page: Option<&'a str>,
    /// `per_page`.
    pub per_page: Option<&'a str>,
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl RegisterQuery {
    /// Parses and checks the parameters; a malformed one is a 422 naming it.
    pub fn parse(text: RegisterQueryText<'_>) -> Result<Self, RegisterBookError> {
        let number = non_empty(text.number)
            .map(|n| {
                n.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or(RegisterBookError::InvalidField("number"))
            })
            .transpose()?;
        let from = non_empty(text.from)
            .map(|d| parse_date(d, "from"))
            .transpose()?;
        let to = non_empty(text.to)
            .map(|d| parse_date(d, "to"))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(RegisterBookError::InvalidPeriod);
        }
        let filter = |value: Option<&str>, field| {
            non_empty(value)
                .map(|v| {
                    if v.chars().count() > MAX_FILTER_CHARS || v.chars().any(char::is_control) {
                        Err(RegisterBookError::InvalidField(field))
                    } else {
                        Ok(v.to_owned())
                    }
                })
                .transpose()
        };
        let status = match non_empty(text.status) {
            None => None,
            Some("valid") => Some(EntryStatus::Valid),
            Some("void") => Some(EntryStatus::Void),
            Some("annulled") => Some(EntryStatus::Annulled),
            Some(_) => return Err(RegisterBookError::InvalidField("status")),
        };
        let whole = |value: Option<&str>, field, default: u32, max: u32| {
            non_empty(value).map_or(Ok(default), |v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or(RegisterBookError::InvalidField(field))
            })
        };
        Ok(RegisterQuery {
            number,
            from,
            to,
            requester: filter(text.requester, "requester")?,
            title: filter(text.title, "title")?,
            status,
            page: whole(text.page, "page", 1, 1_000_000)?,
            per_page: whole(text.per_page, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)?,
        })
    }
}

/// One register line as the API shows it to the office.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterLineView {
    /// Entry id (the copy's id).
    pub id: CopyId,
    /// Certification number.
    pub number: i64,
    /// Book with its type code, e.g. `01/2026-SCT/BS`.
    pub book: String,
    /// Local date of the line (`YYYY-MM-DD`).
    pub date: String,
    /// `valid`, `void` or `annulled`.
    pub status: String,
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's ID number.
    pub requester_citizen_id: String,
    /// Title of the original.
    pub document_title: String,
    /// Pages of the original.
    pub page_count: i32,
    /// Copies made.
    pub copies: i32,
    /// Fee, VND.
    pub fee_vnd: i64,
    /// Certifying official.
    pub signer_name: String,
    /// Their position.
    pub signer_position: String,
    /// When the number was allocated (UTC, RFC 3339).
    pub created_at: String,
    /// When the copy was issued (UTC, RFC 3339).
    pub issued_at: Option<String>,
    /// Why the issuance failed (void lines).
    pub void_reason: Option<String>,
    /// Why the certification was annulled.
    pub annulled_reason: Option<String>,
    /// When it was annulled (UTC, RFC 3339).
    pub annulled_at: Option<String>,
}

impl From<&RegisterEntry> for RegisterLineView {
    fn from(entry: &RegisterEntry) -> Self {
        RegisterLineView {
            id: entry.id.clone(),
            number: entry.sequence,
            book: format!("{}-{}", entry.book, entry.type_code),
            date: local_day(entry.created_at).to_string(),
            status: entry.status.clone(),
            requester_name: entry.requester_name.clone(),
            requester_citizen_id: entry.requester_citizen_id.clone(),
            document_title: entry.document_title.clone(),
            page_count: entry.page_count,
            copies: entry.copies,
            fee_vnd: entry.fee_vnd,
            signer_name: entry.signer_name.clone(),
            signer_position: entry.signer_position.clone(),
            created_at: utc_text(entry.created_at),
            issued_at: entry.issued_at.map(utc_text),
            void_reason: entry.void_reason.clone(),
            annulled_reason: entry.annulled_reason.clone(),
            annulled_at: entry.annulled_at.map(utc_text),
        }
    }
}

/// The local date of a stored UTC time (the UTC date if it cannot be converted).
fn local_day(utc: PrimitiveDateTime) -> Date {
    utc_to_local(utc).unwrap_or(utc).date()
}

/// One page of a search.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterPage {
    /// The office.
    pub office_id: OfficeId,
    /// Lines matching the filters, all pages together.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Lines per page.
    pub per_page: u32,
    /// Number of pages (0 when nothing matches).
    pub pages: u64,
    /// The lines of this page, newest first (by year, then number).
    pub lines: Vec<RegisterLineView>,
}

/// Text folded for searching: NFC, lower case, Vietnamese marks removed and `đ` read as
/// `d`, so "nguyen van an" finds "Nguyễn Văn An" (people often type without marks).
pub fn search_fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Searches the office's register. Filters on number, dates and status run in the
/// database; the text filters (requester, title) compare folded text (see
/// [`search_fold`]), which neither backend's `LOWER`/`LIKE` does alike, so they run here
/// over the lines the other filters leave — the office's own lines, a few tens of
/// thousands a year at most — reading only the searched columns, then the page's lines.
pub fn search_register(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    query: &RegisterQuery,
) -> Result<RegisterPage, RegisterBookError> {
    if !may_read_register(actor, office_id) {
        return Err(RegisterBookError::Forbidden);
    }
    let bounds = match (query.from, query.to) {
        (None, None) => (None, None),
        (from, to) => {
            let from_utc = from
                .map(|d| local_to_utc(PrimitiveDateTime::new(d, Time::MIDNIGHT)))
                .map(|d| d.ok_or(RegisterBookError::InvalidField("from")))
                .transpose()?;
            let to_utc = to
                .map(|d| {
                    d.next_day()
                        .and_then(|n| local_to_utc(PrimitiveDateTime::new(n, Time::MIDNIGHT)))
                        .ok_or(RegisterBookError::InvalidField("to"))
                })
                .transpose()?;
            (from_utc, to_utc)
        }
    };
    let narrowed = || {
        let mut q = register_entries::table
            .filter(register_entries::office_id.eq(office_id))
            .filter(register_entries::status.ne(EntryStatus::Pending.as_str()))
            .into_boxed();
        if let Some(number) = query.number {
            q = q.filter(register_entries::sequence.eq(number));
        }
        if let Some(status) = query.status {
            q = q.filter(register_entries::status.eq(status.as_str()));
        }
        if let Some(start) = bounds.0 {
            q = q.filter(register_entries::created_at.ge(start));
        }
        if let Some(end) = bounds.1 {
            q = q.filter(register_entries::created_at.lt(end));
        }
        q
    };
    // Newest first; not part of `narrowed`, since PostgreSQL refuses ORDER BY on a count.
    let newest_first = (
        register_entries::year.desc(),
        register_entries::sequence.desc(),
    );
    let per_page = i64::from(query.per_page);
    let offset = i64::from(query.page - 1).saturating_mul(per_page);
    let (total, lines) = if query.requester.is_none() && query.title.is_none() {
        let total: i64 = narrowed().count().get_result(conn)?;
        let lines = narrowed()
            .order(newest_first)
            .limit(per_page)
            .offset(offset)
            .select(RegisterEntry::as_select())
            .load(conn)?;
        (u64::try_from(total).unwrap_or(0), lines)
    } else {
        let requester = query.requester.as_deref().map(search_fold);
        let title = query.title.as_deref().map(search_fold);
        let candidates: Vec<(CopyId, String, String, String)> = narrowed()
            .order(newest_first)
            .select((
                register_entries::id,
                register_entries::requester_name,
                register_entries::requester_citizen_id,
                register_entries::document_title,
            ))
            .load(conn)?;
        let matching: Vec<CopyId> = candidates
            .into_iter()
            .filter(|(_, name, citizen_id, document)| {
                requester
                    .as_deref()
                    .is_none_or(|wanted| citizen_id == wanted || search_fold(name).contains(wanted))
                    && title
                        .as_deref()
                        .is_none_or(|wanted| search_fold(document).contains(wanted))
            })
            .map(|(id, ..)| id)
            .collect();
        let total = u64::try_from(matching.len()).unwrap_or(u64::MAX);
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let ids: Vec<CopyId> = matching
            .into_iter()
            .skip(start)
            .take(query.per_page as usize)
            .collect();
        let lines = register_entries::table
            .filter(register_entries::id.eq_any(&ids))
            .order(newest_first)
            .select(RegisterEntry::as_select())
            .load(conn)?;
        (total, lines)
    };
    Ok(RegisterPage {
        office_id: office_id.clone(),
        total,
        page: query.page,
        per_page: query.per_page,
        pages: total.div_ceil(u64::from(query.per_page)),
        lines: lines.iter().map(RegisterLineView::from).collect(),
    })
}

/// The period of an export: a month of a year's book, or the whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportPeriod {
    /// Register year.
    pub year: i32,
    /// The month, or `None` for the year.
    pub month: Option<Month>,
}

impl ExportPeriod {
    /// From the `year` (required, 2000–9999) and `month` (1–12, optional) parameters.
    pub fn parse(year: Option<&str>, month: Option<&str>) -> Result<Self, RegisterBookError> {
        let year = non_empty(year)
            .and_then(|y| y.parse::<i32>().ok())
            .filter(|y| (2000..=9999).contains(y))
            .ok_or(RegisterBookError::InvalidField("year"))?;
        let month = non_empty(month)
            .map(|m| {
                m.parse::<u8>()
                    .ok()
                    .and_then(|m| Month::try_from(m).ok())
                    .ok_or(RegisterBookError::InvalidField("month"))
            })
            .transpose()?;
        Ok(ExportPeriod { year, month })
    }

    /// The local days of the period.
    fn local_period(&self) -> Result<LocalPeriod, RegisterBookError> {
        let invalid = |_| RegisterBookError::InvalidField("year");
        let (from, to) = match self.month {
            Some(month) => {
                let from = Date::from_calendar_date(self.year, month, 1).map_err(invalid)?;
                let last = time::util::days_in_month(month, self.year);
                let to = Date::from_calendar_date(self.year, month, last).map_err(invalid)?;
                (from, to)
            }
            None => (
                Date::from_calendar_date(self.year, Month::January, 1).map_err(invalid)?,
                Date::from_calendar_date(self.year, Month::December, 31).map_err(invalid)?,
            ),
        };
        LocalPeriod::new(from, to)
    }

    /// `2026-11` or `2026`, for file names and the audit.
    pub fn label(&self) -> String {
        match self.month {
            Some(month) => format!("{}-{:02}", self.year, u8::from(month)),
            None => self.year.to_string(),
        }
    }
}

/// What an export needs: the office, its book reference for the year, and the lines of
/// the period by number.
#[derive(Debug, Clone)]
pub struct BookExtract {
    /// The office.
    pub office: Office,
    /// The period.
    pub period: ExportPeriod,
    /// Book with type code, e.g. `01/2026-SCT/BS`.
    pub book: String,
    /// The lines (not pending), by number.
    pub lines: Vec<RegisterEntry>,
    /// Fees recorded as paid at the desk for the lines' certification requests, by line.
    pub payments: BTreeMap<CopyId, Payment>,
}

/// A fee paid at the desk, as the book notes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// `cash` or `transfer`.
    pub method: String,
    /// Receipt number.
    pub receipt_no: Option<String>,
}

impl Payment {
    /// "Đã thu lệ phí: tiền mặt, biên lai số …".
    fn note(&self) -> String {
        let method = match self.method.as_str() {
            "transfer" => "chuyển khoản",
            _ => "tiền mặt",
        };
        match &self.receipt_no {
            Some(receipt) => format!("Đã thu lệ phí: {method}, biên lai số {receipt}"),
            None => format!("Đã thu lệ phí: {method}"),
        }
    }
}

/// Reads the lines of the period from the office's book of that year.
pub fn book_extract(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    period: ExportPeriod,
) -> Result<BookExtract, RegisterBookError> {
    if !may_read_register(actor, office_id) {
        return Err(RegisterBookError::Forbidden);
    }
    office_extract(conn, office_id, period)
}

/// [`book_extract`] without the reader's check: for the service's own monthly archive.
pub(crate) fn office_extract(
    conn: &mut DbConn,
    office_id: &OfficeId,
    period: ExportPeriod,
) -> Result<BookExtract, RegisterBookError> {
    let office = Office::find(conn, office_id)?.ok_or(RegisterBookError::OfficeNotFound)?;
    let (start, end) = period.local_period()?.utc_bounds()?;
    let lines = register_entries::table
        .filter(register_entries::office_id.eq(office_id))
        .filter(register_entries::year.eq(period.year))
        .filter(register_entries::status.ne(EntryStatus::Pending.as_str()))
        .filter(register_entries::created_at.ge(start))
        .filter(register_entries::created_at.lt(end))
        .order(register_entries::sequence.asc())
        .select(RegisterEntry::as_select())
        .load(conn)?;
    let book: Option<String> = register_books::table
        .find((office_id, period.year))
        .select(register_books::book)
        .first(conn)
        .optional()?;
    let book = book.unwrap_or_else(|| format!("01/{}", period.year));
    let payments = payments_of(conn, lines.iter().map(|line| &line.id).collect())?;
    Ok(BookExtract {
        payments,
        office,
        period,
        book: format!("{book}-{COPY_TYPE_CODE}"),
        lines,
    })
}

/// The fees recorded as paid at the desk for the certification requests of `lines`.
fn payments_of(
    conn: &mut DbConn,
    lines: Vec<&CopyId>,
) -> Result<BTreeMap<CopyId, Payment>, RegisterBookError> {
    use crate::db::schema::certification_requests as requests;
    let paid: Vec<(Option<CopyId>, Option<String>, Option<String>)> = requests::table
        .filter(requests::register_entry_id.eq_any(lines))
        .filter(requests::fee_payment_method.is_not_null())
        .select((
            requests::register_entry_id,
            requests::fee_payment_method,
            requests::fee_receipt_no,
        ))
        .load(conn)?;
    Ok(paid
        .into_iter()
        .filter_map(|(line, method, receipt_no)| {
            Some((
                line?,
                Payment {
                    method: method?,
                    receipt_no,
                },
            ))
        })
        .collect())
}

/// One line of the register as its office reads it, with the fee paid at the desk.
#[derive(Debug, Clone)]
pub struct RegisterLine {
    /// The line.
    pub entry: RegisterEntry,
    /// The fee recorded as paid at the desk for its certification request, if any.
    pub payment: Option<Payment>,
}

/// One line (published or void) of the register of `actor`'s office, by its id. Only the
/// office's officials read it: other roles get [`RegisterBookError::Forbidden`]; a line
/// of another office, a pending line or an unknown id is [`RegisterBookError::LineNotFound`],
/// so nothing is learnt about other offices' lines.
pub fn register_line(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CopyId,
) -> Result<RegisterLine, RegisterBookError> {
    if actor.role != Role::Official {
        return Err(RegisterBookError::Forbidden);
    }
    let entry = RegisterEntry::find(conn, id)?
        .filter(|entry| entry.status() != EntryStatus::Pending)
        .filter(|entry| may_read_register(actor, &entry.office_id))
        .ok_or(RegisterBookError::LineNotFound)?;
    let mut payments = payments_of(conn, vec![&entry.id])?;
    let payment = payments.remove(&entry.id);
    Ok(RegisterLine { entry, payment })
}

/// The "notes" column: a spoiled line's reason, an annulment's date and reason, a
/// one-person certification, the fee paid at the desk.
fn line_notes(entry: &RegisterEntry, payment: Option<&Payment>) -> String {
    let mut notes = vec![own_notes(entry)];
    notes.extend(payment.map(Payment::note));
    notes.retain(|note| !note.is_empty());
    notes.join("; ")
}

fn own_notes(entry: &RegisterEntry) -> String {
    let notes = match entry.status() {
        EntryStatus::Void => format!(
            "Số hỏng, không cấp bản sao: {}",
            entry.void_reason.as_deref().unwrap_or("")
        ),
        EntryStatus::Annulled => format!(
            "Đã hủy ngày {}: {}",
            entry
                .annulled_at
                .map(|at| date_dmy(local_day(at)))
                .unwrap_or_default(),
            entry.annulled_reason.as_deref().unwrap_or("")
        ),
        EntryStatus::Valid | EntryStatus::Pending => String::new(),
    };
    if entry.single_person {
        let one = "Một người tiếp nhận, đối chiếu và ký (cơ quan làm việc một người)";
        if notes.is_empty() {
            one.to_owned()
        } else {
            format!("{notes}; {one}")
        }
    } else {
        notes
    }
}

/// The status as the book writes it.
fn status_text(entry: &RegisterEntry) -> &'static str {
    match entry.status() {
        EntryStatus::Valid => "Có hiệu lực",
        EntryStatus::Void => "Số hỏng",
        EntryStatus::Annulled => "Đã hủy",
        EntryStatus::Pending => "Đang xử lý",
    }
}

/// The export as a PDF laid out like the paper book, signed by the office seal (a
/// certification signature, DocMDP P=2, at `now`).
pub fn register_pdf(
    extract: &BookExtract,
    seal: &dyn Signer,
    now: OffsetDateTime,
) -> Result<Vec<u8>, RegisterBookError> {
    let document = RegisterBookDocument {
        office_name: extract.office.name.clone(),
        book: extract.book.clone(),
        year: extract.period.year,
        month: extract.period.month,
        generated_on: crate::local_time::local_date(now).unwrap_or(now.date()),
        lines: extract
            .lines
            .iter()
            .map(|entry| RegisterBookLine {
                sequence: entry.sequence,
                date: local_day(entry.created_at),
                requester_name: entry.requester_name.clone(),
                requester_id: entry.requester_citizen_id.clone(),
                document_title: entry.document_title.clone(),
                copies: u32::try_from(entry.copies).unwrap_or(0),
                pages: u32::try_from(entry.page_count).unwrap_or(0),
                fee_vnd: entry.fee_vnd,
                official_name: entry.signer_name.clone(),
                official_position: entry.signer_position.clone(),
                notes: line_notes(entry, extract.payments.get(&entry.id)),
            })
            .collect(),
    };
    let unsigned = render_register_book(&document)?;
    let request = SignatureRequest {
        signer_name: extract.office.name.clone(),
        reason: format!(
            "Trích sổ chứng thực bản sao, quyển số {}, {}",
            extract.book,
            document.period_text().to_lowercase()
        ),
        location: format!("{}, {}", extract.office.name, extract.office.province),
        signing_time: now,
        kind: SignatureKind::Certification {
            permission: DocMdpPermission::FormFillingAndSigning,
        },
        field_name: Some("ConDauCoQuan".to_owned()),
        appearance: None,
        empty_fields: Vec::new(),
    };
    Ok(sign_pdf(&unsigned, seal, &request)?)
}

/// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, quotes
/// doubled; text starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
/// apostrophe so a spreadsheet shows it instead of running it as a formula.
fn csv_cell(out: &mut String, text: &str) {
    let guarded;
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{text}");
        guarded.as_str()
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn csv_row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        csv_cell(out, cell);
    }
    out.push_str("\r\n");
}

/// The header row of the CSV export.
pub const CSV_HEADER: [&str; 14] = [
    "Số chứng thực",
    "Quyển số",
    "Ngày chứng thực",
    "Người yêu cầu",
    "Số giấy tờ tùy thân",
    "Tên giấy tờ, văn bản",
    "Số bản sao",
    "Số trang",
    "Lệ phí (đồng)",
    "Người thực hiện chứng thực",
    "Chức vụ",
    "Tình trạng",
    "Ghi chú",
    "Mã bản sao",
];

/// The export as CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the
/// Vietnamese right), a header row, one row per line, CRLF line ends (RFC 4180).
pub fn register_csv(extract: &BookExtract) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    csv_row(&mut out, CSV_HEADER);
    for entry in &extract.lines {
        let cells = [
            entry.sequence.to_string(),
            extract.book.clone(),
            date_dmy(local_day(entry.created_at)),
            entry.requester_name.clone(),
            entry.requester_citizen_id.clone(),
            entry.document_title.clone(),
            entry.copies.to_string(),
            entry.page_count.to_string(),
            entry.fee_vnd.to_string(),
            entry.signer_name.clone(),
            entry.signer_position.clone(),
            status_text(entry).to_owned(),
            line_notes(entry, extract.payments.get(&entry.id)),
            entry.id.to_string(),
        ];
        csv_row(&mut out, cells.iter().map(String::as_str));
    }
    out.into_bytes()
}

/// Records an export in the audit log.
pub fn record_export(
    conn: &mut DbConn,
    actor: &Actor,
    extract: &BookExtract,
    format: &str,
    request_id: Option<&str>,
) -> Result<(), RegisterBookError> {
    write_transaction(conn, |conn| {
        let logged = crate::transparency::LogEvent::other(
            "register.export",
            extract.office.id.as_str(),
            &extract.book,
            json!({
                "period": extract.period.label(),
                "format": format,
                "lines": extract.lines.len(),
            }),
        );
        crate::transparency::append(conn, &logged)?;
        let event = AuditEvent {
            action: "register.export",
            target: Some(extract.office.id.to_string()),
            office_id: Some(extract.office.id.clone()),
            detail: json!({
                "period": extract.period.label(),
                "book": extract.book,
                "format": format,
                "lines": extract.lines.len(),
            }),
        };
        audit::record(conn, Some(actor), event, request_id).map_err(RegisterBookError::from)
    })
}

/// A ground of refusal (Decree 23/2015/NĐ-CP, Art. 22): its clause, 1 to 6.
pub type RefusalClause = u8;

/// What the statistics need of one certification request (check-in → certified or
/// refused). The register does not hold these: they come from the certification
/// requests once those are recorded (see [`tally`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    /// When the citizen was checked in at the desk (UTC).
    pub checked_in_at: PrimitiveDateTime,
    /// The legal time limit for the answer (Art. 7, 21), UTC.
    pub due_at: PrimitiveDateTime,
    /// How the request ended, if it has.
    pub outcome: RequestOutcome,
}

/// How a certification request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    /// Certified at that time (UTC).
    Certified(PrimitiveDateTime),
    /// Refused on that ground (Art. 22 clause) at that time (UTC).
    Refused(RefusalClause, PrimitiveDateTime),
    /// Not answered yet.
    Open,
}

/// Statistics of an office's register over a period of local days.
///
/// The first group is computed from the register lines dated in the period. The
/// request-based figures — refusals by ground, the average time from check-in to
/// certification, deadline misses — need the certification requests, which the register
/// does not hold: they are `None` (and left out of the JSON, named in `not_computed`)
/// until [`tally`] is given request facts. They are never shown as 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterStatistics {
    /// The office.
    pub office_id: OfficeId,
    /// First local date (`YYYY-MM-DD`).
    pub from: String,
    /// Last local date (`YYYY-MM-DD`).
    pub to: String,
    /// Certifications made: lines of the period that were issued (valid or since annulled).
    pub certifications: u64,
    /// Of those, still valid.
    pub valid: u64,
    /// Of those, annulled since.
    pub annulled: u64,
    /// Spoiled numbers (issuance failed): void lines of the period.
    pub void_lines: u64,
    /// Pages of the originals certified.
    pub pages: u64,
    /// Copies made.
    pub copies: u64,
    /// Fees charged for the certifications (Circular 226/2016/TT-BTC), VND; an annulment
    /// does not take its fee back out of the register.
    pub fees_vnd: i64,
    /// Annulments recorded during the period, whatever the date of the certification.
    pub annulments_recorded: u64,
    /// Fees recorded as paid at the desk during the period, VND (set by
    /// [`register_statistics`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees_collected_vnd: Option<i64>,
    /// Refusals per Art. 22 clause (1–6); `None` when no request facts are given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusals_by_ground: Option<BTreeMap<RefusalClause, u64>>,
    /// Mean minutes from check-in to certification; `None` when no request facts are given
    /// (or when none was certified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_check_in_to_certification_minutes: Option<f64>,
    /// Requests answered after their time limit, or still open past it; `None` until
    /// requests are recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_misses: Option<u64>,
    /// Names of the figures above not computed, with why.
    pub not_computed: Vec<&'static str>,
}

/// Why the request-based figures are missing, as `not_computed` says it.
const NOT_RECORDED: [&str; 3] = [
    "refusals_by_ground: no certification request facts were given",
    "average_check_in_to_certification_minutes: no certification request facts were given",
    "deadline_misses: no certification request facts were given",
];

/// State, reception, result date, refusal ground and decision time of one request.
type RequestRow = (
    String,
    PrimitiveDateTime,
    Date,
    Option<String>,
    Option<PrimitiveDateTime>,
);

/// The facts of the certification requests received at `office_id` between `start` and
/// `end` (UTC), withdrawn ones left out: when each was checked in, its time limit (the end
/// of its local result date), and how it ended.
pub fn request_facts(
    conn: &mut DbConn,
    office_id: &OfficeId,
    start: PrimitiveDateTime,
    end: PrimitiveDateTime,
) -> Result<Vec<RequestFacts>, RegisterBookError> {
    use crate::certification::{RefusalGround, RequestState};
    use crate::db::schema::certification_requests as requests;
    let rows: Vec<RequestRow> = requests::table
        .filter(requests::office_id.eq(office_id))
        .filter(requests::received_at.ge(start))
        .filter(requests::received_at.lt(end))
        .filter(requests::state.ne(RequestState::Withdrawn.as_str()))
        .select((
            requests::state,
            requests::received_at,
            requests::result_date,
            requests::refusal_ground,
            requests::decided_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(state, received_at, result_date, ground, decided_at)| {
            let next_day = result_date
                .next_day()
                .ok_or(RegisterBookError::InvalidField("result_date"))?;
            let due_at = local_to_utc(PrimitiveDateTime::new(next_day, Time::MIDNIGHT))
                .ok_or(RegisterBookError::InvalidField("result_date"))?;
            let outcome = match (RequestState::parse(&state), decided_at) {
                (Some(RequestState::Certified), Some(at)) => RequestOutcome::Certified(at),
                (Some(RequestState::Refused), Some(at)) => RequestOutcome::Refused(
                    ground
                        .as_deref()
                        .and_then(RefusalGround::parse)
                        .map_or(0, RefusalGround::clause),
                    at,
                ),
                _ => RequestOutcome::Open,
            };
            Ok(RequestFacts {
                checked_in_at: received_at,
                due_at,
                outcome,
            })
        })
        .collect()
}

/// Fees recorded as paid at the desk between `start` and `end` (UTC), VND.
pub fn fees_collected(
    conn: &mut DbConn,
    office_id: &OfficeId,
    start: PrimitiveDateTime,
    end: PrimitiveDateTime,
) -> Result<i64, RegisterBookError> {
    use crate::db::schema::certification_requests as requests;
    let fees: Vec<i64> = requests::table
        .filter(requests::office_id.eq(office_id))
        .filter(requests::fee_paid_at.ge(start))
        .filter(requests::fee_paid_at.lt(end))
        .select(requests::fee_vnd)
        .load(conn)?;
    Ok(fees.into_iter().fold(0i64, i64::saturating_add))
}

/// The facts of one register line the statistics count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFacts {
    /// Its status.
    pub status: EntryStatus,
    /// Pages of the original.
    pub pages: i32,
    /// Copies made.
    pub copies: i32,
    /// Fee, VND.
    pub fee_vnd: i64,
}

/// Computes the statistics from the register lines of the period, the number of
/// annulments recorded in it, and — when the caller has them — the facts of the
/// certification requests checked in during the period (`now` decides whether an open
/// request is past its limit). With `requests: None` the request-based figures stay
/// `None`: this is where the certification-request module plugs in.
pub fn tally(
    office_id: &OfficeId,
    period: LocalPeriod,
    lines: &[LineFacts],
    annulments_recorded: u64,
    requests: Option<&[RequestFacts]>,
    now: PrimitiveDateTime,
) -> RegisterStatistics {
    let mut stats = RegisterStatistics {
        office_id: office_id.clone(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        certifications: 0,
        valid: 0,
        annulled: 0,
        void_lines: 0,
        pages: 0,
        copies: 0,
        fees_vnd: 0,
        annulments_recorded,
        fees_collected_vnd: None,
        refusals_by_ground: None,
        average_check_in_to_certification_minutes: None,
        deadline_misses: None,
        not_computed: Vec::new(),
    };
    for line in lines {
        match line.status {
            EntryStatus::Valid => stats.valid += 1,
            EntryStatus::Annulled => stats.annulled += 1,
            EntryStatus::Void => {
                stats.void_lines += 1;
                continue;
            }
            EntryStatus::Pending => continue,
        }
        stats.certifications += 1;
        stats.pages += u64::try_from(line.pages).unwrap_or(0);
        stats.copies += u64::try_from(line.copies).unwrap_or(0);
        stats.fees_vnd = stats.fees_vnd.saturating_add(line.fee_vnd);
    }
    match requests {
        None => stats.not_computed = NOT_RECORDED.to_vec(),
        Some(requests) => {
            let mut refusals = BTreeMap::new();
            let mut misses = 0;
            let mut waited_minutes = Vec::new();
            for request in requests {
                let answered = match request.outcome {
                    RequestOutcome::Certified(at) => {
                        waited_minutes.push((at - request.checked_in_at).as_seconds_f64() / 60.0);
                        Some(at)
                    }
                    RequestOutcome::Refused(clause, at) => {
                        *refusals.entry(clause).or_insert(0) += 1;
                        Some(at)
                    }
                    RequestOutcome::Open => None,
                };
                if answered.unwrap_or(now) > request.due_at {
                    misses += 1;
                }
            }
            stats.refusals_by_ground = Some(refusals);
            stats.deadline_misses = Some(misses);
            if waited_minutes.is_empty() {
                stats.not_computed.push(
                    "average_check_in_to_certification_minutes: no request was certified in the period",
                );
            } else {
                stats.average_check_in_to_certification_minutes =
                    Some(waited_minutes.iter().sum::<f64>() / waited_minutes.len() as f64);
            }
        }
    }
    stats
}

/// The statistics of `office_id` over `period`: the register lines dated in it, and the
/// certification requests received in it (refusals by ground, time from check-in to
/// certification, deadline misses) with the fees paid at the desk in it.
pub fn register_statistics(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    period: LocalPeriod,
    now: OffsetDateTime,
) -> Result<RegisterStatistics, RegisterBookError> {
    if !may_read_statistics(actor, office_id) {
        return Err(RegisterBookError::Forbidden);
    }
    if Office::find(conn, office_id)?.is_none() {
        return Err(RegisterBookError::OfficeNotFound);
    }
    let (start, end) = period.utc_bounds()?;
    let rows: Vec<(String, i32, i32, i64)> = register_entries::table
        .filter(register_entries::office_id.eq(office_id))
        .filter(register_entries::created_at.ge(start))
        .filter(register_entries::created_at.lt(end))
        .select((
            register_entries::status,
            register_entries::page_count,
            register_entries::copies,
            register_entries::fee_vnd,
        ))
        .load(conn)?;
    let lines: Vec<LineFacts> = rows
        .into_iter()
        .map(|(status, pages, copies, fee_vnd)| LineFacts {
            status: match status.as_str() {
                "valid" => EntryStatus::Valid,
                "void" => EntryStatus::Void,
                "annulled" => EntryStatus::Annulled,
                _ => EntryStatus::Pending,
            },
            pages,
            copies,
            fee_vnd,
        })
        .collect();
    let annulments: i64 = register_entries::table
        .filter(register_entries::office_id.eq(office_id))
        .filter(register_entries::annulled_at.ge(start))
        .filter(register_entries::annulled_at.lt(end))
        .count()
        .get_result(conn)?;
    let now = crate::local_time::to_utc_primitive(now).unwrap_or(end);
    let requests = request_facts(conn, office_id, start, end)?;
    let mut stats = tally(
        office_id,
        period,
        &lines,
        u64::try_from(annulments).unwrap_or(0),
        Some(&requests),
        now,
    );
    stats.fees_collected_vnd = Some(fees_collected(conn, office_id, start, end)?);
    Ok(stats)
}

/// The statistics period from the `from`/`to` parameters: by default from 1 January of
/// `today`'s year to `today`.
pub fn statistics_period(
    from: Option<&str>,
    to: Option<&str>,
    today: Date,
) -> Result<LocalPeriod, RegisterBookError> {
    let to = non_empty(to)
        .map(|d| parse_date(d, "to"))
        .transpose()?
        .unwrap_or(today);
    let from = match non_empty(from) {
        Some(d) => parse_date(d, "from")?,
        None => Date::from_calendar_date(to.year(), Month::January, 1)
            .map_err(|_| RegisterBookError::InvalidField("to"))?,
    };
    LocalPeriod::new(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str) -> String {
        let mut out = String::new();
        csv_cell(&mut out, text);
        out
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(row("Nguyễn Văn An"), "Nguyễn Văn An");
        assert_eq!(row("a,b"), "\"a,b\"");
        assert_eq!(row("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(row("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(row("+1"), "'+1");
        assert_eq!(row("-1"), "'-1");
        assert_eq!(row("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(row("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn search_ignores_case_and_vietnamese_marks() {
        assert_eq!(search_fold("  Nguyễn   VĂN Đức "), "nguyen van duc");
        assert!(search_fold("Bằng tốt nghiệp THPT").contains(&search_fold("bang tot")));
    }

    #[test]
    fn query_parameters_are_checked() {
        let parse = |text: RegisterQueryText<'_>| RegisterQuery::parse(text).map_err(|e| e.code());
        let ok = parse(RegisterQueryText::default()).expect("defaults");
        assert_eq!((ok.page, ok.per_page), (1, DEFAULT_PER_PAGE));
        for (text, code) in [
            (
                RegisterQueryText {
                    per_page: Some("101"),
                    ..Default::default()
                },
                "invalid_field",
            ),
            (
                RegisterQueryText {
                    page: Some("0"),
                    ..Default::default()
                },
                "invalid_field",
            ),
            (
                RegisterQueryText {
                    from: Some("2026-02-30"),
                    ..Default::default()
                },
                "invalid_field",
            ),
            (
                RegisterQueryText {
                    from: Some("2026-03-02"),
                    to: Some("2026-03-01"),
                    ..Default::default()
                },
                "invalid_period",
            ),
            (
                RegisterQueryText {
                    status: Some("pending"),
                    ..Default::default()
                },
                "invalid_field",
            ),
            (
                RegisterQueryText {
                    number: Some("-3"),
                    ..Default::default()
                },
                "invalid_field",
            ),
        ] {
            assert_eq!(parse(text).err(), Some(code), "{text:?}");
        }
        assert!(ExportPeriod::parse(Some("2026"), Some("13")).is_err());
        assert!(ExportPeriod::parse(None, Some("1")).is_err());
        let today = Date::from_calendar_date(2026, Month::November, 28).expect("date");
        assert!(statistics_period(Some("2025-01-01"), Some("2026-11-28"), today).is_err());
        let default = statistics_period(None, None, today).expect("this year");
        assert_eq!(default.from.to_string(), "2026-01-01");
    }

    #[test]
    fn request_figures_are_absent_until_given_and_computed_when_given() {
        let office = OfficeId::generate();
        let day = |d: u8| Date::from_calendar_date(2026, Month::November, d).expect("date");
        let period = LocalPeriod::new(day(1), day(30)).expect("period");
        let at = |d: u8, h: u8| PrimitiveDateTime::new(day(d), Time::from_hms(h, 0, 0).expect("t"));
        let lines = [
            LineFacts {
                status: EntryStatus::Valid,
                pages: 2,
                copies: 2,
                fee_vnd: 8_000,
            },
            LineFacts {
                status: EntryStatus::Void,
                pages: 5,
                copies: 1,
                fee_vnd: 6_000,
            },
        ];
        let without = tally(&office, period, &lines, 0, None, at(28, 0));
        assert_eq!(
            (without.certifications, without.void_lines, without.pages),
            (1, 1, 2)
        );
        assert_eq!(without.refusals_by_ground, None);
        let json = serde_json::to_value(&without).expect("json");
        assert!(json.get("deadline_misses").is_none());
        assert_eq!(json["not_computed"].as_array().map(Vec::len), Some(3));

        let requests = [
            RequestFacts {
                checked_in_at: at(3, 8),
                due_at: at(3, 17),
                outcome: RequestOutcome::Certified(at(3, 9)),
            },
            RequestFacts {
                checked_in_at: at(4, 8),
                due_at: at(4, 17),
                outcome: RequestOutcome::Certified(at(5, 9)),
            },
            RequestFacts {
                checked_in_at: at(5, 8),
                due_at: at(5, 17),
                outcome: RequestOutcome::Refused(3, at(5, 10)),
            },
            RequestFacts {
                checked_in_at: at(6, 8),
                due_at: at(6, 17),
                outcome: RequestOutcome::Open,
            },
        ];
        let with = tally(&office, period, &lines, 0, Some(&requests), at(28, 0));
        assert_eq!(with.refusals_by_ground, Some(BTreeMap::from([(3, 1)])));
        assert_eq!(
            with.deadline_misses,
            Some(2),
            "one late, one open past its limit"
        );
        assert_eq!(
            with.average_check_in_to_certification_minutes,
            Some((60.0 + 25.0 * 60.0) / 2.0)
        );
        assert!(with.not_computed.is_empty());
    }
}
