//! The HTTP error type: every handler returns `Result<_, ApiError>`, and every error the
//! service sends is `{"error":{"code","message","message_vi","message_en","request_id"}}`.
//! `message` follows `Accept-Language` (Vietnamese unless English is preferred). An error
//! that says when to retry also carries `Retry-After` (seconds).

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde::Serialize;

use crate::error::{PublicError, UserFacing};

use super::request_id::RequestId;

/// The body of every error answer (the OpenAPI document's `Error`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An error's code and messages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `not_found`, `invalid_field`, `rate_limited`.
    #[schema(example = "not_found")]
    pub code: String,
    /// The message in the language `Accept-Language` prefers (Vietnamese by default).
    #[schema(example = "Không tìm thấy.")]
    pub message: String,
    /// Vietnamese.
    #[schema(example = "Không tìm thấy.")]
    pub message_vi: String,
    /// English.
    #[schema(example = "Not found.")]
    pub message_en: String,
    /// The request's id, as in the `X-Request-Id` header and the service's log.
    #[schema(example = "0192f7a4c1e27b3a")]
    pub request_id: String,
}

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// What the client sees.
    pub public: PublicError,
    /// Internal detail for the log (never sent).
    pub internal: Option<String>,
}

impl ApiError {
    /// A client error with a code and messages.
    pub fn new(status: u16, code: &'static str, message_vi: &str, message_en: &str) -> Self {
        ApiError {
            public: PublicError {
                status,
                code,
                message_vi: message_vi.to_owned(),
                message_en: message_en.to_owned(),
                retry_after_secs: None,
            },
            internal: None,
        }
    }

    /// A request body that is not the JSON expected.
    pub fn bad_json(error: &super::json_body::BodyError<'_>) -> Self {
        use super::json_body::BodyError;
        let error = match error {
            BodyError::NotJson(declared) => {
                return ApiError::new(
                    415,
                    "unsupported_media_type",
                    &format!(
                        "Dữ liệu phải gửi dạng JSON (Content-Type: application/json), không phải {declared}."
                    ),
                    &format!(
                        "The body must be sent as JSON (Content-Type: application/json), not {declared}."
                    ),
                );
            }
            BodyError::Json(error) => error,
        };
        let (status, detail) = match error {
            rocket::serde::json::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                (413, e.to_string())
            }
            rocket::serde::json::Error::Io(e) => (400, e.to_string()),
            rocket::serde::json::Error::Parse(_, e) => (422, e.to_string()),
        };
        if status == 413 {
            return ApiError::new(
                413,
                "payload_too_large",
                "Dữ liệu gửi lên quá lớn.",
                "The request body is too large.",
            );
        }
        ApiError::new(
            status,
            "invalid_json",
            &format!("Dữ liệu gửi lên không đúng định dạng JSON yêu cầu: {detail}"),
            &format!("The request body is not the JSON expected: {detail}"),
        )
    }

    /// The response for a status with no more specific error (used by catchers).
    pub fn for_status(status: Status) -> Self {
        let (code, vi, en) = match status.code {
            400 => ("bad_request", "Yêu cầu không hợp lệ.", "Bad request."),
            401 => (
                "not_authenticated",
                "Bạn cần đăng nhập để thực hiện thao tác này.",
                "Please log in to do this.",
            ),
            403 => (
                "forbidden",
                "Bạn không có quyền thực hiện thao tác này.",
                "You are not allowed to do this.",
            ),
            404 => ("not_found", "Không tìm thấy.", "Not found."),
            405 => (
                "method_not_allowed",
                "Phương thức không được hỗ trợ.",
                "Method not allowed.",
            ),
            413 => (
                "payload_too_large",
                "Dữ liệu gửi lên quá lớn.",
                "The request body is too large.",
            ),
            415 => (
                "unsupported_media_type",
                "Định dạng dữ liệu không được hỗ trợ.",
                "Unsupported media type.",
            ),
            422 => (
                "unprocessable",
                "Dữ liệu gửi lên không hợp lệ.",
                "The request could not be processed.",
            ),
            429 => (
                "rate_limited",
                "Quá nhiều yêu cầu, vui lòng thử lại sau.",
                "Too many requests, please retry later.",
            ),
            503 => (
                "service_busy",
                "Hệ thống đang quá tải, vui lòng thử lại sau.",
                "The service is overloaded, please retry later.",
            ),
            500..=599 => (
                "internal_error",
                "Lỗi hệ thống, vui lòng thử lại sau.",
                "Internal error, please try again later.",
            ),
            _ => (
                "error",
                "Yêu cầu không thực hiện được.",
                "The request failed.",
            ),
        };
        ApiError::new(status.code, code, vi, en)
    }
}

impl<E: UserFacing + std::fmt::Display> From<E> for ApiError {
    fn from(error: E) -> Self {
        let public = PublicError::from_error(&error);
        let internal = (public.status >= 500).then(|| error.to_string());
        ApiError { public, internal }
    }
}

/// Whether the client prefers English over Vietnamese.
pub fn prefers_english(request: &Request<'_>) -> bool {
    let Some(header) = request.headers().get_one("Accept-Language") else {
        return false;
    };
    let mut best: Option<(f32, bool)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let english = tag == "en" || tag.starts_with("en-");
        let vietnamese = tag == "vi" || tag.starts_with("vi-");
        if (english || vietnamese) && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, english));
        }
    }
    best.is_some_and(|(_, english)| english)
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let request_id = RequestId::of(request);
        if let Some(internal) = &self.internal {
            tracing::error!(request_id = %request_id, code = self.public.code, "{internal}");
        }
        let english = prefers_english(request);
        let public = &self.public;
        let body = ErrorBody {
            error: ErrorDetail {
                code: public.code.to_owned(),
                message: if english {
                    public.message_en.clone()
                } else {
                    public.message_vi.clone()
                },
                message_vi: public.message_vi.clone(),
                message_en: public.message_en.clone(),
                request_id,
            },
        };
        let body = serde_json::to_string(&body).unwrap_or_default();
        let status = Status::from_code(public.status).unwrap_or(Status::InternalServerError);
        let mut response = Response::build();
        response
            .status(status)
            .header(ContentType::JSON)
            .sized_body(body.len(), std::io::Cursor::new(body));
        if let Some(seconds) = public.retry_after_secs {
            response.raw_header("Retry-After", seconds.to_string());
        }
        response.ok()
    }
}
