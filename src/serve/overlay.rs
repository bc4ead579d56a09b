//! The error overlay: the problems of the latest build as an HTML fragment laid over
//! every open page. Errors cover the page (the build failed and the last good one is
//! shown underneath); warnings and the live snippet findings alone sit in a panel at
//! the bottom. The fragment carries its own styles, so it looks the same whatever the
//! theme.

use crate::error::Diagnostic;
use crate::markdown::escape_html;

use super::live::LiveSnippet;
use super::state::Problems;

/// The id of the overlay's element; live.js replaces the element by this id.
pub const OVERLAY_ID: &str = "gen-serve-overlay";

/// The overlay for `problems`, or "" when there are none.
pub fn render_overlay(problems: &Problems) -> String {
    let findings = problems.snippet_findings();
    if problems.errors.is_empty() && problems.warnings.is_empty() && findings == 0 {
        return String::new();
    }
    let blocking = !problems.errors.is_empty();
    let frame = if blocking {
        "position:fixed;inset:0;overflow:auto;background:rgba(17,17,17,.94);padding:2rem 1rem"
    } else {
        "position:fixed;left:0;right:0;bottom:0;max-height:40vh;overflow:auto;background:rgba(17,17,17,.94);padding:1rem;border-top:3px solid #e5b400"
    };
    let mut html = format!(
        "<div id=\"{OVERLAY_ID}\" role=\"alert\" data-errors=\"{}\" data-warnings=\"{}\" data-findings=\"{findings}\" style=\"{frame};z-index:2147483647;color:#eee;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\n<div style=\"max-width:62rem;margin:0 auto\">\n",
        problems.errors.len(),
        problems.warnings.len()
    );
    html.push_str(&format!(
        "<button type=\"button\" onclick=\"this.closest('#{OVERLAY_ID}').remove()\" style=\"float:right;font:inherit;background:#333;color:#eee;border:1px solid #666;border-radius:4px;padding:.2rem .6rem;cursor:pointer\">Dismiss</button>\n"
    ));
    if blocking {
        let n = problems.errors.len();
        html.push_str(&format!(
            "<p style=\"margin:0 0 .3rem;font-size:1.3em;font-weight:bold;color:#ff6b6b\">Build failed: {n} error{}</p>\n\
             <p style=\"margin:0 0 1rem;color:#bbb\">gen serve is showing the last good build. Fix the file and save; this page updates by itself.</p>\n",
            if n == 1 { "" } else { "s" }
        ));
        push_list(&mut html, "error", "#ff6b6b", &problems.errors);
    }
    if !problems.warnings.is_empty() {
        let n = problems.warnings.len();
        html.push_str(&format!(
            "<p style=\"margin:.5rem 0;font-weight:bold;color:#e5b400\">{n} warning{}</p>\n",
            if n == 1 { "" } else { "s" }
        ));
        push_list(&mut html, "warning", "#e5b400", &problems.warnings);
    }
    if findings > 0 {
        html.push_str(&format!(
            "<p style=\"margin:.5rem 0;font-weight:bold;color:#e5b400\">{findings} snippet finding{} (live checks of snippets changed since their test)</p>\n",
            if findings == 1 { "" } else { "s" }
        ));
        push_snippets(&mut html, &problems.snippets);
    }
    html.push_str("</div>\n</div>\n");
    html
}

fn push_list(html: &mut String, kind: &str, color: &str, items: &[Diagnostic]) {
    html.push_str("<ol style=\"margin:0;padding:0;list-style:none\">\n");
    for d in items {
        html.push_str(&format!(
            "<li class=\"gen-serve-{kind}\" style=\"margin:0 0 1rem;padding:.6rem .8rem;background:#222;border-left:4px solid {color};border-radius:4px\">\
             <div class=\"gen-serve-location\" style=\"color:#8ab4f8\">{}</div>\
             <div class=\"gen-serve-message\" style=\"white-space:pre-wrap\">{kind}: {}</div>",
            escape_html(&d.location()),
            escape_html(&d.message)
        ));
        if let Some(help) = &d.help {
            html.push_str(&format!(
                "<div class=\"gen-serve-help\" style=\"color:#9c9\">help: {}</div>",
                escape_html(help)
            ));
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n");
}

/// Each finding of the live snippets, located in its Markdown file.
fn push_snippets(html: &mut String, snippets: &[LiveSnippet]) {
    html.push_str("<ol style=\"margin:0;padding:0;list-style:none\">\n");
    for snippet in snippets {
        for f in &snippet.findings {
            html.push_str(&format!(
                "<li class=\"gen-serve-finding\" data-snippet-id=\"{}\" style=\"margin:0 0 1rem;padding:.6rem .8rem;background:#222;border-left:4px solid #e5b400;border-radius:4px\">\
                 <div class=\"gen-serve-location\" style=\"color:#8ab4f8\">{}:{}:{}</div>\
                 <div class=\"gen-serve-message\" style=\"white-space:pre-wrap\">{} {}: {}</div>",
                escape_html(&snippet.id),
                escape_html(&snippet.file),
                f.line,
                f.column,
                escape_html(&f.check),
                escape_html(&f.code),
                escape_html(&f.message)
            ));
            if let Some(help) = &f.help {
                html.push_str(&format!(
                    "<div class=\"gen-serve-help\" style=\"color:#9c9\">fix: {}</div>",
                    escape_html(help)
                ));
            }
            html.push_str(&format!(
                "<div class=\"gen-serve-status\" style=\"color:#bbb\">{}: {}</div></li>\n",
                escape_html(&snippet.id),
                escape_html(&snippet.status)
            ));
        }
    }
    html.push_str("</ol>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_problems_no_overlay() {
        assert_eq!(render_overlay(&Problems::default()), "");
    }

    #[test]
    fn errors_show_location_message_and_help_escaped() {
        let d = Diagnostic::new("content/posts/a.md", 4, 1, "unknown field `<titel>`").with_help("fix the \"key\"");
        let html = render_overlay(&Problems { errors: vec![d], ..Problems::default() });
        assert!(html.contains("Build failed: 1 error"), "{html}");
        assert!(html.contains("content/posts/a.md:4:1"), "{html}");
        assert!(html.contains("error: unknown field `&lt;titel&gt;`"), "{html}");
        assert!(html.contains("help: fix the &quot;key&quot;"), "{html}");
        assert!(html.contains("data-errors=\"1\""));
    }

    #[test]
    fn warnings_alone_do_not_cover_the_page() {
        let html = render_overlay(&Problems {
            warnings: vec![Diagnostic::file("static/x", "outside")],
            ..Problems::default()
        });
        assert!(html.contains("1 warning") && !html.contains("Build failed"), "{html}");
        assert!(html.contains("bottom:0") && !html.contains("inset:0"), "{html}");
    }
}
