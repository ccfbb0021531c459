//! Appending an incremental update to the buffer that holds the file (ISO 32000-1, 7.5.6).
//!
//! The update is the new and changed objects, then a cross-reference section for them and a
//! trailer whose `/Prev` points to the previous section. It is written after the existing
//! bytes of the same buffer, with offsets counted from the buffer's start: the file is never
//! copied, so signing a 10 MB copy needs the copy once in memory, not twice. The new section
//! has the form of the previous one (a table after a table, a stream after a stream), as
//! readers that follow `/Prev` through one kind only expect.

use std::io::Write;

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, Stream, Writer};

use super::error::PdfError;

/// Bytes reserved for an update besides its `/Contents` placeholder: the field, widget and
/// appearance objects, the cross-reference section and the trailer.
pub(super) const UPDATE_RESERVE: usize = 64 << 10;

/// Writes the objects of `update` (the update's document: objects, trailer without `/Size`,
/// `max_id`) after the bytes already in `file`, then a cross-reference section of
/// `kind` and the trailer. `previous_section` is the offset of the section the file ends
/// with; it becomes `/Prev`.
pub(super) fn append_update(
    file: &mut Vec<u8>,
    update: &Document,
    kind: XrefType,
    previous_section: usize,
) -> Result<(), PdfError> {
    if file.last() != Some(&b'\n') {
        file.push(b'\n');
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(update.objects.len() + 1);
    for (&(id, generation), object) in &update.objects {
        entries.push(Entry {
            id,
            generation,
            offset: file.len(),
        });
        write_indirect(file, id, generation, object)?;
    }
    let mut trailer = update.trailer.clone();
    trailer.set("Prev", Object::Integer(offset_value(previous_section)?));
    let section_start = file.len();
    match kind {
        XrefType::CrossReferenceTable => {
            trailer.set("Size", i64::from(update.max_id) + 1);
            write_table(file, &entries).map_err(PdfError::Write)?;
            file.extend_from_slice(b"trailer\n");
            Writer::write_object(file, &Object::Dictionary(trailer)).map_err(PdfError::Write)?;
        }
        XrefType::CrossReferenceStream => {
            // The stream is an object of its own, numbered after every other one.
            let stream_id = update.max_id.checked_add(1).ok_or(PdfError::Malformed {
                what: "object numbers exhausted",
            })?;
            entries.push(Entry {
                id: stream_id,
                generation: 0,
                offset: section_start,
            });
            let stream = xref_stream(trailer, &entries, stream_id)?;
            write_indirect(file, stream_id, 0, &Object::Stream(stream))?;
        }
    }
    write!(file, "\nstartxref\n{section_start}\n%%EOF\n").map_err(PdfError::Write)?;
    Ok(())
}

/// Where one object of the update was written.
#[derive(Clone, Copy)]
struct Entry {
    id: u32,
    generation: u16,
    offset: usize,
}

/// `N G obj … endobj` with the separators lopdf's own writer uses.
fn write_indirect(
    file: &mut Vec<u8>,
    id: u32,
    generation: u16,
    object: &Object,
) -> Result<(), PdfError> {
    let before = if Writer::need_separator(object) {
        " "
    } else {
        ""
    };
    let after = if Writer::need_end_separator(object) {
        " "
    } else {
        ""
    };
    write!(file, "{id} {generation} obj\n{before}").map_err(PdfError::Write)?;
    Writer::write_object(file, object).map_err(PdfError::Write)?;
    write!(file, "{after}\nendobj\n").map_err(PdfError::Write)
}

/// Runs of consecutive object numbers (entries sorted by number), each a subsection.
fn subsections(entries: &[Entry]) -> Vec<&[Entry]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for index in 1..=entries.len() {
        let breaks = entries
            .get(index)
            .is_none_or(|next| Some(next.id) != entries[index - 1].id.checked_add(1));
        if breaks {
            runs.push(&entries[start..index]);
            start = index;
        }
    }
    runs
}

/// A cross-reference table section: object 0 (the head of the free list, as every
/// section lists it) and one 20-byte entry per written object.
fn write_table(file: &mut Vec<u8>, entries: &[Entry]) -> std::io::Result<()> {
    file.extend_from_slice(b"xref\n");
    let runs = subsections(entries);
    let joins_zero = runs.first().is_some_and(|run| run[0].id == 1);
    if !joins_zero {
        file.extend_from_slice(b"0 1\n0000000000 65535 f\r\n");
    }
    for (index, run) in runs.iter().enumerate() {
        if index == 0 && joins_zero {
            writeln!(file, "0 {}", run.len() + 1)?;
            file.extend_from_slice(b"0000000000 65535 f\r\n");
        } else {
            writeln!(file, "{} {}", run[0].id, run.len())?;
        }
        for entry in *run {
            write!(file, "{:010} {:05} n\r\n", entry.offset, entry.generation)?;
        }
    }
    Ok(())
}

/// A cross-reference stream (ISO 32000-1, 7.5.8): type 1 entries of `[1 4 2]` bytes,
/// uncompressed, with the trailer's entries in its dictionary.
fn xref_stream(trailer: Dictionary, entries: &[Entry], stream_id: u32) -> Result<Stream, PdfError> {
    let mut data = Vec::with_capacity(entries.len() * 7);
    let mut index = Vec::new();
    for run in subsections(entries) {
        index.push(Object::Integer(i64::from(run[0].id)));
        index.push(Object::Integer(run.len() as i64));
        for entry in run {
            let offset = u32::try_from(entry.offset).map_err(|_| PdfError::Malformed {
                what: "file too large for a cross-reference stream",
            })?;
            data.push(1);
            data.extend_from_slice(&offset.to_be_bytes());
            data.extend_from_slice(&entry.generation.to_be_bytes());
        }
    }
    let mut dict = trailer;
    dict.set("Type", Object::Name(b"XRef".to_vec()));
    dict.set("Size", i64::from(stream_id) + 1);
    dict.set("Index", Object::Array(index));
    dict.set(
        "W",
        Object::Array(vec![
            Object::Integer(1),
            Object::Integer(4),
            Object::Integer(2),
        ]),
    );
    let mut stream = Stream::new(dict, data);
    stream.allows_compression = false;
    Ok(stream)
}

fn offset_value(offset: usize) -> Result<i64, PdfError> {
    i64::try_from(offset).map_err(|_| PdfError::Malformed {
        what: "file offset",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update_with(ids: &[u32]) -> Document {
        let mut document = Document::new();
        for &id in ids {
            document
                .objects
                .insert((id, 0), Object::Integer(i64::from(id)));
            document.max_id = document.max_id.max(id);
        }
        document.trailer.set("Root", Object::Reference((1, 0)));
        document
    }

    #[test]
    fn table_offsets_point_at_the_objects() {
        let mut file = b"%PDF-1.7\nprefix".to_vec();
        append_update(
            &mut file,
            &update_with(&[3, 4, 9]),
            XrefType::CrossReferenceTable,
            7,
        )
        .expect("written");
        let text = String::from_utf8_lossy(&file).into_owned();
        assert!(text.starts_with("%PDF-1.7\nprefix\n3 0 obj\n 3 \nendobj\n"));
        let table = &text[text.find("xref\n").expect("table")..];
        assert!(table.starts_with("xref\n0 1\n0000000000 65535 f\r\n3 2\n"));
        assert!(table.contains("\n9 1\n"));
        assert!(table.contains("/Prev 7"));
        assert!(table.contains("/Size 10"));
        for id in [3, 4, 9] {
            let at = text.find(&format!("{id} 0 obj")).expect("object");
            assert!(
                table.contains(&format!("{at:010} 00000 n\r\n")),
                "entry for {id}"
            );
        }
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|tail| tail.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert_eq!(&file[start..start + 5], b"xref\n");
        assert!(file.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn table_starting_at_one_shares_the_first_subsection() {
        let mut file = b"x\n".to_vec();
        append_update(
            &mut file,
            &update_with(&[1, 2]),
            XrefType::CrossReferenceTable,
            0,
        )
        .expect("written");
        let text = String::from_utf8_lossy(&file).into_owned();
        assert!(text.contains("xref\n0 3\n0000000000 65535 f\r\n0000000002 00000 n\r\n"));
    }

    #[test]
    fn stream_lists_itself_and_binary_offsets() {
        let mut file = b"%PDF-1.7\n".to_vec();
        append_update(
            &mut file,
            &update_with(&[5]),
            XrefType::CrossReferenceStream,
            3,
        )
        .expect("written");
        let text = String::from_utf8_lossy(&file).into_owned();
        assert!(text.contains("6 0 obj"));
        assert!(text.contains("/Type /XRef") || text.contains("/Type/XRef"));
        assert!(text.contains("/Size 7"));
        let five = text.find("5 0 obj").expect("object");
        let six = text.find("6 0 obj").expect("stream");
        let mut expected = vec![1];
        expected.extend_from_slice(&(five as u32).to_be_bytes());
        expected.extend_from_slice(&[0, 0, 1]);
        expected.extend_from_slice(&(six as u32).to_be_bytes());
        expected.extend_from_slice(&[0, 0]);
        assert!(
            file.windows(expected.len())
                .any(|w| w == expected.as_slice())
        );
    }
}
