//! Fixture files: discovery, metadata, and the three transport formats.
//!
//! The formats are specified in `fixtures/README.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use serde_json::Value;

use crate::matcher::Volatile;

/// Where a fixture's content comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// Recorded from a real system in our lab.
    LabRecording,
    /// Taken from a seed document (a vendor document, kept outside this
    /// repository).
    Seed,
    /// Written from a section of a vendor reference (kept outside this
    /// repository).
    Spec,
    /// Invented (self-tests, synthetic scenarios).
    Invented,
}

impl Provenance {
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "lab-recording" => Self::LabRecording,
            "seed" => Self::Seed,
            "spec" => Self::Spec,
            "invented" => Self::Invented,
            other => {
                bail!("unknown source {other:?} (expected lab-recording, seed, spec or invented)")
            }
        })
    }
}

/// Which replays a fixture takes part in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    /// A replay server plays the vendor side; the vendor's client must send
    /// the recorded requests and produce the golden events.
    Client,
    /// A replay client plays the application side against the vendor's
    /// simulator, which must answer as recorded.
    Simulator,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Client => "client",
            Self::Simulator => "simulator",
        })
    }
}

/// The metadata header every fixture carries.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Provenance class.
    pub source: Provenance,
    /// Where exactly: recording name, seed file and section, spec section.
    pub reference: String,
    /// The product and version the exchange belongs to.
    pub product: String,
    /// Which vendor plug-in replays it (defaults to the folder name).
    pub vendor: String,
    /// One sentence on what the exchange shows.
    pub description: String,
    /// Which replays to run.
    pub checks: Vec<Check>,
    /// Byte streams only: header names whose values vary between runs (the
    /// fixture's `volatile:` list; the runner adds its vendor's defaults,
    /// [`crate::Vendor::volatile_defaults`]).
    pub volatile: Volatile,
    /// What was replaced to keep secrets out (free text).
    pub redactions: Option<String>,
    /// Every key as written, for vendor-specific settings.
    pub raw: BTreeMap<String, String>,
}

impl Meta {
    fn from_pairs(pairs: BTreeMap<String, String>, default_vendor: &str) -> Result<Self> {
        let get = |k: &str| pairs.get(k).cloned();
        let need = |k: &str| get(k).ok_or_else(|| anyhow!("metadata lacks `{k}`"));
        let list = |k: &str| -> Vec<String> {
            get(k)
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let checks = match get("checks") {
            None => vec![Check::Client, Check::Simulator],
            Some(_) => list("checks")
                .iter()
                .map(|c| match c.as_str() {
                    "client" => Ok(Check::Client),
                    "simulator" => Ok(Check::Simulator),
                    "none" => Err(None),
                    other => Err(Some(anyhow!("unknown check {other:?}"))),
                })
                .filter_map(|r| match r {
                    Ok(c) => Some(Ok(c)),
                    Err(None) => None,
                    Err(Some(e)) => Some(Err(e)),
                })
                .collect::<Result<_>>()?,
        };
        Ok(Self {
            source: Provenance::parse(&need("source")?)?,
            reference: need("ref")?,
            product: need("product")?,
            vendor: get("vendor").unwrap_or_else(|| default_vendor.to_owned()),
            description: get("description").unwrap_or_default(),
            checks,
            volatile: Volatile::any(&list("volatile")),
            redactions: get("redactions"),
            raw: pairs,
        })
    }
}

/// Direction of a piece of an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Application (client) to vendor (server).
    ClientToServer,
    /// Vendor (server) to application (client).
    ServerToClient,
}

/// One entry of a byte-stream transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Bytes one side wrote, kept exactly.
    Data {
        /// Who wrote them.
        dir: Dir,
        /// Seconds since the start, as recorded (informational).
        t: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// The server closed the connection.
    ServerClosed,
}

/// An HTTP request as a story case expects it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoryRequest {
    /// Method.
    pub method: String,
    /// Path and query (placeholders allowed).
    pub path: String,
    /// Headers that must be present with these values (others are ignored).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// JSON body (a JSON value) or text body (a string); absent means empty.
    #[serde(default)]
    pub body: Option<Value>,
}

/// One piece of a streamed (chunked) response body.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoryChunk {
    /// Send only once the case with this seqno has been received.
    #[serde(default)]
    pub after: Option<u32>,
    /// Wait this long first, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// A JSON value (sent as one line followed by `\n`) or a string (sent
    /// as is).
    pub data: Value,
}

/// An HTTP response as a story case gives it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoryResponse {
    /// Status code.
    pub status: u16,
    /// Headers (placeholders allowed).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// JSON body (a JSON value) or text body (a string).
    #[serde(default)]
    pub body: Option<Value>,
    /// A streamed body, chunk by chunk, instead of `body`.
    #[serde(default)]
    pub chunks: Option<Vec<StoryChunk>>,
}

/// One request/response pair of a story.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoryCase {
    /// Position in the story, from 1.
    pub seqno: u32,
    /// What the application sends.
    pub request: StoryRequest,
    /// What the vendor answers.
    pub response: StoryResponse,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoryFile {
    meta: BTreeMap<String, String>,
    cases: Vec<StoryCase>,
}

/// One WebSocket text frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Who sent it.
    pub dir: Dir,
    /// The text payload (placeholders allowed).
    pub text: String,
}

/// The exchange a fixture holds.
#[derive(Clone, Debug)]
pub enum Body {
    /// A byte stream (AMI over TCP).
    Bytes(Vec<Chunk>),
    /// HTTP request/response cases.
    Http(Vec<StoryCase>),
    /// WebSocket frames, with the path of the upgrade request.
    WebSocket {
        /// The request path of the WebSocket upgrade.
        path: String,
        /// The frames in order.
        frames: Vec<Frame>,
    },
}

/// A fixture: metadata, exchange, and the golden events beside it.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The file.
    pub path: PathBuf,
    /// A short name (path relative to the fixtures root, without extension).
    pub name: String,
    /// Metadata.
    pub meta: Meta,
    /// The exchange.
    pub body: Body,
    /// The golden normalized events (JSON objects, `ts` left out), if the
    /// golden file exists.
    pub golden: Option<Vec<Value>>,
}

/// The file name extensions of the three formats.
pub const EXTENSIONS: [&str; 3] = [".transcript", ".story.json", ".frames"];

/// The golden file of a fixture: `<stem>.golden.jsonl`.
pub fn golden_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = EXTENSIONS
        .iter()
        .find_map(|e| name.strip_suffix(e))
        .unwrap_or(name);
    path.with_file_name(format!("{stem}.golden.jsonl"))
}

/// Every fixture file below `root`, sorted.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| EXTENSIONS.iter().any(|e| n.ends_with(e)))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A fixture's short name: its path below `root` without the format extension.
pub fn display_name(root: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    EXTENSIONS
        .iter()
        .find_map(|e| rel.strip_suffix(e))
        .map_or_else(|| rel.clone(), str::to_owned)
}

/// Loads one fixture file and its golden file.
pub fn load(root: &Path, path: &Path) -> Result<Fixture> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let default_vendor = rel
        .components()
        .next()
        .filter(|_| rel.components().count() > 1)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    let rel_name = rel.to_string_lossy();
    let name = display_name(root, path);
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = path.display();
    let (meta, body) = if rel_name.ends_with(".transcript") {
        let (pairs, rest) =
            parse_header(&bytes).with_context(|| format!("{file}: metadata header"))?;
        let meta = Meta::from_pairs(pairs, &default_vendor)
            .with_context(|| format!("{file}: metadata"))?;
        (
            meta,
            Body::Bytes(parse_transcript(rest).with_context(|| format!("{file}: transcript"))?),
        )
    } else if rel_name.ends_with(".story.json") {
        let story: StoryFile =
            serde_json::from_slice(&bytes).with_context(|| format!("{file}: story"))?;
        for (i, case) in story.cases.iter().enumerate() {
            if usize::try_from(case.seqno).ok() != Some(i + 1) {
                bail!(
                    "{file}: case {} has seqno {} (cases are numbered from 1 in order)",
                    i + 1,
                    case.seqno
                );
            }
        }
        let meta = Meta::from_pairs(story.meta, &default_vendor)
            .with_context(|| format!("{file}: metadata"))?;
        (meta, Body::Http(story.cases))
    } else {
        let (pairs, rest) =
            parse_header(&bytes).with_context(|| format!("{file}: metadata header"))?;
        let meta = Meta::from_pairs(pairs.clone(), &default_vendor)
            .with_context(|| format!("{file}: metadata"))?;
        let path_of_ws = pairs.get("path").cloned().unwrap_or_else(|| "/".to_owned());
        let frames = parse_frames(rest).with_context(|| format!("{file}: frames"))?;
        (
            meta,
            Body::WebSocket {
                path: path_of_ws,
                frames,
            },
        )
    };
    let golden_file = golden_path(path);
    let golden = if golden_file.exists() {
        Some(read_golden(&golden_file)?)
    } else {
        None
    };
    Ok(Fixture {
        path: path.to_path_buf(),
        name,
        meta,
        body,
        golden,
    })
}

/// Reads a golden file: one JSON object per line.
pub fn read_golden(path: &Path) -> Result<Vec<Value>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a JSON event", path.display(), i + 1))
        })
        .collect()
}

/// Splits leading `# key: value` lines from the rest.
fn parse_header(bytes: &[u8]) -> Result<(BTreeMap<String, String>, &[u8])> {
    let mut pairs = BTreeMap::new();
    let mut rest = bytes;
    while let Some(line) = rest.strip_prefix(b"# ") {
        let end = line
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| anyhow!("unterminated header line"))?;
        let text = std::str::from_utf8(&line[..end]).context("header line is not UTF-8")?;
        let (k, v) = text
            .split_once(':')
            .ok_or_else(|| anyhow!("header line {text:?} lacks `key: value`"))?;
        pairs.insert(k.trim().to_owned(), v.trim().to_owned());
        rest = &line[end + 1..];
    }
    if pairs.is_empty() {
        bail!("no `# key: value` metadata header");
    }
    // One blank line may separate the header from the body.
    if let Some(r) = rest.strip_prefix(b"\n") {
        rest = r;
    }
    Ok((pairs, rest))
}

/// Parses the chunk list of a transcript (the lab recordings' own format).
pub fn parse_transcript(mut rest: &[u8]) -> Result<Vec<Chunk>> {
    let mut chunks = Vec::new();
    let mut offset = 0usize;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| anyhow!("byte {offset}: unterminated chunk header"))?;
        let header = std::str::from_utf8(&rest[..end])
            .with_context(|| format!("byte {offset}: chunk header is not UTF-8"))?;
        let after = &rest[end + 1..];
        let consumed_header = end + 1;
        if header.starts_with("#< EOF") {
            chunks.push(Chunk::ServerClosed);
            rest = after;
            offset += consumed_header;
            continue;
        }
        let (dir, fields) = if let Some(f) = header.strip_prefix("#< RECV ") {
            (Dir::ServerToClient, f)
        } else if let Some(f) = header.strip_prefix("#> SEND ") {
            (Dir::ClientToServer, f)
        } else {
            bail!("byte {offset}: expected `#< RECV`, `#> SEND` or `#< EOF`, got {header:?}");
        };
        let mut t = String::new();
        let mut len = None;
        for f in fields.split_whitespace() {
            if let Some(v) = f.strip_prefix("t=") {
                t = v.to_owned();
            } else if let Some(v) = f.strip_prefix("len=") {
                len = Some(
                    v.parse::<usize>()
                        .with_context(|| format!("byte {offset}: bad len {v:?}"))?,
                );
            }
        }
        let len = len.ok_or_else(|| anyhow!("byte {offset}: chunk header lacks len="))?;
        if after.len() < len + 1 {
            bail!(
                "byte {offset}: chunk says len={len} but only {} bytes follow",
                after.len().saturating_sub(1)
            );
        }
        if after[len] != b'\n' {
            bail!("byte {offset}: chunk of len={len} is not followed by a newline (wrong length?)");
        }
        chunks.push(Chunk::Data {
            dir,
            t,
            bytes: after[..len].to_vec(),
        });
        rest = &after[len + 1..];
        offset += consumed_header + len + 1;
    }
    Ok(chunks)
}

/// Writes chunks in transcript form (the inverse of [`parse_transcript`]).
pub fn write_transcript(chunks: &[Chunk], out: &mut Vec<u8>) {
    for c in chunks {
        match c {
            Chunk::Data { dir, t, bytes } => {
                let (tag, word) = match dir {
                    Dir::ServerToClient => ("#<", "RECV"),
                    Dir::ClientToServer => ("#>", "SEND"),
                };
                let t = if t.is_empty() { "0" } else { t };
                out.extend_from_slice(
                    format!("{tag} {word} t={t} len={}\n", bytes.len()).as_bytes(),
                );
                out.extend_from_slice(bytes);
                out.push(b'\n');
            }
            Chunk::ServerClosed => out.extend_from_slice(b"#< EOF (peer closed the connection)\n"),
        }
    }
}

fn parse_frames(rest: &[u8]) -> Result<Vec<Frame>> {
    let text = std::str::from_utf8(rest).context("frames are not UTF-8")?;
    let mut frames = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (dir, payload) = if let Some(p) = line.strip_prefix("C: ") {
            (Dir::ClientToServer, p)
        } else if let Some(p) = line.strip_prefix("S: ") {
            (Dir::ServerToClient, p)
        } else {
            bail!("line {}: a frame line starts with `C: ` or `S: `", i + 1);
        };
        frames.push(Frame {
            dir,
            text: payload.to_owned(),
        });
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_round_trip_and_errors() {
        let text = b"#< RECV t=0.1 len=4\nab\r\n\n#> SEND t=0.2 len=3\nx\ny\n#< EOF t=0.3 (peer closed the connection)\n";
        let chunks = parse_transcript(text).unwrap();
        assert_eq!(chunks.len(), 3);
        assert_eq!(
            chunks[1],
            Chunk::Data {
                dir: Dir::ClientToServer,
                t: "0.2".into(),
                bytes: b"x\ny".to_vec()
            }
        );
        let mut out = Vec::new();
        write_transcript(&chunks, &mut out);
        assert_eq!(parse_transcript(&out).unwrap(), chunks);
        assert!(parse_transcript(b"#< RECV t=0 len=10\nshort\n").is_err());
        assert!(parse_transcript(b"#< RECV t=0 len=2\nabc\n").is_err());
        assert!(parse_transcript(b"garbage\n").is_err());
    }

    #[test]
    fn header_parsing() {
        let (pairs, rest) = parse_header(b"# source: invented\n# ref: x\n\nBODY").unwrap();
        assert_eq!(pairs["source"], "invented");
        assert_eq!(rest, b"BODY");
        assert!(parse_header(b"BODY").is_err());
    }

    #[test]
    fn golden_path_replaces_the_format_extension() {
        assert_eq!(
            golden_path(Path::new("a/b.story.json")),
            Path::new("a/b.golden.jsonl")
        );
        assert_eq!(
            golden_path(Path::new("a/b.transcript")),
            Path::new("a/b.golden.jsonl")
        );
        assert_eq!(
            golden_path(Path::new("a/b.frames")),
            Path::new("a/b.golden.jsonl")
        );
    }
}
