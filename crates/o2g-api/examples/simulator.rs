//! Runs the O2G simulator on 127.0.0.1:8080 (or the port given) for an
//! application in any language (administrator `admin` / `admin`, users
//! oxe1001–oxe1003 on devices 1001–1003).
//!
//! ```sh
//! cargo run -p o2g-api --features sim --example simulator -- 8080
//! ```
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // an application: sockets, timers and tasks

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::args().nth(1) {
        Some(p) => p.parse()?,
        None => 8080,
    };
    let config = o2g_api::sim::SimConfig::default()
        .listen(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    let sim = o2g_api::sim::start(config).await?;
    println!(
        "O2G simulator at {} (admin / admin); Ctrl-C stops it",
        sim.base_url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
