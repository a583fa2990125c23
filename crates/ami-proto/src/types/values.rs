//! Typed AMI header values: the types and conversions the generated
//! [`actions`](crate::actions) and [`events`](crate::events) use where the
//! type table (`codegen/ami-types.tsv`) gives a header a type.
//!
//! # Writing
//!
//! Setters write what Asterisk documents and reads:
//!
//! - booleans as `true` / `false` ([`format_bool`]);
//! - integers in decimal;
//! - durations as a whole number of the unit the header uses, milliseconds
//!   ([`format_millis`]) or seconds ([`format_seconds`]), rounded up so that
//!   a non-zero duration never becomes 0 (for some headers 0 means "no
//!   limit");
//! - enums as their wire spelling ([`ChannelState::as_str`] and so on).
//!
//! # Reading
//!
//! An accessor never panics and never turns a value it cannot read into a
//! default:
//!
//! - numbers, booleans and durations give `Result<T, InvalidValue>`, the
//!   error keeping the raw text ([`parse_bool`], [`parse_uint`],
//!   [`parse_millis`], [`parse_seconds`]);
//! - enums cannot fail: a value they do not know is their `Other`
//!   variant, which keeps the raw text (Asterisk adds cases over releases,
//!   hence `#[non_exhaustive]`).
//!
//! The raw text of every header stays available through
//! [`Message::get`](crate::Message::get).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A header value that is not of the type the catalogue gives its header.
///
/// Keeps the raw text, so nothing received is lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue {
    raw: Box<str>,
    expected: &'static str,
}

impl InvalidValue {
    /// An error for `raw`, which is not `expected` (a short description
    /// such as `"a boolean"`).
    pub fn new(raw: &str, expected: &'static str) -> Self {
        Self {
            raw: raw.into(),
            expected,
        }
    }

    /// The value as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// What the value should have been (`"a boolean"`, `"u16"`, …).
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not {}", self.raw, self.expected)
    }
}

impl std::error::Error for InvalidValue {}

/// `true` or `false`, the spelling Asterisk's documentation uses for
/// boolean parameters (it reads them with `ast_true`).
pub fn format_bool(v: bool) -> &'static str {
    if v { "true" } else { "false" }
}

/// Reads a boolean the way Asterisk's `ast_true` / `ast_false` do, ignoring
/// ASCII case: `yes`, `true`, `y`, `t`, `1`, `on` are true; `no`, `false`,
/// `n`, `f`, `0`, `off` are false. Anything else (the empty value too) is an
/// error.
pub fn parse_bool(raw: &str) -> Result<bool, InvalidValue> {
    const TRUE: &[&str] = &["yes", "true", "y", "t", "1", "on"];
    const FALSE: &[&str] = &["no", "false", "n", "f", "0", "off"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(raw)) {
        Ok(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(raw)) {
        Ok(false)
    } else {
        Err(InvalidValue::new(raw, "a boolean"))
    }
}

/// Reads an unsigned decimal integer (`u16`, `u32`, `u64`): digits only,
/// no sign, no spaces, no overflow.
pub fn parse_uint<T: FromStr>(raw: &str) -> Result<T, InvalidValue> {
    let expected = std::any::type_name::<T>();
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidValue::new(raw, expected));
    }
    raw.parse().map_err(|_| InvalidValue::new(raw, expected))
}

/// A duration in whole milliseconds, rounded up; saturates at `u64::MAX`.
///
/// Asterisk reads such headers into a C `int`: more than about 24.8 days
/// (2³¹ − 1 ms) is refused by Asterisk, not here.
pub fn format_millis(d: Duration) -> String {
    let ms = d.as_nanos().div_ceil(1_000_000);
    u64::try_from(ms).unwrap_or(u64::MAX).to_string()
}

/// A duration in whole seconds, rounded up (a non-zero duration never
/// becomes 0, which some headers read as "no limit").
pub fn format_seconds(d: Duration) -> String {
    let up = u64::from(d.subsec_nanos() > 0);
    d.as_secs().saturating_add(up).to_string()
}

/// Reads a duration written in milliseconds (unsigned decimal).
pub fn parse_millis(raw: &str) -> Result<Duration, InvalidValue> {
    parse_uint::<u64>(raw)
        .map(Duration::from_millis)
        .map_err(|_| InvalidValue::new(raw, "a duration in milliseconds"))
}

/// Reads a duration written in seconds (unsigned decimal).
pub fn parse_seconds(raw: &str) -> Result<Duration, InvalidValue> {
    parse_uint::<u64>(raw)
        .map(Duration::from_secs)
        .map_err(|_| InvalidValue::new(raw, "a duration in seconds"))
}

/// Defines an enum of wire spellings with an `Other(String)` variant that
/// keeps anything else, and its conversions.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as received.
            Other(String),
        }

        impl $name {
            /// Every known value, in the order Asterisk defines them.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),+];

            /// Reads a value as Asterisk writes it (exact spelling); any
            /// other text is [`Self::Other`], kept raw.
            pub fn from_ami(raw: &str) -> Self {
                match raw {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(raw) => raw,
                }
            }

            /// True unless the value is [`Self::Other`].
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                Self::from_ami(raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// A channel's state (`ChannelState`, `DestChannelState`, … in the
    /// channel snapshot of events): Asterisk's `enum ast_channel_state`,
    /// written as its number. `ChannelStateDesc` is its text
    /// ([`ChannelState::description`]).
    ChannelState {
        /// 0: down and available.
        Down = "0",
        /// 1: down, but reserved (`Rsrvd`).
        Reserved = "1",
        /// 2: off hook.
        OffHook = "2",
        /// 3: digits (or equivalent) dialed.
        Dialing = "3",
        /// 4: the line is ringing (an incoming call).
        Ring = "4",
        /// 5: the remote end is ringing.
        Ringing = "5",
        /// 6: up (answered).
        Up = "6",
        /// 7: busy.
        Busy = "7",
        /// 8: digits dialed while off hook.
        DialingOffhook = "8",
        /// 9: an incoming call detected, waiting for ring (`Pre-ring`).
        PreRing = "9",
        /// 65536 (`1 << 16`, `AST_STATE_MUTE`): do not transmit voice data.
        Mute = "65536",
    }
}

impl ChannelState {
    /// The number Asterisk uses, for a known state or an unknown one that is
    /// a number; `None` for an unknown value that is not.
    pub fn code(&self) -> Option<u32> {
        parse_uint(self.as_str()).ok()
    }

    /// The matching `ChannelStateDesc` text (Asterisk's `ast_state2str`);
    /// `None` for an unknown state, which Asterisk describes as
    /// `Unknown (<number>)`.
    pub fn description(&self) -> Option<&'static str> {
        Some(match self {
            Self::Down => "Down",
            Self::Reserved => "Rsrvd",
            Self::OffHook => "OffHook",
            Self::Dialing => "Dialing",
            Self::Ring => "Ring",
            Self::Ringing => "Ringing",
            Self::Up => "Up",
            Self::Busy => "Busy",
            Self::DialingOffhook => "Dialing Offhook",
            Self::PreRing => "Pre-ring",
            Self::Mute => "Mute",
            Self::Other(_) => return None,
        })
    }
}

wire_enum! {
    /// How a dial attempt ended (`DialStatus` of `DialEnd`; the
    /// `DIALSTATUS` channel variable of `Dial`).
    DialStatus {
        /// The call was answered.
        Answer = "ANSWER",
        /// The callee was busy.
        Busy = "BUSY",
        /// Nobody answered before the dial timed out.
        NoAnswer = "NOANSWER",
        /// The caller hung up before the callee answered.
        Cancel = "CANCEL",
        /// Congestion (often: the number is not recognised).
        Congestion = "CONGESTION",
        /// The channel was unavailable (for SIP: not registered, for
        /// instance).
        ChanUnavail = "CHANUNAVAIL",
        /// Privacy mode: the callee rejected the call.
        DontCall = "DONTCALL",
        /// Privacy mode: the callee sent the caller to the torture menu.
        Torture = "TORTURE",
        /// The `Dial` arguments could not be parsed.
        InvalidArgs = "INVALIDARGS",
    }
}

wire_enum! {
    /// A device's state (`State` of `DeviceStateChange`): Asterisk's
    /// `enum ast_device_state`, written as `ast_devstate_str` spells it.
    DeviceStatus {
        /// The state is not known.
        Unknown = "UNKNOWN",
        /// Not in use.
        NotInUse = "NOT_INUSE",
        /// In use.
        InUse = "INUSE",
        /// Busy.
        Busy = "BUSY",
        /// Invalid (no such device).
        Invalid = "INVALID",
        /// Unavailable (not registered, for instance).
        Unavailable = "UNAVAILABLE",
        /// Ringing.
        Ringing = "RINGING",
        /// Ringing while in use.
        RingInUse = "RINGINUSE",
        /// On hold.
        OnHold = "ONHOLD",
    }
}

wire_enum! {
    /// The outcome of a transfer (`Result` of `BlindTransfer` and
    /// `AttendedTransfer`).
    TransferResult {
        /// An internal error occurred.
        Fail = "Fail",
        /// The configuration does not allow it (not bridged, for instance).
        Invalid = "Invalid",
        /// The bridge does not permit transfers.
        NotPermitted = "Not Permitted",
        /// The transfer completed.
        Success = "Success",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools_read_like_ast_true() {
        for t in ["yes", "YES", "True", "y", "t", "1", "on", "On"] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["no", "FALSE", "n", "f", "0", "off"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        for bad in ["", " 1", "2", "yes ", "enabled"] {
            assert_eq!(parse_bool(bad).unwrap_err().raw(), bad);
        }
    }

    #[test]
    fn unsigned_integers_are_digits_only() {
        assert_eq!(parse_uint::<u16>("16"), Ok(16));
        assert_eq!(parse_uint::<u16>("0065"), Ok(65));
        for bad in ["", "+1", "-1", " 1", "1 ", "1.0", "65536", "x"] {
            let e = parse_uint::<u16>(bad).unwrap_err();
            assert_eq!((e.raw(), e.expected()), (bad, "u16"));
        }
    }

    #[test]
    fn durations_round_up_and_saturate() {
        assert_eq!(format_millis(Duration::from_secs(30)), "30000");
        assert_eq!(format_millis(Duration::from_micros(1)), "1");
        assert_eq!(format_millis(Duration::ZERO), "0");
        assert_eq!(format_millis(Duration::MAX), u64::MAX.to_string());
        assert_eq!(format_seconds(Duration::from_millis(1500)), "2");
        assert_eq!(format_seconds(Duration::from_secs(15)), "15");
        assert_eq!(format_seconds(Duration::MAX), u64::MAX.to_string());
        assert_eq!(parse_millis("250"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_seconds("3"), Ok(Duration::from_secs(3)));
        assert!(parse_seconds("3s").is_err());
    }

    #[test]
    fn enums_round_trip_and_keep_unknowns() {
        for s in ChannelState::KNOWN {
            assert_eq!(&ChannelState::from_ami(s.as_str()), s);
            assert!(s.description().is_some());
        }
        assert_eq!(ChannelState::from_ami("6"), ChannelState::Up);
        assert_eq!(ChannelState::Up.code(), Some(6));
        let odd = ChannelState::from_ami("10");
        assert_eq!(odd, ChannelState::Other("10".to_owned()));
        assert_eq!((odd.code(), odd.description()), (Some(10), None));
        assert_eq!(ChannelState::from_ami("up").code(), None);
        assert_eq!(DialStatus::from_ami("ANSWER"), DialStatus::Answer);
        assert_eq!(DialStatus::from_ami("answer").as_str(), "answer");
        assert_eq!(DeviceStatus::from_ami("UNKNOWN"), DeviceStatus::Unknown);
        assert!(!DeviceStatus::from_ami("LOST").is_known());
        assert_eq!(
            TransferResult::from("Not Permitted"),
            TransferResult::NotPermitted
        );
        assert_eq!(TransferResult::Success.to_string(), "Success");
    }
}
