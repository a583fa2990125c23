//! AMI messages as Rust types.

pub(crate) mod header;
pub(crate) mod message;

pub use header::{ActionId, HeaderName, HeaderValue, ValidationError};
pub use message::{Header, Message, MessageBuilder, MessageKind, Variable};
