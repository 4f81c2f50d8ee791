// Progressive enhancement of the search form. Without this file the form works as is
// (the Apply/Update buttons submit it, the Filters button opens the facets in place); with
// it, ticking a filter or changing the sort applies at once, keyboard focus comes back to
// the control just used, and on a narrow screen the filters open over the page.
(function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  var KEY = "gfmd-kb-search-focus";
  var panel = document.getElementById("filters");
  var narrow = window.matchMedia("(max-width: 43.99rem)");

  // The filters panel. On a narrow screen its summary is the "Filters (n)" button and, once
  // open, the title bar of a panel covering the page: the page behind is inert, Escape, the
  // title bar or "Show results" close it, and focus goes back to the button. From 44rem the
  // stylesheet keeps the panel open as a sidebar (a browser without ::details-content needs
  // it opened here).
  var showsClosedPanels = window.CSS && CSS.supports("selector(::details-content)");
  var inerted = [];

  function enterOverlay() {
    if (panel.classList.contains("is-overlay")) return;
    panel.classList.add("is-overlay");
    document.documentElement.classList.add("panel-overlay-open");
    // Everything but the panel and its ancestors becomes inert, as behind a modal dialog.
    for (var node = panel; node.parentElement; node = node.parentElement) {
      Array.prototype.forEach.call(node.parentElement.children, function (sibling) {
        if (sibling !== node && !sibling.inert) {
          sibling.inert = true;
          inerted.push(sibling);
        }
      });
    }
  }

  function leaveOverlay() {
    panel.classList.remove("is-overlay");
    document.documentElement.classList.remove("panel-overlay-open");
    inerted.forEach(function (element) { element.inert = false; });
    inerted = [];
  }

  function closePanel() {
    panel.open = false;
    leaveOverlay();
    panel.querySelector("summary").focus();
  }

  function fitScreen() {
    if (narrow.matches) {
      if (panel.open) enterOverlay();
    } else {
      leaveOverlay();
      if (!showsClosedPanels) panel.open = true;
    }
  }

  if (panel) {
    var done = panel.querySelector(".filters-done");
    var heading = document.getElementById("results-heading");
    var total = heading && /^[\d,]+ practices?/.exec(heading.textContent.trim());
    if (done) {
      if (total) done.textContent = "Show " + total[0];
      done.hidden = false;
      done.addEventListener("click", closePanel);
    }
    panel.addEventListener("toggle", function () {
      if (panel.open && narrow.matches) enterOverlay(); else leaveOverlay();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && panel.classList.contains("is-overlay")) {
        event.preventDefault();
        closePanel();
      }
    });
    if (narrow.addEventListener) narrow.addEventListener("change", function () {
      if (narrow.matches) panel.open = false;
      fitScreen();
    });
    fitScreen();
  }

  // After a filter applied itself, the page is new: open what held the control (the facet's
  // list, the filters panel) and give it focus again.
  try {
    var id = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    var el = id && document.getElementById(id);
    if (el) {
      for (var details = el.closest("details"); details; details = details.parentElement.closest("details")) {
        details.open = true;
      }
      if (panel && panel.open && narrow.matches) enterOverlay();
      el.focus();
    }
  } catch (e) { /* storage unavailable: nothing to restore */ }

  // Filters live outside the <form> element (form="search-form"): listen on the document.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.form !== form || !target.matches('input[type="checkbox"], select')) return;
    try { sessionStorage.setItem(KEY, target.id); } catch (e) {}
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
  // Leave empty fields out so that shared URLs stay short and readable.
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.value === "" && el.tagName !== "BUTTON") el.disabled = true;
    });
  });
})();
