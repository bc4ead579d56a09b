//! Interrupted work: `gen build` killed (SIGKILL, no chance to clean up) at moments
//! spread over a build leaves the previous site whole every time, and the next build
//! removes the staging folders the killed ones left.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::harness::{copy_dir, file_contents, TestSite};

/// A digest of every file under `dir` (path and bytes).
fn digest(dir: &Path) -> u64 {
    let mut h = DefaultHasher::new();
    file_contents(dir).hash(&mut h);
    h.finish()
}

/// How many posts the site has: enough that a build takes a while.
const POSTS: usize = 250;

/// Writes the site's posts, with code and tags, in `version`.
fn write_posts(site: &TestSite, version: &str) {
    for i in 0..POSTS {
        let body = format!(
            "Post {i}, {version}.\n\n## Setup\n\n```console\n$ docker run --rm -it image-{i} /bin/sh\n```\n\n{}\n",
            "Some prose about containers and shells. ".repeat(40)
        );
        let text = format!(
            "+++\ntitle = \"Post {i}\"\ndate = 2020-01-{:02}\ntags = [\"t{}\", \"docker\"]\n+++\n{body}",
            1 + i % 28,
            i % 7
        );
        std::fs::write(site.path(&format!("content/posts/post-{i:03}.md")), text).unwrap();
    }
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_previous_site_whole() {
    const KILLS: u32 = 15;
    let site = TestSite::empty();
    std::fs::create_dir_all(site.path("content/posts")).unwrap();
    write_posts(&site, "first version");
    site.build();
    let old = digest(&site.path("public"));
    let previous = TestSite::copy_of(&site);

    // The next version of every post; its build is the one killed.
    write_posts(&site, "second version");
    let start = Instant::now();
    let probe = TestSite::copy_of(&site);
    probe.build();
    let full = start.elapsed();
    let new = digest(&probe.path("public"));
    assert_ne!(old, new);

    // Kill moments spread over the build's length, shuffled by a fixed-seed generator.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut outcomes = Vec::new();
    for k in 0..KILLS {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let fraction = (f64::from(k) + (seed >> 11) as f64 / (1u64 << 53) as f64) / f64::from(KILLS);
        let delay = full.mul_f64(fraction * 1.1);
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .arg("--root")
            .arg(site.root())
            .arg("build")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; it may have finished already
        let status = child.wait().unwrap();
        let now = digest(&site.path("public"));
        assert!(
            now == old || now == new,
            "kill {k} after {delay:?} ({status:?}): public/ is neither the previous site nor the new one"
        );
        outcomes.push(if now == old { "previous" } else { "new" });
        // Start every kill from the previous site, so each one can break it.
        if now == new {
            std::fs::remove_dir_all(site.path("public")).unwrap();
            copy_dir(&previous.path("public"), &site.path("public"));
        }
    }
    println!("killed {KILLS} builds (a full build takes {full:?}); public/ afterwards: {outcomes:?}");
    assert!(outcomes.contains(&"previous"), "no kill landed during a build: {outcomes:?}");

    // The next build completes and removes what the killed ones left.
    println!("staging folders left by the killed builds: {:?}", site.staging_folders());
    site.build();
    assert_eq!(digest(&site.path("public")), new);
    assert_eq!(site.staging_folders(), Vec::<String>::new());
}
