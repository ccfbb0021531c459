//! The visible signatures of an issued copy (Decree 30/2020/NĐ-CP, Appendix I): Vietnamese
//! text with its diacritics that `pdftotext` extracts, the signing time in ISO 8601 with
//! `+07:00`, and the seal and signature images an admin uploads (validated, audited, used
//! as image XObjects with a soft mask) — while both signatures still validate.

use std::path::Path;
use std::process::Command;

use certcopy::db::models::{Role, User};
use certcopy::intake::ScanFile;
use certcopy::registry::issuance::{IssueOptions, IssueRequest, IssuedCopy};
use certcopy::signing::{SEAL_RED, SIGNATURE_BLUE};
use lopdf::{Document, Object};
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::common::{TestApp, assert_error, bearer, read};
use crate::issuing::{office_with_official, small_jpeg};
use crate::validators::{check_with_independent_tools, our_verifier_passes};

const OFFICE_NAME: &str = "Ủy ban nhân dân phường Bến Nghé";

async fn issue(app: &TestApp, official: &User) -> IssuedCopy {
    app.app
        .issuer()
        .issue(
            official,
            IssueRequest {
                requester_name: "Trần Thị Bích Ngọc".into(),
                requester_citizen_id: "079199001122".into(),
                document_title: "Giấy khai sinh".into(),
                copies: 1,
                scans: vec![ScanFile {
                    name: "1.jpg".into(),
                    bytes: small_jpeg(1),
                }],
                placement: certcopy::assembly::PlacementPolicy::Auto,
            },
            IssueOptions::default(),
            None,
        )
        .await
        .unwrap()
}

/// The text of the page with the signatures (the last one), as `pdftotext` reads it.
fn signature_page_text(dir: &Path, name: &str, pdf: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let page_count = Document::load_mem(pdf)
        .unwrap()
        .get_pages()
        .len()
        .to_string();
    let output = Command::new("pdftotext")
        .args(["-f", &page_count, "-l", &page_count])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is required");
    assert!(output.status.success());
    // Kept for a look when asked (`pdftoppm -r 100 -png` of it).
    if let Some(keep) = std::env::var_os("CERTCOPY_KEEP_PDF_DIR") {
        std::fs::write(Path::new(&keep).join(name), pdf).unwrap();
    }
    String::from_utf8(output.stdout).unwrap()
}

/// The signing text both appearances show, with diacritics and the ISO 8601 time.
fn assert_signing_text(text: &str, official: &User, office: &str) {
    for expected in [
        "Ký bởi:".to_owned(),
        official.full_name.clone(),
        format!("Cơ quan: {office}"),
        "Thời gian ký:".to_owned(),
        official.position.clone().unwrap(),
    ] {
        assert!(
            text.contains(&expected),
            "`{expected}` not extracted:\n{text}"
        );
    }
    let time = regex_like_iso8601(text).unwrap_or_else(|| panic!("no +07:00 time in:\n{text}"));
    assert!(time.ends_with("+07:00"), "{time}");
    assert!(
        !text.contains("Ky boi") && !text.contains("Thoi gian"),
        "{text}"
    );
}

/// The first `YYYY-MM-DDTHH:MM:SS+07:00` in `text`.
fn regex_like_iso8601(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd+07:00";
    (0..bytes.len().saturating_sub(shape.len() - 1)).find_map(|start| {
        let candidate = &bytes[start..start + shape.len()];
        let fits = candidate.iter().zip(shape).all(|(&c, &s)| match s {
            b'd' => c.is_ascii_digit(),
            other => c == other,
        });
        fits.then(|| &text[start..start + shape.len()])
    })
}

crate::db_test!(issued_copy_shows_the_signatures_in_vietnamese, |app| {
    let (_, official, _) = office_with_official(&app, OFFICE_NAME, "lanhdao.bn").await;
    let issued = issue(&app, &official).await;
    let dir = tempfile::tempdir().unwrap();
    let name = format!("placeholder-{:?}.pdf", app.backend()).to_lowercase();
    let text = signature_page_text(dir.path(), &name, &issued.pdf);
    assert_signing_text(&text, &official, OFFICE_NAME);
    // Without configured images the placeholders say so.
    assert!(text.contains("mẫu chữ ký chưa được cấu hình"), "{text}");
    assert_seal_information_in_serif_10(&widget_appearances(&issued.pdf));
    check_with_independent_tools(dir.path(), &app.dir.join("pki/root.crt"), &name, &issued);
    our_verifier_passes(&app, &name, &issued).await;
});

/// A PNG of `width` × `height` from a pixel function.
fn png(
    width: u32,
    height: u32,
    color: png::ColorType,
    pixel: impl Fn(u32, u32) -> Vec<u8>,
) -> Vec<u8> {
    let samples: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| pixel(x, y))
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&samples).unwrap();
    writer.finish().unwrap();
    out
}

/// A blue wavy stroke on transparency, 3:1.
fn signature_png() -> Vec<u8> {
    png(600, 200, png::ColorType::Rgba, |x, y| {
        let wave = 100.0 + 60.0 * ((x as f32) / 40.0).sin();
        let on = (y as f32 - wave).abs() < 6.0 && (40..560).contains(&x);
        if on {
            vec![20, 40, 160, 255]
        } else {
            vec![0, 0, 0, 0]
        }
    })
}

/// A red ring on white paper (no alpha: the seal is inked red from the scan), 420 px,
/// about 36 mm at 300 dpi.
fn seal_png() -> Vec<u8> {
    png(420, 420, png::ColorType::Rgb, |x, y| {
        let (dx, dy) = (x as f32 - 210.0, y as f32 - 210.0);
        let r = (dx * dx + dy * dy).sqrt();
        if (190.0..205.0).contains(&r) || (140.0..146.0).contains(&r) || r < 30.0 {
            vec![200, 30, 30]
        } else {
            vec![255, 255, 255]
        }
    })
}

async fn put_png(app: &TestApp, path: &str, body: Vec<u8>, token: &str) -> (Status, Value) {
    read(
        app.client
            .put(path.to_owned())
            .header(ContentType::PNG)
            .header(bearer(token))
            .body(body)
            .dispatch()
            .await,
    )
    .await
}

/// What one widget's normal appearance on the last page uses.
struct WidgetAppearance {
    /// Its content stream.
    ops: String,
    /// Font resources: (resource name, BaseFont).
    fonts: Vec<(String, String)>,
    /// Image XObjects: (has /SMask, the distinct RGB colours of its samples).
    images: Vec<(bool, Vec<[u8; 3]>)>,
}

/// The widget appearances of the last page, in annotation order.
fn widget_appearances(pdf: &[u8]) -> Vec<WidgetAppearance> {
    let doc = Document::load_mem(pdf).unwrap();
    let (_, &page) = doc.get_pages().iter().last().unwrap();
    let annots = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .clone();
    let annots = match annots {
        Object::Reference(id) => doc.get_object(id).unwrap().as_array().unwrap().clone(),
        Object::Array(array) => array,
        other => panic!("Annots {other:?}"),
    };
    let mut widgets = Vec::new();
    for annot in annots {
        let widget = doc.get_dictionary(annot.as_reference().unwrap()).unwrap();
        let Ok(ap) = widget.get(b"AP").and_then(Object::as_dict) else {
            continue;
        };
        let normal = ap.get(b"N").unwrap().as_reference().unwrap();
        let stream = doc.get_object(normal).unwrap().as_stream().unwrap();
        let resources = stream.dict.get(b"Resources").unwrap().as_dict().unwrap();
        let ops = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let mut widget_appearance = WidgetAppearance {
            ops: String::from_utf8_lossy(&ops).into_owned(),
            fonts: Vec::new(),
            images: Vec::new(),
        };
        if let Ok(fonts) = resources.get(b"Font").and_then(Object::as_dict) {
            for (name, font) in fonts.iter() {
                let font = doc.get_dictionary(font.as_reference().unwrap()).unwrap();
                let base_font = font.get(b"BaseFont").unwrap().as_name().unwrap();
                widget_appearance.fonts.push((
                    String::from_utf8_lossy(name).into_owned(),
                    String::from_utf8_lossy(base_font).into_owned(),
                ));
            }
        }
        let xobjects = resources
            .get(b"XObject")
            .and_then(Object::as_dict)
            .cloned()
            .unwrap_or_default();
        for (_, image) in xobjects.iter() {
            let image = doc
                .get_object(image.as_reference().unwrap())
                .unwrap()
                .as_stream()
                .unwrap();
            assert_eq!(
                image.dict.get(b"Subtype").unwrap().as_name().unwrap(),
                b"Image"
            );
            let samples = image.decompressed_content().unwrap();
            let mut colours: Vec<[u8; 3]> = samples
                .chunks_exact(3)
                .map(|pixel| [pixel[0], pixel[1], pixel[2]])
                .collect();
            colours.sort_unstable();
            colours.dedup();
            widget_appearance
                .images
                .push((image.dict.get(b"SMask").is_ok(), colours));
        }
        widgets.push(widget_appearance);
    }
    widgets
}

/// The seal's widget (the one with the serif) sets the organisation's signing information
/// as Decree 30/2020/NĐ-CP, Appendix I, Part II asks: a second font, a serif (DejaVu Serif
/// for Times New Roman), size 10, black; the official's widget uses only the sans.
fn assert_seal_information_in_serif_10(widgets: &[WidgetAppearance]) {
    let seal: Vec<&WidgetAppearance> = widgets
        .iter()
        .filter(|widget| widget.fonts.iter().any(|(name, _)| name == "F2"))
        .collect();
    assert_eq!(seal.len(), 1, "one widget with a second font");
    let seal = seal[0];
    let (_, serif) = seal.fonts.iter().find(|(name, _)| name == "F2").unwrap();
    assert!(serif.contains("+DejaVuSerif"), "{serif}");
    // The sans, if any, is the placeholder seal's lettering.
    for (_, sans) in seal.fonts.iter().filter(|(name, _)| name == "F1") {
        assert!(sans.contains("+DejaVuSans"), "{sans}");
    }
    assert_eq!(
        seal.ops.matches("BT 0 g /F2 10 Tf").count(),
        2,
        "{}",
        seal.ops
    );
    assert!(!seal.ops.contains("/F1 6 Tf"), "{}", seal.ops);
}

crate::db_test!(uploaded_images_are_checked_and_shown, |app| {
    let (office, official, official_token) =
        office_with_official(&app, OFFICE_NAME, "lanhdao.anh").await;
    let (_, admin_token) = app.signed_in(Role::Admin, "quantri.anh").await;
    let seal_path = format!("/api/v1/admin/offices/{}/seal-image", office.id);
    let signature_path = format!("/api/v1/admin/officials/{}/signature-image", official.id);

    // Refusals, each a JSON error with both languages.
    let answer = put_png(&app, &seal_path, b"GIF89a not a png".to_vec(), &admin_token).await;
    assert_error(&answer, Status::UnsupportedMediaType, "image_not_png");
    let mut oversized = b"\x89PNG\r\n\x1a\n".to_vec();
    oversized.resize(1024 * 1024 + 10, 0);
    let answer = put_png(&app, &seal_path, oversized, &admin_token).await;
    assert_error(&answer, Status::PayloadTooLarge, "image_too_large");
    let opaque = png(300, 100, png::ColorType::Rgb, |_, _| vec![255, 255, 255]);
    let answer = put_png(&app, &signature_path, opaque, &admin_token).await;
    assert_error(
        &answer,
        Status::UnprocessableEntity,
        "image_not_transparent",
    );
    let broken = signature_png()[..200].to_vec();
    let answer = put_png(&app, &signature_path, broken, &admin_token).await;
    assert_error(&answer, Status::UnprocessableEntity, "image_undecodable");
    // Only an admin: the official may not set their own signature or their office's seal.
    let answer = put_png(&app, &seal_path, seal_png(), &official_token).await;
    assert_eq!(answer.0, Status::Forbidden, "{}", answer.1);
    let answer = put_png(&app, &signature_path, signature_png(), &official_token).await;
    assert_eq!(answer.0, Status::Forbidden, "{}", answer.1);
    assert!(app.audit_rows("office.seal_image_upload").await.is_empty());

    // Accepted and audited.
    let (status, stored) = put_png(&app, &seal_path, seal_png(), &admin_token).await;
    assert_eq!(status, Status::Ok, "{stored}");
    assert_eq!(
        (stored["width"].as_u64(), stored["kind"].as_str()),
        (Some(420), Some("seal"))
    );
    let (status, stored) = put_png(&app, &signature_path, signature_png(), &admin_token).await;
    assert_eq!(status, Status::Ok, "{stored}");
    let seal_rows = app.audit_rows("office.seal_image_upload").await;
    assert_eq!(seal_rows.len(), 1);
    assert_eq!(seal_rows[0].office_id.as_ref(), Some(&office.id));
    assert_eq!(
        app.audit_rows("official.signature_image_upload")
            .await
            .len(),
        1
    );

    // Used: both appearances draw an image XObject with a soft mask, the signature inked
    // blue and the seal red (Decree 30/2020/NĐ-CP, Appendix I, Part II); the seal's
    // information is in the serif at 10 pt; nothing else changes.
    let issued = issue(&app, &official).await;
    let widgets = widget_appearances(&issued.pdf);
    let images: Vec<&(bool, Vec<[u8; 3]>)> =
        widgets.iter().flat_map(|widget| &widget.images).collect();
    assert_eq!(
        images,
        vec![&(true, vec![SIGNATURE_BLUE]), &(true, vec![SEAL_RED])]
    );
    assert_seal_information_in_serif_10(&widgets);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("images-{:?}.pdf", app.backend()).to_lowercase();
    let text = signature_page_text(dir.path(), &name, &issued.pdf);
    assert_signing_text(&text, &official, OFFICE_NAME);
    assert!(!text.contains("mẫu chữ ký chưa được cấu hình"), "{text}");
    check_with_independent_tools(dir.path(), &app.dir.join("pki/root.crt"), &name, &issued);
    our_verifier_passes(&app, &name, &issued).await;
});
