//! Running programs for `gen test` without letting them touch the machine: under
//! bubblewrap (read-only root; the work folder and /tmp private in-memory file systems of
//! [`SCRATCH_BYTES`] each, so nothing is written to the disk; no network, own pid
//! namespace, no capabilities, a new session; as `nobody` when gen runs as root), with
//! rlimits, a clean environment, and a time limit that kills every process it started.
//!
//! Used by snippet runs (`test="run"`), argument checks and version probes alike.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The size of each in-memory file system of a sandboxed run (its work folder, /tmp).
pub const SCRATCH_BYTES: u64 = 256 << 20;

/// Inside the sandbox, a root gen's runs are `nobody`.
const NOBODY: u32 = 65534;

/// The first host user id of a root gen's sandboxed runs. Each run has a user id of its
/// own, one no account uses: the process limit counts a user's processes machine-wide,
/// so one run's fork bomb would otherwise starve the others (and anything else of
/// `nobody`'s). Inside, the run is `nobody` (`bwrap --uid`).
const FIRST_RUN_UID: u32 = 1_800_000_000;

/// The group of a private docker engine's socket ([`super::engine`]): a sandboxed run
/// given [`EngineAccess`] has it, and no account does.
pub const ENGINE_GID: u32 = FIRST_RUN_UID - 1;

/// A private engine a sandboxed run may reach: the folder its socket is in, bound into
/// the sandbox at the same path (the run's only way to the engine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineAccess {
    pub socket_folder: PathBuf,
}

/// A user id for the next run, unique among the runs of this machine's gen processes.
fn run_uid() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 4096;
    FIRST_RUN_UID + (std::process::id() % 65536) * 4096 + n
}

/// The command that installs bubblewrap, shown when it is missing.
pub const INSTALL_BUBBLEWRAP: &str = "apt-get install bubblewrap";

/// How a program is isolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Isolation {
    /// Under this `bwrap`.
    Bubblewrap(PathBuf),
    /// No isolation (`--no-sandbox`): scratch folder, clean environment, limits and
    /// process-group kill only.
    Unsandboxed,
}

/// What to do where there is no working sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Say why there is none (and what to install).
    Refuse,
    /// Run without isolation (`--no-sandbox`).
    Unsandboxed,
}

/// Why snippets cannot be run isolated here; says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; install bubblewrap (`{INSTALL_BUBBLEWRAP}`) or pass --no-sandbox to run snippets without isolation")]
pub struct SandboxUnavailable {
    pub reason: String,
}

impl Isolation {
    /// Bubblewrap if it is on PATH and works on this machine (user namespaces may be
    /// disabled, e.g. inside a container), otherwise why not.
    pub fn detect() -> Result<Isolation, SandboxUnavailable> {
        let Some(bwrap) = find_on_path("bwrap") else {
            return Err(SandboxUnavailable { reason: "bubblewrap (bwrap) is not installed".into() });
        };
        let mut probe = bwrap_command(&bwrap, None).map_err(|reason| SandboxUnavailable { reason })?;
        let probe = probe
            .args([
                "--ro-bind",
                "/",
                "/",
                "--unshare-all",
                "--die-with-parent",
                "--new-session",
                "--cap-drop",
                "ALL",
                "true",
            ])
            .current_dir("/")
            .stdin(Stdio::null())
            .output();
        match probe {
            Ok(out) if out.status.success() => Ok(Isolation::Bubblewrap(bwrap)),
            Ok(out) => Err(SandboxUnavailable {
                reason: format!(
                    "bubblewrap does not work on this machine: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            }),
            Err(e) => Err(SandboxUnavailable { reason: format!("cannot start bubblewrap: {e}") }),
        }
    }

    /// The sandbox if available; otherwise as `fallback` says.
    pub fn choose(fallback: Fallback) -> Result<Isolation, SandboxUnavailable> {
        match (Isolation::detect(), fallback) {
            (Ok(isolation), _) => Ok(isolation),
            (Err(_), Fallback::Unsandboxed) => Ok(Isolation::Unsandboxed),
            (Err(e), Fallback::Refuse) => Err(e),
        }
    }
}

/// The command that starts `bwrap`: when gen runs as root (whom the process limit and
/// file permissions do not stop), through `setpriv` (util-linux) as a user id of the
/// run's own, which is `nobody` inside.
fn bwrap_command(bwrap: &Path, engine: Option<&EngineAccess>) -> Result<Command, String> {
    if !rustix::process::geteuid().is_root() {
        return Ok(Command::new(bwrap));
    }
    let Some(setpriv) = find_on_path("setpriv") else {
        return Err("gen runs as root and needs setpriv (util-linux) to run snippets as an unprivileged user".into());
    };
    let uid = run_uid();
    let mut command = Command::new(setpriv);
    command.arg(format!("--reuid={uid}")).arg(format!("--regid={uid}"));
    match engine {
        Some(_) => command.arg(format!("--groups={ENGINE_GID}")),
        None => command.arg("--clear-groups"),
    };
    command.arg("--").arg(bwrap);
    command.args(["--unshare-user", "--uid", &NOBODY.to_string(), "--gid", &NOBODY.to_string()]);
    Ok(command)
}

/// `program`'s path on PATH, if any.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Path::new(program).is_file().then(|| PathBuf::from(program));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Resource limits for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time before every process of the run is killed.
    pub timeout: Duration,
    /// RLIMIT_NPROC (counts the user's processes machine-wide; not enforced for root,
    /// which is why sandboxed runs of a root gen are nobody's).
    pub max_processes: u64,
    /// RLIMIT_FSIZE in bytes: the largest file a run may write (its output included).
    pub max_file_size: u64,
    /// RLIMIT_CPU in seconds.
    pub cpu_seconds: u64,
}

impl Limits {
    pub fn with_timeout(timeout: Duration) -> Limits {
        Limits { timeout, cpu_seconds: timeout.as_secs() + 1, ..Limits::default() }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits { timeout: Duration::from_secs(10), max_processes: 256, max_file_size: 64 << 20, cpu_seconds: 11 }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    /// Killed by this signal (SIGXFSZ for a file too large, SIGXCPU for CPU time).
    Signal(i32),
    /// Still running at the time limit: killed, with all it started.
    TimedOut,
}

impl Exit {
    fn from_status(status: ExitStatus) -> Exit {
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal(signal),
            (None, None) => Exit::Code(-1),
        }
    }
}

/// What a run printed (stdout and stderr interleaved, as a terminal shows them) and how
/// it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    pub output: String,
    pub exit: Exit,
    /// The pid of the process gen started (bwrap, or the program itself), for checks
    /// that it is gone.
    pub pid: u32,
}

/// Runs `argv` in `workdir` with only PATH, HOME=`workdir`, LANG=C.UTF-8 and `env` in
/// its environment, stdin empty, within `limits`. Returns once every process it
/// started has ended. Never goes through a shell: `argv[0]` is the program.
pub fn run(
    isolation: &Isolation,
    workdir: &Path,
    argv: &[String],
    env: &[(String, String)],
    limits: &Limits,
) -> io::Result<RunOutput> {
    run_with(isolation, workdir, argv, env, limits, None)
}

/// [`run`], with a private engine's socket folder bound into the sandbox when `engine`
/// is given.
pub fn run_with(
    isolation: &Isolation,
    workdir: &Path,
    argv: &[String],
    env: &[(String, String)],
    limits: &Limits,
    engine: Option<&EngineAccess>,
) -> io::Result<RunOutput> {
    let (program, args) =
        argv.split_first().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
    let workdir = workdir.canonicalize()?;
    let mut info_pipe = None;
    let mut command = match isolation {
        Isolation::Bubblewrap(bwrap) => {
            let (reader, writer) = io::pipe()?;
            let mut command = bwrap_command(bwrap, engine).map_err(io::Error::other)?;
            // The work folder is a fresh in-memory file system at the same path inside
            // (so paths given in `env` hold), not the folder on disk: a snippet writes
            // nothing to the host, and fills at most SCRATCH_BYTES.
            let dir = workdir.to_string_lossy().into_owned();
            let size = SCRATCH_BYTES.to_string();
            command
                .args([
                    "--ro-bind",
                    "/",
                    "/",
                    "--dev",
                    "/dev",
                    "--proc",
                    "/proc",
                    "--size",
                    &size,
                    "--perms",
                    "1777",
                    "--tmpfs",
                    "/tmp",
                ])
                .args(["--size", &size, "--tmpfs", &dir, "--chdir", &dir]);
            if let Some(engine) = engine {
                // After the tmpfs on /tmp, which would hide it.
                command.arg("--ro-bind").arg(&engine.socket_folder).arg(&engine.socket_folder);
            }
            command
                .args(["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"])
                .arg("--info-fd")
                .arg(writer.as_raw_fd().to_string())
                .arg("--")
                .arg(program)
                .args(args);
            info_pipe = Some((reader, writer));
            command
        }
        Isolation::Unsandboxed => {
            let mut command = Command::new(program);
            command.args(args);
            command
        }
    };
    let output_file = tempfile::tempfile()?;
    // bwrap may run as nobody, who cannot enter the work folder on disk; it changes into
    // the sandbox's own.
    let start_dir = if matches!(isolation, Isolation::Bubblewrap(_)) { Path::new("/") } else { workdir.as_path() };
    command
        .current_dir(start_dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()))
        .env("HOME", &workdir)
        .env("LANG", "C.UTF-8")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(output_file.try_clone()?)
        .stderr(output_file.try_clone()?)
        .process_group(0);
    let info_fd = info_pipe.as_ref().map(|(_, writer)| writer.as_raw_fd());
    let limits_copy = *limits;
    // SAFETY: between fork and exec only async-signal-safe system calls are made
    // (setrlimit and fcntl through rustix), with no allocation.
    unsafe {
        command.pre_exec(move || {
            set_limits(&limits_copy)?;
            if let Some(fd) = info_fd {
                let fd = std::os::fd::BorrowedFd::borrow_raw(fd);
                rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::empty())?;
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    let pid = child.id();
    let inner_pid = info_pipe.map(|(reader, writer)| {
        drop(writer);
        std::thread::spawn(move || read_child_pid(reader))
    });
    let deadline = Instant::now() + limits.timeout;
    let exit = loop {
        if let Some(status) = child.try_wait()? {
            break Exit::from_status(status);
        }
        if Instant::now() >= deadline {
            kill_group(pid);
            child.wait()?;
            break Exit::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Whatever the exit, nothing the run started may outlive it: the group (unsandboxed
    // children) and the sandbox's pid namespace, which dies with its first process.
    kill_group(pid);
    wait_until_group_gone(pid, Duration::from_secs(5));
    if let Some(inner) = inner_pid.and_then(|handle| handle.join().ok().flatten()) {
        wait_until_gone(inner, Duration::from_secs(5));
    }
    Ok(RunOutput { output: read_output(output_file)?, exit, pid })
}

fn set_limits(limits: &Limits) -> io::Result<()> {
    use rustix::process::{setrlimit, Resource, Rlimit};
    let limit = |n: u64| Rlimit { current: Some(n), maximum: Some(n) };
    setrlimit(Resource::Nproc, limit(limits.max_processes))?;
    setrlimit(Resource::Fsize, limit(limits.max_file_size))?;
    setrlimit(Resource::Cpu, limit(limits.cpu_seconds.max(1)))?;
    Ok(())
}

fn kill_group(pgid: u32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pgid as i32) {
        // ESRCH (already gone) is the expected case.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// The host pid of the sandbox's first process, from bwrap's `--info-fd` JSON.
fn read_child_pid(mut reader: io::PipeReader) -> Option<u32> {
    let mut text = String::new();
    reader.read_to_string(&mut text).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("child-pid")?.as_u64().map(|pid| pid as u32)
}

/// Waits until `pid` has exited (gone or a zombie), at most `limit`.
fn wait_until_gone(pid: u32, limit: Duration) {
    let deadline = Instant::now() + limit;
    while process_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until no live process is left in process group `pgid` (SIGKILL is delivered
/// asynchronously), at most `limit`.
fn wait_until_group_gone(pgid: u32, limit: Duration) {
    let deadline = Instant::now() + limit;
    while group_has_live_members(pgid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn group_has_live_members(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.filter_map(Result::ok).any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { return false };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { return false };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|f| f.parse::<u32>().ok());
        pgrp == Some(pgid) && !matches!(state, Some("Z") | Some("X"))
    })
}

/// Is `pid` a live (not zombie) process?
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

const MAX_OUTPUT: u64 = 1 << 20;

fn read_output(mut file: File) -> io::Result<String> {
    file.rewind()?;
    let mut bytes = Vec::new();
    file.take(MAX_OUTPUT).read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    fn limits(ms: u64) -> Limits {
        Limits::with_timeout(Duration::from_millis(ms))
    }

    #[test]
    fn unsandboxed_run_has_a_clean_environment_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let env = [("EXTRA".to_string(), "1".to_string())];
        let out = run(
            &Isolation::Unsandboxed,
            dir.path(),
            &sh("pwd; env | sort; echo err >&2; exit 3"),
            &env,
            &limits(10_000),
        )
        .unwrap();
        assert_eq!(out.exit, Exit::Code(3));
        let home = dir.path().canonicalize().unwrap().display().to_string();
        let lines: Vec<&str> = out.output.lines().collect();
        assert_eq!(lines[0], home);
        let vars: Vec<&str> = lines[1..lines.len() - 1].iter().map(|l| l.split('=').next().unwrap()).collect();
        assert_eq!(vars, ["EXTRA", "HOME", "LANG", "PATH", "PWD"]);
        assert_eq!(lines.last(), Some(&"err"));
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(&Isolation::Unsandboxed, dir.path(), &sh("sleep 30 & echo $!; wait"), &[], &limits(300)).unwrap();
        assert_eq!(out.exit, Exit::TimedOut);
        let background: u32 = out.output.trim().parse().unwrap();
        assert!(!process_alive(background), "the background sleep {background} survived");
        assert!(!process_alive(out.pid));
    }

    #[test]
    fn file_size_limit_stops_a_runaway_write() {
        let dir = tempfile::tempdir().unwrap();
        let small = Limits { max_file_size: 4096, ..limits(10_000) };
        let out = run(&Isolation::Unsandboxed, dir.path(), &sh("head -c 100000 /dev/zero > big"), &[], &small).unwrap();
        assert_ne!(out.exit, Exit::Code(0));
        assert!(std::fs::metadata(dir.path().join("big")).unwrap().len() <= 4096);
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let argv = vec!["gen-no-such-program".to_string()];
        assert!(run(&Isolation::Unsandboxed, dir.path(), &argv, &[], &limits(1000)).is_err());
        assert!(run(&Isolation::Unsandboxed, dir.path(), &[], &[], &limits(1000)).is_err());
    }
}
