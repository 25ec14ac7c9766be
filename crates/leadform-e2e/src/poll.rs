//! Waiting for the page to reach a state. Deadlines are generous ceilings for a shared,
//! noisy machine, never a measurement: a test only fails if the state never comes.

use std::future::Future;
use std::time::Duration;

use anyhow::{bail, Result};

/// How long the page may take to reach any awaited state (wasm start-up included).
pub const DEADLINE: Duration = Duration::from_secs(60);
const INTERVAL: Duration = Duration::from_millis(150);

/// Calls `probe` until it returns `Ok(Some(value))`. Errors count as "not yet" (an element
/// that is not there yet is a WebDriver error) and the last one is shown at the deadline.
pub async fn until<T, F, Fut>(what: &str, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let started = tokio::time::Instant::now();
    let mut last_error = None;
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) => last_error = Some(err),
        }
        if started.elapsed() > DEADLINE {
            match last_error {
                Some(err) => {
                    bail!("gave up waiting for {what} after {DEADLINE:?}; last error: {err:#}")
                }
                None => bail!("gave up waiting for {what} after {DEADLINE:?}"),
            }
        }
        tokio::time::sleep(INTERVAL).await;
    }
}
