//! The client over TLS: a private CA is trusted when given, certificates
//! and host names are verified, and nothing else is accepted.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use std::sync::Arc;
use std::time::Duration;

use ami_proto::Message;
use ami_proto::client::{ClientConfig, Roots, TlsConfig, connect};
use ami_proto::session::SessionConfig;
use ami_proto::sim::{self, SimConfig};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// A private CA and a server certificate for `localhost` signed by it.
fn pki() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (ca.pem(), cert.der().clone(), der)
}

/// A TLS front for the simulator on 127.0.0.1 (the simulator speaks TCP).
async fn tls_front(
    backend: std::net::SocketAddr,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> std::net::SocketAddr {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    addr
}

fn session() -> SessionConfig {
    SessionConfig::new("admin", "amp111").reconnect(false)
}

#[tokio::test]
async fn tls_with_a_private_ca_and_host_name_verification() {
    let pbx = sim::start(SimConfig::default()).await.unwrap();
    let (ca_pem, cert, key) = pki();
    let front = tls_front(pbx.addr(), cert, key).await;

    // Trusting the private CA, verifying `localhost`: works.
    let tls = TlsConfig::new(Roots::ca_only(ca_pem.clone())).server_name("localhost");
    let (client, _events) =
        connect(ClientConfig::with_session(front.to_string(), session()).tls_config(tls))
            .await
            .unwrap();
    let pong = client
        .send(&Message::action("Ping").build().unwrap())
        .await
        .unwrap();
    assert_eq!(pong.get("Ping"), Some("Pong"));
    client.close().await.unwrap();

    // The system roots do not know the private CA.
    let err = connect(
        ClientConfig::with_session(front.to_string(), session())
            .tls_config(TlsConfig::system().server_name("localhost")),
    )
    .await
    .unwrap_err();
    assert!(err.is_tls(), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&front.to_string()),
        "names the server: {text}"
    );
    assert!(
        text.contains("Roots::ca_only"),
        "says how to trust a private CA: {text}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "keeps rustls' reason as the source"
    );

    // The right CA but another host name.
    let tls = TlsConfig::new(Roots::ca_only(ca_pem)).server_name("pbx.example.net");
    let err = connect(ClientConfig::with_session(front.to_string(), session()).tls_config(tls))
        .await
        .unwrap_err();
    assert!(err.is_tls(), "{err}");
    assert_eq!(
        pbx.stats().logins,
        1,
        "only the verified connection reached the PBX's login"
    );
}

#[tokio::test]
async fn unreadable_ca_pem_is_a_configuration_error() {
    let tls = TlsConfig::new(Roots::ca_only(b"not a certificate".to_vec()));
    let err = tokio::time::timeout(
        Duration::from_secs(5),
        connect(ClientConfig::with_session("127.0.0.1:9", session()).tls_config(tls)),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert!(!err.is_io() && !err.is_tls(), "{err}");
    assert!(err.is_usage(), "{err}");
    assert!(err.to_string().contains("configuration"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_names_the_address() {
    // A port that was just free: nothing listens there.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = tokio::time::timeout(
        Duration::from_secs(5),
        connect(ClientConfig::with_session(addr.to_string(), session())),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert!(err.is_io() && err.is_refused(), "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}
