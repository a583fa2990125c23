//! `Decoder::decode_raw` lends out exactly what `Decoder::decode` hands
//! over: same messages, same errors, same banner, whatever the input and
//! however it is split.

use ami_proto::codec::{DecodeError, Decoded, Decoder, Limits, RawDecoded};
use bytes::{Bytes, BytesMut};
use proptest::prelude::*;

fn owned(mut dec: Decoder, chunks: &[&[u8]]) -> Vec<Result<Decoded, DecodeError>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for c in chunks {
        buf.extend_from_slice(c);
        while let Some(r) = dec.decode(&mut buf) {
            out.push(r);
        }
    }
    out
}

fn raw(mut dec: Decoder, chunks: &[&[u8]]) -> Vec<Result<Decoded, DecodeError>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for c in chunks {
        buf.extend_from_slice(c);
        while let Some(r) = dec.decode_raw(&mut buf) {
            out.push(r.map(|d| match d {
                RawDecoded::Banner(b) => Decoded::Banner(Bytes::copy_from_slice(b)),
                RawDecoded::Message(m) => Decoded::Message(m.to_message()),
                _ => unreachable!("no other kind"),
            }));
        }
    }
    out
}

#[test]
fn the_lab_shapes_decode_alike() {
    let input: &[u8] = b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: 1\r\n\r\nEvent: A\r\nX: a:b\r\nMessage: No Contacts found\n\r\n\r\nResponse: Follows\r\nPrivilege: Command\r\nline 1\n\n--END COMMAND--\r\n\r\nEvent: B\r\nbad line\r\n\r\nEvent: C\r\n\r\n";
    for n in [1, 3, 7, 64, input.len()] {
        let chunks: Vec<&[u8]> = input.chunks(n).collect();
        let a = owned(Decoder::client(), &chunks);
        assert_eq!(raw(Decoder::client(), &chunks), a, "chunks of {n}");
        assert_eq!(a.len(), 6, "{a:?}");
    }
}

#[test]
fn a_lent_message_stays_in_the_buffer_until_the_next_call() {
    let mut dec = Decoder::server();
    let mut buf = BytesMut::from(&b"Action: Ping\r\nActionID: 7\r\n\r\nAction: Logoff\r\n\r\n"[..]);
    let total = buf.len();
    let Some(Ok(RawDecoded::Message(m))) = dec.decode_raw(&mut buf) else {
        panic!()
    };
    assert_eq!(m.get("actionid"), Some("7"));
    assert_eq!(m.name(), Some("Ping"));
    assert_eq!(buf.len(), total);
    let Some(Ok(RawDecoded::Message(m))) = dec.decode_raw(&mut buf) else {
        panic!()
    };
    assert_eq!(m.name(), Some("Logoff"));
    assert!(dec.decode_raw(&mut buf).is_none());
    assert!(buf.is_empty());
}

proptest! {
    #[test]
    fn raw_equals_owned_on_arbitrary_bytes(
        data in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b':'), Just(b' '), any::<u8>(), Just(b'-')], 0..600),
        cut in 1usize..40,
        client: bool,
        small: bool,
    ) {
        let limits = if small { Limits::default().max_message_bytes(64).max_headers(4) } else { Limits::default() };
        let dec = || if client { Decoder::client() } else { Decoder::server() }.with_limits(limits.clone());
        let chunks: Vec<&[u8]> = data.chunks(cut).collect();
        prop_assert_eq!(raw(dec(), &chunks), owned(dec(), &chunks));
    }
}
