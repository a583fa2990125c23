//! The dialplan as `pbx_config` loads it from `extensions.conf`, and the
//! `dialplan show` CLI command.

use std::collections::BTreeMap;

/// The priority number Asterisk gives a hint.
const HINT: i32 = -1;

/// One dialplan context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The context name (`[test]`).
    pub name: String,
    /// Its extensions, in the order they were first defined.
    pub extensions: Vec<Extension>,
}

/// One extension of a context, with its priorities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// The extension (`100`, `h`, `1001`).
    pub name: String,
    /// Its priorities in priority order (a hint first).
    pub priorities: Vec<Priority>,
}

/// One priority of an extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priority {
    /// The number; -1 for a hint.
    pub number: i32,
    /// The application (for a hint: the device list).
    pub app: String,
    /// The application's argument (empty for a hint).
    pub data: String,
    /// The file it was read from and its line there.
    pub file: String,
    /// The line number in `file`.
    pub line: usize,
}

impl Priority {
    /// True if this is the extension's hint.
    pub fn is_hint(&self) -> bool {
        self.number == HINT
    }
}

/// What an `extensions.conf` holds.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) globals: BTreeMap<String, String>,
    pub(crate) contexts: Vec<Context>,
}

/// The text of a line without its comment (`;` unless escaped as `\;`).
fn strip_comment(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&';') => {
                out.push(';');
                chars.next();
            }
            ';' => break,
            c => out.push(c),
        }
    }
    out
}

/// Parses an `extensions.conf`; lines it does not understand are skipped.
pub(crate) fn parse_extensions_conf(file: &str, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut section = String::new();
    let mut last: Option<(String, i32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name.split(']').next().unwrap_or_default().trim();
            section = name.to_owned();
            last = None;
            if !matches!(section.as_str(), "general" | "globals")
                && !parsed.contexts.iter().any(|c| c.name == section)
            {
                parsed.contexts.push(Context {
                    name: section.clone(),
                    extensions: Vec::new(),
                });
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let value = value.strip_prefix('>').unwrap_or(value).trim();
        match section.as_str() {
            "general" | "" => {}
            "globals" => {
                parsed.globals.insert(key.to_owned(), value.to_owned());
            }
            _ => {
                let (exten, prio, rest) = if key.eq_ignore_ascii_case("same") {
                    let Some((prio, rest)) = value.split_once(',') else {
                        continue;
                    };
                    let Some((exten, _)) = &last else { continue };
                    (exten.clone(), prio.trim(), rest)
                } else if key.eq_ignore_ascii_case("exten") {
                    let mut parts = value.splitn(3, ',');
                    let (Some(exten), Some(prio), Some(rest)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    if last.as_ref().is_none_or(|(e, _)| e != exten.trim()) {
                        last = Some((exten.trim().to_owned(), 0));
                    }
                    (exten.trim().to_owned(), prio.trim(), rest)
                } else {
                    continue;
                };
                let previous = last.as_ref().map_or(0, |(_, p)| *p);
                let number = match prio.to_ascii_lowercase().as_str() {
                    "hint" => HINT,
                    "n" => previous + 1,
                    p => match p.parse::<i32>() {
                        Ok(n) => n,
                        Err(_) => continue,
                    },
                };
                let (app, data) = if number == HINT {
                    (rest.trim().to_owned(), String::new())
                } else {
                    let rest = rest.trim();
                    match rest.split_once('(') {
                        Some((app, data)) => (
                            app.trim().to_owned(),
                            data.strip_suffix(')').unwrap_or(data).to_owned(),
                        ),
                        None => (rest.to_owned(), String::new()),
                    }
                };
                if number != HINT {
                    last = Some((exten.clone(), number));
                }
                let Some(ctx) = parsed.contexts.iter_mut().find(|c| c.name == section) else {
                    continue;
                };
                let pos = match ctx.extensions.iter().position(|e| e.name == exten) {
                    Some(p) => p,
                    None => {
                        ctx.extensions.push(Extension {
                            name: exten.clone(),
                            priorities: Vec::new(),
                        });
                        ctx.extensions.len() - 1
                    }
                };
                let prios = &mut ctx.extensions[pos].priorities;
                prios.retain(|p| p.number != number);
                let at = prios.partition_point(|p| p.number < number);
                prios.insert(
                    at,
                    Priority {
                        number,
                        app,
                        data,
                        file: file.to_owned(),
                        line: i + 1,
                    },
                );
            }
        }
    }
    parsed
}

/// A priority as `dialplan show` prints it (`1. NoOp(test 100)`).
fn describe(p: &Priority) -> String {
    if p.is_hint() {
        format!("hint: {}", p.app)
    } else {
        format!("{}. {}({})", p.number, p.app, p.data)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `dialplan show [exten@][context]`: the lines Asterisk prints, and
/// whether anything matched.
pub(crate) fn show(contexts: &[Context], arg: Option<&str>) -> (bool, Vec<String>) {
    let (exten, context) = match arg {
        None => (None, None),
        Some(a) => match a.split_once('@') {
            Some((e, c)) => (
                Some(e).filter(|e| !e.is_empty()),
                Some(c).filter(|c| !c.is_empty()),
            ),
            None => (None, Some(a)),
        },
    };
    let mut out = Vec::new();
    let (mut n_ctx, mut n_ext, mut n_prio) = (0, 0, 0);
    for ctx in contexts {
        if context.is_some_and(|c| !c.eq_ignore_ascii_case(&ctx.name)) {
            continue;
        }
        let mut lines = Vec::new();
        for e in &ctx.extensions {
            if exten.is_some_and(|x| x != e.name) {
                continue;
            }
            n_ext += 1;
            let mut head = format!("'{}' =>", e.name);
            for p in &e.priorities {
                n_prio += 1;
                lines.push(format!(
                    "  {head:<17} {:<45} [{}:{}]",
                    describe(p),
                    p.file,
                    p.line
                ));
                head.clear();
            }
        }
        if exten.is_some() && lines.is_empty() {
            continue;
        }
        n_ctx += 1;
        out.push(format!(
            "[ Context '{}' created by 'pbx_config' ]",
            ctx.name
        ));
        out.extend(lines);
        out.push(String::new());
    }
    if n_ctx == 0 {
        let what = match (exten, context) {
            (Some(e), Some(c)) => format!("There is no existence of '{e}@{c}' extension"),
            (None, Some(c)) => format!("There is no existence of '{c}' context"),
            _ => "There are no contexts".to_owned(),
        };
        return (false, vec![what]);
    }
    out.push(format!(
        "-= {} ({}) in {}. =-",
        plural(n_ext, "extension", "extensions"),
        plural(n_prio, "priority", "priorities"),
        plural(n_ctx, "context", "contexts")
    ));
    (true, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "[general]\nstatic = yes\n\n[globals]\nG = v ; comment\n\n[test]\nexten => 100,1,NoOp(test 100)\n same => n,Answer()\n same => n,UserEvent(E,a: b,Empty:)\nexten => 1001,hint,PJSIP/alice\nexten => 1001,1,Dial(PJSIP/alice,5)\n";

    #[test]
    fn parses_globals_priorities_and_hints() {
        let p = parse_extensions_conf("extensions.conf", CONF);
        assert_eq!(p.globals.get("G").map(String::as_str), Some("v"));
        let ctx = &p.contexts[0];
        assert_eq!(ctx.name, "test");
        let e = &ctx.extensions[0];
        assert_eq!(e.priorities.len(), 3);
        assert_eq!(e.priorities[2].app, "UserEvent");
        assert_eq!(e.priorities[2].data, "E,a: b,Empty:");
        assert_eq!(e.priorities[2].line, 10);
        assert!(ctx.extensions[1].priorities[0].is_hint());
    }

    #[test]
    fn shows_one_extension_as_asterisk_does() {
        let p = parse_extensions_conf("extensions.conf", CONF);
        let (ok, lines) = show(&p.contexts, Some("100@test"));
        assert!(ok);
        assert_eq!(lines[0], "[ Context 'test' created by 'pbx_config' ]");
        assert_eq!(
            lines[1],
            "  '100' =>          1. NoOp(test 100)                             [extensions.conf:8]"
        );
        assert_eq!(
            lines[2],
            "                    2. Answer()                                   [extensions.conf:9]"
        );
        assert_eq!(lines[4], "");
        assert_eq!(lines[5], "-= 1 extension (3 priorities) in 1 context. =-");
        let (ok, lines) = show(&p.contexts, Some("9@test"));
        assert!(!ok);
        assert_eq!(lines, ["There is no existence of '9@test' extension"]);
    }
}
