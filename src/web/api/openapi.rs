//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the public and agency routes,
//! generated from the handlers' `#[utoipa::path]` annotations and the answer types'
//! `ToSchema` derives, so it changes with the code (docs/ARCHITECTURE.md §14).
//!
//! Conventions added to every operation here rather than repeated on each: the error body
//! for any 4xx answer, and the API-key security scheme (`X-Api-Key`).

use std::sync::OnceLock;

use rocket::http::ContentType;
use rocket::{Route, get, routes};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::web::error::ErrorBody;

/// `GET /openapi.json` (mounted under `/api/v1`).
pub fn routes() -> Vec<Route> {
    routes![openapi_json]
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "certcopy",
        description = "Electronic certified copies of paper documents: the public routes (find an office, its free times, verify a copy, a copy's status behind its QR code) and the routes of receiving agencies (dossiers, share codes, annulment notices). Agencies authenticate with their API key in `X-Api-Key`. Every error answers `{\"error\": {code, message, message_vi, message_en, request_id}}`; `message` follows `Accept-Language` (Vietnamese unless English is preferred).",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        super::health::health,
        super::offices::offices,
        super::offices::slots,
        super::verifications::verify_multipart,
        super::verifications::by_code,
        super::dossiers::create,
        super::dossiers::list,
        super::dossiers::one,
        super::dossiers::attach_json,
        super::dossiers::reverify,
        super::dossiers::set_webhook,
        super::wallet::redeem,
        super::wallet::pdf,
        super::log::tree_head,
        super::log::key,
        super::log::proof,
        super::log::consistency,
        super::timestamp::timestamp,
        openapi_json,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Conventions),
    tags(
        (name = "public", description = "Open to anyone; verification is limited per address for anonymous callers"),
        (name = "agency", description = "Receiving agencies, with their API key"),
    )
)]
pub struct ApiDoc;

/// Adds the security scheme and the error answer every operation may give.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Api-Key",
                "The agency's API key (made by an administrator; `Authorization: ApiKey <key>` is accepted too)",
            ))),
        );
        components.responses.insert(
            "Error".to_owned(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "The request was refused: the body says why, in Vietnamese and English",
                    )
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Error")))
                            .build(),
                    )
                    .build(),
            ),
        );
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_error_answer(operation);
            }
        }
    }
}

fn add_error_answer(operation: &mut Operation) {
    operation
        .responses
        .responses
        .entry("4XX".to_owned())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Error")));
}

/// The document as JSON, made once.
pub fn document() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "public",
    operation_id = "openapi",
    summary = "This OpenAPI 3.1 document",
    responses((status = 200, description = "The document", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
fn openapi_json() -> (ContentType, &'static str) {
    (ContentType::JSON, document())
}
