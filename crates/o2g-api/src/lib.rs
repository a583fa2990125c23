//! ALE OmniPCX Open Gateway (O2G) REST API for Rust.
//!
//! O2G fronts an OmniPCX Enterprise with a REST API: the application
//! discovers the server (`GET /api/rest`), authenticates with HTTP Basic
//! (the answer's `credential` then travels as the `AlcUserId` cookie), opens
//! a session that must be kept alive, subscribes to event packages and reads
//! the events as newline-delimited JSON from a long-lived chunked HTTP
//! response.
//!
//! This crate is layered like every vendor crate of the workspace:
//!
//! - [`types`]: serde types for the bootstrap, session, subscription and
//!   error bodies, every event of the catalogue and the service bodies;
//!   unknown events and enumeration values are kept as raw data.
//! - [`codec`]: request builders producing `http::Request<Bytes>`, response
//!   decoders, and the incremental NDJSON event decoder. No IO.
//! - [`session`]: the deterministic session machine (bootstrap,
//!   authentication, keep-alive, subscription, event channel, recovery).
//!   No IO, no clock.
//! - [`normalize`]: O2G events → `cti_core` events.
//! - `client` (feature `client`, default): hyper + rustls.
//! - `sim` (feature `sim`): an O2G server on 127.0.0.1 with a PBX model
//!   and fault knobs.
//!
//! With `default-features = false` the crate is the sans-IO core only: no
//! tokio, hyper or rustls in its dependency tree.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod codec;
pub mod normalize;
pub mod session;
pub mod types;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;

#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;

pub use types::events::Event;
