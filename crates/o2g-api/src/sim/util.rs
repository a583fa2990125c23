//! Small helpers: dates, identifiers, query strings and cookies.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `2025-01-15T09:00:00Z` for a Unix time in milliseconds.
pub(crate) fn iso_date(unix_ms: i64) -> String {
    let c = cti_core::Timestamp::from_unix_millis(unix_ms).civil();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// The wall clock in Unix milliseconds (0 before the epoch).
pub(crate) fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Base64url without padding: only `A–Z a–z 0–9 - _`, so never `&` or `=`.
pub(crate) fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// A JWT-looking credential, deterministic from a counter:
/// `b64({"alg":"HS256"}).b64({"sub":login,"jti":"n"}).b64("simulator")`.
pub(crate) fn credential(login: &str, n: u64) -> String {
    let claims = serde_json::json!({ "sub": login, "jti": n.to_string() });
    format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"HS256"}"#),
        b64url(claims.to_string().as_bytes()),
        b64url(b"simulator")
    )
}

/// A subscription id, deterministic from a counter: base64url of
/// `sub-0001-<login>` (`c3ViLTAwMDEtb3hlMTAwMQ` for the first one of
/// oxe1001, as in the O2G reference, §7(c)).
pub(crate) fn subscription_id(login: &str, n: u64) -> String {
    b64url(format!("sub-{n:04}-{login}").as_bytes())
}

/// Percent-decodes a query component (`+` is a space). Bad escapes are
/// kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded `key=value` pairs of a query string (a key without `=` has
/// an empty value).
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// The first value of `key` in a query string.
pub(crate) fn query_get(query: Option<&str>, key: &str) -> Option<String> {
    query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The value of the cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
}

/// The `login:password` of an `Authorization: Basic` header.
pub(crate) fn basic_auth(headers: &http::HeaderMap) -> Option<(String, String)> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, password) = text.split_once(':')?;
    Some((login.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_spec_examples() {
        assert_eq!(subscription_id("oxe1001", 1), "c3ViLTAwMDEtb3hlMTAwMQ");
        assert_eq!(iso_date(1_736_931_600_000), "2025-01-15T09:00:00Z");
        let c = credential("oxe1001", 1);
        assert!(!c.contains('=') && !c.contains('&'));
    }

    #[test]
    fn query_and_cookie() {
        assert_eq!(
            query_get(Some("a=1&loginName=oxe%31001&flag"), "loginName").as_deref(),
            Some("oxe1001")
        );
        assert_eq!(query_get(Some("flag"), "flag").as_deref(), Some(""));
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("x=1; AlcUserId=abc.def"),
        );
        assert_eq!(cookie(&h, "AlcUserId").as_deref(), Some("abc.def"));
    }
}
