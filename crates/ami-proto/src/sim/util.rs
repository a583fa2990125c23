//! Small helpers: clock formatting, ids, event classes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Time since the Unix epoch (zero if the clock is before it).
pub(crate) fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The simulator's wall clock: a Unix time at an instant, advancing in
/// real time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    /// On tokio's clock, so that a test in virtual time sees the PBX's
    /// wall clock advance with it.
    started: tokio::time::Instant,
    started_unix: Duration,
}

impl Clock {
    pub(crate) fn new(_started: std::time::Instant, started_unix: Duration) -> Self {
        Self {
            started: tokio::time::Instant::now(),
            started_unix,
        }
    }

    /// Time since the Unix epoch, by this clock.
    pub(crate) fn now(&self) -> Duration {
        self.started_unix + self.started.elapsed()
    }
}

/// Asterisk's bit mask of a `read =`/`write =` permission list
/// (`all` is `INT_MAX`, as `manager show connected` prints it).
pub(crate) fn perm_mask(classes: &str) -> i64 {
    const BITS: &[(&str, i64)] = &[
        ("system", 1),
        ("call", 2),
        ("log", 4),
        ("verbose", 8),
        ("command", 16),
        ("agent", 32),
        ("user", 64),
        ("config", 128),
        ("dtmf", 256),
        ("reporting", 512),
        ("cdr", 1024),
        ("dialplan", 2048),
        ("originate", 4096),
        ("agi", 8192),
        ("cc", 16384),
        ("aoc", 32768),
        ("test", 65536),
        ("security", 131_072),
        ("message", 262_144),
    ];
    let mut mask = 0;
    for c in classes.split(',').map(str::trim) {
        if c.eq_ignore_ascii_case("all") {
            return i64::from(i32::MAX);
        }
        if let Some((_, b)) = BITS.iter().find(|(n, _)| n.eq_ignore_ascii_case(c)) {
            mask |= b;
        }
    }
    mask
}

/// `1795261025.716959`, as in `Ping` responses.
pub(crate) fn fmt_timestamp(t: Duration) -> String {
    format!("{}.{:06}", t.as_secs(), t.subsec_micros())
}

/// Date and time of day (UTC) of a Unix time.
fn civil(t: Duration) -> cti_core::CivilTime {
    let ms = i64::try_from(t.as_millis()).unwrap_or(i64::MAX);
    cti_core::Timestamp::from_unix_millis(ms).civil()
}

/// `2026-11-21`.
pub(crate) fn fmt_date(t: Duration) -> String {
    let c = civil(t);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `11:37:03`.
pub(crate) fn fmt_time(t: Duration) -> String {
    let c = civil(t);
    format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
}

/// `2026-11-21T11:36:46.605+0000`, as in security events' `EventTV`.
pub(crate) fn fmt_event_tv(t: Duration) -> String {
    format!(
        "{}T{}.{:03}+0000",
        fmt_date(t),
        fmt_time(t),
        t.subsec_millis()
    )
}

/// `00:01:05`, as in `CoreShowChannel`'s `Duration`.
pub(crate) fn fmt_hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

/// `1 minute, 5 seconds`, as in `core show uptime`.
pub(crate) fn fmt_uptime(d: Duration) -> String {
    let mut s = d.as_secs();
    let mut parts = Vec::new();
    for (unit, len) in [
        ("year", 365 * 86_400),
        ("week", 7 * 86_400),
        ("day", 86_400),
        ("hour", 3600),
        ("minute", 60),
    ] {
        if s >= len {
            let n = s / len;
            s %= len;
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} second{}", if s == 1 { "" } else { "s" }));
    }
    parts.join(", ")
}

/// A well-mixed 64-bit value from a counter (splitmix64), for ids that
/// look random but are reproducible.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A UUID-shaped id (version 4 layout) from a counter.
pub(crate) fn uuid_like(n: u64) -> String {
    let a = mix(n);
    let b = mix(a ^ 0x5151);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// A set of AMI event classes (`call`, `agent`, …), as in `manager.conf`'s
/// `read =` and a session's event mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Classes {
    All,
    Some(Vec<String>),
}

impl Classes {
    pub(crate) const NONE: Self = Self::Some(Vec::new());

    /// A `read =` value: `all`, `none`, or a class list.
    pub(crate) fn from_read(s: &str) -> Self {
        let list: Vec<String> = s
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty() && c != "none")
            .collect();
        if list.iter().any(|c| c == "all") {
            Self::All
        } else {
            Self::Some(list)
        }
    }

    /// An `Events:`/`EventMask:` value as Asterisk reads it: `on`/`yes`/…
    /// = all, `off`/`no`/… = none, digits = on unless zero, else a class
    /// list. `None` for an empty value (Asterisk: `Invalid event mask`).
    pub(crate) fn from_mask(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(if s.bytes().all(|b| b == b'0') {
                Self::NONE
            } else {
                Self::All
            });
        }
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "no" | "false" | "n" | "f" | "off" => Some(Self::NONE),
            "yes" | "true" | "y" | "t" | "on" => Some(Self::All),
            _ => Some(Self::from_read(s)),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Self::Some(v) if v.is_empty())
    }

    pub(crate) fn contains(&self, class: &str) -> bool {
        match self {
            Self::All => true,
            Self::Some(v) => v.iter().any(|c| c.eq_ignore_ascii_case(class)),
        }
    }

    /// True if every class of an event's `Privilege:` value (`call,all`)
    /// is in the set.
    pub(crate) fn allows_privilege(&self, privilege: &str) -> bool {
        let mut classes = privilege
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("all"))
            .peekable();
        if classes.peek().is_none() {
            return !self.is_empty();
        }
        classes.all(|c| self.contains(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = Duration::new(1_795_261_025, 716_959_000);
        assert_eq!(fmt_timestamp(t), "1795261025.716959");
        assert_eq!(fmt_date(Duration::ZERO), "1970-01-01");
        assert_eq!(fmt_date(Duration::from_secs(951_782_400)), "2000-02-29");
        assert_eq!(
            fmt_event_tv(Duration::from_millis(1_763_724_606_605)),
            "2025-11-21T11:30:06.605+0000"
        );
        assert_eq!(fmt_hms(Duration::from_secs(3725)), "01:02:05");
        assert_eq!(fmt_uptime(Duration::from_secs(2)), "2 seconds");
        assert_eq!(fmt_uptime(Duration::ZERO), "0 seconds");
        assert_eq!(fmt_uptime(Duration::from_secs(61)), "1 minute, 1 second");
        let u = uuid_like(7);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(uuid_like(8), u);
    }

    #[test]
    fn masks() {
        assert_eq!(Classes::from_mask(""), None);
        assert_eq!(Classes::from_mask("off"), Some(Classes::NONE));
        assert_eq!(Classes::from_mask("ON"), Some(Classes::All));
        let m = Classes::from_mask("call,agent").unwrap();
        assert!(m.allows_privilege("call,all"));
        assert!(m.allows_privilege("agent,all"));
        assert!(!m.allows_privilege("dialplan,all"));
        assert!(Classes::All.allows_privilege("security,all"));
        assert!(!Classes::NONE.allows_privilege("call,all"));
        assert_eq!(Classes::from_read("none"), Classes::NONE);
    }
}
