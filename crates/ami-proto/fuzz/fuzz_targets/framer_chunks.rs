//! `cargo +nightly fuzz run framer_chunks`: see `../README.md`.
#![no_main]

#[allow(dead_code)]
#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::framer_chunks(data));
