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
use nom::bytes::complete::tag;
use nom::combinator::{opt, rest};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::DecodeError;
use crate::Message;
use crate::types::message::{HeaderSpan, Span};

pub(crate) const END_COMMAND: &[u8] = b"--END COMMAND--";

/// `name`: one or more bytes before the first `:` (found with memchr,
/// which matters: this runs on every line of the stream).
#[inline]
fn name(i: &[u8]) -> IResult<&[u8], &[u8]> {
    match memchr::memchr(b':', i) {
        Some(n) if n > 0 => Ok((&i[n..], &i[..n])),
        _ => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::TakeTill1,
        ))),
    }
}

/// `header-line` without its line end: `name ":" [SP] value`.
#[inline]
fn header_line(line: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    (name, preceded((tag(&b":"[..]), opt(tag(&b" "[..]))), rest)).parse(line)
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

/// The frame grammar applied line by line, so that the framer can parse each
/// line as it finds it (one pass over the input) and [`frame`] can parse a
/// frame handed over whole, with exactly the same rules.
#[derive(Debug, Default, Clone)]
pub(crate) struct FrameParser {
    headers: Vec<HeaderSpan>,
    legacy: bool,
    output_start: Option<usize>,
    prev_bare_lf: bool,
    malformed: Option<usize>,
    lines: usize,
}

impl FrameParser {
    /// True once the first header said `Response: Follows`.
    pub(crate) fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// Takes one line of the frame that is not its terminating line:
    /// `data[start..end]`, `end` just past its LF. Offsets are relative to
    /// the start of the frame.
    #[inline]
    pub(crate) fn line(&mut self, data: &[u8], start: usize, end: usize) {
        self.lines += 1;
        if self.output_start.is_some() {
            return;
        }
        let raw = &data[start..end];
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        let bare_lf = end > start && data[end - 1] == b'\n' && !raw.ends_with(b"\r");
        let content = raw.strip_suffix(b"\r").unwrap_or(raw);
        let parsed = header_line(content).ok().map(|(_, nv)| nv);
        let parsed = parsed.filter(|(name, _)| {
            !(self.prev_bare_lf && !self.headers.is_empty() && name.contains(&b' '))
        });
        if self.legacy && !parsed.is_some_and(|(name, _)| is_legacy_header(name)) {
            // The raw output of a legacy command starts here.
            self.output_start = Some(start);
            return;
        }
        match parsed {
            Some((name, value)) => {
                let n0 = offset(data, name);
                let v0 = offset(data, value);
                if self.headers.is_empty()
                    && name.eq_ignore_ascii_case(b"Response")
                    && value.eq_ignore_ascii_case(b"Follows")
                {
                    self.legacy = true;
                }
                self.headers.push(HeaderSpan {
                    name: Span::new(n0, n0 + name.len()),
                    value: Span::new(v0, v0 + value.len()),
                });
            }
            None if self.prev_bare_lf && !self.headers.is_empty() => {
                // A value that held a bare LF: it goes on over this line.
                if let Some(last) = self.headers.last_mut() {
                    last.value.end = u32::try_from(start + content.len()).unwrap_or(u32::MAX);
                }
            }
            None => {
                self.malformed.get_or_insert(self.lines);
            }
        }
        self.prev_bare_lf = bare_lf;
    }

    /// True when the next line, if it is an ordinary header line, may take
    /// the short path ([`Self::header`]): the frame has a header already, is
    /// not legacy output, and the previous line did not end in a bare LF.
    #[inline]
    pub(crate) fn plain(&self) -> bool {
        !self.legacy
            && self.output_start.is_none()
            && !self.prev_bare_lf
            && !self.headers.is_empty()
    }

    /// The short path of [`Self::line`] for a header line whose first `:`
    /// the scanner has found: `data[start..end]` is the line without its
    /// CRLF, `colon` its first colon (`start < colon < end`). Only when
    /// [`Self::plain`], or for the first line of a frame when its name is
    /// not `Response` (the one header that can make a frame legacy); the
    /// result is what `line` gives for the same line.
    ///
    /// It does not count the line: the framer, which counts lines itself,
    /// tells [`Self::line`] its number with [`Self::line_number`].
    #[inline]
    pub(crate) fn header(&mut self, data: &[u8], start: usize, colon: usize, end: usize) {
        let value = colon + 1 + usize::from(colon + 1 < end && data.get(colon + 1) == Some(&b' '));
        // The framer only calls this inside a frame within the size limit,
        // which is below 4 GiB: the offsets fit.
        #[allow(clippy::cast_possible_truncation)]
        self.headers.push(HeaderSpan {
            name: Span {
                start: start as u32,
                end: colon as u32,
            },
            value: Span {
                start: value as u32,
                end: end as u32,
            },
        });
    }

    /// Sets how many lines of the frame came before the next one given to
    /// [`Self::line`] (the lines [`Self::header`] took are not counted).
    #[inline]
    pub(crate) fn line_number(&mut self, lines: usize) {
        self.lines = lines;
    }

    /// Takes the terminating line (`data[start..]`: the blank line, or the
    /// line that ends in `--END COMMAND--`) of the frame `data`, and works
    /// out the legacy output. The headers stay in the parser ([`Self::headers`])
    /// until [`Self::clear`].
    pub(crate) fn complete(
        &mut self,
        data: &[u8],
        start: usize,
    ) -> Result<Option<Span>, DecodeError> {
        let output = if self.legacy {
            if self.output_start.is_none() {
                let raw = &data[start..];
                let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
                let content = raw.strip_suffix(b"\r").unwrap_or(raw);
                let glued = header_line(content)
                    .ok()
                    .map(|(_, nv)| nv)
                    .filter(|(name, _)| is_legacy_header(name));
                if let Some((name, value)) = glued {
                    // The end marker glued to a legacy header: every marker
                    // at the end goes, the output is empty.
                    let n0 = offset(data, name);
                    let v0 = offset(data, value);
                    let mut v1 = v0 + value.len();
                    while data[v0..v1].ends_with(END_COMMAND) {
                        v1 -= END_COMMAND.len();
                    }
                    self.headers.push(HeaderSpan {
                        name: Span::new(n0, n0 + name.len()),
                        value: Span::new(v0, v1),
                    });
                    self.output_start = Some(start + content.len());
                } else {
                    self.output_start = Some(start);
                }
            }
            let out_start = self.output_start.unwrap_or(data.len()).min(data.len());
            let rest = &data[out_start..];
            let mut marker =
                memchr::memmem::rfind(rest, END_COMMAND).map_or(out_start, |i| out_start + i);
            // A line ending in several markers ends at the first of them
            // (that is where the framer ends the frame).
            while data[out_start..marker].ends_with(END_COMMAND) {
                marker -= END_COMMAND.len();
            }
            let mut end = marker;
            if end > out_start && data[end - 1] == b'\n' {
                end -= 1;
                if end > out_start && data[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            Some(Span::new(out_start, end))
        } else {
            None
        };
        match self.malformed {
            Some(line) => Err(DecodeError::MalformedLine { line }),
            None => Ok(output),
        }
    }

    /// The header spans of the frame parsed so far.
    pub(crate) fn headers(&self) -> &[HeaderSpan] {
        &self.headers
    }

    /// [`Self::complete`], then the owned message; the parser is left empty.
    pub(crate) fn finish(&mut self, frame: Bytes, start: usize) -> Result<Message, DecodeError> {
        let output = self.complete(&frame, start);
        let headers = std::mem::replace(&mut self.headers, Vec::with_capacity(24));
        self.clear();
        output.map(|output| Message::from_parts(frame, headers, output))
    }

    /// Forgets a frame that was dropped part-way.
    pub(crate) fn clear(&mut self) {
        self.headers.clear();
        self.legacy = false;
        self.output_start = None;
        self.prev_bare_lf = false;
        self.malformed = None;
        self.lines = 0;
    }
}

/// True when `content` (a line without its line end) terminates a frame.
pub(crate) fn ends_frame(legacy: bool, content: &[u8]) -> bool {
    if legacy {
        content.ends_with(END_COMMAND)
    } else {
        content.is_empty()
    }
}

/// Parses a complete frame (as the framer cuts it: up to and including its
/// terminating line).
pub(crate) fn frame(buf: Bytes) -> Result<Message, DecodeError> {
    let data: &[u8] = &buf;
    let mut p = FrameParser::default();
    let mut pos = 0usize;
    while pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i + 1);
        let raw = &data[pos..end];
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        let content = raw.strip_suffix(b"\r").unwrap_or(raw);
        // The first line decides whether the frame is legacy.
        let legacy = p.is_legacy() || (p.lines == 0 && is_follows_line(content));
        if ends_frame(legacy, content) {
            return p.finish(buf.clone(), pos);
        }
        p.line(data, pos, end);
        pos = end;
    }
    let len = data.len();
    p.finish(buf.clone(), len)
}

/// `Response` `:` [SP] `Follows`, the first line of a legacy answer.
pub(crate) fn is_follows_line(content: &[u8]) -> bool {
    header_line(content).is_ok_and(|(_, (name, value))| {
        name.eq_ignore_ascii_case(b"Response") && value.eq_ignore_ascii_case(b"Follows")
    })
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
