//! Loopback ports.

use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// A port that was free a moment ago. Used where a port must be known before its server
/// starts (the foreign page names the handler's port); a clash fails startup loudly.
pub fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// Waits until something listens on `port`, checking `still_running` between tries so a
/// server that crashed at startup is reported at once instead of at the deadline.
pub async fn wait_for_listener(
    name: &str,
    port: u16,
    deadline: Duration,
    mut still_running: impl FnMut() -> Result<()>,
) -> Result<()> {
    let started = tokio::time::Instant::now();
    loop {
        still_running()?;
        if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if started.elapsed() > deadline {
            bail!("{name} did not listen on 127.0.0.1:{port} within {deadline:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
