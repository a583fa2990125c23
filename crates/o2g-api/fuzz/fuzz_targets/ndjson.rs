//! `cargo +nightly fuzz run ndjson`: see `../README.md`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| o2g_api::codec::ndjson::fuzz_check(data));
