//! Taking over a form the loader already shows (the handler's first markup, in the container's
//! shadow root) without the visitor noticing: what they typed, ticked and chose, the focused field
//! and its caret, and a submit they made before the wasm arrived all carry over.
//!
//! A plain takeover, not Yew hydration (docs/instant-form.md says why): the widget renders its own
//! form into a hidden root next to the shown one, seeded with the shown form's values, and swaps
//! the two in the effect that runs right after that first render. The loader calls
//! [`take_over`] from a promise callback; Yew renders in the same microtask checkpoint, and the
//! browser runs no input event inside one, so nothing typed can fall between reading and swapping.

use super::attributes::EmbedSettings;
use super::mount::{adopt, register_takeover, settings_from_element};
use super::EmbedError;
use crate::components::honeypot::HONEYPOT_NAME;
use crate::handoff::Takeover;
use crate::services::{events, not_you, profile, visitor};
use leadform_core::{KnownProfile, PublicFormDefinition, StoragePolicy};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, ShadowRoot};
use yew::Callback;

/// The loader's root (shown); the widget's, hidden until the swap, is `mount::PENDING_CLASS`.
pub const SHOWN_ROOT: &str = ".leadform-root-instant";

/// The focused control and its selection, read before the swap and restored after it.
struct Focus {
    name: String,
    selection: Option<(u32, u32)>,
}

/// What the visitor did on the shown form that the widget carries out once it has taken over.
#[derive(Clone, Copy)]
struct HeldActions {
    /// They pressed send (after any "Not you?": the loader drops a send from before it).
    submit: bool,
    /// They pressed "Not you?": the widget forgets them before anything else.
    not_you: bool,
}

/// Called by the loader for each container whose first markup it shows. `first_markup` is the
/// answer of `GET /v1/forms/{id}/embed`; `pending_submit` says the visitor already pressed send,
/// `pending_not_you` that they pressed "Not you?" (absent from a loader older than it: `None`).
#[wasm_bindgen]
pub fn take_over(
    element: Element,
    first_markup: JsValue,
    base_url: &str,
    pending_submit: bool,
    shown_at_ms: f64,
    pending_not_you: Option<bool>,
) {
    let held = HeldActions {
        submit: pending_submit,
        not_you: pending_not_you.unwrap_or(false),
    };
    if let Err(error) = try_take_over(&element, &first_markup, base_url, held, shown_at_ms) {
        let message = error.to_string();
        web_sys::console::error_1(&JsValue::from_str(&message));
        events::dispatch(&element, events::ERROR, "", None, Some(&message));
    }
}

fn try_take_over(
    element: &Element,
    first_markup: &JsValue,
    base_url: &str,
    held: HeldActions,
    shown_at_ms: f64,
) -> Result<(), EmbedError> {
    let settings: EmbedSettings = settings_from_element(element);
    let options = settings.resolve(base_url)?;
    let field = |name: &str| js_sys::Reflect::get(first_markup, &name.into()).ok();
    let definition: PublicFormDefinition = field("definition")
        .and_then(|value| crate::services::js_value::from_js(value).ok())
        .ok_or_else(|| EmbedError::Definition {
            form_id: options.form_id.clone(),
            reason: "the first markup carries no readable definition".to_owned(),
        })?;
    let mount = field("mount")
        .and_then(|value| value.as_string())
        .unwrap_or_default();
    let carried = carried_profile(first_markup);
    let shadow = element.shadow_root().ok_or(EmbedError::NoDocument)?;
    let shown = shadow
        .query_selector(SHOWN_ROOT)
        .ok()
        .flatten()
        .ok_or(EmbedError::NoDocument)?;

    // Registered now, so `boot` (which the loader calls next) leaves this container alone.
    let handle = register_takeover(element);
    let element = element.clone();
    wasm_bindgen_futures::spawn_local(async move {
        // What the handler knows about a returning visitor decides which questions are asked:
        // the first markup carries it (and already shows that visitor's questions); only an
        // older handler's answer, without `profile`, leaves the widget to ask for it.
        // A held "Not you?" is done as the widget's own click does it, and the handler has
        // forgotten the visitor (cleared its cookie) before a held submit can go out with it.
        let server_profile = if held.not_you {
            not_you::forget_visitor(&options.endpoint, &definition).await;
            None
        } else {
            match carried {
                CarriedProfile::Carried(profile) => profile,
                CarriedProfile::NotCarried => fetch_profile(&options.endpoint, &definition).await,
            }
        };
        // Read now, after the wait: from here to the swap no input event can run.
        let values = read_values(&shown);
        // A send pressed during that wait is held by the loader as well, which marks the form
        // busy: it goes out like one held before the takeover began.
        let submit = held.submit
            || shown
                .query_selector("form[aria-busy=\"true\"]")
                .ok()
                .flatten()
                .is_some();
        let on_rendered = {
            let shadow = shadow.clone();
            let shown = shown.clone();
            let focus = read_focus(&shadow);
            Callback::from(move |()| swap(&shadow, &shown, focus.as_ref(), submit))
        };
        let takeover = Takeover {
            values,
            shown_at_ms,
            on_rendered,
        };
        let form_id = options.form_id.clone();
        let adopted = adopt(
            &handle,
            &shadow,
            options,
            definition,
            server_profile,
            &mount,
            takeover,
        );
        if let Err(error) = adopted {
            let message = error.to_string();
            web_sys::console::error_1(&JsValue::from_str(&message));
            events::dispatch(&element, events::ERROR, &form_id, None, Some(&message));
        }
    });
    Ok(())
}

/// The returning visitor's profile as the first markup carries it.
enum CarriedProfile {
    /// The handler read it with the markup: `None` when nothing is known or may be shown.
    Carried(Option<KnownProfile>),
    /// A first markup from a handler that predates `profile`.
    NotCarried,
}

fn carried_profile(first_markup: &JsValue) -> CarriedProfile {
    let key = JsValue::from_str("profile");
    if !js_sys::Reflect::has(first_markup, &key).unwrap_or(false) {
        return CarriedProfile::NotCarried;
    }
    let value = js_sys::Reflect::get(first_markup, &key).unwrap_or(JsValue::NULL);
    if value.is_null() || value.is_undefined() {
        return CarriedProfile::Carried(None);
    }
    // An unreadable profile is treated as none: the markup shown is then a fresh visitor's too.
    CarriedProfile::Carried(crate::services::js_value::from_js(value).ok())
}

/// `GET /v1/profile`, as when the widget mounts on its own, and only where the storage policy
/// allows.
async fn fetch_profile(endpoint: &str, definition: &PublicFormDefinition) -> Option<KnownProfile> {
    let may_ask = match definition.storage {
        StoragePolicy::Always => true,
        StoragePolicy::AfterConsent => visitor::has_visitor_id(),
        StoragePolicy::Never => false,
    };
    if !may_ask {
        return None;
    }
    profile::fetch_profile(endpoint, &definition.id).await.ok()
}

/// The values of the shown form's named controls, as the widget's state holds them.
fn read_values(root: &Element) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    let Ok(controls) = root.query_selector_all("input[name], select[name], textarea[name]") else {
        return values;
    };
    for index in 0..controls.length() {
        let Some(control) = controls.item(index) else {
            continue;
        };
        let control = JsValue::from(control);
        let read = |key: &str| js_sys::Reflect::get(&control, &key.into()).ok();
        let Some(name) = read("name").and_then(|v| v.as_string()) else {
            continue;
        };
        if name == HONEYPOT_NAME {
            continue;
        }
        let kind = read("type").and_then(|v| v.as_string()).unwrap_or_default();
        let value = if kind == "checkbox" {
            let checked = read("checked").and_then(|v| v.as_bool()).unwrap_or(false);
            if !checked {
                continue;
            }
            "true".to_owned()
        } else {
            read("value")
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        if !value.is_empty() {
            values.insert(name, value);
        }
    }
    values
}

fn read_focus(shadow: &ShadowRoot) -> Option<Focus> {
    let active = JsValue::from(shadow.active_element()?);
    let read = |key: &str| js_sys::Reflect::get(&active, &key.into()).ok();
    // A nameless control (the "Not you?" button) has no counterpart to focus in the widget.
    let name = read("name")
        .and_then(|v| v.as_string())
        .filter(|name| !name.is_empty())?;
    // Email inputs have no selection API (null); the caret then goes where focus() puts it.
    let selection = match (
        read("selectionStart").and_then(|v| v.as_f64()),
        read("selectionEnd").and_then(|v| v.as_f64()),
    ) {
        (Some(start), Some(end)) => Some((start as u32, end as u32)),
        _ => None,
    };
    Some(Focus { name, selection })
}

/// Removes the shown form, reveals the widget's, puts focus and caret back, and sends a held
/// submit through the widget.
fn swap(shadow: &ShadowRoot, shown: &Element, focus: Option<&Focus>, pending_submit: bool) {
    let Ok(Some(widget_root)) = shadow.query_selector(".leadform-root-pending") else {
        return;
    };
    // The honeypot is not part of the widget's state; what a bot put there must still count.
    let honeypot_selector = ["input[name=", HONEYPOT_NAME, "]"].concat();
    if let (Ok(Some(old)), Ok(Some(new))) = (
        shown.query_selector(&honeypot_selector),
        widget_root.query_selector(&honeypot_selector),
    ) {
        let value = js_sys::Reflect::get(&old, &"value".into()).unwrap_or(JsValue::NULL);
        let _ = js_sys::Reflect::set(&new, &"value".into(), &value);
    }
    shown.remove();
    widget_root.set_class_name("leadform-root");
    if let Some(focus) = focus {
        let selector = ["[name=\"", &focus.name, "\"]"].concat();
        if let Ok(Some(target)) = widget_root.query_selector(&selector) {
            if let Ok(target) = target.dyn_into::<HtmlElement>() {
                let _ = target.focus();
                if let Some((start, end)) = focus.selection {
                    let set = js_sys::Reflect::get(&target, &"setSelectionRange".into())
                        .ok()
                        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
                    if let Some(set) = set {
                        let _ = set.call2(&target, &start.into(), &end.into());
                    }
                }
            }
        }
    }
    if pending_submit {
        if let Ok(Some(form)) = widget_root.query_selector("form") {
            let submit = js_sys::Reflect::get(&form, &"requestSubmit".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            if let Some(submit) = submit {
                let _ = submit.call0(&form);
            }
        }
    }
}
