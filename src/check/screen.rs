//! Screening docker commands before they reach the private engine: what would give a
//! container the machine (`--privileged`, host namespaces, devices, capabilities, the
//! host's docker socket, bind mounts of host folders) is refused, and a command that
//! needs an image no recipe makes (it would be pulled) is not run. The arguments are
//! those the argument check reads ([`SimpleCommand`]). A block opts in to a kind of
//! refused flag with its fence's `allow` attribute (`allow="privileged"`).

use std::collections::BTreeSet;

use super::args::{SimpleCommand, Word, WordPart};

/// Why a snippet's docker commands are not run against the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screened {
    /// A flag the engine is not given: the flag as written, why, and its kind (what
    /// `allow=` names to let it through, one of
    /// [`crate::markdown::snippet::attrs::ENGINE_ALLOWANCES`]).
    Refused { flag: String, why: &'static str, kind: &'static str },
    /// An image with no local recipe: it would be pulled.
    Unmapped { image: String },
}

impl Screened {
    /// The reason a snippet is skipped for.
    pub fn reason(&self) -> String {
        match self {
            Screened::Refused { flag, why, kind } => format!(
                "refused by the engine screen: `{flag}` ({why}); not run (a block that means it opts in with \
                 allow=\"{kind}\")"
            ),
            Screened::Unmapped { image } => format!(
                "needs the image `{image}`, which site.toml [engine.images] does not map (images are never pulled)"
            ),
        }
    }
}

/// `docker run`/`create` options that take a value (the next word when not `--x=v`).
const VALUE_OPTIONS: &[&str] = &[
    "-a",
    "-c",
    "-e",
    "-h",
    "-l",
    "-m",
    "-p",
    "-u",
    "-v",
    "-w",
    "--add-host",
    "--attach",
    "--blkio-weight",
    "--cap-add",
    "--cap-drop",
    "--cgroup-parent",
    "--cgroupns",
    "--cidfile",
    "--cpu-period",
    "--cpu-quota",
    "--cpu-shares",
    "--cpus",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--device",
    "--dns",
    "--dns-option",
    "--dns-search",
    "--domainname",
    "--entrypoint",
    "--env",
    "--env-file",
    "--expose",
    "--gpus",
    "--group-add",
    "--health-cmd",
    "--health-interval",
    "--health-retries",
    "--health-start-period",
    "--health-timeout",
    "--hostname",
    "--ip",
    "--ip6",
    "--ipc",
    "--isolation",
    "--kernel-memory",
    "--label",
    "--label-file",
    "--link",
    "--log-driver",
    "--log-opt",
    "--mac-address",
    "--memory",
    "--memory-reservation",
    "--memory-swap",
    "--memory-swappiness",
    "--mount",
    "--name",
    "--net",
    "--network",
    "--network-alias",
    "--oom-score-adj",
    "--pid",
    "--pids-limit",
    "--platform",
    "--publish",
    "--pull",
    "--restart",
    "--runtime",
    "--security-opt",
    "--shm-size",
    "--stop-signal",
    "--stop-timeout",
    "--storage-opt",
    "--sysctl",
    "--tmpfs",
    "--ulimit",
    "--user",
    "--userns",
    "--uts",
    "--volume",
    "--volume-driver",
    "--volumes-from",
    "--workdir",
];

/// The word's text when it is all literal.
fn literal(word: &Word) -> Option<String> {
    word.parts
        .iter()
        .map(|p| match p {
            WordPart::Literal(text) => Some(text.as_str()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map(|parts| parts.concat())
}

/// The word as written, for messages: parameters as `$NAME`.
fn shown(word: &Word) -> String {
    word.parts
        .iter()
        .map(|p| match p {
            WordPart::Literal(t) => t.clone(),
            WordPart::Parameter(n) => format!("${n}"),
            WordPart::Substitution(s) => format!("$({s})"),
            WordPart::Placeholder(p) => format!("<{p}>"),
        })
        .collect()
}

/// The first reason not to run `commands` against the engine, if any. `images` are
/// the names that have a local image; `scratch` is the folder host bind mounts may
/// come from; `allowed` the kinds of refused flags the block opts in to.
pub fn screen(
    commands: &[SimpleCommand],
    images: &BTreeSet<String>,
    scratch: &str,
    allowed: &[String],
) -> Option<Screened> {
    let context = Context { images, scratch, allowed };
    commands.iter().find_map(|c| screen_command(&c.words, &context))
}

/// What a screen goes by: the mapped images, the scratch folder, the kinds allowed.
struct Context<'a> {
    images: &'a BTreeSet<String>,
    scratch: &'a str,
    allowed: &'a [String],
}

fn screen_command(words: &[Word], context: &Context) -> Option<Screened> {
    let images = context.images;
    // Past `sudo` and the like, the docker word.
    let start = words.iter().position(|w| literal(w).is_some_and(|t| t == "docker" || t.ends_with("/docker")))?;
    let rest = &words[start + 1..];
    let texts: Vec<Option<String>> = rest.iter().map(literal).collect();
    let sub = texts.iter().position(|t| t.as_deref().is_some_and(|t| !t.starts_with('-')))?;
    let mut at = sub + 1;
    let verb = texts[sub].as_deref().unwrap_or("");
    let verb = match (verb, texts.get(at).and_then(|t| t.as_deref())) {
        ("container", Some(v @ ("run" | "create"))) | ("image", Some(v @ "pull")) => {
            at += 1;
            v
        }
        (v, _) => v,
    };
    match verb {
        "pull" => {
            let image = rest.get(at..)?.iter().find(|w| !literal(w).is_some_and(|t| t.starts_with('-')))?;
            unmapped(image, images)
        }
        "run" | "create" => screen_run(&rest[at..], context),
        _ => None,
    }
}

/// `docker run` options up to the image, screened; then the image.
fn screen_run(words: &[Word], context: &Context) -> Option<Screened> {
    let images = context.images;
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let Some(text) = literal(word).filter(|t| t.starts_with('-')) else {
            return unmapped(word, images);
        };
        if text == "--" {
            return words.get(i + 1).and_then(|w| unmapped(w, images));
        }
        let (name, inline) = match text.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ if !text.starts_with("--") && text.len() > 2 && VALUE_OPTIONS.contains(&&text[..2]) => {
                (text[..2].to_string(), Some(text[2..].to_string()))
            }
            _ => (text.clone(), None),
        };
        let takes_value = VALUE_OPTIONS.contains(&name.as_str());
        let value = match (&inline, takes_value) {
            (Some(v), _) => Some(v.clone()),
            (None, true) => {
                i += 1;
                words.get(i).map(shown)
            }
            (None, false) => None,
        };
        let refused = refused_option(&name, value.as_deref().unwrap_or(""), context.scratch);
        if let Some(refused) = refused.filter(|r| !allowed(r, context.allowed)) {
            return Some(refused);
        }
        i += 1;
    }
    None
}

/// Is the refusal of a kind the block opts in to?
fn allowed(refused: &Screened, allowed: &[String]) -> bool {
    matches!(refused, Screened::Refused { kind, .. } if allowed.iter().any(|a| a == kind))
}

fn refused_option(name: &str, value: &str, scratch: &str) -> Option<Screened> {
    let refuse =
        |(why, kind)| Some(Screened::Refused { flag: format!("{name} {value}").trim().to_string(), why, kind });
    match name {
        "--privileged" => refuse(("a privileged container is root on the machine", "privileged")),
        "--device" => refuse(("a host device", "device")),
        "--cap-add" => refuse(("capabilities beyond docker's default set", "cap-add")),
        "--pid" | "--network" | "--net" | "--ipc" | "--uts" | "--userns" | "--cgroupns" if value == "host" => {
            refuse(("the host's namespace", "host-namespace"))
        }
        "--security-opt" if value.contains("unconfined") => refuse(("confinement turned off", "unconfined")),
        "-v" | "--volume" => bind_source(value.split(':').next().unwrap_or(""), scratch).and_then(refuse),
        "--mount" => {
            let source = value
                .split(',')
                .find_map(|kv| kv.strip_prefix("source=").or_else(|| kv.strip_prefix("src=")))
                .unwrap_or("");
            if value.split(',').any(|kv| kv == "type=bind") {
                bind_source(source, scratch).and_then(refuse)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Why a bind mount of `source` is refused: a host path outside the scratch folder (a
/// named volume, without a slash, is the engine's own)
/// and its kind.
fn bind_source(source: &str, scratch: &str) -> Option<(&'static str, &'static str)> {
    if source.contains("docker.sock") {
        return Some(("the host's docker socket is root on the machine", "docker-socket"));
    }
    let is_path =
        source.starts_with('/') || source.starts_with('.') || source.starts_with('~') || source.starts_with('$');
    let in_scratch = source.starts_with("$PWD")
        || source.starts_with("$(pwd)")
        || source.starts_with('.')
        || (!scratch.is_empty() && source.starts_with(scratch));
    (is_path && !in_scratch).then_some(("a host folder outside the scratch folder", "host-mount"))
}

fn unmapped(image: &Word, images: &BTreeSet<String>) -> Option<Screened> {
    // A variable (`$image_id`) holds what an earlier command made or chose.
    let name = literal(image)?;
    let plain = name.strip_suffix(":latest").unwrap_or(&name);
    (!images.contains(plain) && !images.contains(&name)).then_some(Screened::Unmapped { image: name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str) -> Option<Screened> {
        check_allowing(line, &[])
    }

    fn check_allowing(line: &str, allowed: &[&str]) -> Option<Screened> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let command = SimpleCommand::from_texts(&words, 1, 1);
        let images: BTreeSet<String> = ["busybox".to_string(), "ubuntu".to_string()].into();
        let allowed: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        screen(&[command], &images, "/tmp/scratch", &allowed)
    }

    #[test]
    fn a_block_opts_in_to_a_kind_of_refused_flag() {
        assert_eq!(check_allowing("docker run --privileged busybox true", &["privileged"]), None);
        assert_eq!(check_allowing("docker run -v /:/host busybox true", &["host-mount"]), None);
        // Only the kind it names.
        let Some(Screened::Refused { flag, kind, .. }) =
            check_allowing("docker run --privileged -v /:/host busybox true", &["privileged"])
        else {
            panic!()
        };
        assert_eq!((flag.as_str(), kind), ("-v /:/host", "host-mount"));
        let socket = check_allowing("docker run -v /var/run/docker.sock:/s busybox true", &["host-mount"]);
        assert!(socket.unwrap().reason().contains("opts in with allow=\"docker-socket\""));
        // Every kind a refusal gives is one the attribute accepts.
        for line in
            ["--privileged", "--device /dev/sda", "--cap-add X", "--pid host", "--security-opt seccomp=unconfined"]
        {
            let Some(Screened::Refused { kind, .. }) = check(&format!("docker run {line} busybox")) else { panic!() };
            assert!(crate::markdown::snippet::attrs::ENGINE_ALLOWANCES.contains(&kind), "{kind}");
        }
    }

    #[test]
    fn dangerous_flags_are_refused() {
        for line in [
            "docker run --privileged busybox true",
            "docker run -v /:/host busybox true",
            "docker run --volume=/var/run/docker.sock:/var/run/docker.sock busybox true",
            "docker run -v /var/run/docker.sock:/s busybox true",
            "docker run --pid=host busybox true",
            "docker run --network host busybox true",
            "docker container run --cap-add SYS_ADMIN busybox true",
            "sudo docker run --device /dev/sda busybox true",
            "docker create --mount type=bind,source=/etc,target=/x busybox",
        ] {
            assert!(matches!(check(line), Some(Screened::Refused { .. })), "{line}: {:?}", check(line));
        }
        let Some(Screened::Refused { flag, .. }) = check("docker run --privileged busybox") else { panic!() };
        assert_eq!(flag, "--privileged");
    }

    #[test]
    fn ordinary_commands_pass_and_unmapped_images_are_named() {
        for line in [
            "docker run --rm -it -e A=1 --name x busybox echo --privileged",
            "docker run -d -v data:/data -v $PWD/x:/x ubuntu:latest sleep 1",
            "docker run -d $image_id",
            "docker exec -it $CONTAINERID sh",
            "docker ps -a",
            "docker run --network none busybox true",
        ] {
            assert_eq!(check(line), None, "{line}");
        }
        assert_eq!(check("docker run -p 80:80 nginx"), Some(Screened::Unmapped { image: "nginx".into() }));
        assert_eq!(check("docker pull alpine:3"), Some(Screened::Unmapped { image: "alpine:3".into() }));
        assert!(check("docker pull alpine").unwrap().reason().contains("never pulled"));
    }
}
