//! Wall-clock timestamps without a clock: the caller supplies the value.

use std::fmt;
use std::str::FromStr;

/// A point in time, in milliseconds since the Unix epoch (UTC).
///
/// Its text and JSON form is RFC 3339 in UTC with millisecond precision,
/// for example `2026-11-21T12:01:36.123Z`. This crate never reads the clock:
/// drivers stamp events with the time they received them, or with the
/// vendor's own timestamp when the event carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

/// The error returned when a string is not an RFC 3339 UTC timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimestampError;

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an RFC 3339 timestamp (expected YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm))")
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Self = Self(0);

    /// A timestamp from milliseconds since the Unix epoch.
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// A timestamp from a `std::time::SystemTime` the caller read.
    pub fn from_system_time(t: std::time::SystemTime) -> Self {
        match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Self(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            Err(e) => Self(-i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX)),
        }
    }
}

// Days since 1970-01-01 from a civil date, and back (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A [`Timestamp`] as a UTC calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CivilTime {
    /// Year (proleptic Gregorian).
    pub year: i64,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
    /// Millisecond, 0–999.
    pub millisecond: u16,
}

impl Timestamp {
    /// The UTC calendar date and time of day, for vendors' own date formats.
    pub fn civil(self) -> CivilTime {
        let secs = self.0.div_euclid(1000);
        let sod = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        // Each part is in range by construction; the fallbacks never apply.
        let small = |v: i64| u8::try_from(v).unwrap_or(0);
        CivilTime {
            year,
            month: small(month),
            day: small(day),
            hour: small(sod / 3600),
            minute: small((sod / 60) % 60),
            second: small(sod % 60),
            millisecond: u16::try_from(self.0.rem_euclid(1000)).unwrap_or(0),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.millisecond
        )
    }
}

fn digits(s: &[u8]) -> Result<i64, TimestampError> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(TimestampError);
    }
    Ok(s.iter().fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0')))
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(TimestampError);
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(TimestampError);
        }
        let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
        let (h, mi, se) = (
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
        );
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
            return Err(TimestampError);
        }
        let mut rest = &b[19..];
        let mut ms = 0i64;
        if let Some(frac) = rest.strip_prefix(b".") {
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return Err(TimestampError);
            }
            let mut scaled = 0i64;
            for i in 0..3 {
                scaled = scaled * 10
                    + frac
                        .get(i)
                        .filter(|_| i < n)
                        .map_or(0, |c| i64::from(c - b'0'));
            }
            ms = scaled;
            rest = &frac[n..];
        }
        let offset_min = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let v = digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?;
                if *sign == b'-' { -v } else { v }
            }
            _ => return Err(TimestampError),
        };
        let days = days_from_civil(y, mo, d);
        let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60;
        Ok(Self(secs * 1000 + ms))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_answers() {
        assert_eq!(Timestamp::EPOCH.to_string(), "1970-01-01T00:00:00.000Z");
        let t: Timestamp = "2026-11-21T12:01:36.123Z".parse().unwrap();
        assert_eq!(t.unix_millis(), 1_795_262_496_123);
        assert_eq!(t.to_string(), "2026-11-21T12:01:36.123Z");
        let t2: Timestamp = "2026-11-21T13:01:36.123+01:00".parse().unwrap();
        assert_eq!(t, t2);
        let t3: Timestamp = "2000-02-29T00:00:00Z".parse().unwrap();
        assert_eq!(t3.to_string(), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            "1969-12-31T23:59:59.999Z"
                .parse::<Timestamp>()
                .unwrap()
                .unix_millis(),
            -1
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "2026-11-21",
            "2026-13-01T00:00:00Z",
            "2026-11-21T12:01:36",
            "2026-11-21T12:01:36.Z",
            "2026-11-21T12:01:36Zx",
            "20é6-11-21T12:01:36Z",
        ] {
            assert_eq!(s.parse::<Timestamp>(), Err(TimestampError), "{s}");
        }
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(ms in -62_135_596_800_000i64..253_402_300_799_999) {
            let t = Timestamp::from_unix_millis(ms);
            prop_assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<Timestamp>();
        }
    }
}
