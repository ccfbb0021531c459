//! A browser's side of the pages for the local client: a bearer token (pages accept the
//! API's session) plus this browser's form-token cookie and the token to put in forms.

use rocket::http::{ContentType, Cookie, Status};
use rocket::local::asynchronous::Client;

use super::bearer;

/// Pages as one signed-in browser sees them.
pub struct PageClient<'a> {
    client: &'a Client,
    token: String,
    cookie: Cookie<'static>,
    /// The form token of this browser.
    pub csrf: String,
}

/// An answer: status, `Location` when redirected, the body.
pub struct PageAnswer {
    pub status: Status,
    pub location: Option<String>,
    pub body: String,
}

/// `application/x-www-form-urlencoded` of `fields`.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl<'a> PageClient<'a> {
    /// Opens a page to get this browser's form token.
    pub async fn new(client: &'a Client, token: &str) -> PageClient<'a> {
        let response = client
            .get("/account/password")
            .header(bearer(token))
            .dispatch()
            .await;
        let cookie = response
            .cookies()
            .get_private("certcopy_csrf")
            .map(|c| Cookie::new("certcopy_csrf", c.value().to_owned()))
            .expect("the form-token cookie");
        let page = response.into_string().await.unwrap_or_default();
        let at = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
        let csrf = page[at..].split('"').next().unwrap().to_owned();
        PageClient {
            client,
            token: token.to_owned(),
            cookie,
            csrf,
        }
    }

    /// `GET`.
    pub async fn get(&self, path: &str) -> PageAnswer {
        let response = self
            .client
            .get(path.to_owned())
            .header(bearer(&self.token))
            .private_cookie(self.cookie.clone())
            .dispatch()
            .await;
        answer(response).await
    }

    /// `POST` of a form with this browser's token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> PageAnswer {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let response = self
            .client
            .post(path.to_owned())
            .header(bearer(&self.token))
            .header(ContentType::Form)
            .private_cookie(self.cookie.clone())
            .body(form_body(&all))
            .dispatch()
            .await;
        answer(response).await
    }

    /// `POST` of a multipart body (made with `issuing::multipart`, the token among its
    /// fields).
    pub async fn post_multipart(
        &self,
        path: &str,
        content_type: ContentType,
        body: Vec<u8>,
    ) -> PageAnswer {
        let response = self
            .client
            .post(path.to_owned())
            .header(bearer(&self.token))
            .header(content_type)
            .private_cookie(self.cookie.clone())
            .body(body)
            .dispatch()
            .await;
        answer(response).await
    }
}

async fn answer(response: rocket::local::asynchronous::LocalResponse<'_>) -> PageAnswer {
    let status = response.status();
    let location = response.headers().get_one("Location").map(str::to_owned);
    let body = response.into_string().await.unwrap_or_default();
    PageAnswer {
        status,
        location,
        body,
    }
}
