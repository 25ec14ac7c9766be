//! Mounting a widget into a container: idempotent, inside an open shadow root, undoable.

use super::attributes::{EmbedSettings, MOUNTED};
use super::EmbedError;
use crate::components::{Widget, WidgetProps};
use crate::handoff::{EmbedOptions, Takeover};
use crate::services::{definition, events, profile, visitor};
use leadform_core::{KnownProfile, PublicFormDefinition, StoragePolicy};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot, ShadowRootInit, ShadowRootMode};
use yew::{AppHandle, AttrValue};

/// The widget's root while a takeover renders it, hidden until it swaps in (see `takeover`).
pub const PENDING_CLASS: &str = "leadform-root leadform-root-pending";

thread_local! {
    /// Every live mount, so mounting the same element twice returns the first mount.
    static MOUNTS: RefCell<Vec<MountHandle>> = const { RefCell::new(Vec::new()) };
    /// Numbers mounts, so element ids stay unique when a page holds several forms.
    static NEXT_MOUNT: Cell<u32> = const { Cell::new(1) };
    /// Where `leadform.css` is served (the loader's base URL), once `boot` has run.
    static ASSET_BASE: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn set_asset_base(base_url: &str) {
    let base = base_url.trim_end_matches('/').to_owned();
    ASSET_BASE.with(|b| *b.borrow_mut() = Some(base));
}

struct MountSlot {
    element: Element,
    app: RefCell<Option<AppHandle<Widget>>>,
    unmounted: Cell<bool>,
}

/// A mounted (or loading) widget. `unmount()` removes it and lets the element be mounted again.
#[wasm_bindgen]
#[derive(Clone)]
pub struct MountHandle {
    slot: Rc<MountSlot>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Destroys the widget and empties its shadow root; the container can be mounted again.
    pub fn unmount(&self) {
        if self.slot.unmounted.replace(true) {
            return;
        }
        if let Some(app) = self.slot.app.borrow_mut().take() {
            app.destroy();
        }
        if let Some(shadow) = self.slot.element.shadow_root() {
            shadow.set_inner_html("");
        }
        let _ = self.slot.element.remove_attribute(MOUNTED);
        MOUNTS.with(|mounts| {
            mounts
                .borrow_mut()
                .retain(|m| !Rc::ptr_eq(&m.slot, &self.slot))
        });
    }

    #[wasm_bindgen(getter, js_name = isMounted)]
    pub fn is_mounted(&self) -> bool {
        !self.slot.unmounted.get() && self.slot.app.borrow().is_some()
    }
}

/// The live mount of `element`, if any.
fn existing_mount(element: &Element) -> Option<MountHandle> {
    MOUNTS.with(|mounts| {
        mounts
            .borrow()
            .iter()
            .find(|m| &m.slot.element == element)
            .cloned()
    })
}

fn register(element: &Element) -> MountHandle {
    let handle = MountHandle {
        slot: Rc::new(MountSlot {
            element: element.clone(),
            app: RefCell::new(None),
            unmounted: Cell::new(false),
        }),
    };
    let _ = element.set_attribute(MOUNTED, "");
    MOUNTS.with(|mounts| mounts.borrow_mut().push(handle.clone()));
    handle
}

/// Mounts the form `options` names into `element`: fetches its definition (and, where the storage
/// policy allows, what the handler knows about the visitor), then renders. Until then the
/// container's own content (the no-JS fallback) stays visible.
pub fn mount(element: &Element, options: EmbedOptions) -> MountHandle {
    if let Some(handle) = existing_mount(element) {
        return handle;
    }
    let handle = register(element);
    let loading = handle.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = load_and_render(&loading, options.clone()).await;
        if let Err(error) = result {
            let message = error.to_string();
            web_sys::console::error_1(&JsValue::from_str(&message));
            events::dispatch(
                &loading.slot.element,
                events::ERROR,
                &options.form_id,
                None,
                Some(&message),
            );
            loading.unmount();
        }
    });
    handle
}

async fn load_and_render(handle: &MountHandle, options: EmbedOptions) -> Result<(), EmbedError> {
    let stated = crate::services::locale::stated_locale(options.locale.as_deref());
    let definition = definition::fetch_definition(&options.endpoint, &options.form_id, stated)
        .await
        .map_err(|error| EmbedError::Definition {
            form_id: options.form_id.clone(),
            reason: error.to_string(),
        })?;
    // Asking the handler may set its visitor cookie, so ask only where the policy allows that up
    // front, or where this browser consented before (only then does it hold a visitor id).
    let may_ask = match definition.storage {
        StoragePolicy::Always => true,
        StoragePolicy::AfterConsent => visitor::has_visitor_id(),
        StoragePolicy::Never => false,
    };
    let server_profile = if may_ask {
        profile::fetch_profile(&options.endpoint, &definition.id)
            .await
            .ok()
    } else {
        None
    };
    if handle.slot.unmounted.get() {
        return Ok(());
    }
    render(handle, options, definition, server_profile)
}

/// Mounts the widget over a form the loader already shows in `shadow` (see `takeover`): renders
/// into a hidden root beside it, with the given ids and the visitor's values.
pub fn adopt(
    handle: &MountHandle,
    shadow: &ShadowRoot,
    options: EmbedOptions,
    definition: PublicFormDefinition,
    server_profile: Option<KnownProfile>,
    mount: &str,
    takeover: Takeover,
) -> Result<MountHandle, EmbedError> {
    if handle.slot.unmounted.get() {
        return Ok(handle.clone());
    }
    let element = &handle.slot.element;
    let document = element.owner_document().ok_or(EmbedError::NoDocument)?;
    let root = document
        .create_element("div")
        .map_err(|e| EmbedError::ShadowRoot(describe(&e)))?;
    root.set_class_name(PENDING_CLASS);
    shadow
        .append_child(&root)
        .map_err(|e| EmbedError::ShadowRoot(describe(&e)))?;
    // Later mounts must not reuse the loader's numbers.
    if let Some(number) = mount.strip_prefix("lf").and_then(|n| n.parse::<u32>().ok()) {
        NEXT_MOUNT.with(|n| n.set(n.get().max(number + 1)));
    }
    crate::services::catalogue::install_visitor_table(options.locale.as_deref(), &definition);
    let props = WidgetProps {
        options: Rc::new(options),
        definition: Rc::new(definition),
        server_profile: server_profile.map(Rc::new),
        container: element.clone(),
        id_prefix: AttrValue::from(mount.to_owned()),
        takeover: Some(Rc::new(takeover)),
    };
    let app = yew::Renderer::<Widget>::with_root_and_props(root, props).render();
    *handle.slot.app.borrow_mut() = Some(app);
    Ok(handle.clone())
}

/// Claims `element` for a takeover before its widget renders (the existing mount, if any).
pub fn register_takeover(element: &Element) -> MountHandle {
    existing_mount(element).unwrap_or_else(|| register(element))
}

/// Mounts a form whose definition is already at hand (what `mount` does once it has fetched it).
/// Tests use it to render without a server; it is the same component fed the same data.
pub fn mount_with_definition(
    element: &Element,
    options: EmbedOptions,
    definition: PublicFormDefinition,
    server_profile: Option<KnownProfile>,
) -> Result<MountHandle, EmbedError> {
    if let Some(handle) = existing_mount(element) {
        return Ok(handle);
    }
    let handle = register(element);
    if let Err(error) = render(&handle, options, definition, server_profile) {
        handle.unmount();
        return Err(error);
    }
    Ok(handle)
}

fn render(
    handle: &MountHandle,
    options: EmbedOptions,
    definition: PublicFormDefinition,
    server_profile: Option<KnownProfile>,
) -> Result<(), EmbedError> {
    let element = &handle.slot.element;
    let document = element.owner_document().ok_or(EmbedError::NoDocument)?;
    let shadow = open_shadow_root(element)?;
    shadow.set_inner_html("");

    let stylesheet = document
        .create_element("link")
        .map_err(|e| EmbedError::ShadowRoot(describe(&e)))?;
    let base = ASSET_BASE
        .with(|b| b.borrow().clone())
        .unwrap_or_else(|| options.endpoint.clone());
    let _ = stylesheet.set_attribute("rel", "stylesheet");
    let _ = stylesheet.set_attribute("href", &[base.as_str(), "/leadform.css"].concat());
    let root = document
        .create_element("div")
        .map_err(|e| EmbedError::ShadowRoot(describe(&e)))?;
    let _ = root.set_attribute("class", "leadform-root");
    shadow
        .append_child(&stylesheet)
        .and_then(|_| shadow.append_child(&root))
        .map_err(|e| EmbedError::ShadowRoot(describe(&e)))?;

    let mount_number = NEXT_MOUNT.with(|n| n.replace(n.get() + 1));
    crate::services::catalogue::install_visitor_table(options.locale.as_deref(), &definition);
    let props = WidgetProps {
        options: Rc::new(options),
        definition: Rc::new(definition),
        server_profile: server_profile.map(Rc::new),
        container: element.clone(),
        id_prefix: ["lf", &mount_number.to_string()].concat().into(),
        takeover: None,
    };
    let app = yew::Renderer::<Widget>::with_root_and_props(root, props).render();
    *handle.slot.app.borrow_mut() = Some(app);
    Ok(())
}

/// The container's shadow root: reused after an unmount (a shadow root cannot be removed).
fn open_shadow_root(element: &Element) -> Result<ShadowRoot, EmbedError> {
    if let Some(shadow) = element.shadow_root() {
        return Ok(shadow);
    }
    element
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .map_err(|e| EmbedError::ShadowRoot(describe(&e)))
}

fn describe(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "the browser refused".to_owned())
}

/// Reads an embed's settings from its container's data attributes.
pub fn settings_from_element(element: &Element) -> EmbedSettings {
    EmbedSettings::read(|setting| element.get_attribute(setting.attribute))
}

/// Mounts every `[data-leadform]` container on the page not mounted yet.
pub fn mount_all(default_endpoint: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let selector = ["[", super::attributes::FORM_ID, "]"].concat();
    let Ok(containers) = document.query_selector_all(&selector) else {
        return;
    };
    for index in 0..containers.length() {
        let Some(element) = containers
            .item(index)
            .and_then(|node| node.dyn_into::<Element>().ok())
        else {
            continue;
        };
        match settings_from_element(&element).resolve(default_endpoint) {
            Ok(options) => {
                mount(&element, options);
            }
            Err(error) => {
                let message = error.to_string();
                web_sys::console::error_1(&JsValue::from_str(&message));
                events::dispatch(&element, events::ERROR, "", None, Some(&message));
            }
        }
    }
}
