//! Repository rules that neither the compiler, clippy nor rustfmt can check,
//! run by `cargo xtask tidy`, by `cargo xtask ci` and by the `#[test]` at
//! the bottom (so `cargo test` enforces them too).
//!
//! 1. `cti-core`'s manifest names no runtime or transport crate (a manifest
//!    rule: once the dependency is there, the compiler accepts its use).
//!
//! What used to be here is checked by the tools now: the sans-IO layering
//! by clippy's `disallowed-methods`/`disallowed-types` (root `clippy.toml`),
//! `todo!`/`dbg!` by the workspace lints `clippy::todo`/`clippy::dbg_macro`,
//! trailing whitespace by `cargo fmt --check`.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;

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

/// Checks the tree at `root` and returns every problem found.
pub(crate) fn check(root: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let manifest = root.join("crates/cti-core/Cargo.toml");
    if manifest.exists() {
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
        // Other crates may depend on transport crates: only cti-core is
        // checked.
        write(
            &root,
            "crates/ami-proto/Cargo.toml",
            "[package]\nname = \"ami-proto\"\n\n[dependencies]\ntokio = { workspace = true, optional = true }\n",
        );
        assert_eq!(check(&root).unwrap(), vec![]);
    }

    #[test]
    fn io_crates_added_to_cti_core_manifest_fail() {
        let root = temp_tree("core-manifest");
        clean_core(&root);
        write(
            &root,
            "crates/cti-core/Cargo.toml",
            "[package]\nname = \"cti-core\"\n\n[dependencies]\ntokio = { workspace = true }\nhyper.workspace = true\n\"rustls\" = \"0.23\"\n",
        );
        let p = check(&root).unwrap();
        let lines: Vec<_> = p.iter().map(|p| p.line).collect();
        assert_eq!(lines, [5, 6, 7], "{p:?}");
        assert!(p[0].rule.contains("cti-core"));
    }

    #[test]
    fn a_dependency_named_like_an_io_crate_passes() {
        let root = temp_tree("core-lookalike");
        write(
            &root,
            "crates/cti-core/Cargo.toml",
            "[package]\nname = \"cti-core\"\n\n[dependencies]\ntokio-like-but-not = \"1\"\nhyperloop = \"1\"\n",
        );
        assert_eq!(check(&root).unwrap(), vec![]);
    }
}
