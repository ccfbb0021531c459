//! The whole journey through the pages in a real browser (`tests/browser/journey.py`, Debian's
//! Chromium driven by Playwright, axe-core on every page): a citizen registers and books,
//! the clerk checks them in and uploads a scan, the official certifies, the citizen
//! downloads the copy, an anonymous visitor verifies it by upload and by its code.
//!
//! The service runs in this process on a loopback port, so that its booking clock can be
//! set to 06:00 of the next day the office takes bookings: the appointment booked is then
//! "today" for the check-in, whatever the hour and day the test runs. The screenshots of
//! every step are kept in `target/tmp/screenshots/journey/` (CI keeps that folder).

use certcopy::booking::store;
use certcopy::db::models::Role;
use time::OffsetDateTime;

use crate::common::browser::{run_script, runtime, screenshot_dir, serve_on_loopback};
use crate::common::{Backend, PASSWORD, TestApp};
use crate::issuing::{office_with_official, small_jpeg};

#[test]
fn a_citizen_books_and_the_office_certifies_in_chromium() {
    let runtime = runtime();
    let test = runtime
        .block_on(TestApp::builder(Backend::Sqlite).build())
        .expect("SQLite app");
    let (office, official, _) = runtime.block_on(office_with_official(
        &test,
        "UBND Phường Bến Thành",
        "lanhdao.benthanh",
    ));
    let clerk = runtime.block_on(test.user(Role::Clerk, "canbo.benthanh", Some(&office.id)));

    // The booking clock at 06:00 (Viet Nam) of the first day after today with free slots.
    let ctx = test.app.booking.clone();
    let office_id = office.id.clone();
    let first_day = runtime.block_on(test.db(move |conn| {
        let today = certcopy::local_time::local_date(ctx.clock.now()).expect("today");
        let found = store::available_slots(
            conn,
            &ctx,
            &office_id,
            today.next_day().expect("tomorrow"),
            today + time::Duration::days(30),
        )
        .expect("slots");
        found
            .slots
            .iter()
            .find(|slot| slot.remaining > 0)
            .and_then(|slot| certcopy::local_time::local_date(slot.start_local))
            .expect("a bookable day within 30 days")
    }));
    let morning = OffsetDateTime::new_in_offset(
        first_day,
        time::macros::time!(06:00),
        certcopy::local_time::VIETNAM_OFFSET,
    );
    test.app.booking.clock.freeze(morning);

    // The same application served on a real port.
    let port = serve_on_loopback(&runtime, &test.app);

    let scan = test.dir.join("scan-1.jpg");
    std::fs::write(&scan, small_jpeg(1)).expect("scan file");
    let shots = screenshot_dir("journey");
    run_script(
        "journey.py",
        &[
            format!("http://127.0.0.1:{port}"),
            office.id.to_string(),
            clerk.username.clone().expect("clerk username"),
            official.username.clone().expect("official username"),
            PASSWORD.to_owned(),
            scan.display().to_string(),
            shots.display().to_string(),
        ],
        "all journey checks passed",
        &shots,
    );
    // The copy the citizen downloaded is the one in the register.
    let copy = std::fs::read(shots.join("copy.pdf")).expect("downloaded copy");
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&copy));
    // A B-LTA copy is stored and served under its file's digest.
    let registered = runtime.block_on(test.db(move |conn| {
        use certcopy::db::schema::register_entries::dsl::*;
        use diesel::prelude::*;
        register_entries
            .filter(file_sha256.eq(&digest))
            .count()
            .get_result::<i64>(conn)
            .expect("register lookup")
            == 1
    }));
    assert!(
        registered,
        "the downloaded file is the copy in the register"
    );
    drop(runtime);
}
