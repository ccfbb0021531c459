//! The pages of citizens, the desk and officials through the local client, on SQLite and
//! PostgreSQL: booking step by step (a wrong number is answered at its field), rescheduling
//! and cancelling by forms; a walk-in taken through the desk's request page (two scans,
//! reordered and one removed, the fee recorded, the hand-over refused without the
//! checklist), sent back by the official with a reason the desk then sees, and refused on
//! a legal ground with its notice. What the browser journey does not try.

use certcopy::db::models::Role;
use rocket::http::Status;

use crate::booking::support::{MONDAY_6AM, person};
use crate::common::pages::PageClient;
use crate::db_test;
use crate::issuing::{multipart, office_with_official, small_jpeg};

/// The text between `start` and the next `end` in `page`, after the first `start`.
fn between<'p>(page: &'p str, start: &str, end: &str) -> Option<&'p str> {
    let at = page.find(start)? + start.len();
    page[at..].split(end).next()
}

db_test!(a_citizen_books_reschedules_and_cancels_by_forms, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let (office, _, _) = office_with_official(&app, "UBND Phường Đa Kao", "lanhdao.dakao").await;
    let citizen = person(&app, Role::Citizen, 31, None).await;
    let page = PageClient::new(&app.client, &citizen.token).await;

    let day = page
        .get(&format!("/book/{}?day=2026-03-02", office.id))
        .await;
    assert_eq!(day.status, Status::Ok, "{}", day.body);
    assert!(
        day.body.contains("value=\"2026-03-02T08:00:00+07:00\""),
        "{}",
        day.body
    );
    assert!(
        !day.body.contains("value=\"2026-03-02T07:30:00+07:00\""),
        "within the notice"
    );

    let slot = "2026-03-02T08:00:00+07:00";
    let estimate = format!("/book/{}/estimate", office.id);
    // A page count that is no number: 422, in the summary and at the field.
    let wrong = page
        .post(
            &estimate,
            &[
                ("slot", slot),
                ("rows[0].title", "Giấy khai sinh"),
                ("rows[0].pages", "hai"),
                ("rows[0].copies", "1"),
            ],
        )
        .await;
    assert_eq!(wrong.status, Status::UnprocessableEntity, "{}", wrong.body);
    assert!(
        wrong.body.contains("href=\"#rows-0-pages\""),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("id=\"rows-0-pages-error\""),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("value=\"Giấy khai sinh\""),
        "kept: {}",
        wrong.body
    );
    // "Add another document" keeps what was typed and adds a row.
    let more = page
        .post(
            &estimate,
            &[
                ("slot", slot),
                ("rows[0].title", "Giấy khai sinh"),
                ("rows[0].pages", "1"),
                ("rows[0].copies", "2"),
                ("more", "1"),
            ],
        )
        .await;
    assert_eq!(more.status, Status::Ok);
    assert!(more.body.contains("id=\"rows-1-title\""), "{}", more.body);
    // Three pages, two copies: (2 × 2.000 + 1.000) × 2 = 10.000 ₫.
    let fields = [
        ("slot", slot),
        ("rows[0].title", "Học bạ"),
        ("rows[0].pages", "3"),
        ("rows[0].copies", "2"),
    ];
    let shown = page.post(&estimate, &fields).await;
    assert_eq!(shown.status, Status::Ok, "{}", shown.body);
    assert!(shown.body.contains("10.000 ₫"), "{}", shown.body);
    let booked = page
        .post(&format!("/book/{}/confirm", office.id), &fields)
        .await;
    assert_eq!(booked.status, Status::Ok, "{}", booked.body);
    assert!(booked.body.contains("id=\"booking-code\""));
    assert!(booked.body.contains("href=\"/a/"), "the manage link");
    let id = between(&booked.body, "href=\"/me/appointments/", "\"")
        .expect("the appointment's page")
        .to_owned();

    // Another time the next day, by forms.
    let form = page
        .get(&format!("/me/appointments/{id}/reschedule?day=2026-03-03"))
        .await;
    assert_eq!(form.status, Status::Ok, "{}", form.body);
    let moved = page
        .post(
            &format!("/me/appointments/{id}/reschedule"),
            &[("slot", "2026-03-03T09:00:00+07:00")],
        )
        .await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
    let shown = page.get(&format!("/me/appointments/{id}")).await;
    assert!(shown.body.contains("09:00 03/03/2026"), "{}", shown.body);

    // A forged form token is refused and changes nothing.
    let forged = app
        .client
        .post(format!("/me/appointments/{id}/cancel"))
        .header(crate::common::bearer(&citizen.token))
        .header(rocket::http::ContentType::Form)
        .body("csrf=forged")
        .dispatch()
        .await;
    assert_eq!(forged.status(), Status::Forbidden);
    let cancelled = page
        .post(&format!("/me/appointments/{id}/cancel"), &[])
        .await;
    assert_eq!(cancelled.status, Status::SeeOther, "{}", cancelled.body);
    let shown = page.get(&format!("/me/appointments/{id}")).await;
    assert!(shown.body.contains("Đã hủy"), "{}", shown.body);
    assert!(
        !shown.body.contains("/cancel\""),
        "no cancel once cancelled"
    );

    // Another citizen does not see it.
    let other = person(&app, Role::Citizen, 32, None).await;
    let other = PageClient::new(&app.client, &other.token).await;
    assert_eq!(
        other.get(&format!("/me/appointments/{id}")).await.status,
        Status::NotFound
    );
});

db_test!(
    the_desk_and_the_official_take_a_request_through_the_pages,
    |app| {
        app.app
            .booking
            .clock
            .freeze(time::macros::datetime!(2026-03-02 09:05 +7));
        let (office, _, official_token) =
            office_with_official(&app, "UBND Phường Tân Định", "lanhdao.tandinh").await;
        let clerk = app
            .user(Role::Clerk, "canbo.tandinh", Some(&office.id))
            .await;
        let clerk_token = app.login(clerk.username.as_deref().unwrap()).await;
        let desk = PageClient::new(&app.client, &clerk_token).await;

        let walked_in = desk
            .post(
                "/desk/walk-in",
                &[
                    ("full_name", "Lê Văn Tám"),
                    ("citizen_id", "079203004567"),
                    ("rows[0].title", "Giấy khai sinh"),
                    ("rows[0].pages", "1"),
                    ("rows[0].copies", "1"),
                ],
            )
            .await;
        assert_eq!(walked_in.status, Status::SeeOther, "{}", walked_in.body);
        let day = desk.get("/desk").await;
        assert!(day.body.contains("Lê Văn Tám"), "{}", day.body);
        let request = between(&day.body, "href=\"/desk/requests/", "\"")
            .expect("the request's link")
            .to_owned();
        let path = format!("/desk/requests/{request}");

        // Two scans, then the second first, then the (new) first removed.
        let (content_type, body) = multipart(
            &[("csrf", &desk.csrf)],
            &[
                ("scans", "trang-1.jpg", &small_jpeg(1)),
                ("scans", "trang-2.jpg", &small_jpeg(2)),
            ],
        );
        let uploaded = desk
            .post_multipart(&format!("{path}/scans"), content_type, body)
            .await;
        assert_eq!(uploaded.status, Status::SeeOther, "{}", uploaded.body);
        let shown = desk.get(&path).await;
        assert!(shown.body.contains("1. trang-1.jpg"), "{}", shown.body);
        assert!(shown.body.contains("2. trang-2.jpg"));
        assert!(
            desk.post(&format!("{path}/order"), &[("order", "2,1")])
                .await
                .status
                == Status::SeeOther
        );
        let shown = desk.get(&path).await;
        assert!(shown.body.contains("1. trang-2.jpg"), "{}", shown.body);
        assert!(
            desk.post(&format!("{path}/order"), &[("order", "2")])
                .await
                .status
                == Status::SeeOther
        );
        // Positions follow the order: the second is now trang-1, the only one kept.
        let shown = desk.get(&path).await;
        assert!(shown.body.contains("1. trang-1.jpg"), "{}", shown.body);
        assert!(!shown.body.contains("trang-2.jpg"), "{}", shown.body);

        // The fee, once.
        let paid = desk
            .post(
                &format!("{path}/payment"),
                &[("method", "cash"), ("receipt_no", "BL-0042")],
            )
            .await;
        assert_eq!(paid.status, Status::SeeOther, "{}", paid.body);
        let shown = desk.get(&path).await;
        assert!(shown.body.contains("BL-0042"), "{}", shown.body);

        // The hand-over needs the whole checklist: the page says so at the checklist.
        let unchecked = desk
            .post(&format!("{path}/hand-over"), &[("original_shown", "true")])
            .await;
        assert!(unchecked.status.code >= 400 && unchecked.status.code < 500);
        assert!(
            unchecked.body.contains("href=\"#checklist\""),
            "{}",
            unchecked.body
        );
        let handed = desk
            .post(
                &format!("{path}/hand-over"),
                &[
                    ("original_shown", "true"),
                    ("pages_counted", "true"),
                    ("no_erasure_seen", "true"),
                ],
            )
            .await;
        assert_eq!(handed.status, Status::SeeOther, "{}", handed.body);

        // The official: in the queue; sending back needs a reason.
        let review = PageClient::new(&app.client, &official_token).await;
        let queue = review.get("/review").await;
        assert!(
            queue.body.contains(&format!("/review/{request}")),
            "{}",
            queue.body
        );
        let empty = review
            .post(&format!("/review/{request}/send-back"), &[("reason", " ")])
            .await;
        assert_eq!(empty.status, Status::UnprocessableEntity, "{}", empty.body);
        assert!(empty.body.contains("id=\"reason-error\""), "{}", empty.body);
        let sent = review
            .post(
                &format!("/review/{request}/send-back"),
                &[("reason", "Bản quét mờ, quét lại trang 1")],
            )
            .await;
        assert_eq!(sent.status, Status::SeeOther, "{}", sent.body);
        let shown = desk.get(&path).await;
        assert!(
            shown.body.contains("Bản quét mờ, quét lại trang 1"),
            "{}",
            shown.body
        );

        // Refused on a ground of Art. 22: the notice is there.
        let refused = desk
            .post(
                &format!("{path}/refuse"),
                &[
                    ("ground", "damaged_or_illegible"),
                    ("detail", "Rách mất góc"),
                ],
            )
            .await;
        assert_eq!(refused.status, Status::SeeOther, "{}", refused.body);
        let shown = desk.get(&path).await;
        assert!(shown.body.contains("refusal-notice"), "{}", shown.body);
        assert!(!shown.body.contains("/hand-over\""), "nothing more to do");

        // Staff of another office: not found.
        let (_, other_token) = app.signed_in(Role::Clerk, "canbo.khac").await;
        let other = PageClient::new(&app.client, &other_token).await;
        assert_eq!(other.get(&path).await.status, Status::NotFound);
        assert_eq!(
            other
                .post(&format!("{path}/payment"), &[("method", "cash")])
                .await
                .status,
            Status::NotFound
        );
    }
);
