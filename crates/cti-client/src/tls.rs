//! TLS trust: which certificate authorities a connection trusts, and the
//! rustls client configuration built from them.
//!
//! Certificates and host names are always verified; there is no "accept
//! any certificate" switch. PBX and gateway installations often use their
//! own CA: give it as PEM ([`Roots::CaOnly`] alone, or [`Roots::SystemAndCa`]
//! with the system store).
//!
//! Reading and parsing the system store is the costliest part of setting
//! up a client, so the configuration for [`Roots::System`] is built once
//! per process and shared.

use std::fmt;
use std::sync::{Arc, OnceLock};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Which certificates a TLS connection trusts: the same three choices in
/// every vendor crate.
///
/// ```
/// # let pem = b"-----BEGIN CERTIFICATE-----".to_vec();
/// use cti_client::Roots;
/// let public = Roots::System;                  // a certificate from a public CA
/// let lab = Roots::ca_only(pem.clone());       // only the installation's own CA
/// let both = Roots::system_and_ca(pem);        // either
/// # let _ = (public, lab, both);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Roots {
    /// Only the operating system's trust store (the default).
    #[default]
    System,
    /// Only these CA certificates (PEM text, one or more certificates):
    /// a private CA, with the system store ignored.
    CaOnly(Vec<u8>),
    /// The system store plus these CA certificates (PEM).
    SystemAndCa(Vec<u8>),
}

impl Roots {
    /// Trusts only the CA certificates of `pem`.
    pub fn ca_only(pem: impl Into<Vec<u8>>) -> Self {
        Self::CaOnly(pem.into())
    }

    /// Trusts the system store and the CA certificates of `pem`.
    pub fn system_and_ca(pem: impl Into<Vec<u8>>) -> Self {
        Self::SystemAndCa(pem.into())
    }
}

/// The hint a TLS failure's message ends with: how to trust a private CA.
pub const PRIVATE_CA_HINT: &str = "if the server uses a private CA, trust it with Roots::ca_only(pem) or Roots::system_and_ca(pem) (cti: --ca FILE)";

/// Why no TLS configuration could be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsError {
    /// The CA PEM could not be read, or holds no certificate.
    Pem(String),
    /// A CA certificate was refused.
    Certificate(String),
    /// rustls could not be set up.
    Setup(String),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "unreadable CA certificate PEM: {e}"),
            Self::Certificate(e) => write!(f, "invalid CA certificate: {e}"),
            Self::Setup(e) => write!(f, "TLS setup: {e}"),
        }
    }
}

impl std::error::Error for TlsError {}

/// The certificates of a PEM text; at least one.
pub fn pem_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    let certs = certs.map_err(|e| TlsError::Pem(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::Pem("no certificate in the CA PEM".into()));
    }
    Ok(certs)
}

/// The verifying rustls client configuration for `roots` (ring provider,
/// safe default protocol versions, no client certificate). The one for
/// [`Roots::System`] is built on first use and shared.
pub fn client_config(roots: &Roots) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    static SYSTEM: OnceLock<Result<Arc<rustls::ClientConfig>, TlsError>> = OnceLock::new();
    if *roots == Roots::System {
        return SYSTEM.get_or_init(|| build(roots).map(Arc::new)).clone();
    }
    build(roots).map(Arc::new)
}

fn build(roots: &Roots) -> Result<rustls::ClientConfig, TlsError> {
    let mut store = rustls::RootCertStore::empty();
    let (system, extra) = match roots {
        Roots::System => (true, None),
        Roots::CaOnly(p) => (false, Some(p)),
        Roots::SystemAndCa(p) => (true, Some(p)),
    };
    if system {
        let found = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(found.certs);
    }
    if let Some(pem) = extra {
        for cert in pem_certs(pem)? {
            store
                .add(cert)
                .map_err(|e| TlsError::Certificate(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?
        .with_root_certificates(store)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_configuration_is_built_once() {
        let a = client_config(&Roots::System);
        let b = client_config(&Roots::System);
        match (a, b) {
            (Ok(a), Ok(b)) => assert!(Arc::ptr_eq(&a, &b)),
            (a, b) => panic!("{a:?} {b:?}"),
        }
    }

    #[test]
    fn a_private_ca_is_trusted_and_bad_pem_refused() {
        let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = params.self_signed(&key).unwrap_or_else(|e| panic!("{e}"));
        let pem = ca.pem().into_bytes();
        assert!(client_config(&Roots::CaOnly(pem.clone())).is_ok());
        assert!(client_config(&Roots::SystemAndCa(pem)).is_ok());
        assert!(matches!(
            client_config(&Roots::CaOnly(b"not a certificate".to_vec())),
            Err(TlsError::Pem(_))
        ));
        assert!(matches!(
            client_config(&Roots::CaOnly(Vec::new())),
            Err(TlsError::Pem(_))
        ));
    }
}
