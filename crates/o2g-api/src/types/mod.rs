//! The O2G wire types: serde structs and enumerations for everything in
//! `specs/o2g.md` §1–5.
//!
//! Conventions, as the server behaves:
//! - field names are camelCase on the wire;
//! - unknown fields are ignored when reading;
//! - omitted booleans mean `false`, and `false` booleans and absent optional
//!   fields are omitted when writing;
//! - enumerations keep values this version does not know
//!   (`Unknown(String)`), never an error.

/// A string enumeration of the wire that keeps unknown values.
///
/// Serializes as its wire text; any text it does not know deserializes to
/// `Unknown(text)`, which serializes back unchanged.
macro_rules! wire_enum {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $text:literal, )* }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(s) => s,
                }
            }

            /// Parses the wire text; anything else becomes `Unknown`.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $text => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl ::serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from_wire(v))
                    }
                }
                d.deserialize_str(V)
            }
        }
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
