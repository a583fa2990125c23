//! Prints the normalized events of an Asterisk, one JSON-like line each.
//!
//! ```sh
//! cargo run -p ami-proto --example monitor -- 127.0.0.1:5038 admin secret
//! ```
//!
//! Without arguments it watches this crate's simulator while a call is
//! made on it. Stop with Ctrl-C.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // an application: sockets, timers and tasks

use std::time::Duration;

use ami_proto::client::{ClientConfig, connect_normalized};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut _pbx = None;
    let config = match args.as_slice() {
        [addr, user, secret] => ClientConfig::new(addr.as_str(), user.as_str(), secret.as_str()),
        _ => {
            let pbx = ami_proto::sim::start(ami_proto::sim::SimConfig::default()).await?;
            let config = ClientConfig::new(pbx.addr().to_string(), "admin", "amp111");
            _pbx = Some(pbx);
            config
        }
    };
    let (client, mut events) = connect_normalized(config).await?;
    eprintln!("connected to {} ({})", client.addr(), client.banner());
    if _pbx.is_some() {
        // Something to watch on the simulator: 1001 calls 1002.
        let originate = ami_proto::actions::Originate::new("PJSIP/1001")
            .exten("1002")
            .context("from-internal")
            .priority(1)
            .async_(true);
        client.send(originate).await?;
    }
    loop {
        tokio::select! {
            event = events.next() => match event {
                Some(e) => println!("{} {:?}", e.ts, e.kind),
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
            // The simulator's call is over well before this.
            () = tokio::time::sleep(Duration::from_secs(5)), if _pbx.is_some() => break,
        }
    }
    client.close().await?;
    Ok(())
}
