/* Small behaviours without inline scripts (the Content-Security-Policy allows scripts from this
   site only): selects that submit their form on change, buttons that print the page, a panel
   that could not be loaded saying so. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  // a part of a page loaded after it (a detail page's match panel) that could not be loaded says
  // so in its own words (data-fail) instead of saying "loading…" for ever
  function failed(event) {
    var origin = event.detail && event.detail.elt;
    var holder = origin && origin.closest ? origin.closest("[data-fail]") : null;
    if (!holder) {
      return;
    }
    var note = document.createElement("div");
    note.className = "empty";
    note.setAttribute("role", "alert");
    note.textContent = holder.getAttribute("data-fail");
    var waiting = holder.querySelector("[aria-live]");
    if (waiting) {
      waiting.replaceWith(note);
    } else {
      holder.appendChild(note);
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-print]")) {
      window.print();
    }
  });
})();
