//! `GET /api/v1/health`.

use diesel::connection::SimpleConnection;
use rocket::serde::json::{Json, Value, json};
use rocket::{Route, State, get, routes};

use crate::app::App;
use crate::db::DbError;
use crate::web::ApiError;

pub fn routes() -> Vec<Route> {
    routes![health]
}

/// Liveness and readiness: answers ok only when the database answers.
#[get("/health")]
async fn health(app: &State<App>) -> Result<Json<Value>, ApiError> {
    app.db
        .run(|conn| conn.batch_execute("SELECT 1").map_err(DbError::from))
        .await
        .map_err(|error| {
            let mut api = ApiError::for_status(rocket::http::Status::ServiceUnavailable);
            api.internal = Some(format!("health check: {error}"));
            api
        })?;
    Ok(Json(json!({
        "status": "ok",
        "database": app.db.backend().name(),
        "migrations": app.db.migrations_applied(),
    })))
}
