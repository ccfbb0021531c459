//! Blobs in an S3-compatible store (a real `moto_server` on loopback): names, read-back
//! checks, multipart uploads, issuing and downloading copies with the store on S3, and
//! `certcopy storage copy-to-s3` moving a local store there (progress, resume, repair,
//! hash check of every object).

use std::process::Command;

use certcopy::storage::{BlobStore, MULTIPART_THRESHOLD, Sha256Hex, StorageError};
use object_store::ObjectStoreExt;
use rocket::http::Status;
use sha2::{Digest, Sha256};

use crate::common::s3::{ACCESS_KEY_ID, MotoServer, SECRET_ACCESS_KEY};
use crate::common::{Backend, TestApp, bearer};
use crate::issuing::office_with_official;
use crate::verifying::issue;

/// Writes raw bytes under a key, bypassing the blob store (damage done behind its back).
async fn damage(moto: &MotoServer, bucket: &str, key: &str, bytes: &'static [u8]) {
    let raw = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_endpoint(moto.endpoint())
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id(ACCESS_KEY_ID)
        .with_secret_access_key(SECRET_ACCESS_KEY)
        .build()
        .unwrap();
    raw.put(&object_store::path::Path::from(key), bytes.into())
        .await
        .unwrap();
}

fn key_of(prefix: &str, digest: &Sha256Hex) -> String {
    let hex = digest.as_str();
    format!("{prefix}/sha256/{}/{hex}", &hex[..2])
}

#[rocket::async_test]
async fn blobs_on_s3_are_named_by_their_digest_checked_on_read_and_large_ones_go_in_parts() {
    let moto = MotoServer::start();
    moto.create_bucket("ban-sao");
    let store = BlobStore::open_s3(&moto.settings("s3://ban-sao/tinh-a")).unwrap();
    assert!(store.is_s3());
    assert_eq!(store.to_string(), "s3://ban-sao/tinh-a");
    store.check_reachable().await.unwrap();

    // A small blob: one PUT, named by its digest under the prefix; storing it again is a
    // no-op.
    let digest = store.put(b"ban sao dien tu".to_vec()).await.unwrap();
    assert_eq!(digest, Sha256Hex::of(b"ban sao dien tu"));
    assert_eq!(
        moto.keys("ban-sao", "tinh-a/"),
        vec![key_of("tinh-a", &digest)]
    );
    assert_eq!(
        store.put(b"ban sao dien tu".to_vec()).await.unwrap(),
        digest
    );
    assert_eq!(store.get(&digest).await.unwrap(), b"ban sao dien tu");
    assert!(store.exists(&digest).await.unwrap());
    let missing = Sha256Hex::of(b"never stored");
    assert!(!store.exists(&missing).await.unwrap());
    assert!(matches!(
        store.get(&missing).await,
        Err(StorageError::NotFound(_))
    ));

    // A copy larger than the threshold goes up in parts and comes back whole.
    let large: Vec<u8> = (0..MULTIPART_THRESHOLD + 3 * 1024 * 1024 + 17)
        .map(|i| (i % 251) as u8)
        .collect();
    let large_digest = store.put(large.clone()).await.unwrap();
    let back = store.get(&large_digest).await.unwrap();
    assert_eq!(back.len(), large.len());
    assert!(back == large, "the multipart object has the same bytes");
    let mut keys = moto.keys("ban-sao", "tinh-a/");
    keys.sort();
    let mut expected = vec![key_of("tinh-a", &digest), key_of("tinh-a", &large_digest)];
    expected.sort();
    assert_eq!(keys, expected, "no stray parts or staging objects");

    // The listing gives both digests and their sizes.
    let mut listed: Vec<(Sha256Hex, u64)> = futures::TryStreamExt::try_collect(store.list())
        .await
        .unwrap();
    listed.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    let mut want = vec![
        (digest.clone(), 15),
        (large_digest.clone(), large.len() as u64),
    ];
    want.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    assert_eq!(listed, want);

    // Bytes changed in the bucket are caught on read.
    damage(&moto, "ban-sao", &key_of("tinh-a", &digest), b"tampered").await;
    assert!(matches!(
        store.get(&digest).await,
        Err(StorageError::Corrupted(_))
    ));

    // A bucket that does not exist, or a server that is not there, is an error, not a hang.
    let absent = BlobStore::open_s3(&moto.settings("s3://khong-co")).unwrap();
    assert!(absent.put(b"x".to_vec()).await.is_err());
    let mut gone = moto.settings("s3://ban-sao");
    gone.endpoint = format!("http://127.0.0.1:{}", crate::common::http::free_port());
    let unreachable = BlobStore::open_s3(&gone).unwrap();
    assert!(unreachable.check_reachable().await.is_err());

    // Settings that cannot work are refused before any request.
    for url in ["ban-sao", "s3://", "s3://Ban_Sao", "s3://ban-sao/../x"] {
        assert!(
            BlobStore::open_s3(&moto.settings(url)).is_err(),
            "{url} is refused"
        );
    }
}

/// Issues a copy with the blobs on S3 and downloads it through the API, on `backend`.
async fn issue_and_download_on_s3(backend: Backend) {
    let moto = MotoServer::start();
    moto.create_bucket("chung-thuc");
    let endpoint = moto.endpoint();
    let Some(app) = TestApp::builder(backend)
        .with_dev_pki()
        .with_config(move |config| {
            config.blob_url = "s3://chung-thuc/ban-sao".into();
            config.s3_endpoint = endpoint;
            config.s3_allow_http = true;
            config.s3_access_key_id = ACCESS_KEY_ID.into();
            config.s3_secret_access_key = certcopy::config::SecretSetting::new(SECRET_ACCESS_KEY);
        })
        .build()
        .await
    else {
        return;
    };
    assert!(app.app.blobs.is_s3());
    let (_, official, token) =
        office_with_official(&app, "UBND Phường Bến Thành", "lanhdao.bt").await;
    let issued = issue(&app, &official, "079203004568").await;
    let file = Sha256Hex::parse(issued.entry.file_digest().unwrap()).unwrap();
    let keys = moto.keys("chung-thuc", "ban-sao/");
    assert!(
        keys.contains(&key_of("ban-sao", &file)),
        "the signed copy is in the bucket under its digest: {keys:?}"
    );
    assert!(
        !app.dir.join("data/blobs/sha256").exists(),
        "nothing was written to the local folder"
    );
    let response = app
        .client
        .get(format!("/api/v1/copies/{}/pdf", issued.entry.id))
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let body = response.into_bytes().await.unwrap();
    assert_eq!(hex::encode(Sha256::digest(&body)), file.as_str());
    assert_eq!(body, issued.pdf);
}

#[rocket::async_test]
async fn copies_are_issued_into_s3_and_downloaded_from_it_sqlite() {
    issue_and_download_on_s3(Backend::Sqlite).await;
}

#[rocket::async_test]
async fn copies_are_issued_into_s3_and_downloaded_from_it_postgres() {
    issue_and_download_on_s3(Backend::Postgres).await;
}

/// Runs `certcopy storage copy-to-s3` for the app's data directory.
fn copy_to_s3(app: &TestApp, moto: &MotoServer, url: &str) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_certcopy"))
        .args(["storage", "copy-to-s3", url, "--allow-http"])
        .args(["--endpoint", &moto.endpoint()])
        .env_remove("CERTCOPY_DATABASE_URL")
        .env("CERTCOPY_DATA_DIR", &app.app.config.data_dir)
        .env("CERTCOPY_BLOB_DIR", &app.app.config.blob_dir)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
        .env("CERTCOPY_LOG", "warn")
        .output()
        .expect("the certcopy binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[rocket::async_test]
async fn a_local_store_is_copied_to_s3_verified_resumed_and_then_served_from_there() {
    let moto = MotoServer::start();
    moto.create_bucket("kho-tinh");
    let app = TestApp::builder(Backend::Sqlite)
        .with_dev_pki()
        .build()
        .await
        .unwrap();
    let (_, official, _) = office_with_official(&app, "UBND Xã Tân Phú", "lanhdao.tp").await;
    let first = issue(&app, &official, "079203004569").await;
    let second = issue(&app, &official, "079203004570").await;
    issue(&app, &official, "079203004573").await;
    let local: Vec<(Sha256Hex, u64)> = futures::TryStreamExt::try_collect(app.app.blobs.list())
        .await
        .unwrap();
    assert!(
        local.len() >= 3,
        "the copies are in the local store: {local:?}"
    );

    // Half a run: some blobs are already there (as after an interruption), one of them
    // damaged in the bucket.
    let target = BlobStore::open_s3(&moto.settings("s3://kho-tinh/hcm")).unwrap();
    for (digest, _) in &local[..2] {
        target
            .put(app.app.blobs.get(digest).await.unwrap())
            .await
            .unwrap();
    }
    damage(
        &moto,
        "kho-tinh",
        &key_of("hcm", &local[0].0),
        b"half written",
    )
    .await;

    let (code, stdout, stderr) = copy_to_s3(&app, &moto, "s3://kho-tinh/hcm");
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let total = local.len();
    assert!(
        stdout.contains(&format!(
            "{total} blobs in s3://kho-tinh/hcm, each read back and matching its SHA-256 ({} copied now, 1 already there)",
            total - 1
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!("{total}/{total} blobs (100.0%)")),
        "progress is shown: {stderr}"
    );
    let mut keys = moto.keys("kho-tinh", "hcm/");
    keys.sort();
    let mut expected: Vec<String> = local.iter().map(|(d, _)| key_of("hcm", d)).collect();
    expected.sort();
    assert_eq!(keys, expected);

    // Run again: everything is there and intact, nothing is written.
    let (code, stdout, _) = copy_to_s3(&app, &moto, "s3://kho-tinh/hcm");
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&format!("(0 copied now, {total} already there)")),
        "{stdout}"
    );

    // A damaged blob in the source is reported, the others are still checked: exit 1.
    let hex = local[1].0.as_str();
    let source_file = app
        .app
        .blobs
        .root()
        .unwrap()
        .join(format!("sha256/{}/{hex}", &hex[..2]));
    std::fs::write(&source_file, b"rot").unwrap();
    let (code, stdout, stderr) = copy_to_s3(&app, &moto, "s3://kho-tinh/hcm");
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("1 of {total} blobs could not be copied")),
        "{stdout}"
    );
    assert!(
        stdout.contains(hex) && stdout.contains("do not match their SHA-256"),
        "{stdout}"
    );

    // No store, no bucket: a message and exit 2.
    let (code, _, stderr) = copy_to_s3(&app, &moto, "not-a-url");
    assert_eq!(code, 2);
    assert!(stderr.contains("s3://"), "{stderr}");

    // The service pointed at the bucket serves the copies issued before the move.
    let mut config = app.app.config.clone();
    moto.configure(&mut config, "s3://kho-tinh/hcm");
    config.blob_dir = app.dir.join("unused");
    let moved = rocket::tokio::task::spawn_blocking(move || certcopy::App::open(config))
        .await
        .unwrap()
        .unwrap();
    for copy in [&first, &second] {
        let digest = Sha256Hex::parse(copy.entry.file_digest().unwrap()).unwrap();
        assert_eq!(moved.blobs.get(&digest).await.unwrap(), copy.pdf);
    }
}
