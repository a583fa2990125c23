//! Typed endpoints of the services. PLACEHOLDER: being written.
