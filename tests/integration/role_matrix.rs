//! Every mounted route × every kind of caller: anonymous, the citizen who holds the records
//! (verified), an account that only claims the same citizen ID, another citizen, clerk and
//! official of the records' office, clerk and official of another office, an admin and an
//! agency. Each line of [`MATRIX`] says who gets through; everyone else must be refused
//! (401 without a credential, 403 or 404 with one). A route mounted without a line here
//! fails the test, so a new route cannot skip the matrix.
//!
//! "Gets through" means the answer is neither 401, 403 nor 404 (nor a server error): the
//! bodies sent are often incomplete on purpose, so a caller who passes the checks of role,
//! office and record gets 422 and nothing changes.

use std::collections::BTreeSet;

use certcopy::db::models::Role;
use rocket::http::{ContentType, Header, Method, Status};
use serde_json::{Value, json};

use crate::booking::support::{MONDAY_6AM, book, one_document, person};
use crate::common::{Backend, TestApp, bearer, read};
use crate::issuing::{FIELDS, office_with_official, post_issue, small_jpeg};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// The citizen who booked the appointment and holds the copy's citizen ID (verified).
    Holder,
    /// Another account claiming the holder's citizen ID, not verified.
    Claimant,
    /// A verified citizen with records of nobody here.
    OtherCitizen,
    /// Clerk of the office that keeps the records.
    Clerk,
    /// Official of that office (who issued the copy).
    Official,
    /// Clerk of another office.
    OtherClerk,
    /// Official of another office.
    OtherOfficial,
    Admin,
    Agency,
    /// A member of the agency's staff (password sign-in, the agency's pages).
    AgencyStaff,
}

use Who::*;

const EVERYONE: &[Who] = &[
    Anonymous,
    Holder,
    Claimant,
    OtherCitizen,
    Clerk,
    Official,
    OtherClerk,
    OtherOfficial,
    Admin,
    Agency,
    AgencyStaff,
];
const SIGNED_IN: &[Who] = &[
    Holder,
    Claimant,
    OtherCitizen,
    Clerk,
    Official,
    OtherClerk,
    OtherOfficial,
    Admin,
    Agency,
    AgencyStaff,
];
const CITIZENS: &[Who] = &[Holder, Claimant, OtherCitizen];
const DESK: &[Who] = &[Clerk, Official, OtherClerk, OtherOfficial];
const OFFICIALS: &[Who] = &[Official, OtherOfficial];
const ADMIN: &[Who] = &[Admin];
const AGENCY_STAFF: &[Who] = &[AgencyStaff];
/// Nobody gets through without the secret in the path (a wrong one is used here).
const NOBODY: &[Who] = &[];

/// What a line sends.
#[derive(Clone, Copy)]
enum Body {
    None,
    Json(&'static str),
    /// A page form (`application/x-www-form-urlencoded`).
    Form(&'static str),
    /// Bytes of a media type (`type/subtype`).
    Raw(&'static str, &'static [u8]),
}

/// One line: method, the mounted route as Rocket prints it, the path actually called
/// (placeholders filled from [`Records`]), the body, and who gets through.
struct Line {
    method: Method,
    route: &'static str,
    path: &'static str,
    body: Body,
    through: &'static [Who],
}

const fn line(
    method: Method,
    route: &'static str,
    path: &'static str,
    body: Body,
    through: &'static [Who],
) -> Line {
    Line {
        method,
        route,
        path,
        body,
        through,
    }
}

use Method::{Get, Post, Put};

/// The matrix. `{office}` is the records' office,
/// `{appointment}` the holder's appointment there, `{copy}` the copy issued there for the
/// holder, `{code}` its verification code, `{victim}` an account the admin acts on, `{agency}`
/// the agency account, `{key}` one of its keys, `{grant}` a pending official grant,
/// `{dossier}` a dossier of the agency.
/// Lines that change state come after the lines that read it.
const MATRIX: &[Line] = &[
    line(
        Get,
        "/api/v1/health",
        "/api/v1/health",
        Body::None,
        EVERYONE,
    ),
    line(
        Get,
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        Body::None,
        EVERYONE,
    ),
    // The register's transparency log: public.
    line(
        Get,
        "/api/v1/log/tree-head",
        "/api/v1/log/tree-head",
        Body::None,
        EVERYONE,
    ),
    line(
        Get,
        "/api/v1/log/key",
        "/api/v1/log/key",
        Body::None,
        EVERYONE,
    ),
    line(
        Get,
        "/api/v1/log/proof/<code>",
        "/api/v1/log/proof/{code}",
        Body::None,
        EVERYONE,
    ),
    line(
        Get,
        "/api/v1/log/consistency?<first>&<second>",
        "/api/v1/log/consistency?first=0&second=1",
        Body::None,
        EVERYONE,
    ),
    // The time-stamping authority: public (a body that is no request gets a rejection).
    line(
        Post,
        "/api/v1/timestamp",
        "/api/v1/timestamp",
        Body::Raw("application/timestamp-query", b"not a request"),
        EVERYONE,
    ),
    // The public pages.
    line(Get, "/", "/", Body::None, EVERYONE),
    line(
        Get,
        "/check?<code>",
        "/check?code=ABCD",
        Body::None,
        EVERYONE,
    ),
    line(
        Get,
        "/offices?<province>&<district>&<name>",
        "/offices?name=Ma",
        Body::None,
        EVERYONE,
    ),
    line(
        Get,
        "/offices/<office_id>",
        "/offices/{office}",
        Body::None,
        EVERYONE,
    ),
    line(Get, "/verify", "/verify", Body::None, EVERYONE),
    // A page anyone may post a file to (rate-limited); the body here is no form.
    line(Post, "/verify", "/verify", Body::Json("{}"), EVERYONE),
    line(
        Get,
        "/lang/<code>?<next>",
        "/lang/en?next=/",
        Body::None,
        EVERYONE,
    ),
    // The wallet and shares (bodies incomplete on purpose: nothing is shared or redeemed).
    line(
        Get,
        "/api/v1/me/wallet",
        "/api/v1/me/wallet",
        Body::None,
        &[Holder, OtherCitizen],
    ),
    line(
        Get,
        "/api/v1/me/wallet/<id>",
        "/api/v1/me/wallet/{copy}",
        Body::None,
        &[Holder],
    ),
    line(
        Post,
        "/api/v1/me/wallet/<id>/shares",
        "/api/v1/me/wallet/{copy}/shares",
        Body::Json(r#"{"purpose": ""}"#),
        &[Holder],
    ),
    line(
        Post,
        "/api/v1/me/shares/<id>/revoke",
        "/api/v1/me/shares/00000000-0000-4000-8000-000000000000/revoke",
        Body::None,
        NOBODY,
    ),
    line(
        Get,
        "/api/v1/agencies",
        "/api/v1/agencies",
        Body::None,
        SIGNED_IN,
    ),
    line(
        Post,
        "/api/v1/shares/redeem",
        "/api/v1/shares/redeem",
        Body::Json("{}"),
        &[Agency],
    ),
    line(
        Post,
        "/api/v1/shares/pdf",
        "/api/v1/shares/pdf",
        Body::Json("{}"),
        &[Agency],
    ),
    line(
        Put,
        "/api/v1/agency/webhook",
        "/api/v1/agency/webhook",
        Body::Json("{}"),
        &[Agency],
    ),
    // Agency dossiers (a dossier of nobody here: the agency itself gets 404 for one).
    line(
        Get,
        "/api/v1/dossiers",
        "/api/v1/dossiers",
        Body::None,
        &[Agency],
    ),
    line(
        Post,
        "/api/v1/dossiers",
        "/api/v1/dossiers",
        Body::Json("{}"),
        &[Agency],
    ),
    line(
        Get,
        "/api/v1/dossiers/<id>",
        "/api/v1/dossiers/00000000-0000-4000-8000-000000000000",
        Body::None,
        NOBODY,
    ),
    line(
        Post,
        "/api/v1/dossiers/<id>/documents",
        "/api/v1/dossiers/00000000-0000-4000-8000-000000000000/documents",
        Body::Json("{}"),
        NOBODY,
    ),
    line(
        Post,
        "/api/v1/dossiers/<id>/reverify",
        "/api/v1/dossiers/00000000-0000-4000-8000-000000000000/reverify",
        Body::None,
        NOBODY,
    ),
    // Signing in and out (forms sent empty are refused as incomplete, nothing changes).
    line(
        Get,
        "/login?<next>",
        "/login?next=/me",
        Body::None,
        EVERYONE,
    ),
    line(Post, "/login", "/login", Body::Form(""), EVERYONE),
    line(Post, "/logout", "/logout", Body::Form(""), EVERYONE),
    line(Get, "/register", "/register", Body::None, EVERYONE),
    line(Post, "/register", "/register", Body::Form(""), EVERYONE),
    line(
        Get,
        "/account/password",
        "/account/password",
        Body::None,
        SIGNED_IN,
    ),
    line(
        Post,
        "/account/password",
        "/account/password",
        Body::Form(""),
        SIGNED_IN,
    ),
    // The citizen's pages.
    line(Get, "/me", "/me", Body::None, CITIZENS),
    line(Get, "/me/identity", "/me/identity", Body::None, CITIZENS),
    line(
        Post,
        "/me/identity",
        "/me/identity",
        Body::Form(""),
        CITIZENS,
    ),
    line(
        Get,
        "/me/copies",
        "/me/copies",
        Body::None,
        &[Holder, OtherCitizen],
    ),
    line(
        Get,
        "/me/copies/<id>",
        "/me/copies/{copy}",
        Body::None,
        &[Holder],
    ),
    line(
        Post,
        "/me/copies/<id>/shares",
        "/me/copies/{copy}/shares",
        Body::Form(""),
        &[Holder],
    ),
    line(
        Post,
        "/me/shares/<id>/revoke",
        "/me/shares/00000000-0000-4000-8000-000000000000/revoke",
        Body::Form(""),
        NOBODY,
    ),
    line(
        Get,
        "/me/appointments/<id>",
        "/me/appointments/{appointment}",
        Body::None,
        &[Holder],
    ),
    line(
        Get,
        "/me/appointments/<id>/reschedule?<day>",
        "/me/appointments/{appointment}/reschedule",
        Body::None,
        &[Holder],
    ),
    line(
        Post,
        "/me/appointments/<id>/reschedule",
        "/me/appointments/{appointment}/reschedule",
        Body::Form(""),
        &[Holder],
    ),
    line(
        Post,
        "/me/appointments/<id>/cancel",
        "/me/appointments/{appointment}/cancel",
        Body::Form(""),
        &[Holder],
    ),
    line(
        Get,
        "/book/<office>?<day>",
        "/book/{office}",
        Body::None,
        CITIZENS,
    ),
    line(
        Get,
        "/book/<office>/documents?<slot>",
        "/book/{office}/documents?slot=2026-03-02T08:00:00%2B07:00",
        Body::None,
        CITIZENS,
    ),
    line(
        Post,
        "/book/<office>/estimate",
        "/book/{office}/estimate",
        Body::Form(""),
        CITIZENS,
    ),
    line(
        Post,
        "/book/<office>/confirm",
        "/book/{office}/confirm",
        Body::Form(""),
        CITIZENS,
    ),
    // The desk's pages.
    line(Get, "/desk?<date>", "/desk", Body::None, DESK),
    line(
        Post,
        "/desk/check-in",
        "/desk/check-in",
        Body::Form(""),
        DESK,
    ),
    line(
        Post,
        "/desk/identity",
        "/desk/identity",
        Body::Form(""),
        DESK,
    ),
    line(Get, "/desk/walk-in", "/desk/walk-in", Body::None, DESK),
    line(Post, "/desk/walk-in", "/desk/walk-in", Body::Form(""), DESK),
    line(
        Get,
        "/desk/requests/<id>",
        "/desk/requests/{request}",
        Body::None,
        &[Clerk, Official],
    ),
    line(
        Get,
        "/desk/requests/<id>/scans/<position>/thumbnail?<large>",
        "/desk/requests/{request}/scans/1/thumbnail",
        Body::None,
        &[Clerk, Official],
    ),
    line(
        Post,
        "/desk/requests/<id>/scans",
        "/desk/requests/{request}/scans",
        Body::Form(""),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/desk/requests/<id>/order",
        "/desk/requests/{request}/order",
        Body::Form(""),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/desk/requests/<id>/hand-over",
        "/desk/requests/{request}/hand-over",
        Body::Form(""),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/desk/requests/<id>/refuse",
        "/desk/requests/{request}/refuse",
        Body::Form(""),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/desk/requests/<id>/payment",
        "/desk/requests/{request}/payment",
        Body::Form(""),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/desk/requests/<id>/withdraw",
        "/desk/requests/{request}/withdraw",
        Body::Form(""),
        &[Clerk, Official],
    ),
    // The official's pages.
    line(Get, "/review", "/review", Body::None, OFFICIALS),
    line(
        Post,
        "/review/certify-batch",
        "/review/certify-batch",
        Body::Form(""),
        OFFICIALS,
    ),
    line(
        Get,
        "/review/<id>",
        "/review/{request}",
        Body::None,
        &[Official],
    ),
    line(
        Post,
        "/review/<id>/certify",
        "/review/{request}/certify",
        Body::Form(""),
        &[Official],
    ),
    line(
        Post,
        "/review/<id>/send-back",
        "/review/{request}/send-back",
        Body::Form(""),
        &[Official],
    ),
    // The administrator's pages (forms sent empty are refused as incomplete).
    line(
        Get,
        "/admin?<name>&<district>&<province>&<done>",
        "/admin",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/admin/offices",
        "/admin/offices",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Get,
        "/admin/offices/<id>?<done>",
        "/admin/offices/{office}",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/admin/offices/<id>/calendar",
        "/admin/offices/{office}/calendar",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/offices/<id>/closures",
        "/admin/offices/{office}/closures",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/offices/<id>/closures/remove",
        "/admin/offices/{office}/closures/remove",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/offices/<id>/practice",
        "/admin/offices/{office}/practice",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/offices/<id>/head",
        "/admin/offices/{office}/head",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Get,
        "/admin/staff?<office>&<done>",
        "/admin/staff",
        Body::None,
        ADMIN,
    ),
    line(Post, "/admin/staff", "/admin/staff", Body::Form(""), ADMIN),
    line(
        Post,
        "/admin/grants/<id>/approve",
        "/admin/grants/{grant}/approve",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/grants/<id>/refuse",
        "/admin/grants/{grant}/refuse",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Get,
        "/admin/accounts/<id>?<done>",
        "/admin/accounts/{victim}",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/admin/accounts/<id>/disable",
        "/admin/accounts/{victim}/disable",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/accounts/<id>/enable",
        "/admin/accounts/{victim}/enable",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/accounts/<id>/sessions/end",
        "/admin/accounts/{victim}/sessions/end",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/accounts/<id>/password-reset",
        "/admin/accounts/{victim}/password-reset",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/accounts/<id>/official-grant",
        "/admin/accounts/{victim}/official-grant",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Get,
        "/admin/agencies?<done>",
        "/admin/agencies",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/admin/agencies",
        "/admin/agencies",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Get,
        "/admin/agencies/<id>?<done>",
        "/admin/agencies/{agency}",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/admin/agencies/<id>/keys",
        "/admin/agencies/{agency}/keys",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Post,
        "/admin/agencies/<id>/staff",
        "/admin/agencies/{agency}/staff",
        Body::Form(""),
        ADMIN,
    ),
    // The agency's pages, for its staff.
    line(Get, "/agency", "/agency", Body::None, AGENCY_STAFF),
    line(
        Post,
        "/agency/dossiers",
        "/agency/dossiers",
        Body::Form(""),
        AGENCY_STAFF,
    ),
    line(
        Get,
        "/agency/dossiers/<id>?<done>",
        "/agency/dossiers/{dossier}",
        Body::None,
        AGENCY_STAFF,
    ),
    line(
        Post,
        "/agency/dossiers/<id>/documents",
        "/agency/dossiers/{dossier}/documents",
        Body::Form(""),
        AGENCY_STAFF,
    ),
    line(
        Post,
        "/agency/dossiers/<id>/upload",
        "/agency/dossiers/{dossier}/upload",
        Body::Form(""),
        AGENCY_STAFF,
    ),
    line(
        Post,
        "/agency/dossiers/<id>/reverify",
        "/agency/dossiers/{dossier}/reverify",
        Body::Form(""),
        AGENCY_STAFF,
    ),
    line(
        Post,
        "/admin/agencies/<id>/keys/<key>/revoke",
        "/admin/agencies/{agency}/keys/{key}/revoke",
        Body::Form(""),
        ADMIN,
    ),
    line(
        Get,
        "/admin/audit?<actor>&<office>&<action>&<from>&<to>&<before>",
        "/admin/audit",
        Body::None,
        ADMIN,
    ),
    // The register book: the office's officials (another office's official does not
    // find this office's line).
    line(
        Get,
        "/register-book?<number>&<requester>&<title>&<from>&<to>&<status>&<page>",
        "/register-book",
        Body::None,
        OFFICIALS,
    ),
    line(
        Get,
        "/register-book/exports",
        "/register-book/exports",
        Body::None,
        OFFICIALS,
    ),
    line(
        Get,
        "/register-book/statistics?<from>&<to>",
        "/register-book/statistics",
        Body::None,
        OFFICIALS,
    ),
    line(
        Get,
        "/register-book/<id>",
        "/register-book/{copy}",
        Body::None,
        &[Official],
    ),
    line(
        Post,
        "/register-book/<id>/annul",
        "/register-book/{copy}/annul",
        Body::Form(""),
        &[Official],
    ),
    line(
        Get,
        "/assets/page.css",
        "/assets/page.css",
        Body::None,
        EVERYONE,
    ),
    line(
        Post,
        "/api/v1/auth/register",
        "/api/v1/auth/register",
        Body::Json("{}"),
        EVERYONE,
    ),
    line(
        Post,
        "/api/v1/auth/login",
        "/api/v1/auth/login",
        Body::Json("{}"),
        EVERYONE,
    ),
    // The identity provider is not configured here: nobody gets through.
    line(
        Get,
        "/api/v1/auth/oidc/start",
        "/api/v1/auth/oidc/start",
        Body::None,
        NOBODY,
    ),
    line(
        Get,
        "/api/v1/auth/oidc/callback?<code>&<state>&<error>&<error_description>&<iss>",
        "/api/v1/auth/oidc/callback?state=x&code=y",
        Body::None,
        NOBODY,
    ),
    line(Get, "/api/v1/me", "/api/v1/me", Body::None, SIGNED_IN),
    // Everyone signed in reaches their own password (an agency is then told it has none).
    line(
        Post,
        "/api/v1/me/password",
        "/api/v1/me/password",
        Body::Json("{}"),
        SIGNED_IN,
    ),
    line(
        Post,
        "/api/v1/me/identity/code",
        "/api/v1/me/identity/code",
        Body::None,
        &[Holder, Claimant, OtherCitizen],
    ),
    // Offices and slots are public.
    line(
        Get,
        "/api/v1/offices?<province>&<district>&<name>",
        "/api/v1/offices",
        Body::None,
        EVERYONE,
    ),
    line(
        Get,
        "/api/v1/offices/<office_id>/slots?<from>&<to>",
        "/api/v1/offices/{office}/slots",
        Body::None,
        EVERYONE,
    ),
    // An office's calendar: its officials and admins.
    line(
        Get,
        "/api/v1/offices/<office_id>/calendar",
        "/api/v1/offices/{office}/calendar",
        Body::None,
        &[Official, Admin],
    ),
    line(
        Put,
        "/api/v1/offices/<office_id>/calendar",
        "/api/v1/offices/{office}/calendar",
        Body::Json("[]"),
        &[Official, Admin],
    ),
    // The register book: the office's officials; its statistics also admins.
    line(
        Get,
        "/api/v1/offices/<office_id>/register?<number>&<from>&<to>&<requester>&<title>&<status>&<page>&<per_page>",
        "/api/v1/offices/{office}/register",
        Body::None,
        &[Official],
    ),
    line(
        Get,
        "/api/v1/offices/<office_id>/register/export?<year>&<month>&<format>",
        "/api/v1/offices/{office}/register/export?year=2026&format=csv",
        Body::None,
        &[Official],
    ),
    line(
        Get,
        "/api/v1/offices/<office_id>/register/archives",
        "/api/v1/offices/{office}/register/archives",
        Body::None,
        &[Official],
    ),
    line(
        Get,
        "/api/v1/offices/<office_id>/register/archives/<period>",
        "/api/v1/offices/{office}/register/archives/2026-13",
        Body::None,
        &[Official],
    ),
    line(
        Get,
        "/api/v1/offices/<office_id>/statistics?<from>&<to>",
        "/api/v1/offices/{office}/statistics",
        Body::None,
        &[Official, Admin],
    ),
    // Copies: the register's public status by code; the PDF for the office's staff and the
    // verified holder; annulment by the office's official.
    line(
        Get,
        "/api/v1/copies/by-code/<code>",
        "/api/v1/copies/by-code/{code}",
        Body::None,
        EVERYONE,
    ),
    line(Get, "/v/<code>", "/v/{code}", Body::None, EVERYONE),
    line(
        Get,
        "/api/v1/copies/<id>/pdf",
        "/api/v1/copies/{copy}/pdf",
        Body::None,
        &[Holder, Clerk, Official],
    ),
    line(
        Get,
        "/api/v1/copies/mine",
        "/api/v1/copies/mine",
        Body::None,
        &[Holder, OtherCitizen],
    ),
    line(
        Post,
        "/api/v1/copies/<id>/annul",
        "/api/v1/copies/{copy}/annul",
        Body::Json(r#"{"reason":"Cấp nhầm (thử)"}"#),
        &[Official],
    ),
    line(
        Post,
        "/api/v1/copies",
        "/api/v1/copies",
        Body::Json("{}"),
        OFFICIALS,
    ),
    // Verification is open to anyone (rate-limited) and to agencies; the body is no PDF.
    line(
        Post,
        "/api/v1/verifications",
        "/api/v1/verifications",
        Body::Json("{}"),
        EVERYONE,
    ),
    line(Post, "/v/<code>", "/v/{code}", Body::Json("{}"), EVERYONE),
    // Appointments: the holder's own; the office's desk sees it, another office does not.
    line(
        Get,
        "/api/v1/appointments/mine",
        "/api/v1/appointments/mine",
        Body::None,
        CITIZENS,
    ),
    line(
        Get,
        "/api/v1/appointments/<path>",
        "/api/v1/appointments/{appointment}",
        Body::None,
        &[Holder, Clerk, Official],
    ),
    line(
        Get,
        "/api/v1/appointments/<path>",
        "/api/v1/appointments/{appointment}.ics",
        Body::None,
        &[Holder, Clerk, Official],
    ),
    line(
        Post,
        "/api/v1/appointments",
        "/api/v1/appointments",
        Body::Json("{}"),
        CITIZENS,
    ),
    line(
        Get,
        "/api/v1/appointments/by-token/<token>",
        "/api/v1/appointments/by-token/not-the-token",
        Body::None,
        NOBODY,
    ),
    line(
        Get,
        "/api/v1/appointments/by-token/<token>/calendar.ics",
        "/api/v1/appointments/by-token/not-the-token/calendar.ics",
        Body::None,
        NOBODY,
    ),
    line(
        Post,
        "/api/v1/appointments/by-token/<token>/cancel",
        "/api/v1/appointments/by-token/not-the-token/cancel",
        Body::None,
        NOBODY,
    ),
    line(
        Post,
        "/api/v1/appointments/by-token/<token>/reschedule",
        "/api/v1/appointments/by-token/not-the-token/reschedule",
        Body::Json("{\"slot_start\":\"2026-03-03T09:00:00+07:00\"}"),
        NOBODY,
    ),
    line(Get, "/a/<token>", "/a/not-the-token", Body::None, NOBODY),
    line(
        Get,
        "/a/<token>/reschedule?<day>",
        "/a/not-the-token/reschedule",
        Body::None,
        NOBODY,
    ),
    line(
        Post,
        "/a/<token>/reschedule",
        "/a/not-the-token/reschedule",
        Body::Form(""),
        NOBODY,
    ),
    line(
        Post,
        "/a/<token>/cancel",
        "/a/not-the-token/cancel",
        Body::Form(""),
        NOBODY,
    ),
    // The desk: each clerk and official works their own office's list.
    line(
        Get,
        "/api/v1/desk/appointments?<date>",
        "/api/v1/desk/appointments",
        Body::None,
        DESK,
    ),
    line(
        Post,
        "/api/v1/desk/check-in",
        "/api/v1/desk/check-in",
        Body::Json("{}"),
        DESK,
    ),
    line(
        Post,
        "/api/v1/desk/walk-ins",
        "/api/v1/desk/walk-ins",
        Body::Json("{}"),
        DESK,
    ),
    line(
        Post,
        "/api/v1/desk/identity-confirmations",
        "/api/v1/desk/identity-confirmations",
        Body::Json("{}"),
        DESK,
    ),
    line(
        Post,
        "/api/v1/desk/appointments/<id>/no-show",
        "/api/v1/desk/appointments/{appointment}/no-show",
        Body::None,
        &[Clerk, Official],
    ),
    line(
        Post,
        "/api/v1/desk/appointments/<id>/status",
        "/api/v1/desk/appointments/{appointment}/status",
        Body::Json("{\"status\":\"checked_in\"}"),
        &[Clerk, Official],
    ),
    // Certification requests: the records' office works its own; another office's staff
    // are not told they exist.
    line(
        Get,
        "/api/v1/desk/requests?<state>&<date>&<appointment>",
        "/api/v1/desk/requests",
        Body::None,
        DESK,
    ),
    line(
        Get,
        "/api/v1/desk/requests/<id>",
        "/api/v1/desk/requests/{request}",
        Body::None,
        &[Clerk, Official],
    ),
    line(
        Get,
        "/api/v1/desk/requests/<id>/scans/<position>",
        "/api/v1/desk/requests/{request}/scans/1",
        Body::None,
        &[Clerk, Official],
    ),
    line(
        Post,
        "/api/v1/desk/requests/<id>/scans",
        "/api/v1/desk/requests/{request}/scans",
        Body::Json("{}"),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/api/v1/desk/requests/<id>/scans/order",
        "/api/v1/desk/requests/{request}/scans/order",
        Body::Json("{}"),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/api/v1/desk/requests/<id>/hand-over",
        "/api/v1/desk/requests/{request}/hand-over",
        Body::Json("{}"),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/api/v1/desk/requests/<id>/refuse",
        "/api/v1/desk/requests/{request}/refuse",
        Body::Json("{}"),
        &[Clerk, Official],
    ),
    line(
        Post,
        "/api/v1/desk/requests/<id>/payment",
        "/api/v1/desk/requests/{request}/payment",
        Body::Json("{}"),
        &[Clerk, Official],
    ),
    line(
        Put,
        "/api/v1/desk/requests/<id>/fee",
        "/api/v1/desk/requests/{request}/fee",
        Body::Json("{}"),
        &[Official],
    ),
    line(
        Get,
        "/api/v1/review/queue",
        "/api/v1/review/queue",
        Body::None,
        OFFICIALS,
    ),
    // Not handed over: the official of the office is told so (409), nobody else passes.
    line(
        Post,
        "/api/v1/review/<id>/certify",
        "/api/v1/review/{request}/certify",
        Body::None,
        &[Official],
    ),
    line(
        Post,
        "/api/v1/review/certify-batch",
        "/api/v1/review/certify-batch",
        Body::Json("{}"),
        OFFICIALS,
    ),
    line(
        Post,
        "/api/v1/review/<id>/send-back",
        "/api/v1/review/{request}/send-back",
        Body::Json("{}"),
        &[Official],
    ),
    line(
        Get,
        "/api/v1/me/requests",
        "/api/v1/me/requests",
        Body::None,
        CITIZENS,
    ),
    // The notice of a refused request: the citizen it concerns and the office's staff.
    line(
        Get,
        "/api/v1/certification-requests/<id>/refusal-notice",
        "/api/v1/certification-requests/{refused}/refusal-notice",
        Body::None,
        &[Holder, Clerk, Official],
    ),
    // Withdrawing changes the request: last of its lines.
    line(
        Post,
        "/api/v1/desk/requests/<id>/withdraw",
        "/api/v1/desk/requests/{request}/withdraw",
        Body::None,
        &[Clerk, Official],
    ),
    line(
        Put,
        "/api/v1/admin/offices/<office_id>/practice",
        "/api/v1/admin/offices/{office}/practice",
        Body::Json("{}"),
        ADMIN,
    ),
    // The holder's own changes, after the desk lines.
    line(
        Post,
        "/api/v1/appointments/<id>/reschedule",
        "/api/v1/appointments/{appointment}/reschedule",
        Body::Json(r#"{"slot_start":"2026-03-03T09:00:00+07:00"}"#),
        &[Holder],
    ),
    line(
        Post,
        "/api/v1/appointments/<id>/cancel",
        "/api/v1/appointments/{appointment}/cancel",
        Body::None,
        &[Holder],
    ),
    // Administration.
    line(
        Get,
        "/api/v1/admin/audit?<limit>&<actor>&<office>&<action>&<from>&<to>&<before>",
        "/api/v1/admin/audit",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/offices",
        "/api/v1/admin/offices",
        Body::Json("{}"),
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/staff",
        "/api/v1/admin/staff",
        Body::Json("{}"),
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/agencies",
        "/api/v1/admin/agencies",
        Body::Json("{}"),
        ADMIN,
    ),
    line(
        Get,
        "/api/v1/admin/agencies/<agency_id>/api-keys",
        "/api/v1/admin/agencies/{agency}/api-keys",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/agencies/<agency_id>/api-keys",
        "/api/v1/admin/agencies/{agency}/api-keys",
        Body::Json("[]"),
        ADMIN,
    ),
    line(
        Put,
        "/api/v1/admin/offices/<office_id>/head",
        "/api/v1/admin/offices/{office}/head",
        Body::Json("{}"),
        ADMIN,
    ),
    // Signature images: an empty body is not a PNG (415) for whoever gets through.
    line(
        Put,
        "/api/v1/admin/offices/<office_id>/seal-image",
        "/api/v1/admin/offices/{office}/seal-image",
        Body::None,
        ADMIN,
    ),
    line(
        Put,
        "/api/v1/admin/officials/<user_id>/signature-image",
        "/api/v1/admin/officials/{victim}/signature-image",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/accounts/<user_id>/sessions/end",
        "/api/v1/admin/accounts/{victim}/sessions/end",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/accounts/<user_id>/password-reset",
        "/api/v1/admin/accounts/{victim}/password-reset",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/accounts/<user_id>/disable",
        "/api/v1/admin/accounts/{victim}/disable",
        Body::Json("{}"),
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/admin/accounts/<user_id>/enable",
        "/api/v1/admin/accounts/{victim}/enable",
        Body::None,
        ADMIN,
    ),
    // Four eyes: admins ask; a second admin or the office's head official decides.
    line(
        Get,
        "/api/v1/official-grants?<status>",
        "/api/v1/official-grants",
        Body::None,
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/official-grants",
        "/api/v1/official-grants",
        Body::Json("{}"),
        ADMIN,
    ),
    line(
        Post,
        "/api/v1/official-grants/<grant_id>/refuse",
        "/api/v1/official-grants/{grant}/refuse",
        Body::Json(r#"{"reason":"Chưa đủ điều kiện (thử)"}"#),
        &[Admin],
    ),
    line(
        Post,
        "/api/v1/official-grants/<grant_id>/approve",
        "/api/v1/official-grants/{grant}/approve",
        Body::Json("{}"),
        &[Admin],
    ),
    line(
        Post,
        "/api/v1/admin/agencies/<agency_id>/api-keys/<key_id>/revoke",
        "/api/v1/admin/agencies/{agency}/api-keys/{key}/revoke",
        Body::None,
        ADMIN,
    ),
    // Last: logging out ends the sessions used above (an API key has no session to end).
    line(
        Post,
        "/api/v1/auth/logout",
        "/api/v1/auth/logout",
        Body::None,
        &[
            Holder,
            Claimant,
            OtherCitizen,
            Clerk,
            Official,
            OtherClerk,
            OtherOfficial,
            Admin,
            AgencyStaff,
        ],
    ),
];

/// The records and ids the paths refer to.
struct Records {
    office: String,
    appointment: String,
    copy: String,
    code: String,
    victim: String,
    agency: String,
    key: String,
    grant: String,
    request: String,
    refused: String,
    dossier: String,
}

impl Records {
    fn fill(&self, path: &str) -> String {
        path.replace("{office}", &self.office)
            .replace("{appointment}", &self.appointment)
            .replace("{copy}", &self.copy)
            .replace("{code}", &self.code)
            .replace("{victim}", &self.victim)
            .replace("{agency}", &self.agency)
            .replace("{key}", &self.key)
            .replace("{grant}", &self.grant)
            .replace("{request}", &self.request)
            .replace("{refused}", &self.refused)
            .replace("{dossier}", &self.dossier)
    }
}

/// The holder's citizen ID, as `FIELDS` issues the copy to it.
const HOLDER_ID: &str = "079203001234";

async fn every_route_refuses_whom_it_must(backend: Backend) {
    let Some(app) = TestApp::builder(backend).build().await else {
        return;
    };
    app.app.booking.clock.freeze(MONDAY_6AM);

    // The records' office with its official (who issues the copy), another office.
    let (office, _official, official_token) =
        office_with_official(&app, "UBND Phường Ma Trận", "lanhdao.matran").await;
    let other_office = app.office("UBND Phường Bên Cạnh").await;
    let holder = person(&app, Role::Citizen, 3_001_234, None).await;
    app.mark_verified(HOLDER_ID).await;
    let claimant = person(&app, Role::Citizen, 3_001_234, None).await;
    let other_citizen = person(&app, Role::Citizen, 3_009_999, None).await;
    app.mark_verified("079203009999").await;
    let clerk = person(&app, Role::Clerk, 71, Some(&office.id)).await;
    let other_clerk = person(&app, Role::Clerk, 72, Some(&other_office.id)).await;
    let other_official = person(&app, Role::Official, 73, Some(&other_office.id)).await;
    let admin = person(&app, Role::Admin, 74, None).await;
    let victim = app.user(Role::Clerk, "nan.nhan", Some(&office.id)).await;

    let (status, copy) = post_issue(
        &app,
        &official_token,
        FIELDS,
        &[("scans", "a.jpg", &small_jpeg(1))],
    )
    .await;
    assert_eq!(status, Status::Created, "{copy}");
    let (status, booked) = book(
        &app,
        &holder.token,
        &office.id,
        "2026-03-02 09:00",
        one_document(),
    )
    .await;
    assert_eq!(status, Status::Created, "{booked}");
    let (status, agency) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": "Sở Tư pháp (ma trận)", "username": "so.matran"}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, Status::Created, "{agency}");
    let agency_key = agency["api_key"].as_str().unwrap().to_owned();
    let agency_id = agency["agency"]["id"].as_str().unwrap().to_owned();
    let (status, keys) = app
        .get(
            &format!("/api/v1/admin/agencies/{agency_id}/api-keys"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{keys}");
    let key_id = keys[0]["id"].as_str().unwrap().to_owned();
    // A member of the agency's staff, and a dossier of the agency.
    let (status, staff) = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "agency_staff", "username": "canbo.matran", "full_name": "Lê Văn Cơ",
                    "agency_id": agency_id, "password": crate::common::PASSWORD}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, Status::Created, "{staff}");
    let agency_staff_token = app.login("canbo.matran").await;
    let (status, dossier) = read(
        app.client
            .post("/api/v1/dossiers")
            .header(ContentType::JSON)
            .header(Header::new("X-Api-Key", agency_key.clone()))
            .body(r#"{"reference": "MT-1", "procedure": "Thủ tục", "applicant_name": "Nguyễn Văn An"}"#)
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{dossier}");
    // A pending grant requested by a second admin: the first admin decides it (the
    // office's official is not its head, so may not).
    let requester = person(&app, Role::Admin, 75, None).await;
    let (status, grant) = app
        .post_json(
            "/api/v1/official-grants",
            &json!({"user_id": victim.id, "position": "Phó Chủ tịch UBND phường"}),
            Some(&requester.token),
        )
        .await;
    assert_eq!(status, Status::Created, "{grant}");
    let grant_id = grant["id"].as_str().unwrap().to_owned();

    // A walk-in of the holder at the records' office the next day (one appointment per
    // office and day): one request scanned, one refused.
    app.app
        .booking
        .clock
        .freeze(MONDAY_6AM + time::Duration::days(1));
    let (status, walk_in) = app
        .post_json(
            "/api/v1/desk/walk-ins",
            &json!({
                "full_name": "Nguyễn Văn An",
                "citizen_id": HOLDER_ID,
                "documents": [
                    {"title": "Giấy khai sinh", "pages": 1, "copies": 1},
                    {"title": "Đơn tự viết", "pages": 1, "copies": 1},
                ],
            }),
            Some(&clerk.token),
        )
        .await;
    assert_eq!(status, Status::Created, "{walk_in}");
    let (status, requests) = app
        .get(
            &format!(
                "/api/v1/desk/requests?appointment={}",
                walk_in["appointment"]["id"].as_str().unwrap()
            ),
            Some(&clerk.token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{requests}");
    let request = requests[0]["id"].as_str().unwrap().to_owned();
    let refused = requests[1]["id"].as_str().unwrap().to_owned();
    let (content_type, body) =
        crate::issuing::multipart(&[], &[("scans", "1.jpg", &small_jpeg(1))]);
    let (status, scanned) = read(
        app.client
            .post(format!("/api/v1/desk/requests/{request}/scans"))
            .header(content_type)
            .header(bearer(&clerk.token))
            .body(body)
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{scanned}");
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/desk/requests/{refused}/refuse"),
            &json!({"ground": "unconfirmed_private_paper"}),
            Some(&clerk.token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{answer}");
    app.app.booking.clock.freeze(MONDAY_6AM);

    let records = Records {
        office: office.id.to_string(),
        appointment: booked["appointment"]["id"].as_str().unwrap().to_owned(),
        copy: copy["id"].as_str().unwrap().to_owned(),
        code: copy["code"].as_str().unwrap().to_owned(),
        victim: victim.id.to_string(),
        agency: agency_id,
        key: key_id,
        grant: grant_id,
        request,
        refused,
        dossier: dossier["id"].as_str().unwrap().to_owned(),
    };
    let credential = |who: Who| -> Option<Header<'static>> {
        match who {
            Anonymous => None,
            Holder => Some(bearer(&holder.token)),
            Claimant => Some(bearer(&claimant.token)),
            OtherCitizen => Some(bearer(&other_citizen.token)),
            Clerk => Some(bearer(&clerk.token)),
            Official => Some(bearer(&official_token)),
            OtherClerk => Some(bearer(&other_clerk.token)),
            OtherOfficial => Some(bearer(&other_official.token)),
            Admin => Some(bearer(&admin.token)),
            Agency => Some(Header::new("X-Api-Key", agency_key.clone())),
            AgencyStaff => Some(bearer(&agency_staff_token)),
        }
    };

    // Every mounted route has a line.
    let mounted: BTreeSet<String> = app
        .client
        .rocket()
        .routes()
        .map(|route| format!("{} {}", route.method, route.uri))
        .collect();
    let covered: BTreeSet<String> = MATRIX
        .iter()
        .map(|line| format!("{} {}", line.method, line.route))
        .collect();
    let missing: Vec<&String> = mounted.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without a line in the matrix: {missing:?}"
    );
    let stale: Vec<&String> = covered.difference(&mounted).collect();
    assert!(
        stale.is_empty(),
        "matrix lines for routes not mounted: {stale:?}"
    );

    let mut wrong = Vec::new();
    for line in MATRIX {
        let path = records.fill(line.path);
        // Those refused first, so a change made by one let through cannot hide a refusal.
        let order = EVERYONE
            .iter()
            .filter(|who| !line.through.contains(who))
            .chain(EVERYONE.iter().filter(|who| line.through.contains(who)));
        for &who in order {
            let mut request = app.client.req(line.method, path.clone());
            match line.body {
                Body::Json(text) => request = request.header(ContentType::JSON).body(text),
                Body::Form(text) => request = request.header(ContentType::Form).body(text),
                Body::Raw(media, bytes) => {
                    let (top, sub) = media.split_once('/').unwrap();
                    request = request.header(ContentType::new(top, sub)).body(bytes);
                }
                Body::None => {}
            }
            if let Some(header) = credential(who) {
                request = request.header(header);
            }
            let (status, body): (Status, Value) = read(request.dispatch().await).await;
            let refused = matches!(status.code, 401 | 403 | 404);
            let expected_through = line.through.contains(&who);
            let right = if expected_through {
                !refused && status.code < 500
            } else if who == Anonymous && line.through != NOBODY {
                status.code == 401
            } else {
                refused
            };
            if !right {
                wrong.push(format!(
                    "{} {path} as {who:?}: {status} {}",
                    line.method, body["error"]["code"]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers out of place:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[rocket::async_test]
async fn role_matrix_sqlite() {
    every_route_refuses_whom_it_must(Backend::Sqlite).await;
}

#[rocket::async_test]
async fn role_matrix_postgres() {
    every_route_refuses_whom_it_must(Backend::Postgres).await;
}
