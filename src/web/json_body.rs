//! JSON request bodies. A JSON route reads its body only when the request declares it as
//! JSON (or declares nothing): a browser sends `text/plain`, form and multipart bodies to
//! any site without asking first, so accepting them would let another website post to
//! the API with the visitor's cookie (docs/ARCHITECTURE.md §9).

use rocket::data::{self, Data, FromData};
use rocket::http::Status;
use rocket::request::Request;
use rocket::serde::json::{self, Json};
use serde::Deserialize;

/// A JSON body that came declared as JSON.
#[derive(Debug)]
pub struct JsonIn<T>(pub T);

impl<T> JsonIn<T> {
    /// The parsed value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Why a JSON body was not read.
#[derive(Debug)]
pub enum BodyError<'r> {
    /// The request declared another media type (the one declared is kept for the message).
    NotJson(String),
    /// The body is not the JSON expected, or too large.
    Json(json::Error<'r>),
}

/// A JSON body, or why it could not be read (turned into a JSON error by the handler).
pub type JsonBody<'r, T> = Result<JsonIn<T>, BodyError<'r>>;

/// `application/json` or a `…+json` type.
fn declared_json(request: &Request<'_>) -> Result<(), String> {
    match request.content_type() {
        None => Ok(()),
        Some(declared) if declared.is_json() || declared.sub().as_str().ends_with("+json") => {
            Ok(())
        }
        Some(declared) => Err(format!("{}/{}", declared.top(), declared.sub())),
    }
}

#[rocket::async_trait]
impl<'r, T: Deserialize<'r>> FromData<'r> for JsonIn<T> {
    type Error = BodyError<'r>;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if let Err(declared) = declared_json(request) {
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                BodyError::NotJson(declared),
            ));
        }
        match Json::<T>::from_data(request, data).await {
            data::Outcome::Success(Json(value)) => data::Outcome::Success(JsonIn(value)),
            data::Outcome::Error((status, error)) => {
                data::Outcome::Error((status, BodyError::Json(error)))
            }
            data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
        }
    }
}
