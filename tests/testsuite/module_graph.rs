//! The crate's module graph, read from `src/`: which top-level modules each one names
//! (`crate::x::…` and `use crate::{x, …}`, in code and in doc comments; plain `//`
//! comments are left out). Dependencies point one way: the graph has no cycle, only
//! `cmd` uses `check` (`gen test` is on top of the pipeline), and nothing uses `cmd`.
//!
//! `cargo test --test testsuite module_graph -- --nocapture` prints the edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module and the other top-level modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level modules that `text` names through `crate::`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            !line.starts_with("//") || line.starts_with("///") || line.starts_with("//!")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let ident_at = |s: &str| s.chars().take_while(|&c| is_ident(c)).collect::<String>();
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue; // `mycrate::`
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The first name of each item of the group, at its top level.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && is_ident(c) => {
                        names.insert(ident_at(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(ident_at(rest));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

/// The graph of the crate whose sources are in `src`.
fn module_graph(src: &Path) -> Graph {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if (path.is_dir() || path.extension().is_some_and(|e| e == "rs")) && name != "lib" && name != "main" {
            modules.insert(name);
        }
    }
    let mut graph: Graph = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for entry in walkdir::WalkDir::new(src).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = entry.path().strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        let Some(edges) = graph.get_mut(&module) else { continue }; // lib.rs, main.rs
        let text = std::fs::read_to_string(entry.path()).unwrap();
        edges.extend(named_modules(&text).into_iter().filter(|n| *n != module && modules.contains(n)));
    }
    graph
}

/// A cycle of the graph (its modules, the first one repeated at the end), if any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn edges(graph: &Graph) -> Vec<String> {
    graph.iter().flat_map(|(from, to)| to.iter().map(move |to| format!("{from} -> {to}"))).collect()
}

#[test]
fn the_crate_has_no_module_cycle_and_only_cmd_uses_check() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let edges = edges(&graph);
    println!("{}", edges.join("\n"));
    // The reader sees the crate: a few edges that are there by design.
    for edge in ["pipeline -> render", "check -> pipeline", "check -> results", "cmd -> check"] {
        assert!(edges.iter().any(|e| e == edge), "{edge} missing from:\n{}", edges.join("\n"));
    }
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle: {}", cycle.join(" -> "));
    }
    let users_of =
        |target: &str| -> Vec<&String> { graph.iter().filter(|(_, to)| to.contains(target)).map(|(m, _)| m).collect() };
    assert_eq!(users_of("check"), ["cmd"], "only cmd may use check (gen test is on top of the pipeline)");
    assert_eq!(users_of("cmd"), Vec::<&String>::new(), "nothing uses cmd");
}

#[test]
fn the_reader_sees_paths_use_groups_and_doc_links_and_finds_cycles() {
    let text = "use crate::{a, b::{c, d}, e::f as g};\nuse crate::h::i;\nlet x = crate::j::k();\n\
                // crate::plain_comment\n/// See [`x`](crate::doc::x).\nuse mycrate::no;\nuse crate::{\n    self,\n    l,\n};\n";
    let names: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(names, ["a", "b", "doc", "e", "h", "j", "l"]);

    let graph = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (from, to) in edges {
            g.entry(from.to_string()).or_default().insert(to.to_string());
            g.entry(to.to_string()).or_default();
        }
        g
    };
    assert_eq!(find_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "b")])).unwrap(), ["b", "c", "b"]);
}
