//! What the clients of the CTI crates (`ami-proto`, `o2g-api`, …) share
//! on the transport side: TLS trust ([`Roots`], [`client_config`]) and the
//! bounded event queue between a connection's driver task and the
//! application ([`events`]).
//!
//! Vendor crates depend on it through their `client` feature only; the
//! protocol cores (types, codecs, sessions) never see it.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // client-side support: sockets and tasks are its job
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod events;
mod tls;

pub use tls::{Roots, TlsError, client_config, pem_certs};
