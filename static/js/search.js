// Progressive enhancement of the search form. Without this file the form works as is
// (the Apply/Update buttons submit it); with it, ticking a filter or changing the sort
// applies at once, and keyboard focus comes back to the control just used.
(function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  var KEY = "gfmd-kb-search-focus";
  try {
    var id = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    var el = id && document.getElementById(id);
    if (el) {
      var details = el.closest("details");
      if (details) details.open = true;
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
