//! Images for the private engine without a registry: each image name a site's posts use
//! is mapped in site.toml (`[engine.images] ubuntu = "busybox"`) to a recipe gen makes
//! locally. `busybox` is Debian's `busybox-static` binary with a link per applet,
//! imported with `docker import`; its archive is kept in the cache folder and reused.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::engine::Engine;
use super::sandbox::find_on_path;

/// The command that installs what the busybox image is made from.
pub const INSTALL_BUSYBOX: &str = "apt-get install busybox-static";

/// The recipes gen knows.
pub const RECIPES: &[&str] = &["busybox"];

/// Makes every image of `mapping` (name in posts → recipe) in `engine`, each recipe
/// once, and tags it with the names that map to it. Gives the names made.
pub fn prepare(
    engine: &Engine,
    mapping: &BTreeMap<String, String>,
    cache: Option<&Path>,
) -> Result<Vec<String>, String> {
    let mut made = Vec::new();
    let mut recipes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, recipe) in mapping {
        recipes.entry(recipe.as_str()).or_default().push(name.as_str());
    }
    for (recipe, names) in recipes {
        let archive = match recipe {
            "busybox" => busybox_archive(cache)?,
            other => {
                return Err(format!(
                    "no recipe for the image `{other}` (site.toml [engine.images]); known: {}",
                    RECIPES.join(", ")
                ))
            }
        };
        let local = format!("gen-local/{recipe}:latest");
        let out = engine
            .docker()
            .args(["import", &archive.path.to_string_lossy(), &local])
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run docker import: {e}"))?;
        if !out.status.success() {
            return Err(format!("docker import failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        for name in names {
            let tagged = engine.docker().args(["tag", &local, name]).output().map_err(|e| e.to_string())?;
            if !tagged.status.success() {
                return Err(format!("cannot tag `{name}`: {}", String::from_utf8_lossy(&tagged.stderr).trim()));
            }
            made.push(name.to_string());
        }
        drop(archive.temporary);
    }
    Ok(made)
}

/// An image archive, in the cache or in a temporary folder removed when dropped.
struct Archive {
    path: PathBuf,
    temporary: Option<tempfile::TempDir>,
}

/// The busybox root as a tar archive: from the cache when the binary is unchanged (its
/// size and modification time are in the name), else made.
fn busybox_archive(cache: Option<&Path>) -> Result<Archive, String> {
    let binary = ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| format!("busybox is not installed (`{INSTALL_BUSYBOX}`)"))?;
    let meta = fs::metadata(&binary).map_err(|e| e.to_string())?;
    let name = format!("busybox-{}-{}.tar", meta.size(), meta.mtime());
    if let Some(cached) = cache.map(|c| c.join("images").join(&name)).filter(|p| p.is_file()) {
        return Ok(Archive { path: cached, temporary: None });
    }
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = work.path().join("root");
    make_busybox_root(&binary, &root).map_err(|e| format!("cannot make the busybox image: {e}"))?;
    let tar = work.path().join(&name);
    let status = Command::new(find_on_path("tar").ok_or("tar is not installed")?)
        .args(["--numeric-owner", "--owner=0", "--group=0", "-C"])
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("tar could not pack the busybox image".into());
    }
    if let Some(dir) = cache.map(|c| c.join("images")) {
        // A cache that cannot be written only costs the next run the same work.
        if fs::create_dir_all(&dir).is_ok() && fs::copy(&tar, dir.join(&name)).is_ok() {
            return Ok(Archive { path: dir.join(&name), temporary: None });
        }
    }
    Ok(Archive { path: tar, temporary: Some(work) })
}

/// `root/bin/busybox` and a link to it for each of its applets, and the folders a
/// container expects.
fn make_busybox_root(binary: &Path, root: &Path) -> io::Result<()> {
    let bin = root.join("bin");
    fs::create_dir_all(&bin)?;
    for dir in ["tmp", "etc", "root", "proc", "sys", "dev"] {
        fs::create_dir_all(root.join(dir))?;
    }
    fs::copy(binary, bin.join("busybox"))?;
    let list = Command::new(binary).arg("--list").output()?;
    for applet in String::from_utf8_lossy(&list.stdout).split_whitespace() {
        if applet != "busybox" && !applet.contains('/') {
            std::os::unix::fs::symlink("busybox", bin.join(applet))?;
        }
    }
    fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")?;
    fs::write(root.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busybox_root_has_a_link_per_applet() {
        let Some(binary) = ["/bin/busybox", "/usr/bin/busybox"].iter().map(PathBuf::from).find(|p| p.is_file()) else {
            println!("skipped: busybox not installed");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        make_busybox_root(&binary, dir.path()).unwrap();
        assert_eq!(fs::read_link(dir.path().join("bin/sh")).unwrap(), Path::new("busybox"));
        assert!(dir.path().join("bin/sleep").exists());
    }
}
