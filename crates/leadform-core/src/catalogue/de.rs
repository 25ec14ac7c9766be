//! Deutsch, in der Sie-Form.

use super::Text;

pub fn text(key: Text) -> &'static str {
    match key {
        Text::EmailFormat => "Geben Sie eine E-Mail-Adresse ein, z. B. name@firma.de",
        Text::PhoneFormat => {
            "Geben Sie eine Telefonnummer nur mit Ziffern, Leerzeichen und + ( ) - ein, z. B. +49 30 1234567"
        }
        Text::NotAnOption => "Wählen Sie eine der Optionen aus der Liste.",
        Text::CheckboxValue => "Ein Kontrollkästchen ist entweder angekreuzt (\"true\") oder nicht.",
        Text::TooLong => "Verwenden Sie höchstens {max} Zeichen (derzeit {length}).",
        Text::ControlCharacters => "Entfernen Sie die unsichtbaren Steuerzeichen aus diesem Feld.",
        Text::RequiredCheckbox => "Kreuzen Sie dieses Kästchen an, um fortzufahren.",
        Text::RequiredSelect => "Wählen Sie eine Option.",
        Text::RequiredText => "Bitte füllen Sie das Feld „{label}“ aus.",
        Text::UnknownField => "Dieses Formular hat kein solches Feld.",
        Text::ChoosePlaceholder => "Bitte wählen…",
        Text::RequiredMarker => "(Pflichtfeld)",
        Text::HoneypotLabel => "Lassen Sie dieses Feld leer",
        Text::ErrorSummaryTitle => "Es gibt ein Problem",
        Text::ErrorPageTitle => "Fehler: {title}",
        Text::FieldsNeedAttentionOne => "{count} Feld benötigt Ihre Aufmerksamkeit.",
        Text::FieldsNeedAttentionTwo
        | Text::FieldsNeedAttentionFew
        | Text::FieldsNeedAttentionMany
        | Text::FieldsNeedAttentionOther => "{count} Felder benötigen Ihre Aufmerksamkeit.",
        Text::WelcomeBack => "Willkommen zurück.",
        Text::WelcomeBackName => "Willkommen zurück, {name}",
        Text::NotYou => "Nicht Sie?",
        Text::OneClickDownload => {
            "Ihre Angaben liegen uns bereits vor. Ein Klick, und der Download gehört Ihnen."
        }
        Text::OneClickContact => {
            "Ihre Angaben liegen uns bereits vor. Ein Klick, und wir melden uns bei Ihnen."
        }
        Text::DownloadButton => "Herunterladen",
        Text::Sending => "Wird gesendet…",
        Text::Sent => "Gesendet. Vielen Dank.",
        Text::Offline => {
            "Der Server ist nicht erreichbar. Ihre Angaben bleiben erhalten – bitte versuchen Sie es erneut."
        }
        Text::TryAgain => "Erneut versuchen",
        Text::RateLimitedShort => {
            "Zu viele Übermittlungen. Bitte versuchen Sie es in einer Minute erneut."
        }
        Text::FixFields => "Bitte korrigieren Sie die markierten Felder und senden Sie erneut.",
        Text::NoSubmissionId => {
            "Dieser Browser konnte keine sichere Kennung für Ihre Übermittlung erzeugen, daher wurde nichts gesendet. Ihre Angaben sind noch da: Laden Sie die Seite neu oder verwenden Sie einen anderen Browser."
        }
        Text::TooLargeToSend => {
            "Das Formular ist zu groß zum Senden. Kürzen Sie die längste Antwort und versuchen Sie es erneut."
        }
        Text::FormGone => {
            "Dieses Formular existiert nicht mehr. Bitte wenden Sie sich an den Betreiber der Website."
        }
        Text::SiteNotAllowed => {
            "Diese Website darf dieses Formular nicht senden. Bitte wenden Sie sich an den Betreiber der Website."
        }
        Text::ServerRefused => {
            "Der Server konnte das Formular nicht annehmen. Bitte prüfen Sie Ihre Angaben und versuchen Sie es erneut."
        }
        Text::ServerProblem => {
            "Auf dem Server ist ein Problem aufgetreten. Ihre Angaben bleiben erhalten – bitte versuchen Sie es gleich noch einmal."
        }
        Text::FormNotFoundTitle => "Formular nicht gefunden",
        Text::FormNotFoundBody => "Unter dieser Adresse gibt es kein Formular.",
        Text::BadPostTitle => "Das Formular wurde nicht korrekt gesendet",
        Text::BadPostBody => "Laden Sie die Formularseite neu und senden Sie das Formular erneut.",
        Text::PayloadTooLargeTitle => "Zu viel Text",
        Text::PayloadTooLargeBody => {
            "Das Formular war größer als 64 KB. Gehen Sie zurück, kürzen Sie Ihre Antworten und senden Sie es erneut."
        }
        Text::OriginRefusedTitle => "Dieses Formular kann von hier aus nicht gesendet werden",
        Text::OriginRefusedBody => "Die Seite, die dieses Formular gesendet hat, darf es nicht verwenden.",
        Text::RateLimitedTitle => "Zu viele Übermittlungen",
        Text::RateLimitedBody => {
            "Bitte warten Sie {seconds} Sekunden, gehen Sie dann zurück und senden Sie das Formular erneut."
        }
        Text::AlreadySentTitle => "Dieses Formular wurde bereits gesendet",
        Text::AlreadySentBody => {
            "Laden Sie die Formularseite neu, um eine neue Nachricht zu senden."
        }
        Text::NotSavedTitle => "Ihre Nachricht konnte nicht gespeichert werden",
        Text::NotSavedBody => {
            "Es wurde nichts gespeichert. Gehen Sie zurück und senden Sie das Formular gleich noch einmal."
        }
        Text::AssetLinkExpiredTitle => {
            "Dieser Download-Link ist abgelaufen"
        }
        Text::AssetLinkExpiredBody => {
            "Download-Links gelten 24 Stunden. Füllen Sie das Formular erneut aus, um einen neuen Link zu erhalten."
        }
        Text::AssetLinkInvalidTitle => {
            "Dieser Download-Link ist ungültig"
        }
        Text::AssetLinkInvalidBody => {
            "Der Link ist unvollständig oder wurde verändert. Verwenden Sie den Link, den Sie nach dem Absenden des Formulars erhalten haben, oder füllen Sie das Formular erneut aus."
        }
        Text::ThankYouTitle => "Vielen Dank",
    }
}
