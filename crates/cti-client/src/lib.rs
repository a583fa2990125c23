//! What the clients of the CTI crates (`ami-proto`, `o2g-api`, …) share
//! on the transport side: TLS trust ([`Roots`], [`client_config`]), the
//! bounded event queue between a connection's driver task and the
//! application with the [`EventStream`] every client returns ([`events`]),
//! and the [`Normalized`] stream of `cti_core` events ([`normalized`]).
//!
//! Vendor crates depend on it through their `client` feature only; the
//! protocol cores (types, codecs, sessions) never see it.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // client-side support: sockets and tasks are its job
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod events;
pub mod normalized;
mod tls;

pub use events::EventStream;
pub use normalized::Normalized;
pub use tls::{PRIVATE_CA_HINT, Roots, TlsError, client_config, pem_certs};

/// True when `error` or one of its causes is an IO error of kind
/// `ConnectionRefused`: nothing listens at the address. Every client's
/// `Error::is_refused` asks this of its source chain.
pub fn is_connection_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(c) = cause {
        if c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// 64 bits from the operating system's randomness (through the standard
/// library's per-process random hash keys), for what must differ between
/// clients: ActionID prefixes, back-off jitter seeds. The sans-IO cores
/// never draw it; they take the value as an argument.
pub fn os_random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::hash::RandomState::new().build_hasher();
    h.write_u64(0x6374_692d_7273);
    h.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refused_connection_is_found_anywhere_in_the_chain() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let refused = || std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(super::is_connection_refused(&refused()));
        assert!(super::is_connection_refused(&Outer(refused())));
        assert!(!super::is_connection_refused(&Outer(std::io::Error::from(
            std::io::ErrorKind::TimedOut
        ))));
    }

    #[test]
    fn os_random_differs_between_draws() {
        let draws: std::collections::HashSet<u64> = (0..16).map(|_| super::os_random()).collect();
        assert_eq!(draws.len(), 16);
    }
}
