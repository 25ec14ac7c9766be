//! The intake bench's load generator: `concurrency` browsers, each a thread with one keep-alive
//! HTTP/1.1 connection, posting prepared requests back to back.
//!
//! It shares the handler's two cores, so it must cost little: the requests are serialized before
//! the clock starts, and a thread blocking on its socket costs a write, a read and a wake-up per
//! lead. xtask is a debug build, where an async HTTP client cost about 130 µs of CPU per lead, a
//! third of the 400 µs the target leaves for everything.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};

/// One prepared `POST`, bytes as they go on the wire.
pub struct PreparedPost(Vec<u8>);

impl PreparedPost {
    /// `POST path` to `host` with a JSON body and the widget's `Origin`.
    pub fn json(host: &str, path: &str, origin: &str, body: &[u8]) -> PreparedPost {
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        PreparedPost(request)
    }
}

/// What the run measured.
pub struct Load {
    pub elapsed: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
    /// Each request's status, in no order; `None` when the connection failed.
    pub statuses: Vec<Option<u16>>,
}

/// Sends every request with `concurrency` in flight, each on the next free connection.
pub fn send_all(
    address: SocketAddr,
    requests: Arc<Vec<PreparedPost>>,
    concurrency: usize,
) -> Result<Load> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let browsers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (requests, next) = (Arc::clone(&requests), Arc::clone(&next));
            std::thread::spawn(move || browse(address, &requests, &next))
        })
        .collect();
    let mut load = Load {
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(requests.len()),
        statuses: Vec::with_capacity(requests.len()),
    };
    for browser in browsers {
        let (latencies, statuses) = browser
            .join()
            .map_err(|_| anyhow!("a load generator thread panicked"))?;
        load.latencies.extend(latencies);
        load.statuses.extend(statuses);
    }
    load.elapsed = started.elapsed();
    load.latencies.sort_unstable();
    Ok(load)
}

/// One browser: takes the next request until none is left, reconnecting when a connection fails.
fn browse(
    address: SocketAddr,
    requests: &[PreparedPost],
    next: &AtomicUsize,
) -> (Vec<Duration>, Vec<Option<u16>>) {
    let (mut latencies, mut statuses) = (Vec::new(), Vec::new());
    let mut connection: Option<BufReader<TcpStream>> = None;
    while let Some(request) = requests.get(next.fetch_add(1, Ordering::Relaxed)) {
        let sent = Instant::now();
        let status = match connection.take() {
            Some(open) => Ok(open),
            None => connect(address),
        }
        .and_then(|mut open| {
            let (status, keep_alive) = exchange(&mut open, &request.0)?;
            if keep_alive {
                connection = Some(open);
            }
            Ok(status)
        });
        latencies.push(sent.elapsed());
        statuses.push(status.ok());
    }
    (latencies, statuses)
}

fn connect(address: SocketAddr) -> io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(address)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(BufReader::with_capacity(16 * 1024, stream))
}

/// Writes the request, reads the whole answer: `(status, connection may be reused)`.
fn exchange(connection: &mut BufReader<TcpStream>, request: &[u8]) -> io::Result<(u16, bool)> {
    connection.get_mut().write_all(request)?;
    let mut line = String::new();
    connection.read_line(&mut line)?;
    let status = parse_status_line(&line)?;
    let (mut length, mut keep_alive) = (0_usize, true);
    loop {
        line.clear();
        if connection.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the answer ended inside its headers",
            ));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().map_err(|_| invalid("a Content-Length"))?;
        } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
            keep_alive = false;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // The handler's JSON answers carry a length; anything else is not what we measure.
            return Err(invalid("a chunked answer"));
        }
    }
    // The request is not over until the whole body has arrived.
    let arrived = io::copy(&mut connection.take(length as u64), &mut io::sink())?;
    if arrived != length as u64 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the answer ended after {arrived} of its {length} bytes"),
        ));
    }
    Ok((status, keep_alive))
}

/// `HTTP/1.1 201 Created` → 201.
fn parse_status_line(line: &str) -> io::Result<u16> {
    let mut parts = line.split_ascii_whitespace();
    match (parts.next(), parts.next()) {
        (Some(version), Some(code)) if version.starts_with("HTTP/1.") => {
            code.parse().map_err(|_| invalid("a status code"))
        }
        _ => Err(invalid("a status line")),
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("not {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn reads_status_lines() {
        assert_eq!(parse_status_line("HTTP/1.1 201 Created\r\n").unwrap(), 201);
        assert!(parse_status_line("HTTP/2 200\r\n").is_err());
        assert!(parse_status_line("garbage").is_err());
    }

    #[test]
    fn prepared_posts_carry_their_length_and_origin() {
        let post = PreparedPost::json("127.0.0.1:1", "/v1/leads", "https://a.test", b"{}");
        let text = String::from_utf8(post.0).unwrap();
        assert!(text.starts_with("POST /v1/leads HTTP/1.1\r\n"), "{text}");
        assert!(text.contains("\r\nOrigin: https://a.test\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 2\r\n\r\n{}"), "{text}");
    }

    /// A server that answers each request on a connection with 201, then with a `close`.
    #[test]
    fn counts_every_answer_and_reconnects_after_a_close() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut reader = BufReader::new(stream.unwrap());
                for answer in [
                    "HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}",
                    "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ] {
                    let mut length = 0;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(value) = line.strip_prefix("Content-Length: ") {
                            length = value.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    reader.get_mut().write_all(answer.as_bytes()).unwrap();
                }
            }
        });
        let host = address.to_string();
        let requests: Vec<_> = (0..5)
            .map(|_| PreparedPost::json(&host, "/v1/leads", "https://a.test", b"{\"a\":1}"))
            .collect();
        let load = send_all(address, Arc::new(requests), 1).unwrap();
        assert_eq!(
            load.statuses,
            [Some(201), Some(429), Some(201), Some(429), Some(201)]
        );
        assert_eq!(load.latencies.len(), 5);
    }
}
