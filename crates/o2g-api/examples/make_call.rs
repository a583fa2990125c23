//! Makes a call for a user and prints the outcome.
//!
//! ```sh
//! cargo run -p o2g-api --example make_call -- https://o2g.example admin secret oxe1001 1001 1002
//! ```
//!
//! Without arguments it makes 1001 call 1002 on this crate's simulator.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // an application: sockets, timers and tasks

use o2g_api::client::{ClientConfig, connect};
use o2g_api::endpoints::telephony::MakeCall;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut _sim = None;
    let (config, user, from, to) = match args.as_slice() {
        [url, login, password, user, from, to] => (
            ClientConfig::new(url.as_str(), login.as_str(), password.as_str()),
            user.clone(),
            from.clone(),
            to.clone(),
        ),
        _ => {
            let sim = o2g_api::sim::start(o2g_api::sim::SimConfig::default()).await?;
            let config = ClientConfig::new(sim.base_url(), "admin", "admin");
            _sim = Some(sim);
            (config, "oxe1001".into(), "1001".into(), "1002".into())
        }
    };
    let (client, _events) = connect(config).await?;
    match client.send(MakeCall::new(from, to).login_name(user)).await {
        Ok(made) => println!("call made: {made:?}"),
        Err(e) => eprintln!("make call failed: {e}"),
    }
    client.close().await?;
    Ok(())
}
