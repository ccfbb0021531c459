//! `certcopy storage copy-to-s3 s3://bucket/prefix`: copies the local blob store
//! (`blob_dir`) to an S3-compatible store, checking every object's SHA-256 on both sides,
//! with a progress line per 100 blobs and per 5 s. Run it again to resume: blobs already
//! there and intact are kept. Exit 0: every blob is in the target and intact; 1: some
//! failed (each printed with its reason); 2: it could not run.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use super::load_config;
use crate::storage::migrate::{BlobOutcome, copy_store};
use crate::storage::{BlobStore, S3Settings};

/// `certcopy storage …`
#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Copy the local blob store (`blob_dir`) to an S3-compatible store and verify every
    /// object. Then set `blob_url` to the target and restart the instances.
    CopyToS3(CopyToS3Args),
}

/// Arguments of `certcopy storage copy-to-s3`.
#[derive(Debug, Args)]
pub struct CopyToS3Args {
    /// The target, `s3://bucket` or `s3://bucket/prefix`.
    pub url: String,
    /// The S3 service's address (default: the `s3_endpoint` setting; empty: AWS).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Region (default: the `s3_region` setting).
    #[arg(long)]
    pub region: Option<String>,
    /// Allow a plain http:// endpoint (a test server on loopback).
    #[arg(long)]
    pub allow_http: bool,
}

fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("certcopy storage: {error}");
    ExitCode::from(2)
}

pub(super) fn storage(command: StorageCommand) -> ExitCode {
    let StorageCommand::CopyToS3(args) = command;
    let config = match load_config() {
        Ok((_, config)) => config,
        Err(error) => return fail(error),
    };
    let settings = S3Settings {
        url: args.url.trim().to_owned(),
        endpoint: args
            .endpoint
            .unwrap_or_else(|| config.s3_endpoint.clone())
            .trim()
            .trim_end_matches('/')
            .to_owned(),
        region: args.region.unwrap_or_else(|| config.s3_region.clone()),
        allow_http: args.allow_http || config.s3_allow_http,
        access_key_id: config.s3_access_key_id.clone(),
        secret_access_key: config.s3_secret_access_key.clone(),
    };
    if !config.blob_dir.is_dir() {
        return fail(format!(
            "the local blob store {} does not exist / không có kho tệp cục bộ",
            config.blob_dir.display()
        ));
    }
    let source = match BlobStore::open_local(&config.blob_dir) {
        Ok(store) => store,
        Err(error) => return fail(error),
    };
    let target = match BlobStore::open_s3(&settings) {
        Ok(store) => store,
        Err(error) => return fail(error),
    };
    let runtime = match rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(error),
    };
    runtime.block_on(async {
        if let Err(error) = target.check_reachable().await {
            return fail(format!("{target} cannot be reached: {error}"));
        }
        eprintln!("copying {source} → {target}");
        let started = Instant::now();
        let mut last_line = Instant::now();
        let result = copy_store(&source, &target, |progress, digest, outcome| {
            if let BlobOutcome::Failed(reason) = outcome {
                eprintln!("  FAILED {digest}: {reason}");
            }
            let due = progress.done % 100 == 0
                || progress.done == progress.total
                || last_line.elapsed() >= Duration::from_secs(5);
            if due {
                last_line = Instant::now();
                eprintln!(
                    "  {}/{} blobs ({:.1}%): {} copied ({:.1} MB), {} already there, {} failed",
                    progress.done,
                    progress.total,
                    progress.done as f64 * 100.0 / progress.total.max(1) as f64,
                    progress.copied,
                    progress.bytes_copied as f64 / 1e6,
                    progress.already_there,
                    progress.failed.len(),
                );
            }
        })
        .await;
        match result {
            Ok(progress) if progress.failed.is_empty() => {
                println!(
                    "{} blobs in {target}, each read back and matching its SHA-256 \
                     ({} copied now, {} already there) in {:.1} s",
                    progress.total,
                    progress.copied,
                    progress.already_there,
                    started.elapsed().as_secs_f64()
                );
                ExitCode::SUCCESS
            }
            Ok(progress) => {
                println!(
                    "{} of {} blobs could not be copied; run the command again to retry them",
                    progress.failed.len(),
                    progress.total
                );
                for (digest, reason) in &progress.failed {
                    println!("  {digest}: {reason}");
                }
                ExitCode::FAILURE
            }
            Err(error) => fail(error),
        }
    })
}
