//! Who is looking at a page, and the protection of its forms.
//!
//! [`Viewer`] is the one request guard of the pages: the language, the signed-in account
//! (the same session as the API: the private cookie set at login, or a bearer token), the
//! path to come back to after signing in, and the form token.
//!
//! Forms are protected twice against cross-site forgery: the session guard refuses a
//! state change carried by the cookie from another site (`Sec-Fetch-Site`/`Origin`), and
//! every form carries a hidden `csrf` field that must equal the value of a private
//! (encrypted, authenticated) cookie of this browser — a page of another site can neither
//! read nor forge it.
//!
//! A page refused for want of a session answers 401 with the sign-in form (which comes
//! back to the page); a wrong role answers 403. See docs/ARCHITECTURE.md §12.

use maud::{Markup, html};
use rocket::http::{Cookie, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Redirect, Responder};

use super::i18n::{Lang, words};
use super::layout;
use crate::app::App;
use crate::auth::AuthError;
use crate::db::models::Role;
use crate::error::{PublicError, UserFacing};
use crate::web::guards::{AuthUser, SignedIn};
use crate::web::security::loggable_path;

/// Name of the private cookie holding this browser's form token.
pub const CSRF_COOKIE: &str = "certcopy_csrf";

/// Name of the hidden field carrying the form token.
pub const CSRF_FIELD: &str = "csrf";

/// The person looking at a page.
pub struct Viewer {
    /// The page's language.
    pub lang: Lang,
    signed_in: Result<AuthUser, PublicError>,
    csrf: String,
    /// Path and query of this request (where signing in comes back to).
    pub here: String,
    /// Signing in through the identity provider is configured.
    pub oidc: bool,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Viewer {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let lang = Lang::of(request);
        let signed_in = match SignedIn::from_request(request).await {
            Outcome::Success(SignedIn(user)) => Ok(user),
            Outcome::Error((_, error)) => Err(error.public()),
            Outcome::Forward(_) => Err(AuthError::NotAuthenticated.public()),
        };
        let app = request.rocket().state::<App>();
        let secure = app.is_some_and(|app| app.config.base_url.starts_with("https://"));
        let oidc = app.is_some_and(|app| app.config.oidc.is_some());
        let jar = request.cookies();
        let csrf = match jar.get_private(CSRF_COOKIE) {
            Some(cookie) if !cookie.value().is_empty() => cookie.value().to_owned(),
            _ => {
                let token = crate::secrets::new_secret_token("");
                let cookie = Cookie::build((CSRF_COOKIE, token.clone()))
                    .path("/")
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .secure(secure)
                    .build();
                jar.add_private(cookie);
                token
            }
        };
        let here = request.uri().to_string();
        Outcome::Success(Viewer {
            lang,
            signed_in,
            csrf,
            here,
            oidc,
        })
    }
}

impl Viewer {
    /// The signed-in account, if any (not one that must still change a temporary
    /// password).
    pub fn user(&self) -> Option<&AuthUser> {
        self.signed_in
            .as_ref()
            .ok()
            .filter(|user| !user.password_change_required)
    }

    /// The signed-in account even when it must change its temporary password first.
    pub fn signed_in(&self) -> Option<&AuthUser> {
        self.signed_in.as_ref().ok()
    }

    /// The form token of this browser.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// The hidden form-token field of a form.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name=(CSRF_FIELD) value=(self.csrf); }
    }

    /// The signed-in account if its role is one of `roles`: else the sign-in form (401),
    /// the password change (a session opened with a temporary password), or 403.
    pub fn require(&self, roles: &[Role]) -> Result<&AuthUser, PageFailure> {
        let user = match &self.signed_in {
            Ok(user) => user,
            Err(public) if public.status == 401 => {
                return Err(PageFailure::Page(
                    Status::Unauthorized,
                    super::public::sign_in::sign_in_page(self, &self.here, "", &[]),
                ));
            }
            Err(public) => return Err(self.problem(public)),
        };
        if user.password_change_required {
            return Err(PageFailure::Redirect(Box::new(Redirect::to(
                "/account/password",
            ))));
        }
        if !roles.contains(&user.role()) {
            return Err(self.problem(&AuthError::Forbidden.public()));
        }
        Ok(user)
    }

    /// Checks the form token sent with a form (403 when it is not this browser's).
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageFailure> {
        if same_bytes(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(self.problem(&PublicError::new(
                403,
                "form_expired",
                "Biểu mẫu đã hết hạn hoặc không gửi từ trang này. Hãy tải lại trang và thử lại."
                    .into(),
                "The form has expired or was not sent from this site. Reload the page and try again."
                    .into(),
            )))
        }
    }

    /// The fields of a posted form, or a 422 page when it could not be read (a field
    /// missing or malformed: only a hand-made request sends one).
    pub fn form<T>(&self, posted: Posted<'_, T>) -> Result<T, PageFailure> {
        posted
            .map(rocket::form::Form::into_inner)
            .map_err(|errors| {
                tracing::debug!(page = %loggable_path(&self.here), "form refused: {errors}");
                self.problem(&PublicError::new(
                    422,
                    "invalid_form",
                    "Biểu mẫu gửi lên không đầy đủ. Hãy tải lại trang và thử lại.".into(),
                    "The form sent is incomplete. Reload the page and try again.".into(),
                ))
            })
    }

    /// A page telling what went wrong, with the status of `public` (5xx are logged).
    pub fn problem(&self, public: &PublicError) -> PageFailure {
        let status = Status::from_code(public.status).unwrap_or(Status::InternalServerError);
        if status.code >= 500 {
            tracing::error!(page = %loggable_path(&self.here), code = public.code, "page failed: {}", public.message_en);
        }
        let lang = self.lang;
        let title = if status.code >= 500 {
            lang.t(words::UNAVAILABLE_TITLE)
        } else {
            lang.t(words::PROBLEM_TITLE)
        };
        PageFailure::Page(
            status,
            layout::page(
                self,
                title,
                html! {
                    h1 { (title) }
                    p.bad { (lang.pick(&public.message_vi, &public.message_en)) }
                    p { a href="/" { (lang.t(words::BACK_HOME)) } }
                },
            ),
        )
    }

    /// The page of a domain error.
    pub fn error<E: UserFacing>(&self, error: &E) -> PageFailure {
        self.problem(&error.public())
    }
}

/// Equal byte strings, compared in time independent of where they differ.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A page that did not come out as asked: another page with its status, or a redirect.
pub enum PageFailure {
    /// A page (sign-in form, refusal, error) with its status.
    Page(Status, Markup),
    /// Go elsewhere.
    Redirect(Box<Redirect>),
}

impl<'r> Responder<'r, 'static> for PageFailure {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            PageFailure::Page(status, markup) => (status, markup).respond_to(request),
            PageFailure::Redirect(redirect) => redirect.respond_to(request),
        }
    }
}

/// A posted form as a data guard that always lets the handler run, so that the handler
/// checks who is asking before it says anything about the form ([`Viewer::form`]).
pub type Posted<'r, T> = Result<rocket::form::Form<T>, rocket::form::Errors<'r>>;

/// What a page handler answers.
pub type PageResult = Result<Markup, PageFailure>;

#[cfg(test)]
mod tests {
    use super::same_bytes;

    #[test]
    fn tokens_compare_whole() {
        assert!(same_bytes(b"abc", b"abc"));
        assert!(!same_bytes(b"abc", b"abd"));
        assert!(!same_bytes(b"abc", b"ab"));
        assert!(!same_bytes(b"", b"a"));
    }
}
