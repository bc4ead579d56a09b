//! Snippets run under bubblewrap: those that write outside their folder, open a network
//! connection, fork without limit, fill the disk, ignore SIGTERM and sleep past their
//! timeout, or detach (nohup, setsid) all fail cleanly or are killed, and leave nothing
//! behind: no file, no folder, no process. Without bubblewrap, `gen test` refuses to run
//! snippets unless `--no-sandbox` is given, and skips argument checks with the reason.

use std::path::Path;
use std::time::Duration;

use gen::check::expect::{run_snippet_in, RunSpec, Step};
use gen::check::sandbox::{self, process_alive, Exit, Isolation, Limits};
use gen::check::Outcome;

use crate::harness::{assert_contains, file_contents, find_program, require_program, TestSite};

fn bubblewrap() -> Option<Isolation> {
    if !require_program("bwrap") {
        return None;
    }
    Some(Isolation::detect().expect("bwrap is installed but does not work here"))
}

fn spec(commands: &[(&str, Option<&str>)], timeout: Duration) -> RunSpec {
    let steps = commands
        .iter()
        .enumerate()
        .map(|(i, (c, e))| Step { command: c.to_string(), expected: e.map(Into::into), line: i + 1, column: 1 })
        .collect();
    RunSpec {
        steps,
        exit: 0,
        timeout,
        programs: Vec::new(),
        reader_values: Vec::new(),
        assigns: Vec::new(),
        unavailable: Vec::new(),
    }
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
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
        .filter(|pid| process_alive(*pid))
        .collect()
}

#[test]
fn a_passing_snippet_runs_in_its_own_writable_folder() {
    let Some(isolation) = bubblewrap() else { return };
    let parent = tempfile::tempdir().unwrap();
    let s = spec(
        &[
            ("echo hello > greeting; cat greeting", Some("hello")),
            ("echo $HOME | grep -c gen-run-; env | sort | cut -d= -f1", Some("1\nHOME\nLANG\nPATH\nPWD\nSHLVL\n_")),
        ],
        Duration::from_secs(20),
    );
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
    let s = spec(
        &[(&format!("echo x > {private}"), None), (&format!("echo x > {}", target.display()), None)],
        Duration::from_secs(20),
    );
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
    assert_eq!(
        listener.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "the snippet reached the host"
    );
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
    let argv: Vec<String> =
        ["sh", "-c", &format!("sleep {marker}9 & sleep {marker}9")].iter().map(|s| s.to_string()).collect();
    let run =
        sandbox::run(&isolation, dir.path(), &argv, &[], &Limits::with_timeout(Duration::from_millis(500))).unwrap();
    assert_eq!(run.exit, Exit::TimedOut);
    assert!(!process_alive(run.pid));
    assert_eq!(processes_with(&format!("{marker}9")), Vec::<u32>::new());
}

/// A PATH folder with links to `programs` only (no bwrap, whatever this machine has),
/// for `gen test` to choose its isolation from.
fn path_with_only(programs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for program in programs {
        std::os::unix::fs::symlink(find_program(program), dir.path().join(program)).unwrap();
    }
    dir
}

#[test]
fn without_bubblewrap_running_refuses_with_the_install_command() {
    let site =
        TestSite::empty().post("run", "2024-01-02", "## Echo\n\n```console {test=\"run\"}\n$ echo hello\nhello\n```\n");
    let bin = path_with_only(&["bash"]);
    let path = bin.path().to_str().unwrap();
    site.run_with_env(&[("PATH", path)], &["test"]).failure().stderr_matches(snapbox::str![[r#"
error: [ROOT]/content: cannot run snippets: bubblewrap (bwrap) is not installed; install bubblewrap (`apt-get install bubblewrap`) or pass --no-sandbox to run snippets without isolation

"#]]);
    assert!(!site.path("snippet-results.toml").exists(), "a refused run records nothing");
    // --no-sandbox runs it without isolation.
    site.run_with_env(&[("PATH", path)], &["test", "--no-sandbox"]).success().stdout_matches(snapbox::str![[r#"
note: shellcheck not installed: lint ran without it (install it with `apt-get install shellcheck`)
1 passed, 0 failed, 0 skipped

"#]]);
    assert_contains(&site.read("snippet-results.toml"), &["[snippets.\"run/echo\"]\nstatus = \"passed\""]);
}

/// Argument checks need the sandbox too: without bubblewrap they are skipped with a note
/// saying why (the snippet passes); `--no-sandbox` runs the tool's client, which rejects.
#[test]
fn without_bubblewrap_argument_checks_are_skipped_with_the_reason() {
    let site = TestSite::empty()
        .write(
            "site.toml",
            "title = \"Test\"\nbase_url = \"https://example.com/\"\n\n[tools.ls]\ncheck_args = true\nrejected = [\"unrecognized option\"]\n",
        )
        .post("list", "2024-01-02", "## List\n\n```console\n$ ls --bogus\n```\n");
    let bin = path_with_only(&["bash", "ls"]);
    let path = bin.path().to_str().unwrap();
    site.run_with_env(&[("PATH", path)], &["test"]).success().stdout_matches(snapbox::str![[r#"
note: shellcheck not installed: lint ran without it (install it with `apt-get install shellcheck`)
note: argument checks skipped: bubblewrap (bwrap) is not installed; install bubblewrap (`apt-get install bubblewrap`) or pass --no-sandbox to run snippets without isolation
1 passed, 0 failed, 0 skipped

"#]]);
    site.run_with_env(&[("PATH", path)], &["test", "--no-sandbox", "--force"]).failure().stdout_matches(snapbox::str![
        [r#"
failed content/posts/list.md:8:3: args ARGS: ls rejects these arguments: [..]ls: unrecognized option '--bogus'
  help: gen ran `ls --bogus` (parameters stand in as `placeholder`); fix the arguments
note: shellcheck not installed: lint ran without it (install it with `apt-get install shellcheck`)
0 passed, 1 failed, 0 skipped

"#]
    ]);
}

/// `gen test` on snippets that try to get out: each fails (or, detached, is killed),
/// the host keeps its files, its network and its process table.
#[test]
fn escape_attempts_through_gen_test_fail_and_leave_nothing() {
    if bubblewrap().is_none() {
        return;
    }
    let marker = format!("{}.{}", 4000 + std::process::id() % 1000, std::process::id());
    let outside = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(outside.path().join("keep"), "the host's file\n").unwrap();
    let out_dir = outside.path().display();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let snippets = [
        ("write", format!("$ echo escaped > {out_dir}/escaped\n$ rm {out_dir}/keep\n")),
        ("network", format!("$ exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected\nconnected\n")),
        ("fork", format!("$ bomb() {{ bomb | bomb & }}; bomb; sleep {marker}\n")),
        ("fill", "$ for i in 1 2 3 4 5 6; do head -c 60M /dev/zero > fill$i || exit 9; done\n$ head -c 300M /dev/zero > /tmp/fill\n".to_string()),
        ("term", format!("$ trap '' TERM HUP INT; sleep {marker}\n")),
        ("detach", format!("$ nohup sleep {marker} >/dev/null 2>&1 & (setsid sh -c 'sleep {marker} &' &); echo detached\ndetached\n")),
    ];
    let mut body = String::new();
    for (id, session) in &snippets {
        // The fork bomb is what shellcheck's SC2264 is about; it is accepted so that the run fails it.
        let accept = if *id == "fork" { " shellcheck=\"SC2264\"" } else { "" };
        body.push_str(&format!(
            "## {id}\n\n```console {{test=\"run\" id=\"{id}\" timeout=\"3s\"{accept}}}\n{session}```\n\n"
        ));
    }
    let site = TestSite::empty().post("escapes", "2024-01-02", &body);
    let before = file_contents(outside.path());

    let mut gen = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .arg("--root")
        .arg(site.root())
        .args(["test", "--force", "--jobs", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // While it runs, the fork bomb's processes are counted: the process limit holds them.
    let mut most = 0;
    while gen.try_wait().unwrap().is_none() {
        most = most.max(processes_with(&marker).len());
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = gen.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));

    let failed = |command: &str| stdout.lines().any(|l| l.starts_with("failed ") && l.contains(command));
    for command in ["echo escaped", "/dev/tcp", "bomb()", "head -c 60M", "trap ''"] {
        assert!(failed(command), "the snippet `{command}` did not fail:\n{stdout}");
    }
    assert!(!failed("nohup"), "{stdout}");
    assert_contains(
        &stdout,
        &["Read-only file system", "No space left on device", "timed out after 3s", "1 passed, 5 failed"],
    );
    assert!(
        most <= gen::check::sandbox::Limits::default().max_processes as usize + 8,
        "the fork bomb reached {most} processes"
    );

    assert_eq!(processes_with(&marker), Vec::<u32>::new(), "processes survived the run");
    assert_eq!(file_contents(outside.path()), before, "a file outside the sandbox changed");
    listener.set_nonblocking(true).unwrap();
    assert_eq!(
        listener.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "a snippet reached the host"
    );
    let scratch: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with("gen-run-"))
        .collect();
    assert!(scratch.is_empty(), "scratch folders left: {scratch:?}");
}

#[test]
fn as_root_snippets_run_as_nobody_and_write_nothing_to_disk() {
    let Some(isolation) = bubblewrap() else { return };
    let dir = tempfile::tempdir().unwrap();
    let argv: Vec<String> = ["sh", "-c", "id -u; echo x > here; df -k . /tmp | tail -n 2 | awk '{print $1, $2}'"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let run = sandbox::run(&isolation, dir.path(), &argv, &[], &Limits::with_timeout(Duration::from_secs(10))).unwrap();
    assert_eq!(run.exit, Exit::Code(0), "{}", run.output);
    let lines: Vec<&str> = run.output.lines().collect();
    let uid = rustix::process::geteuid().as_raw();
    assert_eq!(lines[0], if uid == 0 { "65534".to_string() } else { uid.to_string() });
    let size = format!("tmpfs {}", gen::check::sandbox::SCRATCH_BYTES / 1024);
    assert_eq!(&lines[1..], [size.as_str(), size.as_str()], "{}", run.output);
    assert_empty(dir.path());
}
