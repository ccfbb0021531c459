//! The web application's foundation: the home page in Vietnamese by default (English by
//! `Accept-Language`, by `?lang=en`, and by the remembered switch), one layout with the
//! security headers and no inline script or style, the code box that leads to a copy's
//! page or answers its error at the field, and a language switch that only goes back to
//! this site.

use rocket::http::{Cookie, Header, Status};

use crate::common::{Backend, TestApp};

async fn html(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (Status, String, Vec<String>) {
    let mut request = app.client.get(path.to_owned());
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let csp: Vec<String> = response
        .headers()
        .get("Content-Security-Policy")
        .map(str::to_owned)
        .collect();
    (
        status,
        response.into_string().await.unwrap_or_default(),
        csp,
    )
}

#[rocket::async_test]
async fn the_home_page_speaks_vietnamese_first_and_english_on_request() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let (status, page, csp) = html(&app, "/", &[]).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.starts_with("<!DOCTYPE html><html lang=\"vi\">"),
        "{page}"
    );
    assert!(
        page.contains("<h1>Bản sao điện tử được chứng thực từ bản chính</h1>"),
        "{page}"
    );
    assert!(
        page.contains("<label for=\"code\">Mã tra cứu</label>"),
        "{page}"
    );
    assert!(
        page.contains("href=\"/lang/en?next=/\""),
        "the switch: {page}"
    );
    // Strict CSP; no inline script or style anywhere in the page.
    assert!(
        csp.iter()
            .any(|c| c.contains("script-src 'self'") || c.contains("default-src 'self'")),
        "{csp:?}"
    );
    assert!(
        !page.contains("<script") && !page.contains("style="),
        "{page}"
    );

    let (_, english, _) = html(&app, "/", &[("Accept-Language", "en-GB,en;q=0.9")]).await;
    assert!(english.contains("<html lang=\"en\">"), "{english}");
    assert!(english.contains("Electronic copies certified from the original"));
    assert!(english.contains("href=\"/lang/vi?next=/\""));
    let (_, asked, _) = html(&app, "/?lang=en", &[]).await;
    assert!(asked.contains("<html lang=\"en\">"));
}

#[rocket::async_test]
async fn the_language_switch_is_remembered_and_goes_back_only_to_this_site() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let response = app.client.get("/lang/en?next=/v/ABCD").dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.headers().get_one("Location"), Some("/v/ABCD"));
    let cookie = response.cookies().get("lang").expect("lang cookie").clone();
    assert_eq!(cookie.value(), "en");
    assert_eq!(cookie.http_only(), Some(true));
    // The remembered choice wins over the browser's Vietnamese.
    let page = app
        .client
        .get("/")
        .cookie(Cookie::new("lang", "en"))
        .header(Header::new("Accept-Language", "vi"))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    for hostile in [
        "//evil.example/",
        "https:%2F%2Fevil.example",
        "/%5Cevil.example",
    ] {
        let response = app
            .client
            .get(format!("/lang/vi?next={hostile}"))
            .dispatch()
            .await;
        assert_eq!(
            response.headers().get_one("Location"),
            Some("/"),
            "{hostile}"
        );
    }
    assert_eq!(
        app.client.get("/lang/fr").dispatch().await.status(),
        Status::NotFound
    );
}

#[rocket::async_test]
async fn the_code_box_leads_to_the_copy_or_says_what_is_wrong_at_the_field() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    // Any case, spaces and look-alike letters: the copy's page under the printed code.
    let response = app
        .client
        .get("/check?code=abcd+efgh+jkmn%20pqrs-tvwx")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        response.headers().get_one("Location"),
        Some("/v/ABCD-EFGH-JKMN-PQRS-TVWX")
    );
    let (status, page, _) = html(&app, "/check?code=", &[]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("class=\"error-summary\""), "{page}");
    assert!(
        page.contains("<a href=\"#code\">Hãy nhập mã tra cứu in dưới mã QR.</a>"),
        "{page}"
    );
    assert!(
        page.contains("aria-describedby=\"code-hint code-error\""),
        "{page}"
    );
    let (status, page, _) = html(&app, "/check?code=%3Cscript%3Ex", &[]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("value=\"&lt;script&gt;x\""),
        "escaped: {page}"
    );
    assert!(!page.contains("<script>"), "{page}");
}

#[rocket::async_test]
async fn offices_are_found_by_name_and_show_their_hours_and_free_places() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    app.app
        .booking
        .clock
        .freeze(time::macros::datetime!(2026-03-02 06:00 +7));
    let office = app.office("UBND Phường Võ Thị Sáu").await;
    app.office("UBND Xã Tân Nhựt").await;
    let (status, page, _) = html(&app, "/offices?name=v%C3%B5%20th%E1%BB%8B", &[]).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Kết quả (1)"), "{page}");
    assert!(
        page.contains(&format!("href=\"/offices/{}\"", office.id)),
        "{page}"
    );
    assert!(!page.contains("Tân Nhựt"), "{page}");
    assert!(page.contains("<label for=\"province\">Tỉnh, thành phố</label>"));
    let (_, none, _) = html(&app, "/offices?name=kh%C3%B4ng%20c%C3%B3", &[]).await;
    assert!(none.contains("Kết quả (0)") && none.contains("Không có cơ quan nào khớp"));

    let (status, page, _) = html(&app, &format!("/offices/{}", office.id), &[]).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("<h1>UBND Phường Võ Thị Sáu</h1>"), "{page}");
    // The standard calendar: weekdays 07:30–11:30 and 13:30–17:00, weekends closed.
    assert!(
        page.contains("<th scope=\"row\">Thứ Hai</th><td>07:30–11:30, 13:30–17:00</td>"),
        "{page}"
    );
    assert!(
        page.contains("<th scope=\"row\">Chủ nhật</th><td>Nghỉ</td>"),
        "{page}"
    );
    assert!(
        page.contains("Thứ Hai 02/03/2026: "),
        "free places today: {page}"
    );
    let (_, english, _) = html(&app, &format!("/offices/{}?lang=en", office.id), &[]).await;
    assert!(english.contains("<th scope=\"row\">Monday</th>") && english.contains("Closed"));

    let unknown = certcopy::db::ids::OfficeId::generate();
    let (status, page, _) = html(&app, &format!("/offices/{unknown}"), &[]).await;
    assert_eq!(status, Status::NotFound);
    assert!(page.contains("Không tìm thấy trang"), "{page}");
    assert_eq!(
        html(&app, "/offices/not-an-id", &[]).await.0,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn a_copy_uploaded_on_the_verify_page_gets_a_readable_report() {
    use certcopy::intake::ScanFile;
    use certcopy::registry::issuance::IssueOptions;
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let (status, form, _) = html(&app, "/verify", &[]).await;
    assert_eq!(status, Status::Ok);
    assert!(
        form.contains("<label for=\"file\">Tệp PDF</label>"),
        "{form}"
    );
    assert!(form.contains("enctype=\"multipart/form-data\""));

    let (_, official, _) =
        crate::issuing::office_with_official(&app, "UBND Phường Đa Kao", "lanhdao.dakao.trang")
            .await;
    let issued = app
        .app
        .issuer()
        .issue(
            &official,
            crate::issuing::request(vec![ScanFile {
                name: "1.jpg".into(),
                bytes: crate::issuing::small_jpeg(1),
            }]),
            IssueOptions::default(),
            None,
        )
        .await
        .expect("issued");
    let post = |file: &[u8]| {
        let (content_type, body) = crate::issuing::multipart(&[], &[("file", "ban-sao.pdf", file)]);
        app.client
            .post("/verify")
            .header(content_type)
            .body(body)
            .dispatch()
    };
    let response = post(&issued.pdf).await;
    assert_eq!(response.status(), Status::Ok);
    let page = response.into_string().await.unwrap();
    for expected in [
        "<h1>Kết quả kiểm tra</h1>",
        "Tất cả chữ ký số hợp lệ.",
        "Bản sao có trong sổ chứng thực và đang có hiệu lực.",
        "UBND Phường Đa Kao",
        "Chữ ký số hợp lệ (2/2)",
        "Thời điểm cấp (giờ Việt Nam)",
    ] {
        assert!(
            page.contains(expected),
            "`{expected}` not on the page:\n{page}"
        );
    }

    // A file that is no PDF: the form again, the reason at the field, 422.
    let response = post(b"not a pdf at all").await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap();
    assert!(
        page.contains("class=\"error-summary\"") && page.contains("id=\"file-error\""),
        "{page}"
    );
}

/// The value of the hidden form-token field of a page.
fn form_token(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form token on the page")
        + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

#[rocket::async_test]
async fn signed_in_pages_ask_to_sign_in_and_forms_need_this_browsers_token() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let (_, clerk_token) = app
        .signed_in(certcopy::db::models::Role::Clerk, "canbo.form")
        .await;
    drop(clerk_token);

    // A page that needs a session answers 401 with the sign-in form coming back to it.
    let (status, page, _) = html(&app, "/desk", &[]).await;
    assert_eq!(status, Status::Unauthorized);
    assert!(page.contains("action=\"/login\""), "{page}");
    assert!(page.contains("name=\"next\" value=\"/desk\""), "{page}");

    // The sign-in page sets this browser's token cookie and puts the token in the form.
    let response = app.client.get("/login").dispatch().await;
    let cookie = response
        .cookies()
        .get_private("certcopy_csrf")
        .map(|c| Cookie::new("certcopy_csrf", c.value().to_owned()));
    let page = response.into_string().await.unwrap();
    let token = form_token(&page);
    let cookie = cookie.expect("the token cookie");
    let client = &app.client;
    let post = |csrf: String| {
        let cookie = cookie.clone();
        async move {
            let response = client
                .post("/login")
                .header(rocket::http::ContentType::Form)
                .private_cookie(cookie)
                .body(format!(
                    "csrf={csrf}&next=%2F&login=canbo.form&password={}",
                    crate::common::PASSWORD
                ))
                .dispatch()
                .await;
            let status = response.status();
            let location = response.headers().get_one("Location").map(str::to_owned);
            let body = response.into_string().await.unwrap_or_default();
            (status, location, body)
        }
    };
    // Another token (a page of another site cannot read this browser's): refused, and
    // nobody is signed in.
    let (status, _, body) = post("forged".to_owned()).await;
    assert_eq!(status, Status::Forbidden, "{body}");
    assert!(body.contains("Biểu mẫu đã hết hạn"), "{body}");
    // This browser's token: signed in, to the desk.
    let (status, location, body) = post(token).await;
    assert_eq!(status, Status::SeeOther, "{body}");
    assert_eq!(location.as_deref(), Some("/desk"));

    // A form sent without its fields: 422 with a page, nothing done.
    let response = app
        .client
        .post("/login")
        .header(rocket::http::ContentType::Form)
        .body("")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(
        response
            .into_string()
            .await
            .unwrap()
            .contains("Biểu mẫu gửi lên không đầy đủ")
    );
}
