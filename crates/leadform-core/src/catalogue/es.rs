//! Español, tratamiento de usted.

use super::Text;

pub fn text(key: Text) -> &'static str {
    match key {
        Text::EmailFormat => {
            "Introduzca una dirección de correo electrónico, por ejemplo nombre@empresa.es"
        }
        Text::PhoneFormat => {
            "Introduzca un número de teléfono solo con dígitos, espacios y + ( ) -, por ejemplo +34 912 345 678"
        }
        Text::NotAnOption => "Elija una de las opciones de la lista.",
        Text::CheckboxValue => "Una casilla está marcada (\"true\") o no lo está.",
        Text::TooLong => "Use como máximo {max} caracteres (ahora hay {length}).",
        Text::ControlCharacters => "Elimine los caracteres de control invisibles de este campo.",
        Text::RequiredCheckbox => "Marque esta casilla para continuar.",
        Text::RequiredSelect => "Elija una opción.",
        Text::RequiredText => "Rellene el campo «{label}».",
        Text::UnknownField => "Este formulario no tiene ese campo.",
        Text::ChoosePlaceholder => "Elija…",
        Text::RequiredMarker => "(obligatorio)",
        Text::HoneypotLabel => "Deje este campo vacío",
        Text::ErrorSummaryTitle => "Hay un problema",
        Text::ErrorPageTitle => "Error: {title}",
        Text::FieldsNeedAttentionOne => "{count} campo requiere su atención.",
        Text::FieldsNeedAttentionTwo
        | Text::FieldsNeedAttentionFew
        | Text::FieldsNeedAttentionMany
        | Text::FieldsNeedAttentionOther => "{count} campos requieren su atención.",
        Text::WelcomeBack => "Bienvenido de nuevo.",
        Text::WelcomeBackName => "Bienvenido de nuevo, {name}",
        Text::NotYou => "¿No es usted?",
        Text::OneClickDownload => {
            "Ya tenemos sus datos. Con un clic, la descarga es suya."
        }
        Text::OneClickContact => {
            "Ya tenemos sus datos. Con un clic, nos pondremos en contacto con usted."
        }
        Text::DownloadButton => "Descargar",
        Text::Sending => "Enviando…",
        Text::Sent => "Enviado. Gracias.",
        Text::Offline => {
            "No hemos podido conectar con el servidor. Sus respuestas siguen aquí: inténtelo de nuevo."
        }
        Text::TryAgain => "Intentar de nuevo",
        Text::RateLimitedShort => "Demasiados envíos. Inténtelo de nuevo dentro de un minuto.",
        Text::FixFields => "Corrija los campos marcados y vuelva a enviar el formulario.",
        Text::NoSubmissionId => {
            "Este navegador no pudo crear un identificador seguro para su envío, así que no se ha enviado nada. Sus respuestas siguen aquí: vuelva a cargar la página o pruebe con otro navegador."
        }
        Text::TooLargeToSend => {
            "El formulario es demasiado grande para enviarlo. Acorte la respuesta más larga e inténtelo de nuevo."
        }
        Text::FormGone => {
            "Este formulario ya no existe. Póngase en contacto con el responsable del sitio."
        }
        Text::SiteNotAllowed => {
            "Este sitio no está autorizado a enviar este formulario. Póngase en contacto con el responsable del sitio."
        }
        Text::ServerRefused => {
            "El servidor no ha podido aceptar el formulario. Revise sus respuestas e inténtelo de nuevo."
        }
        Text::ServerProblem => {
            "El servidor ha tenido un problema. Sus respuestas siguen aquí: inténtelo de nuevo en un momento."
        }
        Text::FormNotFoundTitle => "Formulario no encontrado",
        Text::FormNotFoundBody => "No hay ningún formulario en esta dirección.",
        Text::BadPostTitle => "El formulario no se envió correctamente",
        Text::BadPostBody => "Vuelva a cargar la página del formulario y envíelo de nuevo.",
        Text::PayloadTooLargeTitle => "Demasiado texto",
        Text::PayloadTooLargeBody => {
            "El formulario superaba los 64 KB. Vuelva atrás, acorte sus respuestas y envíelo de nuevo."
        }
        Text::OriginRefusedTitle => "Este formulario no se puede enviar desde aquí",
        Text::OriginRefusedBody => "La página que envió este formulario no está autorizada a usarlo.",
        Text::RateLimitedTitle => "Demasiados envíos",
        Text::RateLimitedBody => {
            "Espere {seconds} segundos, vuelva atrás y envíe el formulario de nuevo."
        }
        Text::AlreadySentTitle => "Este formulario ya se envió",
        Text::AlreadySentBody => {
            "Vuelva a cargar la página del formulario para enviar un mensaje nuevo."
        }
        Text::NotSavedTitle => "No se ha podido guardar su mensaje",
        Text::NotSavedBody => {
            "No se ha guardado nada. Vuelva atrás y envíe el formulario de nuevo en un momento."
        }
        Text::AssetLinkExpiredTitle => {
            "Este enlace de descarga ha caducado"
        }
        Text::AssetLinkExpiredBody => {
            "Los enlaces de descarga son válidos durante 24 horas. Vuelva a rellenar el formulario para obtener uno nuevo."
        }
        Text::AssetLinkInvalidTitle => {
            "Este enlace de descarga no es válido"
        }
        Text::AssetLinkInvalidBody => {
            "El enlace está incompleto o se ha modificado. Utilice el enlace que recibió al enviar el formulario o vuelva a rellenarlo."
        }
        Text::ThankYouTitle => "Gracias",
    }
}
