//! `rs-web-ext healthcheck`: the container's health probe (the distroless
//! runtime image has no shell and no curl). Exits 0 when `GET /health` on the
//! local `PORT` answers 200, 1 otherwise.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::config;

/// Longest the probe waits for the connection and for the answer.
const TIMEOUT: Duration = Duration::from_secs(3);

pub fn run() -> ExitCode {
    let outcome = config::port(&|name| std::env::var(name).ok())
        .and_then(|port| probe(SocketAddr::from((Ipv4Addr::LOCALHOST, port))));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("healthcheck failed: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Sends `GET /health` to `address` and checks that the status is 200.
pub fn probe(address: SocketAddr) -> Result<()> {
    let mut stream = TcpStream::connect_timeout(&address, TIMEOUT)
        .with_context(|| format!("cannot connect to {address}"))?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut head = Vec::new();
    let mut chunk = [0_u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 1024 {
        let read = stream.read(&mut chunk).context("reading the answer")?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    let status_line = head.lines().next().unwrap_or_default();
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        _ => bail!("GET /health answered `{status_line}`"),
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::thread;

    use super::*;
    use crate::web::{AppState, router};

    #[tokio::test]
    async fn passes_against_the_running_service() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = router(AppState::new());
        tokio::spawn(async move { axum::serve(listener, app).await });
        tokio::task::spawn_blocking(move || probe(address)).await.unwrap().unwrap();
    }

    #[test]
    fn fails_on_a_status_other_than_200() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0_u8; 1024];
            let _ = stream.read(&mut request).unwrap();
            stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\n\r\n").unwrap();
        });
        let err = probe(address).unwrap_err();
        assert!(err.to_string().contains("503"), "{err:#}");
        server.join().unwrap();
    }

    #[test]
    fn fails_when_nothing_listens() {
        let address = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        assert!(probe(address).is_err());
    }
}
