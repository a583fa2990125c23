//! AMI messages as Rust types.
//!
//! [`Message`] is the raw, ordered form every message has; [`generated`]
//! adds typed events ([`Event`]) and actions ([`Action`]) over it, generated
//! by `cargo xtask codegen` from the catalogue in `codegen/`.

pub mod generated;
pub(crate) mod header;
pub(crate) mod message;

pub use generated::actions::Action;
pub use generated::events::Event;
pub use header::{ActionId, HeaderName, HeaderValue, ValidationError};
pub use message::{Header, Message, MessageBuilder, MessageKind, Variable};
