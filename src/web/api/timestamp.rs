//! `POST /api/v1/timestamp`: the service's RFC 3161 time-stamping authority over HTTP
//! (RFC 3161 §3.4): a DER `TimeStampReq` in (`application/timestamp-query`), a DER
//! `TimeStampResp` out (`application/timestamp-reply`), also when it is a rejection.
//! Limited per client address (`tsa_per_minute`).

use rocket::data::{Data, ToByteUnit};
use rocket::http::ContentType;
use rocket::{Route, State, post, routes};

use crate::app::App;
use crate::rate_limit;
use crate::web::ApiError;
use crate::web::client::ClientAddress;

pub fn routes() -> Vec<Route> {
    routes![timestamp]
}

/// A DER `TimeStampReq`.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary, content_media_type = "application/timestamp-query")]
#[allow(dead_code)]
pub(crate) struct TimestampQuery(Vec<u8>);

/// A DER `TimeStampResp`.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary, content_media_type = "application/timestamp-reply")]
#[allow(dead_code)]
pub(crate) struct TimestampReply(Vec<u8>);

/// The RFC 3161 media type of an answer.
fn reply_type() -> ContentType {
    ContentType::new("application", "timestamp-reply")
}

/// A time-stamp over a digest.
#[utoipa::path(
    post,
    path = "/api/v1/timestamp",
    tag = "public",
    operation_id = "timestamp",
    summary = "RFC 3161 time-stamp",
    description = "The service's time-stamping authority. The body is a DER TimeStampReq (SHA-256, SHA-384 or SHA-512 imprint; ask for the certificate with certReq); the answer is a DER TimeStampResp: a token signed by the TSA certificate (extended key usage timeStamping, critical), or a rejection with its failure reason (badAlg, badDataFormat, unacceptedPolicy, unacceptedExtension). `openssl ts -query -data FILE -sha256 -cert` makes such a request and `openssl ts -verify` checks the answer.",
    request_body(content = TimestampQuery, content_type = "application/timestamp-query", description = "DER TimeStampReq (at most 4 KiB)"),
    responses(
        (status = 200, description = "DER TimeStampResp", content_type = "application/timestamp-reply", body = TimestampReply),
        (status = 413, description = "Larger than 4 KiB", body = crate::web::error::ErrorBody),
        (status = 429, description = "Too many requests from this address in a minute", body = crate::web::error::ErrorBody),
    )
)]
#[post("/timestamp", format = "application/timestamp-query", data = "<body>")]
async fn timestamp(
    app: &State<App>,
    client: ClientAddress,
    body: Data<'_>,
) -> Result<(ContentType, Vec<u8>), ApiError> {
    let address = client
        .0
        .map_or_else(|| "unknown".to_owned(), |address| address.to_string());
    let bucket = format!("tsa:{address}");
    let limit = app.config.tsa_per_minute;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let allowed = app
        .db
        .run(move |conn| rate_limit::allow(conn, &bucket, 60, limit, now))
        .await?;
    if !allowed {
        let mut error = ApiError::new(
            429,
            "rate_limited",
            "Quá nhiều yêu cầu dấu thời gian từ địa chỉ của bạn trong một phút. Vui lòng thử lại sau.",
            "Too many time-stamp requests from your address in one minute. Please retry later.",
        );
        error.public.retry_after_secs = Some(60);
        return Err(error);
    }
    let read = body
        .open(crate::tsa::MAX_REQUEST_BYTES.bytes())
        .into_bytes()
        .await
        .map_err(|_| ApiError::for_status(rocket::http::Status::BadRequest))?;
    if !read.is_complete() {
        return Err(ApiError::new(
            413,
            "payload_too_large",
            "Yêu cầu dấu thời gian quá lớn (tối đa 4 KiB).",
            "The time-stamp request is too large (4 KiB at most).",
        ));
    }
    let answer = crate::tsa::answer(app, read.into_inner(), address).await?;
    Ok((reply_type(), answer))
}
