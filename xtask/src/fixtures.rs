//! `cargo xtask fixtures import-ami <recordings-dir> [--out DIR] [--product P]`:
//! turns lab recordings of AMI sessions into fixtures.
//!
//! Each `NAME.transcript` of the recordings folder (the lab recorder's
//! format, which is also the fixture transcript format of
//! `fixtures/README.md`) becomes `fixtures/ami/recordings/NAME.transcript`:
//! the same chunks, byte for byte, behind a metadata header. Only secrets
//! change: the values of [`SECRET_HEADERS`] become `*` of the same length, so
//! every `len=` stays true and every other byte stays where it was.
//!
//! Before writing, the importer checks that the transcript parses, and that
//! its chunks concatenated per direction equal `NAME.recv.ami` and
//! `NAME.sent.ami` when those exist.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

const USAGE: &str =
    "usage: cargo xtask fixtures import-ami <recordings-dir> [--out DIR] [--product P]";

/// The product of the lab recordings, unless `--product` says otherwise.
const DEFAULT_PRODUCT: &str = "Asterisk 22.10.1 (AMI 11.0.0)";

/// Headers whose values are credentials (compared without ASCII case).
/// `Key` (the MD5 answer to a one-time `Challenge`) is not one: it cannot be
/// replayed against another challenge.
const SECRET_HEADERS: &[&str] = &[
    "Secret",
    "Password",
    "PasswordDigest",
    "Md5Cred",
    "OauthSecret",
    "RefreshToken",
];

/// Headers whose values change from run to run of the same scenario: ids,
/// clocks, counters since start-up, channel names (their sequence numbers
/// depend on what ran before), bridge UUIDs and durations. A fixture lists
/// those it contains.
const VOLATILE_HEADERS: &[&str] = &[
    "ActionID",
    "Uniqueid",
    "Linkedid",
    "DestUniqueid",
    "DestLinkedid",
    "SessionID",
    "Challenge",
    "Key",
    "Timestamp",
    "EventTV",
    "Uptime",
    "LastReload",
    "CoreStartupTime",
    "CoreStartupDate",
    "CoreReloadTime",
    "CoreReloadDate",
    "CoreCurrentCalls",
    "CoreProcessedCalls",
    "Channel",
    "DestChannel",
    "ConnectedChannel",
    "BridgeID",
    "BridgeUniqueid",
    "Duration",
    "Seconds",
    "Wait",
    "HoldTime",
    "TalkTime",
    "LongestHoldTime",
    "LoginTime",
    "LastCall",
];

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("import-ami") => {}
        Some(other) => bail!("fixtures: unknown subcommand {other:?}\n{USAGE}"),
        None => bail!("{USAGE}"),
    }
    let mut src: Option<PathBuf> = None;
    let mut out = root.join("fixtures/ami/recordings");
    let mut product = DEFAULT_PRODUCT.to_owned();
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(it.next().context("--out needs a folder")?),
            "--product" => product = it.next().context("--product needs a value")?.clone(),
            s if s.starts_with("--") => bail!("fixtures import-ami: unknown option {s:?}\n{USAGE}"),
            s if src.is_none() => src = Some(PathBuf::from(s)),
            s => bail!("fixtures import-ami: unexpected argument {s:?}\n{USAGE}"),
        }
    }
    let src = src.with_context(|| USAGE.to_owned())?;
    let src = std::fs::canonicalize(&src)
        .with_context(|| format!("recordings folder {}", src.display()))?;
    let imported = import_ami(&src, &out, &product)?;
    if imported.is_empty() {
        bail!("no *.transcript in {}", src.display());
    }
    for f in &imported {
        println!(
            "{:<28} {:>3} chunks {:>6} bytes  redacted: {}",
            f.name, f.chunks, f.bytes, f.redacted
        );
    }
    println!(
        "fixtures: {} recording(s) imported into {}",
        imported.len(),
        out.display()
    );
    Ok(())
}

/// What one import wrote.
#[derive(Debug)]
pub(crate) struct Imported {
    pub(crate) name: String,
    pub(crate) chunks: usize,
    pub(crate) bytes: usize,
    pub(crate) redacted: usize,
}

/// Converts every `*.transcript` in `src` into a fixture in `out`.
pub(crate) fn import_ami(src: &Path, out: &Path, product: &str) -> Result<Vec<Imported>> {
    let mut names: Vec<String> = std::fs::read_dir(src)
        .with_context(|| format!("reading {}", src.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".transcript"))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let reference_dir = reference_of(src);
    let mut done = Vec::new();
    for name in names {
        let path = src.join(format!("{name}.transcript"));
        let original =
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let file = path.display();
        let chunks = parse(&original).with_context(|| format!("{file}"))?;
        for (dir, suffix) in [(Dir::Recv, "recv.ami"), (Dir::Send, "sent.ami")] {
            let side = src.join(format!("{name}.{suffix}"));
            if side.exists() {
                let want = std::fs::read(&side)?;
                ensure!(
                    concat(&original, &chunks, dir) == want,
                    "{file}: its {dir:?} chunks differ from {}",
                    side.display()
                );
            }
        }
        check_banner(&original, &chunks, product).with_context(|| format!("{file}"))?;
        let mut body = original.clone();
        let redacted = redact(&mut body, &chunks);
        let description = std::fs::read_to_string(src.join(format!("{name}.md")))
            .ok()
            .and_then(|md| {
                md.lines()
                    .next()
                    .map(|l| l.trim_start_matches('#').trim().to_owned())
            })
            .filter(|d| !d.is_empty());
        let mut meta = vec![
            ("source", "lab-recording".to_owned()),
            (
                "ref",
                format!(
                    "{reference_dir}, session {name} (Asterisk 22.10.1 on loopback; not in this repository)"
                ),
            ),
            ("product", product.to_owned()),
        ];
        if let Some(d) = description {
            meta.push(("description", d));
        }
        let target = out.join(format!("{name}.transcript"));
        // A fixture imported before keeps what was decided for it since:
        // its `checks` and any key the importer does not write.
        let kept = std::fs::read(&target)
            .map(|t| existing_meta(&t))
            .unwrap_or_default();
        let checks = kept
            .iter()
            .find(|(k, _)| k == "checks")
            .map_or_else(|| "none".to_owned(), |(_, v)| v.clone());
        meta.push(("checks", checks));
        meta.push(("volatile", volatile_of(&original, &chunks).join(", ")));
        meta.push((
            "redactions",
            redactions_text(&redacted, has_header(&original, &chunks, Dir::Send, "Key")),
        ));
        let mut text = Vec::new();
        let generated: Vec<&str> = meta.iter().map(|(k, _)| *k).collect();
        let extra = kept
            .iter()
            .filter(|(k, _)| !generated.contains(&k.as_str()) && k != "description");
        for (k, v) in meta
            .iter()
            .map(|(k, v)| (*k, v))
            .chain(extra.map(|(k, v)| (k.as_str(), v)))
        {
            ensure!(!v.contains('\n'), "{file}: metadata {k} spans lines");
            text.extend_from_slice(format!("# {k}: {v}\n").as_bytes());
        }
        text.push(b'\n');
        text.extend_from_slice(&body);
        std::fs::write(&target, &text).with_context(|| format!("writing {}", target.display()))?;
        done.push(Imported {
            name,
            chunks: chunks.len(),
            bytes: chunks.iter().map(|c| c.data.len()).sum(),
            redacted: redacted.values().sum(),
        });
    }
    Ok(done)
}

/// The `# key: value` lines at the top of a fixture, in order.
fn existing_meta(text: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let Some(l) = line.strip_prefix(b"# ") else {
            break;
        };
        let l = String::from_utf8_lossy(l);
        if let Some((k, v)) = l.split_once(':') {
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

/// The `redactions` value: what was replaced, never the replaced text.
fn redactions_text(redacted: &BTreeMap<String, usize>, has_key: bool) -> String {
    let mut s = if redacted.is_empty() {
        "none".to_owned()
    } else {
        let what: Vec<String> = redacted
            .iter()
            .map(|(h, n)| format!("{h} ({n} value{})", if *n == 1 { "" } else { "s" }))
            .collect();
        format!(
            "values of {} replaced by `*` of the same length (chunk lengths unchanged)",
            what.join(", ")
        )
    };
    if has_key {
        s.push_str(
            "; the Login Key is kept: it is the MD5 answer to the recorded one-time Challenge",
        );
    }
    s
}

/// How a fixture names the recording it came from: the recording set's
/// name (the folder's last component), never a path outside the
/// repository.
fn reference_of(src: &Path) -> String {
    let set = src
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default();
    format!("lab recording set {set}")
}

/// Which side wrote a chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    /// `#< RECV`: the server's bytes.
    Recv,
    /// `#> SEND`: the client's bytes.
    Send,
}

/// One data chunk of a transcript: its direction and where its bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Chunk {
    dir: Dir,
    data: std::ops::Range<usize>,
}

/// Parses a transcript (no metadata header) into its data chunks; `#< EOF`
/// lines are checked and skipped.
fn parse(text: &[u8]) -> Result<Vec<Chunk>> {
    let mut chunks = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = text[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| pos + i)
            .with_context(|| format!("byte {pos}: unterminated chunk header"))?;
        let header = std::str::from_utf8(&text[pos..end])
            .with_context(|| format!("byte {pos}: chunk header is not UTF-8"))?;
        let start = end + 1;
        if header.starts_with("#< EOF") {
            pos = start;
            continue;
        }
        let (dir, fields) = if let Some(f) = header.strip_prefix("#< RECV ") {
            (Dir::Recv, f)
        } else if let Some(f) = header.strip_prefix("#> SEND ") {
            (Dir::Send, f)
        } else {
            bail!("byte {pos}: expected `#< RECV`, `#> SEND` or `#< EOF`, got {header:?}");
        };
        let len: usize = fields
            .split_whitespace()
            .find_map(|f| f.strip_prefix("len="))
            .with_context(|| format!("byte {pos}: chunk header lacks len="))?
            .parse()
            .with_context(|| format!("byte {pos}: bad len"))?;
        ensure!(
            text.len() > start + len && text[start + len] == b'\n',
            "byte {pos}: chunk of len={len} is not followed by a newline"
        );
        chunks.push(Chunk {
            dir,
            data: start..start + len,
        });
        pos = start + len + 1;
    }
    Ok(chunks)
}

/// The bytes one side wrote, concatenated.
fn concat(text: &[u8], chunks: &[Chunk], dir: Dir) -> Vec<u8> {
    chunks
        .iter()
        .filter(|c| c.dir == dir)
        .flat_map(|c| text[c.data.clone()].iter().copied())
        .collect()
}

/// Positions in `text` of one side's bytes, in stream order.
fn positions(chunks: &[Chunk], dir: Dir) -> Vec<usize> {
    chunks
        .iter()
        .filter(|c| c.dir == dir)
        .flat_map(|c| c.data.clone())
        .collect()
}

/// The header lines of one side's stream: (name, value range in the stream).
fn header_lines(stream: &[u8]) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < stream.len() {
        let end = stream[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(stream.len(), |i| start + i);
        let line = &stream[start..end];
        let content_end = if line.ends_with(b"\r") { end - 1 } else { end };
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = &line[..colon];
            if !name.is_empty()
                && name
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'(' | b')'))
            {
                let mut v = start + colon + 1;
                if stream.get(v) == Some(&b' ') {
                    v += 1;
                }
                out.push((
                    String::from_utf8_lossy(name).into_owned(),
                    v..content_end.max(v),
                ));
            }
        }
        start = end + 1;
    }
    out
}

fn has_header(text: &[u8], chunks: &[Chunk], dir: Dir, name: &str) -> bool {
    header_lines(&concat(text, chunks, dir))
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Replaces the values of [`SECRET_HEADERS`] in the chunks of `text` with
/// `*`, in place (a value split over two chunks is handled: the work is done
/// on each side's stream and mapped back). Returns how many values per
/// header name (as spelled in [`SECRET_HEADERS`]) were replaced.
fn redact(text: &mut [u8], chunks: &[Chunk]) -> BTreeMap<String, usize> {
    let mut count = BTreeMap::new();
    for dir in [Dir::Recv, Dir::Send] {
        let stream = concat(text, chunks, dir);
        let pos = positions(chunks, dir);
        for (name, value) in header_lines(&stream) {
            let Some(secret) = SECRET_HEADERS
                .iter()
                .find(|s| s.eq_ignore_ascii_case(&name))
            else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            for i in value {
                text[pos[i]] = b'*';
            }
            *count.entry((*secret).to_owned()).or_insert(0) += 1;
        }
    }
    count
}

/// The [`VOLATILE_HEADERS`] that occur in the transcript, in that order.
fn volatile_of(text: &[u8], chunks: &[Chunk]) -> Vec<&'static str> {
    let mut seen: Vec<String> = Vec::new();
    for dir in [Dir::Recv, Dir::Send] {
        for (name, _) in header_lines(&concat(text, chunks, dir)) {
            seen.push(name.to_ascii_lowercase());
        }
    }
    VOLATILE_HEADERS
        .iter()
        .copied()
        .filter(|v| seen.iter().any(|s| s.eq_ignore_ascii_case(v)))
        .collect()
}

/// The recording must start with an AMI banner whose version is the one
/// `product` names.
fn check_banner(text: &[u8], chunks: &[Chunk], product: &str) -> Result<()> {
    let recv = concat(text, chunks, Dir::Recv);
    let line = recv.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let version = line
        .trim_end()
        .strip_prefix("Asterisk Call Manager/")
        .with_context(|| format!("the server's first line {line:?} is not an AMI banner"))?;
    ensure!(
        product.contains(&format!("AMI {version}")),
        "the banner says AMI {version} but the product is {product:?} (pass --product)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &[u8] = b"#< RECV t=0.1 len=30\nAsterisk Call Manager/11.0.0\r\n\n#> SEND t=0.2 len=17\nAction: Login\r\nSe\n#> SEND t=0.3 len=22\ncret: abc\r\nKey: 12\r\n\r\n\n#< RECV t=0.4 len=24\nEvent: X\r\nPassword: \r\n\r\n\n#< EOF t=0.5 (peer closed the connection)\n";

    #[test]
    fn parses_chunks_and_rejects_wrong_lengths() {
        let c = parse(T).unwrap();
        assert_eq!(c.len(), 4);
        assert_eq!(c[1].dir, Dir::Send);
        assert_eq!(&T[c[1].data.clone()], b"Action: Login\r\nSe");
        assert!(parse(b"#< RECV t=0 len=3\nab\n").is_err());
        assert!(parse(b"#< RECV t=0 len=1\nab\n").is_err());
        assert!(parse(b"junk\n").is_err());
    }

    #[test]
    fn redacts_a_secret_split_over_chunks_and_keeps_lengths() {
        let chunks = parse(T).unwrap();
        let mut text = T.to_vec();
        let n = redact(&mut text, &chunks);
        assert_eq!(n.get("Secret"), Some(&1));
        assert_eq!(n.get("Password"), None, "an empty value is no secret");
        assert_eq!(text.len(), T.len());
        assert_eq!(parse(&text).unwrap(), chunks);
        let send = concat(&text, &chunks, Dir::Send);
        assert_eq!(send, b"Action: Login\r\nSecret: ***\r\nKey: 12\r\n\r\n");
        let diff: Vec<usize> = (0..T.len()).filter(|&i| T[i] != text[i]).collect();
        assert_eq!(diff.len(), 3);
    }

    #[test]
    fn volatile_lists_only_present_names() {
        let chunks = parse(T).unwrap();
        assert_eq!(volatile_of(T, &chunks), ["Key"]);
    }

    #[test]
    fn banner_must_match_the_product() {
        let chunks = parse(T).unwrap();
        assert!(check_banner(T, &chunks, DEFAULT_PRODUCT).is_ok());
        assert!(check_banner(T, &chunks, "Asterisk 13 (AMI 2.10.0)").is_err());
    }

    #[test]
    fn reimport_keeps_checks_and_extra_keys() {
        let dir = std::env::temp_dir().join(format!("xtask-import-{}", std::process::id()));
        let (src, out) = (dir.join("rec"), dir.join("out"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("x.transcript"), T).unwrap();
        std::fs::write(src.join("x.md"), "# x — a test\n\nmore\n").unwrap();
        import_ami(&src, &out, DEFAULT_PRODUCT).unwrap();
        let first = std::fs::read_to_string(out.join("x.transcript")).unwrap();
        assert!(first.starts_with("# source: lab-recording\n"), "{first}");
        assert!(first.contains("# description: x — a test\n# checks: none\n"));
        assert!(first.contains("cret: ***\r\n"), "split secret redacted");
        assert!(first.ends_with(std::str::from_utf8(&T[T.len() - 40..]).unwrap()));
        let edited = first.replace("# checks: none\n", "# checks: client\n# scenario: s1\n");
        std::fs::write(out.join("x.transcript"), edited).unwrap();
        import_ami(&src, &out, DEFAULT_PRODUCT).unwrap();
        let again = std::fs::read_to_string(out.join("x.transcript")).unwrap();
        assert!(again.contains("# checks: client\n"), "{again}");
        assert!(again.contains("# scenario: s1\n"), "{again}");
        assert_eq!(again.matches("# checks:").count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn reference_names_the_recording_set_not_a_path() {
        assert_eq!(
            reference_of(Path::new("/somewhere/recordings/ami-asterisk-22")),
            "lab recording set ami-asterisk-22"
        );
    }
}
