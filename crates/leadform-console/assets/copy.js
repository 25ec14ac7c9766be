// Copy buttons for the console's forms page (/console/forms): each copies its snippet or link to
// the clipboard and says "Copied". Never required: the buttons start hidden, and without this
// file the read-only text boxes stay there to select and copy by hand.
"use strict";
(function () {
  var RESET_AFTER_MS = 4000;

  function show(button, status, copied) {
    button.textContent = copied ? "Copied" : "Copy";
    button.classList.toggle("copied", copied);
    status.textContent = copied
      ? "Copied to the clipboard."
      : "";
  }

  function selectForManualCopy(target, status) {
    target.focus();
    target.select();
    status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
  }

  function copyWithSelection(target) {
    target.focus();
    target.select();
    try {
      return document.execCommand("copy");
    } catch (ignored) {
      return false;
    }
  }

  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!target || !status) {
      return;
    }
    var timer = null;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        show(button, status, true);
        clearTimeout(timer);
        timer = setTimeout(function () { show(button, status, false); }, RESET_AFTER_MS);
      };
      var fallback = function () {
        if (copyWithSelection(target)) {
          done();
        } else {
          selectForManualCopy(target, status);
        }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(target.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
