//! Local stand-ins for the vendor endpoints, on loopback. Each one checks a request the way the
//! vendor documents it (crm-formats.md) and answers like the vendor; a request that breaks the
//! vendor's rules gets a 400 naming the problem, so a test sending it sees a dead delivery.
//!
//! A dev-dependency of `leadform-delivery`'s single-send tests and `leadform-intake`'s forwarder
//! and end-to-end tests.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Which vendor a stand-in plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vendor {
    /// Web-to-Lead; `org_id` is the only org it knows.
    Salesforce { org_id: String },
    /// Forms API v3; the only portal and form it knows.
    Hubspot {
        portal_id: String,
        form_guid: String,
    },
    /// A form handler at `path`.
    Pardot { path: String },
    /// A receiver at `path` sharing `secret`; refuses timestamps older than `tolerance`.
    Webhook {
        path: String,
        secret: Vec<u8>,
        tolerance: Duration,
    },
    /// Marketo's identity endpoint and `submitForm` for one API user and one form. Tokens last
    /// `token_life`; `custom_fields` are the REST names known besides the standard ones.
    Marketo {
        client_id: String,
        client_secret: String,
        form_id: u64,
        token_life: Duration,
        custom_fields: Vec<String>,
    },
    /// A Slack incoming webhook at `path` (`/services/T…/B…/…`).
    Slack { path: String },
}

/// An answer forced on the next request, before the vendor logic runs.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// Any status, e.g. 503 for an outage.
    Status(u16),
    /// HubSpot's over-the-limit answer.
    TooManyRequests { retry_after: String },
    /// Marketo's HTTP 200 with `success: false` and this error code (only `submitForm` calls take
    /// it; token requests are answered normally).
    MarketoError { code: String, message: String },
    /// Any status with this plain-text body (Slack's error codes), and `Retry-After` if given.
    Answer {
        status: u16,
        body: String,
        retry_after: Option<String>,
    },
}

/// One request as it arrived, and what the stand-in made of it.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: SystemTime,
    pub method: String,
    pub path_and_query: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// Everything the vendor would object to; empty when the request is as documented.
    pub problems: Vec<String>,
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Notes in `problems` a request that is not a `POST` to `path` with a `content_type` body:
    /// what every vendor here checks first.
    fn expect_post(&mut self, path: &str, content_type: &str) {
        if self.method != "POST" {
            let problem = format!("method {} (expected POST)", self.method);
            self.problems.push(problem);
        }
        if self.path_and_query != path {
            let problem = format!("path {} (expected {path})", self.path_and_query);
            self.problems.push(problem);
        }
        let sent = self.header("content-type").unwrap_or("").to_owned();
        if sent != content_type {
            self.problems.push(format!("content type `{sent}`"));
        }
    }

    /// The urlencoded body, decoded strictly (`None` if it is not valid urlencoded UTF-8).
    pub fn form(&self) -> Option<Vec<(String, String)>> {
        decode_urlencoded_strict(&self.body).ok()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

struct IssuedToken {
    token: String,
    expires_at: SystemTime,
    /// Revoked tokens are answered as never issued (601).
    revoked: bool,
}

struct Shared {
    vendor: Vendor,
    received: Mutex<Vec<Received>>,
    scripted: Mutex<VecDeque<Scripted>>,
    /// Marketo: every access token issued, in order.
    marketo_tokens: Mutex<Vec<IssuedToken>>,
}

pub struct StandIn {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl StandIn {
    pub async fn start(vendor: Vendor) -> StandIn {
        let shared = Arc::new(Shared {
            vendor,
            received: Mutex::default(),
            scripted: Mutex::default(),
            marketo_tokens: Mutex::default(),
        });
        Self::serve(shared, "127.0.0.1:0".parse().expect("loopback")).await
    }

    async fn serve(shared: Arc<Shared>, addr: SocketAddr) -> StandIn {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .expect("stand-in serves");
        });
        StandIn {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Takes the stand-in off the network (connections are refused) until [`StandIn::restart`].
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Listens again on the same port, keeping what it received.
    pub async fn restart(&mut self) {
        self.stop().await;
        let again = Self::serve(Arc::clone(&self.shared), self.addr).await;
        *self = again;
    }

    pub fn script(&self, answer: Scripted) {
        self.shared.scripted.lock().expect("lock").push_back(answer);
    }

    /// Marketo: every token issued so far expires now (the next call with one gets 602).
    pub fn expire_marketo_tokens(&self) {
        let now = SystemTime::now();
        for issued in self.shared.marketo_tokens.lock().expect("lock").iter_mut() {
            issued.expires_at = now;
        }
    }

    /// Marketo: forgets every token issued (the next call with one gets 601).
    pub fn revoke_marketo_tokens(&self) {
        for issued in self.shared.marketo_tokens.lock().expect("lock").iter_mut() {
            issued.revoked = true;
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }

    /// Requests the vendor took (answered 2xx or 3xx).
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.status < 400)
            .collect()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut received = Received {
        at: SystemTime::now(),
        method: method.to_string(),
        path_and_query: uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
        problems: Vec::new(),
        status: 0,
    };
    // A script meant for Marketo's submitForm must not be used up by a token request.
    let is_token_request = matches!(shared.vendor, Vendor::Marketo { .. })
        && received.path_and_query.starts_with(MARKETO_TOKEN_PATH);
    let scripted = match is_token_request {
        true => None,
        false => shared.scripted.lock().expect("lock").pop_front(),
    };
    let response = match scripted {
        Some(Scripted::MarketoError { code, message }) => json_answer(
            200,
            serde_json::json!({"requestId": "e42b#standin", "success": false,
                               "errors": [{"code": code, "message": message}]}),
        ),
        Some(Scripted::Status(status)) => plain(status, "scripted answer"),
        Some(Scripted::Answer {
            status,
            body,
            retry_after,
        }) => {
            let mut response = plain(status, &body);
            if let Some(retry_after) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", retry_after.parse().expect("header value"));
            }
            response
        }
        Some(Scripted::TooManyRequests { retry_after }) => {
            let mut response = plain(
                429,
                r#"{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT"}"#,
            );
            response
                .headers_mut()
                .insert("retry-after", retry_after.parse().expect("header value"));
            response
        }
        None => match &shared.vendor {
            Vendor::Salesforce { org_id } => salesforce(&mut received, org_id),
            Vendor::Hubspot {
                portal_id,
                form_guid,
            } => hubspot(&mut received, portal_id, form_guid),
            Vendor::Pardot { path } => pardot(&mut received, path),
            Vendor::Webhook {
                path,
                secret,
                tolerance,
            } => webhook(&mut received, path, secret, *tolerance),
            Vendor::Marketo { .. } => marketo(&mut received, &shared),
            Vendor::Slack { path } => slack(&mut received, path),
        },
    };
    received.status = response.status().as_u16();
    shared.received.lock().expect("lock").push(received);
    response
}

fn plain(status: u16, body: &str) -> Response {
    (
        StatusCode::from_u16(status).expect("status"),
        body.to_owned(),
    )
        .into_response()
}

fn refuse(received: &Received) -> Response {
    plain(400, &received.problems.join("; "))
}

// ---------- Salesforce Web-to-Lead ----------

const SALESFORCE_STANDARD_FIELDS: [&str; 17] = [
    "oid",
    "first_name",
    "last_name",
    "email",
    "company",
    "phone",
    "mobile",
    "title",
    "city",
    "state",
    "zip",
    "country",
    "description",
    "lead_source",
    "Campaign_ID",
    "emailOptOut",
    "retURL",
];

fn salesforce(received: &mut Received, org_id: &str) -> Response {
    received.expect_post(
        "/servlet/servlet.WebToLead?encoding=UTF-8",
        "application/x-www-form-urlencoded",
    );
    let problems = &mut received.problems;
    match decode_urlencoded_strict(&received.body) {
        Err(problem) => problems.push(problem),
        Ok(pairs) => {
            let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
            for name in &names {
                let custom = name.starts_with("00N") && matches!(name.len(), 15 | 18);
                if !custom && !SALESFORCE_STANDARD_FIELDS.contains(name) {
                    problems.push(format!("unknown Web-to-Lead field `{name}`"));
                }
                if names.iter().filter(|other| *other == name).count() > 1 {
                    problems.push(format!("field `{name}` sent twice"));
                }
            }
            if names.contains(&"retURL") {
                problems.push("retURL sent on a server-side post".into());
            }
            let oid = pairs
                .iter()
                .find(|(name, _)| name == "oid")
                .map(|(_, v)| v.as_str());
            if oid != Some(org_id) {
                problems.push(format!("oid {oid:?} (expected {org_id})"));
            }
            if let Some((_, value)) = pairs.iter().find(|(name, _)| name == "emailOptOut") {
                if value != "1" {
                    problems.push(format!("emailOptOut `{value}` (Web-to-Lead takes 1)"));
                }
            }
        }
    }
    if !received.problems.is_empty() {
        // Salesforce itself would answer 200 and silently drop the lead; the stand-in refuses so the
        // test sees it.
        return refuse(received);
    }
    let mut response = plain(200, "<html><head><meta http-equiv=\"Refresh\" content=\"0; URL=http://www.salesforce.com\"></head></html>");
    response.headers_mut().insert(
        "content-type",
        "text/html; charset=UTF-8".parse().expect("header"),
    );
    response
}

// ---------- HubSpot Forms API v3 ----------

fn hubspot(received: &mut Received, portal_id: &str, form_guid: &str) -> Response {
    let expected_path = format!("/submissions/v3/integration/submit/{portal_id}/{form_guid}");
    if received
        .path_and_query
        .starts_with("/submissions/v3/integration/submit/")
        && received.path_and_query != expected_path
    {
        received.problems.push("unknown form".into());
        return plain(
            404,
            r#"{"status":"error","message":"Form not found","errorType":"FORM_NOT_FOUND"}"#,
        );
    }
    received.expect_post(&expected_path, "application/json");
    let problems = &mut received.problems;
    let mut invalid_email = false;
    match serde_json::from_slice::<serde_json::Value>(&received.body) {
        Err(error) => problems.push(format!("body is not JSON: {error}")),
        Ok(body) => {
            check_hubspot_body(&body, problems);
            invalid_email = body["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|field| {
                    field["name"] == "email" && !field["value"].as_str().unwrap_or("").contains('@')
                });
        }
    }
    if !received.problems.is_empty() {
        let errors: Vec<_> = received
            .problems
            .iter()
            .map(|problem| serde_json::json!({"message": problem, "errorType": "INVALID_REQUEST"}))
            .collect();
        return json_answer(
            400,
            serde_json::json!({"status": "error", "message": "The request is not valid", "errors": errors}),
        );
    }
    if invalid_email {
        return json_answer(
            400,
            serde_json::json!({
                "status": "error",
                "message": "The request is not valid",
                "correlationId": "8c6a1f0e-standin",
                "errors": [{"message": "Error in 'fields.email'. Invalid email address", "errorType": "INVALID_EMAIL"}]
            }),
        );
    }
    json_answer(
        200,
        serde_json::json!({"inlineMessage": "Thanks for submitting the form."}),
    )
}

fn check_hubspot_body(body: &serde_json::Value, problems: &mut Vec<String>) {
    let Some(object) = body.as_object() else {
        problems.push("body is not an object".into());
        return;
    };
    for key in object.keys() {
        if !["submittedAt", "fields", "context", "legalConsentOptions"].contains(&key.as_str()) {
            problems.push(format!("unknown top-level key `{key}`"));
        }
    }
    match object.get("submittedAt").and_then(|v| v.as_str()) {
        Some(ms) if !ms.is_empty() && ms.chars().all(|c| c.is_ascii_digit()) && ms.len() == 13 => {}
        other => problems.push(format!(
            "submittedAt {other:?} is not a string of milliseconds"
        )),
    }
    match object.get("fields").and_then(|v| v.as_array()) {
        None => problems.push("fields is not a list".into()),
        Some(fields) if fields.len() > 1000 => problems.push("more than 1,000 fields".into()),
        Some(fields) => {
            for field in fields {
                let keys: Vec<_> = field
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                if keys != ["name", "objectTypeId", "value"] {
                    problems.push(format!("field keys {keys:?}"));
                }
                if field["objectTypeId"] != "0-1" {
                    problems.push(format!("objectTypeId {}", field["objectTypeId"]));
                }
                if !field["name"].is_string() || !field["value"].is_string() {
                    problems.push("field name and value must be strings".into());
                }
            }
        }
    }
    if let Some(context) = object.get("context") {
        match context.as_object() {
            None => problems.push("context is not an object".into()),
            Some(context) => {
                for (key, value) in context {
                    if !["hutk", "pageUri", "pageName", "ipAddress", "sfdcCampaignId"]
                        .contains(&key.as_str())
                    {
                        problems.push(format!("unknown context key `{key}`"));
                    }
                    if !value.is_string() {
                        problems.push(format!("context.{key} is not a string"));
                    }
                }
            }
        }
    }
    if let Some(legal) = object.get("legalConsentOptions") {
        let consent = &legal["consent"];
        if !consent["consentToProcess"].is_boolean() || !consent["text"].is_string() {
            problems
                .push("legalConsentOptions.consent needs consentToProcess (bool) and text".into());
        }
        for communication in consent["communications"].as_array().into_iter().flatten() {
            if !communication["value"].is_boolean()
                || !communication["subscriptionTypeId"].is_u64()
                || !communication["text"].is_string()
            {
                problems.push(format!("communication {communication}"));
            }
        }
    }
}

fn json_answer(status: u16, body: serde_json::Value) -> Response {
    let mut response = plain(status, &body.to_string());
    response.headers_mut().insert(
        "content-type",
        "application/json;charset=utf-8".parse().expect("header"),
    );
    response
}

// ---------- Pardot form handler ----------

fn pardot(received: &mut Received, path: &str) -> Response {
    // Pardot rejects multipart/form-data and anything else.
    received.expect_post(path, "application/x-www-form-urlencoded");
    let problems = &mut received.problems;
    let has_email = match decode_urlencoded_strict(&received.body) {
        Err(problem) => {
            problems.push(problem);
            false
        }
        Ok(pairs) => pairs
            .iter()
            .any(|(name, value)| name == "email" && value.contains('@')),
    };
    if !received.problems.is_empty() {
        return refuse(received);
    }
    // Pardot redirects either way; the location is all that differs.
    let location = if has_email {
        "https://www.example.com/thank-you"
    } else {
        "https://www.example.com/error?errorMessage=Please+correct+the+email"
    };
    let mut response = plain(302, "");
    response
        .headers_mut()
        .insert("location", location.parse().expect("header"));
    response
}

// ---------- Signed webhook ----------

fn webhook(received: &mut Received, path: &str, secret: &[u8], tolerance: Duration) -> Response {
    received.expect_post(path, "application/json");
    let problems = &mut received.problems;
    if received
        .headers
        .get("idempotency-key")
        .is_none_or(|key| key.is_empty())
    {
        problems.push("no Idempotency-Key".into());
    }
    let timestamp = received
        .headers
        .get("leadform-timestamp")
        .cloned()
        .unwrap_or_default();
    let signature = received
        .headers
        .get("leadform-signature")
        .cloned()
        .unwrap_or_default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    match timestamp.parse::<u64>() {
        Err(_) => problems.push(format!("timestamp `{timestamp}` is not Unix seconds")),
        Ok(sent) if now.abs_diff(sent) > tolerance.as_secs() => {
            received
                .problems
                .push(format!("stale timestamp {sent} (now {now})"));
            return plain(401, "stale timestamp");
        }
        Ok(_) => {}
    }
    if !leadform_delivery::verify_signature(secret, &timestamp, &received.body, &signature) {
        received.problems.push("bad signature".into());
        return plain(401, "bad signature");
    }
    if serde_json::from_slice::<serde_json::Value>(&received.body).is_err() {
        received.problems.push("body is not JSON".into());
    }
    if !received.problems.is_empty() {
        return refuse(received);
    }
    plain(200, "ok")
}

// ---------- shared ----------

/// Decodes `application/x-www-form-urlencoded` strictly: only unreserved characters, `+`, `%XX`,
/// `=` and `&` on the wire, and UTF-8 once decoded.
pub fn decode_urlencoded_strict(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "body is not ASCII".to_owned())?;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split('&')
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("pair `{pair}` has no `=`"))?;
            Ok((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(encoded: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    let mut chars = encoded.bytes();
    while let Some(byte) = chars.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let high = chars.next().ok_or("truncated %")?;
                let low = chars.next().ok_or("truncated %")?;
                let hex = [high, low];
                let hex = std::str::from_utf8(&hex).map_err(|_| "bad %")?;
                bytes.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape %{hex}"))?);
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => bytes.push(byte),
            other => return Err(format!("unencoded byte {:?} in `{encoded}`", other as char)),
        }
    }
    String::from_utf8(bytes).map_err(|_| format!("`{encoded}` does not decode to UTF-8"))
}

// ---------- Marketo REST API ----------

const MARKETO_TOKEN_PATH: &str = "/identity/oauth/token";
const MARKETO_SUBMIT_PATH: &str = "/rest/v1/leads/submitForm.json";

/// Lead fields every Marketo instance has, by REST API name.
const MARKETO_STANDARD_FIELDS: [&str; 11] = [
    "firstName",
    "lastName",
    "email",
    "company",
    "phone",
    "mobilePhone",
    "title",
    "city",
    "state",
    "postalCode",
    "country",
];

const MARKETO_VISITOR_DATA: [&str; 4] = [
    "pageURL",
    "queryString",
    "leadClientIpAddress",
    "userAgentString",
];

fn marketo(received: &mut Received, shared: &Shared) -> Response {
    let Vendor::Marketo {
        client_id,
        client_secret,
        form_id,
        token_life,
        custom_fields,
    } = &shared.vendor
    else {
        unreachable!("only called for Marketo")
    };
    if received.path_and_query.starts_with(MARKETO_TOKEN_PATH) {
        return marketo_token(received, shared, client_id, client_secret, *token_life);
    }
    if received.path_and_query != MARKETO_SUBMIT_PATH || received.method != "POST" {
        received.problems.push(format!(
            "{} {} (expected POST {MARKETO_SUBMIT_PATH}, without an access_token parameter)",
            received.method, received.path_and_query
        ));
        return plain(404, "Not Found");
    }
    let marketo_error = |code: &str, message: &str| {
        json_answer(
            200,
            serde_json::json!({"requestId": "e42b#standin", "success": false,
                               "errors": [{"code": code, "message": message}]}),
        )
    };
    let token = received
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::to_owned);
    let issued = token.as_ref().and_then(|token| {
        shared
            .marketo_tokens
            .lock()
            .expect("lock")
            .iter()
            .find(|issued| &issued.token == token && !issued.revoked)
            .map(|issued| issued.expires_at)
    });
    match issued {
        None => {
            let token = token.unwrap_or_default();
            received
                .problems
                .push(format!("token `{token}` not issued"));
            return marketo_error("601", "Access token invalid");
        }
        Some(expires_at) if expires_at <= SystemTime::now() => {
            received.problems.push("token expired".into());
            return marketo_error("602", "Access token expired");
        }
        Some(_) => {}
    }
    let content_type = received
        .header("content-type")
        .unwrap_or_default()
        .to_owned();
    if content_type != "application/json" {
        received
            .problems
            .push(format!("content type `{content_type}`"));
        return marketo_error("612", "Invalid Content Type");
    }
    let body: serde_json::Value = match serde_json::from_slice(&received.body) {
        Ok(body) => body,
        Err(error) => {
            received.problems.push(format!("body is not JSON: {error}"));
            return marketo_error("609", "Invalid JSON");
        }
    };
    let mut unknown_fields = Vec::new();
    check_marketo_body(
        &body,
        *form_id,
        custom_fields,
        &mut received.problems,
        &mut unknown_fields,
    );
    if !received.problems.is_empty() {
        let problems = received.problems.join("; ");
        return marketo_error("609", &format!("Invalid JSON: {problems}"));
    }
    if let Some(field) = unknown_fields.first() {
        // Marketo takes the call and skips the record, naming the field.
        return json_answer(
            200,
            serde_json::json!({"requestId": "e42c#standin", "success": true,
                "result": [{"status": "skipped",
                            "reasons": [{"code": "1006", "message": format!("Field '{field}' not found")}]}]}),
        );
    }
    json_answer(
        200,
        serde_json::json!({"requestId": "e42d#standin", "success": true,
                           "result": [{"id": 318581, "status": "created"}]}),
    )
}

fn marketo_token(
    received: &mut Received,
    shared: &Shared,
    client_id: &str,
    client_secret: &str,
    token_life: Duration,
) -> Response {
    if received.method != "GET" {
        received
            .problems
            .push(format!("token request by {}", received.method));
    }
    if !received.body.is_empty() {
        received.problems.push("token request with a body".into());
    }
    let query = received
        .path_and_query
        .strip_prefix(MARKETO_TOKEN_PATH)
        .and_then(|rest| rest.strip_prefix('?'))
        .unwrap_or_default();
    let pairs = decode_urlencoded_strict(query.as_bytes()).unwrap_or_default();
    let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
    if names != ["grant_type", "client_id", "client_secret"] {
        received
            .problems
            .push(format!("token query names {names:?}"));
    }
    let value = |wanted: &str| {
        pairs
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.as_str())
    };
    if value("grant_type") != Some("client_credentials") {
        received
            .problems
            .push(format!("grant_type {:?}", value("grant_type")));
    }
    if !received.problems.is_empty() {
        return json_answer(
            400,
            serde_json::json!({"error": "invalid_request", "error_description": received.problems.join("; ")}),
        );
    }
    if value("client_id") != Some(client_id) || value("client_secret") != Some(client_secret) {
        received.problems.push("bad client credentials".into());
        return json_answer(
            401,
            serde_json::json!({"error": "unauthorized", "error_description": "Bad client credentials"}),
        );
    }
    let mut tokens = shared.marketo_tokens.lock().expect("lock");
    let token = format!("cdf01657-110d-4155-99a7-f986b2ff13a0:int{}", tokens.len());
    tokens.push(IssuedToken {
        token: token.clone(),
        expires_at: SystemTime::now() + token_life,
        revoked: false,
    });
    json_answer(
        200,
        serde_json::json!({"access_token": token, "token_type": "bearer",
                           "expires_in": token_life.as_secs(), "scope": "api@example.com"}),
    )
}

/// `{"formId": n, "input": [{"leadFormFields": {..}, "visitorData": {..}, "cookie": ".."}]}`, one
/// lead, string values, an email. Field names Marketo does not know go to `unknown_fields`.
fn check_marketo_body(
    body: &serde_json::Value,
    form_id: u64,
    custom_fields: &[String],
    problems: &mut Vec<String>,
    unknown_fields: &mut Vec<String>,
) {
    let Some(top) = body.as_object() else {
        problems.push("body is not an object".into());
        return;
    };
    for key in top.keys() {
        if !["formId", "input", "programName"].contains(&key.as_str()) {
            problems.push(format!("unknown key `{key}`"));
        }
    }
    if top.get("formId").and_then(serde_json::Value::as_u64) != Some(form_id) {
        problems.push(format!(
            "formId {:?} (expected {form_id})",
            top.get("formId")
        ));
    }
    let input = top.get("input").and_then(serde_json::Value::as_array);
    let Some([lead]) = input.map(Vec::as_slice) else {
        problems.push("input must hold exactly one lead".into());
        return;
    };
    let Some(lead) = lead.as_object() else {
        problems.push("input[0] is not an object".into());
        return;
    };
    for key in lead.keys() {
        if !["leadFormFields", "visitorData", "cookie"].contains(&key.as_str()) {
            problems.push(format!("unknown key input[0].{key}"));
        }
    }
    match lead
        .get("leadFormFields")
        .and_then(serde_json::Value::as_object)
    {
        None => problems.push("no leadFormFields".into()),
        Some(fields) => {
            for (name, value) in fields {
                if !value.is_string() {
                    problems.push(format!("leadFormFields.{name} is not a string"));
                }
                let known = MARKETO_STANDARD_FIELDS.contains(&name.as_str())
                    || custom_fields.iter().any(|custom| custom == name);
                if !known {
                    unknown_fields.push(name.clone());
                }
            }
            let email = fields.get("email").and_then(serde_json::Value::as_str);
            if !email.is_some_and(|email| email.contains('@')) {
                problems.push(format!("leadFormFields.email {email:?}"));
            }
        }
    }
    if let Some(visitor) = lead.get("visitorData") {
        match visitor.as_object() {
            None => problems.push("visitorData is not an object".into()),
            Some(visitor) => {
                for (name, value) in visitor {
                    if !MARKETO_VISITOR_DATA.contains(&name.as_str()) || !value.is_string() {
                        problems.push(format!("visitorData.{name} = {value}"));
                    }
                }
            }
        }
    }
    if let Some(cookie) = lead.get("cookie") {
        let ok = cookie
            .as_str()
            .is_some_and(|cookie| cookie.starts_with("id:") && cookie.contains("&token:_mch-"));
        if !ok {
            problems.push(format!("cookie {cookie} is not a _mkto_trk value"));
        }
    }
}

// ---------- Slack incoming webhooks ----------

/// The top-level keys Slack documents for an incoming webhook's message.
const SLACK_MESSAGE_KEYS: [&str; 7] = [
    "text",
    "blocks",
    "attachments",
    "thread_ts",
    "mrkdwn",
    "unfurl_links",
    "unfurl_media",
];

/// Slack's rules: `POST` JSON to the webhook's own path; a message with `text` (required as the
/// notification text even with blocks); answered `200 ok`, or `404 no_service` for an unknown
/// webhook and `400 invalid_payload` / `no_text` for a bad body. Beyond what Slack checks, the
/// stand-in refuses mrkdwn that is not escaped (`&`, `<`, `>` outside a `<https://…|label>` link)
/// and any mention (`<!channel>`, `<@U…>`): a lead pings no one.
fn slack(received: &mut Received, path: &str) -> Response {
    if received.path_and_query != path {
        received
            .problems
            .push(format!("unknown webhook {}", received.path_and_query));
        return plain(404, "no_service");
    }
    if received.method != "POST" {
        received
            .problems
            .push(format!("method {}", received.method));
        return plain(405, "invalid_method");
    }
    let content_type = received.header("content-type").unwrap_or("").to_owned();
    if content_type != "application/json" && content_type != "application/json; charset=utf-8" {
        received
            .problems
            .push(format!("content type `{content_type}`"));
        return plain(400, "invalid_payload");
    }
    let body: serde_json::Value = match serde_json::from_slice(&received.body) {
        Ok(body) => body,
        Err(error) => {
            received.problems.push(format!("body is not JSON: {error}"));
            return plain(400, "invalid_payload");
        }
    };
    let Some(message) = body.as_object() else {
        received.problems.push("body is not a JSON object".into());
        return plain(400, "invalid_payload");
    };
    for key in message.keys() {
        if !SLACK_MESSAGE_KEYS.contains(&key.as_str()) {
            received
                .problems
                .push(format!("unknown message key `{key}`"));
        }
    }
    match message.get("text").and_then(serde_json::Value::as_str) {
        None | Some("") => {
            received.problems.push("no text".into());
            return plain(400, "no_text");
        }
        Some(text) => {
            let problems = slack_mrkdwn_problems(text);
            received.problems.extend(problems);
        }
    }
    if !received.problems.is_empty() {
        return plain(400, "invalid_payload");
    }
    let mut response = plain(200, "ok");
    response
        .headers_mut()
        .insert("content-type", "text/html".parse().expect("header"));
    response
}

/// What is wrong with `text` as escaped mrkdwn holding only `<http…|label>` links.
pub fn slack_mrkdwn_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>']) {
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix('&') {
            if !["amp;", "lt;", "gt;"].iter().any(|e| after.starts_with(e)) {
                problems.push(format!(
                    "unescaped `&` at `{}`",
                    tail.chars().take(20).collect::<String>()
                ));
            }
            rest = after;
        } else if let Some(after) = tail.strip_prefix('>') {
            problems.push("unescaped `>`".into());
            rest = after;
        } else {
            let Some(end) = tail.find('>') else {
                problems.push("unescaped `<`".into());
                break;
            };
            let inside = &tail[1..end];
            let target = inside.split('|').next().unwrap_or("");
            if inside.starts_with(['!', '@', '#']) {
                problems.push(format!("a mention `<{inside}>`"));
            } else if !(target.starts_with("https://") || target.starts_with("http://"))
                || inside.matches('|').count() > 1
                || inside.contains('<')
            {
                problems.push(format!("unescaped `<` or a bad link `<{inside}>`"));
            }
            rest = &tail[end + 1..];
        }
    }
    problems
}

/// The links (`<url|label>`) in a Slack message's text, as `(url, label)`.
pub fn slack_links(text: &str) -> Vec<(String, String)> {
    text.split('<')
        .skip(1)
        .filter_map(|part| part.split_once('>'))
        .filter_map(|(inside, _)| inside.split_once('|'))
        .map(|(url, label)| (url.to_owned(), label.to_owned()))
        .collect()
}
