// The brief's "Print this brief" button: hidden in the markup, shown once it can work.
(function () {
  var button = document.getElementById("print-brief");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
})();
