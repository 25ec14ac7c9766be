//! Serving HTTP/1.1 connections with timers, so slow or silent clients cannot hold the handler.
//!
//! `axum::serve` runs without any timer: a client that sends half its headers, or its body one
//! byte a minute, keeps a socket, a file descriptor and a buffer forever, and a graceful stop waits
//! on it. Here every connection lives under [`ServeLimits`]:
//!
//! - [`limits`]: the timeouts, the connection cap and the shutdown deadline, with their defaults;
//! - [`accept`]: the accept loop, the connection cap and the shutdown deadline;
//! - [`per_request`]: what wraps each request (peer address, body deadline, request timeout);
//! - [`deadline_body`]: a request body that fails once its deadline passes;
//! - [`in_flight`]: which connections have a request in progress when a stop begins;
//! - [`send_stall`]: closing a connection whose client stops reading its answer;
//! - [`open_files`]: raising the open-file limit and fitting the cap under it.

pub mod accept;
pub mod deadline_body;
pub mod in_flight;
pub mod limits;
pub mod open_files;
pub mod per_request;
pub mod send_stall;

pub use limits::ServeLimits;
