//! Slow and silent clients over real loopback sockets: they are cut off by the header, body and
//! request timeouts, cannot keep a real visitor out, and cannot hold up a shutdown.
//!
//! Every wait has a "give up" ceiling far above the configured timeout, so a slow machine never
//! fails these tests; only a handler that never cuts the client off does.

use crate::support;

use leadform_intake::serving::ServeLimits;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use support::fixtures::contact_lead;
use support::process::{write_forms, TestDatabase};
use support::{Backend, TestHandler, TestOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;

/// Far beyond every short timeout these tests configure.
const GIVE_UP: Duration = Duration::from_secs(20);
/// A timeout the tests never expect to run out.
const LONG: Duration = Duration::from_secs(120);

fn limits(header: Duration, body: Duration, request: Duration) -> ServeLimits {
    ServeLimits {
        header_read_timeout: header,
        body_read_timeout: body,
        request_timeout: request,
        ..ServeLimits::default()
    }
}

async fn connect(base_url: &str) -> TcpStream {
    let addr = base_url.strip_prefix("http://").expect("http base URL");
    tokio::time::timeout(GIVE_UP, TcpStream::connect(addr))
        .await
        .expect("the handler accepts connections within the give-up limit")
        .expect("connect")
}

/// Reads until the handler closes the connection, and returns what it sent. Panics at the give-up
/// limit: that is the bug these tests look for.
async fn read_until_closed(stream: &mut TcpStream, what: &str) -> String {
    let mut received = Vec::new();
    match tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut received)).await {
        Ok(Ok(_)) => {}
        // A reset is a close too.
        Ok(Err(error)) if error.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(Err(error)) => panic!("{what}: reading failed: {error}"),
        Err(_) => panic!("{what}: still open after {GIVE_UP:?}"),
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// A `POST /v1/leads` head for `body`, with its exact length.
fn lead_head(body: &[u8]) -> String {
    format!(
        "POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
}

fn json_body(response: &str) -> Value {
    let (_, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}: {response}"))
}

#[tokio::test]
async fn silent_and_half_sent_heads_are_closed_after_the_header_timeout() {
    let handler = TestHandler::start_with(TestOptions {
        limits: limits(Duration::from_secs(1), LONG, LONG),
        ..Default::default()
    })
    .await;
    let mut silent = connect(&handler.base_url).await;
    let mut half_sent = connect(&handler.base_url).await;
    half_sent
        .write_all(b"POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        .await
        .unwrap();
    read_until_closed(&mut silent, "a connection that sent nothing").await;
    read_until_closed(&mut half_sent, "a connection that sent half a head").await;

    // A kept-alive connection that sends no next request is closed the same way.
    let mut kept_alive = connect(&handler.base_url).await;
    kept_alive
        .write_all(b"GET /v1/forms/contact-us HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answered = read_until_closed(&mut kept_alive, "an idle kept-alive connection").await;
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");

    let response = handler.post_lead(&contact_lead("ada@example.com")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    handler.stop().await;
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_answered_408_and_nothing_is_stored() {
    let handler = TestHandler::start_with(TestOptions {
        limits: limits(LONG, Duration::from_secs(1), LONG),
        ..Default::default()
    })
    .await;
    let body = serde_json::to_vec(&contact_lead("ada@example.com")).unwrap();
    let mut slow = connect(&handler.base_url).await;
    slow.write_all(lead_head(&body).as_bytes()).await.unwrap();
    slow.write_all(&body[..body.len() / 2]).await.unwrap();
    let answer = read_until_closed(&mut slow, "a slow body").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let head = answer.to_ascii_lowercase();
    assert!(head.contains("connection: close"), "{answer}");
    // Answers made outside the router carry the common headers too.
    assert!(head.contains("x-content-type-options: nosniff"), "{answer}");
    assert_eq!(json_body(&answer)["error"]["code"], "body_timeout");
    assert!(handler.stored_leads().await.is_empty());
    handler.stop().await;
}

#[tokio::test]
async fn a_request_over_the_request_timeout_is_answered_503() {
    // The body timeout is long here, so the request timeout is what cuts the slow body off.
    let handler = TestHandler::start_with(TestOptions {
        limits: limits(LONG, LONG, Duration::from_secs(1)),
        ..Default::default()
    })
    .await;
    let body = serde_json::to_vec(&contact_lead("ada@example.com")).unwrap();
    let mut slow = connect(&handler.base_url).await;
    slow.write_all(lead_head(&body).as_bytes()).await.unwrap();
    slow.write_all(&body[..10]).await.unwrap();
    let answer = read_until_closed(&mut slow, "a request over its time").await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert_eq!(json_body(&answer)["error"]["code"], "request_timeout");
    assert!(handler.stored_leads().await.is_empty());
    handler.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answer_is_disconnected() {
    // Far more than the loopback socket buffers on both sides hold, so the handler's writes stall.
    const FILE_BYTES: usize = 32 * 1024 * 1024;
    let public = tempfile::tempdir().unwrap();
    std::fs::write(public.path().join("big.pdf"), vec![b'x'; FILE_BYTES]).unwrap();
    let handler = TestHandler::start_with(TestOptions {
        public_dir: Some(public.path().to_path_buf()),
        limits: ServeLimits {
            send_timeout: Duration::from_secs(1),
            ..limits(LONG, LONG, LONG)
        },
        ..Default::default()
    })
    .await;
    let mut reader = connect(&handler.base_url).await;
    reader
        .write_all(b"GET /big.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    // Read nothing for a while, as a client that stopped reading.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let received = read_until_closed(&mut reader, "a client that stopped reading").await;
    assert!(
        received.starts_with("HTTP/1.1 200"),
        "{}",
        &received[..40.min(received.len())]
    );
    assert!(
        received.len() < FILE_BYTES,
        "the whole file was sent to a client that was not reading"
    );
    handler.stop().await;
}

#[tokio::test]
async fn shutdown_closes_slow_and_idle_connections_and_finishes_a_request_in_progress() {
    let mut handler = TestHandler::start_with(TestOptions {
        // Every limit, the shutdown deadline too, far above the give-up limit: a prompt stop can
        // only come from closing what has no request in progress.
        limits: ServeLimits {
            shutdown_timeout: LONG,
            ..limits(LONG, LONG, LONG)
        },
        ..Default::default()
    })
    .await;
    let mut slow_clients = Vec::new();
    for n in 0..40 {
        let mut stream = connect(&handler.base_url).await;
        if n % 2 == 0 {
            stream
                .write_all(b"GET /v1/forms/contact-us HTTP/1.1\r\nHost: 1")
                .await
                .unwrap();
        }
        slow_clients.push(stream);
    }
    // An idle kept-alive connection in the client's pool.
    let form = handler
        .client
        .get(handler.url("/v1/forms/contact-us"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    form.bytes().await.unwrap();
    // A lead whose body is half sent when the stop begins.
    let lead = contact_lead("ada@example.com");
    let body = serde_json::to_vec(&lead).unwrap();
    let mut in_flight = connect(&handler.base_url).await;
    in_flight
        .write_all(lead_head(&body).as_bytes())
        .await
        .unwrap();
    in_flight.write_all(&body[..body.len() / 2]).await.unwrap();
    // Let the handler read the head and start waiting on the body.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stopping = tokio::spawn(async move {
        handler.shutdown_server().await;
        handler
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    in_flight.write_all(&body[body.len() / 2..]).await.unwrap();
    let answer = read_until_closed(&mut in_flight, "the request in progress").await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(json_body(&answer)["submission_id"], lead["submission_id"]);

    // Long before any slow client's own timeout (two minutes) would have closed it.
    let handler = tokio::time::timeout(GIVE_UP, stopping)
        .await
        .expect("shutdown does not wait on slow or idle connections")
        .expect("shutdown task");
    for (n, stream) in slow_clients.iter_mut().enumerate() {
        read_until_closed(stream, &format!("slow client {n}")).await;
    }
    let stored = handler.stored_leads().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].submission_id, lead["submission_id"]);
    handler.stop().await;
}

/// The issue's reproduction: a handler started under a soft open-file limit of 256 (a common
/// default) and 500 slow clients. The handler raises its own limit and serves them all, so a
/// real visitor's lead still gets its 201.
#[tokio::test]
async fn five_hundred_slow_clients_do_not_keep_a_real_lead_out() {
    let dir = tempfile::tempdir().unwrap();
    let forms_dir = write_forms(dir.path(), &support::fixtures::all_forms());
    let database = TestDatabase::create(Backend::Sqlite, dir.path()).await;
    let public = dir.path().join("public");
    std::fs::create_dir(&public).unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -Sn 256 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", &database.db])
        .arg("--forms")
        .arg(&forms_dir)
        .arg("--public")
        .arg(&public)
        .arg("--assets")
        .arg(support::process::write_assets(dir.path()))
        // The slow clients stay for the whole test: the timeouts are not what saves the lead.
        .args(["--header-read-timeout", "300", "--shutdown-timeout", "300"])
        .env(support::fixtures::HOOK_SECRET_VARIABLE, "test-secret")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("serve.log")).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().unwrap();
    let first = tokio::time::timeout(GIVE_UP, BufReader::new(stdout).lines().next_line())
        .await
        .expect("a start-up line")
        .unwrap()
        .expect("serve printed its address");
    let base_url = first
        .strip_prefix("Leadform intake listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();

    let mut slow_clients = Vec::new();
    for n in 0..500 {
        let mut stream = connect(&base_url).await;
        if n % 2 == 0 {
            stream
                .write_all(b"POST /v1/leads HTTP/1.1\r\nHost: 1")
                .await
                .unwrap();
        }
        slow_clients.push(stream);
    }
    let client = reqwest::Client::builder().timeout(GIVE_UP).build().unwrap();
    let response = client
        .post(format!("{base_url}/v1/leads"))
        .json(&contact_lead("ada@example.com"))
        .send()
        .await
        .expect("the real visitor is answered while 500 slow clients are connected");
    assert_eq!(response.status(), StatusCode::CREATED);

    let pid = child.id().expect("running").to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(GIVE_UP, child.wait())
        .await
        .expect("SIGTERM does not wait on 500 slow clients")
        .unwrap();
    assert!(status.success(), "{status}");
    drop(slow_clients);
    database.drop_database().await;
}
