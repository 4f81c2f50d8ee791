// Progressive enhancement of the reader: a passage split by an overlap or a paragraph break
// is several <mark>s; :target only reaches the first, so mark them all as the current passage.
(function () {
  function highlight() {
    document.querySelectorAll("mark.current").forEach(function (mark) { mark.classList.remove("current"); });
    var found = /^#passage-(\d+)$/.exec(window.location.hash);
    if (!found) { return; }
    document.querySelectorAll("mark.passage").forEach(function (mark) {
      if (mark.dataset.passages.split(" ").indexOf(found[1]) !== -1) { mark.classList.add("current"); }
    });
  }
  window.addEventListener("hashchange", highlight);
  highlight();

  // The cited passages are a button on a phone and a panel beside the text from 44rem, which
  // the stylesheet shows with ::details-content; a browser without it gets the panel opened.
  var panel = document.getElementById("passages");
  if (panel && !(window.CSS && CSS.supports("selector(::details-content)")) &&
      window.matchMedia("(min-width: 44rem)").matches) {
    panel.open = true;
  }
})();
