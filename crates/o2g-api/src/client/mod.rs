//! The hyper + rustls client. PLACEHOLDER: being written.
