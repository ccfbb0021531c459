//! The booking code as a QR code, drawn as a small SVG: the desk scans it to check the
//! citizen in.
//!
//! The SVG is one `<path>` of unit squares on a `viewBox` with the 4-module quiet zone
//! the QR specification (ISO/IEC 18004) asks for, so it scales to any size without
//! blurring.

use std::fmt::Write;

use qrcode::{Color, EcLevel, QrCode};

/// Modules of light border around the symbol.
const QUIET_ZONE: usize = 4;

/// `text` as an SVG QR code (error correction level M). Fails only for text too long
/// for a QR code (booking codes and links are far below the limit).
pub fn qr_svg(text: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let size = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (index % width + QUIET_ZONE, index / width + QUIET_ZONE);
            // Writing to a String cannot fail.
            let _ = write!(path, "M{x} {y}h1v1h-1z");
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_code_becomes_a_square_svg() {
        let svg = qr_svg("K7QM-3XPA").expect("short text encodes");
        // Version 1 (21 × 21 modules) plus the quiet zone on both sides.
        assert!(svg.contains("viewBox=\"0 0 29 29\""), "{svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // The top-left finder pattern starts at the quiet zone.
        assert!(svg.contains("M4 4h1v1h-1z"));
    }
}
