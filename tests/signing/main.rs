//! Signing tests: PAdES signatures checked by pdfsig, pyHanko and qpdf; CMS attributes.

mod cms_attributes;
mod common;
mod pades;
