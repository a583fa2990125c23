//! Request bodies and answer wrappers of the service endpoints
//! (O2G reference, §4), one module per service.
//!
//! The nested objects shared with events (calls, legs, users, routing
//! state, communication records, …) live in their own modules of
//! [`crate::types`]; this module holds what only the service requests use.
//!
//! Request bodies follow the Java SDK on the wire: absent optional fields
//! are omitted, booleans are always written (`"anonymous":false`). They
//! also deserialize (the simulator reads them with the same types), with
//! absent booleans read as `false`.

use cti_core::Secret;
use serde::Serializer;

pub mod comlog;
pub mod directory;
pub mod eventsummary;
pub mod maintenance;
pub mod messaging;
pub mod routing;
pub mod telephony;
pub mod users;

pub use comlog::*;
pub use directory::*;
pub use eventsummary::*;
pub use maintenance::*;
pub use messaging::*;
pub use routing::*;
pub use telephony::*;
pub use users::*;

/// `serialize_with` helper: writes a secret's value (a password in a
/// request body). The value only leaves through the request body.
fn expose_secret<S: Serializer>(s: &Secret<String>, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.expose())
}

/// `serialize_with` for an optional secret (absent ones are skipped).
fn expose_opt_secret<S: Serializer>(s: &Option<Secret<String>>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(v) => ser.serialize_str(v.expose()),
        None => ser.serialize_none(),
    }
}
