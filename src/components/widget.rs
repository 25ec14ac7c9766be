//! The root of one mounted form: works out what is known about the visitor, picks the view
//! (full, progressive or one-click), and handles "Not you?".

use super::lead_form::LeadForm;
use crate::form_view::{form_view, greeting_name};
use crate::handoff::{EmbedOptions, Takeover};
use crate::services::{attribution, events, locale, not_you, visitor};
use leadform_core::{KnownProfile, PublicFormDefinition, StoragePolicy};
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct WidgetProps {
    pub options: Rc<EmbedOptions>,
    pub definition: Rc<PublicFormDefinition>,
    /// What the handler knows about the visitor (`GET /v1/profile`), when it was asked.
    pub server_profile: Option<Rc<KnownProfile>>,
    pub container: Element,
    pub id_prefix: AttrValue,
    /// Set when the widget takes over a form the loader already shows.
    pub takeover: Option<Rc<Takeover>>,
}

/// The browser's own profile joined with the handler's (the fresher one).
fn known_profile(props: &WidgetProps) -> KnownProfile {
    let local = if props.definition.storage == StoragePolicy::Never {
        KnownProfile::default()
    } else {
        visitor::local_profile()
    };
    match &props.server_profile {
        Some(server) => local.union(server),
        None => local,
    }
}

#[function_component(Widget)]
pub fn widget(props: &WidgetProps) -> Html {
    let known = use_state(|| known_profile(props));
    // Bumped by "Not you?" so the form below starts over with fresh state and a fresh id.
    let generation = use_state(|| 0u32);

    {
        let props = props.clone();
        use_effect_with((), move |_| {
            // Capture this page view's attribution, and keep it if the form may store.
            attribution::remember(props.definition.storage, false);
            if let Some(takeover) = &props.takeover {
                takeover.on_rendered.emit(());
            }
            events::dispatch(
                &props.container,
                events::READY,
                &props.definition.id,
                None,
                None,
            );
        });
    }

    let on_not_you = {
        let known = known.clone();
        let generation = generation.clone();
        let props = props.clone();
        Callback::from(move |()| {
            wasm_bindgen_futures::spawn_local(not_you::forget_visitor(
                &props.options.endpoint,
                &props.definition,
            ));
            known.set(KnownProfile::default());
            generation.set(*generation + 1);
        })
    };

    let view = Rc::new(form_view(&props.definition, &known));
    let locale = locale::visitor_locale(
        props.options.locale.as_deref(),
        props.definition.default_locale,
    );
    // Greet by name only where the form may show that value back.
    let shown_back = known.for_display(&props.definition.fields);
    let welcome =
        (!known.is_empty()).then(|| greeting_name(&shown_back.values).map(AttrValue::from));
    // What the shown form held (a returning visitor's prefill among it) belongs to the visitor
    // before "Not you?": the form that starts over must not take it back.
    let takeover = if *generation == 0 {
        props.takeover.clone()
    } else {
        None
    };
    html! {
        <div class="leadform" lang={locale.code()} dir={locale.direction()}>
            <LeadForm key={*generation} {locale} options={props.options.clone()}
                definition={props.definition.clone()} {view} container={props.container.clone()}
                id_prefix={props.id_prefix.clone()} {welcome} {on_not_you}
                {takeover} />
        </div>
    }
}
