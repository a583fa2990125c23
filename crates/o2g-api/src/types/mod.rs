//! The O2G wire types: serde structs and enumerations for everything in
//! the O2G reference, §1–5.
//!
//! Conventions, as the server behaves:
//! - field names are camelCase on the wire;
//! - unknown fields are ignored when reading;
//! - omitted booleans mean `false`, and `false` booleans and absent optional
//!   fields are omitted when writing;
//! - enumerations keep values this version does not know
//!   (`Other(String)`), never an error.

/// A string enumeration of the wire that keeps unknown values
/// (`cti_core::open_enum!` with the catch-all `Other(String)`), serialized
/// as its wire text.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($body:tt)* }) => {
        cti_core::open_enum! { $(#[$doc])* pub enum $name (Other) { $($body)* } }
        cti_core::open_enum_serde!($name);
    };
}

/// `skip_serializing_if` helper: the server omits `false` booleans.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

pub mod comlog;
pub mod events;
pub mod infra;
pub mod routing;
pub mod services;
pub mod telephony;
pub mod user;

pub use infra::*;
