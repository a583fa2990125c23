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
//! - [`normalize`]: AMI events → `cti_core` events, following calls by
//!   `Linkedid`.
//! - [`client`] (feature `client`, default): the tokio TCP/TLS client — a
//!   cloneable handle and a bounded event stream.
//! - [`sim`] (feature `sim`): an AMI server on 127.0.0.1 with a small PBX
//!   model, call scenarios and fault knobs, for tests and demos.
//!
//! With `default-features = false` the crate is the sans-IO core only: no
//! tokio, no rustls in its dependency tree.
//!
//! # Watch calls: connect, send an action, read normalized events, close
//!
//! ```
//! # #[cfg(all(feature = "client", feature = "sim"))]
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! use ami_proto::actions::Originate;
//! use ami_proto::client::{ClientConfig, connect_normalized};
//! use ami_proto::cti_core::EventKind;
//! use futures_util::StreamExt;
//! # let pbx = ami_proto::sim::start(ami_proto::sim::SimConfig::default()).await?;
//! # let addr = pbx.addr().to_string();
//!
//! let (client, mut events) = connect_normalized(ClientConfig::new(addr, "admin", "amp111")).await?;
//! client.send(Originate::new("PJSIP/1001").exten("1002").context("from-internal").priority(1).async_(true)).await?;
//! while let Some(event) = events.next().await {
//!     println!("{:?}", event.kind);
//!     if matches!(event.kind, EventKind::Alerting { .. }) { break; }
//! }
//! client.close().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `addr` is your Asterisk's `host:5038` (the example runs against this
//! crate's simulator, [`sim`], account `admin` / `amp111`). The normalized
//! stream starts with `connected`, re-reads the channel list after login
//! and after every gap, and says `reconnecting` / `reconnected { gap }` /
//! `lagged` where they happen.
//!
//! # Raw messages and typed events
//!
//! ```
//! # #[cfg(all(feature = "client", feature = "sim"))]
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! use ami_proto::client::{ClientConfig, ClientEvent, connect};
//! use ami_proto::{Event, Message, sim};
//!
//! // A stand-in for Asterisk on 127.0.0.1 (account admin / amp111).
//! let pbx = sim::start(sim::SimConfig::default()).await?;
//!
//! // TCP, banner, MD5 challenge login; the driver runs in the background.
//! let (client, mut events) = connect(ClientConfig::new(pbx.addr().to_string(), "admin", "amp111")).await?;
//!
//! // A raw action and its correlated response.
//! let originate = Message::action("Originate")
//!     .header("Channel", "PJSIP/1001")
//!     .header("Exten", "1002")
//!     .header("Context", "from-internal")
//!     .header("Priority", "1")
//!     .header("Async", "true")
//!     .build()?;
//! let response = client.send(&originate).await?;
//! assert_eq!(response.get("Message"), Some("Originate successfully queued"));
//!
//! // The events of the call, typed.
//! let mut hangups = 0;
//! while let Some(ev) = events.recv().await {
//!     let ClientEvent::Event(m) = ev else { continue };
//!     if let Ok(Event::Hangup(h)) = Event::from_message(m) {
//!         // `cause()` is the Q.850 code as a `u16`; `Err` keeps a malformed one.
//!         let cause = h.cause().and_then(Result::ok);
//!         println!("{} hung up: {cause:?} {}", h.channel().unwrap_or("?"), h.cause_txt().unwrap_or("?"));
//!         hangups += 1;
//!         if hangups == 2 {
//!             break;
//!         }
//!     }
//! }
//! client.close().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The wire facts it follows were recorded from Asterisk 22.10.1 (AMI
//! 11.0.0): values keep their colons and leading spaces, empty values are
//! common, `\r\n\n` and bare-LF endings occur, and releases before 14 answer
//! `Command` with `Response: Follows` … `--END COMMAND--`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
#[allow(clippy::disallowed_methods, clippy::disallowed_types)] // IO is the point of the client
pub mod client;
pub mod codec;
pub mod normalize;
pub mod session;
// Also built by rustdoc with the default features (`client` enables the
// dependencies `sim` needs), so that a plain `cargo doc` shows it; not when
// collecting doctests, which run against the crate built without `sim`.
#[cfg(any(feature = "sim", all(doc, not(doctest), feature = "client")))]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
pub mod types;

pub use cti_core;
pub use normalize::Normalizer;
pub use types::generated::{actions, events};
pub use types::values;
pub use types::{Action, Event};
pub use types::{
    ActionId, AmiVersion, Header, HeaderName, HeaderValue, Message, MessageBuilder, MessageKind,
    ValidationError, Variable,
};
