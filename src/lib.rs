//! gen: a static-site generator for technical blogs whose shell snippets are indexed
//! and tested.
//!
//! The pipeline reads top-down, and dependencies point down this list only:
//! [`config`] → [`content`] → [`markdown`] → [`site`] → [`render`] → [`output`].
//! [`pipeline`] runs the stages in order; [`serve`] serves them live; [`cmd`] parses the
//! command line and calls them.

pub mod cmd;
pub mod config;
pub mod content;
pub mod error;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod serve;
pub mod requirement;
pub mod shell;
pub mod site;
pub mod snippets;
