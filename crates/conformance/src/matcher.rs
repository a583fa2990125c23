//! Matching with placeholders for volatile values.
//!
//! Text formats (HTTP stories, WebSocket frames, golden files) write a
//! volatile value as `${name}` or `${name=default}`. When the replayer
//! *checks* a value, a placeholder matches any text and binds `name` to it
//! (a later use of the same name must then match the same text). When the
//! replayer *emits* a value, a placeholder becomes its bound text, or its
//! default (which is then bound). `${_}` matches anything and binds nothing.
//!
//! Byte-stream transcripts keep their bytes exact instead, and declare the
//! volatile header names in their metadata; see [`Bindings::match_line`].

use std::collections::BTreeMap;

use serde_json::Value;

/// Values bound to placeholders so far in one replay.
#[derive(Clone, Debug, Default)]
pub struct Bindings {
    named: BTreeMap<String, String>,
    /// For transcripts: recorded value → value seen in this run, per
    /// volatile header name (lower case).
    header_values: BTreeMap<(String, String), String>,
}

enum Segment<'a> {
    Lit(&'a str),
    Hole {
        name: &'a str,
        default: Option<&'a str>,
    },
}

fn segments(pattern: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        if start > 0 {
            out.push(Segment::Lit(&rest[..start]));
        }
        let inner = &rest[start + 2..start + 2 + len];
        let (name, default) = match inner.split_once('=') {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        out.push(Segment::Hole { name, default });
        rest = &rest[start + 3 + len..];
    }
    if !rest.is_empty() {
        out.push(Segment::Lit(rest));
    }
    out
}

impl Bindings {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `name` to `value` before any matching (e.g. `server`, the
    /// origin of the server under test: `http://127.0.0.1:PORT`).
    pub fn bind(&mut self, name: &str, value: impl Into<String>) {
        self.named.insert(name.to_owned(), value.into());
    }

    /// The value bound to `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.named.get(name).map(String::as_str)
    }

    /// Turns a pattern into the text to emit.
    pub fn emit(&mut self, pattern: &str) -> String {
        let mut out = String::with_capacity(pattern.len());
        for seg in segments(pattern) {
            match seg {
                Segment::Lit(l) => out.push_str(l),
                Segment::Hole { name, default } => {
                    if let Some(v) = self.named.get(name) {
                        out.push_str(v);
                    } else {
                        let v = default.unwrap_or_default().to_owned();
                        if name != "_" {
                            self.named.insert(name.to_owned(), v.clone());
                        }
                        out.push_str(&v);
                    }
                }
            }
        }
        out
    }

    /// Checks `actual` against a pattern, binding its placeholders.
    pub fn match_text(&mut self, pattern: &str, actual: &str) -> Result<(), String> {
        let segs = segments(pattern);
        let mut pos = 0usize;
        let mut new = Vec::new();
        let fail = || format!("expected {pattern:?}, got {actual:?}");
        let mut i = 0;
        while i < segs.len() {
            match &segs[i] {
                Segment::Lit(l) => {
                    if !actual[pos..].starts_with(l) {
                        return Err(fail());
                    }
                    pos += l.len();
                }
                Segment::Hole { name, .. } => {
                    let bound = self.named.get(*name).or_else(|| {
                        new.iter()
                            .find(|(n, _): &&(String, String)| n == name)
                            .map(|(_, v)| v)
                    });
                    let value = if let Some(b) = bound {
                        if !actual[pos..].starts_with(b.as_str()) {
                            return Err(format!(
                                "{} (placeholder ${{{name}}} is bound to {b:?})",
                                fail()
                            ));
                        }
                        b.clone()
                    } else {
                        let end = match segs.get(i + 1) {
                            Some(Segment::Lit(next)) => {
                                pos + actual[pos..].find(next).ok_or_else(fail)?
                            }
                            _ => actual.len(),
                        };
                        actual[pos..end].to_owned()
                    };
                    pos += value.len();
                    if *name != "_" && bound.is_none() {
                        new.push(((*name).to_owned(), value));
                    }
                }
            }
            i += 1;
        }
        if pos != actual.len() {
            return Err(fail());
        }
        self.named.extend(new);
        Ok(())
    }

    /// Checks a JSON value against a pattern: objects must have the same
    /// keys, arrays the same length, strings may hold placeholders.
    pub fn match_json(&mut self, pattern: &Value, actual: &Value) -> Result<(), String> {
        self.match_json_at("$", pattern, actual)
    }

    fn match_json_at(&mut self, at: &str, pattern: &Value, actual: &Value) -> Result<(), String> {
        match (pattern, actual) {
            (Value::String(p), Value::String(a)) => {
                self.match_text(p, a).map_err(|e| format!("at {at}: {e}"))
            }
            (Value::String(p), other) if p.starts_with("${") && p.ends_with('}') => {
                // A placeholder may stand for a non-string scalar.
                let text = other.to_string();
                self.match_text(p, &text)
                    .map_err(|e| format!("at {at}: {e}"))
            }
            (Value::Object(p), Value::Object(a)) => {
                for k in p.keys() {
                    if !a.contains_key(k) {
                        return Err(format!("at {at}: missing key {k:?}"));
                    }
                }
                for k in a.keys() {
                    if !p.contains_key(k) {
                        return Err(format!("at {at}: unexpected key {k:?} = {}", a[k]));
                    }
                }
                for (k, pv) in p {
                    self.match_json_at(&format!("{at}.{k}"), pv, &a[k])?;
                }
                Ok(())
            }
            (Value::Array(p), Value::Array(a)) => {
                if p.len() != a.len() {
                    return Err(format!(
                        "at {at}: expected {} items, got {}",
                        p.len(),
                        a.len()
                    ));
                }
                for (i, (pv, av)) in p.iter().zip(a).enumerate() {
                    self.match_json_at(&format!("{at}[{i}]"), pv, av)?;
                }
                Ok(())
            }
            (p, a) if p == a => Ok(()),
            (p, a) => Err(format!("at {at}: expected {p}, got {a}")),
        }
    }

    /// Turns a JSON pattern into the value to emit.
    pub fn emit_json(&mut self, pattern: &Value) -> Value {
        match pattern {
            Value::String(s) => Value::String(self.emit(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.emit_json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.emit_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Checks one line of a byte stream. Lines must be equal, except that a
    /// `Name: value` line whose name `volatile` lists (compared without
    /// case) matches another value of that header as the rule allows,
    /// provided the same recorded value always stands for the same value in
    /// this run.
    pub fn match_line(
        &mut self,
        volatile: &Volatile,
        recorded: &[u8],
        actual: &[u8],
    ) -> Result<(), String> {
        if recorded == actual {
            return Ok(());
        }
        let show = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
        let mismatch = || format!("expected line {}, got {}", show(recorded), show(actual));
        let (Some((rn, rv)), Some((an, av))) = (split_header(recorded), split_header(actual))
        else {
            return Err(mismatch());
        };
        if !rn.eq_ignore_ascii_case(an) {
            return Err(mismatch());
        }
        match volatile.kind(rn) {
            None => return Err(mismatch()),
            Some(VolatileKind::Any) => {}
            Some(VolatileKind::ChannelSuffix) => {
                if !same_channel_base(rv, av) {
                    return Err(mismatch());
                }
            }
        }
        let key = (
            String::from_utf8_lossy(rn).to_ascii_lowercase(),
            String::from_utf8_lossy(rv).into_owned(),
        );
        let av = String::from_utf8_lossy(av).into_owned();
        match self.header_values.get(&key) {
            Some(bound) if *bound != av => Err(format!(
                "{}: recorded {} value {:?} was {:?} earlier in this run",
                mismatch(),
                key.0,
                key.1,
                bound
            )),
            Some(_) => Ok(()),
            None => {
                self.header_values.insert(key, av);
                Ok(())
            }
        }
    }

    /// Rewrites a recorded line to emit: a volatile header whose recorded
    /// value was bound in this run gets the run's value.
    pub fn emit_line(&self, volatile: &Volatile, recorded: &[u8]) -> Vec<u8> {
        if let Some((name, value)) = split_header(recorded)
            && volatile.kind(name).is_some()
        {
            let key = (
                String::from_utf8_lossy(name).to_ascii_lowercase(),
                String::from_utf8_lossy(value).into_owned(),
            );
            if let Some(v) = self.header_values.get(&key) {
                let value_start = value.as_ptr() as usize - recorded.as_ptr() as usize;
                let value_end = value_start + value.len();
                let mut out = recorded[..value_start].to_vec();
                out.extend_from_slice(v.as_bytes());
                out.extend_from_slice(&recorded[value_end..]);
                return out;
            }
        }
        recorded.to_vec()
    }
}

/// How the value of a volatile header may differ from the recorded one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolatileKind {
    /// Any value.
    Any,
    /// A channel name: the same technology, resource and `;1`/`;2` half,
    /// with another `-` and 8 hex digits sequence suffix
    /// (`Local/200@test-0000005a;1`). A value without such a suffix
    /// (`Local/800@test`, an empty value) must be equal.
    ChannelSuffix,
}

/// Which header names of a byte stream are volatile, and how.
///
/// A name is matched without case; a name starting with `*` matches every
/// header name ending with the rest (`*Uniqueid`: `Uniqueid`,
/// `DestUniqueid`, `BridgeUniqueid` …). [`VolatileKind::Any`] rules win
/// over [`VolatileKind::ChannelSuffix`] ones, so a fixture that lists
/// `Channel` in its `volatile:` header loosens the default channel rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Volatile {
    rules: Vec<(String, VolatileKind)>,
}

impl Volatile {
    /// No volatile header.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every name in `names` matches any value (a fixture's `volatile:`).
    pub fn any<S: AsRef<str>>(names: &[S]) -> Self {
        let mut v = Self::new();
        v.add(names, VolatileKind::Any);
        v
    }

    /// Adds names with one kind.
    pub fn add<S: AsRef<str>>(&mut self, names: &[S], kind: VolatileKind) -> &mut Self {
        for n in names {
            let n = n.as_ref().trim();
            if !n.is_empty()
                && !self
                    .rules
                    .iter()
                    .any(|(r, k)| r.eq_ignore_ascii_case(n) && *k == kind)
            {
                self.rules.push((n.to_owned(), kind));
            }
        }
        self
    }

    /// Adds every rule of `other`.
    pub fn merge(&mut self, other: &Self) -> &mut Self {
        for (n, k) in &other.rules {
            self.add(&[n], *k);
        }
        self
    }

    /// True when no header is volatile.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// How the header `name` may vary, if it is volatile.
    pub fn kind(&self, name: &[u8]) -> Option<VolatileKind> {
        let hit = |want: VolatileKind| {
            self.rules.iter().any(|(rule, k)| {
                *k == want
                    && match rule.strip_prefix('*') {
                        Some(tail) => {
                            name.len() >= tail.len()
                                && name[name.len() - tail.len()..]
                                    .eq_ignore_ascii_case(tail.as_bytes())
                        }
                        None => rule.as_bytes().eq_ignore_ascii_case(name),
                    }
            })
        };
        if hit(VolatileKind::Any) {
            Some(VolatileKind::Any)
        } else if hit(VolatileKind::ChannelSuffix) {
            Some(VolatileKind::ChannelSuffix)
        } else {
            None
        }
    }
}

/// Splits `Local/200@test-0000005a;1` into `Local/200@test` and `;1`; `None`
/// without an 8-hex-digit sequence suffix.
fn channel_base(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let (body, half) = match value {
        [rest @ .., b';', d] if d.is_ascii_digit() => (rest, &value[value.len() - 2..]),
        _ => (value, &value[value.len()..]),
    };
    if body.len() < 10 {
        return None;
    }
    let (base, suffix) = body.split_at(body.len() - 9);
    (suffix[0] == b'-' && suffix[1..].iter().all(u8::is_ascii_hexdigit)).then_some((base, half))
}

fn same_channel_base(recorded: &[u8], actual: &[u8]) -> bool {
    match (channel_base(recorded), channel_base(actual)) {
        (Some(r), Some(a)) => r == a,
        _ => recorded == actual,
    }
}

/// Splits `Name: value\r\n` into name and value (without the line end).
fn split_header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = &line[..colon];
    let mut value = &line[colon + 1..];
    if let Some(v) = value.strip_prefix(b" ") {
        value = v;
    }
    let value = value.strip_suffix(b"\n").unwrap_or(value);
    let value = value.strip_suffix(b"\r").unwrap_or(value);
    Some((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_placeholders_bind_and_stay_bound() {
        let mut b = Bindings::new();
        b.match_text("/calls/${call}/answer", "/calls/c-17/answer")
            .unwrap();
        assert_eq!(b.get("call"), Some("c-17"));
        b.match_text("call ${call}", "call c-17").unwrap();
        assert!(b.match_text("call ${call}", "call c-18").is_err());
        assert!(
            b.match_text("/calls/${x}/answer", "/calls/1/hangup")
                .is_err()
        );
        b.match_text("${_}-${_}", "a-b").unwrap();
        assert_eq!(b.get("_"), None);
    }

    #[test]
    fn emit_uses_binding_then_default() {
        let mut b = Bindings::new();
        assert_eq!(b.emit("id=${call=c-1000}"), "id=c-1000");
        assert_eq!(b.emit("again ${call=zzz}"), "again c-1000");
        let mut b = Bindings::new();
        b.match_text("${call}", "sim-9").unwrap();
        assert_eq!(
            b.emit_json(&json!({"call": "${call=c-1000}", "n": 1})),
            json!({"call": "sim-9", "n": 1})
        );
    }

    #[test]
    fn json_matching_is_strict_about_keys_and_values() {
        let mut b = Bindings::new();
        b.match_json(
            &json!({"a": "${v}", "b": [1, 2]}),
            &json!({"a": "x", "b": [1, 2]}),
        )
        .unwrap();
        assert!(
            b.match_json(&json!({"a": 1}), &json!({"a": 1, "extra": 2}))
                .is_err()
        );
        assert!(
            b.match_json(&json!({"a": 1, "b": 2}), &json!({"a": 1}))
                .is_err()
        );
        assert!(b.match_json(&json!([1, 2]), &json!([2, 1])).is_err());
        b.match_json(&json!({"n": "${num}"}), &json!({"n": 42}))
            .unwrap();
        assert_eq!(b.get("num"), Some("42"));
    }

    #[test]
    fn volatile_header_lines() {
        let vol = Volatile::any(&["ActionID"]);
        let mut b = Bindings::new();
        b.match_line(&vol, b"ActionID: login-1\r\n", b"actionid: 7\r\n")
            .unwrap();
        assert_eq!(
            b.emit_line(&vol, b"ActionID: login-1\r\n"),
            b"ActionID: 7\r\n"
        );
        assert!(
            b.match_line(&vol, b"ActionID: login-1\r\n", b"ActionID: 8\r\n")
                .is_err()
        );
        assert!(
            b.match_line(&vol, b"Secret: a\r\n", b"Secret: b\r\n")
                .is_err()
        );
        assert!(
            b.match_line(&vol, b"Response: Success\r\n", b"Response: Error\r\n")
                .is_err()
        );
        b.match_line(&vol, b"\r\n", b"\r\n").unwrap();
    }

    #[test]
    fn suffix_rules_and_channel_names() {
        let mut vol = Volatile::any(&["*Uniqueid"]);
        vol.add(&["*Channel"], VolatileKind::ChannelSuffix);
        assert_eq!(vol.kind(b"DestUniqueid"), Some(VolatileKind::Any));
        assert_eq!(vol.kind(b"uniqueid"), Some(VolatileKind::Any));
        assert_eq!(
            vol.kind(b"LocalOneChannel"),
            Some(VolatileKind::ChannelSuffix)
        );
        assert_eq!(vol.kind(b"Context"), None);
        let mut b = Bindings::new();
        b.match_line(
            &vol,
            b"Channel: Local/200@test-0000005a;1\r\n",
            b"Channel: Local/200@test-00000003;1\r\n",
        )
        .unwrap();
        // Another half, another resource, a missing suffix: different.
        for other in [
            &b"Channel: Local/200@test-00000003;2\r\n"[..],
            b"Channel: Local/201@test-00000003;1\r\n",
            b"Channel: Local/200@test\r\n",
        ] {
            assert!(
                b.clone()
                    .match_line(&vol, b"Channel: Local/200@test-0000005b;1\r\n", other)
                    .is_err()
            );
        }
        // The same recorded channel stays the same channel.
        assert!(
            b.match_line(
                &vol,
                b"Channel: Local/200@test-0000005a;1\r\n",
                b"Channel: Local/200@test-00000009;1\r\n"
            )
            .is_err()
        );
        b.match_line(
            &vol,
            b"Channel: Local/800@test\r\n",
            b"Channel: Local/800@test\r\n",
        )
        .unwrap();
        assert!(
            b.match_line(
                &vol,
                b"Channel: Local/800@test\r\n",
                b"Channel: Local/801@test\r\n"
            )
            .is_err()
        );
        // An explicit `Any` rule loosens the channel rule.
        vol.merge(&Volatile::any(&["Channel"]));
        assert_eq!(vol.kind(b"Channel"), Some(VolatileKind::Any));
    }
}
