//! The readable form of the index for `gen snippets`: one aligned row per snippet.

use super::Entry;

/// Columns: id, kind (`console`, `script`, or how a console snippet was detected:
/// `console (unlabelled)`), tools, requires, status (with its versions and date, or
/// reason), location (`file:line`).
pub fn render_table(entries: &[&Entry]) -> String {
    let header = ["ID", "KIND", "TOOLS", "REQUIRES", "STATUS", "LOCATION"].map(String::from);
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            let s = &e.snippet;
            let requires = s.requires_text();
            [
                s.id.clone(),
                s.kind_label(),
                if s.tools.is_empty() { "-".into() } else { s.tools.join(",") },
                if requires.is_empty() { "-".into() } else { requires },
                s.status.label(),
                s.location(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!("{} snippet{}\n", rows.len(), if rows.len() == 1 { "" } else { "s" }));
    out
}
