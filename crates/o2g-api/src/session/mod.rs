//! The sans-IO session machine. PLACEHOLDER: being written.
