/* Leadform loader: embed a form with
 *   <div data-leadform="contact-us"></div>
 *   <script src="https://HANDLER/leadform.js" defer></script>
 * Plain JavaScript, no build step. It finds the handler's base URL from its own src, loads the
 * WebAssembly widget, and calls its boot(base). Everything else (reading data attributes,
 * fetching definitions, mounting, window.Leadform) happens in the widget (src/embed/).
 * Without WebAssembly, each container keeps its own content (the no-JS fallback); an empty one
 * gets the handler's plain-HTML form in an iframe. */
(function () {
  "use strict";

  function ownScript() {
    var current = document.currentScript;
    if (current && current.src) return current;
    var scripts = document.querySelectorAll('script[src$="leadform.js"]');
    return scripts.length ? scripts[scripts.length - 1] : null;
  }

  var script = ownScript();
  if (!script) return;
  var base = script.src.replace(/leadform\.js(?:[?#].*)?$/, "");

  function showFallbacks(reason) {
    if (window.console && reason) console.warn("Leadform: showing the plain form:", reason);
    var containers = document.querySelectorAll("[data-leadform]");
    for (var i = 0; i < containers.length; i++) {
      var container = containers[i];
      if (container.hasAttribute("data-leadform-mounted")) continue;
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

  function start() {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      showFallbacks("this browser cannot run WebAssembly");
      return;
    }
    import(base + "leadform_widget.js")
      .then(function (widget) {
        return widget.default({ module_or_path: base + "leadform_widget_bg.wasm" }).then(function () {
          widget.boot(base);
        });
      })
      .catch(showFallbacks);
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

  function begin() {
    reportPageView();
    start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", begin);
  } else {
    begin();
  }
})();
