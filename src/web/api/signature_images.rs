//! `/api/v1/admin/…` images of the visible signatures (Decree 30/2020/NĐ-CP, Appendix I):
//! an office's seal and an official's handwritten signature, each a PNG sent as the raw
//! request body (`Content-Type: image/png`). Admin only; the checks and the audit row are
//! in [`crate::registry::signature_images`].

use rocket::data::{Data, ToByteUnit};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::{Route, State, put, routes};

use crate::app::App;
use crate::db::ids::{OfficeId, UserId};
use crate::db::models::SignatureImageKind;
use crate::registry::signature_images::{
    self, SignatureImageError, StoredImage, check_png, store_seal_image, store_signature_image,
};
use crate::signing::{AppearanceImage, ImageError, ImageLimits};
use crate::web::guards::Admin;
use crate::web::upload::UploadRefused;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![put_seal_image, put_signature_image]
}

/// The `Content-Length` the client declared, if any: a body declared over the image limit
/// is refused before it is read.
struct DeclaredLength(Option<u64>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for DeclaredLength {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(DeclaredLength(
            request
                .headers()
                .get_one("Content-Length")
                .and_then(|value| value.trim().parse().ok()),
        ))
    }
}

/// Replaces an office's seal image (a PNG; shown in red at its real size, from the PNG's
/// resolution or 300 dpi).
#[put("/offices/<office_id>/seal-image", data = "<body>")]
async fn put_seal_image(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    office_id: OfficeId,
    declared: DeclaredLength,
    body: Data<'_>,
) -> Result<Json<StoredImage>, ApiError> {
    let (png, checked) = read_png(app, declared, body, SignatureImageKind::Seal).await?;
    let actor = admin.0.actor();
    let stored = app
        .db
        .run(move |conn| {
            store_seal_image(conn, &actor, &office_id, png, &checked, Some(&request_id.0))
        })
        .await?;
    Ok(Json(stored))
}

/// Replaces an official's signature image (a PNG with a transparent background).
#[put("/officials/<user_id>/signature-image", data = "<body>")]
async fn put_signature_image(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    user_id: UserId,
    declared: DeclaredLength,
    body: Data<'_>,
) -> Result<Json<StoredImage>, ApiError> {
    let (png, checked) = read_png(app, declared, body, SignatureImageKind::Signature).await?;
    let actor = admin.0.actor();
    let stored = app
        .db
        .run(move |conn| {
            store_signature_image(conn, &actor, &user_id, png, &checked, Some(&request_id.0))
        })
        .await?;
    Ok(Json(stored))
}

/// Reads the body (at most the image limit, within the upload read deadline; a larger
/// declared length is refused unread) and checks the PNG off the async workers.
async fn read_png(
    app: &App,
    declared: DeclaredLength,
    body: Data<'_>,
    kind: SignatureImageKind,
) -> Result<(Vec<u8>, AppearanceImage), ApiError> {
    let max = ImageLimits::default().max_bytes;
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    if let Some(size) = declared.0.filter(|size| *size > limit) {
        return Err(SignatureImageError::Image(ImageError::TooLarge {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            max,
        })
        .into());
    }
    let timeout = app.work.upload_read_timeout;
    let read = rocket::tokio::time::timeout(timeout, body.open((limit + 1).bytes()).into_bytes())
        .await
        .map_err(|_| {
            ApiError::from(UploadRefused::TooSlow {
                seconds: timeout.as_secs(),
            })
        })?
        .map_err(|e| {
            let mut error = ApiError::for_status(rocket::http::Status::BadRequest);
            error.internal = Some(format!("reading body: {e}"));
            error
        })?;
    if !read.is_complete() || read.len() > max {
        return Err(SignatureImageError::Image(ImageError::TooLarge {
            size: read.len(),
            max,
        })
        .into());
    }
    let png = read.into_inner();
    let checked = rocket::tokio::task::spawn_blocking(move || {
        check_png(&png, kind).map(|checked| (png, checked))
    })
    .await
    .map_err(|e| {
        let mut error = ApiError::for_status(rocket::http::Status::InternalServerError);
        error.internal = Some(format!("image check task: {e}"));
        error
    })?
    .map_err(signature_images::SignatureImageError::from)?;
    Ok(checked)
}
