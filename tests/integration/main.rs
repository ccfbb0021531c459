//! Integration tests: the whole service through Rocket's local client, on SQLite and
//! (when `CERTCOPY_TEST_DATABASE_URL` is set) PostgreSQL.
// Test helpers (outside `#[test]` functions) unwrap freely: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

mod accounts;
mod admin;
mod admin_pages;
mod agency_pages;
mod booking;
mod browser;
mod crash;
mod dossiers;
mod hardening;
mod health;
mod identity;
mod issuing;
mod jobs;
mod journey;
mod lifecycle;
mod limits;
mod long_term;
mod office_day;
mod office_pages;
mod official_grants;
mod oidc;
mod openapi;
mod pages;
mod pkcs11;
mod pki_fixtures;
mod register;
mod register_book;
mod register_pages;
mod role_matrix;
mod roles;
mod signature_appearance;
mod storage;
mod throttling;
mod timestamping;
mod topology;
mod transparency;
mod validators;
mod verifying;
mod wallet;
mod webhooks;
