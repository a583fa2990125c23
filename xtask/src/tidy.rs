//! Repository rules, checked by `cargo xtask tidy`, by `cargo xtask ci` and
//! by the `#[test]` at the bottom (so `cargo test` enforces them too).
//!
//! 1. `cti-core` has no runtime or transport crate: not in its manifest, not
//!    in its source.
//! 2. In every other library crate, runtime and transport crates appear only
//!    under `src/client/` and `src/sim/` (the sans-IO contract: `types/`,
//!    `codec/`, `session/` and normalizers never touch them).
//! 3. No `todo!` or `dbg!` in committed Rust code.
//! 4. No trailing whitespace in Rust sources.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Crates exempt from rule 2: tools and harnesses, not libraries; and
/// `cti-client`, the transport support the vendor crates' `client` modules
/// share (it has no sans-IO core to protect, and only `client` features
/// depend on it).
const NOT_LIBRARIES: &[&str] = &["conformance", "cti-cli", "xtask", "cti-client"];

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
    pub(crate) rule: &'static str,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.rule)
    }
}

/// Rust paths of the runtime and transport crates (`tokio::…`, `use hyper`).
fn io_paths() -> Vec<String> {
    crate::ci::IO_CRATES
        .iter()
        .map(|c| c.replace('-', "_"))
        .collect()
}

/// True if a line of Rust names an IO crate as a path root.
fn mentions_io_crate(line: &str, paths: &[String]) -> bool {
    let code = line.split("//").next().unwrap_or_default();
    paths.iter().any(|p| {
        code.match_indices(p.as_str()).any(|(i, _)| {
            let before = code[..i].chars().next_back();
            let after = &code[i + p.len()..];
            let starts_path = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            starts_path
                && (after.starts_with("::")
                    || (code.trim_start().starts_with("use ") && after.starts_with(';')))
        })
    })
}

/// True if a manifest line declares a dependency on an IO crate.
fn declares_io_crate(line: &str) -> bool {
    let key = line
        .split(['=', '.'])
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    crate::ci::IO_CRATES.contains(&key)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&p, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
    Ok(())
}

/// Checks the tree at `root` and returns every problem found.
pub(crate) fn check(root: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let paths = io_paths();
    // The markers are split so that this file does not trip rule 3.
    let banned_macros = [concat!("todo", "!("), concat!("dbg", "!(")];

    let crates_dir = root.join("crates");
    let mut crate_dirs: Vec<PathBuf> = Vec::new();
    if crates_dir.exists() {
        for entry in std::fs::read_dir(&crates_dir)? {
            let p = entry?.path();
            if p.join("Cargo.toml").exists() {
                crate_dirs.push(p);
            }
        }
    }
    crate_dirs.sort();

    for dir in &crate_dirs {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name == "cti-core" {
            let manifest = dir.join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest)?;
            for (i, line) in text.lines().enumerate() {
                if declares_io_crate(line) {
                    problems.push(Problem {
                        file: manifest.clone(),
                        line: i + 1,
                        rule: "cti-core must not depend on a runtime or transport crate",
                    });
                }
            }
        }
        if NOT_LIBRARIES.contains(&name.as_str()) {
            continue;
        }
        let src = dir.join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files)?;
        files.sort();
        for file in files {
            let rel = file.strip_prefix(&src).unwrap_or(&file);
            let first = rel
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            let io_allowed = name != "cti-core"
                && matches!(first.as_str(), "client" | "client.rs" | "sim" | "sim.rs");
            if io_allowed {
                continue;
            }
            let text = std::fs::read_to_string(&file)?;
            for (i, line) in text.lines().enumerate() {
                if mentions_io_crate(line, &paths) {
                    problems.push(Problem {
                        file: file.clone(),
                        line: i + 1,
                        rule: "runtime/transport crates belong in src/client/ or src/sim/ only (sans-IO core)",
                    });
                }
            }
        }
    }

    let mut all = Vec::new();
    rust_files(&crates_dir, &mut all)?;
    rust_files(&root.join("xtask"), &mut all)?;
    all.sort();
    for file in all {
        let text = std::fs::read_to_string(&file)?;
        for (i, line) in text.lines().enumerate() {
            if banned_macros.iter().any(|m| line.contains(m)) {
                problems.push(Problem {
                    file: file.clone(),
                    line: i + 1,
                    rule: "no todo!/dbg! in committed code",
                });
            }
            if line.ends_with(' ') || line.ends_with('\t') {
                problems.push(Problem {
                    file: file.clone(),
                    line: i + 1,
                    rule: "trailing whitespace",
                });
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_tree(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-tidy-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn clean_core(root: &Path) {
        write(
            root,
            "crates/cti-core/Cargo.toml",
            "[package]\nname = \"cti-core\"\n\n[dependencies]\nserde = { workspace = true, optional = true }\n",
        );
        write(
            root,
            "crates/cti-core/src/lib.rs",
            "//! core\npub fn f() {}\n",
        );
    }

    #[test]
    fn the_repository_is_tidy() {
        let problems = check(&crate::project_root()).unwrap();
        assert!(
            problems.is_empty(),
            "{}",
            problems
                .iter()
                .map(|p| format!("{p}\n"))
                .collect::<String>()
        );
    }

    #[test]
    fn a_clean_tree_passes() {
        let root = temp_tree("clean");
        clean_core(&root);
        write(
            &root,
            "crates/ami-proto/Cargo.toml",
            "[package]\nname = \"ami-proto\"\n",
        );
        write(
            &root,
            "crates/ami-proto/src/client/mod.rs",
            "use tokio::net::TcpStream;\n",
        );
        write(
            &root,
            "crates/ami-proto/src/sim.rs",
            "pub(crate) async fn f() { tokio::task::yield_now().await }\n",
        );
        write(
            &root,
            "crates/ami-proto/src/codec/mod.rs",
            "// tokio:: is only named in this comment\nlet tokio_like = 1;\n",
        );
        assert_eq!(check(&root).unwrap(), vec![]);
    }

    #[test]
    fn tokio_added_to_cti_core_manifest_fails() {
        let root = temp_tree("core-manifest");
        clean_core(&root);
        write(
            &root,
            "crates/cti-core/Cargo.toml",
            "[package]\nname = \"cti-core\"\n\n[dependencies]\ntokio = { workspace = true }\n",
        );
        let p = check(&root).unwrap();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 5);
        assert!(p[0].rule.contains("cti-core"));
    }

    #[test]
    fn tokio_used_in_cti_core_source_fails_even_under_client() {
        let root = temp_tree("core-src");
        clean_core(&root);
        write(
            &root,
            "crates/cti-core/src/client/mod.rs",
            "use tokio::sync::mpsc;\n",
        );
        assert_eq!(check(&root).unwrap().len(), 1);
    }

    #[test]
    fn transport_crates_outside_client_and_sim_fail() {
        let root = temp_tree("layering");
        clean_core(&root);
        write(
            &root,
            "crates/o2g-api/Cargo.toml",
            "[package]\nname = \"o2g-api\"\n",
        );
        write(
            &root,
            "crates/o2g-api/src/session/mod.rs",
            "fn f() {}\nuse hyper::Request;\n",
        );
        write(
            &root,
            "crates/o2g-api/src/codec.rs",
            "type T = tokio_tungstenite::WebSocketStream<()>;\n",
        );
        write(&root, "crates/o2g-api/src/types/x.rs", "use rustls;\n");
        let p = check(&root).unwrap();
        let lines: Vec<_> = p
            .iter()
            .map(|p| {
                (
                    p.file.file_name().unwrap().to_string_lossy().into_owned(),
                    p.line,
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("codec.rs".to_owned(), 1),
                ("mod.rs".to_owned(), 2),
                ("x.rs".to_owned(), 1)
            ]
        );
    }

    #[test]
    fn todo_dbg_and_trailing_whitespace_fail() {
        let root = temp_tree("macros");
        clean_core(&root);
        write(
            &root,
            "crates/cti-core/src/lib.rs",
            concat!(
                "fn a() { ",
                "todo",
                "!() }\nfn b() { ",
                "dbg",
                "!(1); }\nfn c() {} \n"
            ),
        );
        let rules: Vec<_> = check(&root)
            .unwrap()
            .into_iter()
            .map(|p| (p.line, p.rule))
            .collect();
        assert_eq!(rules.len(), 3, "{rules:?}");
        assert_eq!(rules[2], (3, "trailing whitespace"));
    }
}
