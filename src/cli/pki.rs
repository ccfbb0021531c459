//! `certcopy pki init`, `certcopy pki token-key` and `certcopy pki fixtures`: the
//! development and test PKIs, and development certificates for keys on a PKCS#11 token.

use std::path::{Path, PathBuf};

use super::load_config;
use crate::app::{App, StartError};
use crate::config::ConfigError;
use crate::pki::{TokenKeyRef, dev_pki};

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

/// `certcopy pki token-key …`
#[derive(Debug, clap::Args)]
pub struct TokenKeyArgs {
    /// The key to create: `pkcs11:<token label>/<key label>`.
    #[arg(long)]
    pub key: String,
    /// For this official (username or user id).
    #[arg(long, conflicts_with = "seal", required_unless_present = "seal")]
    pub official: Option<String>,
    /// For the seal of this office (office id).
    #[arg(long)]
    pub seal: Option<String>,
    /// An RSA-2048 key instead of ECDSA P-256.
    #[arg(long)]
    pub rsa: bool,
}

/// Generates the key on the token, issues its development certificate and stores it on
/// the token.
pub(super) fn token_key(args: TokenKeyArgs) -> Result<(), StartError> {
    let (_, config) = load_config()?;
    let invalid = |setting: &'static str, reason: String| {
        StartError::Config(ConfigError::Invalid { setting, reason })
    };
    let reference = TokenKeyRef::parse(&args.key).map_err(|e| invalid("--key", e.to_string()))?;
    let module = config.token_module()?.ok_or_else(|| {
        invalid(
            "pkcs11_module",
            "no PKCS#11 module is configured".to_owned(),
        )
    })?;
    let app = App::open(config)?;
    let pki = app.ensure_dev_pki()?;
    let mut conn = app.db.get()?;
    let offices = crate::db::models::Office::list(&mut conn)?;
    let (setting, id, common_name, organization) = match (&args.official, &args.seal) {
        (Some(login), _) => {
            let by_id = match crate::db::ids::UserId::parse(login) {
                Some(id) => crate::db::models::User::find(&mut conn, &id)?,
                None => None,
            };
            let user = by_id
                .or(crate::db::models::User::find_by_login(&mut conn, login)?)
                .filter(|user| user.role() == crate::db::models::Role::Official)
                .ok_or_else(|| invalid("--official", format!("no official `{login}`")))?;
            let office = offices
                .iter()
                .find(|o| Some(&o.id) == user.office_id.as_ref())
                .map(|o| o.name.clone())
                .unwrap_or_else(|| "certcopy".to_owned());
            (
                "official_keys",
                user.id.as_str().to_owned(),
                user.full_name.clone(),
                office,
            )
        }
        (None, Some(office_id)) => {
            let office = offices
                .iter()
                .find(|o| o.id.as_str() == office_id)
                .ok_or_else(|| invalid("--seal", format!("no office `{office_id}`")))?;
            (
                "seal_keys",
                office.id.as_str().to_owned(),
                office.name.clone(),
                office.name.clone(),
            )
        }
        (None, None) => return Err(invalid("--official", "give --official or --seal".into())),
    };
    drop(conn);
    let token_error = |e: crate::pki::Pkcs11Error| invalid("--key", e.to_string());
    let public_key = module
        .generate_key_pair(&reference, args.rsa)
        .map_err(token_error)?;
    let certificate = pki.issue_for_token_key(&common_name, &organization, &public_key)?;
    module
        .store_certificate(&reference, &certificate)
        .map_err(token_error)?;
    println!(
        "key {reference} generated on the token with a DEVELOPMENT certificate for \
         {common_name}; configure it with:\n{setting} = {{ \"{id}\" = \"{reference}\" }}"
    );
    Ok(())
}
