//! Fixture conformance for the CTI workspace.
//!
//! Every fixture in `fixtures/` is an exchange between an application and a
//! vendor system, in one of three formats (byte-stream transcript, HTTP
//! story, WebSocket frames; see `fixtures/README.md`), with a golden file of
//! the normalized events it must produce. The runner replays each fixture
//! twice:
//!
//! - **client**: a [`ReplayServer`] plays the vendor side; the vendor
//!   crate's real client must send what was recorded and produce the golden
//!   events;
//! - **simulator**: [`play_client`] plays the application side against the
//!   vendor crate's simulator, which must answer as recorded; its answers,
//!   normalized, must give the golden events.
//!
//! Vendor crates plug in through the [`Vendor`] trait; [`vendors`] lists the
//! plug-ins built into this crate.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test harness: sockets, tasks and clocks are its job

#[cfg(all(feature = "ami", feature = "runner"))]
pub mod ami;
pub mod fixture;
pub mod matcher;
#[cfg(all(feature = "o2g", feature = "runner"))]
pub mod o2g;
#[cfg(feature = "runner")]
pub mod replay;
#[cfg(feature = "runner")]
pub mod runner;
pub mod scenarios;
#[cfg(feature = "runner")]
pub mod selftest;

pub use fixture::{Check, Fixture};
#[cfg(feature = "runner")]
pub use replay::{Received, ReplayServer, play_client};
#[cfg(feature = "runner")]
pub use runner::{Options, Report, RunningSim, Vendor, run_blocking, run_dir};

use std::path::PathBuf;
#[cfg(feature = "runner")]
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex, going on after a panic elsewhere poisoned it (the replay
/// state stays meaningful: every update is one assignment).
#[cfg(feature = "runner")]
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Every plug-in this build knows.
#[cfg(feature = "runner")]
pub fn vendors() -> Vec<Box<dyn Vendor>> {
    vec![
        Box::new(selftest::SelfTest),
        #[cfg(feature = "ami")]
        Box::new(ami::Ami),
        #[cfg(feature = "o2g")]
        Box::new(o2g::O2g),
    ]
}

/// The workspace's `fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}
