//! The verification QR code, drawn as vector rectangles (sharp at any zoom or print
//! resolution, and no raster image to embed).

use pdf_writer::Content;
use qrcode::{Color, EcLevel, QrCode};

use super::AssemblyError;

/// Modules of quiet zone on each side (ISO/IEC 18004 asks for 4).
const QUIET_ZONE: usize = 4;

/// The dark/light module matrix of a QR code.
pub(crate) struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encode `text` with error correction level M (survives stamps and creases).
    pub fn encode(text: &str) -> Result<Self, AssemblyError> {
        let code =
            QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
                AssemblyError::QrCode {
                    detail: e.to_string(),
                }
            })?;
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(Self {
            width: code.width(),
            dark,
        })
    }

    /// Draw the code, quiet zone included, in the square at (`x`, `y`) of side `size`.
    /// Horizontal runs of dark modules become one rectangle each; one fill paints all.
    pub fn draw(&self, content: &mut Content, x: f32, y: f32, size: f32) {
        let module = size / (self.width + 2 * QUIET_ZONE) as f32;
        let origin_x = x + module * QUIET_ZONE as f32;
        let top = y + size - module * QUIET_ZONE as f32;
        content.set_fill_gray(0.0);
        for (row, modules) in self.dark.chunks(self.width.max(1)).enumerate() {
            let row_y = top - module * (row + 1) as f32;
            let mut col = 0;
            while col < modules.len() {
                if !modules[col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < modules.len() && modules[col] {
                    col += 1;
                }
                content.rect(
                    origin_x + module * start as f32,
                    row_y,
                    module * (col - start) as f32,
                    module,
                );
            }
        }
        content.fill_nonzero();
    }
}
