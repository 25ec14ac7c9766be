//! The instant form: the loader shows the handler's first markup before the wasm arrives, and the
//! widget takes it over without losing anything. The wasm is held back by a loopback proxy in
//! front of the handler until the test has typed (or submitted), then let through.

use crate::support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::gated_content_and_profiling::{
    handler_profile_for, leads_of, visitor_id_in, VISITOR_COOKIE,
};
use anyhow::{ensure, Context, Result};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Router;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use leadform_e2e::page_probe::{
    cookie, local_storage_keys, page_markup, wait_for_asked_fields, wait_in_widget, STORAGE_PREFIX,
};
use leadform_e2e::{
    devtools, find_by_email, free_port, host_site, host_site::HostSite, Browser, E2eEnv, Handler,
};
use serde_json::{json, Value};
use support::{answers, submit_and_find_lead, FORM_ID};
use tokio::sync::watch;

const EBOOK_ID: &str = "ebook-12-charts";

/// Forwards every request to the handler, but answers `.wasm` requests only once opened.
struct WasmGate {
    upstream: String,
    client: reqwest::Client,
    open: watch::Sender<bool>,
    /// Answers the first markup without `profile`, as a handler from before it did.
    strip_profile: AtomicBool,
    /// Refuses the loader's own fetch of the stylesheet (CORS mode, so it carries `Origin`),
    /// as a cache with the wrong CORS answer or a `connect-src` naming only the API would;
    /// a plain `<link>` (no `Origin`) still gets it.
    refuse_fetched_stylesheets: AtomicBool,
    /// Holds `DELETE /v1/profile` (the handler forgetting the visitor) until opened, and says
    /// when one has arrived: the window in which the widget waits before it swaps.
    forget_open: watch::Sender<bool>,
    forget_arrived: watch::Sender<bool>,
    /// Holds the first markup (`GET /v1/forms/{id}/embed`) until opened.
    first_markup_open: watch::Sender<bool>,
    /// Answers `.wasm` requests (once opened) with an error: the widget cannot load.
    refuse_wasm: AtomicBool,
}

/// The proxy's base URL (what the page loads `leadform.js` from) and its gate.
struct GatedHandler {
    base: String,
    gate: Arc<WasmGate>,
    server: tokio::task::JoinHandle<()>,
}

impl GatedHandler {
    async fn start(upstream: &str) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let gate = Arc::new(WasmGate {
            upstream: upstream.to_owned(),
            client: reqwest::Client::new(),
            open: watch::channel(false).0,
            strip_profile: AtomicBool::new(false),
            refuse_fetched_stylesheets: AtomicBool::new(false),
            forget_open: watch::channel(true).0,
            forget_arrived: watch::channel(false).0,
            first_markup_open: watch::channel(true).0,
            refuse_wasm: AtomicBool::new(false),
        });
        let app = Router::new().fallback(forward).with_state(gate.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(GatedHandler { base, gate, server })
    }

    fn release_wasm(&self) {
        self.gate.open.send_replace(true);
    }
}

impl Drop for GatedHandler {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(gate): State<Arc<WasmGate>>, request: Request) -> Response {
    match try_forward(&gate, request).await {
        Ok(response) => response,
        Err(err) => (
            axum::http::StatusCode::BAD_GATEWAY,
            format!("test proxy: {err:#}"),
        )
            .into_response(),
    }
}

async fn try_forward(gate: &WasmGate, request: Request) -> Result<Response> {
    if request.uri().path().ends_with(".wasm") {
        let mut open = gate.open.subscribe();
        open.wait_for(|open| *open).await?;
        if gate.refuse_wasm.load(Ordering::SeqCst) {
            return Ok((
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "test proxy: the wasm is refused",
            )
                .into_response());
        }
    }
    if request.uri().path().ends_with("/embed") {
        let mut open = gate.first_markup_open.subscribe();
        open.wait_for(|open| *open).await?;
    }
    if request.method() == axum::http::Method::DELETE && request.uri().path() == "/v1/profile" {
        gate.forget_arrived.send_replace(true);
        let mut open = gate.forget_open.subscribe();
        open.wait_for(|open| *open).await?;
    }
    if gate.refuse_fetched_stylesheets.load(Ordering::SeqCst)
        && request.uri().path().ends_with(".css")
        && request.headers().contains_key(header::ORIGIN)
    {
        return Ok((
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "refused by the test",
        )
            .into_response());
    }
    let target = format!(
        "{}{}",
        gate.upstream,
        request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let strip =
        gate.strip_profile.load(Ordering::SeqCst) && request.uri().path().ends_with("/embed");
    let method = request.method().clone();
    let mut headers = request.headers().clone();
    headers.remove(header::HOST);
    if strip {
        // Plain JSON, so the proxy can take `profile` out.
        headers.remove(header::ACCEPT_ENCODING);
    }
    let body = axum::body::to_bytes(request.into_body(), 1 << 20).await?;
    let answer = gate
        .client
        .request(method, target)
        .headers(headers)
        .body(body)
        .send()
        .await?;
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if strip && name == header::CONTENT_LENGTH {
            continue;
        }
        response = response.header(name, value);
    }
    let mut body = answer.bytes().await?.to_vec();
    if strip {
        let mut first_markup: Value = serde_json::from_slice(&body)?;
        if let Some(fields) = first_markup.as_object_mut() {
            fields.remove("profile");
        }
        body = serde_json::to_vec(&first_markup)?;
    }
    Ok(response.body(Body::from(body))?)
}

/// Records the widget's events and every layout shift, before any page script runs.
async fn record_page(browser: &Browser) -> Result<()> {
    let source = r#"(() => {
  if (window.top !== window) return;
  window.leadformEvents = [];
  window.layoutShifts = [];
  window.cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) =>
    window.cspViolations.push(event.violatedDirective + " " + event.blockedURI));
  for (const type of ["leadform:ready", "leadform:submit", "leadform:success", "leadform:error"]) {
    document.addEventListener(type, (event) => window.leadformEvents.push({ type, detail: event.detail }));
  }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.layoutShifts.push(entry.value);
  }).observe({ type: "layout-shift", buffered: true });
})();"#;
    devtools::call(
        browser,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": source }),
    )
    .await?;
    Ok(())
}

/// The page's own view of one container: its form count, pending roots, focus and values.
async fn inspect(browser: &Browser, form_id: &str) -> Result<Value> {
    let script = r#"
const root = document.querySelector(`[data-leadform="${arguments[0]}"]`).shadowRoot;
const active = root.activeElement;
const values = {};
for (const control of root.querySelectorAll("input[name], select[name], textarea[name]")) {
  values[control.name] = control.type === "checkbox" ? String(control.checked) : control.value;
}
const ids = [...root.querySelectorAll("[id]")].map((e) => e.id);
return {
  forms: root.querySelectorAll("form").length,
  pending: root.querySelectorAll(".leadform-root-pending").length,
  focused: active ? active.name : null,
  caret: active && active.selectionStart !== undefined ? active.selectionStart : null,
  values,
  duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
  firstId: ids[0] || null,
};"#;
    browser
        .client
        .execute(script, vec![json!(form_id)])
        .await
        .context("inspecting the container")
}

async fn layout_shift(browser: &Browser) -> Result<f64> {
    let shifts = browser
        .client
        .execute(
            "return window.layoutShifts.reduce((a, b) => a + b, 0);",
            Vec::new(),
        )
        .await?;
    Ok(shifts.as_f64().unwrap_or(f64::NAN))
}

/// Drops the shifts recorded so far: the form appearing in place of the container's own content
/// moves the page once, as any embed does; what counts here is the takeover after it.
async fn forget_layout_shifts(browser: &Browser) -> Result<()> {
    browser
        .client
        .execute("window.layoutShifts.length = 0;", Vec::new())
        .await?;
    Ok(())
}

/// Presses and releases each key in turn on whatever element has focus.
async fn press_keys(browser: &Browser, keys: &[char]) -> Result<()> {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for key in keys {
        actions = actions
            .then(KeyAction::Down { value: *key })
            .then(KeyAction::Up { value: *key });
    }
    browser.client.perform_actions(actions).await?;
    Ok(())
}

async fn ready_events(browser: &Browser) -> Result<usize> {
    let events = browser.events().await?;
    Ok(events
        .iter()
        .filter(|e| e["type"] == "leadform:ready")
        .count())
}

/// Waits until `count` widgets announced `leadform:ready` (they took over).
async fn wait_for_takeovers(browser: &Browser, count: usize) -> Result<()> {
    leadform_e2e::poll::until(&format!("{count} takeover(s)"), || async {
        Ok((ready_events(browser).await? >= count).then_some(()))
    })
    .await
}

struct Setup {
    handler: Handler,
    gated: GatedHandler,
    site: HostSite,
    browser: Browser,
}

async fn setup(env: &E2eEnv, body: impl Fn(&str) -> String) -> Result<Setup> {
    setup_with_gate(env, body, |_| {}).await
}

/// [`setup`], with the proxy's gate set by `gate` before the page is opened.
async fn setup_with_gate(
    env: &E2eEnv,
    body: impl Fn(&str) -> String,
    gate: impl FnOnce(&WasmGate),
) -> Result<Setup> {
    // Proxy, then the site (its page names the proxy), then the handler (it lists the site).
    let port = free_port()?;
    let gated = GatedHandler::start(&format!("http://127.0.0.1:{port}")).await?;
    gate(&gated.gate);
    let page = host_site::page("Instant form", &gated.base, &body(&gated.base));
    let site = HostSite::start(vec![("/".to_owned(), page)]).await?;
    let handler = Handler::config(env)
        .port(port)
        .allow_origin(site.origin())
        .start()
        .await?;
    let browser = Browser::start(env).await?;
    record_page(&browser).await?;
    browser.goto(&site.url("/")).await?;
    Ok(Setup {
        handler,
        gated,
        site,
        browser,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_before_the_takeover_keeps_values_focus_and_caret_and_nothing_moves() -> Result<()> {
    let Some(env) = E2eEnv::from_env(
        "typing_before_the_takeover_keeps_values_focus_and_caret_and_nothing_moves",
    ) else {
        return Ok(());
    };
    let setup = setup(&env, |base| host_site::embed(base, FORM_ID, &[])).await?;
    let browser = &setup.browser;

    // The form is there and usable while the wasm is still held back.
    let widget = browser.shown_form(FORM_ID).await?;
    widget.type_into("first_name", "Ada").await?;
    widget.fill("topic", "demo").await?;
    widget.type_into("company", "Analytical Engines").await?;
    // The caret goes back three characters, inside the word.
    press_keys(browser, &[char::from(Key::Left); 3]).await?;
    ensure!(
        ready_events(browser).await? == 0,
        "the widget took over although the wasm was held back"
    );
    let before = inspect(browser, FORM_ID).await?;
    ensure!(before["focused"] == "company", "{before:#}");
    ensure!(before["caret"] == 15, "{before:#}");

    forget_layout_shifts(browser).await?;
    setup.gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;
    let after = inspect(browser, FORM_ID).await?;
    ensure!(after["forms"] == 1 && after["pending"] == 0, "{after:#}");
    ensure!(after["values"]["first_name"] == "Ada", "{after:#}");
    ensure!(after["values"]["topic"] == "demo", "{after:#}");
    ensure!(
        after["values"]["company"] == "Analytical Engines",
        "{after:#}"
    );
    ensure!(after["focused"] == "company", "focus lost: {after:#}");
    ensure!(after["caret"] == 15, "caret moved: {after:#}");

    // Typing goes on where the caret was, into the widget's own field now. (Keys go to the
    // focused element, as a visitor's do; WebDriver's element typing would move the caret.)
    let widget = browser.widget(FORM_ID).await?;
    press_keys(browser, &['X']).await?;
    let value = widget.field("company").await?.prop("value").await?;
    ensure!(
        value.as_deref() == Some("Analytical EngiXnes"),
        "typed after the takeover: {value:?}"
    );
    let shift = layout_shift(browser).await?;
    ensure!(
        shift == 0.0,
        "the takeover moved the page: layout shift {shift}"
    );

    // What was typed before the takeover reaches the stored lead.
    let email = "caret@example.com";
    widget
        .fill_all(&[
            ("last_name", "Lovelace"),
            ("email", email),
            ("message", "Typed before the wasm arrived"),
        ])
        .await?;
    let lead = submit_and_find_lead(&setup.handler, &widget, email).await?;
    ensure!(lead["fields"]["first_name"] == "Ada", "{lead:#}");
    ensure!(
        lead["fields"]["company"] == "Analytical EngiXnes",
        "{lead:#}"
    );
    ensure!(lead["fields"]["topic"] == "demo", "{lead:#}");
    drop(setup.site);
    setup.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_before_the_takeover_is_held_and_stored_once() -> Result<()> {
    let Some(env) = E2eEnv::from_env("a_submit_before_the_takeover_is_held_and_stored_once") else {
        return Ok(());
    };
    let setup = setup(&env, |base| host_site::embed(base, FORM_ID, &[])).await?;
    let browser = &setup.browser;
    let widget = browser.shown_form(FORM_ID).await?;
    let email = "held@example.com";
    widget.fill_all(&answers(email)).await?;
    widget
        .wait_past_min_fill(setup.handler.min_fill(FORM_ID)?)
        .await;
    widget.submit().await?;
    // A second press while held must not make a second lead either.
    widget.submit().await?;
    ensure!(
        setup.handler.leads().await?.is_empty(),
        "stored before the widget took over"
    );

    setup.gated.release_wasm();
    // The widget sends the held submit as it takes over: the next thing shown is its answer.
    browser.wait_for_event("leadform:success").await?;
    let leads = setup.handler.leads().await?;
    let matching = find_by_email(&leads, email);
    ensure!(matching.len() == 1, "expected one lead: {leads:#?}");
    ensure!(matching[0]["fields"]["first_name"] == "Ada");
    ensure!(matching[0]["fields"]["message"] == "Hello from the end-to-end tests");
    ensure!(
        matching[0]["is_spam"] == false,
        "the fill time must count from when the form was shown: {:#}",
        matching[0]
    );
    drop(setup.site);
    setup.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_forms_on_one_page_are_both_taken_over_with_their_own_values() -> Result<()> {
    let Some(env) =
        E2eEnv::from_env("two_forms_on_one_page_are_both_taken_over_with_their_own_values")
    else {
        return Ok(());
    };
    let setup = setup(&env, |base| {
        [
            host_site::embed(base, FORM_ID, &[]),
            host_site::embed(base, EBOOK_ID, &[]),
        ]
        .concat()
    })
    .await?;
    let browser = &setup.browser;
    let contact = browser.shown_form(FORM_ID).await?;
    let ebook = browser.shown_form(EBOOK_ID).await?;
    contact.type_into("email", "contact@example.com").await?;
    ebook.type_into("email", "reader@example.com").await?;

    forget_layout_shifts(browser).await?;
    setup.gated.release_wasm();
    wait_for_takeovers(browser, 2).await?;
    let contact_after = inspect(browser, FORM_ID).await?;
    let ebook_after = inspect(browser, EBOOK_ID).await?;
    ensure!(
        contact_after["values"]["email"] == "contact@example.com",
        "{contact_after:#}"
    );
    ensure!(
        ebook_after["values"]["email"] == "reader@example.com",
        "{ebook_after:#}"
    );
    for after in [&contact_after, &ebook_after] {
        ensure!(after["forms"] == 1 && after["pending"] == 0, "{after:#}");
        ensure!(after["duplicateIds"] == json!([]), "{after:#}");
    }
    // Each mount has its own id prefix, so labels never point into the other form.
    ensure!(contact_after["firstId"] != ebook_after["firstId"]);
    let shift = layout_shift(browser).await?;
    ensure!(
        shift == 0.0,
        "the takeovers moved the page: layout shift {shift}"
    );
    drop(setup.site);
    setup.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_csp_with_trusted_types_refuses_nothing() -> Result<()> {
    let Some(env) = E2eEnv::from_env("a_strict_csp_with_trusted_types_refuses_nothing") else {
        return Ok(());
    };
    let port = free_port()?;
    let gated = GatedHandler::start(&format!("http://127.0.0.1:{port}")).await?;
    gated.release_wasm();
    let base = &gated.base;
    // What the README asks a host to allow, and nothing more: no 'unsafe-inline', no
    // 'unsafe-eval', Trusted Types enforced with only the loader's named policy allowed.
    let csp = format!(
        "default-src 'none'; script-src {base} 'wasm-unsafe-eval'; style-src {base}; \
         connect-src {base}; require-trusted-types-for 'script'; trusted-types leadform"
    );
    let page = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>A strict host</title>
</head>
<body>
{embed}
<script src="{base}/leadform.js" defer></script>
</body>
</html>
"#,
        embed = host_site::embed(base, FORM_ID, &[])
    );
    let site = HostSite::start(vec![("/".to_owned(), page)]).await?;
    let _handler = Handler::config(&env)
        .port(port)
        .allow_origin(site.origin())
        .start()
        .await?;
    let browser = Browser::start(&env).await?;
    record_page(&browser).await?;
    browser.goto(&site.url("/")).await?;
    wait_for_takeovers(&browser, 1).await?;
    let widget = browser.widget(FORM_ID).await?;
    widget.type_into("email", "strict@example.com").await?;
    let after = inspect(&browser, FORM_ID).await?;
    ensure!(after["forms"] == 1 && after["pending"] == 0, "{after:#}");
    ensure!(
        after["values"]["email"] == "strict@example.com",
        "{after:#}"
    );
    let violations = browser
        .client
        .execute("return window.cspViolations;", Vec::new())
        .await?;
    ensure!(violations == json!([]), "the policy refused: {violations}");
    browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_glue_downloads_next_to_the_first_markup_not_after_it() -> Result<()> {
    let Some(env) = E2eEnv::from_env("the_glue_downloads_next_to_the_first_markup_not_after_it")
    else {
        return Ok(());
    };
    let setup = setup_with_gate(
        &env,
        |base| host_site::embed(base, FORM_ID, &[]),
        |gate| {
            gate.first_markup_open.send_replace(false);
        },
    )
    .await?;
    let (browser, gated) = (&setup.browser, &setup.gated);
    // The first markup is held: the glue (a module preload) has come all the same.
    let glue = leadform_e2e::poll::until("the glue, while the first markup is held", || async {
        let glue: Vec<String> = fetched(browser, "leadform_widget")
            .await?
            .into_iter()
            .filter(|name| name.ends_with(".js"))
            .collect();
        Ok((!glue.is_empty()).then_some(glue))
    })
    .await?;
    ensure!(
        fetched(browser, "/embed").await?.is_empty(),
        "the first markup was not held: {glue:?}"
    );
    gated.gate.first_markup_open.send_replace(true);
    gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;
    // Preloaded, then imported: one request for the glue, not two.
    let requests = fetched(browser, "leadform_widget").await?;
    let glue_requests = requests.iter().filter(|name| name.ends_with(".js")).count();
    ensure!(
        glue_requests == 1,
        "the glue was fetched {glue_requests} times: {requests:?}"
    );
    drop(setup.site);
    setup.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stylesheet_the_loader_cannot_fetch_comes_as_a_link_and_the_form_still_shows(
) -> Result<()> {
    let Some(env) = E2eEnv::from_env(
        "a_stylesheet_the_loader_cannot_fetch_comes_as_a_link_and_the_form_still_shows",
    ) else {
        return Ok(());
    };
    let setup = setup_with_gate(
        &env,
        |base| host_site::embed(base, FORM_ID, &[]),
        |gate| {
            gate.refuse_fetched_stylesheets
                .store(true, Ordering::SeqCst)
        },
    )
    .await?;
    let (browser, gated) = (&setup.browser, &setup.gated);
    // The wasm is held back: what shows is the loader's own work.
    let style = leadform_e2e::poll::until("the first markup, styled", || async {
        let style = browser
            .client
            .execute(
                r#"const root = document.querySelector(`[data-leadform="${arguments[0]}"]`).shadowRoot;
const shown = root && root.querySelector(".leadform-root-instant form");
return shown ? getComputedStyle(root.querySelector(".leadform-root")).boxSizing : null;"#,
                vec![json!(FORM_ID)],
            )
            .await?;
        Ok(style
            .as_str()
            .filter(|style| *style == "border-box")
            .map(str::to_owned))
    })
    .await?;
    ensure!(style == "border-box", "the stylesheet applies: {style}");
    gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;
    let widget = browser.widget(FORM_ID).await?;
    widget.type_into("email", "linked@example.com").await?;
    let after = inspect(browser, FORM_ID).await?;
    ensure!(
        after["forms"] == 1 && after["values"]["email"] == "linked@example.com",
        "{after:#}"
    );
    drop(setup.site);
    setup.browser.close().await
}

/// The resources the page fetched whose URL contains `part` (its performance entries).
async fn fetched(browser: &Browser, part: &str) -> Result<Vec<String>> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)
               .filter(n => n.includes(arguments[0]));",
            vec![json!(part)],
        )
        .await?;
    Ok(serde_json::from_value(names)?)
}

/// Runs axe-core (`LEADFORM_AXE`) on the open page, the form's open shadow root included; here a
/// missing `LEADFORM_AXE` is an error, not a skip.
async fn assert_accessible(browser: &Browser, state: &str) -> Result<()> {
    let path = std::env::var_os("LEADFORM_AXE").context("LEADFORM_AXE (run `cargo xtask test`)")?;
    let axe = std::fs::read_to_string(path)?;
    leadform_e2e::axe::assert_accessible(browser, &axe, state).await
}

/// The first visit: a fresh visitor downloads the eBook, answering the first two pool questions.
async fn first_ebook_download(setup: &Setup) -> Result<()> {
    let browser = &setup.browser;
    setup.gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;
    let widget = browser.widget(EBOOK_ID).await?;
    widget
        .fill_all(&[
            ("email", "returning@example.com"),
            ("first_name", "Ada"),
            ("company", "Analytical Engines"),
            ("job_title", "Head of Analytics"),
        ])
        .await?;
    widget
        .wait_past_min_fill(setup.handler.min_fill(EBOOK_ID)?)
        .await;
    widget.submit().await?;
    widget.wait_for_success().await?;
    Ok(())
}

/// The next visit, with the wasm held back (and not from the cache) so the first markup is what
/// the visitor sees and uses until the takeover: what it shows.
async fn next_visit_with_the_wasm_held_back(setup: &Setup) -> Result<Value> {
    let browser = &setup.browser;
    devtools::call(browser, "Network.enable", json!({})).await?;
    devtools::call(
        browser,
        "Network.setCacheDisabled",
        json!({ "cacheDisabled": true }),
    )
    .await?;
    setup.gated.gate.open.send_replace(false);
    browser.goto(&setup.site.url("/")).await?;
    browser.shown_form(EBOOK_ID).await?;
    ensure!(
        ready_events(browser).await? == 0,
        "took over with the wasm held back"
    );
    inspect(browser, EBOOK_ID).await
}

async fn greeting(browser: &Browser) -> Result<Value> {
    Ok(browser
        .client
        .execute(
            "const g = document.querySelector(`[data-leadform='${arguments[0]}']`).shadowRoot
               .querySelector('.leadform-greeting'); return g && g.textContent;",
            vec![json!(EBOOK_ID)],
        )
        .await?)
}

/// A page axe can judge as a whole: one main landmark, one h1.
fn ebook_page(base: &str) -> String {
    format!(
        "<main><h1>Brightchart</h1>{}</main>",
        host_site::embed(base, EBOOK_ID, &[])
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_visitor_sees_their_questions_at_once_and_the_takeover_asks_nothing_more(
) -> Result<()> {
    let test =
        "a_returning_visitor_sees_their_questions_at_once_and_the_takeover_asks_nothing_more";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let setup = setup(&env, ebook_page).await?;
    let browser = &setup.browser;
    first_ebook_download(&setup).await?;
    let shown = next_visit_with_the_wasm_held_back(&setup).await?;
    // The returning visitor's view, in the first markup: the next pool questions, prefilled.
    let mut asked: Vec<&String> = shown["values"]
        .as_object()
        .context("values")?
        .keys()
        .filter(|name| *name != "leadform_website")
        .collect();
    asked.sort();
    ensure!(
        asked == ["country", "email", "first_name", "phone"],
        "the first markup asks {asked:?}: {shown:#}"
    );
    ensure!(
        shown["values"]["email"] == "returning@example.com",
        "{shown:#}"
    );
    ensure!(shown["values"]["first_name"] == "Ada", "{shown:#}");
    let greeted = greeting(browser).await?;
    ensure!(
        greeted == "Welcome back, Ada",
        "greeting in the first markup: {greeted}"
    );
    assert_accessible(browser, "the returning visitor's first markup").await?;

    forget_layout_shifts(browser).await?;
    setup.gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;
    let after = inspect(browser, EBOOK_ID).await?;
    ensure!(after["forms"] == 1 && after["pending"] == 0, "{after:#}");
    ensure!(
        after["values"] == shown["values"],
        "the takeover changed the form: {after:#}"
    );
    let profile_requests = fetched(browser, "/v1/profile").await?;
    ensure!(
        profile_requests.is_empty(),
        "the takeover asked for the profile again: {profile_requests:?}"
    );
    let embeds = fetched(browser, "/embed").await?;
    ensure!(embeds.len() == 1, "one first markup: {embeds:?}");
    let shift = layout_shift(browser).await?;
    ensure!(
        shift == 0.0,
        "the takeover moved the page: layout shift {shift}"
    );
    assert_accessible(browser, "after the takeover").await?;
    drop(setup.site);
    setup.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_markup_without_a_profile_from_an_older_handler_still_gets_one_at_takeover(
) -> Result<()> {
    let test = "a_first_markup_without_a_profile_from_an_older_handler_still_gets_one_at_takeover";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let setup = setup(&env, ebook_page).await?;
    let browser = &setup.browser;
    first_ebook_download(&setup).await?;
    setup.gated.gate.strip_profile.store(true, Ordering::SeqCst);
    let shown = next_visit_with_the_wasm_held_back(&setup).await?;
    setup.gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;
    let after = inspect(browser, EBOOK_ID).await?;
    // The widget asked, and so shows the returning visitor's view the markup showed.
    let profile_requests = fetched(browser, "/v1/profile").await?;
    ensure!(
        profile_requests.len() == 1,
        "expected one GET /v1/profile: {profile_requests:?}"
    );
    ensure!(
        after["values"] == shown["values"],
        "the takeover changed the form: {after:#}"
    );
    let greeted = greeting(browser).await?;
    ensure!(
        greeted == "Welcome back, Ada",
        "after the takeover: {greeted}"
    );
    drop(setup.site);
    setup.browser.close().await
}

/// Clicks "Not you?" on the shown form twice (the second must change nothing) and checks that
/// the click is held: the button says it is busy, and the returning visitor's values are gone.
async fn hold_not_you(browser: &Browser, form_id: &str) -> Result<()> {
    let button = wait_in_widget(browser, form_id, ".leadform-not-you").await?;
    button.click().await?;
    button.click().await?;
    let busy = (
        button.attr("aria-busy").await?,
        button.attr("aria-disabled").await?,
    );
    ensure!(
        busy == (Some("true".to_owned()), Some("true".to_owned())),
        "a held \"Not you?\" says it is busy: {busy:?}"
    );
    let shown = inspect(browser, form_id).await?;
    let kept: Vec<(&String, &Value)> = shown["values"]
        .as_object()
        .context("values")?
        .iter()
        .filter(|(name, value)| *name != "leadform_website" && *value != "" && *value != "false")
        .collect();
    ensure!(
        kept.is_empty(),
        "the returning visitor's values stay after \"Not you?\": {kept:?}"
    );
    Ok(())
}

/// The handler no longer knows the visitor behind `old_cookie`, and the browser forgot them
/// (`old_name`) too.
async fn assert_forgotten(
    setup: &Setup,
    form_id: &str,
    old_cookie: &str,
    old_name: &str,
) -> Result<()> {
    let browser = &setup.browser;
    let markup = page_markup(browser).await?;
    ensure!(
        !markup.contains("leadform-welcome"),
        "still greeted after \"Not you?\""
    );
    // The device keeps no profile of the old visitor (the new one's, after a lead, is theirs).
    let profile = browser
        .client
        .execute(
            "return window.localStorage.getItem(arguments[0]);",
            vec![json!(format!("{STORAGE_PREFIX}profile"))],
        )
        .await?;
    ensure!(
        !profile.to_string().contains(old_name),
        "the old visitor's profile stayed on the device: {profile}"
    );
    let handler = &setup.handler;
    leadform_e2e::poll::until("the handler to forget the visitor", || async {
        let known = handler_profile_for(handler, form_id, old_cookie).await?;
        Ok(known.is_empty().then_some(()))
    })
    .await?;
    // One DELETE for two clicks, and no GET: the first markup carried the profile.
    let profile_requests = fetched(browser, "/v1/profile").await?;
    ensure!(
        profile_requests.len() == 1,
        "expected one request to /v1/profile: {profile_requests:?}"
    );
    Ok(())
}

/// The lead of `email` belongs to a new visitor: not the one behind `old_cookie`, and not the
/// person of `old_email`.
async fn assert_a_new_visitors_lead(
    setup: &Setup,
    email: &str,
    old_email: &str,
    old_cookie: &str,
) -> Result<()> {
    let new_cookie = cookie(&setup.browser, VISITOR_COOKIE)
        .await?
        .context("a visitor cookie after the new visitor's lead")?;
    ensure!(new_cookie != old_cookie, "the visitor cookie was reused");
    let old = leads_of(&setup.handler, old_email, 1).await?.remove(0);
    let new = leads_of(&setup.handler, email, 1).await?.remove(0);
    ensure!(
        new["visitor_id"] == visitor_id_in(&new_cookie) && new["visitor_id"] != old["visitor_id"],
        "the new visitor's lead carries the old visitor: {old:#} {new:#}"
    );
    ensure!(
        new["person_id"].is_number() && new["person_id"] != old["person_id"],
        "linked to the old person: {old:#} {new:#}"
    );
    ensure!(new["first_for_person"] == true, "{new:#}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_you_before_the_takeover_is_held_and_the_widget_starts_a_new_visitor() -> Result<()> {
    let test = "not_you_before_the_takeover_is_held_and_the_widget_starts_a_new_visitor";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let setup = setup(&env, ebook_page).await?;
    let browser = &setup.browser;
    first_ebook_download(&setup).await?;
    let ada_cookie = cookie(browser, VISITOR_COOKIE)
        .await?
        .context("the handler set its visitor cookie for a stored lead")?;
    next_visit_with_the_wasm_held_back(&setup).await?;
    let greeted = greeting(browser).await?;
    ensure!(greeted == "Welcome back, Ada", "first markup: {greeted}");

    // Someone else at the same computer, before the widget has arrived.
    hold_not_you(browser, EBOOK_ID).await?;
    ensure!(
        ready_events(browser).await? == 0,
        "took over with the wasm held back"
    );
    setup.gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;

    // The full form for a new visitor, as "Not you?" after the takeover gives.
    let (asked, values) = wait_for_asked_fields(browser, EBOOK_ID).await?;
    ensure!(
        asked == ["email", "first_name", "company", "job_title"],
        "after the takeover the form asks {asked:?}"
    );
    ensure!(
        values.values().all(String::is_empty),
        "nothing may be prefilled after \"Not you?\": {values:?}"
    );
    assert_forgotten(&setup, EBOOK_ID, &ada_cookie, "Ada").await?;
    let keys = local_storage_keys(browser).await?;
    ensure!(
        !keys.contains(&format!("{STORAGE_PREFIX}profile")),
        "the profile stayed on the device: {keys:?}"
    );

    let widget = browser.widget(EBOOK_ID).await?;
    widget
        .fill_all(&[
            ("email", "grace@example.com"),
            ("first_name", "Grace"),
            ("company", "Navy"),
            ("job_title", "Rear Admiral"),
        ])
        .await?;
    widget
        .wait_past_min_fill(setup.handler.min_fill(EBOOK_ID)?)
        .await;
    widget.submit().await?;
    widget.wait_for_success().await?;
    assert_a_new_visitors_lead(
        &setup,
        "grace@example.com",
        "returning@example.com",
        &ada_cookie,
    )
    .await?;
    drop(setup.site);
    setup.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_held_after_a_held_not_you_is_sent_as_the_new_visitors() -> Result<()> {
    let test = "a_submit_held_after_a_held_not_you_is_sent_as_the_new_visitors";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    send_after_a_held_not_you(&env, SendMoment::BeforeTheWasm).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_while_the_widget_forgets_the_visitor_is_sent_as_the_new_visitors() -> Result<()> {
    let test = "a_submit_while_the_widget_forgets_the_visitor_is_sent_as_the_new_visitors";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    send_after_a_held_not_you(&env, SendMoment::WhileTheWidgetForgets).await
}

/// When the new visitor sends, after a "Not you?" held before the takeover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendMoment {
    /// The wasm is still held back: the loader holds the send.
    BeforeTheWasm,
    /// The widget has begun its takeover and waits for the handler to forget the visitor.
    WhileTheWidgetForgets,
}

async fn send_after_a_held_not_you(env: &E2eEnv, moment: SendMoment) -> Result<()> {
    let setup = setup(env, |base| host_site::embed(base, FORM_ID, &[])).await?;
    let browser = &setup.browser;
    // The first visit: Ada sends the contact form; the handler remembers her.
    setup.gated.release_wasm();
    wait_for_takeovers(browser, 1).await?;
    let widget = browser.widget(FORM_ID).await?;
    widget.fill_all(&answers("ada@example.com")).await?;
    submit_and_find_lead(&setup.handler, &widget, "ada@example.com").await?;
    let ada_cookie = cookie(browser, VISITOR_COOKIE)
        .await?
        .context("the handler set its visitor cookie for a stored lead")?;

    // The next visit, wasm held back: the first markup greets Ada with her answers prefilled.
    devtools::call(browser, "Network.enable", json!({})).await?;
    devtools::call(
        browser,
        "Network.setCacheDisabled",
        json!({ "cacheDisabled": true }),
    )
    .await?;
    setup.gated.gate.open.send_replace(false);
    browser.goto(&setup.site.url("/")).await?;
    let shown = browser.shown_form(FORM_ID).await?;
    wait_in_widget(browser, FORM_ID, ".leadform-welcome").await?;

    // Someone else says "Not you?", answers as themselves and sends, all before the takeover
    // (or while the widget, already running, waits for the handler to forget Ada).
    hold_not_you(browser, FORM_ID).await?;
    if moment == SendMoment::WhileTheWidgetForgets {
        setup.gated.gate.forget_open.send_replace(false);
        setup.gated.release_wasm();
        let mut arrived = setup.gated.gate.forget_arrived.subscribe();
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            arrived.wait_for(|arrived| *arrived),
        )
        .await
        .context("the widget never asked the handler to forget the visitor")??;
    }
    let email = "grace@example.com";
    shown
        .fill_all(&[
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("email", email),
            ("company", "Navy"),
            ("topic", "demo"),
            ("message", "Sent before the wasm arrived"),
        ])
        .await?;
    shown
        .wait_past_min_fill(setup.handler.min_fill(FORM_ID)?)
        .await;
    shown.submit().await?;
    ensure!(
        find_by_email(&setup.handler.leads().await?, email).is_empty(),
        "stored before the widget took over"
    );

    setup.gated.release_wasm();
    setup.gated.gate.forget_open.send_replace(true);
    browser.wait_for_event("leadform:success").await?;
    assert_forgotten(&setup, FORM_ID, &ada_cookie, "Ada").await?;
    assert_a_new_visitors_lead(&setup, email, "ada@example.com", &ada_cookie).await?;
    let grace = leads_of(&setup.handler, email, 1).await?.remove(0);
    ensure!(grace["fields"]["first_name"] == "Grace", "{grace:#}");
    ensure!(grace["fields"]["company"] == "Navy", "{grace:#}");
    drop(setup.site);
    setup.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_not_you_without_the_widget_forgets_the_visitor_and_shows_the_plain_full_form(
) -> Result<()> {
    let test =
        "a_held_not_you_without_the_widget_forgets_the_visitor_and_shows_the_plain_full_form";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let setup = setup(&env, ebook_page).await?;
    let browser = &setup.browser;
    first_ebook_download(&setup).await?;
    let ada_cookie = cookie(browser, VISITOR_COOKIE)
        .await?
        .context("the handler set its visitor cookie for a stored lead")?;
    next_visit_with_the_wasm_held_back(&setup).await?;
    hold_not_you(browser, EBOOK_ID).await?;

    // The wasm never arrives: the loader falls back to posting natively.
    setup.gated.gate.refuse_wasm.store(true, Ordering::SeqCst);
    setup.gated.release_wasm();
    let script = r#"
const root = document.querySelector(`[data-leadform="${arguments[0]}"]`).shadowRoot;
const frame = root.querySelector("iframe.leadform-fallback");
return frame ? { src: frame.src, forms: root.querySelectorAll("form").length } : null;"#;
    let frame = leadform_e2e::poll::until("the plain form for a new visitor", || async {
        let frame = browser
            .client
            .execute(script, vec![json!(EBOOK_ID)])
            .await?;
        Ok((!frame.is_null()).then_some(frame))
    })
    .await?;
    let expected = format!("{}/v1/forms/{EBOOK_ID}/fallback", setup.gated.base);
    ensure!(
        frame["src"] == expected.as_str() && frame["forms"] == 0,
        "the shown form is replaced by the plain full form: {frame:#}"
    );
    ensure!(
        ready_events(browser).await? == 0,
        "the widget took over after all"
    );
    let keys = local_storage_keys(browser).await?;
    ensure!(
        !keys.contains(&format!("{STORAGE_PREFIX}profile"))
            && !keys.contains(&format!("{STORAGE_PREFIX}visitor_id")),
        "the device still remembers the visitor: {keys:?}"
    );
    // The handler forgot her before the frame was shown, so its form posts without her cookie.
    let known = handler_profile_for(&setup.handler, EBOOK_ID, &ada_cookie).await?;
    ensure!(known.is_empty(), "the handler still knows Ada: {known:?}");
    let left = cookie(browser, VISITOR_COOKIE).await?;
    ensure!(
        left.as_deref() != Some(ada_cookie.as_str()),
        "the old visitor cookie is still set"
    );
    drop(setup.site);
    setup.browser.close().await
}

/// Collects what the page logs with `console.info` (the loader's hint), before any page script.
async fn record_console_info(browser: &Browser) -> Result<()> {
    let source = r#"(() => {
  if (window.top !== window) return;
  window.consoleInfo = [];
  const info = console.info.bind(console);
  console.info = (...args) => { window.consoleInfo.push(args.join(" ")); info(...args); };
})();"#;
    devtools::call(
        browser,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": source }),
    )
    .await?;
    Ok(())
}

async fn console_info(browser: &Browser) -> Result<Vec<String>> {
    let lines = browser
        .client
        .execute("return window.consoleInfo;", Vec::new())
        .await?;
    Ok(serde_json::from_value(lines)?)
}

/// The declarations of the rule the loader's hint asks for (`[data-leadform="…"] { … }`).
fn hinted_rule(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|line| {
        let rest = line.split("\"] { ").nth(1)?;
        Some(rest.strip_suffix(" }")?.to_owned())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_height_the_loader_names_reserved_nothing_under_the_form_moves() -> Result<()> {
    let test = "with_the_height_the_loader_names_reserved_nothing_under_the_form_moves";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let port = free_port()?;
    let gated = GatedHandler::start(&format!("http://127.0.0.1:{port}")).await?;
    gated.release_wasm();
    let base = &gated.base;
    let below = "<p id=\"below\">Prefer the phone? Call us on weekdays.</p>";
    let embed = host_site::embed(base, FORM_ID, &[]);
    let plain = host_site::page("Nothing reserved", base, &format!("{embed}{below}"));
    // The owner's reservation, as the hint words it. (A test page: the declarations come from
    // the query, set by a script that runs before the page is first drawn.)
    let reserving = host_site::page(
        "Height reserved",
        base,
        &format!(
            r#"{embed}<script>document.querySelector("[data-leadform]").style.cssText =
  new URLSearchParams(location.search).get("reserve");</script>{below}"#
        ),
    );
    let site = HostSite::start(vec![
        ("/".to_owned(), plain),
        ("/reserved".to_owned(), reserving),
    ])
    .await?;
    let _handler = Handler::config(&env)
        .port(port)
        .allow_origin(site.origin())
        .start()
        .await?;
    let browser = Browser::start(&env).await?;
    record_page(&browser).await?;
    record_console_info(&browser).await?;

    // Nothing reserved: the form appearing pushes the page down, and the loader says how much
    // to reserve.
    browser.goto(&site.url("/")).await?;
    wait_for_takeovers(&browser, 1).await?;
    let moved = layout_shift(&browser).await?;
    ensure!(
        moved > 0.0,
        "the unreserved page should move when the form appears"
    );
    let lines = console_info(&browser).await?;
    let rule = hinted_rule(&lines)
        .with_context(|| format!("the loader named no height to reserve: {lines:?}"))?;
    ensure!(rule.contains("min-height: "), "{rule}");

    // That reserved: the whole load, the form's arrival and the takeover, moves nothing.
    let reserve: String = rule
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'0'..=b'9' | b'-' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    browser
        .goto(&site.url(&format!("/reserved?reserve={reserve}")))
        .await?;
    wait_for_takeovers(&browser, 1).await?;
    let shift = layout_shift(&browser).await?;
    ensure!(
        shift == 0.0,
        "with `{rule}` the page still moved: layout shift {shift}"
    );
    let lines = console_info(&browser).await?;
    ensure!(
        hinted_rule(&lines).is_none(),
        "asked to reserve again although enough was reserved: {lines:?}"
    );
    drop(site);
    browser.close().await
}
