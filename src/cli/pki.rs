//! `certcopy pki init` and `certcopy pki fixtures`: the development and test PKIs.

use std::path::{Path, PathBuf};

use super::load_config;
use crate::app::{App, StartError};
use crate::pki::dev_pki;

pub(super) fn init(dir: Option<PathBuf>) -> Result<(), StartError> {
    let (_, mut config) = load_config()?;
    if let Some(dir) = dir {
        config.pki_dir = dir;
    }
    let app = App::open(config)?;
    let pki = app.ensure_dev_pki()?;
    println!(
        "DEVELOPMENT PKI ready in {} (root: {}). These keys have no legal value.",
        pki.dir().display(),
        pki.root_cert_path().display()
    );
    Ok(())
}

/// Regenerates the committed test PKI in `dir`.
pub(super) fn fixtures(dir: &Path) -> Result<(), StartError> {
    dev_pki::write_test_fixtures(dir)?;
    println!("test PKI written to {}", dir.display());
    Ok(())
}
