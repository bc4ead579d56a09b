//! The integration test suite: every test builds a site in a temporary folder with the
//! real `gen` binary and checks what it wrote, printed and returned.

mod harness;

mod build;
mod errors;
mod snippets;
