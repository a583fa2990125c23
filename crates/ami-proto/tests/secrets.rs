//! No secret in `Debug`, in errors or in `tracing` output at TRACE: every
//! type that carries a credential is formatted, and a whole session (plain
//! and MD5 login, actions, a refused login) runs with everything logged.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets and tasks drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use ami_proto::actions::Login;
use ami_proto::client::{ClientConfig, connect};
use ami_proto::session::{AuthMethod, SessionConfig};
use ami_proto::sim::{self, Account, SimConfig};
use ami_proto::{Action, Message};

const SECRET: &str = "s3cr3t-AMI-7f41";
const WRONG: &str = "wr0ng-AMI-c9d2";

#[test]
fn secrets_never_reach_debug_errors_or_logs() {
    let capture = cti_testkit::Capture::install();
    let mut seen = String::new();

    // Every request type that carries a credential.
    let builder = Message::action("Login")
        .header("Username", "admin")
        .header("Secret", SECRET);
    seen.push_str(&format!("{builder:?}\n"));
    seen.push_str(&format!("{:?}\n", builder.build().unwrap()));
    let typed = Login::new("admin").secret(SECRET);
    seen.push_str(&format!("{typed:?}\n"));
    seen.push_str(&format!("{:?}\n", typed.into_message().unwrap()));
    let session = SessionConfig::new("admin", SECRET);
    seen.push_str(&format!("{session:?}\n"));
    seen.push_str(&format!(
        "{:?}\n",
        ClientConfig::new("127.0.0.1:1", "admin", SECRET)
    ));
    seen.push_str(&format!("{:?}\n", Account::new(SECRET)));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pbx = sim::start(SimConfig::default().account("admin", Account::new(SECRET)))
            .await
            .unwrap();
        let addr = pbx.addr().to_string();
        for auth in [AuthMethod::Md5, AuthMethod::Plain] {
            let cfg = ClientConfig::with_session(
                addr.clone(),
                SessionConfig::new("admin", SECRET).auth(auth),
            );
            let (client, _events) = connect(cfg).await.unwrap();
            let pong = client.send(ami_proto::actions::Ping::new()).await.unwrap();
            seen.push_str(&format!("{pong:?}\n"));
            client.close().await.unwrap();
        }
        let bad = ClientConfig::with_session(
            addr,
            SessionConfig::new("admin", WRONG).auth(AuthMethod::Plain),
        );
        let err = connect(bad).await.map(drop).unwrap_err();
        seen.push_str(&format!("{err}\n{err:?}\n"));
    });
    let logs = capture.text();
    assert!(logs.len() > 100, "the capture saw the session: {logs}");
    for (what, text) in [("debug and errors", &seen), ("tracing", &logs)] {
        assert!(!text.contains(SECRET), "{what} show the secret:\n{text}");
        assert!(
            !text.contains(WRONG),
            "{what} show the wrong secret:\n{text}"
        );
    }
}
