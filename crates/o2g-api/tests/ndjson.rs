//! The event channel's NDJSON decoder: chunking, caps, resynchronisation,
//! bad lines. The stream is the event lines of the O2G reference, §7 (copied in
//! `tests/data/spec7*.ndjson`).

use o2g_api::codec::ndjson::{DEFAULT_MAX_LINE, DecodeError, Decoder, decode_lines};
use o2g_api::types::events::{Event, EventError};
use proptest::prelude::*;

fn spec_stream() -> Vec<u8> {
    [
        include_str!("data/spec7a.ndjson"),
        include_str!("data/spec7b.ndjson"),
        include_str!("data/spec7c.ndjson"),
    ]
    .concat()
    .into_bytes()
}

/// Pushes `data` cut at `cuts` (sorted, deduplicated, in range), draining
/// after each push; then `finish`.
fn decode_chunked(data: &[u8], cuts: &[usize], max_line: usize) -> Vec<Result<Event, DecodeError>> {
    let mut d = Decoder::new(max_line);
    let mut out = Vec::new();
    let mut prev = 0;
    for &c in cuts.iter().chain(std::iter::once(&data.len())) {
        let chunk = &data[prev..c];
        d.push(chunk);
        assert!(d.buffered() <= max_line + 1 + chunk.len());
        out.extend(std::iter::from_fn(|| d.next_event()));
        assert!(d.buffered() <= max_line + 1);
        prev = c;
    }
    out.extend(d.finish().map(Err));
    out
}

fn cuts_for(len: usize, raw: Vec<usize>) -> Vec<usize> {
    let mut c: Vec<usize> = raw.into_iter().map(|c| c % (len + 1)).collect();
    c.sort_unstable();
    c.dedup();
    c
}

#[test]
fn spec_stream_decodes_whole() {
    let items = decode_lines(&spec_stream());
    assert_eq!(items.len(), 24);
    for item in &items {
        let ev = item.as_ref().expect("every §7 line is an event");
        assert!(!matches!(ev, Event::Unknown(_)));
    }
    assert_eq!(
        items[0].as_ref().map(Event::name),
        Ok("OnChannelInformation")
    );
}

proptest! {
    #[test]
    fn spec_stream_in_any_chunks_gives_the_same_events(
        raw in proptest::collection::vec(any::<usize>(), 0..60)
    ) {
        let data = spec_stream();
        let cuts = cuts_for(data.len(), raw);
        prop_assert_eq!(decode_chunked(&data, &cuts, DEFAULT_MAX_LINE), decode_lines(&data));
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(
        data in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'{'), Just(b'"'), any::<u8>()],
            0..600,
        ),
        raw in proptest::collection::vec(any::<usize>(), 0..30),
        max_line in 1usize..80,
    ) {
        let cuts = cuts_for(data.len(), raw);
        let chunked = decode_chunked(&data, &cuts, max_line);
        let whole = decode_chunked(&data, &[], max_line);
        prop_assert_eq!(chunked, whole);
    }

    #[test]
    fn fuzz_body_holds_on_arbitrary_input(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        o2g_api::codec::ndjson::fuzz_check(&data);
    }
}

#[test]
fn crlf_and_blank_lines() {
    let data = b"\r\n\n  \n{\"eventName\":\"OnChannelInformation\",\"text\":\"keepalive\"}\r\n\r\n";
    let items = decode_lines(data);
    assert_eq!(items.len(), 1, "{items:?}");
    let Ok(Event::ChannelInformation(ci)) = &items[0] else {
        panic!("{items:?}")
    };
    assert_eq!(ci.text, "keepalive");
}

#[test]
fn too_long_line_is_reported_once_and_the_decoder_resyncs() {
    let good = br#"{"eventName":"OnUserDeleted","loginName":"u"}"#;
    let mut d = Decoder::new(64);
    // A line that never seems to end: pushed in many chunks, memory stays
    // bounded.
    for _ in 0..1000 {
        d.push(&[b'x'; 100]);
        assert!(d.buffered() <= 65 + 100, "{}", d.buffered());
    }
    assert_eq!(
        d.next_event(),
        Some(Err(DecodeError::TooLong { limit: 64 }))
    );
    assert_eq!(d.next_event(), None);
    d.push(b"yyy\n");
    d.push(good);
    assert_eq!(d.next_event(), None, "good line not terminated yet");
    d.push(b"\n");
    let ev = d.next_event().expect("an item").expect("an event");
    assert_eq!(ev.name(), "OnUserDeleted");
    assert_eq!(d.next_event(), None);
    assert_eq!(d.finish(), None);

    // A too-long line arriving whole, between two good ones.
    let mut data = good.to_vec();
    data.push(b'\n');
    data.extend_from_slice(&[b'z'; 200]);
    data.push(b'\n');
    data.extend_from_slice(good);
    data.push(b'\n');
    let mut d = Decoder::new(64);
    d.push(&data);
    let items: Vec<_> = std::iter::from_fn(|| d.next_event()).collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok());
    assert_eq!(items[1], Err(DecodeError::TooLong { limit: 64 }));
    assert!(items[2].is_ok());
}

#[test]
fn too_long_line_after_buffered_good_lines_keeps_the_order() {
    let good = b"{\"eventName\":\"OnUserDeleted\",\"loginName\":\"a\"}\n";
    let mut d = Decoder::new(64);
    // Nobody drains between pushes.
    d.push(good);
    d.push(&[b'q'; 300]);
    d.push(b"\n");
    d.push(good);
    let items: Vec<_> = std::iter::from_fn(|| d.next_event()).collect();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok());
    assert_eq!(items[1], Err(DecodeError::TooLong { limit: 64 }));
    assert!(items[2].is_ok());
}

#[test]
fn bad_line_is_kept_raw_and_the_next_line_decodes() {
    let data = b"{\"eventName\":\"OnCallRemoved\",\"callRef\":7}\nnot json at all\n{\"x\":1}\n{\"eventName\":\"OnUserStateModified\",\"loginName\":\"u\",\"state\":\"FREE\"}\n";
    let items = decode_lines(data);
    assert_eq!(items.len(), 4);
    let Err(DecodeError::Event { raw, error }) = &items[0] else {
        panic!("{items:?}")
    };
    assert_eq!(
        &raw[..],
        &br#"{"eventName":"OnCallRemoved","callRef":7}"#[..]
    );
    assert!(matches!(error, EventError::BadField { event, .. } if event == "OnCallRemoved"));
    let Err(DecodeError::Event { raw, error }) = &items[1] else {
        panic!("{items:?}")
    };
    assert_eq!(&raw[..], b"not json at all");
    assert!(matches!(error, EventError::NotJson(_)));
    assert!(matches!(
        &items[2],
        Err(DecodeError::Event {
            error: EventError::NoEventName,
            ..
        })
    ));
    assert_eq!(
        items[3].as_ref().map(Event::login_name),
        Ok(Some("u")),
        "{items:?}"
    );
    // Errors display something useful.
    assert!(
        items[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("OnCallRemoved")
    );
}

#[test]
fn split_inside_a_multibyte_character() {
    let line = include_str!("data/spec7b.ndjson")
        .lines()
        .nth(2)
        .expect("line 3 of (b)");
    assert!(line.contains("Chloé"));
    let data = format!("{line}\n").into_bytes();
    let e_acute = line.find('é').expect("é");
    let want = decode_lines(&data);
    assert!(want[0].is_ok());
    // Cut between the two bytes of é, and around it.
    for cut in [e_acute, e_acute + 1, e_acute + 2] {
        assert_eq!(
            decode_chunked(&data, &[cut], DEFAULT_MAX_LINE),
            want,
            "cut {cut}"
        );
    }
    // Byte by byte.
    let all: Vec<usize> = (1..data.len()).collect();
    assert_eq!(decode_chunked(&data, &all, DEFAULT_MAX_LINE), want);
}

#[test]
fn partial_last_line_is_reported_by_finish() {
    let mut d = Decoder::default();
    d.push(b"{\"eventName\":\"OnUserDeleted\",\"loginName\":\"u\"}\n{\"eventName\":\"OnUse");
    assert!(matches!(d.next_event(), Some(Ok(_))));
    assert_eq!(d.next_event(), None);
    assert_eq!(
        d.finish(),
        Some(DecodeError::Unterminated {
            raw: bytes::Bytes::from_static(b"{\"eventName\":\"OnUse")
        })
    );
    assert_eq!(d.finish(), None);
    assert_eq!(d.buffered(), 0);
    // The decoder takes a new stream afterwards.
    d.push(b"{\"eventName\":\"OnChannelInformation\",\"text\":\"Chunk started\"}\n");
    assert!(matches!(
        d.next_event(),
        Some(Ok(Event::ChannelInformation(_)))
    ));
    // decode_lines reports it too.
    let items = decode_lines(b"{\"eventName\":\"OnUserDeleted\"}");
    assert!(matches!(
        &items[..],
        [Err(DecodeError::Unterminated { .. })]
    ));
}

#[test]
fn consumed_bytes_are_compacted() {
    let line = b"{\"eventName\":\"OnUserDeleted\",\"loginName\":\"u\"}\n";
    let mut d = Decoder::new(128);
    for _ in 0..10_000 {
        d.push(line);
        d.push(b"{\"eventName\":");
        assert!(matches!(d.next_event(), Some(Ok(_))));
        assert_eq!(d.next_event(), None);
        assert_eq!(d.buffered(), 13);
        d.push(b"\"OnUserDeleted\"}\n");
        assert!(matches!(d.next_event(), Some(Ok(_))));
        assert_eq!(d.buffered(), 0);
    }
}

#[test]
fn decode_takes_a_read_buffer_like_every_decoder() {
    let mut dec = Decoder::new(1 << 16);
    let mut buf = bytes::BytesMut::from(
        &b"{\"eventName\":\"OnChannelInformation\",\"text\":\"Chunk started\"}\n{\"eventN"[..],
    );
    let first = dec.decode(&mut buf);
    assert!(buf.is_empty(), "the bytes are taken");
    assert!(
        matches!(first, Some(Ok(Event::ChannelInformation(ref i))) if i.text == "Chunk started"),
        "{first:?}"
    );
    assert!(dec.decode(&mut buf).is_none(), "the second line is partial");
    buf.extend_from_slice(b"ame\":\"OnChannelInformation\",\"text\":\"x\"}\n");
    assert!(matches!(dec.decode(&mut buf), Some(Ok(_))));
    assert!(dec.decode(&mut buf).is_none());
}
