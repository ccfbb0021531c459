//! Intake and assembly tests, checked with qpdf, pdftotext, pdftoppm + zbarimg, pdfimages.

mod assembly_pdf;
mod common;
mod intake_refusals;
