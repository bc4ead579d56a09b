//! gen: a static-site generator for technical blogs whose shell snippets are indexed
//! and tested.
//!
//! The pipeline reads top-down, and dependencies point down this list only:
//! [`config`] → [`content`] → [`markdown`] → [`site`] → [`render`] → [`output`].
//! [`pipeline`] runs the stages in order; [`serve`] serves them live; [`cmd`] parses the
//! command line and calls them.
//!
//! Leaves that any stage may use: [`error`] (located diagnostics), [`shell`] (a shell
//! parser for snippets) and [`requirement`] ("requires docker 1.3+"). [`snippets`] is
//! the index built from what [`markdown`] extracted.
//! [`alloc`] sets up the binary's memory allocator.

pub mod alloc;
pub mod check;
pub mod cmd;
pub mod config;
pub mod content;
pub mod error;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod requirement;
pub mod serve;
pub mod shell;
pub mod site;
pub mod snippets;
