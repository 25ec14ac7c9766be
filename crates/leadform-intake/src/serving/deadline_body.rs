//! A request body that must arrive in full before a deadline.
//!
//! The deadline is total, not per read: a client trickling one byte every few seconds would pass
//! an idle timeout forever. When it passes, reading fails and [`BodyDeadline::passed`] says so,
//! which lets the request wrapper answer 408 whatever the handler made of the failed read.

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use thiserror::Error;
use tokio::time::Sleep;

#[derive(Debug, Error)]
pub enum BodyReadError {
    #[error("the request body did not arrive within {} seconds", .0.as_secs_f64())]
    DeadlinePassed(Duration),
    #[error("reading the request body: {0}")]
    Transport(#[from] hyper::Error),
}

/// Shared between the body and the request wrapper: set once the deadline cut the body off.
#[derive(Debug, Clone, Default)]
pub struct BodyDeadline {
    passed: Arc<AtomicBool>,
}

impl BodyDeadline {
    pub fn passed(&self) -> bool {
        self.passed.load(Ordering::Acquire)
    }
}

pub struct DeadlineBody<B> {
    inner: B,
    timeout: Duration,
    sleep: Pin<Box<Sleep>>,
    deadline: BodyDeadline,
}

impl<B> DeadlineBody<B> {
    /// The clock starts now: call it when the request head has arrived.
    pub fn new(inner: B, timeout: Duration, deadline: BodyDeadline) -> Self {
        Self {
            inner,
            timeout,
            sleep: Box::pin(tokio::time::sleep(timeout)),
            deadline,
        }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes, Error = hyper::Error> + Unpin,
{
    type Data = Bytes;
    type Error = BodyReadError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyReadError>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(BodyReadError::from)));
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            this.deadline.passed.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(BodyReadError::DeadlinePassed(this.timeout))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
