//! What the clients of the CTI crates (`ami-proto`, `o2g-api`, …) share
//! on the transport side: TLS trust ([`Roots`], [`client_config`]), the
//! bounded event queue between a connection's driver task and the
//! application with the [`EventStream`] every client returns ([`events`]),
//! and the [`Normalized`] stream of `cti_core` events ([`normalized`]).
//!
//! Vendor crates depend on it through their `client` feature only; the
//! protocol cores (types, codecs, sessions) never see it.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // client-side support: sockets and tasks are its job
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod events;
pub mod normalized;
mod tls;

pub use events::EventStream;
pub use normalized::Normalized;
pub use tls::{PRIVATE_CA_HINT, Roots, TlsError, client_config, pem_certs};
