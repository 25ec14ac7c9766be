//! A real handler with the console, started in-process on loopback with a temp SQLite file (or a
//! throwaway PostgreSQL database), spoken to over real HTTP like a browser: cookies, form posts,
//! `Origin` headers. A local webhook receiver stands in for a CRM so deliveries can be seen.

use axum::routing::post;
use leadform_intake::clock::HandlerClock;
use leadform_intake::forms::FormRegistry;
use leadform_intake::server::{self, RunningServer, ServerOptions};
use leadform_store::{Store, UserRole};
use leadform_testdb::{postgres_admin_url, ScratchDatabase};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery staple";
pub const SITE_ORIGIN: &str = "http://www.example.test:8000";
const HOOK_SECRET_VARIABLE: &str = "LEADFORM_CONSOLE_TEST_HOOK_SECRET";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backends() -> Vec<Backend> {
    match postgres_admin_url() {
        Some(_) => vec![Backend::Sqlite, Backend::Postgres],
        None => {
            eprintln!("LEADFORM_TEST_POSTGRES_URL is not set: skipping the PostgreSQL variant");
            vec![Backend::Sqlite]
        }
    }
}

/// Counts the webhook posts the forwarder makes; refuses (400, a permanent failure) leads whose
/// email starts with `reject@`, so a test can have a dead delivery.
pub struct WebhookReceiver {
    pub url: String,
    pub hits: Arc<AtomicUsize>,
}

async fn start_receiver() -> WebhookReceiver {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: String| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                if body.contains("reject@") {
                    (axum::http::StatusCode::BAD_REQUEST, "rejected")
                } else {
                    (axum::http::StatusCode::OK, "ok")
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    WebhookReceiver {
        url: format!("http://{addr}/hook"),
        hits,
    }
}

fn forms(hook_url: &str) -> Vec<Value> {
    vec![
        json!({
            "id": "contact-us", "title": "Talk to our team", "kind": "contact",
            "submit_label": "Send", "success": { "message": "Thanks!" },
            "fields": [
                { "name": "first_name", "label": "First name", "kind": "text", "required": true },
                { "name": "last_name", "label": "Last name", "kind": "text" },
                { "name": "email", "label": "Work email", "kind": "email", "required": true },
                { "name": "company", "label": "Company", "kind": "text" },
                { "name": "message", "label": "Message", "kind": "textarea" },
                { "name": "topic", "label": "Topic", "kind": "select", "options": [
                    { "value": "pricing", "label": "Pricing and plans" },
                    { "value": "demo", "label": "A product demo" }
                ] },
                { "name": "newsletter", "label": "Send me the newsletter", "kind": "checkbox" },
                { "name": "form_variant", "label": "Variant", "kind": "hidden", "value": "v1" }
            ],
            "hidden": { "lead_source": "Website", "campaign_id": "701CONTACT" },
            "allowed_lead_sources": ["Website", "Webinar"],
            "allowed_campaign_ids": ["701CONTACT", "701WEBINAR"],
            "allowed_origins": [SITE_ORIGIN],
            "min_fill_seconds": 1,
            "response_target_hours": 4,
            "destinations": [ { "kind": "webhook", "url": hook_url, "secret_env": HOOK_SECRET_VARIABLE } ]
        }),
        json!({
            "id": "ebook", "title": "Get the eBook", "kind": "content_download",
            "submit_label": "Download", "success": { "message": "Ready." },
            "asset": { "title": "12 Charts", "url": "/12-charts.pdf" },
            "fields": [
                { "name": "email", "label": "Work email", "kind": "email", "required": true },
                { "name": "first_name", "label": "First name", "kind": "text", "required": true }
            ],
            "hidden": { "lead_source": "Content Download", "campaign_id": "701EBOOK" },
            "allowed_origins": [SITE_ORIGIN],
            "min_fill_seconds": 1
        }),
    ]
}

pub struct ConsoleHandler {
    /// The handler's clock: moved past the form's minimum fill time after a form token is fetched.
    pub clock: HandlerClock,
    pub base_url: String,
    pub store: Arc<Store>,
    pub client: reqwest::Client,
    pub receiver: WebhookReceiver,
    server: Option<RunningServer>,
    postgres: Option<ScratchDatabase>,
    _dir: TempDir,
}

/// A logged-in browser: its session cookie and the CSRF token the pages carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf_token: String,
}

/// The value of `name="csrf_token" value="..."` in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// `name=value` of the first `Set-Cookie` whose name is `name`.
pub fn cookie_named(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl ConsoleHandler {
    /// A handler whose database has `users` (all with [`PASSWORD`]) before it starts.
    pub async fn start(backend: Backend, users: &[(&str, UserRole)]) -> ConsoleHandler {
        // The variable only names the secret; every test uses the same value.
        std::env::set_var(HOOK_SECRET_VARIABLE, "console-test-secret");
        let dir = tempfile::tempdir().unwrap();
        let receiver = start_receiver().await;
        let forms_dir = dir.path().join("forms");
        std::fs::create_dir_all(&forms_dir).unwrap();
        for form in forms(&receiver.url) {
            let id = form["id"].as_str().unwrap().to_owned();
            std::fs::write(forms_dir.join(format!("{id}.json")), form.to_string()).unwrap();
        }
        let registry = FormRegistry::load_dir(&forms_dir).expect("test forms are valid");
        let (db, postgres) = match backend {
            Backend::Sqlite => (dir.path().join("leads.db").display().to_string(), None),
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("set");
                let database = ScratchDatabase::create(&admin).await;
                (database.url.clone(), Some(database))
            }
        };
        let store = Arc::new(Store::open(&db).await.unwrap());
        for (name, role) in users {
            store
                .add_user(name, *role, PASSWORD, "(test)", 0)
                .await
                .unwrap();
        }
        // The eBook's file in a private folder, as `serve --assets` needs it.
        let assets = dir.path().join("assets");
        std::fs::create_dir(&assets).unwrap();
        std::fs::write(assets.join("12-charts.pdf"), b"%PDF-1.4 test").unwrap();
        let clock = HandlerClock::default();
        let server = server::start(ServerOptions {
            forms: registry,
            store: store.clone(),
            addr: "127.0.0.1:0".parse().unwrap(),
            admin_addr: None,
            public_dir: None,
            rate_limit_per_minute: 1_000_000,
            trusted_proxies: Default::default(),
            limits: Default::default(),
            public_url: None,
            forwarder: leadform_delivery::ForwarderConfig::default(),
            scoring: Default::default(),
            assets_dir: Some(assets),
            signing_secret: None,
            clock: clock.clone(),
        })
        .await
        .expect("server starts");
        ConsoleHandler {
            base_url: format!("http://{}", server.addr),
            store,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            receiver,
            server: Some(server),
            clock,
            postgres,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn origin(&self) -> String {
        self.base_url.clone()
    }

    /// A lead through the real visitor API, as the widget sends it.
    pub async fn submit_lead(&self, form_id: &str, fields: Value, hidden: Value) -> i64 {
        // The widget posts back the token `GET /v1/forms/{id}` gave it; a person takes a while.
        let definition: Value = self
            .client
            .get(self.url(&format!("/v1/forms/{form_id}")))
            .header("origin", SITE_ORIGIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        self.clock.advance(Duration::from_secs(5));
        let body = json!({
            "form_token": definition["form_token"],
            "form_id": form_id,
            "submission_id": uuid::Uuid::new_v4().to_string(),
            "fields": fields,
            "hidden": hidden,
            "page_url": "http://www.example.test:8000/contact.html",
            "page_title": "Contact",
            "submitted_at": "2026-11-23T07:00:00.000Z",
            "locale": "en-GB",
            "attribution": { "first_touch": { "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "launch" } },
            "bot_check": { "honeypot": "", "fill_ms": 5000 }
        });
        let response = self
            .client
            .post(self.url("/v1/leads"))
            .header("origin", SITE_ORIGIN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let answer: Value = response.json().await.unwrap();
        answer["id"].as_i64().expect("the lead id in the answer")
    }

    /// Logs in through the login form; panics unless it succeeds.
    pub async fn login(&self, name: &str) -> Session {
        let response = self.try_login(name, PASSWORD).await;
        assert_eq!(response.status(), 303, "login of {name}");
        let cookie = cookie_named(&response, "leadform_session").expect("session cookie");
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let page = self.get("/console/leads", Some(&cookie)).await;
        let html = page.text().await.unwrap();
        Session {
            csrf_token: csrf_in(&html).expect("a CSRF token on the page"),
            cookie,
        }
    }

    /// GET the login form, then POST it like a browser (login CSRF cookie and `Origin`).
    pub async fn try_login(&self, name: &str, password: &str) -> reqwest::Response {
        let form = self.get("/console/login", None).await;
        let login_cookie = cookie_named(&form, "leadform_login_csrf").expect("login CSRF cookie");
        let login_cookie = login_cookie.split(';').next().unwrap().to_owned();
        let token = csrf_in(&form.text().await.unwrap()).expect("token in the form");
        self.client
            .post(self.url("/console/login"))
            .header("cookie", login_cookie)
            .header("origin", self.origin())
            .form(&[
                ("name", name),
                ("password", password),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }

    /// A page's HTML, asserting 200.
    pub async fn page(&self, path: &str, session: &Session) -> String {
        let response = self.get(path, Some(&session.cookie)).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// POSTs a console form as a page would: session cookie, CSRF token and own `Origin`.
    pub async fn post_form(
        &self,
        path: &str,
        session: &Session,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &session.csrf_token)];
        form.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .header("cookie", &session.cookie)
            .header("origin", self.origin())
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Waits (up to a give-up limit) until `check` holds.
    pub async fn eventually(&self, what: &str, mut check: impl AsyncFnMut() -> bool) {
        let give_up = Instant::now() + Duration::from_secs(20);
        while !check().await {
            assert!(Instant::now() < give_up, "gave up waiting: {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        self.store.close().await;
        if let Some(database) = self.postgres.take() {
            database.drop_database().await;
        }
    }
}
