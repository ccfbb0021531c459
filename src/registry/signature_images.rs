//! The images of the visible signatures (Decree 30/2020/NĐ-CP, Appendix I): each office's
//! seal and each official's handwritten signature, uploaded by an admin as PNG files.
//!
//! Every upload is checked by the document crate's [`AppearanceImage::from_png`] — a PNG,
//! at most [`ImageLimits::default`] (1 MiB, 16 to 2,000 pixels a side), decoding fully,
//! and for a signature with an alpha channel (a transparent background) — then stored in
//! `signature_images` (one row per office or official, replaced by a new upload) with an
//! audit row, in one transaction. The images live in the database rather than the blob
//! store: they are small, read by every issuance together with the office, replaced rather
//! than kept, and a row can be written in the same transaction as its audit entry.
//!
//! Issuance reads them with [`images_for_signing`]; an office or official without one gets
//! the drawn placeholder of the document crate (clearly marked as a specimen).

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, AuditEvent};
use crate::db::ids::{OfficeId, UserId};
use crate::db::models::{Office, Role, SignatureImage, SignatureImageKind, User};
use crate::db::{DbConn, DbError, now_utc, write_transaction};
use crate::error::{PublicError, UserFacing};
use crate::signing::{AppearanceImage, ImageError, ImageLimits};

/// Why an image upload is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureImageError {
    /// The image itself is not acceptable.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// No such office.
    #[error("office not found")]
    OfficeNotFound,
    /// The account does not exist or is not an official.
    #[error("official not found")]
    OfficialNotFound,
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl UserFacing for SignatureImageError {
    fn public(&self) -> PublicError {
        let new = |status, code, vi: String, en: String| PublicError::new(status, code, vi, en);
        match self {
            SignatureImageError::Image(ImageError::NotPng) => new(
                415,
                "image_not_png",
                "Tệp ảnh phải là ảnh PNG.".into(),
                "The image must be a PNG file.".into(),
            ),
            SignatureImageError::Image(ImageError::TooLarge { max, .. }) => new(
                413,
                "image_too_large",
                format!("Ảnh vượt quá dung lượng cho phép ({max} byte)."),
                format!("The image is over the size limit ({max} bytes)."),
            ),
            SignatureImageError::Image(ImageError::Dimensions {
                width,
                height,
                min,
                max,
            }) => new(
                422,
                "image_dimensions",
                format!(
                    "Ảnh có kích thước {width}×{height} điểm ảnh; mỗi cạnh phải từ {min} đến {max} điểm ảnh."
                ),
                format!(
                    "The image is {width}×{height} pixels; each side must be {min} to {max} pixels."
                ),
            ),
            SignatureImageError::Image(ImageError::NoAlpha) => new(
                422,
                "image_not_transparent",
                "Ảnh chữ ký phải có nền trong suốt (kênh alpha).".into(),
                "The signature image must have a transparent background (an alpha channel).".into(),
            ),
            SignatureImageError::Image(_) => new(
                422,
                "image_undecodable",
                "Không đọc được ảnh PNG (tệp hỏng hoặc không đầy đủ).".into(),
                "The PNG image cannot be read (damaged or incomplete file).".into(),
            ),
            SignatureImageError::OfficeNotFound => new(
                404,
                "office_not_found",
                "Không tìm thấy cơ quan chứng thực.".into(),
                "Certifying office not found.".into(),
            ),
            SignatureImageError::OfficialNotFound => new(
                404,
                "official_not_found",
                "Không tìm thấy người thực hiện chứng thực.".into(),
                "Certifying official not found.".into(),
            ),
            SignatureImageError::Db(e) => e.public(),
        }
    }
}

/// What an upload stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredImage {
    /// `seal` or `signature`.
    pub kind: &'static str,
    /// The office or the official.
    pub owner_id: String,
    /// SHA-256 of the PNG, hex.
    pub sha256: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Whether the PNG states its resolution; without it the seal is sized at 300 dpi.
    pub has_resolution: bool,
}

/// Checks an uploaded PNG: the one validation of uploads and of stored images.
pub fn check_png(png: &[u8], kind: SignatureImageKind) -> Result<AppearanceImage, ImageError> {
    AppearanceImage::from_png(
        png,
        &ImageLimits::default(),
        kind == SignatureImageKind::Signature,
    )
}

/// Stores an office's seal image (replacing the previous one), audited.
pub fn store_seal_image(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    png: Vec<u8>,
    checked: &AppearanceImage,
    request_id: Option<&str>,
) -> Result<StoredImage, SignatureImageError> {
    write_transaction(conn, |conn| {
        Office::find(conn, office_id)?.ok_or(SignatureImageError::OfficeNotFound)?;
        store(
            conn,
            actor,
            SignatureImageKind::Seal,
            Owner::Office(office_id.clone()),
            png,
            checked,
            request_id,
        )
    })
}

/// Stores an official's signature image (replacing the previous one), audited.
pub fn store_signature_image(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &UserId,
    png: Vec<u8>,
    checked: &AppearanceImage,
    request_id: Option<&str>,
) -> Result<StoredImage, SignatureImageError> {
    write_transaction(conn, |conn| {
        let user = User::find(conn, user_id)?.ok_or(SignatureImageError::OfficialNotFound)?;
        if user.role() != Role::Official {
            return Err(SignatureImageError::OfficialNotFound);
        }
        store(
            conn,
            actor,
            SignatureImageKind::Signature,
            Owner::Official(user_id.clone(), user.office_id.clone()),
            png,
            checked,
            request_id,
        )
    })
}

enum Owner {
    Office(OfficeId),
    /// The official and their office (for the audit row).
    Official(UserId, Option<OfficeId>),
}

fn store(
    conn: &mut DbConn,
    actor: &Actor,
    kind: SignatureImageKind,
    owner: Owner,
    png: Vec<u8>,
    checked: &AppearanceImage,
    request_id: Option<&str>,
) -> Result<StoredImage, SignatureImageError> {
    let sha256 = hex::encode(Sha256::digest(&png));
    let (owner_id, office_id, user_id, audit_office) = match owner {
        Owner::Office(office) => (office.to_string(), Some(office.clone()), None, Some(office)),
        Owner::Official(user, office) => (user.to_string(), None, Some(user), office),
    };
    // The limits keep both sides far below i32::MAX.
    let (width, height) = (checked.width(), checked.height());
    let row = SignatureImage {
        kind: kind.as_str().to_owned(),
        owner_id: owner_id.clone(),
        office_id,
        user_id,
        png,
        sha256: sha256.clone(),
        width: i32::try_from(width).unwrap_or(i32::MAX),
        height: i32::try_from(height).unwrap_or(i32::MAX),
        uploaded_by: actor.id.clone(),
        uploaded_at: now_utc(),
    };
    row.replace(conn)?;
    let event = AuditEvent {
        action: match kind {
            SignatureImageKind::Seal => "office.seal_image_upload",
            SignatureImageKind::Signature => "official.signature_image_upload",
        },
        target: Some(owner_id.clone()),
        office_id: audit_office,
        detail: json!({ "sha256": sha256, "width": width, "height": height }),
    };
    audit::record(conn, Some(actor), event, request_id)?;
    Ok(StoredImage {
        kind: kind.as_str(),
        owner_id,
        sha256,
        width,
        height,
        has_resolution: checked.has_resolution(),
    })
}

/// The stored PNGs for signing a copy; `None` where nothing is configured (the
/// placeholder is drawn then).
#[derive(Debug, Default)]
pub struct SigningImages {
    /// The official's signature.
    pub signature: Option<Vec<u8>>,
    /// The office's seal.
    pub seal: Option<Vec<u8>>,
}

/// The official's signature and the office's seal, as stored.
pub fn images_for_signing(
    conn: &mut DbConn,
    official: &UserId,
    office: &OfficeId,
) -> Result<SigningImages, DbError> {
    Ok(SigningImages {
        signature: SignatureImage::png_of(conn, SignatureImageKind::Signature, official.as_str())?,
        seal: SignatureImage::png_of(conn, SignatureImageKind::Seal, office.as_str())?,
    })
}
