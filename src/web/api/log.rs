//! `/api/v1/log`: the register's transparency log, public (docs/ARCHITECTURE.md §15).
//! The newest signed tree head, the log's public key, a copy's inclusion bundle (checkable
//! offline with the key alone) and consistency proofs between published heads.

use rocket::serde::json::Json;
use rocket::{Route, State, get, routes};
use serde::Serialize;

use crate::app::App;
use crate::registry::normalize_verification_code;
use crate::transparency::heads::{self, TreeHead};
use crate::transparency::proofs::{self, ConsistencyBundle, InclusionBundle};
use crate::web::ApiError;

pub fn routes() -> Vec<Route> {
    routes![tree_head, key, proof, consistency]
}

fn not_found_copy() -> ApiError {
    ApiError::new(
        404,
        "not_found",
        "Không có bản sao đã cấp nào mang mã này trong nhật ký sổ chứng thực.",
        "No issued copy with this code is in the register log.",
    )
}

/// The newest signed tree head (one is signed now when none was published yet).
#[utoipa::path(
    get,
    path = "/api/v1/log/tree-head",
    tag = "public",
    operation_id = "log_tree_head",
    summary = "The register log's newest signed tree head",
    description = "Size and Merkle root (RFC 9162) of the register log and length and head of the audit chain, signed with the log key (Ed25519 over `signed_message`: the line `certcopy tree head v1`, then tree_size, root_hash, audit_size, audit_head and signed_at, each on its own line).",
    responses((status = 200, description = "The head", body = TreeHead))
)]
#[get("/log/tree-head")]
async fn tree_head(app: &State<App>) -> Result<Json<TreeHead>, ApiError> {
    let key = app.log_key.clone();
    let head = app
        .db
        .run(move |conn| match heads::latest(conn)? {
            Some(head) => Ok(head),
            None => heads::publish(conn, &key),
        })
        .await?;
    Ok(Json(head))
}

/// The log's public key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LogKeyAnswer {
    /// Always `Ed25519`.
    algorithm: &'static str,
    /// The 32 key bytes, base64 (what verifiers set as `log_public_key`).
    public_key: String,
    /// First 8 bytes of the key's SHA-256, hex, as each head names its key.
    key_id: String,
}

/// The key tree heads are signed with. Verifiers should take it from the service's
/// operator out of band; this answer is for convenience.
#[utoipa::path(
    get,
    path = "/api/v1/log/key",
    tag = "public",
    operation_id = "log_key",
    summary = "The register log's public key",
    responses((status = 200, description = "The key", body = LogKeyAnswer))
)]
#[get("/log/key")]
async fn key(app: &State<App>) -> Json<LogKeyAnswer> {
    let public = app.log_key.public();
    Json(LogKeyAnswer {
        algorithm: "Ed25519",
        public_key: public.to_base64(),
        key_id: public.key_id(),
    })
}

/// A copy's register events with their audit paths under a signed tree head.
#[utoipa::path(
    get,
    path = "/api/v1/log/proof/{code}",
    tag = "public",
    operation_id = "log_inclusion_proof",
    summary = "Inclusion proof of a copy's register events",
    description = "The copy's events (line reserved, issued, annulled), each leaf as stored with its RFC 9162 audit path to the root of a signed tree head; a head is signed on demand when none covers the copy's last event yet. Checkable offline with the log's public key alone.",
    params(("code" = String, Path, description = "The copy's verification code (dashes optional)", example = "7QKX-M2RD-9HTA-C4WE-1B8N")),
    responses(
        (status = 200, description = "The bundle", body = InclusionBundle),
        (status = 404, description = "No issued copy with this code in the log", body = crate::web::error::ErrorBody),
    )
)]
#[get("/log/proof/<code>")]
async fn proof(app: &State<App>, code: &str) -> Result<Json<InclusionBundle>, ApiError> {
    let code = normalize_verification_code(code).ok_or_else(not_found_copy)?;
    let key = app.log_key.clone();
    let bundle = app
        .db
        .run(move |conn| proofs::bundle_for_code(conn, &code, &key))
        .await?;
    bundle.map(Json).ok_or_else(not_found_copy)
}

/// The proof that the tree of one published head is a prefix of another's.
#[utoipa::path(
    get,
    path = "/api/v1/log/consistency",
    tag = "public",
    operation_id = "log_consistency_proof",
    summary = "Consistency proof between two signed tree heads",
    params(
        ("first" = u64, Query, description = "Size of the older published head (at least 1)", example = 10),
        ("second" = u64, Query, description = "Size of the newer published head (at least `first`)", example = 20),
    ),
    responses(
        (status = 200, description = "Both heads and the RFC 9162 proof", body = ConsistencyBundle),
        (status = 404, description = "No published head of one of these sizes", body = crate::web::error::ErrorBody),
    )
)]
#[get("/log/consistency?<first>&<second>")]
async fn consistency(
    app: &State<App>,
    first: Option<&str>,
    second: Option<&str>,
) -> Result<Json<ConsistencyBundle>, ApiError> {
    let size = |text: Option<&str>| text.and_then(|t| t.trim().parse::<u64>().ok());
    let (Some(first), Some(second)) = (size(first), size(second)) else {
        return Err(ApiError::new(
            400,
            "invalid_field",
            "Cần hai số nguyên first và second (kích thước cây).",
            "first and second must be whole numbers (tree sizes).",
        ));
    };
    if first == 0 || first > second {
        return Err(ApiError::new(
            400,
            "invalid_field",
            "Cần 0 < first ≤ second.",
            "first must be at least 1 and at most second.",
        ));
    }
    let bundle = app
        .db
        .run(move |conn| proofs::consistency(conn, first, second))
        .await?;
    bundle.map(Json).ok_or_else(|| {
        ApiError::new(
            404,
            "not_found",
            "Không có cây đã ký với kích thước này.",
            "No signed tree head of this size was published.",
        )
    })
}
