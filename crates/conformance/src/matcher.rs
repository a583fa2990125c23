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
    /// `Name: value` line whose name is in `volatile` (compared without
    /// case) matches any value of that header, provided the same recorded
    /// value always stands for the same value in this run.
    pub fn match_line(
        &mut self,
        volatile: &[String],
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
        if !rn.eq_ignore_ascii_case(an) || !is_volatile(volatile, rn) {
            return Err(mismatch());
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
    pub fn emit_line(&self, volatile: &[String], recorded: &[u8]) -> Vec<u8> {
        if let Some((name, value)) = split_header(recorded)
            && is_volatile(volatile, name)
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

fn is_volatile(volatile: &[String], name: &[u8]) -> bool {
    volatile
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(name))
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
        let vol = vec!["ActionID".to_owned()];
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
}
