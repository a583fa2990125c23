//! The event channel's NDJSON decoder. PLACEHOLDER: being written.
