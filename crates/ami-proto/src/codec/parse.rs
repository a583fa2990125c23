//! The grammar of one complete AMI frame, in nom.
//!
//! ```text
//! frame        = *( header-line / continuation ) [ legacy-output ] end
//! header-line  = name ":" [ SP ] value line-end
//! name         = 1*( any byte but ":" CR LF )
//! value        = *( any byte but LF ), a trailing CR removed
//! continuation = line without ":" after a line that ended in a bare LF
//!                (the LF and the line become part of the previous value)
//! legacy-output= after `Response: Follows` and its Privilege/ActionID
//!                headers: raw lines up to "--END COMMAND--"
//! line-end     = CRLF / LF
//! end          = empty line / "--END COMMAND--" line
//! ```

use bytes::Bytes;
use nom::bytes::complete::{tag, take_till1};
use nom::combinator::{opt, rest};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::DecodeError;
use crate::Message;
use crate::types::message::{HeaderSpan, Span};

pub(crate) const END_COMMAND: &[u8] = b"--END COMMAND--";

/// `header-line` without its line end: `name ":" [SP] value`.
fn header_line(line: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    (
        take_till1(|b| b == b':'),
        preceded((tag(&b":"[..]), opt(tag(&b" "[..]))), rest),
    )
        .parse(line)
}

fn offset(base: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - base.as_ptr() as usize
}

/// True for the headers a legacy `Response: Follows` carries before its
/// raw output.
fn is_legacy_header(name: &[u8]) -> bool {
    [&b"Response"[..], b"Privilege", b"ActionID"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

/// Parses a complete frame.
pub(crate) fn frame(buf: Bytes) -> Result<Message, DecodeError> {
    let data: &[u8] = &buf;
    let mut headers: Vec<HeaderSpan> = Vec::with_capacity(16);
    let mut legacy = false;
    let mut output_start = None;
    let mut prev_bare_lf = false;
    let mut pos = 0usize;
    let mut line_no = 0usize;
    while pos < data.len() {
        let nl = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        let raw = &data[pos..nl];
        let bare_lf = nl < data.len() && !raw.ends_with(b"\r");
        let content = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line_start = pos;
        pos = nl + 1;
        line_no += 1;
        if content.is_empty() && !legacy {
            break;
        }
        let parsed = header_line(content).ok().map(|(_, nv)| nv);
        if legacy && content.ends_with(END_COMMAND) {
            // The end marker glued to a legacy header (no output at all):
            // the marker is not part of the value.
            if let Some((name, value)) = parsed.filter(|(name, _)| is_legacy_header(name)) {
                let n0 = offset(data, name);
                let v0 = offset(data, value);
                let mut v1 = v0 + value.len();
                // Every marker glued to the end goes (the framer stops at
                // the first line that ends in one).
                while data[v0..v1].ends_with(END_COMMAND) {
                    v1 -= END_COMMAND.len();
                }
                headers.push(HeaderSpan {
                    name: Span::new(n0, n0 + name.len()),
                    value: Span::new(v0, v1),
                });
                output_start = Some(line_start + content.len());
                break;
            }
        }
        if legacy && !parsed.is_some_and(|(name, _)| is_legacy_header(name)) {
            // The raw output of a legacy command starts here.
            output_start = Some(line_start);
            break;
        }
        match parsed {
            Some((name, value)) => {
                let n0 = offset(data, name);
                let v0 = offset(data, value);
                if headers.is_empty()
                    && name.eq_ignore_ascii_case(b"Response")
                    && value.eq_ignore_ascii_case(b"Follows")
                {
                    legacy = true;
                }
                headers.push(HeaderSpan {
                    name: Span::new(n0, n0 + name.len()),
                    value: Span::new(v0, v0 + value.len()),
                });
            }
            None if prev_bare_lf && !headers.is_empty() => {
                // A value that held a bare LF: it goes on over this line.
                if let Some(last) = headers.last_mut() {
                    last.value.end = u32::try_from(line_start + content.len()).unwrap_or(u32::MAX);
                }
            }
            None => return Err(DecodeError::MalformedLine { line: line_no }),
        }
        prev_bare_lf = bare_lf;
    }
    let output = match (legacy, output_start) {
        (false, _) => None,
        (true, start) => {
            let start = start.unwrap_or(data.len());
            let rest = &data[start..];
            // The framer cut the frame after the end marker (alone on its
            // line, or glued to the last output line).
            let mut marker = memchr::memmem::rfind(rest, END_COMMAND).map_or(start, |i| start + i);
            // A line ending in several markers ends at the first of them
            // (that is where the framer ends the frame).
            while data[start..marker].ends_with(END_COMMAND) {
                marker -= END_COMMAND.len();
            }
            let mut end = marker;
            if end > start && data[end - 1] == b'\n' {
                end -= 1;
                if end > start && data[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            Some(Span::new(start, end))
        }
    };
    Ok(Message::from_parts(buf, headers, output))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> Message {
        frame(Bytes::copy_from_slice(s)).unwrap()
    }

    #[test]
    fn header_line_grammar() {
        assert_eq!(
            header_line(b"Key: Value"),
            Ok((&b""[..], (&b"Key"[..], &b"Value"[..])))
        );
        assert_eq!(
            header_line(b"Key:Value").unwrap().1,
            (&b"Key"[..], &b"Value"[..])
        );
        assert_eq!(header_line(b"Key: ").unwrap().1, (&b"Key"[..], &b""[..]));
        assert_eq!(
            header_line(b"T: 11:37:03").unwrap().1,
            (&b"T"[..], &b"11:37:03"[..])
        );
        assert_eq!(
            header_line(b"V:    three").unwrap().1,
            (&b"V"[..], &b"   three"[..])
        );
        assert!(header_line(b"no colon").is_err());
        assert!(header_line(b": no name").is_err());
    }

    #[test]
    fn values_keep_colons_spaces_and_empties() {
        let m = parse(
            b"Event: UserEvent\r\nColon: a:b: c\r\nEmpty: \r\nSpaces:    x\r\nNoSpace:y\r\n\r\n",
        );
        assert_eq!(m.get("Colon"), Some("a:b: c"));
        assert_eq!(m.get("Empty"), Some(""));
        assert_eq!(m.get("Spaces"), Some("   x"));
        assert_eq!(m.get("NoSpace"), Some("y"));
    }

    #[test]
    fn bare_lf_inside_and_at_end_of_a_value() {
        let m = parse(b"Response: Error\r\nMessage: No Contacts found\n\r\n");
        assert_eq!(m.get("Message"), Some("No Contacts found"));
        let m = parse(b"Event: X\r\nData: first\nsecond part\r\nNext: 1\r\n\r\n");
        assert_eq!(m.get("Data"), Some("first\nsecond part"));
        assert_eq!(m.get("Next"), Some("1"));
    }

    #[test]
    fn malformed_line_is_an_error() {
        assert_eq!(
            frame(Bytes::from_static(b"Event: X\r\ngarbage\r\n\r\n")),
            Err(DecodeError::MalformedLine { line: 2 })
        );
    }

    #[test]
    fn legacy_command_output() {
        let m = parse(b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\nName: value looks like a header\nline two\n\n--END COMMAND--\r\n");
        assert_eq!(m.action_id(), Some("c1"));
        assert_eq!(m.len(), 3);
        assert_eq!(
            m.output(),
            ["Name: value looks like a header", "line two", ""]
        );
        let glued = parse(
            b"Response: Follows\r\nPrivilege: Command\r\nNo such command 'x'--END COMMAND--\r\n",
        );
        assert_eq!(glued.output(), ["No such command 'x'"]);
        let empty = parse(b"Response: Follows\r\nPrivilege: Command\r\n--END COMMAND--\r\n");
        assert_eq!(empty.legacy_output(), Some(&b""[..]));
    }
}
