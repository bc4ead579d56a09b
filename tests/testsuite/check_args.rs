//! Argument checks with the real docker client, configured as in the check fixtures'
//! site.toml, on every docker command of the Docker cheat sheet (as the shell parser
//! splits them: the commands inside `$(...)` are simple commands of their own).

use gen::check::args::{ArgsChecker, SimpleCommand, Verdict};
use gen::check::sandbox::Isolation;
use gen::check::Outcome;
use gen::config::SiteConfig;

use crate::harness::{repo_root, require_program};

fn config() -> SiteConfig {
    SiteConfig::load(&repo_root().join("tests/fixtures/check-originals")).unwrap()
}

fn isolation() -> Isolation {
    // Under bubblewrap when it works here (no network); docker with a dead DOCKER_HOST
    // acts on nothing either way.
    Isolation::detect().unwrap_or(Isolation::Unsandboxed)
}

fn verdict(checker: &ArgsChecker, words: &[&str]) -> Verdict {
    checker.verdict(&SimpleCommand::from_texts(words, 1, 3)).expect("docker is declared")
}

#[test]
fn the_cheat_sheet_commands_are_accepted() {
    if !require_program("docker") {
        return;
    }
    let config = config();
    let isolation = isolation();
    let checker = ArgsChecker::new(&config.tools, &isolation);
    let commands: &[&[&str]] = &[
        &["docker", "images"],
        &["docker", "run", "--rm", "-t", "-i", "$image_id", "/bin/bash"],
        &["docker", "rmi", "$(docker images | grep \"^<none>\" | awk '{print $3}')"],
        &["docker", "run", "-t", "-i", "ubuntu", "/bin/bash"],
        &["docker", "ps"],
        &["docker", "ps", "-a"],
        &["docker", "inspect", "-f", "'{{.Id}}'", "$NSM_CONTAINER_NAME"],
        &["docker", "rm", "$(docker stop $CONTAINERID)"],
        &["docker", "stop", "$CONTAINERID"],
        &["docker", "stop", "$(docker ps -a -q)"],
        &["docker", "ps", "-a", "-q"],
        &["docker", "rm", "$(docker ps -a -q)"],
        &["docker", "exec", "$CONTAINERID", "<command>"],
        &["docker", "exec", "$CONTAINERID", "tail", "-f", "<path to log file>"],
        &["docker", "logs", "$CONTAINERID"],
        &["docker", "run", "-d", "$DOCKER_TAG", "/usr/local/bin/ncm"],
        &["docker", "cp", "$CONTAINERID:$source_path", "$destination_path"],
        &["sudo", "docker", "ps"],
        &["docker", "run", "[OPTIONS]", "IMAGE[:TAG|@DIGEST]", "[COMMAND]", "[ARG...]"],
    ];
    for words in commands {
        let v = verdict(&checker, words);
        assert!(matches!(v, Verdict::Accepted(_)), "{words:?}: {v:?}");
    }
}

#[test]
fn broken_arguments_are_rejected_with_the_clients_message() {
    if !require_program("docker") {
        return;
    }
    let config = config();
    let isolation = isolation();
    let checker = ArgsChecker::new(&config.tools, &isolation);
    // The original of the cheat sheet, and the en dash the blog's typography makes of `--`.
    assert_eq!(
        verdict(&checker, &["docker", "run", "-rm", "-t", "-i", "$image_id", "/bin/bash"]),
        Verdict::Rejected("unknown shorthand flag: 'r' in -rm".into())
    );
    assert_eq!(
        verdict(&checker, &["docker", "run", "–rm", "-t", "-i", "$image_id", "/bin/bash"]),
        Verdict::Rejected("invalid reference format".into())
    );
    assert_eq!(
        verdict(&checker, &["docker", "frobnicate"]),
        Verdict::Rejected("unknown command: docker frobnicate".into())
    );
    assert_eq!(verdict(&checker, &["docker", "ps", "--frob"]), Verdict::Rejected("unknown flag: --frob".into()));
    let outcome = checker.check(&[SimpleCommand::from_texts(
        &["docker", "run", "-rm", "-t", "-i", "$image_id", "/bin/bash"],
        2,
        17,
    )]);
    let Outcome::Failed { findings } = outcome else { panic!("{outcome:?}") };
    assert_eq!((findings[0].code.as_str(), findings[0].line, findings[0].column), ("ARGS", 2, 17));
    assert_eq!(findings[0].message, "docker rejects these arguments: unknown shorthand flag: 'r' in -rm");
    assert_eq!(
        findings[0].help.as_deref(),
        Some("gen ran `docker run -rm -t -i placeholder /bin/bash` (parameters stand in as `placeholder`); fix the arguments")
    );
}

#[test]
fn the_client_never_reaches_the_network() {
    if !require_program("docker") || !require_program("bwrap") {
        return;
    }
    let config = config();
    let isolation = Isolation::detect().expect("bubblewrap works on this machine");
    let checker = ArgsChecker::new(&config.tools, &isolation);
    // `-H tcp://…` makes the client dial out; in the sandbox's own network namespace
    // the host's loopback listener is out of reach, and never sees a connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("tcp://{}", listener.local_addr().unwrap());
    let v = verdict(&checker, &["docker", "-H", &host, "ps"]);
    assert!(matches!(v, Verdict::Accepted(_)), "{v:?}");
    listener.set_nonblocking(true).unwrap();
    let accepted = listener.accept();
    assert_eq!(accepted.map(|_| ()).unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "the client reached the host");
}
