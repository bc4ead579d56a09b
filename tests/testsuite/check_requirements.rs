//! Requirements against this machine's real tools, probed once with the fixture's
//! site.toml: docker's version is read from `docker --version`, constraints compared,
//! and a missing tool or another platform skips with the reason.

use gen::check::requirements::{Probe, Requirement, ToolVersions};
use gen::check::Outcome;
use gen::config::SiteConfig;

use crate::harness::{repo_root, require_program};

#[test]
fn docker_version_constraints_and_missing_tools() {
    if !require_program("docker") {
        return;
    }
    let config = SiteConfig::load(&repo_root().join("tests/fixtures/check-originals")).unwrap();
    let versions = ToolVersions::probe(["docker", "boot2docker"], &config.tools);
    let printed = std::process::Command::new("docker").arg("--version").output().unwrap();
    let printed = String::from_utf8_lossy(&printed.stdout).into_owned();
    let version = versions.version_of("docker").expect("a docker version");
    assert!(printed.contains(&format!("version {version},")), "{printed} vs {version}");

    let new_enough = Requirement::tool_version("docker", ">=1.3", "docker 1.3+").unwrap();
    assert_eq!(versions.check(&[new_enough]), Outcome::passed_with(format!("docker {version}")));
    // The aufs path of the cheat sheet needs a docker from before overlay2 became the default.
    let old = Requirement::tool_version("docker", "<1.13", "docker <1.13").unwrap();
    assert_eq!(versions.check(&[old]), Outcome::skipped(format!("requires docker <1.13, found {version}")));
    assert_eq!(versions.get("boot2docker"), Some(&Probe::Missing));
    assert_eq!(versions.check(&[Requirement::tool("boot2docker")]), Outcome::skipped("boot2docker not installed"));
    if std::env::consts::OS == "linux" {
        assert_eq!(
            versions.check(&[Requirement::Os("macos".into())]),
            Outcome::skipped("requires macOS, this is Linux")
        );
        assert_eq!(versions.check(&[Requirement::Os("linux".into())]), Outcome::passed());
    }
}
