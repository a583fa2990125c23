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

#[tokio::test(start_paused = true)]
async fn a_replay_client_timeout_names_the_line_it_waited_for() {
    let root = fixtures_dir();
    let fx = load(&root, &root.join("selftest/tcp-basic-call.transcript")).unwrap();
    // A server that sends the banner, then never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        s.write_all(b"SelfTest PBX/1.0\r\n").await.unwrap();
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink).await;
    });
    let err = conformance::play_client(&fx, addr)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("timed out waiting for line 1"), "{err}");
    assert!(err.contains("Response: Success"), "{err}");
    assert!(err.contains("SelfTest PBX/1.0"), "{err}");
    server.abort();
}
