//! Snippets run under bubblewrap: one that writes outside its folder, one that opens a
//! network connection and one that sleeps past its timeout all fail cleanly, and leave
//! nothing behind: no file, no folder, no process.

use std::path::Path;
use std::time::Duration;

use gen::check::expect::{run_snippet_in, RunSpec, Step};
use gen::check::sandbox::{self, process_alive, Exit, Isolation, Limits};
use gen::check::Outcome;

use crate::harness::require_program;

fn bubblewrap() -> Option<Isolation> {
    if !require_program("bwrap") {
        return None;
    }
    Some(Isolation::detect().expect("bwrap is installed but does not work here"))
}

fn spec(commands: &[(&str, Option<&str>)], timeout: Duration) -> RunSpec {
    let steps = commands.iter().enumerate().map(|(i, (c, e))| Step { command: c.to_string(), expected: e.map(Into::into), line: i + 1, column: 1 }).collect();
    RunSpec { steps, exit: 0, timeout }
}

fn messages(outcome: &Outcome) -> Vec<String> {
    match outcome {
        Outcome::Failed { findings } => findings.iter().map(|f| f.message.clone()).collect(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn assert_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Pids of live processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker)))
        .filter(|pid| process_alive(*pid))
        .collect()
}

#[test]
fn a_passing_snippet_runs_in_its_own_writable_folder() {
    let Some(isolation) = bubblewrap() else { return };
    let parent = tempfile::tempdir().unwrap();
    let s = spec(&[("echo hello > greeting; cat greeting", Some("hello")), ("echo $HOME | grep -c gen-run-; env | sort | cut -d= -f1", Some("1\nHOME\nLANG\nPATH\nPWD\nSHLVL\n_"))], Duration::from_secs(20));
    assert_eq!(run_snippet_in(&isolation, &s, parent.path()), Outcome::passed());
    assert_empty(parent.path());
}

#[test]
fn writing_outside_its_folder_fails() {
    let Some(isolation) = bubblewrap() else { return };
    let parent = tempfile::tempdir().unwrap();
    // A folder on the real file system (the sandbox's /tmp is its own, empty one).
    let outside = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let target = outside.path().join("escaped");
    let private = format!("/tmp/gen-private-{}", std::process::id());
    let s = spec(&[(&format!("echo x > {private}"), None), (&format!("echo x > {}", target.display()), None)], Duration::from_secs(20));
    let out = run_snippet_in(&isolation, &s, parent.path());
    assert_eq!(messages(&out), [format!("`echo x > {}` exited with status 1, expected 0", target.display())]);
    let Outcome::Failed { findings } = &out else { unreachable!() };
    assert!(findings[0].help.as_deref().unwrap().contains("Read-only file system"), "{findings:?}");
    assert!(!target.exists());
    assert!(!Path::new(&private).exists(), "the sandbox's /tmp is private");
    assert_empty(parent.path());
}

#[test]
fn opening_a_network_connection_fails() {
    let Some(isolation) = bubblewrap() else { return };
    let parent = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let s = spec(&[(&format!("exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected"), None)], Duration::from_secs(20));
    let out = run_snippet_in(&isolation, &s, parent.path());
    assert_eq!(messages(&out).len(), 1, "{out:?}");
    listener.set_nonblocking(true).unwrap();
    assert_eq!(listener.accept().map(|_| ()).unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "the snippet reached the host");
    assert_empty(parent.path());
}

#[test]
fn sleeping_past_the_timeout_fails_and_no_process_survives() {
    let Some(isolation) = bubblewrap() else { return };
    let parent = tempfile::tempdir().unwrap();
    // A unique duration marks this test's processes: a background one, a detached one
    // (its own session) and the one in the foreground.
    let marker = format!("{}.{}", 3000 + std::process::id() % 1000, std::process::id());
    let command = format!("sleep {marker} & setsid sleep {marker} & sleep {marker}");
    let s = spec(&[("echo started", Some("started")), (&command, None)], Duration::from_millis(1500));
    let out = run_snippet_in(&isolation, &s, parent.path());
    assert_eq!(messages(&out), [format!("`{command}`: timed out after 1.5s; every process it started was killed")]);
    assert_eq!(processes_with(&marker), Vec::<u32>::new());
    assert_empty(parent.path());

    // The same at the level of the runner: bwrap itself is gone too.
    let dir = tempfile::tempdir().unwrap();
    let argv: Vec<String> = ["sh", "-c", &format!("sleep {marker}9 & sleep {marker}9")].iter().map(|s| s.to_string()).collect();
    let run = sandbox::run(&isolation, dir.path(), &argv, &[], &Limits::with_timeout(Duration::from_millis(500))).unwrap();
    assert_eq!(run.exit, Exit::TimedOut);
    assert!(!process_alive(run.pid));
    assert_eq!(processes_with(&format!("{marker}9")), Vec::<u32>::new());
}

#[test]
fn without_bubblewrap_running_refuses_with_the_install_command() {
    let err = gen::check::sandbox::SandboxUnavailable { reason: "bubblewrap (bwrap) is not installed".into() };
    assert_eq!(
        err.to_string(),
        "bubblewrap (bwrap) is not installed; install bubblewrap (`apt-get install bubblewrap`) or pass --no-sandbox to run snippets without isolation"
    );
    // --no-sandbox always gives a way to run.
    assert!(Isolation::choose(true).is_ok());
}
