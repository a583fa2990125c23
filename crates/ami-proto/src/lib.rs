//! Asterisk Manager Interface (AMI) for Rust.
//!
//! AMI is Asterisk's line protocol over TCP (port 5038, TLS usually 5039):
//! after a one-line banner, the client sends *actions* and the server
//! answers with *responses* (correlated by `ActionID`) and sends *events*;
//! each message is a block of `Key: Value` lines ended by an empty line.
//!
//! This crate is layered like every vendor crate of the workspace:
//!
//! - [`types`]: [`Message`] (ordered headers, repeated names kept, views into
//!   one shared buffer), validated [`HeaderName`], [`HeaderValue`] (no CR or
//!   LF: header injection is impossible by construction) and [`ActionId`];
//! - [`codec`]: the incremental, zero-copy [`Decoder`](codec::Decoder)
//!   (framer with size limits and resynchronisation, then a nom grammar per
//!   frame) and the encoder. No IO.
//! - [`session`]: the deterministic client [`Session`](session::Session):
//!   banner, plain or MD5 login, ActionID correlation, event lists,
//!   keep-alive, timeouts, logoff and reconnect decisions. No IO, no clock.
//!
//! The wire facts it follows were recorded from Asterisk 22.10.1 (AMI
//! 11.0.0): values keep their colons and leading spaces, empty values are
//! common, `\r\n\n` and bare-LF endings occur, and releases before 14 answer
//! `Command` with `Response: Follows` … `--END COMMAND--`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
pub mod codec;
pub mod normalize;
pub mod session;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
pub mod types;

pub use cti_core;
pub use types::generated::{actions, events};
pub use types::{Action, Event};
pub use types::{
    ActionId, Header, HeaderName, HeaderValue, Message, MessageBuilder, MessageKind,
    ValidationError, Variable,
};
