//! The size limit holds whatever the segmentation: the line that completes
//! a frame (the empty line, the legacy `--END COMMAND--` line) and the
//! banner line count against `max_message_bytes`, and a rejected message
//! never swallows the next one. (Regression tests for bugs the property
//! tests and the fuzzer found.)

use ami_proto::codec::{DecodeError, Decoded, Decoder, Limits};
use bytes::BytesMut;
use proptest::prelude::*;

fn feed(mut dec: Decoder, input: &[u8], chunk: usize) -> Vec<Result<Decoded, DecodeError>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for p in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(p);
        while let Some(r) = dec.decode(&mut buf) {
            out.push(r);
        }
    }
    out
}

fn limit64() -> Limits {
    Limits::default().max_message_bytes(64)
}

/// 62 bytes of header lines, then the empty line: 66 bytes > 64.
#[test]
fn frame_whose_empty_line_crosses_the_limit_is_rejected_at_any_chunking() {
    let mut m = b"Event: X\r\nPad: ".to_vec();
    m.resize(62, b'p');
    m.extend_from_slice(b"\r\n\r\n");
    for chunk in [m.len(), 1] {
        let r = feed(Decoder::server().with_limits(limit64()), &m, chunk);
        assert_eq!(
            r,
            [Err(DecodeError::MessageTooLarge { limit: 64 })],
            "chunk {chunk}"
        );
    }
}

/// The same frame followed by another message: the error must cost only
/// the oversized message. With a read boundary right after the `\r` of its
/// empty line (1-byte reads, or 65-byte reads), `incomplete()` drops the
/// `\r` and marks the line as started (`mid_line: true`), so the empty line is
/// not seen as one and `Event: Next` is swallowed too.
#[test]
fn oversized_frame_does_not_swallow_the_next_message() {
    let mut m = b"Event: X\r\nPad: ".to_vec();
    m.resize(62, b'p');
    m.extend_from_slice(b"\r\n\r\nEvent: Next\r\n\r\n");
    for chunk in [m.len(), 1, 2, 3, 65] {
        let r = feed(Decoder::server().with_limits(limit64()), &m, chunk);
        assert_eq!(r.len(), 2, "chunk {chunk}: {r:?}");
        assert_eq!(
            r[0],
            Err(DecodeError::MessageTooLarge { limit: 64 }),
            "chunk {chunk}"
        );
        assert!(
            matches!(&r[1], Ok(Decoded::Message(n)) if n.is_event("Next")),
            "chunk {chunk}: {r:?}"
        );
    }
}

/// Legacy output glued to the end marker: one 117-byte line ends the frame.
#[test]
fn legacy_end_line_is_size_checked() {
    let mut l = b"Response: Follows\r\nPrivilege: Command\r\n".to_vec();
    l.extend_from_slice(&[b'x'; 100]);
    l.extend_from_slice(b"--END COMMAND--\r\n");
    for chunk in [l.len(), 1] {
        let r = feed(Decoder::server().with_limits(limit64()), &l, chunk);
        assert_eq!(
            r,
            [Err(DecodeError::MessageTooLarge { limit: 64 })],
            "chunk {chunk}"
        );
    }
}

/// A banner line longer than the limit.
#[test]
fn banner_is_size_checked() {
    let mut b = b"Asterisk Call Manager/11.0.0 ".to_vec();
    b.extend_from_slice(&[b'x'; 100]);
    b.extend_from_slice(b"\r\nEvent: A\r\n\r\n");
    for chunk in [b.len(), 1] {
        let r = feed(Decoder::client().with_limits(limit64()), &b, chunk);
        assert_eq!(r.len(), 2, "chunk {chunk}: {r:?}");
        assert_eq!(
            r[0],
            Err(DecodeError::MessageTooLarge { limit: 64 }),
            "chunk {chunk}"
        );
    }
}

proptest! {
    /// Under small limits, arbitrary CR/LF/colon-heavy input gives the same
    /// results however it is split, and no message is over the limit.
    #[test]
    fn limits_do_not_depend_on_segmentation(
        input in prop::collection::vec(prop_oneof![
            Just(b'\r'), Just(b'\n'), Just(b':'), Just(b' '), Just(b'a'), Just(b'-'),
        ], 0..600),
        chunk in 1usize..40,
    ) {
        let limits = Limits::default().max_message_bytes(64).max_headers(8);
        let whole = feed(Decoder::server().with_limits(limits.clone()), &input, input.len());
        let split = feed(Decoder::server().with_limits(limits), &input, chunk);
        prop_assert_eq!(split, whole);
    }
}
