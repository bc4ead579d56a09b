//! `gen test --engine docker`: a private, disposable docker engine. Tests that need
//! dockerd print `skipped: dockerd not installed` without it (fail under
//! GEN_TEST_STRICT=1).

use std::path::Path;

use gen::check::engine::{cgroup_processes, mounts_under, processes_naming, Engine};
use gen::check::sandbox::process_alive;

use crate::harness::strict;

/// Is there a dockerd to start (and are we root, which it needs)?
fn engine_available() -> bool {
    let found = Path::new("/usr/sbin/dockerd").is_file() || Path::new("/usr/bin/dockerd").is_file();
    let root = rustix::process::geteuid().is_root();
    if !found || !root {
        assert!(!strict(), "dockerd (run as root) is required when GEN_TEST_STRICT=1");
        println!("skipped: dockerd not installed");
    }
    found && root
}

/// Nothing of the engine in `dir` is left: no process naming it, no container, no
/// mount, no folder.
fn assert_nothing_left(dir: &Path, dockerd: u32) {
    assert!(!process_alive(dockerd), "dockerd {dockerd} still runs");
    assert_eq!(processes_naming(dir), Vec::<u32>::new(), "processes of the engine left");
    let cgroup = format!("gen-engine-{}", dir.file_name().unwrap().to_string_lossy());
    assert_eq!(cgroup_processes(&cgroup), Vec::<u32>::new(), "containers left");
    assert_eq!(mounts_under(dir), Vec::<String>::new(), "mounts left");
    assert!(!dir.exists(), "{} left", dir.display());
}

#[test]
fn engine_starts_answers_and_leaves_nothing_behind() {
    if !engine_available() {
        return;
    }
    let base = tempfile::tempdir().unwrap();
    let engine = Engine::start(base.path()).expect("the engine starts");
    assert!(engine.versions.server.starts_with("20.") || !engine.versions.server.is_empty());
    let dir = engine.folder().to_path_buf();
    let dockerd = engine.dockerd_pid().unwrap();
    assert!(process_alive(dockerd));
    // The engine's mounts are in its own mount namespace, never in ours.
    assert_eq!(mounts_under(&dir), Vec::<String>::new());
    // No network: only loopback in the engine's namespace.
    let info = engine.run_docker(&["info", "--format", "{{.Name}}"]).unwrap();
    assert!(info.status.success(), "{}", String::from_utf8_lossy(&info.stderr));
    drop(engine);
    assert_nothing_left(&dir, dockerd);
}

#[test]
fn a_killed_runs_engine_is_removed_by_the_next_start() {
    if !engine_available() {
        return;
    }
    let base = tempfile::tempdir().unwrap();
    // The engine of a process that is gone (a pid above the kernel's maximum), whose
    // guard never ran: as a run killed with SIGKILL leaves it.
    let engine = Engine::start_for(base.path(), 4_999_999).expect("the engine starts");
    let dir = engine.folder().to_path_buf();
    let dockerd = engine.dockerd_pid().unwrap();
    let run = engine.run_docker(&["run", "-d", "--label", "gen.test=1", "busybox", "sleep", "300"]);
    std::mem::forget(engine);
    assert!(process_alive(dockerd));
    // The next run's start removes it first.
    let next = Engine::start(base.path()).expect("the next engine starts");
    assert_nothing_left(&dir, dockerd);
    drop(next);
    drop(run);
}
