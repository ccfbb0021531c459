//! Document metadata: the Info dictionary and an XMP packet carrying the same facts
//! (title, certification number and book, office, issue date, producer "certcopy").
//! Both are derived from the copy only: no clock, no random ids, so the same copy gives
//! the same bytes.

use pdf_writer::{Date, Name, Pdf, Ref, TextStr};

use super::CopyDocument;

/// Producer and creator tool recorded in the metadata.
pub const PRODUCER: &str = "certcopy";

/// Custom namespace of the certcopy XMP properties.
pub const XMP_NAMESPACE: &str = "urn:certcopy:xmp:1.0#";

/// Key of the verification code in the Info dictionary, written by [`write_info`] and read
/// back by [`claimed_code`].
const CODE_KEY: &[u8] = b"VerificationCode";

/// The verification code a file claims, read from the `/VerificationCode` entry of its
/// Info dictionary as written here (a literal string of at most 64 bytes; the last such
/// entry wins, as in a later revision). The text as found: the caller normalises it.
pub fn claimed_code(bytes: &[u8]) -> Option<&str> {
    const MARKER: &[u8] = b"/VerificationCode (";
    debug_assert_eq!(MARKER.get(1..=CODE_KEY.len()), Some(CODE_KEY));
    let start = memchr::memmem::rfind(bytes, MARKER)? + MARKER.len();
    let rest = bytes.get(start..)?;
    let end = rest.iter().take(64).position(|b| *b == b')')?;
    std::str::from_utf8(rest.get(..end)?).ok()
}

/// Write the Info dictionary.
pub(crate) fn write_info(pdf: &mut Pdf, id: Ref, copy: &CopyDocument, title: &str) {
    let statement = &copy.statement;
    let mut info = pdf.document_info(id);
    info.title(TextStr(title));
    info.author(TextStr(statement.office_name.trim()));
    info.subject(TextStr(&subject(copy)));
    info.keywords(TextStr(&copy.code));
    info.creator(TextStr(PRODUCER));
    info.producer(TextStr(PRODUCER));
    if let Some(date) = pdf_date(statement.date) {
        info.creation_date(date);
        info.modified_date(date);
    }
    info.pair(
        Name(b"CertificationNumber"),
        TextStr(&statement.sequence.to_string()),
    );
    info.pair(
        Name(b"CertificationBook"),
        TextStr(&statement.book_reference()),
    );
    info.pair(
        Name(b"CertificationOffice"),
        TextStr(statement.office_name.trim()),
    );
    info.pair(Name(b"IssueDate"), TextStr(&iso_date(statement.date)));
    info.pair(Name(CODE_KEY), TextStr(&copy.code));
}

fn subject(copy: &CopyDocument) -> String {
    format!(
        "Bản sao chứng thực từ bản chính. Số chứng thực: {}, Quyển số: {}",
        copy.statement.sequence,
        copy.statement.book_reference()
    )
}

fn pdf_date(date: time::Date) -> Option<Date> {
    let year = u16::try_from(date.year()).ok()?;
    Some(
        Date::new(year)
            .month(u8::from(date.month()))
            .day(date.day()),
    )
}

fn iso_date(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The XMP packet (ISO 16684-1) for the Metadata stream of the catalog.
pub(crate) fn xmp_packet(copy: &CopyDocument, title: &str) -> String {
    let statement = &copy.statement;
    let office = escape(statement.office_name.trim());
    format!(
        concat!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
            " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "  <rdf:Description rdf:about=\"\"\n",
            "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n",
            "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n",
            "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n",
            "    xmlns:certcopy=\"{ns}\">\n",
            "   <dc:format>application/pdf</dc:format>\n",
            "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n",
            "   <dc:creator><rdf:Seq><rdf:li>{office}</rdf:li></rdf:Seq></dc:creator>\n",
            "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{subject}</rdf:li></rdf:Alt></dc:description>\n",
            "   <dc:language><rdf:Bag><rdf:li>vi</rdf:li></rdf:Bag></dc:language>\n",
            "   <xmp:CreateDate>{date}</xmp:CreateDate>\n",
            "   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n",
            "   <xmp:MetadataDate>{date}</xmp:MetadataDate>\n",
            "   <xmp:CreatorTool>{producer}</xmp:CreatorTool>\n",
            "   <pdf:Producer>{producer}</pdf:Producer>\n",
            "   <pdf:Keywords>{code}</pdf:Keywords>\n",
            "   <certcopy:CertificationNumber>{sequence}</certcopy:CertificationNumber>\n",
            "   <certcopy:CertificationBook>{book}</certcopy:CertificationBook>\n",
            "   <certcopy:CertificationOffice>{office}</certcopy:CertificationOffice>\n",
            "   <certcopy:IssueDate>{date}</certcopy:IssueDate>\n",
            "   <certcopy:VerificationCode>{code}</certcopy:VerificationCode>\n",
            "   <certcopy:VerificationUrl>{url}</certcopy:VerificationUrl>\n",
            "  </rdf:Description>\n",
            " </rdf:RDF>\n",
            "</x:xmpmeta>\n",
            "<?xpacket end=\"r\"?>"
        ),
        ns = XMP_NAMESPACE,
        title = escape(title),
        office = office,
        subject = escape(&subject(copy)),
        date = iso_date(statement.date),
        producer = PRODUCER,
        code = escape(&copy.code),
        sequence = statement.sequence,
        book = escape(&statement.book_reference()),
        url = escape(&copy.verify_url),
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::claimed_code;

    #[test]
    fn claimed_code_reads_the_last_info_entry() {
        let file = b"%PDF-1.7\n<< /VerificationCode (OLD) >>\n<< /VerificationCode (K7QX-M2PA) >>";
        assert_eq!(claimed_code(file), Some("K7QX-M2PA"));
        assert_eq!(claimed_code(b"%PDF-1.7 no code"), None);
        let unterminated = [b"/VerificationCode (".as_slice(), &[b'A'; 100]].concat();
        assert_eq!(claimed_code(&unterminated), None, "longer than 64 bytes");
    }
}
