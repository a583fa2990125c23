//! `cti`: watch and control calls on PBXs and contact centres.
//!
//! Subcommands:
//! - `cti demo`: run the seed scenarios on every built-in simulator through
//!   the real clients and print one normalized timeline;
//! - `cti replay FILE`: show a fixture or recording as a message ladder.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a binary: IO is its job

mod demo;
mod replay;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Watch and control calls on PBXs and contact centres (Asterisk AMI, ALE
/// O2G, Avaya AES WTI, OpenScape CC Web Interaction, DIPCC), normalized to
/// one event model.
#[derive(Debug, Parser)]
#[command(name = "cti", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How events are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One aligned, human-readable line per event.
    Pretty,
    /// One JSON object per line (the stable form of `cti-core`).
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start every built-in simulator, run the seed scenarios (basic call,
    /// unsupervised transfer) through the real clients, and print one
    /// normalized timeline. Needs no PBX.
    Demo {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
    },
    /// Show a fixture file (transcript, HTTP story or WebSocket frames) as a
    /// message ladder.
    Replay {
        /// The fixture file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { format } => demo::run(format),
        Command::Replay { file } => replay::run(&file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cti: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Renders one event in the chosen format.
fn render(event: &cti_core::Event, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string(event)?,
        Format::Pretty => {
            let mut v = serde_json::to_value(event)?;
            let obj = v.as_object_mut().map(std::mem::take).unwrap_or_default();
            let rest: Vec<String> = obj
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "ts" | "source" | "type"))
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => format!("{k}={s}"),
                    serde_json::Value::Object(o) if o.contains_key("device") => {
                        format!("{k}={}", o["device"].as_str().unwrap_or_default())
                    }
                    other => format!("{k}={other}"),
                })
                .collect();
            format!(
                "{}  {:<8} {:<14} {}",
                event.ts,
                event.source.as_str(),
                obj.get("type").and_then(|t| t.as_str()).unwrap_or_default(),
                rest.join(" ")
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use cti_core::{Event, EventKind, Party, Source, Timestamp};

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn pretty_and_json_rendering() {
        let e = Event::new(
            Timestamp::from_unix_millis(0),
            Source::Ami,
            EventKind::Alerting {
                call: "c1".into(),
                party: Party::device("1002"),
                caller: Some(Party::device("1001")),
            },
        );
        assert_eq!(
            render(&e, Format::Pretty).unwrap(),
            "1970-01-01T00:00:00.000Z  ami      alerting       call=c1 caller=1001 party=1002"
        );
        let json = render(&e, Format::Json).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
}
