//! Runs the AMI simulator on 127.0.0.1:5038 (or the port given) for an
//! application in any language (account `admin` / `amp111`).
//!
//! ```sh
//! cargo run -p ami-proto --features sim --example simulator -- 5038
//! ```
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // an application: sockets, timers and tasks

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::args().nth(1) {
        Some(p) => p.parse()?,
        None => 5038,
    };
    let config = ami_proto::sim::SimConfig::default()
        .listen(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    let pbx = ami_proto::sim::start(config).await?;
    println!(
        "AMI simulator on {} (admin / amp111); Ctrl-C stops it",
        pbx.addr()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
