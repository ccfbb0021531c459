//! Integration tests: the whole service through Rocket's local client, on SQLite and
//! (when `CERTCOPY_TEST_DATABASE_URL` is set) PostgreSQL.

mod common;

mod accounts;
mod admin;
mod booking;
mod crash;
mod health;
mod issuing;
mod pki_fixtures;
mod register;
mod roles;
mod validators;
mod verifying;
