// "Cite for practice…" in the reader, for curators (practices.curation_views). The selection's
// offsets in the document's text are counted from the paragraphs' id="offset-<start>" (their
// text is the document's, character for character); the server stores the document's own
// characters between them. Without this script the tool is a link to the admin's form.
(function () {
  var tool = document.getElementById("cite-tool");
  var text = document.querySelector(".document-text");
  var dialog = document.getElementById("cite-dialog");
  if (!tool || !text || !dialog || typeof dialog.showModal !== "function") { return; }
  var openButton = document.getElementById("cite-open");
  var hint = document.getElementById("cite-hint");
  var form = document.getElementById("cite-form");
  var query = document.getElementById("cite-practice-q");
  var picker = document.getElementById("cite-practice");
  var count = document.getElementById("cite-practice-count");
  var result = document.getElementById("cite-result");
  var submit = document.getElementById("cite-submit");
  var existing = document.getElementById("cite-existing");
  var fresh = document.getElementById("cite-new");
  var current = null;
  var INITIAL_HINT = hint.textContent;

  openButton.hidden = false;

  function later(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function blockOf(node) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    var block = element && element.closest("[id^='offset-']");
    return block && text.contains(block) ? block : null;
  }

  function offsetIn(block, node, offset) {
    var range = document.createRange();
    range.setStart(block, 0);
    range.setEnd(node, offset);
    return parseInt(block.id.slice("offset-".length), 10) + range.toString().length;
  }

  // The paragraphs' text only (not the "Cited by" notes between them), paragraphs apart.
  function selectedText(range) {
    var fragment = range.cloneContents();
    var blocks = fragment.querySelectorAll("[id^='offset-']");
    if (!blocks.length) { return fragment.textContent; }
    return Array.prototype.map.call(blocks, function (block) { return block.textContent; }).join("\n\n");
  }

  function noteSelection() {
    var selection = window.getSelection();
    if (!selection || !selection.rangeCount || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!text.contains(range.commonAncestorContainer)) { return; }  // elsewhere: keep the last one
    var startBlock = blockOf(range.startContainer);
    var endBlock = blockOf(range.endContainer);
    if (!startBlock || !endBlock) {
      hint.textContent = "Start and end the selection inside the document's paragraphs.";
      return;
    }
    var start = offsetIn(startBlock, range.startContainer, range.startOffset);
    var end = offsetIn(endBlock, range.endContainer, range.endOffset);
    if (end <= start) { return; }
    current = { start: start, end: end, text: selectedText(range) };
    openButton.disabled = false;
    hint.textContent = "Selected: " + (end - start).toLocaleString("en-GB") + " characters.";
  }
  document.addEventListener("selectionchange", later(noteSelection, 150));

  var asked = 0;  // only the latest answer counts (typing sends several)
  function loadPractices() {
    var ask = ++asked;
    var url = tool.dataset.lookupUrl + "?q=" + encodeURIComponent(query.value);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (ask !== asked) { return; }
        var chosen = picker.value;
        picker.replaceChildren();
        (data.results || []).forEach(function (practice) {
          var option = document.createElement("option");
          option.value = practice.id;
          option.textContent = practice.title + " (" + practice.status + ")";
          option.selected = String(practice.id) === chosen;
          picker.appendChild(option);
        });
        var n = picker.options.length;
        count.textContent = n ? n + (n === 20 ? "+" : "") + " practice" + (n === 1 ? "" : "s") + " found; choose one in the list."
                              : "No practice has these words in its title.";
      })
      .catch(function () { count.textContent = "The list of practices could not be loaded."; });
  }
  query.addEventListener("input", later(loadPractices, 200));

  function showTarget() {
    var isNew = form.elements.target.value === "new";
    existing.hidden = isNew;
    if (fresh) { fresh.hidden = !isNew; }
  }
  Array.prototype.forEach.call(form.querySelectorAll("input[name=target]"), function (radio) {
    radio.addEventListener("change", showTarget);
  });

  openButton.addEventListener("click", function () {
    if (!current) { return; }
    form.elements.start.value = current.start;
    form.elements.end.value = current.end;
    form.elements.selected.value = current.text;
    var shown = current.text.length > 600 ? current.text.slice(0, 600) + "…" : current.text;
    document.getElementById("cite-preview").textContent = shown;
    document.getElementById("cite-range").textContent =
      current.start.toLocaleString("en-GB") + "–" + current.end.toLocaleString("en-GB");
    result.replaceChildren();
    result.className = "cite-result";
    submit.disabled = false;
    showTarget();
    dialog.showModal();
    query.focus();
    loadPractices();
  });

  document.getElementById("cite-cancel").addEventListener("click", function () { dialog.close(); });

  function link(href, label) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    return a;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit.disabled = true;  // one submit at a time (the server ignores a repeat anyway)
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var message = document.createElement("p");
        message.textContent = data.message;
        result.replaceChildren(message);
        result.className = "cite-result " + (data.ok ? "ok" : "error");
        result.scrollIntoView({ block: "nearest" });
        if (data.ok) {
          var links = document.createElement("p");
          links.append(link(data.practice_admin_url, "Open the practice in the admin"), " · ",
                       link(data.history_url, "its history"));
          result.appendChild(links);
          hint.textContent = INITIAL_HINT;
        } else {
          submit.disabled = false;
          var field = data.field === "practice" ? query : null;
          if (field) { field.focus(); }
        }
      })
      .catch(function () {
        submit.disabled = false;
        result.textContent = "The citation could not be sent. Check the connection and try again.";
        result.className = "cite-result error";
      });
  });
})();
