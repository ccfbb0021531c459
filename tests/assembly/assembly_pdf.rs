//! End-to-end: intake → assembly → checks with independent tools (qpdf, pdftotext,
//! pdftoppm + zbarimg, pdfimages, pdfinfo) and lopdf for byte-level passthrough.

use crate::common::*;
use certcopy::assembly::{AssembledCopy, PlacementPolicy, assemble};
use certcopy::intake::synthetic::{
    InkCoverage, scanner_pdf_from_jpegs, synthetic_scan_jpeg, synthetic_scan_jpeg_with,
    synthetic_scan_png,
};
use certcopy::intake::{Limits, PageImage, ScanFile, ScanPage, read_scans};
use lopdf::{Document, Object};

fn scan_files(files: Vec<(&str, Vec<u8>)>) -> Vec<ScanPage> {
    let files: Vec<ScanFile> = files
        .into_iter()
        .map(|(name, bytes)| ScanFile {
            name: name.to_owned(),
            bytes,
        })
        .collect();
    read_scans(&files, &Limits::default()).expect("scans accepted")
}

/// The image XObject streams of each page of `pdf`, in page order (raw, still encoded).
fn page_image_streams(pdf: &[u8]) -> Vec<Vec<(Vec<u8>, lopdf::Dictionary)>> {
    let doc = Document::load_mem(pdf).expect("output parses with lopdf");
    doc.get_pages()
        .values()
        .map(|&page_id| {
            let (resources, _) = doc.get_page_resources(page_id).expect("resources");
            let Some(xobjects) = resources
                .and_then(|r| r.get(b"XObject").ok())
                .and_then(|o| o.as_dict().ok())
            else {
                return Vec::new();
            };
            xobjects
                .iter()
                .map(|(_, r)| {
                    let stream = doc
                        .get_object(r.as_reference().expect("xobject ref"))
                        .and_then(Object::as_stream)
                        .expect("xobject stream");
                    (stream.content.clone(), stream.dict.clone())
                })
                .collect()
        })
        .collect()
}

fn media_boxes(pdf: &[u8]) -> Vec<[f32; 4]> {
    let doc = Document::load_mem(pdf).expect("output parses with lopdf");
    doc.get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_dictionary(id).expect("page dict");
            let values: Vec<f32> = page
                .get(b"MediaBox")
                .and_then(Object::as_array)
                .expect("MediaBox")
                .iter()
                .map(|o| o.as_float().expect("number"))
                .collect();
            [values[0], values[1], values[2], values[3]]
        })
        .collect()
}

fn assert_rects_inside(copy: &AssembledCopy, media_box: [f32; 4]) {
    for rect in copy.signature_rects {
        assert!(
            rect[0] >= media_box[0] && rect[2] <= media_box[2] && rect[0] < rect[2],
            "{rect:?}"
        );
        assert!(
            rect[1] >= media_box[1] && rect[3] <= media_box[3] && rect[1] < rect[3],
            "{rect:?}"
        );
    }
    // The seal's widget starts left of the official's and reaches under it, so the seal
    // can cover the left third of the signature image (Decree 30/2020/NĐ-CP, Appendix I);
    // the seal's information band lies below the official's widget.
    let [official, seal] = copy.signature_rects;
    assert!(
        seal[0] < official[0] && seal[2] > official[0] && seal[2] <= official[2],
        "seal widget does not reach under the official's: {official:?} {seal:?}"
    );
    assert!(seal[1] < official[1], "{official:?} {seal:?}");
}

#[test]
fn multi_page_jpeg_statement_in_bottom_margin() {
    let dir = scratch_dir("multi_page_jpeg");
    let jpegs: Vec<Vec<u8>> = (1..=3)
        .map(|p| synthetic_scan_jpeg(p, 2480, 3508, 300))
        .collect();
    for jpeg in &jpegs {
        assert!(
            (700_000..1_500_000).contains(&jpeg.len()),
            "synthetic A4 page is {} bytes",
            jpeg.len()
        );
    }
    let pages = scan_files(
        jpegs
            .iter()
            .enumerate()
            .map(|(i, j)| (["a.jpg", "b.jpg", "c.jpg"][i], j.clone()))
            .collect(),
    );
    let copy = sample_copy(pages, PlacementPolicy::Auto);
    let out = assemble(copy).expect("assembled");
    assert_eq!(out.page_count, 3);
    assert_eq!(out.statement_page_index, 2);
    assert!(
        !out.added_certification_page,
        "blank bottom band must take the statement"
    );
    let path = write_file(&dir, "copy.pdf", &out.pdf);

    assert_qpdf_clean(&path);
    assert_statement_page(&path, out.statement_page_index, &dir);
    for page in 1..=2 {
        assert!(
            pdftotext_page(&path, page).trim().is_empty(),
            "scan page {page} must carry no text"
        );
    }

    // True size: 2480×3508 px at 300 dpi is 595.2×841.92 pt.
    for media_box in media_boxes(&out.pdf) {
        assert!(
            (media_box[2] - 595.2).abs() < 0.01 && (media_box[3] - 841.92).abs() < 0.01,
            "{media_box:?}"
        );
    }
    assert_rects_inside(&out, media_boxes(&out.pdf)[2]);

    let listed = pdfimages_list(&path);
    assert_eq!(listed.len(), 3, "{listed:?}");
    for (i, image) in listed.iter().enumerate() {
        assert_eq!(
            (image.page, image.kind.as_str(), image.encoding.as_str()),
            (i as u32 + 1, "image", "jpeg")
        );
        assert_eq!((image.width, image.height, image.x_ppi), (2480, 3508, 300));
    }

    // Passthrough: each embedded stream is byte-for-byte the scanned JPEG.
    for (page, images) in page_image_streams(&out.pdf).iter().enumerate() {
        assert_eq!(images.len(), 1);
        assert_eq!(
            images[0].0,
            jpegs[page],
            "page {} JPEG was re-encoded",
            page + 1
        );
        assert_eq!(
            images[0].1.get(b"Filter").and_then(Object::as_name).ok(),
            Some(&b"DCTDecode"[..])
        );
    }
}

#[test]
fn full_last_page_gets_an_added_certification_page() {
    let dir = scratch_dir("full_last_page");
    let first = synthetic_scan_jpeg(1, 1240, 1754, 150);
    let last = synthetic_scan_jpeg_with(2, 1240, 1754, 150, InkCoverage::FullPage);
    let pages = scan_files(vec![("p1.jpg", first), ("p2.jpg", last)]);
    let out = assemble(sample_copy(pages, PlacementPolicy::Auto)).expect("assembled");
    assert!(
        out.added_certification_page,
        "text in the bottom band must not be covered"
    );
    assert_eq!((out.page_count, out.statement_page_index), (3, 2));
    let path = write_file(&dir, "copy.pdf", &out.pdf);
    assert_qpdf_clean(&path);
    assert_statement_page(&path, out.statement_page_index, &dir);
    assert!(
        pdftotext_page(&path, 2).trim().is_empty(),
        "the scanned last page stays untouched"
    );
    let boxes = media_boxes(&out.pdf);
    assert!(
        (boxes[2][2] - 595.276).abs() < 0.01 && (boxes[2][3] - 841.89).abs() < 0.01,
        "A4 page: {:?}",
        boxes[2]
    );
    assert_rects_inside(&out, boxes[2]);
    assert_eq!(
        pdfimages_list(&path).len(),
        2,
        "the certification page has no image"
    );
}

#[test]
fn append_policy_always_adds_a_page() {
    let dir = scratch_dir("append_policy");
    let pages = scan_files(vec![("p1.jpg", synthetic_scan_jpeg(1, 1240, 1754, 150))]);
    let out = assemble(sample_copy(pages, PlacementPolicy::AppendPage)).expect("assembled");
    assert!(out.added_certification_page);
    assert_eq!((out.page_count, out.statement_page_index), (2, 1));
    let path = write_file(&dir, "copy.pdf", &out.pdf);
    assert_qpdf_clean(&path);
    assert_statement_page(&path, 1, &dir);
}

#[test]
fn png_with_alpha_becomes_flate_with_smask() {
    let dir = scratch_dir("png_alpha");
    let png = synthetic_scan_png(1, 1240, 1754, 150, true);
    let pages = scan_files(vec![("scan.png", png)]);
    let PageImage::Raw(raw) = &pages[0].image else {
        panic!("PNG must decode to raw samples")
    };
    assert!(raw.alpha.is_some(), "alpha plane kept");
    assert_eq!((pages[0].dpi.x, pages[0].dpi.y), (150.0, 150.0));
    let out = assemble(sample_copy(pages, PlacementPolicy::Auto)).expect("assembled");
    assert!(
        !out.added_certification_page,
        "transparent band is at the top; the bottom is blank"
    );
    let path = write_file(&dir, "copy.pdf", &out.pdf);
    assert_qpdf_clean(&path);
    assert_statement_page(&path, out.statement_page_index, &dir);

    let listed = pdfimages_list(&path);
    let kinds: Vec<(&str, &str)> = listed
        .iter()
        .map(|i| (i.kind.as_str(), i.encoding.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![("image", "image"), ("smask", "image")],
        "{listed:?}"
    );
    assert_eq!(
        (listed[0].width, listed[0].height, listed[0].color.as_str()),
        (1240, 1754, "rgb")
    );
    assert_eq!(listed[1].color, "gray");
    let images = page_image_streams(&out.pdf);
    let dict = &images[0][0].1;
    assert_eq!(
        dict.get(b"Filter").and_then(Object::as_name).ok(),
        Some(&b"FlateDecode"[..])
    );
    assert!(dict.has(b"SMask"));
}

#[test]
fn scanner_pdf_pages_pass_through() {
    let dir = scratch_dir("scanner_pdf");
    let jpegs: Vec<Vec<u8>> = (1..=2)
        .map(|p| synthetic_scan_jpeg(p, 1654, 2339, 200))
        .collect();
    let scanner_pdf = scanner_pdf_from_jpegs(&jpegs, 200.0).expect("scanner pdf");
    // The extension lies; the bytes decide.
    let pages = scan_files(vec![("scan.jpg", scanner_pdf)]);
    assert_eq!(pages.len(), 2);
    for (page, jpeg) in pages.iter().zip(&jpegs) {
        let PageImage::Jpeg(image) = &page.image else {
            panic!("DCT page must stay JPEG")
        };
        assert_eq!(&image.bytes, jpeg);
        assert!(
            (page.dpi.x - 200.0).abs() < 0.01 && (page.dpi.y - 200.0).abs() < 0.01,
            "{:?}",
            page.dpi
        );
    }
    let out = assemble(sample_copy(pages, PlacementPolicy::Auto)).expect("assembled");
    assert!(!out.added_certification_page);
    let path = write_file(&dir, "copy.pdf", &out.pdf);
    assert_qpdf_clean(&path);
    assert_statement_page(&path, out.statement_page_index, &dir);
    let listed = pdfimages_list(&path);
    assert!(
        listed
            .iter()
            .all(|i| i.encoding == "jpeg" && i.x_ppi == 200),
        "{listed:?}"
    );
    for (page, images) in page_image_streams(&out.pdf).iter().enumerate() {
        assert_eq!(images[0].0, jpegs[page]);
    }
}

#[test]
fn flate_scanner_pdf_is_reencoded_losslessly() {
    let dir = scratch_dir("flate_pdf");
    let (w, h) = (850u32, 1100u32);
    let rgb =
        certcopy::intake::synthetic::synthetic_scan_rgb(1, w, h, 100, InkCoverage::TopTwoThirds);
    let pdf = flate_image_pdf(rgb.as_raw(), w, h, 100.0);
    let pages = scan_files(vec![("flate.pdf", pdf)]);
    let PageImage::Raw(raw) = &pages[0].image else {
        panic!("Flate page must be raw")
    };
    assert_eq!(&raw.samples, rgb.as_raw());
    let out = assemble(sample_copy(pages, PlacementPolicy::Auto)).expect("assembled");
    let path = write_file(&dir, "copy.pdf", &out.pdf);
    assert_qpdf_clean(&path);
    assert_statement_page(&path, out.statement_page_index, &dir);
}

/// A scanner-style PDF with one Flate RGB image (made with pdf-writer, not the library).
fn flate_image_pdf(samples: &[u8], w: u32, h: u32, dpi: f32) -> Vec<u8> {
    use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(samples).expect("deflate");
    let data = z.finish().expect("deflate");
    let (pw, ph) = (w as f32 / dpi * 72.0, h as f32 / dpi * 72.0);
    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
    let mut page = pdf.page(Ref::new(3));
    page.parent(Ref::new(2))
        .media_box(Rect::new(0.0, 0.0, pw, ph))
        .contents(Ref::new(4));
    page.resources().x_objects().pair(Name(b"X"), Ref::new(5));
    page.finish();
    pdf.stream(
        Ref::new(4),
        format!("q {pw} 0 0 {ph} 0 0 cm /X Do Q").as_bytes(),
    );
    let mut image = pdf.image_xobject(Ref::new(5), &data);
    image.filter(Filter::FlateDecode);
    image
        .width(w as i32)
        .height(h as i32)
        .color_space_name(Name(b"DeviceRGB"))
        .bits_per_component(8);
    image.finish();
    pdf.finish()
}

#[test]
fn output_is_deterministic_and_carries_metadata() {
    let dir = scratch_dir("metadata");
    let pages = scan_files(vec![("p.jpg", synthetic_scan_jpeg(7, 827, 1169, 100))]);
    let copy = sample_copy(pages, PlacementPolicy::Auto);
    let first = assemble(copy.clone()).expect("assembled");
    let second = assemble(copy.clone()).expect("assembled");
    assert_eq!(first.pdf, second.pdf, "same input must give the same bytes");
    let mut other = copy.clone();
    other.statement.sequence += 1;
    assert_ne!(assemble(other).expect("assembled").pdf, first.pdf);

    let path = write_file(&dir, "copy.pdf", &first.pdf);
    let info = String::from_utf8(run("pdfinfo", &["-enc", "UTF-8", &path]).stdout).expect("utf-8");
    assert!(
        info.contains("Title:           Bằng tốt nghiệp trung học phổ thông"),
        "{info}"
    );
    assert!(info.contains("Producer:        certcopy"), "{info}");
    assert!(info.contains("Creator:         certcopy"), "{info}");
    let xmp = String::from_utf8(run("pdfinfo", &["-meta", &path]).stdout).expect("utf-8");
    for needle in [
        "<rdf:li xml:lang=\"x-default\">Bằng tốt nghiệp trung học phổ thông</rdf:li>",
        "<certcopy:CertificationNumber>1234</certcopy:CertificationNumber>",
        "<certcopy:CertificationBook>01/2026-SCT/BS</certcopy:CertificationBook>",
        "<certcopy:CertificationOffice>Ủy ban nhân dân phường Bến Nghé, Thành phố Hồ Chí Minh</certcopy:CertificationOffice>",
        "<certcopy:IssueDate>2026-03-05</certcopy:IssueDate>",
        "<pdf:Producer>certcopy</pdf:Producer>",
    ] {
        assert!(xmp.contains(needle), "XMP lacks {needle}:\n{xmp}");
    }
    let doc = Document::load_mem(&first.pdf).expect("parses");
    let info_dict = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .expect("Info");
    for key in [
        &b"CertificationNumber"[..],
        b"CertificationBook",
        b"CertificationOffice",
        b"IssueDate",
    ] {
        assert!(
            info_dict.has(key),
            "Info lacks {}",
            String::from_utf8_lossy(key)
        );
    }
    let id = doc
        .trailer
        .get(b"ID")
        .and_then(Object::as_array)
        .expect("/ID");
    assert_eq!(id.len(), 2);

    // The font is an embedded subset with ToUnicode.
    let fonts = String::from_utf8(run("pdffonts", &[&path]).stdout).expect("utf-8");
    let row = fonts.lines().nth(2).expect("one font row");
    assert!(
        row.contains("+DejaVuSans") && row.contains("CID TrueType") && row.contains("Identity-H"),
        "{fonts}"
    );
    assert!(
        row.split_whitespace().filter(|w| *w == "yes").count() == 3,
        "emb/sub/uni: {fonts}"
    );
}

/// Assembly asks its cancellation before each page: stopped after the first page of
/// three, it returns `Cancelled` and no PDF.
#[test]
fn cancelled_assembly_stops_between_pages() {
    use certcopy::assembly::{AssemblyError, assemble_cancellable};
    use certcopy::cancel::Cancellation;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let scans = || {
        scan_files(vec![
            ("p1.jpg", synthetic_scan_jpeg(1, 620, 877, 75)),
            ("p2.jpg", synthetic_scan_jpeg(2, 620, 877, 75)),
            ("p3.jpg", synthetic_scan_jpeg(3, 620, 877, 75)),
        ])
    };
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    // Not cancelled on the first two asks (the start, the first page), then cancelled.
    let cancel = Cancellation::new(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst) >= 2
    }));
    let outcome = assemble_cancellable(sample_copy(scans(), PlacementPolicy::Auto), &cancel);
    assert_eq!(outcome.err(), Some(AssemblyError::Cancelled));
    assert_eq!(
        asked.load(Ordering::SeqCst),
        3,
        "stopped at the second page"
    );
    assert_eq!(AssemblyError::Cancelled.code(), "cancelled");
    assert!(!AssemblyError::Cancelled.message_vi().is_empty());
    // Never cancelled: the same copy assembles.
    let out = assemble_cancellable(
        sample_copy(scans(), PlacementPolicy::Auto),
        &Cancellation::never(),
    )
    .expect("assembled");
    assert_eq!(out.page_count, 3);
}
