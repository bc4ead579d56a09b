//! `gen test`'s cache, outside the site: `$GEN_CACHE_DIR`, else `$XDG_CACHE_HOME/gen`,
//! else `~/.cache/gen`. Everything in it is a shortcut that is checked before use; delete
//! it at any time.
//!
//! - `versions.json`: each tool's version output, by the program's path, size and
//!   modification time ([`ToolVersions::probe_remembered`](super::requirements::ToolVersions::probe_remembered)).
//! - `plans/<site>.json`: per site, the [`Plan`] of the last run: each snippet's id,
//!   location, fingerprint and tools, under a digest of gen's version, the options,
//!   site.toml and every file of `content/`. With the same digest, `gen test` reads no
//!   Markdown to learn that nothing changed.

use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use super::plan::Plan;
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::results::write_atomically;

/// The cache folder.
#[derive(Debug, Clone)]
pub struct TestCache {
    dir: PathBuf,
}

impl TestCache {
    /// The cache folder from the environment; none without a home.
    pub fn locate() -> Option<TestCache> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = var("GEN_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("gen")))
            .or_else(|| var("HOME").map(|h| h.join(".cache/gen")))?;
        Some(TestCache { dir })
    }

    pub fn at(dir: impl Into<PathBuf>) -> TestCache {
        TestCache { dir: dir.into() }
    }

    /// The memo of tool versions.
    /// Where the engine's images are kept between runs (see [`super::images`]).
    pub fn images_folder(&self) -> PathBuf {
        self.dir.clone()
    }

    pub fn versions_file(&self) -> PathBuf {
        self.dir.join("versions.json")
    }

    fn plan_file(&self, root: &Path) -> PathBuf {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let name = format!("{:032x}.json", xxhash_rust::xxh3::xxh3_128(root.as_os_str().as_encoded_bytes()));
        self.dir.join("plans").join(name)
    }

    /// The site's plan, if it was made under `digest`.
    pub fn load_plan(&self, root: &Path, digest: &str) -> Option<Plan> {
        let bytes = std::fs::read(self.plan_file(root)).ok()?;
        serde_json::from_slice::<Plan>(&bytes).ok().filter(|p| p.digest == digest)
    }

    /// Keeps the site's plan (errors are ignored: the cache is only a shortcut).
    pub fn save_plan(&self, root: &Path, plan: &Plan) {
        if let Ok(bytes) = serde_json::to_vec(plan) {
            let _ = write_atomically(&self.plan_file(root), &bytes);
        }
    }
}

/// The digest of what a plan depends on: gen's version, `options` (the command's
/// options that select snippets), site.toml, and the path and bytes of every file under
/// `content/`. None when a file cannot be read (the full run reports it).
pub fn inputs_digest(root: &Path, options: &str) -> Option<String> {
    let mut hasher = Xxh3::new();
    let mut part = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(options.as_bytes());
    part(&std::fs::read(root.join(CONFIG_FILE)).ok()?);
    for entry in walkdir::WalkDir::new(root.join(CONTENT_DIR)).follow_links(true).sort_by_file_name() {
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            part(entry.path().strip_prefix(root).ok()?.as_os_str().as_encoded_bytes());
            part(&std::fs::read(entry.path()).ok()?);
        }
    }
    Some(format!("{:032x}", hasher.digest128()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_follows_every_input_and_plans_are_kept_per_site() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::write(root.join("site.toml"), "title = \"T\"").unwrap();
        std::fs::write(root.join("content/posts/a.md"), "a").unwrap();
        let d1 = inputs_digest(&root, "").unwrap();
        assert_eq!(inputs_digest(&root, "").unwrap(), d1);
        assert_ne!(inputs_digest(&root, "--run").unwrap(), d1);
        std::fs::write(root.join("content/posts/a.md"), "b").unwrap();
        let d2 = inputs_digest(&root, "").unwrap();
        assert_ne!(d2, d1);
        std::fs::write(root.join("content/posts/b.md"), "").unwrap();
        assert_ne!(inputs_digest(&root, "").unwrap(), d2);
        std::fs::write(root.join("site.toml"), "title = \"U\"").unwrap();
        assert_ne!(inputs_digest(&root, "").unwrap(), d2);

        let cache = TestCache::at(dir.path().join("cache"));
        let plan = Plan { digest: "d".into(), checks: Vec::new(), skipped: Vec::new() };
        cache.save_plan(&root, &plan);
        assert_eq!(cache.load_plan(&root, "d"), Some(plan));
        assert_eq!(cache.load_plan(&root, "other"), None);
        assert_eq!(cache.load_plan(dir.path(), "d"), None, "another site");
    }
}
