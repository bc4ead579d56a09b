//! A memo of rendered pages for rebuilds: a page whose template name and context are
//! the same as in an earlier render is not rendered again. The key is a hash of the
//! serialized context, so whatever a template can see is part of it, and nothing that
//! a page depends on can be missed. Used by `gen serve`; `gen build` renders once and
//! goes without it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{ser, Serialize};
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

/// A 128-bit fingerprint of `name` and `context`, as serde sees it. Strings go into
/// the hash as they are (no JSON escaping: rendered post bodies are most of the bytes),
/// each value behind a tag and every string and sequence behind its length, so that
/// different contexts cannot feed the same bytes.
pub fn fingerprint<C: Serialize>(name: &str, context: &C) -> Option<u128> {
    let mut hasher = HashSerializer(Xxh3::new());
    hasher.str(name);
    context.serialize(&mut hasher).ok()?;
    Some(hasher.0.digest128())
}

/// A serde serializer that writes into an xxh3 hasher instead of a text.
struct HashSerializer(Xxh3);

impl HashSerializer {
    fn tag(&mut self, tag: u8) {
        self.0.update(&[tag]);
    }
    fn len(&mut self, len: usize) {
        self.0.update(&(len as u64).to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.tag(b's');
        self.len(s.len());
        self.0.update(s.as_bytes());
    }
}

#[derive(Debug)]
struct NotHashable(String);

impl std::fmt::Display for NotHashable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotHashable {}

impl ser::Error for NotHashable {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotHashable(msg.to_string())
    }
}

type HashResult = std::result::Result<(), NotHashable>;

macro_rules! hash_numbers {
    ($($method:ident: $ty:ty => $tag:literal),* $(,)?) => {
        $(fn $method(self, v: $ty) -> HashResult {
            self.tag($tag);
            self.0.update(&v.to_le_bytes());
            Ok(())
        })*
    };
}

impl ser::Serializer for &mut HashSerializer {
    type Ok = ();
    type Error = NotHashable;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    hash_numbers! {
        serialize_i8: i8 => b'1', serialize_i16: i16 => b'2', serialize_i32: i32 => b'3', serialize_i64: i64 => b'4',
        serialize_u8: u8 => b'5', serialize_u16: u16 => b'6', serialize_u32: u32 => b'7', serialize_u64: u64 => b'8',
        serialize_f32: f32 => b'9', serialize_f64: f64 => b'0', serialize_i128: i128 => b'I', serialize_u128: u128 => b'U',
    }

    fn serialize_bool(self, v: bool) -> HashResult {
        self.tag(if v { b'T' } else { b'F' });
        Ok(())
    }
    fn serialize_char(self, v: char) -> HashResult {
        self.tag(b'c');
        self.0.update(&(v as u32).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> HashResult {
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> HashResult {
        self.tag(b'b');
        self.len(v.len());
        self.0.update(v);
        Ok(())
    }
    fn serialize_none(self) -> HashResult {
        self.tag(b'n');
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> HashResult {
        self.tag(b'y');
        value.serialize(self)
    }
    fn serialize_unit(self) -> HashResult {
        self.tag(b'u');
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> HashResult {
        self.str(name);
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> HashResult {
        self.str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> HashResult {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> HashResult {
        self.str(variant);
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> std::result::Result<Self, NotHashable> {
        self.tag(b'[');
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> std::result::Result<Self, NotHashable> {
        self.tag(b'(');
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> std::result::Result<Self, NotHashable> {
        self.tag(b'(');
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> std::result::Result<Self, NotHashable> {
        self.str(variant);
        self.tag(b'(');
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> std::result::Result<Self, NotHashable> {
        self.tag(b'{');
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> std::result::Result<Self, NotHashable> {
        self.tag(b'{');
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> std::result::Result<Self, NotHashable> {
        self.str(variant);
        self.tag(b'{');
        Ok(self)
    }
}

/// Elements of sequences, tuples and maps: each behind a tag, the whole closed by one.
macro_rules! hash_compound {
    ($($trait:ident: $method:ident),* $(,)?) => {
        $(impl<'a> ser::$trait for &'a mut HashSerializer {
            type Ok = ();
            type Error = NotHashable;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> HashResult {
                self.tag(b',');
                value.serialize(&mut **self)
            }
            fn end(self) -> HashResult {
                self.tag(b'.');
                Ok(())
            }
        })*
    };
}

hash_compound! {
    SerializeSeq: serialize_element,
    SerializeTuple: serialize_element,
    SerializeTupleStruct: serialize_field,
    SerializeTupleVariant: serialize_field,
}

impl ser::SerializeMap for &mut HashSerializer {
    type Ok = ();
    type Error = NotHashable;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> HashResult {
        self.tag(b'k');
        key.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> HashResult {
        self.tag(b'v');
        value.serialize(&mut **self)
    }
    fn end(self) -> HashResult {
        self.tag(b'}');
        Ok(())
    }
}

macro_rules! hash_fields {
    ($($trait:ident),*) => {
        $(impl<'a> ser::$trait for &'a mut HashSerializer {
            type Ok = ();
            type Error = NotHashable;
            fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> HashResult {
                self.str(key);
                value.serialize(&mut **self)
            }
            fn skip_field(&mut self, key: &'static str) -> HashResult {
                self.str(key);
                self.tag(b'-');
                Ok(())
            }
            fn end(self) -> HashResult {
                self.tag(b'}');
                Ok(())
            }
        })*
    };
}

hash_fields!(SerializeStruct, SerializeStructVariant);

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

    #[derive(Serialize)]
    struct Pair<'a> {
        a: &'a str,
        b: &'a str,
        list: Vec<&'a str>,
        maybe: Option<u8>,
    }

    #[test]
    fn fingerprint_is_unambiguous() {
        let f = |a, b, list: Vec<&str>, maybe| fingerprint("t", &Pair { a, b, list, maybe }).unwrap();
        assert_ne!(f("ab", "", vec![], None), f("a", "b", vec![], None));
        assert_ne!(f("", "", vec!["ab"], None), f("", "", vec!["a", "b"], None));
        assert_ne!(f("", "", vec![], None), f("", "", vec![], Some(0)));
        assert_eq!(f("x", "y", vec!["z"], Some(1)), f("x", "y", vec!["z"], Some(1)));
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
