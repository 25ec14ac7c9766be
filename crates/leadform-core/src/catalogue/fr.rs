//! Français, au vouvoiement. Espaces insécables (U+00A0, U+202F) devant les ponctuations doubles.

use super::Text;

pub fn text(key: Text) -> &'static str {
    match key {
        Text::EmailFormat => "Saisissez une adresse e-mail, par exemple nom@entreprise.fr",
        Text::PhoneFormat => {
            "Saisissez un numéro de téléphone composé uniquement de chiffres, d’espaces et de + ( ) -, par exemple +33 1 23 45 67 89"
        }
        Text::NotAnOption => "Choisissez l’une des options de la liste.",
        Text::CheckboxValue => "Une case est soit cochée (\"true\"), soit non cochée.",
        Text::TooLong => "Utilisez au maximum {max} caractères (actuellement {length}).",
        Text::ControlCharacters => "Supprimez les caractères de contrôle invisibles de ce champ.",
        Text::RequiredCheckbox => "Cochez cette case pour continuer.",
        Text::RequiredSelect => "Choisissez une option.",
        Text::RequiredText => "Veuillez renseigner le champ «\u{a0}{label}\u{a0}».",
        Text::UnknownField => "Ce formulaire ne comporte pas ce champ.",
        Text::ChoosePlaceholder => "Choisissez…",
        Text::RequiredMarker => "(obligatoire)",
        Text::HoneypotLabel => "Laissez ce champ vide",
        Text::ErrorSummaryTitle => "Un problème est survenu",
        Text::ErrorPageTitle => "Erreur\u{a0}: {title}",
        Text::FieldsNeedAttentionOne => "{count} champ nécessite votre attention.",
        Text::FieldsNeedAttentionTwo
        | Text::FieldsNeedAttentionFew
        | Text::FieldsNeedAttentionMany
        | Text::FieldsNeedAttentionOther => "{count} champs nécessitent votre attention.",
        Text::WelcomeBack => "Bon retour parmi nous.",
        Text::WelcomeBackName => "Bon retour parmi nous, {name}",
        Text::NotYou => "Ce n’est pas vous\u{202f}?",
        Text::OneClickDownload => {
            "Nous avons déjà vos coordonnées. Un clic, et le téléchargement est à vous."
        }
        Text::OneClickContact => {
            "Nous avons déjà vos coordonnées. Un clic, et nous vous recontactons."
        }
        Text::DownloadButton => "Télécharger",
        Text::Sending => "Envoi en cours…",
        Text::Sent => "Envoyé. Merci.",
        Text::Offline => {
            "Impossible de joindre le serveur. Vos réponses sont conservées — veuillez réessayer."
        }
        Text::TryAgain => "Réessayer",
        Text::RateLimitedShort => "Trop d’envois. Veuillez réessayer dans une minute.",
        Text::FixFields => "Veuillez corriger les champs signalés et renvoyer le formulaire.",
        Text::NoSubmissionId => {
            "Ce navigateur n’a pas pu créer d’identifiant sécurisé pour votre envoi : rien n’a été envoyé. Vos réponses sont toujours là ; rechargez la page ou essayez un autre navigateur."
        }
        Text::TooLargeToSend => {
            "Le formulaire est trop volumineux pour être envoyé. Raccourcissez la réponse la plus longue et réessayez."
        }
        Text::FormGone => {
            "Ce formulaire n’existe plus. Veuillez contacter le responsable du site."
        }
        Text::SiteNotAllowed => {
            "Ce site n’est pas autorisé à envoyer ce formulaire. Veuillez contacter le responsable du site."
        }
        Text::ServerRefused => {
            "Le serveur n’a pas pu accepter le formulaire. Veuillez vérifier vos réponses et réessayer."
        }
        Text::ServerProblem => {
            "Le serveur a rencontré un problème. Vos réponses sont conservées — réessayez dans un instant."
        }
        Text::FormNotFoundTitle => "Formulaire introuvable",
        Text::FormNotFoundBody => "Il n’y a aucun formulaire à cette adresse.",
        Text::BadPostTitle => "Ce formulaire n’a pas été envoyé correctement",
        Text::BadPostBody => "Rechargez la page du formulaire et renvoyez-le.",
        Text::PayloadTooLargeTitle => "Texte trop long",
        Text::PayloadTooLargeBody => {
            "Le formulaire dépassait 64\u{a0}Ko. Revenez en arrière, raccourcissez vos réponses et renvoyez-le."
        }
        Text::OriginRefusedTitle => "Ce formulaire ne peut pas être envoyé depuis cette page",
        Text::OriginRefusedBody => {
            "La page qui a envoyé ce formulaire n’est pas autorisée à l’utiliser."
        }
        Text::RateLimitedTitle => "Trop d’envois",
        Text::RateLimitedBody => {
            "Veuillez patienter {seconds}\u{a0}secondes, puis revenez en arrière et renvoyez le formulaire."
        }
        Text::AlreadySentTitle => "Ce formulaire a déjà été envoyé",
        Text::AlreadySentBody => {
            "Rechargez la page du formulaire pour envoyer un nouveau message."
        }
        Text::NotSavedTitle => "Votre message n’a pas pu être enregistré",
        Text::NotSavedBody => {
            "Rien n’a été enregistré. Revenez en arrière et renvoyez le formulaire dans un instant."
        }
        Text::AssetLinkExpiredTitle => {
            "Ce lien de téléchargement a expiré"
        }
        Text::AssetLinkExpiredBody => {
            "Les liens de téléchargement sont valables 24 heures. Remplissez à nouveau le formulaire pour en obtenir un nouveau."
        }
        Text::AssetLinkInvalidTitle => {
            "Ce lien de téléchargement n’est pas valide"
        }
        Text::AssetLinkInvalidBody => {
            "Le lien est incomplet ou a été modifié. Utilisez le lien reçu après l’envoi du formulaire, ou remplissez à nouveau le formulaire."
        }
        Text::ThankYouTitle => "Merci",
    }
}
