//! The form's behaviour rules, checked without a browser.

use super::*;
use leadform_core::FieldError;
use leadform_core::FieldKind;

const ID: &str = "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b";

fn field(name: &str, kind: FieldKind, required: bool) -> FieldDefinition {
    FieldDefinition {
        name: name.into(),
        label: name.replace('_', " "),
        kind,
        required,
        max_length: None,
        options: vec![],
        help: None,
        placeholder: None,
        prefill: false,
        value: None,
        autocomplete: None,
    }
}

fn form() -> Rc<FormState> {
    Rc::new(FormState::new(
        vec![
            field("first_name", FieldKind::Text, true),
            field("email", FieldKind::Email, true),
            field("phone", FieldKind::Tel, false),
        ],
        BTreeMap::new(),
        ID.into(),
    ))
}

fn input(name: &str, value: &str) -> Action {
    Action::Input {
        name: name.into(),
        value: value.into(),
    }
}

fn blur(name: &str) -> Action {
    Action::Blur { name: name.into() }
}

#[test]
fn typing_alone_shows_no_error_until_the_field_is_left() {
    let state = form().reduce(input("email", "ada@"));
    assert_eq!(state.error("email"), None);
    let state = state.reduce(blur("email"));
    assert_eq!(
        state.error("email"),
        Some("Enter an email address like name@company.com")
    );
}

#[test]
fn an_error_follows_the_typing_once_shown_and_clears_when_fixed() {
    let state = form().reduce(input("email", "ada@")).reduce(blur("email"));
    let state = state.reduce(input("email", "ada@example.com"));
    assert_eq!(state.error("email"), None);
}

#[test]
fn submit_shows_every_error_and_asks_for_focus_on_the_first_invalid_field() {
    let state = form().reduce(input("email", "nope")).reduce(Action::Submit);
    assert_eq!(state.status, Status::Editing);
    assert_eq!(state.send_count, 0);
    assert_eq!(state.focus_count, 1);
    assert_eq!(state.first_invalid(), Some("first_name"));
    assert_eq!(state.error("first_name"), Some("Enter your first name."));
    assert!(state.error("email").is_some());
    assert_eq!(state.error("phone"), None, "optional and empty");
    assert_eq!(
        state.announcement().as_deref(),
        Some("2 fields need your attention.")
    );
}

#[test]
fn a_valid_submit_sends_once_however_often_it_is_pressed() {
    let state = form()
        .reduce(input("first_name", "Ada"))
        .reduce(input("email", "ada@example.com"))
        .reduce(Action::Submit);
    assert_eq!(state.status, Status::Submitting);
    assert_eq!(state.send_count, 1);
    let state = state.reduce(Action::Submit).reduce(Action::SubmitKnown);
    assert_eq!(state.send_count, 1, "a double click must not send twice");
    let state = state.reduce(input("first_name", "Eve"));
    assert_eq!(
        state.value("first_name"),
        "Ada",
        "values are frozen while sending"
    );
}

#[test]
fn a_failure_keeps_values_and_a_retry_reuses_the_submission_id() {
    let sending = form()
        .reduce(input("first_name", "Ada"))
        .reduce(input("email", "ada@example.com"))
        .reduce(Action::Submit);
    let failed = sending.reduce(Action::Failed(text(Locale::En, Text::Offline).into()));
    assert_eq!(
        failed.status,
        Status::Failed(text(Locale::En, Text::Offline).into())
    );
    assert_eq!(failed.value("first_name"), "Ada");
    assert_eq!(
        failed.announcement().as_deref(),
        Some(text(Locale::En, Text::Offline))
    );
    let retry = failed.reduce(Action::Submit);
    assert_eq!(retry.status, Status::Submitting);
    assert_eq!(retry.send_count, 2);
    assert_eq!(retry.submission_id, ID);
}

#[test]
fn handler_field_errors_show_inline_and_others_in_the_status() {
    let sending = form()
        .reduce(input("first_name", "Ada"))
        .reduce(input("email", "ada@example.com"))
        .reduce(Action::Submit);
    let mut errors = FieldErrors::new();
    errors.insert(
        "email".into(),
        FieldError::new("email", "That domain does not accept mail."),
    );
    let rejected = sending.clone().reduce(Action::Rejected(errors));
    assert_eq!(
        rejected.error("email"),
        Some("That domain does not accept mail.")
    );
    assert_eq!(
        rejected.status,
        Status::Failed(text(Locale::En, Text::FixFields).into())
    );
    assert_eq!(rejected.focus_count, 1);

    let mut hidden = FieldErrors::new();
    hidden.insert(
        "campaign_id".into(),
        FieldError::new(
            "not_allowed",
            "The campaign_id `x` is not allowed for this form.",
        ),
    );
    // The leadform:error event's message (issue 8): what the form shows, not "correct the fields".
    let event_message = sending.rejection_message(&hidden);
    let rejected = sending.reduce(Action::Rejected(hidden));
    assert_eq!(
        rejected.status,
        Status::Failed("The campaign_id `x` is not allowed for this form.".into())
    );
    assert_eq!(rejected.status, Status::Failed(event_message));
}

#[test]
fn success_is_final() {
    let accepted = form()
        .reduce(input("first_name", "Ada"))
        .reduce(input("email", "ada@example.com"))
        .reduce(Action::Submit)
        .reduce(Action::Accepted(LeadAccepted {
            id: 7,
            submission_id: ID.into(),
            asset_url: None,
            redirect_url: None,
        }));
    let again = accepted.clone().reduce(Action::Submit);
    assert!(matches!(again.status, Status::Succeeded(_)));
    assert_eq!(again.send_count, 1);
}

#[test]
fn prefilled_values_start_in_the_form() {
    let mut prefill = BTreeMap::new();
    prefill.insert("email".to_owned(), "ada@example.com".to_owned());
    let state = FormState::new(
        vec![field("email", FieldKind::Email, true)],
        prefill,
        ID.into(),
    );
    assert_eq!(state.value("email"), "ada@example.com");
    assert_eq!(Rc::new(state).reduce(Action::Submit).send_count, 1);
}

#[test]
fn a_german_view_shows_german_messages_and_counts() {
    let german = Rc::new((*form()).clone().with_locale(Locale::De));
    let state = german.reduce(Action::Submit);
    assert_eq!(
        state.error("email"),
        Some("Geben Sie eine E-Mail-Adresse ein, z. B. name@firma.de")
    );
    assert_eq!(
        state.error("first_name"),
        Some("Bitte füllen Sie das Feld „first name“ aus.")
    );
    assert_eq!(
        state.announcement().as_deref(),
        Some("2 Felder benötigen Ihre Aufmerksamkeit.")
    );
}

#[test]
fn without_a_submission_id_nothing_is_sent_and_the_visitor_is_told_why() {
    let no_id = Rc::new(FormState::new(
        vec![field("email", FieldKind::Email, true)],
        BTreeMap::new(),
        String::new(),
    ));
    let submitted = no_id
        .reduce(input("email", "ada@example.com"))
        .reduce(Action::Submit);
    assert_eq!(submitted.send_count, 0, "nothing is sent");
    assert_eq!(
        submitted.status,
        Status::Failed(text(Locale::En, Text::NoSubmissionId).into())
    );
    assert!(submitted.errors.is_empty(), "the answers are fine");
    assert_eq!(submitted.value("email"), "ada@example.com");
}

/// The summary's entries as `(field name, message)`, as the view lists them.
fn summary(state: &FormState) -> Vec<(String, String)> {
    state
        .summary_entries()
        .into_iter()
        .map(|(field, message)| (field.name.clone(), message.to_owned()))
        .collect()
}

#[test]
fn a_failed_submit_lists_each_error_in_the_summary_in_display_order() {
    let state = form().reduce(input("email", "nope")).reduce(Action::Submit);
    assert_eq!(
        summary(&state),
        [
            ("first_name".to_owned(), "Enter your first name.".to_owned()),
            (
                "email".to_owned(),
                "Enter an email address like name@company.com".to_owned()
            ),
        ]
    );
    // The inline messages stay beside the fields.
    assert_eq!(state.error("first_name"), Some("Enter your first name."));
}

#[test]
fn no_summary_shows_before_a_submit_however_many_errors_there_are() {
    let state = form()
        .reduce(input("email", "nope"))
        .reduce(blur("email"))
        .reduce(blur("first_name"));
    assert!(state.error("email").is_some());
    assert!(summary(&state).is_empty(), "errors on blur are inline only");
}

#[test]
fn a_fixed_field_leaves_the_summary_and_the_last_fix_removes_it() {
    let state = form().reduce(input("email", "nope")).reduce(Action::Submit);
    let state = state.reduce(input("email", "ada@example.com"));
    assert_eq!(
        summary(&state),
        [("first_name".to_owned(), "Enter your first name.".to_owned())]
    );
    // A field the visitor breaks after the submit is not added: the summary reports that submit.
    let state = state
        .reduce(input("phone", "call me"))
        .reduce(blur("phone"));
    assert!(state.error("phone").is_some());
    assert_eq!(summary(&state).len(), 1);
    let state = state.reduce(input("first_name", "Ada"));
    assert!(summary(&state).is_empty());
    // A new failed submit lists what is wrong now.
    let state = state.reduce(Action::Submit);
    assert_eq!(
        summary(&state),
        [(
            "phone".to_owned(),
            text(Locale::En, Text::PhoneFormat).to_owned()
        )]
    );
    assert_eq!(state.focus_count, 2);
}

#[test]
fn a_422_lists_the_shown_fields_it_refused_and_leaves_hidden_values_to_the_status() {
    let sending = form()
        .reduce(input("first_name", "Ada"))
        .reduce(input("email", "ada@example.com"))
        .reduce(Action::Submit);
    assert!(summary(&sending).is_empty());
    let mut errors = FieldErrors::new();
    errors.insert(
        "email".into(),
        FieldError::new("email", "That domain does not accept mail."),
    );
    errors.insert(
        "campaign_id".into(),
        FieldError::new("not_allowed", "The campaign_id `x` is not allowed."),
    );
    let rejected = sending.reduce(Action::Rejected(errors));
    assert_eq!(
        summary(&rejected),
        [(
            "email".to_owned(),
            "That domain does not accept mail.".to_owned()
        )]
    );
    assert_eq!(rejected.focus_count, 1);
}

#[test]
fn an_arabic_summary_lists_arabic_messages() {
    let arabic = Rc::new((*form()).clone().with_locale(Locale::Ar));
    let state = arabic.reduce(Action::Submit);
    let listed = summary(&state);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].1, text(Locale::Ar, Text::EmailFormat));
    assert_ne!(listed[1].1, text(Locale::En, Text::EmailFormat));
}
