//! `gen test --engine docker`: a private, disposable docker engine. Tests that need
//! dockerd print `skipped: dockerd not installed` without it (fail under
//! GEN_TEST_STRICT=1).

use std::path::Path;

use gen::check::engine::{cgroup_processes, mounts_under, processes_naming, Engine};
use gen::check::sandbox::process_alive;

use crate::harness::{assert_contains, strict, TestSite};

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

/// The engine folders left in `base` (one per gen process that has not cleaned up).
fn engine_folders(base: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(base).map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default()
}

#[test]
fn docker_snippets_run_against_the_engine_screened_and_cleaned_up() {
    if !engine_available() || !crate::harness::require_program("bwrap") {
        return;
    }
    let site = TestSite::fixture("engine-basic");
    let base = tempfile::tempdir().unwrap();
    let env = [("GEN_ENGINE_DIR", base.path().to_str().unwrap())];
    let out = site.run_with_env(&env, &["test", "--engine", "docker"]).failure();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            // Wrong expected output: a diff.
            "containers.md:21:3: run RUN: `docker run --rm busybox echo hello` printed something else",
            "-hi there\n+hello",
            "(containers/snippet-4): refused by the engine screen: `--privileged`",
            "(containers/snippet-5): refused by the engine screen: `-v /:/host`",
            "(containers/snippet-6): refused by the engine screen: `-v /var/run/docker.sock:/var/run/docker.sock`",
            "(containers/snippet-7): needs the image `nginx:1.25`, which site.toml [engine.images] does not map",
            "note: docker snippets ran against a private docker engine 20.",
        ],
    );
    // The detached container, exec, cp and rm pass; so does the one left running.
    assert_eq!(stdout.lines().last(), Some("2 passed, 1 failed, 4 skipped"), "{stdout}");
    let results = site.read("snippet-results.toml");
    assert!(results.contains("[snippets.\"containers/snippet\".evidence.run.engine]"), "{results}");
    // The strongest level, in snippets.json (and the badge, from the same summary).
    let json = site.run(&["snippets", "--json"]).success().stdout();
    assert_contains(&json, &["\"level\": \"engine\"", "ran against docker engine 20."]);
    // Nothing left: no engine folder, no process of it, no container.
    assert_eq!(engine_folders(base.path()), Vec::<std::path::PathBuf>::new());
    assert_eq!(processes_naming(base.path()), Vec::<u32>::new());
}

#[test]
fn a_run_killed_halfway_is_cleaned_up_by_the_next() {
    if !engine_available() || !crate::harness::require_program("bwrap") {
        return;
    }
    let site = TestSite::fixture("engine-basic").post(
        "slow",
        "2020-01-02",
        "```console {timeout=\"120\"}\n$ docker run -d busybox sleep 600 > /dev/null\n$ sleep 100\n```\n",
    );
    let base = tempfile::tempdir().unwrap();
    let mut gen = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["--root", site.root().to_str().unwrap(), "test", "--engine", "docker", "slow"])
        .env("GEN_ENGINE_DIR", base.path())
        .env("GEN_CACHE_DIR", site.cache_dir())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Until its container runs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let cgroup = format!("gen-engine-{}", gen.id());
    while cgroup_processes(&cgroup).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!cgroup_processes(&cgroup).is_empty(), "the container never started");
    gen.kill().unwrap();
    gen.wait().unwrap();
    let dir = base.path().join(gen.id().to_string());
    assert!(dir.exists() && !processes_naming(&dir).is_empty(), "the killed run's engine is there");
    // The next run removes it, then leaves nothing of its own.
    let env = [("GEN_ENGINE_DIR", base.path().to_str().unwrap())];
    site.run_with_env(&env, &["test", "--engine", "docker", "containers/snippet-7"]).success();
    assert_eq!(processes_naming(base.path()), Vec::<u32>::new());
    assert_eq!(cgroup_processes(&cgroup), Vec::<u32>::new());
    assert_eq!(mounts_under(base.path()), Vec::<String>::new());
    assert_eq!(engine_folders(base.path()), Vec::<std::path::PathBuf>::new());
}

#[test]
fn a_posts_snippets_run_as_one_session_and_its_containers_go_with_it() {
    if !engine_available() || !crate::harness::require_program("bwrap") {
        return;
    }
    let site = TestSite::fixture("engine-session");
    let base = tempfile::tempdir().unwrap();
    let env = [("GEN_ENGINE_DIR", base.path().to_str().unwrap())];
    let stdout = site.run_with_env(&env, &["test", "--engine", "docker"]).failure().stdout();
    // The second block uses the CONTAINERID the first one set; the block after the
    // failed one still runs in the same session (its container is there); the second
    // post sees neither the first one's containers nor its variables.
    assert_contains(
        &stdout,
        &["a-first.md:27:3: run RUN: `docker ps --format '{{.Names}}'` printed something else", "-right\n+left"],
    );
    // A block that opts in with allow="host-mount" runs; the same without it is refused.
    assert_contains(
        &stdout,
        &[
            "(c-opt-in/snippet-2): refused by the engine screen: `-v /usr:/host-usr:ro`",
            "opts in with allow=\"host-mount\"",
        ],
    );
    assert!(!stdout.contains("c-opt-in/snippet):"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("5 passed, 1 failed, 1 skipped"), "{stdout}");
    let results = site.read("snippet-results.toml");
    assert!(results.contains("[snippets.\"a-first/snippet-2\".evidence.run.engine]"), "{results}");
    assert!(results.contains("[snippets.\"c-opt-in/snippet\".evidence.run.engine]"), "{results}");
    assert_eq!(engine_folders(base.path()), Vec::<std::path::PathBuf>::new());
}

#[test]
fn each_container_gets_the_limits_and_each_snippet_its_time_limit() {
    if !engine_available() || !crate::harness::require_program("bwrap") {
        return;
    }
    // `docker inspect` through the private socket, from the snippet itself: the
    // containers it made with `docker run` and `docker container create` got the limits.
    let site = TestSite::fixture("engine-session")
        .remove("content/posts")
        .post(
            "limits",
            "2020-01-01",
            "```console {timeout=\"60\"}\n\
             $ docker run -d --name limited busybox sleep 60 > /dev/null\n\
             $ docker inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} \
             {{range .HostConfig.Ulimits}}{{.Name}}={{.Hard}}{{end}}' limited\n\
             268435456 256 1000000000 cpu=120\n\
             $ docker container create --name made busybox true > /dev/null\n\
             $ docker inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' made\n\
             268435456 256\n\
             ```\n",
        )
        .post("slowpoke", "2020-01-02", "```console {timeout=\"2\"}\n$ docker run --rm busybox sleep 30\n```\n");
    let base = tempfile::tempdir().unwrap();
    let env = [("GEN_ENGINE_DIR", base.path().to_str().unwrap())];
    let stdout = site.run_with_env(&env, &["test", "--engine", "docker"]).failure().stdout();
    assert_contains(&stdout, &["slowpoke.md:6:3: run RUN: `docker run --rm busybox sleep 30`: timed out after 2s"]);
    assert_eq!(stdout.lines().last(), Some("1 passed, 1 failed, 0 skipped"), "{stdout}");
    assert_eq!(engine_folders(base.path()), Vec::<std::path::PathBuf>::new());
    assert_eq!(processes_naming(base.path()), Vec::<u32>::new());
}
