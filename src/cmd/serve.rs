//! `gen serve`.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::check::live::LiveChecks;
use crate::error::Errors;
use crate::serve::watch::WatchMode;
use crate::serve::{serve, ServeOptions};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on; when it is busy, the next free one is used (0: any free port).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on. Anything but a loopback address shows drafts to the network.
    #[arg(long, short, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Scan for changes instead of using file-system events (for network or container mounts).
    #[arg(long)]
    pub poll: bool,
    /// With --poll, milliseconds between scans.
    #[arg(long, default_value_t = 300, requires = "poll")]
    pub poll_interval: u64,
}

pub fn run(root: &Path, args: ServeArgs) -> Result<i32, Errors> {
    let watch =
        if args.poll { WatchMode::Poll(Duration::from_millis(args.poll_interval.max(10))) } else { WatchMode::Native };
    // gen test's checks, for the snippets edited while serving (serve does not know check).
    let checks = Arc::new(LiveChecks::new());
    serve(root, &ServeOptions { bind: args.bind, port: args.port, watch }, checks)
}
