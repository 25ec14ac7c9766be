//! A real handler for tests: started in-process on a loopback port, with a temp SQLite file (or a
//! throwaway PostgreSQL database) and a temp forms folder, spoken to over real HTTP.
#![allow(dead_code)] // each test file uses a different part of this module

pub mod fixtures;
pub mod process;

use leadform_intake::forms::FormRegistry;
use leadform_intake::server::{self, RunningServer, ServerOptions};
use leadform_store::{Store, StoredLead};
use leadform_testdb::{postgres_admin_url, ScratchDatabase};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
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
            scoring: Default::default(),
        }
    }
}

pub struct TestHandler {
    pub base_url: String,
    /// The SQLite path or the PostgreSQL URL, as `--db` would take it.
    pub db: String,
    pub store: Arc<Store>,
    pub client: reqwest::Client,
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
        let server = server::start(ServerOptions {
            forms,
            store: store.clone(),
            addr: "127.0.0.1:0".parse().expect("addr"),
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

    pub async fn post_lead_with(
        &self,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url("/v1/leads")).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request is answered")
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

/// `leadform_vid=...` from a `Set-Cookie` value, ready for a `Cookie` header.
pub fn visitor_cookie(response: &reqwest::Response) -> Option<String> {
    set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with("leadform_vid="))
        .and_then(|c| c.split(';').next().map(str::to_owned))
}
