//! gen: a static-site generator for technical blogs whose shell snippets are indexed
//! and tested.
//!
//! The pipeline reads top-down, and each stage uses only those before it:
//! [`config`] → [`content`] → [`markdown`] → [`site`] → [`render`] → [`output`].
//! [`theme`] says where the templates and static files of [`render`] and [`output`] come
//! from: the site's `themes/<name>/`, or the default theme built into the binary.
//! [`pipeline`] runs the stages in order; [`serve`] serves them live. [`check`] (`gen
//! test`) is on top: it reads the site through [`pipeline`], and nothing below it uses
//! it. [`cmd`] parses the command line and calls [`pipeline`], [`serve`] and [`check`].
//!
//! Leaves that any stage may use: [`error`] (located diagnostics), [`shell`] (a shell
//! parser for snippets) and [`requirement`] ("requires docker 1.3+"). [`snippets`] is
//! the index built from what [`markdown`] extracted. [`results`] is the results file
//! (`snippet-results.toml`): `gen test` writes it, the build reads it; it uses
//! [`markdown`]'s snippet status types, and not [`check`]. [`evidence`] is what a
//! result says was checked (a leaf: `check` fills it in, the site shows it).
//! [`alloc`] sets up the binary's memory allocator.
//!
//! `tests/testsuite/module_graph.rs` reads `src/` and fails on a cycle between these
//! modules, or on a module other than [`cmd`] that uses [`check`].

pub mod alloc;
pub mod check;
pub mod cmd;
pub mod config;
pub mod content;
pub mod error;
pub mod evidence;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod requirement;
pub mod results;
pub mod scaffold;
pub mod serve;
pub mod shell;
pub mod site;
pub mod snippets;
pub mod theme;
