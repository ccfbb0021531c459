//! `GET /api/v1/health`.

use diesel::connection::SimpleConnection;
use rocket::serde::json::Json;
use rocket::{Route, State, get, routes};
use serde::Serialize;

use crate::app::App;
use crate::db::DbError;
use crate::web::ApiError;
use crate::web::error::ErrorBody;

pub fn routes() -> Vec<Route> {
    routes![health]
}

/// What the health check answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` (a failing check answers 503 with the error body).
    #[schema(example = "ok")]
    status: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "postgres")]
    database: &'static str,
    /// Migrations applied at start.
    migrations: usize,
}

/// Liveness and readiness: answers ok only when the database answers.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "public",
    operation_id = "health",
    summary = "Liveness and readiness",
    responses(
        (status = 200, description = "The service and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    )
)]
#[get("/health")]
async fn health(app: &State<App>) -> Result<Json<Health>, ApiError> {
    app.db
        .run(|conn| conn.batch_execute("SELECT 1").map_err(DbError::from))
        .await
        .map_err(|error| {
            let mut api = ApiError::for_status(rocket::http::Status::ServiceUnavailable);
            api.internal = Some(format!("health check: {error}"));
            api
        })?;
    Ok(Json(Health {
        status: "ok",
        database: app.db.backend().name(),
        migrations: app.db.migrations_applied(),
    }))
}
