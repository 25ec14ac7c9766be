//! العربية الفصحى المعاصرة. Counts are phrased so that no noun has to agree with a number the
//! text does not know (except the field-count sentences, which have their plural forms).

use super::Text;

pub fn text(key: Text) -> &'static str {
    match key {
        Text::EmailFormat => "أدخل عنوان بريد إلكتروني مثل name@company.com",
        Text::PhoneFormat => {
            "أدخل رقم هاتف يتكوّن من أرقام ومسافات و+ ( ) - فقط، مثل ‎+971 4 123 4567"
        }
        Text::NotAnOption => "اختر أحد الخيارات الموجودة في القائمة.",
        Text::CheckboxValue => "خانة الاختيار إما محدَّدة (\"true\") أو غير محدَّدة.",
        Text::TooLong => "الحد الأقصى لعدد الأحرف: {max} (عدد الأحرف الحالي: {length}).",
        Text::ControlCharacters => "احذف أحرف التحكم غير المرئية من هذا الحقل.",
        Text::RequiredCheckbox => "حدِّد هذه الخانة للمتابعة.",
        Text::RequiredSelect => "اختر أحد الخيارات.",
        Text::RequiredText => "يُرجى ملء حقل «{label}».",
        Text::UnknownField => "لا يحتوي هذا النموذج على هذا الحقل.",
        Text::ChoosePlaceholder => "اختر…",
        Text::RequiredMarker => "(مطلوب)",
        Text::HoneypotLabel => "اترك هذا الحقل فارغًا",
        Text::ErrorSummaryTitle => "توجد مشكلة",
        Text::ErrorPageTitle => "خطأ: {title}",
        Text::FieldsNeedAttentionOne => "حقل واحد يحتاج إلى انتباهك.",
        Text::FieldsNeedAttentionTwo => "حقلان يحتاجان إلى انتباهك.",
        Text::FieldsNeedAttentionFew => "{count} حقول تحتاج إلى انتباهك.",
        Text::FieldsNeedAttentionMany => "{count} حقلًا يحتاج إلى انتباهك.",
        Text::FieldsNeedAttentionOther => "{count} حقل يحتاج إلى انتباهك.",
        Text::WelcomeBack => "مرحبًا بعودتك.",
        Text::WelcomeBackName => "مرحبًا بعودتك يا {name}",
        Text::NotYou => "لستَ أنت؟",
        Text::OneClickDownload => "بياناتك لدينا بالفعل. بنقرة واحدة يصبح التنزيل لك.",
        Text::OneClickContact => "بياناتك لدينا بالفعل. بنقرة واحدة سنتواصل معك.",
        Text::DownloadButton => "تنزيل",
        Text::Sending => "جارٍ الإرسال…",
        Text::Sent => "تم الإرسال. شكرًا لك.",
        Text::Offline => "تعذّر الوصول إلى الخادم. إجاباتك ما زالت هنا — حاول مرة أخرى.",
        Text::TryAgain => "حاول مرة أخرى",
        Text::RateLimitedShort => "عدد كبير جدًا من الإرسالات، حاول مرة أخرى بعد دقيقة.",
        Text::FixFields => "يُرجى تصحيح الحقول المميَّزة ثم الإرسال مرة أخرى.",
        Text::NoSubmissionId => {
            "تعذّر على هذا المتصفح إنشاء معرّف آمن لإرسالك، لذا لم يُرسَل شيء. إجاباتك ما زالت هنا: أعد تحميل الصفحة أو جرّب متصفحًا آخر."
        }
        Text::TooLargeToSend => "النموذج أكبر من أن يُرسَل. اختصر أطول إجابة ثم حاول مرة أخرى.",
        Text::FormGone => "لم يعد هذا النموذج موجودًا. يُرجى التواصل مع صاحب الموقع.",
        Text::SiteNotAllowed => {
            "لا يُسمح لهذا الموقع بإرسال هذا النموذج. يُرجى التواصل مع صاحب الموقع."
        }
        Text::ServerRefused => {
            "تعذّر على الخادم قبول النموذج. يُرجى مراجعة إجاباتك ثم المحاولة مرة أخرى."
        }
        Text::ServerProblem => {
            "حدثت مشكلة في الخادم. إجاباتك ما زالت هنا — حاول مرة أخرى بعد لحظات."
        }
        Text::FormNotFoundTitle => "النموذج غير موجود",
        Text::FormNotFoundBody => "لا يوجد نموذج على هذا العنوان.",
        Text::BadPostTitle => "لم يُرسَل هذا النموذج بشكل صحيح",
        Text::BadPostBody => "أعد تحميل صفحة النموذج ثم أرسله مرة أخرى.",
        Text::PayloadTooLargeTitle => "النص طويل جدًا",
        Text::PayloadTooLargeBody => {
            "تجاوز حجم النموذج ٦٤ كيلوبايت. ارجع واختصر إجاباتك ثم أرسله مرة أخرى."
        }
        Text::OriginRefusedTitle => "لا يمكن إرسال هذا النموذج من هنا",
        Text::OriginRefusedBody => "الصفحة التي أرسلت هذا النموذج غير مسموح لها باستخدامه.",
        Text::RateLimitedTitle => "عدد كبير جدًا من الإرسالات",
        Text::RateLimitedBody => {
            "يُرجى الانتظار قليلًا (عدد الثواني: {seconds})، ثم الرجوع وإرسال النموذج مرة أخرى."
        }
        Text::AlreadySentTitle => "تم إرسال هذا النموذج من قبل",
        Text::AlreadySentBody => "أعد تحميل صفحة النموذج لإرسال رسالة جديدة.",
        Text::NotSavedTitle => "تعذّر حفظ رسالتك",
        Text::NotSavedBody => "لم يُحفظ أي شيء. ارجع وأرسل النموذج مرة أخرى بعد لحظات.",
        Text::AssetLinkExpiredTitle => {
            "انتهت صلاحية رابط التنزيل هذا"
        }
        Text::AssetLinkExpiredBody => {
            "تعمل روابط التنزيل لمدة ٢٤ ساعة. املأ النموذج مرة أخرى للحصول على رابط جديد."
        }
        Text::AssetLinkInvalidTitle => {
            "رابط التنزيل هذا غير صالح"
        }
        Text::AssetLinkInvalidBody => {
            "الرابط غير مكتمل أو تم تغييره. استخدم الرابط الذي حصلت عليه بعد إرسال النموذج، أو املأ النموذج مرة أخرى."
        }
        Text::ThankYouTitle => "شكرًا لك",
    }
}
