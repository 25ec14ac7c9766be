//! Issue 9's refusals in headless Chromium: a logged-out visitor is sent to the login page, a
//! wrong password and an unknown name get the one generic message, a status change whose CSRF
//! token was removed from the form is refused (and changes nothing), and a user removed with
//! `leadform-intake user remove` while logged in is sent to the login page on the next page.
//! axe-core checks the refusal page.

use anyhow::{ensure, Result};
use fantoccini::Locator;
use leadform_e2e::axe::{assert_accessible, axe_script};
use leadform_e2e::{lead_json, poll, Browser, E2eEnv, Handler};

const PASSWORD: &str = "refusals e2e passphrase";

/// One contact request, posted as the widget would after a person's pause.
async fn submit_contact_request(handler: &Handler, client: &reqwest::Client) -> Result<()> {
    let definition: serde_json::Value = client
        .get(format!("{}/v1/forms/contact-us", handler.base_url()))
        .header("Origin", handler.base_url())
        .send()
        .await?
        .json()
        .await?;
    let fields = [
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("email", "grace@navy.example"),
        ("company", "US Navy"),
        ("topic", "pricing"),
        ("message", "Please call me about pricing."),
    ];
    let page = format!("{}/contact.html", handler.base_url());
    let mut lead = lead_json("contact-us", &fields, &page);
    lead["form_token"] = definition["form_token"].clone();
    tokio::time::sleep(handler.min_fill("contact-us")? + std::time::Duration::from_millis(200))
        .await;
    let response = client
        .post(format!("{}/v1/leads", handler.base_url()))
        .header("Origin", handler.base_url())
        .json(&lead)
        .send()
        .await?;
    ensure!(
        response.status() == 201,
        "lead not accepted: {}",
        response.text().await?
    );
    Ok(())
}

async fn log_in(browser: &Browser, base: &str, name: &str, password: &str) -> Result<()> {
    browser.goto(&format!("{base}/console/login")).await?;
    browser
        .client
        .find(Locator::Id("name"))
        .await?
        .send_keys(name)
        .await?;
    browser
        .client
        .find(Locator::Id("password"))
        .await?
        .send_keys(password)
        .await?;
    browser
        .client
        .find(Locator::Css("form.stack button"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn failed_login_message(browser: &Browser) -> Result<String> {
    poll::until("the failed-login message", || async {
        Ok(
            match browser.client.find(Locator::Css("[role=alert]")).await {
                Ok(alert) => Some(alert.text().await?),
                Err(_) => None,
            },
        )
    })
    .await
}

async fn current_path(browser: &Browser) -> Result<String> {
    Ok(browser.client.current_url().await?.path().to_owned())
}

#[tokio::test]
async fn the_console_refuses_strangers_forged_posts_and_removed_users() -> Result<()> {
    let Some(env) = E2eEnv::from_env("console_refusals") else {
        return Ok(());
    };
    let Some(axe) = axe_script("console_refusals")? else {
        return Ok(());
    };
    let handler = Handler::config(&env)
        .console_user("ada", "admin", PASSWORD)
        .console_user("bob", "member", PASSWORD)
        .start()
        .await?;
    let base = handler.base_url().to_owned();
    submit_contact_request(&handler, &reqwest::Client::new()).await?;
    let browser = Browser::start(&env).await?;

    // A logged-out visitor asking for a lead page is sent to the login page.
    browser.goto(&format!("{base}/console/leads/1")).await?;
    let path = current_path(&browser).await?;
    ensure!(path == "/console/login", "logged out, got {path}");

    // A wrong password and an unknown name get the same one message.
    log_in(&browser, &base, "bob", "not the password at all").await?;
    let wrong_password = failed_login_message(&browser).await?;
    ensure!(
        wrong_password == "The name or password is wrong.",
        "got {wrong_password:?}"
    );
    log_in(&browser, &base, "nobody", PASSWORD).await?;
    let unknown_name = failed_login_message(&browser).await?;
    ensure!(unknown_name == wrong_password, "got {unknown_name:?}");

    // A status change whose CSRF token was taken out of the form is refused and changes nothing.
    log_in(&browser, &base, "bob", PASSWORD).await?;
    poll::until("the overview after login", || async {
        Ok((current_path(&browser).await? == "/console/").then_some(()))
    })
    .await?;
    browser.goto(&format!("{base}/console/leads/1")).await?;
    let removed = browser
        .client
        .execute(
            "const field = document.querySelector(
                 'form[action=\"/console/leads/1/status\"] input[name=csrf_token]');
             if (!field) { return false; }
             field.remove();
             return true;",
            Vec::new(),
        )
        .await?;
    ensure!(
        removed == serde_json::json!(true),
        "the status form's CSRF field"
    );
    browser
        .client
        .find(Locator::Css(
            "form[action=\"/console/leads/1/status\"] option[value=contacted]",
        ))
        .await?
        .click()
        .await?;
    browser
        .client
        .find(Locator::Css(
            "form[action=\"/console/leads/1/status\"] button[type=submit]",
        ))
        .await?
        .click()
        .await?;
    let heading = poll::until("the refusal page", || async {
        Ok(match browser.client.find(Locator::Css("h1")).await {
            Ok(h1) => Some(h1.text().await?).filter(|t| t == "Request refused"),
            Err(_) => None,
        })
    })
    .await?;
    ensure!(heading == "Request refused");
    let notice = browser
        .client
        .find(Locator::Css("p.notice"))
        .await?
        .text()
        .await?;
    ensure!(
        notice
            == "This form is out of date or was not sent by the console; reload the page and \
                try again.",
        "got {notice:?}"
    );
    assert_accessible(&browser, &axe, "the CSRF refusal").await?;
    browser.goto(&format!("{base}/console/leads/1")).await?;
    let page = browser.client.source().await?;
    ensure!(
        !page.contains("open → contacted"),
        "the refused change was applied"
    );

    // bob is removed from the command line while logged in: the next page sends him to log in.
    browser.goto(&format!("{base}/console/leads")).await?;
    ensure!(current_path(&browser).await? == "/console/leads");
    handler.remove_console_user("bob").await?;
    browser.goto(&format!("{base}/console/leads")).await?;
    let path = current_path(&browser).await?;
    ensure!(path == "/console/login", "a removed user got {path}");
    log_in(&browser, &base, "bob", PASSWORD).await?;
    let removed_login = failed_login_message(&browser).await?;
    ensure!(
        removed_login == "The name or password is wrong.",
        "got {removed_login:?}"
    );

    browser.close().await?;
    Ok(())
}
