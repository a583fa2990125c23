//! Property tests of the codec: round trips, independence from how the
//! input is split, bounded memory on arbitrary bytes, case-insensitive
//! lookup.

use ami_proto::Message;
use ami_proto::codec::{DecodeError, Decoded, Decoder, Limits};
use bytes::BytesMut;
use proptest::prelude::*;

/// A header name as Asterisk writes them.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9-]{0,20}"
}

/// Any value a header can carry: any text without CR or LF (colons,
/// leading spaces, empty, non-ASCII included).
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\r\n]{0,40}",
        Just(String::new()),
        "[ :a-z]{0,12}",
        " {1,4}[^\r\n]{0,10}",
    ]
}

/// `Response: Follows` first is the legacy Command answer, which is framed
/// by `--END COMMAND--` and not by an empty line: the one header list that
/// does not encode as a plain message.
fn is_legacy(headers: &[(String, String)]) -> bool {
    headers.first().is_some_and(|(n, v)| {
        n.eq_ignore_ascii_case("Response") && v.eq_ignore_ascii_case("Follows")
    })
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    // Repeated names: draw from a small pool half of the time.
    let pooled = prop_oneof![
        Just("Output".to_owned()),
        Just("Variable".to_owned()),
        Just("ActionID".to_owned())
    ];
    let n = prop_oneof![name(), pooled];
    prop::collection::vec((n, value()), 1..40).prop_filter("legacy Follows", |h| !is_legacy(h))
}

fn build(headers: &[(String, String)]) -> Message {
    headers
        .iter()
        .fold(Message::builder(), |b, (n, v)| b.header(n, v))
        .build()
        .expect("valid names and values")
}

fn message() -> impl Strategy<Value = Message> {
    headers().prop_map(|h| build(&h))
}

/// Feeds `input` cut at `cuts` (sorted offsets), draining the decoder after
/// each piece.
fn feed_cut(mut dec: Decoder, input: &[u8], cuts: &[usize]) -> Vec<Result<Decoded, DecodeError>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&input.len())) {
        let end = end.clamp(start, input.len());
        buf.extend_from_slice(&input[start..end]);
        start = end;
        while let Some(r) = dec.decode(&mut buf) {
            out.push(r);
        }
    }
    out
}

fn messages(r: Vec<Result<Decoded, DecodeError>>) -> Vec<Message> {
    r.into_iter()
        .map(|r| match r {
            Ok(Decoded::Message(m)) => m,
            other => panic!("expected a message, got {other:?}"),
        })
        .collect()
}

/// Bytes that make the framer work: line ends of every kind, colons,
/// spaces, banners, legacy markers, and arbitrary bytes.
fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        4 => any::<u8>().prop_map(|b| vec![b]),
        3 => Just(b"\r\n".to_vec()),
        2 => Just(b"\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        2 => Just(b":".to_vec()),
        2 => Just(b" ".to_vec()),
        2 => Just(b"\r\n\r\n".to_vec()),
        2 => "[A-Za-z]{1,8}: [ -~]{0,12}\r\n".prop_map(String::into_bytes),
        1 => Just(b"Asterisk Call Manager/11.0.0\r\n".to_vec()),
        1 => Just(b"Response: Follows\r\n".to_vec()),
        1 => Just(b"--END COMMAND--".to_vec()),
        1 => Just(b"Event: X\r\n".to_vec()),
        1 => prop::collection::vec(b'a'..=b'z', 50..300),
    ];
    prop::collection::vec(token, 0..120).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (a) Any valid message survives encode + decode unchanged.
    #[test]
    fn encode_then_decode_is_identity(h in headers()) {
        let m = build(&h);
        prop_assert_eq!(m.len(), h.len());
        let bytes = m.to_bytes();
        let got = messages(feed_cut(Decoder::server(), &bytes, &[]));
        prop_assert_eq!(got.len(), 1);
        prop_assert_eq!(&got[0], &m);
        for ((n, v), hd) in h.iter().zip(got[0].headers()) {
            prop_assert_eq!(hd.name(), n.as_str());
            prop_assert_eq!(hd.value(), Some(v.as_str()));
        }
        // And the canonical bytes are stable.
        prop_assert_eq!(got[0].to_bytes(), bytes);
    }

    /// (b) A stream of messages gives the same sequence however it is cut,
    /// including one byte at a time; with a banner in front as well.
    #[test]
    fn any_split_gives_the_same_sequence(
        msgs in prop::collection::vec(message(), 1..8),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
        banner in any::<bool>(),
    ) {
        let mut stream = Vec::new();
        if banner {
            stream.extend_from_slice(b"Asterisk Call Manager/11.0.0\r\n");
        }
        for m in &msgs {
            stream.extend_from_slice(&m.to_bytes());
        }
        let new = || if banner { Decoder::client() } else { Decoder::server() };
        let whole = feed_cut(new(), &stream, &[]);
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.sort_unstable();
        let split = feed_cut(new(), &stream, &cuts);
        let bytewise: Vec<usize> = (1..stream.len()).collect();
        let one_by_one = feed_cut(new(), &stream, &bytewise);
        prop_assert_eq!(&split, &whole);
        prop_assert_eq!(&one_by_one, &whole);
        let mut whole = whole.into_iter();
        if banner {
            prop_assert_eq!(
                whole.next(),
                Some(Ok(Decoded::Banner(bytes::Bytes::from_static(b"Asterisk Call Manager/11.0.0"))))
            );
        }
        prop_assert_eq!(messages(whole.collect()), msgs);
    }

    /// (b') Arbitrary bytes, well under the limits: the results (messages,
    /// banners and errors alike) do not depend on how the input is split.
    #[test]
    fn any_split_of_arbitrary_bytes_gives_the_same_results(
        input in nasty_bytes(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..60),
        client in any::<bool>(),
    ) {
        let new = || if client { Decoder::client() } else { Decoder::server() };
        let whole = feed_cut(new(), &input, &[]);
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
        cuts.sort_unstable();
        prop_assert_eq!(&feed_cut(new(), &input, &cuts), &whole);
        let bytewise: Vec<usize> = (1..input.len()).collect();
        prop_assert_eq!(&feed_cut(new(), &input, &bytewise), &whole);
    }

    /// (b'') The decoder's fast path agrees with the nom frame grammar: on
    /// arbitrary bytes, every message it yields is what `parse_frame` makes
    /// of the same frame (the bytes the decoder took off the buffer for it,
    /// stray blank lines in front removed).
    #[test]
    fn decoder_agrees_with_the_frame_grammar(input in nasty_bytes()) {
        let mut dec = Decoder::server();
        let mut buf = BytesMut::from(&input[..]);
        let mut after_error = false;
        loop {
            let before = buf.clone();
            let Some(r) = dec.decode(&mut buf) else { break };
            let mut frame = &before[..before.len() - buf.len()];
            match r {
                Ok(Decoded::Message(m)) => {
                    if !after_error {
                        while let Some(rest) =
                            frame.strip_prefix(b"\r\n").or_else(|| frame.strip_prefix(b"\n"))
                        {
                            frame = rest;
                        }
                        let reference =
                            ami_proto::codec::parse_frame(bytes::Bytes::copy_from_slice(frame));
                        prop_assert_eq!(reference, Ok(m));
                    }
                    after_error = false;
                }
                Ok(_) => after_error = false,
                Err(_) => after_error = true,
            }
        }
    }

    /// (c) Arbitrary bytes in arbitrary chunks: no panic, bounded buffer,
    /// no message over the header limit, only the documented errors, and
    /// the decoder keeps working.
    #[test]
    fn arbitrary_bytes_are_bounded(
        input in nasty_bytes(),
        sizes in prop::collection::vec(1usize..64, 1..50),
        client in any::<bool>(),
    ) {
        const MAX: usize = 256;
        const HEADERS: usize = 12;
        let limits = Limits::default().max_message_bytes(MAX).max_headers(HEADERS);
        let new = || if client { Decoder::client() } else { Decoder::server() };
        let mut dec = new().with_limits(limits);
        let mut buf = BytesMut::new();
        let mut rest = &input[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].min(rest.len());
            i += 1;
            buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            prop_assert!(buf.len() <= MAX + n, "buffer {} before decoding", buf.len());
            while let Some(r) = dec.decode(&mut buf) {
                match r {
                    Ok(Decoded::Message(m)) => {
                        prop_assert!(m.len() <= HEADERS, "{} headers", m.len());
                    }
                    Ok(Decoded::Banner(b)) => prop_assert!(!b.contains(&b'\n')),
                    Ok(other) => prop_assert!(false, "unexpected {other:?}"),
                    Err(e) => {
                        let expected = matches!(
                            e,
                            DecodeError::MessageTooLarge { limit: MAX }
                                | DecodeError::TooManyHeaders { limit: HEADERS }
                                | DecodeError::MalformedLine { .. }
                        );
                        prop_assert!(expected, "unexpected error {:?}", e);
                    }
                }
            }
            prop_assert!(buf.len() <= MAX, "buffer {} after decoding", buf.len());
        }
        // Whatever came before, after a blank line (or the end of a legacy
        // block) a well-formed message is decoded again.
        buf.extend_from_slice(b"\r\n--END COMMAND--\r\n\r\nEvent: Recovered\r\nX: 1\r\n\r\n");
        let mut last = None;
        while let Some(r) = dec.decode(&mut buf) {
            if let Ok(Decoded::Message(m)) = r {
                last = Some(m);
            }
        }
        let last = last.expect("a message after resynchronisation");
        prop_assert!(last.is_event("Recovered"), "{last:?}");
    }

    /// (d) Header lookup ignores ASCII case; values come back as written,
    /// first match first.
    #[test]
    fn lookup_ignores_case(h in headers()) {
        let m = build(&h);
        for (n, _) in &h {
            let first = h.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
            prop_assert_eq!(m.get(n), first);
            prop_assert_eq!(m.get(&n.to_ascii_uppercase()), first);
            prop_assert_eq!(m.get(&n.to_ascii_lowercase()), first);
            let all: Vec<&str> = h
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
                .collect();
            let upper = n.to_ascii_uppercase();
            prop_assert_eq!(m.get_all(&upper).collect::<Vec<_>>(), all);
            prop_assert!(m.headers().any(|hd| hd.is(&n.to_ascii_lowercase())));
        }
        // A name that is not there (names never contain `_`).
        prop_assert_eq!(m.get("No_Such_Header"), None);
    }
}
