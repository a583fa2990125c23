//! Identifiers shared by every vendor.

use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(transparent))]
        pub struct $name(String);

        impl $name {
            /// Wraps a vendor identifier as it appears on the wire.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The identifier as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id! {
    /// A call, as one conversation between parties: AMI `Linkedid`, O2G
    /// `callUUID`, CSTA call id. All legs of one call share it.
    CallId
}

string_id! {
    /// A device: a directory number (`1001`) or a vendor device id
    /// (`PJSIP/1001`).
    DeviceId
}

string_id! {
    /// A contact-centre agent (agent id, login name or interface).
    AgentId
}

string_id! {
    /// A web chat or web interaction session.
    ChatId
}

/// One party of a call: the device, and the number and display name when the
/// vendor reports them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Party {
    /// The device of this party.
    pub device: DeviceId,
    /// The directory number, when known and different from the device id.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub number: Option<String>,
    /// The display name, when known.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub name: Option<String>,
}

impl Party {
    /// A party known only by its device.
    pub fn device(device: impl Into<DeviceId>) -> Self {
        Self {
            device: device.into(),
            number: None,
            name: None,
        }
    }

    /// Sets the directory number.
    #[must_use]
    pub fn with_number(mut self, number: impl Into<String>) -> Self {
        self.number = Some(number.into());
        self
    }

    /// Sets the display name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_their_kind_in_debug_and_bare_in_display() {
        let c = CallId::new("1700000000.12");
        assert_eq!(format!("{c:?}"), "CallId(\"1700000000.12\")");
        assert_eq!(c.to_string(), "1700000000.12");
        assert_ne!(DeviceId::from("1001").as_str(), "1002");
    }

    #[test]
    fn party_builder_sets_fields() {
        let p = Party::device("PJSIP/1001")
            .with_number("1001")
            .with_name("Alice");
        assert_eq!(p.device.as_str(), "PJSIP/1001");
        assert_eq!(p.number.as_deref(), Some("1001"));
        assert_eq!(p.name.as_deref(), Some("Alice"));
    }
}
