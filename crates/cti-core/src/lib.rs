//! Shared vocabulary of the CTI toolkit.
//!
//! Every vendor crate of the workspace (`ami-proto`, `o2g-api`, `aes-wti`,
//! `oscc-webinteraction`, `dipcc-api`) speaks its vendor's own protocol and
//! translates what it sees into the small, vendor-neutral model defined here,
//! so that one application can watch calls on any of the five systems the
//! same way.
//!
//! This crate does no IO, spawns nothing, reads no clock and draws no
//! randomness: it is plain data plus pure functions.
//!
//! - [`Secret`]: passwords, tokens and cookies, redacted in `Debug`/`Display`.
//! - [`CallId`], [`DeviceId`], [`AgentId`], [`ChatId`], [`Party`]: identifiers.
//! - [`Event`] and [`EventKind`]: the normalized event, with a [`Timestamp`]
//!   and the [`Source`] it came from.
//! - [`LinkEvent`]: the link changes every client reports (connected,
//!   reconnecting, reconnected with a gap flag, lagged, closed).
//! - [`Normalizer`]: the contract of every vendor crate's normalizer.
//! - [`CallModel`]: folds normalized events into the current calls and their
//!   parties (what a wallboard shows).
//! - [`Backoff`]: an exponential, capped, jittered retry policy that is
//!   deterministic under a seed.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `serde` | off | `Serialize`/`Deserialize` for the model, in the stable JSON form documented on [`Event`] |
//!
//! # Example
//!
//! ```
//! use cti_core::{CallId, CallModel, Event, EventKind, Party, Source, Timestamp, PartyState};
//!
//! let call = CallId::new("c1");
//! let alice = Party::device("1001");
//! let bob = Party::device("1002");
//! let at = Timestamp::from_unix_millis(0);
//! let mut model = CallModel::new();
//! model.apply(&Event::new(at, Source::Ami, EventKind::Originated { call: call.clone(), from: alice.clone(), to: Some(bob.clone()) }));
//! model.apply(&Event::new(at, Source::Ami, EventKind::Alerting { call: call.clone(), party: bob.clone(), caller: Some(alice.clone()) }));
//! model.apply(&Event::new(at, Source::Ami, EventKind::Answered { call: call.clone(), party: bob.clone() }));
//! let c = model.call(&call).unwrap();
//! assert_eq!(c.party_state(&bob.device), Some(PartyState::Connected));
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod backoff;
mod event;
mod id;
mod link;
mod model;
mod normalize;
mod open_enum;
mod secret;
mod time;

pub use backoff::{Backoff, BackoffConfig};
pub use event::{AgentState, Cause, ChatParty, DeviceState, Event, EventKind, Source};
pub use id::{AgentId, CallId, ChatId, DeviceId, Party};
pub use link::LinkEvent;
pub use model::{Call, CallModel, CallParty, CallState, PartyState};
pub use normalize::Normalizer;
pub use secret::Secret;
pub use time::{CivilTime, Timestamp, TimestampError};
