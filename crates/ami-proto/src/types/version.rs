//! The AMI version a server announces in its banner.

use std::fmt;

/// The AMI protocol version from a banner (`Asterisk Call Manager/11.0.0`
/// is 11.0.0: Asterisk 22 announces 11.0.0, Asterisk 16 5.0.x, Asterisk
/// 13 2.x). Ordered, so `v >= AmiVersion::new(2, 0, 0)` reads as one
/// expects. It versions the manager protocol, not Asterisk itself (which
/// `CoreSettings` reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AmiVersion {
    /// The major version.
    pub major: u32,
    /// The minor version.
    pub minor: u32,
    /// The patch level (0 when the banner gives only two parts).
    pub patch: u32,
}

impl AmiVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// The version in a banner line: the `MAJOR.MINOR[.PATCH]` after the
    /// last `/` (a trailing line end is ignored). `None` for a banner
    /// without one.
    ///
    /// ```
    /// use ami_proto::AmiVersion;
    /// assert_eq!(
    ///     AmiVersion::from_banner("Asterisk Call Manager/11.0.0"),
    ///     Some(AmiVersion::new(11, 0, 0))
    /// );
    /// assert_eq!(AmiVersion::from_banner("Asterisk Call Manager/1.1\r\n"), Some(AmiVersion::new(1, 1, 0)));
    /// assert_eq!(AmiVersion::from_banner("Welcome"), None);
    /// ```
    pub fn from_banner(banner: &str) -> Option<Self> {
        let (_, v) = banner.trim_end().rsplit_once('/')?;
        let mut parts = v.split('.');
        let mut next = || parts.next().map(|p| p.parse::<u32>().ok());
        let major = next()??;
        let minor = next()??;
        let patch = match next() {
            None => 0,
            Some(p) => p?,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Self::new(major, minor, patch))
    }
}

impl fmt::Display for AmiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banners() {
        for (banner, want) in [
            ("Asterisk Call Manager/11.0.0", Some((11, 0, 0))),
            ("Asterisk Call Manager/5.0.2\r\n", Some((5, 0, 2))),
            ("Asterisk Call Manager/1.1", Some((1, 1, 0))),
            ("Asterisk Call Manager/", None),
            ("Asterisk Call Manager/11", None),
            ("Asterisk Call Manager/11.x.0", None),
            ("Asterisk Call Manager/1.2.3.4", None),
            ("Asterisk Call Manager/99999999999.0", None),
            ("", None),
        ] {
            let got = AmiVersion::from_banner(banner).map(|v| (v.major, v.minor, v.patch));
            assert_eq!(got, want, "{banner:?}");
        }
        assert!(AmiVersion::new(11, 0, 0) > AmiVersion::new(5, 0, 2));
        assert_eq!(AmiVersion::new(11, 0, 0).to_string(), "11.0.0");
    }
}
