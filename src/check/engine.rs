//! A private, disposable docker engine for `gen test --engine docker`: a dockerd of the
//! run's own (never the machine's engine or an existing socket), with its own data and
//! exec folders, pid file and unix socket in a folder of the run, started in a network
//! namespace of its own (loopback only: no registry, no traffic leaves the machine) and a
//! mount namespace of its own (its mounts vanish with it), its containers in a cgroup
//! of the run. Stopped at the end of the run, on Ctrl-C and on a panic (its `Drop`);
//! what a killed run left (processes, cgroups, folders) the next run removes.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::sandbox::{find_on_path, process_alive, EngineAccess, ENGINE_GID};

/// The command that installs the engine and the packages its images are made from.
pub const INSTALL_ENGINE: &str = "apt-get install docker.io busybox-static";

/// How long dockerd may take to answer before the run gives up on it.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long dockerd has to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// Why there is no engine for this run; says what to install.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (the engine comes with `{INSTALL_ENGINE}`)")]
pub struct EngineUnavailable {
    pub reason: String,
}

fn unavailable(reason: impl Into<String>) -> EngineUnavailable {
    EngineUnavailable { reason: reason.into() }
}

/// The engine's and its client's versions, as `docker version` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineVersions {
    /// `20.10.24` (a distribution's suffix, `+dfsg1`, dropped).
    pub server: String,
    pub client: String,
}

/// The folders of all private engines: one per gen process, named by its pid
/// (`GEN_ENGINE_DIR`, else `gen-engine` in the temporary folder).
pub fn engines_folder() -> PathBuf {
    std::env::var_os("GEN_ENGINE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("gen-engine"))
}

/// A running private engine. Dropping it stops it and removes everything it made.
#[derive(Debug)]
pub struct Engine {
    /// The run's folder: `data/`, `exec/`, `sock/docker.sock`, `dockerd.pid`, `dockerd.log`.
    dir: PathBuf,
    dockerd: Option<Child>,
    docker: PathBuf,
    pub versions: EngineVersions,
}

/// The folders of the engines of this process, for the Ctrl-C handler.
static RUNNING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

impl Engine {
    /// Starts a private engine in a folder of `base` named by this process's id, after
    /// removing what dead runs left in `base`, and waits until it answers.
    pub fn start(base: &Path) -> Result<Engine, EngineUnavailable> {
        Engine::start_for(base, std::process::id())
    }

    /// [`Engine::start`] in the folder of process `owner`: when that process is gone,
    /// the next start removes the engine (what a killed run leaves).
    pub fn start_for(base: &Path, owner: u32) -> Result<Engine, EngineUnavailable> {
        if !rustix::process::geteuid().is_root() {
            return Err(unavailable("a private docker engine needs root, and gen does not run as root"));
        }
        let dockerd = find_on_path("dockerd")
            .or_else(|| Some(PathBuf::from("/usr/sbin/dockerd")).filter(|p| p.is_file()))
            .ok_or_else(|| unavailable("dockerd not installed"))?;
        let docker = find_on_path("docker").ok_or_else(|| unavailable("the docker client is not installed"))?;
        let unshare = find_on_path("unshare").ok_or_else(|| unavailable("unshare (util-linux) is not installed"))?;
        clean_stale(base);
        let dir = base.join(owner.to_string());
        remove_engine_leftovers(&dir);
        let made = (|| -> io::Result<()> {
            fs::create_dir_all(dir.join("sock"))?;
            fs::write(dir.join("daemon.json"), "{}\n")?;
            for d in [base, dir.as_path(), &dir.join("sock")] {
                fs::set_permissions(d, fs::Permissions::from_mode(0o711))?;
            }
            Ok(())
        })();
        made.map_err(|e| unavailable(format!("cannot create the engine's folder {}: {e}", dir.display())))?;
        fs::write(dir.join("sock/docker"), limiting_client(&docker))
            .and_then(|()| fs::set_permissions(dir.join("sock/docker"), fs::Permissions::from_mode(0o755)))
            .map_err(|e| unavailable(format!("cannot write the limiting docker client: {e}")))?;
        limit_containers(&cgroup_name(&dir));
        let log = fs::File::create(dir.join("dockerd.log"))
            .map_err(|e| unavailable(format!("cannot create the engine's log: {e}")))?;
        let path = |p: &str| dir.join(p).to_string_lossy().into_owned();
        let mut command = Command::new(unshare);
        command
            .args(["--net", "--mount", "--propagation", "private", "--"])
            .arg(&dockerd)
            .args(["--data-root", &path("data"), "--exec-root", &path("exec"), "--pidfile", &path("dockerd.pid")])
            .arg("-H")
            .arg(format!("unix://{}", path("sock/docker.sock")))
            .args(["--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false"])
            .args(["--ip-masq=false", "--userland-proxy=false", "--cgroup-parent", &cgroup_name(&dir)])
            // Not the machine's /etc/docker/daemon.json: none of its settings.
            .arg("--config-file")
            .arg(dir.join("daemon.json"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| unavailable(e.to_string()))?)
            .stderr(log)
            // Its own process group: a terminal's Ctrl-C reaches gen, which stops it.
            .process_group(0);
        let child = command.spawn().map_err(|e| unavailable(format!("cannot start dockerd: {e}")))?;
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(dir.clone());
        stop_on_signals();
        let mut engine = Engine {
            dir,
            dockerd: Some(child),
            docker,
            versions: EngineVersions { server: String::new(), client: String::new() },
        };
        engine.versions = engine.wait_until_ready()?;
        engine.open_socket()?;
        Ok(engine)
    }

    /// The engine's socket, `…/sock/docker.sock`.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("sock/docker.sock")
    }

    /// The folder the socket is in (what a sandbox binds to reach the engine).
    pub fn socket_folder(&self) -> PathBuf {
        self.dir.join("sock")
    }

    /// `DOCKER_HOST` for this engine.
    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// The engine's folder.
    pub fn folder(&self) -> &Path {
        &self.dir
    }

    /// The pid of dockerd (for checks that it is gone).
    pub fn dockerd_pid(&self) -> Option<u32> {
        self.dockerd.as_ref().map(Child::id)
    }

    /// A docker client command against this engine only (gen's own calls, outside the
    /// sandbox: image imports, cleanup).
    pub fn docker(&self) -> Command {
        client_command(&self.docker, &self.docker_host(), &self.dir.join("client"))
    }

    /// What snippet runs need of the engine: its socket, versions, and the image names
    /// made for them.
    pub fn for_runs(&self, images: Vec<String>) -> EngineRun {
        let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
        EngineRun {
            access: EngineAccess { socket_folder: self.socket_folder() },
            docker_host: self.docker_host(),
            path: format!("{}:{}", self.socket_folder().display(), path.to_string_lossy()),
            docker: self.docker.clone(),
            config: self.dir.join("client"),
            versions: self.versions.clone(),
            images: images.into_iter().collect(),
            exclusive: std::sync::Arc::new(Mutex::new(())),
        }
    }

    /// Runs `docker ARGS` against the engine and gives its output.
    pub fn run_docker(&self, args: &[&str]) -> io::Result<Output> {
        self.docker().args(args).output()
    }

    fn wait_until_ready(&mut self) -> Result<EngineVersions, EngineUnavailable> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let out = self.run_docker(&["version", "--format", "{{.Server.Version}} {{.Client.Version}}"]);
            if let Some(out) = out.ok().filter(|o| o.status.success()) {
                let text = String::from_utf8_lossy(&out.stdout);
                let mut words = text.split_whitespace();
                let short = |v: Option<&str>| v.unwrap_or("").split('+').next().unwrap_or("").to_string();
                return Ok(EngineVersions { server: short(words.next()), client: short(words.next()) });
            }
            let exited = self.dockerd.as_mut().and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() >= deadline {
                let log = fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default();
                let last = log.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_string();
                let why = if exited.is_some() { "dockerd exited" } else { "dockerd did not answer in time" };
                return Err(unavailable(format!("{why}: {last}")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The socket for root and the group of sandboxed runs ([`ENGINE_GID`]) only.
    fn open_socket(&self) -> Result<(), EngineUnavailable> {
        let socket = self.socket();
        let gid = rustix::process::Gid::from_raw(ENGINE_GID);
        rustix::fs::chown(&socket, None, Some(gid))
            .map_err(|e| unavailable(format!("cannot give the engine's socket to the sandbox's group: {e}")))?;
        fs::set_permissions(&socket, fs::Permissions::from_mode(0o660))
            .map_err(|e| unavailable(format!("cannot set the socket's permissions: {e}")))
    }

    /// Stops the engine: its containers removed, dockerd stopped (SIGTERM, then SIGKILL
    /// after [`STOP_TIMEOUT`]), whatever is left of it killed, its folder removed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.dockerd.take() {
            if let Ok(out) = self.run_docker(&["ps", "-aq"]) {
                let ids: Vec<String> =
                    String::from_utf8_lossy(&out.stdout).split_whitespace().map(String::from).collect();
                if !ids.is_empty() {
                    let _ = self.docker().args(["rm", "-f"]).args(&ids).output();
                }
            }
            terminate(child.id(), STOP_TIMEOUT);
            let _ = child.kill();
            let _ = child.wait();
        }
        remove_engine_leftovers(&self.dir);
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).retain(|d| d != &self.dir);
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The engines `gen test --engine` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    Docker,
}

/// Which engine docker snippets run against in a run of the suite.
#[derive(Debug, Clone, Default)]
pub enum EngineSetting {
    /// None: docker snippets run like the others (argument checks, `test="run"`).
    #[default]
    Off,
    /// This private engine.
    Ready(EngineRun),
    /// One was asked for but there is none: docker snippets are skipped with this reason.
    Unavailable(String),
}

/// A running engine as snippet runs see it. Runs against the engine take turns (one at a
/// time holds [`EngineRun::exclusive`]), and what one made is removed before the next.
#[derive(Debug, Clone)]
pub struct EngineRun {
    pub access: EngineAccess,
    pub docker_host: String,
    /// PATH for snippet runs: the socket folder first, where `docker` is the limiting
    /// client (see [`limiting_client`]).
    pub path: String,
    docker: PathBuf,
    config: PathBuf,
    pub versions: EngineVersions,
    /// The image names posts may use (site.toml's `[engine.images]`, made locally).
    pub images: std::collections::BTreeSet<String>,
    pub exclusive: std::sync::Arc<Mutex<()>>,
}

/// The docker client `docker` talking to one private engine only: a clean environment
/// with PATH, the engine's `DOCKER_HOST` and a client config folder of its own.
fn client_command(docker: &Path, docker_host: &str, config: &Path) -> Command {
    let mut command = Command::new(docker);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
        .env("DOCKER_HOST", docker_host)
        .env("DOCKER_CONFIG", config)
        .stdin(Stdio::null());
    command
}

impl EngineRun {
    fn docker(&self, args: &[&str]) -> Option<String> {
        let out = client_command(&self.docker, &self.docker_host, &self.config).args(args).output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Removes what a snippet made: every container, the volumes and networks it made,
    /// and the images other than the mapped ones.
    pub fn reset(&self) {
        let words = |text: Option<String>| -> Vec<String> {
            text.unwrap_or_default().split_whitespace().map(String::from).collect()
        };
        let containers = words(self.docker(&["ps", "-aq"]));
        if !containers.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(containers.iter().map(String::as_str));
            self.docker(&args);
        }
        self.docker(&["volume", "prune", "-f"]);
        self.docker(&["network", "prune", "-f"]);
        let images = words(self.docker(&["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]));
        let made: Vec<&str> = images
            .iter()
            .map(String::as_str)
            .filter(|i| {
                let plain = i.strip_suffix(":latest").unwrap_or(i);
                !self.images.contains(plain) && !i.starts_with("gen-local/") && !i.contains("<none>")
            })
            .collect();
        if !made.is_empty() {
            let mut args = vec!["rmi", "-f"];
            args.extend(made);
            self.docker(&args);
        }
        self.docker(&["image", "prune", "-f"]);
    }

    /// "docker engine 20.10.24 (client 28.2.2)".
    pub fn label(&self) -> String {
        format!("docker engine {} (client {})", self.versions.server, self.versions.client)
    }
}

/// The limits of each container a snippet makes: memory (swap included), processes,
/// CPUs, and CPU time per process (RLIMIT_CPU, seconds).
pub const PER_CONTAINER_LIMITS: &str = "--memory=256m --memory-swap=256m --pids-limit=256 --cpus=1 --ulimit=cpu=120";

/// The `docker` that snippet runs call, in the socket folder (first on their PATH): a
/// shell script that gives `docker run` and `docker create` (and their `container`
/// forms) [`PER_CONTAINER_LIMITS`] before the snippet's own options, and calls the real
/// client `docker`. A snippet's own value of one of these flags comes later and wins;
/// the engine's cgroup still limits all its containers together. A snippet that calls
/// the client by its full path, or puts global options before `run`, is not given them.
pub fn limiting_client(docker: &Path) -> String {
    let real = docker.to_string_lossy().replace('\'', "'\\''");
    format!(
        "#!/bin/sh\n\
         # gen: limits for each container a snippet makes (its own flags come later and win).\n\
         limits='{PER_CONTAINER_LIMITS}'\n\
         case \"$1\" in\n\
         run|create) verb=$1; shift; exec '{real}' \"$verb\" $limits \"$@\" ;;\n\
         container)\n    \
             case \"$2\" in\n    \
             run|create) verb=$2; shift 2; exec '{real}' container \"$verb\" $limits \"$@\" ;;\n    \
             esac ;;\n\
         esac\n\
         exec '{real}' \"$@\"\n"
    )
}

/// The limits of all the engine's containers together: memory and processes.
pub const CONTAINER_MEMORY_BYTES: u64 = 1 << 30;
pub const CONTAINER_PIDS: u64 = 1024;

/// Makes the engine's cgroup with its limits before dockerd puts containers in it (cgroup
/// v1's memory and pids hierarchies, or v2's unified one). Best effort: without cgroup
/// access the containers are limited by docker's defaults only.
fn limit_containers(name: &str) {
    let root = Path::new("/sys/fs/cgroup");
    let v1 = [("memory", "memory.limit_in_bytes", CONTAINER_MEMORY_BYTES), ("pids", "pids.max", CONTAINER_PIDS)];
    if root.join("memory").is_dir() {
        for (controller, file, value) in v1 {
            let dir = root.join(controller).join(name);
            if fs::create_dir_all(&dir).is_ok() {
                let _ = fs::write(dir.join(file), value.to_string());
            }
        }
    } else if root.join("cgroup.controllers").is_file() {
        let dir = root.join(name);
        if fs::create_dir_all(&dir).is_ok() {
            let _ = fs::write(dir.join("memory.max"), CONTAINER_MEMORY_BYTES.to_string());
            let _ = fs::write(dir.join("pids.max"), CONTAINER_PIDS.to_string());
        }
    }
}

/// The cgroup the engine's containers go in (`--cgroup-parent`).
fn cgroup_name(dir: &Path) -> String {
    format!("gen-engine-{}", dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
}

/// On SIGINT or SIGTERM, the engines of this process are stopped before it exits (a
/// handler installed once; it exits with 130 as a shell would show Ctrl-C).
fn stop_on_signals() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else { return };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let dirs = RUNNING.lock().unwrap_or_else(|e| e.into_inner()).clone();
                for dir in dirs {
                    remove_engine_leftovers(&dir);
                }
                std::process::exit(128 + signal);
            }
        });
    });
}

/// Removes what the engines of dead gen processes left in `base`.
pub fn clean_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else { return };
    for entry in entries.filter_map(Result::ok) {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !process_alive(pid) {
            remove_engine_leftovers(&entry.path());
        }
    }
}

/// Kills every process of the engine in `dir` (dockerd, containerd, shims: their
/// command lines name the folder; containers: their cgroup), removes its cgroups and
/// its folder.
pub fn remove_engine_leftovers(dir: &Path) {
    if let Some(pid) = fs::read_to_string(dir.join("dockerd.pid")).ok().and_then(|p| p.trim().parse::<u32>().ok()) {
        if command_line(pid).contains(&format!("{}/", dir.display())) {
            terminate(pid, STOP_TIMEOUT);
        }
    }
    let cgroup = cgroup_name(dir);
    for _ in 0..3 {
        let mut pids = processes_naming(dir);
        pids.extend(cgroup_processes(&cgroup));
        if pids.is_empty() {
            break;
        }
        for pid in &pids {
            kill(*pid, rustix::process::Signal::KILL);
        }
        for pid in &pids {
            wait_gone(*pid, Duration::from_secs(5));
        }
    }
    remove_cgroups(&cgroup);
    if dir.exists() {
        let _ = fs::remove_dir_all(dir);
    }
}

/// SIGTERM, then SIGKILL when `pid` is still alive after `limit`.
fn terminate(pid: u32, limit: Duration) {
    kill(pid, rustix::process::Signal::TERM);
    if !wait_gone(pid, limit) {
        kill(pid, rustix::process::Signal::KILL);
        wait_gone(pid, Duration::from_secs(5));
    }
}

fn kill(pid: u32, signal: rustix::process::Signal) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, signal);
    }
}

/// Waits until `pid` is gone or a zombie; true if it is.
fn wait_gone(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while process_alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

fn command_line(pid: u32) -> String {
    fs::read(format!("/proc/{pid}/cmdline")).map(|b| String::from_utf8_lossy(&b).replace('\0', " ")).unwrap_or_default()
}

/// Live processes whose command line names `dir`.
pub fn processes_naming(dir: &Path) -> Vec<u32> {
    let needle = format!("{}/", dir.display());
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|&pid| pid != std::process::id() && process_alive(pid) && command_line(pid).contains(&needle))
        .collect()
}

/// The cgroup folders named `name` (at the top of each controller's hierarchy, or of
/// the unified one).
fn cgroup_folders(name: &str) -> Vec<PathBuf> {
    let root = Path::new("/sys/fs/cgroup");
    let direct = root.join(name);
    let mut folders: Vec<PathBuf> = fs::read_dir(root)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path().join(name)).collect())
        .unwrap_or_default();
    folders.push(direct);
    folders.retain(|f| f.is_dir());
    folders
}

/// Live processes in the cgroups named `name` and below.
pub fn cgroup_processes(name: &str) -> Vec<u32> {
    let mut pids: Vec<u32> = cgroup_folders(name)
        .iter()
        .flat_map(|f| walkdir::WalkDir::new(f).into_iter().filter_map(Result::ok))
        .filter(|e| e.file_name() == "cgroup.procs")
        .filter_map(|e| fs::read_to_string(e.path()).ok())
        .flat_map(|text| text.split_whitespace().filter_map(|p| p.parse::<u32>().ok()).collect::<Vec<_>>())
        .filter(|&pid| process_alive(pid))
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}

/// Removes the (empty) cgroups named `name`, deepest first.
fn remove_cgroups(name: &str) {
    for folder in cgroup_folders(name) {
        let dirs: Vec<PathBuf> = walkdir::WalkDir::new(&folder)
            .contents_first(true)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_dir())
            .map(|e| e.into_path())
            .collect();
        for dir in dirs {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Mount points under `dir` in this process's mount namespace (none are expected: the
/// engine mounts in its own).
pub fn mounts_under(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4))
        .filter(|m| m.starts_with(&needle))
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_folders_of_dead_processes_are_removed_and_live_ones_kept() {
        let base = tempfile::tempdir().unwrap();
        // A pid no process has (above the kernel's maximum), and this process's.
        let dead = base.path().join("4999999");
        let live = base.path().join(std::process::id().to_string());
        for d in [&dead, &live] {
            fs::create_dir_all(d.join("data")).unwrap();
        }
        fs::create_dir_all(base.path().join("not-a-pid")).unwrap();
        clean_stale(base.path());
        assert!(!dead.exists());
        assert!(live.exists());
        assert!(base.path().join("not-a-pid").exists());
    }

    #[test]
    fn cgroup_names_follow_the_folder() {
        assert_eq!(cgroup_name(Path::new("/tmp/gen-engine/42")), "gen-engine-42");
    }
}
