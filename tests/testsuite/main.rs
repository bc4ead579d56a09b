//! The integration test suite: every test builds a site in a temporary folder with the
//! real `gen` binary and checks what it wrote, printed and returned.

mod harness;

mod broken_posts;
mod build;
mod docs;
mod e2e;
mod errors;
mod front_matter_yaml;
mod gen_test;
mod interrupted;
mod module_graph;
mod new_site;
mod serve;
mod serve_stress;
mod site_aliases;
mod site_feeds;
mod site_links;
mod site_scheduled;
mod site_structure;
mod site_validation;
mod snippets;
mod test_results;
mod theme_contrast;
mod theme_pages;

mod check_support;

mod check_alarms;
mod check_args;
mod check_engine;
mod check_evidence;
mod check_lint;
mod check_requirements;
mod check_runs;
mod check_sandbox;
mod check_shellcheck;
