//! A real handler for tests: started in-process on a loopback port, with a temp SQLite file (or a
//! throwaway PostgreSQL database) and a temp forms folder, spoken to over real HTTP.
#![allow(dead_code)] // each test file uses a different part of this module

pub mod fixtures;
pub mod process;

use leadform_intake::clock::HandlerClock;
use leadform_intake::forms::FormRegistry;
use leadform_intake::server::{self, RunningServer, ServerOptions};
use leadform_store::{Store, StoredLead};
use leadform_testdb::{postgres_admin_url, ScratchDatabase};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `LEADFORM_TEST_POSTGRES_URL` is set (else it says it skipped).
pub fn backends() -> Vec<Backend> {
    match postgres_admin_url() {
        Some(_) => vec![Backend::Sqlite, Backend::Postgres],
        None => {
            eprintln!("LEADFORM_TEST_POSTGRES_URL is not set: skipping the PostgreSQL variant");
            vec![Backend::Sqlite]
        }
    }
}

pub struct TestOptions {
    pub forms: Vec<Value>,
    pub backend: Backend,
    pub rate_limit_per_minute: u32,
    pub public_dir: Option<PathBuf>,
    pub forwarder: leadform_delivery::ForwarderConfig,
    /// `serve --public-url`, e.g. `https://forms.example.test`.
    pub public_url: Option<&'static str>,
    /// Timeouts and caps; tests of slow clients set short ones.
    pub limits: leadform_intake::serving::ServeLimits,
    /// `serve --trusted-proxy`.
    pub trusted_proxies: Vec<&'static str>,
    /// `serve --assets`: when `None`, a temp folder holding the fixture eBook's file.
    pub assets_dir: Option<PathBuf>,
    /// The forms folder's scoring.json, parsed.
    pub scoring: leadform_scoring::ScoringRules,
}

impl Default for TestOptions {
    fn default() -> Self {
        Self {
            forms: fixtures::all_forms(),
            backend: Backend::Sqlite,
            // High enough that only the rate-limit test ever meets it.
            rate_limit_per_minute: 1_000_000,
            public_dir: None,
            forwarder: leadform_delivery::ForwarderConfig::default(),
            public_url: None,
            limits: Default::default(),
            trusted_proxies: Vec::new(),
            assets_dir: None,
            scoring: Default::default(),
        }
    }
}

/// The gated file of [`fixtures::ebook_form`], as the tests' assets folder holds it.
pub const EBOOK_ASSET_BYTES: &[u8] = b"%PDF-1.4 twelve charts";

/// How long the fixture visitor spends on a form between getting its token and posting.
pub const FILL_TIME: Duration = Duration::from_secs(5);

pub struct TestHandler {
    pub base_url: String,
    /// The SQLite path or the PostgreSQL URL, as `--db` would take it.
    pub db: String,
    pub store: Arc<Store>,
    pub client: reqwest::Client,
    /// The handler's clock: tests move it forward as a visitor's time passes.
    pub clock: HandlerClock,
    server: Option<RunningServer>,
    /// The throwaway PostgreSQL database, dropped by `stop`.
    postgres_database: Option<ScratchDatabase>,
    pub dir: TempDir,
}

impl TestHandler {
    pub async fn start() -> TestHandler {
        Self::start_with(TestOptions::default()).await
    }

    pub async fn start_with(options: TestOptions) -> TestHandler {
        let dir = tempfile::tempdir().expect("temp dir");
        let forms_dir = dir.path().join("forms");
        std::fs::create_dir(&forms_dir).expect("forms dir");
        for form in &options.forms {
            let id = form["id"].as_str().expect("fixture forms have ids");
            std::fs::write(
                forms_dir.join(format!("{id}.json")),
                serde_json::to_string_pretty(form).expect("json"),
            )
            .expect("write form");
        }
        let forms = FormRegistry::load_dir(&forms_dir).expect("fixture forms are valid");
        let (db, postgres_database) = match options.backend {
            Backend::Sqlite => (dir.path().join("leads.db").display().to_string(), None),
            Backend::Postgres => {
                let database = fresh_postgres_database().await;
                (database.url.clone(), Some(database))
            }
        };
        let store = Arc::new(Store::open(&db).await.expect("open store"));
        let assets_dir = options.assets_dir.unwrap_or_else(|| {
            let assets = dir.path().join("assets");
            std::fs::create_dir(&assets).expect("assets dir");
            std::fs::write(assets.join("12-charts.pdf"), EBOOK_ASSET_BYTES).expect("asset");
            assets
        });
        let clock = HandlerClock::default();
        let server = server::start(ServerOptions {
            forms,
            store: store.clone(),
            addr: "127.0.0.1:0".parse().expect("addr"),
            admin_addr: None,
            public_dir: options.public_dir,
            rate_limit_per_minute: options.rate_limit_per_minute,
            trusted_proxies: leadform_intake::http::client_address::TrustedProxies::new(
                options
                    .trusted_proxies
                    .iter()
                    .map(|proxy| proxy.parse().expect("a valid test proxy network")),
            ),
            limits: options.limits,
            public_url: options
                .public_url
                .map(|url| url.parse().expect("a valid test public URL")),
            forwarder: options.forwarder,
            scoring: Arc::new(options.scoring),
            assets_dir: Some(assets_dir),
            signing_secret: None,
            clock: clock.clone(),
        })
        .await
        .expect("server starts");
        let base_url = format!("http://{}", server.addr);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestHandler {
            base_url,
            db,
            store,
            client,
            clock,
            server: Some(server),
            postgres_database,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `POST /v1/leads` with a JSON body and optional extra headers.
    pub async fn post_lead(&self, body: &Value) -> reqwest::Response {
        self.post_lead_with(body, &[]).await
    }

    /// Posts `body` after [`TestHandler::with_form_token`].
    pub async fn post_lead_with(
        &self,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let body = self.with_form_token(body).await;
        let mut request = self.client.post(self.url("/v1/leads")).json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request is answered")
    }

    /// `body` as the widget would post it: without a `form_token` key, it gets a token from
    /// `GET /v1/forms/{id}` and then [`FILL_TIME`] passes on the handler's clock. A body with the
    /// key (even `null`) is left as it is.
    pub async fn with_form_token(&self, body: &Value) -> Value {
        let mut body = body.clone();
        if body.get("form_token").is_none() {
            if let Some(form_id) = body["form_id"].as_str() {
                body["form_token"] = self.form_token(form_id).await;
                self.clock.advance(FILL_TIME);
            }
        }
        body
    }

    /// A fresh `form_token` from `GET /v1/forms/{form_id}`, as the widget gets it (`Null` for a
    /// form the handler does not know, so that posting still reaches the 404).
    pub async fn form_token(&self, form_id: &str) -> Value {
        let response = self
            .client
            .get(self.url(&format!("/v1/forms/{form_id}")))
            .send()
            .await
            .expect("the form is answered");
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Value::Null;
        }
        let definition: Value = response.json().await.expect("a JSON definition");
        let token = definition["form_token"].clone();
        assert!(
            token.is_string(),
            "GET /v1/forms/{form_id} has a form_token"
        );
        token
    }

    /// Every stored lead, read through a fresh `Store::open` of the same database, so what is
    /// seen is what was committed, not what one connection happens to hold.
    pub async fn stored_leads(&self) -> Vec<StoredLead> {
        let fresh = Store::open(&self.db).await.expect("reopen store");
        let leads = fresh.export_leads().await.expect("export");
        fresh.close().await;
        leads
    }

    /// Stops the server only (as SIGTERM does), keeping the database for checks afterwards.
    pub async fn shutdown_server(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        self.store.close().await;
        if let Some(database) = self.postgres_database.take() {
            database.drop_database().await;
        }
    }
}

/// A new database on the server of `LEADFORM_TEST_POSTGRES_URL`; only called for
/// [`Backend::Postgres`], which [`backends`] offers only when that is set.
async fn fresh_postgres_database() -> ScratchDatabase {
    let admin_url = postgres_admin_url().expect("LEADFORM_TEST_POSTGRES_URL is set");
    ScratchDatabase::create(&admin_url).await
}

/// The `Set-Cookie` header values of a response.
pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// The visitor cookie (`leadform_vid=...` or, when Secure, `__Host-leadform_vid=...`) from a
/// `Set-Cookie` value, ready for a `Cookie` header.
pub fn visitor_cookie(response: &reqwest::Response) -> Option<String> {
    set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with("leadform_vid=") || c.starts_with("__Host-leadform_vid="))
        .and_then(|c| c.split(';').next().map(str::to_owned))
}

/// The visitor id inside a visitor cookie (`leadform_vid={id}.{signature}`).
pub fn visitor_id_of(cookie: &str) -> &str {
    let value = cookie.split_once('=').map_or("", |(_, value)| value);
    value.split('.').next().unwrap_or_default()
}
