//! `/a/{token}`: the manage link a citizen receives when booking. A small page, no login:
//! the appointment, with buttons to cancel, reschedule (through the
//! `/api/v1/appointments/by-token/…` routes) and download the calendar file.
//!
//! The token is the only secret: the page is never cached and never sent as a referrer.

use rocket::http::{ContentType, Header};
use rocket::{Responder, Route, State, get, routes};

use crate::app::App;
use crate::booking::store::{self, Access};
use time::OffsetDateTime;

use crate::booking::{AppointmentView, TIME_ZONE_ID};
use crate::db::models::AppointmentStatus;
use crate::web::ApiError;

pub fn routes() -> Vec<Route> {
    routes![manage_page]
}

/// An HTML page that must stay private.
#[derive(Responder)]
struct PrivatePage {
    body: String,
    content_type: ContentType,
    cache: Header<'static>,
    referrer: Header<'static>,
    robots: Header<'static>,
}

/// The appointment of a manage link, as a page.
#[get("/<token>")]
async fn manage_page(app: &State<App>, token: String) -> Result<PrivatePage, ApiError> {
    let view = app
        .db
        .run({
            let token = token.clone();
            move |conn| store::appointment(conn, Access::Link(&token))
        })
        .await?;
    Ok(PrivatePage {
        body: render(&view, &token),
        content_type: ContentType::HTML,
        cache: Header::new("Cache-Control", "no-store"),
        referrer: Header::new("Referrer-Policy", "no-referrer"),
        robots: Header::new("X-Robots-Tag", "noindex"),
    })
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn status_label(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::Booked => "Đã đặt lịch / Booked",
        AppointmentStatus::CheckedIn => "Đã đến / Checked in",
        AppointmentStatus::InService => "Đang tiếp nhận / In service",
        AppointmentStatus::Done => "Đã tiếp nhận xong / Done",
        AppointmentStatus::Cancelled => "Đã hủy / Cancelled",
        AppointmentStatus::NoShow => "Vắng mặt / No-show",
    }
}

/// `07:30 10/03/2026` (the instant's own offset: local time in our views).
fn wall_clock(instant: OffsetDateTime) -> String {
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        instant.hour(),
        instant.minute(),
        instant.day(),
        u8::from(instant.month()),
        instant.year()
    )
}

/// The page for the holder of `token`. Every value is escaped.
fn render(view: &AppointmentView, token: &str) -> String {
    let documents: String = view
        .documents
        .iter()
        .map(|d| {
            format!(
                "<li>{} — {} trang × {} bản</li>",
                escape(&d.title),
                d.pages,
                d.copies
            )
        })
        .collect();
    let actions = if view.changeable_until.is_some() {
        format!(
            r#"<section id="actions" data-office="{office_id}">
<p>Hủy hoặc đổi lịch trước / Cancel or reschedule before: <b>{deadline}</b></p>
<button id="cancel">Hủy lịch hẹn / Cancel</button>
<p><label for="slot">Giờ mới / New time</label> <select id="slot"><option value="">Chọn giờ khác / Choose another time…</option></select>
<button id="move">Đổi lịch / Reschedule</button></p>
</section>
<script src="/assets/manage.js"></script>"#,
            deadline = view.changeable_until.map(wall_clock).unwrap_or_default(),
            office_id = escape(view.office.id.as_str()),
        )
    } else {
        String::new()
    };
    format!(
        r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lịch hẹn {code}</title><link rel="stylesheet" href="/assets/page.css"><link rel="icon" href="data:,"></head>
<body><main>
<h1>Lịch hẹn chứng thực bản sao / Certified copy appointment</h1>
<p>Mã đặt lịch / Booking code: <b>{code}</b></p>
<p>Trạng thái / Status: <b>{status}</b></p>
<p>{office}<br>{address}</p>
<p>Giờ hẹn / Time: <b>{when}</b> ({zone})</p>
<p>Giấy tờ / Documents:</p><ul>{documents}</ul>
<p>Lệ phí dự kiến / Estimated fee: <b>{fee}</b></p>
<p>Ngày trả kết quả dự kiến / Expected result: <b>{result}</b></p>
<p><a href="/api/v1/appointments/by-token/{token_path}/calendar.ics">Thêm vào lịch / Add to calendar (.ics)</a></p>
{actions}
<p id="msg" role="status"></p>
</main></body></html>"#,
        code = escape(&view.booking_code.to_string()),
        status = status_label(view.status),
        office = escape(&view.office.name),
        address = escape(&view.office.address),
        when = wall_clock(view.slot_start_local),
        zone = TIME_ZONE_ID,
        documents = documents,
        fee = escape(&view.fee.total.to_string()),
        result = view.expected_result_date,
        token_path = escape(token),
        actions = actions,
    )
}
