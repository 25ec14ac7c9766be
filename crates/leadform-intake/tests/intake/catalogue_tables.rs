//! The widget is built with English only: both answers it reads its definition from carry the
//! product's texts in the visitor's language (issue 12), over real HTTP on loopback.

use crate::support;

use leadform_core::catalogue::text;
use leadform_core::{Locale, Text};
use reqwest::StatusCode;
use serde_json::Value;
use support::fixtures::contact_form;
use support::{TestHandler, TestOptions};

async fn get_json(handler: &TestHandler, path: &str) -> Value {
    let response = handler
        .client
        .get(handler.url(path))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.expect("json")
}

/// The table's texts, checked to be the whole catalogue of `locale` in `Text::ALL` order.
fn assert_whole_table(definition: &Value, locale: Locale) {
    let table = &definition["catalogue"];
    assert_eq!(table["locale"], locale.code(), "{definition}");
    let texts: Vec<&str> = table["texts"]
        .as_array()
        .expect("texts")
        .iter()
        .map(|text| text.as_str().expect("a string"))
        .collect();
    let expected: Vec<&str> = Text::ALL.iter().map(|&key| text(locale, key)).collect();
    assert_eq!(texts, expected);
}

#[tokio::test]
async fn the_definition_and_the_first_markup_carry_the_visitors_table_and_none_for_english() {
    let handler = TestHandler::start_with(TestOptions {
        forms: vec![contact_form()],
        ..TestOptions::default()
    })
    .await;

    for locale in [Locale::De, Locale::Ar] {
        let code = locale.code();
        let definition = get_json(&handler, &format!("/v1/forms/contact-us?locale={code}")).await;
        assert_whole_table(&definition, locale);
        let first_markup = get_json(
            &handler,
            &format!("/v1/forms/contact-us/embed?mount=lf1&languages={code}"),
        )
        .await;
        assert_eq!(first_markup["locale"], code);
        assert_whole_table(&first_markup["definition"], locale);
    }
    assert_eq!(
        text(Locale::De, Text::Sending),
        "Wird gesendet…",
        "the handler keeps every language compiled in"
    );

    let english = get_json(&handler, "/v1/forms/contact-us?locale=en").await;
    assert!(english.get("catalogue").is_none(), "{english}");
    let english = get_json(
        &handler,
        "/v1/forms/contact-us/embed?mount=lf1&languages=en",
    )
    .await;
    assert!(
        english["definition"].get("catalogue").is_none(),
        "{english}"
    );
    handler.stop().await;
}
