//! English, the reference every other table is checked against.

use super::Text;

pub fn text(key: Text) -> &'static str {
    match key {
        Text::EmailFormat => "Enter an email address like name@company.com",
        Text::PhoneFormat => {
            "Enter a phone number using digits, spaces and + ( ) - only, like +1 415 555 0100"
        }
        Text::NotAnOption => "Choose one of the options in the list.",
        Text::CheckboxValue => "A checkbox is either ticked (\"true\") or not.",
        Text::TooLong => "Use at most {max} characters (this has {length}).",
        Text::ControlCharacters => "Remove the invisible control characters from this field.",
        Text::RequiredCheckbox => "Tick this box to continue.",
        Text::RequiredSelect => "Choose an option.",
        Text::RequiredText => "Enter your {label}.",
        Text::UnknownField => "This form has no such field.",
        Text::ChoosePlaceholder => "Choose…",
        Text::RequiredMarker => "(required)",
        Text::HoneypotLabel => "Leave this field empty",
        Text::ErrorSummaryTitle => "There is a problem",
        Text::ErrorPageTitle => "Error: {title}",
        Text::FieldsNeedAttentionOne => "{count} field needs your attention.",
        Text::FieldsNeedAttentionTwo
        | Text::FieldsNeedAttentionFew
        | Text::FieldsNeedAttentionMany
        | Text::FieldsNeedAttentionOther => "{count} fields need your attention.",
        Text::WelcomeBack => "Welcome back.",
        Text::WelcomeBackName => "Welcome back, {name}",
        Text::NotYou => "Not you?",
        Text::OneClickDownload => {
            "We have your details already. One click and the download is yours."
        }
        Text::OneClickContact => "We have your details already. One click and we will be in touch.",
        Text::DownloadButton => "Download",
        Text::Sending => "Sending…",
        Text::Sent => "Sent. Thank you.",
        Text::Offline => "We couldn't reach the server. Your answers are still here — try again.",
        Text::TryAgain => "Try again",
        Text::RateLimitedShort => "Too many submissions, try again in a minute.",
        Text::FixFields => "Please correct the highlighted fields and send again.",
        Text::NoSubmissionId => {
            "This browser could not create a secure id for your submission, so nothing was sent. Your answers are still here: reload the page, or try another browser."
        }
        Text::TooLargeToSend => {
            "The form is too large to send. Shorten the longest answer and try again."
        }
        Text::FormGone => "This form no longer exists. Please contact the site owner.",
        Text::SiteNotAllowed => {
            "This site is not allowed to send this form. Please contact the site owner."
        }
        Text::ServerRefused => {
            "The server could not accept the form. Please check your answers and try again."
        }
        Text::ServerProblem => {
            "The server had a problem. Your answers are still here — try again in a moment."
        }
        Text::FormNotFoundTitle => "Form not found",
        Text::FormNotFoundBody => "There is no form at this address.",
        Text::BadPostTitle => "This form was not sent correctly",
        Text::BadPostBody => "Reload the form page and send it again.",
        Text::PayloadTooLargeTitle => "Too much text",
        Text::PayloadTooLargeBody => {
            "The form was larger than 64 KB. Go back, shorten your answers and send it again."
        }
        Text::OriginRefusedTitle => "This form cannot be sent from here",
        Text::OriginRefusedBody => "The page that sent this form is not allowed to use it.",
        Text::RateLimitedTitle => "Too many submissions",
        Text::RateLimitedBody => {
            "Please wait {seconds} seconds, then go back and send the form again."
        }
        Text::AlreadySentTitle => "This form was already sent",
        Text::AlreadySentBody => "Reload the form page to send a new message.",
        Text::NotSavedTitle => "Your message could not be saved",
        Text::NotSavedBody => "Nothing was saved. Go back and send the form again in a moment.",
        Text::AssetLinkExpiredTitle => {
            "This download link has expired"
        }
        Text::AssetLinkExpiredBody => {
            "Download links work for 24 hours. Fill in the form again to get a new one."
        }
        Text::AssetLinkInvalidTitle => {
            "This download link is not valid"
        }
        Text::AssetLinkInvalidBody => {
            "The link is incomplete or was changed. Use the link you were given after sending the form, or fill in the form again."
        }
        Text::ThankYouTitle => "Thank you",
    }
}
