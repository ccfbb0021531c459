//! `certcopy [serve]` and `certcopy migrate`, and the cookie secret key of the service.

use std::path::PathBuf;

use figment::Figment;

use super::load_config;
use crate::app::{App, StartError};
use crate::config::Config;
use crate::db::Db;

pub(super) fn serve() -> Result<(), StartError> {
    let (figment, config) = load_config()?;
    let app = App::start(config)?;
    let figment = with_secret_key(figment, &app.config)?;
    crate::jobs::tasks::schedule(&app)?;
    let runner = crate::jobs::tasks::runner(&app).map_err(|error| StartError::Io {
        path: PathBuf::from("<job runner>"),
        source: std::io::Error::other(error),
    })?;
    rocket::execute(async move {
        // Deferred work (annulment notices, voiding interrupted lines, re-timestamping,
        // tree heads, monthly archives) runs in every instance; the database hands each
        // job to one of them.
        rocket::tokio::spawn(runner.run(std::time::Duration::from_secs(app.config.job_poll_secs)));
        let rocket = crate::web::build_rocket(figment, app);
        if let Err(error) = rocket.launch().await {
            tracing::error!("server stopped: {error}");
            return Err(StartError::Io {
                path: PathBuf::from("<server>"),
                source: std::io::Error::other(error.to_string()),
            });
        }
        Ok(())
    })
}

/// Rocket needs a secret key for private cookies. When none is configured, one is
/// generated on first start and kept in `{data_dir}/secret.key` (mode 0600), so sessions
/// survive restarts and several instances can share it by configuration.
pub fn with_secret_key(figment: Figment, config: &Config) -> Result<Figment, StartError> {
    let configured = figment
        .extract_inner::<rocket::config::SecretKey>("secret_key")
        .is_ok_and(|key| !key.is_zero());
    if configured {
        return Ok(figment);
    }
    let path = config.secret_key_path();
    let io = |source| StartError::Io {
        path: path.clone(),
        source,
    };
    let key = match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().to_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            use base64::Engine;
            let mut bytes = [0u8; 64];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
                .map_err(|_| io(std::io::Error::other("no randomness")))?;
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            crate::private_files::create_private_dir_all(&config.data_dir).map_err(io)?;
            crate::private_files::write_atomic(
                &path,
                text.as_bytes(),
                crate::private_files::PRIVATE_FILE_MODE,
            )
            .map_err(io)?;
            tracing::info!(path = %path.display(), "generated the cookie secret key");
            text
        }
        Err(error) => return Err(io(error)),
    };
    Ok(figment.merge(("secret_key", key)))
}

pub(super) fn migrate() -> Result<(), StartError> {
    let (_, config) = load_config()?;
    crate::private_files::create_private_dir_all(&config.data_dir).map_err(|source| {
        StartError::Io {
            path: config.data_dir.clone(),
            source,
        }
    })?;
    let db = Db::open(&config.database_url, 1)?;
    let applied = db.migrate()?;
    println!(
        "{} database migrated: {applied} migrations applied",
        db.backend().name()
    );
    Ok(())
}
