//! AMI messages as Rust types.
//!
//! [`Message`] is the raw, ordered form every message has; [`generated`]
//! adds typed events ([`Event`]) and actions ([`Action`]) over it, generated
//! by `cargo xtask codegen` from the catalogue in `codegen/`; [`values`]
//! holds the typed header values (booleans, durations, enums such as
//! [`ChannelState`](values::ChannelState)) their accessors and setters use.

pub mod generated;
pub(crate) mod header;
pub(crate) mod message;
pub mod values;
pub(crate) mod version;

pub use generated::actions::Action;
pub use generated::events::Event;
pub use header::{ActionId, HeaderName, HeaderValue, ValidationError};
pub use message::{Header, Message, MessageBuilder, MessageKind, Variable};
pub use version::AmiVersion;
