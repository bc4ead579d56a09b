//! A memo of rendered pages for rebuilds: a page whose template name and context are
//! the same as in an earlier render is not rendered again. The key is a hash of the
//! serialized context, so whatever a template can see is part of it, and nothing that
//! a page depends on can be missed. Used by `gen serve`; `gen build` renders once and
//! goes without it.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

/// Rendered pages keyed by (template name, context) fingerprint.
#[derive(Default)]
pub struct RenderMemo {
    entries: Mutex<HashMap<u128, MemoEntry>>,
    /// The current render pass; entries not used in a pass are dropped after it.
    pass: AtomicU64,
    rendered: AtomicUsize,
}

struct MemoEntry {
    html: Arc<str>,
    last_pass: u64,
}

/// A 128-bit fingerprint of `name` and the JSON form of `context`.
pub fn fingerprint<C: Serialize>(name: &str, context: &C) -> Option<u128> {
    let mut sink = HashSink(Xxh3::new());
    sink.0.update(name.as_bytes());
    sink.0.update(&[0]);
    serde_json::to_writer(&mut sink, context).ok()?;
    Some(sink.0.digest128())
}

struct HashSink(Xxh3);

impl Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl RenderMemo {
    /// The page rendered earlier for `key`, if any; marks it as used in this pass.
    pub fn get(&self, key: u128) -> Option<String> {
        let pass = self.pass.load(Ordering::Relaxed);
        let mut entries = self.entries.lock().expect("render memo poisoned");
        let entry = entries.get_mut(&key)?;
        entry.last_pass = pass;
        Some(entry.html.to_string())
    }

    /// Records a fresh render of `key`.
    pub fn insert(&self, key: u128, html: &str) {
        self.rendered.fetch_add(1, Ordering::Relaxed);
        let last_pass = self.pass.load(Ordering::Relaxed);
        self.entries.lock().expect("render memo poisoned").insert(key, MemoEntry { html: Arc::from(html), last_pass });
    }

    /// Ends a render pass: forgets every page that the pass did not use, and starts the next.
    pub fn end_pass(&self) {
        let pass = self.pass.fetch_add(1, Ordering::Relaxed);
        self.entries.lock().expect("render memo poisoned").retain(|_, e| e.last_pass == pass);
    }

    /// How many pages were actually rendered (memo misses) since creation.
    pub fn render_count(&self) -> usize {
        self.rendered.load(Ordering::Relaxed)
    }

    /// How many pages are remembered.
    pub fn len(&self) -> usize {
        self.entries.lock().expect("render memo poisoned").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Cx<'a> {
        title: &'a str,
        n: usize,
    }

    #[test]
    fn fingerprint_covers_name_and_every_field() {
        let a = fingerprint("post.html", &Cx { title: "A", n: 1 }).unwrap();
        assert_eq!(a, fingerprint("post.html", &Cx { title: "A", n: 1 }).unwrap());
        assert_ne!(a, fingerprint("index.html", &Cx { title: "A", n: 1 }).unwrap());
        assert_ne!(a, fingerprint("post.html", &Cx { title: "B", n: 1 }).unwrap());
        assert_ne!(a, fingerprint("post.html", &Cx { title: "A", n: 2 }).unwrap());
    }

    #[test]
    fn unused_entries_are_dropped_after_a_pass() {
        let memo = RenderMemo::default();
        memo.insert(1, "one");
        memo.insert(2, "two");
        memo.end_pass();
        assert_eq!(memo.get(1).as_deref(), Some("one"));
        memo.end_pass();
        assert_eq!(memo.len(), 1);
        assert_eq!(memo.get(2), None);
        assert_eq!(memo.render_count(), 2);
    }
}
