//! Validated header names and values.

use std::fmt;
use std::hash::{Hash, Hasher};

/// Why a header name, value or ActionID was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    kind: ValidationKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValidationKind {
    EmptyName,
    NameHasColon,
    LineBreak,
    EmptyActionId,
}

impl ValidationError {
    /// True when the rejected text contained a CR or LF (a header injection
    /// attempt, or a multi-line value that AMI cannot carry).
    pub fn is_line_break(&self) -> bool {
        self.kind == ValidationKind::LineBreak
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            ValidationKind::EmptyName => "empty header name",
            ValidationKind::NameHasColon => "header name contains a colon",
            ValidationKind::LineBreak => "header name or value contains CR or LF",
            ValidationKind::EmptyActionId => {
                "empty ActionID (Asterisk drops it and the response cannot be correlated)"
            }
        })
    }
}

impl std::error::Error for ValidationError {}

fn has_line_break(s: &str) -> bool {
    s.bytes().any(|b| b == b'\r' || b == b'\n')
}

/// An AMI header name such as `Channel` or `ActionID`.
///
/// It is never empty and never contains `:`, CR or LF. Comparison and
/// hashing ignore ASCII case, as Asterisk does (`Uniqueid` = `UniqueID`);
/// the original spelling is kept for encoding.
#[derive(Clone)]
pub struct HeaderName(Box<str>);

impl HeaderName {
    /// Validates a header name.
    pub fn new(name: &str) -> Result<Self, ValidationError> {
        if name.is_empty() {
            return Err(ValidationError {
                kind: ValidationKind::EmptyName,
            });
        }
        if has_line_break(name) {
            return Err(ValidationError {
                kind: ValidationKind::LineBreak,
            });
        }
        if name.contains(':') {
            return Err(ValidationError {
                kind: ValidationKind::NameHasColon,
            });
        }
        Ok(Self(name.into()))
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for HeaderName {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for HeaderName {}

impl PartialEq<str> for HeaderName {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl Hash for HeaderName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<&str> for HeaderName {
    type Error = ValidationError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

/// An AMI header value: any text without CR or LF.
///
/// Because a value cannot hold a line break, a value taken from a user (a
/// caller id, a variable) can never inject another header or end the
/// message early. Leading spaces are data and are kept.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HeaderValue(Box<str>);

impl HeaderValue {
    /// Validates a header value.
    pub fn new(value: &str) -> Result<Self, ValidationError> {
        if has_line_break(value) {
            return Err(ValidationError {
                kind: ValidationKind::LineBreak,
            });
        }
        Ok(Self(value.into()))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<&str> for HeaderValue {
    type Error = ValidationError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

/// The `ActionID` a client puts on an action to find its response (and list
/// items) among interleaved events: a non-empty header value.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId(Box<str>);

impl ActionId {
    /// Validates an ActionID.
    pub fn new(id: &str) -> Result<Self, ValidationError> {
        if id.is_empty() {
            return Err(ValidationError {
                kind: ValidationKind::EmptyActionId,
            });
        }
        HeaderValue::new(id)?;
        Ok(Self(id.into()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionId({:?})", &*self.0)
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<&str> for ActionId {
    type Error = ValidationError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_compare_and_hash_without_case() {
        let a = HeaderName::new("Uniqueid").unwrap();
        let b = HeaderName::new("UniqueID").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "Uniqueid", "spelling kept");
        let set: HashSet<_> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn injection_is_impossible() {
        for bad in ["a\r\nAction: Hangup", "x\n", "\r"] {
            assert!(
                HeaderValue::new(bad).unwrap_err().is_line_break(),
                "{bad:?}"
            );
            assert!(HeaderName::new(bad).is_err());
            assert!(ActionId::new(bad).is_err());
        }
        assert!(HeaderName::new("Chan:nel").is_err());
        assert!(HeaderName::new("").is_err());
        assert!(ActionId::new("").is_err());
        assert_eq!(
            HeaderValue::new("   three: spaces").unwrap().as_str(),
            "   three: spaces"
        );
        assert_eq!(HeaderValue::new("").unwrap().as_str(), "");
    }
}
