// Installed by DevTools before any page script runs, in every document of the benchmark's tab.
// Records, in ms from navigation start (performance.now()), when the form's email input is first
// visible, when it is visible and enabled ("ready"), when Leadform's widget announced itself
// (`leadform:ready`, "interactive with validation"), and the layout shift that happened.
(() => {
  if (window.top !== window) return;
  const figures = { visible: null, ready: null, interactive: null, layoutShift: 0, shifts: [] };
  Object.defineProperty(window, "__leadformBench", { value: figures });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      figures.layoutShift += entry.value;
      figures.shifts.push([entry.startTime, entry.value]);
    }
  }).observe({ type: "layout-shift", buffered: true });
  document.addEventListener("leadform:ready", () => {
    if (figures.interactive === null) figures.interactive = performance.now();
  }, true);

  const emailInput = () => {
    const light = document.querySelector("input[type=email]");
    if (light) return light;
    for (const host of document.querySelectorAll("[data-leadform]")) {
      const found = host.shadowRoot && host.shadowRoot.querySelector("input[type=email]");
      if (found) return found;
    }
    return null;
  };
  const isVisible = (element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const style = getComputedStyle(element);
    return style.visibility !== "hidden" && style.display !== "none" && style.opacity !== "0";
  };
  // Checked once per frame: what the visitor can see changes only when a frame is drawn.
  const check = () => {
    const input = emailInput();
    if (input && isVisible(input)) {
      const now = performance.now();
      if (figures.visible === null) figures.visible = now;
      if (figures.ready === null && !input.disabled && !input.readOnly) figures.ready = now;
    }
    if (figures.ready === null) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
