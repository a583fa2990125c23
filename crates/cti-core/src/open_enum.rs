//! String enumerations that keep unknown values: the shape of every
//! enumeration read from a vendor (and of the model's own `Cause`,
//! `DeviceState`, …), defined once here for every crate.

/// Defines a string enumeration whose values this version does not know
/// are kept as raw text in the named catch-all variant, never an error:
///
/// ```
/// cti_core::open_enum! {
///     /// A light.
///     pub enum Light (Other) {
///         /// Red.
///         Red = "RED",
///         /// Green.
///         Green = "GREEN",
///     }
/// }
/// assert_eq!(Light::from_name("RED"), Light::Red);
/// assert_eq!(Light::from_name("BLUE"), Light::Other("BLUE".into()));
/// assert_eq!(Light::Other("BLUE".into()).as_str(), "BLUE");
/// assert_eq!(Light::Green.to_string(), "GREEN");
/// ```
///
/// The enum is `#[non_exhaustive]` and derives `Clone`, `Debug`,
/// `PartialEq`, `Eq` and `Hash`; it has `as_str`, `from_name` and
/// `Display`. [`open_enum_serde!`](crate::open_enum_serde) adds serde as
/// its text.
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$doc:meta])*
        $vis:vis enum $name:ident ($other:ident) {
            $( $(#[$vdoc:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value this version does not know, kept as written.
            $other(::std::string::String),
        }

        impl $name {
            /// The text form (the catch-all gives its raw text).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::$other(s) => s,
                }
            }

            /// Parses the text form; anything else is kept in the
            /// catch-all variant.
            pub fn from_name(s: &str) -> Self {
                match s {
                    $( $text => Self::$variant, )*
                    other => Self::$other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Serializes an [`open_enum!`](crate::open_enum) as its text and reads any
/// text back (unknown text into the catch-all). The calling crate needs
/// `serde`.
#[macro_export]
macro_rules! open_enum_serde {
    ($name:ident) => {
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
                        Ok($name::from_name(v))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}
