//! Intake refusals: each refused upload gets the right machine code, names the file (and
//! page), and has Vietnamese and English messages.

use crate::common::*;
use certcopy::intake::synthetic::{
    encode_jpeg, insert_png_phys, scanner_pdf_from_jpegs, synthetic_scan_jpeg, synthetic_scan_png,
};
use certcopy::intake::{IntakeError, Limits, PageImage, ScanFile, ScanPage, read_scans};
use image::ImageEncoder;
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};

fn file(name: &str, bytes: Vec<u8>) -> ScanFile {
    ScanFile {
        name: name.to_owned(),
        bytes,
    }
}

fn refuse(files: Vec<ScanFile>, limits: &Limits) -> IntakeError {
    match read_scans(&files, limits) {
        Ok(pages) => panic!("accepted {} pages that must be refused", pages.len()),
        Err(e) => {
            assert!(!e.message_vi().is_empty() && !e.message_en().is_empty());
            assert_ne!(e.message_vi(), e.message_en());
            e
        }
    }
}

fn accept(files: Vec<ScanFile>) -> Vec<ScanPage> {
    read_scans(&files, &Limits::default()).expect("accepted")
}

fn small_jpeg(page: u32) -> Vec<u8> {
    synthetic_scan_jpeg(page, 400, 560, 100)
}

/// A born-digital PDF: one page of Helvetica text.
fn text_pdf() -> Vec<u8> {
    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
    let mut page = pdf.page(Ref::new(3));
    page.parent(Ref::new(2))
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
        .contents(Ref::new(4));
    page.resources().fonts().pair(Name(b"F1"), Ref::new(5));
    page.finish();
    pdf.stream(
        Ref::new(4),
        b"BT /F1 12 Tf 72 720 Td (Giay khai sinh) Tj ET",
    );
    pdf.type1_font(Ref::new(5)).base_font(Name(b"Helvetica"));
    pdf.finish()
}

/// A page whose single image uses `filter` (content bytes are dummies).
fn pdf_with_image_filter(filter: Filter) -> Vec<u8> {
    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
    let mut page = pdf.page(Ref::new(3));
    page.parent(Ref::new(2))
        .media_box(Rect::new(0.0, 0.0, 612.0, 792.0))
        .contents(Ref::new(4));
    page.resources().x_objects().pair(Name(b"Im0"), Ref::new(5));
    page.finish();
    pdf.stream(Ref::new(4), b"q 612 0 0 792 0 0 cm /Im0 Do Q");
    let mut image = pdf.image_xobject(Ref::new(5), &[0u8; 32]);
    image.filter(filter);
    image
        .width(2550)
        .height(3300)
        .color_space_name(Name(b"DeviceGray"))
        .bits_per_component(1);
    image.finish();
    pdf.finish()
}

#[test]
fn text_pdf_is_refused() {
    let e = refuse(
        vec![file("giay-khai-sinh.pdf", text_pdf())],
        &Limits::default(),
    );
    assert_eq!(e.code(), "pdf_has_text");
    assert_eq!((e.file(), e.page()), (Some("giay-khai-sinh.pdf"), Some(1)));
    assert!(e.message_vi().contains("văn bản"), "{}", e.message_vi());
}

#[test]
fn page_with_text_operators_but_no_font_resource_is_refused() {
    // A scan page with an invisible OCR text layer: still a text PDF.
    let mut doc = Pdf::new();
    doc.catalog(Ref::new(1)).pages(Ref::new(2));
    doc.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
    let mut page = doc.page(Ref::new(3));
    page.parent(Ref::new(2))
        .media_box(Rect::new(0.0, 0.0, 288.0, 403.2))
        .contents(Ref::new(4));
    page.resources().x_objects().pair(Name(b"Im0"), Ref::new(5));
    page.finish();
    doc.stream(
        Ref::new(4),
        b"q 288 0 0 403.2 0 0 cm /Im0 Do Q BT 3 Tr (hidden OCR) Tj ET",
    );
    let jpeg = small_jpeg(1);
    let mut image = doc.image_xobject(Ref::new(5), &jpeg);
    image.filter(Filter::DctDecode);
    image
        .width(400)
        .height(560)
        .color_space_name(Name(b"DeviceRGB"))
        .bits_per_component(8);
    image.finish();
    let e = refuse(vec![file("ocr.pdf", doc.finish())], &Limits::default());
    assert_eq!(e.code(), "pdf_has_text");
}

#[test]
fn encrypted_pdf_is_refused_with_or_without_user_password() {
    let dir = scratch_dir("encrypted_pdf");
    let plain = scanner_pdf_from_jpegs(&[small_jpeg(1)], 100.0).expect("pdf");
    let input = write_file(&dir, "plain.pdf", &plain);
    assert_eq!(
        accept(vec![file("plain.pdf", plain)]).len(),
        1,
        "the unencrypted original is fine"
    );
    for (user_password, name) in [("citizen", "locked.pdf"), ("", "owner-only.pdf")] {
        let output = dir.join(name);
        let output = output.to_str().expect("utf-8 path");
        let out = run(
            "qpdf",
            &[
                "--encrypt",
                user_password,
                "owner-secret",
                "256",
                "--",
                &input,
                output,
            ],
        );
        assert!(
            out.status.success(),
            "qpdf --encrypt failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(output).expect("read encrypted pdf");
        let e = refuse(vec![file(name, bytes)], &Limits::default());
        assert_eq!(e.code(), "encrypted_pdf", "{name}: {e:?}");
        assert_eq!(e.file(), Some(name));
    }
}

#[test]
fn truncated_jpeg_is_refused_naming_file_and_page() {
    let jpeg = small_jpeg(1);
    let cut = jpeg[..jpeg.len() * 2 / 3].to_vec();
    let e = refuse(
        vec![file("p1.jpg", small_jpeg(2)), file("p2.jpg", cut)],
        &Limits::default(),
    );
    assert_eq!(e.code(), "truncated_jpeg");
    assert_eq!((e.file(), e.page()), (Some("p2.jpg"), Some(1)));
    assert!(e.message_vi().contains("p2.jpg") && e.message_vi().contains("cắt cụt"));

    // The same JPEG truncated inside a scanner PDF names the PDF page.
    let pages = [small_jpeg(3), cut_keep_markers(&small_jpeg(4))];
    let pdf = pdf_with_raw_dct_pages(&pages);
    let e = refuse(vec![file("scan.pdf", pdf)], &Limits::default());
    assert_eq!(e.code(), "truncated_jpeg");
    assert_eq!((e.file(), e.page()), (Some("scan.pdf"), Some(2)));
}

/// Drop the last 2 KiB (including EOI) of a JPEG.
fn cut_keep_markers(jpeg: &[u8]) -> Vec<u8> {
    jpeg[..jpeg.len() - 2048].to_vec()
}

/// Like `scanner_pdf_from_jpegs` but without validating the JPEGs (400×560 at 100 dpi).
fn pdf_with_raw_dct_pages(jpegs: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    let ids: Vec<Ref> = (0..jpegs.len())
        .map(|i| Ref::new(3 + 3 * i as i32))
        .collect();
    pdf.pages(Ref::new(2))
        .kids(ids.iter().copied())
        .count(jpegs.len() as i32);
    for (i, jpeg) in jpegs.iter().enumerate() {
        let id = ids[i];
        let mut page = pdf.page(id);
        page.parent(Ref::new(2))
            .media_box(Rect::new(0.0, 0.0, 288.0, 403.2))
            .contents(id.next());
        page.resources()
            .x_objects()
            .pair(Name(b"Im0"), id.next().next());
        page.finish();
        pdf.stream(id.next(), b"q 288 0 0 403.2 0 0 cm /Im0 Do Q");
        let mut image = pdf.image_xobject(id.next().next(), jpeg);
        image.filter(Filter::DctDecode);
        image
            .width(400)
            .height(560)
            .color_space_name(Name(b"DeviceRGB"))
            .bits_per_component(8);
        image.finish();
    }
    pdf.finish()
}

#[test]
fn corrupt_jpeg_without_frame_header_is_refused() {
    let e = refuse(
        vec![file("x.jpg", vec![0xFF, 0xD8, 0xFF, 0xD9])],
        &Limits::default(),
    );
    assert_eq!(e.code(), "corrupt_jpeg");
}

/// A PNG whose IHDR declares `width`×`height`, with a tiny IDAT (a decompression bomb's
/// header; nothing to inflate before the check).
fn png_with_header(width: u32, height: u32) -> Vec<u8> {
    let real = synthetic_scan_png(1, 8, 8, 300, false);
    let mut png = real.clone();
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    // Fix the IHDR CRC so only the size is "wrong".
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn png_bomb_is_refused_before_decoding() {
    let started = std::time::Instant::now();
    let e = refuse(
        vec![file("bomb.png", png_with_header(100_000, 100_000))],
        &Limits::default(),
    );
    assert_eq!(e.code(), "image_too_large");
    assert!(
        matches!(
            e,
            IntakeError::ImageTooLarge {
                width: 100_000,
                height: 100_000,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(started.elapsed().as_secs() < 2, "must not try to decode");

    // Within the side limit but lying about its size: the decoder is bounded and fails.
    let e = refuse(
        vec![file("liar.png", png_with_header(9_000, 9_000))],
        &Limits::default(),
    );
    assert_eq!(e.code(), "corrupt_png");
}

#[test]
fn zero_pages_are_refused() {
    let e = refuse(Vec::new(), &Limits::default());
    assert_eq!((e.code(), e.file()), ("no_pages", None));

    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    pdf.pages(Ref::new(2)).kids([]).count(0);
    let e = refuse(vec![file("empty.pdf", pdf.finish())], &Limits::default());
    assert_eq!((e.code(), e.file()), ("no_pages", Some("empty.pdf")));

    let e = refuse(vec![file("zero.jpg", Vec::new())], &Limits::default());
    assert_eq!(e.code(), "empty_file");
}

#[test]
fn format_is_sniffed_from_bytes_not_extension() {
    let png = synthetic_scan_png(1, 300, 400, 100, false);
    let jpeg = small_jpeg(1);
    let pages = accept(vec![
        file("scan.jpg", png),
        file("scan.pdf", jpeg.clone()),
        file("scan.png", jpeg),
    ]);
    assert!(
        matches!(pages[0].image, PageImage::Raw(_)),
        "PNG named .jpg is a PNG"
    );
    assert!(
        matches!(pages[1].image, PageImage::Jpeg(_)),
        "JPEG named .pdf is a JPEG"
    );
    assert!(matches!(pages[2].image, PageImage::Jpeg(_)));

    let e = refuse(
        vec![file("scan.jpg", b"GIF89a\x01\x00\x01\x00".to_vec())],
        &Limits::default(),
    );
    assert_eq!(
        (e.code(), e.file()),
        ("unsupported_format", Some("scan.jpg"))
    );
    let e = refuse(
        vec![file("scan.pdf", b"<html>not a pdf</html>".to_vec())],
        &Limits::default(),
    );
    assert_eq!(e.code(), "unsupported_format");
}

#[test]
fn resolution_outside_limits_is_refused() {
    let high = synthetic_scan_jpeg(1, 400, 560, 1200);
    let e = refuse(vec![file("hi.jpg", high)], &Limits::default());
    assert_eq!(e.code(), "dpi_too_high");
    assert!(
        matches!(e, IntakeError::DpiTooHigh { max: 600, .. }),
        "{e:?}"
    );

    let mut plain = Vec::new();
    image::codecs::png::PngEncoder::new(&mut plain)
        .write_image(&[200u8; 300 * 400], 300, 400, image::ExtendedColorType::L8)
        .expect("encode");
    let png = insert_png_phys(&plain, 1200);
    let e = refuse(vec![file("hi.png", png)], &Limits::default());
    assert_eq!(e.code(), "dpi_too_high");

    let scanner = scanner_pdf_from_jpegs(&[small_jpeg(1)], 1200.0).expect("pdf");
    let e = refuse(vec![file("hi.pdf", scanner)], &Limits::default());
    assert_eq!((e.code(), e.page()), ("dpi_too_high", Some(1)));

    let low = synthetic_scan_jpeg(1, 400, 560, 20);
    let e = refuse(vec![file("lo.jpg", low)], &Limits::default());
    assert_eq!(e.code(), "dpi_too_low");
}

#[test]
fn missing_density_defaults_to_300_dpi() {
    let rgb = certcopy::intake::synthetic::synthetic_scan_rgb(1, 300, 400, 300, Default::default());
    let mut jpeg = encode_jpeg(&rgb, 300);
    // Set the JFIF units byte to 0 (aspect ratio only).
    let app0 = jpeg
        .windows(5)
        .position(|w| w == b"JFIF\0")
        .expect("JFIF segment");
    jpeg[app0 + 7] = 0;
    let pages = accept(vec![file("p.jpg", jpeg)]);
    assert_eq!((pages[0].dpi.x, pages[0].dpi.y), (300.0, 300.0));
}

#[test]
fn size_and_page_limits() {
    let limits = Limits {
        max_pages: 2,
        ..Limits::default()
    };
    let files = vec![
        file("1.jpg", small_jpeg(1)),
        file("2.jpg", small_jpeg(2)),
        file("3.jpg", small_jpeg(3)),
    ];
    let e = refuse(files, &limits);
    assert_eq!((e.code(), e.file()), ("too_many_pages", Some("3.jpg")));

    let pdf =
        scanner_pdf_from_jpegs(&[small_jpeg(1), small_jpeg(2), small_jpeg(3)], 100.0).expect("pdf");
    let e = refuse(vec![file("three.pdf", pdf)], &limits);
    assert_eq!(e.code(), "too_many_pages");

    let limits = Limits {
        max_file_bytes: 10_000,
        ..Limits::default()
    };
    let e = refuse(vec![file("big.jpg", small_jpeg(1))], &limits);
    assert_eq!((e.code(), e.file()), ("file_too_large", Some("big.jpg")));

    let limits = Limits {
        max_side_px: 500,
        ..Limits::default()
    };
    let e = refuse(vec![file("tall.jpg", small_jpeg(1))], &limits);
    assert_eq!(e.code(), "image_too_large");
}

#[test]
fn unsupported_pdf_image_filters_are_refused() {
    for (filter, name) in [
        (Filter::Jbig2Decode, "JBIG2Decode"),
        (Filter::CcittFaxDecode, "CCITTFaxDecode"),
        (Filter::JpxDecode, "JPXDecode"),
    ] {
        let e = refuse(
            vec![file("fax.pdf", pdf_with_image_filter(filter))],
            &Limits::default(),
        );
        assert_eq!(e.code(), "unsupported_image_filter", "{name}");
        assert!(
            matches!(&e, IntakeError::UnsupportedImageFilter { filter, page: 1, .. } if filter == name),
            "{e:?}"
        );
    }
}

#[test]
fn pdf_page_with_two_images_or_drawing_is_refused() {
    let jpeg = small_jpeg(1);
    let two_images = |content: &[u8]| {
        let mut pdf = Pdf::new();
        pdf.catalog(Ref::new(1)).pages(Ref::new(2));
        pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
        let mut page = pdf.page(Ref::new(3));
        page.parent(Ref::new(2))
            .media_box(Rect::new(0.0, 0.0, 288.0, 403.2))
            .contents(Ref::new(4));
        let mut resources = page.resources();
        resources
            .x_objects()
            .pair(Name(b"A"), Ref::new(5))
            .pair(Name(b"B"), Ref::new(6));
        resources.finish();
        page.finish();
        pdf.stream(Ref::new(4), content);
        for id in [5, 6] {
            let mut image = pdf.image_xobject(Ref::new(id), &jpeg);
            image.filter(Filter::DctDecode);
            image
                .width(400)
                .height(560)
                .color_space_name(Name(b"DeviceRGB"))
                .bits_per_component(8);
            image.finish();
        }
        pdf.finish()
    };
    let e = refuse(
        vec![file(
            "two.pdf",
            two_images(b"q 288 0 0 403.2 0 0 cm /A Do /B Do Q"),
        )],
        &Limits::default(),
    );
    assert_eq!(e.code(), "pdf_not_single_image");
    assert!(
        matches!(e, IntakeError::PdfNotSingleImage { images: 2, .. }),
        "{e:?}"
    );
    let e = refuse(
        vec![file(
            "two.pdf",
            two_images(b"q 288 0 0 403.2 0 0 cm /A Do Q"),
        )],
        &Limits::default(),
    );
    assert_eq!(e.code(), "pdf_not_single_image");

    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
    pdf.page(Ref::new(3))
        .parent(Ref::new(2))
        .media_box(Rect::new(0.0, 0.0, 100.0, 100.0))
        .contents(Ref::new(4));
    pdf.stream(Ref::new(4), b"0 0 50 50 re f");
    let e = refuse(vec![file("vector.pdf", pdf.finish())], &Limits::default());
    assert_eq!(e.code(), "pdf_not_scan_content");
}

#[test]
fn corrupt_pdf_is_refused() {
    let e = refuse(
        vec![file(
            "broken.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog".to_vec(),
        )],
        &Limits::default(),
    );
    assert_eq!(e.code(), "corrupt_pdf");
}
