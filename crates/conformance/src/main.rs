//! `conformance [--vendor V] [--only NAME-PART] [--fixtures DIR] [--bless]`: replays fixtures
//! and prints one line per check.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test harness: sockets, tasks and clocks are its job

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut opts = conformance::Options::default();
    let mut dir = conformance::fixtures_dir();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--vendor" => opts.vendor = args.next(),
            "--fixtures" => dir = args.next().map(PathBuf::from).unwrap_or(dir),
            "--bless" => opts.bless = true,
            "--only" => opts.only = args.next(),
            "-h" | "--help" => {
                println!(
                    "usage: conformance [--vendor V] [--only NAME-PART] [--fixtures DIR] [--bless]"
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("conformance: unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    match conformance::run_blocking(&dir, &conformance::vendors(), &opts) {
        Ok(report) => {
            if report.outcomes.is_empty() {
                eprintln!(
                    "conformance: no fixture matched (vendor filter {:?}) below {}",
                    opts.vendor,
                    dir.display()
                );
                return ExitCode::FAILURE;
            }
            print!("{}", report.render());
            if report.failures().next().is_some() || report.outcomes.is_empty() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("conformance: {e:#}");
            ExitCode::FAILURE
        }
    }
}
