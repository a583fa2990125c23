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
//!
//! # Watch calls: connect, send a request, read normalized events, close
//!
//! ```
//! # #[cfg(all(feature = "client", feature = "sim"))]
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! use o2g_api::client::{ClientConfig, connect_normalized};
//! use o2g_api::cti_core::EventKind;
//! use o2g_api::endpoints::telephony::MakeCall;
//! use o2g_api::types::{Package, Selector, SubscriptionRequest};
//! use futures_util::StreamExt;
//! # let o2g = o2g_api::sim::start(o2g_api::sim::SimConfig::default()).await?;
//! # let url = o2g.base_url();
//! let watch = SubscriptionRequest::new(vec![Selector::new(vec![Package::Telephony], ["oxe1001", "oxe1002"])], 10);
//!
//! let (client, mut events) = connect_normalized(ClientConfig::new(url, "admin", "admin").subscribe(watch)).await?;
//! client.send(MakeCall::new("1001", "1002").login_name("oxe1001")).await?;
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
//! `url` is your O2G server (`https://o2g.example`; the example runs
//! against this crate's simulator, [`sim`], administrator `admin` /
//! `admin`, users oxe1001–oxe1003 on devices 1001–1003). The normalized
//! stream starts with `connected`, reads the subscribed users' telephonic
//! state after login and after every gap, and says `reconnecting` /
//! `reconnected { gap }` / `lagged` where they happen.
//!
//! # Typed events: watch a basic call
//!
//! Discover the server, authenticate, open an administrator session, list
//! the logins, subscribe to the telephony events of two users, and watch
//! oxe1001 call oxe1002:
//!
//! ```
//! # #[cfg(all(feature = "client", feature = "sim"))]
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! use o2g_api::client::{ClientConfig, ClientEvent, connect};
//! use o2g_api::endpoints::telephony::{AnswerCall, MakeCall, ReleaseCall};
//! use o2g_api::endpoints::users::ListLogins;
//! use o2g_api::types::{Package, Selector, SubscriptionRequest};
//! use o2g_api::{Event, sim};
//!
//! // A stand-in for an O2G server on 127.0.0.1 (admin / admin; users
//! // oxe1001–oxe1003 on devices 1001–1003).
//! let o2g = sim::start(sim::SimConfig::default()).await?;
//!
//! // Discovery, Basic authentication, session, subscription, event channel.
//! let config = ClientConfig::new(o2g.base_url(), "admin", "admin")
//!     .application("getting-started")
//!     .subscribe(SubscriptionRequest::new(
//!         vec![Selector::new(vec![Package::Telephony], ["oxe1001", "oxe1002"])],
//!         10,
//!     ));
//! let (client, mut events) = connect(config).await?;
//!
//! let logins = client.send(ListLogins::new()).await?;
//! println!("logins: {logins:?}");
//!
//! // oxe1001 calls oxe1002; oxe1002 answers when it rings; oxe1001 hangs up
//! // once the call is established.
//! client.send(MakeCall::new("1001", "1002").login_name("oxe1001")).await?;
//! let mut caller_ref = None;
//! while let Some(ev) = events.recv().await {
//!     let ClientEvent::Event(e) = ev else { continue };
//!     println!("{} {}", e.name(), e.login_name().unwrap_or(""));
//!     match &e {
//!         Event::CallCreated(c) if c.login_name == "oxe1001" => caller_ref = Some(c.call_ref.clone()),
//!         Event::CallCreated(c) if c.login_name == "oxe1002" => {
//!             client.send(AnswerCall::new(c.call_ref.as_str(), "1002").login_name("oxe1002")).await?;
//!         }
//!         Event::UserStateModified(u) if u.login_name == "oxe1002" && caller_ref.is_some() => {
//!             // oxe1002 is busy: the call is established.
//!             let r = caller_ref.take().unwrap_or_default();
//!             client.send(ReleaseCall::new(r).login_name("oxe1001")).await?;
//!         }
//!         Event::CallRemoved(c) if c.login_name == "oxe1002" => break,
//!         _ => {}
//!     }
//! }
//! client.close().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod codec;
pub mod normalize;
pub mod session;
pub mod types;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
#[allow(clippy::disallowed_methods, clippy::disallowed_types)] // IO is the point of the client
pub mod client;

// Also built by rustdoc with the default features (`client` enables the
// dependencies `sim` needs), so that a plain `cargo doc` shows it; not when
// collecting doctests, which run against the crate built without `sim`.
#[cfg(any(feature = "sim", all(doc, not(doctest), feature = "client")))]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;

pub use codec::endpoints;
pub use cti_core;
pub use normalize::Normalizer;
pub use types::events::Event;
