//! The certified-copy document: everything certcopy does to the bytes of a copy.
//!
//! - [`intake`] reads the clerk's scans (JPEG, PNG, scanner PDFs) into pages, refusing what
//!   cannot be a faithful scan of a paper original;
//! - [`assembly`] builds the copy PDF: every page at its true size, the certification
//!   statement of Decree 23/2015/NĐ-CP, the QR code and the verification code, metadata;
//!   [`assembly::claimed_code`] reads that code back;
//! - [`signing`] appends PAdES signatures (the official's certification, the office seal's
//!   approval) through a [`signing::Signer`] it is handed;
//! - [`verification`] checks every signature of any PDF strictly (ETSI EN 319 102-1 style
//!   report) under a [`verification::ValidationPolicy`] it is handed.
//!
//! Long work can be stopped by the caller through a [`cancel::Cancellation`] (a deadline,
//! a client that left): the crate asks it between steps and never reads a clock itself.
//!
//! What this crate never does: read or write files, open sockets, touch a database, read
//! the clock (times are parameters: the statement's date, the signing time, the
//! validation time) or keep global state; the only randomness is the ECDSA nonce inside
//! [`signing::Pkcs8Signer`]. It is pure functions over bytes, so the
//! compiler keeps the boundary, fuzz targets build without the service, and the verifier
//! can be built for other targets. The service (`certcopy`) supplies keys, trust material,
//! the register and storage; `docs/ARCHITECTURE.md` at the top of the repository says how
//! the pieces fit.
//!
//! The feature `test-support` adds [`intake::synthetic`]: generated scans for tests,
//! benchmarks and fuzzing.

pub mod assembly;
pub mod cancel;
mod font;
pub mod intake;
pub mod signing;
pub mod timestamp;
pub mod verification;
