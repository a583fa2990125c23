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

/// Everything `tracing` reports, at every level, as text: a small
/// subscriber of our own (span fields, event fields and messages).
mod capture {
    use std::fmt::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Clone, Default)]
    pub(crate) struct Capture {
        pub(crate) text: Arc<Mutex<String>>,
        next: Arc<AtomicU64>,
    }

    struct Writer<'a>(&'a mut String);

    impl Visit for Writer<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, " {}={:?}", field.name(), value);
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            let _ = write!(self.0, " {}={}", field.name(), value);
        }
    }

    impl Capture {
        fn write(&self, f: impl FnOnce(&mut Writer<'_>)) {
            let mut t = self
                .text
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut Writer(&mut t));
            t.push('\n');
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
            Some(tracing::level_filters::LevelFilter::TRACE)
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            self.write(|w| span.record(w));
            Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            self.write(|w| values.record(w));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            self.write(|w| event.record(w));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}

#[test]
fn secrets_never_reach_debug_errors_or_logs() {
    let capture = capture::Capture::default();
    tracing::subscriber::set_global_default(capture.clone()).unwrap();
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
    let logs = capture.text.lock().unwrap().clone();
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
