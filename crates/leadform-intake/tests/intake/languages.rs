//! Every visitor in their language: the JSON 422, the no-JavaScript page, its error summary and
//! its thank-you page, over real HTTP on loopback.

use crate::support;

use reqwest::StatusCode;
use serde_json::Value;
use support::fixtures::{contact_form, contact_lead, ebook_form};
use support::{backends, Backend, TestHandler, TestOptions};

async fn get_page(handler: &TestHandler, path: &str, accept_language: Option<&str>) -> String {
    let mut request = handler.client.get(handler.url(path));
    if let Some(languages) = accept_language {
        request = request.header("Accept-Language", languages);
    }
    let response = request.send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.expect("html")
}

fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} in {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The `<input ...>` tag whose name is `name`.
fn input_tag<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let start = html[..at].rfind('<').unwrap_or(0);
    let end = at + html[at..].find('>').unwrap_or(0);
    &html[start..=end]
}

/// Posts the page's form with `fields`, as a browser would, five seconds after loading it.
async fn post_page(
    handler: &TestHandler,
    form: &str,
    page: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut posted: Vec<(String, String)> = fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    for hidden in ["leadform_submission_id", "leadform_locale", "form_token"] {
        posted.push((hidden.to_owned(), input_value(page, hidden)));
    }
    // The visitor takes five seconds, as a person does: the handler's clock moves on.
    handler.clock.advance(support::FILL_TIME);
    posted.push(("leadform_hp".to_owned(), String::new()));
    handler
        .client
        .post(handler.url(&format!("/v1/forms/{form}/fallback")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("Origin", &handler.base_url)
        .body(serde_urlencoded::to_string(&posted).expect("urlencoded"))
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn the_json_422_speaks_the_submissions_language() {
    let handler = TestHandler::start().await;
    for (locale, email_message, first_name_message) in [
        (
            "de-DE",
            "Geben Sie eine E-Mail-Adresse ein, z. B. name@firma.de",
            "Bitte füllen Sie das Feld „First name“ aus.",
        ),
        (
            "ar",
            "أدخل عنوان بريد إلكتروني مثل name@company.com",
            "يُرجى ملء حقل «First name».",
        ),
        (
            "pt-BR",
            "Enter an email address like name@company.com",
            "Enter your first name.",
        ),
    ] {
        let mut body = contact_lead("not-an-email");
        body["locale"] = Value::from(locale);
        body["fields"]["first_name"] = Value::from("");
        let response = handler.post_lead(&body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{locale}"
        );
        let answer: Value = response.json().await.expect("json");
        assert_eq!(answer["errors"]["email"]["code"], "email", "{locale}");
        assert_eq!(answer["errors"]["email"]["message"], email_message);
        assert_eq!(
            answer["errors"]["first_name"]["message"],
            first_name_message
        );
    }
    assert!(handler.stored_leads().await.is_empty());
    handler.stop().await;
}

#[tokio::test]
async fn the_fallback_page_speaks_each_language_and_arabic_reads_right_to_left() {
    let handler = TestHandler::start().await;
    for (accept_language, lang, dir, placeholder, required) in [
        ("en-GB,en;q=0.9", "en", "ltr", "Choose…", "(required)"),
        (
            "de-AT,de;q=0.9,en;q=0.5",
            "de",
            "ltr",
            "Bitte wählen…",
            "(Pflichtfeld)",
        ),
        ("fr-CA", "fr", "ltr", "Choisissez…", "(obligatoire)"),
        ("ja, es-419;q=0.8", "es", "ltr", "Elija…", "(obligatorio)"),
        ("ar-EG,ar;q=0.9", "ar", "rtl", "اختر…", "(مطلوب)"),
    ] {
        let page = get_page(&handler, "/v1/forms/ebook/fallback", Some(accept_language)).await;
        assert!(
            page.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{accept_language}: {page}"
        );
        assert!(page.contains(placeholder), "{lang} placeholder: {page}");
        assert!(page.contains(required), "{lang} required marker: {page}");
        assert_eq!(input_value(&page, "leadform_locale"), lang);
        // Addresses read left to right, even inside an Arabic form.
        assert!(
            input_tag(&page, "email").contains("dir=\"ltr\""),
            "{lang}: the email input keeps ltr: {}",
            input_tag(&page, "email")
        );
    }
    handler.stop().await;
}

#[tokio::test]
async fn the_locale_query_wins_over_accept_language_and_the_form_default_comes_last() {
    let mut french_default = contact_form();
    french_default["id"] = Value::from("contact-fr");
    french_default["default_locale"] = Value::from("fr");
    let handler = TestHandler::start_with(TestOptions {
        forms: vec![contact_form(), ebook_form(), french_default],
        ..TestOptions::default()
    })
    .await;
    let page = get_page(
        &handler,
        "/v1/forms/contact-us/fallback?locale=ar",
        Some("de"),
    )
    .await;
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");
    let page = get_page(&handler, "/v1/forms/contact-fr/fallback", Some("ja")).await;
    assert!(page.contains("<html lang=\"fr\" dir=\"ltr\">"), "{page}");
    let page = get_page(&handler, "/v1/forms/contact-fr/fallback", Some("es")).await;
    assert!(page.contains("<html lang=\"es\" dir=\"ltr\">"), "{page}");
    let page = get_page(&handler, "/v1/forms/contact-us/fallback", None).await;
    assert!(page.contains("<html lang=\"en\" dir=\"ltr\">"), "{page}");
    // A page about no form at all speaks the visitor's language too.
    let missing = handler
        .client
        .get(handler.url("/v1/forms/nope/fallback"))
        .header("Accept-Language", "de")
        .send()
        .await
        .expect("answered");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing
        .text()
        .await
        .expect("html")
        .contains("Formular nicht gefunden"));
    handler.stop().await;
}

#[tokio::test]
async fn a_failed_post_shows_the_summary_in_the_visitors_language_with_links_to_each_field() {
    let handler = TestHandler::start().await;
    for (lang, title, email_message) in [
        (
            "de",
            "Es gibt ein Problem",
            "Geben Sie eine E-Mail-Adresse ein, z. B. name@firma.de",
        ),
        (
            "ar",
            "توجد مشكلة",
            "أدخل عنوان بريد إلكتروني مثل name@company.com",
        ),
    ] {
        let path = format!("/v1/forms/contact-us/fallback?locale={lang}");
        let page = get_page(&handler, &path, None).await;
        // The answer keeps the page's language even though the post says nothing about it.
        let response = post_page(
            &handler,
            "contact-us",
            &page,
            &[("email", "not-an-address"), ("message", "Hallo")],
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.expect("html");
        assert!(page.contains(&format!("<html lang=\"{lang}\"")), "{page}");
        let summary_start = page.find("leadform-error-summary").expect("a summary");
        let form_start = page.find("<form").expect("a form");
        assert!(summary_start < form_start, "the summary comes first");
        assert!(page.contains(title), "{lang}: {page}");
        assert!(
            page.contains(&format!(
                "<a href=\"#leadform-email\">Work email: {email_message}</a>"
            )),
            "{lang}: {page}"
        );
        assert!(
            page.contains("<a href=\"#leadform-first_name\">"),
            "{lang}: {page}"
        );
        assert!(page.contains("id=\"leadform-email\""), "the link's target");
        // The inline message stays next to its field.
        assert!(page.contains(&format!(
            "<p id=\"leadform-email-error\" class=\"leadform-error\">{email_message}</p>"
        )));
    }
    assert!(handler.stored_leads().await.is_empty());
    handler.stop().await;
}

#[tokio::test]
async fn a_stored_fallback_lead_keeps_its_language_and_thanks_in_it() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..TestOptions::default()
        })
        .await;
        let page = get_page(&handler, "/v1/forms/contact-us/fallback", Some("es-ES")).await;
        let response = post_page(
            &handler,
            "contact-us",
            &page,
            &[
                ("first_name", "Ada"),
                ("email", "ada@example.com"),
                ("message", "Llámenme, por favor."),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{backend:?}");
        let location = response.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(location, "/v1/forms/contact-us/thanks?locale=es");
        let thanks = get_page(&handler, &location, None).await;
        assert!(
            thanks.contains("<html lang=\"es\" dir=\"ltr\">"),
            "{thanks}"
        );
        let leads = handler.stored_leads().await;
        assert_eq!(leads.len(), 1, "{backend:?}");
        assert_eq!(leads[0].lead.locale, "es", "{backend:?}");
        handler.stop().await;
        if backend == Backend::Postgres {
            eprintln!("checked on PostgreSQL");
        }
    }
}

#[tokio::test]
async fn the_stylesheet_uses_logical_properties_so_arabic_mirrors() {
    let handler = TestHandler::start().await;
    let css = get_page(&handler, "/v1/fallback.css", None).await;
    assert!(css.contains("inset-inline-start"), "{css}");
    assert!(!css.contains("left:"), "a physical side in {css}");
    assert!(!css.contains("right:"), "a physical side in {css}");
    handler.stop().await;
}

/// The test contact form with a complete German translation of the marketer's texts.
fn contact_form_in_german() -> Value {
    let mut form = contact_form();
    form["id"] = Value::from("kontakt");
    form["translations"] = serde_json::json!({
        "de": {
            "title": "Sprechen Sie mit unserem Team",
            "submit_label": "Nachricht senden",
            "success_message": "Danke! Wir antworten innerhalb eines Werktags.",
            "fields": {
                "first_name": { "label": "Vorname" },
                "email": { "label": "Geschäftliche E-Mail" },
                "phone": { "label": "Telefon" },
                "message": { "label": "Nachricht" }
            }
        }
    });
    form
}

#[tokio::test]
async fn the_marketers_translation_reaches_the_public_definition_and_the_fallback_page() {
    let handler = TestHandler::start_with(TestOptions {
        forms: vec![contact_form_in_german()],
        ..TestOptions::default()
    })
    .await;
    let response = handler
        .client
        .get(handler.url("/v1/forms/kontakt"))
        .header("Accept-Language", "de-CH, en;q=0.5")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get_all("vary")
            .iter()
            .any(|v| v == "Accept-Language"),
        "a cache must keep one copy per language"
    );
    let public: Value = response.json().await.expect("json");
    assert_eq!(public["title"], "Sprechen Sie mit unserem Team");
    assert_eq!(public["submit_label"], "Nachricht senden");
    assert_eq!(public["fields"][0]["label"], "Vorname");
    let english: Value = handler
        .client
        .get(handler.url("/v1/forms/kontakt?locale=en"))
        .header("Accept-Language", "de")
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    assert_eq!(english["title"], "Talk to our team");

    let page = get_page(&handler, "/v1/forms/kontakt/fallback", Some("de")).await;
    assert!(
        page.contains("<h1>Sprechen Sie mit unserem Team</h1>"),
        "{page}"
    );
    assert!(page.contains(">Vorname (Pflichtfeld)</label>"), "{page}");
    let response = post_page(&handler, "kontakt", &page, &[("email", "ada@example.com")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.expect("html");
    assert!(
        page.contains("Vorname: Bitte füllen Sie das Feld „Vorname“ aus."),
        "{page}"
    );
    handler.stop().await;
}

/// The first markup (`GET /v1/forms/{id}/embed`) for `query`, with `Accept-Language`.
async fn first_markup(handler: &TestHandler, form: &str, query: &str, accept: &str) -> Value {
    let response = handler
        .client
        .get(handler.url(&format!("/v1/forms/{form}/embed?mount=lf1{query}")))
        .header("Accept-Language", accept)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get_all("vary")
            .iter()
            .any(|v| v == "Accept-Language"),
        "a cache must keep one copy per language"
    );
    response.json().await.expect("json")
}

/// A form with a select, so the placeholder option shows.
fn contact_form_with_topic_in_german_and_arabic() -> Value {
    let mut form = contact_form_in_german();
    form["fields"]
        .as_array_mut()
        .expect("fields")
        .push(serde_json::json!({
            "name": "topic", "label": "Topic", "kind": "select",
            "options": [{ "value": "demo", "label": "A demo" }]
        }));
    form["translations"]["de"]["fields"]["topic"] =
        serde_json::json!({ "label": "Thema", "options": { "demo": "Eine Demo" } });
    form["translations"]["ar"] = serde_json::json!({
        "title": "تحدث مع فريقنا",
        "submit_label": "أرسل الرسالة",
        "success_message": "شكرًا! سنرد خلال يوم عمل واحد.",
        "fields": {
            "first_name": { "label": "الاسم الأول" },
            "email": { "label": "البريد الإلكتروني للعمل" },
            "phone": { "label": "الهاتف" },
            "message": { "label": "الرسالة" },
            "topic": { "label": "الموضوع", "options": { "demo": "عرض توضيحي" } }
        }
    });
    form
}

#[tokio::test]
async fn the_first_markup_speaks_the_language_the_widget_will_take_it_over_in() {
    let handler = TestHandler::start_with(TestOptions {
        forms: vec![contact_form_with_topic_in_german_and_arabic()],
        ..TestOptions::default()
    })
    .await;

    // The loader's list, in the widget's order: `data-locale`, `<html lang>`, the browser's.
    let german = first_markup(&handler, "kontakt", "&languages=pt-BR%2Cde-AT%2Cen", "en").await;
    assert_eq!(german["locale"], "de");
    assert_eq!(
        german["definition"]["title"],
        "Sprechen Sie mit unserem Team"
    );
    let html = german["html"].as_str().expect("html");
    assert!(
        html.starts_with(r#"<div class="leadform" lang="de" dir="ltr">"#),
        "{html}"
    );
    assert!(
        html.contains(">Sprechen Sie mit unserem Team</h2>"),
        "{html}"
    );
    assert!(html.contains(">Vorname<span"), "{html}");
    assert!(
        html.contains(r#"<option value="" selected>Bitte wählen…</option>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<option value="demo">Eine Demo</option>"#),
        "{html}"
    );
    assert!(html.contains(">Nachricht senden</button>"), "{html}");
    assert!(!html.contains("Choose…"), "{html}");
    assert!(!html.contains("Leave this field empty"), "{html}");

    let arabic = first_markup(&handler, "kontakt", "&languages=ar", "de").await;
    assert_eq!(arabic["locale"], "ar");
    let html = arabic["html"].as_str().expect("html");
    assert!(
        html.starts_with(r#"<div class="leadform" lang="ar" dir="rtl">"#),
        "{html}"
    );
    assert!(html.contains(">تحدث مع فريقنا</h2>"), "{html}");
    // Addresses and numbers stay left to right inside the right-to-left form.
    for name in ["email", "phone"] {
        let tag = input_tag(html, name);
        assert!(tag.contains(r#"dir="ltr""#), "{tag}");
    }
    assert!(!input_tag(html, "first_name").contains("dir="), "{html}");

    // An API client without the list: `Accept-Language`, then `?locale=` over it.
    let by_header = first_markup(&handler, "kontakt", "", "de-CH, en;q=0.5").await;
    assert_eq!(by_header["locale"], "de");
    let by_query = first_markup(&handler, "kontakt", "&locale=en", "de").await;
    assert_eq!(by_query["locale"], "en");
    assert!(by_query["html"]
        .as_str()
        .expect("html")
        .contains(">Choose…</option>"));
    handler.stop().await;
}
