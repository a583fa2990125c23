//! A wrapper for credentials that never shows its content by accident.

use std::fmt;

/// A secret value: a password, a token, a session cookie.
///
/// `Debug` and `Display` print `***`, so a secret cannot leak through a log
/// line, an error message or a `{:?}` of a config struct. The value is read
/// only through [`Secret::expose`], which makes every use visible in review.
///
/// With the `serde` feature a secret can be *deserialized* (configuration
/// files) but deliberately not serialized.
///
/// ```
/// use cti_core::Secret;
/// let s = Secret::new(String::from("amp111"));
/// assert_eq!(format!("{s:?}"), "***");
/// assert_eq!(format!("{s}"), "***");
/// assert_eq!(s.expose(), "amp111");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// Reads the secret value. Keep the result out of logs and errors.
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(feature = "serde")]
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Config {
        user: String,
        password: Secret<String>,
    }

    #[test]
    fn debug_of_containing_struct_is_redacted() {
        let c = Config {
            user: "admin".into(),
            password: Secret::from("hunter2"),
        };
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("admin"));
        assert!(shown.contains("***"));
    }

    #[test]
    fn expose_and_into_inner_give_the_value() {
        let s = Secret::new(vec![1u8, 2, 3]);
        assert_eq!(s.expose(), &[1, 2, 3]);
        assert_eq!(s.into_inner(), vec![1, 2, 3]);
    }
}
