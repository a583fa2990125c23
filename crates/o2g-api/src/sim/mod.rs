//! The O2G simulator. PLACEHOLDER: being written.
