//! Originates a call and prints the response.
//!
//! ```sh
//! cargo run -p ami-proto --example originate -- 127.0.0.1:5038 admin secret PJSIP/1001 1002 from-internal
//! ```
//!
//! Without arguments it calls 1002 from PJSIP/1001 on this crate's
//! simulator.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // an application: sockets, timers and tasks

use std::time::Duration;

use ami_proto::actions::Originate;
use ami_proto::client::{ClientConfig, connect};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut _pbx = None;
    let (config, channel, exten, context) = match args.as_slice() {
        [addr, user, secret, channel, exten, context] => (
            ClientConfig::new(addr.as_str(), user.as_str(), secret.as_str()),
            channel.clone(),
            exten.clone(),
            context.clone(),
        ),
        _ => {
            let pbx = ami_proto::sim::start(ami_proto::sim::SimConfig::default()).await?;
            let config = ClientConfig::new(pbx.addr().to_string(), "admin", "amp111");
            _pbx = Some(pbx);
            (
                config,
                "PJSIP/1001".into(),
                "1002".into(),
                "from-internal".into(),
            )
        }
    };
    let (client, _events) = connect(config).await?;
    let originate = Originate::new(&channel)
        .exten(&exten)
        .context(&context)
        .priority(1)
        .timeout(Duration::from_secs(30))
        .async_(true);
    match client.send(originate).await {
        Ok(response) => println!("{}", response.get("Message").unwrap_or("queued")),
        Err(e) => eprintln!("originate failed: {e}"),
    }
    client.close().await?;
    Ok(())
}
