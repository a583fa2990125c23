//! O2G events → `cti_core` events. PLACEHOLDER: being written.
