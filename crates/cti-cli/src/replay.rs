//! `cti replay FILE`: a fixture as a message ladder.

use std::path::Path;

use anyhow::Result;
use conformance::fixture::{Body, Chunk, Dir};

fn arrow(dir: Dir) -> &'static str {
    match dir {
        Dir::ClientToServer => "app ──▶ pbx",
        Dir::ServerToClient => "app ◀── pbx",
    }
}

fn show_bytes(bytes: &[u8]) -> String {
    let mut s = String::new();
    for line in String::from_utf8_lossy(bytes).split_inclusive('\n') {
        let shown = line.replace('\r', "\\r").replace('\n', "\\n");
        s.push_str(&format!("            │ {shown}\n"));
    }
    s
}

pub(crate) fn run(file: &Path) -> Result<()> {
    let root = file.parent().unwrap_or(Path::new("."));
    let fx = conformance::fixture::load(root, file)?;
    println!("{} — {}", fx.name, fx.meta.description);
    println!(
        "source: {:?} ({}), product: {}",
        fx.meta.source, fx.meta.reference, fx.meta.product
    );
    match &fx.body {
        Body::Bytes(chunks) => {
            for c in chunks {
                match c {
                    Chunk::Data { dir, t, bytes } => {
                        println!("{} t={t} {} bytes", arrow(*dir), bytes.len());
                        print!("{}", show_bytes(bytes));
                    }
                    Chunk::ServerClosed => println!("app ◀── pbx connection closed"),
                }
            }
        }
        Body::Http(cases) => {
            for c in cases {
                println!(
                    "{} #{} {} {}",
                    arrow(Dir::ClientToServer),
                    c.seqno,
                    c.request.method,
                    c.request.path
                );
                if let Some(b) = &c.request.body {
                    println!("            │ {b}");
                }
                println!(
                    "{} #{} {}",
                    arrow(Dir::ServerToClient),
                    c.seqno,
                    c.response.status
                );
                if let Some(b) = &c.response.body {
                    println!("            │ {b}");
                }
                for ch in c.response.chunks.iter().flatten() {
                    let after = ch
                        .after
                        .map(|a| format!(" (after #{a})"))
                        .unwrap_or_default();
                    println!("            │ chunk{after}: {}", ch.data);
                }
            }
        }
        Body::WebSocket { path, frames } => {
            println!("{} upgrade {path}", arrow(Dir::ClientToServer));
            for f in frames {
                println!("{} {}", arrow(f.dir), f.text);
            }
        }
    }
    Ok(())
}
