/**
 * Live code for the book (see _ext/minnet_thebe.py).
 *
 * When the reader presses "Live Code", before Thebe looks for code cells:
 * - the hidden code of every remove-input cell (a setup cell: imports, seeds), kept inert in
 *   <script type="text/x-minnet-thebe-cell">, becomes a code cell that Thebe picks up;
 *   it stays out of sight (minnet-thebe.css) and runs first, once the kernel is ready;
 * - thebe's stylesheet is added (thebe 0.9 ships it apart from its script).
 * Nothing here runs, and nothing is fetched, until the button is pressed.
 */
(function () {
  "use strict";

  var prepared = false;

  function materializeHiddenCells() {
    document.querySelectorAll('script[type="text/x-minnet-thebe-cell"]').forEach(function (el) {
      var cell = el.closest(".cell");
      var pre = document.createElement("pre");
      pre.textContent = JSON.parse(el.textContent);
      el.replaceWith(pre);
      if (cell) cell.classList.add("minnet-thebe-init");
    });
  }

  function addThebeStylesheet() {
    if (typeof MINNET_THEBE_CSS_URL === "undefined" || !MINNET_THEBE_CSS_URL) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = MINNET_THEBE_CSS_URL;
    document.head.appendChild(link);
  }

  function runInitCellsWhenReady() {
    var done = false;
    function runThem() {
      if (done) return;
      // thebe 0.9 attaches the session to the page's cells after "ready": wait for it
      var thebe = window.thebe;
      if (thebe && thebe.notebook && !thebe.session) {
        setTimeout(runThem, 100);
        return;
      }
      done = true;
      document.querySelectorAll(".minnet-thebe-init").forEach(function (cell) {
        var button = cell.querySelector(".thebe-run-button, .thebelab-run-button");
        if (button) button.click();
      });
    }
    var wait = setInterval(function () {
      if (typeof window.thebelab === "undefined" || !window.thebelab.on) return;
      clearInterval(wait);
      window.thebelab.on("status", function (evt, data) {
        if (data && data.status === "ready") runThem();
      });
    }, 50);
  }

  function prepare() {
    if (prepared) return;
    prepared = true;
    materializeHiddenCells();
    addThebeStylesheet();
    runInitCellsWhenReady();
  }

  // sphinx-thebe's initThebe (loaded async) is what the theme's button calls: wrap it.
  function wrap() {
    if (typeof window.initThebe !== "function" || window.initThebe.minnetWrapped) return false;
    var original = window.initThebe;
    window.initThebe = function () {
      prepare();
      return original.apply(this, arguments);
    };
    window.initThebe.minnetWrapped = true;
    return true;
  }

  if (!wrap()) {
    window.addEventListener("load", wrap);
  }
})();
