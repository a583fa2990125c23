//! Prints the normalized events of the users an O2G server is asked to
//! watch.
//!
//! ```sh
//! cargo run -p o2g-api --example monitor -- https://o2g.example admin secret oxe1001 oxe1002
//! ```
//!
//! Without arguments it watches this crate's simulator while a call is
//! made on it. Stop with Ctrl-C.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // an application: sockets, timers and tasks

use std::time::Duration;

use futures_util::StreamExt;
use o2g_api::client::{ClientConfig, connect_normalized};
use o2g_api::endpoints::telephony::MakeCall;
use o2g_api::types::{Package, Selector, SubscriptionRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut _sim = None;
    let (url, login, password, users) = match args.as_slice() {
        [url, login, password, users @ ..] if !users.is_empty() => {
            (url.clone(), login.clone(), password.clone(), users.to_vec())
        }
        _ => {
            let sim = o2g_api::sim::start(o2g_api::sim::SimConfig::default()).await?;
            let url = sim.base_url();
            _sim = Some(sim);
            let users = vec!["oxe1001".to_owned(), "oxe1002".to_owned()];
            (url, "admin".to_owned(), "admin".to_owned(), users)
        }
    };
    let watch = SubscriptionRequest::new(vec![Selector::new(vec![Package::Telephony], users)], 10);
    let config = ClientConfig::new(url, login, password).subscribe(watch);
    let (client, mut events) = connect_normalized(config).await?;
    if _sim.is_some() {
        // Something to watch on the simulator: 1001 calls 1002.
        client
            .send(MakeCall::new("1001", "1002").login_name("oxe1001"))
            .await?;
    }
    loop {
        tokio::select! {
            event = events.next() => match event {
                Some(e) => println!("{} {:?}", e.ts, e.kind),
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
            () = tokio::time::sleep(Duration::from_secs(3)), if _sim.is_some() => break,
        }
    }
    client.close().await?;
    Ok(())
}
