/* Leadform loader: embed a form with
 *   <div data-leadform="contact-us"></div>
 *   <script src="https://HANDLER/leadform.js" defer></script>
 * Plain JavaScript, no build step (`cargo xtask dist` only swaps in the content-hashed file names).
 *
 * It starts at once, in parallel: for each container it fetches the form's first markup
 * (GET /v1/forms/{id}/embed: the widget's own HTML, rendered by the handler, with the definition),
 * the stylesheet, and the widget's wasm and glue. The markup is shown, styled, in one step as soon
 * as it and the stylesheet are there: the visitor can type at once. Compiling the wasm and running
 * the glue wait until that form has been painted, so they never hold its first frame back. When
 * the wasm is ready, the widget takes each form over (src/embed/takeover.rs) keeping what the visitor typed,
 * the focus and the caret; a submit or a "Not you?" made before that is held and carried out by
 * the widget, once.
 *
 * The page keeps still when a form appears only if it reserved the form's height (README,
 * "Embedding a form"); where it did not, or too little, the console says what to reserve.
 *
 * Without WebAssembly, each container keeps its own content (the no-JS fallback); an empty one
 * gets the handler's plain-HTML form in an iframe. Under an enforced Trusted Types policy the
 * markup goes through the policy named "leadform". */
(function () {
  "use strict";

  var GLUE = "leadform_widget.js";
  var WASM = "leadform_widget_bg.wasm";
  var STYLESHEET = "leadform.css";
  var POLICY_NAME = "leadform";
  var MOUNTED = "data-leadform-mounted";
  // Set when the widget cannot load: forms shown after that post natively at once.
  var widgetFailed = false;

  function ownScript() {
    var current = document.currentScript;
    if (current && current.src) return current;
    var scripts = document.querySelectorAll('script[src*="leadform.js"]');
    return scripts.length ? scripts[scripts.length - 1] : null;
  }

  var script = ownScript();
  if (!script) return;
  var base = script.src.replace(/leadform\.js(?:[?#].*)?$/, "");

  // A shadow root whose first markup failed keeps only its slot, so the container's own content
  // (or the fallback iframe put there) still shows.
  function showsForm(container) {
    return !!(container.shadowRoot && container.shadowRoot.querySelector(".leadform-root"));
  }

  function showFallbacks(reason) {
    if (window.console && reason) console.warn("Leadform: showing the plain form:", reason);
    var containers = document.querySelectorAll("[data-leadform]");
    for (var i = 0; i < containers.length; i++) {
      var container = containers[i];
      if (container.hasAttribute(MOUNTED) || showsForm(container)) continue;
      if (container.children.length > 0 || container.textContent.trim() !== "") continue;
      var formId = container.getAttribute("data-leadform");
      var endpoint = (container.getAttribute("data-endpoint") || base).replace(/\/+$/, "");
      var frame = document.createElement("iframe");
      frame.src = endpoint + "/v1/forms/" + encodeURIComponent(formId) + "/fallback";
      frame.title = "Form: " + formId;
      frame.className = "leadform-fallback";
      frame.width = "100%";
      frame.height = "720";
      container.appendChild(frame);
    }
  }

  // The one place markup enters the page. Where the host enforces Trusted Types, it allows this
  // policy by name (README); the HTML comes from the handler that served this script.
  var policy = null;
  function trustedHtml(html) {
    if (!window.trustedTypes || !window.trustedTypes.createPolicy) return html;
    if (!policy) {
      policy = window.trustedTypes.createPolicy(POLICY_NAME, {
        createHTML: function (text) { return text; }
      });
    }
    return policy.createHTML(html);
  }

  // The stylesheet, fetched once for every form on the page. Where the browser can, it becomes a
  // constructed sheet that is adopted in the same step as the markup: the form's first frame is
  // already styled, with no frame in between for the stylesheet alone and no wait for a `load`
  // event. (Fetched with connect-src, applied without any inline style: a strict CSP holds.)
  // With credentials, as the first markup, so it shares that request's connection: a request
  // without them would wait for a new one (the handler names the origin for stylesheets).
  var constructable = typeof CSSStyleSheet === "function" && window.ShadowRoot &&
    "adoptedStyleSheets" in ShadowRoot.prototype && "replaceSync" in CSSStyleSheet.prototype;
  var sheet = null;
  function stylesheet() {
    if (!sheet) {
      sheet = fetch(base + STYLESHEET, { credentials: "include" }).then(function (response) {
        if (!response.ok) throw new Error("the handler answered " + response.status + " for " + STYLESHEET);
        return response.text();
      }).then(function (text) {
        var constructed = new CSSStyleSheet();
        constructed.replaceSync(text);
        return constructed;
      });
    }
    return sheet;
  }

  // The stylesheet as a <link> in `shadow`, before `before`; resolves with it once it has loaded
  // or failed (unstyled beats no form).
  function linkStylesheet(shadow, before) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = base + STYLESHEET;
    shadow.insertBefore(link, before);
    return new Promise(function (resolve) {
      link.addEventListener("load", function () { resolve(link); });
      link.addEventListener("error", function () { resolve(link); });
    });
  }

  // After the form's first frame: tell the page's owner what to reserve when the page reserved
  // nothing or too little, measured here at this page's width. Only the page can reserve it: a
  // deferred script may run after the browser has already drawn the page once.
  function hintHeight(container) {
    var shown = container.shadowRoot && container.shadowRoot.querySelector(".leadform-root");
    if (!shown || !window.console) return;
    var needed = Math.ceil(shown.getBoundingClientRect().height);
    var reserved = parseFloat(getComputedStyle(container).minHeight) || 0;
    if (reserved >= needed) return;
    var formId = container.getAttribute("data-leadform");
    // flow-root keeps the margins of the container's own content inside it, so swapping that
    // content for the form cannot move the box either.
    console.info("Leadform: reserve the height of the form " + formId + " so that the page does " +
      "not move when it appears: [data-leadform=\"" + formId + "\"] { display: flow-root; " +
      "min-height: " + needed + "px; }");
  }

  // Fetches a module without running it (the later import() finds it ready). Where the browser
  // has no module preload, the import fetches it then.
  function preloadModule(url) {
    var link = document.createElement("link");
    if (!link.relList || !link.relList.supports || !link.relList.supports("modulepreload")) return;
    link.rel = "modulepreload";
    link.href = url;
    (document.head || document.documentElement).appendChild(link);
  }

  // Resolves once the frame showing what was just put on screen has been produced.
  function afterPaint() {
    return new Promise(function (resolve) {
      requestAnimationFrame(function () { setTimeout(resolve, 0); });
    });
  }

  // A form shown from the first markup, until the widget takes it over.
  function InstantForm(container, mount) {
    this.container = container;
    this.mount = mount;
    this.markup = null;
    this.root = null;
    this.form = null;
    this.endpoint = "";
    this.pendingSubmit = false;
    this.pendingNotYou = false;
    // Set once a "Not you?" without the widget has begun replacing the form (forgetNatively).
    this.forgotten = false;
    this.native = false;
    this.shownAt = 0;
  }

  // The widget cannot run after all: the shown form posts to the handler's plain-HTML route,
  // which stores it like any lead (a held submit goes now). Its fields carry the same names.
  InstantForm.prototype.postNatively = function () {
    var form = this.form;
    if (!form || this.native) return;
    this.native = true;
    var formId = this.container.getAttribute("data-leadform");
    form.method = "post";
    form.action = this.endpoint + "/v1/forms/" + encodeURIComponent(formId) + "/fallback";
    form.removeAttribute("aria-busy");
    var honeypot = form.querySelector('input[name="leadform_website"]');
    var extra = {
      leadform_hp: honeypot ? honeypot.value : "",
      // The server's own timing (issue 7): the token it signed when it sent this form.
      form_token: (this.markup && this.markup.form_token) || "",
      leadform_submission_id: window.crypto && crypto.randomUUID ? crypto.randomUUID() : ""
    };
    for (var name in extra) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = extra[name];
      form.appendChild(input);
    }
    if (this.pendingNotYou) this.forgetNatively();
    else if (this.pendingSubmit) form.submit();
  };

  // "Not you?" on the shown form, before the takeover. Held like a submit: the widget forgets the
  // visitor as its own click does and shows a new visitor's form (take_over's pending_not_you).
  // What the form holds now (the returning visitor's prefill) is theirs and is cleared; what is
  // typed from here on is the new visitor's and carries over. A send held before this click was
  // the previous visitor's (their one-click form): it is dropped, not sent under the new one.
  InstantForm.prototype.notYou = function (button) {
    if (this.pendingNotYou) return;
    this.pendingNotYou = true;
    button.setAttribute("aria-busy", "true");
    button.setAttribute("aria-disabled", "true");
    var form = this.form;
    if (form) {
      this.pendingSubmit = false;
      form.removeAttribute("aria-busy");
      var controls = form.querySelectorAll("input[name], select[name], textarea[name]");
      for (var i = 0; i < controls.length; i++) {
        var control = controls[i];
        if (control.name === "leadform_website" || control.type === "hidden") continue;
        if (control.type === "checkbox") control.checked = false;
        else control.value = "";
      }
    }
    if (this.native) this.forgetNatively();
  };

  // "Not you?" when the widget cannot run. Only the widget can draw the new visitor's full form
  // in place, and posting the shown form (one-click, or the returning visitor's questions) would
  // send the old visitor's cookie with it. So: forget on this device what the widget keeps
  // (src/services/storage.rs keys), have the handler forget the visitor and clear its cookie
  // (DELETE /v1/profile, as the widget does), then show the handler's plain full form for a new
  // visitor, the one an empty container gets without WebAssembly.
  InstantForm.prototype.forgetNatively = function () {
    if (this.forgotten) return;
    this.forgotten = true;
    var self = this;
    var formId = this.container.getAttribute("data-leadform");
    try {
      localStorage.removeItem("leadform:profile");
      localStorage.removeItem("leadform:visitor_id");
    } catch (error) { /* storage unavailable: nothing is kept there either */ }
    var forget = fetch(this.endpoint + "/v1/profile?form=" + encodeURIComponent(formId), {
      method: "DELETE",
      credentials: "include"
    }).catch(function () { /* the frame's form is a new visitor's all the same */ });
    forget.then(function () {
      var shown = self.root;
      if (!shown || !shown.parentNode) return;
      var frame = document.createElement("iframe");
      frame.src = self.endpoint + "/v1/forms/" + encodeURIComponent(formId) + "/fallback";
      frame.title = "Form: " + formId;
      frame.className = "leadform-fallback";
      frame.width = "100%";
      frame.height = "720";
      shown.parentNode.replaceChild(frame, shown);
    });
  };

  InstantForm.prototype.start = function () {
    var self = this;
    var container = this.container;
    var formId = container.getAttribute("data-leadform");
    var endpoint = (container.getAttribute("data-endpoint") || base).replace(/\/+$/, "");
    this.endpoint = endpoint;
    // The request goes out first: everything else here can run while it travels.
    // The widget's language order (src/services/locale.rs), so the markup speaks what it will.
    var languages = [container.getAttribute("data-locale"), document.documentElement.lang]
      .concat(navigator.languages || [navigator.language]).filter(Boolean).join(",");
    var url = endpoint + "/v1/forms/" + encodeURIComponent(formId) + "/embed?mount=" + this.mount +
      "&languages=" + encodeURIComponent(languages);
    var answer = fetch(url, { credentials: "include" }).then(function (response) {
      if (!response.ok) throw new Error("the handler answered " + response.status + " for " + url);
      return response.json();
    });
    var shadow = container.shadowRoot || container.attachShadow({ mode: "open" });
    // Until the form is ready to show, the container's own content stays on screen.
    var slot = document.createElement("slot");
    shadow.appendChild(slot);
    // A constructed sheet where the browser has them; else, or when fetching it failed (a CORS
    // answer a cache got wrong, a connect-src that names only the API), a <link>, which needs
    // neither: a stylesheet problem never costs the visitor the form.
    var markupFailed = false;
    var styled = constructable
      ? stylesheet().catch(function (error) {
          // After a failed first markup the container shows its own content: no sheet for it.
          if (markupFailed) return null;
          if (window.console) console.warn("Leadform: the stylesheet comes as a <link>:", error && error.message ? error.message : error);
          return linkStylesheet(shadow, slot);
        })
      : linkStylesheet(shadow, slot);
    return Promise.all([answer, styled]).then(function (results) {
      var markup = results[0];
      var root = document.createElement("div");
      // "instant" until the widget replaces it (src/embed/takeover.rs looks for it by that class).
      root.className = "leadform-root leadform-root-instant";
      root.innerHTML = trustedHtml(markup.html);
      var form = root.querySelector("form");
      if (form) {
        form.addEventListener("submit", function (event) {
          if (self.native && !self.pendingNotYou) return;
          // Held, not lost: the widget sends it once it has taken over.
          event.preventDefault();
          // Without the widget, after "Not you?": the new visitor's form is on its way.
          if (self.native) return;
          if (self.pendingSubmit) return;
          self.pendingSubmit = true;
          form.setAttribute("aria-busy", "true");
        });
      }
      var notYou = root.querySelector(".leadform-not-you");
      if (notYou) {
        notYou.addEventListener("click", function () { self.notYou(notYou); });
      }
      // Style and markup in the same step: the browser never draws one without the other.
      if (constructable && results[1] instanceof CSSStyleSheet) shadow.adoptedStyleSheets = [results[1]];
      shadow.replaceChild(root, slot);
      self.root = root;
      self.form = form;
      self.markup = markup;
      self.shownAt = Date.now();
      if (widgetFailed) self.postNatively();
    }, function (error) {
      // The container's own content stays on screen through the slot, until the widget mounts
      // it the usual way (and reports the problem), or, without the widget, showFallbacks.
      markupFailed = true;
      var links = shadow.querySelectorAll("link");
      for (var i = 0; i < links.length; i++) shadow.removeChild(links[i]);
      if (window.console) console.warn("Leadform:", error && error.message ? error.message : error);
    });
  };

  function start() {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      showFallbacks("this browser cannot run WebAssembly");
      return;
    }
    var forms = [];
    var containers = document.querySelectorAll("[data-leadform]");
    for (var i = 0; i < containers.length; i++) {
      var container = containers[i];
      if (container.hasAttribute(MOUNTED) || container.shadowRoot) continue;
      forms.push(new InstantForm(container, "lf" + (i + 1)));
    }
    var shown = forms.map(function (form) { return form.start(); });

    // The wasm and the glue download from now on, next to the first markup. The main thread's
    // work on them (compiling, evaluating the glue) waits until the forms have been painted: on
    // a slow phone that work would otherwise hold back the first frame of a form the visitor can
    // already use.
    var wasmResponse = fetch(base + WASM);
    preloadModule(base + GLUE);
    var onScreen = Promise.all(shown);
    var painted = onScreen.then(afterPaint);
    painted.then(function () {
      forms.forEach(function (form) {
        if (form.form) hintHeight(form.container);
      });
    });
    var module = painted.then(function () {
      return typeof WebAssembly.compileStreaming === "function"
        ? WebAssembly.compileStreaming(wasmResponse)
        : wasmResponse.then(function (r) { return r.arrayBuffer(); }).then(WebAssembly.compile);
    });
    var glue = painted.then(function () { return import(base + GLUE); });
    var widget = Promise.all([glue, module]).then(function (loaded) {
      return loaded[0].default({ module_or_path: loaded[1] }).then(function () { return loaded[0]; });
    });

    widget.catch(function (error) {
      widgetFailed = true;
      forms.forEach(function (form) { form.postNatively(); });
      showFallbacks(error);
    });
    Promise.all([widget, onScreen]).then(function (loaded) {
      var api = loaded[0];
      forms.forEach(function (form) {
        if (!form.markup) return;
        api.take_over(form.container, form.markup, base, form.pendingSubmit, form.shownAt,
          form.pendingNotYou);
      });
      // Everything not taken over (a Leadform.mount API user, a container whose markup failed).
      api.boot(base);
    }, function () { /* reported above */ });
  }

  // A page with the loader but no form tells the handler a known visitor came back (lead
  // scoring). Plain text needs no preflight; the handler records it only for a visitor it
  // already knows and may remember. Nothing is sent when the browser asks not to be tracked.
  function reportPageView() {
    if (document.querySelector("[data-leadform]") || navigator.globalPrivacyControl) return;
    if (typeof fetch !== "function") return;
    fetch(base + "v1/page-views", {
      method: "POST",
      credentials: "include",
      keepalive: true,
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ page_url: location.href })
    }).catch(function () {});
  }

  start();
  // Whether the page has a form is known only once it is parsed.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reportPageView);
  } else {
    reportPageView();
  }
})();
