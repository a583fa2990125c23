//! No secret in `Debug`, in errors or in `tracing` output at TRACE: every
//! request that carries a credential is formatted, and a whole session
//! (authentication, subscription, a private call, close) runs with
//! everything logged.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets and tasks drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use o2g_api::client::{ClientConfig, connect};
use o2g_api::codec::Endpoint;
use o2g_api::endpoints::telephony::MakeCall;
use o2g_api::endpoints::users::ChangePassword;
use o2g_api::session::SessionConfig;
use o2g_api::sim::{self, SimConfig};
use o2g_api::types::{Package, Selector, SubscriptionRequest};

const PASSWORD: &str = "pa55-O2G-81c3";
const NEW_PASSWORD: &str = "n3w-O2G-2be9";
const PIN: &str = "p1n-O2G-5530";
const CODE: &str = "c0de-O2G-7741";
const WRONG: &str = "wr0ng-O2G-0d1e";

#[test]
fn secrets_never_reach_debug_errors_or_logs() {
    let capture = cti_testkit::Capture::install();
    let mut seen = String::new();

    let change = ChangePassword::new("oxe1001", PASSWORD, NEW_PASSWORD);
    seen.push_str(&format!("{change:?}\n{:?}\n", change.request()));
    let private = MakeCall::new("1001", "1002").private(PIN, CODE);
    seen.push_str(&format!("{private:?}\n{:?}\n", private.request()));
    let session = SessionConfig::new("http://127.0.0.1:1", "admin", PASSWORD);
    seen.push_str(&format!(
        "{session:?}\n{:?}\n",
        ClientConfig::with_session(session.clone())
    ));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let o2g = sim::start(SimConfig::default().admin("boss", PASSWORD))
            .await
            .unwrap();
        let watch = SubscriptionRequest::new(
            vec![Selector::new(vec![Package::Telephony], ["oxe1001"])],
            10,
        );
        let cfg = ClientConfig::new(o2g.base_url(), "boss", PASSWORD).subscribe(watch);
        let (client, _events) = connect(cfg).await.unwrap();
        let made = client
            .send(
                MakeCall::new("1001", "1002")
                    .private(PIN, CODE)
                    .login_name("oxe1001"),
            )
            .await;
        seen.push_str(&format!("{made:?}\n"));
        let changed = client
            .send(ChangePassword::new("oxe1001", PASSWORD, NEW_PASSWORD))
            .await;
        seen.push_str(&format!("{changed:?}\n"));
        client.close().await.unwrap();
        let err = connect(ClientConfig::new(o2g.base_url(), "boss", WRONG))
            .await
            .map(drop)
            .unwrap_err();
        seen.push_str(&format!("{err}\n{err:?}\n"));
    });
    let logs = capture.text();
    assert!(logs.len() > 100, "the capture saw the session: {logs}");
    for (what, text) in [("debug and errors", &seen), ("tracing", &logs)] {
        for secret in [PASSWORD, NEW_PASSWORD, PIN, CODE, WRONG] {
            assert!(!text.contains(secret), "{what} show {secret}:\n{text}");
        }
    }
    assert!(
        !logs.contains("/subscriptions/"),
        "a subscription's URL (its id) is logged:\n{logs}"
    );
}
