//! Upload bodies read within bounds (docs/ARCHITECTURE.md §5): [`Bounded`] wraps the data
//! guard of an upload route (a multipart form, a raw body) and, before a byte of the body
//! is read,
//!
//! - refuses at once with 413 a body whose declared `Content-Length` is over the route's
//!   limit, and
//! - for verification uploads ([`Shared`]), reserves the declared size (or the largest
//!   allowed when none is declared) in the service's [`UploadBudget`], waiting briefly,
//!   or refuses with 503 `service_busy` and `Retry-After`, unread.
//!
//! Then it reads the body under the `upload_read_timeout_secs` deadline (408 past it, the
//! partial body dropped). The reservation lives as long as the [`Bounded`] value, so the
//! bytes stay counted while the handler verifies them.
//!
//! Issuance uploads ([`Unshared`]) come only from signed-in officials (their guard runs
//! before the body is read): they get the deadline and the size check, not the budget,
//! so a flood of anonymous verifications never stops an office from issuing.

use std::marker::PhantomData;

use rocket::data::{self, Data, FromData};
use rocket::http::Status;
use rocket::request::Request;

use crate::app::App;
use crate::error::{PublicError, UserFacing};
use crate::work_limit::{Busy, Reservation};

/// Which budget an upload route draws on.
pub trait UploadKind: Send + Sync + 'static {
    /// Whether the body reserves its size in the shared upload budget.
    const SHARED: bool;
}

/// Verification uploads (public and agency): bounded by the shared byte budget.
pub enum Shared {}

impl UploadKind for Shared {
    const SHARED: bool = true;
}

/// Uploads of signed-in officials (issuance): deadline and size only.
pub enum Unshared {}

impl UploadKind for Unshared {
    const SHARED: bool = false;
}

/// Why an upload was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefused {
    /// The upload budget had no room within the wait.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// The declared size is over the route's limit.
    #[error("upload of {declared} bytes is over the limit of {limit} bytes")]
    TooLarge {
        /// `Content-Length` of the request.
        declared: u64,
        /// The route's limit.
        limit: u64,
    },
    /// The body did not arrive within the read deadline.
    #[error("upload not received within {seconds} s")]
    TooSlow {
        /// The deadline.
        seconds: u64,
    },
    /// The service state is missing (a wiring error).
    #[error("service state missing")]
    Internal,
}

impl UserFacing for UploadRefused {
    fn public(&self) -> PublicError {
        match self {
            UploadRefused::Busy(busy) => busy.public(),
            UploadRefused::TooLarge { limit, .. } => {
                let mb = limit.div_ceil(1_000_000);
                PublicError::new(
                    413,
                    "payload_too_large",
                    format!("Tệp quá lớn (tối đa {mb} MB)."),
                    format!("The file is too large (at most {mb} MB)."),
                )
            }
            UploadRefused::TooSlow { seconds } => PublicError::new(
                408,
                "upload_too_slow",
                format!(
                    "Tệp tải lên không nhận đủ trong {seconds} giây. Vui lòng kiểm tra kết nối và gửi lại."
                ),
                format!(
                    "The upload did not arrive within {seconds} seconds. Please check the connection and send it again."
                ),
            ),
            UploadRefused::Internal => PublicError::internal_error(),
        }
    }
}

/// An upload read within bounds: the inner guard's answer (`Ok` value or its own error
/// `E`, such as a form error) and the budget reservation, held until this is dropped.
pub struct Bounded<T, E, K = Shared> {
    /// What the inner data guard made of the body.
    pub read: Result<T, E>,
    _reservation: Option<Reservation>,
    _kind: PhantomData<K>,
}

/// The bytes an upload holds in the budget, until dropped (keep it while the body is in
/// use).
#[must_use = "the reservation returns when this is dropped"]
pub struct UploadHold {
    _reservation: Option<Reservation>,
}

impl<T, E, K> Bounded<T, E, K> {
    /// The inner guard's answer, and the reservation to keep while using it.
    pub fn into_parts(self) -> (Result<T, E>, UploadHold) {
        (
            self.read,
            UploadHold {
                _reservation: self._reservation,
            },
        )
    }
}

/// The largest body a route takes: one file (plus a little for the multipart framing)
/// when the route is a verification, the whole form limit for issuance.
fn route_limit<K: UploadKind>(request: &Request<'_>, app: &App) -> u64 {
    let file = app.config.max_upload_bytes();
    if K::SHARED {
        file.saturating_add(64 * 1024)
    } else {
        request
            .limits()
            .get("data-form")
            .map_or(file, |limit| limit.as_u64())
            .max(file)
    }
}

#[rocket::async_trait]
impl<'r, T, K> FromData<'r> for Bounded<T, T::Error, K>
where
    T: FromData<'r> + Send,
    T::Error: Send,
    K: UploadKind,
{
    type Error = UploadRefused;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let Some(app) = request.rocket().state::<App>() else {
            return data::Outcome::Error((Status::InternalServerError, UploadRefused::Internal));
        };
        let limit = route_limit::<K>(request, app);
        let declared = request
            .headers()
            .get_one("Content-Length")
            .and_then(|value| value.trim().parse::<u64>().ok());
        if let Some(declared) = declared.filter(|declared| *declared > limit) {
            tracing::info!(
                declared,
                limit,
                "upload refused unread: over the size limit"
            );
            return data::Outcome::Error((
                Status::PayloadTooLarge,
                UploadRefused::TooLarge { declared, limit },
            ));
        }
        let reservation = if K::SHARED {
            match app
                .work
                .upload_budget
                .reserve(declared.unwrap_or(limit))
                .await
            {
                Ok(reservation) => Some(reservation),
                Err(busy) => {
                    tracing::warn!(
                        declared = declared.unwrap_or(limit),
                        "upload refused unread: the upload budget is spent"
                    );
                    return data::Outcome::Error((Status::ServiceUnavailable, busy.into()));
                }
            }
        } else {
            None
        };
        let timeout = app.work.upload_read_timeout;
        let read = match rocket::tokio::time::timeout(timeout, T::from_data(request, data)).await {
            Err(_) => {
                tracing::warn!(
                    seconds = timeout.as_secs(),
                    "upload stopped: the body did not arrive in time"
                );
                return data::Outcome::Error((
                    Status::RequestTimeout,
                    UploadRefused::TooSlow {
                        seconds: timeout.as_secs(),
                    },
                ));
            }
            Ok(data::Outcome::Success(value)) => Ok(value),
            Ok(data::Outcome::Error((_, error))) => Err(error),
            Ok(data::Outcome::Forward((data, status))) => {
                return data::Outcome::Forward((data, status));
            }
        };
        data::Outcome::Success(Bounded {
            read,
            _reservation: reservation,
            _kind: PhantomData,
        })
    }
}
