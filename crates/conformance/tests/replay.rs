//! The replay server checks what a client sends, line by line.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test

use conformance::fixture::load;
use conformance::{ReplayServer, fixtures_dir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_client_sending_the_wrong_action_is_reported() {
    let root = fixtures_dir();
    let fx = load(&root, &root.join("selftest/tcp-basic-call.transcript")).unwrap();
    let server = ReplayServer::start(&fx).await.unwrap();
    let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let mut banner = [0u8; 18];
    s.read_exact(&mut banner).await.unwrap();
    assert_eq!(&banner, b"SelfTest PBX/1.0\r\n");
    s.write_all(b"Action: Dial\r\nActionID: a1\r\nFrom: 1001\r\nTo: 1005\r\n\r\n")
        .await
        .unwrap();
    let err = server.finish().await.unwrap_err().to_string();
    assert!(
        err.contains("To: 1002") && err.contains("To: 1005"),
        "{err}"
    );
}

#[tokio::test]
async fn recorded_answers_come_back_and_an_unfinished_exchange_is_reported() {
    let root = fixtures_dir();
    let fx = load(&root, &root.join("selftest/tcp-basic-call.transcript")).unwrap();
    let server = ReplayServer::start(&fx).await.unwrap();
    let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let mut banner = [0u8; 18];
    s.read_exact(&mut banner).await.unwrap();
    s.write_all(b"Action: Dial\r\nActionID: a1\r\nFrom: 1001\r\nTo: 1002\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 60];
    s.read_exact(&mut buf).await.unwrap();
    assert!(
        String::from_utf8_lossy(&buf)
            .starts_with("Response: Success\r\nActionID: a1\r\nCall: c-1000\r\n")
    );
    // The client leaves before hanging up: the exchange is incomplete.
    drop(s);
    assert!(
        server.finish().await.is_err(),
        "the exchange was not completed"
    );
}
