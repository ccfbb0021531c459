use diesel::prelude::*;

use crate::db::ids::{OfficeId, UserId};
use crate::db::schema::signature_images;
use crate::db::{DbConn, DbResult};

/// Whose mark an image is (Decree 30/2020/NĐ-CP, Appendix I).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureImageKind {
    /// An office's seal (shown in red over the official's signature).
    Seal,
    /// An official's handwritten signature (transparent PNG).
    Signature,
}

impl SignatureImageKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seal => "seal",
            Self::Signature => "signature",
        }
    }
}

/// A stored seal or signature image: the PNG as uploaded, after validation.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signature_images)]
pub struct SignatureImage {
    /// Stored [`SignatureImageKind`].
    pub kind: String,
    /// The office (seal) or the official (signature).
    pub owner_id: String,
    /// The office, for a seal.
    pub office_id: Option<OfficeId>,
    /// The official, for a signature.
    pub user_id: Option<UserId>,
    /// The PNG file.
    pub png: Vec<u8>,
    /// SHA-256 of `png`, hex.
    pub sha256: String,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// The admin who uploaded it.
    pub uploaded_by: UserId,
    /// Upload time (UTC).
    pub uploaded_at: time::PrimitiveDateTime,
}

impl SignatureImage {
    /// Stores the image, replacing the owner's previous one.
    pub fn replace(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::delete(signature_images::table.find((&self.kind, &self.owner_id))).execute(conn)?;
        diesel::insert_into(signature_images::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// The PNG of an owner's image, if one is stored.
    pub fn png_of(
        conn: &mut DbConn,
        kind: SignatureImageKind,
        owner_id: &str,
    ) -> DbResult<Option<Vec<u8>>> {
        Ok(signature_images::table
            .find((kind.as_str(), owner_id))
            .select(signature_images::png)
            .first(conn)
            .optional()?)
    }
}
